import './set-environment';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { endJob, MAX_OUTPUT_VARIABLES_BYTES, outputVariablesProblem } from '../../../lambda/deploy/end-job';
import { cut, failureFromAwsError, parseJobEvent } from '../../../lambda/deploy/job';
import { runJob } from '../../../lambda/deploy/run-job';
import { NO_BASELINE, RESOLVE_MODEL_VARIABLES, TEST_REPORT_VARIABLES } from '../../../lambda/deploy/variables';
import { MODEL_METADATA_KEYS } from '../../../lib/sagemaker-pipelines/names';
import { GATE_METADATA_KEYS as NOTIFY_GATE_KEYS } from '../../../lambda/notify/evaluation';
import { awsError, JOB_ID, jobEvent, SAMPLE_JOB_EVENT } from './events';

const codePipeline = mockClient(CodePipelineClient);
const client = new CodePipelineClient({});
const logger = new Logger({ logLevel: 'SILENT' });
const failures = () => codePipeline.commandCalls(PutJobFailureResultCommand).map((call) => call.args[0].input);

beforeEach(() => {
  codePipeline.reset();
  codePipeline.on(PutJobSuccessResultCommand).resolves({});
  codePipeline.on(PutJobFailureResultCommand).resolves({});
});

describe('parseJobEvent', () => {
  test("GIVEN AWS's sample THEN the job id, account and UserParameters are read, and nothing of the credentials", () => {
    expect(parseJobEvent(SAMPLE_JOB_EVENT)).toEqual({
      status: 'job',
      job: { jobId: JOB_ID, accountId: '111111111111', userParameters: 'some-input-such-as-a-URL' },
    });
  });

  test('GIVEN a job whose UserParameters is not text THEN it is a bad job, to be failed', () => {
    const numeric = structuredClone(SAMPLE_JOB_EVENT) as unknown as { 'CodePipeline.job': { data: { actionConfiguration: { configuration: Record<string, unknown> } } } };
    numeric['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters = 42;
    expect(parseJobEvent(numeric)).toEqual({
      status: 'bad-job',
      jobId: JOB_ID,
      failure: {
        status: 'failed',
        type: 'JobFailed',
        message: expect.stringMatching(/CodePipeline\.job\.data\.actionConfiguration\.configuration\.UserParameters: Invalid input: expected string, received number \(got 42\)\. Only a CodePipeline Lambda invoke action can run this function/),
      },
    });
  });
});

describe('failureFromAwsError', () => {
  test.each([
    ['AccessDeniedException', 'denied', 'client', 'PermissionError'],
    ['KmsAccessDeniedException', 'The caller cannot decrypt the execution output', 'client', 'PermissionError'],
    ['ValidationException', 'User: x is not authorized to perform: sagemaker:ListModelPackages', 'client', 'PermissionError'],
    ['ThrottlingException', 'Rate exceeded', 'client', 'SystemUnavailable'],
    ['SomethingNew', 'Server hiccup', 'server', 'SystemUnavailable'],
    ['ValidationException', 'Bad input', 'client', 'JobFailed'],
  ] as const)('GIVEN %s (%s, %s fault) THEN %s', (name, message, fault, type) => {
    expect(failureFromAwsError('Op', 'on it', awsError(name, message, fault))).toMatchObject({ type, message: expect.stringContaining(`Op failed (on it): ${name}: ${message}`) });
  });

  test('GIVEN something thrown that is not an Error THEN its text is named', () => {
    expect(failureFromAwsError('Op', 'on it', 'boom').message).toBe('Op failed (on it): Error: boom.');
  });
});

describe('outputVariablesProblem', () => {
  test.each<[string, Record<string, string>, RegExp | undefined]>([
    ['the resolve variables', { ModelPackageArn: 'arn', ModelPackageVersion: '7' }, undefined],
    ['a name with a dot', { 'Model.Arn': 'arn' }, /the name "Model\.Arn" has characters other than/],
    ['an empty value', { Summary: '' }, /Summary is "", not a non-empty string/],
    ['a value that is not text', { Rows: 1000 as unknown as string }, /Rows is 1000, not a non-empty string/],
    ['values over the limit', { Summary: 'x'.repeat(MAX_OUTPUT_VARIABLES_BYTES) }, /they take 122887 bytes, more than CodePipeline's 122880 per action/],
  ])('GIVEN %s', (_what, variables, problem) => {
    const found = outputVariablesProblem(variables);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  test('GIVEN invalid variables WHEN the job ends THEN it is failed naming them, instead of CodePipeline refusing them', async () => {
    const ended = await endJob(client, JOB_ID, { status: 'succeeded', outputVariables: { Summary: '' }, summary: 's' }, logger);

    expect(ended).toMatchObject({ status: 'failed', failureType: 'JobFailed' });
    expect(failures()).toEqual([{ jobId: JOB_ID, failureDetails: { type: 'JobFailed', message: 'The function produced invalid output variables: Summary is "", not a non-empty string.' } }]);
    expect(codePipeline.commandCalls(PutJobSuccessResultCommand)).toHaveLength(0);
  });
});

describe('runJob', () => {
  test('GIVEN the work throws unexpectedly (a bug) THEN the job is still failed, naming the error', async () => {
    const result = await runJob(
      jobEvent({}),
      async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
      { logger, codePipeline: client, doing: 'testing' },
    );

    expect(result).toMatchObject({ status: 'failed', failureType: 'JobFailed' });
    expect(failures()[0].failureDetails?.message).toBe(
      "The function failed unexpectedly while testing (TypeError: Cannot read properties of undefined (reading 'x')). Retry the stage; report it if it recurs.",
    );
  });

  test('GIVEN the success summary is longer than CodePipeline takes THEN it is cut to 2048 characters', async () => {
    await runJob(jobEvent({}), async () => ({ status: 'succeeded', outputVariables: { A: 'a' }, summary: 's'.repeat(3000) }), { logger, codePipeline: client, doing: 'testing' });

    const summary = codePipeline.commandCalls(PutJobSuccessResultCommand)[0].args[0].input.executionDetails?.summary ?? '';
    expect(summary).toHaveLength(2048);
    expect(summary.endsWith('s...')).toBe(true);
  });
});

test('cut', () => {
  expect(cut('abcdef', 6)).toBe('abcdef');
  expect(cut('abcdefg', 6)).toBe('abc...');
});

describe('the contracts', () => {
  test('the gate metadata keys resolve-model reads (the Register step\'s) are the ones notify reads', () => {
    expect(MODEL_METADATA_KEYS).toMatchObject({
      qualityMetric: NOTIFY_GATE_KEYS.metric,
      qualityMetricDirection: NOTIFY_GATE_KEYS.direction,
      qualityThreshold: NOTIFY_GATE_KEYS.threshold,
    });
  });

  test('no variable may be empty; a version without a baseline says so with a word the endpoint template knows', () => {
    expect(outputVariablesProblem({ BaselineStatisticsUri: '', Summary: 'x' })).toBe('BaselineStatisticsUri is "", not a non-empty string');
    expect(NO_BASELINE).toBe('none');
  });

  test('every output variable name is one CodePipeline accepts, and no two actions share one', () => {
    const names = [...Object.values(RESOLVE_MODEL_VARIABLES), ...Object.values(TEST_REPORT_VARIABLES)];
    expect(outputVariablesProblem(Object.fromEntries(names.map((name) => [name, 'x'])))).toBeUndefined();
    expect(new Set(names).size).toBe(names.length);
  });
});
