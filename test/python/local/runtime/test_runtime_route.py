"""serve.py's SageMaker Runtime route, keep-alive handling and data capture, on an in-process server.

A stand-in program answers like an inference program (a PayloadError's status for a bad request, a 500 for any other
failure), so these tests need no model; test_serve.py runs the real program in its own process.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import socketserver
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

from testkit import PYTHON, RUNTIME_DIR, load_script

sys.path.insert(0, str(RUNTIME_DIR))
import data_capture  # noqa: E402
import runtime_api  # noqa: E402
from program import Response  # noqa: E402

serve = load_script(RUNTIME_DIR / "serve.py", "local_serve")
IDENTITY = runtime_api.EndpointIdentity("churn-prod", "AllTraffic", "123456789012", "eu-west-1")


class BadRequest(ValueError):
    status_code = 400


class StandInProgram:
    """Sums each CSV line; "bad" is a 400, "crash" a 500 (as inference.py's PayloadError and any other error)."""

    def invoke(self, body: bytes, content_type: Optional[str], accept: Optional[str]) -> Response:
        text = body.decode("utf-8")
        if "crash" in text:
            raise RuntimeError("the model fell over")
        if "bad" in text:
            raise BadRequest(f"CSV line 1: {text!r} is not a number")
        sums = [str(sum(float(v) for v in line.split(","))) for line in text.splitlines()]
        return Response(body="\n".join(sums).encode(), content_type=accept or "text/csv")

    def payload_error_status(self, error: BaseException) -> Optional[int]:
        return error.status_code if isinstance(error, BadRequest) else None


class Server:
    def __init__(self, capture: Optional[data_capture.DataCaptureWriter] = None, max_body_bytes: int = 1000) -> None:
        self.server = serve.EndpointServer(("127.0.0.1", 0), StandInProgram(), max_body_bytes, IDENTITY, capture)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)

    def request(
        self, path: str, body: bytes = b"1,2", headers: Optional[dict] = None, connection: Any = None
    ) -> tuple[int, dict[str, str], bytes]:
        own = connection is None
        connection = connection or self.connection()
        try:
            connection.request("POST", path, body=body, headers={"Content-Type": "text/csv", **(headers or {})})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            if own:
                connection.close()

    def invoke_endpoint(self, name: str = "churn-prod", **kwargs: Any) -> tuple[int, dict[str, str], bytes]:
        return self.request(f"/endpoints/{name}/invocations", **kwargs)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def error_of(status: int, headers: dict[str, str], body: bytes) -> tuple[int, str, dict[str, Any]]:
    return status, headers["x-amzn-ErrorType"], json.loads(body)


def test_invoke_endpoint_answers_with_the_variant_and_a_request_id(server: Server) -> None:
    status, headers, body = server.invoke_endpoint(body=b"1,2\n3,4", headers={"Accept": "text/csv"})
    assert (status, body) == (200, b"3.0\n7.0")
    assert headers["Content-Type"] == "text/csv"
    assert headers["x-Amzn-Invoked-Production-Variant"] == "AllTraffic"
    assert len(headers["x-amzn-RequestId"]) == 36
    # The SDKs percent-encode the name in the path.
    assert server.invoke_endpoint(name="churn%2Dprod")[0] == 200


@pytest.mark.parametrize(
    ("name", "headers", "message"),
    [
        ("churn-staging", {}, "Endpoint churn-staging of account 123456789012 not found."),
        ("churn_prod", {}, "1 validation error detected: Value 'churn_prod' at 'endpointName' failed to satisfy "
                           "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*"),
        ("churn-prod", {"X-Amzn-SageMaker-Custom-Attributes": "x" * 1025},
         "1 validation error detected: Value at 'customAttributes' failed to satisfy constraint: Member must have "
         "length less than or equal to 1024"),
        ("churn-prod", {"X-Amzn-SageMaker-Target-Variant": "blue_1", "X-Amzn-SageMaker-Inference-Id": "i" * 65},
         "2 validation errors detected: Value 'blue_1' at 'targetVariant' failed to satisfy constraint: Member must "
         "satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*; Value '" + "i" * 65 + "' at "
         "'inferenceId' failed to satisfy constraint: Member must have length less than or equal to 64"),
        ("churn-prod", {"X-Amzn-SageMaker-Session-Id": "NEW_SESSION"},
         "Endpoint churn-prod has no stateful sessions: call InvokeEndpoint without SessionId."),
    ],
)
def test_validation_errors(server: Server, name: str, headers: dict, message: str) -> None:
    status, error_type, document = error_of(*server.invoke_endpoint(name=name, headers=headers))
    assert (status, error_type, document) == (400, "ValidationError", {"Message": message})


def test_model_errors_carry_the_containers_status_and_body(server: Server) -> None:
    status, error_type, document = error_of(*server.invoke_endpoint(body=b"bad"))
    assert (status, error_type) == (424, "ModelError")
    original = json.dumps({"error": "CSV line 1: 'bad' is not a number"})
    assert document == {
        "Message": f'Received client error (400) from primary with message "{original}". See the local endpoint\'s '
                   "log (the stderr of local/runtime/serve.py) for endpoint churn-prod in account 123456789012 for "
                   "more information.",
        "ErrorCode": "CLIENT_ERROR_FROM_MODEL",
        "OriginalStatusCode": 400,
        "OriginalMessage": original,
        "LogStreamArn": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/churn-prod",
    }
    status, _, document = error_of(*server.invoke_endpoint(body=b"crash"))
    assert status == 424 and document["OriginalStatusCode"] == 500
    assert document["Message"].startswith(
        'Received server error (500) from primary with message "{"error": "RuntimeError: the model fell over"}".')
    assert document["ErrorCode"] == "SERVER_ERROR_FROM_MODEL"


def test_a_body_over_the_limit_is_a_validation_error_on_the_runtime_route(server: Server) -> None:
    status, error_type, document = error_of(*server.invoke_endpoint(body=b"1," * 600))
    assert (status, error_type) == (400, "ValidationError")
    assert document["Message"].startswith("1 validation error detected: Value at 'body' failed to satisfy constraint")
    assert "the request has 1200 bytes: send fewer rows per request" in document["Message"]


def test_shutting_down_is_service_unavailable_and_a_server_failure_internal_failure(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.server.draining.set()
    status, error_type, document = error_of(*server.invoke_endpoint())
    assert (status, error_type) == (503, "ServiceUnavailable")
    assert document["Message"] == "Endpoint churn-prod is shutting down and takes no new invocations: try again."
    server.server.draining.clear()

    def broken(*_args: Any) -> Any:
        raise KeyError("capture folder")

    monkeypatch.setattr(server.server, "invoke", broken)
    status, error_type, document = error_of(*server.invoke_endpoint())
    assert (status, error_type) == (500, "InternalFailure")
    assert document["Message"] == "The local endpoint failed: KeyError: 'capture folder'"


def test_keep_alive_answers_each_request_in_one_write(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[bytes] = []
    original = socketserver._SocketWriter.write  # type: ignore[attr-defined]

    def counted(self: Any, data: bytes) -> int:
        writes.append(bytes(data))
        return original(self, data)

    monkeypatch.setattr(socketserver._SocketWriter, "write", counted)  # type: ignore[attr-defined]
    connection = server.connection()
    try:
        for index in range(5):
            route = "/invocations" if index % 2 else "/endpoints/churn-prod/invocations"
            status, _, body = server.request(route, body=f"{index},1".encode(), connection=connection)
            assert (status, body) == (200, f"{index + 1}.0".encode())
        # one connection served all five (http.client would have reconnected after a close)
        assert connection.sock is not None
    finally:
        connection.close()
    assert len(writes) == 5
    assert all(write.startswith(b"HTTP/1.1 200 OK\r\n") and write.endswith(b".0") for write in writes)
    assert serve.InvocationHandler.disable_nagle_algorithm is True


def test_a_chunked_body_is_read(server: Server) -> None:
    connection = server.connection()
    try:
        connection.putrequest("POST", "/endpoints/churn-prod/invocations")
        connection.putheader("Content-Type", "text/csv")
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        for chunk in (b"1,2\n", b"3,", b"4"):
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        connection.send(b"0\r\n\r\n")
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, b"3.0\n7.0")
    finally:
        connection.close()


# --- data capture --------------------------------------------------------------------------------------------------


def capture_config(tmp_path: Path, percent: int = 100, **switches: bool) -> data_capture.CaptureConfig:
    return data_capture.CaptureConfig(str(tmp_path / "capture"), "churn-prod", "AllTraffic", percent, **switches)


def records_under(folder: Path) -> list[tuple[str, dict]]:
    return [(str(path.relative_to(folder)), json.loads(line)) for path in sorted(folder.rglob("*.jsonl"))
            for line in path.read_text().splitlines()]


def test_the_server_captures_successful_invocations_of_both_routes(tmp_path: Path) -> None:
    writer = data_capture.DataCaptureWriter(capture_config(tmp_path))
    running = Server(capture=writer)
    try:
        running.invoke_endpoint(body=b"1,2", headers={"X-Amzn-SageMaker-Inference-Id": "order-7"})
        running.request("/invocations", body=b"3,4")
        running.invoke_endpoint(body=b"bad")  # a model error: not captured
        running.invoke_endpoint(name="other")  # not this endpoint: not captured
    finally:
        running.close()
        writer.close()
    records = records_under(tmp_path / "capture" / "churn-prod" / "AllTraffic")
    assert [r["captureData"]["endpointInput"]["data"] for _, r in records] == ["1,2", "3,4"]
    assert records[0][1]["eventMetadata"]["inferenceId"] == "order-7"
    assert "inferenceId" not in records[1][1]["eventMetadata"]
    assert records[0][1]["captureData"]["endpointOutput"] == {
        "observedContentType": "text/csv", "mode": "OUTPUT", "data": "3.0", "encoding": "CSV"}


def test_record_format_file_layout_and_encodings(tmp_path: Path) -> None:
    moments = iter([1796198399.5, 1796198400.25, 1796198401.0])  # 2026-12-02T07:59:59.5Z, then 08:00:00.25Z, ...
    ids = iter(["id-1", "id-2", "id-3"])
    writer = data_capture.DataCaptureWriter(capture_config(tmp_path), clock=lambda: next(moments),
                                            new_id=lambda: next(ids))
    writer.capture(b"1,2", "text/csv", b"0.5", "text/csv")
    writer.capture(b'{"instances": [[1, 2]]}', "application/json; charset=utf-8", b'{"predictions": [0.5]}',
                   "application/json")
    writer.capture(b"\x00\xff", "application/x-npy", "½".encode("utf-8"), "text/csv")
    writer.close()

    records = records_under(tmp_path / "capture" / "churn-prod" / "AllTraffic")
    # One file per hour folder, named after its first record (mm-ss-mmm-eventId).
    assert [name for name, _ in records] == [
        "2026/12/02/07/59-59-500-id-1.jsonl",
        "2026/12/02/08/00-00-250-id-2.jsonl",
        "2026/12/02/08/00-00-250-id-2.jsonl",
    ]
    assert records[0][1] == {
        "captureData": {
            "endpointInput": {"observedContentType": "text/csv", "mode": "INPUT", "data": "1,2", "encoding": "CSV"},
            "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT", "data": "0.5", "encoding": "CSV"},
        },
        "eventMetadata": {"eventId": "id-1", "inferenceTime": "2026-12-02T07:59:59Z"},
        "eventVersion": "0",
    }
    assert records[1][1]["captureData"]["endpointInput"] == {
        "observedContentType": "application/json; charset=utf-8", "mode": "INPUT",
        "data": '{"instances": [[1, 2]]}', "encoding": "JSON"}
    # Other content types, and bodies that are not UTF-8, are base64.
    assert records[2][1]["captureData"]["endpointInput"] == {
        "observedContentType": "application/x-npy", "mode": "INPUT",
        "data": base64.b64encode(b"\x00\xff").decode(), "encoding": "BASE64"}
    assert records[2][1]["captureData"]["endpointOutput"]["data"] == "½"


@pytest.mark.parametrize(("percent", "captured"), [(0, []), (100, list(range(1, 11))), (30, [4, 7, 10]),
                                                   (50, [2, 4, 6, 8, 10])])
def test_sampling_captures_exactly_the_percentage_spread_evenly(tmp_path: Path, percent: int, captured: list) -> None:
    writer = data_capture.DataCaptureWriter(capture_config(tmp_path, percent, capture_output=False))
    for n in range(1, 11):
        writer.capture(str(n).encode(), "text/csv", b"0", "text/csv")
    writer.close()
    records = records_under(tmp_path / "capture" / "churn-prod" / "AllTraffic")
    assert [int(r["captureData"]["endpointInput"]["data"]) for _, r in records] == captured
    assert all(list(r["captureData"]) == ["endpointInput"] for _, r in records)


def test_a_capture_that_cannot_be_written_is_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "capture").write_text("a file where the folder should be")
    writer = data_capture.DataCaptureWriter(capture_config(tmp_path))
    with caplog.at_level(logging.ERROR):
        assert writer.capture(b"1", "text/csv", b"2", "text/csv") is None
    assert writer.failures == 1
    assert "data capture: cannot write to" in caplog.text


@pytest.mark.parametrize(
    ("percent", "switches", "message"),
    [
        (101, {}, "sampling percentage 101 is not a whole number from 0 to 100"),
        (True, {}, "sampling percentage True is not a whole number"),
        (5, {"capture_input": False, "capture_output": False}, "captures nothing"),
    ],
)
def test_capture_settings_that_cannot_work(tmp_path: Path, percent: Any, switches: dict, message: str) -> None:
    with pytest.raises(data_capture.CaptureConfigError, match=message):
        capture_config(tmp_path, percent, **switches)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--capture-dir", "x"], "--capture-dir needs --capture-percent"),
        (["--capture-percent", "5"], "--capture-percent needs --capture-dir"),
        (["--capture-dir", "x", "--capture-percent", "200"], "sampling percentage 200 is not a whole number"),
        (["--endpoint-name", "churn prod"], "--endpoint-name 'churn prod' is not a SageMaker endpoint or variant name"),
    ],
)
def test_serve_refuses_bad_endpoint_and_capture_arguments(tmp_path: Path, arguments: list, message: str) -> None:
    completed = subprocess.run(
        [PYTHON, str(RUNTIME_DIR / "serve.py"), "--code-dir", str(tmp_path), "--program", "p.py", "--model-dir",
         str(tmp_path), *arguments], capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 2
    assert message in completed.stderr
