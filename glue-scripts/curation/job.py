"""One curation run: raw CSV -> curated CSV + schema.json + report.json, bad rows -> quarantine.

The raw file is parsed once: its rows are staged (trimmed, numbers parsed, checked: clean.stage) and cached by the
first aggregation, and every later action reads the cache. Row checks need no inferred type (a column whose type
comes from the data has none), so the rows are classified before the profile has typed the columns. The header
(the first non-blank line) is read directly, without Spark. Spark actions, in order:
  1. the profile: rows in, ragged rows, per-column counts (one aggregation; fills the cache)
  2. the fingerprints that kept rows repeat (one aggregation of three numbers per row), for de-duplication
  3. rows by reason together with the kept rows' statistics (one aggregation)
  4. the mode of each 'impute-mode' column (a small group-by each; usually none)
  5. write the curated data        6. write the quarantine
Counts are taken once (1 and 3) and reconciled: rows in = rows kept + rows quarantined, or the run stops."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator, Mapping, Sequence

from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .catalog import GlueClient, default_glue_client, table_columns, update_curated_table
from .clean import ROW_ORDER, WRONG_FIELD_COUNT, mark_duplicates, repeated_fingerprints, stage
from .contract import Contract, parse_contract
from .encode import encode
from .errors import CurationError, SourceFileError
from .expressions import CORRUPT_RECORD, RAW_LINE, REASON, source_text
from .infer import (
    Profile, columns_to_infer, decide_type, draft_schema, finalize_schema, pin_schema, profile, statistics,
    type_warnings,
)
from .reader import Header, check_header, raise_if_not_utf8, read_header, read_rows
from .report import REPORT_VERSION, Timings, row_counts, utc_now
from .schema import Schema, schema_from_json
from .storage import join, read_text, spark_path, write_text

REQUIRED_ARGUMENTS = ("source_uri", "source_version_id", "run_id", "output_uri", "quarantine_uri", "contract")
OPTIONAL_ARGUMENTS = ("schema_uri", "catalog_database", "catalog_table")
RUN_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")  # ETL_RUN_ID_PATTERN in lib/config/data-layout.ts
DATA_FOLDER, SCHEMA_FILE, REPORT_FILE = "data", "schema.json", "report.json"  # ETL_OUTPUT_FILES
ROWS_PER_FILE = 500_000


@dataclass(frozen=True)
class JobArguments:
    """The job's arguments (ETL_JOB_ARGUMENTS in lib/config/data-layout.ts, without the leading ``--``)."""

    source_uri: str
    source_version_id: str | None
    run_id: str
    output_uri: str
    quarantine_uri: str
    contract: str
    schema_uri: str | None = None
    catalog_database: str | None = None  # with catalog_table: the table whose columns a run sets to its own
    catalog_table: str | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> "JobArguments":
        missing = [name for name in REQUIRED_ARGUMENTS if not options.get(name, "").strip()]
        if missing:
            raise CurationError(f"job argument(s) {', '.join('--' + m for m in missing)} missing or empty: pass them "
                                "in StartJobRun's Arguments")
        run_id = options["run_id"]
        if not RUN_ID_PATTERN.match(run_id):
            raise CurationError(f"--run_id {run_id!r} must be 1-63 lowercase letters, digits or '-', starting with a "
                                "letter or digit")
        version = options["source_version_id"].strip()
        schema_uri = (options.get("schema_uri") or "").strip()
        database, table = ((options.get(name) or "").strip() for name in ("catalog_database", "catalog_table"))
        if bool(database) != bool(table):
            raise CurationError(f"--catalog_database {database!r} and --catalog_table {table!r} go together: pass "
                                "both (the job then sets the table's columns) or neither")
        return cls(
            source_uri=options["source_uri"],
            # An unversioned bucket has no version id; the caller passes 'null' (Glue refuses empty values).
            source_version_id=None if version in ("", "null", "None") else version,
            run_id=run_id,
            output_uri=options["output_uri"],
            quarantine_uri=options["quarantine_uri"],
            contract=options["contract"],
            schema_uri=schema_uri or None,
            catalog_database=database or None,
            catalog_table=table or None,
        )

    def outputs(self) -> dict[str, str]:
        return {
            "outputUri": self.output_uri,
            "dataUri": join(self.output_uri, DATA_FOLDER) + "/",
            "schemaUri": join(self.output_uri, SCHEMA_FILE),
            "reportUri": join(self.output_uri, REPORT_FILE),
            "quarantineUri": self.quarantine_uri,
        }


def optional_arguments_present(argv: Sequence[str]) -> list[str]:
    """Optional names given on the command line: getResolvedOptions fails on a requested name that is absent."""
    return [name for name in OPTIONAL_ARGUMENTS if any(a == f"--{name}" or a.startswith(f"--{name}=") for a in argv)]


def quarantine_rows(classified: DataFrame, header: Header) -> DataFrame:
    """Quarantined rows: every source column as uploaded (text), the reason, and the raw line of a ragged row."""
    columns = [source_text(i).alias(name) for i, name in enumerate(header.names)]
    # In file order, in one file: it is read by people, and usually small. The rows are picked out in parallel, then
    # one task sorts them (coalesce(1) would read every staged row in that one task).
    bad = classified.where(F.col(REASON).isNotNull()).repartition(1).sortWithinPartitions(ROW_ORDER)
    return bad.select(*columns, F.col(REASON), F.col(CORRUPT_RECORD).alias(RAW_LINE))


def _write_csv(frame: DataFrame, uri: str) -> None:
    # RFC 4180 quoting ("" inside quotes), as pandas and spreadsheets read it; Spark's default escape is a backslash.
    # Spark's writer trims values unless told not to: quarantined rows keep their text exactly.
    (
        frame.write.mode("overwrite").option("header", True).option("escape", '"')
        .option("ignoreLeadingWhiteSpace", False).option("ignoreTrailingWhiteSpace", False)
        .csv(spark_path(uri))
    )


def _infer_types(
    contract: Contract, header: Header, profiled: Profile, source_uri: str, lenient: bool
) -> dict[str, str]:
    """Types of the columns the contract leaves open. ``lenient`` (the run fails anyway for ragged rows): a column
    that cannot be typed becomes categorical so that every row can still be classified and reported."""
    types = {}
    for name, column in profiled.columns.items():
        rule = contract.columns.get(name)
        try:
            decided = decide_type(name, column, contract.max_categories, source_uri)
        except SourceFileError:
            if not lenient and (rule is None or column.present > 0):
                raise
            decided = "categorical"
        types[name] = rule.type if rule is not None else decided
    return types


def _fraction_error(args: JobArguments, counts: Mapping[str, Any]) -> SourceFileError:
    by_reason = counts["quarantinedByReason"]
    top = next(iter(by_reason), "")
    advice = {
        WRONG_FIELD_COUNT: "Most rows have a different number of fields than the header: check the delimiter and that "
        "values holding the delimiter are quoted",
    }.get(top, f"The most common reason is {top!r}: fix those values")
    reasons = ", ".join(f"{code}: {n}" for code, n in list(by_reason.items())[:5])
    return SourceFileError(
        args.source_uri,
        f"{counts['quarantined']} of {counts['in']} rows ({counts['quarantinedFraction']:.1%}) were set aside, more "
        f"than maxQuarantinedFraction={counts['maxQuarantinedFraction']:g} ({reasons}); they are in "
        f"{args.quarantine_uri} and the report in {join(args.output_uri, REPORT_FILE)}",
        f"{advice}, and upload the file again (or raise maxQuarantinedFraction)",
    )


# Session settings the run relies on, set for its duration and restored afterwards.
SESSION_SETTINGS = {
    # Invalid text cast to a number must give null (then a reason code), not fail the job as ANSI mode would.
    "spark.sql.ansi.enabled": "false",
    # The staged rows are cached once and read by every later action; compressing the cache cost more time than the
    # re-reads saved (1M rows: ~8 s compressed vs ~4 s uncompressed on 2 cores). Memory is not the limit here.
    "spark.sql.inMemoryColumnarStorage.compressed": "false",
    # Staging a row is one wide projection (every column trimmed and parsed, every check, two hashes), whose
    # whole-stage code exceeds 8,000 bytes of bytecode: the JVM then never compiles it and interprets every row.
    # Above this limit Spark generates the code per expression instead, which the JVM compiles (Spark's own advice
    # for HotSpot; 1M rows: ~3 s less on 2 cores).
    "spark.sql.codegen.hugeMethodLimit": "8000",
}


@contextmanager
def session_settings(spark: SparkSession, settings: Mapping[str, str]) -> Iterator[None]:
    previous = {key: spark.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)


def run_curation(spark: SparkSession, args: JobArguments, glue_client: GlueClient | None = None) -> dict[str, Any]:
    """Curate ``args.source_uri``; returns the report (also written). Raises CurationError naming the problem.

    With ``args.catalog_database`` and ``args.catalog_table``, a successful run sets that table's columns to its own
    through ``glue_client`` (default: boto3's, created only then).
    """
    with session_settings(spark, SESSION_SETTINGS):
        return _run(spark, args, glue_client)


@dataclass(frozen=True)
class _Source:
    """The upload as read before any row is classified: header checked, rows not yet parsed."""

    contract: Contract
    header: Header
    raw: DataFrame
    pinned: Schema | None
    ignored: list[str]  # header columns a pinned schema does not describe
    to_infer: list[str]  # columns whose type or categories come from the data

    def checks(self, source_uri: str) -> Schema:
        """The schema rows are classified with, before any type is inferred: the pinned one, or the contract's
        columns with every column still to be typed as an open categorical. That gives them no check, as their
        inferred type would: an inferred numeric column has only numbers (else it is categorical), imputes its gaps
        and has no bounds; an inferred categorical takes its categories from the data."""
        if self.pinned is not None:
            return self.pinned
        return draft_schema(self.contract, self.header, {name: "categorical" for name in self.to_infer}, source_uri)


def _read_source(spark: SparkSession, args: JobArguments) -> _Source:
    """Contract, header and pinned schema; raises on every problem found before the rows are read."""
    contract = parse_contract(args.contract)
    header = read_header(args.source_uri, contract.delimiter)
    pinned = schema_from_json(read_text(args.schema_uri), args.schema_uri) if args.schema_uri else None
    ignored: list[str] = []
    if pinned is not None:
        pinned, ignored = pin_schema(pinned, contract, header, args.schema_uri or "")
    check_header(header, contract, args.source_uri, required=[c.name for c in pinned.columns] if pinned else ())
    raw = read_rows(spark, args.source_uri, header, contract.delimiter)
    to_infer = [] if pinned is not None else columns_to_infer(contract, header)
    return _Source(contract, header, raw, pinned, ignored, to_infer)


def _stage(source: _Source, source_uri: str) -> DataFrame:
    """The staged rows (clean.stage), with the numbers of every column that is or may become numeric."""
    checks = source.checks(source_uri)
    numeric = [c.name for c in checks.columns if c.type == "numeric"] + source.to_infer
    return stage(source.raw, checks, source.header, numeric, source.contract.deduplicate)


@dataclass(frozen=True)
class _Plan:
    """What a run decided before counting its rows."""

    contract: Contract
    header: Header
    profiled: Profile
    schema: Schema  # pinned, or the draft inferred from the profile (imputation values and categories pending)
    pinned: bool
    ignored: list[str]
    warnings: list[str]


def _plan(source: _Source, staged: DataFrame, args: JobArguments) -> _Plan:
    """Profile the staged rows (the first pass over the file: it fills the cache), then decide the column types;
    raises on every file-level problem."""
    contract, header = source.contract, source.header
    profiled = profile(staged, header, source.to_infer)
    if profiled.undecodable:
        raise_if_not_utf8(args.source_uri)
    if profiled.rows == 0:
        raise SourceFileError(args.source_uri, "it has a header but no data rows", "Upload a file with data rows")
    warnings: list[str] = []
    if source.pinned is None:
        ragged_dooms_run = profiled.ragged / profiled.rows > contract.max_quarantined_fraction
        types = _infer_types(contract, header, profiled, args.source_uri, lenient=ragged_dooms_run)
        warnings = type_warnings(profiled, {n: t for n, t in types.items() if n not in contract.columns})
        schema = draft_schema(contract, header, types, args.source_uri)
    else:
        schema = source.pinned
    return _Plan(contract, header, profiled, schema, source.pinned is not None, source.ignored, warnings)


def _count(classified: DataFrame, plan: _Plan) -> tuple[dict[str, int], int, dict[str, Any]]:
    """Rows by reason, rows kept and the kept rows' statistics, in one aggregation."""
    aggregates = [] if plan.pinned else statistics(plan.schema, plan.header)
    groups = classified.groupBy(REASON).agg(F.count(F.lit(1)).alias("rows"), *aggregates).collect()
    by_reason = {row[REASON]: int(row["rows"]) for row in groups}
    kept_stats = next((row.asDict() for row in groups if row[REASON] is None), {})
    rows_out = by_reason.pop(None, 0)
    if rows_out + sum(by_reason.values()) != plan.profiled.rows:
        raise AssertionError(
            f"row accounting broke: {plan.profiled.rows} rows in but {rows_out} kept + {sum(by_reason.values())} "
            "quarantined; this is a bug in the curation job, please report it with the input file"
        )
    return by_reason, rows_out, kept_stats


def _failure(args: JobArguments, counts: Mapping[str, Any]) -> CurationError | None:
    if counts["quarantinedFraction"] > counts["maxQuarantinedFraction"]:
        return _fraction_error(args, counts)
    if counts["out"] == 0:  # only possible with maxQuarantinedFraction = 1
        return SourceFileError(
            args.source_uri, f"every one of its {counts['in']} rows was set aside ({counts['quarantinedByReason']})",
            f"See the quarantined rows in {args.quarantine_uri}, fix the file and upload it again",
        )
    return None


def _catalog(args: JobArguments, schema: Schema, glue_client: GlueClient | None) -> dict[str, Any] | None:
    """Set the catalog table's columns to this run's; what the report says about it."""
    if not (args.catalog_database and args.catalog_table):
        return None
    client = glue_client if glue_client is not None else default_glue_client()
    replaced = update_curated_table(client, args.catalog_database, args.catalog_table, schema)
    return {"database": args.catalog_database, "table": args.catalog_table, "replacedVersion": replaced,
            "columns": len(table_columns(schema))}


def _run(spark: SparkSession, args: JobArguments, glue_client: GlueClient | None) -> dict[str, Any]:
    timings, started_at = Timings(), utc_now()
    source = _read_source(spark, args)
    timings.lap("header")
    # Parsed, trimmed and checked once: every later pass reads the cache.
    staged = _stage(source, args.source_uri).persist(StorageLevel.MEMORY_AND_DISK)
    repeated = None
    try:
        plan = _plan(source, staged, args)
        schema = plan.schema
        timings.lap("profile")
        classified = staged
        if plan.contract.deduplicate:
            repeated = repeated_fingerprints(staged).persist(StorageLevel.MEMORY_AND_DISK)
            classified = mark_duplicates(staged, repeated)
        by_reason, rows_out, kept_stats = _count(classified, plan)
        counts = row_counts(plan.profiled.rows, by_reason, rows_out, plan.contract.max_quarantined_fraction)
        timings.lap("classify")
        failure = _failure(args, counts)
        if failure is None:
            kept = classified.where(F.col(REASON).isNull())
            if not plan.pinned:
                schema = finalize_schema(kept_stats, kept, schema, plan.header, plan.contract.max_categories,
                                         args.source_uri)
            # About a file per 500k rows: few files to list, yet several writers on large runs (coalesce never adds
            # partitions, so small runs get one file).
            files = -(-rows_out // ROWS_PER_FILE)
            _write_csv(encode(kept, schema, plan.header).coalesce(files), join(args.output_uri, DATA_FOLDER))
            timings.lap("writeData")
        _write_csv(quarantine_rows(classified, plan.header), args.quarantine_uri)
        timings.lap("writeQuarantine")
    finally:
        staged.unpersist()
        if repeated is not None:
            repeated.unpersist()
    catalog = None
    if failure is None:
        write_text(join(args.output_uri, SCHEMA_FILE), schema.dumps())
        try:
            catalog = _catalog(args, schema, glue_client)
        except CurationError as error:
            failure = error
        timings.lap("catalog")
    report = {
        "reportVersion": REPORT_VERSION,
        "status": "succeeded" if failure is None else "failed",
        "error": None if failure is None else str(failure),
        "runId": args.run_id,
        "source": {"uri": args.source_uri, "versionId": args.source_version_id},
        "outputs": args.outputs(),
        "rows": counts,
        "schemaSource": "pinned" if plan.pinned else "inferred",
        "pinnedSchemaUri": args.schema_uri,
        "ignoredColumns": plan.ignored,
        "catalog": catalog,
        "warnings": plan.warnings,
        "schema": schema.to_json(),
        "contract": plan.contract.to_json(),
        "timings": timings.to_json(),
        "startedAt": started_at,
        "finishedAt": utc_now(),
        "sparkVersion": spark.version,
    }
    write_text(join(args.output_uri, REPORT_FILE), json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    if failure is not None:
        failure.report = report  # type: ignore[attr-defined]  # the entry point logs its counts
        raise failure
    return report
