import { SYSTEM_TEST_ERRORS, SystemTestError } from './errors';

/**
 * The model metrics of `ml/evaluate.py` (`regression_metrics`, `classification_metrics`), computed the same way, down
 * to the order of floating-point operations of numpy 1.26 and scikit-learn 1.2.1 (the versions of the XGBoost 1.7-1
 * image): sums are numpy's pairwise sums, AUC is scikit-learn's trapezoidal area under its ROC curve (with
 * `drop_intermediate`), f1 is scikit-learn's `2 * P * R / (P + R)`. A parity test runs both on the same data.
 */

/** The regression metrics of evaluate.py. */
export interface RegressionMetrics {
  readonly mse: number;
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
}

/** The binary classification metrics of evaluate.py (at its class-1 probability cut-off). */
export interface ClassificationMetrics {
  readonly auc: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** The problem types the metrics serve, as in `ml/problem_types.json`. */
export type MetricProblemType = 'regression' | 'binary_classification';

/** evaluate.py's default class-1 probability cut-off. */
export const CLASSIFICATION_THRESHOLD = 0.5;

/** numpy's reduction buffer (`np.getbufsize()`): a long array is summed in chunks of this many elements. */
const NUMPY_BUFFER_SIZE = 8192;
/** numpy's pairwise summation block. */
const PAIRWISE_BLOCK = 128;

function undefinedMetric(reason: string): SystemTestError {
  return new SystemTestError(SYSTEM_TEST_ERRORS.metricUndefined, reason);
}

/** numpy's pairwise sum of `values[start..start+count)` (`pairwise_sum` in numpy's loops). */
function pairwiseSum(values: readonly number[], start: number, count: number): number {
  if (count < 8) {
    let sum = 0;
    for (let i = 0; i < count; i++) sum += values[start + i];
    return sum;
  }
  if (count <= PAIRWISE_BLOCK) {
    const r = values.slice(start, start + 8);
    let i = 8;
    for (; i < count - (count % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += values[start + i + j];
    }
    let sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < count; i++) sum += values[start + i];
    return sum;
  }
  let half = Math.floor(count / 2);
  half -= half % 8;
  return pairwiseSum(values, start, half) + pairwiseSum(values, start + half, count - half);
}

/** `np.sum` of a contiguous float64 array, bit for bit. */
export function numpySum(values: readonly number[]): number {
  let sum = 0;
  for (let start = 0; start < values.length; start += NUMPY_BUFFER_SIZE) {
    sum += pairwiseSum(values, start, Math.min(NUMPY_BUFFER_SIZE, values.length - start));
  }
  return sum;
}

/** `np.mean`. */
function numpyMean(values: readonly number[]): number {
  return numpySum(values) / values.length;
}

function checkPairs(labels: readonly number[], predictions: readonly number[]): void {
  if (labels.length !== predictions.length) {
    throw new Error(`${labels.length} labels but ${predictions.length} predictions: metrics need one prediction per label`);
  }
  if (labels.length === 0) {
    throw undefinedMetric('no held-out rows were scored, so no metric can be computed: check the plan\'s batches');
  }
}

/** evaluate.py's `regression_metrics`: mse, rmse, mae, and r2 (0 for a single row, as evaluate.py has it). */
export function regressionMetrics(labels: readonly number[], predictions: readonly number[]): RegressionMetrics {
  checkPairs(labels, predictions);
  const squaredErrors = labels.map((label, i) => (label - predictions[i]) * (label - predictions[i]));
  const mse = numpyMean(squaredErrors);
  const mae = numpyMean(labels.map((label, i) => Math.abs(predictions[i] - label)));
  return { mse, rmse: Math.sqrt(mse), mae, r2: labels.length > 1 ? r2Score(labels, squaredErrors) : 0 };
}

/** scikit-learn's `r2_score` (force_finite): 1 for a perfect fit, 0 when the labels are constant and the fit is not. */
function r2Score(labels: readonly number[], squaredErrors: readonly number[]): number {
  const numerator = numpySum(squaredErrors);
  const mean = numpyMean(labels);
  const denominator = numpySum(labels.map((label) => (label - mean) * (label - mean)));
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

/**
 * evaluate.py's `classification_metrics`: labels must be 0/1 and hold both classes (evaluate.py refuses the data for
 * every metric otherwise, and so does this); predictions are class-1 probabilities, cut at `threshold`.
 */
export function classificationMetrics(
  labels: readonly number[],
  probabilities: readonly number[],
  threshold = CLASSIFICATION_THRESHOLD,
): ClassificationMetrics {
  checkPairs(labels, probabilities);
  const classes = [...new Set(labels)].sort((a, b) => a - b);
  if (classes.some((value) => value !== 0 && value !== 1)) {
    throw undefinedMetric(
      `binary_classification labels must be 0/1, the held-out rows have ${JSON.stringify(classes.slice(0, 5))}` +
        `${classes.length > 5 ? ' and more' : ''}: test with the test split of a binary_classification training run`,
    );
  }
  if (classes.length < 2) {
    throw undefinedMetric(
      `the ${labels.length === 1 ? '1 held-out row holds' : `${labels.length} held-out rows hold`} only class ${classes[0]}: AUC needs both ` +
        'classes (evaluate.py refuses such data for every binary metric, and so does the system test); raise maxRows ' +
        'or test with a split that holds both classes',
    );
  }
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  let correct = 0;
  labels.forEach((label, i) => {
    const predicted = probabilities[i] >= threshold ? 1 : 0;
    if (predicted === label) correct++;
    if (predicted === 1 && label === 1) truePositives++;
    if (predicted === 1 && label === 0) falsePositives++;
    if (predicted === 0 && label === 1) falseNegatives++;
  });
  const predictedPositives = truePositives + falsePositives;
  const precision = predictedPositives === 0 ? 0 : truePositives / predictedPositives;
  const recall = truePositives / (truePositives + falseNegatives);
  const f1Denominator = precision + recall;
  return {
    auc: rocAuc(labels, probabilities),
    accuracy: correct / labels.length,
    precision,
    recall,
    f1: f1Denominator === 0 ? 0 : (2 * precision * recall) / f1Denominator,
  };
}

/**
 * scikit-learn's `roc_auc_score` for 0/1 labels with both classes: the ROC curve's points at each distinct score
 * (highest first), collinear points dropped (`drop_intermediate`), (0, 0) prepended, then `np.trapz`.
 */
function rocAuc(labels: readonly number[], scores: readonly number[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let fps: number[] = [];
  let tps: number[] = [];
  let positives = 0;
  order.forEach((row, rank) => {
    if (labels[row] === 1) positives++;
    const last = rank === order.length - 1;
    if (last || scores[order[rank + 1]] !== scores[row]) {
      tps.push(positives);
      fps.push(rank + 1 - positives);
    }
  });
  if (fps.length > 2) {
    const keep = fps.map(
      (_, i) =>
        i === 0 ||
        i === fps.length - 1 ||
        fps[i + 1] - fps[i] - (fps[i] - fps[i - 1]) !== 0 ||
        tps[i + 1] - tps[i] - (tps[i] - tps[i - 1]) !== 0,
    );
    fps = fps.filter((_, i) => keep[i]);
    tps = tps.filter((_, i) => keep[i]);
  }
  fps.unshift(0);
  tps.unshift(0);
  const fpr = fps.map((fp) => fp / fps[fps.length - 1]);
  const tpr = tps.map((tp) => tp / tps[tps.length - 1]);
  const areas = fpr.slice(1).map((x, i) => ((x - fpr[i]) * (tpr[i + 1] + tpr[i])) / 2);
  return numpySum(areas);
}

/** The metrics of each problem type, as evaluate.py reports them. */
export const METRIC_NAMES: { readonly [P in MetricProblemType]: readonly string[] } = {
  regression: ['mse', 'rmse', 'mae', 'r2'],
  binary_classification: ['auc', 'accuracy', 'precision', 'recall', 'f1'],
};

/** One metric of `problemType` on the rows; MetricUndefined when it cannot be computed, naming why. */
export function computeMetric(
  problemType: MetricProblemType,
  metric: string,
  labels: readonly number[],
  predictions: readonly number[],
): number {
  const metrics: Readonly<Record<string, number>> =
    problemType === 'regression' ? { ...regressionMetrics(labels, predictions) } : { ...classificationMetrics(labels, predictions) };
  const value = metrics[metric];
  if (value === undefined) {
    throw new Error(`'${metric}' is not a ${problemType} metric; use one of: ${METRIC_NAMES[problemType].join(', ')}`);
  }
  if (!Number.isFinite(value)) {
    throw undefinedMetric(`${metric} is ${value} on these ${labels.length} rows: the predictions or labels overflow`);
  }
  return value;
}
