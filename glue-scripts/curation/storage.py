"""Locations: small text files (schema.json, report.json) and byte-level checks of the source file.

The same job runs on Glue (``s3://`` URIs) and locally (plain paths or ``file://`` URIs, what local mode and the
tests pass). Spark reads and writes every one of them itself; only the small JSON files and the search for the first
line that is not UTF-8 go through here. boto3 is imported inside the S3 branches: the Glue runtime ships it, local
runs never need it.
"""

from __future__ import annotations

import os
import re
from typing import IO, Iterator
from urllib.parse import urlparse

_CHUNK = 1 << 20


def is_s3(uri: str) -> bool:
    return uri.startswith(("s3://", "s3a://"))


def local_path(uri: str) -> str:
    """``file:///x/y`` -> ``/x/y``; a plain path stays as it is."""
    if uri.startswith("file://"):
        return urlparse(uri).path
    return uri


def spark_path(uri: str) -> str:
    """What Spark's readers and writers take: S3 URIs as they are, local paths absolute."""
    if is_s3(uri) or uri.startswith("file://"):
        return uri
    return os.path.abspath(uri)


def join(base: str, name: str) -> str:
    """``s3://b/curated/run/`` + ``schema.json``; works for paths and URIs alike."""
    return base.rstrip("/") + "/" + name


def _split_s3(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    return parsed.netloc, parsed.path.lstrip("/")


def read_text(uri: str) -> str:
    if is_s3(uri):
        import boto3  # Glue runtime only

        bucket, key = _split_s3(uri)
        return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    with open(local_path(uri), encoding="utf-8") as handle:
        return handle.read()


def write_text(uri: str, text: str, content_type: str = "application/json") -> None:
    if is_s3(uri):
        import boto3  # Glue runtime only

        bucket, key = _split_s3(uri)
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"), ContentType=content_type)
        return
    path = local_path(uri)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _chunks(uri: str) -> Iterator[bytes]:
    if is_s3(uri):
        import boto3  # Glue runtime only

        bucket, key = _split_s3(uri)
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
        yield from iter(lambda: body.read(_CHUNK), b"")
        return
    path = local_path(uri)
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such file or directory: {path}")
    files = [path] if os.path.isfile(path) else sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(path)
        for name in names
        if not name.startswith((".", "_"))
    )
    for file_path in files:
        handle: IO[bytes]
        with open(file_path, "rb") as handle:
            yield from iter(lambda: handle.read(_CHUNK), b"")


class UnreadableSource(Exception):
    """The source cannot be opened or read (missing, no permission); the message says what the store answered."""


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")  # the line endings Spark's text reader splits on


def _read_errors() -> tuple[type[Exception], ...]:
    """What reading a source raises when it is missing or not ours to read: OSError locally; on S3, botocore's
    errors (ClientError for NoSuchKey or AccessDenied), when botocore is installed (always on Glue)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def first_nonblank_line(uri: str) -> str | None:
    """The first line holding more than spaces (decoded as UTF-8, bad bytes as U+FFFD, as Spark's reader does), or
    None when there is none. Reads only as far as that line: the header of an upload, without a Spark job.

    A CRLF cut between two chunks reads as an extra blank line, which is skipped like any other.
    """
    pending = b""
    try:
        for chunk in _chunks(uri):
            lines = _LINE_BREAK.split(pending + chunk)
            pending = lines.pop()  # the start of a line that the next chunk completes
            for line in lines:
                if line.strip(b" "):
                    return line.decode("utf-8", errors="replace")
    except _read_errors() as error:
        raise UnreadableSource(str(error).splitlines()[0] if str(error) else type(error).__name__) from error
    return pending.decode("utf-8", errors="replace") if pending.strip(b" ") else None


def first_non_utf8_line(uri: str) -> tuple[int, bytes] | None:
    """The first line (1-based) that is not valid UTF-8 and its bytes, or None when the whole file is UTF-8.

    Only called once Spark has seen a replacement character, so a clean file is never read twice. Lines are split on
    ``\\n``, which never occurs inside a multi-byte UTF-8 sequence.
    """
    line_number = 1
    pending = b""
    for chunk in _chunks(uri):
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        for line in lines:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return line_number, line
            line_number += 1
    if pending:
        try:
            pending.decode("utf-8")
        except UnicodeDecodeError:
            return line_number, pending
    return None
