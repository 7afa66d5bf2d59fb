import * as fs from 'fs';
import * as path from 'path';
import { parseIsoDuration } from '../../lib/sagemaker-pipelines/duration';
import { BusyClock } from './busy-clock';
import { cachedOutputsExist, CACHEABLE_STEP_TYPES, stepCacheKey } from './cache-keys';
import type { CacheEntry } from './cache';
import { evaluateConditions } from './conditions';
import type { StepJson } from './definition';
import type { ExecutionState } from './execution-state';
import { resolveToText, resolveValue, type ExpressionContext } from './expressions';
import { runProcess, type RunProcessOptions } from './process';
import { unsupportedSettings } from './local-checks';
import { classifyError, retryDelaySeconds, StepFailure } from './retry';
import type { StepContext, StepHandler } from './steps/context';
import { runModelStep } from './steps/model';
import { runProcessingStep } from './steps/processing';
import { runRegisterModelStep } from './steps/register';
import { runTrainingStep } from './steps/training';
import { runTransformStep } from './steps/transform';
import { runTuningStep } from './steps/tuning';
import type { CacheHit, LocalStepType, MetricSeries, StepRecord, TuningTrialRecord } from './types';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The step types local mode runs, with their runners (Condition and Fail are evaluated in place). */
const HANDLERS: Partial<Record<LocalStepType, StepHandler>> = {
  Processing: runProcessingStep,
  Training: runTrainingStep,
  Tuning: runTuningStep,
  RegisterModel: runRegisterModelStep,
  Model: runModelStep,
  Transform: runTransformStep,
};

/**
 * Runs one step to its end: resolves its Arguments, reuses a cached result when its cache key matches, else runs
 * its attempts (with the definition's retry policies), updating the step record and sending events as it goes.
 * Never throws for a step failure: it records it and fails the execution.
 */
export class StepRunner {
  constructor(
    private readonly state: ExecutionState,
    private readonly expressions: ExpressionContext,
  ) {}

  async run(name: string): Promise<void> {
    const { state } = this;
    const { step } = state.flatByName.get(name)!;
    const rec = state.steps.get(name)!;
    const type = step.Type as LocalStepType;
    rec.status = 'Executing';
    rec.startTime = new Date().toISOString();
    delete rec.notExecutedReason;
    state.save();

    if (type === 'Condition' || type === 'Fail') {
      state.emit({ type: 'stepStarted', time: rec.startTime, step: name, stepType: type, attempt: 1 });
      this.runControlStep(step, rec);
      return;
    }

    let args: Record<string, unknown>;
    try {
      args = resolveValue(step.Arguments ?? {}, this.expressions) as Record<string, unknown>;
    } catch (err) {
      state.emit({ type: 'stepStarted', time: rec.startTime, step: name, stepType: type, attempt: 1 });
      this.finishFailed(rec, (err as Error).message, 1, false);
      return;
    }

    const unsupported = unsupportedSettings(type, args);
    if (unsupported.length > 0) {
      state.emit({ type: 'stepStarted', time: rec.startTime, step: name, stepType: type, attempt: 1 });
      this.finishFailed(rec, `local mode cannot run this step: ${unsupported.join('; ')}`, 1, false);
      return;
    }

    const cacheEnabled = state.options.cache !== false && step.CacheConfig?.Enabled === true && CACHEABLE_STEP_TYPES.includes(type);
    let cacheKey: string | undefined;
    if (cacheEnabled) {
      try {
        cacheKey = stepCacheKey(step, type, args, state.options.s3, state.models);
        const expire = step.CacheConfig?.ExpireAfter ? parseIsoDuration(step.CacheConfig.ExpireAfter) : undefined;
        const hit = state.cache.lookup(state.identity.pipelineName, name, cacheKey, expire, new Date(), (e) =>
          cachedOutputsExist(state.options.s3, type, e),
        );
        if (hit) {
          this.useCached(rec, hit);
          return;
        }
      } catch {
        // Inputs that cannot be hashed (e.g. missing ones) fail the same way when the step runs, which
        // reports the error with the step; such a run is simply not cached.
        cacheKey = undefined;
      }
    }
    await this.runAttempts(step, type, rec, args, cacheEnabled ? cacheKey : undefined);
  }

  private async runAttempts(
    step: StepJson,
    type: LocalStepType,
    rec: StepRecord,
    args: Record<string, unknown>,
    cacheKey: string | undefined,
  ): Promise<void> {
    const { state } = this;
    const name = step.Name;
    const handler = HANDLERS[type]!;
    const stepClock = new BusyClock();
    const firstStart = Date.now();
    for (let attempt = 1; ; attempt++) {
      const attemptStart = new Date();
      const attemptClock = new BusyClock();
      const jobDir = path.join(state.dir, 'steps', attempt === 1 ? name : `${name}.attempt-${attempt}`);
      fs.rmSync(jobDir, { recursive: true, force: true });
      fs.mkdirSync(jobDir, { recursive: true });
      rec.jobDir = jobDir;
      let partial: Record<string, unknown> | undefined;
      state.emit({ type: 'stepStarted', time: attemptStart.toISOString(), step: name, stepType: type, attempt });
      const ctx: StepContext = {
        stepName: name,
        stepType: type,
        step,
        args,
        attempt,
        jobDir,
        execution: state.identity,
        s3: state.options.s3,
        registry: state.registry,
        models: state.models,
        python: state.python,
        pythonFor: (image) => (typeof image === 'string' ? state.options.imageInterpreters?.[image] : undefined) ?? state.python,
        transformRunner: state.options.transformRunner ?? path.join(REPO_ROOT, 'local', 'runtime', 'transform.py'),
        seed: state.record.seed,
        maxParallel: state.maxParallel,
        ...(state.options.signal ? { signal: state.options.signal } : {}),
        newLogFile: (logName) => {
          const file = path.join(state.dir, 'logs', `${logName}.log`);
          rec.logFiles.push(file);
          return file;
        },
        runProcess: (opts) => this.runChild(opts, [stepClock, attemptClock]),
        setProperties: (props) => {
          partial = props;
        },
        setMetrics: (metrics: MetricSeries[]) => {
          rec.metrics = metrics;
        },
        addTrial: (trial: TuningTrialRecord) => {
          rec.trials = [...(rec.trials ?? []), trial];
          rec.processMs = stepClock.ms;
          state.save();
        },
        warn: (message) => {
          rec.warnings = [...(rec.warnings ?? []), message];
          state.save();
          state.emit({ type: 'stepWarning', time: new Date().toISOString(), step: name, stepType: type, message });
        },
        emit: (event) => state.emit(event),
      };
      try {
        const properties = await handler(ctx);
        const end = new Date();
        rec.attempts.push({
          attempt,
          startTime: attemptStart.toISOString(),
          endTime: end.toISOString(),
          status: 'Succeeded',
          processMs: attemptClock.ms,
        });
        rec.properties = properties;
        rec.status = 'Succeeded';
        rec.endTime = end.toISOString();
        rec.durationMs = end.getTime() - Date.parse(rec.startTime!);
        rec.processMs = stepClock.ms;
        delete rec.failureReason;
        if (cacheKey) {
          state.cache.store({
            cacheKey,
            pipelineName: state.identity.pipelineName,
            stepName: name,
            stepType: type,
            executionId: state.identity.executionId,
            executionArn: state.identity.executionArn,
            endTime: rec.endTime,
            properties,
            extras: { ...(rec.metrics ? { metrics: rec.metrics } : {}), ...(rec.trials ? { trials: rec.trials } : {}) },
          });
        }
        state.save();
        state.emit({ type: 'stepSucceeded', time: rec.endTime, step: name, stepType: type, durationMs: rec.durationMs });
        return;
      } catch (err) {
        const end = new Date();
        const reason = err instanceof Error ? err.message : String(err);
        const exceptionType = classifyError(err);
        const delay = state.stopReason
          ? undefined
          : retryDelaySeconds(step.RetryPolicies, type, exceptionType, attempt - 1, Date.now() - firstStart);
        rec.attempts.push({
          attempt,
          startTime: attemptStart.toISOString(),
          endTime: end.toISOString(),
          status: 'Failed',
          failureReason: reason,
          ...(exceptionType ? { exceptionType } : {}),
          processMs: attemptClock.ms,
        });
        rec.processMs = stepClock.ms;
        if (partial) rec.properties = partial;
        state.emit({
          type: 'stepFailed',
          time: end.toISOString(),
          step: name,
          stepType: type,
          attempt,
          failureReason: reason,
          willRetry: delay !== undefined,
          ...(delay !== undefined ? { retryInSeconds: delay } : {}),
        });
        if (delay === undefined) {
          this.finishFailed(rec, reason, attempt, true);
          return;
        }
        state.save();
        const waitMs = delay * 1000 * (state.options.retryDelayScale ?? 1);
        if (waitMs > 0) await this.sleep(waitMs);
        if (state.stopReason) {
          this.finishFailed(rec, `${reason}\n(not retried: ${state.stopReason.toLowerCase()})`, attempt, true);
          return;
        }
      }
    }
  }

  private finishFailed(rec: StepRecord, reason: string, attempt: number, eventSent: boolean): void {
    if (!eventSent) {
      this.state.emit({
        type: 'stepFailed',
        time: new Date().toISOString(),
        step: rec.name,
        stepType: rec.type,
        attempt,
        failureReason: reason,
        willRetry: false,
      });
    }
    this.state.failStep(rec.name, reason);
  }

  /** Condition steps evaluate their conditions; Fail steps end the execution with their message. */
  private runControlStep(step: StepJson, rec: StepRecord): void {
    const { state } = this;
    const name = step.Name;
    let outcomeOrMessage: boolean | string;
    try {
      outcomeOrMessage = step.Type === 'Condition'
        ? evaluateConditions(step.Arguments?.Conditions, this.expressions)
        : resolveToText(step.Arguments?.ErrorMessage ?? '', this.expressions);
    } catch (err) {
      this.finishFailed(rec, (err as Error).message, 1, false);
      return;
    }
    const end = new Date();
    rec.endTime = end.toISOString();
    rec.durationMs = end.getTime() - Date.parse(rec.startTime!);
    if (step.Type === 'Condition') {
      const outcome = outcomeOrMessage as boolean;
      rec.status = 'Succeeded';
      rec.conditionOutcome = outcome;
      rec.properties = { Outcome: outcome ? 'True' : 'False' };
      rec.attempts.push({ attempt: 1, startTime: rec.startTime!, endTime: rec.endTime, status: 'Succeeded', processMs: 0 });
      state.save();
      state.emit({ type: 'conditionEvaluated', time: rec.endTime, step: name, outcome });
      state.emit({ type: 'stepSucceeded', time: rec.endTime, step: name, stepType: 'Condition', durationMs: rec.durationMs });
      return;
    }
    const message = outcomeOrMessage as string;
    rec.status = 'Failed';
    rec.failureReason = message;
    rec.properties = { ErrorMessage: message };
    rec.attempts.push({ attempt: 1, startTime: rec.startTime!, endTime: rec.endTime, status: 'Failed', failureReason: message, processMs: 0 });
    // A Fail step ends the execution with its own message as the failure reason.
    state.fail(name, message);
    state.save();
    state.emit({ type: 'stepFailed', time: rec.endTime, step: name, stepType: 'Fail', attempt: 1, failureReason: message, willRetry: false });
  }

  private useCached(rec: StepRecord, entry: CacheEntry): void {
    const end = new Date();
    const cacheHit: CacheHit = {
      sourcePipelineName: entry.pipelineName,
      sourceExecutionId: entry.executionId,
      sourceExecutionArn: entry.executionArn,
      sourceEndTime: entry.endTime,
      cacheKey: entry.cacheKey,
    };
    rec.status = 'Cached';
    rec.cacheHit = cacheHit;
    rec.properties = entry.properties;
    const extras = entry.extras ?? {};
    if (Array.isArray(extras.metrics)) rec.metrics = extras.metrics as MetricSeries[];
    if (Array.isArray(extras.trials)) rec.trials = extras.trials as TuningTrialRecord[];
    rec.endTime = end.toISOString();
    rec.durationMs = end.getTime() - Date.parse(rec.startTime!);
    this.state.save();
    this.state.emit({ type: 'stepCached', time: rec.endTime, step: rec.name, stepType: rec.type, cacheHit });
  }

  /** Waits, returning early when the execution is stopped. */
  private sleep(ms: number): Promise<void> {
    const signal = this.state.options.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** A script process within the executor's concurrency bound, its time counted on the execution and the step. */
  private async runChild(opts: RunProcessOptions, clocks: BusyClock[]): Promise<Awaited<ReturnType<typeof runProcess>>> {
    const { state } = this;
    const release = await state.semaphore.acquire();
    if (state.options.signal?.aborted) {
      release();
      throw new StepFailure('Not started: the execution was stopped');
    }
    const all = [state.clock, ...clocks];
    all.forEach((c) => c.begin());
    try {
      return await runProcess({ ...opts, ...(state.options.signal ? { signal: state.options.signal } : {}) });
    } finally {
      all.forEach((c) => c.end());
      release();
    }
  }
}
