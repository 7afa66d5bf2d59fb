"""Helpers for the curation tests: contracts, reading Spark's output folders, writing source files."""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    header = read_header(spark, str(source), delimiter)
    return header, read_rows(spark, str(source), header, delimiter)


def bench_module() -> Any:
    """local/glue/bench_etl.py, loaded by path (its data generator and contract)."""
    spec = importlib.util.spec_from_file_location("bench_etl", LOCAL_GLUE / "bench_etl.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
