import { envSchemas, readEnvironment } from '../shared/environment';
import { DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS } from '../shared/idempotency';
import { START_TRAINING_ENVIRONMENT } from './environment';

/** The validated settings of the start-training handler. */
export type StartTrainingSettings = ReturnType<typeof readStartTrainingSettings>;

/** Reads the start-training handler's environment; throws naming every missing or invalid variable. */
export function readStartTrainingSettings(environment: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(
    START_TRAINING_ENVIRONMENT,
    {
      etlJobName: envSchemas.name('the Glue ETL job name'),
      processedBucketName: envSchemas.bucketName('the processed bucket'),
      trainingPipelineName: envSchemas.name('the SageMaker training pipeline name'),
      idempotencyTableName: envSchemas.name('the idempotency DynamoDB table name'),
      idempotencyExpirySeconds: envSchemas.positiveInteger(
        'the idempotency record expiry in seconds',
        DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
      ),
    },
    environment,
  );
}
