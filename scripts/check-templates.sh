#!/usr/bin/env bash
# Synthesizes every stage offline (aws-cdk-lib's CloudFormation validation and cdk-nag on) and lints each
# template with cfn-lint. Exits non-zero on any synth error, nag finding or cfn-lint error.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-venv.sh --quiet
# The built-in CloudFormation validator must run here, whatever the calling shell says.
unset CDK_VALIDATION

# The stages one by one (`cdk deploy -c stage=...`), then the CI/CD pipeline with the three stages inside
# (`-c pipeline=true`, plus the context the pipeline was deployed with when its Build step runs this:
# CDK_SYNTH_CONTEXT="k=v ..."), into PIPELINE_ASSEMBLY_DIR (the Build step's output, which self-mutation deploys).
targets=(${STAGES:-dev staging prod})
if [[ "${PIPELINE:-true}" == true ]]; then targets+=(pipeline); fi
for stage in "${targets[@]}"; do
  if [[ "$stage" == pipeline ]]; then
    out="${PIPELINE_ASSEMBLY_DIR:-cdk.out/pipeline}"
    context=(-c pipeline=true)
    # Split on whitespace without expanding globs (docs path patterns such as **/*.md).
    read -r -a pairs <<< "${CDK_SYNTH_CONTEXT:-}"
    for kv in "${pairs[@]}"; do context+=(-c "$kv"); done
  else
    out="cdk.out/$stage"
    context=(-c "stage=$stage")
  fi
  echo "-- cdk synth ${context[*]}"
  rm -rf "$out"
  npx cdk synth --quiet "${context[@]}" -o "$out"
  mapfile -t templates < <(find "$out" -name '*.template.json' | sort)
  if [[ ${#templates[@]} -eq 0 ]]; then
    echo "error: no templates were synthesized for '$stage' in $out" >&2
    exit 1
  fi
  # The app fails synth on validation errors; warnings (e.g. CloudFormation best practices) must be absent too.
  report="$out/validation-report.json"
  if [[ -f "$report" ]]; then
    .venv/bin/python - "$report" <<'PY'
import json
import sys

report = json.load(open(sys.argv[1]))
findings = [
    (plugin["pluginName"], violation["ruleName"], [c.get("constructPath") for c in violation.get("violatingConstructs", [])])
    for plugin in report.get("pluginReports", [])
    for violation in plugin.get("violations", [])
]
for plugin, rule, paths in findings:
    print(f"error: {plugin}: {rule} at {', '.join(p for p in paths if p)}", file=sys.stderr)
sys.exit(1 if findings else 0)
PY
  fi
  echo "-- cfn-lint (${#templates[@]} templates)"
  # Errors fail the build; warnings (W) and informational findings (I) are printed but not fatal.
  .venv/bin/cfn-lint --non-zero-exit-code error -- "${templates[@]}"
done
echo "templates OK"
