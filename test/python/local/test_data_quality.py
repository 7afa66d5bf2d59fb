"""local/monitor/data_quality.py: captured endpoint requests checked against the baseline, as Model Monitor does."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from testkit import REPO_ROOT, load_script

kit = load_script(REPO_ROOT / "test" / "python" / "local" / "monitor_testkit.py", "monitor_testkit")
monitor = kit.data_quality_module()
SCRIPT = REPO_ROOT / "local" / "monitor" / "data_quality.py"


@pytest.fixture(scope="module")
def etl(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return kit.etl_baseline(tmp_path_factory.mktemp("monitor-baseline"), rows=2000, seed=7)


@pytest.fixture(scope="module")
def rows() -> list[list[str]]:
    """Raw rows from the same population as the training data (another seed): what clients send."""
    return kit.client_rows(600, 99)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    output: Path

    @property
    def violations(self) -> list[dict[str, str]]:
        return json.loads((self.output / "constraint_violations.json").read_text())["violations"]

    @property
    def found(self) -> set[tuple[str, str]]:
        return {(v["constraint_check_type"], v["feature_name"]) for v in self.violations}

    @property
    def statistics(self) -> dict[str, Any]:
        return json.loads((self.output / "statistics.json").read_text())


def run(baseline_dir: Path, capture_dir: Path, tmp_path: Path) -> Result:
    """The stand-in's entry point, in this process (the CLI's own process is tested once, below)."""
    output = tmp_path / "report"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = monitor.main(["--baseline-dir", str(baseline_dir), "--capture-dir", str(capture_dir),
                             "--output-dir", str(output)])
    return Result(code, stdout.getvalue(), stderr.getvalue(), output)


def check(etl: Any, records: list[dict[str, Any]], tmp_path: Path) -> Result:
    kit.write_capture(tmp_path / "capture", records)
    result = run(etl.baseline_dir, tmp_path / "capture", tmp_path)
    assert result.code == 0, result.stderr
    return result


def with_column(rows: list[list[str]], index: int, change: Any) -> list[list[str]]:
    return [[change(k, cell) if i == index else cell for i, cell in enumerate(row)] for k, row in enumerate(rows)]


# --- no drift --------------------------------------------------------------------------------------------------------


def test_rows_like_the_training_data_raise_no_violations(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    result = check(etl, kit.csv_requests(rows, per_request=7), tmp_path)

    assert result.violations == []
    assert result.stdout.strip().startswith(f"data quality: {len(rows)} rows in {-(-len(rows) // 7)} captured "
                                            "requests (1 file): no violations")
    assert len(result.stdout.strip().splitlines()) == 1
    statistics = result.statistics
    kit.check_statistics_format(statistics)
    assert statistics["dataset"]["item_count"] == len(rows)
    assert [f["name"] for f in statistics["features"]] == [f"_c{i}" for i in range(10)]
    assert [f["inferred_type"] for f in statistics["features"]] == \
        [f["inferred_type"] for f in etl.documents["statistics"]["features"]]


def test_the_cli_as_local_mode_runs_it(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    kit.write_capture(tmp_path / "capture", kit.csv_requests(
        with_column(rows, 8, lambda k, cell: "enterprise" if k % 50 == 0 else cell)))
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--baseline-dir", str(etl.baseline_dir), "--capture-dir",
         str(tmp_path / "capture"), "--output-dir", str(tmp_path / "report")],
        capture_output=True, text=True, timeout=120,
    )

    assert completed.returncode == 0, completed.stderr  # violations are results, not failures
    assert completed.stdout.count("\n") == 1 and "1 violation(s): categorical_values_check _c8" in completed.stdout
    violations = json.loads((tmp_path / "report" / "constraint_violations.json").read_text())["violations"]
    assert [v["constraint_check_type"] for v in violations] == ["categorical_values_check"]


def as_json_value(cell: str) -> Any:
    text = cell.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return cell
    return int(number) if number.is_integer() else number


def test_json_requests_as_lists_and_as_objects_keyed_by_column(
    etl: Any, rows: list[list[str]], tmp_path: Path
) -> None:
    half = len(rows) // 2
    lists = [kit.capture_record(json.dumps({"instances": [[as_json_value(c) for c in row]
                                                          for row in rows[i:min(i + 4, half)]]}),
                                "application/json") for i in range(0, half, 4)]
    objects = [kit.capture_record(json.dumps({"instances": [
        {name: as_json_value(c) for name, c in zip(kit.RAW_FEATURES, row)} for row in rows[i:i + 4]]}),
        "application/json; charset=utf-8") for i in range(half, len(rows), 4)]

    result = check(etl, lists + objects, tmp_path)

    assert result.violations == []
    assert result.statistics["dataset"]["item_count"] == len(rows)
    plan = result.statistics["features"][8]["string_statistics"]
    assert {b["value"] for b in plan["distribution"]["categorical"]["buckets"]} <= {"basic", "plus", "pro"}


def test_base64_captures_in_several_files_and_folders(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    records = [kit.capture_record(kit.csv_body(rows[i:i + 10]), encoding="BASE64") for i in range(0, len(rows), 10)]
    kit.write_capture(tmp_path / "capture", records[:20], hour="10")
    kit.write_capture(tmp_path / "capture", records[20:], hour="11", name="capture-1.jsonl")

    result = run(etl.baseline_dir, tmp_path / "capture", tmp_path)

    assert result.code == 0, result.stderr
    assert result.violations == []
    assert f"{len(rows)} rows in {len(records)} captured requests (2 files)" in result.stdout


# --- violations ------------------------------------------------------------------------------------------------------


def test_a_shifted_numeric_column_drifts(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    shifted = with_column(rows, 1, lambda _, cell: f"{float(cell) * 1.6:.1f}" if cell.strip() else cell)

    result = check(etl, kit.csv_requests(shifted), tmp_path)

    assert result.found == {("baseline_drift_check", "_c1")}
    assert "income_k" in result.violations[0]["description"]
    assert "exceeds the threshold 0.1" in result.violations[0]["description"]
    assert "1 violation(s): baseline_drift_check _c1" in result.stdout


def test_an_unseen_category_is_outside_the_domain(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    few = with_column(rows, 8, lambda k, cell: "enterprise" if k % 50 == 0 else cell)  # 2%: no drift

    result = check(etl, kit.csv_requests(few), tmp_path)

    assert result.found == {("categorical_values_check", "_c8")}
    assert "'enterprise'" in result.violations[0]["description"]
    assert "basic, missing, plus, pro" in result.violations[0]["description"]


def test_many_missing_values_break_completeness(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    gappy = with_column(rows, 2, lambda k, cell: "" if k % 3 == 0 else cell)

    result = check(etl, kit.csv_requests(gappy), tmp_path)

    assert ("completeness_check", "_c2") in result.found
    assert {check for check, _ in result.found} <= {"completeness_check", "baseline_drift_check"}
    description = next(v["description"] for v in result.violations if v["constraint_check_type"] ==
                       "completeness_check")
    assert "tenure_months" in description and "below the baseline constraint" in description


def test_gaps_in_a_column_that_had_none(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    # region had no gaps in training: one missing value is below its completeness of 100%.
    result = check(etl, kit.csv_requests(with_column(rows, 9, lambda k, cell: "" if k == 3 else cell)), tmp_path)

    assert result.found == {("completeness_check", "_c9")}


def test_text_in_a_numeric_column_breaks_its_type(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    result = check(etl, kit.csv_requests(with_column(rows, 0, lambda k, cell: "unknown" if k == 5 else cell)),
                   tmp_path)

    assert result.found == {("data_type_check", "_c0")}
    assert "expected Integral" in result.violations[0]["description"]
    assert "'unknown'" in result.violations[0]["description"]
    assert result.statistics["features"][0]["inferred_type"] == "String"


def test_fractions_in_an_integral_column_break_its_type(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    result = check(etl, kit.csv_requests(with_column(rows, 3, lambda k, cell: "4.5" if k < 3 else cell)), tmp_path)

    assert result.found == {("data_type_check", "_c3")}


def test_short_and_long_rows_are_missing_and_extra_columns(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    records = kit.csv_requests(rows[:500]) + kit.csv_requests([row[:9] for row in rows[500:520]]) + \
        kit.csv_requests([row + ["x"] for row in rows[520:540]])

    result = check(etl, records, tmp_path)

    assert ("missing_column_check", "_c9") in result.found
    assert ("extra_column_check", "_c10") in result.found
    assert "20 of 540 captured rows" in next(v["description"] for v in result.violations
                                             if v["constraint_check_type"] == "missing_column_check")
    assert [f["name"] for f in result.statistics["features"]][-1] == "_c10"


def test_json_objects_with_an_unknown_or_missing_key(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    def instance(row: list[str], k: int) -> dict[str, Any]:
        item = {name: as_json_value(c) for name, c in zip(kit.RAW_FEATURES, row)}
        if k < 10:
            item["coupon"] = "SPRING"
            del item["region"]
        return item

    records = [kit.capture_record(json.dumps({"instances": [instance(row, k) for k, row in enumerate(rows)]}),
                                  "application/json")]
    result = check(etl, records, tmp_path)

    assert ("extra_column_check", "coupon") in result.found
    assert ("missing_column_check", "_c9") in result.found


def test_robust_comparison_needs_more_than_sampling_noise(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    few = with_column(rows[:25], 1, lambda _, cell: f"{float(cell) * 1.15:.1f}" if cell.strip() else cell)
    kit.write_capture(tmp_path / "capture", kit.csv_requests(few))

    robust = run(etl.baseline_dir, tmp_path / "capture", tmp_path / "robust")
    simple_dir = tmp_path / "simple-baseline"
    shutil.copytree(etl.baseline_dir, simple_dir)
    constraints = json.loads((simple_dir / "constraints.json").read_text())
    constraints["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple"
    (simple_dir / "constraints.json").write_text(json.dumps(constraints))
    simple = run(simple_dir, tmp_path / "capture", tmp_path / "simple")

    assert ("baseline_drift_check", "_c1") not in robust.found
    assert ("baseline_drift_check", "_c1") in simple.found


def test_constraints_not_evaluated_when_disabled(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    baseline_dir = tmp_path / "baseline"
    shutil.copytree(etl.baseline_dir, baseline_dir)
    constraints = json.loads((baseline_dir / "constraints.json").read_text())
    constraints["monitoring_config"]["evaluate_constraints"] = "Disabled"
    (baseline_dir / "constraints.json").write_text(json.dumps(constraints))
    kit.write_capture(tmp_path / "capture", kit.csv_requests([row + ["x"] for row in rows]))

    result = run(baseline_dir, tmp_path / "capture", tmp_path)

    assert result.code == 0 and result.violations == []
    assert "constraints not evaluated (evaluate_constraints is Disabled)" in result.stdout


# --- distances -------------------------------------------------------------------------------------------------------


def test_cdf_distance() -> None:
    values = np.arange(100, dtype=float)
    sketch = [sorted(values.tolist())]

    assert monitor.cdf_distance(sketch, values) == 0.0
    assert monitor.cdf_distance(sketch, values + 1000.0) == 1.0
    assert monitor.cdf_distance(sketch, values[:50]) == pytest.approx(0.5)
    # A compacted sketch: level 1 items weigh 2.
    assert monitor.cdf_distance([[0.0], [1.0, 2.0]], np.array([0.0, 1.0, 1.0, 2.0, 2.0])) == pytest.approx(0.0)


def test_share_distance() -> None:
    from collections import Counter

    assert monitor.share_distance({"a": 0.5, "b": 0.5}, Counter({"a": 5, "b": 5})) == (0.0, "b")
    distance, value = monitor.share_distance({"a": 0.5, "b": 0.5}, Counter({"a": 7, "b": 2, "c": 1}))
    assert (distance, value) == (pytest.approx(0.3), "b")


# --- malformed input -------------------------------------------------------------------------------------------------


def error_of(etl: Any, tmp_path: Path, lines: list[str], baseline_dir: Path | None = None) -> str:
    folder = tmp_path / "capture" / "endpoint" / "AllTraffic"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "bad.jsonl").write_text("".join(line + "\n" for line in lines))
    result = run(baseline_dir or etl.baseline_dir, tmp_path / "capture", tmp_path)
    assert result.code == 2, result.stdout
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1
    return result.stderr


def record(body: str, content_type: str = "text/csv", encoding: str | None = None) -> str:
    return json.dumps(kit.capture_record(body, content_type, encoding))


def test_a_line_that_is_not_json(etl: Any, tmp_path: Path) -> None:
    message = error_of(etl, tmp_path, [record("1,2"), "{not json"])
    assert "bad.jsonl:2 is not a JSON record" in message and "one data-capture record per line" in message


def test_a_record_without_its_input(etl: Any, tmp_path: Path) -> None:
    line = json.dumps({"captureData": {"endpointOutput": {}}, "eventMetadata": {}, "eventVersion": "0"})
    message = error_of(etl, tmp_path, [line])
    assert "bad.jsonl:1 has no captureData.endpointInput" in message and "CaptureMode Input" in message


def test_bad_base64(etl: Any, tmp_path: Path) -> None:
    broken = kit.capture_record("x")
    broken["captureData"]["endpointInput"].update(encoding="BASE64", data="%%%")
    message = error_of(etl, tmp_path, [json.dumps(broken)])
    assert "bad.jsonl:1: endpointInput.data is not base64 of UTF-8 text" in message


def test_an_unknown_encoding(etl: Any, tmp_path: Path) -> None:
    message = error_of(etl, tmp_path, [record("1,2", encoding="GZIP")])
    assert "endpointInput.encoding is \"GZIP\", expected one of CSV, JSON, BASE64" in message


def test_a_content_type_that_cannot_be_analysed(etl: Any, tmp_path: Path) -> None:
    body = base64.b64encode(b"\x93NUMPY").decode()
    message = error_of(etl, tmp_path, [record(body, "application/x-npy", "BASE64")])
    assert "observedContentType 'application/x-npy' cannot be analysed" in message


def test_json_without_instances(etl: Any, tmp_path: Path) -> None:
    message = error_of(etl, tmp_path, [record(json.dumps({"rows": [[1]]}), "application/json")])
    assert 'has no "instances" (keys: rows)' in message


def test_json_objects_need_the_column_map(etl: Any, tmp_path: Path) -> None:
    baseline_dir = tmp_path / "baseline"
    shutil.copytree(etl.baseline_dir, baseline_dir)
    (baseline_dir / "columns.json").unlink()
    message = error_of(etl, tmp_path, [record(json.dumps({"instances": [{"age": 3}]}), "application/json")],
                       baseline_dir)
    assert "instance 0 names its columns (age)" in message and "no columns.json" in message


def test_an_empty_capture_folder(etl: Any, tmp_path: Path) -> None:
    (tmp_path / "capture").mkdir()
    result = run(etl.baseline_dir, tmp_path / "capture", tmp_path)
    assert result.code == 2 and "no .jsonl capture files under" in result.stderr
    assert "invoke the endpoint with data capture enabled" in result.stderr


def test_a_baseline_folder_without_statistics(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    kit.write_capture(tmp_path / "capture", kit.csv_requests(rows[:5]))
    result = run(tmp_path / "nothing", tmp_path / "capture", tmp_path)
    assert result.code == 2 and "no statistics.json in" in result.stderr and "--baseline-dir" in result.stderr


def test_an_unsupported_drift_method(etl: Any, rows: list[list[str]], tmp_path: Path) -> None:
    baseline_dir = tmp_path / "baseline"
    shutil.copytree(etl.baseline_dir, baseline_dir)
    constraints = json.loads((baseline_dir / "constraints.json").read_text())
    constraints["monitoring_config"]["distribution_constraints"]["categorical_drift_method"] = "ChiSquared"
    (baseline_dir / "constraints.json").write_text(json.dumps(constraints))
    message = error_of(etl, tmp_path, [record("1,2")], baseline_dir)
    assert 'categorical_drift_method: "ChiSquared" is not supported by the local stand-in' in message


def test_a_sketch_whose_weights_do_not_add_up(etl: Any, tmp_path: Path) -> None:
    baseline_dir = tmp_path / "baseline"
    shutil.copytree(etl.baseline_dir, baseline_dir)
    statistics = json.loads((baseline_dir / "statistics.json").read_text())
    statistics["features"][1]["numerical_statistics"]["distribution"]["kll"]["sketch"]["data"][0].pop()
    (baseline_dir / "statistics.json").write_text(json.dumps(statistics))
    message = error_of(etl, tmp_path, [record("1,2")], baseline_dir)
    assert "feature _c1" in message and "but num_present is" in message and "Regenerate the baseline" in message
