import './set-environment';
import { GetJobRunCommand, GlueClient } from '@aws-sdk/client-glue';
import { SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import succeeded from '../../fixtures/events/aws.glue/glue-job-state-change-succeeded.json';
import failed from '../../fixtures/events/aws.glue/glue-job-state-change-failed.json';
import timedOut from '../../fixtures/events/aws.glue/glue-job-state-change-timeout.json';
import stopped from '../../fixtures/events/aws.glue/glue-job-state-change-stopped.json';
import runStatus from '../../fixtures/events/aws.glue/glue-job-run-status-running.json';
import { lambdaContext, mockIdempotencyTable, variant } from '../helpers';
import { handler } from '../../../lambda/start-training';

const glue = mockClient(GlueClient);
const sageMaker = mockClient(SageMakerClient);
const table = mockIdempotencyTable();
const context = lambdaContext('start-training');
const warn = jest.spyOn(Logger.prototype, 'warn');

const JOB_RUN_ID = succeeded.detail.jobRunId;
const RUN_ID = 'house-prices-f6ed16032346';
const OUTPUT_URI = `s3://mlops-test-processed/curated/${RUN_ID}/`;
const EXECUTION_ARN = 'arn:aws:sagemaker:us-west-2:123456789012:pipeline/mlops-test-training/execution/4rp5r0ag2byf';
/** The arguments start-etl gives a run. */
const ARGUMENTS = {
  '--source_uri': 's3://mlops-test-raw/raw/house-prices.csv',
  '--source_version_id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
  '--run_id': RUN_ID,
  '--output_uri': OUTPUT_URI,
  '--quarantine_uri': `s3://mlops-test-processed/quarantine/${RUN_ID}/`,
  '--contract': '{}',
};

const jobRunWith = (args: Record<string, string> | undefined) => ({
  JobRun: { Id: JOB_RUN_ID, JobName: 'MyJob', JobRunState: 'SUCCEEDED' as const, Arguments: args },
});

beforeEach(() => {
  glue.reset();
  sageMaker.reset();
  table.items.clear();
  table.dynamodb.resetHistory();
  warn.mockClear();
  glue.on(GetJobRunCommand).resolves(jobRunWith(ARGUMENTS));
  sageMaker.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: EXECUTION_ARN });
});

describe('start-training handler', () => {
  test('GIVEN a SUCCEEDED run of the ETL job WHEN handled THEN starts the training pipeline on its curated output', async () => {
    const result = await handler(succeeded, context);

    expect(result).toEqual({ status: 'started', pipelineExecutionArn: EXECUTION_ARN, jobRunId: JOB_RUN_ID, inputDataUri: OUTPUT_URI });
    expect(glue.commandCalls(GetJobRunCommand).map((call) => call.args[0].input)).toEqual([{ JobName: 'MyJob', RunId: JOB_RUN_ID }]);
    expect(sageMaker.commandCalls(StartPipelineExecutionCommand).map((call) => call.args[0].input)).toEqual([
      {
        PipelineName: 'mlops-test-training',
        PipelineExecutionDisplayName: `etl-${RUN_ID}`,
        PipelineExecutionDescription:
          `Curated data of ETL run ${RUN_ID} (Glue job MyJob, run ${JOB_RUN_ID}) from s3://mlops-test-raw/raw/house-prices.csv`,
        PipelineParameters: [{ Name: 'InputDataUri', Value: OUTPUT_URI }],
        ClientRequestToken: '9ffc1f52e2bf5a07f660e6200bb110c361a40dce8e0dff0db2222dd57020642f',
      },
    ]);
  });

  test('GIVEN the same state change delivered twice WHEN handled THEN one execution, and the duplicate returns the first result', async () => {
    const first = await handler(succeeded, context);
    const second = await handler(structuredClone(succeeded), context);

    expect(second).toEqual(first);
    expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(2);
    expect(sageMaker.commandCalls(StartPipelineExecutionCommand)).toHaveLength(1);
    const puts = table.dynamodb.calls().filter((call) => call.args[0].constructor.name === 'PutItemCommand');
    await expect(puts[1].returnValue).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
  });

  test.each([
    ['Glue GetJobRun', 'ThrottlingException', 'Rate exceeded'],
    ['Glue GetJobRun', 'EntityNotFoundException', `Job run ${JOB_RUN_ID} not found`],
    ['SageMaker StartPipelineExecution', 'ResourceLimitExceeded', 'Too many concurrent executions'],
    ['SageMaker StartPipelineExecution', 'ThrottlingException', 'Rate exceeded'],
  ])('GIVEN %s fails with %s WHEN handled THEN the error propagates and leaves no record, so the retry runs', async (operation, name, message) => {
    const error = Object.assign(new Error(message), { name });
    if (operation === 'Glue GetJobRun') glue.on(GetJobRunCommand).rejectsOnce(error).resolves(jobRunWith(ARGUMENTS));
    else sageMaker.on(StartPipelineExecutionCommand).rejectsOnce(error).resolves({ PipelineExecutionArn: EXECUTION_ARN });

    await expect(handler(succeeded, context)).rejects.toMatchObject({
      name,
      message: expect.stringMatching(new RegExp(`^${operation} failed \\(.*run ${JOB_RUN_ID}\\): ${name}: ${message}\\.`)),
    });
    expect(table.items.size).toBe(0);
    await expect(handler(succeeded, context)).resolves.toMatchObject({ status: 'started' });
    expect(sageMaker.commandCalls(StartPipelineExecutionCommand)).toHaveLength(operation === 'Glue GetJobRun' ? 1 : 2);
  });
});

test('GIVEN SageMaker answers without an execution ARN WHEN handled THEN fails naming the pipeline, leaving no record', async () => {
  sageMaker.on(StartPipelineExecutionCommand).resolves({});

  await expect(handler(succeeded, context)).rejects.toThrow(
    `SageMaker StartPipelineExecution returned no ARN (pipeline 'mlops-test-training', ETL run ${JOB_RUN_ID})`,
  );
  expect(table.items.size).toBe(0);
});

describe('start-training handler rejects from the event alone, without any AWS call', () => {
  test.each<[string, unknown, RegExp]>([
    ['a string', 'SUCCEEDED', /\(event\): Invalid input: expected object, received string/],
    ['null', null, /\(event\): Invalid input: expected object, received null/],
    ['another detail-type (Glue Job Run Status)', runStatus, /detail-type: Invalid input: expected "Glue Job State Change" \(got "Glue Job Run Status"\)/],
    ['another source', variant(succeeded, (e) => (e.source = 'aws.s3')), /source: Invalid input: expected "aws.glue" \(got "aws.s3"\)/],
    ['no jobRunId', variant(succeeded, (e) => Reflect.deleteProperty(e.detail, 'jobRunId')), /detail\.jobRunId: Invalid input: expected string/],
    ['no state', variant(succeeded, (e) => Reflect.deleteProperty(e.detail, 'state')), /detail\.state: Invalid input: expected string/],
    ['a jobName that is a number', variant(succeeded, (e) => Object.assign(e.detail, { jobName: 42 })), /detail\.jobName: .*\(got 42\)/],
    ['another Glue job', variant(succeeded, (e) => (e.detail.jobName = 'someone-elses-job')), /event is for Glue job 'someone-elses-job', not the ETL job 'MyJob'/],
    ['a FAILED run', failed, /ETL run jr_0123.* ended in state FAILED \("JobName:MyJob and JobRunId:.*"\); training starts only after SUCCEEDED/],
    ['a TIMEOUT run', timedOut, /ended in state TIMEOUT \("Job run timed out"\)/],
    ['a STOPPED run', stopped, /ended in state STOPPED \("Job run stopped"\)/],
    ['an unknown state', variant(succeeded, (e) => (e.detail.state = 'RUNNING')), /ended in state RUNNING/],
  ])('GIVEN %s', async (_what, event, reason) => {
    const result = await handler(event, context);

    expect(result).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(glue.calls()).toHaveLength(0);
    expect(sageMaker.calls()).toHaveLength(0);
    expect(table.dynamodb.calls()).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith('Rejected the event; nothing started', expect.objectContaining({ reason: (result as { reason: string }).reason }));
  });
});

describe('start-training handler rejects from the run\'s arguments, after GetJobRun, without starting the pipeline', () => {
  const without = (name: string) => Object.fromEntries(Object.entries(ARGUMENTS).filter(([key]) => key !== name));

  test.each<[string, Record<string, string> | undefined, RegExp]>([
    ['no Arguments', undefined, /Glue GetJobRun returned no Arguments for ETL run jr_abcdef.* of job 'MyJob'/],
    ['empty Arguments', {}, /returned no Arguments/],
    ['no --output_uri', without('--output_uri'), /has no --output_uri argument/],
    ['an output in another bucket', { ...ARGUMENTS, '--output_uri': `s3://other-bucket/curated/${RUN_ID}/` }, /wrote to "s3:\/\/other-bucket\/curated\/.*", not to a folder under s3:\/\/mlops-test-processed\/curated\//],
    ['an output under quarantine/', { ...ARGUMENTS, '--output_uri': `s3://mlops-test-processed/quarantine/${RUN_ID}/` }, /not to a folder under s3:\/\/mlops-test-processed\/curated\//],
    ['an output that is curated/ itself', { ...ARGUMENTS, '--output_uri': 's3://mlops-test-processed/curated/' }, /not to a folder under/],
    ['an output that is not a folder', { ...ARGUMENTS, '--output_uri': `s3://mlops-test-processed/curated/${RUN_ID}/data.csv` }, /expected a folder such as s3:\/\/mlops-test-processed\/curated\/<run id>\//],
    ['an output escaping with ..', { ...ARGUMENTS, '--output_uri': 's3://mlops-test-processed/curated/../raw/' }, /expected a folder such as/],
    ['a control character in the output', { ...ARGUMENTS, '--output_uri': `s3://mlops-test-processed/curated/${RUN_ID}\n/` }, /unsafe character U\+000A/],
    ['no --run_id', without('--run_id'), /has --run_id null, which does not match/],
    ['an invalid --run_id', { ...ARGUMENTS, '--run_id': 'House Prices' }, /has --run_id "House Prices", which does not match/],
  ])('GIVEN a run with %s', async (_what, args, reason) => {
    glue.on(GetJobRunCommand).resolves(jobRunWith(args));

    const result = await handler(succeeded, context);

    expect(result).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(1);
    expect(sageMaker.calls()).toHaveLength(0);
    expect(table.dynamodb.calls()).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith('Rejected the ETL run; training not started', { jobRunId: JOB_RUN_ID, reason: (result as { reason: string }).reason });
  });

  test('GIVEN GetJobRun returns no JobRun at all THEN rejected the same way', async () => {
    glue.on(GetJobRunCommand).resolves({});

    await expect(handler(succeeded, context)).resolves.toMatchObject({ status: 'rejected', reason: expect.stringContaining('returned no Arguments') });
  });

  test('GIVEN a rejected run delivered again THEN it is checked again (nothing was stored) and rejected the same way', async () => {
    glue.on(GetJobRunCommand).resolves(jobRunWith(without('--output_uri')));

    const first = await handler(succeeded, context);
    const second = await handler(succeeded, context);

    expect(second).toEqual(first);
    expect(glue.commandCalls(GetJobRunCommand)).toHaveLength(2);
    expect(table.dynamodb.calls()).toHaveLength(0);
  });
});
