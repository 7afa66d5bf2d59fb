"""AWS Glue 5.0 job (Spark 3.5.4, Python 3.11): curate an uploaded CSV into training data.

The only module that imports ``awsglue``: it reads the job arguments, gets the SparkSession from the GlueContext,
runs :func:`curation.run_curation` and commits the job. Everything else lives in the ``curation`` package (passed to
Glue with ``--extra-py-files``; locally on PYTHONPATH), which runs on any SparkSession.

Arguments (ETL_JOB_ARGUMENTS in lib/config/data-layout.ts; Glue passes ``--name value``):
  --JOB_NAME            set by Glue
  --source_uri          s3://<raw>/raw/<file>.csv (read only, never modified)
  --source_version_id   the object's version id, or 'null' for an unversioned bucket
  --run_id              names the output prefixes (1-63 of a-z 0-9 -)
  --output_uri          s3://<processed>/curated/<runId>/ -> data/ (CSV parts), schema.json, report.json
  --quarantine_uri      s3://<processed>/quarantine/<runId>/ -> CSV parts: source columns + quarantine_reason
  --contract            the DatasetContractDocument as JSON
  --schema_uri          optional: schema.json of an earlier run, applied instead of inferring a schema
  --catalog_database    optional, with --catalog_table (job default arguments): the Glue table over curated/ whose
  --catalog_table       columns a successful run sets to its own (GetTable + UpdateTable with boto3)

Logs one JSON line on stdout (CloudWatch Logs), for metric filters such as ``{ $.event = "etl_report" }``:
  {"event": "etl_report", "runId", "status", "rowsIn", "rowsOut", "rowsQuarantined", "quarantinedFraction",
   "quarantinedByReason": {"<reason code>": rows, ...}, "schemaSource": "inferred" | "pinned", "durationSeconds"}
A run that fails after classifying the rows (too many set aside) logs that line with status "failed"; one that
fails before logs {"event": "etl_failed", "runId", "errorType", "error"}. Either way the job run fails with the
error message, and job.commit() is not called.

Locally (local mode, tests) the same file runs with local/glue (a minimal stand-in for awsglue) on PYTHONPATH:
  PYTHONPATH=local/glue:glue-scripts python glue-scripts/curate_dataset.py --JOB_NAME local \\
      --source_uri data.csv --source_version_id null --run_id r1 --output_uri out/ --quarantine_uri q/ \\
      --contract '{"version": 1, "label": "target", "problemType": "regression"}'
"""

from __future__ import annotations

import sys
from typing import Any, Sequence

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

from curation import JobArguments, optional_arguments_present, run_curation
from curation.errors import CurationError
from curation.job import REQUIRED_ARGUMENTS
from curation.report import failure_event, log_event


def main(argv: Sequence[str]) -> dict[str, Any]:
    """Run the job with Glue's argv; returns the report (for in-process callers such as the benchmark)."""
    options = getResolvedOptions(list(argv), ["JOB_NAME", *REQUIRED_ARGUMENTS, *optional_arguments_present(argv)])
    glue_context = GlueContext(SparkContext.getOrCreate())
    job = Job(glue_context)
    job.init(options["JOB_NAME"], options)
    run_id = options.get("run_id", "")
    try:
        report = run_curation(glue_context.spark_session, JobArguments.from_options(options))
    except CurationError as error:
        # A run that got as far as classifying its rows wrote a report: log its counts too.
        report = getattr(error, "report", None)
        print(log_event(report) if report is not None else failure_event(run_id, error), flush=True)
        raise
    print(log_event(report), flush=True)
    job.commit()
    return report


if __name__ == "__main__":
    main(sys.argv)
