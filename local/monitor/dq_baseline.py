"""The data-quality baseline as ml/baseline.py writes it: statistics.json, constraints.json (and columns.json),
read and checked for the local data-quality stand-in (data_quality.py). It also hands the stand-in baseline.py's own
code: ``baseline`` (file names, column names) and ``baseline_statistics`` (column types, profiles, statistics.json)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any


BASELINE_SCRIPT = Path(__file__).resolve().parents[2] / "ml" / "baseline.py"

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
        raise MonitorError(f"cannot load {path}: the data-quality stand-in needs the repository's ml/baseline.py "
                           "(and ml/baseline_statistics.py beside it)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except ImportError as error:  # baseline_statistics.py missing: the message names it
        del sys.modules[name]
        raise MonitorError(f"cannot load {path}: {error}") from error
    return module


baseline = load_baseline_module()
# ml/baseline_statistics.py, the very module baseline.py describes columns with.
baseline_statistics = baseline.import_statistics_module()



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
        if kind in baseline_statistics.NUMERIC_TYPES and feature["inferred_type"] in baseline_statistics.NUMERIC_TYPES:
            present, sketch = _sketch(feature, statistics_path)
        elif kind == baseline_statistics.STRING and feature["inferred_type"] == baseline_statistics.STRING:
            present, shares = _shares(feature, statistics_path)
        columns.append(BaselineColumn(
            name=name, inferred_type=kind, completeness=completeness,
            domain=[str(v) for v in domain] if domain is not None else None, present=present, sketch=sketch,
            shares=shares, source=sources.get(name),
        ))
    return Baseline(columns=columns, config=read_monitoring_config(constraints_document, constraints_path))
