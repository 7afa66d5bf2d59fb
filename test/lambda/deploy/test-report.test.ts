import './set-environment';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, SFNClient } from '@aws-sdk/client-sfn';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import sfnSucceeded from '../../fixtures/events/aws.states/step-functions-execution-status-change-succeeded.json';
import { lambdaContext, variant } from '../helpers';
import { handler } from '../../../lambda/deploy/test-report';
import { awsError, JOB_ID, jobEvent, jobWithoutUserParameters, SAMPLE_JOB_EVENT, SECRETS } from './events';

const stepFunctions = mockClient(SFNClient);
const codePipeline = mockClient(CodePipelineClient);
const context = lambdaContext('test-report');
const logged = [jest.spyOn(Logger.prototype, 'info'), jest.spyOn(Logger.prototype, 'warn'), jest.spyOn(Logger.prototype, 'error')];

const EXECUTION_ARN = 'arn:aws:states:us-east-1:111111111111:execution:mlops-test-system-test:d3c5a1f0-2b7e-4e0f-9a51-6c1e2f4b8a90';
const CONSOLE_URL = `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION_ARN}`;
const PARAMETERS = { executionArn: EXECUTION_ARN };

/** The state machine's output, as its evaluate step writes it. */
const OUTPUT = {
  rows: 1000,
  requests: 10,
  metric: { name: 'r2', value: 0.81234567, threshold: 0.6, direction: 'Maximize' },
  latency: { p50Ms: 18.2, p95Ms: 41.04, p99Ms: 77.9, maxMs: 120.5, maxP95Ms: 200 },
};

/** DescribeExecution's answer: a SUCCEEDED execution with `output` (any value: JSON-encoded unless text). */
function execution(output: unknown = OUTPUT, edit: (e: Partial<DescribeExecutionCommandOutput>) => void = () => undefined) {
  return variant(
    {
      executionArn: EXECUTION_ARN,
      stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:mlops-test-system-test',
      name: 'd3c5a1f0-2b7e-4e0f-9a51-6c1e2f4b8a90',
      status: 'SUCCEEDED',
      startDate: new Date('2026-11-30T10:05:00Z'),
      stopDate: new Date('2026-11-30T10:07:30Z'),
      input: '{}',
      inputDetails: { included: true },
      output: typeof output === 'string' ? output : JSON.stringify(output),
      outputDetails: { included: true },
    } as Partial<DescribeExecutionCommandOutput>,
    edit,
  ) as DescribeExecutionCommandOutput;
}

const failures = () => codePipeline.commandCalls(PutJobFailureResultCommand).map((call) => call.args[0].input);
const successes = () => codePipeline.commandCalls(PutJobSuccessResultCommand).map((call) => call.args[0].input);

beforeEach(() => {
  stepFunctions.reset();
  codePipeline.reset();
  logged.forEach((spy) => spy.mockClear());
  stepFunctions.on(DescribeExecutionCommand).resolves(execution());
  codePipeline.on(PutJobSuccessResultCommand).resolves({});
  codePipeline.on(PutJobFailureResultCommand).resolves({});
});

afterEach(() => {
  const lines = JSON.stringify(logged.flatMap((spy) => spy.mock.calls));
  for (const secret of SECRETS) expect(lines).not.toContain(secret);
});

describe('test-report: a passed system test', () => {
  test('GIVEN a SUCCEEDED execution WHEN the job runs THEN it ends in success with the metric, latency, rows and one summary line', async () => {
    const result = await handler(jobEvent(PARAMETERS), context);

    const summary = 'r2 0.8123 (>= 0.6) and p95 41 ms (<= 200 ms) on 1000 held-out rows';
    const outputVariables = {
      MetricName: 'r2',
      MetricValue: '0.812346',
      MetricThreshold: '0.6',
      MetricDirection: 'Maximize',
      P95LatencyMs: '41',
      MaxP95LatencyMs: '200',
      Rows: '1000',
      Requests: '10',
      Summary: summary,
    };
    expect(stepFunctions.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input)).toEqual([{ executionArn: EXECUTION_ARN }]);
    expect(successes()).toEqual([
      { jobId: JOB_ID, outputVariables, executionDetails: { summary: `System test passed: ${summary}`, externalExecutionId: EXECUTION_ARN } },
    ]);
    expect(result).toEqual({ status: 'succeeded', jobId: JOB_ID, outputVariables, summary: `System test passed: ${summary}` });
    expect(failures()).toHaveLength(0);
  });

  test('GIVEN a lower-is-better metric and a fractional p95 THEN the summary says <= and keeps one decimal', async () => {
    stepFunctions.on(DescribeExecutionCommand).resolves(
      execution({ ...OUTPUT, rows: 1, requests: 1, metric: { name: 'rmse', value: 3.5, threshold: 4, direction: 'Minimize' }, latency: { ...OUTPUT.latency, p95Ms: 41.26 } }),
    );

    await handler(jobEvent(PARAMETERS), context);

    expect(successes()[0].outputVariables).toMatchObject({
      Summary: 'rmse 3.5 (<= 4) and p95 41.3 ms (<= 200 ms) on 1 held-out row',
      MetricDirection: 'Minimize',
      P95LatencyMs: '41.3',
    });
  });

  test.each([
    ['a higher-is-better metric exactly at its threshold', { name: 'r2', value: 0.6, threshold: 0.6, direction: 'Maximize' }, 'r2 0.6 (>= 0.6)'],
    ['a lower-is-better metric exactly at its threshold', { name: 'rmse', value: 4, threshold: 4, direction: 'Minimize' }, 'rmse 4 (<= 4)'],
  ])('GIVEN %s and a p95 exactly at its limit THEN the test passed (the gate is inclusive, as the training pipeline\'s)', async (_what, metric, said) => {
    stepFunctions.on(DescribeExecutionCommand).resolves(execution({ ...OUTPUT, metric, latency: { ...OUTPUT.latency, p95Ms: 200 } }));

    await handler(jobEvent(PARAMETERS), context);

    expect(successes()[0].outputVariables?.Summary).toBe(`${said} and p95 200 ms (<= 200 ms) on 1000 held-out rows`);
  });

  test('GIVEN the job is delivered again after it ended THEN the second result is refused and left at that', async () => {
    codePipeline.on(PutJobSuccessResultCommand).rejects(awsError('InvalidJobStateException', 'The job is not in a state that allows this'));

    await expect(handler(jobEvent(PARAMETERS), context)).resolves.toMatchObject({ status: 'already-ended', jobId: JOB_ID });
    expect(failures()).toHaveLength(0);
  });
});

describe('test-report ends the job with a failure that names the problem', () => {
  test.each<[string, unknown, RegExp]>([
    ["AWS's sample (UserParameters is plain text)", SAMPLE_JOB_EVENT, /^UserParameters is not JSON .*Set the Lambda action's UserParameters in the pipeline definition to JSON such as \{"executionArn":"#\{SystemTest\.ExecutionArn\}"\}\.$/],
    ['no UserParameters', jobWithoutUserParameters, /^The action has no UserParameters\./],
    ['no executionArn', jobEvent({ arn: EXECUTION_ARN }), /executionArn: Invalid input: expected string, received undefined \(got nothing\); \(event\): Unrecognized key: "arn"/],
    ['an executionArn that is a number', jobEvent({ executionArn: 12 }), /executionArn: Invalid input: expected string, received number \(got 12\)/],
    ['an unresolved variable', jobEvent({ executionArn: '#{SystemTest.ExecutionArn}' }), /executionArn: an unresolved CodePipeline variable: this action must run after the Step Functions action .* \(got "#\{SystemTest\.ExecutionArn\}"\)\.?/],
    ['an Express execution', jobEvent({ executionArn: 'arn:aws:states:us-east-1:111111111111:express:mlops-test-system-test:abc:def' }), /the ARN of an Express workflow execution, which DescribeExecution cannot read/],
    ['a state machine ARN', jobEvent({ executionArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:mlops-test-system-test' }), /executionArn: not a Step Functions execution ARN/],
  ])('GIVEN %s WHEN the job runs THEN a ConfigurationError, and no Step Functions call', async (_what, event, message) => {
    const result = await handler(event, context);

    expect(failures()).toEqual([{ jobId: JOB_ID, failureDetails: { type: 'ConfigurationError', message: expect.stringMatching(message) } }]);
    expect(result).toMatchObject({ status: 'failed', failureType: 'ConfigurationError' });
    expect(stepFunctions.calls()).toHaveLength(0);
  });

  test.each<[string, string, DescribeExecutionCommandOutput | Error, RegExp]>([
    [
      'a FAILED execution whose cause is a Lambda error',
      'JobFailed',
      execution(undefined, (e) => Object.assign(e, { status: 'FAILED', output: undefined, error: 'SystemTestBreach', cause: JSON.stringify({ errorMessage: 'r2 0.41 is below the threshold 0.6', errorType: 'SystemTestBreach', trace: ['at evaluate'] }) })),
      /^System test execution d3c5a1f0-.* ended FAILED with error SystemTestBreach at 2026-11-30T10:07:30\.000Z: SystemTestBreach: r2 0\.41 is below the threshold 0\.6\. The staging endpoint did not pass its system test, so the model is not promoted\. Open it: https:\/\/us-east-1\.console\.aws\.amazon\.com\/states\/home\?region=us-east-1#\/v2\/executions\/details\/arn:aws:states:/,
    ],
    ['a TIMED_OUT execution', 'JobFailed', execution(undefined, (e) => Object.assign(e, { status: 'TIMED_OUT', output: undefined, error: 'States.Timeout', cause: 'The execution timed out after 900 seconds' })), /ended TIMED_OUT with error States\.Timeout .*: The execution timed out after 900 seconds\./],
    ['an ABORTED execution without a cause', 'JobFailed', execution(undefined, (e) => Object.assign(e, { status: 'ABORTED', output: undefined })), /ended ABORTED at .*: Step Functions recorded no cause\./],
    ['a RUNNING execution', 'JobFailed', execution(undefined, (e) => Object.assign(e, { status: 'RUNNING', output: undefined, stopDate: undefined })), /is still RUNNING: .*probably not the execution this pipeline run started/],
    ['an execution without output', 'JobFailed', execution(undefined, (e) => Object.assign(e, { output: undefined, outputDetails: { included: false } })), /SUCCEEDED but DescribeExecution returned no output \(outputDetails\.included is false\)/],
    ['an output that is not JSON', 'JobFailed', execution('rows=1000'), /SUCCEEDED but its output is not JSON \(.*\): got "rows=1000"/],
    ['an output without the metric threshold', 'JobFailed', execution({ ...OUTPUT, metric: { name: 'r2', value: 0.8, direction: 'Maximize' } }), /its output is not the system test result .*: metric\.threshold: Invalid input: expected number, received undefined \(got nothing\)\. The state machine's evaluate step must write/],
    ['an output with rows as text', 'JobFailed', execution({ ...OUTPUT, rows: '1000' }), /rows: Invalid input: expected number, received string \(got "1000"\)/],
    ['an output with an unknown direction', 'JobFailed', execution({ ...OUTPUT, metric: { ...OUTPUT.metric, direction: 'higher' } }), /metric\.direction: Invalid option: expected one of "Maximize"\|"Minimize" \(got "higher"\)/],
    ['an output without latency', 'JobFailed', execution({ rows: 1000, requests: 10, metric: OUTPUT.metric }), /latency: Invalid input: expected object, received undefined/],
    ['a SUCCEEDED execution whose metric misses its threshold', 'JobFailed', execution({ ...OUTPUT, metric: { ...OUTPUT.metric, value: 0.41 } }), /SUCCEEDED, but its own numbers show r2 0\.41 < its threshold 0\.6: the state machine should have failed/],
    ['a SUCCEEDED execution whose lower-is-better metric is above its threshold', 'JobFailed', execution({ ...OUTPUT, metric: { name: 'rmse', value: 4.2, threshold: 4, direction: 'Minimize' } }), /show rmse 4\.2 > its threshold 4:/],
    ['a SUCCEEDED execution over its latency limit', 'JobFailed', execution({ ...OUTPUT, latency: { ...OUTPUT.latency, p95Ms: 250 } }), /show a p95 latency of 250 ms > the allowed 200 ms/],
    ['a SUCCEEDED execution that tested nothing', 'JobFailed', execution({ ...OUTPUT, rows: 0, requests: 0 }), /show 0 rows in 0 requests \(nothing was tested\)/],
    ['an execution that does not exist', 'ConfigurationError', awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${EXECUTION_ARN}'`), /^The system test execution arn:.* does not exist \(Step Functions: Execution Does Not Exist: .*\)\. This action's UserParameters must name/],
    ['DescribeExecution throttled', 'SystemUnavailable', awsError('ThrottlingException', 'Rate exceeded'), /^Step Functions DescribeExecution failed \(arn:aws:states:.*\): ThrottlingException: Rate exceeded\. .*retry the stage/],
    ['a role that may not describe executions', 'PermissionError', awsError('AccessDeniedException', 'User is not authorized to perform: states:DescribeExecution'), /^Step Functions DescribeExecution failed .*AccessDeniedException/],
  ])('GIVEN %s THEN the job fails with %s', async (_what, type, answer, message) => {
    if (answer instanceof Error) stepFunctions.on(DescribeExecutionCommand).rejects(answer);
    else stepFunctions.on(DescribeExecutionCommand).resolves(answer);

    const result = await handler(jobEvent(PARAMETERS), context);

    expect(failures()).toEqual([{ jobId: JOB_ID, failureDetails: { type, message: expect.stringMatching(message), externalExecutionId: EXECUTION_ARN } }]);
    expect(result).toMatchObject({ status: 'failed', failureType: type });
    expect(successes()).toHaveLength(0);
  });

  test('GIVEN a cause longer than the console shows THEN the message is cut to CodePipeline\'s 5000 characters', async () => {
    stepFunctions.on(DescribeExecutionCommand).resolves(execution(undefined, (e) => Object.assign(e, { status: 'FAILED', output: undefined, cause: 'x'.repeat(20_000) })));

    await handler(jobEvent(PARAMETERS), context);

    const message = failures()[0].failureDetails?.message ?? '';
    expect(message.length).toBeLessThanOrEqual(5000);
    expect(message).toContain(`${'x'.repeat(1497)}...`);
    expect(message).toContain(CONSOLE_URL);
  });
});

describe('test-report rejects what is not a job, without any AWS call', () => {
  test.each<[string, unknown, RegExp]>([
    ['undefined', undefined, /\(event\): Invalid input: expected object, received undefined/],
    ['a Step Functions status-change event', sfnSucceeded, /CodePipeline\.job: Invalid input: expected object, received undefined/],
    ['a job whose id has capital letters', variant(SAMPLE_JOB_EVENT, (e) => (e['CodePipeline.job'].id = JOB_ID.toUpperCase())), /not a CodePipeline job id/],
  ])('GIVEN %s', async (_what, event, reason) => {
    await expect(handler(event, context)).resolves.toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(stepFunctions.calls()).toHaveLength(0);
    expect(codePipeline.calls()).toHaveLength(0);
  });
});

test('GIVEN PutJobSuccessResult fails WHEN the job runs THEN the invocation fails so that Lambda retries it', async () => {
  codePipeline.on(PutJobSuccessResultCommand).rejects(awsError('InternalServerException', 'Internal error', 'server'));

  await expect(handler(jobEvent(PARAMETERS), context)).rejects.toMatchObject({
    name: 'InternalServerException',
    message: expect.stringMatching(/^CodePipeline PutJobSuccessResult failed \(job .*\): InternalServerException: Internal error\./),
  });
  expect(failures()).toHaveLength(0);
});
