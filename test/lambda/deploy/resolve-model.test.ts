import './set-environment';
import { CodePipelineClient, PutJobFailureResultCommand, PutJobSuccessResultCommand } from '@aws-sdk/client-codepipeline';
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import objectCreated from '../../fixtures/events/aws.s3/object-created.json';
import { lambdaContext, variant } from '../helpers';
import { handler } from '../../../lambda/deploy/resolve-model';
import { awsError, JOB_ID, jobEvent, jobWithoutUserParameters, SAMPLE_JOB_EVENT, SECRETS } from './events';

const sageMaker = mockClient(SageMakerClient);
const codePipeline = mockClient(CodePipelineClient);
const context = lambdaContext('resolve-model');
const logged = [jest.spyOn(Logger.prototype, 'info'), jest.spyOn(Logger.prototype, 'warn'), jest.spyOn(Logger.prototype, 'error')];

const GROUP = 'mlops-test-models';
const ARN = `arn:aws:sagemaker:us-east-1:111111111111:model-package/${GROUP}/7`;
const MODEL_DATA = 's3://mlops-test-artifacts/pipelines/training/4r83jejmhorv/tune/best/output/model.tar.gz';
const IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
const PARAMETERS = { modelPackageGroupName: GROUP };
const EXECUTION = 's3://mlops-test-artifacts/pipelines/training/4r83jejmhorv';
const TEST_DATA = `${EXECUTION}/preprocess/test`;
const CONSTRAINTS = `${EXECUTION}/baseline/constraints.json`;
const STATISTICS = `${EXECUTION}/baseline/statistics.json`;

/** DescribeModelPackage's answer for version 7, as the training pipeline's Register step registers it. */
const described = (edit: (version: Record<string, unknown>) => void = () => undefined) =>
  variant(
    {
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: 7,
      ModelPackageArn: ARN,
      ModelPackageName: `${GROUP}/7`,
      CreationTime: new Date('2026-11-30T10:00:00.123Z'),
      ModelPackageStatus: 'Completed' as const,
      ModelPackageStatusDetails: { ValidationStatuses: [] },
      ModelApprovalStatus: 'Approved' as const,
      InferenceSpecification: {
        Containers: [{ Image: IMAGE, ModelDataUrl: MODEL_DATA }],
        SupportedContentTypes: ['text/csv'],
        SupportedResponseMIMETypes: ['text/csv'],
      },
      ModelMetrics: {
        ModelQuality: { Statistics: { ContentType: 'application/json', S3Uri: `${EXECUTION}/evaluation/evaluation.json` } },
        ModelDataQuality: {
          Statistics: { ContentType: 'application/json', S3Uri: STATISTICS },
          Constraints: { ContentType: 'application/json', S3Uri: CONSTRAINTS },
        },
      },
      CustomerMetadataProperties: {
        ProblemType: 'regression',
        LabelColumn: 'price',
        QualityMetric: 'r2',
        QualityMetricDirection: 'Maximize',
        QualityThreshold: '0.6',
        TestDataUri: TEST_DATA,
      },
    } as Record<string, unknown>,
    edit,
  );

const failures = () => codePipeline.commandCalls(PutJobFailureResultCommand).map((call) => call.args[0].input);
const successes = () => codePipeline.commandCalls(PutJobSuccessResultCommand).map((call) => call.args[0].input);

beforeEach(() => {
  sageMaker.reset();
  codePipeline.reset();
  logged.forEach((spy) => spy.mockClear());
  sageMaker.on(ListModelPackagesCommand).resolves({
    ModelPackageSummaryList: [
      { ModelPackageArn: ARN, ModelPackageGroupName: GROUP, ModelPackageVersion: 7, CreationTime: new Date(), ModelPackageStatus: 'Completed', ModelApprovalStatus: 'Approved' },
    ],
  });
  sageMaker.on(DescribeModelPackageCommand).resolves(described());
  sageMaker.on(DescribeModelPackageGroupCommand).resolves({ ModelPackageGroupName: GROUP });
  codePipeline.on(PutJobSuccessResultCommand).resolves({});
  codePipeline.on(PutJobFailureResultCommand).resolves({});
});

afterEach(() => {
  // CodePipeline sends temporary credentials in the job: they never reach a log line.
  const lines = JSON.stringify(logged.flatMap((spy) => spy.mock.calls));
  for (const secret of SECRETS) expect(lines).not.toContain(secret);
});

describe('resolve-model: the latest Approved version', () => {
  test('GIVEN a group with an Approved version WHEN the job runs THEN it ends in success with the version as output variables', async () => {
    const result = await handler(jobEvent(PARAMETERS), context);

    const outputVariables = {
      ModelPackageArn: ARN,
      ModelPackageGroupName: GROUP,
      ModelPackageVersion: '7',
      ModelDataUrl: MODEL_DATA,
      ModelImage: IMAGE,
      RegisteredAt: '2026-11-30T10:00:00Z',
      QualityMetric: 'r2',
      QualityMetricDirection: 'Maximize',
      QualityThreshold: '0.6',
      ModelSummary: 'mlops-test-models version 7, registered 2026-11-30T10:00:00Z, gate r2 >= 0.6',
      TestDataUri: TEST_DATA,
      BaselineConstraintsUri: CONSTRAINTS,
      BaselineStatisticsUri: STATISTICS,
    };
    const summary = 'Deploying mlops-test-models version 7, registered 2026-11-30T10:00:00Z, gate r2 >= 0.6';
    expect(result).toEqual({ status: 'succeeded', jobId: JOB_ID, outputVariables, summary });
    expect(sageMaker.commandCalls(ListModelPackagesCommand).map((call) => call.args[0].input)).toEqual([
      { ModelPackageGroupName: GROUP, ModelApprovalStatus: 'Approved', SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 1 },
    ]);
    expect(sageMaker.commandCalls(DescribeModelPackageCommand).map((call) => call.args[0].input)).toEqual([{ ModelPackageName: ARN }]);
    expect(sageMaker.commandCalls(DescribeModelPackageGroupCommand)).toHaveLength(0);
    expect(successes()).toEqual([{ jobId: JOB_ID, outputVariables, executionDetails: { summary, externalExecutionId: ARN } }]);
    expect(failures()).toHaveLength(0);
  });

  test('GIVEN a version without gate metadata THEN it still deploys, with "not recorded" in place of the gate', async () => {
    sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => (v.CustomerMetadataProperties = { TestDataUri: TEST_DATA })));

    const result = await handler(jobEvent(PARAMETERS), context);

    expect(result).toMatchObject({
      status: 'succeeded',
      outputVariables: { QualityMetric: 'not recorded', QualityMetricDirection: 'not recorded', QualityThreshold: 'not recorded', ModelSummary: expect.stringMatching(/, gate not recorded$/) },
    });
  });

  test.each([
    ['no data-quality baseline', (v: Record<string, unknown>) => Reflect.deleteProperty(v, 'ModelMetrics')],
    ['only half a baseline (no statistics)', (v: Record<string, unknown>) => Object.assign(v, { ModelMetrics: { ModelDataQuality: { Constraints: { ContentType: 'application/json', S3Uri: CONSTRAINTS } } } })],
  ])('GIVEN a version with %s THEN it deploys with both baseline URIs "none" (the endpoint stack then creates no monitoring schedule)', async (_what, edit) => {
    sageMaker.on(DescribeModelPackageCommand).resolves(described(edit));

    await handler(jobEvent(PARAMETERS), context);

    expect(successes()[0].outputVariables).toMatchObject({ BaselineConstraintsUri: 'none', BaselineStatisticsUri: 'none', TestDataUri: TEST_DATA });
  });

  test('GIVEN a container whose model data is a ModelDataSource THEN its S3 URI is the ModelDataUrl', async () => {
    sageMaker.on(DescribeModelPackageCommand).resolves(
      described((v) => Object.assign(v, { InferenceSpecification: { Containers: [{ Image: IMAGE, ModelDataSource: { S3DataSource: { S3Uri: MODEL_DATA, S3DataType: 'S3Object', CompressionType: 'Gzip' } } }] } })),
    );

    await expect(handler(jobEvent(PARAMETERS), context)).resolves.toMatchObject({ status: 'succeeded', outputVariables: { ModelDataUrl: MODEL_DATA } });
  });

  test('GIVEN the job is delivered again after it ended THEN CodePipeline refuses the second result and the handler leaves it at that', async () => {
    codePipeline.on(PutJobSuccessResultCommand).rejects(awsError('InvalidJobStateException', `Job ${JOB_ID} is in state Succeeded`));

    const result = await handler(jobEvent(PARAMETERS), context);

    expect(result).toEqual({ status: 'already-ended', jobId: JOB_ID, reason: expect.stringContaining('the job had already ended') });
    expect(failures()).toHaveLength(0);
  });
});

describe('resolve-model ends the job with a failure that names the problem', () => {
  test.each<[string, unknown, 'ConfigurationError', RegExp]>([
    ["AWS's sample (UserParameters is plain text)", SAMPLE_JOB_EVENT, 'ConfigurationError', /^UserParameters is not JSON \(.*\): got "some-input-such-as-a-URL"\. Set the Lambda action's UserParameters .* to JSON such as \{"modelPackageGroupName":"mlops-dev-models"\}\.$/],
    ['no UserParameters', jobWithoutUserParameters, 'ConfigurationError', /^The action has no UserParameters\. Set the Lambda action's UserParameters/],
    ['blank UserParameters', jobEvent('  '), 'ConfigurationError', /^The action has no UserParameters/],
    ['a JSON array', jobEvent([GROUP]), 'ConfigurationError', /^UserParameters must be a JSON object: got an array/],
    ['a JSON string', jobEvent(JSON.stringify(GROUP)), 'ConfigurationError', /^UserParameters must be a JSON object: got "mlops-test-models"/],
    ['no modelPackageGroupName', jobEvent({}), 'ConfigurationError', /modelPackageGroupName: Invalid input: expected string, received undefined \(got nothing\)/],
    ['a number as the group', jobEvent({ modelPackageGroupName: 42 }), 'ConfigurationError', /modelPackageGroupName: Invalid input: expected string, received number \(got 42\)/],
    ['a group name with a space', jobEvent({ modelPackageGroupName: 'my models' }), 'ConfigurationError', /modelPackageGroupName: not a model package group name .* \(got "my models"\)/],
    ['a misspelt key', jobEvent({ modelPackageGroupName: GROUP, modelPackageGroup: GROUP }), 'ConfigurationError', /Unrecognized key: "modelPackageGroup"/],
  ])('GIVEN %s WHEN the job runs THEN a ConfigurationError, and no registry call', async (_what, event, type, message) => {
    const result = await handler(event, context);

    expect(failures()).toEqual([{ jobId: JOB_ID, failureDetails: { type, message: expect.stringMatching(message) } }]);
    expect(result).toEqual({ status: 'failed', jobId: JOB_ID, failureType: type, message: failures()[0].failureDetails?.message });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(successes()).toHaveLength(0);
  });

  test('GIVEN a group with no Approved version THEN JobFailed, with the commands to approve one', async () => {
    sageMaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });

    await handler(jobEvent(PARAMETERS), context);

    expect(sageMaker.commandCalls(DescribeModelPackageGroupCommand).map((call) => call.args[0].input)).toEqual([{ ModelPackageGroupName: GROUP }]);
    expect(failures()).toEqual([
      {
        jobId: JOB_ID,
        failureDetails: {
          type: 'JobFailed',
          message:
            "Model package group 'mlops-test-models' has no Approved version, so there is nothing to deploy. Approve a version (approving one starts this pipeline): " +
            'list the pending ones with aws sagemaker list-model-packages --model-package-group-name mlops-test-models --model-approval-status PendingManualApproval --region us-east-1, ' +
            'then aws sagemaker update-model-package --model-package-arn <version ARN> --model-approval-status Approved --region us-east-1.',
        },
      },
    ]);
  });

  test.each([
    ['ListModelPackages', 'ValidationException'],
    ['DescribeModelPackageGroup', 'ValidationException'],
    ['DescribeModelPackageGroup', 'ResourceNotFound'],
  ])('GIVEN a group that does not exist (%s answers %s) THEN a ConfigurationError naming it, the account and the region', async (operation, name) => {
    const error = awsError(name, `ModelPackageGroup arn:aws:sagemaker:us-east-1:111111111111:model-package-group/${GROUP} does not exist.`);
    if (operation === 'ListModelPackages') sageMaker.on(ListModelPackagesCommand).rejects(error);
    else {
      sageMaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
      sageMaker.on(DescribeModelPackageGroupCommand).rejects(error);
    }

    await handler(jobEvent(PARAMETERS), context);

    expect(failures()[0].failureDetails).toEqual({
      type: 'ConfigurationError',
      message: expect.stringMatching(/^Model package group 'mlops-test-models' does not exist in account 111111111111, region us-east-1 \(SageMaker: ModelPackageGroup .* does not exist\.\)\. Check the modelPackageGroupName/),
    });
  });

  test.each<[string, string, () => void, RegExp]>([
    ['ListModelPackages is throttled', 'SystemUnavailable', () => sageMaker.on(ListModelPackagesCommand).rejects(awsError('ThrottlingException', 'Rate exceeded')), /^SageMaker ListModelPackages failed \(group 'mlops-test-models', Approved versions\): ThrottlingException: Rate exceeded\. .*retry the stage/],
    ['SageMaker has an internal error', 'SystemUnavailable', () => sageMaker.on(DescribeModelPackageCommand).rejects(awsError('InternalFailure', 'We encountered an internal error', 'server')), /^SageMaker DescribeModelPackage failed .*InternalFailure/],
    ['the role may not describe the version', 'PermissionError', () => sageMaker.on(DescribeModelPackageCommand).rejects(awsError('AccessDeniedException', `User: arn:aws:sts::111111111111:assumed-role/r/f is not authorized to perform: sagemaker:DescribeModelPackage on resource: ${ARN}`)), /^SageMaker DescribeModelPackage failed \(arn:.*\/7\): AccessDeniedException: .*grant it where the pipeline is defined/],
    ['DescribeModelPackageGroup is throttled', 'SystemUnavailable', () => { sageMaker.on(ListModelPackagesCommand).resolves({}); sageMaker.on(DescribeModelPackageGroupCommand).rejects(awsError('ThrottlingException', 'Rate exceeded')); }, /^SageMaker DescribeModelPackageGroup failed/],
    ['the version was rejected since it was listed', 'JobFailed', () => sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => (v.ModelApprovalStatus = 'Rejected'))), /^Version 7 of model package group 'mlops-test-models' \(arn:.*\) was the latest Approved version when listed, but is "Rejected" now/],
    ['a version still in progress', 'JobFailed', () => sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => (v.ModelPackageStatus = 'InProgress'))), /its ModelPackageStatus is InProgress, not Completed.*--model-approval-status Rejected/],
    ['a version without an inference container', 'JobFailed', () => sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => Reflect.deleteProperty(v, 'InferenceSpecification'))), /has no inference container \(InferenceSpecification\.Containers is empty\), so no endpoint can serve it/],
    ['a container without model data', 'JobFailed', () => sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => Object.assign(v, { InferenceSpecification: { Containers: [{ Image: IMAGE }] } }))), /has an inference container with no ModelDataUrl \(nor ModelDataSource\)/],
    ['a container without an image', 'JobFailed', () => sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => Object.assign(v, { InferenceSpecification: { Containers: [{ ModelDataUrl: MODEL_DATA }] } }))), /has an inference container with no Image, so/],
    ['a version without its TestDataUri', 'JobFailed', () => sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => Reflect.deleteProperty(v, 'CustomerMetadataProperties'))), /records no TestDataUri \(CustomerMetadataProperties\): the system test needs the held-out test set .*run the training pipeline again/],
    ['a TestDataUri that is not in S3', 'JobFailed', () => sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => Object.assign(v, { CustomerMetadataProperties: { TestDataUri: '/tmp/test.csv' } }))), /records the invalid "\/tmp\/test\.csv" as its TestDataUri/],
    ['an entry without a version number', 'JobFailed', () => { sageMaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [{ ModelPackageArn: 'arn:aws:sagemaker:us-east-1:111111111111:model-package/unversioned', CreationTime: new Date(), ModelPackageStatus: 'Completed', ModelPackageName: 'unversioned' }] }); sageMaker.on(DescribeModelPackageCommand).resolves(described((v) => Reflect.deleteProperty(v, 'ModelPackageVersion'))); }, /has no version number/],
  ])('GIVEN %s THEN the job fails with %s', async (_what, type, arrange, message) => {
    arrange();

    const result = await handler(jobEvent(PARAMETERS), context);

    expect(failures()).toEqual([{ jobId: JOB_ID, failureDetails: expect.objectContaining({ type, message: expect.stringMatching(message) }) }]);
    expect(result).toMatchObject({ status: 'failed', failureType: type });
    expect(successes()).toHaveLength(0);
  });

  test('GIVEN a job whose event has an id but no data THEN it is failed, and nothing else is called', async () => {
    const event = { 'CodePipeline.job': { id: JOB_ID } };

    await handler(event, context);

    expect(failures()).toEqual([
      { jobId: JOB_ID, failureDetails: { type: 'JobFailed', message: expect.stringMatching(/^Job 1111.*: the event CodePipeline sent is not a complete CodePipeline job event: CodePipeline\.job\.accountId: .*; CodePipeline\.job\.data: /) } },
    ]);
    expect(sageMaker.calls()).toHaveLength(0);
  });
});

describe('resolve-model rejects what is not a job, without any AWS call', () => {
  test.each<[string, unknown, RegExp]>([
    ['null', null, /^not a CodePipeline job event .*: \(event\): Invalid input: expected object, received null/],
    ['a string', 'CodePipeline.job', /\(event\): Invalid input: expected object, received string/],
    ['an EventBridge event', objectCreated, /CodePipeline\.job: Invalid input: expected object, received undefined \(got nothing\)/],
    ['a job without an id', variant(SAMPLE_JOB_EVENT, (e) => Reflect.deleteProperty(e['CodePipeline.job'], 'id')), /CodePipeline\.job\.id: Invalid input: expected string/],
    ['a job id that is not a UUID', variant(SAMPLE_JOB_EVENT, (e) => (e['CodePipeline.job'].id = 'job-1')), /CodePipeline\.job\.id: not a CodePipeline job id \(a lowercase UUID\) \(got "job-1"\)/],
    ['a job id that is a number', variant(SAMPLE_JOB_EVENT, (e) => Object.assign(e['CodePipeline.job'], { id: 7 })), /CodePipeline\.job\.id: .* \(got 7\)/],
  ])('GIVEN %s', async (_what, event, reason) => {
    const result = await handler(event, context);

    expect(result).toEqual({ status: 'rejected', reason: expect.stringMatching(reason) });
    expect(sageMaker.calls()).toHaveLength(0);
    expect(codePipeline.calls()).toHaveLength(0);
  });
});

describe('resolve-model when CodePipeline does not take the result', () => {
  test('GIVEN PutJobSuccessResult is throttled THEN the invocation fails (Lambda retries), and the retry ends the job', async () => {
    codePipeline.on(PutJobSuccessResultCommand).rejectsOnce(awsError('ThrottlingException', 'Rate exceeded')).resolves({});

    await expect(handler(jobEvent(PARAMETERS), context)).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: expect.stringMatching(new RegExp(`^CodePipeline PutJobSuccessResult failed \\(job ${JOB_ID}\\): ThrottlingException: Rate exceeded\\. The invocation fails so that Lambda retries`)),
    });
    await expect(handler(jobEvent(PARAMETERS), context)).resolves.toMatchObject({ status: 'succeeded' });
  });

  test('GIVEN PutJobFailureResult fails THEN the invocation fails naming the failure it could not report', async () => {
    sageMaker.on(ListModelPackagesCommand).resolves({});
    codePipeline.on(PutJobFailureResultCommand).rejects(awsError('ServiceUnavailableException', 'Service unavailable', 'server'));

    await expect(handler(jobEvent(PARAMETERS), context)).rejects.toThrow(
      /^CodePipeline PutJobFailureResult failed \(job .*, failure: Model package group 'mlops-test-models' has no Approved version.*\): ServiceUnavailableException/,
    );
  });

  test('GIVEN CodePipeline refuses the output variables for good THEN the job is failed saying so, not left to time out', async () => {
    codePipeline.on(PutJobSuccessResultCommand).rejects(awsError('OutputVariablesSizeExceededException', 'Exceeded the total size limit for all variables in the pipeline'));

    const result = await handler(jobEvent(PARAMETERS), context);

    expect(result).toMatchObject({ status: 'failed', failureType: 'JobFailed' });
    expect(failures()[0].failureDetails?.message).toMatch(
      /^CodePipeline refused the job's success result \(OutputVariablesSizeExceededException: Exceeded .*\); its output variables were: ModelPackageArn, /,
    );
    expect(failures()[0].failureDetails?.externalExecutionId).toBe(ARN);
  });
});
