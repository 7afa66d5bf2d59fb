/**
 * The output variables of the deployment pipeline's Lambda actions: the contract between the handlers, the pipeline
 * definition in lib/ (which references them as `#{<namespace>.<name>}`) and notify (which reads them back from
 * ListActionExecutions). This module imports nothing, so the CDK code can use it without bundling handler code.
 * Every value is a non-empty string (CodePipeline's rule, and CloudFormation parameter overrides need a value).
 */

/** What `deploy/resolve-model` exports about the model version the pipeline deploys. */
export const RESOLVE_MODEL_VARIABLES = {
  /** The version's ARN: the endpoint stacks' `ModelPackageArn` parameter. */
  modelPackageArn: 'ModelPackageArn',
  /** The model package group. */
  modelPackageGroupName: 'ModelPackageGroupName',
  /** The version number, e.g. `7`. */
  modelPackageVersion: 'ModelPackageVersion',
  /** The model artifact (`s3://.../model.tar.gz`) of its inference container. */
  modelDataUrl: 'ModelDataUrl',
  /** The image of its inference container. */
  modelImage: 'ModelImage',
  /** When it was registered (ISO 8601, UTC). */
  registeredAt: 'RegisteredAt',
  /** The quality gate it passed at registration (its metadata), or `not recorded`. */
  qualityMetric: 'QualityMetric',
  qualityMetricDirection: 'QualityMetricDirection',
  qualityThreshold: 'QualityThreshold',
  /** One line for people: `mlops-dev-models version 7, registered ..., gate r2 >= 0.6`. */
  modelSummary: 'ModelSummary',
  /** The held-out test set of the training execution that registered it (its `TestDataUri` metadata). */
  testDataUri: 'TestDataUri',
  /**
   * Its data-quality baseline (`ModelMetrics.ModelDataQuality`): Model Monitor's constraints.json and
   * statistics.json. Both are {@link NO_BASELINE} for a version without one (the endpoint stack then creates no
   * monitoring schedule).
   */
  baselineConstraintsUri: 'BaselineConstraintsUri',
  baselineStatisticsUri: 'BaselineStatisticsUri',
} as const;

/** What `deploy/test-report` exports about the system test of the staging endpoint. */
export const TEST_REPORT_VARIABLES = {
  /** The metric the system test held against its threshold, e.g. `r2`. */
  metricName: 'MetricName',
  metricValue: 'MetricValue',
  metricThreshold: 'MetricThreshold',
  /** `Maximize` (higher is better) or `Minimize`. */
  metricDirection: 'MetricDirection',
  /** The 95th percentile of the endpoint's latency, in milliseconds. */
  p95LatencyMs: 'P95LatencyMs',
  /** The largest p95 latency the system test allows, in milliseconds. */
  maxP95LatencyMs: 'MaxP95LatencyMs',
  /** Held-out rows sent to the endpoint, and in how many requests. */
  rows: 'Rows',
  requests: 'Requests',
  /** One line for the approval message: `r2 0.8123 (>= 0.6) and p95 41 ms (<= 200 ms) on 1000 held-out rows`. */
  summary: 'Summary',
} as const;

/**
 * The baseline URIs of a version without a data-quality baseline: the endpoint template's default, for which it
 * creates no monitoring schedule (an explicit word rather than an empty value, which parameter overrides may drop).
 */
export const NO_BASELINE = 'none';

/** The text of a value that is not recorded (the other variables are never empty). */
export const NOT_RECORDED = 'not recorded';
