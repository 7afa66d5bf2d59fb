"""Data-capture files as SageMaker writes them (JSON Lines), read into the captured table of the baseline's columns."""

from __future__ import annotations

import base64
import binascii
import csv
import json
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any, Iterator, Sequence


from dq_baseline import BaselineColumn, MonitorError, baseline

CAPTURE_SUFFIX = ".jsonl"
CSV_TYPE = "text/csv"
JSON_TYPE = "application/json"
ENCODINGS = ("CSV", "JSON", "BASE64")
_TRIM = " \t"


class CapturedTable:
    """Captured rows by column: the baseline's columns first, then extra ones in the order they appeared."""

    def __init__(self, baseline_names: Sequence[str]) -> None:
        self.baseline_names = list(baseline_names)
        self.names = list(baseline_names)
        self.cells: dict[str, list[Any]] = {name: [] for name in self.names}
        self.absent: Counter = Counter()  # baseline column -> rows that did not have it at all
        self.rows = 0
        self.requests = 0
        self.files = 0

    @property
    def extra(self) -> list[str]:
        return self.names[len(self.baseline_names):]

    def positional_name(self, index: int) -> str:
        """The baseline's name for a position; beyond its columns, the analyzer's ``_c<index>``."""
        return self.baseline_names[index] if index < len(self.baseline_names) else baseline.positional_name(index)

    def add_row(self, values: dict[str, Any]) -> None:
        for name in values:
            if name not in self.cells:
                self.names.append(name)
                self.cells[name] = [None] * self.rows
        for name in self.names:
            if name in values:
                self.cells[name].append(values[name])
            else:
                self.cells[name].append(None)
                if name in self.baseline_names:
                    self.absent[name] += 1
        self.rows += 1


def _cell(value: Any) -> Any:
    """A request value as a baseline cell: trimmed text or a number; None when missing."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else repr(value)
    if isinstance(value, str):
        return value.strip(_TRIM) or None
    return json.dumps(value)


def find_capture_files(capture_dir: Path) -> list[Path]:
    if not capture_dir.is_dir():
        raise MonitorError(f"capture directory {capture_dir} does not exist: pass --capture-dir with the folder the "
                           "endpoint's data capture writes to")
    found: list[Path] = []
    for root, dirs, files in os.walk(capture_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / name for name in sorted(files)
                     if name.endswith(CAPTURE_SUFFIX) and not name.startswith("."))
    if not found:
        raise MonitorError(f"no {CAPTURE_SUFFIX} capture files under {capture_dir}: invoke the endpoint with data "
                           "capture enabled first (or point --capture-dir at its capture folder)")
    return found


def capture_records(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(place, endpointInput) of every record of one capture file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise MonitorError(f"{path} is not UTF-8 text ({error}): capture files are JSON Lines") from error
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        place = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise MonitorError(f"{place} is not a JSON record ({error.msg}): a capture file holds one data-capture "
                               "record per line") from None
        endpoint_input = (record.get("captureData") or {}).get("endpointInput") if isinstance(record, dict) else None
        if not isinstance(endpoint_input, dict):
            raise MonitorError(f"{place} has no captureData.endpointInput: capture requests (CaptureMode Input or "
                               "InputAndOutput) to monitor data quality")
        yield place, endpoint_input


def request_body(place: str, endpoint_input: dict[str, Any]) -> tuple[str, str]:
    """(media type, body text) of a captured request."""
    content_type = endpoint_input.get("observedContentType")
    encoding = endpoint_input.get("encoding")
    data = endpoint_input.get("data")
    if encoding not in ENCODINGS:
        raise MonitorError(f"{place}: endpointInput.encoding is {json.dumps(encoding)}, expected one of "
                           f"{', '.join(ENCODINGS)}")
    if not isinstance(data, str):
        raise MonitorError(f"{place}: endpointInput.data must be a string (the request body), got "
                           f"{type(data).__name__}")
    media_type = str(content_type or "").split(";")[0].strip().lower()
    if media_type not in (CSV_TYPE, JSON_TYPE):
        raise MonitorError(f"{place}: observedContentType {content_type!r} cannot be analysed: the monitor reads "
                           f"{CSV_TYPE} and {JSON_TYPE} requests")
    if encoding == "BASE64":
        try:
            data = base64.b64decode(data, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            raise MonitorError(f"{place}: endpointInput.data is not base64 of UTF-8 text ({error})") from None
    return media_type, data


def csv_rows(body: str, place: str) -> list[list[Any]]:
    rows = []
    for line in body.splitlines():
        if not line.strip():
            continue
        try:
            rows.append([_cell(value) for value in next(csv.reader([line]))])
        except csv.Error as error:
            raise MonitorError(f"{place}: request line {line[:60]!r} is not CSV ({error})") from None
    return rows


def json_instances(body: str, place: str) -> list[Any]:
    try:
        document = json.loads(body)
    except json.JSONDecodeError as error:
        raise MonitorError(f"{place}: the JSON request body is not valid JSON ({error.msg})") from None
    if isinstance(document, dict):
        if "instances" not in document:
            raise MonitorError(f'{place}: the JSON request has no "instances" (keys: '
                               f'{", ".join(map(str, document)) or "none"}): the monitor reads {{"instances": [...]}}')
        document = document["instances"]
    if not isinstance(document, list):
        raise MonitorError(f'{place}: "instances" must be a list of rows, got {type(document).__name__}')
    return document


def read_capture(capture_dir: Path, columns: Sequence[BaselineColumn]) -> CapturedTable:
    table = CapturedTable([column.name for column in columns])
    by_source = {column.source: column.name for column in columns if column.source}
    for path in find_capture_files(capture_dir):
        table.files += 1
        for place, endpoint_input in capture_records(path):
            media_type, body = request_body(place, endpoint_input)
            table.requests += 1
            if media_type == CSV_TYPE:
                for row in csv_rows(body, place):
                    table.add_row({table.positional_name(i): value for i, value in enumerate(row)})
                continue
            for index, instance in enumerate(json_instances(body, place)):
                if isinstance(instance, dict) and isinstance(instance.get("features"), list):
                    instance = instance["features"]
                if isinstance(instance, list):
                    table.add_row({table.positional_name(i): _cell(v) for i, v in enumerate(instance)})
                elif isinstance(instance, dict):
                    if not by_source:
                        raise MonitorError(
                            f"{place}: instance {index} names its columns ({', '.join(map(str, instance))[:80]}) "
                            f"but the baseline has no {baseline.COLUMNS_FILE} to place them: put the one "
                            "ml/baseline.py wrote next to statistics.json"
                        )
                    table.add_row({by_source.get(str(key), str(key)): _cell(v) for key, v in instance.items()})
                else:
                    raise MonitorError(f"{place}: instance {index} is {type(instance).__name__} "
                                       f"{json.dumps(instance)[:60]}: each instance must be a list of values or an "
                                       "object keyed by column name")
    if table.rows == 0:
        raise MonitorError(f"the capture files under {capture_dir} hold no request rows: send the endpoint rows "
                           "before monitoring")
    return table
