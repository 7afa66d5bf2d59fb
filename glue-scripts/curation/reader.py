"""Reading the uploaded CSV: its header (with the file-level checks it allows) and its rows as text.

Every source column is read as a string under a positional name (``_c0``, ``_c1``...), so that nothing is lost
before the row is classified (a quarantined row keeps its original text) and header names never need quoting in
Spark expressions. Rows with more or fewer fields than the header land in ``_corrupt_record`` with their raw line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from typing import Sequence

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from .contract import Contract
from .errors import SourceFileError
from .expressions import CORRUPT_RECORD, internal_name
from .storage import UnreadableSource, first_non_utf8_line, first_nonblank_line, spark_path

CANDIDATE_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
REPLACEMENT_CHARACTER = "\ufffd"


def _delimiter_name(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, repr(delimiter))


@dataclass(frozen=True)
class Header:
    names: tuple[str, ...]

    def internal(self, name: str) -> str:
        return internal_name(self.names.index(name))


def raise_if_not_utf8(source_uri: str) -> None:
    """Spark decodes invalid UTF-8 as U+FFFD; find the first line whose bytes are not UTF-8, if any, and fail."""
    found = first_non_utf8_line(source_uri)
    if found is not None:
        line, raw = found
        raise SourceFileError(
            source_uri,
            f"line {line} is not UTF-8 text (it starts with {raw[:60]!r})",
            "Save the file as UTF-8 (e.g. 'iconv -f latin1 -t utf-8 in.csv > out.csv', or choose UTF-8 in the "
            "export dialog) and upload it again",
        )


def read_header(source_uri: str, delimiter: str) -> Header:
    """The first non-blank line, split with the contract's delimiter; checks names are present and unique."""
    try:
        first = first_nonblank_line(source_uri)
    except UnreadableSource as error:
        raise SourceFileError(
            source_uri, f"it cannot be read ({error})",
            "Check that the object exists and that the job's role may read it",
        ) from None
    if first is None:
        raise SourceFileError(source_uri, "the file is empty", "Upload a CSV file with a header row and data rows")
    line = first.lstrip("\ufeff")  # a UTF-8 byte order mark is not part of the first name
    if REPLACEMENT_CHARACTER in line:
        raise_if_not_utf8(source_uri)
    names = [name.strip() for name in next(csv.reader([line], delimiter=delimiter))]
    for position, name in enumerate(names, start=1):
        if not name:
            raise SourceFileError(
                source_uri, f"header column {position} of {len(names)} has no name (header: {line[:120]!r})",
                "Name every column (a file written with a pandas index has an unnamed first column: export it with "
                "index=False)",
            )
    folded = [name.casefold() for name in names]
    repeated = sorted({name for name in names if folded.count(name.casefold()) > 1})
    if repeated:
        raise SourceFileError(
            source_uri, f"the header names {repeated} more than once (names are compared ignoring case)",
            "Give every column a unique name",
        )
    return Header(tuple(names))


def check_header(header: Header, contract: Contract, source_uri: str, required: Sequence[str] = ()) -> None:
    """The label and every column the contract (or a pinned schema) describes must be in the header."""
    names = header.names
    if contract.label not in names:
        if len(names) == 1:
            others = [d for d in CANDIDATE_DELIMITERS if d != contract.delimiter and d in names[0]]
            if others:
                found = _DELIMITER_NAMES[others[0]]
                raise SourceFileError(
                    source_uri,
                    f"reading it with the contract's delimiter {_delimiter_name(contract.delimiter)} "
                    f"finds one column {names[0][:80]!r} and no label column {contract.label!r}; the header looks "
                    f"delimited by {found}",
                    f"Export the file with {_delimiter_name(contract.delimiter)} as the delimiter, or set the "
                    f"contract's delimiter to {found}",
                )
        raise SourceFileError(
            source_uri,
            f"the label column {contract.label!r} is not in the header (columns: {', '.join(names)[:300]})",
            "Rename the column in the file, or fix the stage's labelColumn",
        )
    expected = list(contract.columns) + [c for c in required if c not in contract.columns]
    missing = [name for name in expected if name not in names]
    if missing:
        raise SourceFileError(
            source_uri,
            f"column(s) {missing} that the contract or the pinned schema require are not in the header "
            f"(columns: {', '.join(names)[:300]})",
            "Add them to the file, or remove them from the contract's columns",
        )


def read_rows(spark: SparkSession, source_uri: str, header: Header, delimiter: str) -> DataFrame:
    """Every data row as text under positional names, plus ``_corrupt_record`` (the raw line of a ragged row).

    Quotes follow RFC 4180 (``"a ""quoted"" word"``); blank lines are skipped; values keep their spaces here (they
    are trimmed when classified, and quarantine keeps the original text).
    """
    schema = T.StructType(
        [T.StructField(internal_name(i), T.StringType()) for i in range(len(header.names))]
        + [T.StructField(CORRUPT_RECORD, T.StringType())]
    )
    return (
        spark.read.schema(schema)
        .option("header", True)
        .option("enforceSchema", True)
        .option("sep", delimiter)
        .option("quote", '"')
        .option("escape", '"')
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", CORRUPT_RECORD)
        .option("ignoreLeadingWhiteSpace", False)
        .option("ignoreTrailingWhiteSpace", False)
        .option("encoding", "UTF-8")
        .option("multiLine", False)
        .csv(spark_path(source_uri))
    )
