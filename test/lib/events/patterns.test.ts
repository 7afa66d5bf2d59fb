import * as fs from 'fs';
import * as path from 'path';
import { type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadStageConfig } from '../../../lib/config';
import {
  datasetUploadedPattern,
  deploymentEndedPattern,
  etlProblemPattern,
  etlSucceededPattern,
  modelApprovedPattern,
  modelPendingApprovalPattern,
  pipelineExecutionEndedPattern,
  trainingProblemPattern,
  type EventPatternJson,
} from '../../../lib/events/patterns';
import { MlPlatformStage } from '../../../lib/stages/ml-platform-stage';
import { matchesEventPattern } from '../../../local/events/event-pattern';
import { createTestApp } from '../../helpers/app';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Event = any;

const EVENTS_DIR = path.join(__dirname, '..', '..', 'fixtures', 'events');

/** AWS's published sample events (test/fixtures/events), by file path relative to that folder. */
function sampleEvents(): Map<string, Event> {
  const events = new Map<string, Event>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.json')) events.set(path.relative(EVENTS_DIR, file), JSON.parse(fs.readFileSync(file, 'utf8')));
    }
  };
  walk(EVENTS_DIR);
  return events;
}

const SAMPLES = sampleEvents();
const sample = (name: string): Event => structuredClone(SAMPLES.get(name));
const withDetail = (name: string, detail: Record<string, unknown>): Event => {
  const event = sample(name);
  Object.assign(event.detail, detail);
  return event;
};

/** Which events of `events` (the samples plus variants) a pattern matches, by name. */
function matching(pattern: EventPatternJson, variants: Record<string, Event>): string[] {
  const all = new Map<string, Event>([...SAMPLES, ...Object.entries(variants)]);
  return [...all].filter(([, event]) => matchesEventPattern(pattern, event)).map(([name]) => name).sort();
}

describe('rule patterns against AWS\'s published sample events', () => {
  test('datasetUploaded: an object created under raw/ in the raw bucket, nothing else', () => {
    const bucket = sample('aws.s3/object-created.json').detail.bucket.name;
    const uploaded = withDetail('aws.s3/object-created.json', { object: { ...sample('aws.s3/object-created.json').detail.object, key: 'raw/houses.csv' } });
    const otherBucket = structuredClone(uploaded);
    otherBucket.detail.bucket.name = 'another-bucket';
    // The published sample's key (example-key) is not under raw/: it must not start a run.
    expect(matching(datasetUploadedPattern(bucket), { uploaded, otherBucket })).toEqual(['uploaded']);
  });

  test('etlSucceeded: a SUCCEEDED run of the ETL job, nothing else', () => {
    const job = sample('aws.glue/glue-job-state-change-succeeded.json').detail.jobName;
    const otherJob = withDetail('aws.glue/glue-job-state-change-succeeded.json', { jobName: 'OtherJob' });
    expect(matching(etlSucceededPattern(job), { otherJob })).toEqual(['aws.glue/glue-job-state-change-succeeded.json']);
  });

  test('etlProblem: failed, timed-out and stopped runs, and runs past their notify delay', () => {
    const job = sample('aws.glue/glue-job-state-change-failed.json').detail.jobName;
    expect(matching(etlProblemPattern(job), { otherJob: withDetail('aws.glue/glue-job-state-change-failed.json', { jobName: 'OtherJob' }) })).toEqual([
      'aws.glue/glue-job-run-status-running.json',
      'aws.glue/glue-job-run-status-starting.json',
      'aws.glue/glue-job-run-status-stopping.json',
      'aws.glue/glue-job-state-change-failed.json',
      'aws.glue/glue-job-state-change-stopped.json',
      'aws.glue/glue-job-state-change-timeout.json',
    ]);
  });

  test('pipelineExecutionEnded: an execution of our pipelines that ended, not its steps', () => {
    const name = 'aws.sagemaker/sagemaker-model-building-pipeline-execution-status-change.json';
    const arn = sample(name).detail.pipelineArn;
    const failed = withDetail(name, { currentPipelineExecutionStatus: 'Failed' });
    const executing = withDetail(name, { currentPipelineExecutionStatus: 'Executing' });
    const otherPipeline = withDetail(name, { pipelineArn: `${arn}-other` });
    expect(matching(pipelineExecutionEndedPattern([arn]), { failed, executing, otherPipeline })).toEqual([name, 'failed']);
  });

  test('trainingProblem: failed or stopped training and tuning jobs that run as our role', () => {
    const training = 'aws.sagemaker/sagemaker-training-job-state-change.json';
    const tuning = 'aws.sagemaker/sagemaker-hyperparameter-tuning-job-state-change.json';
    const role = sample(training).detail.RoleArn;
    const failedTraining = withDetail(training, { TrainingJobStatus: 'Failed' });
    const stoppedTraining = withDetail(training, { TrainingJobStatus: 'Stopped' });
    const otherRole = withDetail(training, { TrainingJobStatus: 'Failed', RoleArn: `${role}-other` });
    const failedTuning = withDetail(tuning, {
      HyperParameterTuningJobStatus: 'Failed',
      TrainingJobDefinition: { ...sample(tuning).detail.TrainingJobDefinition, RoleArn: role },
    });
    // The published samples are a Completed training job and a tuning job of another role: neither matches.
    expect(matching(trainingProblemPattern(role), { failedTraining, stoppedTraining, otherRole, failedTuning })).toEqual([
      'failedTraining',
      'failedTuning',
      'stoppedTraining',
    ]);
  });

  test('modelPendingApproval: a new version of our group awaiting approval', () => {
    const name = 'aws.sagemaker/sagemaker-model-package-state-change.json';
    const group = sample(name).detail.ModelPackageGroupName;
    const pending = withDetail(name, { ModelApprovalStatus: 'PendingManualApproval' });
    const otherGroup = withDetail(name, { ModelApprovalStatus: 'PendingManualApproval', ModelPackageGroupName: 'other-group' });
    // The published sample is a Rejected version.
    expect(matching(modelPendingApprovalPattern(group), { pending, otherGroup })).toEqual(['pending']);
  });

  test('modelApproved: a version of our group that was approved, nothing else', () => {
    const name = 'aws.sagemaker/sagemaker-model-package-state-change.json';
    const group = sample(name).detail.ModelPackageGroupName;
    const approved = withDetail(name, { ModelApprovalStatus: 'Approved' });
    const otherGroup = withDetail(name, { ModelApprovalStatus: 'Approved', ModelPackageGroupName: 'other-group' });
    expect(matching(modelApprovedPattern(group), { approved, otherGroup })).toEqual(['approved']);
  });

  test('deploymentEnded: our deployment pipeline succeeded, failed or was stopped, not started or stopping', () => {
    const failed = 'aws.codepipeline/codepipeline-pipeline-execution-state-change-failed.json';
    const pipeline = sample(failed).detail.pipeline;
    const stopped = withDetail(failed, { state: 'STOPPED' });
    const other = withDetail(failed, { pipeline: 'other-pipeline' });
    expect(matching(deploymentEndedPattern(pipeline), { stopped, other })).toEqual([
      'aws.codepipeline/codepipeline-pipeline-execution-state-change-failed.json',
      'aws.codepipeline/codepipeline-pipeline-execution-state-change-succeeded.json',
      'stopped',
    ]);
  });
});

/** A template value with every intrinsic (a reference to a resource or another stack) replaced by `<ref>`. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shapeOf);
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) return '<ref>';
    return Object.fromEntries(keys.map((k) => [k, shapeOf((value as Record<string, unknown>)[k])]));
  }
  return value;
}

describe('the stage\'s rules use exactly these patterns', () => {
  test('every rule that targets a handler is one of the patterns above, with the stage\'s resources', () => {
    const app = createTestApp();
    const stage = new MlPlatformStage(app, 'dev', { config: loadStageConfig('dev') });
    const { training, etl, monitoring, data, deployment } = stage;
    /** The patterns of the rules whose target is a Lambda function (the monitoring library adds counting rules). */
    const handlerRules = (stack: Stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'))
        .filter((r) => (r.Properties.Targets ?? []).some((t: { Arn: unknown }) => JSON.stringify(t.Arn).includes('Function')))
        .map((r) => shapeOf(r.Properties.EventPattern));
    const expected = (stack: Stack, pattern: EventPatternJson) => shapeOf(stack.resolve(pattern));
    expect(handlerRules(etl)).toEqual([
      expected(etl, datasetUploadedPattern(data.shared.rawBucket.bucketName)),
      expected(etl, etlSucceededPattern(etl.etl.job.jobName)),
    ]);
    const pipelineArns = [training.trainingPipelineName, training.inferencePipelineName].map((n) => training.pipelineArn(n));
    expect(handlerRules(monitoring)).toEqual([
      expected(monitoring, pipelineExecutionEndedPattern(pipelineArns)),
      expected(monitoring, trainingProblemPattern(training.executionRole.roleArn)),
      expected(monitoring, etlProblemPattern(etl.etl.job.jobName)),
      expected(monitoring, modelPendingApprovalPattern(training.modelPackageGroupName)),
      expected(monitoring, deploymentEndedPattern('mlops-dev-model-deployment')),
    ]);
    // The deployment pipeline's trigger (its target is the pipeline).
    const triggers = Object.values(Template.fromStack(deployment).findResources('AWS::Events::Rule')).map((r) => shapeOf(r.Properties.EventPattern));
    expect(triggers).toEqual([expected(deployment, modelApprovedPattern(training.modelPackageGroupName))]);
  });
});
