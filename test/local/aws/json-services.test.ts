import {
  ConcurrentRunsExceededException,
  EntityNotFoundException,
  GetJobRunCommand,
  GlueClient,
  StartJobRunCommand,
} from '@aws-sdk/client-glue';
import {
  DescribeModelPackageCommand,
  DescribePipelineExecutionCommand,
  ListPipelineExecutionStepsCommand,
  ResourceNotFound,
  SageMakerClient,
  StartPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { LocalAwsError, type LocalAwsEndpoint } from '../../../local/aws';
import { clientConfig, EXECUTION_ARN, fakeBackends, JOB_RUN_ID, MODEL_PACKAGE_ARN, startTestEndpoint, type BackendCalls } from './helpers';

let endpoint: LocalAwsEndpoint;
let calls: BackendCalls;
let glue: GlueClient;
let sageMaker: SageMakerClient;

beforeAll(async () => {
  const fakes = fakeBackends();
  calls = fakes.calls;
  const { startJobRun } = fakes.backends.glue!;
  fakes.backends.glue!.startJobRun = async (request) => {
    if (request.JobName === 'busy-job') throw new LocalAwsError('ConcurrentRunsExceededException', 'Concurrent runs exceeded for busy-job');
    if (request.JobName === 'broken-job') throw new Error('the ETL runner crashed');
    return startJobRun(request);
  };
  endpoint = await startTestEndpoint(fakes.backends);
  glue = new GlueClient(clientConfig(endpoint));
  sageMaker = new SageMakerClient(clientConfig(endpoint));
});

afterAll(async () => {
  glue.destroy();
  sageMaker.destroy();
  await endpoint.close();
});

describe('Glue through the real GlueClient', () => {
  test('StartJobRun reaches the backend with the request as sent, and answers its JobRunId', async () => {
    const response = await glue.send(new StartJobRunCommand({ JobName: 'mlops-etl', Arguments: { '--run_id': 'r1' } }));

    expect(response.JobRunId).toBe(JOB_RUN_ID);
    expect(calls.startJobRun).toContainEqual({ JobName: 'mlops-etl', Arguments: { '--run_id': 'r1' } });
    expect(endpoint.requests.at(-1)).toMatchObject({ service: 'Glue', operation: 'StartJobRun', status: 200 });
  });

  test('GetJobRun answers the run, with Date timestamps sent as epoch seconds', async () => {
    const response = await glue.send(new GetJobRunCommand({ JobName: 'mlops-etl', RunId: JOB_RUN_ID }));

    expect(response.JobRun).toMatchObject({ Id: JOB_RUN_ID, JobRunState: 'SUCCEEDED', Arguments: { '--run_id': 'r1' } });
    expect(response.JobRun?.StartedOn).toEqual(new Date('2026-01-02T03:04:05.678Z'));
  });

  test('a backend LocalAwsError surfaces as the SDK exception class of its code', async () => {
    const notFound = glue.send(new GetJobRunCommand({ JobName: 'mlops-etl', RunId: 'jr_missing' }));
    await expect(notFound).rejects.toBeInstanceOf(EntityNotFoundException);
    await expect(notFound).rejects.toMatchObject({ message: 'Job run jr_missing not found', $metadata: { httpStatusCode: 400 } });

    const busy = glue.send(new StartJobRunCommand({ JobName: 'busy-job' }));
    await expect(busy).rejects.toBeInstanceOf(ConcurrentRunsExceededException);
  });

  test('any other backend error is an InternalFailure (500) naming the operation and the cause', async () => {
    await expect(glue.send(new StartJobRunCommand({ JobName: 'broken-job' }))).rejects.toMatchObject({
      name: 'InternalFailure',
      message: 'Glue StartJobRun failed in local mode: the ETL runner crashed',
      $metadata: { httpStatusCode: 500 },
    });
  });
});

describe('SageMaker through the real SageMakerClient', () => {
  test('StartPipelineExecution reaches the backend, with the client request token the SDK adds', async () => {
    const response = await sageMaker.send(
      new StartPipelineExecutionCommand({
        PipelineName: 'mlops-training',
        PipelineParameters: [{ Name: 'InputDataUri', Value: 's3://processed/curated/r1/' }],
      }),
    );

    expect(response.PipelineExecutionArn).toBe(EXECUTION_ARN);
    expect(calls.startPipelineExecution.at(-1)).toMatchObject({
      PipelineName: 'mlops-training',
      PipelineParameters: [{ Name: 'InputDataUri', Value: 's3://processed/curated/r1/' }],
      ClientRequestToken: expect.any(String),
    });
  });

  test('DescribePipelineExecution, ListPipelineExecutionSteps and DescribeModelPackage answer what the backend returns', async () => {
    const execution = await sageMaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: EXECUTION_ARN }));
    const steps = await sageMaker.send(new ListPipelineExecutionStepsCommand({ PipelineExecutionArn: EXECUTION_ARN }));
    const modelPackage = await sageMaker.send(new DescribeModelPackageCommand({ ModelPackageName: MODEL_PACKAGE_ARN }));

    expect(execution).toMatchObject({ PipelineExecutionStatus: 'Executing', CreationTime: new Date('2026-01-02T03:04:05.678Z') });
    expect(steps.PipelineExecutionSteps).toEqual([
      { StepName: 'Preprocess', StepStatus: 'Succeeded', StartTime: new Date('2026-01-02T03:04:05.678Z') },
    ]);
    expect(modelPackage).toMatchObject({ ModelPackageArn: MODEL_PACKAGE_ARN, ModelApprovalStatus: 'Approved', ModelPackageVersion: 3 });
  });

  test('ResourceNotFound from the backend is the SDK class ResourceNotFound', async () => {
    await expect(
      sageMaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: `${EXECUTION_ARN}x` })),
    ).rejects.toBeInstanceOf(ResourceNotFound);
  });
});

describe('requests the API model rejects never reach a backend', () => {
  test.each([
    ['a missing required member', {} as never, /JobName: missing required member 'JobName' of StartJobRunRequest/],
    ['a string too long', { JobName: 'j'.repeat(256) }, /JobName: "j+\.\.\. is longer than 255 characters \(NameString\)/],
    ['a wrong type', { JobName: 'etl', Timeout: '60' as never }, /Timeout: expected an integer \(Timeout\), got string "60"/],
    ['an enum value not allowed', { JobName: 'etl', WorkerType: 'G.3X' as never }, /WorkerType: "G\.3X" is not one of Standard, G\.1X/],
  ])('%s is a ValidationException naming the member, the value and the constraint', async (_what, input, message) => {
    const before = calls.startJobRun?.length ?? 0;
    const failure = glue.send(new StartJobRunCommand(input));

    await expect(failure).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(message) });
    await expect(failure).rejects.toMatchObject({ message: expect.stringMatching(/^1 validation error detected: /) });
    expect(calls.startJobRun?.length ?? 0).toBe(before);
    expect(endpoint.requests.at(-1)).toMatchObject({ operation: 'StartJobRun', status: 400, errorCode: 'ValidationException' });
  });

  test('SageMaker: a parameter value over its limit names its path in the list', async () => {
    const before = calls.startPipelineExecution.length;
    await expect(
      sageMaker.send(
        new StartPipelineExecutionCommand({
          PipelineName: 'mlops-training',
          PipelineParameters: [{ Name: 'InputDataUri', Value: 'x'.repeat(1025) }],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('PipelineParameters[0].Value: "xxx'),
    });
    expect(calls.startPipelineExecution).toHaveLength(before);
  });

  test('an operation the endpoint does not serve is an UnknownOperationException naming it', async () => {
    const { GetJobCommand } = await import('@aws-sdk/client-glue');
    await expect(glue.send(new GetJobCommand({ JobName: 'etl' }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: "Glue operation 'GetJob' is not served by the local AWS endpoint (served: StartJobRun, GetJobRun, GetTable, UpdateTable).",
    });
  });
});

test('an endpoint started without a backend says which one local mode did not pass', async () => {
  const bare = await startTestEndpoint({});
  const client = new SageMakerClient(clientConfig(bare));
  try {
    await expect(client.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: EXECUTION_ARN }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('started without backends.sagemaker'),
    });
  } finally {
    client.destroy();
    await bare.close();
  }
});

test('a backend response that does not fit the output shape is an InternalFailure naming the member', async () => {
  const { backends } = fakeBackends();
  backends.glue!.startJobRun = async () => ({ JobRunId: 42 }) as never;
  const wrong = await startTestEndpoint(backends);
  const client = new GlueClient(clientConfig(wrong));
  try {
    await expect(client.send(new StartJobRunCommand({ JobName: 'etl' }))).rejects.toMatchObject({
      name: 'InternalFailure',
      message: expect.stringContaining('JobRunId: expected a string (IdString), got number 42'),
    });
  } finally {
    client.destroy();
    await wrong.close();
  }
});
