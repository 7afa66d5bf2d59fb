import './set-environment';
import {
  type ActionExecutionDetail,
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaContext, mockIdempotencyTable, variant } from '../helpers';
import { handler } from '../../../lambda/notify';
import { decideNotify, formatNotification } from '../../../lambda/notify/decide';
import { NotifyEventSchema } from '../../../lambda/notify/event';
import { CONTROL_CHARACTERS, GROUP as TRAINING_GROUP, INFERENCE_PIPELINE, TRAINING_PIPELINE } from './events';
import {
  DEPLOYMENT_PIPELINE,
  deploymentEvent,
  EXECUTION_ID,
  failedActions,
  failedSample,
  pipelineExecution,
  REVIEWER,
  startedSample,
  stoppingSample,
  succeededActions,
  succeededSample,
  TEST_SUMMARY,
  VERSION_ARN,
} from './deployment-events';

const sns = mockClient(SNSClient);
const codePipeline = mockClient(CodePipelineClient);
const sageMaker = mockClient(SageMakerClient);
const s3 = mockClient(S3Client);
const table = mockIdempotencyTable();
const context = lambdaContext('notify');
const MESSAGE_ID = '6d1c7d0e-3a52-5d8f-9b3e-0c6f1e2a4b5c';

const published = () => sns.commandCalls(PublishCommand).map((call) => call.args[0].input);
const message = () => {
  expect(published()).toHaveLength(1);
  return published()[0].Message ?? '';
};
const awsError = (name: string, text: string) => Object.assign(new Error(text), { name, $metadata: {} });

beforeEach(() => {
  sns.reset();
  codePipeline.reset();
  sageMaker.reset();
  s3.reset();
  table.items.clear();
  table.dynamodb.resetHistory();
  sns.on(PublishCommand).resolves({ MessageId: MESSAGE_ID });
  codePipeline.on(GetPipelineExecutionCommand).resolves(pipelineExecution('Succeeded'));
  codePipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: succeededActions() });
});

afterEach(() => {
  for (const input of published()) {
    expect(input.Subject?.length).toBeLessThanOrEqual(99);
    expect(input.Subject).not.toMatch(CONTROL_CHARACTERS);
  }
  // Only CodePipeline is read for these events.
  expect(sageMaker.calls()).toHaveLength(0);
  expect(s3.calls()).toHaveLength(0);
});

describe('notify: the deployment pipeline succeeded', () => {
  test('GIVEN a SUCCEEDED execution WHEN handled THEN "version N is in production", its system test, its reviewer and how to go back', async () => {
    const result = await handler(deploymentEvent('SUCCEEDED'), context);

    const subject = 'In production: mlops-test-models version 7 (mlops-test-deployment)';
    expect(result).toEqual({ status: 'published', eventId: succeededSample.id, kind: 'deployment-succeeded', subject, messageId: MESSAGE_ID });
    expect(codePipeline.commandCalls(GetPipelineExecutionCommand).map((call) => call.args[0].input)).toEqual([
      { pipelineName: DEPLOYMENT_PIPELINE, pipelineExecutionId: EXECUTION_ID },
    ]);
    expect(codePipeline.commandCalls(ListActionExecutionsCommand).map((call) => call.args[0].input)).toEqual([
      { pipelineName: DEPLOYMENT_PIPELINE, filter: { pipelineExecutionId: EXECUTION_ID }, maxResults: 100, nextToken: undefined },
    ]);
    expect(published()).toEqual([
      {
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:mlops-test-notifications',
        Subject: subject,
        Message: `Model version 7 of mlops-test-models is in production: the deployment pipeline mlops-test-deployment finished execution 12345678-1234-5678-abcd-12345678abcd successfully.

It passed its system test on the staging endpoint: r2 0.8123 (>= 0.6) and p95 41 ms (<= 200 ms) on 1000 held-out rows.

Pipeline:      mlops-test-deployment (the model deployment pipeline)
Execution:     12345678-1234-5678-abcd-12345678abcd
Model version: mlops-test-models, version 7
               arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-test-models/7
System test:   r2 0.8123 (>= 0.6) and p95 41 ms (<= 200 ms) on 1000 held-out rows
Approval:      approved by arn:aws:sts::123456789012:assumed-role/Admin/jane at 2020-01-24 22:39:00 UTC: "Metrics look good"
Started by:    an EventBridge rule (a model version was approved): arn:aws:events:us-east-1:123456789012:rule/mlops-test-deployment-ModelApproved
Account:       123456789012
Region:        us-east-1
When:          2020-01-24 22:03:44 UTC

Actions
  Source/EndpointTemplates             Succeeded (S3, 1 min)
  ResolveModel/LatestApprovedVersion   Succeeded (Lambda, 1 min)
  Staging/DeployStagingEndpoint        Succeeded (CloudFormation, 9 min)
  SystemTest/SystemTest                Succeeded (StepFunctions, 7 min)
  SystemTest/TestReport                Succeeded (Lambda, 1 min)
  Approval/ApproveProduction           Succeeded (Manual, 19 min)
  Production/DeployProductionEndpoint  Succeeded (CloudFormation, 12 min)

What to do next
  - Nothing is required. Watch the production endpoint's alarms for the first hours.
  - To go back to the previous version: reject this one in the model registry, then start the pipeline again
    (it deploys the latest version that is still Approved):
      aws sagemaker update-model-package --model-package-arn arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-test-models/7 --model-approval-status Rejected --approval-description "<why>" --region us-east-1
      aws codepipeline start-pipeline-execution --name mlops-test-deployment --region us-east-1

Links
  The execution in the CodePipeline console: https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/mlops-test-deployment/executions/12345678-1234-5678-abcd-12345678abcd/timeline?region=us-east-1

--
Sent by the MLOps platform's notify function for EventBridge event 01234567-EXAMPLE ("CodePipeline Pipeline Execution State Change" at 2020-01-24 22:03:44 UTC).
`,
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'deployment-succeeded' } },
      },
    ]);
  });

  test('GIVEN the actions come in pages WHEN handled THEN every page is read', async () => {
    const actions = succeededActions();
    codePipeline
      .on(ListActionExecutionsCommand)
      .resolvesOnce({ actionExecutionDetails: actions.slice(0, 3), nextToken: 'page-2' })
      .resolvesOnce({ actionExecutionDetails: actions.slice(3) });

    await handler(deploymentEvent('SUCCEEDED'), context);

    expect(codePipeline.commandCalls(ListActionExecutionsCommand).map((call) => call.args[0].input.nextToken)).toEqual([undefined, 'page-2']);
    expect(published()[0].Subject).toBe('In production: mlops-test-models version 7 (mlops-test-deployment)');
  });

  test.each<[string, () => void, string]>([
    ['no action exported the version', () => codePipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: [] }), 'no action of the execution exported it'],
    [
      'CodePipeline no longer knows the execution',
      () => codePipeline.on(GetPipelineExecutionCommand).rejects(awsError('PipelineExecutionNotFoundException', `Pipeline execution ${EXECUTION_ID} not found`)),
      `the execution's actions could not be read: CodePipeline GetPipelineExecution answered PipelineExecutionNotFoundException: Pipeline execution ${EXECUTION_ID} not found`,
    ],
  ])('GIVEN %s THEN the message says what it can, and why the version is not named', async (_what, arrange, why) => {
    arrange();

    await handler(deploymentEvent('SUCCEEDED'), context);

    expect(published()[0].Subject).toBe('Succeeded: deployment pipeline mlops-test-deployment, execution 12345678-1234-5678-abcd-12345678...');
    expect(message()).toContain(`Which version is not said here (${why}); the execution's resolve action shows it (link below).`);
    expect(message()).toContain(`Model version: unknown (${why})`);
    expect(message()).toContain('--model-package-arn <this version\'s ARN>');
  });
});

describe('notify: the deployment pipeline failed, naming the failed stage, action and error', () => {
  test.each<[string, ActionExecutionDetail[], string, string, string[]]>([
    [
      'the system test failed',
      failedActions('SystemTest', 'SystemTest', {
        output: {
          executionResult: {
            externalExecutionId: 'arn:aws:states:us-east-1:123456789012:execution:mlops-test-system-test:5f0c',
            externalExecutionUrl: 'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn:aws:states:us-east-1:123456789012:execution:mlops-test-system-test:5f0c',
            errorDetails: { code: 'JobFailed', message: 'Execution failed: SystemTestBreach: r2 0.41 is below the threshold 0.6' },
          },
        },
      }),
      'deployment-failed',
      'FAILED: deploying mlops-test-models version 7 at SystemTest/SystemTest',
      [
        'failed at stage SystemTest, action SystemTest while deploying version 7 of mlops-test-models.',
        'Stage SystemTest, action SystemTest (StepFunctions) failed at 2020-01-24 22:19:00 UTC [JobFailed]:\n    Execution failed: SystemTestBreach: r2 0.41 is below the threshold 0.6\n    Details: https://us-east-1.console.aws.amazon.com/states/',
        'The system test of the staging endpoint failed',
        `aws sagemaker update-model-package --model-package-arn ${VERSION_ARN} --model-approval-status Rejected`,
        `aws codepipeline retry-stage-execution --pipeline-name mlops-test-deployment --stage-name SystemTest --pipeline-execution-id ${EXECUTION_ID} --retry-mode FAILED_ACTIONS --region us-west-2`,
        'SystemTest/SystemTest: https://us-east-1.console.aws.amazon.com/states/',
      ],
    ],
    [
      'the resolve action failed (no approved version)',
      failedActions('ResolveModel', 'LatestApprovedVersion', {
        output: { executionResult: { errorDetails: { code: 'JobFailed', message: "Model package group 'mlops-test-models' has no Approved version, so there is nothing to deploy." } } },
      }),
      'deployment-failed',
      'FAILED: deployment pipeline mlops-test-deployment at ResolveModel/LatestApprovedVersion',
      [
        'while deploying the model version it resolved.',
        'Model version: unknown (no action of the execution exported it)',
        "Stage ResolveModel, action LatestApprovedVersion (Lambda) failed at 2020-01-24 22:03:00 UTC [JobFailed]:\n    Model package group 'mlops-test-models' has no Approved version",
        "The action's message above says what was wrong and what to do; its function's logs are linked below.",
        'ResolveModel/LatestApprovedVersion, its function\'s logs: https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fmlops-test-DeployResolveModel',
      ],
    ],
    [
      'the production deployment failed',
      failedActions('Production', 'DeployProductionEndpoint', {
        input: { actionTypeId: { category: 'Deploy', owner: 'AWS', provider: 'CloudFormation', version: '1' }, configuration: { StackName: 'mlops-test-endpoint-production' } },
        output: { executionResult: { errorDetails: { code: 'JobFailed', message: 'Stack mlops-test-endpoint-production in UPDATE_ROLLBACK_COMPLETE' } } },
      }),
      'deployment-failed',
      'FAILED: deploying mlops-test-models version 7 at Production/DeployProductionEndpoint',
      ['CloudFormation could not deploy stack mlops-test-endpoint-production', 'Stack mlops-test-endpoint-production in UPDATE_ROLLBACK_COMPLETE', '--stage-name Production'],
    ],
    [
      'the reviewer rejected the promotion',
      failedActions('Approval', 'ApproveProduction', { updatedBy: REVIEWER, output: { executionResult: { externalExecutionSummary: 'p95 too close to the limit' } } }),
      'deployment-rejected',
      'REJECTED: mlops-test-models version 7 not promoted to production',
      [
        `Promotion to production was rejected at Approval/ApproveProduction by ${REVIEWER}: version 7 of mlops-test-models stays on the staging endpoint only, and production keeps its current model.`,
        `Approval:      rejected by ${REVIEWER} at 2020-01-24 22:39:00 UTC: "p95 too close to the limit"`,
        `System test:   ${TEST_SUMMARY}`,
        'If the rejection was a mistake, start a new execution and approve it this time:\n      aws codepipeline start-pipeline-execution --name mlops-test-deployment --region us-west-2',
      ],
    ],
  ])('GIVEN %s', async (_what, actions, kind, subject, lines) => {
    codePipeline.on(GetPipelineExecutionCommand).resolves(pipelineExecution('Failed'));
    codePipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: actions });

    const result = await handler(deploymentEvent('FAILED'), context);

    expect(result).toMatchObject({ status: 'published', kind, subject });
    expect(published()[0].MessageAttributes).toEqual({ kind: { DataType: 'String', StringValue: kind } });
    for (const line of lines) expect(message()).toContain(line);
    if (kind === 'deployment-rejected') expect(message()).not.toContain('retry-stage-execution');
  });

  test('GIVEN CodePipeline lists no failed action THEN the execution\'s own summary is the reason', async () => {
    codePipeline.on(GetPipelineExecutionCommand).resolves(pipelineExecution('Failed', { statusSummary: 'The pipeline structure changed during the execution' }));
    codePipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: succeededActions().slice(5) });

    await handler(deploymentEvent('FAILED'), context);

    expect(published()[0].Subject).toBe('FAILED: deploying mlops-test-models version 7, execution 12345678-1234-5678-abcd-12345678abcd');
    expect(message()).toContain('CodePipeline lists no failed action; it says: "The pipeline structure changed during the execution"');
    expect(message()).toContain('Open the execution (link below): the failed action and its error are there.');
  });
});

test('GIVEN a STOPPED execution WHEN handled THEN the comment it was stopped with, and how to start again', async () => {
  codePipeline.on(GetPipelineExecutionCommand).resolves(pipelineExecution('Stopped'));
  codePipeline.on(ListActionExecutionsCommand).resolves({ actionExecutionDetails: succeededActions().slice(4) });

  const result = await handler(deploymentEvent('STOPPED'), context);

  expect(result).toMatchObject({ kind: 'deployment-stopped', subject: `Stopped: deployment pipeline mlops-test-deployment, execution ${EXECUTION_ID}` });
  expect(message()).toContain('was stopped before it finished, while deploying version 7 of mlops-test-models.');
  expect(message()).toContain('Why\n  It was stopped with the comment "Stopping the pipeline for an update".');
  expect(message()).toContain('aws codepipeline start-pipeline-execution --name mlops-test-deployment --region us-west-2');
});

test('GIVEN the same event twice WHEN handled THEN one message', async () => {
  const first = await handler(deploymentEvent('SUCCEEDED'), context);
  const second = await handler(deploymentEvent('SUCCEEDED'), context);

  expect(second).toEqual(first);
  expect(published()).toHaveLength(1);
});

test.each([
  ['GetPipelineExecution', GetPipelineExecutionCommand],
  ['ListActionExecutions', ListActionExecutionsCommand],
] as const)('GIVEN CodePipeline %s is throttled WHEN handled THEN the error propagates (Lambda retries), nothing is published or stored', async (operation, command) => {
  codePipeline.on(command as typeof GetPipelineExecutionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

  await expect(handler(deploymentEvent('FAILED'), context)).rejects.toMatchObject({
    name: 'ThrottlingException',
    message: expect.stringMatching(new RegExp(`^CodePipeline ${operation} failed \\(pipeline 'mlops-test-deployment', execution ${EXECUTION_ID}\\): ThrottlingException: Rate exceeded\\.`)),
  });
  expect(published()).toHaveLength(0);
  expect(table.items.size).toBe(0);
});

describe('notify rejects CodePipeline events it does not report, without any AWS call', () => {
  test.each<[string, unknown, RegExp]>([
    ["AWS's SUCCEEDED sample (another pipeline)", succeededSample, /^event is for CodePipeline pipeline 'myPipeline', not the deployment pipeline 'mlops-test-deployment'$/],
    ["AWS's FAILED sample (another pipeline)", failedSample, /pipeline 'myPipeline', not the deployment pipeline/],
    ['the deployment pipeline\'s name in another case', deploymentEvent('SUCCEEDED', 'MLOps-Test-Deployment'), /pipeline 'MLOps-Test-Deployment', not the deployment pipeline 'mlops-test-deployment'/],
    ['a STARTED execution', deploymentEvent('STARTED'), /^execution 12345678-.* of pipeline 'mlops-test-deployment' is STARTED; notify reports SUCCEEDED, FAILED, STOPPED executions only$/],
    ['a STOPPING execution', deploymentEvent('STOPPING'), /is STOPPING; notify reports/],
    ['a SUPERSEDED execution', deploymentEvent('SUPERSEDED'), /is SUPERSEDED; notify reports/],
    ["AWS's STARTED sample", startedSample, /pipeline 'myPipeline', not the deployment pipeline/],
    ['no execution id', variant(deploymentEvent('FAILED'), (e) => Reflect.deleteProperty(e.detail, 'execution-id')), /detail\.execution-id: Invalid input: expected string, received undefined/],
    ['an execution id that is not one', variant(deploymentEvent('FAILED'), (e) => (e.detail['execution-id'] = '../../etc')), /detail\.execution-id: not an execution id \(got "\.\.\/\.\.\/etc"\)/],
    ['a pipeline that is a number', variant(stoppingSample, (e) => Object.assign(e.detail, { pipeline: 7 })), /detail\.pipeline: Invalid input: expected string, received number \(got 7\)/],
    ['no state', variant(deploymentEvent('FAILED'), (e) => Reflect.deleteProperty(e.detail, 'state')), /detail\.state: Invalid input: expected string/],
    ['another source', variant(deploymentEvent('FAILED'), (e) => (e.source = 'aws.codebuild')), /source: Invalid input: expected "aws.codepipeline" \(got "aws.codebuild"\)/],
    ['a stage-level event', variant(deploymentEvent('FAILED'), (e) => (e['detail-type'] = 'CodePipeline Stage Execution State Change')), /detail-type: expected one of .*"CodePipeline Pipeline Execution State Change"/],
  ])('GIVEN %s', async (_what, event, reason) => {
    const result = await handler(event, context);

    expect(result).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(codePipeline.calls()).toHaveLength(0);
    expect(sns.calls()).toHaveLength(0);
    expect(table.dynamodb.calls()).toHaveLength(0);
  });
});

describe('decideNotify and formatNotification for the deployment pipeline (what local mode would print)', () => {
  const RULES = { trainingPipelineName: TRAINING_PIPELINE, inferencePipelineName: INFERENCE_PIPELINE, modelPackageGroupName: TRAINING_GROUP, etlJobName: 'MyJob' };
  const parse = (event: unknown) => NotifyEventSchema.parse(event);

  test('GIVEN no deployment pipeline is configured THEN every CodePipeline event is rejected, naming the variable', () => {
    expect(decideNotify(parse(deploymentEvent('FAILED')), RULES)).toEqual({
      status: 'rejected',
      reason:
        "event is for CodePipeline pipeline 'mlops-test-deployment', but notify knows no deployment pipeline " +
        '(DEPLOYMENT_PIPELINE_NAME is not set), so it reports no CodePipeline events',
    });
  });

  test('GIVEN the deployment pipeline THEN its execution is looked up', () => {
    expect(decideNotify(parse(deploymentEvent('STOPPED')), { ...RULES, deploymentPipelineName: DEPLOYMENT_PIPELINE })).toMatchObject({
      status: 'notify',
      lookup: { kind: 'deployment-execution', pipelineName: DEPLOYMENT_PIPELINE, executionId: EXECUTION_ID },
    });
  });

  test('GIVEN nothing was read THEN the message says so instead of failing', () => {
    const notification = formatNotification(parse(deploymentEvent('FAILED')));

    expect(notification.subject).toBe(`FAILED: deployment pipeline mlops-test-deployment, execution ${EXECUTION_ID}`);
    expect(notification.message).toContain("The failed action is not named here (the execution's actions were not read): the execution in the console shows it (link below).");
  });
});
