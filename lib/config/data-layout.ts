/**
 * Where data lives in the platform's buckets. Shared by the stacks, the handlers, the pipeline inputs and local
 * mode, so an upload under `raw/` in the cloud and in `.local/s3` follow the same path.
 */
export const DATA_LAYOUT = {
  /** Raw bucket: datasets uploaded by data engineers or upstream systems. */
  rawPrefix: 'raw/',
  /** Processed bucket: curated (cleaned, feature-engineered) data written by the ETL job, one prefix per run. */
  curatedPrefix: 'curated/',
  /**
   * Processed bucket: rows the ETL job set aside, one prefix per run: the source columns as uploaded, then
   * `quarantine_reason` and `quarantine_raw_line` (the line itself, for rows whose fields could not be split).
   */
  quarantinePrefix: 'quarantine/',
  /** Artifacts bucket: outputs of training pipeline executions (splits, models, evaluation reports). */
  pipelinesPrefix: 'pipelines/',
  /** Raw bucket: inputs of batch predictions (an upload here can start the inference pipeline). */
  batchInputPrefix: 'batch/',
  /** Artifacts bucket: batch transform outputs. */
  predictionsPrefix: 'predictions/',
} as const;

/** Key prefix of the training pipeline's artifacts in the artifacts bucket (no trailing slash). */
export const TRAINING_ARTIFACT_PREFIX = `${DATA_LAYOUT.pipelinesPrefix}training`;

/** File names of an ETL run's output, under its curated prefix. */
export const ETL_OUTPUT_FILES = {
  /** Folder of the curated CSV part files (header; label first, then the features). */
  dataFolder: 'data/',
  /** The schema the run used: column types, category lists and imputation values (pin it to repeat a run). */
  schema: 'schema.json',
  /** Rows in, rows out, rows quarantined by reason, the schema used, timings. */
  report: 'report.json',
} as const;

/** Where one ETL run writes in the processed bucket. */
export interface EtlRunLocation {
  /** `s3://<processed>/curated/<runId>/`: the training pipeline's InputDataUri (data, schema and report). */
  readonly outputUri: string;
  /** `s3://<processed>/curated/<runId>/data/`: the curated CSV files. */
  readonly dataUri: string;
  /** `s3://<processed>/curated/<runId>/schema.json` */
  readonly schemaUri: string;
  /** `s3://<processed>/curated/<runId>/report.json` */
  readonly reportUri: string;
  /** `s3://<processed>/quarantine/<runId>/`: rows set aside, with their reason. */
  readonly quarantineUri: string;
}

/** Run ids are readable and safe in S3 keys and Glue arguments. */
export const ETL_RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The output locations of ETL run `runId` in the processed bucket `processedBucketName` (tokens allowed). */
export function etlRunLocation(processedBucketName: string, runId: string): EtlRunLocation {
  if (!ETL_RUN_ID_PATTERN.test(runId)) {
    throw new Error(`ETL run id '${runId}' must be 1-63 lowercase letters, digits or '-', starting with a letter or digit`);
  }
  const outputUri = `s3://${processedBucketName}/${DATA_LAYOUT.curatedPrefix}${runId}/`;
  return {
    outputUri,
    dataUri: `${outputUri}${ETL_OUTPUT_FILES.dataFolder}`,
    schemaUri: `${outputUri}${ETL_OUTPUT_FILES.schema}`,
    reportUri: `${outputUri}${ETL_OUTPUT_FILES.report}`,
    quarantineUri: `s3://${processedBucketName}/${DATA_LAYOUT.quarantinePrefix}${runId}/`,
  };
}

/**
 * Arguments of the ETL (Glue) job, as `StartJobRun` passes them and `glue-scripts/curate_dataset.py` reads them
 * (Glue strips the leading `--`). Per run: source, run id and output locations; fixed in the job's default
 * arguments: the dataset contract (JSON) and, optionally, a pinned schema.
 */
export const ETL_JOB_ARGUMENTS = {
  /** `s3://<raw>/raw/...csv`: the uploaded object (never modified). */
  sourceUri: '--source_uri',
  /** The uploaded object's version id (lineage in the report; the raw bucket is versioned). */
  sourceVersionId: '--source_version_id',
  /** The run id: names the output prefixes. */
  runId: '--run_id',
  /** `EtlRunLocation.outputUri` */
  outputUri: '--output_uri',
  /** `EtlRunLocation.quarantineUri` */
  quarantineUri: '--quarantine_uri',
  /** The stage's dataset contract as JSON (see `DatasetContract`). */
  contract: '--contract',
  /** Optional `s3://.../schema.json` of an earlier run: apply it instead of inferring one. */
  schemaUri: '--schema_uri',
  /** The Glue database of the curated table (job default argument). */
  catalogDatabase: '--catalog_database',
  /** The curated table, whose columns the job sets to its run's (job default argument). */
  catalogTable: '--catalog_table',
} as const;
