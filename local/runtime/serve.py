"""Local endpoint with SageMaker's inference HTTP contract, serving an inference program such as ml/inference.py.

    python local/runtime/serve.py --code-dir DIR --program inference.py --model-dir DIR [--host 127.0.0.1] [--port 0]

GET /ping           200 once the model is loaded
POST /invocations   body + Content-Type / Accept -> input_fn -> predict_fn -> output_fn
                    PayloadError -> its status code with {"error": message}; any other failure -> 500 with the
                    message; bodies over --max-body-mb (6 MB, like SageMaker) -> 413

With --port 0 a free port is picked. Prints exactly ``READY http://HOST:PORT`` on stdout once listening, and stops
cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from program import InferenceProgram, ProgramError  # noqa: E402

LOGGER = logging.getLogger("serve")
DEFAULT_MAX_BODY_MB = 6.0
SUPPORTED_MEDIA_TYPES = ("text/csv", "application/json")


def _media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


def response_accept(accept: str | None, content_type: str | None) -> str | None:
    """Accept to pass to output_fn: a missing or */* Accept answers in the request's own format when supported."""
    if _media_type(accept) in ("", "*/*") and _media_type(content_type) in SUPPORTED_MEDIA_TYPES:
        return _media_type(content_type)
    return accept


class EndpointServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], program: InferenceProgram, max_body_bytes: int) -> None:
        super().__init__(address, InvocationHandler)
        self.program = program
        self.max_body_bytes = max_body_bytes
        # Predictions run one at a time: the program's model need not be thread-safe.
        self.predict_lock = threading.Lock()


class InvocationHandler(BaseHTTPRequestHandler):
    server: EndpointServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - signature of the base class
        LOGGER.info("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_error(self, status: int, message: str) -> None:
        self._send(status, json.dumps({"error": message}).encode("utf-8"), "application/json")

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.split("?")[0] == "/ping":
            self._send(200, b"", "text/plain")
        else:
            self._send_error(404, f"no route for GET {self.path}: use GET /ping or POST /invocations")

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.split("?")[0] != "/invocations":
            self.close_connection = True  # the unread body would corrupt the next request on this connection
            self._send_error(404, f"no route for POST {self.path}: use POST /invocations")
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self.close_connection = True
            self._send_error(411, "the request needs a Content-Length header")
            return
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError(length_header)
        except ValueError:
            self.close_connection = True
            self._send_error(400, f"invalid Content-Length {length_header!r}")
            return
        if length > self.server.max_body_bytes:
            # Drain a moderately oversized body so the client reads the answer instead of a reset connection.
            if length <= 10 * self.server.max_body_bytes:
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            self.close_connection = True
            self._send_error(
                413,
                f"request body of {length} bytes exceeds the {self.server.max_body_bytes}-byte limit: send fewer "
                "rows per request (or use batch transform)",
            )
            return
        body = self.rfile.read(length)
        content_type = self.headers.get("Content-Type")
        accept = response_accept(self.headers.get("Accept"), content_type)
        program = self.server.program
        try:
            with self.server.predict_lock:
                response = program.invoke(body, content_type, accept)
        except Exception as error:  # noqa: BLE001 - every failure becomes an HTTP error with its message
            status = program.payload_error_status(error)
            if status is None:
                LOGGER.exception("invocation failed")
                self._send_error(500, f"{type(error).__name__}: {error}")
            else:
                self._send_error(status, str(error))
            return
        content = response.content_type if _media_type(response.content_type) in SUPPORTED_MEDIA_TYPES else ""
        if not content:
            content = "application/json" if response.body.lstrip().startswith(b"{") else "text/csv"
        self._send(200, response.body, content)


def serve(
    program: InferenceProgram, host: str = "127.0.0.1", port: int = 0, max_body_mb: float = DEFAULT_MAX_BODY_MB
) -> int:
    """Listen until SIGTERM/SIGINT; prints READY http://HOST:PORT once requests are accepted."""
    try:
        server = EndpointServer((host, port), program, int(max_body_mb * 1024 * 1024))
    except OSError as error:
        print(f"error: cannot listen on {host}:{port}: {error}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        LOGGER.info("received %s, shutting down", signal.Signals(signum).name)
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
    return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve an inference program with SageMaker's endpoint HTTP contract.")
    parser.add_argument("--code-dir", required=True, help="folder holding the program (the extracted source tarball)")
    parser.add_argument("--program", required=True, help="file name of the program, e.g. inference.py")
    parser.add_argument("--model-dir", required=True, help="folder holding the extracted model artifact")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--max-body-mb", type=float, default=DEFAULT_MAX_BODY_MB)
    return parser.parse_args(argv)


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
    return serve(program, args.host, args.port, args.max_body_mb)


if __name__ == "__main__":
    sys.exit(main())
