import type { LocalS3 } from '../../s3';
import type { LocalModelRegistry } from '../../registry';
import type { StepJson } from '../definition';
import type { ProcessResult, RunProcessOptions } from '../process';
import type { ExecutionEvent, LocalStepType, MetricSeries, TuningTrialRecord } from '../types';
import type { ModelStore } from './model-store';

/** Identity of the running execution. */
export interface ExecutionIdentity {
  /** The account and region of the ARNs the execution makes (the stage's). */
  readonly account: string;
  readonly region: string;
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly executionId: string;
  readonly executionArn: string;
}

/** What a step handler gets for one attempt. */
export interface StepContext {
  readonly stepName: string;
  readonly stepType: LocalStepType;
  readonly step: StepJson;
  /** Arguments with every expression resolved. */
  readonly args: Record<string, unknown>;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** A fresh, empty folder for this attempt (the container's `/` lives here). */
  readonly jobDir: string;
  readonly execution: ExecutionIdentity;
  readonly s3: LocalS3;
  readonly registry: LocalModelRegistry;
  readonly models: ModelStore;
  readonly python: string;
  /** The interpreter that stands in for `image`: the execution's `imageInterpreters` entry, else {@link python}. */
  pythonFor(image: unknown): string;
  readonly transformRunner: string;
  /** Seed for anything random in this step. */
  readonly seed: number;
  /** Upper bound on concurrent child processes. */
  readonly maxParallel: number;
  /** Aborted when the execution is being stopped: start no new work. */
  readonly signal?: AbortSignal;
  /** A log file path for this step (registered in the record). */
  newLogFile(name: string): string;
  /** Runs a child process within the executor's concurrency bound, counting its time. */
  runProcess(options: RunProcessOptions): Promise<ProcessResult>;
  /** Properties to keep even if the attempt then fails (e.g. Describe* with FailureReason). */
  setProperties(properties: Record<string, unknown>): void;
  setMetrics(metrics: MetricSeries[]): void;
  addTrial(trial: TuningTrialRecord): void;
  /** Records a warning with the step (`warnings`) and sends it as a `stepWarning` event; the step goes on. */
  warn(message: string): void;
  emit(event: ExecutionEvent): void;
}

export type StepHandler = (ctx: StepContext) => Promise<Record<string, unknown>>;
