import * as fs from 'fs';
import * as path from 'path';
import { GlueJobRunStatusSchema, ModelPackageStateChangeSchema, NotifyEventSchema } from '../../../lambda/notify/event';
import { ObjectCreatedEventSchema } from '../../../lambda/start-etl/event';
import { GlueJobStateChangeEventSchema } from '../../../lambda/start-training/event';
import {
  glueJobRunStatusEvent,
  glueJobStateChangeEvent,
  modelPackageStateChangeEvent,
  objectCreatedEvent,
  pipelineExecutionStatusChangeEvent,
  trainingJobStateChangeEvent,
  tuningJobStateChangeEvent,
  type AwsEvent,
} from '../../../local/events/aws-events';
import { LocalEventBus } from '../../../local/events/bus';

/**
 * Local mode's runners put these events on its bus: each must carry every field of AWS's published sample of its
 * kind, in the same JSON types, and parse with the schema of the handler its rule targets.
 */
const SAMPLES = path.join(__dirname, '..', '..', 'fixtures', 'events');
const sample = (file: string) => JSON.parse(fs.readFileSync(path.join(SAMPLES, file), 'utf8'));
const bus = new LocalEventBus({ account: '123456789012', region: 'eu-west-1' });
const onBus = (event: AwsEvent) => bus.put(event);

/** Each field of `expected` (recursively, for objects) is in `actual` with the same JSON type. */
function typeShape(value: unknown): unknown {
  if (Array.isArray(value)) return 'array';
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeShape(v)]));
  }
  return typeof value;
}

const PIPELINE = 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/mlops-dev-training';

const CASES: [string, string, AwsEvent][] = [
  ['S3 Object Created', 'aws.s3/object-created.json', objectCreatedEvent({ bucket: 'raw', key: 'raw/a.csv', size: 10, etag: 'abc', versionId: 'v1', requester: '123456789012' })],
  ['Glue Job State Change', 'aws.glue/glue-job-state-change-failed.json', glueJobStateChangeEvent({ jobName: 'etl', jobRunId: 'jr_1', state: 'FAILED', message: 'boom' })],
  ['Glue Job Run Status', 'aws.glue/glue-job-run-status-running.json', glueJobRunStatusEvent({ jobName: 'etl', jobRunId: 'jr_1', notifyDelayMinutes: 15, startedOn: '2026-01-01T00:00:00.000Z' })],
  [
    'pipeline execution status change',
    'aws.sagemaker/sagemaker-model-building-pipeline-execution-status-change.json',
    pipelineExecutionStatusChangeEvent({
      pipelineArn: PIPELINE,
      executionArn: `${PIPELINE}/execution/abc123def456`,
      status: 'Succeeded',
      previousStatus: 'Executing',
      startTime: '2026-01-01T00:00:00.000Z',
      endTime: '2026-01-01T00:05:00.000Z',
      displayName: 'etl-run',
      description: 'Curated data of ETL run r1',
    }),
  ],
];

describe('local events have the fields of AWS\'s samples', () => {
  test.each(CASES)('%s', (_, file, event) => {
    const published = sample(file);
    const put = onBus(event);
    expect(put.source).toBe(published.source);
    expect(put['detail-type']).toBe(published['detail-type']);
    expect(typeShape(put.detail)).toMatchObject(typeShape(published.detail) as Record<string, unknown>);
    expect(typeShape(put)).toMatchObject({ ...(typeShape(published) as Record<string, unknown>), detail: expect.anything() });
  });
});

describe('and parse with the schema of the handler their rule targets', () => {
  test('start-etl takes the upload, start-training the run, notify the rest', () => {
    expect(ObjectCreatedEventSchema.safeParse(onBus(CASES[0][2])).success).toBe(true);
    expect(GlueJobStateChangeEventSchema.safeParse(onBus(CASES[1][2])).success).toBe(true);
    expect(NotifyEventSchema.safeParse(onBus(CASES[1][2])).success).toBe(true);
    expect(GlueJobRunStatusSchema.safeParse(onBus(CASES[2][2])).success).toBe(true);
    expect(NotifyEventSchema.safeParse(onBus(CASES[3][2])).success).toBe(true);
  });

  test('training, tuning and model-package events carry what notify reads', () => {
    const training = trainingJobStateChangeEvent({
      TrainingJobName: 't1',
      TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:123456789012:training-job/t1',
      TrainingJobStatus: 'Failed',
      FailureReason: 'AlgorithmError: boom',
      RoleArn: 'arn:aws:iam::123456789012:role/x',
    });
    const tuning = tuningJobStateChangeEvent({
      HyperParameterTuningJobName: 'tune1',
      HyperParameterTuningJobArn: 'arn:aws:sagemaker:eu-west-1:123456789012:hyper-parameter-tuning-job/tune1',
      HyperParameterTuningJobStatus: 'Failed',
      TrainingJobDefinition: { RoleArn: 'arn:aws:iam::123456789012:role/x' },
    });
    const modelPackage = modelPackageStateChangeEvent({
      ModelPackageGroupName: 'mlops-dev-models',
      ModelPackageVersion: 1,
      ModelPackageArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/mlops-dev-models/1',
      ModelApprovalStatus: 'PendingManualApproval',
      ModelPackageStatus: 'Completed',
      CreationTime: '2026-01-01T00:00:00.000Z',
    });
    for (const event of [training, tuning, modelPackage]) {
      expect([event.detailType, NotifyEventSchema.safeParse(onBus(event)).success]).toEqual([event.detailType, true]);
    }
    expect(ModelPackageStateChangeSchema.safeParse(onBus(modelPackage)).success).toBe(true);
    expect(onBus(training).resources).toEqual(['arn:aws:sagemaker:eu-west-1:123456789012:training-job/t1']);
  });
});
