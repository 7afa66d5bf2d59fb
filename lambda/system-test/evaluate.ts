import type { Context } from 'aws-lambda';
import { PROBLEM_TYPES } from '../../lib/sagemaker-pipelines/problem-types';
import { createLogger } from '../shared/logger';
import { latencyCause, metricCause } from './causes';
import { SYSTEM_TEST_ERRORS, SystemTestError } from './errors';
import { type EvaluateInput, EvaluateInputSchema, parseInput } from './events';
import { type LatencySummary, summarizeLatencies } from './latency';
import { computeMetric, METRIC_NAMES } from './metrics';
import { parseTestDataUri } from './s3-location';

const logger = createLogger('system-test-evaluate');

/** What the Choice state compares, and the Fail messages it uses. */
export interface SystemTestEvaluation {
  /** Rows scored (labels with a prediction). */
  readonly rows: number;
  /** InvokeEndpoint requests sent. */
  readonly requests: number;
  /** The model metric; it passes when `value >= threshold` (Maximize) or `value <= threshold` (Minimize). */
  readonly metric: {
    readonly name: string;
    readonly value: number;
    readonly threshold: number;
    readonly direction: 'Maximize' | 'Minimize';
  };
  /** Request latencies (nearest-rank percentiles); it passes when `p95Ms <= maxP95Ms`. */
  readonly latency: LatencySummary & { readonly maxP95Ms: number };
  /** Where each value lies against its bound, worded for the Fail states. */
  readonly causes: { readonly metric: string; readonly latency: string };
}

function invalid(message: string): SystemTestError {
  return new SystemTestError(SYSTEM_TEST_ERRORS.invalidInput, message);
}

/** Checks what zod cannot: the metric belongs to the problem type with that direction, each batch is consistent. */
function checkEvaluateInput(input: EvaluateInput): void {
  const metrics = METRIC_NAMES[input.problemType];
  if (!metrics.includes(input.metric)) {
    throw invalid(
      `metric ${JSON.stringify(input.metric)} is not a ${input.problemType} metric: use one of ${metrics.join(', ')} ` +
        "(the stage's qualityGate.metric)",
    );
  }
  const direction = PROBLEM_TYPES[input.problemType].metrics[input.metric];
  if (direction !== input.direction) {
    throw invalid(
      `direction ${input.direction} does not fit ${input.metric}, which is ${direction} in ml/problem_types.json: ` +
        `pass ${direction}`,
    );
  }
  const location = parseTestDataUri(input.testDataUri, { objectOnly: true });
  if (!location.ok) throw invalid(location.reason);
  input.batches.forEach((batch, index) => {
    const rows = batch.labels.length;
    if (batch.predictions.length !== rows) {
      throw invalid(
        `batch ${index} has ${rows} labels but ${batch.predictions.length} predictions: each batch result needs one ` +
          'prediction per label (pass the Map output unchanged)',
      );
    }
    const requests = batch.latenciesMs.length;
    if (rows === 0 ? requests !== 0 : requests < 1 || requests > rows) {
      throw invalid(
        `batch ${index} has ${rows} rows but ${requests} latencies: each request carries at least one row ` +
          '(pass the Map output unchanged)',
      );
    }
  });
}

/**
 * The last task of the system test: the model metric on every scored row, exactly as ml/evaluate.py computes it, and
 * the latency percentiles of the requests, with the Fail messages. The Choice state compares. Throws InvalidInput,
 * or MetricUndefined when the metric cannot be computed (no rows, one class, labels that are not 0/1).
 */
export async function handler(event: unknown, context: Context): Promise<SystemTestEvaluation> {
  logger.addContext(context);
  const input = parseInput(
    EvaluateInputSchema,
    event,
    'a system test evaluation input',
    'The state machine passes the Map output as batches, with the stage\'s problemType, metric, direction, threshold ' +
      'and maxP95LatencyMs.',
  );
  checkEvaluateInput(input);
  const labels = input.batches.flatMap((batch) => batch.labels);
  const predictions = input.batches.flatMap((batch) => batch.predictions);
  const latenciesMs = input.batches.flatMap((batch) => batch.latenciesMs);
  const value = computeMetric(input.problemType, input.metric, labels, predictions);
  const latency = summarizeLatencies(latenciesMs);

  const evaluation: SystemTestEvaluation = {
    rows: labels.length,
    requests: latenciesMs.length,
    metric: { name: input.metric, value, threshold: input.threshold, direction: input.direction },
    latency: { ...latency, maxP95Ms: input.maxP95LatencyMs },
    causes: {
      metric: metricCause({ ...input, value, rows: labels.length }),
      latency: latencyCause({ p95Ms: latency.p95Ms, maxP95Ms: input.maxP95LatencyMs, requests: latenciesMs.length }),
    },
  };
  logger.info('Evaluated the system test', { ...evaluation });
  return evaluation;
}
