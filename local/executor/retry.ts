import type { RetryPolicyJson } from './definition';
import type { LocalStepType, RetryExceptionType } from './types';

/** A step failure, with the retry exception type it maps to (undefined = not retryable, like a script error). */
export class StepFailure extends Error {
  readonly exceptionType?: RetryExceptionType;

  constructor(message: string, exceptionType?: RetryExceptionType) {
    super(message);
    this.name = 'StepFailure';
    this.exceptionType = exceptionType;
  }
}

/**
 * How local failures map to SageMaker retry exception types:
 * - the script exits non-zero (SageMaker's AlgorithmError / ClientError) or exceeds MaxRuntimeInSeconds:
 *   not retryable, as in SageMaker;
 * - the process is killed by a signal (crash, out-of-memory kill): `SageMaker.JOB_INTERNAL_ERROR`;
 * - a process cannot be started for lack of memory (`ENOMEM`): `SageMaker.CAPACITY_ERROR`;
 * - a process cannot be started for lack of process/file slots (`EAGAIN`, `EMFILE`, `ENFILE`): `SageMaker.RESOURCE_LIMIT`;
 * - local S3 / file-system I/O faults (`EIO`, `EBUSY`, `ENOSPC`, ...): `Step.SERVICE_FAULT`;
 * - `Step.THROTTLING` never happens locally.
 */
export function classifyError(err: unknown): RetryExceptionType | undefined {
  if (err instanceof StepFailure) return err.exceptionType;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOMEM':
      return 'SageMaker.CAPACITY_ERROR';
    case 'EAGAIN':
    case 'EMFILE':
    case 'ENFILE':
      return 'SageMaker.RESOURCE_LIMIT';
    case 'EIO':
    case 'EBUSY':
    case 'ENOSPC':
    case 'ETXTBSY':
    case 'ESTALE':
      return 'Step.SERVICE_FAULT';
    default:
      return undefined;
  }
}

/**
 * Seconds to wait before the next attempt, or undefined when no policy retries this failure.
 * `MaxAttempts` is the number of retries (so up to 1 + MaxAttempts attempts); the interval starts at
 * `IntervalSeconds` (default 1) and is multiplied by `BackoffRate` (default 2) after each retry;
 * `ExpireAfterMin` stops retrying that long after the first attempt started. Tuning steps never retry
 * `SageMaker.JOB_INTERNAL_ERROR` (SageMaker's tuning jobs retry such trials internally).
 */
export function retryDelaySeconds(
  policies: readonly RetryPolicyJson[] | undefined,
  stepType: LocalStepType,
  exceptionType: RetryExceptionType | undefined,
  retriesSoFar: number,
  elapsedMs: number,
): number | undefined {
  if (!exceptionType || !policies) return undefined;
  if (stepType === 'Tuning' && exceptionType === 'SageMaker.JOB_INTERNAL_ERROR') return undefined;
  // SageMaker.JOB_CAPACITY_ERROR is an older spelling of SageMaker.CAPACITY_ERROR.
  const policy = policies.find(
    (p) =>
      p.ExceptionType.includes(exceptionType) ||
      (exceptionType === 'SageMaker.CAPACITY_ERROR' && p.ExceptionType.includes('SageMaker.JOB_CAPACITY_ERROR')),
  );
  if (!policy) return undefined;
  const maxRetries = policy.MaxAttempts ?? (policy.ExpireAfterMin !== undefined ? Number.POSITIVE_INFINITY : 1);
  if (retriesSoFar >= maxRetries) return undefined;
  if (policy.ExpireAfterMin !== undefined && elapsedMs >= policy.ExpireAfterMin * 60_000) return undefined;
  const interval = policy.IntervalSeconds ?? 1;
  const backoff = policy.BackoffRate ?? 2;
  return interval * Math.pow(backoff, retriesSoFar);
}
