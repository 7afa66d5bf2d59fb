/** What the report shows and how it reads execution records: its input types and the small computations on them. */
import { PROBLEM_TYPES, type MetricDirection } from '../../lib/sagemaker-pipelines/problem-types';
import type { ExecutionRecord, StepRecord, StepStatus, TuningTrialRecord } from '../executor/types';
import type { DeploymentSummary } from './deployment';

export type { MetricDirection };

/** The evaluation report and the quality gate it was judged by. */
export interface ReportEvaluation {
  /** Contents of `evaluation.json` (Model Registry format, e.g. `{"regression_metrics": {"r2": {"value": ..}}}`). */
  readonly report: Record<string, unknown>;
  /** The gate metric, e.g. `r2`. */
  readonly gateMetric: string;
  readonly threshold: number;
  /** Maximize: the metric must be >= threshold; Minimize: <= threshold. */
  readonly direction: MetricDirection;
  /** Where `evaluation.json` is. */
  readonly location?: string;
}

/** One prediction of the local endpoint next to the true value. */
export interface ReportPrediction {
  readonly format: string;
  readonly predicted: number;
  readonly actual?: number;
}

/** Things the report shows besides the execution records. */
export interface ReportExtras {
  /** @default 'Local pipeline run' */
  readonly title?: string;
  /** @default - now */
  readonly generatedAt?: Date;
  readonly evaluation?: ReportEvaluation;
  /** Direction of the tuning objective. @default - looked up by metric name in ml/problem_types.json */
  readonly objectiveDirection?: MetricDirection;
  readonly predictions?: readonly ReportPrediction[];
  /** Labelled paths of the run's artifacts. */
  readonly artifacts?: readonly { readonly label: string; readonly path: string }[];
  /** The staging endpoint, its system test, the promotion and production's data quality. */
  readonly deployment?: DeploymentSummary;
}

export const STATUS_LABEL: Record<StepStatus, string> = {
  Succeeded: 'succeeded',
  Failed: 'failed',
  Cached: 'cached',
  NotExecuted: 'not executed',
  Executing: 'executing',
};

export function statusClass(status: string): string {
  return `status-${status.toLowerCase()}`;
}

export function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const value = Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function stepKey(record: ExecutionRecord, step: string): string {
  return `${record.pipelineName}/${record.executionId}/${step}`;
}

/** Direction of a tuning objective metric according to ml/problem_types.json. */
export function objectiveDirectionOf(metricName: string): MetricDirection | undefined {
  for (const spec of Object.values(PROBLEM_TYPES)) {
    if (spec.tuningObjective.MetricName === metricName) return spec.tuningObjective.Type;
  }
  return undefined;
}

/** The best trial: the tuning step's `BestTrainingJob` when recorded, else the best objective value. */
export function bestTrial(
  step: StepRecord,
  direction: MetricDirection | undefined,
): TuningTrialRecord | undefined {
  const trials = step.trials ?? [];
  const best = (step.properties?.BestTrainingJob as { TrainingJobName?: unknown } | undefined)?.TrainingJobName;
  if (typeof best === 'string') {
    const match = trials.find((t) => t.trainingJobName === best);
    if (match) return match;
  }
  const scored = trials.filter((t) => t.status === 'Completed' && t.objective !== undefined);
  if (scored.length === 0) return undefined;
  const dir = direction ?? objectiveDirectionOf(scored[0].objective!.metricName) ?? 'Minimize';
  return scored.reduce((a, b) =>
    (dir === 'Minimize' ? b.objective!.value < a.objective!.value : b.objective!.value > a.objective!.value) ? b : a,
  );
}

/** Metric name → value of every `*_metrics` block of an evaluation report. */
export function evaluationMetrics(report: Record<string, unknown>): Map<string, { value: number; std?: number }> {
  const out = new Map<string, { value: number; std?: number }>();
  for (const [key, block] of Object.entries(report)) {
    if (!key.endsWith('_metrics') || typeof block !== 'object' || block === null) continue;
    for (const [name, entry] of Object.entries(block as Record<string, unknown>)) {
      if (typeof entry === 'number') {
        out.set(name, { value: entry });
      } else if (typeof entry === 'object' && entry !== null && typeof (entry as { value?: unknown }).value === 'number') {
        const std = (entry as { standard_deviation?: unknown }).standard_deviation;
        out.set(name, { value: (entry as { value: number }).value, std: typeof std === 'number' ? std : undefined });
      }
    }
  }
  return out;
}

/** Whether `value` passes a gate `threshold` in `direction`. */
export function passesGate(value: number, threshold: number, direction: MetricDirection): boolean {
  return direction === 'Maximize' ? value >= threshold : value <= threshold;
}
