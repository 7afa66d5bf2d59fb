"""Whole runs of the curation job on a local SparkSession: outputs, row accounting, inferred and pinned schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import pytest

from curation import JobArguments, run_curation
from curation.errors import SchemaError, SourceFileError
from curation_testkit import Run, contract, read_parts, write_source

MIXED = (
    "id,age,city,plan,income,churned\n"
    "1,34,Paris,basic,52000,1\n"
    "2, 45 ,Berlin,pro,,0\n"              # gaps are imputed: income -> median
    "3,abc,Paris,basic,61000,1\n"         # not_numeric:age
    "4,29,,plus,48000,0\n"                # city -> 'missing'
    "5,52,Rome,gold,75000,1\n"            # unknown_category:plan
    "6,41,Paris,basic,58000,2\n"          # invalid_label
    "7,38,Berlin,pro,51000\n"             # wrong_field_count
    "8,33,Paris,basic,47000,\n"           # missing_label
    "9,17,Rome,pro,39000,0\n"             # below_min:age
    "2, 45 ,Berlin,pro,,0\n"              # duplicate of row 2
    "10,60,Rome,plus,80000,1\n"
    '11,58,"Rome",plus,"82,000",0\n'      # not_numeric:income (quoted, with a comma)
    "12,47,Berlin,basic,66000,1\n"
)
MIXED_CONTRACT = contract(
    label="churned", problem_type="binary_classification", dropColumns=["id"], maxQuarantinedFraction=0.9,
    columns={
        "age": {"type": "numeric", "min": 18},
        "income": {"type": "numeric"},
        "plan": {"type": "categorical", "values": ["basic", "plus", "pro"]},
    },
)


@pytest.fixture(scope="module")
def mixed(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One run over MIXED, shared by the tests that only read its outputs."""
    root = tmp_path_factory.mktemp("mixed")
    args = JobArguments(
        source_uri=str(write_source(root, MIXED)), source_version_id="v1", run_id="run",
        output_uri=str(root / "run" / "curated"), quarantine_uri=str(root / "run" / "quarantine"),
        contract=MIXED_CONTRACT,
    )
    return Run(root=root / "run", report=run_curation(spark, args))


def test_every_bad_row_is_quarantined_with_its_reason_and_the_counts_reconcile(mixed: Run) -> None:
    quarantine = mixed.quarantine().sort_values("id", key=lambda s: s.astype(int), kind="stable")

    assert list(quarantine.columns) == ["id", "age", "city", "plan", "income", "churned", "quarantine_reason",
                                        "quarantine_raw_line"]
    assert list(zip(quarantine["id"], quarantine["quarantine_reason"])) == [
        ("2", "duplicate"), ("3", "not_numeric:age"), ("5", "unknown_category:plan"), ("6", "invalid_label"),
        ("7", "wrong_field_count"), ("8", "missing_label"), ("9", "below_min:age"), ("11", "not_numeric:income"),
    ]
    # Original text, untrimmed; the raw line of the ragged row.
    assert quarantine.set_index("id").loc["2", "age"] == " 45 "
    assert quarantine.set_index("id").loc["11", "income"] == "82,000"
    assert quarantine.set_index("id").loc["7", "quarantine_raw_line"] == "7,38,Berlin,pro,51000"
    rows = mixed.report["rows"]
    assert (rows["in"], rows["out"], rows["quarantined"]) == (13, 5, 8)
    assert rows["in"] == rows["out"] + rows["quarantined"] == rows["out"] + sum(rows["quarantinedByReason"].values())
    assert rows["quarantinedByReason"]["not_numeric:age"] == 1
    assert len(mixed.data()) == rows["out"]
    assert mixed.written_report() == mixed.report


def test_curated_data_has_the_label_first_and_the_recorded_feature_order(mixed: Run) -> None:
    data = mixed.data()
    schema = mixed.schema()

    assert schema["featureColumns"] == [
        "age", "city=Berlin", "city=Paris", "city=Rome", "city=missing", "plan=basic", "plan=plus", "plan=pro",
        "plan=missing", "income"]  # a contract's values keep their order; the imputed category is appended
    assert list(data.columns) == ["churned", *schema["featureColumns"]]
    assert set(data["churned"]) <= {"0", "1"}
    by_age = data.set_index("age")
    assert by_age.loc["45.0", "income"] == "59000.0"  # median of the kept incomes 52000, 48000, 80000, 66000
    assert by_age.loc["29.0", "city=missing"] == "1"
    income = next(c for c in schema["columns"] if c["name"] == "income")
    assert income["imputeValue"] == 59000.0 and income["nulls"] == "impute-median"


def test_report_records_source_schema_and_timings(mixed: Run) -> None:
    report = mixed.report

    assert report["status"] == "succeeded" and report["error"] is None
    assert report["source"] == {"uri": report["source"]["uri"], "versionId": "v1"}
    assert report["source"]["uri"].endswith("upload.csv")
    assert report["schemaSource"] == "inferred" and report["pinnedSchemaUri"] is None
    assert report["schema"] == mixed.schema()
    assert report["contract"]["dropColumns"] == ["id"]
    assert report["timings"]["totalSeconds"] > 0
    assert set(report["outputs"]) == {"outputUri", "dataUri", "schemaUri", "reportUri", "quarantineUri"}
    assert list(report["rows"]["quarantinedByReason"].values()) == sorted(
        report["rows"]["quarantinedByReason"].values(), reverse=True)


def test_a_pinned_schema_keeps_categories_and_imputation_values(tmp_path: Path, run_job: Callable[..., Run],
                                                                mixed: Run) -> None:
    later = write_source(tmp_path, (
        "id,age,city,plan,income,churned,new_column\n"
        "20,40,Paris,pro,,1,x\n"         # income imputed with the pinned median, not this file's
        "21,50,Madrid,basic,90000,0,y\n"  # unknown_category:city (not in the pinned categories)
        "22,,Rome,plus,10000,1,z\n"
        "23,35,,basic,20000,0,w\n"
    ), name="later.csv")

    pinned = run_job(later, MIXED_CONTRACT, schema_uri=str(mixed.output / "schema.json"), name="pinned")

    assert pinned.report["schemaSource"] == "pinned"
    assert pinned.report["ignoredColumns"] == ["new_column"]
    assert pinned.schema() == mixed.schema()
    assert list(pinned.quarantine()["quarantine_reason"]) == ["unknown_category:city"]
    assert list(pinned.data().columns) == ["churned", *mixed.schema()["featureColumns"]]
    data = pinned.data().set_index("age")
    assert data.loc["40.0", "income"] == "59000.0"
    age = next(c for c in mixed.schema()["columns"] if c["name"] == "age")
    row_22 = pinned.data().set_index("income").loc["10000.0"]
    assert float(row_22["age"]) == age["imputeValue"] == 45.0  # missing age -> the pinned median


def test_a_pinned_schema_of_another_label_is_refused(tmp_path: Path, run_job: Callable[..., Run], mixed: Run) -> None:
    source = write_source(tmp_path, "id,age,city,plan,income,target\n1,2,Paris,pro,3,1\n", name="other.csv")
    other = contract(label="target", problem_type="binary_classification")

    with pytest.raises(SchemaError, match="is for label 'churned' .* but the contract says 'target'"):
        run_job(source, other, schema_uri=str(mixed.output / "schema.json"), name="refused")


def test_curated_rows_keep_file_order_and_the_first_of_repeats_across_input_splits(
    spark: Any, tmp_path: Path, run_job: Callable[..., Run]
) -> None:
    # Repeats of earlier rows all through the file, which Spark reads in several splits (tasks) here: the first
    # row of each group stays wherever its repeats are, and the curated rows stay in upload order.
    rows = [f"{i},{(i * 37) % 101}" for i in range(400)]
    repeats = {150: 3, 260: 140, 399: 260}  # line index -> the earlier line it repeats
    for index, original in repeats.items():
        rows[index] = rows[original]
    source = write_source(tmp_path, "y,x\n" + "\n".join(rows) + "\n")
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "512")
    try:
        run = run_job(source, contract(columns={"x": {"type": "numeric"}}))
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)

    expected = [row for index, row in enumerate(rows) if index not in repeats]
    assert [f"{float(y):g},{float(x):g}" for y, x in zip(run.data()["y"], run.data()["x"])] == expected
    assert run.report["rows"]["quarantinedByReason"] == {"duplicate": 3}
    assert list(run.quarantine()["y"]) == [rows[index].split(",")[0] for index in sorted(repeats)]


def test_null_policies(tmp_path: Path, run_job: Callable[..., Run]) -> None:
    source = write_source(tmp_path, "y,a,b,c,d,e\n1,1,1,1,x,1\n2,2,3,,y,\n3,,6,3,,3\n4,9,,3,x,4\n")
    run = run_job(source, contract(columns={
        "a": {"type": "numeric", "nulls": "impute-mean"},
        "b": {"type": "numeric", "nulls": "impute-median"},
        "c": {"type": "numeric", "nulls": "impute-mode"},
        "d": {"type": "categorical", "nulls": "impute-mode"},
        "e": {"type": "numeric", "nulls": "quarantine"},
    }))

    fills = {c["name"]: c["imputeValue"] for c in run.schema()["columns"]}
    # Row 2 is set aside (null_value:e) before the statistics: they come from rows 1, 3 and 4.
    assert fills == {"y": None, "a": 5.0, "b": 3.5, "c": 3.0, "d": "x", "e": None}
    assert list(run.quarantine()["quarantine_reason"]) == ["null_value:e"]
    data = run.data().set_index("y")
    assert data.loc["3.0", "a"] == "5.0" and data.loc["4.0", "b"] == "3.5"
    assert data.loc["3.0", "d=x"] == "1"


def test_warns_when_a_mostly_numeric_column_is_inferred_categorical(tmp_path: Path,
                                                                    run_job: Callable[..., Run]) -> None:
    rows = "".join(f"{i},{i % 7}\n" for i in range(30)) + "30,seven\n"
    run = run_job(write_source(tmp_path, "y,rooms\n" + rows), contract())

    assert run.schema()["columns"][1]["type"] == "categorical"
    assert len(run.report["warnings"]) == 1
    warning = run.report["warnings"][0]
    assert "column 'rooms' was inferred categorical although 96.8% of its values are numbers" in warning


def test_too_many_rows_set_aside_writes_quarantine_and_report_then_fails(tmp_path: Path,
                                                                         run_job: Callable[..., Run]) -> None:
    source = write_source(tmp_path, "y,x\n1,a\n,b\n,c\n2,d\n,e\n")

    with pytest.raises(SourceFileError) as caught:
        run_job(source, contract(maxQuarantinedFraction=0.5))

    message = str(caught.value)
    assert "3 of 5 rows (60.0%) were set aside, more than maxQuarantinedFraction=0.5 (missing_label: 3)" in message
    assert "most common reason is 'missing_label'" in message
    run = Run(root=tmp_path / "run", report={})
    report = run.written_report()
    assert report["status"] == "failed" and report["error"] == message
    assert (report["rows"]["in"], report["rows"]["out"], report["rows"]["quarantined"]) == (5, 2, 3)
    assert len(read_parts(run.quarantine_dir)) == 3
    assert not (run.output / "data").exists() and not (run.output / "schema.json").exists()
    assert caught.value.report == report  # type: ignore[attr-defined]


def test_an_identifier_column_fails_the_run_naming_it(tmp_path: Path, run_job: Callable[..., Run]) -> None:
    rows = "".join(f"{i},C-{i:05d}\n" for i in range(200))
    with pytest.raises(SourceFileError) as caught:
        run_job(write_source(tmp_path, "y,customer\n" + rows), contract(maxCategories=20))

    assert "column 'customer' is neither numeric (e.g. 'C-" in str(caught.value)
    assert "more than maxCategories=20" in str(caught.value)
    assert "Drop it with the contract's dropColumns" in str(caught.value)


def test_spark_session_settings_are_restored(spark: Any, mixed: Run) -> None:
    assert spark.conf.get("spark.sql.inMemoryColumnarStorage.compressed") == "true"
    assert json.loads(json.dumps(mixed.report))  # the report is plain JSON
