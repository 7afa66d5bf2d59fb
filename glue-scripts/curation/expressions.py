"""Column expressions shared by profiling, cleaning and encoding: what counts as missing, as a number, as a category.

ml/inference.py applies the same definitions to raw request rows (its ``_RAW_*`` constants); the parity test in
test/python/glue/test_parity.py checks that both give identical feature vectors.

- A value is trimmed of spaces and tabs; an empty result is missing.
- A number is plain decimal text (``12``, ``-3.5``, ``.5``, ``1e3``) whose value is finite; no ``NaN``, ``inf``,
  thousands separators or Java's ``1d``, which Spark's cast alone would accept.
- A category is the trimmed text, compared exactly (case matters).
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

TRIM_CHARACTERS = " \t"
NUMBER_PATTERN = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"  # what number() accepts, as a regex
NUMBER_CHARACTERS = "0123456789.eE+-"
CORRUPT_RECORD = "_corrupt_record"
REASON = "quarantine_reason"
RAW_LINE = "quarantine_raw_line"


def internal_name(position: int) -> str:
    """Source columns are read under positional names, so that header names never need quoting in expressions."""
    return f"_c{position}"


# The staged rows (clean.stage): each source column once trimmed, once as a number, and as uploaded where trimming
# changed it. Every step after staging reads these, so no value is trimmed or parsed twice.
def text_column(position: int) -> str:
    """The trimmed text of source column ``position`` (null when missing)."""
    return f"__t{position}"


def number_column(position: int) -> str:
    """The number of source column ``position`` (null when missing or not a number), for columns that may be numeric."""
    return f"__n{position}"


def original_column(position: int) -> str:
    """Source column ``position`` as uploaded, where that differs from its trimmed text (else null)."""
    return f"__o{position}"


def source_text(position: int) -> Column:
    """Source column ``position`` as uploaded, from the staged columns."""
    return F.coalesce(F.col(original_column(position)), F.col(text_column(position)))


def text(column: str) -> Column:
    """The trimmed text of a raw column, or null when it is missing."""
    trimmed = F.btrim(F.col(column), F.lit(TRIM_CHARACTERS))
    return F.when(trimmed != "", trimmed)


def number(value: Column) -> Column:
    """The double of trimmed text when it is a finite decimal number, else null.

    Only digits, '.', 'e', 'E', '+' and '-' may appear (a ``translate`` check, several times cheaper than a regular
    expression); Spark's cast (Java's Double.parseDouble, correctly rounded like Python's float) rejects the rest
    of what NUMBER_PATTERN excludes, such as '1.2.3' or 'e5'.
    """
    cast = value.cast("double")
    return F.when((F.translate(value, NUMBER_CHARACTERS, "") == "") & (F.abs(cast) < F.lit(float("inf"))), cast)


def not_number(value: Column) -> Column:
    """True for present text that is not a number (missing values are not 'not numeric': they are missing)."""
    return value.isNotNull() & number(value).isNull()
