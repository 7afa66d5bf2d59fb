/**
 * Environment variables of the start-training handler, for the CDK construct that deploys it to set (this module
 * imports nothing). The logger also reads `LOGGER_ENVIRONMENT` (`lambda/shared/logger.ts`); the AWS SDK reads its
 * own standard variables (`AWS_ENDPOINT_URL_SAGEMAKER`, `AWS_MAX_ATTEMPTS`...).
 */
export const START_TRAINING_ENVIRONMENT = {
  /** Required. The Glue ETL job whose successful runs start training; events of other jobs are rejected. */
  etlJobName: 'ETL_JOB_NAME',
  /** Required. The processed bucket: a run's output must be under its `curated/` prefix. */
  processedBucketName: 'PROCESSED_BUCKET_NAME',
  /** Required. The SageMaker training pipeline to start. */
  trainingPipelineName: 'TRAINING_PIPELINE_NAME',
  /** Required. The DynamoDB table of idempotency records. */
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** Optional. Seconds a completed idempotency record stays valid (default 7 days). */
  idempotencyExpirySeconds: 'IDEMPOTENCY_EXPIRY_SECONDS',
} as const;
