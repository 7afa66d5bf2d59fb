"""Local stand-in for SageMaker Model Monitor's data-quality analyzer: captured requests vs the baseline.

    python local/monitor/data_quality.py --baseline-dir DIR --capture-dir DIR --output-dir DIR

--baseline-dir  statistics.json and constraints.json as ml/baseline.py writes them (and, optionally, its
                columns.json, which lets JSON requests keyed by column name be placed in their columns)
--capture-dir   a folder tree of data-capture files (``*.jsonl``, any depth, as SageMaker writes them under
                ``<endpoint>/<variant>/yyyy/mm/dd/hh/``); one JSON record a line:
                {"captureData": {"endpointInput": {"observedContentType", "mode": "INPUT", "data", "encoding"},
                                 "endpointOutput": {...}},
                 "eventMetadata": {"eventId", "inferenceTime", ...}, "eventVersion": "0"}
                ``encoding`` says how ``data`` holds the request body: CSV or JSON (the text itself) or BASE64.
--output-dir    statistics.json (the captured rows, in the baseline's format) and constraint_violations.json:
                {"violations": [{"feature_name", "constraint_check_type", "description"}]}

Reading requests. text/csv: one row per line (a request may hold several), columns by position, named as the
analyzer names headerless columns: the baseline's names in order (``_c0``, ``_c1``, ...), ``_c<n>`` beyond them.
application/json: {"instances": [...]} or a bare list, each instance a list of values (or {"features": [...]}), or
an object keyed by column name, placed by columns.json (an unknown key becomes an extra column of that name).
Values are trimmed of spaces and tabs, as the model reads them; an empty value or JSON null is missing.

Checks (only when constraints.json's monitoring_config.evaluate_constraints is Enabled), per baseline column:
  missing_column_check      the column is absent from some rows (a shorter CSV row, a JSON object without the key)
  extra_column_check        a column the baseline does not have (a longer row, an unknown key)
  data_type_check           share of present values of the baseline type (an Integral column takes whole numbers,
                            a Fractional one any number, a String one anything) < datatype_check_threshold
  completeness_check        share of non-missing values < the feature's completeness
  categorical_values_check  String columns with string_constraints.domains: share of present values in the domain
                            < domain_content_threshold
  baseline_drift_check      distribution_constraints.perform_comparison Enabled: numeric columns: the largest
                            distance between the baseline's cumulative distribution (from its KLL sketch) and the
                            captured one (exact) > comparison_threshold; String columns (LInfinity): the largest
                            difference between the two shares of any value > categorical_comparison_threshold
                            (default: comparison_threshold). comparison_method Robust (or linf_robust) also requires
                            the distance to exceed what two samples of these sizes differ by at the 5% level (the
                            two-sample Kolmogorov-Smirnov critical value 1.358 * sqrt((n + m) / (n * m))), so a few
                            captured rows do not raise drift; Simple (linf_simple) compares with the threshold alone.
Violations are results: the run prints one summary line and exits 0. Unreadable baselines or captures are errors:
one message naming the file (and line) and the fix, exit code 2.

Not shipped to SageMaker: it imports ml/baseline.py (by path) so that captured statistics are computed exactly as
the baseline's. Known differences from the cloud analyzer are listed in local/monitor/README.md.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import csv
import importlib.util
import json
import math
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, Sequence

import numpy as np

BASELINE_SCRIPT = Path(__file__).resolve().parents[2] / "ml" / "baseline.py"
VIOLATIONS_FILE = "constraint_violations.json"
CAPTURE_SUFFIX = ".jsonl"
CSV_TYPE = "text/csv"
JSON_TYPE = "application/json"
ENCODINGS = ("CSV", "JSON", "BASE64")
# Two-sample Kolmogorov-Smirnov critical value factor at the 5% level.
KS_FACTOR_5_PERCENT = 1.358
_TRIM = " \t"

# What constraints.json leaves out: the analyzer's defaults (SageMaker Python SDK).
DEFAULT_COMPARISON_THRESHOLD = 0.1
DEFAULT_TYPE_THRESHOLD = 1.0
DEFAULT_DOMAIN_THRESHOLD = 1.0
SIMPLE_METHODS = ("Simple", "linf_simple")
ROBUST_METHODS = ("Robust", "linf_robust")
CATEGORICAL_METHODS = ("LInfinity",)


class MonitorError(ValueError):
    """A baseline or capture this stand-in cannot read; the message names it and says what to do."""


def load_baseline_module(path: Path = BASELINE_SCRIPT) -> ModuleType:
    name = "ml_baseline_for_monitor"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise MonitorError(f"cannot load {path}: the data-quality stand-in needs the repository's ml/baseline.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


baseline = load_baseline_module()


# --- the baseline ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineColumn:
    name: str
    inferred_type: str
    completeness: float | None
    domain: list[str] | None
    present: int  # baseline values (num_present)
    sketch: list[list[float]] | None  # KLL levels: level h holds items of weight 2^h
    shares: dict[str, float] | None  # String columns: value -> share of the present values
    source: str | None  # its column name in the upload, from columns.json


@dataclass(frozen=True)
class MonitoringConfig:
    evaluate: bool
    type_threshold: float
    domain_threshold: float
    compare: bool
    threshold: float
    robust: bool
    categorical_threshold: float


@dataclass(frozen=True)
class Baseline:
    columns: list[BaselineColumn]
    config: MonitoringConfig


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise MonitorError(f"no {path.name} in {path.parent}: pass --baseline-dir with the {what} ml/baseline.py "
                           "wrote")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise MonitorError(f"{path} is not readable JSON ({error}): regenerate the baseline with ml/baseline.py") \
            from error


def _bad_baseline(path: Path, where: str, problem: str) -> MonitorError:
    return MonitorError(f"{path}: {where}: {problem}. Regenerate the baseline with ml/baseline.py")


def _number(value: Any, path: Path, where: str, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _bad_baseline(path, where, f"expected a number, got {json.dumps(value)}")
    return float(value)


def _switch(value: Any, path: Path, where: str) -> bool:
    if value is None:
        return True
    if value not in ("Enabled", "Disabled"):
        raise _bad_baseline(path, where, f"expected 'Enabled' or 'Disabled', got {json.dumps(value)}")
    return value == "Enabled"


def read_monitoring_config(document: Any, path: Path) -> MonitoringConfig:
    config = document.get("monitoring_config") or {}
    if not isinstance(config, dict):
        raise _bad_baseline(path, "monitoring_config", f"expected an object, got {json.dumps(config)[:60]}")
    distribution = config.get("distribution_constraints") or {}
    if not isinstance(distribution, dict):
        raise _bad_baseline(path, "monitoring_config.distribution_constraints",
                            f"expected an object, got {json.dumps(distribution)[:60]}")
    where = "monitoring_config.distribution_constraints"
    method = distribution.get("comparison_method", "Robust")
    if method not in SIMPLE_METHODS + ROBUST_METHODS:
        raise _bad_baseline(path, f"{where}.comparison_method",
                            f"{json.dumps(method)} is not one of {', '.join(SIMPLE_METHODS + ROBUST_METHODS)}")
    categorical_method = distribution.get("categorical_drift_method", "LInfinity")
    if categorical_method not in CATEGORICAL_METHODS:
        raise _bad_baseline(path, f"{where}.categorical_drift_method",
                            f"{json.dumps(categorical_method)} is not supported by the local stand-in (only "
                            "LInfinity); set LInfinity for local runs")
    threshold = _number(distribution.get("comparison_threshold"), path, f"{where}.comparison_threshold",
                        DEFAULT_COMPARISON_THRESHOLD)
    return MonitoringConfig(
        evaluate=_switch(config.get("evaluate_constraints"), path, "monitoring_config.evaluate_constraints"),
        type_threshold=_number(config.get("datatype_check_threshold"), path,
                               "monitoring_config.datatype_check_threshold", DEFAULT_TYPE_THRESHOLD),
        domain_threshold=_number(config.get("domain_content_threshold"), path,
                                 "monitoring_config.domain_content_threshold", DEFAULT_DOMAIN_THRESHOLD),
        compare=_switch(distribution.get("perform_comparison"), path, f"{where}.perform_comparison"),
        threshold=threshold,
        robust=method in ROBUST_METHODS,
        categorical_threshold=_number(distribution.get("categorical_comparison_threshold"), path,
                                      f"{where}.categorical_comparison_threshold", threshold),
    )


def _features(document: Any, path: Path) -> list[dict[str, Any]]:
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or not features:
        raise _bad_baseline(path, "features", "expected a non-empty list of features")
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or not isinstance(feature.get("name"), str):
            raise _bad_baseline(path, f"features[{index}]", f"expected an object with a name, got "
                                f"{json.dumps(feature)[:60]}")
        if feature.get("inferred_type") not in ("Integral", "Fractional", "String", "Unknown"):
            raise _bad_baseline(path, f"features[{index}] ({feature['name']}).inferred_type",
                                f"{json.dumps(feature.get('inferred_type'))} is not Integral, Fractional, String or "
                                "Unknown")
    return features


def _sketch(feature: dict[str, Any], path: Path) -> tuple[int, list[list[float]]]:
    where = f"feature {feature['name']}: numerical_statistics"
    stats = feature.get("numerical_statistics")
    try:
        present = stats["common"]["num_present"]
        data = stats["distribution"]["kll"]["sketch"]["data"]
    except (KeyError, TypeError):
        raise _bad_baseline(path, where, "no common.num_present or distribution.kll.sketch.data") from None
    if not isinstance(data, list) or not all(isinstance(level, list) for level in data):
        raise _bad_baseline(path, f"{where}.distribution.kll.sketch.data", "expected a list of levels (lists)")
    weight = sum(len(level) * 2**h for h, level in enumerate(data))
    if weight != present:
        raise _bad_baseline(path, f"{where}.distribution.kll.sketch",
                            f"its items weigh {weight} in all but num_present is {present}")
    return int(present), [[float(v) for v in level] for level in data]


def _shares(feature: dict[str, Any], path: Path) -> tuple[int, dict[str, float]]:
    where = f"feature {feature['name']}: string_statistics"
    try:
        stats = feature["string_statistics"]
        present = stats["common"]["num_present"]
        buckets = stats["distribution"]["categorical"]["buckets"]
        counts = {str(b["value"]): float(b["count"]) for b in buckets}
    except (KeyError, TypeError):
        raise _bad_baseline(path, where, "no common.num_present or distribution.categorical.buckets") from None
    total = sum(counts.values())
    return int(present), {value: count / total for value, count in counts.items()} if total else {}


def read_baseline(baseline_dir: Path) -> Baseline:
    statistics_path = baseline_dir / baseline.STATISTICS_FILE
    constraints_path = baseline_dir / baseline.CONSTRAINTS_FILE
    statistics = _features(_read_json(statistics_path, "statistics"), statistics_path)
    constraints_document = _read_json(constraints_path, "constraints")
    constraints = _features(constraints_document, constraints_path)
    sources: dict[str, str] = {}
    columns_path = baseline_dir / baseline.COLUMNS_FILE
    if columns_path.is_file():
        document = _read_json(columns_path, "column map")
        entries = document.get("columns") if isinstance(document, dict) else None
        if not isinstance(entries, list):
            raise _bad_baseline(columns_path, "columns", "expected a list")
        sources = {str(e.get("name")): str(e.get("source")) for e in entries if isinstance(e, dict)}
    by_name = {feature["name"]: feature for feature in statistics}
    columns: list[BaselineColumn] = []
    for index, constraint in enumerate(constraints):
        name = constraint["name"]
        feature = by_name.get(name)
        if feature is None:
            raise MonitorError(f"{constraints_path} constrains feature {name!r}, which {statistics_path} does not "
                               "describe: use the statistics.json and constraints.json of one baseline run")
        kind = constraint["inferred_type"]
        completeness = constraint.get("completeness")
        if completeness is not None:
            completeness = _number(completeness, constraints_path, f"features[{index}] ({name}).completeness", 0.0)
        domain = (constraint.get("string_constraints") or {}).get("domains")
        if domain is not None and not isinstance(domain, list):
            raise _bad_baseline(constraints_path, f"features[{index}] ({name}).string_constraints.domains",
                                "expected a list of values")
        present, sketch, shares = 0, None, None
        if kind in baseline.NUMERIC_TYPES and feature["inferred_type"] in baseline.NUMERIC_TYPES:
            present, sketch = _sketch(feature, statistics_path)
        elif kind == baseline.STRING and feature["inferred_type"] == baseline.STRING:
            present, shares = _shares(feature, statistics_path)
        columns.append(BaselineColumn(
            name=name, inferred_type=kind, completeness=completeness,
            domain=[str(v) for v in domain] if domain is not None else None, present=present, sketch=sketch,
            shares=shares, source=sources.get(name),
        ))
    return Baseline(columns=columns, config=read_monitoring_config(constraints_document, constraints_path))


# --- the capture -----------------------------------------------------------------------------------------------------


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


# --- the checks ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    feature_name: str
    constraint_check_type: str
    description: str

    def to_json(self) -> dict[str, str]:
        return {"feature_name": self.feature_name, "constraint_check_type": self.constraint_check_type,
                "description": self.description}


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _type_matches(expected: str, kind: str) -> bool:
    if expected == baseline.STRING:
        return True
    if expected == baseline.FRACTIONAL:
        return kind in baseline.NUMERIC_TYPES
    return kind == expected


def sketch_cdf(levels: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Sorted items of a KLL sketch and the cumulative share of weight up to and including each."""
    items = np.concatenate([np.asarray(level, dtype=float) for level in levels]) if levels else np.zeros(0)
    weights = np.concatenate([np.full(len(level), 2.0**h) for h, level in enumerate(levels)]) if levels \
        else np.zeros(0)
    order = np.argsort(items, kind="stable")
    return items[order], np.cumsum(weights[order]) / weights.sum()


def cdf_distance(levels: Sequence[Sequence[float]], values: np.ndarray) -> float:
    """Largest |F_baseline(x) - F_captured(x)| over every x (both are step functions: their jumps suffice)."""
    items, cumulative = sketch_cdf(levels)
    captured = np.sort(values)
    points = np.union1d(items, captured)
    baseline_cdf = np.concatenate([[0.0], cumulative])[np.searchsorted(items, points, side="right")]
    captured_cdf = np.searchsorted(captured, points, side="right") / len(captured)
    return float(np.abs(baseline_cdf - captured_cdf).max())


def share_distance(baseline_shares: dict[str, float], texts: Counter) -> tuple[float, str]:
    """Largest difference between a value's baseline share and its captured share, and that value."""
    total = sum(texts.values())
    values = sorted(set(baseline_shares) | set(texts))
    gaps = {value: abs(baseline_shares.get(value, 0.0) - texts.get(value, 0) / total) for value in values}
    worst = max(values, key=lambda value: (gaps[value], value))
    return gaps[worst], worst


def noise_bound(baseline_count: int, captured_count: int) -> float:
    return KS_FACTOR_5_PERCENT * math.sqrt((baseline_count + captured_count) / (baseline_count * captured_count))


def _examples(values: Sequence[str]) -> str:
    return ", ".join(repr(v) for v in values[:3])


@dataclass(frozen=True)
class Observed:
    """One baseline column as the capture shows it."""

    label: str  # "_c1 (income_k)"
    profile: Any  # baseline.ColumnProfile of the captured cells
    absent: int  # rows that did not have the column at all
    rows: int
    baseline_columns: int


# One check = one function: (baseline column, what was observed, config) -> a description when violated, else None.


def missing_column(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    if not seen.absent:
        return None
    return (f"Column {seen.label} is missing from {seen.absent} of {seen.rows} captured rows (shorter rows or objects "
            f"without it); the baseline has {seen.baseline_columns} columns.")


def completeness(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    profile = seen.profile
    if column.completeness is None or profile.completeness >= column.completeness:
        return None
    return (f"Completeness of {seen.label} is {_percent(profile.completeness)} ({profile.missing} of {profile.rows} "
            f"values missing), below the baseline constraint {_percent(column.completeness)}.")


def data_type(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    profile, expected = seen.profile, column.inferred_type
    if expected == baseline.UNKNOWN or profile.present == 0:
        return None
    matching = sum(count for kind, count in profile.kinds.items() if _type_matches(expected, kind))
    if matching / profile.present >= config.type_threshold:
        return None
    others = sorted(text for text in profile.texts if not _type_matches(expected, baseline.cell_kind(text)))
    return (f"Data type of {seen.label}: expected {expected} for at least {_percent(config.type_threshold)} of "
            f"present values, observed {_percent(matching / profile.present)} ({profile.present - matching} of "
            f"{profile.present} are not, e.g. {_examples(others)}).")


def categorical_values(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    profile = seen.profile
    if column.inferred_type != baseline.STRING or column.domain is None or profile.present == 0:
        return None
    domain = set(column.domain)
    inside = sum(count for text, count in profile.texts.items() if text in domain)
    if inside / profile.present >= config.domain_threshold:
        return None
    unknown = sorted(text for text in profile.texts if text not in domain)
    return (f"Values of {seen.label}: expected at least {_percent(config.domain_threshold)} in the baseline domain "
            f"({', '.join(column.domain)}), observed {_percent(inside / profile.present)} "
            f"({profile.present - inside} outside it: {_examples(unknown)}).")


def baseline_drift(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> str | None:
    profile = seen.profile
    if not config.compare:
        return None
    if column.sketch is not None and profile.numbers.size:
        distance, count, threshold = cdf_distance(column.sketch, profile.numbers), int(profile.numbers.size), \
            config.threshold
        what = "cumulative distributions"
    elif column.shares is not None and profile.present:
        distance, value = share_distance(column.shares, profile.texts)
        count, threshold = profile.present, config.categorical_threshold
        what = f"value shares (largest for {value!r})"
    else:
        return None
    bound = noise_bound(column.present, count) if column.present else 0.0
    if distance <= threshold or (config.robust and distance <= bound):
        return None
    method = (f"Robust: also above the sampling noise {bound:.3f} of {column.present} baseline and {count} captured "
              "values") if config.robust else "Simple"
    return (f"Baseline drift of {seen.label}: distance {distance:.3f} between the baseline's and the captured {what} "
            f"exceeds the threshold {threshold:g} ({method}).")


CHECKS = (
    ("missing_column_check", missing_column),
    ("completeness_check", completeness),
    ("data_type_check", data_type),
    ("categorical_values_check", categorical_values),
    ("baseline_drift_check", baseline_drift),
)


def check_column(column: BaselineColumn, seen: Observed, config: MonitoringConfig) -> list[Violation]:
    violations = []
    for check_type, check in CHECKS:
        description = check(column, seen, config)
        if description is not None:
            violations.append(Violation(column.name, check_type, description))
    return violations


@dataclass(frozen=True)
class Report:
    statistics: dict[str, Any]
    violations: list[Violation]
    table: CapturedTable
    evaluated: bool


def analyse(baseline_dir: Path, capture_dir: Path) -> Report:
    base = read_baseline(baseline_dir)
    table = read_capture(capture_dir, base.columns)
    profiles = {name: baseline.profile_column(name, table.cells[name]) for name in table.names}
    statistics = baseline.statistics_document([profiles[name] for name in table.names], table.rows)
    violations: list[Violation] = []
    if base.config.evaluate:
        for column in base.columns:
            label = f"{column.name} ({column.source})" if column.source and column.source != column.name \
                else column.name
            seen = Observed(label=label, profile=profiles[column.name], absent=table.absent.get(column.name, 0),
                            rows=table.rows, baseline_columns=len(base.columns))
            violations.extend(check_column(column, seen, base.config))
        for name in table.extra:
            present = profiles[name].present
            violations.append(Violation(name, "extra_column_check",
                                        f"Column {name} is not in the baseline ({len(base.columns)} columns): "
                                        f"{present} of {table.rows} captured rows have a value there."))
    return Report(statistics=statistics, violations=violations, table=table, evaluated=base.config.evaluate)


def write_report(report: Report, output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    (output_dir / baseline.STATISTICS_FILE).write_text(json.dumps(report.statistics, indent=2) + "\n",
                                                         encoding="utf-8")
    path = output_dir / VIOLATIONS_FILE
    path.write_text(json.dumps({"violations": [v.to_json() for v in report.violations]}, indent=2) + "\n",
                    encoding="utf-8")
    return path


def summary(report: Report, path: Path) -> str:
    table = report.table
    files = f"{table.files} file" + ("" if table.files == 1 else "s")
    seen = f"{table.rows} rows in {table.requests} captured requests ({files})"
    if not report.evaluated:
        return f"data quality: {seen}; constraints not evaluated (evaluate_constraints is Disabled); wrote {path}"
    if not report.violations:
        return f"data quality: {seen}: no violations; wrote {path}"
    found = "; ".join(f"{v.constraint_check_type} {v.feature_name}" for v in report.violations)
    return f"data quality: {seen}: {len(report.violations)} violation(s): {found}; wrote {path}"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Check captured endpoint requests against a data-quality baseline.")
    parser.add_argument("--baseline-dir", required=True, type=Path, help="statistics.json and constraints.json")
    parser.add_argument("--capture-dir", required=True, type=Path, help="folder tree of data-capture .jsonl files")
    parser.add_argument("--output-dir", required=True, type=Path,
                        help="where statistics.json and constraint_violations.json go")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        report = analyse(args.baseline_dir, args.capture_dir)
        path = write_report(report, args.output_dir)
    except MonitorError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary(report, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
