"""Inference handlers for SageMaker's XGBoost 1.7-1 framework container (endpoints and batch transform).

The container calls ``model_fn(model_dir)`` once, then for each request
``output_fn(predict_fn(input_fn(body, content_type), model), accept)``.

Requests
  text/csv          one row per line, no header, no label; empty cells are missing values
  application/json  {"instances": [[f1, f2, ...], ...]} or, when the model has schema.json, objects keyed by feature
                    name: {"instances": [{"age": 31, ...}, ...]} (a bare JSON list works too)
Responses
  text/csv          one prediction per line
  application/json  {"predictions": [...]}
Binary classification models return the probability of class 1; regression models return the predicted value.

Raw rows. A model trained on the ETL job's curated data carries that job's encoding (schema.json's "encoding": the
ETL schema.json). Requests may then send RAW rows, as uploaded: the feature columns in the ETL schema's order (the
upload's column order without the label and the dropped columns; the full upload row without the label works too),
or objects keyed by those column names, with text categories and empty values. Each row is encoded exactly as the
ETL job encoded its training rows: values trimmed of spaces and tabs, numbers parsed by the same rule, a missing
value replaced by the recorded imputation value, one 0/1 feature per recorded category in the recorded order.
Already encoded numeric rows still work: a row is read as encoded when its width is the model's feature count (and
not a raw width), as raw otherwise; objects as raw when they name every raw column.
On purpose, inference does not set rows aside as the ETL job does: an unknown category encodes as all zeros, and a
missing value of a column whose null policy is 'quarantine' as missing (NaN, or all zeros for a category), so that
one unusual row gets a prediction instead of failing a whole request or batch. A value that is not a number in a
numeric column is still a bad request.

Malformed requests raise PayloadError with the HTTP status to answer with (400 bad data, 415 unsupported content
type, 406 unsupported accept type). In the container it is also the inference toolkit's BaseInferenceToolkitError,
which the toolkit answers with that status; any other exception becomes a 500. The toolkit replaces a missing or
``*/*`` Accept header with SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT before output_fn; output_fn answers both in CSV too.

Speed. A request whose cells are all plain numbers (or empty; quoted or not) is parsed at C speed into a matrix;
raw rows are encoded a column at a time. Anything those fast paths are not sure of goes through the careful
cell-by-cell code, which alone raises the messages above, so that a bad request gets the same message either way
(test_inference.py compares both on generated requests). The booster predicts with one thread unless
OMP_NUM_THREADS is set: the model server runs a worker per CPU, and a thread team costs more than it saves on the
few rows of an endpoint request.

Runs under Python 3.8 and the XGBoost 1.7-1 image's libraries (scripts/container-parity.sh tests that).
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import re
import warnings
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np
import xgboost as xgb

MODEL_FILE_NAME = "xgboost-model"
SCHEMA_FILE_NAME = "schema.json"
CSV = "text/csv"
JSON = "application/json"
SUPPORTED_CONTENT_TYPES = (CSV, JSON)
SUPPORTED_ACCEPT_TYPES = (CSV, JSON)

# The ETL job's definitions (glue-scripts/curation/expressions.py): what is trimmed, what is a number, how one-hot
# features are named. test/python/glue/test_parity.py checks both sides encode alike.
_RAW_TRIM = " \t"
_RAW_NUMBER = re.compile(r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?")
_ONE_HOT_SEPARATOR = "="


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
class RawColumn:
    """One feature column of the ETL encoding: how its raw value becomes encoded features."""

    name: str
    numeric: bool
    impute: Any  # the recorded imputation value, or None ('quarantine': missing stays missing)
    categories: List[str]


class Encoder:
    """The ETL job's encoding (its schema.json), applied to raw rows.

    ``encode`` returns the model's features: the encoding's features, selected and ordered as the model's
    ``feature_columns`` (preprocess may have trained on a subset).
    """

    def __init__(self, schema: Dict[str, Any], feature_columns: Sequence[str], origin: str) -> None:
        def bad(problem: str) -> ValueError:
            return ValueError(f"{origin}: the ETL encoding {problem}: package the schema.json that preprocess wrote "
                              "from the curated data of this training run")

        if not isinstance(schema, dict) or schema.get("schemaVersion") != 1 or not isinstance(
            schema.get("columns"), list
        ):
            raise bad("is not a version 1 ETL schema (schemaVersion, columns)")
        self.columns = []
        for column in schema["columns"][1:]:
            numeric = column.get("type") == "numeric"
            categories = [] if numeric else list(column.get("categories") or [])
            self.columns.append(RawColumn(str(column.get("name")), numeric, column.get("imputeValue"), categories))
        self.names = [c.name for c in self.columns]
        label = schema["columns"][0].get("name") if schema["columns"] else None
        self.full_names = [str(n) for n in schema.get("sourceColumns") or [] if n != label]
        self.positions = [self.full_names.index(n) if n in self.full_names else -1 for n in self.names]
        encoded = [c.name if c.numeric else f"{c.name}{_ONE_HOT_SEPARATOR}{k}" for c in self.columns
                   for k in ([None] if c.numeric else c.categories)]
        if encoded != schema.get("featureColumns"):
            raise bad("lists featureColumns that do not follow from its columns and categories")
        missing = [name for name in feature_columns if name not in encoded]
        if missing:
            raise bad(f"does not produce the model's feature(s) {missing}")
        self.select = [encoded.index(name) for name in feature_columns]
        self.identity = encoded == list(self.names) == list(feature_columns)
        self.width = len(encoded)
        # Where each category's 0/1 feature is, for encoding whole columns at once (encode_rows); only when every
        # category is a distinct string, so that a dict lookup finds exactly what encode's comparisons find.
        self.category_index: Optional[List[Dict[str, int]]] = [
            {name: k for k, name in enumerate(c.categories)} for c in self.columns
        ]
        if not all(isinstance(k, str) for c in self.columns for k in c.categories) or any(
            len(index) != len(c.categories) for index, c in zip(self.category_index, self.columns)
        ):
            self.category_index = None

    def widths(self) -> List[int]:
        """Raw row widths: the feature columns, and the full upload row without the label."""
        return sorted({len(self.names), len(self.full_names)})

    def encode(self, values: Sequence[Any], where: Sequence[str]) -> List[float]:
        """One raw row (values in ``names`` order) -> the model's features; ``where`` names each value in errors."""
        out: List[float] = []
        for column, value, place in zip(self.columns, values, where):
            text = _raw_text(value, place)
            if column.numeric:
                if text is None:
                    out.append(math.nan if column.impute is None else float(column.impute))
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    out.append(_finite(float(value), value, place))
                elif _RAW_NUMBER.fullmatch(text):
                    out.append(_finite(float(text), value, place))
                else:
                    raise PayloadError(f"{place}: {value!r} is not a number: column {column.name!r} is numeric")
            else:
                category = column.impute if text is None else text
                out.extend(1.0 if category == known else 0.0 for known in column.categories)
        return [out[index] for index in self.select]

    def encode_rows(
        self, rows: Sequence[Sequence[Any]], positions: Optional[Sequence[int]] = None
    ) -> Optional[np.ndarray]:
        """Raw rows encoded column by column, exactly as ``encode`` encodes each row (``positions``: where each of
        ``names`` is in a row, default in order); None when a value is bad (``encode`` then names the first) or when
        only ``encode`` can tell."""
        if self.category_index is None:
            return None
        out = np.zeros((len(rows), self.width))
        at = 0
        try:
            for j, column in enumerate(self.columns):
                position = positions[j] if positions is not None else j
                values = [row[position] for row in rows]
                if column.numeric:
                    numbers = _raw_numbers(values, column)
                    if numbers is None:
                        return None
                    out[:, at] = numbers
                    at += 1
                else:
                    codes = _category_codes(values, column, self.category_index[j])
                    if codes is None:
                        return None
                    known = codes >= 0
                    out[np.flatnonzero(known), at + codes[known]] = 1.0
                    at += len(column.categories)
        except (ValueError, OverflowError, IndexError, TypeError):
            return None
        return out[:, self.select]


def _raw_numbers(values: List[Any], column: RawColumn) -> Optional[List[float]]:
    """A numeric column's raw values as encode reads them; None at the first value encode would refuse."""
    missing = math.nan if column.impute is None else float(column.impute)
    numbers = []
    for value in values:
        kind = type(value)
        if kind is str:
            text = value.strip(_RAW_TRIM)
            if not text:
                numbers.append(missing)
                continue
            if _RAW_NUMBER.fullmatch(text) is None:
                return None
            number = float(text)
        elif value is None:
            numbers.append(missing)
            continue
        elif kind is int or kind is float:
            number = float(value)
        else:
            return None
        if math.isinf(number) or math.isnan(number):
            return None
        numbers.append(number)
    return numbers


def _category_codes(values: List[Any], column: RawColumn, index: Dict[str, int]) -> Optional[np.ndarray]:
    """Each raw value's category position (-1: no recorded category, all zeros) as encode reads it."""
    codes = []
    for value in values:
        kind = type(value)
        if kind is str:
            category = value.strip(_RAW_TRIM) or column.impute
        elif value is None:
            category = column.impute
        elif kind is int:
            category = str(value)
        elif kind is float:
            category = repr(value)
        else:
            return None
        codes.append(index.get(category, -1) if isinstance(category, str) else -1)
    return np.asarray(codes, dtype=np.intp)


@dataclass(frozen=True)
class Model:
    booster: xgb.Booster
    # From schema.json when the artifact has one: lets JSON requests name their features.
    feature_columns: list[str] | None
    problem_type: str | None
    # From schema.json's "encoding" when the model was trained on ETL-curated data: lets requests send raw rows.
    encoder: Optional[Encoder] = None

    @property
    def num_features(self) -> int:
        return int(self.booster.num_features())


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


def model_fn(model_dir: str) -> Model:
    model_path = os.path.join(model_dir, MODEL_FILE_NAME)
    if not os.path.isfile(model_path):
        held = ", ".join(sorted(os.listdir(model_dir))) if os.path.isdir(model_dir) else "it does not exist"
        raise FileNotFoundError(
            f"no {MODEL_FILE_NAME!r} in model directory {model_dir!r} ({held or 'it is empty'}): deploy a model "
            "artifact written by train.py"
        )
    booster = xgb.Booster()
    booster.load_model(model_path)
    if not os.environ.get("OMP_NUM_THREADS"):
        # One thread per prediction unless OMP_NUM_THREADS says otherwise: the model server runs a worker process per
        # CPU, and waking a thread team for a request of a few rows costs more than the prediction (tens of ms when
        # the CPUs are busy); a 10,000-row request predicts in a few ms on one thread.
        booster.set_param("nthread", 1)
    feature_columns: list[str] | None = None
    problem_type: str | None = None
    encoder: Encoder | None = None
    schema_path = os.path.join(model_dir, SCHEMA_FILE_NAME)
    if os.path.isfile(schema_path):
        with open(schema_path, encoding="utf-8") as handle:
            schema = json.load(handle)
        columns = schema.get("feature_columns")
        if isinstance(columns, list) and all(isinstance(c, str) for c in columns):
            if len(columns) != booster.num_features():
                raise ValueError(
                    f"{schema_path} lists {len(columns)} feature columns but the model has "
                    f"{booster.num_features()} features: package the schema.json of the same training run"
                )
            feature_columns = columns
            if schema.get("encoding") is not None:
                encoder = Encoder(schema["encoding"], columns, schema_path)
        problem_type = schema.get("problem_type")
    return Model(booster=booster, feature_columns=feature_columns, problem_type=problem_type, encoder=encoder)


def _media_type(value: str | None) -> str:
    # "text/csv; charset=utf-8" -> "text/csv"
    return (value or "").split(";")[0].strip().lower()


def _decode(body: Body) -> str:
    if isinstance(body, (bytes, bytearray)):
        try:
            return bytes(body).decode("utf-8")
        except UnicodeDecodeError as error:
            raise PayloadError(f"the request body is not UTF-8 text ({error}): send UTF-8 encoded data") from error
    if isinstance(body, str):
        return body
    raise PayloadError(f"unsupported request body type {type(body).__name__}: send text or bytes")


def _finite(number: float, value: Any, where: str) -> float:
    if math.isinf(number) or math.isnan(number):
        raise PayloadError(
            f"{where}: {value!r} is not a finite number: send finite numbers (leave it empty if missing)"
        )
    return number


def _number(value: Any, where: str) -> float:
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


def _raw_text(value: Any, where: str) -> Optional[str]:
    """A raw value as the ETL job saw it: trimmed text, None when missing."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PayloadError(f"{where}: {json.dumps(value)[:60]} is not a value: send text or numbers")
    text = value.strip(_RAW_TRIM) if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    return text or None


def _is_numeric_cell(value: Any) -> bool:
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


def _csv_rows(text: str) -> Records:
    numbers = _csv_numbers(text)
    if numbers is not None:
        return Records(numbers=numbers, csv=True, parse=lambda: _csv_cells(text))
    return _csv_cells(text)


def _json_rows(text: str) -> Records:
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


def input_fn(request_body: Body, request_content_type: str | None) -> Records:
    content_type = _media_type(request_content_type)
    if content_type not in SUPPORTED_CONTENT_TYPES:
        raise PayloadError(
            f"unsupported content type {request_content_type!r}: send {' or '.join(SUPPORTED_CONTENT_TYPES)}",
            415,
        )
    text = _decode(request_body)
    if content_type == CSV:
        return _csv_rows(text)
    return _json_rows(text)


def _raw_width(width: int, model: Model) -> Optional[bool]:
    """Whether rows of this width are raw rows: True, False, or None when only their cells can tell."""
    encoder = model.encoder
    if encoder is None or width not in encoder.widths():
        return False
    if encoder.identity or width != model.num_features:
        return True
    return None


def _reads_raw(records: Records, model: Model) -> bool:
    """Whether rows of this width are raw rows for the model's encoder (else: encoded numeric rows)."""
    width = len((records.rows or [[]])[0])
    raw = _raw_width(width, model)
    if raw is not None:
        return raw
    # A raw width that is also the encoded width: text anywhere means raw.
    return not all(_is_numeric_cell(value) for row in records.rows or [] for value in row)


def _width_error(model: Model, width: int) -> PayloadError:
    names = f" ({', '.join(model.feature_columns)})" if model.feature_columns else ""
    raw = ""
    if model.encoder is not None:
        widths = " or ".join(str(w) for w in model.encoder.widths())
        raw = f", or {widths} raw values ({', '.join(model.encoder.names)})"
    return PayloadError(
        f"expected {model.num_features} feature values per row{names}{raw} but got {width}: send the features only, "
        "in training order, without the label"
    )


def _matrix_from_rows(records: Records, model: Model) -> np.ndarray:
    if records.numbers is not None and not _raw_width(records.numbers.shape[1], model):
        # Every cell is a number, so rows of a width that may be raw or encoded are encoded (as below).
        if model.encoder is not None and records.numbers.shape[1] != model.num_features:
            raise _width_error(model, records.numbers.shape[1])
        return records.numbers
    records = records.with_cells()
    rows = records.rows or []
    if not _reads_raw(records, model):
        if model.encoder is not None and len(rows[0]) != model.num_features:
            raise _width_error(model, len(rows[0]))  # neither raw nor encoded: say what both would be
        return np.asarray(
            [[_number(v, place) for v, place in zip(row, records.places(i, len(row)))] for i, row in enumerate(rows)],
            dtype=float,
        )
    encoder = model.encoder
    assert encoder is not None
    full = len(rows[0]) != len(encoder.names)  # the upload's row without the label: pick the feature columns
    matrix = encoder.encode_rows(rows, encoder.positions if full else None)
    if matrix is not None:
        return matrix
    encoded = []
    for index, row in enumerate(rows):
        places = records.places(index, len(row))
        if full:
            row, places = [row[p] for p in encoder.positions], [places[p] for p in encoder.positions]
        encoded.append(encoder.encode(row, places))
    return np.asarray(encoded, dtype=float)


def _matrix_from_objects(objects: Sequence[dict[str, Any]], model: Model) -> np.ndarray:
    if model.feature_columns is None:
        raise PayloadError(
            "rows keyed by feature name need the model's schema.json, which this model lacks: send each row as a "
            f"list of its {model.num_features} feature values"
        )
    encoder = model.encoder
    if encoder is not None and all(isinstance(item, dict) and all(name in item for name in encoder.names)
                                   for item in objects):
        matrix = encoder.encode_rows([[item[name] for name in encoder.names] for item in objects])
        if matrix is not None:
            return matrix
    rows: list[list[float]] = []
    for index, item in enumerate(objects):
        if encoder is not None and all(name in item for name in encoder.names):
            places = [f"instance {index}, feature {name!r}" for name in encoder.names]
            rows.append(encoder.encode([item[name] for name in encoder.names], places))
            continue
        if encoder is not None and any(name in item and name not in model.feature_columns for name in encoder.names):
            missing = [name for name in encoder.names if name not in item]
            raise PayloadError(
                f"instance {index} lacks raw column(s) {', '.join(missing)}; raw rows need {', '.join(encoder.names)} "
                "(empty or null for a missing value)"
            )
        missing = [name for name in model.feature_columns if name not in item]
        if missing:
            hint = f" (or the raw columns {', '.join(encoder.names)})" if encoder is not None else ""
            raise PayloadError(
                f"instance {index} lacks feature(s) {', '.join(missing)}; the model needs "
                f"{', '.join(model.feature_columns)}{hint}"
            )
        rows.append([_number(item[name], f"instance {index}, feature {name!r}") for name in model.feature_columns])
    return np.asarray(rows, dtype=float)


def predict_fn(input_data: Records | np.ndarray, model: Model) -> np.ndarray:
    if isinstance(input_data, np.ndarray):
        input_data = Records(matrix=np.atleast_2d(input_data.astype(float)))
    if input_data.objects is not None:
        matrix = _matrix_from_objects(input_data.objects, model)
    elif input_data.rows is not None or input_data.numbers is not None:
        matrix = _matrix_from_rows(input_data, model)
    elif input_data.matrix is not None:
        matrix = input_data.matrix
    else:
        raise PayloadError("no rows to predict")
    if matrix.shape[1] != model.num_features:
        raise _width_error(model, matrix.shape[1])
    # inplace_predict predicts exactly as predict(DMatrix(...)) without building a DMatrix (half the time of a
    # 10,000-row request under the container's numpy).
    return np.asarray(model.booster.inplace_predict(np.ascontiguousarray(matrix, dtype=float)), dtype=float)


def _accept_type(accept: str | None) -> str:
    """The first supported media type of an Accept header; text/csv when the client accepts anything."""
    candidates = [_media_type(part) for part in (accept or "").split(",")]
    for candidate in candidates:
        if candidate in SUPPORTED_ACCEPT_TYPES:
            return candidate
    if all(candidate in ("", "*/*") for candidate in candidates):
        return CSV
    raise PayloadError(f"unsupported accept type {accept!r}: ask for {' or '.join(SUPPORTED_ACCEPT_TYPES)}", 406)


def output_fn(prediction: np.ndarray, accept: str | None) -> str:
    media_type = _accept_type(accept)
    values = np.asarray(prediction, dtype=float).ravel().tolist()  # Python floats: repr is the shortest round trip
    if media_type == JSON:
        return json.dumps({"predictions": values})
    return "\n".join(map(repr, values))
