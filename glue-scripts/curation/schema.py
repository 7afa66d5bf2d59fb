"""The schema a run used: column types, null policies with the imputation values used, category lists, feature order.

Written as ``<output>/schema.json``. It is all that inference needs to encode a raw row as the job did, and a later
run can pin it (``--schema_uri``) to curate new data with the same columns, categories and imputation values.

Encoded features: a numeric column keeps its name; a categorical column becomes one 0/1 column per category, named
``<column>=<category>``, in the recorded category order. The curated CSV is the label, then the features of each
column in the schema's column order (the upload's header order): ``featureColumns``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Any, Sequence

from .contract import IMPUTE_VALUE, PROBLEM_TYPES, NullPolicy, check_policy_fits, parse_null_policy
from .errors import ContractError, SchemaError

SCHEMA_VERSION = 1
ONE_HOT_SEPARATOR = "="


@dataclass(frozen=True)
class ColumnSchema:
    """One source column as the run treats it.

    ``categories`` is None only while a run still has to learn them from its rows; when set before the rows are
    classified (contract ``values`` or a pinned schema), other values set the row aside as ``unknown_category``.
    ``impute_value`` is None for ``quarantine`` and while a run still has to compute it.
    """

    name: str
    role: str  # "label" | "feature"
    type: str  # "numeric" | "categorical"
    nulls: NullPolicy
    impute_value: float | str | None = None
    min: float | None = None
    max: float | None = None
    categories: tuple[str, ...] | None = None
    inferred: bool = False  # the type came from the data, not the contract

    def encoded_names(self) -> list[str]:
        if self.type == "numeric":
            return [self.name]
        return [f"{self.name}{ONE_HOT_SEPARATOR}{category}" for category in self.categories or ()]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "type": self.type,
            "nulls": self.nulls.to_json(),
            "imputeValue": self.impute_value,
            "min": self.min,
            "max": self.max,
            "categories": list(self.categories) if self.categories is not None else None,
            "inferred": self.inferred,
        }


@dataclass(frozen=True)
class Schema:
    """Label first, then the feature columns in order; ``source_columns`` is the upload's header."""

    label: str
    problem_type: str
    source_columns: tuple[str, ...]
    drop_columns: tuple[str, ...]
    columns: tuple[ColumnSchema, ...]

    @property
    def label_column(self) -> ColumnSchema:
        return self.columns[0]

    @property
    def features(self) -> tuple[ColumnSchema, ...]:
        return self.columns[1:]

    def column(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def feature_columns(self) -> list[str]:
        """The encoded feature names in order (what the curated CSV holds after the label)."""
        return [name for column in self.features for name in column.encoded_names()]

    def with_column(self, column: ColumnSchema) -> "Schema":
        return replace(self, columns=tuple(column if c.name == column.name else c for c in self.columns))

    def check_output_names(self) -> None:
        """One-hot names must not collide with each other or with another column (e.g. a column named 'a=b')."""
        seen: dict[str, str] = {self.label: self.label}
        for column in self.features:
            for name in column.encoded_names():
                if name in seen:
                    raise SchemaError(
                        f"encoded feature name {name!r} (from column {column.name!r}) is also produced by column "
                        f"{seen[name]!r}: rename one of the columns or drop it with dropColumns"
                    )
                seen[name] = column.name

    def to_json(self) -> dict[str, Any]:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "label": self.label,
            "problemType": self.problem_type,
            "sourceColumns": list(self.source_columns),
            "dropColumns": list(self.drop_columns),
            "columns": [column.to_json() for column in self.columns],
            "featureColumns": self.feature_columns,
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"


def _bad(origin: str, where: str, problem: str) -> SchemaError:
    return SchemaError(
        f"pinned schema {origin}: field {where}: {problem}. Pin the schema.json written by an earlier run of this job, "
        "unchanged"
    )


def _optional_number(value: Any, origin: str, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _bad(origin, where, f"expected a finite number or null, got {json.dumps(value)}")
    return float(value)


def _column_from_json(document: Any, index: int, origin: str) -> ColumnSchema:
    where = f"columns[{index}]"
    if not isinstance(document, dict):
        raise _bad(origin, where, f"expected an object, got {json.dumps(document)[:80]}")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise _bad(origin, f"{where}.name", f"expected a column name, got {json.dumps(name)}")
    where = f"columns[{index}] ({name})"
    role = document.get("role")
    column_type = document.get("type")
    if role not in ("label", "feature") or (role == "label") != (index == 0):
        raise _bad(origin, f"{where}.role",
                   f"got {json.dumps(role)}; the first column is the label, the others features")
    if column_type not in ("numeric", "categorical"):
        raise _bad(origin, f"{where}.type", f"expected 'numeric' or 'categorical', got {json.dumps(column_type)}")
    try:
        nulls = check_policy_fits(parse_null_policy(document.get("nulls"), "nulls"), column_type, "nulls")
    except ContractError as error:  # the contract's wording, re-homed to the schema file
        raise _bad(origin, f"{where}.nulls", str(error).split(": ", 1)[-1]) from None
    impute = document.get("imputeValue")
    if nulls.imputes:
        if column_type == "numeric" and _optional_number(impute, origin, f"{where}.imputeValue") is None:
            raise _bad(origin, f"{where}.imputeValue", f"policy {json.dumps(nulls.to_json())} needs a number, got null")
        if column_type == "categorical" and not isinstance(impute, str):
            raise _bad(origin, f"{where}.imputeValue", f"expected the imputed category, got {json.dumps(impute)}")
        if column_type == "numeric":
            impute = float(impute)
    elif impute is not None:
        raise _bad(origin, f"{where}.imputeValue", f"'quarantine' imputes nothing, but it holds {json.dumps(impute)}")
    categories = document.get("categories")
    if column_type == "categorical":
        if not isinstance(categories, list) or not categories or not all(isinstance(c, str) and c for c in categories):
            raise _bad(origin, f"{where}.categories",
                       f"expected a non-empty list of strings, got {json.dumps(categories)}")
        if len(set(categories)) != len(categories):
            raise _bad(origin, f"{where}.categories", "a category is listed twice")
        if nulls.imputes and impute not in categories:
            raise _bad(origin, f"{where}.imputeValue", f"{impute!r} is not one of the categories")
        categories = tuple(categories)
    elif categories is not None:
        raise _bad(origin, f"{where}.categories", "a numeric column has no categories")
    return ColumnSchema(
        name=name,
        role=role,
        type=column_type,
        nulls=nulls,
        impute_value=impute,
        min=_optional_number(document.get("min"), origin, f"{where}.min"),
        max=_optional_number(document.get("max"), origin, f"{where}.max"),
        categories=categories,
        inferred=bool(document.get("inferred", False)),
    )


def schema_from_json(text: str, origin: str) -> Schema:
    """Read a schema.json written by :meth:`Schema.dumps`; ``origin`` (its URI) is named in every error."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SchemaError(
            f"pinned schema {origin} is not valid JSON ({error}): pin a schema.json of an earlier run"
        ) from None
    if not isinstance(document, dict):
        raise _bad(origin, "(document)", f"expected a JSON object, got {type(document).__name__}")
    if document.get("schemaVersion") != SCHEMA_VERSION:
        raise _bad(origin, "schemaVersion",
                   f"expected {SCHEMA_VERSION}, got {json.dumps(document.get('schemaVersion'))}")
    if document.get("problemType") not in PROBLEM_TYPES:
        raise _bad(origin, "problemType",
                   f"expected one of {', '.join(PROBLEM_TYPES)}, got {document.get('problemType')!r}")
    for key in ("sourceColumns", "dropColumns", "columns", "featureColumns"):
        if not isinstance(document.get(key), list):
            raise _bad(origin, key, f"expected a list, got {json.dumps(document.get(key))[:80]}")
    columns = tuple(_column_from_json(item, i, origin) for i, item in enumerate(document["columns"]))
    if len(columns) < 2:
        raise _bad(origin, "columns", "expected the label and at least one feature column")
    if columns[0].name != document.get("label"):
        raise _bad(origin, "label", f"{document.get('label')!r} is not the first column ({columns[0].name!r})")
    schema = Schema(
        label=columns[0].name,
        problem_type=document["problemType"],
        source_columns=tuple(str(c) for c in document["sourceColumns"]),
        drop_columns=tuple(str(c) for c in document["dropColumns"]),
        columns=columns,
    )
    missing = [c.name for c in columns if c.name not in schema.source_columns]
    if missing:
        raise _bad(origin, "sourceColumns", f"it lacks the described column(s) {missing}")
    if schema.feature_columns != document["featureColumns"]:
        raise _bad(origin, "featureColumns", "it does not match the columns and their categories (edited by hand?)")
    schema.check_output_names()
    return schema


def category_list(seen: Sequence[str], policy: NullPolicy, fixed: Sequence[str] | None) -> tuple[str, ...]:
    """The one-hot categories: the contract's ``values`` in their order, else the values seen, sorted.

    A fixed imputed value is always a category (appended after ``values`` when not listed), so that a missing value
    encodes the same way whether or not the run that learnt the schema happened to see one.
    """
    categories = list(fixed) if fixed is not None else sorted(set(seen))
    if policy.kind == IMPUTE_VALUE and policy.value not in categories:
        if fixed is not None:
            categories.append(str(policy.value))
        else:
            categories = sorted(categories + [str(policy.value)])
    return tuple(categories)
