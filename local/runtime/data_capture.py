"""SageMaker endpoint data capture, locally: sampled requests and responses written as data-capture JSON Lines.

A real endpoint with a DataCaptureConfig writes, under its DestinationS3Uri,

    <EndpointName>/<VariantName>/<yyyy>/<mm>/<dd>/<hh>/<mm>-<ss>-<mmm>-<uuid>.jsonl

(UTC; the file is named after its first record), one JSON object per captured invocation:

    {"captureData": {"endpointInput":  {"observedContentType": "text/csv", "mode": "INPUT",
                                        "data": "1,2,3", "encoding": "CSV"},
                     "endpointOutput": {"observedContentType": "text/csv", "mode": "OUTPUT",
                                        "data": "0.5", "encoding": "CSV"}},
     "eventMetadata": {"eventId": "<uuid>", "inferenceId": "<X-Amzn-SageMaker-Inference-Id, when sent>",
                       "inferenceTime": "2026-12-02T08:15:42Z"},
     "eventVersion": "0"}

``encoding`` is CSV or JSON for the capture's CSV and JSON content types (the SageMaker Python SDK's defaults:
text/csv and application/json), BASE64 for any other content type or for a body that is not UTF-8 text. Here the
destination is a local folder (the local path of the S3 prefix) and records are written as they happen, one line
per invocation, flushed at once (SageMaker uploads its files every few minutes).

Sampling is spread evenly instead of drawn at random, so that tests can count on it: request n (1-based) is captured
when floor(n * p / 100) > floor((n - 1) * p / 100), which captures exactly p of every 100 consecutive requests.
Only successful invocations are captured; a capture that cannot be written is logged and never fails a request.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from typing import IO, Callable, Optional, Tuple

LOGGER = logging.getLogger("data-capture")
CAPTURE_MODES = ("Input", "Output", "InputAndOutput")
CSV_CONTENT_TYPES = ("text/csv",)
JSON_CONTENT_TYPES = ("application/json",)
EVENT_VERSION = "0"
# A body sent without a Content-Type: what SageMaker Runtime assumes for a blob.
DEFAULT_CONTENT_TYPE = "application/octet-stream"


class CaptureConfigError(ValueError):
    """A data-capture setting that cannot work; the message names the value."""


@dataclass(frozen=True)
class CaptureConfig:
    destination: str  # local folder standing for DataCaptureConfig.DestinationS3Uri
    endpoint_name: str
    variant_name: str
    sampling_percentage: int  # InitialSamplingPercentage, 0..100
    capture_input: bool = True
    capture_output: bool = True

    def __post_init__(self) -> None:
        if not self.destination:
            raise CaptureConfigError("the data-capture destination folder is empty: pass the folder to write to")
        if isinstance(self.sampling_percentage, bool) or not isinstance(self.sampling_percentage, int) or not (
            0 <= self.sampling_percentage <= 100
        ):
            raise CaptureConfigError(
                f"sampling percentage {self.sampling_percentage!r} is not a whole number from 0 to 100 "
                "(InitialSamplingPercentage): pass e.g. 100 to capture every request"
            )
        if not (self.capture_input or self.capture_output):
            raise CaptureConfigError("data capture with neither input nor output captures nothing: capture one of them")

    @property
    def folder(self) -> str:
        """<destination>/<EndpointName>/<VariantName>: the hour folders go below it."""
        return os.path.join(self.destination, self.endpoint_name, self.variant_name)


def capture_switches(mode: str) -> Tuple[bool, bool]:
    """(capture input, capture output) of SageMaker's CaptureMode: Input, Output or InputAndOutput."""
    if mode not in CAPTURE_MODES:
        raise CaptureConfigError(f"capture mode {mode!r} is not one of {', '.join(CAPTURE_MODES)}")
    return mode != "Output", mode != "Input"


def _media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def capture_payload(body: bytes, content_type: Optional[str], mode: str) -> dict:
    """One side of a record: the body as text for CSV/JSON content types (when UTF-8), base64 otherwise."""
    observed = content_type or DEFAULT_CONTENT_TYPE
    media = _media_type(observed)
    encoding = "CSV" if media in CSV_CONTENT_TYPES else "JSON" if media in JSON_CONTENT_TYPES else "BASE64"
    data: Optional[str] = None
    if encoding != "BASE64":
        try:
            data = body.decode("utf-8")
        except UnicodeDecodeError:
            encoding = "BASE64"
    if data is None:
        data = base64.b64encode(body).decode("ascii")
    return {"observedContentType": observed, "mode": mode, "data": data, "encoding": encoding}


class EvenSampler:
    """Captures exactly ``percentage`` of every 100 consecutive requests, spread evenly (thread-safe)."""

    def __init__(self, percentage: int) -> None:
        self.percentage = percentage
        self._count = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            self._count += 1
            n = self._count
        return n * self.percentage // 100 > (n - 1) * self.percentage // 100


class DataCaptureWriter:
    """Writes sampled invocations of one endpoint variant as data-capture JSON Lines."""

    def __init__(
        self,
        config: CaptureConfig,
        clock: Callable[[], float] = time.time,
        new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self.config = config
        self._clock = clock
        self._new_id = new_id
        self._sampler = EvenSampler(config.sampling_percentage)
        self._lock = threading.Lock()
        self._file: Optional[IO[str]] = None
        self._hour: Optional[str] = None
        self.records = 0  # records written so far
        self.failures = 0  # records that could not be written

    def record(
        self,
        at: float,
        request_body: bytes,
        request_content_type: Optional[str],
        response_body: bytes,
        response_content_type: Optional[str],
        inference_id: Optional[str] = None,
    ) -> dict:
        """The capture record of one invocation answered at ``at`` (seconds since the epoch)."""
        capture = {}
        if self.config.capture_input:
            capture["endpointInput"] = capture_payload(request_body, request_content_type, "INPUT")
        if self.config.capture_output:
            capture["endpointOutput"] = capture_payload(response_body, response_content_type, "OUTPUT")
        metadata = {"eventId": self._new_id()}
        if inference_id:
            metadata["inferenceId"] = inference_id
        metadata["inferenceTime"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
        return {"captureData": capture, "eventMetadata": metadata, "eventVersion": EVENT_VERSION}

    def write(self, record: dict, at: float) -> Optional[str]:
        """Appends the record to the file of its hour; returns that file, or None when writing failed (logged)."""
        line = json.dumps(record, separators=(",", ":")) + "\n"
        try:
            with self._lock:
                handle, path = self._file_for(at, record["eventMetadata"]["eventId"])
                handle.write(line)
                handle.flush()
                self.records += 1
                return path
        except OSError as error:
            self.failures += 1
            LOGGER.error(
                "data capture: cannot write to %s: %s (the invocation itself succeeded)", self.config.folder, error
            )
            return None

    def capture(
        self,
        request_body: bytes,
        request_content_type: Optional[str],
        response_body: bytes,
        response_content_type: Optional[str],
        inference_id: Optional[str] = None,
    ) -> Optional[str]:
        """Samples one successful invocation and writes it when sampled; returns the file written to, or None."""
        if not self._sampler.take():
            return None
        at = self._clock()
        record = self.record(at, request_body, request_content_type, response_body, response_content_type, inference_id)
        return self.write(record, at)

    def _file_for(self, at: float, event_id: str) -> Tuple[IO[str], str]:
        moment = time.gmtime(at)
        hour = time.strftime("%Y/%m/%d/%H", moment)
        if self._file is None or hour != self._hour:
            self.close_file()
            folder = os.path.join(self.config.folder, *hour.split("/"))
            os.makedirs(folder, exist_ok=True)
            millis = int(at * 1000) % 1000
            name = f"{time.strftime('%M-%S', moment)}-{millis:03d}-{event_id}.jsonl"
            self._file = open(os.path.join(folder, name), "a", encoding="utf-8")
            self._hour = hour
        return self._file, self._file.name

    def close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self) -> None:
        with self._lock:
            self.close_file()
