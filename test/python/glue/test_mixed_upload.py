"""An upload with every kind of bad row (the test kit's churn data): the job accounts for each one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import curation_testkit as churn
from curation_testkit import Run


def test_generated_data_has_gaps_and_about_one_percent_bad_rows(tmp_path: Path, run_job: Callable[..., Run]) -> None:
    source = tmp_path / "raw.csv"
    churn.generate(str(source), 5000, seed=3)

    run = run_job(source, json.dumps(churn.CHURN_CONTRACT))

    rows = run.report["rows"]
    assert rows["in"] == 5000 and rows["in"] == rows["out"] + rows["quarantined"]
    assert 0.005 < rows["quarantinedFraction"] < 0.02
    assert set(rows["quarantinedByReason"]) == {
        "wrong_field_count", "duplicate", "not_numeric:age", "above_max:age", "missing_label", "invalid_label",
        "unknown_category:plan",
    }
    assert run.schema()["featureColumns"][:2] == ["age", "city=Berlin"]
