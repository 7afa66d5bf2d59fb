"""Schema inference: profile the raw rows once, decide each column's type, then learn imputation values and
categories from the rows that survived classification.

The profile is one aggregation over the raw rows (row counts, and per column present / non-numeric /
approximately-distinct counts); the statistics are aggregates that job.py evaluates together with the row counts by
reason (so they cost no pass of their own), plus one small group-by per ``impute-mode`` column. A column is numeric
when every present value is a number, else categorical when it has at most ``maxCategories`` distinct values (checked
exactly on the kept rows; the approximate count of the profile only rules out columns far above the limit, such as
identifiers, before any row is classified); else the run fails naming it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .contract import IMPUTE_VALUE, QUARANTINE, Contract, default_null_policy
from .errors import SchemaError, SourceFileError
from .expressions import CORRUPT_RECORD, number_column, original_column, text_column
from .reader import REPLACEMENT_CHARACTER, Header
from .schema import ColumnSchema, Schema, category_list

NUMERIC_WARNING_SHARE = 0.9


@dataclass(frozen=True)
class ColumnProfile:
    present: int  # rows (with the right field count) where the column has a value
    not_numeric: int  # ... where that value is not a number
    distinct: int  # approximate number of distinct present values
    example: str | None  # one present value that is not a number, for messages


@dataclass(frozen=True)
class Profile:
    rows: int
    ragged: int  # rows whose field count differs from the header's
    undecodable: int  # rows holding U+FFFD (Spark's stand-in for bytes that are not UTF-8)
    columns: Mapping[str, ColumnProfile]


def columns_to_infer(contract: Contract, header: Header) -> list[str]:
    """Features the contract does not type, and categoricals whose categories come from the data."""
    names = []
    for name in header.names:
        if name == contract.label or name in contract.drop_columns:
            continue
        rule = contract.columns.get(name)
        if rule is None or (rule.type == "categorical" and rule.values is None):
            names.append(name)
    return names


def profile(staged: DataFrame, header: Header, names: Sequence[str]) -> Profile:
    """One aggregation over the staged rows (clean.stage, with the numbers of ``names``); ragged rows are left out of
    the column statistics (their values shift)."""
    well_formed = F.col(CORRUPT_RECORD).isNull()
    undecodable = F.lit(False)
    for position in range(len(header.names)):
        undecodable = undecodable | F.coalesce(
            F.col(original_column(position)).contains(REPLACEMENT_CHARACTER),
            F.col(text_column(position)).contains(REPLACEMENT_CHARACTER),
            F.lit(False),
        )
    undecodable = undecodable | F.coalesce(F.col(CORRUPT_RECORD).contains(REPLACEMENT_CHARACTER), F.lit(False))
    aggregates = [
        F.count(F.lit(1)).alias("rows"),
        F.count(CORRUPT_RECORD).alias("ragged"),
        F.count(F.when(undecodable, 1)).alias("undecodable"),
    ]
    for index, name in enumerate(names):
        position = header.names.index(name)
        value = F.when(well_formed, F.col(text_column(position)))
        not_numeric = value.isNotNull() & F.col(number_column(position)).isNull()
        aggregates += [
            F.count(value).alias(f"present_{index}"),
            F.count(F.when(not_numeric, 1)).alias(f"not_numeric_{index}"),
            F.approx_count_distinct(value).alias(f"distinct_{index}"),
            F.first(F.when(not_numeric, value), ignorenulls=True).alias(f"example_{index}"),
        ]
    row = staged.agg(*aggregates).first()
    assert row is not None  # a global aggregation always returns one row
    return Profile(
        rows=int(row["rows"]),
        ragged=int(row["ragged"]),
        undecodable=int(row["undecodable"]),
        columns={
            name: ColumnProfile(
                present=int(row[f"present_{i}"]),
                not_numeric=int(row[f"not_numeric_{i}"]),
                distinct=int(row[f"distinct_{i}"]),
                example=row[f"example_{i}"],
            )
            for i, name in enumerate(names)
        },
    )


def _approximate_limit(max_categories: int) -> int:
    """Above this approximate count a column surely has too many categories (HyperLogLog's error is ~5%)."""
    return max_categories + max(5, math.ceil(0.2 * max_categories))


def _too_many_categories(source_uri: str, name: str, distinct: str, example: str | None, limit: int) -> SourceFileError:
    reason = f"e.g. {example!r} is not a number" if example is not None else "its values are text"
    return SourceFileError(
        source_uri,
        f"column {name!r} is neither numeric ({reason}) nor categorical: it has {distinct} distinct values, more "
        f"than maxCategories={limit}",
        "Drop it with the contract's dropColumns (identifiers, free text), raise maxCategories, or, for numbers "
        f"with a few bad values, declare it in the contract's columns as {{\"type\": \"numeric\"}} so that those "
        f"rows are set aside as not_numeric:{name}",
    )


def type_warnings(profiled: Profile, types: Mapping[str, str]) -> list[str]:
    """Columns inferred categorical although nearly all their values are numbers: probably numbers with a typo,
    which one-hot encoding would turn into one column per number. The contract's rule stands (numeric only when
    every value is a number); the report says so, and how to choose."""
    warnings = []
    for name, column in profiled.columns.items():
        numeric_share = 1 - column.not_numeric / column.present if column.present else 0.0
        if types.get(name) == "categorical" and numeric_share >= NUMERIC_WARNING_SHARE:
            warnings.append(
                f"column {name!r} was inferred categorical although {numeric_share:.1%} of its values are numbers "
                f"({column.not_numeric} are not, e.g. {column.example!r}): declare it in the contract's columns as "
                f"{{\"type\": \"numeric\"}} to set those rows aside (not_numeric:{name}) and keep it numeric"
            )
    return warnings


def decide_type(name: str, column: ColumnProfile, max_categories: int, source_uri: str) -> str:
    if column.present == 0:
        raise SourceFileError(
            source_uri, f"column {name!r} is empty in every row, so its type cannot be inferred",
            "Drop it with the contract's dropColumns, or describe it in the contract's columns with a type and nulls",
        )
    if column.not_numeric == 0:
        return "numeric"
    if column.distinct > _approximate_limit(max_categories):
        raise _too_many_categories(source_uri, name, f"about {column.distinct}", column.example, max_categories)
    return "categorical"


def draft_schema(contract: Contract, header: Header, types: Mapping[str, str], source_uri: str) -> Schema:
    """Types, null policies and contract categories; imputation values computed from data are still missing."""
    label_rule = contract.columns.get(contract.label)
    columns = [
        ColumnSchema(
            name=contract.label, role="label", type="numeric", nulls=QUARANTINE,
            min=label_rule.min if label_rule else None, max=label_rule.max if label_rule else None,
        )
    ]
    for name in header.names:
        if name == contract.label or name in contract.drop_columns:
            continue
        rule = contract.columns.get(name)
        column_type = rule.type if rule is not None else types[name]
        nulls = rule.nulls if rule is not None else None
        nulls = nulls or default_null_policy("feature", column_type)
        fixed = rule.values if rule is not None else None
        columns.append(
            ColumnSchema(
                name=name,
                role="feature",
                type=column_type,
                nulls=nulls,
                impute_value=nulls.value if nulls.kind == IMPUTE_VALUE else None,
                min=rule.min if rule is not None else None,
                max=rule.max if rule is not None else None,
                categories=category_list((), nulls, fixed) if fixed is not None else None,
                inferred=rule is None,
            )
        )
    if len(columns) == 1:
        raise SourceFileError(
            source_uri, f"it has no feature columns (header: {', '.join(header.names)})",
            "Upload a file with feature columns beside the label, or drop fewer columns",
        )
    return Schema(
        label=contract.label,
        problem_type=contract.problem_type,
        source_columns=header.names,
        drop_columns=tuple(name for name in contract.drop_columns if name in header.names),
        columns=tuple(columns),
    )


def _nothing_to_impute(column: ColumnSchema) -> SchemaError:
    return SchemaError(
        f"column {column.name!r} has no values in the rows kept, so {column.nulls.kind!r} has nothing to compute: "
        "describe the column in the contract with {\"impute\": <value>} or drop it with dropColumns"
    )


def _mode(kept: DataFrame, value: Column) -> Any:
    """Most frequent present value; ties go to the smallest value so that reruns agree."""
    counted = kept.select(value.alias("value")).where(F.col("value").isNotNull()).groupBy("value").count()
    row = counted.orderBy(F.desc("count"), F.asc("value")).first()
    return None if row is None else row["value"]


def _staged_value(column: ColumnSchema, header: Header) -> Column:
    """A column's value in the staged rows: its number when numeric, else its trimmed text."""
    position = header.names.index(column.name)
    return F.col(number_column(position) if column.type == "numeric" else text_column(position))


def statistics(draft: Schema, header: Header) -> list[Column]:
    """Aggregates that learn imputation values and categories; evaluated per reason group together with the row
    counts (one pass over the classified rows), of which the kept rows' group is used."""
    aggregates = []
    for index, column in enumerate(draft.features):
        value = _staged_value(column, header)
        if column.type == "numeric" and column.nulls.kind == "impute-mean":
            aggregates.append(F.avg(value).alias(f"fill_{index}"))
        elif column.type == "numeric" and column.nulls.kind == "impute-median":
            aggregates.append(F.median(value).alias(f"fill_{index}"))
        if column.type == "categorical" and column.categories is None:
            aggregates.append(F.collect_set(value).alias(f"seen_{index}"))
    return aggregates


def finalize_schema(
    stats: Mapping[str, Any], kept: DataFrame, draft: Schema, header: Header, max_categories: int, source_uri: str
) -> Schema:
    """Fill in imputation values and categories from ``stats`` (the :func:`statistics` of the kept rows) and, for
    ``impute-mode`` columns, one group-by over ``kept``."""
    schema = draft
    for index, column in enumerate(draft.features):
        fill = column.impute_value
        if column.nulls.kind in ("impute-mean", "impute-median"):
            fill = stats.get(f"fill_{index}")
        elif column.nulls.kind == "impute-mode":
            fill = _mode(kept, _staged_value(column, header))
        if column.nulls.imputes and fill is None:
            raise _nothing_to_impute(column)
        if column.type == "numeric" and fill is not None:
            fill = float(fill)
        categories = column.categories
        if column.type == "categorical" and categories is None:
            seen = list(stats.get(f"seen_{index}") or [])
            if len(seen) > max_categories:
                raise _too_many_categories(source_uri, column.name, str(len(seen)), sorted(seen)[0], max_categories)
            policy = column.nulls if column.nulls.kind == IMPUTE_VALUE else QUARANTINE
            categories = category_list(seen, policy, None)
            if not categories:
                raise _nothing_to_impute(column)
        schema = schema.with_column(replace(column, impute_value=fill, categories=categories))
    schema.check_output_names()
    return schema


def pin_schema(pinned: Schema, contract: Contract, header: Header, schema_uri: str) -> tuple[Schema, list[str]]:
    """Check a pinned schema fits this run's contract; returns it and the header columns it ignores."""
    if pinned.label != contract.label or pinned.problem_type != contract.problem_type:
        raise SchemaError(
            f"pinned schema {schema_uri} is for label {pinned.label!r} ({pinned.problem_type}) but the contract says "
            f"{contract.label!r} ({contract.problem_type}): pin a schema of this stage's data or remove --schema_uri"
        )
    for name, rule in contract.columns.items():
        try:
            column = pinned.column(name)
        except KeyError:
            continue
        if column.type != rule.type:
            raise SchemaError(
                f"pinned schema {schema_uri} types column {name!r} as {column.type} but the contract says {rule.type}: "
                "run once without --schema_uri to learn a new schema, or align the contract"
            )
    described = {column.name for column in pinned.columns}
    dropped = set(contract.drop_columns) | set(pinned.drop_columns)
    ignored = [name for name in header.names if name not in described and name not in dropped]
    return pinned, ignored
