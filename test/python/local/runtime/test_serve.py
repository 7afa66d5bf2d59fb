from __future__ import annotations

import http.client
import json
import queue
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd
import pytest
import xgboost as xgb

from testkit import ML_DIR, PYTHON, RUNTIME_DIR, TrainedModel

SERVE = RUNTIME_DIR / "serve.py"


@dataclass
class Endpoint:
    process: subprocess.Popen[str]
    host: str
    port: int
    log_path: Path

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheader("Content-Type", ""), response.read().decode("utf-8")
        finally:
            connection.close()

    def invoke(self, body: str | bytes, content_type: str, accept: str | None = None) -> tuple[int, str, str]:
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.request("POST", "/invocations", data, headers)


def wait_for_ready(process: subprocess.Popen[str], timeout: float = 60) -> str:
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None
    stdout = process.stdout
    threading.Thread(target=lambda: lines.put(stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout).strip()
    except queue.Empty:
        process.kill()
        raise AssertionError("serve.py did not print READY in time") from None


@pytest.fixture(scope="module")
def endpoint(trained: Callable[[str], TrainedModel], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoint]:
    # The access log goes to a file: an unread pipe could fill up and block the server.
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    log = open(log_path, "w", encoding="utf-8")
    process = subprocess.Popen(
        [PYTHON, str(SERVE), "--code-dir", str(ML_DIR), "--program", "inference.py",
         "--model-dir", str(trained("binary_classification").model_dir), "--port", "0", "--max-body-mb", "0.05"],
        stdout=subprocess.PIPE, stderr=log, text=True,
    )
    try:
        ready = wait_for_ready(process)
        assert ready.startswith("READY http://127.0.0.1:"), ready
        host, port = ready.removeprefix("READY http://").rsplit(":", 1)
        yield Endpoint(process, host, int(port), log_path)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def rows(trained: Callable[[str], TrainedModel]) -> pd.DataFrame:
    return pd.read_csv(trained("binary_classification").test_dir / "test.csv").drop(columns=["target"]).head(3)


def expected(model: TrainedModel, rows: pd.DataFrame) -> list[float]:
    booster = xgb.Booster()
    booster.load_model(str(model.model_dir / "xgboost-model"))
    return booster.predict(xgb.DMatrix(rows.to_numpy(dtype=float))).tolist()


def test_ping(endpoint: Endpoint) -> None:
    status, _, _ = endpoint.request("GET", "/ping")
    assert status == 200


def test_csv_rows_get_csv_predictions(
    endpoint: Endpoint, rows: pd.DataFrame, trained: Callable[[str], TrainedModel]
) -> None:
    status, content_type, body = endpoint.invoke(rows.to_csv(header=False, index=False), "text/csv", "text/csv")
    assert status == 200, body
    assert content_type == "text/csv"
    predictions = [float(line) for line in body.splitlines()]
    assert predictions == pytest.approx(expected(trained("binary_classification"), rows), rel=1e-6)
    assert all(0.0 <= p <= 1.0 for p in predictions)


def test_json_rows_get_json_predictions(
    endpoint: Endpoint, rows: pd.DataFrame, trained: Callable[[str], TrainedModel]
) -> None:
    payload = json.dumps({"instances": rows.to_dict(orient="records")})
    # No Accept header: the answer comes in the request's format.
    status, content_type, body = endpoint.invoke(payload, "application/json")
    assert status == 200, body
    assert content_type == "application/json"
    predictions = json.loads(body)["predictions"]
    assert predictions == pytest.approx(expected(trained("binary_classification"), rows), rel=1e-6)


@pytest.mark.parametrize(
    ("body", "content_type", "accept", "status", "message"),
    [
        ("1,2,3", "text/csv", "text/csv", 400, "expected 8 feature values per row"),
        ('{"instances": [[1, 2', "application/json", None, 400, "not valid JSON"),
        ("", "text/csv", None, 400, "the request body is empty"),
        ("1,2", "text/plain", None, 415, "unsupported content type 'text/plain'"),
        ("1,2,3,4,5,6,7,8", "text/csv", "image/png", 406, "unsupported accept type 'image/png'"),
    ],
)
def test_malformed_payloads_get_4xx_with_a_message(
    endpoint: Endpoint, body: str, content_type: str, accept: str | None, status: int, message: str
) -> None:
    got_status, got_type, got_body = endpoint.invoke(body, content_type, accept)
    assert got_status == status
    assert got_type == "application/json"
    assert message in json.loads(got_body)["error"]


def test_oversized_body_is_413(endpoint: Endpoint) -> None:
    line = "1,2,3,4,5,6,7,8\n"
    status, _, body = endpoint.invoke(line * (60 * 1024 // len(line)), "text/csv")  # 60 KB > 0.05 MB
    assert status == 413
    assert "exceeds the 52428-byte limit" in json.loads(body)["error"]


def test_unknown_route_is_404(endpoint: Endpoint) -> None:
    status, _, body = endpoint.request("GET", "/models")
    assert status == 404 and "GET /ping" in json.loads(body)["error"]


def test_missing_model_fails_at_start(tmp_path: Path) -> None:
    completed = subprocess.run(
        [PYTHON, str(SERVE), "--code-dir", str(ML_DIR), "--program", "inference.py", "--model-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert "no 'xgboost-model' in model directory" in completed.stderr


def test_sigterm_stops_the_server_cleanly(endpoint: Endpoint) -> None:
    # Last in this file (pytest keeps file order) because it ends the module's shared server.
    endpoint.process.send_signal(signal.SIGTERM)
    assert endpoint.process.wait(timeout=15) == 0
    assert "received SIGTERM, shutting down" in endpoint.log_path.read_text()
    assert '"POST /invocations HTTP/1.1" 200' in endpoint.log_path.read_text()
