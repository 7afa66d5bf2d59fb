"""Errors of the curation job. Each message says what was wrong, with the value, and what to do about it."""

from __future__ import annotations


class CurationError(Exception):
    """Base class: the run cannot produce curated data. The message is what the Glue job run's error shows."""


class ContractError(CurationError):
    """The dataset contract (``--contract``) or a pinned schema is malformed; the message names the field."""


class SourceFileError(CurationError):
    """The uploaded file as a whole cannot be curated (empty, wrong delimiter, not UTF-8, mostly bad rows...).

    The raw object is never modified; the message names the file, what is wrong and what to do.
    """

    def __init__(self, source_uri: str, problem: str, advice: str) -> None:
        super().__init__(f"source file {source_uri}: {problem}. {advice}")
        self.source_uri = source_uri
        self.problem = problem
        self.advice = advice


class SchemaError(CurationError):
    """A column cannot be given a type, an imputation value or a category list; the message names the column."""
