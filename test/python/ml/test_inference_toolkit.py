"""inference.py's hooks under the serving stack of SageMaker's XGBoost container.

There the model server (multi-model-server) hands each request to the SageMaker inference toolkit's handler service,
whose Transformer imports the program named by SAGEMAKER_PROGRAM from <model dir>/code, calls
input_fn -> predict_fn -> output_fn and turns exceptions into the HTTP status: a BaseInferenceToolkitError's own
status, anything else 500. These tests run that real toolkit with the real model server request context on a model
artifact written by train.py (whose code/inference.py is the file SageMaker serves).
"""

from __future__ import annotations

import importlib
import json
import sys
from http import HTTPStatus
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

import pandas as pd
import pytest
import xgboost as xgb

from testkit import ML_DIR, TrainedModel, load_script, ml_module

inference = ml_module("inference")

INSTALL_HINT = (
    "the SageMaker inference toolkit and model server are not installed in this Python: run "
    "`bash scripts/ensure-venv.sh` (they are in requirements-dev.txt) or `pip install sagemaker-inference "
    "multi-model-server`"
)


def toolkit_module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as error:
        pytest.fail(f"{INSTALL_HINT} ({error})", pytrace=False)


class Endpoint:
    """The toolkit's handler service with the model loaded, as a model server worker holds it."""

    def __init__(self, model_dir: Path) -> None:
        handler_service = toolkit_module("sagemaker_inference.default_handler_service")
        transformer = toolkit_module("sagemaker_inference.transformer")
        self._context_module = toolkit_module("mms.context")
        self.model_dir = model_dir
        self.service = handler_service.DefaultHandlerService(transformer=transformer.Transformer())
        # The model server initialises the service once per worker, then calls handle() per request.
        self.service.initialize(self._context(headers={}))

    def _context(self, headers: dict[str, str]) -> Any:
        context = self._context_module.Context("model", str(self.model_dir), {}, 1, None, "1.1.2")
        context.request_processor = [self._context_module.RequestProcessor(headers)]
        return context

    def invoke(self, body: bytes, content_type: str, accept: str | None = None) -> tuple[int, str, str, str]:
        """(status code, reason phrase, response content type, response body) of one request."""
        headers = {"Content-Type": content_type}
        if accept is not None:
            headers["Accept"] = accept
        context = self._context(headers)
        # The model server passes the request body as a bytearray.
        response = self.service.handle([{"body": bytearray(body)}], context)
        code, phrase = context.get_response_status(0)
        content = response[0]
        text = content.decode("utf-8") if isinstance(content, (bytes, bytearray)) else str(content)
        return code, phrase or "", context.get_response_content_type(0) or "", text


@pytest.fixture(scope="module")
def endpoint(trained: Callable[[str], TrainedModel]) -> Iterator[Endpoint]:
    model = trained("regression")
    code_dir = model.model_dir / "code"
    assert (code_dir / "inference.py").read_bytes() == (ML_DIR / "inference.py").read_bytes()
    # What SageMaker sets on the container: the program in <model dir>/code, and the platform's default accept.
    patch = pytest.MonkeyPatch()
    patch.setenv("SAGEMAKER_PROGRAM", "inference.py")
    patch.setenv("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT", "text/csv")
    patch.syspath_prepend(str(code_dir))
    patch.delitem(sys.modules, "inference", raising=False)
    try:
        yield Endpoint(model.model_dir)
    finally:
        sys.modules.pop("inference", None)
        patch.undo()


@pytest.fixture(scope="module")
def rows(trained: Callable[[str], TrainedModel]) -> pd.DataFrame:
    return pd.read_csv(trained("regression").test_dir / "test.csv").drop(columns=["target"]).head(4)


def booster_predictions(model_dir: Path, rows: pd.DataFrame) -> list[float]:
    booster = xgb.Booster()
    booster.load_model(str(model_dir / "xgboost-model"))
    return booster.predict(xgb.DMatrix(rows.to_numpy(dtype=float))).tolist()


def test_payload_error_is_a_toolkit_error_with_status_message_and_phrase() -> None:
    errors = toolkit_module("sagemaker_inference.errors")
    error = inference.PayloadError("unsupported content type 'x'", 415)
    assert isinstance(error, errors.BaseInferenceToolkitError)
    assert isinstance(error, ValueError)
    assert error.status_code == 415 and error.phrase == "Unsupported Media Type"
    assert error.message == str(error) == "unsupported content type 'x'"
    assert inference.PayloadError("bad").status_code == 400 and inference.PayloadError("bad").phrase == "Bad Request"


def test_inference_works_without_the_toolkit(
    trained: Callable[[str], TrainedModel], rows: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A None entry in sys.modules makes `import sagemaker_inference...` raise ImportError, as where it is not installed.
    monkeypatch.setitem(sys.modules, "sagemaker_inference", None)
    monkeypatch.setitem(sys.modules, "sagemaker_inference.errors", None)
    # The payload module (PayloadError's bases) is imported afresh, without the toolkit; the loaded one comes back after.
    monkeypatch.delitem(sys.modules, "inference_payload", raising=False)
    plain = load_script(ML_DIR / "inference.py", "ml_inference_without_toolkit")
    try:
        errors = [base.__module__ for base in plain.PayloadError.__mro__]
        assert not any(module.startswith("sagemaker_inference") for module in errors)
        error = plain.PayloadError("bad", 406)
        assert isinstance(error, ValueError) and error.status_code == 406 and str(error) == "bad"

        model = plain.model_fn(str(trained("regression").model_dir))
        records = plain.input_fn(rows.to_csv(header=False, index=False), "text/csv")
        output = plain.output_fn(plain.predict_fn(records, model), "*/*")
        expected = booster_predictions(trained("regression").model_dir, rows)
        assert [float(line) for line in output.splitlines()] == pytest.approx(expected, rel=1e-6)
        with pytest.raises(plain.PayloadError, match="CSV line 1, column 1: 'x' is not a number"):
            # Cells become numbers in predict_fn, which knows whether the model reads raw rows.
            plain.predict_fn(plain.input_fn("x,1", "text/csv"), model)
    finally:
        sys.modules.pop("ml_inference_without_toolkit", None)


@pytest.mark.parametrize("accept", ["text/csv", "*/*", None])
def test_csv_request_through_the_toolkit(endpoint: Endpoint, rows: pd.DataFrame, accept: str | None) -> None:
    # No Accept header and */* both become SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT (text/csv) before output_fn.
    code, _, content_type, body = endpoint.invoke(
        rows.to_csv(header=False, index=False).encode("utf-8"), "text/csv", accept
    )
    assert (code, content_type) == (200, "text/csv")
    expected = booster_predictions(endpoint.model_dir, rows)
    assert [float(line) for line in body.splitlines()] == pytest.approx(expected, rel=1e-6)


def test_json_request_with_a_charset_through_the_toolkit(endpoint: Endpoint, rows: pd.DataFrame) -> None:
    # With a charset the toolkit does not decode the body: input_fn gets the bytes.
    body = ('{"instances": %s}' % rows.to_json(orient="records")).encode("utf-8")
    code, _, content_type, text = endpoint.invoke(body, "application/json; charset=utf-8", "application/json")
    assert (code, content_type) == (200, "application/json")
    assert json.loads(text)["predictions"] == pytest.approx(booster_predictions(endpoint.model_dir, rows), rel=1e-6)


@pytest.mark.parametrize(
    ("body", "content_type", "accept", "status", "message"),
    [
        (b"34,127.8,abc,7,11.55,0,29.7,3", "text/csv", "text/csv", 400, "CSV line 1, column 3: 'abc' is not a number"),
        (b"1,2,3", "text/csv", None, 400, "expected 8 feature values per row"),
        (b'{"instances": [[1, 2', "application/json", "application/json", 400, "the request body is not valid JSON"),
        (b"\xff\xfe1,2", "text/csv; charset=latin-1", "text/csv", 400, "the request body is not UTF-8 text"),
        (b"1,2", "application/x-parquet", "text/csv", 415, "unsupported content type 'application/x-parquet'"),
        (b"1,2,3,4,5,6,7,8", "text/csv", "application/x-recordio-protobuf", 406, "unsupported accept type"),
    ],
)
def test_malformed_requests_get_their_4xx_status_not_500(
    endpoint: Endpoint, body: bytes, content_type: str, accept: str | None, status: int, message: str
) -> None:
    code, phrase, _, text = endpoint.invoke(body, content_type, accept)
    assert code == status, text
    assert phrase == HTTPStatus(status).phrase
    # The toolkit answers with the message, then the traceback.
    assert text.startswith(message)

