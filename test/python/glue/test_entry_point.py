"""glue-scripts/curate_dataset.py run as local mode runs it: a subprocess with the local awsglue stand-in."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Iterator

import pytest

from curation import CurationError, JobArguments, optional_arguments_present
from curation_testkit import GLUE_SCRIPTS, LOCAL_GLUE, contract, read_parts, write_source

ENTRY_POINT = GLUE_SCRIPTS / "curate_dataset.py"


def standin(module: str) -> ModuleType:
    """A module of the awsglue stand-in, loaded by path (importing the package would set PYSPARK_SUBMIT_ARGS)."""
    spec = importlib.util.spec_from_file_location(f"standin_{module}", LOCAL_GLUE / "awsglue" / f"{module}.py")
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    return loaded


class GlueEndpoint(BaseHTTPRequestHandler):
    """GetTable / UpdateTable of Glue's JSON protocol, as local mode's AWS endpoint answers them."""

    requests: list[tuple[str, dict]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        operation = self.headers["X-Amz-Target"].split(".")[-1]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        GlueEndpoint.requests.append((operation, body))
        answer = {"Table": {"Name": "curated", "DatabaseName": "mlops_local", "VersionId": "0",
                            "StorageDescriptor": {"Columns": [{"Name": "y", "Type": "double"}]}}}
        data = json.dumps(answer if operation == "GetTable" else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def glue_endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), GlueEndpoint)
    GlueEndpoint.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def run_entry_point(*arguments: str, glue_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYSPARK_SUBMIT_ARGS"}
    env["PYTHONPATH"] = os.pathsep.join([str(LOCAL_GLUE), str(GLUE_SCRIPTS)])
    if glue_url:  # as local mode's endpoint variables do
        env.update(AWS_ENDPOINT_URL_GLUE=glue_url, AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="local",
                   AWS_SECRET_ACCESS_KEY="local")
    return subprocess.run(
        [sys.executable, str(ENTRY_POINT), *arguments], env=env, capture_output=True, text=True, timeout=300
    )


def events(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


def test_entry_point_runs_end_to_end_and_logs_the_counts(tmp_path: Path, glue_endpoint: str) -> None:
    source = write_source(tmp_path, "id,y,a,c\n1,1.5,2,x\n2,2.5,,y\n3,,4,x\n4,3.5,5,\n")
    output, quarantine = tmp_path / "curated", tmp_path / "quarantine"

    completed = run_entry_point(
        "--JOB_NAME", "curate-local", "--source_uri", str(source), "--source_version_id", "null",
        "--run_id=r-1", f"--output_uri={output}/", "--quarantine_uri", f"file://{quarantine}/",
        "--contract", contract(dropColumns=["id"]), "--job-bookmark-option", "job-bookmark-disable",
        "--catalog_database", "mlops_local", "--catalog_table", "curated",
        glue_url=glue_endpoint,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    logged = events(completed.stdout)
    assert len(logged) == 1
    report = json.loads((output / "report.json").read_text())
    assert logged[0] == {
        "event": "etl_report", "runId": "r-1", "status": "succeeded", "rowsIn": 4, "rowsOut": 3, "rowsQuarantined": 1,
        "quarantinedFraction": 0.25, "quarantinedByReason": {"missing_label": 1}, "schemaSource": "inferred",
        "durationSeconds": report["timings"]["totalSeconds"],
    }
    assert report["source"] == {"uri": str(source), "versionId": None}
    assert list(read_parts(output / "data").columns) == ["y", "a", "c=missing", "c=x", "c=y"]
    assert list(read_parts(quarantine)["quarantine_reason"]) == ["missing_label"]
    # The catalog table's columns are the run's, through boto3 and the endpoint variables local mode sets.
    assert [operation for operation, _ in GlueEndpoint.requests] == ["GetTable", "UpdateTable"]
    update = GlueEndpoint.requests[1][1]
    assert update["VersionId"] == "0"
    # Under names Athena takes; the comments keep the curated names.
    columns = update["TableInput"]["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns] == ["y", "a", "c_missing", "c_x", "c_y"]
    assert [c["Comment"].split(":")[0] for c in columns[2:]] == ["c=missing", "c=x", "c=y"]
    assert report["catalog"]["database"] == "mlops_local"


def test_entry_point_failure_names_the_problem_and_exits_non_zero(tmp_path: Path) -> None:
    source = write_source(tmp_path, "y;a\n1;2\n")

    completed = run_entry_point(
        "--JOB_NAME", "curate-local", "--source_uri", str(source), "--source_version_id", "v9", "--run_id", "r-2",
        "--output_uri", str(tmp_path / "curated"), "--quarantine_uri", str(tmp_path / "quarantine"),
        "--contract", contract(),
    )

    assert completed.returncode != 0
    assert "the header looks delimited by ';'" in completed.stderr
    logged = events(completed.stdout)
    assert logged[0]["event"] == "etl_failed" and logged[0]["errorType"] == "SourceFileError"
    assert "the header looks delimited by ';'" in logged[0]["error"]
    assert not (tmp_path / "curated").exists()


def test_get_resolved_options_has_glues_semantics() -> None:
    utils = standin("utils")
    argv = ["script.py", "--JOB_NAME", "j", "--a=1", "--b", "two words", "--unrequested", "x", "--a", "3"]

    assert utils.getResolvedOptions(argv, ["JOB_NAME", "a", "b"]) == {"JOB_NAME": "j", "a": "3", "b": "two words"}
    with pytest.raises(utils.GlueArgumentError, match="the following arguments are required: --run_id"):
        utils.getResolvedOptions(argv, ["JOB_NAME", "run_id"])


def test_job_commit_needs_init() -> None:
    job_module = standin("job")
    job = job_module.Job(glue_context=None)

    with pytest.raises(RuntimeError, match="before Job.init"):
        job.commit()
    job.init("name", {"a": "1"})
    job.commit()
    assert job.committed and job.arguments == {"a": "1"}


def test_only_the_entry_point_imports_awsglue() -> None:
    importers = [
        path.relative_to(GLUE_SCRIPTS).as_posix()
        for path in GLUE_SCRIPTS.rglob("*.py")
        if "awsglue" in path.read_text(encoding="utf-8").replace("``awsglue``", "")
    ]
    assert importers == ["curate_dataset.py"]


def test_optional_arguments_are_requested_only_when_given() -> None:
    assert optional_arguments_present(["x", "--schema_uri", "s3://b/k"]) == ["schema_uri"]
    assert optional_arguments_present(["x", "--schema_uri=s3://b/k"]) == ["schema_uri"]
    assert optional_arguments_present(["x", "--schema_uri_other", "1"]) == []


def test_job_arguments_are_checked() -> None:
    options = {"source_uri": "s3://raw/raw/a.csv", "source_version_id": "null", "run_id": "r1",
               "output_uri": "s3://p/curated/r1/", "quarantine_uri": "s3://p/quarantine/r1/", "contract": "{}"}

    parsed = JobArguments.from_options(options)

    assert parsed.source_version_id is None and parsed.schema_uri is None
    assert parsed.outputs()["schemaUri"] == "s3://p/curated/r1/schema.json"
    assert parsed.outputs()["dataUri"] == "s3://p/curated/r1/data/"
    with pytest.raises(CurationError, match="--run_id 'Run_1' must be 1-63 lowercase letters"):
        JobArguments.from_options({**options, "run_id": "Run_1"})
    with pytest.raises(CurationError, match="--output_uri missing or empty"):
        JobArguments.from_options({**options, "output_uri": " "})
