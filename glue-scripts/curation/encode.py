"""Encoding kept rows into curated training data: imputation, one-hot columns, the label first.

Output columns, in order: the label (an integer 0/1 for binary_classification, else a double), then for each feature
column in schema order either its number (missing -> the recorded imputation value) or one 0/1 integer column per
recorded category, named ``<column>=<category>`` (missing -> the recorded imputed category; a value that is not a
category cannot reach this point: classification set its row aside). ml/inference.py encodes raw request rows the
same way from the same schema.json.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from .expressions import number, text
from .reader import Header
from .schema import ColumnSchema, Schema


def encode_column(column: ColumnSchema, value: Column) -> list[Column]:
    """The encoded output columns of one feature, from its trimmed text (null when missing)."""
    if column.type == "numeric":
        parsed = number(value)
        if column.nulls.imputes:
            parsed = F.coalesce(parsed, F.lit(float(column.impute_value)))  # type: ignore[arg-type]
        return [parsed.alias(column.name)]
    if column.nulls.imputes:
        value = F.coalesce(value, F.lit(str(column.impute_value)))
    return [
        F.when(value == F.lit(category), F.lit(1)).otherwise(F.lit(0)).alias(name)
        for category, name in zip(column.categories or (), column.encoded_names())
    ]


def encode(kept: DataFrame, schema: Schema, header: Header) -> DataFrame:
    """Curated rows: label first, then every encoded feature in ``schema.feature_columns`` order."""
    label = number(text(header.internal(schema.label)))
    if schema.problem_type == "binary_classification":
        label = label.cast("int")
    outputs = [label.alias(schema.label)]
    for column in schema.features:
        outputs += encode_column(column, text(header.internal(column.name)))
    return kept.select(*outputs)
