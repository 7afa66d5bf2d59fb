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

from .expressions import number_column, text_column
from .reader import Header
from .schema import ColumnSchema, Schema


def encode_column(column: ColumnSchema, value: Column) -> list[Column]:
    """The encoded output columns of one feature, from its number (numeric) or its trimmed text (categorical), null
    when missing."""
    if column.type == "numeric":
        if column.nulls.imputes:
            value = F.coalesce(value, F.lit(float(column.impute_value)))  # type: ignore[arg-type]
        return [value.alias(column.name)]
    if column.nulls.imputes:
        value = F.coalesce(value, F.lit(str(column.impute_value)))
    return [
        F.when(value == F.lit(category), F.lit(1)).otherwise(F.lit(0)).alias(name)
        for category, name in zip(column.categories or (), column.encoded_names())
    ]


def encode(kept: DataFrame, schema: Schema, header: Header) -> DataFrame:
    """Curated rows from kept staged rows (clean.stage): label first, then every encoded feature in
    ``schema.feature_columns`` order."""
    label = F.col(number_column(header.names.index(schema.label)))
    if schema.problem_type == "binary_classification":
        label = label.cast("int")
    outputs = [label.alias(schema.label)]
    for column in schema.features:
        position = header.names.index(column.name)
        value = F.col(number_column(position) if column.type == "numeric" else text_column(position))
        outputs += encode_column(column, value)
    return kept.select(*outputs)
