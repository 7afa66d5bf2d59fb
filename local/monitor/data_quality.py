"""Local stand-in for SageMaker Model Monitor's data-quality analyzer: captured requests vs the baseline.

    python local/monitor/data_quality.py --baseline-dir DIR --capture-dir DIR --output-dir DIR

--baseline-dir  statistics.json and constraints.json as ml/baseline.py writes them (and, optionally, its
                columns.json, which lets JSON requests keyed by column name be placed in their columns)
--capture-dir   a folder tree of data-capture files (``*.jsonl``, any depth, as SageMaker writes them under
                ``<endpoint>/<variant>/yyyy/mm/dd/hh/``); one JSON record a line:
                {"captureData": {"endpointInput": {"observedContentType", "mode": "INPUT", "data", "encoding"},
                                 "endpointOutput": {...}},
                 "eventMetadata": {"eventId", "inferenceTime", ...}, "eventVersion": "0"}
                ``encoding`` says how ``data`` holds the request body: CSV or JSON (the text itself) or BASE64.
--output-dir    statistics.json (the captured rows, in the baseline's format) and constraint_violations.json:
                {"violations": [{"feature_name", "constraint_check_type", "description"}]}

Reading requests. text/csv: one row per line (a request may hold several), columns by position, named as the
analyzer names headerless columns: the baseline's names in order (``_c0``, ``_c1``, ...), ``_c<n>`` beyond them.
application/json: {"instances": [...]} or a bare list, each instance a list of values (or {"features": [...]}), or
an object keyed by column name, placed by columns.json (an unknown key becomes an extra column of that name).
Values are trimmed of spaces and tabs, as the model reads them; an empty value or JSON null is missing.

Checks (only when constraints.json's monitoring_config.evaluate_constraints is Enabled), per baseline column:
  missing_column_check      the column is absent from some rows (a shorter CSV row, a JSON object without the key)
  extra_column_check        a column the baseline does not have (a longer row, an unknown key)
  data_type_check           share of present values of the baseline type (an Integral column takes whole numbers,
                            a Fractional one any number, a String one anything) < datatype_check_threshold
  completeness_check        share of non-missing values < the feature's completeness
  categorical_values_check  String columns with string_constraints.domains: share of present values in the domain
                            < domain_content_threshold
  baseline_drift_check      distribution_constraints.perform_comparison Enabled: numeric columns: the largest
                            distance between the baseline's cumulative distribution (from its KLL sketch) and the
                            captured one (exact) > comparison_threshold; String columns (LInfinity): the largest
                            difference between the two shares of any value > categorical_comparison_threshold
                            (default: comparison_threshold). comparison_method Robust (or linf_robust) also requires
                            the distance to exceed what two samples of these sizes differ by at the 5% level (the
                            two-sample Kolmogorov-Smirnov critical value 1.358 * sqrt((n + m) / (n * m))), so a few
                            captured rows do not raise drift; Simple (linf_simple) compares with the threshold alone.
Violations are results: the run prints one summary line and exits 0. Unreadable baselines or captures are errors:
one message naming the file (and line) and the fix, exit code 2.

Not shipped to SageMaker: it imports ml/baseline.py (by path) so that captured statistics are computed exactly as
the baseline's. Known differences from the cloud analyzer are listed in local/monitor/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

# The stand-in's modules are its siblings; this runs as a script (and is loaded by path in the tests).
sys.path.insert(0, str(Path(__file__).resolve().parent))

from dq_baseline import MonitorError, baseline, baseline_statistics, read_baseline  # noqa: E402
from dq_capture import CapturedTable, read_capture  # noqa: E402
from dq_checks import Observed, Violation, check_column  # noqa: E402

# The checks' distances, for the tests.
from dq_checks import cdf_distance, share_distance  # noqa: E402,F401

VIOLATIONS_FILE = "constraint_violations.json"


@dataclass(frozen=True)
class Report:
    statistics: dict[str, Any]
    violations: list[Violation]
    table: CapturedTable
    evaluated: bool


def analyse(baseline_dir: Path, capture_dir: Path) -> Report:
    base = read_baseline(baseline_dir)
    table = read_capture(capture_dir, base.columns)
    profiles = {name: baseline_statistics.profile_column(name, table.cells[name]) for name in table.names}
    statistics = baseline_statistics.statistics_document([profiles[name] for name in table.names], table.rows)
    violations: list[Violation] = []
    if base.config.evaluate:
        for column in base.columns:
            label = f"{column.name} ({column.source})" if column.source and column.source != column.name \
                else column.name
            seen = Observed(label=label, profile=profiles[column.name], absent=table.absent.get(column.name, 0),
                            rows=table.rows, baseline_columns=len(base.columns))
            violations.extend(check_column(column, seen, base.config))
        for name in table.extra:
            present = profiles[name].present
            violations.append(Violation(name, "extra_column_check",
                                        f"Column {name} is not in the baseline ({len(base.columns)} columns): "
                                        f"{present} of {table.rows} captured rows have a value there."))
    return Report(statistics=statistics, violations=violations, table=table, evaluated=base.config.evaluate)


def write_report(report: Report, output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / baseline.STATISTICS_FILE).write_text(json.dumps(report.statistics, indent=2) + "\n",
                                                         encoding="utf-8")
    path = output_dir / VIOLATIONS_FILE
    path.write_text(json.dumps({"violations": [v.to_json() for v in report.violations]}, indent=2) + "\n",
                    encoding="utf-8")
    return path


def summary(report: Report, path: Path) -> str:
    table = report.table
    files = f"{table.files} file" + ("" if table.files == 1 else "s")
    seen = f"{table.rows} rows in {table.requests} captured requests ({files})"
    if not report.evaluated:
        return f"data quality: {seen}; constraints not evaluated (evaluate_constraints is Disabled); wrote {path}"
    if not report.violations:
        return f"data quality: {seen}: no violations; wrote {path}"
    found = "; ".join(f"{v.constraint_check_type} {v.feature_name}" for v in report.violations)
    return f"data quality: {seen}: {len(report.violations)} violation(s): {found}; wrote {path}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Check captured endpoint requests against a data-quality baseline.")
    parser.add_argument("--baseline-dir", required=True, type=Path, help="statistics.json and constraints.json")
    parser.add_argument("--capture-dir", required=True, type=Path, help="folder tree of data-capture .jsonl files")
    parser.add_argument("--output-dir", required=True, type=Path,
                        help="where statistics.json and constraint_violations.json go")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = analyse(args.baseline_dir, args.capture_dir)
        path = write_report(report, args.output_dir)
    except MonitorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary(report, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
