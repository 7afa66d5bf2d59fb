import type { ExecutionRecord, StepRecord, TuningTrialRecord } from '../../../local/executor/types';

const T0 = Date.parse('2026-01-15T10:00:00.000Z');
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

function step(
  name: string,
  type: StepRecord['type'],
  startMs: number | undefined,
  endMs: number | undefined,
  processMs: number,
  extra: Partial<StepRecord> = {},
): StepRecord {
  const ran = startMs !== undefined && endMs !== undefined && extra.status !== 'Cached';
  return {
    name,
    type,
    status: 'Succeeded',
    startTime: startMs === undefined ? undefined : iso(startMs),
    endTime: endMs === undefined ? undefined : iso(endMs),
    durationMs: startMs === undefined || endMs === undefined ? undefined : endMs - startMs,
    processMs,
    attempts: ran
      ? [{ attempt: 1, startTime: iso(startMs), endTime: iso(endMs), status: 'Succeeded', processMs }]
      : [],
    logFiles: ran ? [`/tmp/work/executions/jobs/${name}/stdout.log`] : [],
    ...extra,
  };
}

function trial(index: number, startMs: number, endMs: number, rmse: number | undefined): TuningTrialRecord {
  return {
    index,
    trainingJobName: `Tune-abc123-${String(index).padStart(3, '0')}`,
    tunedHyperParameters: {
      eta: String(0.05 + index * 0.03),
      max_depth: String(3 + (index % 4)),
      min_child_weight: String(1 + index * 0.5),
      subsample: String(0.6 + index * 0.05),
    },
    status: rmse === undefined ? 'Failed' : 'Completed',
    objective: rmse === undefined ? undefined : { metricName: 'validation:rmse', value: rmse },
    metrics:
      rmse === undefined
        ? []
        : [
            { name: 'train:rmse', final: rmse * 0.8, values: [rmse * 2, rmse * 0.8] },
            { name: 'validation:rmse', final: rmse, values: [rmse * 2, rmse] },
          ],
    startTime: iso(startMs),
    endTime: iso(endMs),
    durationMs: endMs - startMs,
    failureReason: rmse === undefined ? 'AlgorithmError: training script exited with code 1' : undefined,
    logFile: `/tmp/work/executions/jobs/Tune/trial-${index}.log`,
  };
}

export interface FixtureOptions {
  /** Name of the preprocessing step (to test escaping). @default 'Preprocess' */
  readonly preprocessName?: string;
  /** Whether the quality gate passed. @default true */
  readonly gatePassed?: boolean;
}

/** A training-pipeline record as the local executor writes it: six trials on two lanes, one failed. */
export function trainingRecord(options: FixtureOptions = {}): ExecutionRecord {
  const pre = options.preprocessName ?? 'Preprocess';
  const passed = options.gatePassed ?? true;
  const trials = [
    trial(1, 2_200, 7_900, 182.4),
    trial(2, 2_250, 8_400, 171.2),
    trial(3, 7_950, 12_800, 165.9),
    trial(4, 8_450, 14_100, undefined),
    trial(5, 12_850, 18_000, 158.3),
    trial(6, 14_150, 19_900, 169.7),
  ];
  const steps: StepRecord[] = [
    step(pre, 'Processing', 100, 2_100, 1_900),
    step('Tune', 'Tuning', 2_150, 20_000, 33_300, {
      trials,
      properties: { BestTrainingJob: { TrainingJobName: trials[4].trainingJobName } },
    }),
    step('Evaluate', 'Processing', 20_050, 21_500, 1_350),
    step('CheckQuality', 'Condition', 21_520, 21_530, 0, { conditionOutcome: passed }),
    passed
      ? step('Register', 'RegisterModel', 21_540, 21_600, 0, { branch: { condition: 'CheckQuality', side: 'if' } })
      : step('Register', 'RegisterModel', undefined, undefined, 0, {
          status: 'NotExecuted',
          branch: { condition: 'CheckQuality', side: 'if' },
          notExecutedReason: 'CheckQuality evaluated false',
        }),
    passed
      ? step('QualityGateFailed', 'Fail', undefined, undefined, 0, {
          status: 'NotExecuted',
          branch: { condition: 'CheckQuality', side: 'else' },
          notExecutedReason: 'CheckQuality evaluated true',
        })
      : step('QualityGateFailed', 'Fail', 21_540, 21_545, 0, {
          status: 'Failed',
          branch: { condition: 'CheckQuality', side: 'else' },
          failureReason: 'r2 0.41 is below the threshold 0.7 <b>not bold</b>',
        }),
  ];
  return {
    formatVersion: 1,
    pipelineName: 'local-training',
    pipelineArn: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/local-training',
    executionId: 'exec-0001',
    executionArn: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/local-training/execution/exec-0001',
    status: passed ? 'Succeeded' : 'Failed',
    startTime: iso(0),
    endTime: iso(21_700),
    durationMs: 21_700,
    processMs: steps.reduce((sum, s) => sum + s.processMs, 0),
    parameters: { InputDataUri: 's3://local-raw/raw/input/', QualityThreshold: 0.7 },
    seed: 42,
    ...(passed ? {} : { failureReason: 'r2 0.41 is below the threshold 0.7 <b>not bold</b>', failedStep: 'QualityGateFailed' }),
    steps,
    graph: {
      nodes: steps.map((s) => ({ name: s.name, type: s.type, ...(s.branch ? { branch: s.branch } : {}) })),
      edges: [
        { from: pre, to: 'Tune', kind: 'data' },
        { from: pre, to: 'Evaluate', kind: 'data' },
        { from: 'Tune', to: 'Evaluate', kind: 'data' },
        { from: 'Evaluate', to: 'CheckQuality', kind: 'data' },
        { from: 'CheckQuality', to: 'Register', kind: 'if' },
        { from: 'CheckQuality', to: 'QualityGateFailed', kind: 'else' },
        { from: 'Tune', to: 'Register', kind: 'data' },
        { from: 'Evaluate', to: 'Register', kind: 'data' },
      ],
    },
    executionDir: '/tmp/work/executions/local-training/exec-0001',
  };
}

/** An inference-pipeline record whose model step was reused from the cache. */
export function inferenceRecord(): ExecutionRecord {
  const start = 30_000;
  const steps: StepRecord[] = [
    step('CreateModel', 'Model', start + 50, start + 50, 0, {
      status: 'Cached',
      cacheHit: {
        sourcePipelineName: 'local-inference',
        sourceExecutionId: 'exec-0000',
        sourceExecutionArn: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/local-inference/execution/exec-0000',
        sourceEndTime: iso(-60_000),
        cacheKey: 'abc',
      },
    }),
    step('BatchTransform', 'Transform', start + 100, start + 2_600, 2_300),
  ];
  return {
    formatVersion: 1,
    pipelineName: 'local-inference',
    pipelineArn: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/local-inference',
    executionId: 'exec-0002',
    executionArn: 'arn:aws:sagemaker:us-east-1:000000000000:pipeline/local-inference/execution/exec-0002',
    status: 'Succeeded',
    startTime: iso(start),
    endTime: iso(start + 2_700),
    durationMs: 2_700,
    processMs: 2_300,
    parameters: { ModelPackageArn: 'arn:aws:sagemaker:us-east-1:000000000000:model-package/local-models/1' },
    seed: 42,
    steps,
    graph: {
      nodes: steps.map((s) => ({ name: s.name, type: s.type })),
      edges: [{ from: 'CreateModel', to: 'BatchTransform', kind: 'data' }],
    },
    executionDir: '/tmp/work/executions/local-inference/exec-0002',
  };
}

export const EVALUATION_REPORT = {
  regression_metrics: {
    mse: { value: 25440.1, standard_deviation: 31000.2 },
    rmse: { value: 159.5, standard_deviation: 0 },
    mae: { value: 126.7, standard_deviation: 96.1 },
    r2: { value: 0.8123, standard_deviation: 0 },
  },
};
