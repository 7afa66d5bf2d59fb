import problemTypesJson from '../../ml/problem_types.json';

/** Direction of a metric: Minimize means lower is better. */
export type MetricDirection = 'Minimize' | 'Maximize';

/** What the pipelines need to know about a problem type (from ml/problem_types.json). */
export interface ProblemTypeSpec {
  /** XGBoost `objective` hyperparameter. */
  readonly xgboostObjective: string;
  /** XGBoost `eval_metric` hyperparameter. */
  readonly evalMetric: string;
  /** Objective of the tuning job. */
  readonly tuningObjective: { readonly MetricName: string; readonly Type: MetricDirection };
  /** Regexes that pick metrics out of the training log. */
  readonly metricDefinitions: readonly { readonly Name: string; readonly Regex: string }[];
  /** Top-level key of evaluation.json. */
  readonly reportKey: string;
  /** Metrics in evaluation.json with their direction. */
  readonly metrics: { readonly [metric: string]: MetricDirection };
  /** Metric the quality gate compares when none is chosen. */
  readonly defaultGateMetric: string;
}

/** Problem types the ML scripts support: the keys of `ml/problem_types.json`, which the scripts read too. */
export type ProblemType = keyof typeof problemTypesJson;

/** Specs of the supported problem types, keyed by name. */
export const PROBLEM_TYPES: { readonly [K in ProblemType]: ProblemTypeSpec } = problemTypesJson as {
  readonly [K in ProblemType]: ProblemTypeSpec;
};

/** Names of the supported problem types. */
export const PROBLEM_TYPE_NAMES = Object.keys(PROBLEM_TYPES) as ProblemType[];

/** Whether `name` is a supported problem type. */
export function isProblemType(name: unknown): name is ProblemType {
  return typeof name === 'string' && (PROBLEM_TYPE_NAMES as string[]).includes(name);
}

/** The spec of `problemType`; throws naming the supported types if it is not one. */
export function problemTypeSpec(problemType: string): ProblemTypeSpec {
  if (!isProblemType(problemType)) {
    throw new Error(
      `Unknown problem type '${problemType}'. Use one of: ${PROBLEM_TYPE_NAMES.join(', ')} (see ml/problem_types.json).`,
    );
  }
  return PROBLEM_TYPES[problemType];
}

/** Whether higher or lower values of `metric` are better; throws naming the metrics of the problem type. */
export function metricDirection(problemType: string, metric: string): MetricDirection {
  const spec = problemTypeSpec(problemType);
  const direction = spec.metrics[metric];
  if (direction === undefined) {
    throw new Error(
      `'${metric}' is not a metric of problem type '${problemType}'; use one of: ${Object.keys(spec.metrics).join(', ')}.`,
    );
  }
  return direction;
}
