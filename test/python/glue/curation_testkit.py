"""Helpers for the curation tests: contracts, reading Spark's output folders, writing source files."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[3]
GLUE_SCRIPTS = REPO_ROOT / "glue-scripts"
LOCAL_GLUE = REPO_ROOT / "local" / "glue"


def contract(label: str = "y", problem_type: str = "regression", **fields: Any) -> str:
    """A contract document as the job receives it (``--contract``)."""
    return json.dumps({"version": 1, "label": label, "problemType": problem_type, **fields})


@dataclass(frozen=True)
class Run:
    """The outputs of one run_curation call."""

    root: Path
    report: dict[str, Any]

    @property
    def output(self) -> Path:
        return self.root / "curated"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    def data(self) -> pd.DataFrame:
        return read_parts(self.output / "data")

    def quarantine(self) -> pd.DataFrame:
        return read_parts(self.quarantine_dir)

    def schema(self) -> dict[str, Any]:
        return json.loads((self.output / "schema.json").read_text(encoding="utf-8"))

    def written_report(self) -> dict[str, Any]:
        return json.loads((self.output / "report.json").read_text(encoding="utf-8"))


def read_parts(folder: Path) -> pd.DataFrame:
    """Every CSV part file of a Spark output folder, in name order, as text (keep_default_na=False keeps '')."""
    parts = sorted(p for p in folder.iterdir() if p.name.endswith(".csv") and not p.name.startswith("."))
    assert parts, f"no CSV part files in {folder}: {sorted(os.listdir(folder))}"
    frames = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in parts]
    return pd.concat(frames, ignore_index=True)


def write_source(tmp_path: Path, text: str | bytes, name: str = "upload.csv") -> Path:
    path = tmp_path / "raw" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def load(spark: Any, tmp_path: Path, text: str, delimiter: str = ",") -> tuple[Any, Any]:
    """(header, raw rows) of CSV ``text``, read as the job reads an upload."""
    from curation.reader import read_header, read_rows

    source = write_source(tmp_path, text, name=f"t{len(list(tmp_path.glob('raw/*')))}.csv")
    header = read_header(str(source), delimiter)
    return header, read_rows(spark, str(source), header, delimiter)


# A churn upload with every kind of bad row (about 1%) and gaps, and its contract: ``generate(path, rows, seed)``.
CITIES = ("Berlin", "Paris", "Rome", "Madrid", "Vienna", "Prague", "Lisbon", "Dublin", "Oslo", "Warsaw")
PLANS = ("basic", "plus", "pro", "enterprise")
CHURN_CONTRACT = {
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
