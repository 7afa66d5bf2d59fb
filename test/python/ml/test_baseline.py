"""ml/baseline.py: Model Monitor's data-quality baseline of the rows the endpoint receives, from the train split.

Also runs under Python 3.9 with the scikit-learn 1.2-1 image's libraries (scripts/container-parity.sh).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd
import pytest

from testkit import ML_DIR, PYTHON, REPO_ROOT, load_script, ml_module

kit = load_script(REPO_ROOT / "test" / "python" / "local" / "monitor_testkit.py", "monitor_testkit")
baseline = ml_module("baseline")
baseline_statistics = baseline.import_statistics_module()


@pytest.fixture(scope="module")
def etl(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An upload (gaps, stray spaces, bad rows) -> ETL-like curation -> preprocess.py -> baseline.py."""
    return kit.etl_baseline(tmp_path_factory.mktemp("etl-baseline"))


def train_frame(etl: Any) -> pd.DataFrame:
    schema = json.loads((etl.train_dir / "schema.json").read_text())
    return pd.read_csv(etl.train_dir / "train.csv", header=None, names=["target", *schema["feature_columns"]],
                       float_precision="round_trip")


def features_of(document: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {feature["name"]: feature for feature in document["features"]}


# --- what is described -----------------------------------------------------------------------------------------------


def test_raw_rows_are_described_by_position_in_the_etl_column_order(etl: Any) -> None:
    statistics, columns = etl.documents["statistics"], etl.documents["columns"]

    assert [f["name"] for f in statistics["features"]] == [f"_c{i}" for i in range(10)]
    assert [c["source"] for c in columns["columns"]] == list(kit.RAW_FEATURES)
    assert statistics["dataset"]["item_count"] == len(train_frame(etl))
    types = {c["source"]: f["inferred_type"] for f, c in zip(statistics["features"], columns["columns"])}
    assert types == {
        "age": "Integral", "income_k": "Fractional", "tenure_months": "Integral", "monthly_visits": "Integral",
        "avg_order_value": "Fractional", "support_tickets": "Integral", "discount_pct": "Fractional",
        "days_since_last_order": "Integral", "plan": "String", "region": "String",
    }


def test_both_files_have_the_documented_shape(etl: Any) -> None:
    kit.check_statistics_format(etl.documents["statistics"])
    kit.check_constraints_format(etl.documents["constraints"])


def test_one_hot_groups_are_decoded_to_their_category_text(etl: Any) -> None:
    train = train_frame(etl)
    features = features_of(etl.documents["statistics"])
    for name, column in (("_c8", "plan"), ("_c9", "region")):
        buckets = features[name]["string_statistics"]["distribution"]["categorical"]["buckets"]
        decoded = {b["value"]: b["count"] for b in buckets}
        one_hot = {c.split("=", 1)[1]: float(train[c].sum()) for c in train.columns if c.startswith(f"{column}=")}
        assert decoded == {category: count for category, count in one_hot.items() if count > 0}
        assert features[name]["string_statistics"]["common"] == {"num_present": len(train), "num_missing": 0}
    # Imputed gaps of plan are its recorded imputation category.
    plan = {b["value"] for b in features["_c8"]["string_statistics"]["distribution"]["categorical"]["buckets"]}
    assert plan == {"basic", "plus", "pro", "missing"}


def test_numeric_statistics_are_those_of_the_train_split(etl: Any) -> None:
    train = train_frame(etl)
    stats = features_of(etl.documents["statistics"])["_c1"]["numerical_statistics"]
    income = train["income_k"].to_numpy()

    assert stats["common"] == {"num_present": len(income), "num_missing": 0}
    assert stats["mean"] == pytest.approx(income.mean())
    assert stats["sum"] == pytest.approx(income.sum())
    assert stats["std_dev"] == pytest.approx(income.std())
    assert (stats["min"], stats["max"]) == (income.min(), income.max())
    buckets = stats["distribution"]["kll"]["buckets"]
    assert len(buckets) == 10
    edges = np.linspace(income.min(), income.max(), 11)
    assert [b["count"] for b in buckets] == np.histogram(income, bins=edges)[0].astype(float).tolist()


def test_a_small_sample_is_kept_whole_in_the_sketch(etl: Any) -> None:
    stats = features_of(etl.documents["statistics"])["_c0"]["numerical_statistics"]
    levels = stats["distribution"]["kll"]["sketch"]["data"]

    assert len(levels) == 1
    assert levels[0] == sorted(train_frame(etl)["age"].tolist())


def test_constraints(etl: Any) -> None:
    constraints = features_of(etl.documents["constraints"])

    assert constraints["_c8"]["string_constraints"]["domains"] == etl.schema["columns"][9]["categories"]
    assert constraints["_c9"]["string_constraints"]["domains"] == ["east", "missing", "north", "south", "west"]
    assert all(constraints[f"_c{i}"]["num_constraints"] == {"is_non_negative": True} for i in range(8))
    # region had no gaps: nothing equals its imputation category, so a gap in a request is a completeness drop.
    assert constraints["_c9"]["completeness"] == 1.0
    # plan had about 2% gaps, imputed as 'missing': the bound leaves room for them, and not for many more.
    assert 0.9 <= constraints["_c8"]["completeness"] < 0.98
    # income_k had about 3% gaps, imputed with the median.
    assert 0.9 <= constraints["_c1"]["completeness"] < 0.97


# --- shipped as two files ------------------------------------------------------------------------------------------


def as_asset(source: Path, folder: Path) -> Path:
    """``source`` as a Processing job downloads a CDK asset: named after its object key, the content hash."""
    folder.mkdir(parents=True)
    target = folder / f"{hashlib.sha256(source.read_bytes()).hexdigest()}.py"
    shutil.copyfile(source, target)
    return target


def run_script(script: Path, train_dir: Path, output_dir: Path,
               statistics_module: Optional[Path] = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != baseline.STATISTICS_MODULE_VARIABLE}
    if statistics_module is not None:
        env[baseline.STATISTICS_MODULE_VARIABLE] = str(statistics_module)
    return subprocess.run(
        [PYTHON, str(script), "--train-dir", str(train_dir), "--output-dir", str(output_dir)],
        capture_output=True, text=True, env=env, cwd=str(output_dir.parent), check=False,
    )


def test_the_processing_job_layout_gives_the_same_baseline(etl: Any, tmp_path: Path) -> None:
    # As the Baseline step lays the code out: each file its own input, named by content hash.
    code = tmp_path / "opt" / "ml" / "processing" / "input"
    script = as_asset(ML_DIR / "baseline.py", code / "code")
    module = as_asset(ML_DIR / "baseline_statistics.py", code / "code-lib")

    completed = run_script(script, etl.train_dir, tmp_path / "out", statistics_module=module)

    assert completed.returncode == 0, completed.stderr
    for name, document in etl.documents.items():
        assert json.loads((tmp_path / "out" / f"{name}.json").read_text(encoding="utf-8")) == document, name


def test_without_its_statistics_module_the_script_names_the_missing_file(etl: Any, tmp_path: Path) -> None:
    script = as_asset(ML_DIR / "baseline.py", tmp_path / "code")

    completed = run_script(script, etl.train_dir, tmp_path / "out")

    assert completed.returncode != 0
    assert (f"ImportError: baseline.py needs baseline_statistics.py, its column statistics; "
            f"{tmp_path / 'code' / 'baseline_statistics.py'} does not exist") in completed.stderr


def test_a_statistics_module_path_that_is_not_there_is_named(etl: Any, tmp_path: Path) -> None:
    script = as_asset(ML_DIR / "baseline.py", tmp_path / "code")
    missing = tmp_path / "code-lib" / "0123.py"

    completed = run_script(script, etl.train_dir, tmp_path / "out", statistics_module=missing)

    assert completed.returncode != 0
    assert f"BASELINE_STATISTICS_MODULE names {missing}, which is missing or not a .py file" in completed.stderr


# --- the KLL sketch --------------------------------------------------------------------------------------------------


def test_the_sketch_compacts_large_inputs_within_its_capacity_and_keeps_ranks() -> None:
    values = np.random.default_rng(3).lognormal(size=50_000)

    levels = baseline_statistics.kll_sketch(values)

    assert len(levels) > 1
    assert sum(len(level) * 2**h for h, level in enumerate(levels)) == len(values)
    assert all(len(level) <= baseline_statistics.kll_capacity(h, len(levels)) for h, level in enumerate(levels))
    items = np.concatenate([np.asarray(level) for level in levels])
    weights = np.concatenate([np.full(len(level), 2.0**h) for h, level in enumerate(levels)])
    order = np.argsort(items)
    sketch_rank = np.cumsum(weights[order]) / len(values)
    true_rank = np.searchsorted(np.sort(values), items[order], side="right") / len(values)
    assert np.abs(sketch_rank - true_rank).max() < 0.01
    assert baseline_statistics.kll_sketch(values) == levels  # seeded: the same data gives the same file


def test_capacities_follow_k_and_c() -> None:
    assert baseline_statistics.kll_capacity(0, 1) == 2048
    assert baseline_statistics.kll_capacity(0, 2) == 1311  # ceil(2048 * 0.64)
    assert baseline_statistics.kll_capacity(0, 30) == 2


# --- hand-built train splits -----------------------------------------------------------------------------------------

ENCODING: Dict[str, Any] = {
    "schemaVersion": 1,
    "label": "target",
    "problemType": "regression",
    "sourceColumns": ["id", "age", "city", "income", "target"],
    "dropColumns": ["id"],
    "columns": [
        {"name": "target", "role": "label", "type": "numeric", "nulls": "quarantine", "imputeValue": None},
        {"name": "age", "role": "feature", "type": "numeric", "nulls": "impute-median", "imputeValue": 40.0},
        {"name": "city", "role": "feature", "type": "categorical", "nulls": {"impute": "missing"},
         "imputeValue": "missing", "categories": ["Berlin", "Paris", "missing"]},
        {"name": "income", "role": "feature", "type": "numeric", "nulls": "quarantine", "imputeValue": None},
    ],
    "featureColumns": ["age", "city=Berlin", "city=Paris", "city=missing", "income"],
}


def write_train(root: Path, rows: List[List[float]], feature_columns: Optional[List[str]] = None,
                encoding: Dict[str, Any] = ENCODING) -> Path:
    train = root / "train"
    train.mkdir(parents=True, exist_ok=True)
    columns = feature_columns or list(encoding["featureColumns"])
    pd.DataFrame(rows).to_csv(train / "train.csv", header=False, index=False)
    schema = {"problem_type": "regression", "label_column": "target", "feature_columns": columns,
              "encoding": encoding}
    (train / "schema.json").write_text(json.dumps(schema))
    return train


def build(train: Path) -> Dict[str, Dict[str, Any]]:
    result = baseline.build_baseline(str(train))
    return {"statistics": features_of(result.statistics), "constraints": features_of(result.constraints)}


def test_decoding_by_hand(tmp_path: Path) -> None:
    rows = [
        [1.0, 30.0, 1, 0, 0, 50.5],
        [2.0, 40.0, 0, 1, 0, 60.0],
        [3.0, 40.0, 0, 0, 1, 70.25],
        [4.0, 55.0, 0, 1, 0, 80.0],
    ]
    documents = build(write_train(tmp_path, rows))
    statistics, constraints = documents["statistics"], documents["constraints"]

    assert list(statistics) == ["_c0", "_c1", "_c2"]
    city = statistics["_c1"]["string_statistics"]
    assert city["distribution"]["categorical"]["buckets"] == [
        {"value": "Paris", "count": 2.0}, {"value": "Berlin", "count": 1.0}, {"value": "missing", "count": 1.0},
    ]
    assert statistics["_c0"]["inferred_type"] == "Integral" and statistics["_c2"]["inferred_type"] == "Fractional"
    assert statistics["_c2"]["numerical_statistics"]["sum"] == 260.75
    # Two of four ages equal the imputation value and one city is 'missing': either may have been a gap.
    assert constraints["_c0"]["completeness"] < 0.5 and constraints["_c1"]["completeness"] < 0.75
    # income's null policy is 'quarantine': it had no gaps.
    assert constraints["_c2"]["completeness"] == 1.0
    assert constraints["_c1"]["string_constraints"]["domains"] == ["Berlin", "Paris", "missing"]


def test_a_one_hot_group_without_a_one_is_missing(tmp_path: Path) -> None:
    documents = build(write_train(tmp_path, [[1.0, 30.0, 0, 0, 0, 50.0], [2.0, 31.0, 1, 0, 0, 51.0]]))

    assert documents["statistics"]["_c1"]["string_statistics"]["common"] == {"num_present": 1, "num_missing": 1}


def test_a_raw_column_whose_features_preprocess_left_out_is_unknown(tmp_path: Path) -> None:
    features = ["age", "city=Berlin", "city=Paris", "income"]  # --feature-columns without city=missing
    documents = build(write_train(tmp_path, [[1.0, 30.0, 1, 0, 50.0], [2.0, 31.0, 0, 0, 51.0]], features))

    assert documents["statistics"]["_c1"] == {"name": "_c1", "inferred_type": "Unknown"}
    assert documents["constraints"]["_c1"] == {"name": "_c1", "inferred_type": "Unknown"}
    assert documents["statistics"]["_c2"]["inferred_type"] == "Integral"


def test_without_an_encoding_the_encoded_features_are_described(tmp_path: Path) -> None:
    data = ml_module("sample_data").generate(400, 5, "regression")
    data.loc[data.index[:40], "income_k"] = np.nan  # preprocess keeps gaps when there is no ETL encoding
    (tmp_path / "input").mkdir()
    data.to_csv(tmp_path / "input" / "data.csv", index=False)
    train = kit.preprocess(tmp_path / "input", tmp_path)

    documents = kit.run_baseline(train, tmp_path / "baseline")

    kit.check_statistics_format(documents["statistics"])
    kit.check_constraints_format(documents["constraints"])
    names = ml_module("sample_data").FEATURE_COLUMNS
    assert [c["source"] for c in documents["columns"]["columns"]] == list(names)
    assert [f["name"] for f in documents["statistics"]["features"]] == [f"_c{i}" for i in range(len(names))]
    income = features_of(documents["statistics"])["_c1"]["numerical_statistics"]["common"]
    rows = documents["statistics"]["dataset"]["item_count"]
    assert income["num_missing"] > 0 and income["num_present"] + income["num_missing"] == rows
    completeness = features_of(documents["constraints"])["_c1"]["completeness"]
    assert completeness < income["num_present"] / rows
    assert features_of(documents["constraints"])["_c0"]["completeness"] == 1.0


# --- errors ----------------------------------------------------------------------------------------------------------


def error_of(capsys: pytest.CaptureFixture[str], train: Path, output: Path) -> str:
    assert baseline.main(["--train-dir", str(train), "--output-dir", str(output)]) == 1
    return capsys.readouterr().err


def test_a_missing_train_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = error_of(capsys, tmp_path / "nope", tmp_path / "out")
    assert "train directory" in message and "nope" in message and "--train-dir" in message


def test_a_train_dir_without_schema_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "train").mkdir()
    (tmp_path / "train" / "train.csv").write_text("1,2\n")
    message = error_of(capsys, tmp_path / "train", tmp_path / "out")
    assert "no schema.json" in message and "train.csv" in message


def test_train_csv_and_schema_of_different_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = write_train(tmp_path, [[1.0, 30.0, 1, 0, 0]])
    message = error_of(capsys, train, tmp_path / "out")
    assert "has 5 columns but schema.json lists 5 features (+ the label first = 6)" in message


def test_a_one_hot_group_with_two_ones_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = write_train(tmp_path, [[1.0, 30.0, 1, 0, 0, 5.0], [2.0, 31.0, 1, 1, 0, 6.0]])
    message = error_of(capsys, train, tmp_path / "out")
    assert "line 2" in message and "'city'" in message and "city=Berlin=1, city=Paris=1" in message


def test_an_encoding_that_does_not_add_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    encoding = json.loads(json.dumps(ENCODING))
    encoding["featureColumns"] = ["age", "city=Berlin", "income"]
    train = write_train(tmp_path, [[1.0, 30.0, 1, 5.0]], ["age", "city=Berlin", "income"], encoding)
    message = error_of(capsys, train, tmp_path / "out")
    assert "featureColumns that do not follow from its columns and categories" in message


def test_text_in_train_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train = write_train(tmp_path, [[1.0, 30.0, 1, 0, 0, 5.0]])
    (train / "train.csv").write_text("1.0,30.0,1,0,0,5.0\n2.0,abc,0,1,0,6.0\n")
    message = error_of(capsys, train, tmp_path / "out")
    assert "line 2, feature column 1: 'abc' is not a number" in message


def test_values_are_typed_by_value_and_bucketed_as_text() -> None:
    assert [baseline_statistics.cell_kind(v) for v in ("37", "37.0", "-1.5e3", " 3", "abc", "nan", None, 4.0, 4.5)] == \
        ["Integral", "Integral", "Integral", "String", "String", "String", None, "Integral", "Fractional"]
    assert [baseline_statistics.cell_text(v) for v in (49.0, 0.5, "north")] == ["49", "0.5", "north"]
