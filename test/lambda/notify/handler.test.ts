import './set-environment';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeModelPackageCommand,
  ListPipelineExecutionStepsCommand,
  type PipelineExecutionStep,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import glueFailed from '../../fixtures/events/aws.glue/glue-job-state-change-failed.json';
import glueTimeout from '../../fixtures/events/aws.glue/glue-job-state-change-timeout.json';
import glueStopped from '../../fixtures/events/aws.glue/glue-job-state-change-stopped.json';
import glueSucceeded from '../../fixtures/events/aws.glue/glue-job-state-change-succeeded.json';
import glueRunning from '../../fixtures/events/aws.glue/glue-job-run-status-running.json';
import glueStarting from '../../fixtures/events/aws.glue/glue-job-run-status-starting.json';
import glueStopping from '../../fixtures/events/aws.glue/glue-job-run-status-stopping.json';
import stepStatusChange from '../../fixtures/events/aws.sagemaker/sagemaker-model-building-pipeline-execution-step-status-change.json';
import endpointStateChange from '../../fixtures/events/aws.sagemaker/sagemaker-endpoint-state-change.json';
import objectCreated from '../../fixtures/events/aws.s3/object-created.json';
import pipelineSample from '../../fixtures/events/aws.sagemaker/sagemaker-model-building-pipeline-execution-status-change.json';
import trainingSample from '../../fixtures/events/aws.sagemaker/sagemaker-training-job-state-change.json';
import tuningSample from '../../fixtures/events/aws.sagemaker/sagemaker-hyperparameter-tuning-job-state-change.json';
import { lambdaContext, mockIdempotencyTable, variant } from '../helpers';
import { handler } from '../../../lambda/notify';
import {
  CONTROL_CHARACTERS,
  describedPackage,
  EVALUATION_URI,
  EXECUTION_ARN,
  GROUP,
  INFERENCE_PIPELINE,
  PACKAGE_ARN,
  packageEvent,
  packageSample,
  pipelineEvent,
  R2_GATE,
  REGRESSION_REPORT,
  trainingJobEvent,
  tuningJobEvent,
} from './events';

const sns = mockClient(SNSClient);
const sageMaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const table = mockIdempotencyTable();
const context = lambdaContext('notify');
const warn = jest.spyOn(Logger.prototype, 'warn');

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:mlops-test-notifications';
const MESSAGE_ID = '95df01b4-ee98-5cb9-9903-4c221d41eb5e';
const ARTIFACTS = { Bucket: 'mlops-test-artifacts', Key: 'pipelines/training/4r83jejmhorv/evaluation/evaluation.json' };

/** An S3 object body as the SDK returns it (the handler reads it with transformToString). */
const objectBody = (text: string) => ({ Body: { transformToString: async () => text } as never, ContentLength: text.length });

/** The steps of the training pipeline's execution that missed the quality gate, as ListPipelineExecutionSteps lists them. */
const GATE_FAILED_STEPS: PipelineExecutionStep[] = [
  {
    StepName: 'Preprocess',
    StepStatus: 'Succeeded',
    StartTime: new Date('2021-03-15T16:03:14Z'),
    EndTime: new Date('2021-03-15T16:05:02Z'),
    Metadata: { ProcessingJob: { Arn: 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/pipelines-p4jn9xou8a8s-preprocess-q2w3e4r5t6' } },
  },
  {
    StepName: 'Tune',
    StepStatus: 'Succeeded',
    StartTime: new Date('2021-03-15T16:05:03Z'),
    EndTime: new Date('2021-03-15T16:08:40Z'),
    Metadata: { TuningJob: { Arn: 'arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/p4jn9xou8a8s-tune-x1y2z3' } },
  },
  {
    StepName: 'Evaluate',
    StepStatus: 'Succeeded',
    StartTime: new Date('2021-03-15T16:08:41Z'),
    EndTime: new Date('2021-03-15T16:10:01Z'),
    Metadata: { ProcessingJob: { Arn: 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/pipelines-p4jn9xou8a8s-evaluate-a1s2d3f4g5' } },
  },
  {
    StepName: 'CheckQuality',
    StepStatus: 'Succeeded',
    StartTime: new Date('2021-03-15T16:10:02Z'),
    EndTime: new Date('2021-03-15T16:10:03Z'),
    Metadata: { Condition: { Outcome: 'False' } },
  },
  {
    StepName: 'QualityGateFailed',
    StepStatus: 'Failed',
    StartTime: new Date('2021-03-15T16:10:04Z'),
    EndTime: new Date('2021-03-15T16:10:09Z'),
    FailureReason: 'Quality gate failed: r2 = 0.41 is below the threshold 0.6 (higher is better).',
    Metadata: { Fail: { ErrorMessage: 'Quality gate failed: r2 = 0.41 is below the threshold 0.6 (higher is better).' } },
  },
];

const publishedInputs = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
const publishedMessage = () => {
  const inputs = publishedInputs();
  expect(inputs).toHaveLength(1);
  return inputs[0].Message ?? '';
};

beforeEach(() => {
  sns.reset();
  sageMaker.reset();
  s3.reset();
  table.items.clear();
  table.dynamodb.resetHistory();
  warn.mockClear();
  sns.on(PublishCommand).resolves({ MessageId: MESSAGE_ID });
  sageMaker.on(ListPipelineExecutionStepsCommand).resolves({ PipelineExecutionSteps: GATE_FAILED_STEPS });
  sageMaker.on(DescribeModelPackageCommand).resolves(describedPackage());
  s3.on(GetObjectCommand).resolves(objectBody(JSON.stringify(REGRESSION_REPORT)));
});

afterEach(() => {
  // SNS's rule for every message: a subject of less than 100 characters on one line.
  for (const input of publishedInputs()) {
    expect(input.Subject?.length).toBeLessThanOrEqual(100);
    expect(input.Subject).not.toMatch(CONTROL_CHARACTERS);
  }
});

describe('notify: a failed pipeline execution names the failed step and its reason', () => {
  test('GIVEN the training pipeline failed its quality gate WHEN handled THEN one message with the Fail step\'s message, the steps and what to do', async () => {
    const result = await handler(pipelineEvent('Failed'), context);

    const subject = 'FAILED quality gate: mlops-test-training - r2 = 0.41 is below the threshold 0.6 (higher is better).';
    expect(result).toEqual({ status: 'published', eventId: pipelineSample.id, kind: 'pipeline-failed', subject, messageId: MESSAGE_ID });
    expect(sageMaker.commandCalls(ListPipelineExecutionStepsCommand).map((call) => call.args[0].input)).toEqual([
      { PipelineExecutionArn: EXECUTION_ARN, SortOrder: 'Ascending', MaxResults: 100, NextToken: undefined },
    ]);
    expect(publishedInputs()).toEqual([
      {
        TopicArn: TOPIC_ARN,
        Subject: subject,
        Message: `Execution p4jn9xou8a8s of the training pipeline mlops-test-training failed: the model did not pass the quality gate, so no model version was registered.

Pipeline:    mlops-test-training (the training pipeline)
Execution:   p4jn9xou8a8s ("etl-house-prices-f6ed16032346")
             arn:aws:sagemaker:us-east-1:123456789012:pipeline/mlops-test-training/execution/p4jn9xou8a8s
Description: Curated data of ETL run house-prices-f6ed16032346
Status:      Failed (was Executing)
Account:     123456789012
Region:      us-east-1
Started:     2021-03-15 16:03:13 UTC
Ended:       2021-03-15 16:10:10 UTC (after 6 min 57 s)

Why
  Step QualityGateFailed failed at 2021-03-15 16:10:09 UTC:
    Quality gate failed: r2 = 0.41 is below the threshold 0.6 (higher is better).

Steps
  Preprocess           Succeeded (1 min 48 s)
  Tune                 Succeeded (3 min 37 s)
  Evaluate             Succeeded (1 min 20 s)
  CheckQuality         Succeeded (outcome False, 1 s)
  QualityGateFailed    Failed (5 s)

What to do next
  - The model scored below the threshold the stage sets for its quality metric. Improve the data or the
    features, or tune longer (the stage setting tuning.maxJobs). If the gate is stricter than the use case
    needs, change the stage setting qualityGate.threshold (the pipeline's QualityThreshold parameter).
  - Then start a new execution:
      aws sagemaker start-pipeline-execution --pipeline-name mlops-test-training --pipeline-parameters Name=InputDataUri,Value=<curated data URI> --region us-east-1

Links
  SageMaker Studio (open Studio, then Pipelines > mlops-test-training > Executions > p4jn9xou8a8s): https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/studio-landing

--
Sent by the MLOps platform's notify function for EventBridge event 315c1398-40ff-a850-213b-158f73kd93ir ("SageMaker Model Building Pipeline Execution Status Change" at 2021-03-15 16:10:11 UTC).
`,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'pipeline-failed' } },
      },
    ]);
    expect(s3.calls()).toHaveLength(0);
  });

  test('GIVEN a processing step failed WHEN handled THEN the reason, the job\'s console and log links, and the retry command', async () => {
    const evaluateArn = 'arn:aws:sagemaker:us-east-1:123456789012:processing-job/pipelines-p4jn9xou8a8s-evaluate-a1s2d3f4g5';
    sageMaker.on(ListPipelineExecutionStepsCommand).resolves({
      PipelineExecutionSteps: [
        GATE_FAILED_STEPS[0],
        {
          StepName: 'Evaluate',
          StepStatus: 'Failed',
          AttemptCount: 2,
          FailureReason: 'AlgorithmError: EvaluationError: the test data holds only class 1: AUC needs both classes; provide more data',
          Metadata: { ProcessingJob: { Arn: evaluateArn } },
        },
      ],
    });

    await handler(pipelineEvent('Failed'), context);

    expect(publishedInputs()[0].Subject).toBe('FAILED: training pipeline mlops-test-training at step Evaluate');
    const message = publishedMessage();
    expect(message).toContain(
      'Step Evaluate failed, after 2 attempts:\n' +
        '    AlgorithmError: EvaluationError: the test data holds only class 1: AUC needs both classes; provide more data\n' +
        '    Its processing job: pipelines-p4jn9xou8a8s-evaluate-a1s2d3f4g5 ' +
        '(https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/processing-jobs/pipelines-p4jn9xou8a8s-evaluate-a1s2d3f4g5)',
    );
    expect(message).toContain(`aws sagemaker retry-pipeline-execution --pipeline-execution-arn ${EXECUTION_ARN} --region us-east-1`);
    expect(message).toContain(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/' +
        '$252Faws$252Fsagemaker$252FProcessingJobs$3FlogStreamNameFilter$3Dpipelines-p4jn9xou8a8s-evaluate-a1s2d3f4g5',
    );
    expect(message).not.toContain('quality gate');
  });

  test('GIVEN the steps come in pages WHEN handled THEN every page is read', async () => {
    sageMaker
      .on(ListPipelineExecutionStepsCommand)
      .resolvesOnce({ PipelineExecutionSteps: GATE_FAILED_STEPS.slice(0, 2), NextToken: 'page-2' })
      .resolvesOnce({ PipelineExecutionSteps: GATE_FAILED_STEPS.slice(2) });

    await handler(pipelineEvent('Failed'), context);

    expect(sageMaker.commandCalls(ListPipelineExecutionStepsCommand).map((call) => call.args[0].input.NextToken)).toEqual([undefined, 'page-2']);
    expect(publishedMessage()).toContain('Quality gate failed: r2 = 0.41');
  });

  test('GIVEN SageMaker lists no failed step WHEN handled THEN the message says so and how to read the execution\'s own reason', async () => {
    sageMaker.on(ListPipelineExecutionStepsCommand).resolves({ PipelineExecutionSteps: [] });

    await handler(pipelineEvent('Failed'), context);

    expect(publishedInputs()[0].Subject).toBe('FAILED: training pipeline mlops-test-training, execution p4jn9xou8a8s');
    expect(publishedMessage()).toContain(
      `SageMaker lists no failed step: the execution failed before or between steps (for example a parameter value the definition rejects). Its FailureReason says why:\n` +
        `    aws sagemaker describe-pipeline-execution --pipeline-execution-arn ${EXECUTION_ARN} --region us-east-1`,
    );
  });
});

describe('notify: other pipeline outcomes, and jobs, from the event alone', () => {
  test.each<[string, unknown, string, string, string[]]>([
    [
      'a stopped training execution',
      pipelineEvent('Stopped'),
      'pipeline-stopped',
      'Stopped: training pipeline mlops-test-training, execution p4jn9xou8a8s',
      ['was stopped before it finished', 'StopPipelineExecution', `aws sagemaker retry-pipeline-execution --pipeline-execution-arn ${EXECUTION_ARN} --region us-east-1`],
    ],
    [
      'a succeeded training execution',
      pipelineEvent('Succeeded'),
      'pipeline-succeeded',
      'Succeeded: training pipeline mlops-test-training, execution p4jn9xou8a8s',
      ['registered as a new version in model package group mlops-test-models', 'Started:     2021-03-15 16:03:13 UTC'],
    ],
    [
      'a succeeded inference execution',
      pipelineEvent('Succeeded', INFERENCE_PIPELINE),
      'pipeline-succeeded',
      'Succeeded: inference pipeline mlops-test-inference, execution p4jn9xou8a8s',
      ['The batch transform wrote its predictions', 'Pipelines > mlops-test-inference > Executions > p4jn9xou8a8s'],
    ],
    [
      'a failed training job',
      trainingJobEvent('Failed', { FailureReason: 'AlgorithmError: ExecuteUserScriptError: Command "python train.py" exit status 1' }),
      'training-job-failed',
      'FAILED: SageMaker training job 89c96cc8-dded-4739-afcc-6f1dc936701d',
      [
        'Why\n  AlgorithmError: ExecuteUserScriptError: Command "python train.py" exit status 1',
        'Training job: https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/89c96cc8-dded-4739-afcc-6f1dc936701d',
        'Started:      2020-03-10 09:18:09 UTC',
      ],
    ],
    [
      'a failed trial of a tuning job',
      trainingJobEvent('Failed', {
        FailureReason: 'ClientError: Invalid hyperparameter eta',
        TuningJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/p4jn9xou8a8s-tune-x1y2z3',
      }),
      'training-job-failed',
      'FAILED: SageMaker tuning trial 89c96cc8-dded-4739-afcc-6f1dc936701d',
      ['One failed trial does not end tuning job p4jn9xou8a8s-tune-x1y2z3', '#/hyper-tuning-jobs/p4jn9xou8a8s-tune-x1y2z3'],
    ],
    [
      'a training job stopped at its maximum runtime',
      trainingJobEvent('Stopped', { SecondaryStatus: 'MaxRuntimeExceeded' }),
      'training-job-stopped',
      'STOPPED: SageMaker training job 89c96cc8-dded-4739-afcc-6f1dc936701d',
      ['It ran longer than its stopping condition allows (MaxRuntimeInSeconds 60).', 'Status:       Stopped (MaxRuntimeExceeded)'],
    ],
    [
      'a failed tuning job',
      tuningJobEvent('Failed', { FailureReason: 'All training jobs failed. Please see the failure reason of the training jobs.' }),
      'tuning-job-failed',
      'FAILED: SageMaker tuning job 016bffd3-6d71-4d3a-9710-0a332b2759fc',
      [
        'Why\n  All training jobs failed. Please see the failure reason of the training jobs.',
        'Training jobs: 1 completed, 0 in progress, 0 failed with a retryable error, 0 failed with a non-retryable error, 0 stopped',
        'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/hyper-tuning-jobs/016bffd3-6d71-4d3a-9710-0a332b2759fc',
      ],
    ],
    [
      'a stopped tuning job',
      tuningJobEvent('Stopped'),
      'tuning-job-stopped',
      'STOPPED: SageMaker tuning job 016bffd3-6d71-4d3a-9710-0a332b2759fc',
      ['StopHyperParameterTuningJob'],
    ],
    [
      'a FAILED ETL run',
      glueFailed,
      'glue-job-failed',
      'FAILED: Glue ETL job MyJob',
      [
        'Why\n  JobName:MyJob and JobRunId:jr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef failed to execute with exception Role arn:aws:iam::123456789012:role/Glue_Role should be given assume role permissions for Glue Service.',
        'Region:   us-west-2',
        'https://us-west-2.console.aws.amazon.com/gluestudio/home?region=us-west-2#/job/MyJob/run/jr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        'No training starts from it',
      ],
    ],
    ['a TIMEOUT ETL run', glueTimeout, 'glue-job-timeout', 'TIMED OUT: Glue ETL job MyJob', ['Why\n  Job run timed out', "took longer than the job's timeout"]],
    ['a STOPPED ETL run', glueStopped, 'glue-job-stopped', 'STOPPED: Glue ETL job MyJob', ['Why\n  Job run stopped', 'When:     2017-11-20 20:22:06 UTC']],
    [
      'an ETL run still RUNNING past its notify delay',
      glueRunning,
      'glue-job-late',
      'LATE: Glue ETL job MyJob still RUNNING after 1 min 46 s',
      [
        "is still RUNNING 1 min 46 s after it started, longer than the job's notify delay of 1 min.",
        'aws glue batch-stop-job-run --job-name MyJob --job-run-ids jr_6aa58e7a3aa44e2e4c7db2c50e2f7396cb57901729e4b702dcb2cfbbeb3f7a86 --region us-east-1',
      ],
    ],
    ['an ETL run still STARTING', glueStarting, 'glue-job-late', 'LATE: Glue ETL job MyJob still STARTING after 1 min 46 s', ['Job is in STARTING state']],
    ['an ETL run still STOPPING', glueStopping, 'glue-job-late', 'LATE: Glue ETL job MyJob still STOPPING after 1 min 46 s', ['Job is in STOPPING state']],
  ])('GIVEN %s WHEN handled THEN publishes it without reading anything', async (_what, event, kind, subject, contents) => {
    const result = await handler(event, context);

    expect(result).toEqual({ status: 'published', eventId: (event as { id: string }).id, kind, subject, messageId: MESSAGE_ID });
    expect(publishedInputs()).toEqual([
      { TopicArn: TOPIC_ARN, Subject: subject, Message: expect.any(String), MessageAttributes: { kind: { DataType: 'String', StringValue: kind } } },
    ]);
    const message = publishedMessage();
    for (const content of contents) expect(message).toContain(content);
    expect(message).toContain(`Account:`);
    expect(message).toContain(`EventBridge event ${(event as { id: string }).id}`);
    expect(sageMaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('notify: a model version awaiting approval', () => {
  test('GIVEN a version that passed its gate WHEN handled THEN every metric, the gate with its margin, the approve and reject commands and the links', async () => {
    const result = await handler(packageEvent(), context);

    const subject = 'Approval needed: mlops-test-models version 2 (r2 0.71 >= 0.6)';
    expect(result).toEqual({ status: 'published', eventId: packageSample.id, kind: 'approval-requested', subject, messageId: MESSAGE_ID });
    expect(sageMaker.commandCalls(DescribeModelPackageCommand).map((call) => call.args[0].input)).toEqual([{ ModelPackageName: PACKAGE_ARN }]);
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input)).toEqual([{ ...ARTIFACTS, ExpectedBucketOwner: '123456789012' }]);
    expect(publishedInputs()).toEqual([
      {
        TopicArn: TOPIC_ARN,
        Subject: subject,
        Message: `Version 2 of model package group mlops-test-models awaits your approval.

It passed its quality gate by 0.11: r2 = 0.71 >= threshold 0.6 (higher is better).

Model version: mlops-test-models, version 2
               arn:aws:sagemaker:us-east-2:123456789012:model-package/mlops-test-models/2
Account:       123456789012
Region:        us-east-2
Registered:    2021-02-24 17:00:14 UTC
Problem type:  regression (label column price)
Registered by: arn:aws:sagemaker:us-east-2:123456789012:pipeline/mlops-test-training/execution/4r83jejmhorv
Model data:    s3://mlops-test-artifacts/pipelines/training/4r83jejmhorv/tune/best/output/model.tar.gz

Quality gate
  Metric:    r2 (higher is better)
  Threshold: 0.6
  Value:     0.71
  Result:    PASSED (by 0.11)

Test metrics (regression_metrics in s3://mlops-test-artifacts/pipelines/training/4r83jejmhorv/evaluation/evaluation.json)
  mse   12.25 (standard deviation 4.5)
  rmse  3.5
  mae   2.1 (standard deviation 1.2)
  r2    0.71
  Baseline (predict the mean label): mse 42.2, rmse 6.5, mae 5.1, r2 0

What to do next
  - Review the metrics, then approve or reject this version.
  - Approve:
      aws sagemaker update-model-package --model-package-arn arn:aws:sagemaker:us-east-2:123456789012:model-package/mlops-test-models/2 --model-approval-status Approved --region us-east-2
  - Reject:
      aws sagemaker update-model-package --model-package-arn arn:aws:sagemaker:us-east-2:123456789012:model-package/mlops-test-models/2 --model-approval-status Rejected --approval-description "<why it is rejected>" --region us-east-2
  - After approval, run batch inference with it:
      aws sagemaker start-pipeline-execution --pipeline-name mlops-test-inference --pipeline-parameters Name=ModelPackageArn,Value=arn:aws:sagemaker:us-east-2:123456789012:model-package/mlops-test-models/2 Name=BatchInputUri,Value=<batch input URI> --region us-east-2

Links
  SageMaker Studio (open Studio, then Models > Registered models > mlops-test-models > version 2): https://us-east-2.console.aws.amazon.com/sagemaker/home?region=us-east-2#/studio-landing

--
Sent by the MLOps platform's notify function for EventBridge event 844e2571-85d4-695f-b930-0153b71dcb42 ("SageMaker Model Package State Change" at 2021-02-24 17:00:14 UTC).
`,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'approval-requested' } },
      },
    ]);
  });

  test('GIVEN a version whose metric misses a lower-is-better gate WHEN handled THEN the subject and the body say it does not meet it, and by how much', async () => {
    const rmseGate = { ...R2_GATE, QualityMetric: 'rmse', QualityMetricDirection: 'Minimize', QualityThreshold: '3' };
    sageMaker.on(DescribeModelPackageCommand).resolves(describedPackage(rmseGate));

    const result = await handler(packageEvent(), context);

    expect(result).toMatchObject({ subject: 'Approval needed: mlops-test-models version 2 (rmse 3.5 > 3, gate NOT met)' });
    const message = publishedMessage();
    expect(message).toContain('It does NOT meet its quality gate: it misses it by 0.5: rmse = 3.5 > threshold 3 (lower is better).');
    expect(message).toContain('  Metric:    rmse (lower is better)\n  Threshold: 3\n  Value:     3.5\n  Result:    NOT MET (missed by 0.5)');
    expect(message).toContain('- This version does NOT meet its quality gate: reject it unless you know why it should be used anyway.');
    expect(message).toContain(`--model-package-arn ${PACKAGE_ARN} --model-approval-status Rejected --approval-description`);
  });

  test('GIVEN a version that meets a lower-is-better gate THEN the comparison is <=', async () => {
    sageMaker.on(DescribeModelPackageCommand).resolves(describedPackage({ ...R2_GATE, QualityMetric: 'rmse', QualityMetricDirection: 'Minimize', QualityThreshold: '4' }));

    await expect(handler(packageEvent(), context)).resolves.toMatchObject({ subject: 'Approval needed: mlops-test-models version 2 (rmse 3.5 <= 4)' });
    expect(publishedMessage()).toContain('It passed its quality gate by 0.5: rmse = 3.5 <= threshold 4 (lower is better).');
  });

  test.each<[string, () => void, string, string]>([
    [
      'evaluation.json is not JSON',
      () => s3.on(GetObjectCommand).resolves(objectBody('r2=0.71')),
      `its evaluation report ${EVALUATION_URI} cannot be read: it is not JSON`,
      'gate result unknown',
    ],
    [
      'evaluation.json lacks the gate metric',
      () => s3.on(GetObjectCommand).resolves(objectBody(JSON.stringify({ regression_metrics: { rmse: { value: 3.5 } } }))),
      'evaluation.json has no value for the gate metric r2 under "regression_metrics" (it has: rmse)',
      'gate result unknown',
    ],
    [
      'evaluation.json lacks the metrics object',
      () => s3.on(GetObjectCommand).resolves(objectBody(JSON.stringify({ baseline: {} }))),
      'it has no "regression_metrics" object (ml/evaluate.py writes one for problem type regression); its top-level keys: baseline',
      'gate result unknown',
    ],
    [
      'evaluation.json was deleted (S3 NoSuchKey)',
      () => s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } })),
      `its evaluation report ${EVALUATION_URI} does not exist (S3 NoSuchKey): it was deleted or moved`,
      'gate result unknown',
    ],
    [
      'evaluation.json is larger than 1 MiB (not read)',
      () => s3.on(GetObjectCommand).resolves({ ContentLength: 5_000_000, Body: { transformToString: async () => { throw new Error('read'); } } as never }),
      `its evaluation report ${EVALUATION_URI} has 5000000 bytes, too large to be an evaluation.json`,
      'gate result unknown',
    ],
    [
      'the version records no threshold',
      () => sageMaker.on(DescribeModelPackageCommand).resolves(describedPackage({ ...R2_GATE, QualityThreshold: '' })),
      'the gate is not fully recorded: no QualityThreshold in the version\'s metadata',
      'gate result unknown',
    ],
  ])('GIVEN %s WHEN handled THEN the message still goes out and says what is missing', async (_what, arrange, says, subjectSays) => {
    arrange();

    const result = await handler(packageEvent(), context);

    expect(result).toMatchObject({ status: 'published', subject: `Approval needed: mlops-test-models version 2 (${subjectSays})` });
    const message = publishedMessage();
    expect(message).toContain(says);
    expect(message).toContain('- The gate result is unknown (see above): check the metrics yourself before approving.');
    expect(message).toContain(`aws sagemaker update-model-package --model-package-arn ${PACKAGE_ARN} --model-approval-status Approved`);
  });

  test('GIVEN a version without model quality metrics WHEN handled THEN S3 is not read and the message says there is no report', async () => {
    sageMaker.on(DescribeModelPackageCommand).resolves(describedPackage(R2_GATE, null));

    await handler(packageEvent(), context);

    expect(s3.calls()).toHaveLength(0);
    expect(publishedMessage()).toContain('Not available: the version records no evaluation report (ModelMetrics.ModelQuality.Statistics).');
  });

  test('GIVEN a version approved since the event WHEN handled THEN rejected after DescribeModelPackage: no S3 read, nothing published', async () => {
    sageMaker.on(DescribeModelPackageCommand).resolves({ ...describedPackage(), ModelApprovalStatus: 'Approved' });

    const result = await handler(packageEvent(), context);

    expect(result).toEqual({
      status: 'rejected',
      reason: `model version ${PACKAGE_ARN} is Approved by now (the event said PendingManualApproval): nothing awaits approval`,
    });
    expect(s3.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
  });
});

describe('notify: idempotent per EventBridge event id', () => {
  test.each([
    ['a failed execution', () => pipelineEvent('Failed')],
    ['a version awaiting approval', () => packageEvent()],
    ['a failed ETL run', () => structuredClone(glueFailed)],
  ])('GIVEN %s delivered twice WHEN handled THEN one message, and the duplicate returns the first result without reading anything', async (_what, event) => {
    const first = await handler(event(), context);
    const callsAfterFirst = sageMaker.calls().length + s3.calls().length;
    const second = await handler(event(), context);

    expect(second).toEqual(first);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(sageMaker.calls().length + s3.calls().length).toBe(callsAfterFirst);
    expect([...table.items.keys()]).toEqual([expect.stringMatching(/^notify#\S+$/)]);
  });

  test('GIVEN two different events about the same run WHEN handled THEN two messages (the key is the event id)', async () => {
    await handler(glueFailed, context);
    await handler(variant(glueFailed, (e) => (e.id = 'another-event-id')), context);

    expect(sns.commandCalls(PublishCommand)).toHaveLength(2);
  });
});

describe('notify: AWS errors propagate (Lambda retries, then the failure destination) and leave no record', () => {
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

  test.each<[string, () => void, unknown, string]>([
    ['SageMaker ListPipelineExecutionSteps', () => sageMaker.on(ListPipelineExecutionStepsCommand).rejectsOnce(throttled()).resolves({ PipelineExecutionSteps: GATE_FAILED_STEPS }), pipelineEvent('Failed'), 'ThrottlingException'],
    ['SageMaker DescribeModelPackage', () => sageMaker.on(DescribeModelPackageCommand).rejectsOnce(throttled()).resolves(describedPackage()), packageEvent(), 'ThrottlingException'],
    ['S3 GetObject', () => s3.on(GetObjectCommand).rejectsOnce(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' })).resolves(objectBody(JSON.stringify(REGRESSION_REPORT))), packageEvent(), 'AccessDenied'],
    ['SNS Publish', () => sns.on(PublishCommand).rejectsOnce(throttled()).resolves({ MessageId: MESSAGE_ID }), glueFailed, 'ThrottlingException'],
  ])('GIVEN %s fails WHEN handled THEN the error propagates with its name, and the retry publishes once', async (operation, arrange, event, name) => {
    arrange();

    await expect(handler(event, context)).rejects.toMatchObject({ name, message: expect.stringMatching(new RegExp(`^${operation} failed \\(.+\\): ${name}: `)) });
    expect(table.items.size).toBe(0);
    await expect(handler(event, context)).resolves.toMatchObject({ status: 'published' });
    expect(sns.commandCalls(PublishCommand).filter((call) => call.args[0].input.Message !== undefined)).toHaveLength(operation === 'SNS Publish' ? 2 : 1);
  });

  test('GIVEN SNS answers without a message id WHEN handled THEN it fails naming the topic, leaving no record', async () => {
    sns.on(PublishCommand).resolves({});

    await expect(handler(glueFailed, context)).rejects.toThrow(`SNS Publish returned no MessageId (topic ${TOPIC_ARN}, event ${glueFailed.id})`);
    expect(table.items.size).toBe(0);
  });
});

describe('notify rejects, from the event alone, what the rules should not send: no AWS call at all', () => {
  test.each<[string, unknown, RegExp]>([
    ['not an object (a string)', 'Failed', /\(event\): Invalid input: expected object, received string/],
    ['null', null, /\(event\): Invalid input: expected object, received null/],
    ['another source (S3 Object Created)', objectCreated, /detail-type: expected one of "SageMaker Model Building Pipeline Execution Status Change", .* \(got "Object Created"\)/],
    ['a known detail-type from another source', variant(glueFailed, (e) => (e.source = 'aws.s3')), /source: Invalid input: expected "aws.glue" \(got "aws.s3"\)/],
    ['another SageMaker detail-type (pipeline step status)', stepStatusChange, /detail-type: expected one of .* \(got "SageMaker Model Building Pipeline Execution Step Status Change"\)/],
    ['another SageMaker detail-type (endpoint state)', endpointStateChange, /\(got "SageMaker Endpoint State Change"\)/],
    ['the published model-package sample (its source is a list)', packageSample, /source: Invalid input: expected "aws.sagemaker" \(got an array\)/],
    ['a pipeline event without its execution ARN', variant(pipelineEvent('Failed'), (e) => Reflect.deleteProperty(e.detail, 'pipelineExecutionArn')), /detail\.pipelineExecutionArn: Invalid input: expected string/],
    ['a pipeline event with a malformed execution ARN', variant(pipelineEvent('Failed'), (e) => (e.detail.pipelineExecutionArn = 'p4jn9xou8a8s')), /detail\.pipelineExecutionArn: not a pipeline execution ARN \(got "p4jn9xou8a8s"\)/],
    ['a training job event without its name', variant(trainingJobEvent('Failed'), (e) => Reflect.deleteProperty(e.detail, 'TrainingJobName')), /detail\.TrainingJobName: Invalid input: expected string/],
    ['a model-package event whose version is text', packageEvent('PendingManualApproval', (e) => Object.assign(e.detail, { ModelPackageVersion: '2' })), /detail\.ModelPackageVersion: .*\(got "2"\)/],
    ['a Glue event without its run id', variant(glueFailed, (e) => Reflect.deleteProperty(e.detail, 'jobRunId')), /detail\.jobRunId: Invalid input: expected string/],
    ['an executing pipeline', pipelineEvent('Executing'), /execution p4jn9xou8a8s of pipeline 'mlops-test-training' is Executing; notify reports Failed, Stopped, Succeeded executions only/],
    ['another pipeline', pipelineSample, /pipeline 'myPipeline-123' is neither the training pipeline 'mlops-test-training' nor the inference pipeline 'mlops-test-inference'/],
    ['a Completed training job (the published sample)', trainingSample, /training job '89c96cc8-dded-4739-afcc-6f1dc936701d' is Completed; notify reports Failed and Stopped jobs only/],
    ['a training job in progress', trainingJobEvent('InProgress'), /is InProgress; notify reports Failed and Stopped jobs only/],
    ['a stopped trial of a tuning job (early stopping)', trainingJobEvent('Stopped', { TuningJobArn: 'arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/tune-1' }), /is a trial of tuning job 'tune-1', stopped by it/],
    ['a tuning job with the sample\'s placeholder status', tuningSample, /tuning job '016bffd3-6d71-4d3a-9710-0a332b2759fc' is status; notify reports Failed and Stopped jobs only/],
    ['a Completed tuning job', tuningJobEvent('Completed'), /is Completed; notify reports Failed and Stopped jobs only/],
    ['a SUCCEEDED ETL run', glueSucceeded, /"Glue Job State Change" of ETL run jr_abcdef.* in state SUCCEEDED; notify reports FAILED, TIMEOUT, STOPPED only/],
    ['another Glue job', variant(glueFailed, (e) => (e.detail.jobName = 'someone-elses-job')), /event is for Glue job 'someone-elses-job', not the ETL job 'MyJob'/],
    ['a late run of another Glue job', variant(glueRunning, (e) => (e.detail.jobName = 'other')), /not the ETL job 'MyJob'/],
    ['a run status event in a final state', variant(glueRunning, (e) => (e.detail.state = 'SUCCEEDED')), /"Glue Job Run Status" of ETL run .* in state SUCCEEDED; notify reports STARTING, RUNNING, STOPPING, WAITING only/],
    ['another model package group', packageEvent('PendingManualApproval', (e) => (e.detail.ModelPackageGroupName = 'versionedmp-p-idy6c3e1fiqj')), /model package group 'versionedmp-p-idy6c3e1fiqj' is not the platform's group 'mlops-test-models'/],
    ['an Approved version', packageEvent('Approved'), /model version arn:.*\/mlops-test-models\/2 is Approved: notify asks for approval of PendingManualApproval versions only/],
    ['a Rejected version', packageEvent('Rejected'), /is Rejected: notify asks for approval/],
    ['a version still being created', packageEvent('PendingManualApproval', (e) => (e.detail.ModelPackageStatus = 'InProgress')), /has ModelPackageStatus InProgress; the approval request goes out once it is Completed/],
  ])('GIVEN %s', async (_what, event, reason) => {
    const result = await handler(event, context);

    expect(result).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(sns.calls()).toHaveLength(0);
    expect(sageMaker.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(table.dynamodb.calls()).toHaveLength(0);
    expect(warn).toHaveBeenCalledWith('Rejected the event; nothing published', expect.objectContaining({ reason: (result as { reason: string }).reason }));
  });
});

test('GIVEN the group name in another case (SageMaker names ignore case) THEN the version is still ours', async () => {
  await handler(packageEvent('PendingManualApproval', (e) => (e.detail.ModelPackageGroupName = GROUP.toUpperCase())), context);

  expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
});
