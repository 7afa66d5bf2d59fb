import { z } from 'zod';
import { envSchemas, readEnvironment } from '../shared/environment';
import { DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS } from '../shared/idempotency';
import { NOTIFY_ENVIRONMENT } from './environment';

/** The validated settings of the notify handler. */
export type NotifySettings = ReturnType<typeof readNotifySettings>;

/** Reads the notify handler's environment; throws naming every missing or invalid variable. */
export function readNotifySettings(environment: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(
    NOTIFY_ENVIRONMENT,
    {
      topicArn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
          'not the ARN of a standard SNS topic (FIFO topics, ending in .fifo, need a message group id)',
        )
        .describe('the SNS topic: arn:aws:sns:<region>:<account>:<name>'),
      idempotencyTableName: envSchemas.name('the idempotency DynamoDB table name'),
      trainingPipelineName: envSchemas.name('the SageMaker training pipeline name'),
      inferencePipelineName: envSchemas.name('the SageMaker inference pipeline name'),
      modelPackageGroupName: envSchemas.name('the SageMaker model package group name'),
      etlJobName: envSchemas.name('the Glue ETL job name'),
      deploymentPipelineName: z
        .string()
        .regex(/^[A-Za-z0-9.@_-]{1,100}$/, 'not a CodePipeline pipeline name (1-100 of A-Z a-z 0-9 . @ _ -)')
        .optional()
        .describe('the deployment CodePipeline name, such as mlops-dev-deployment (optional)'),
      studioDomainId: z
        .string()
        .regex(/^d-[a-z0-9]{1,62}$/, "not a SageMaker domain id ('d-' then lowercase letters and digits)")
        .optional()
        .describe('the SageMaker Studio domain id, such as d-abc123def456 (optional)'),
      idempotencyExpirySeconds: envSchemas.positiveInteger(
        'the idempotency record expiry in seconds',
        DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
      ),
    },
    environment,
  );
}
