"""Local stand-in for ``awsglue.context.GlueContext``: only ``spark_session`` (see the package docstring)."""

from __future__ import annotations

from pyspark.context import SparkContext
from pyspark.sql import SparkSession


class GlueContext:
    """Wraps a SparkContext as Glue's does; Glue's DynamicFrame API is deliberately absent."""

    def __init__(self, spark_context: SparkContext) -> None:
        if not isinstance(spark_context, SparkContext):
            raise TypeError(f"GlueContext needs a SparkContext, got {type(spark_context).__name__}")
        self._spark_context = spark_context
        self.spark_session = SparkSession(spark_context)

    def getSparkSession(self) -> SparkSession:  # noqa: N802 - Glue's spelling
        return self.spark_session
