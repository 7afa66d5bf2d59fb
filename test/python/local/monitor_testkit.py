"""Helpers for the data-quality baseline and monitor tests: ETL-curated training data without Spark, captures.

``curate`` applies the ETL job's rules (glue-scripts/curation) to an upload in plain Python, closely enough for these
tests: values trimmed of spaces and tabs, rows with the wrong field count, a non-numeric value in a numeric column or
a missing label set aside, exact duplicates dropped, numeric gaps imputed with the median, categorical gaps with
``missing``, categories sorted, one 0/1 feature per category. It writes what an ETL run writes (``data/`` part file
and ``schema.json``), so preprocess.py and baseline.py read it as they read the real thing.

Used by test/python/ml/test_baseline.py too (loaded by path), which also runs under Python 3.9 with the
scikit-learn image's libraries: keep this file compatible with them.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import statistics
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pandas as pd

from testkit import REPO_ROOT, load_script, ml_module

NUMERIC = ("age", "income_k", "tenure_months", "monthly_visits", "avg_order_value", "support_tickets",
           "discount_pct", "days_since_last_order")
CATEGORICAL = ("plan", "region")
LABEL = "target"
RAW_FEATURES = NUMERIC + CATEGORICAL  # the upload's header without the label: what clients send
IMPUTED_CATEGORY = "missing"
_TRIM = " \t"


def baseline_module() -> Any:
    return ml_module("baseline")


def data_quality_module() -> Any:
    return load_script(REPO_ROOT / "local" / "monitor" / "data_quality.py", "local_monitor_data_quality")


def upload_lines(rows: int, seed: int, problem_type: str = "regression") -> List[str]:
    """An upload as ml/sample_data.py --format upload writes it: header first; gaps, stray spaces, bad rows."""
    return list(ml_module("sample_data").generate_upload(rows, seed, problem_type))


def _number(value: str) -> Optional[float]:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def curate(lines: Sequence[str], root: Path) -> Dict[str, Any]:
    """Curate an upload like the ETL job; writes ``root/data/part-00000-c000.csv`` and ``root/schema.json``."""
    header = next(csv.reader([lines[0]]))
    kept: List[Dict[str, str]] = []
    seen = set()
    for line in lines[1:]:
        cells = next(csv.reader([line]))
        if len(cells) != len(header) or line in seen:
            continue
        seen.add(line)
        row = {name: cell.strip(_TRIM) for name, cell in zip(header, cells)}
        if _number(row[LABEL]) is None or any(row[c] and _number(row[c]) is None for c in NUMERIC):
            continue
        kept.append(row)
    medians = {c: float(statistics.median(float(r[c]) for r in kept if r[c])) for c in NUMERIC}
    categories = {c: sorted({r[c] for r in kept if r[c]} | {IMPUTED_CATEGORY}) for c in CATEGORICAL}
    columns: List[Dict[str, Any]] = [
        {"name": LABEL, "role": "label", "type": "numeric", "nulls": "quarantine", "imputeValue": None, "min": None,
         "max": None, "categories": None, "inferred": True},
    ]
    feature_columns: List[str] = []
    for name in header:
        if name == LABEL:
            continue
        if name in NUMERIC:
            columns.append({"name": name, "role": "feature", "type": "numeric", "nulls": "impute-median",
                            "imputeValue": medians[name], "min": None, "max": None, "categories": None,
                            "inferred": True})
            feature_columns.append(name)
        else:
            columns.append({"name": name, "role": "feature", "type": "categorical",
                            "nulls": {"impute": IMPUTED_CATEGORY}, "imputeValue": IMPUTED_CATEGORY, "min": None,
                            "max": None, "categories": categories[name], "inferred": True})
            feature_columns.extend(f"{name}={category}" for category in categories[name])
    schema = {
        "schemaVersion": 1, "label": LABEL, "problemType": "regression", "sourceColumns": header, "dropColumns": [],
        "columns": columns, "featureColumns": feature_columns,
    }
    encoded = []
    for row in kept:
        out: List[float] = [float(row[LABEL])]
        for name in header:
            if name in NUMERIC:
                out.append(float(row[name]) if row[name] else medians[name])
            elif name in CATEGORICAL:
                value = row[name] or IMPUTED_CATEGORY
                out.extend(1.0 if value == category else 0.0 for category in categories[name])
        encoded.append(out)
    (root / "data").mkdir(parents=True, exist_ok=True)
    pd.DataFrame(encoded, columns=[LABEL, *feature_columns]).to_csv(root / "data" / "part-00000-c000.csv",
                                                                     index=False)
    (root / "schema.json").write_text(json.dumps(schema, indent=2), encoding="utf-8")
    return schema


def preprocess(input_dir: Path, root: Path, *extra: str) -> Path:
    """preprocess.py on ``input_dir``; returns its train output folder."""
    exit_code = ml_module("preprocess").main([
        "--problem-type", "regression", "--label-column", LABEL, "--input-dir", str(input_dir),
        "--train-dir", str(root / "train"), "--validation-dir", str(root / "validation"),
        "--test-dir", str(root / "test"), *extra,
    ])
    assert exit_code == 0
    return root / "train"


def run_baseline(train_dir: Path, output_dir: Path) -> Dict[str, Any]:
    """baseline.py; returns {"statistics", "constraints", "columns"} as read back from its files."""
    assert baseline_module().main(["--train-dir", str(train_dir), "--output-dir", str(output_dir)]) == 0
    return {name: json.loads((output_dir / f"{name}.json").read_text(encoding="utf-8"))
            for name in ("statistics", "constraints", "columns")}


@dataclass(frozen=True)
class EtlBaseline:
    schema: Dict[str, Any]  # the ETL schema.json
    train_dir: Path
    baseline_dir: Path
    documents: Dict[str, Any]


def etl_baseline(root: Path, rows: int = 2000, seed: int = 7) -> EtlBaseline:
    """upload -> curate -> preprocess -> baseline, as the training pipeline runs it after an ETL run."""
    schema = curate(upload_lines(rows, seed), root / "curated")
    train_dir = preprocess(root / "curated", root)
    documents = run_baseline(train_dir, root / "baseline")
    return EtlBaseline(schema=schema, train_dir=train_dir, baseline_dir=root / "baseline", documents=documents)


def client_rows(rows: int, seed: int) -> List[List[str]]:
    """Raw request rows as clients send them: an upload's feature cells, as uploaded, without its bad rows."""
    lines = upload_lines(rows, seed)
    header = next(csv.reader([lines[0]]))
    label = header.index(LABEL)
    result = []
    for line in lines[1:]:
        cells = next(csv.reader([line]))
        if len(cells) != len(header) or any(cells[header.index(c)].strip() and
                                            _number(cells[header.index(c)]) is None for c in NUMERIC):
            continue
        result.append([cell for index, cell in enumerate(cells) if index != label])
    return result


def csv_body(rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


def capture_record(body: str, content_type: str = "text/csv", encoding: Optional[str] = None,
                   output: str = "0.5") -> Dict[str, Any]:
    """One SageMaker data-capture record (a line of a capture .jsonl file)."""
    encoding = encoding or ("CSV" if content_type.startswith("text/csv") else "JSON")
    data = base64.b64encode(body.encode("utf-8")).decode("ascii") if encoding == "BASE64" else body
    return {
        "captureData": {
            "endpointInput": {"observedContentType": content_type, "mode": "INPUT", "data": data,
                              "encoding": encoding},
            "endpointOutput": {"observedContentType": "text/csv; charset=utf-8", "mode": "OUTPUT", "data": output,
                               "encoding": "CSV"},
        },
        "eventMetadata": {"eventId": str(uuid.uuid4()), "inferenceTime": "2026-12-01T10:00:00Z"},
        "eventVersion": "0",
    }


def write_capture(capture_dir: Path, records: Sequence[Dict[str, Any]], hour: str = "10",
                  name: str = "capture-0.jsonl") -> Path:
    """Records in a capture file where SageMaker puts them: <endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl."""
    folder = capture_dir / "endpoint" / "AllTraffic" / "2026" / "12" / "01" / hour
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def csv_requests(rows: Sequence[Sequence[Any]], per_request: int = 5) -> List[Dict[str, Any]]:
    """CSV requests of ``per_request`` rows each."""
    return [capture_record(csv_body(rows[i:i + per_request])) for i in range(0, len(rows), per_request)]


# --- format checks shared by the baseline and monitor tests ----------------------------------------------------------


def check_statistics_format(document: Dict[str, Any]) -> None:
    """Assert ``document`` has statistics.json's documented shape, with numbers that agree with each other."""
    assert document["version"] == 0
    rows = document["dataset"]["item_count"]
    assert isinstance(rows, int) and rows > 0
    capacity = baseline_module().import_statistics_module().kll_capacity
    for feature in document["features"]:
        name, kind = feature["name"], feature["inferred_type"]
        assert kind in ("Integral", "Fractional", "String", "Unknown"), feature
        if kind in ("Integral", "Fractional"):
            stats = feature["numerical_statistics"]
            present = stats["common"]["num_present"]
            assert present + stats["common"]["num_missing"] == rows, name
            assert stats["min"] <= stats["mean"] <= stats["max"], name
            assert abs(stats["sum"] - stats["mean"] * present) <= 1e-6 * max(1.0, abs(stats["sum"])), name
            assert stats["std_dev"] >= 0, name
            kll = stats["distribution"]["kll"]
            buckets = kll["buckets"]
            assert buckets[0]["lower_bound"] == stats["min"] and buckets[-1]["upper_bound"] == stats["max"], name
            assert all(a["upper_bound"] == b["lower_bound"] for a, b in zip(buckets, buckets[1:])), name
            assert sum(b["count"] for b in buckets) == present, name
            assert len(buckets) in (1, 10), name
            sketch = kll["sketch"]
            assert sketch["parameters"] == {"c": 0.64, "k": 2048.0}, name
            levels = sketch["data"]
            assert sum(len(level) * 2**h for h, level in enumerate(levels)) == present, name
            assert all(len(level) <= capacity(h, len(levels)) for h, level in enumerate(levels)), name
            assert all(stats["min"] <= v <= stats["max"] for level in levels for v in level), name
        elif kind == "String":
            stats = feature["string_statistics"]
            present = stats["common"]["num_present"]
            assert present + stats["common"]["num_missing"] == rows, name
            buckets = stats["distribution"]["categorical"]["buckets"]
            assert stats["distinct_count"] == len(buckets), name
            assert sum(b["count"] for b in buckets) == present, name
            assert all(isinstance(b["value"], str) for b in buckets), name


def check_constraints_format(document: Dict[str, Any]) -> None:
    """Assert ``document`` has constraints.json's documented shape."""
    assert document["version"] == 0
    for feature in document["features"]:
        assert isinstance(feature["name"], str)
        assert feature["inferred_type"] in ("Integral", "Fractional", "String", "Unknown")
        if feature["inferred_type"] == "Unknown":
            continue
        assert 0.0 <= feature["completeness"] <= 1.0
        if feature["inferred_type"] in ("Integral", "Fractional"):
            assert isinstance(feature["num_constraints"]["is_non_negative"], bool)
        else:
            assert all(isinstance(v, str) for v in feature["string_constraints"]["domains"])
    config = document["monitoring_config"]
    assert config["evaluate_constraints"] == "Enabled" and config["emit_metrics"] == "Enabled"
    assert config["datatype_check_threshold"] == 1.0 and config["domain_content_threshold"] == 1.0
    assert config["distribution_constraints"] == {
        "perform_comparison": "Enabled", "comparison_threshold": 0.1, "comparison_method": "Robust",
        "categorical_comparison_threshold": 0.1, "categorical_drift_method": "LInfinity",
    }
