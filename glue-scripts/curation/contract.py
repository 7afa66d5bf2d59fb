"""The dataset contract: parse and validate the JSON the job receives in ``--contract``.

The format is ``DatasetContractDocument`` in lib/config/dataset-contract.ts. Validation is strict (unknown keys are
errors, with a close match suggested) because a typo such as ``dropColumn`` would otherwise be ignored silently and
the run would train on an identifier column.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import ContractError

PROBLEM_TYPES = ("regression", "binary_classification")
COLUMN_TYPES = ("numeric", "categorical")
NULL_POLICY_NAMES = ("quarantine", "impute-mean", "impute-median", "impute-mode")
IMPUTE_VALUE = "impute-value"

DEFAULT_MAX_CATEGORIES = 50
DEFAULT_MAX_QUARANTINED_FRACTION = 0.5
DEFAULT_DELIMITER = ","
DEFAULT_CATEGORICAL_IMPUTE = "missing"

_DOCUMENT_KEYS = (
    "version", "label", "problemType", "columns", "dropColumns", "maxCategories", "deduplicate",
    "maxQuarantinedFraction", "delimiter",
)
_COLUMN_KEYS = ("type", "nulls", "min", "max", "values")


@dataclass(frozen=True)
class NullPolicy:
    """What a missing value does: ``kind`` is one of NULL_POLICY_NAMES or ``impute-value`` (with ``value``)."""

    kind: str
    value: str | float | None = None

    def to_json(self) -> str | dict[str, Any]:
        return {"impute": self.value} if self.kind == IMPUTE_VALUE else self.kind

    @property
    def imputes(self) -> bool:
        return self.kind != "quarantine"


QUARANTINE = NullPolicy("quarantine")


@dataclass(frozen=True)
class ColumnRule:
    """One column of the contract (``ColumnContract``)."""

    type: str
    nulls: NullPolicy | None = None
    min: float | None = None
    max: float | None = None
    values: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Contract:
    """A validated ``DatasetContractDocument`` with every default applied."""

    label: str
    problem_type: str
    columns: Mapping[str, ColumnRule] = field(default_factory=dict)
    drop_columns: tuple[str, ...] = ()
    max_categories: int = DEFAULT_MAX_CATEGORIES
    deduplicate: bool = True
    max_quarantined_fraction: float = DEFAULT_MAX_QUARANTINED_FRACTION
    delimiter: str = DEFAULT_DELIMITER

    def to_json(self) -> dict[str, Any]:
        """The contract as a DatasetContractDocument (defaults filled in), for the run report."""
        columns: dict[str, Any] = {}
        for name, rule in self.columns.items():
            entry: dict[str, Any] = {"type": rule.type}
            if rule.nulls is not None:
                entry["nulls"] = rule.nulls.to_json()
            if rule.min is not None:
                entry["min"] = rule.min
            if rule.max is not None:
                entry["max"] = rule.max
            if rule.values is not None:
                entry["values"] = list(rule.values)
            columns[name] = entry
        return {
            "version": 1,
            "label": self.label,
            "problemType": self.problem_type,
            "columns": columns,
            "dropColumns": list(self.drop_columns),
            "maxCategories": self.max_categories,
            "deduplicate": self.deduplicate,
            "maxQuarantinedFraction": self.max_quarantined_fraction,
            "delimiter": self.delimiter,
        }


def default_null_policy(role: str, column_type: str) -> NullPolicy:
    """The label is never imputed (a made-up target teaches the model nothing); features keep their rows."""
    if role == "label":
        return QUARANTINE
    if column_type == "numeric":
        return NullPolicy("impute-median")
    return NullPolicy(IMPUTE_VALUE, DEFAULT_CATEGORICAL_IMPUTE)


def _fail(where: str, problem: str, advice: str = "") -> ContractError:
    return ContractError(f"contract field {where}: {problem}" + (f". {advice}" if advice else ""))


def _check_keys(document: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    for key in document:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"Did you mean {close[0]!r}?" if close else f"Allowed: {', '.join(allowed)}"
            raise _fail(f"{where}{key}", f"unknown field {key!r}", hint)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _fail(where, f"expected a finite number, got {json.dumps(value)}")
    return float(value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"expected a non-empty string, got {json.dumps(value)}")
    if value != value.strip():
        raise _fail(where, f"{value!r} has leading or trailing spaces",
                    "values are compared after trimming: remove them")
    return value


def parse_null_policy(value: Any, where: str) -> NullPolicy:
    """``'quarantine' | 'impute-mean' | 'impute-median' | 'impute-mode' | {impute: string | number}``."""
    if isinstance(value, str) and value in NULL_POLICY_NAMES:
        return NullPolicy(value)
    if isinstance(value, dict) and set(value) == {"impute"}:
        fill = value["impute"]
        if isinstance(fill, bool) or not isinstance(fill, (str, int, float)):
            raise _fail(f"{where}.impute", f"expected a string or a number, got {json.dumps(fill)}")
        if isinstance(fill, float) and not math.isfinite(fill):
            raise _fail(f"{where}.impute", f"expected a finite number, got {fill}")
        return NullPolicy(IMPUTE_VALUE, fill)
    raise _fail(
        where,
        f"unknown null policy {json.dumps(value)}",
        f"use one of {', '.join(repr(n) for n in NULL_POLICY_NAMES)} or {{\"impute\": <value>}}",
    )


def check_policy_fits(policy: NullPolicy, column_type: str, where: str) -> NullPolicy:
    """Mean and median need numbers; a fixed value must have the column's type (numbers stored as floats)."""
    if policy.kind in ("impute-mean", "impute-median") and column_type != "numeric":
        raise _fail(where, f"{policy.kind!r} needs a numeric column, but the column is {column_type}",
                    "use 'impute-mode', {\"impute\": \"...\"} or 'quarantine'")
    if policy.kind != IMPUTE_VALUE:
        return policy
    fill = policy.value
    if column_type == "numeric":
        try:
            number = float(fill)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise _fail(f"{where}.impute", f"{json.dumps(fill)} is not a number but the column is numeric",
                        "impute a number") from None
        if not math.isfinite(number):
            raise _fail(f"{where}.impute", f"{json.dumps(fill)} is not a finite number", "impute a finite number")
        return NullPolicy(IMPUTE_VALUE, number)
    if not isinstance(fill, str):
        raise _fail(f"{where}.impute", f"{json.dumps(fill)} is a number but the column is categorical",
                    f"write it as text: {json.dumps(str(fill))}")
    return NullPolicy(IMPUTE_VALUE, _text(fill, f"{where}.impute"))


def parse_column(name: str, document: Any, is_label: bool) -> ColumnRule:
    where = f"columns.{name}"
    if not isinstance(document, dict):
        raise _fail(where, f"expected an object like {{\"type\": \"numeric\"}}, got {json.dumps(document)}")
    _check_keys(document, _COLUMN_KEYS, f"{where}.")
    column_type = document.get("type")
    if column_type not in COLUMN_TYPES:
        raise _fail(f"{where}.type", f"expected 'numeric' or 'categorical', got {json.dumps(column_type)}")
    if is_label and column_type != "numeric":
        raise _fail(f"{where}.type", f"the label column {name!r} must be numeric, got {column_type!r}",
                    "encode the classes as 0/1 (binary_classification) or use the numeric target")
    nulls = None
    if "nulls" in document:
        nulls = check_policy_fits(parse_null_policy(document["nulls"], f"{where}.nulls"), column_type, f"{where}.nulls")
        if is_label and nulls.kind != "quarantine":
            raise _fail(f"{where}.nulls", f"the label column cannot be imputed (got {json.dumps(nulls.to_json())})",
                        "use 'quarantine' or leave nulls out")
    bounds = {key: _number(document[key], f"{where}.{key}") for key in ("min", "max") if key in document}
    if bounds and column_type != "numeric":
        raise _fail(f"{where}.{next(iter(bounds))}", "min and max apply to numeric columns only", "remove it")
    if "min" in bounds and "max" in bounds and bounds["min"] > bounds["max"]:
        raise _fail(f"{where}.min", f"min {bounds['min']:g} is greater than max {bounds['max']:g}", "swap them")
    values = None
    if "values" in document:
        raw = document["values"]
        if column_type != "categorical":
            raise _fail(f"{where}.values", "values apply to categorical columns only",
                        "remove it or use type 'categorical'")
        if not isinstance(raw, list) or not raw:
            raise _fail(f"{where}.values", f"expected a non-empty list of strings, got {json.dumps(raw)}")
        values = tuple(_text(v, f"{where}.values[{i}]") for i, v in enumerate(raw))
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise _fail(f"{where}.values", f"{repeated} listed more than once", "list each category once")
    if nulls is not None and nulls.kind == IMPUTE_VALUE and column_type == "numeric":
        low, high = bounds.get("min", -math.inf), bounds.get("max", math.inf)
        if not low <= float(nulls.value) <= high:  # type: ignore[arg-type]
            raise _fail(f"{where}.nulls.impute", f"{nulls.value:g} is outside [min, max] = [{low:g}, {high:g}]",
                        "impute a value within the bounds")
    return ColumnRule(type=column_type, nulls=nulls, min=bounds.get("min"), max=bounds.get("max"), values=values)


def parse_contract(text: str) -> Contract:
    """Parse the ``--contract`` argument; raises ContractError naming the first bad field and its value."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ContractError(
            f"--contract is not valid JSON ({error}; it starts with {text[:60]!r}): pass the stage's "
            "DatasetContractDocument as JSON"
        ) from None
    if not isinstance(document, dict):
        raise ContractError(f"--contract must be a JSON object, got {type(document).__name__}")
    _check_keys(document, _DOCUMENT_KEYS, "")
    if document.get("version") != 1:
        raise _fail("version", f"expected 1, got {json.dumps(document.get('version'))}",
                    "this job reads version 1 of the contract format")
    label = _text(document.get("label"), "label")
    problem_type = document.get("problemType")
    if problem_type not in PROBLEM_TYPES:
        raise _fail("problemType", f"expected one of {', '.join(PROBLEM_TYPES)}, got {json.dumps(problem_type)}")
    raw_columns = document.get("columns", {})
    if not isinstance(raw_columns, dict):
        raise _fail("columns", f"expected an object keyed by column name, got {json.dumps(raw_columns)}")
    columns = {}
    for name, column in raw_columns.items():
        columns[_text(name, f"columns key {name!r}")] = parse_column(name, column, is_label=name == label)
    drop = document.get("dropColumns", [])
    if not isinstance(drop, list):
        raise _fail("dropColumns", f"expected a list of column names, got {json.dumps(drop)}")
    drop_columns = tuple(_text(name, f"dropColumns[{i}]") for i, name in enumerate(drop))
    if label in drop_columns:
        raise _fail("dropColumns", f"it drops the label column {label!r}", "remove it from dropColumns")
    both = [name for name in drop_columns if name in columns]
    if both:
        raise _fail("dropColumns", f"{both} also described in columns", "either drop a column or describe it")
    max_categories = document.get("maxCategories", DEFAULT_MAX_CATEGORIES)
    if isinstance(max_categories, bool) or not isinstance(max_categories, int) or not 1 <= max_categories <= 10000:
        raise _fail("maxCategories", f"expected a whole number from 1 to 10000, got {json.dumps(max_categories)}")
    deduplicate = document.get("deduplicate", True)
    if not isinstance(deduplicate, bool):
        raise _fail("deduplicate", f"expected true or false, got {json.dumps(deduplicate)}")
    fraction = _number(document.get("maxQuarantinedFraction", DEFAULT_MAX_QUARANTINED_FRACTION),
                       "maxQuarantinedFraction")
    if not 0.0 <= fraction <= 1.0:
        raise _fail("maxQuarantinedFraction", f"expected a number from 0 to 1, got {fraction:g}")
    delimiter = document.get("delimiter", DEFAULT_DELIMITER)
    if not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in ('"', "\n", "\r"):
        raise _fail("delimiter",
                    f"expected one character other than a quote or a line break, got {json.dumps(delimiter)}",
                    "use ',' ';' '|' or '\\t'")
    return Contract(
        label=label,
        problem_type=problem_type,
        columns=columns,
        drop_columns=drop_columns,
        max_categories=max_categories,
        deduplicate=deduplicate,
        max_quarantined_fraction=fraction,
        delimiter=delimiter,
    )
