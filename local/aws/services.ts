import * as path from 'path';
import type { LocalS3 } from '../s3';
import { loadServiceModel, type ServiceModelId } from './api-model';
import { dynamoDbOperations } from './dynamodb/operations';
import { DynamoDbTables, type KeySchema } from './dynamodb/tables';
import { LocalAwsError } from './errors';
import type { ServiceProtocol } from './http-io';
import { JsonProtocolService, type JsonOperation } from './json-protocol';
import { QueryProtocolService } from './query-protocol';
import { S3RestXmlService } from './s3';
import { snsOperations, type PublishedMessage } from './sns';

type Request = Record<string, unknown>;

/** What local mode gives the endpoint to answer the operations it does not answer itself. */
export interface LocalAwsBackends {
  /** Glue StartJobRun / GetJobRun (the local ETL runner) and GetTable / UpdateTable (the local catalog). */
  readonly glue?: {
    startJobRun(request: Request): Promise<{ JobRunId: string }>;
    getJobRun(request: Request): Promise<{ JobRun: Record<string, unknown> }>;
    getTable?(request: Request): Promise<{ Table: Record<string, unknown> }>;
    updateTable?(request: Request): Promise<Record<string, never>>;
  };
  /** SageMaker pipeline executions and the model registry (the local executor and registry). */
  readonly sagemaker?: {
    startPipelineExecution(request: Request): Promise<{ PipelineExecutionArn: string }>;
    describePipelineExecution(request: Request): Promise<Record<string, unknown>>;
    listPipelineExecutionSteps(request: Request): Promise<Record<string, unknown>>;
    describeModelPackage(request: Request): Promise<Record<string, unknown>>;
  };
  /** S3 GetObject / HeadObject read from local S3. */
  readonly s3?: LocalS3;
}

/** The service models the endpoint loads, by SigV4 signing name. */
export const SERVICE_MODELS: Readonly<Record<string, ServiceModelId>> = {
  glue: { directory: 'glue', serviceId: 'Glue' },
  sagemaker: { directory: 'sagemaker', serviceId: 'SageMaker' },
  dynamodb: { directory: 'dynamodb', serviceId: 'DynamoDB' },
  sns: { directory: 'sns', serviceId: 'SNS' },
  s3: { directory: 's3', serviceId: 'S3' },
};

/** Binds an operation to a backend method, or to an error naming the backend local mode did not pass. */
function delegate<B>(backend: B | undefined, name: string, call: (backend: B, request: Request) => Promise<Record<string, unknown>>): JsonOperation {
  return (request) => {
    if (backend === undefined) {
      throw new LocalAwsError(
        'UnknownOperationException',
        `The local AWS endpoint was started without backends.${name}, so it cannot serve this operation.`,
      );
    }
    return call(backend, request);
  };
}

/** Options of {@link createServices}. */
export interface ServiceOptions {
  readonly backends: LocalAwsBackends;
  readonly region: string;
  readonly venvDir: string;
  readonly dataDir?: string;
  readonly dynamoDbKeySchemas?: Readonly<Record<string, KeySchema>>;
  readonly published: PublishedMessage[];
}

/** The protocols of the served services, by SigV4 signing name. Loads every model first: a missing one throws. */
export function createServices(options: ServiceOptions): Map<string, ServiceProtocol> {
  const models = Object.fromEntries(
    Object.entries(SERVICE_MODELS).map(([name, id]) => [name, loadServiceModel(options.venvDir, id)]),
  );
  const { glue, sagemaker, s3 } = options.backends;
  const tables = new DynamoDbTables(options.dataDir, options.dynamoDbKeySchemas);
  const journalFile = options.dataDir === undefined ? undefined : path.join(options.dataDir, 'sns', 'published.jsonl');
  return new Map<string, ServiceProtocol>([
    [
      'glue',
      new JsonProtocolService(models.glue, {
        StartJobRun: delegate(glue, 'glue', (b, r) => b.startJobRun(r)),
        GetJobRun: delegate(glue, 'glue', (b, r) => b.getJobRun(r)),
        GetTable: delegate(glue?.getTable ? glue : undefined, 'glue.getTable', (b, r) => b.getTable!(r)),
        UpdateTable: delegate(glue?.updateTable ? glue : undefined, 'glue.updateTable', (b, r) => b.updateTable!(r)),
      }),
    ],
    [
      'sagemaker',
      new JsonProtocolService(models.sagemaker, {
        StartPipelineExecution: delegate(sagemaker, 'sagemaker', (b, r) => b.startPipelineExecution(r)),
        DescribePipelineExecution: delegate(sagemaker, 'sagemaker', (b, r) => b.describePipelineExecution(r)),
        ListPipelineExecutionSteps: delegate(sagemaker, 'sagemaker', (b, r) => b.listPipelineExecutionSteps(r)),
        DescribeModelPackage: delegate(sagemaker, 'sagemaker', (b, r) => b.describeModelPackage(r)),
      }),
    ],
    ['dynamodb', new JsonProtocolService(models.dynamodb, dynamoDbOperations(tables))],
    [
      'sns',
      new QueryProtocolService(
        models.sns,
        snsOperations({ region: options.region, published: options.published, journalFile }),
        'InvalidParameter',
      ),
    ],
    ['s3', new S3RestXmlService(models.s3, s3)],
  ]);
}
