/**
 * Where data lives in the platform's buckets. Shared by the stacks, the pipeline inputs and local mode, so an
 * upload under `raw/` in the cloud and in `.local/s3` follow the same path.
 */
export const DATA_LAYOUT = {
  /** Raw bucket: datasets uploaded by data engineers or upstream systems. */
  rawPrefix: 'raw/',
  /** Processed bucket: curated (cleaned, feature-engineered) data written by the ETL job. */
  curatedPrefix: 'curated/',
  /** Processed bucket: rows the ETL job rejected, with a reason. */
  quarantinePrefix: 'quarantine/',
  /** Artifacts bucket: outputs of training pipeline executions (splits, models, evaluation reports). */
  pipelinesPrefix: 'pipelines/',
  /** Raw bucket: inputs of batch predictions (an upload here can start the inference pipeline). */
  batchInputPrefix: 'batch/',
  /** Artifacts bucket: batch transform outputs. */
  predictionsPrefix: 'predictions/',
} as const;
