/**
 * Environment variables of the start-etl handler, for the CDK construct that deploys it to set (this module imports
 * nothing, so the construct can use it without bundling handler code). The logger also reads `LOGGER_ENVIRONMENT`
 * (`lambda/shared/logger.ts`); the AWS SDK reads its own standard variables (`AWS_ENDPOINT_URL_GLUE`,
 * `AWS_MAX_ATTEMPTS`...).
 */
export const START_ETL_ENVIRONMENT = {
  /** Required. The raw bucket: only uploads to it start the ETL job. */
  rawBucketName: 'RAW_BUCKET_NAME',
  /** Required. The processed bucket: where the run writes (`etlRunLocation`). */
  processedBucketName: 'PROCESSED_BUCKET_NAME',
  /** Required. The Glue ETL job to start. */
  etlJobName: 'ETL_JOB_NAME',
  /** Required. The DynamoDB table of idempotency records. */
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** Optional. Comma-separated file suffixes that start a run, case-insensitive (default `.csv`). */
  allowedSuffixes: 'ALLOWED_SUFFIXES',
  /** Optional. Largest object, in bytes, that starts a run (default 1 GiB). */
  maxObjectBytes: 'MAX_OBJECT_BYTES',
  /**
   * Optional. How `detail.object.key` is encoded in the events: `none` (default: S3's EventBridge events carry the
   * key as is) or `url` (`+` for space and `%xx` escapes, as in S3's SQS/SNS/Lambda notifications).
   */
  objectKeyEncoding: 'OBJECT_KEY_ENCODING',
  /** Optional. Seconds a completed idempotency record stays valid (default 7 days). */
  idempotencyExpirySeconds: 'IDEMPOTENCY_EXPIRY_SECONDS',
} as const;
