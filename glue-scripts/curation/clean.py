"""Classification: give every raw row a quarantine reason, or none when it is kept.

A row gets the FIRST reason that applies, checked in this order: ``wrong_field_count``; the label
(``missing_label``, ``invalid_label``, ``below_min:<label>``, ``above_max:<label>``); then each feature column in
schema order (``null_value:<col>``, ``not_numeric:<col>``, ``below_min:<col>``, ``above_max:<col>``,
``unknown_category:<col>``); finally ``duplicate`` for a repeat of an earlier kept row. Reason codes are stable:
dashboards and the run report count rows by them.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from .expressions import CORRUPT_RECORD, REASON, internal_name, number, text
from .reader import Header
from .schema import ColumnSchema, Schema

WRONG_FIELD_COUNT = "wrong_field_count"
MISSING_LABEL = "missing_label"
INVALID_LABEL = "invalid_label"
DUPLICATE = "duplicate"

ROW_ORDER = "__row_order"  # file order (monotonically increasing, not consecutive)


def reason_codes_for(column: ColumnSchema) -> list[str]:
    """The reasons a column can produce (documentation and tests)."""
    if column.role == "label":
        codes = [MISSING_LABEL, INVALID_LABEL]
    else:
        codes = [] if column.nulls.imputes else [f"null_value:{column.name}"]
        if column.type == "numeric":
            codes.append(f"not_numeric:{column.name}")
        elif column.categories is not None:
            codes.append(f"unknown_category:{column.name}")
    if column.min is not None:
        codes.append(f"below_min:{column.name}")
    if column.max is not None:
        codes.append(f"above_max:{column.name}")
    return codes


def _bounds(value: Column, column: ColumnSchema) -> list[Column]:
    checks = []
    if column.min is not None:
        checks.append(F.when(value < F.lit(column.min), F.lit(f"below_min:{column.name}")))
    if column.max is not None:
        checks.append(F.when(value > F.lit(column.max), F.lit(f"above_max:{column.name}")))
    return checks


def reason(schema: Schema, header: Header, texts: dict[str, Column], numbers: dict[str, Column]) -> Column:
    """The quarantine reason of a row (null when it is kept), from its trimmed texts and parsed numbers."""
    checks = [F.when(F.col(CORRUPT_RECORD).isNotNull(), F.lit(WRONG_FIELD_COUNT))]
    label = schema.label_column
    value, parsed = texts[label.name], numbers[label.name]
    checks.append(F.when(value.isNull(), F.lit(MISSING_LABEL)))
    checks.append(F.when(parsed.isNull(), F.lit(INVALID_LABEL)))
    if schema.problem_type == "binary_classification":
        checks.append(F.when(~parsed.isin(0.0, 1.0), F.lit(INVALID_LABEL)))
    checks += _bounds(parsed, label)
    for column in schema.features:
        value = texts[column.name]
        if not column.nulls.imputes:
            checks.append(F.when(value.isNull(), F.lit(f"null_value:{column.name}")))
        if column.type == "numeric":
            parsed = numbers[column.name]
            checks.append(F.when(value.isNotNull() & parsed.isNull(), F.lit(f"not_numeric:{column.name}")))
            checks += _bounds(parsed, column)
        elif column.categories is not None:
            checks.append(
                F.when(value.isNotNull() & ~value.isin(*column.categories), F.lit(f"unknown_category:{column.name}"))
            )
    return F.coalesce(*checks)


def fingerprint(kept: Column, values: list[Column]) -> list[Column]:
    """A 96-bit fingerprint of a row's trimmed values (xxhash64 and murmur3), and whether the row is kept.

    Duplicates are found by partitioning on it: the shuffle then carries two numbers instead of every trimmed
    value, and the window sorts on a long (a radix sort) instead of comparing strings. Each value is hashed with
    its null flag, since Spark's hashes skip nulls (('a', null) and (null, 'a') would otherwise collide). Two
    different rows share a fingerprint with probability about n^2 / 2^97 (1e-17 for a million rows).
    """
    tagged = [part for value in values for part in (value.isNull(), value)]
    return [F.xxhash64(*tagged), F.hash(*tagged), kept]


def classify(raw: DataFrame, schema: Schema, header: Header, deduplicate: bool) -> DataFrame:
    """The raw rows (source columns as text and ``_corrupt_record``) with ``quarantine_reason`` and the row order.

    Trimmed texts and numbers are computed once per row in a projection, then referred to by the checks. With
    ``deduplicate``, a kept row whose trimmed values in every source column (dropped ones included: an exact
    duplicate is the same row, not the same features) equal those of an earlier kept row in file order becomes
    ``duplicate``: one shuffle, partitioned by a fingerprint of those values.
    """
    sources = [internal_name(i) for i in range(len(header.names))]
    used = {column.name: header.internal(column.name) for column in schema.columns}
    text_names = {name: f"__t{position}" for position, name in enumerate(header.names)}
    staged = raw.select(
        *sources,
        CORRUPT_RECORD,
        *[text(source).alias(text_names[name]) for name, source in zip(header.names, sources)],
    )
    staged = staged.select(
        "*",
        *[number(F.col(text_names[name])).alias(f"__n_{text_names[name]}") for name in used
          if schema.column(name).type == "numeric"],
    )
    texts = {name: F.col(text_names[name]) for name in used}
    numbers = {name: F.col(f"__n_{text_names[name]}") for name in used if schema.column(name).type == "numeric"}
    # Taken where the rows are still in file order (before any shuffle).
    classified = staged.withColumn(REASON, reason(schema, header, texts, numbers)).withColumn(
        ROW_ORDER, F.monotonically_increasing_id()
    )
    if deduplicate:
        kept = F.col(REASON).isNull()
        window = Window.partitionBy(*fingerprint(kept, [F.col(text_names[name]) for name in header.names]))
        repeat = kept & (F.row_number().over(window.orderBy(ROW_ORDER)) > 1)
        classified = classified.withColumn(REASON, F.when(repeat, F.lit(DUPLICATE)).otherwise(F.col(REASON)))
    return classified.select(*sources, CORRUPT_RECORD, REASON, ROW_ORDER)
