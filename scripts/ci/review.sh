#!/usr/bin/env bash
# Review of a pull request: the tests, then `cdk diff` of each stage against what is deployed, posted as one comment
# on the pull request (scripts/cicd/diff-comment.ts). The pull-request review CodeBuild project runs it with:
#   PULL_REQUEST_ID, REPOSITORY_NAME, BEFORE_COMMIT_ID (destination tip), AFTER_COMMIT_ID (source tip)
# Optional: REVIEW_STAGES (default "dev staging prod"), CDK_CONTEXT_ARGS (extra "-c key=value" arguments, e.g. the
# stages' accounts and regions), REVIEW_OUTPUT (write the comment to this file instead of posting it).
# Exits 1 when the tests fail (after posting the comment that says so).
set -uo pipefail

stages=${REVIEW_STAGES:-dev staging prod}
out_dir=${REVIEW_DIFF_DIR:-cdk-diff}
mkdir -p "$out_dir"

npm ci || exit 1

tests=passed
npm test || tests=failed

diff_args=()
for stage in $stages; do
  # --method template reads the deployed templates with the CDK lookup role (no change set, no deploy role).
  # shellcheck disable=SC2086
  npx cdk diff -c "stage=$stage" ${CDK_CONTEXT_ARGS:-} --no-color --method template >"$out_dir/$stage.txt" 2>&1
  echo "cdk diff of $stage: exit $? ($(wc -l <"$out_dir/$stage.txt") lines in $out_dir/$stage.txt)"
  diff_args+=(--diff "$stage=$out_dir/$stage.txt")
done

if [[ -n "${REVIEW_OUTPUT:-}" ]]; then
  post_args=(--output "$REVIEW_OUTPUT")
else
  post_args=(--repository "$REPOSITORY_NAME" --pull-request-id "$PULL_REQUEST_ID"
    --before-commit "$BEFORE_COMMIT_ID" --after-commit "$AFTER_COMMIT_ID")
fi
npx ts-node --transpile-only scripts/cicd/diff-comment.ts "${diff_args[@]}" --tests "$tests" "${post_args[@]}" || exit 1

[[ "$tests" == passed ]]
