import * as path from 'path';
import { LocalAwsError } from '../../../local/aws';
import type { AwsEvent } from '../../../local/events/aws-events';
import { LocalPipelineService } from '../../../local/flow/pipeline-service';
import { LocalModelRegistry } from '../../../local/registry';
import { fixturePipeline, newWorkspace, PYTHON, removeTemporaryFolders, type Workspace } from '../executor/helpers';

/**
 * The SageMaker side of local mode's AWS endpoint, on the executor's fixture pipeline (quick Python scripts): what
 * StartPipelineExecution starts, what Describe / List answer, and the events an execution puts on the bus.
 */
const ENVIRONMENT = { account: '123456789012', region: 'eu-west-1' };
const PIPELINE = 'fixture-training';

let ws: Workspace;
let events: AwsEvent[];

function service(): LocalPipelineService {
  return new LocalPipelineService({
    pipelines: [{ name: PIPELINE, definition: fixturePipeline({ trials: 2 }) }],
    registry: new LocalModelRegistry({ root: path.join(ws.workDir, 'registry'), environment: ENVIRONMENT }),
    execution: { workDir: ws.workDir, s3: ws.s3, python: PYTHON, environment: ENVIRONMENT, seed: 3, retryDelayScale: 0 },
    onEvent: (event) => events.push(event),
  });
}

beforeEach(() => {
  ws = newWorkspace();
  events = [];
});

afterAll(() => removeTemporaryFolders());

describe('LocalPipelineService', () => {
  test('an execution that registers a model: its ARN at once, then Describe/List answers and the events SageMaker puts', async () => {
    const pipelines = service();
    const { PipelineExecutionArn: arn } = await pipelines.startPipelineExecution({
      PipelineName: PIPELINE,
      PipelineParameters: [{ Name: 'Threshold', Value: '100' }],
      PipelineExecutionDisplayName: 'etl-run-1',
      ClientRequestToken: 'token-1',
    });
    expect(arn).toMatch(/^arn:aws:sagemaker:eu-west-1:123456789012:pipeline\/fixture-training\/execution\/[0-9a-f]{12}$/);
    // The same client request token is the same execution, as in SageMaker.
    expect(await pipelines.startPipelineExecution({ PipelineName: PIPELINE, ClientRequestToken: 'token-1' })).toEqual({ PipelineExecutionArn: arn });
    await pipelines.idle();

    expect(await pipelines.describePipelineExecution({ PipelineExecutionArn: arn })).toMatchObject({
      PipelineArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/fixture-training',
      PipelineExecutionArn: arn,
      PipelineExecutionStatus: 'Succeeded',
      PipelineExecutionDisplayName: 'etl-run-1',
    });
    const { PipelineExecutionSteps: steps } = (await pipelines.listPipelineExecutionSteps({ PipelineExecutionArn: arn })) as {
      PipelineExecutionSteps: { StepName: string; StepStatus: string; Metadata: Record<string, unknown> }[];
    };
    // Latest first; the Fail step never started, so it is not listed.
    expect(steps.map((s) => [s.StepName, s.StepStatus])).toEqual([
      ['Register', 'Succeeded'],
      ['Check', 'Succeeded'],
      ['Evaluate', 'Succeeded'],
      ['Tune', 'Succeeded'],
      ['Prep', 'Succeeded'],
    ]);
    expect(steps[0].Metadata).toEqual({ RegisterModel: { Arn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/fixture-models/1' } });
    expect(steps[1].Metadata).toEqual({ Condition: { Outcome: 'True' } });
    expect(steps[3].Metadata).toEqual({ TuningJob: { Arn: expect.stringMatching(/:hyper-parameter-tuning-job\//) } });

    expect(events.map((e) => [e.detailType, e.detail.currentPipelineExecutionStatus ?? e.detail.HyperParameterTuningJobStatus ?? e.detail.ModelApprovalStatus])).toEqual([
      ['SageMaker Model Building Pipeline Execution Status Change', 'Executing'],
      ['SageMaker HyperParameter Tuning Job State Change', 'Completed'],
      ['SageMaker Model Package State Change', 'PendingManualApproval'],
      ['SageMaker Model Building Pipeline Execution Status Change', 'Succeeded'],
    ]);
    const [, tuning, modelPackage, ended] = events;
    // The tuning job's event carries the role its trials run as: the monitoring rule matches on it.
    expect((tuning.detail.TrainingJobDefinition as { RoleArn: string }).RoleArn).toBe('arn:aws:iam::000000000000:role/local');
    expect(modelPackage.detail).toMatchObject({
      ModelPackageGroupName: 'fixture-models',
      ModelPackageVersion: 1,
      ModelPackageName: 'fixture-models',
      ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    });
    expect(modelPackage.detail).not.toHaveProperty('Metrics');
    expect(ended).toMatchObject({
      detail: { pipelineArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/fixture-training', pipelineExecutionArn: arn, previousPipelineExecutionStatus: 'Executing', pipelineExecutionDisplayName: 'etl-run-1' },
      resources: ['arn:aws:sagemaker:eu-west-1:123456789012:pipeline/fixture-training', arn],
    });
    expect(ended.detail.executionEndTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(await pipelines.describeModelPackage({ ModelPackageName: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/fixture-models/1' })).toMatchObject({
      ModelApprovalStatus: 'PendingManualApproval',
    });
  });

  test('an execution that stops at its Fail step ends Failed, with no model version', async () => {
    const pipelines = service();
    const { PipelineExecutionArn: arn } = await pipelines.startPipelineExecution({ PipelineName: PIPELINE, PipelineParameters: [{ Name: 'Threshold', Value: '-1' }] });
    await pipelines.idle();
    expect(await pipelines.describePipelineExecution({ PipelineExecutionArn: arn })).toMatchObject({
      PipelineExecutionStatus: 'Failed',
      FailureReason: expect.stringMatching(/^rmse [\d.]+ is above the threshold -1/),
    });
    expect(events.map((e) => e.detailType)).not.toContain('SageMaker Model Package State Change');
    expect(events.at(-1)?.detail.currentPipelineExecutionStatus).toBe('Failed');
  });

  test('requests SageMaker would refuse: an unknown pipeline, a bad parameter, an unknown execution or version', async () => {
    const pipelines = service();
    await expect(pipelines.startPipelineExecution({ PipelineName: 'other' })).rejects.toEqual(
      new LocalAwsError('ResourceNotFound', `Pipeline 'other' does not exist (this stage has ${PIPELINE}).`),
    );
    await expect(pipelines.startPipelineExecution({ PipelineName: PIPELINE, PipelineParameters: [{ Name: 'Threshold', Value: 'high' }] })).rejects.toMatchObject({
      code: 'ValidationException',
      message: expect.stringMatching(/Threshold/),
    });
    await expect(pipelines.startPipelineExecution({ PipelineName: PIPELINE, PipelineParameters: [{ Name: 'Nope', Value: '1' }] })).rejects.toMatchObject({
      code: 'ValidationException',
      message: expect.stringMatching(/Nope/),
    });
    await expect(pipelines.describePipelineExecution({ PipelineExecutionArn: 'arn:aws:sagemaker:eu-west-1:123456789012:pipeline/x/execution/y' })).rejects.toMatchObject({
      code: 'ResourceNotFound',
    });
    await expect(pipelines.describeModelPackage({ ModelPackageName: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/fixture-models/9' })).rejects.toMatchObject({
      code: 'ValidationException',
      message: expect.stringMatching(/fixture-models\/9 does not exist/),
    });
    expect(pipelines.started).toEqual([]);
    expect(events).toEqual([]);
  });
});
