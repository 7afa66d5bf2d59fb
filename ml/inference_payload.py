"""Request payloads of the serving hooks (inference.py): decoding, CSV and JSON parsing into rows (``Records``), and
the error a bad request gets (``PayloadError``, with its HTTP status).

A request whose cells are all plain numbers (or empty; quoted or not) is parsed at C speed into a matrix; anything
the fast paths are not sure of goes through the careful cell-by-cell code, which alone raises the messages, so that a
bad request gets the same message either way. Shipped beside inference.py: train.py copies both into the model
artifact's ``code/``. Runs under Python 3.8 and the XGBoost 1.7-1 image's libraries, as inference.py does.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import re
import warnings
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable, List, Optional, Union

import numpy as np

CSV = "text/csv"
JSON = "application/json"
# The ETL job's definitions (glue-scripts/curation/expressions.py): what is trimmed, what is a number.
RAW_TRIM = " \t"
RAW_NUMBER = re.compile(r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?")

try:
    # In SageMaker's XGBoost container the hooks run under the inference toolkit, whose Transformer answers any
    # exception that is not a BaseInferenceToolkitError with 500: deriving from it makes a bad request a 4xx there.
    from sagemaker_inference.errors import BaseInferenceToolkitError as _ToolkitError
except ImportError:  # anywhere else (local runs, tests without the toolkit)
    _ToolkitError = None

_PAYLOAD_ERROR_BASES = (ValueError,) if _ToolkitError is None else (ValueError, _ToolkitError)


def _reason_phrase(status_code: int) -> str:
    """The HTTP reason phrase of a status code: 400 -> "Bad Request"."""
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Bad Request"


class PayloadError(*_PAYLOAD_ERROR_BASES):  # type: ignore[misc]
    """A request the model cannot answer; ``status_code`` is the HTTP status to reply with.

    A ValueError everywhere and, when the inference toolkit is installed, also its BaseInferenceToolkitError, so the
    toolkit replies with ``status_code``, the reason phrase of that status and ``message`` as the body.
    """

    def __init__(self, message: str, status_code: int = 400) -> None:
        if _ToolkitError is not None:
            _ToolkitError.__init__(self, status_code, message, _reason_phrase(status_code))
        # str(error) is the message, whichever base set the arguments first.
        Exception.__init__(self, message)
        self.message = message
        self.status_code = status_code
        self.phrase = _reason_phrase(status_code)



@dataclass(frozen=True)
class Records:
    """Parsed request rows: cells per row (text from CSV, JSON values), objects keyed by name, or a matrix.

    Cells are turned into numbers in predict_fn, which knows whether the model reads raw rows. When every cell of a
    request is a plain number (or empty), input_fn also parses it at once into ``numbers`` and leaves the cells to
    ``parse``, which runs only if the model reads the rows as raw (or to name a bad cell).
    """

    rows: Optional[List[List[Any]]] = None
    lines: Optional[List[int]] = None  # CSV: each row's line number, for messages ("CSV line 3"; JSON: "instance 2")
    csv: bool = False  # CSV cells are named "column <1-based>", JSON list values "value <0-based>"
    objects: list[dict[str, Any]] | None = None
    matrix: np.ndarray | None = None
    numbers: np.ndarray | None = None  # every cell as a float (missing: NaN); the rows come from ``parse``
    parse: Optional[Callable[[], "Records"]] = None

    def __len__(self) -> int:
        if self.matrix is not None:
            return int(self.matrix.shape[0])
        if self.numbers is not None:
            return int(self.numbers.shape[0])
        return len(self.rows if self.rows is not None else self.objects or [])

    def places(self, index: int, width: int) -> List[str]:
        label = f"CSV line {(self.lines or [])[index]}" if self.csv else f"instance {index}"
        return [f"{label}, column {c + 1}" if self.csv else f"{label}, value {c}" for c in range(width)]

    def with_cells(self) -> "Records":
        """These records with ``rows`` (parsing the cells if input_fn left them to ``parse``)."""
        return self if self.rows is not None or self.parse is None else self.parse()


Body = Union[str, bytes, bytearray]


def media_type(value: str | None) -> str:
    # "text/csv; charset=utf-8" -> "text/csv"
    return (value or "").split(";")[0].strip().lower()


def decode(body: Body) -> str:
    if isinstance(body, (bytes, bytearray)):
        try:
            return bytes(body).decode("utf-8")
        except UnicodeDecodeError as error:
            raise PayloadError(f"the request body is not UTF-8 text ({error}): send UTF-8 encoded data") from error
    if isinstance(body, str):
        return body
    raise PayloadError(f"unsupported request body type {type(body).__name__}: send text or bytes")


def finite(number: float, value: Any, where: str) -> float:
    if math.isinf(number) or math.isnan(number):
        raise PayloadError(
            f"{where}: {value!r} is not a finite number: send finite numbers (leave it empty if missing)"
        )
    return number


def parse_number(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise PayloadError(f"{where}: {value!r} is not a number: send numeric feature values")
    if value is None:
        return math.nan
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text == "":
            return math.nan
        try:
            number = float(text)
        except ValueError:
            raise PayloadError(
                f"{where}: {value!r} is not a number: send numeric feature values only (no header row, no label)"
            ) from None
    else:
        raise PayloadError(f"{where}: {value!r} is not a number: send numeric feature values")
    if math.isinf(number):
        raise PayloadError(f"{where}: {value!r} is infinite: send finite numbers (leave a value empty if missing)")
    return number


def raw_text(value: Any, where: str) -> Optional[str]:
    """A raw value as the ETL job saw it: trimmed text, None when missing."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PayloadError(f"{where}: {json.dumps(value)[:60]} is not a value: send text or numbers")
    text = value.strip(RAW_TRIM) if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    return text or None


def is_numeric_cell(value: Any) -> bool:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return True
    if not isinstance(value, str) or not value.strip():
        return isinstance(value, str)
    try:
        float(value)
        return True
    except ValueError:
        return False


def _csv_cells(text: str) -> Records:
    numbered = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not numbered:
        raise PayloadError("the request body is empty: send at least one CSV row of feature values")
    lines = [line for _, line in numbered]
    numbers = [number for number, _ in numbered]
    rows: Optional[List[List[Any]]] = None
    try:
        # One reader over all lines gives each line's cells when it gives one row per line (no quoted cell runs
        # over a line end); otherwise parse line by line, as the messages name lines.
        parsed = list(csv.reader(lines))
        rows = parsed if len(parsed) == len(lines) else None
    except csv.Error:
        pass
    if rows is None:
        rows = []
        for line, number in zip(lines, numbers):
            cells = next(csv.reader([line]))
            _check_width(cells, number, rows, numbers)
            rows.append(cells)
    else:
        width = len(rows[0])
        for index, cells in enumerate(rows):
            if len(cells) != width:
                _check_width(cells, numbers[index], rows, numbers)
    return Records(rows=rows, lines=numbers, csv=True)


def _check_width(cells: List[str], line_number: int, rows: List[List[Any]], numbers: List[int]) -> None:
    if rows and len(cells) != len(rows[0]):
        raise PayloadError(
            f"CSV line {line_number} has {len(cells)} values but line {numbers[0]} has {len(rows[0])}: every row needs "
            "the same number of features"
        )


# The fast path reads a request at C speed when every cell is a plain number or empty. It only ever accepts what
# the careful parsers above accept, with the same values; anything else (or anything it is unsure of) goes to them,
# so every message stays theirs. test_inference.py compares both on generated near-numeric text.
_PLAIN_NUMBER_TEXT = re.compile(r"[^0-9.eE+\-,\n]")  # CSV text of only these chars: numpy's parsers read it
# numpy 1.23 moved loadtxt to C (twice as fast as fromstring); the container's numpy 1.19 has the Python one.
_C_LOADTXT = tuple(int(part) for part in np.__version__.split(".")[:2]) >= (1, 23)
# Characters str.splitlines() breaks lines at besides "\n" (the ASCII ones; other text goes the careful way).
_OTHER_LINE_BREAKS = ("\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")


def _unquoted_csv(lines: List[str]) -> Optional[List[str]]:
    """Lines of quoted CSV ("1","2") rewritten without quotes, when no quoted cell holds a comma or spans lines."""
    try:
        rows = list(csv.reader(lines))
    except csv.Error:
        return None
    if len(rows) != len(lines):  # a quoted cell ran over a line end: the careful parser reads line by line
        return None
    unquoted = list(map(",".join, rows))
    if sum(map(len, rows)) - len(rows) != sum(line.count(",") for line in unquoted):
        return None  # a cell holds a comma
    return unquoted


def _numeric_line(line: str) -> bool:
    """Whether every cell of one CSV line is a number or empty, as float() reads it."""
    try:
        cells = next(csv.reader([line])) if '"' in line else line.split(",")
        for cell in cells:
            if cell.strip():
                float(cell)
    except (ValueError, csv.Error):
        return False
    return True


def _fill_missing(body: str) -> str:
    """Empty cells of CSV lines become "nan" (a missing value, as the careful parser reads them)."""
    body = body.replace(",,", ",nan,").replace(",,", ",nan,")  # twice: ",,," leaves one ",," after the first
    body = body.replace(",\n", ",nan\n").replace("\n,", "\nnan,")
    if body.startswith(","):
        body = "nan" + body
    if body.endswith(","):
        body += "nan"
    return body


def _csv_numbers(text: str) -> Optional[np.ndarray]:
    """All CSV rows as a float matrix when every cell is a number or empty and all rows are as wide; else None."""
    if not text.isascii():
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if any(mark in text for mark in _OTHER_LINE_BREAKS):
        return None
    body = text.rstrip("\n")
    if not body or body.startswith("\n") or "\n\n" in body:
        return None  # the careful parser skips blank lines and names lines by number
    lines = body.split("\n")
    if not _numeric_line(lines[0]):
        return None  # text in the first row already (raw rows): no need to look further
    if '"' in body:
        unquoted = _unquoted_csv(lines)
        if unquoted is None:
            return None
        lines = unquoted
        body = "\n".join(lines)
    if len(body) > csv.field_size_limit() and max(map(len, lines)) > csv.field_size_limit():
        return None  # the csv module refuses such a cell
    width = lines[0].count(",") + 1
    plain = _PLAIN_NUMBER_TEXT.search(body) is None
    if ",," in body or ",\n" in body or "\n," in body or body.startswith(",") or body.endswith(","):
        body = _fill_missing(body)
    try:
        with warnings.catch_warnings():
            # numpy's fromstring warns (future versions raise) when text is left over: a cell that is no number.
            warnings.simplefilter("error", DeprecationWarning)
            if plain and _C_LOADTXT:  # numpy's C reader; a line with more or fewer cells is a ValueError
                values = np.loadtxt(body.split("\n"), delimiter=",", dtype=float, comments=None, ndmin=2)
            else:
                if len(set(map(str.count, lines, itertools.repeat(",")))) != 1:
                    return None  # rows of different widths: the careful parser names the line
                flat = body.replace("\n", ",")
                if plain:
                    values = np.fromstring(flat, dtype=float, sep=",")
                else:  # spaces, "nan", ...: float() as the careful parser, without its bookkeeping
                    values = np.array(list(map(float, flat.split(","))), dtype=float)
                values = values.reshape(len(lines), -1) if values.size == len(lines) * width else values
    except (ValueError, DeprecationWarning):
        return None
    if values.shape != (len(lines), width) or np.isinf(values).any():
        return None  # a bad or infinite cell: the careful parser names it
    return values


def csv_rows(text: str) -> Records:
    numbers = _csv_numbers(text)
    if numbers is not None:
        return Records(numbers=numbers, csv=True, parse=lambda: _csv_cells(text))
    return _csv_cells(text)


def json_rows(text: str) -> Records:
    if not text.strip():
        raise PayloadError('the request body is empty: send {"instances": [[...feature values...]]}')
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PayloadError(f"the request body is not valid JSON: {error}") from error
    if isinstance(document, dict):
        if "instances" not in document:
            raise PayloadError(
                f'the JSON object has no "instances" key (keys: {", ".join(map(str, document)) or "none"}): '
                'send {"instances": [[...feature values...], ...]}'
            )
        instances = document["instances"]
    else:
        instances = document
    if not isinstance(instances, list):
        raise PayloadError(f'"instances" must be a list of rows, got {type(instances).__name__}')
    if not instances:
        raise PayloadError('"instances" is empty: send at least one row')
    numbers = _json_numbers(text, document, instances)
    if numbers is not None:
        return Records(numbers=numbers, parse=lambda: _json_cells(instances))
    return _json_cells(instances)


def _json_numbers(text: str, document: Any, instances: List[Any]) -> Optional[np.ndarray]:
    """The instances as a float matrix when each is a list of numbers (or nulls) and all are as long; else None."""
    # No strings but the "instances" key, no true/false: every value is a number, null, NaN or Infinity.
    if text.count('"') != (2 if isinstance(document, dict) else 0) or "true" in text or "false" in text:
        return None
    try:
        numbers = np.array(instances, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    if numbers.ndim != 2 or numbers.shape[1] == 0 or np.isinf(numbers).any():
        return None
    return numbers


def _json_cells(instances: List[Any]) -> Records:
    if all(isinstance(item, dict) and "features" not in item for item in instances):
        return Records(objects=instances)
    rows: list[list[Any]] = []
    for index, item in enumerate(instances):
        if isinstance(item, dict) and isinstance(item.get("features"), list):
            item = item["features"]  # SageMaker's {"features": [...]} instance format
        if not isinstance(item, list):
            raise PayloadError(
                f"instance {index} is {type(item).__name__} {json.dumps(item)[:80]}: each instance must be a list "
                "of feature values (or every instance an object keyed by feature name)"
            )
        if rows and len(item) != len(rows[0]):
            raise PayloadError(
                f"instance {index} has {len(item)} values but instance 0 has {len(rows[0])}: every row needs the same "
                "number of features"
            )
        rows.append(item)
    return Records(rows=rows)
