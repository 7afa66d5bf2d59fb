"""An upload with text categories, gaps and bad rows -> the Glue job -> preprocess.py -> train.py -> a model that
answers raw rows of the upload exactly as it answers their curated (encoded) rows."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Callable

import numpy as np
import xgboost as xgb

import curation_testkit as churn
from curation_testkit import Run
from testkit import ml_module, run_training


def test_a_raw_upload_becomes_a_model_that_serves_raw_rows(tmp_path: Path, run_job: Callable[..., Run]) -> None:
    source = tmp_path / "upload.csv"
    churn.generate(str(source), 3000, seed=11)
    run = run_job(source, json.dumps(churn.CHURN_CONTRACT))

    preprocess = ml_module("preprocess")
    assert preprocess.main([
        "--problem-type", "binary_classification", "--label-column", "churned", "--input-dir", str(run.output),
        "--train-dir", str(tmp_path / "train"), "--validation-dir", str(tmp_path / "validation"),
        "--test-dir", str(tmp_path / "test"),
    ]) == 0
    completed = run_training(tmp_path / "train", tmp_path / "validation", tmp_path / "model", tmp_path / "output",
                             "--num_round", "30", "--max_depth", "3")
    assert completed.returncode == 0, completed.stderr
    inference = ml_module("inference")
    model = inference.model_fn(str(tmp_path / "model"))
    assert model.encoder is not None and model.feature_columns == run.schema()["featureColumns"]

    # Kept rows of the upload, as a client sends them: the upload's columns without the label (id included).
    quarantined = set(run.quarantine()["customer_id"])
    with open(source, encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle)][1:]
    kept = [row for row in rows if row[0] not in quarantined][:200]
    body = "\n".join(",".join(row[:-1]) for row in kept)
    served = [float(v) for v in inference.output_fn(
        inference.predict_fn(inference.input_fn(body, "text/csv"), model), "text/csv").splitlines()]

    # The same rows encoded, found among the curated rows and predicted by the booster directly.
    curated = run.data()
    encoder = inference.Encoder(run.schema(), run.schema()["featureColumns"], "schema.json")
    encoded = np.asarray([encoder.encode(row[1:-1], ["x"] * 5) for row in kept])
    curated_rows = {tuple(float(v) for v in row[1:]) for row in curated.itertuples(index=False)}
    assert all(tuple(vector) in curated_rows for vector in encoded)  # each raw row encodes to a curated row
    booster = xgb.Booster()
    booster.load_model(str(tmp_path / "model" / "xgboost-model"))
    assert served == booster.predict(xgb.DMatrix(encoded)).tolist()
