"""Classification: give every raw row a quarantine reason, or none when it is kept.

A row gets the FIRST reason that applies, checked in this order: ``wrong_field_count``; the label
(``missing_label``, ``invalid_label``, ``below_min:<label>``, ``above_max:<label>``); then each feature column in
schema order (``null_value:<col>``, ``not_numeric:<col>``, ``below_min:<col>``, ``above_max:<col>``,
``unknown_category:<col>``); finally ``duplicate`` for a repeat of an earlier kept row. Reason codes are stable:
dashboards and the run report count rows by them.
"""

from __future__ import annotations

from typing import Iterable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .expressions import (
    CORRUPT_RECORD, REASON, internal_name, number, number_column, original_column, text, text_column,
)
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


FINGERPRINT = ("__fingerprint_a", "__fingerprint_b")  # of a kept row's trimmed values; null for other rows
FIRST_ORDER = "__first_order"


def fingerprint(values: list[Column]) -> list[Column]:
    """A 96-bit fingerprint of a row's trimmed values (xxhash64 and murmur3), as two columns.

    Duplicates are found by grouping on it: the shuffle then carries three numbers per row instead of every value.
    Each value is hashed with its null flag, since Spark's hashes skip nulls (('a', null) and (null, 'a') would
    otherwise collide). Two different rows share a fingerprint with probability about n^2 / 2^97 (1e-17 for a
    million rows).
    """
    tagged = [part for value in values for part in (value.isNull(), value)]
    return [F.xxhash64(*tagged), F.hash(*tagged)]


def stage(raw: DataFrame, schema: Schema, header: Header, numeric: Iterable[str], deduplicate: bool) -> DataFrame:
    """Every raw row once, as every later step reads it (the job caches it):

    - per source column its trimmed text (:func:`text_column`), its original text where trimming changed it
      (:func:`original_column`: quarantine keeps what was uploaded), and for the columns named in ``numeric`` its
      number (:func:`number_column`);
    - ``_corrupt_record``, ``quarantine_reason`` (every reason but ``duplicate``: the checks of ``schema``), the row
      order, and with ``deduplicate`` the fingerprint of each kept row (:func:`fingerprint`, over the trimmed values
      of every source column, dropped ones included: an exact duplicate is the same row, not the same features).

    ``numeric`` must name every numeric column of ``schema``; it may name more (the profile needs the numbers of the
    columns whose type it infers).
    """
    positions = range(len(header.names))
    numeric_positions = sorted({header.names.index(name) for name in numeric})
    missing = [c.name for c in schema.columns if c.type == "numeric" and header.names.index(c.name)
               not in numeric_positions]
    assert not missing, f"stage(): numeric columns {missing} have no number column"
    trimmed = raw.select(
        CORRUPT_RECORD,
        *[internal_name(i) for i in positions],
        *[text(internal_name(i)).alias(text_column(i)) for i in positions],
    )
    changed = [
        F.col(internal_name(i)).isNotNull()
        & (F.col(text_column(i)).isNull() | (F.col(text_column(i)) != F.col(internal_name(i))))
        for i in positions
    ]
    staged = trimmed.select(
        CORRUPT_RECORD,
        *[text_column(i) for i in positions],
        *[number(F.col(text_column(i))).alias(number_column(i)) for i in numeric_positions],
        *[F.when(changed[i], F.col(internal_name(i))).alias(original_column(i)) for i in positions],
    )
    texts = {column.name: F.col(text_column(header.names.index(column.name))) for column in schema.columns}
    numbers = {column.name: F.col(number_column(header.names.index(column.name)))
               for column in schema.columns if column.type == "numeric"}
    # Taken where the rows are still in file order (nothing here shuffles).
    staged = staged.withColumn(REASON, reason(schema, header, texts, numbers)).withColumn(
        ROW_ORDER, F.monotonically_increasing_id()
    )
    if deduplicate:
        kept = F.col(REASON).isNull()
        hashes = fingerprint([F.col(text_column(i)) for i in positions])
        staged = staged.select("*", *[F.when(kept, value).alias(name) for value, name in zip(hashes, FINGERPRINT)])
    return staged


def repeated_fingerprints(staged: DataFrame) -> DataFrame:
    """Fingerprints that more than one kept row of ``staged`` (:func:`stage`) has, each with the order of its
    first row: one aggregation that shuffles three numbers per kept row. Its result has a row (24 bytes) per group
    of equal rows, so it is small next to the data: :func:`mark_duplicates` broadcasts it. (Tens of millions of
    repeated rows in one upload would need a driver with memory for them.)"""
    return (
        staged.where(F.col(FINGERPRINT[0]).isNotNull())
        .groupBy(*FINGERPRINT)
        .agg(F.min(ROW_ORDER).alias(FIRST_ORDER), F.count(F.lit(1)).alias("__rows"))
        .where(F.col("__rows") > 1)
        .select(*FINGERPRINT, FIRST_ORDER)
    )


def mark_duplicates(staged: DataFrame, repeated: DataFrame) -> DataFrame:
    """``staged`` (:func:`stage`) with every kept row that repeats an earlier kept row (same fingerprint, later in
    file order) set to ``duplicate``. A broadcast join: the rows are neither shuffled nor reordered."""
    joined = staged.join(F.broadcast(repeated), list(FINGERPRINT), "left")
    repeat = F.col(FIRST_ORDER).isNotNull() & (F.col(ROW_ORDER) != F.col(FIRST_ORDER))
    marked = joined.withColumn(REASON, F.when(repeat, F.lit(DUPLICATE)).otherwise(F.col(REASON)))
    return marked.select(*[name for name in staged.columns if name not in FINGERPRINT])


def classify(raw: DataFrame, schema: Schema, header: Header, deduplicate: bool) -> DataFrame:
    """The staged rows (:func:`stage`) with ``quarantine_reason`` (null when kept) and the row order, in file order.

    With ``deduplicate``, a kept row whose trimmed values in every source column equal those of an earlier kept
    row in file order becomes ``duplicate``. Each action on the result parses the file again: the job caches the
    staged rows and the repeated fingerprints itself (job.py); this composition is for tests and small data.
    """
    numeric = [column.name for column in schema.columns if column.type == "numeric"]
    staged = stage(raw, schema, header, numeric, deduplicate)
    if not deduplicate:
        return staged
    return mark_duplicates(staged, repeated_fingerprints(staged))
