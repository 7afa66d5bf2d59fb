/**
 * Environment variables of the notify handler, for the CDK construct that deploys it to set (this module imports
 * nothing, so the construct can use it without bundling handler code). The logger also reads `LOGGER_ENVIRONMENT`
 * (`lambda/shared/logger.ts`); the AWS SDK reads its own standard variables (`AWS_ENDPOINT_URL_SNS`,
 * `AWS_ENDPOINT_URL_SAGEMAKER`, `AWS_ENDPOINT_URL_S3`, `AWS_MAX_ATTEMPTS`...).
 */
export const NOTIFY_ENVIRONMENT = {
  /** Required. The standard (not FIFO) SNS topic the messages are published to; people subscribe by email. */
  topicArn: 'TOPIC_ARN',
  /** Required. The DynamoDB table of idempotency records. */
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  /** Required. The training pipeline: its executions are reported; other pipelines' events are rejected. */
  trainingPipelineName: 'TRAINING_PIPELINE_NAME',
  /** Required. The inference pipeline: its executions are reported too. */
  inferencePipelineName: 'INFERENCE_PIPELINE_NAME',
  /** Required. The model package group whose new versions await approval; other groups' events are rejected. */
  modelPackageGroupName: 'MODEL_PACKAGE_GROUP_NAME',
  /** Required. The Glue ETL job whose failed, stopped, timed-out and late runs are reported; others are rejected. */
  etlJobName: 'ETL_JOB_NAME',
  /**
   * Optional. The model deployment CodePipeline: its succeeded, failed and stopped executions are reported; other
   * pipelines' events are rejected, and so are all CodePipeline events while it is unset.
   */
  deploymentPipelineName: 'DEPLOYMENT_PIPELINE_NAME',
  /**
   * Optional. The SageMaker Studio domain id (`d-...`): when set, messages also link straight to the pipeline
   * execution and the model version in Studio (Studio URLs name the domain, so without it they cannot be built).
   */
  studioDomainId: 'STUDIO_DOMAIN_ID',
  /** Optional. Seconds a completed idempotency record stays valid (default 7 days). */
  idempotencyExpirySeconds: 'IDEMPOTENCY_EXPIRY_SECONDS',
} as const;
