from __future__ import annotations

import json
import math
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb

from testkit import TrainedModel, ml_module, run_training

inference = ml_module("inference")
sample_data = ml_module("sample_data")
FEATURES = list(sample_data.FEATURE_COLUMNS)
JSON_TYPE = "application/json"


@pytest.fixture(scope="module")
def regression(trained: Callable[[str], TrainedModel]) -> tuple[Any, pd.DataFrame]:
    model = trained("regression")
    rows = pd.read_csv(model.test_dir / "test.csv").drop(columns=["target"]).head(5)
    return inference.model_fn(str(model.model_dir)), rows


def expected_predictions(model_dir: Path, rows: pd.DataFrame) -> np.ndarray:
    booster = xgb.Booster()
    booster.load_model(str(model_dir / "xgboost-model"))
    return booster.predict(xgb.DMatrix(rows.to_numpy(dtype=float)))


def invoke(model: Any, body: str | bytes, content_type: str, accept: str) -> str:
    return inference.output_fn(inference.predict_fn(inference.input_fn(body, content_type), model), accept)


def test_csv_round_trip(regression: tuple[Any, pd.DataFrame], trained: Callable[[str], TrainedModel]) -> None:
    model, rows = regression
    body = rows.to_csv(header=False, index=False)

    output = invoke(model, body.encode("utf-8"), "text/csv; charset=utf-8", "text/csv")

    predictions = [float(line) for line in output.splitlines()]
    expected = expected_predictions(trained("regression").model_dir, rows)
    assert predictions == pytest.approx(expected.tolist(), rel=1e-6)


def test_json_round_trip_with_rows_as_lists_and_as_objects(regression: tuple[Any, pd.DataFrame]) -> None:
    model, rows = regression
    as_lists = json.dumps({"instances": rows.to_numpy().tolist()})
    # Objects in another key order, with an extra key that the model does not use.
    as_objects = json.dumps({"instances": [{"id": i, **dict(reversed(list(row.items())))}
                                           for i, row in enumerate(rows.to_dict(orient="records"))]})

    from_lists = json.loads(invoke(model, as_lists, "application/json", "application/json"))
    from_objects = json.loads(invoke(model, as_objects, "application/json", "application/json"))
    bare_list = json.dumps(rows.to_numpy().tolist())
    from_bare_list = json.loads(invoke(model, bare_list, "application/json", "application/json"))

    assert len(from_lists["predictions"]) == len(rows)
    assert from_objects == from_lists == from_bare_list
    csv_output = invoke(model, rows.to_csv(header=False, index=False), "text/csv", "application/json")
    assert json.loads(csv_output) == from_lists


def test_binary_classification_predicts_probabilities(trained: Callable[[str], TrainedModel]) -> None:
    model_files = trained("binary_classification")
    model = inference.model_fn(str(model_files.model_dir))
    test = pd.read_csv(model_files.test_dir / "test.csv")
    body = test.drop(columns=["target"]).to_csv(header=False, index=False)

    probabilities = np.array([float(v) for v in invoke(model, body, "text/csv", "text/csv").splitlines()])

    assert len(probabilities) == len(test)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert probabilities.min() < 0.2 and probabilities.max() > 0.8
    assert probabilities[test["target"] == 1].mean() > probabilities[test["target"] == 0].mean() + 0.3


def test_missing_csv_values_are_predicted_as_missing(regression: tuple[Any, pd.DataFrame]) -> None:
    model, _ = regression
    output = invoke(model, "34,,59,7,11.55,0,29.7,3\n", "text/csv", "text/csv")
    assert len(output.splitlines()) == 1 and np.isfinite(float(output))


def test_accept_anything_answers_in_csv(regression: tuple[Any, pd.DataFrame]) -> None:
    assert inference.output_fn(np.array([1.5, 2.0]), "*/*") == "1.5\n2.0"
    assert inference.output_fn(np.array([1.5]), None) == "1.5"
    assert json.loads(inference.output_fn(np.array([1.5]), "text/html, application/json")) == {"predictions": [1.5]}


# --- malformed payloads ------------------------------------------------------------------------------------------


def payload_error(model: Any, body: str | bytes, content_type: str = "text/csv", accept: str = "text/csv") -> Any:
    with pytest.raises(inference.PayloadError) as error_info:
        invoke(model, body, content_type, accept)
    return error_info.value


def test_payload_error_is_a_value_error_with_a_status() -> None:
    error = inference.PayloadError("bad", 415)
    assert isinstance(error, ValueError)
    assert error.status_code == 415 and str(error) == "bad"


def test_wrong_feature_count_names_expected_and_received(regression: tuple[Any, pd.DataFrame]) -> None:
    model, _ = regression
    error = payload_error(model, "1,2,3,4,5,6,7\n")
    assert error.status_code == 400
    assert "expected 8 feature values per row (age, income_k," in str(error)
    assert "but got 7" in str(error)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("34,127.8,abc,7,11.55,0,29.7,3", "text/csv", "CSV line 1, column 3: 'abc' is not a number"),
        ("1,2,3,4,5,6,7,8\n1,2,3", "text/csv", "CSV line 2 has 3 values but line 1 has 8"),
        ("1,2,3,4,inf,6,7,8", "text/csv", "CSV line 1, column 5: 'inf' is infinite"),
        ("", "text/csv", "the request body is empty"),
        ("\n  \n", "text/csv", "the request body is empty"),
        ("", "application/json", "the request body is empty"),
        ('{"instances": [[1, 2', "application/json", "the request body is not valid JSON"),
        ('{"rows": [[1]]}', "application/json", 'the JSON object has no "instances" key (keys: rows)'),
        ('{"instances": []}', "application/json", '"instances" is empty'),
        ('{"instances": [[1, "x", 3]]}', "application/json", "instance 0, value 1: 'x' is not a number"),
        ('{"instances": [[1, true]]}', "application/json", "instance 0, value 1: True is not a number"),
        ('{"instances": [[1, 2], 3]}', "application/json", "instance 1 is int 3: each instance must be a list"),
    ],
)
def test_malformed_payloads_are_bad_requests(
    regression: tuple[Any, pd.DataFrame], body: str, content_type: str, message: str
) -> None:
    model, _ = regression
    error = payload_error(model, body, content_type)
    assert error.status_code == 400
    assert message in str(error)


def test_objects_missing_features_are_named(regression: tuple[Any, pd.DataFrame]) -> None:
    model, rows = regression
    record = rows.iloc[0].to_dict()
    del record["tenure_months"], record["age"]
    error = payload_error(model, json.dumps({"instances": [record]}), "application/json")
    assert error.status_code == 400
    assert "instance 0 lacks feature(s) age, tenure_months" in str(error)


def test_objects_need_the_schema(trained: Callable[[str], TrainedModel], tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    shutil.copy(trained("regression").model_dir / "xgboost-model", model_dir)
    model = inference.model_fn(str(model_dir))
    error = payload_error(model, json.dumps({"instances": [{"age": 1}]}), "application/json")
    assert "need the model's schema.json" in str(error)
    # Lists still work without a schema.
    assert len(invoke(model, "1,2,3,4,5,6,7,8", "text/csv", "text/csv").splitlines()) == 1


def test_unsupported_content_type_is_415(regression: tuple[Any, pd.DataFrame]) -> None:
    model, _ = regression
    error = payload_error(model, "1,2", "application/x-parquet")
    assert error.status_code == 415
    assert "unsupported content type 'application/x-parquet': send text/csv or application/json" in str(error)


def test_unsupported_accept_is_406(regression: tuple[Any, pd.DataFrame]) -> None:
    model, _ = regression
    error = payload_error(model, "1,2,3,4,5,6,7,8", "text/csv", "application/x-recordio-protobuf")
    assert error.status_code == 406
    assert "unsupported accept type 'application/x-recordio-protobuf'" in str(error)


def test_body_that_is_not_utf8(regression: tuple[Any, pd.DataFrame]) -> None:
    model, _ = regression
    error = payload_error(model, b"\xff\xfe1,2")
    assert error.status_code == 400 and "not UTF-8" in str(error)


def test_model_fn_names_a_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no 'xgboost-model' in model directory .* \(it is empty\)"):
        inference.model_fn(str(tmp_path))


# --- raw rows: models trained on ETL-curated data ----------------------------------------------------------------

ENCODING = {
    "schemaVersion": 1,
    "label": "target",
    "problemType": "regression",
    "sourceColumns": ["id", "age", "city", "plan", "income", "target"],
    "dropColumns": ["id"],
    "columns": [
        {"name": "target", "role": "label", "type": "numeric", "nulls": "quarantine", "imputeValue": None},
        {"name": "age", "role": "feature", "type": "numeric", "nulls": "impute-median", "imputeValue": 41.5},
        {"name": "city", "role": "feature", "type": "categorical", "nulls": {"impute": "missing"},
         "imputeValue": "missing", "categories": ["Berlin", "Paris", "Rome", "missing"]},
        {"name": "plan", "role": "feature", "type": "categorical", "nulls": "quarantine", "imputeValue": None,
         "categories": ["basic", "pro"]},
        {"name": "income", "role": "feature", "type": "numeric", "nulls": "quarantine", "imputeValue": None},
    ],
    "featureColumns": ["age", "city=Berlin", "city=Paris", "city=Rome", "city=missing", "plan=basic", "plan=pro",
                       "income"],
}
CITY_EFFECT = {"Berlin": 1.0, "Paris": 2.0, "Rome": 3.0, "missing": 0.0}


def hand_encode(age: float, city: str, plan: str, income: float) -> list[float]:
    """The ETL encoding written out by hand for already-clean values."""
    return [age, *[float(city == c) for c in ("Berlin", "Paris", "Rome", "missing")],
            float(plan == "basic"), float(plan == "pro"), income]


@pytest.fixture(scope="module")
def etl_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """A model trained, through preprocess.py and train.py, on a curated prefix the ETL job would write."""
    root = tmp_path_factory.mktemp("etl-model")
    rng = np.random.default_rng(5)
    rows = []
    for _ in range(400):
        age, city = float(rng.integers(20, 70)), str(rng.choice(list(CITY_EFFECT)))
        plan, income = str(rng.choice(["basic", "pro"])), float(rng.integers(20, 90) * 1000)
        target = 0.1 * age + 3 * CITY_EFFECT[city] + (4.0 if plan == "pro" else 0.0) + income / 10000
        rows.append([target + float(rng.normal(0, 0.1)), *hand_encode(age, city, plan, income)])
    (root / "curated" / "data").mkdir(parents=True)
    pd.DataFrame(rows, columns=["target", *ENCODING["featureColumns"]]).to_csv(
        root / "curated" / "data" / "part-00000-x-c000.csv", index=False)
    (root / "curated" / "schema.json").write_text(json.dumps(ENCODING))
    preprocess = ml_module("preprocess")
    assert preprocess.main([
        "--problem-type", "regression", "--label-column", "target", "--input-dir", str(root / "curated"),
        "--train-dir", str(root / "train"), "--validation-dir", str(root / "validation"),
        "--test-dir", str(root / "test"),
    ]) == 0
    completed = run_training(root / "train", root / "validation", root / "model", root / "output",
                             "--num_round", "80", "--max_depth", "4", "--eta", "0.3")
    assert completed.returncode == 0, completed.stderr
    return inference.model_fn(str(root / "model")), root / "model"


def predictions_of(model_dir: Path, encoded: list[list[float]]) -> list[float]:
    return expected_predictions(model_dir, pd.DataFrame(encoded)).tolist()


def test_raw_csv_rows_are_encoded_as_the_etl_job_did(etl_model: tuple[Any, Path]) -> None:
    model, model_dir = etl_model
    body = '34,Paris,pro,52000\n 61 ,"Rome\t",basic,71000\n,,pro,40000\n'
    expected = predictions_of(model_dir, [
        hand_encode(34, "Paris", "pro", 52000),
        hand_encode(61, "Rome", "basic", 71000),
        hand_encode(41.5, "missing", "pro", 40000),  # imputed age and city
    ])

    output = [float(v) for v in invoke(model, body, "text/csv", "text/csv").splitlines()]
    full_row = "7,34,Paris,pro,52000\n"  # the upload's row without the label, id included
    full = [float(v) for v in invoke(model, full_row, "text/csv", "text/csv").splitlines()]

    assert output == pytest.approx(expected, rel=1e-6)
    assert full == pytest.approx(expected[:1], rel=1e-6)


def test_raw_json_objects_and_lists(etl_model: tuple[Any, Path]) -> None:
    model, model_dir = etl_model
    objects = {"instances": [{"id": 1, "income": 52000, "plan": "pro", "city": "Paris", "age": 34},
                             {"age": "61", "city": "Rome", "plan": "basic", "income": "71000"}]}
    lists = {"instances": [[34, "Paris", "pro", 52000], ["61", "Rome", "basic", "71000"]]}
    expected = predictions_of(
        model_dir, [hand_encode(34, "Paris", "pro", 52000), hand_encode(61, "Rome", "basic", 71000)]
    )

    for document in (objects, lists):
        output = json.loads(invoke(model, json.dumps(document), "application/json", "application/json"))
        assert output["predictions"] == pytest.approx(expected, rel=1e-6)


def test_encoded_rows_still_work(etl_model: tuple[Any, Path]) -> None:
    model, model_dir = etl_model
    encoded = [hand_encode(34, "Paris", "pro", 52000)]
    body = ",".join(repr(v) for v in encoded[0])

    assert float(invoke(model, body, "text/csv", "text/csv")) == pytest.approx(predictions_of(model_dir, encoded)[0])
    as_objects = json.dumps({"instances": [dict(zip(ENCODING["featureColumns"], encoded[0]))]})
    assert json.loads(invoke(model, as_objects, "application/json", "text/csv")) == pytest.approx(
        predictions_of(model_dir, encoded)[0])


def test_unknown_categories_and_unimputed_gaps_encode_as_zeros_and_missing(etl_model: tuple[Any, Path]) -> None:
    model, model_dir = etl_model
    # Madrid is no category: all city features 0 (training would have set the row aside). plan and income have the
    # 'quarantine' null policy: an empty plan is all zeros, an empty income is missing (NaN).
    output = [float(v) for v in invoke(model, "34,Madrid,pro,52000\n34,Paris,,\n", "text/csv", "text/csv").splitlines()]

    expected = predictions_of(model_dir, [[34, 0, 0, 0, 0, 0, 1, 52000], [34, 0, 1, 0, 0, 0, 0, math.nan]])
    assert output == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("abc,Paris,pro,1\n", "text/csv", "CSV line 1, column 1: 'abc' is not a number: column 'age' is numeric"),
        ("1e400,Paris,pro,1\n", "text/csv", "CSV line 1, column 1: '1e400' is not a finite number"),
        ("NaN,Paris,pro,1\n", "text/csv", "'NaN' is not a number: column 'age' is numeric"),
        ("1,Paris,pro\n", "text/csv",
         "expected 8 feature values per row (age, city=Berlin, city=Paris, city=Rome, city=missing, plan=basic, "
         "plan=pro, income), or 4 or 5 raw values (age, city, plan, income) but got 3"),
        ('{"instances": [{"age": 1, "city": "Paris"}]}', "application/json",
         "instance 0 lacks raw column(s) plan, income; raw rows need age, city, plan, income (empty or null"),
        ('{"instances": [{"age": 1, "city=Paris": 1}]}', "application/json",
         "instance 0 lacks feature(s) city=Berlin, city=Rome, city=missing, plan=basic, plan=pro, income; the model "
         "needs age, city=Berlin"),
        ('{"instances": [[1, ["Paris"], "pro", 1]]}', "application/json",
         'instance 0, value 1: ["Paris"] is not a value: send text or numbers'),
    ],
)
def test_bad_raw_rows_are_bad_requests(etl_model: tuple[Any, Path], body: str, content_type: str, message: str) -> None:
    model, _ = etl_model
    error = payload_error(model, body, content_type)
    assert error.status_code == 400
    assert message in str(error)


def test_an_encoding_that_does_not_match_the_model_is_refused(etl_model: tuple[Any, Path], tmp_path: Path) -> None:
    _, model_dir = etl_model
    shutil.copytree(model_dir, tmp_path / "model")
    schema = json.loads((tmp_path / "model" / "schema.json").read_text())
    schema["encoding"]["columns"][2]["categories"] = ["Berlin", "Paris"]
    (tmp_path / "model" / "schema.json").write_text(json.dumps(schema))

    with pytest.raises(ValueError, match="the ETL encoding lists featureColumns that do not follow from its columns"):
        inference.model_fn(str(tmp_path / "model"))


# --- the fast path: all-numeric requests parse at C speed, exactly as the careful parser reads them ---------------


def matrix_or_message(body: str, content_type: str, width: int, careful: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The feature matrix predict_fn would use for a model of ``width`` features, or the error with its message."""
    model = SimpleNamespace(encoder=None, num_features=width, feature_columns=None)
    with monkeypatch.context() as patch:
        if careful:
            patch.setattr(inference.payload, "_csv_numbers", lambda text: None)
            patch.setattr(inference.payload, "_json_numbers", lambda text, document, instances: None)
        try:
            records = inference.input_fn(body, content_type)
            if records.objects is not None:
                return "objects"
            return inference._matrix_from_rows(records, model)
        except inference.PayloadError as error:
            return f"{error.status_code} {error}"
        except (ValueError, OverflowError) as error:  # not a bad request: a 500 in the container, on both paths
            return f"{type(error).__name__}: {error}"


def same_outcome(fast: Any, careful: Any) -> bool:
    if isinstance(fast, str) or isinstance(careful, str):
        return fast == careful
    return fast.shape == careful.shape and bool(np.array_equal(fast, careful, equal_nan=True))


NUMBER_PIECES = ["1", "23", "4.5", ".5", "6.", "-7", "+8", "1e3", "2E-2", "007", "0.1000000000000000055511", ""]
ODD_PIECES = ["1e400", "-1e400", "nan", "inf", " ", "\t", "e", ".", "-", "+", "1.2.3", "0x1", "1_0", "x", "12abc", "1e",
              "--1", "1 2", "9" * 25]


def random_cell(rng: np.random.Generator) -> str:
    pieces = NUMBER_PIECES if rng.random() < 0.85 else NUMBER_PIECES + ODD_PIECES
    cell = "".join(str(rng.choice(pieces)) for _ in range(int(rng.integers(1, 3))))
    if rng.random() < 0.15:
        cell = f'"{cell}"'
    if rng.random() < 0.05:
        cell = f" {cell}"
    return cell


def random_csv(rng: np.random.Generator) -> str:
    width = int(rng.integers(1, 5))
    lines = []
    for _ in range(int(rng.integers(1, 5))):
        cells = width + (int(rng.integers(-1, 2)) if rng.random() < 0.1 else 0)
        lines.append(",".join(random_cell(rng) for _ in range(max(cells, 1))))
        if rng.random() < 0.05:
            lines.append(str(rng.choice(["", "  ", '"1,2"', '"1', "1,\"2\"x"])))
    newline = str(rng.choice(["\n", "\n", "\r\n", "\r", "\x0c"]))
    return newline.join(lines) + str(rng.choice(["", "\n", "\n\n", newline]))


def test_fast_csv_path_reads_exactly_as_the_careful_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(20261202)
    fast_path = 0
    for _ in range(4000):
        body = random_csv(rng)
        width = len(body.splitlines()[0].split(",")) if body.strip() else 1
        fast = matrix_or_message(body, "text/csv", width, False, monkeypatch)
        careful = matrix_or_message(body, "text/csv", width, True, monkeypatch)
        assert same_outcome(fast, careful), f"{body!r}: fast {fast!r} careful {careful!r}"
        fast_path += inference.payload._csv_numbers(body) is not None
    assert fast_path > 500  # the generator makes valid requests too, not only bad ones


def random_json_value(rng: np.random.Generator) -> Any:
    return rng.choice(np.array([1, -2.5, 0.1, 10 ** 30, 10 ** 400, None, True, False, "3", " 4 ", "x", "", [1], {},
                                float("nan"), float("inf"), 1e308], dtype=object))


def test_fast_json_path_reads_exactly_as_the_careful_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    fast_path = 0
    for _ in range(3000):
        width = int(rng.integers(1, 4))
        rows = [[random_json_value(rng) if rng.random() < 0.3 else float(rng.normal()) for _ in range(width)]
                for _ in range(int(rng.integers(1, 4)))]
        if rng.random() < 0.1:
            rows.append([1.0] * (width + 1))
        document = rows if rng.random() < 0.3 else {"instances": rows}
        body = json.dumps(document)
        fast = matrix_or_message(body, "application/json", width, False, monkeypatch)
        careful = matrix_or_message(body, "application/json", width, True, monkeypatch)
        assert same_outcome(fast, careful), f"{body!r}: fast {fast!r} careful {careful!r}"
        fast_path += inference.payload._json_numbers(body, document, rows) is not None
    assert fast_path > 300


def test_all_numeric_requests_take_the_fast_path(regression: tuple[Any, pd.DataFrame]) -> None:
    model, rows = regression
    plain = rows.to_csv(header=False, index=False)
    quoted = "\n".join(",".join(f'"{v}"' for v in row) for row in rows.astype(str).to_numpy().tolist())
    gaps = "34,,59,7,11.55,0,29.7,3\r\n1, 2,3,4,5,6,7,nan\n"
    lists = json.dumps({"instances": rows.to_numpy().tolist()})

    for body, content_type in ((plain, "text/csv"), (quoted, "text/csv"), (gaps, "text/csv"), (lists, JSON_TYPE)):
        records = inference.input_fn(body, content_type)
        assert records.numbers is not None and records.rows is None, body

    # Quoted numeric fields ("1","2"), which are valid CSV, give the same predictions as plain ones.
    assert invoke(model, quoted, "text/csv", "text/csv") == invoke(model, plain, "text/csv", "text/csv")
    # The cells are parsed when needed: to name a bad one, or when the model reads raw rows.
    assert inference.input_fn(plain, "text/csv").with_cells().rows[0][0] == plain.split(",")[0]


def test_a_quoted_cell_holding_a_comma_is_still_a_bad_request(regression: tuple[Any, pd.DataFrame]) -> None:
    model, _ = regression
    error = payload_error(model, '"34,5",127.8,1,7,11.55,0,29.7,3\n')
    assert "CSV line 1, column 1: '34,5' is not a number" in str(error)


@pytest.mark.parametrize(("environment", "threads"), [({}, "1"), ({"OMP_NUM_THREADS": "3"}, "0")])
def test_one_prediction_thread_unless_omp_num_threads_says_otherwise(
    trained: Callable[[str], TrainedModel], monkeypatch: pytest.MonkeyPatch, environment: dict, threads: str
) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    model = inference.model_fn(str(trained("regression").model_dir))
    config = json.loads(model.booster.save_config())
    assert config["learner"]["generic_param"]["nthread"] == threads


RAW_VALUES = {
    "age": ["34", " 61 ", "\t7", "", "1e3", "abc", "1e400", "NaN", "-2.5", ".5", 34, 61.5, None, True, float("nan")],
    "city": ["Berlin", "Paris", " Rome\t", "missing", "", "Madrid", "paris", 7, 1.5, None, False, ["Paris"]],
    "plan": ["basic", "pro", "", " pro ", "gold", None, 3],
    "income": ["52000", "", "71000.5", "x", 40000, None, 10 ** 400],
}


def random_raw_row(rng: np.random.Generator, as_text: bool) -> list:
    row = []
    for values in RAW_VALUES.values():
        choices = [v for v in values if isinstance(v, str)] if as_text else values
        row.append(choices[int(rng.integers(len(choices)))] if rng.random() < 0.3 else choices[int(rng.integers(3))])
    return row


def test_raw_rows_encode_column_by_column_exactly_as_row_by_row(
    etl_model: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    model, _ = etl_model

    def outcome(body: str, content_type: str, row_by_row: bool) -> Any:
        with monkeypatch.context() as patch:
            if row_by_row:
                patch.setattr(inference.Encoder, "encode_rows", lambda self, rows, positions=None: None)
            try:
                return inference.predict_fn(inference.input_fn(body, content_type), model)
            except (ValueError, OverflowError) as error:
                return f"{type(error).__name__}: {error}"

    encoded_at_once = []
    encode_rows = inference.Encoder.encode_rows

    def counted(self: Any, rows: Any, positions: Any = None) -> Any:
        matrix = encode_rows(self, rows, positions)
        encoded_at_once.append(matrix is not None)
        return matrix

    monkeypatch.setattr(inference.Encoder, "encode_rows", counted)
    rng = np.random.default_rng(11)
    for case in range(1500):
        form = case % 3
        rows = [random_raw_row(rng, form == 0) for _ in range(int(rng.integers(1, 4)))]
        if form == 0:  # CSV, sometimes the full upload row (id first)
            full = rng.random() < 0.3
            body = "\n".join(",".join((["9"] if full else []) + [json.dumps(v) if '"' in v or "," in v else v
                                                                  for v in row]) for row in rows)
            content_type = "text/csv"
        elif form == 1:  # JSON lists
            body, content_type = json.dumps({"instances": rows}), JSON_TYPE
        else:  # JSON objects keyed by column
            body = json.dumps({"instances": [dict(zip(RAW_VALUES, row)) for row in rows]})
            content_type = JSON_TYPE
        fast, careful = outcome(body, content_type, False), outcome(body, content_type, True)
        assert same_outcome(fast, careful), f"{body!r}: column-wise {fast!r} row by row {careful!r}"
    assert sum(encoded_at_once) > 300  # requests the column-wise encoder answered (the others: row by row)
