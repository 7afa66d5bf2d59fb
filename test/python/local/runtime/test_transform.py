from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest
import xgboost as xgb

from testkit import ML_DIR, PYTHON, RUNTIME_DIR, TrainedModel, load_script

TRANSFORM = RUNTIME_DIR / "transform.py"
transform = load_script(TRANSFORM, "local_transform")


def run_transform(
    model: TrainedModel, input_dir: Path, output_dir: Path, *options: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            PYTHON, str(TRANSFORM),
            "--code-dir", str(ML_DIR),
            "--program", "inference.py",
            "--model-dir", str(model.model_dir),
            "--input-dir", str(input_dir),
            "--output-dir", str(output_dir),
            *options,
        ],
        capture_output=True, text=True, timeout=120,
    )


@pytest.fixture()
def batch_input(trained: Callable[[str], TrainedModel], tmp_path: Path) -> tuple[Path, dict[str, pd.DataFrame]]:
    """Two CSV files of feature rows (no header, no label), one nested, with blank lines in between."""
    features = pd.read_csv(trained("regression").test_dir / "test.csv").drop(columns=["target"])
    parts = {"a.csv": features.iloc[:7], "nested/b.csv": features.iloc[7:20]}
    for name, rows in parts.items():
        path = tmp_path / "input" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = rows.to_csv(header=False, index=False).splitlines()
        path.write_text("\n".join(lines[:3]) + "\n\n" + "\n".join(lines[3:]) + "\n")
    (tmp_path / "input" / ".hidden").write_text("not a record\n")
    return tmp_path / "input", parts


def transform_in_process(model: TrainedModel, input_dir: Path, output_dir: Path, **options: object) -> dict[str, int]:
    """The same runner without a new interpreter: keeps the many variants fast (AssembleWith Line unless given)."""
    return transform.run_transform(
        code_dir=str(ML_DIR), program_name="inference.py", model_dir=str(model.model_dir),
        input_dir=str(input_dir), output_dir=str(output_dir), **{"assemble_with": "Line", **options},
    )


def expected(model: TrainedModel, rows: pd.DataFrame) -> list[float]:
    booster = xgb.Booster()
    booster.load_model(str(model.model_dir / "xgboost-model"))
    return booster.predict(xgb.DMatrix(rows.to_numpy(dtype=float))).tolist()


def test_end_to_end_one_csv_output_line_per_input_record(
    trained: Callable[[str], TrainedModel], batch_input: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    model = trained("regression")
    input_dir, parts = batch_input

    completed = run_transform(model, input_dir, tmp_path / "output", "--split-type", "Line", "--assemble-with", "Line")

    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == json.dumps({"files": 2, "records": 20})
    for name, rows in parts.items():
        lines = (tmp_path / "output" / f"{name}.out").read_text().splitlines()
        assert [float(line) for line in lines] == pytest.approx(expected(model, rows), rel=1e-6)
    assert sorted(p.name for p in (tmp_path / "output").rglob("*") if p.is_file()) == ["a.csv.out", "b.csv.out"]


@pytest.mark.parametrize(
    "options",
    [
        {"batch_strategy": "MultiRecord", "max_payload_mb": 0.0002},  # ~200 bytes: several mini-batches per file
        {"batch_strategy": "SingleRecord"},
    ],
    ids=["small-payloads", "single-record"],
)
def test_batch_strategies_give_the_same_lines(
    trained: Callable[[str], TrainedModel], batch_input: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path,
    options: dict[str, object],
) -> None:
    model = trained("regression")
    input_dir, parts = batch_input

    summary = transform_in_process(model, input_dir, tmp_path / "output", **options)

    assert summary == {"files": 2, "records": 20}
    for name, rows in parts.items():
        lines = (tmp_path / "output" / f"{name}.out").read_text().splitlines()
        assert [float(line) for line in lines] == pytest.approx(expected(model, rows), rel=1e-6)


def test_a_record_over_the_payload_limit_is_named(
    trained: Callable[[str], TrainedModel], batch_input: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    with pytest.raises(transform.TransformError, match=r"a.csv:1: the record is \d+ bytes, over the 10-byte"):
        transform_in_process(trained("regression"), batch_input[0], tmp_path / "output", max_payload_mb=10 / 1048576)


def test_json_lines_get_one_json_output_each(trained: Callable[[str], TrainedModel], tmp_path: Path) -> None:
    model = trained("binary_classification")
    features = pd.read_csv(model.test_dir / "test.csv").drop(columns=["target"]).head(4)
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "rows.jsonl").write_text(
        "".join(json.dumps({"instances": [row]}) + "\n" for row in features.to_dict(orient="records"))
    )

    summary = transform_in_process(
        model, tmp_path / "input", tmp_path / "output", content_type="application/json", accept="application/json"
    )

    assert summary == {"files": 1, "records": 4}
    outputs = [json.loads(line) for line in (tmp_path / "output" / "rows.jsonl.out").read_text().splitlines()]
    assert [output["predictions"][0] for output in outputs] == pytest.approx(expected(model, features), rel=1e-6)


def test_split_type_none_sends_each_file_whole(
    trained: Callable[[str], TrainedModel], batch_input: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    model = trained("regression")
    input_dir, parts = batch_input
    assert transform_in_process(model, input_dir, tmp_path / "output", split_type="None") == {"files": 2, "records": 2}
    lines = (tmp_path / "output" / "a.csv.out").read_text().splitlines()
    assert [float(line) for line in lines] == pytest.approx(expected(model, parts["a.csv"]), rel=1e-6)


@pytest.mark.parametrize("batch_strategy", ["SingleRecord", "MultiRecord"])
def test_assemble_with_none_concatenates_the_responses_as_they_are(
    trained: Callable[[str], TrainedModel], batch_input: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path,
    batch_strategy: str,
) -> None:
    model = trained("regression")
    input_dir, parts = batch_input
    program = transform.InferenceProgram(str(ML_DIR), "inference.py", str(model.model_dir))
    rows = parts["a.csv"].to_csv(header=False, index=False).splitlines()
    single = [program.invoke(row.encode(), "text/csv", "text/csv").body.decode() for row in rows]
    whole = program.invoke("\n".join(rows).encode(), "text/csv", "text/csv").body.decode()

    # SageMaker's default: no AssembleWith means None (the command line's default too)
    completed = run_transform(model, input_dir, tmp_path / "output", "--batch-strategy", batch_strategy)

    assert completed.returncode == 0, completed.stderr
    text = (tmp_path / "output" / "a.csv.out").read_text()
    assert text == ("".join(single) if batch_strategy == "SingleRecord" else whole)
    assert not text.endswith("\n")  # nothing is added to what the program returned


def test_assemble_with_line_ends_every_record_output_with_a_newline(
    trained: Callable[[str], TrainedModel], batch_input: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    model = trained("regression")
    input_dir, parts = batch_input
    transform_in_process(model, input_dir, tmp_path / "output", batch_strategy="SingleRecord", assemble_with="Line")
    text = (tmp_path / "output" / "a.csv.out").read_text()
    assert text.endswith("\n") and text.count("\n") == len(parts["a.csv"])


def test_unknown_assemble_with_is_rejected(trained: Callable[[str], TrainedModel], tmp_path: Path) -> None:
    with pytest.raises(transform.TransformError, match="--assemble-with 'Record' is not supported: use None or Line"):
        transform_in_process(trained("regression"), tmp_path, tmp_path / "output", assemble_with="Record")


def test_a_bad_record_fails_the_job_naming_file_and_line(
    trained: Callable[[str], TrainedModel], batch_input: tuple[Path, dict[str, pd.DataFrame]], tmp_path: Path
) -> None:
    model = trained("regression")
    input_dir, _ = batch_input
    bad_file = input_dir / "nested" / "b.csv"
    lines = bad_file.read_text().splitlines()
    lines[5] = lines[5].replace(",", ",oops,", 1)  # line 6 now has a non-number and one value too many
    bad_file.write_text("\n".join(lines) + "\n")

    completed = run_transform(model, input_dir, tmp_path / "output")

    assert completed.returncode == 1
    assert "nested/b.csv:6: rejected with status 400" in completed.stderr
    assert "'oops' is not a number" in completed.stderr
    assert not (tmp_path / "output" / "nested" / "b.csv.out").exists()


def test_empty_input_dir_fails(trained: Callable[[str], TrainedModel], tmp_path: Path) -> None:
    (tmp_path / "input").mkdir()
    with pytest.raises(transform.TransformError, match="no input files under '.*input'"):
        transform_in_process(trained("regression"), tmp_path / "input", tmp_path / "output")


def test_missing_program_is_reported(
    trained: Callable[[str], TrainedModel], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "x.csv").write_text("1,2\n")
    exit_code = transform.main(
        ["--code-dir", str(ML_DIR), "--program", "serve_model.py", "--model-dir", str(trained("regression").model_dir),
         "--input-dir", str(tmp_path / "input"), "--output-dir", str(tmp_path / "output")]
    )
    assert exit_code == 1
    assert "program 'serve_model.py' is not in code directory" in capsys.readouterr().err
