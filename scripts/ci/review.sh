#!/usr/bin/env bash
# Review of a pull request: the tests, then `cdk diff` of each stage against what is deployed, posted as one comment
# on the pull request (scripts/cicd/diff-comment.ts). REVIEW_PROVIDER says where the pull request is:
#   codecommit (default; the PullRequestReview project): PULL_REQUEST_ID, REPOSITORY_NAME, BEFORE_COMMIT_ID
#     (destination tip), AFTER_COMMIT_ID (source tip)
#   github (the GitHubPullRequestReview webhook project): GITHUB_REPOSITORY (owner/name), GITHUB_TOKEN (from Secrets
#     Manager; only for the comment), and CodeBuild's CODEBUILD_WEBHOOK_TRIGGER (pr/<number>) and
#     CODEBUILD_RESOLVED_SOURCE_VERSION (the pull request's head commit)
# Optional: REVIEW_STAGES (default "dev staging prod"), CDK_CONTEXT_ARGS (extra "-c key=value" arguments, e.g. the
# stages' accounts and regions), REVIEW_OUTPUT (write the comment to this file instead of posting it, within the provider's limit).
# Exits 1 when the tests fail (after posting the comment that says so).
set -uo pipefail

provider=${REVIEW_PROVIDER:-codecommit}
if [[ "$provider" != codecommit && "$provider" != github ]]; then
  echo "REVIEW_PROVIDER is '$provider': expected codecommit or github (GitLab and Bitbucket are not supported)." >&2
  exit 1
fi
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
elif [[ "$provider" == github ]]; then
  # The token stays in the environment (GITHUB_TOKEN), off the command line.
  post_args=(--github-repository "${GITHUB_REPOSITORY:-}"
    --webhook-trigger "${CODEBUILD_WEBHOOK_TRIGGER:-}" --after-commit "${CODEBUILD_RESOLVED_SOURCE_VERSION:-}")
else
  post_args=(--repository "$REPOSITORY_NAME" --pull-request-id "$PULL_REQUEST_ID"
    --before-commit "$BEFORE_COMMIT_ID" --after-commit "$AFTER_COMMIT_ID")
fi
npx ts-node --transpile-only scripts/cicd/diff-comment.ts --provider "$provider" "${diff_args[@]}" --tests "$tests" "${post_args[@]}" || exit 1

[[ "$tests" == passed ]]
