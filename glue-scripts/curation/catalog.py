"""The Glue Data Catalog table over the curated data: a run sets its columns to the run's.

The table (lib/etl/catalog.ts: CSV with a header, partitioned by run id through partition projection) reads each
run's ``data/`` folder by column position, so after a run its columns must be that run's: the label, then the
encoded features in order. Every run replaces them, which keeps queries of the latest run right; an older run's
partition read through the table then uses the latest columns (query older runs with their own schema.json).

The Glue client is passed in (the entry point creates it; tests pass a fake), so this module has no AWS setup.
"""

from __future__ import annotations

import os
import re
from typing import Any, Protocol

from .errors import CurationError
from .schema import Schema

# What UpdateTable's TableInput accepts of what GetTable returns (timestamps and views left out: not ours to set).
TABLE_INPUT_FIELDS = (
    "Name", "Description", "Owner", "Retention", "StorageDescriptor", "PartitionKeys", "ViewOriginalText",
    "ViewExpandedText", "TableType", "Parameters", "TargetTable",
)
ATTEMPTS = 3


class GlueClient(Protocol):
    def get_table(self, **kwargs: Any) -> dict[str, Any]: ...

    def update_table(self, **kwargs: Any) -> dict[str, Any]: ...


def default_glue_client() -> GlueClient:
    """boto3's Glue client for the runtime's region and credentials (Glue's role in the cloud; the local endpoint's
    AWS_ENDPOINT_URL_GLUE and dummy credentials in local mode). Imported here: only runs with a catalog table need it."""
    try:
        import boto3
    except ImportError as error:
        raise CurationError(
            "updating the catalog table needs boto3, which is not installed: run 'bash scripts/ensure-venv.sh' "
            "(requirements.txt pins it), or leave out --catalog_database and --catalog_table"
        ) from error
    # Older boto3 releases (Glue ships one) read AWS_DEFAULT_REGION only; Glue and local mode may set AWS_REGION.
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or None
    return boto3.client("glue", region_name=region)


def catalog_name(name: str, taken: set[str]) -> str:
    """A column name Athena takes (lowercase letters, digits, ``_``), unique among ``taken``: ``plan=Pro`` ->
    ``plan_pro``. The curated CSV keeps the encoded names; the table reads columns by position."""
    base = re.sub(r"[^a-z0-9_]", "_", name.lower()) or "column"
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}_{suffix}", suffix + 1
    taken.add(candidate)
    return candidate


def table_columns(schema: Schema) -> list[dict[str, str]]:
    """The curated CSV's columns as catalog columns: the label, then each encoded feature with its Hive type, under a
    name Athena accepts; each comment says which curated column it is."""
    taken: set[str] = set()
    label_type = "int" if schema.problem_type == "binary_classification" else "double"
    columns = [{"Name": catalog_name(schema.label, taken), "Type": label_type, "Comment": f"the label ({schema.label})"}]
    for column in schema.features:
        if column.type == "numeric":
            columns.append({"Name": catalog_name(column.name, taken), "Type": "double", "Comment": f"numeric column {column.name}"})
        else:
            for category, name in zip(column.categories or (), column.encoded_names()):
                columns.append({"Name": catalog_name(name, taken), "Type": "int",
                                "Comment": f"{name}: 1 when {column.name} is {category!r}"})
    return columns


def update_curated_table(client: GlueClient, database: str, table: str, schema: Schema) -> int:
    """Set the table's columns to ``schema``'s; returns the table version it replaced.

    UpdateTable names the version it read, so a concurrent run's update is not overwritten blindly: on
    ConcurrentModificationException the table is read again and the update retried (the last run wins).
    """
    columns = table_columns(schema)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            current = client.get_table(DatabaseName=database, Name=table)["Table"]
        except Exception as error:  # botocore's errors are generated per service: name the call instead
            raise CurationError(
                f"cannot read the catalog table {database}.{table} ({error}): the ETL stack creates it; check that "
                "it exists and that the job's role may call glue:GetTable on it"
            ) from error
        table_input = {key: current[key] for key in TABLE_INPUT_FIELDS if key in current}
        table_input["StorageDescriptor"] = {**current.get("StorageDescriptor", {}), "Columns": columns}
        request: dict[str, Any] = {"DatabaseName": database, "TableInput": table_input}
        if current.get("VersionId") is not None:
            request["VersionId"] = current["VersionId"]
        try:
            client.update_table(**request)
            return int(current.get("VersionId") or 0)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code == "ConcurrentModificationException" and attempt < ATTEMPTS:
                continue
            raise CurationError(
                f"cannot update the columns of the catalog table {database}.{table} ({error}): the curated data is "
                "written; check that the job's role may call glue:UpdateTable on it, then run the job again"
            ) from error
    raise AssertionError("unreachable: the last attempt returns or raises")
