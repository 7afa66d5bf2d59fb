"""Local endpoint with SageMaker's inference HTTP contract, serving an inference program such as ml/inference.py.

    python local/runtime/serve.py --code-dir DIR --program inference.py --model-dir DIR [--host 127.0.0.1] [--port 0]
        [--endpoint-name NAME] [--variant-name AllTraffic] [--account 111111111111] [--region us-east-1]
        [--capture-dir DIR --capture-percent P [--capture-mode Input|Output|InputAndOutput]]

GET /ping           200 once the model is loaded
POST /invocations   the container's contract: body + Content-Type / Accept -> input_fn -> predict_fn -> output_fn;
                    PayloadError -> its status code with {"error": message}; any other failure -> 500 with the
                    message; bodies over --max-body-mb (6 MB, like SageMaker) -> 413
POST /endpoints/<EndpointName>/invocations
                    SageMaker Runtime's InvokeEndpoint as the AWS SDKs call it (runtime_api.py): the same invocation,
                    answered with x-Amzn-Invoked-Production-Variant, and errors as the SDKs read them (x-amzn-ErrorType:
                    ValidationError for another endpoint name or a bad header, ModelError carrying the container's
                    4xx/5xx status and body, ServiceUnavailable while shutting down, InternalFailure)

With --capture-dir, successful invocations (either route) are sampled into SageMaker's data-capture JSON Lines under
<capture dir>/<EndpointName>/<VariantName>/yyyy/mm/dd/hh/ (data_capture.py).

HTTP/1.1 with keep-alive; each response goes out in one write with TCP_NODELAY, so a kept-alive client never waits
for a delayed ACK. With --port 0 a free port is picked. Prints exactly ``READY http://HOST:PORT`` on stdout once
listening, and stops cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Optional, Sequence, Tuple, Union
from urllib.parse import unquote, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import runtime_api  # noqa: E402
from data_capture import (  # noqa: E402
    CAPTURE_MODES,
    CaptureConfig,
    CaptureConfigError,
    DataCaptureWriter,
    capture_switches,
)
from program import InferenceProgram, ProgramError  # noqa: E402
from runtime_api import EndpointIdentity, ServiceError  # noqa: E402

LOGGER = logging.getLogger("serve")
DEFAULT_MAX_BODY_MB = 6.0
SUPPORTED_MEDIA_TYPES = ("text/csv", "application/json")
DEFAULT_ENDPOINT_NAME = "local-endpoint"
DEFAULT_VARIANT_NAME = "AllTraffic"
DEFAULT_ACCOUNT = "111111111111"
DEFAULT_REGION = "us-east-1"
# A body this many times over the limit is not read at all: the connection is closed instead.
DRAIN_FACTOR = 10


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def response_accept(accept: str | None, content_type: str | None) -> str | None:
    """Accept to pass to output_fn: a missing or */* Accept answers in the request's own format when supported."""
    if _media_type(accept) in ("", "*/*") and _media_type(content_type) in SUPPORTED_MEDIA_TYPES:
        return _media_type(content_type)
    return accept


@dataclass(frozen=True)
class Answer:
    """The container's answer to one invocation."""

    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True)
class BodyProblem:
    """Why a request body could not be read: the status to answer with and the message."""

    status: int
    message: str
    length: int = 0


class EndpointServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        program: InferenceProgram,
        max_body_bytes: int,
        identity: EndpointIdentity | None = None,
        capture: DataCaptureWriter | None = None,
    ) -> None:
        super().__init__(address, InvocationHandler)
        self.program = program
        self.max_body_bytes = max_body_bytes
        self.identity = identity or EndpointIdentity(
            DEFAULT_ENDPOINT_NAME, DEFAULT_VARIANT_NAME, DEFAULT_ACCOUNT, DEFAULT_REGION
        )
        self.capture = capture
        # Predictions run one at a time: the program's model need not be thread-safe.
        self.predict_lock = threading.Lock()
        # Set on SIGTERM/SIGINT: SageMaker Runtime's route answers ServiceUnavailable from then on.
        self.draining = threading.Event()

    def invoke(self, body: bytes, content_type: str | None, accept: str | None, inference_id: str | None) -> Answer:
        """One invocation of the program, as the container answers it; sampled into data capture when it succeeds."""
        program = self.program
        try:
            with self.predict_lock:
                response = program.invoke(body, content_type, response_accept(accept, content_type))
        except Exception as error:  # noqa: BLE001 - every failure becomes an HTTP error with its message
            status = program.payload_error_status(error)
            if status is None:
                LOGGER.exception("invocation failed")
                return _error_answer(500, f"{type(error).__name__}: {error}")
            return _error_answer(status, str(error))
        content = response.content_type if _media_type(response.content_type) in SUPPORTED_MEDIA_TYPES else ""
        if not content:
            content = "application/json" if response.body.lstrip().startswith(b"{") else "text/csv"
        if self.capture is not None:
            self.capture.capture(body, content_type, response.body, content, inference_id)
        return Answer(200, response.body, content)


def _error_answer(status: int, message: str) -> Answer:
    return Answer(status, json.dumps({"error": message}).encode("utf-8"), "application/json")


class InvocationHandler(BaseHTTPRequestHandler):
    server: EndpointServer
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: with Nagle's algorithm a kept-alive connection waits for the client's delayed ACK (~40 ms).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        LOGGER.info("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: bytes, content_type: str, headers: Sequence[Tuple[str, str]] = ()) -> None:
        """The whole response (status line, headers and body) in one write."""
        self.log_request(status, len(body))
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        lines = [
            f"{self.protocol_version} {status} {phrase}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers),
        ]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if self.command == "HEAD" else head + body)

    def _send_error(self, status: int, message: str) -> None:
        answer = _error_answer(status, message)
        self._send(answer.status, answer.body, answer.content_type)

    def _send_service_error(self, error: ServiceError, request_id: str) -> None:
        if error.status >= 500:
            LOGGER.error("InvokeEndpoint %s", error)
        self._send(
            error.status,
            error.document(),
            "application/json",
            ((runtime_api.ERROR_TYPE_HEADER, error.code), (runtime_api.REQUEST_ID_HEADER, request_id)),
        )

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if urlsplit(self.path).path == "/ping":
            self._send(200, b"", "text/plain")
        else:
            self._send_error(404, f"no route for GET {self.path}: use GET /ping or POST /invocations")

    def _read_body(self) -> Union[bytes, BodyProblem]:
        """The request body (Content-Length or chunked), or why it cannot be read (the connection then closes)."""
        limit = self.server.max_body_bytes
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked(limit)
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self.close_connection = True
            return BodyProblem(411, "the request needs a Content-Length header (or Transfer-Encoding: chunked)")
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError(length_header)
        except ValueError:
            self.close_connection = True
            return BodyProblem(400, f"invalid Content-Length {length_header!r}: send the body's size in bytes")
        if length > limit:
            # Drain a moderately oversized body so the client reads the answer instead of a reset connection.
            if length <= DRAIN_FACTOR * limit:
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            self.close_connection = True
            return BodyProblem(413, self._too_large(length), length)
        return self.rfile.read(length)

    def _read_chunked(self, limit: int) -> Union[bytes, BodyProblem]:
        parts = []
        size = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                chunk = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                return BodyProblem(400, f"invalid chunk size line {line[:40]!r} in a chunked body")
            if chunk == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                break
            size += chunk
            if size > limit:
                self.close_connection = True
                return BodyProblem(413, self._too_large(size), size)
            parts.append(self.rfile.read(chunk))
            self.rfile.readline(3)  # the CRLF after the chunk
        return b"".join(parts)

    def _too_large(self, length: int) -> str:
        return (
            f"request body of {length} bytes exceeds the {self.server.max_body_bytes}-byte limit: send fewer rows "
            "per request (or use batch transform)"
        )

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        path = urlsplit(self.path).path
        runtime = runtime_api.RUNTIME_PATH.fullmatch(path)
        if path != "/invocations" and runtime is None:
            self.close_connection = True  # the unread body would corrupt the next request on this connection
            self._send_error(
                404,
                f"no route for POST {self.path}: use POST /invocations or POST /endpoints/<EndpointName>/invocations",
            )
            return
        body = self._read_body()
        if runtime is not None:
            self._invoke_endpoint(unquote(runtime.group(1)), body)
            return
        if isinstance(body, BodyProblem):
            self._send_error(body.status, body.message)
            return
        inference_id = self.headers.get(runtime_api.INFERENCE_ID_HEADER)
        answer = self.server.invoke(body, self.headers.get("Content-Type"), self.headers.get("Accept"), inference_id)
        self._send(answer.status, answer.body, answer.content_type)

    def _invoke_endpoint(self, endpoint_name: str, body: Union[bytes, BodyProblem]) -> None:
        """SageMaker Runtime's InvokeEndpoint: the container's answer, or the operation's error."""
        server = self.server
        identity = server.identity
        request_id = runtime_api.new_request_id()
        try:
            runtime_api.check_request(identity, endpoint_name, self.headers)
            if isinstance(body, BodyProblem):
                if body.status == 413:
                    raise runtime_api.body_too_large(body.length)
                raise ServiceError("ValidationError", body.message)
            if server.draining.is_set():
                raise runtime_api.service_unavailable(identity)
            content_type = self.headers.get("Content-Type")
            answer = server.invoke(
                body, content_type, self.headers.get("Accept"), self.headers.get(runtime_api.INFERENCE_ID_HEADER)
            )
            if answer.status >= 400:
                raise runtime_api.model_error(identity, answer.status, answer.body.decode("utf-8", "replace"))
        except ServiceError as error:
            self._send_service_error(error, request_id)
            return
        except Exception as error:  # noqa: BLE001 - a failure of this server, not of the model
            LOGGER.exception("InvokeEndpoint failed")
            self._send_service_error(runtime_api.internal_failure(error), request_id)
            return
        self._send(
            200,
            answer.body,
            answer.content_type,
            ((runtime_api.INVOKED_VARIANT_HEADER, identity.variant), (runtime_api.REQUEST_ID_HEADER, request_id)),
        )


def serve(
    program: InferenceProgram,
    host: str = "127.0.0.1",
    port: int = 0,
    max_body_mb: float = DEFAULT_MAX_BODY_MB,
    identity: EndpointIdentity | None = None,
    capture: DataCaptureWriter | None = None,
) -> int:
    """Listen until SIGTERM/SIGINT; prints READY http://HOST:PORT once requests are accepted."""
    try:
        server = EndpointServer((host, port), program, int(max_body_mb * 1024 * 1024), identity, capture)
    except OSError as error:
        print(f"error: cannot listen on {host}:{port}: {error}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        LOGGER.info("received %s, shutting down", signal.Signals(signum).name)
        server.draining.set()
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    worker.start()
    bound_host, bound_port = server.server_address[:2]
    print(f"READY http://{bound_host}:{bound_port}", flush=True)
    while not stop.wait(0.1):
        pass
    server.shutdown()
    server.server_close()
    worker.join(timeout=5)
    if capture is not None:
        capture.close()
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve an inference program with SageMaker's endpoint HTTP contract.")
    parser.add_argument("--code-dir", required=True, help="folder holding the program (the extracted source tarball)")
    parser.add_argument("--program", required=True, help="file name of the program, e.g. inference.py")
    parser.add_argument("--model-dir", required=True, help="folder holding the extracted model artifact")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--max-body-mb", type=float, default=DEFAULT_MAX_BODY_MB)
    parser.add_argument("--endpoint-name", default=DEFAULT_ENDPOINT_NAME, help="the EndpointName InvokeEndpoint takes")
    parser.add_argument("--variant-name", default=DEFAULT_VARIANT_NAME, help="the one production variant")
    parser.add_argument("--account", default=DEFAULT_ACCOUNT, help="the account named in errors")
    parser.add_argument("--region", default=DEFAULT_REGION, help="the region named in errors")
    parser.add_argument("--capture-dir", help="data capture: the local folder of the capture S3 prefix")
    parser.add_argument("--capture-percent", type=int, help="data capture: the sampling percentage, 0 to 100")
    parser.add_argument("--capture-mode", default="InputAndOutput", choices=CAPTURE_MODES, help="data capture")
    return parser.parse_args(argv)


def _identity_and_capture(args: argparse.Namespace) -> Tuple[EndpointIdentity, Optional[DataCaptureWriter]]:
    """The endpoint identity and the data-capture writer of the arguments; raises ValueError naming a bad value."""
    runtime_api.check_name("--endpoint-name", args.endpoint_name)
    runtime_api.check_name("--variant-name", args.variant_name)
    identity = EndpointIdentity(args.endpoint_name, args.variant_name, args.account, args.region)
    if args.capture_dir is None:
        if args.capture_percent is not None:
            raise ValueError("--capture-percent needs --capture-dir (the folder to write the captured data to)")
        return identity, None
    if args.capture_percent is None:
        raise ValueError("--capture-dir needs --capture-percent (the share of requests to capture, 0 to 100)")
    capture_input, capture_output = capture_switches(args.capture_mode)
    config = CaptureConfig(
        args.capture_dir, identity.name, identity.variant, args.capture_percent, capture_input, capture_output
    )
    return identity, DataCaptureWriter(config)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", stream=sys.stderr)
    args = parse_args(argv)
    if not 0 <= args.port <= 65535:
        print(f"error: --port {args.port} is not a TCP port: use 0 (any free port) to 65535", file=sys.stderr)
        return 2
    if args.max_body_mb <= 0:
        print(f"error: --max-body-mb must be positive, got {args.max_body_mb}", file=sys.stderr)
        return 2
    try:
        identity, capture = _identity_and_capture(args)
    except (ValueError, CaptureConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        program = InferenceProgram(args.code_dir, args.program, args.model_dir)
    except ProgramError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - report any import or model_fn failure with its cause
        print(
            f"error: loading {args.program} from {args.code_dir!r} with the model in {args.model_dir!r} failed: "
            f"{type(error).__name__}: {error}",
            file=sys.stderr,
        )
        return 1
    return serve(program, args.host, args.port, args.max_body_mb, identity, capture)


if __name__ == "__main__":
    sys.exit(main())
