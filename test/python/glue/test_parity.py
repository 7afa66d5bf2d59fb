"""Training and inference encode alike: the same raw rows through the Spark job and through ml/inference.py's
encoder give identical feature vectors (bit for bit), so a model sees at inference what it was trained on."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any, Callable

import pytest
from pyspark.sql import functions as F

from curation.clean import classify
from curation.encode import encode
from curation.expressions import REASON
from curation.reader import read_header, read_rows
from curation.schema import schema_from_json
from curation_testkit import Run, contract, write_source
from testkit import ml_module

inference = ml_module("inference")

# The label is the row number, so that curated rows can be matched with their raw rows.
RAW = (
    "id,label,size,weight,rooms,city,plan,score\n"
    "a,1,12,1.5,3,Paris,basic,0.1\n"
    "b,2, 7.25 ,\t2.25\t,4, Rome ,pro,1E-2\n"
    "c,3,,3.0,,Berlin,,.5\n"              # gaps: median size, mode rooms, 'none' plan
    "d,4,1e3,,5,\"Paris\",basic,5.\n"     # gap: mean weight
    "e,5,+4,0.1,3,,pro,-0.125\n"          # gap: city 'missing'
    "f,6,-3,0.2,2,Lyon,basic,7\n"
    'g,7,8,0.30000000000000004,3,"Rome",plus,1e-7\n'
    "h,8,9,1,1,Berlin,pro,\n"             # gap: median score
)
CONTRACT = contract(
    label="label", dropColumns=["id"],
    columns={
        "weight": {"type": "numeric", "nulls": "impute-mean"},
        "rooms": {"type": "numeric", "nulls": "impute-mode"},
        "plan": {"type": "categorical", "values": ["basic", "pro", "plus"], "nulls": {"impute": "none"}},
    },
)


def raw_rows() -> dict[float, list[str]]:
    """Raw feature cells (size..score) by label, as a client would send the uploaded rows."""
    rows = list(csv.reader(io.StringIO(RAW)))[1:]
    return {float(row[1]): row[2:] for row in rows}


def test_spark_and_inference_encode_raw_rows_identically(spark: Any, tmp_path: Path,
                                                         run_job: Callable[..., Run]) -> None:
    source = write_source(tmp_path, RAW)
    run = run_job(source, CONTRACT)
    assert run.report["rows"]["out"] == 8
    schema_json = run.schema()
    encoder = inference.Encoder(schema_json, schema_json["featureColumns"], "schema.json")

    # The Spark side, collected as doubles (no CSV formatting in between)...
    schema = schema_from_json(json.dumps(schema_json), "schema.json")
    header = read_header(str(source), ",")
    kept = classify(read_rows(spark, str(source), header, ","), schema, header, True).where(F.col(REASON).isNull())
    spark_rows = {row[0]: [float(v) for v in row[1:]] for row in encode(kept, schema, header).collect()}
    # ... and as written in the curated CSV (what preprocess reads, parsed exactly).
    written = {float(row["label"]): [float(row[c]) for c in schema_json["featureColumns"]]
               for _, row in run.data().iterrows()}

    for label, cells in raw_rows().items():
        places = [f"row {label}, column {i}" for i in range(len(cells))]
        vector = encoder.encode(cells, places)
        assert vector == spark_rows[label], f"row {label}: {cells}"
        assert vector == written[label], f"row {label}: {cells}"

    # JSON clients send numbers as numbers: the same vectors.
    json_row = [12, 1.5, 3, "Paris", "basic", 0.1]
    assert encoder.encode(json_row, ["x"] * 6) == spark_rows[1.0]


def test_the_recorded_encoding_is_what_the_vectors_used(run_job: Callable[..., Run], tmp_path: Path) -> None:
    run = run_job(write_source(tmp_path, RAW), CONTRACT)
    columns = {c["name"]: c for c in run.schema()["columns"]}

    assert columns["size"]["imputeValue"] == 8.0  # median of 12, 7.25, 1000, 4, -3, 8, 9
    # Spark sums per partition: the mean may differ from Python's sum in the last bits, and it is recorded.
    weights = (1.5, 2.25, 3.0, 0.1, 0.2, 0.30000000000000004, 1)
    assert columns["weight"]["imputeValue"] == pytest.approx(sum(weights) / len(weights))
    assert columns["rooms"]["imputeValue"] == 3.0
    assert columns["city"]["categories"] == ["Berlin", "Lyon", "Paris", "Rome", "missing"]
    assert columns["plan"]["categories"] == ["basic", "pro", "plus", "none"]
