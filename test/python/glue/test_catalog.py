"""The curated catalog table: a run sets its columns to the run's, with requests Glue's API accepts."""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError
from botocore.validate import ParamValidator

from curation import JobArguments, run_curation
from curation.catalog import catalog_name, table_columns, update_curated_table
from curation.errors import CurationError
from curation.schema import schema_from_json
from curation_testkit import Run, contract, read_parts, write_source

GLUE = botocore.session.get_session().get_service_model("glue")
TABLE = {  # what GetTable returns for lib/etl/catalog.ts's table, catalog-owned fields included
    "Name": "curated", "DatabaseName": "mlops_dev", "CatalogId": "111111111111", "VersionId": "4",
    "CreateTime": datetime.datetime(2026, 12, 1), "UpdateTime": datetime.datetime(2026, 12, 2),
    "IsRegisteredWithLakeFormation": False, "TableType": "EXTERNAL_TABLE",
    "Parameters": {"classification": "csv", "skip.header.line.count": "1", "projection.enabled": "true"},
    "PartitionKeys": [{"Name": "run_id", "Type": "string"}],
    "StorageDescriptor": {
        "Columns": [{"Name": "y", "Type": "double", "Comment": "the label"}],
        "Location": "s3://processed/curated/",
        "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"},
    },
}


class FakeGlue:
    """GetTable / UpdateTable; each UpdateTable request is checked against botocore's model of the Glue API."""

    def __init__(self, conflicts: int = 0, fail_get: bool = False) -> None:
        self.table = copy.deepcopy(TABLE)
        self.updates: list[dict[str, Any]] = []
        self.conflicts = conflicts
        self.fail_get = fail_get

    def get_table(self, **request: Any) -> dict[str, Any]:
        if self.fail_get:
            raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed"}}, "GetTable")
        assert request == {"DatabaseName": "mlops_dev", "Name": "curated"}
        return {"Table": copy.deepcopy(self.table)}

    def update_table(self, **request: Any) -> dict[str, Any]:
        report = ParamValidator().validate(request, GLUE.operation_model("UpdateTable").input_shape)
        assert not report.has_errors(), report.generate_report()
        self.updates.append(request)
        if self.conflicts:
            self.conflicts -= 1
            raise ClientError({"Error": {"Code": "ConcurrentModificationException", "Message": "busy"}}, "UpdateTable")
        self.table = {**self.table, **request["TableInput"], "VersionId": str(int(self.table["VersionId"]) + 1)}
        return {}


SCHEMA_SOURCE = "y,n,c\n1,2,a\n0,3,b\n1,,a\n"


@pytest.fixture(scope="module")
def schema(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("catalog-schema")
    args = JobArguments(str(write_source(root, SCHEMA_SOURCE)), "v1", "r", str(root / "out"), str(root / "q"),
                        contract(problem_type="binary_classification"))
    run_curation(spark, args)
    return schema_from_json((root / "out" / "schema.json").read_text(), "schema.json")


def test_columns_follow_the_curated_csv(schema: Any) -> None:
    assert table_columns(schema) == [
        {"Name": "y", "Type": "int", "Comment": "the label (y)"},
        {"Name": "n", "Type": "double", "Comment": "numeric column n"},
        {"Name": "c_a", "Type": "int", "Comment": "c=a: 1 when c is 'a'"},
        {"Name": "c_b", "Type": "int", "Comment": "c=b: 1 when c is 'b'"},
        {"Name": "c_missing", "Type": "int", "Comment": "c=missing: 1 when c is 'missing'"},
    ]


def test_catalog_names_are_ones_athena_takes_and_stay_unique() -> None:
    taken: set[str] = set()
    assert [catalog_name(n, taken) for n in ["Plan=Pro", "plan_pro", "plan=pro", "city=São Paulo", ""]] == [
        "plan_pro", "plan_pro_2", "plan_pro_3", "city_s_o_paulo", "column"]


def test_update_replaces_only_the_columns_and_names_the_version_it_read(schema: Any) -> None:
    glue = FakeGlue()

    assert update_curated_table(glue, "mlops_dev", "curated", schema) == 4

    (request,) = glue.updates
    assert request["VersionId"] == "4" and request["DatabaseName"] == "mlops_dev"
    assert set(request["TableInput"]) == {"Name", "TableType", "Parameters", "PartitionKeys", "StorageDescriptor"}
    descriptor = request["TableInput"]["StorageDescriptor"]
    assert descriptor["Columns"] == table_columns(schema)
    assert {k: v for k, v in descriptor.items() if k != "Columns"} == {
        k: v for k, v in TABLE["StorageDescriptor"].items() if k != "Columns"}


def test_a_concurrent_update_is_retried_and_errors_name_the_table(schema: Any) -> None:
    glue = FakeGlue(conflicts=1)
    update_curated_table(glue, "mlops_dev", "curated", schema)
    assert len(glue.updates) == 2 and glue.table["VersionId"] == "5"

    with pytest.raises(CurationError, match=r"cannot update the columns of the catalog table mlops_dev.curated .*busy"):
        update_curated_table(FakeGlue(conflicts=5), "mlops_dev", "curated", schema)
    with pytest.raises(CurationError, match=r"cannot read the catalog table mlops_dev.curated .*glue:GetTable"):
        update_curated_table(FakeGlue(fail_get=True), "mlops_dev", "curated", schema)


def run_with_catalog(spark: Any, root: Path, glue: FakeGlue) -> Run:
    args = JobArguments(str(write_source(root, SCHEMA_SOURCE)), "v1", "r", str(root / "run" / "curated"),
                        str(root / "run" / "quarantine"), contract(problem_type="binary_classification"),
                        catalog_database="mlops_dev", catalog_table="curated")
    return Run(root=root / "run", report=run_curation(spark, args, glue_client=glue))


def test_a_run_sets_the_table_columns_and_reports_it(spark: Any, tmp_path: Path) -> None:
    glue = FakeGlue()

    run = run_with_catalog(spark, tmp_path, glue)

    assert run.report["catalog"] == {"database": "mlops_dev", "table": "curated", "replacedVersion": 4, "columns": 5}
    # One catalog column per curated column, in order (the table reads them by position).
    taken: set[str] = set()
    assert [c["Name"] for c in glue.table["StorageDescriptor"]["Columns"]] == [
        catalog_name(name, taken) for name in run.data().columns]


def test_a_failed_catalog_update_fails_the_run_after_writing_the_data(spark: Any, tmp_path: Path) -> None:
    with pytest.raises(CurationError, match="cannot read the catalog table"):
        run_with_catalog(spark, tmp_path, FakeGlue(fail_get=True))

    run = Run(root=tmp_path / "run", report={})
    assert run.written_report()["status"] == "failed"
    assert "cannot read the catalog table mlops_dev.curated" in run.written_report()["error"]
    assert len(read_parts(run.output / "data")) == 3


def test_catalog_arguments_go_together() -> None:
    options = {"source_uri": "a", "source_version_id": "v", "run_id": "r", "output_uri": "o", "quarantine_uri": "q",
               "contract": "{}", "catalog_database": "mlops_dev"}
    with pytest.raises(CurationError, match="--catalog_database 'mlops_dev' and --catalog_table '' go together"):
        JobArguments.from_options(options)
    both = JobArguments.from_options({**options, "catalog_table": "curated"})
    assert (both.catalog_database, both.catalog_table) == ("mlops_dev", "curated")
