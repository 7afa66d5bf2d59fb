import { DescribePipelineExecutionCommand, SageMakerClient, StartPipelineExecutionCommand } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { main, parseStartTrainingArgs, requestToken, startTraining, UsageError, type StartTrainingOptions } from '../../../scripts/cicd/start-training';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const ARN = 'arn:aws:sagemaker:us-east-1:111111111111:pipeline/mlops-dev-training/execution/abc123';
const sagemaker = mockClient(SageMakerClient);

beforeEach(() => sagemaker.reset());

describe('parseStartTrainingArgs', () => {
  test('GIVEN --stage dev in CodeBuild THEN the stage\'s training pipeline, the commit as request token', () => {
    expect(parseStartTrainingArgs(['--stage', 'dev'], { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, AWS_REGION: 'eu-west-1' })).toEqual({
      stage: 'dev', pipelineName: 'mlops-dev-training', region: 'eu-west-1', roleArn: undefined, wait: false, token: SHA, pollSeconds: 30, timeoutMinutes: 480,
    });
  });

  test('GIVEN every option THEN each is taken', () => {
    const options = parseStartTrainingArgs([
      '--stage', 'prod', '--wait', '--region', 'eu-central-1', '--role-arn', 'arn:aws:iam::333333333333:role/mlops-prod-retrain-trigger',
      '--pipeline-name', 'other-pipeline', '--token', 'a'.repeat(40), '--poll-seconds', '5', '--timeout-minutes', '60',
    ], {});
    expect(options).toEqual({
      stage: 'prod', pipelineName: 'other-pipeline', region: 'eu-central-1', roleArn: 'arn:aws:iam::333333333333:role/mlops-prod-retrain-trigger',
      wait: true, token: 'a'.repeat(40), pollSeconds: 5, timeoutMinutes: 60,
    });
  });

  const BAD: [string, string[], RegExp][] = [
    ['no --stage', [], /--stage is required/],
    ['an unknown stage', ['--stage', 'qa'], /--stage is "qa": expected dev, staging or prod/],
    ['an unknown flag', ['--stage', 'dev', '--force'], /Unknown option '--force'/],
    ['a positional argument', ['--stage', 'dev', 'extra'], /positional argument/i],
    ['--stage without a value', ['--stage'], /argument missing|requires? .*value|--stage/i],
    ['a bad region', ['--stage', 'dev', '--region', 'moon-1'], /--region is "moon-1"/],
    ['a role ARN that is a user', ['--stage', 'dev', '--role-arn', 'arn:aws:iam::111111111111:user/me'], /--role-arn is "arn:aws:iam::111111111111:user\/me"/],
    ['a pipeline name with a space', ['--stage', 'dev', '--pipeline-name', 'my pipeline'], /--pipeline-name is "my pipeline"/],
    ['a short token', ['--stage', 'dev', '--token', 'abc'], /--token is "abc": expected 32-128/],
    ['a token with underscores', ['--stage', 'dev', '--token', `${'a'.repeat(32)}_x`], /--token is/],
    ['poll seconds of zero', ['--stage', 'dev', '--poll-seconds', '0'], /--poll-seconds is "0": expected an integer between 1 and 3600/],
    ['a fractional timeout', ['--stage', 'dev', '--timeout-minutes', '1.5'], /--timeout-minutes is "1.5"/],
    ['a non-numeric timeout', ['--stage', 'dev', '--timeout-minutes', 'soon'], /--timeout-minutes is "soon"/],
    ['--wait with a value', ['--stage', 'dev', '--wait=yes'], /--wait/],
  ];
  test.each(BAD)('GIVEN %s THEN a UsageError says what is wrong', (_label, argv, message) => {
    expect(() => parseStartTrainingArgs(argv, {})).toThrow(UsageError);
    expect(() => parseStartTrainingArgs(argv, {})).toThrow(message);
  });
});

describe('requestToken', () => {
  test('a commit id is used as is; other versions are hashed; none gives a random token', () => {
    expect(requestToken(SHA)).toBe(SHA);
    expect(requestToken('short')).toMatch(/^[0-9a-f]{64}$/);
    expect(requestToken('arn:aws:s3:::b/k/version')).toMatch(/^[0-9a-f]{64}$/);
    expect(requestToken(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('startTraining', () => {
  const options: StartTrainingOptions = { stage: 'dev', pipelineName: 'mlops-dev-training', wait: false, token: SHA, pollSeconds: 1, timeoutMinutes: 1 };
  const noSleep = async (): Promise<void> => undefined;

  test('GIVEN no --wait THEN it starts the pipeline once, idempotently, and exits 0', async () => {
    sagemaker.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: ARN });
    const lines: string[] = [];
    await expect(startTraining(options, new SageMakerClient({ region: 'us-east-1' }), (l) => lines.push(l), noSleep)).resolves.toBe(0);
    expect(sagemaker.commandCalls(StartPipelineExecutionCommand)[0].args[0].input).toMatchObject({ PipelineName: 'mlops-dev-training', ClientRequestToken: SHA });
    expect(sagemaker.commandCalls(DescribePipelineExecutionCommand)).toHaveLength(0);
    expect(lines).toEqual([`started mlops-dev-training: ${ARN}`]);
  });

  test.each([
    ['Succeeded', 0],
    ['Failed', 1],
    ['Stopped', 1],
  ])('GIVEN --wait and an execution that ends %s THEN exit %d', async (status, code) => {
    sagemaker.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: ARN });
    sagemaker.on(DescribePipelineExecutionCommand)
      .resolvesOnce({ PipelineExecutionStatus: 'Executing' })
      .resolves({ PipelineExecutionStatus: status as 'Succeeded', FailureReason: status === 'Failed' ? 'Step Evaluate failed' : undefined });
    const lines: string[] = [];
    await expect(startTraining({ ...options, wait: true }, new SageMakerClient({ region: 'us-east-1' }), (l) => lines.push(l), noSleep)).resolves.toBe(code);
    expect(sagemaker.commandCalls(DescribePipelineExecutionCommand)).toHaveLength(2);
    if (status === 'Failed') expect(lines.at(-1)).toContain('Step Evaluate failed');
  });

  test('GIVEN --wait and an execution that outlasts the timeout THEN exit 1 saying so', async () => {
    sagemaker.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: ARN });
    sagemaker.on(DescribePipelineExecutionCommand).resolves({ PipelineExecutionStatus: 'Executing' });
    const lines: string[] = [];
    await expect(startTraining({ ...options, wait: true, timeoutMinutes: 0 }, new SageMakerClient({ region: 'us-east-1' }), (l) => lines.push(l), noSleep)).resolves.toBe(1);
    expect(lines.at(-1)).toMatch(/still Executing after 0 minutes/);
  });

  test('GIVEN no execution ARN in the answer THEN it throws naming the pipeline', async () => {
    sagemaker.on(StartPipelineExecutionCommand).resolves({});
    await expect(startTraining(options, new SageMakerClient({ region: 'us-east-1' }), () => undefined, noSleep)).rejects.toThrow(/no execution ARN for mlops-dev-training/);
  });
});

describe('main', () => {
  let errors: string[];
  beforeEach(() => {
    errors = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => { errors.push(String(line)); });
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  test('GIVEN bad arguments THEN exit 2 with the reason', async () => {
    await expect(main(['--stage', 'qa'], {})).resolves.toBe(2);
    expect(errors[0]).toMatch(/^error: --stage is "qa"/);
  });

  test('GIVEN a pipeline that does not exist THEN exit 1 naming the pipeline, the region and the AWS error', async () => {
    sagemaker.on(StartPipelineExecutionCommand).rejects(Object.assign(new Error('Pipeline not found'), { name: 'ResourceNotFound' }));
    await expect(main(['--stage', 'staging', '--region', 'us-east-1', '--token', SHA], {})).resolves.toBe(1);
    expect(errors[0]).toBe('error: starting mlops-staging-training in us-east-1 failed: ResourceNotFound: Pipeline not found');
  });

  test('GIVEN --role-arn THEN the SDK profile assumes that role with the container\'s credentials', async () => {
    sagemaker.on(StartPipelineExecutionCommand).resolves({ PipelineExecutionArn: ARN });
    const env: NodeJS.ProcessEnv = { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/x' };
    const roleArn = 'arn:aws:iam::222222222222:role/mlops-staging-retrain-trigger';
    await expect(main(['--stage', 'staging', '--region', 'us-east-1', '--token', SHA, '--role-arn', roleArn], env)).resolves.toBe(0);
    expect(env.AWS_PROFILE).toBe('retrain');
    expect(readFileSync(env.AWS_CONFIG_FILE as string, 'utf8')).toBe(
      `[profile retrain]\nrole_arn = ${roleArn}\ncredential_source = EcsContainer\nrole_session_name = cicd-start-training\n`,
    );
  });
});
