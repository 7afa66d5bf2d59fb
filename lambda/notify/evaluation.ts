import { isProblemType, type MetricDirection, PROBLEM_TYPES } from '../../lib/sagemaker-pipelines/problem-types';

/**
 * The quality gate of a model version, its evaluation report (evaluation.json, as ml/evaluate.py writes it) and
 * the comparison of the two. Pure: the handler reads the file, these functions only interpret the text.
 */

/** Keys of the `CustomerMetadataProperties` the training pipeline's Register step writes (quality-gate.ts). */
export const GATE_METADATA_KEYS = {
  problemType: 'ProblemType',
  labelColumn: 'LabelColumn',
  metric: 'QualityMetric',
  direction: 'QualityMetricDirection',
  threshold: 'QualityThreshold',
} as const;

/** The quality gate a model version records (what it was held to when it was registered). */
export interface QualityGate {
  readonly problemType?: string;
  readonly labelColumn?: string;
  readonly metric?: string;
  readonly direction?: MetricDirection;
  readonly threshold?: number;
  /** What is missing or unreadable in the metadata, one phrase each. */
  readonly problems: readonly string[];
}

/** The gate recorded in `metadata` (a version's `CustomerMetadataProperties`). */
export function qualityGateOf(metadata: Readonly<Record<string, string>> | undefined): QualityGate {
  const problems: string[] = [];
  const read = (key: string): string | undefined => {
    const value = metadata?.[key]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const problemType = read(GATE_METADATA_KEYS.problemType);
  const labelColumn = read(GATE_METADATA_KEYS.labelColumn);
  const metric = read(GATE_METADATA_KEYS.metric);
  if (metric === undefined) {
    problems.push(`no ${GATE_METADATA_KEYS.metric} in the version's metadata`);
  }
  const directionText = read(GATE_METADATA_KEYS.direction);
  let direction: MetricDirection | undefined;
  if (directionText === 'Maximize' || directionText === 'Minimize') {
    direction = directionText;
  } else if (directionText !== undefined) {
    problems.push(`${GATE_METADATA_KEYS.direction} is ${JSON.stringify(directionText)}, not Maximize or Minimize`);
  } else if (metric !== undefined && isProblemType(problemType) && PROBLEM_TYPES[problemType].metrics[metric]) {
    // Versions registered before the direction was recorded: the problem type knows it.
    direction = PROBLEM_TYPES[problemType].metrics[metric];
  } else {
    problems.push(`no ${GATE_METADATA_KEYS.direction} in the version's metadata`);
  }
  const thresholdText = read(GATE_METADATA_KEYS.threshold);
  const threshold = thresholdText === undefined ? undefined : Number(thresholdText);
  if (thresholdText === undefined) {
    problems.push(`no ${GATE_METADATA_KEYS.threshold} in the version's metadata`);
  } else if (!Number.isFinite(threshold)) {
    problems.push(`${GATE_METADATA_KEYS.threshold} is ${JSON.stringify(thresholdText)}, not a number`);
  }
  return {
    problemType,
    labelColumn,
    metric,
    direction,
    threshold: threshold !== undefined && Number.isFinite(threshold) ? threshold : undefined,
    problems,
  };
}

/** One metric of the report. */
export interface ReportMetric {
  readonly name: string;
  readonly value: number;
  readonly standardDeviation?: number;
}

/** What evaluation.json says, as far as the message shows it. */
export interface EvaluationReport {
  /** The report's metrics object, e.g. `regression_metrics`. */
  readonly reportKey: string;
  /** Every entry with a numeric `value`, in the file's order. */
  readonly metrics: readonly ReportMetric[];
  /** Entries that are not a single value (e.g. `confusion_matrix`). */
  readonly otherEntries: readonly string[];
  /** What a model without features scores (`baseline`), when the report has it. */
  readonly baseline?: { readonly strategy?: string; readonly metrics: readonly ReportMetric[] };
}

/** Reads evaluation.json's text; an error says what is wrong with it. */
export function parseEvaluationReport(
  text: string,
  problemType: string | undefined,
): { readonly report: EvaluationReport } | { readonly error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { error: `it is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!isObject(json)) {
    return { error: `it holds ${Array.isArray(json) ? 'an array' : JSON.stringify(json)}, not a JSON object` };
  }
  const expectedKey = isProblemType(problemType) ? PROBLEM_TYPES[problemType].reportKey : undefined;
  const reportKey = expectedKey ?? Object.keys(json).find((key) => key.endsWith('_metrics') && isObject(json[key]));
  if (reportKey === undefined || !isObject(json[reportKey])) {
    const wanted = reportKey ?? expectedKey ?? '<problem type>_metrics';
    return {
      error:
        `it has no "${wanted}" object` +
        (expectedKey === undefined ? '' : ` (ml/evaluate.py writes one for problem type ${problemType})`) +
        `; its top-level keys: ${Object.keys(json).join(', ') || 'none'}`,
    };
  }
  const metrics: ReportMetric[] = [];
  const otherEntries: string[] = [];
  for (const [name, entry] of Object.entries(json[reportKey])) {
    const metric = metricOf(name, entry);
    if (metric === undefined) {
      otherEntries.push(name);
    } else {
      metrics.push(metric);
    }
  }
  const baselineJson = json.baseline;
  let baseline: EvaluationReport['baseline'];
  if (isObject(baselineJson) && isObject(baselineJson.metrics)) {
    baseline = {
      strategy: typeof baselineJson.strategy === 'string' ? baselineJson.strategy : undefined,
      metrics: Object.entries(baselineJson.metrics)
        .map(([name, value]) => metricOf(name, typeof value === 'number' ? { value } : value))
        .filter((metric): metric is ReportMetric => metric !== undefined),
    };
  }
  return { report: { reportKey, metrics, otherEntries, baseline } };
}

/** The outcome of holding a version's metric against its gate. */
export type GateCheck =
  | {
      readonly status: 'passed' | 'failed';
      readonly metric: string;
      readonly direction: MetricDirection;
      readonly value: number;
      readonly threshold: number;
      /** How far the value is from the threshold (never negative). */
      readonly margin: number;
    }
  | { readonly status: 'unknown'; readonly reason: string };

/**
 * Holds the gate metric of `report` against the recorded threshold: `>=` for metrics that are better higher, `<=`
 * for lower-is-better ones, as the pipeline's CheckQuality step does. `reportProblem` is why there is no report.
 */
export function checkQualityGate(
  gate: QualityGate,
  report: EvaluationReport | undefined,
  reportProblem: string | undefined,
): GateCheck {
  if (gate.metric === undefined || gate.direction === undefined || gate.threshold === undefined) {
    return { status: 'unknown', reason: `the gate is not fully recorded: ${gate.problems.join('; ')}` };
  }
  if (report === undefined) {
    return { status: 'unknown', reason: reportProblem ?? 'there is no evaluation report' };
  }
  const metric = report.metrics.find((entry) => entry.name === gate.metric);
  if (metric === undefined) {
    const present = report.metrics.map((entry) => entry.name).join(', ') || 'none';
    return {
      status: 'unknown',
      reason:
        `evaluation.json has no value for the gate metric ${gate.metric} under "${report.reportKey}" ` +
        `(it has: ${present})`,
    };
  }
  const passed = gate.direction === 'Maximize' ? metric.value >= gate.threshold : metric.value <= gate.threshold;
  return {
    status: passed ? 'passed' : 'failed',
    metric: gate.metric,
    direction: gate.direction,
    value: metric.value,
    threshold: gate.threshold,
    margin: Math.abs(metric.value - gate.threshold),
  };
}

/** `{"value": 0.71, "standard_deviation": 0.02}` → a metric; anything else → undefined. */
function metricOf(name: string, entry: unknown): ReportMetric | undefined {
  if (!isObject(entry) || typeof entry.value !== 'number' || !Number.isFinite(entry.value)) {
    return undefined;
  }
  const deviation = entry.standard_deviation;
  return typeof deviation === 'number' && Number.isFinite(deviation)
    ? { name, value: entry.value, standardDeviation: deviation }
    : { name, value: entry.value };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
