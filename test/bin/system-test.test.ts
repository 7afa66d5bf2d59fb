import { DescribeModelPackageCommand, ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { DescribeExecutionCommand, ListStateMachinesCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { parseSystemTestArgs, runSystemTest, type SystemTestOptions, SystemTestUsageError } from '../../bin/system-test';

const REGION = 'eu-west-1';
const MACHINE = `arn:aws:states:${REGION}:111111111111:stateMachine:mlops-dev-system-test`;
const EXECUTION = `arn:aws:states:${REGION}:111111111111:execution:mlops-dev-system-test:by-hand-1`;
const PACKAGE = `arn:aws:sagemaker:${REGION}:111111111111:model-package/mlops-dev-models/3`;
const TEST_DATA = 's3://mlops-dev-artifacts/pipelines/training/exec-1/preprocess/test/test.csv';

const sfnMock = mockClient(SFNClient);
const sageMakerMock = mockClient(SageMakerClient);

function options(overrides: Partial<SystemTestOptions> = {}): SystemTestOptions {
  return { stage: 'dev', timeoutMinutes: 1, pollSeconds: 5, wait: true, ...overrides };
}

function run(o: SystemTestOptions, lines: string[] = []) {
  let clock = 0;
  return runSystemTest(
    o,
    {
      sfn: new SFNClient({ region: REGION }),
      sageMaker: new SageMakerClient({ region: REGION }),
      sleep: async (ms) => {
        clock += ms;
      },
      now: () => clock,
    },
    (line) => lines.push(line),
  );
}

const PASSED_OUTPUT = JSON.stringify({
  rows: 120,
  requests: 120,
  metric: { name: 'r2', value: 0.71, threshold: 0.6, direction: 'Maximize' },
  latency: { p50Ms: 4, p95Ms: 9, p99Ms: 12, maxMs: 15, maxP95Ms: 500 },
});

beforeEach(() => {
  sfnMock.reset();
  sageMakerMock.reset();
  sfnMock.on(ListStateMachinesCommand).resolves({
    stateMachines: [
      { name: 'other', stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:other', type: 'STANDARD', creationDate: new Date() },
      { name: 'mlops-dev-system-test', stateMachineArn: MACHINE, type: 'STANDARD', creationDate: new Date() },
    ],
  });
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: new Date() });
  sageMakerMock.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: [{ ModelPackageArn: PACKAGE, ModelPackageStatus: 'Completed', CreationTime: new Date() }],
  });
  sageMakerMock.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE, CustomerMetadataProperties: { TestDataUri: TEST_DATA } });
});

describe('npm run system-test', () => {
  test('starts the stage\'s state machine with the latest Approved version\'s test set and reports a pass', async () => {
    sfnMock.on(DescribeExecutionCommand)
      .resolvesOnce({ executionArn: EXECUTION, status: 'RUNNING', stateMachineArn: MACHINE, startDate: new Date() })
      .resolves({ executionArn: EXECUTION, status: 'SUCCEEDED', output: PASSED_OUTPUT, stateMachineArn: MACHINE, startDate: new Date() });
    const lines: string[] = [];

    const outcome = await run(options(), lines);

    expect(outcome).toMatchObject({ executionArn: EXECUTION, status: 'SUCCEEDED', passed: true });
    expect(sageMakerMock.commandCalls(ListModelPackagesCommand)[0].args[0].input).toMatchObject({
      ModelPackageGroupName: 'mlops-dev-models',
      ModelApprovalStatus: 'Approved',
      SortOrder: 'Descending',
    });
    const start = sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(start.stateMachineArn).toBe(MACHINE);
    expect(JSON.parse(start.input!)).toEqual({ testDataUri: TEST_DATA });
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
    expect(lines).toEqual([
      `model:     ${PACKAGE}`,
      `test data: ${TEST_DATA}`,
      `execution: ${EXECUTION}`,
      'metric:  r2 = 0.71 on 120 rows (threshold >= 0.6)',
      'latency: p50 4 ms, p95 9 ms (at most 500 ms), p99 12 ms over 120 requests',
      'verdict: PASSED',
    ]);
  });

  test('a failed execution is a failed test, with the state machine\'s error and cause', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION,
      status: 'FAILED',
      error: 'MetricBelowThreshold',
      cause: 'r2 = 0.41 on 120 rows is below the threshold 0.6',
      stateMachineArn: MACHINE,
      startDate: new Date(),
    });

    const outcome = await run(options({ testDataUri: TEST_DATA }));

    expect(outcome.passed).toBe(false);
    expect(outcome.lines).toEqual(['verdict: FAILED (MetricBelowThreshold: r2 = 0.41 on 120 rows is below the threshold 0.6)']);
    // --test-data skips the registry
    expect(sageMakerMock.commandCalls(ListModelPackagesCommand)).toHaveLength(0);
  });

  test('--model-package-arn reads that version\'s test set', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, status: 'SUCCEEDED', output: PASSED_OUTPUT, stateMachineArn: MACHINE, startDate: new Date() });
    await run(options({ modelPackageArn: PACKAGE }));
    expect(sageMakerMock.commandCalls(ListModelPackagesCommand)).toHaveLength(0);
    expect(sageMakerMock.commandCalls(DescribeModelPackageCommand)[0].args[0].input).toEqual({ ModelPackageName: PACKAGE });
  });

  test('gives up waiting at the timeout and says the execution goes on', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION, status: 'RUNNING', stateMachineArn: MACHINE, startDate: new Date() });
    const outcome = await run(options({ testDataUri: TEST_DATA, timeoutMinutes: 1, pollSeconds: 20 }));
    expect(outcome).toMatchObject({ status: 'RUNNING', passed: false });
    expect(outcome.lines[0]).toMatch(/still RUNNING after 1 min/);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(4);
  });

  test('--no-wait starts the execution and returns its ARN', async () => {
    const outcome = await run(options({ testDataUri: TEST_DATA, wait: false }));
    expect(outcome).toMatchObject({ executionArn: EXECUTION, status: 'RUNNING' });
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  test('a group with no Approved version, or a version without a test set, says what to pass instead', async () => {
    sageMakerMock.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
    await expect(run(options())).rejects.toThrow(/'mlops-dev-models' has no Approved version: approve one, or pass --test-data/);
    sageMakerMock.on(ListModelPackagesCommand).resolves({
      ModelPackageSummaryList: [{ ModelPackageArn: PACKAGE, ModelPackageStatus: 'Completed', CreationTime: new Date() }],
    });
    sageMakerMock.on(DescribeModelPackageCommand).resolves({ ModelPackageArn: PACKAGE });
    await expect(run(options())).rejects.toThrow(/has no TestDataUri in its metadata .*pass --test-data/);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('a state machine that is not deployed names itself, the region and how to deploy it', async () => {
    sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    const run1 = run(options({ testDataUri: TEST_DATA }));
    await expect(run1).rejects.toBeInstanceOf(SystemTestUsageError);
    await expect(run(options({ testDataUri: TEST_DATA }))).rejects.toThrow(
      `no state machine 'mlops-dev-system-test' in ${REGION}: deploy the dev stage's deployment stack (cdk deploy -c stage=dev)`,
    );
  });
});

describe('parseSystemTestArgs', () => {
  test('defaults to the dev stage, waiting up to an hour', () => {
    expect(parseSystemTestArgs([])).toEqual({ stage: 'dev', testDataUri: undefined, modelPackageArn: undefined, timeoutMinutes: 60, pollSeconds: 10, wait: true });
    expect(parseSystemTestArgs(['--stage', 'prod', '--no-wait', '--test-data', TEST_DATA])).toMatchObject({ stage: 'prod', wait: false, testDataUri: TEST_DATA });
  });

  test.each([
    [['--stage', 'qa'], /--stage 'qa' is not a stage: use one of dev, staging, prod/],
    [['--test-data', 'test.csv'], /--test-data 'test.csv' is not an S3 object URI/],
    [['--test-data', 's3://bucket-only'], /is not an S3 object URI/],
    [['--model-package-arn', 'arn:aws:sagemaker:eu-west-1:111111111111:model-package-group/mlops-dev-models'], /is not a versioned model package ARN/],
    [['--test-data', TEST_DATA, '--model-package-arn', PACKAGE], /not both/],
    [['--timeout-minutes', '0'], /--timeout-minutes '0' must be a positive number/],
    [['--poll-seconds', 'soon'], /--poll-seconds 'soon' must be a positive number/],
    [['--stages', 'dev'], /Unknown option '--stages'[\s\S]*usage: npm run system-test/],
    [['dev'], /Unexpected argument 'dev'|positional/],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parseSystemTestArgs(argv)).toThrow(SystemTestUsageError);
    expect(() => parseSystemTestArgs(argv)).toThrow(message);
  });
});
