import succeeded from '../../fixtures/events/aws.glue/glue-job-state-change-succeeded.json';
import { variant } from '../helpers';
import {
  decideFromStateChange,
  decideTrainingInput,
  pipelineClientRequestToken,
  pipelineDisplayName,
  type SucceededEtlRun,
} from '../../../lambda/start-training/decide';
import { GlueJobStateChangeEventSchema } from '../../../lambda/start-training/event';
import { ETL_JOB_ARGUMENTS, etlRunLocation } from '../../../lib/config/data-layout';

const RUN: SucceededEtlRun = { status: 'succeeded', jobName: 'MyJob', jobRunId: succeeded.detail.jobRunId };
const RULES = { processedBucketName: 'mlops-test-processed' };

describe('decideFromStateChange', () => {
  test('GIVEN a SUCCEEDED run of the ETL job THEN it goes on, keyed by the run id', () => {
    const event = GlueJobStateChangeEventSchema.parse(succeeded);
    expect(decideFromStateChange(event, { etlJobName: 'MyJob' })).toEqual(RUN);
  });

  test('GIVEN a long failure message THEN the reason quotes at most 300 characters of it', () => {
    const event = GlueJobStateChangeEventSchema.parse(
      variant(succeeded, (e) => Object.assign(e.detail, { state: 'FAILED', message: 'x'.repeat(1000) })),
    );
    const decision = decideFromStateChange(event, { etlJobName: 'MyJob' });
    expect(decision).toEqual({ status: 'rejected', reason: expect.stringContaining(`("${'x'.repeat(300)}")`) });
  });
});

describe('decideTrainingInput', () => {
  test('GIVEN the arguments start-etl writes THEN the curated output is the input, named after the run', () => {
    const location = etlRunLocation('mlops-test-processed', 'iris-0123456789ab');
    const args = {
      [ETL_JOB_ARGUMENTS.runId]: 'iris-0123456789ab',
      [ETL_JOB_ARGUMENTS.outputUri]: location.outputUri,
      [ETL_JOB_ARGUMENTS.quarantineUri]: location.quarantineUri,
    };
    expect(decideTrainingInput(RUN, args, RULES)).toEqual({
      status: 'start',
      jobRunId: RUN.jobRunId,
      runId: 'iris-0123456789ab',
      inputDataUri: 's3://mlops-test-processed/curated/iris-0123456789ab/',
      displayName: 'etl-iris-0123456789ab',
      description: `Curated data of ETL run iris-0123456789ab (Glue job MyJob, run ${RUN.jobRunId})`,
      clientRequestToken: pipelineClientRequestToken(RUN.jobRunId),
    });
  });

  test('GIVEN a source URI with a control character THEN the description leaves it out (SageMaker rejects newlines there)', () => {
    const args = {
      [ETL_JOB_ARGUMENTS.runId]: 'iris-0123456789ab',
      [ETL_JOB_ARGUMENTS.outputUri]: 's3://mlops-test-processed/curated/iris-0123456789ab/',
      [ETL_JOB_ARGUMENTS.sourceUri]: 's3://raw/raw/a\nb.csv',
    };
    expect(decideTrainingInput(RUN, args, RULES)).toMatchObject({ description: expect.not.stringContaining('s3://raw') });
  });
});

describe('pipelineDisplayName', () => {
  test.each([
    ['house-prices-f6ed16032346', 'etl-house-prices-f6ed16032346'],
    ['a-', 'etl-a'],
    ['a'.repeat(63), `etl-${'a'.repeat(63)}`],
  ])('%s → %s, matching SageMaker\'s execution name pattern', (runId, expected) => {
    const name = pipelineDisplayName(runId);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,81}$/);
  });
});

describe('pipelineClientRequestToken', () => {
  test.each([
    ['a Glue run id', succeeded.detail.jobRunId],
    ['a retried attempt', `${succeeded.detail.jobRunId}_attempt_1`],
    ['the longest run id Glue allows', 'j'.repeat(255)],
    ['a short run id', 'jr_1'],
  ])('GIVEN %s THEN 32-128 characters, the same on every call', (_what, jobRunId) => {
    const token = pipelineClientRequestToken(jobRunId);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(pipelineClientRequestToken(jobRunId)).toBe(token);
  });

  test('GIVEN two run ids THEN two tokens', () => {
    expect(pipelineClientRequestToken('jr_a')).not.toBe(pipelineClientRequestToken('jr_b'));
  });
});
