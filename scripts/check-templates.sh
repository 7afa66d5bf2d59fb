#!/usr/bin/env bash
# Synthesizes every stage offline (aws-cdk-lib's CloudFormation validation and cdk-nag on) and lints each
# template with cfn-lint. Exits non-zero on any synth error, nag finding or cfn-lint error.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-venv.sh --quiet

for stage in ${STAGES:-dev staging prod}; do
  out="cdk.out/$stage"
  echo "-- cdk synth -c stage=$stage"
  rm -rf "$out"
  npx cdk synth --quiet -c "stage=$stage" -o "$out"
  mapfile -t templates < <(find "$out" -name '*.template.json' | sort)
  if [[ ${#templates[@]} -eq 0 ]]; then
    echo "error: no templates were synthesized for stage '$stage' in $out" >&2
    exit 1
  fi
  echo "-- cfn-lint (${#templates[@]} templates)"
  # Errors fail the build; warnings (W) and informational findings (I) are printed but not fatal.
  .venv/bin/cfn-lint --non-zero-exit-code error -- "${templates[@]}"
done
echo "templates OK"
