import glueFailed from '../../fixtures/events/aws.glue/glue-job-state-change-failed.json';
import glueRunning from '../../fixtures/events/aws.glue/glue-job-run-status-running.json';
import {
  decideApprovalRequest,
  decideNotify,
  formatNotification,
  type NotificationDetails,
  parseS3Uri,
} from '../../../lambda/notify/decide';
import { checkQualityGate, parseEvaluationReport, qualityGateOf } from '../../../lambda/notify/evaluation';
import { NotifyEventSchema } from '../../../lambda/notify/event';
import { formatDuration, formatNumber, formatTime, parseTime, subjectLine } from '../../../lambda/notify/format';
import * as links from '../../../lambda/notify/links';
import { variant } from '../helpers';
import {
  CONTROL_CHARACTERS,
  describedPackage,
  EVALUATION_URI,
  GROUP,
  INFERENCE_PIPELINE,
  PACKAGE_ARN,
  packageEvent,
  pipelineEvent,
  R2_GATE,
  REGRESSION_REPORT,
  TRAINING_PIPELINE,
  trainingJobEvent,
  tuningJobEvent,
} from './events';

const RULES = {
  trainingPipelineName: TRAINING_PIPELINE,
  inferencePipelineName: INFERENCE_PIPELINE,
  modelPackageGroupName: GROUP,
  etlJobName: 'MyJob',
};
const parse = (event: unknown) => NotifyEventSchema.parse(event);

describe('decideNotify', () => {
  test.each([
    ['a failed execution: read its steps', pipelineEvent('Failed'), { kind: 'pipeline-steps', pipelineExecutionArn: pipelineEvent('Failed').detail.pipelineExecutionArn }],
    ['a stopped execution: nothing to read', pipelineEvent('Stopped'), { kind: 'none' }],
    ['a version awaiting approval: describe it', packageEvent(), { kind: 'model-package', modelPackageArn: PACKAGE_ARN }],
    ['a failed ETL run: nothing to read', glueFailed, { kind: 'none' }],
  ])('GIVEN %s', (_what, event, lookup) => {
    expect(decideNotify(parse(event), RULES)).toEqual({ status: 'notify', eventId: event.id, event: parse(event), lookup });
  });

  test('GIVEN an execution of the training pipeline whose ARN carries its name in lower case THEN it is ours', () => {
    expect(decideNotify(parse(pipelineEvent('Failed')), { ...RULES, trainingPipelineName: 'MLOps-Test-Training' })).toMatchObject({ status: 'notify' });
  });
});

describe('decideApprovalRequest', () => {
  test.each([
    ['still pending', 'PendingManualApproval', undefined],
    ['of unknown status (a local registry record without it)', undefined, undefined],
    ['rejected meanwhile', 'Rejected', { status: 'rejected', reason: `model version ${PACKAGE_ARN} is Rejected by now (the event said PendingManualApproval): nothing awaits approval` }],
  ])('GIVEN a version %s', (_what, status, expected) => {
    expect(decideApprovalRequest(PACKAGE_ARN, { ModelApprovalStatus: status })).toEqual(expected);
  });
});

describe('formatNotification (what local mode prints)', () => {
  test('GIVEN a failed execution whose steps were not read THEN the message says so instead of failing', () => {
    const notification = formatNotification(parse(pipelineEvent('Failed')));

    expect(notification.kind).toBe('pipeline-failed');
    expect(notification.subject).toBe('FAILED: training pipeline mlops-test-training, execution p4jn9xou8a8s');
    expect(notification.message).toContain("The execution's steps were not read, so the failed step is not named here.");
  });

  test('GIVEN a version that was not described THEN the gate is unknown and the commands are still there', () => {
    const notification = formatNotification(parse(packageEvent()));

    expect(notification.subject).toBe('Approval needed: mlops-test-models version 2 (gate result unknown)');
    expect(notification.message).toContain('Whether it passes its quality gate is unknown: the gate is not fully recorded');
    expect(notification.message).toContain(`--model-package-arn ${PACKAGE_ARN} --model-approval-status Approved --region us-east-2`);
  });

  test('GIVEN a Studio domain THEN the links go straight to the execution and to the model versions', () => {
    const options = { studioDomainId: 'd-abc123def456', ...RULES };
    const failed = formatNotification(parse(pipelineEvent('Failed')), { steps: [] }, options);
    const approval = formatNotification(
      parse(packageEvent()),
      { modelPackage: describedPackage(), evaluation: { status: 'read', uri: EVALUATION_URI, text: JSON.stringify(REGRESSION_REPORT) } },
      options,
    );

    expect(failed.message).toContain(
      'Execution in SageMaker Studio: https://studio-d-abc123def456.studio.us-east-1.sagemaker.aws/pipelines/view/mlops-test-training/executions/p4jn9xou8a8s/graph',
    );
    expect(approval.message).toContain(
      'Model versions in SageMaker Studio: https://studio-d-abc123def456.studio.us-east-2.sagemaker.aws/models/registered-models/mlops-test-models/versions',
    );
    expect(approval.message).toContain(
      'The execution that registered it: https://studio-d-abc123def456.studio.us-east-2.sagemaker.aws/pipelines/view/mlops-test-training/executions/4r83jejmhorv/graph',
    );
  });

  test('GIVEN a binary classification version THEN the confusion matrix is named, not printed as a metric', () => {
    const report = {
      binary_classification_metrics: {
        auc: { value: 0.91 },
        accuracy: { value: 0.85, standard_deviation: 0.36 },
        confusion_matrix: { '0': { '0': 40, '1': 5 }, '1': { '0': 10, '1': 45 } },
      },
      baseline: { strategy: 'predict the majority class (1)', metrics: { auc: 0.5, accuracy: 0.55 } },
    };
    const gate = { ProblemType: 'binary_classification', LabelColumn: 'churned', QualityMetric: 'auc', QualityMetricDirection: 'Maximize', QualityThreshold: '0.8' };
    const notification = formatNotification(parse(packageEvent()), {
      modelPackage: describedPackage(gate),
      evaluation: { status: 'read', uri: EVALUATION_URI, text: JSON.stringify(report) },
    });

    expect(notification.subject).toBe('Approval needed: mlops-test-models version 2 (auc 0.91 >= 0.8)');
    expect(notification.message).toContain('  auc       0.91\n  accuracy  0.85 (standard deviation 0.36)\n  also in the file: confusion_matrix');
    expect(notification.message).toContain('Baseline (predict the majority class (1)): auc 0.5, accuracy 0.55');
    expect(notification.message).toContain('Problem type:  binary_classification (label column churned)');
  });

  test.each<[string, NotificationDetails['evaluation'], string]>([
    ['an evaluation report larger than 1 MiB', { status: 'too-large', uri: EVALUATION_URI, bytes: 5_000_000 }, `its evaluation report ${EVALUATION_URI} has 5000000 bytes, too large to be an evaluation.json`],
    ['an evaluation report that is not in S3', { status: 'not-s3', uri: 'file:///tmp/evaluation.json' }, 'its evaluation report "file:///tmp/evaluation.json" is not an s3:// URI'],
    ['an evaluation report that is a JSON array', { status: 'read', uri: EVALUATION_URI, text: '[1, 2]' }, 'cannot be read: it holds an array, not a JSON object'],
  ])('GIVEN %s THEN the message says so', (_what, evaluation, says) => {
    const notification = formatNotification(parse(packageEvent()), { modelPackage: describedPackage(), evaluation });

    expect(notification.message).toContain(says);
    expect(notification.subject).toBe('Approval needed: mlops-test-models version 2 (gate result unknown)');
  });

  describe('subjects stay within SNS\'s limit (under 100 characters, one line) whatever the names', () => {
    const long = 'x'.repeat(250);
    const reason = `Quality gate failed:\nr2 = 0.41\r\nis below ${'the threshold '.repeat(20)}`;
    test.each<[string, unknown, NotificationDetails]>([
      ['a pipeline with a long name', pipelineEvent('Failed', `p${long}`.slice(0, 256)), { steps: [] }],
      ['a quality gate message with line breaks', pipelineEvent('Failed'), { steps: [{ StepName: 'QualityGateFailed', StepStatus: 'Failed', Metadata: { Fail: { ErrorMessage: reason } } }] }],
      ['many failed steps', pipelineEvent('Failed'), { steps: Array.from({ length: 30 }, (_, i) => ({ StepName: `Step${i}`, StepStatus: 'Failed' })) }],
      ['a long training job name', trainingJobEvent('Failed', { TrainingJobName: long }), {}],
      ['a long tuning job name', tuningJobEvent('Failed', { HyperParameterTuningJobName: long }), {}],
      ['a long Glue job name', variant(glueFailed, (e) => (e.detail.jobName = long)), {}],
      ['a long Glue job name, late', variant(glueRunning, (e) => (e.detail.jobName = long)), {}],
      ['a long group name', packageEvent('PendingManualApproval', (e) => (e.detail.ModelPackageGroupName = long)), {}],
    ])('GIVEN %s', (_what, event, details) => {
      const { subject } = formatNotification(parse(event), details, RULES);

      expect(subject.length).toBeLessThan(100);
      expect(subject).not.toMatch(CONTROL_CHARACTERS);
      expect(subject).toMatch(/^[A-Z]/);
    });
  });
});

describe('links', () => {
  test('console deep links are built from the region alone', () => {
    expect(links.trainingJobUrl('eu-west-1', 'job-1')).toBe('https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/job-1');
    expect(links.tuningJobUrl('eu-west-1', 'tune-1')).toBe('https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/hyper-tuning-jobs/tune-1');
    expect(links.processingJobUrl('eu-west-1', 'p-1')).toBe('https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/processing-jobs/p-1');
    expect(links.transformJobUrl('eu-west-1', 't-1')).toBe('https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/transform-jobs/t-1');
    expect(links.studioLandingUrl('eu-west-1')).toBe('https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/studio-landing');
    expect(links.glueJobRunUrl('eu-west-1', 'etl job/1', 'jr_1')).toBe('https://eu-west-1.console.aws.amazon.com/gluestudio/home?region=eu-west-1#/job/etl%20job%2F1/run/jr_1');
    expect(links.sageMakerJobLogsUrl('eu-west-1', 'TrainingJobs', 'job-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3Djob-1',
    );
  });

  test('Studio links need the domain id', () => {
    expect(links.studioPipelineExecutionUrl('eu-west-1', 'd-1', 'mlops-dev-training', 'abc')).toBe(
      'https://studio-d-1.studio.eu-west-1.sagemaker.aws/pipelines/view/mlops-dev-training/executions/abc/graph',
    );
    expect(links.studioModelVersionsUrl('eu-west-1', 'd-1', 'mlops-dev-models')).toBe(
      'https://studio-d-1.studio.eu-west-1.sagemaker.aws/models/registered-models/mlops-dev-models/versions',
    );
  });
});

describe('evaluation', () => {
  test('GIVEN a version registered before the direction was recorded THEN the problem type gives it', () => {
    const { QualityMetricDirection: _dropped, ...withoutDirection } = R2_GATE;
    expect(qualityGateOf(withoutDirection)).toEqual({ problemType: 'regression', labelColumn: 'price', metric: 'r2', direction: 'Maximize', threshold: 0.6, problems: [] });
  });

  test.each([
    ['no metadata at all', undefined, ['no QualityMetric in the version\'s metadata', 'no QualityMetricDirection in the version\'s metadata', 'no QualityThreshold in the version\'s metadata']],
    ['a misspelt direction', { ...R2_GATE, QualityMetricDirection: 'Maximise' }, ['QualityMetricDirection is "Maximise", not Maximize or Minimize']],
    ['a threshold that is not a number', { ...R2_GATE, QualityThreshold: 'high' }, ['QualityThreshold is "high", not a number']],
  ])('GIVEN %s THEN each problem is named', (_what, metadata, problems) => {
    expect(qualityGateOf(metadata).problems).toEqual(problems);
  });

  test('GIVEN a report of an unknown problem type THEN its *_metrics object is used', () => {
    const parsed = parseEvaluationReport(JSON.stringify({ multiclass_classification_metrics: { accuracy: { value: 0.8 } } }), undefined);
    expect(parsed).toEqual({ report: { reportKey: 'multiclass_classification_metrics', metrics: [{ name: 'accuracy', value: 0.8 }], otherEntries: [], baseline: undefined } });
  });

  test('GIVEN the metric equals the threshold THEN the gate passes (the pipeline compares with >= and <=)', () => {
    const gate = qualityGateOf({ ...R2_GATE, QualityThreshold: '0.71' });
    const parsed = parseEvaluationReport(JSON.stringify(REGRESSION_REPORT), 'regression');
    expect('report' in parsed && checkQualityGate(gate, parsed.report, undefined)).toEqual({
      status: 'passed', metric: 'r2', direction: 'Maximize', value: 0.71, threshold: 0.71, margin: 0,
    });
  });
});

describe('format', () => {
  test.each([
    ['ISO-8601', '2021-03-15T16:10:11Z', '2021-03-15 16:10:11 UTC'],
    ['epoch milliseconds as text (SageMaker job events)', '1583831889050', '2020-03-10 09:18:09 UTC'],
    ['epoch seconds as a number', 1583831889.05, '2020-03-10 09:18:09 UTC'],
    ['a Date (the SDK)', new Date('2021-02-24T17:00:14.123Z'), '2021-02-24 17:00:14 UTC'],
    ['text that is no time', 'yesterday', undefined],
    ['nothing', undefined, undefined],
  ])('formatTime of %s', (_what, value, expected) => {
    expect(formatTime(value)).toBe(expected);
    expect(parseTime(value) === undefined).toBe(expected === undefined);
  });

  test.each([
    [0, '0 s'], [45_400, '45 s'], [417_000, '6 min 57 s'], [120_000, '2 min'], [7_500_000, '2 h 5 min'], [-1, undefined],
  ])('formatDuration(%s) = %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  test.each([
    [0.71 - 0.6, '0.11'], [12345.6789, '12345.7'], [3, '3'], [0.000012345678, '0.0000123457'], [-0.5, '-0.5'],
  ])('formatNumber(%s) = %s', (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });

  test('subjectLine flattens line breaks and cuts at 99 characters with "..."', () => {
    expect(subjectLine('a\nb\t c\u0000d')).toBe('a b c d');
    const cut = subjectLine('y'.repeat(150));
    expect(cut).toHaveLength(99);
    expect(cut.endsWith('...')).toBe(true);
  });

  test('parseS3Uri', () => {
    expect(parseS3Uri('s3://mlops-test-artifacts/a/b/evaluation.json')).toEqual({ bucket: 'mlops-test-artifacts', key: 'a/b/evaluation.json' });
    expect(parseS3Uri('https://example.com/evaluation.json')).toBeUndefined();
    expect(parseS3Uri('s3://bucket-only')).toBeUndefined();
  });
});
