import type { RetryExceptionTypeName, StepTypeName } from '../../lib/sagemaker-pipelines/step-types';
import type { ValidationIssue } from '../../lib/sagemaker-pipelines/validator/issues';
import type { IgnoredSettingCode } from './local-checks';

/** A setting of the definition that only the cloud honours, which the local run ignored. */
export type IgnoredSetting = ValidationIssue<IgnoredSettingCode>;
/**
 * Shapes of a local pipeline execution: the record written to
 * `<workDir>/executions/<pipelineName>/<executionId>/execution.json`, and the progress events.
 */

/** Step types the local executor runs: every type the pipeline builder makes. */
export type LocalStepType = StepTypeName;

/** `Stopped`: the caller aborted the execution (the `signal` option). */
export type ExecutionStatus = 'Executing' | 'Succeeded' | 'Failed' | 'Stopped';

/**
 * - `Succeeded` / `Failed`: the step ran (possibly after retries).
 * - `Cached`: a previous successful run with the same cache key was reused; no process ran.
 * - `NotExecuted`: never started (on the branch a Condition did not choose, or the execution failed first;
 *   `notExecutedReason` says why). While the execution runs, steps not started yet are `NotExecuted` without a reason.
 * - `Executing`: only seen while the execution is running.
 */
export type StepStatus = 'Executing' | 'Succeeded' | 'Failed' | 'Cached' | 'NotExecuted';

/** Parameter value after defaults and overrides are applied. */
export type ParameterValue = string | number | boolean;

/** SageMaker retry exception types (see `RetryPolicies`). */
export type RetryExceptionType = RetryExceptionTypeName;

/** Which branch of which Condition step a step belongs to. */
export interface BranchRef {
  /** Name of the Condition step. */
  readonly condition: string;
  readonly side: 'if' | 'else';
}

export interface GraphNode {
  readonly name: string;
  readonly type: LocalStepType;
  readonly branch?: BranchRef;
}

export type GraphEdgeKind = 'data' | 'dependsOn' | 'if' | 'else';

/** `from` must finish before `to` starts. */
export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: GraphEdgeKind;
}

export interface ExecutionGraph {
  /** Steps in definition order; branch steps follow their Condition step. */
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

/** One attempt at running a step (retries add attempts). */
export interface StepAttempt {
  /** 1-based. */
  readonly attempt: number;
  readonly startTime: string;
  readonly endTime: string;
  readonly status: 'Succeeded' | 'Failed';
  readonly failureReason?: string;
  /** The retry exception type this failure maps to, when it failed. */
  readonly exceptionType?: RetryExceptionType;
  /** Time spent inside child processes during this attempt. */
  readonly processMs: number;
}

/** A metric parsed from a training log with a `MetricDefinitions` regex. */
export interface MetricSeries {
  readonly name: string;
  /** The last match: SageMaker's final value. */
  readonly final: number;
  /** Every match, in log order. */
  readonly values: number[];
}

export interface TuningTrialRecord {
  /** 1-based trial number. */
  readonly index: number;
  readonly trainingJobName: string;
  /** Only the tuned hyperparameters (values as strings, like SageMaker). */
  readonly tunedHyperParameters: Record<string, string>;
  readonly status: 'Completed' | 'Failed';
  /** Objective metric's final value; absent when the trial failed or never printed it. */
  readonly objective?: { readonly metricName: string; readonly value: number };
  readonly metrics: MetricSeries[];
  readonly startTime: string;
  readonly endTime: string;
  readonly durationMs: number;
  readonly failureReason?: string;
  /** Absolute path of the trial's log file. */
  readonly logFile: string;
}

export interface CacheHit {
  readonly sourcePipelineName: string;
  readonly sourceExecutionId: string;
  readonly sourceExecutionArn: string;
  /** When the reused run finished. */
  readonly sourceEndTime: string;
  readonly cacheKey: string;
}

export interface StepRecord {
  readonly name: string;
  readonly type: LocalStepType;
  readonly branch?: BranchRef;
  status: StepStatus;
  startTime?: string;
  endTime?: string;
  durationMs?: number;
  /** Time spent inside child processes (all attempts, all trials). */
  processMs: number;
  attempts: StepAttempt[];
  /** Describe*-shaped properties that `Get Steps.<name>...` reads. */
  properties?: Record<string, unknown>;
  failureReason?: string;
  /** Why the step did not run (for `NotExecuted`). */
  notExecutedReason?: string;
  /** Set when `status` is `Cached`. */
  cacheHit?: CacheHit;
  /** Condition steps: the evaluated outcome. */
  conditionOutcome?: boolean;
  /** Tuning steps: every trial, in start order. */
  trials?: TuningTrialRecord[];
  /** Training steps: parsed metrics. */
  metrics?: MetricSeries[];
  /** Absolute paths of this step's log files. */
  logFiles: string[];
  /** Things that did not fail the step but probably are not what was meant (e.g. an output that stayed empty). */
  warnings?: string[];
  /** Absolute path of the step's working folder, when it has one. */
  jobDir?: string;
}

export interface ExecutionRecord {
  /** Record format version. */
  readonly formatVersion: 1;
  readonly pipelineName: string;
  readonly pipelineArn: string;
  readonly executionId: string;
  readonly executionArn: string;
  status: ExecutionStatus;
  readonly startTime: string;
  endTime?: string;
  durationMs?: number;
  /** Sum of the steps' processMs (time inside child processes). */
  processMs: number;
  /** Cloud-only settings of the definition (spot, checkpoints, VPC, KMS, ...) that the run accepted and ignored. */
  readonly ignoredSettings?: readonly IgnoredSetting[];
  /** Every pipeline parameter with its effective value. */
  readonly parameters: Record<string, ParameterValue>;
  /** The seed used for tuning samplers. */
  readonly seed: number;
  failureReason?: string;
  /** The step whose failure ended the execution (a Fail step counts). */
  failedStep?: string;
  /** Steps in graph node order. */
  readonly steps: StepRecord[];
  readonly graph: ExecutionGraph;
  /** Absolute path of `<workDir>/executions/<pipelineName>/<executionId>`. */
  readonly executionDir: string;
}

/** Progress events; `time` is an ISO timestamp. */
export type ExecutionEvent =
  | {
      readonly type: 'executionStarted';
      readonly time: string;
      readonly pipelineName: string;
      readonly executionId: string;
      readonly executionDir: string;
      /** Cloud-only settings of the definition that the run ignores. */
      readonly ignoredSettings?: readonly IgnoredSetting[];
    }
  | { readonly type: 'stepStarted'; readonly time: string; readonly step: string; readonly stepType: LocalStepType; readonly attempt: number }
  | {
      readonly type: 'stepSucceeded';
      readonly time: string;
      readonly step: string;
      readonly stepType: LocalStepType;
      readonly durationMs: number;
    }
  | {
      readonly type: 'stepFailed';
      readonly time: string;
      readonly step: string;
      readonly stepType: LocalStepType;
      readonly attempt: number;
      readonly failureReason: string;
      /** True when a retry policy will run the step again. */
      readonly willRetry: boolean;
      readonly retryInSeconds?: number;
    }
  | { readonly type: 'stepCached'; readonly time: string; readonly step: string; readonly stepType: LocalStepType; readonly cacheHit: CacheHit }
  | { readonly type: 'stepNotExecuted'; readonly time: string; readonly step: string; readonly stepType: LocalStepType; readonly reason: string }
  | { readonly type: 'conditionEvaluated'; readonly time: string; readonly step: string; readonly outcome: boolean }
  | { readonly type: 'stepWarning'; readonly time: string; readonly step: string; readonly stepType: LocalStepType; readonly message: string }
  | {
      readonly type: 'tuningTrialFinished';
      readonly time: string;
      readonly step: string;
      readonly trial: TuningTrialRecord;
      /** Trials finished so far (including this one). */
      readonly finished: number;
      readonly total: number;
    }
  | {
      readonly type: 'executionFinished';
      readonly time: string;
      readonly status: 'Succeeded' | 'Failed' | 'Stopped';
      readonly failureReason?: string;
      readonly durationMs: number;
    };

export type ExecutionEventListener = (event: ExecutionEvent) => void;
