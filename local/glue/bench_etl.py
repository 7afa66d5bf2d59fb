"""Throughput of the ETL (Glue) job on this machine: generate N rows, run the entry point in-process, time it.

    .venv/bin/python local/glue/bench_etl.py --rows 1000000 [--seed 7] [--work-dir DIR] [--keep]

The data look like a real upload: numeric and text-category columns, an identifier that the contract drops, gaps
(empty cells, imputed), and about 1% bad rows (ragged rows, text in a numeric column, a missing or invalid label,
values out of range, exact duplicates). The timed part is glue-scripts/curate_dataset.py's ``main`` with the local
awsglue stand-in, JVM start included, exactly as local mode runs it but without a subprocess. Prints one JSON line:
{"rows", "seconds", "rowsPerSecond", "rowsOut", "rowsQuarantined", "phases": {...}, "generateSeconds"}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from typing import Any, Sequence

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CITIES = ("Berlin", "Paris", "Rome", "Madrid", "Vienna", "Prague", "Lisbon", "Dublin", "Oslo", "Warsaw")
PLANS = ("basic", "plus", "pro", "enterprise")
CONTRACT = {
    "version": 1,
    "label": "churned",
    "problemType": "binary_classification",
    "columns": {
        "age": {"type": "numeric", "min": 18, "max": 100},
        "monthly_spend": {"type": "numeric", "nulls": "impute-mean"},
        "plan": {"type": "categorical", "values": list(PLANS)},
    },
    "dropColumns": ["customer_id"],
}


def generate(path: str, rows: int, seed: int) -> None:
    """Write ``rows`` data rows (plus a header) to ``path``; about 1% of them are bad in one way or another."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 90, rows).astype(str).astype(object)
    spend = np.round(rng.gamma(2.0, 30.0, rows), 2).astype(str).astype(object)
    tenure = rng.integers(0, 120, rows).astype(str).astype(object)
    city = np.asarray(CITIES, dtype=object)[rng.integers(0, len(CITIES), rows)]
    plan = np.asarray(PLANS, dtype=object)[rng.integers(0, len(PLANS), rows)]
    churned = (rng.random(rows) < 0.3).astype(int).astype(str).astype(object)
    for column in (age, spend, tenure, city):  # 2% gaps each
        column[rng.random(rows) < 0.02] = ""
    bad = rng.random(rows)
    age[bad < 0.002] = "unknown"  # not_numeric:age
    age[(bad >= 0.002) & (bad < 0.003)] = "150"  # above_max:age
    churned[(bad >= 0.003) & (bad < 0.004)] = ""  # missing_label
    churned[(bad >= 0.004) & (bad < 0.005)] = "yes"  # invalid_label
    plan[(bad >= 0.005) & (bad < 0.006)] = "gold"  # unknown_category:plan
    ids = np.arange(rows).astype(str).astype(object)
    lines = np.char.add(ids.astype(str), ",")
    for column in (age, city, plan, spend, tenure):
        lines = np.char.add(np.char.add(lines, column.astype(str)), ",")
    lines = np.char.add(lines, churned.astype(str)).astype(object)
    ragged = (bad >= 0.006) & (bad < 0.008)
    lines[ragged] = np.char.add(lines[ragged].astype(str), ",extra")  # wrong_field_count
    duplicates = np.flatnonzero((bad >= 0.008) & (bad < 0.01))
    lines[duplicates] = lines[np.maximum(duplicates - 1, 0)]  # duplicate of the row before
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("customer_id,age,city,plan,monthly_spend,tenure_months,churned\n")
        handle.write("\n".join(lines))
        handle.write("\n")


def run(rows: int, seed: int, work_dir: str) -> dict[str, Any]:
    sys.path[:0] = [os.path.join(ROOT, "local", "glue"), os.path.join(ROOT, "glue-scripts")]
    source = os.path.join(work_dir, "raw.csv")
    started = time.monotonic()
    generate(source, rows, seed)
    generated = time.monotonic() - started
    import curate_dataset  # noqa: E402 - after sys.path; imports the awsglue stand-in (Spark settings)

    argv = [
        "curate_dataset.py", "--JOB_NAME", "bench", "--source_uri", source, "--source_version_id", "null",
        "--run_id", "bench", "--output_uri", os.path.join(work_dir, "curated"),
        "--quarantine_uri", os.path.join(work_dir, "quarantine"), "--contract", json.dumps(CONTRACT),
    ]
    started = time.monotonic()
    report = curate_dataset.main(argv)
    seconds = time.monotonic() - started
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rowsPerSecond": round(rows / seconds),
        "rowsOut": report["rows"]["out"],
        "rowsQuarantined": report["rows"]["quarantined"],
        "phases": report["timings"],
        "generateSeconds": round(generated, 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", default=None, help="default: a temporary folder, deleted afterwards")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error(f"--rows must be at least 1, got {args.rows}")
    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
        result = run(args.rows, args.seed, args.work_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-etl-") as work_dir:
            result = run(args.rows, args.seed, work_dir)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
