"""Fixtures for the curation (Glue) tests: one local SparkSession for the session, and a runner for whole jobs.

Helpers shared by the test modules are in curation_testkit.py (a module of its own: ``import conftest`` would find
test/python/conftest.py).

The curation package runs here on plain PySpark; only test_entry_point.py goes through the awsglue stand-in, in a
subprocess, as local mode does.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
GLUE_SCRIPTS = REPO_ROOT / "glue-scripts"
for folder in (GLUE_SCRIPTS, Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from curation import JobArguments, run_curation  # noqa: E402
from curation_testkit import Run  # noqa: E402


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("curation-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture
def run_job(spark: Any, tmp_path: Path) -> Callable[..., Run]:
    """run_job(source_path, contract_json, schema_uri=None, name='run') -> Run (raises what run_curation raises)."""

    def run(source: Path, contract_json: str, schema_uri: str | None = None, name: str = "run") -> Run:
        root = tmp_path / name
        args = JobArguments(
            source_uri=str(source),
            source_version_id="v1",
            run_id=name,
            output_uri=str(root / "curated") + "/",
            quarantine_uri=str(root / "quarantine") + "/",
            contract=contract_json,
            schema_uri=schema_uri,
        )
        return Run(root=root, report=run_curation(spark, args))

    return run
