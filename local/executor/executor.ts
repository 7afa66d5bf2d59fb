import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { joinS3, parseS3Uri, type LocalS3 } from '../s3';
import { LocalModelRegistry } from '../registry';
import { canonicalJson, sha256Hex, StepCache, type CacheEntry } from './cache';
import { evaluateConditions } from './conditions';
import { parseDefinition, type FlatStep, type PipelineDefinitionJson, type StepJson } from './definition';
import { parseIsoDuration } from './duration';
import { resolveToText, resolveValue, type ExpressionContext } from './expressions';
import { runProcess, Semaphore, type RunProcessOptions } from './process';
import { classifyError, retryDelaySeconds, StepFailure } from './retry';
import { cpuCount, decodeHyperParameter, LOCAL_ACCOUNT, LOCAL_REGION } from './steps/common';
import type { ExecutionIdentity, StepContext, StepHandler } from './steps/context';
import { runModelStep } from './steps/model';
import { ModelStore } from './steps/model-store';
import { runProcessingStep } from './steps/processing';
import { runRegisterModelStep } from './steps/register';
import { runTrainingStep } from './steps/training';
import { runTransformStep } from './steps/transform';
import { runTuningStep } from './steps/tuning';
import { hashSeed } from './tuning-sampler';
import type {
  CacheHit,
  ExecutionEvent,
  ExecutionEventListener,
  ExecutionRecord,
  LocalStepType,
  MetricSeries,
  StepRecord,
  TuningTrialRecord,
} from './types';
import { prepareDefinition, type PreparedDefinition } from './validate';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export interface ExecutePipelineOptions {
  /** The pipeline definition (as built for CreatePipeline), as an object or JSON text. */
  readonly definition: PipelineDefinitionJson | string;
  readonly pipelineName: string;
  /** Parameter overrides by name; strings are accepted for Integer/Float/Boolean parameters ("5", "0.7", "true"). */
  readonly parameters?: Record<string, unknown>;
  readonly s3: LocalS3;
  /** @default - a registry under `<workDir>/registry` */
  readonly registry?: LocalModelRegistry;
  /** Folder for executions, cache, models. @default - `<repo>/.local` */
  readonly workDir?: string;
  /** Python interpreter that stands in for the job images. @default - `<repo>/.venv/bin/python` */
  readonly python?: string;
  /** Most child processes at once. @default - os.cpus().length */
  readonly maxParallel?: number;
  readonly onEvent?: ExecutionEventListener;
  /** @default - 12 random lowercase letters and digits, like SageMaker */
  readonly executionId?: string;
  /** Seed for tuning samplers. @default - derived from the definition and the execution id */
  readonly seed?: number;
  /** Use and fill the step cache for steps with CacheConfig.Enabled. @default true */
  readonly cache?: boolean;
  /** The batch transform runner. @default - `<repo>/local/runtime/transform.py` */
  readonly transformRunner?: string;
  /** Multiplies retry waits (e.g. 0 in tests). @default 1 */
  readonly retryDelayScale?: number;
  /**
   * Stops the execution when aborted (e.g. on Ctrl-C): running jobs are terminated, no step starts, and the
   * record ends `Stopped` with the abort reason.
   */
  readonly signal?: AbortSignal;
}

/** Path of an execution's folder. */
export function executionDirectory(workDir: string, pipelineName: string, executionId: string): string {
  return path.join(path.resolve(workDir), 'executions', pipelineName, executionId);
}

/** Reads a recorded execution. */
export function loadExecutionRecord(workDir: string, pipelineName: string, executionId: string): ExecutionRecord {
  const file = path.join(executionDirectory(workDir, pipelineName, executionId), 'execution.json');
  if (!fs.existsSync(file)) {
    throw new Error(`No execution "${executionId}" of pipeline "${pipelineName}" under ${path.resolve(workDir)} (looked for ${file})`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ExecutionRecord;
}

/** Recorded executions of a pipeline, newest first. */
export function listExecutionRecords(workDir: string, pipelineName: string): ExecutionRecord[] {
  const dir = path.join(path.resolve(workDir), 'executions', pipelineName);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((id) => fs.existsSync(path.join(dir, id, 'execution.json')))
    .map((id) => loadExecutionRecord(workDir, pipelineName, id))
    .sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
}

function newExecutionId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.randomBytes(12);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

const HANDLERS: Partial<Record<LocalStepType, StepHandler>> = {
  Processing: runProcessingStep,
  Training: runTrainingStep,
  Tuning: runTuningStep,
  RegisterModel: runRegisterModelStep,
  Model: runModelStep,
  Transform: runTransformStep,
};
const CACHEABLE: readonly LocalStepType[] = ['Processing', 'Training', 'Tuning', 'Transform'];
const PROCESS_STEPS: readonly LocalStepType[] = ['Processing', 'Training', 'Tuning', 'Transform'];

/** Wall time during which at least one tracked process was running (union of intervals). */
class BusyClock {
  private active = 0;
  private since = 0;
  private total = 0;

  begin(): void {
    if (this.active++ === 0) this.since = Date.now();
  }

  end(): void {
    if (--this.active === 0) this.total += Date.now() - this.since;
  }

  get ms(): number {
    return this.total + (this.active > 0 ? Date.now() - this.since : 0);
  }
}

class PipelineExecution {
  readonly record: ExecutionRecord;
  private readonly prepared: PreparedDefinition;
  private readonly options: ExecutePipelineOptions;
  private readonly identity: ExecutionIdentity;
  private readonly dir: string;
  private readonly workDir: string;
  private readonly python: string;
  private readonly registry: LocalModelRegistry;
  private readonly models: ModelStore;
  private readonly cache: StepCache;
  private readonly semaphore: Semaphore;
  private readonly maxParallel: number;
  private readonly clock = new BusyClock();
  private readonly steps = new Map<string, StepRecord>();
  private readonly flatByName = new Map<string, FlatStep>();
  private readonly propertyFiles = new Map<string, unknown>();
  private failure?: { step: string; reason: string };
  private stopReason?: string;

  constructor(options: ExecutePipelineOptions, prepared: PreparedDefinition, executionId: string, seed: number) {
    this.options = options;
    this.prepared = prepared;
    this.workDir = path.resolve(options.workDir ?? path.join(REPO_ROOT, '.local'));
    this.python = options.python ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
    this.registry = options.registry ?? new LocalModelRegistry({ root: path.join(this.workDir, 'registry') });
    this.models = new ModelStore(path.join(this.workDir, 'models'));
    this.cache = new StepCache(path.join(this.workDir, 'cache'));
    this.maxParallel = Math.max(1, Math.floor(options.maxParallel ?? cpuCount()));
    this.semaphore = new Semaphore(this.maxParallel);
    this.dir = executionDirectory(this.workDir, options.pipelineName, executionId);
    const pipelineArn = `arn:aws:sagemaker:${LOCAL_REGION}:${LOCAL_ACCOUNT}:pipeline/${options.pipelineName.toLowerCase()}`;
    this.identity = {
      pipelineName: options.pipelineName,
      pipelineArn,
      executionId,
      executionArn: `${pipelineArn}/execution/${executionId}`,
    };
    for (const flat of prepared.flat) this.flatByName.set(flat.step.Name, flat);
    const steps: StepRecord[] = prepared.graph.nodes.map((node) => ({
      name: node.name,
      type: node.type,
      ...(node.branch ? { branch: node.branch } : {}),
      status: 'NotExecuted',
      processMs: 0,
      attempts: [],
      logFiles: [],
    }));
    for (const s of steps) this.steps.set(s.name, s);
    this.record = {
      formatVersion: 1,
      pipelineName: options.pipelineName,
      pipelineArn,
      executionId,
      executionArn: this.identity.executionArn,
      status: 'Executing',
      startTime: new Date().toISOString(),
      processMs: 0,
      parameters: prepared.parameters,
      seed,
      steps,
      graph: prepared.graph,
      executionDir: this.dir,
    };
  }

  async run(): Promise<ExecutionRecord> {
    if (fs.existsSync(this.dir)) {
      throw new Error(`Execution folder ${this.dir} already exists; use another executionId`);
    }
    fs.mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(this.dir, 'definition.json'), `${JSON.stringify(this.prepared.definition, null, 2)}\n`);
    this.save();
    this.emit({
      type: 'executionStarted',
      time: this.record.startTime,
      pipelineName: this.identity.pipelineName,
      executionId: this.identity.executionId,
      executionDir: this.dir,
    });

    const signal = this.options.signal;
    const onAbort = (): void => {
      const reason = signal?.reason instanceof Error ? signal.reason.message : signal?.reason;
      this.stopReason = `Execution stopped${reason !== undefined ? `: ${String(reason)}` : ''}`;
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    const running = new Map<string, Promise<void>>();
    const waiting = new Set(this.prepared.graph.nodes.map((n) => n.name));
    for (;;) {
      let changed = true;
      while (changed) {
        changed = false;
        for (const name of [...waiting]) {
          const decision = this.decide(name);
          if (decision === 'wait') continue;
          waiting.delete(name);
          changed = true;
          if (decision === 'start') {
            const promise = this.runStep(name)
              .catch((err: unknown) => this.failStep(name, `internal error: ${(err as Error).stack ?? String(err)}`))
              .finally(() => running.delete(name));
            running.set(name, promise);
          } else {
            this.markNotExecuted(name, decision.notExecuted);
          }
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
    for (const name of waiting) this.markNotExecuted(name, 'its dependencies never completed');
    signal?.removeEventListener('abort', onAbort);

    const end = new Date();
    this.record.status = this.stopReason ? 'Stopped' : this.failure ? 'Failed' : 'Succeeded';
    if (this.stopReason) {
      this.record.failureReason = this.stopReason;
    } else if (this.failure) {
      this.record.failureReason = this.failure.reason;
      this.record.failedStep = this.failure.step;
    }
    this.record.endTime = end.toISOString();
    this.record.durationMs = end.getTime() - Date.parse(this.record.startTime);
    this.record.processMs = this.clock.ms;
    this.save();
    this.emit({
      type: 'executionFinished',
      time: this.record.endTime,
      status: this.record.status,
      ...(this.record.failureReason ? { failureReason: this.record.failureReason } : {}),
      durationMs: this.record.durationMs,
    });
    return this.record;
  }

  // ---- scheduling ----------------------------------------------------------------------------------

  private decide(name: string): 'wait' | 'start' | { notExecuted: string } {
    const decision = this.decideFromEdges(name);
    if (decision === 'wait' || decision === 'start') {
      if (this.stopReason) return { notExecuted: 'the execution was stopped before this step could start' };
      if (this.failure) return { notExecuted: `the execution failed at step "${this.failure.step}" before this step could start` };
    }
    return decision;
  }

  private decideFromEdges(name: string): 'wait' | 'start' | { notExecuted: string } {
    let wait = false;
    for (const edge of this.prepared.graph.edges) {
      if (edge.to !== name) continue;
      const from = this.steps.get(edge.from)!;
      const started = from.startTime !== undefined;
      const finished = started && from.status !== 'Executing';
      if (edge.kind === 'if' || edge.kind === 'else') {
        if (!finished) {
          if (!started && from.notExecutedReason) return { notExecuted: `its condition "${edge.from}" was not executed` };
          wait = true;
          continue;
        }
        if (from.status !== 'Succeeded') return { notExecuted: `its condition "${edge.from}" did not complete` };
        if (from.conditionOutcome !== (edge.kind === 'if')) {
          return {
            notExecuted: `condition "${edge.from}" evaluated to ${from.conditionOutcome ? 'true' : 'false'}, so its ${edge.kind === 'if' ? 'IfSteps' : 'ElseSteps'} do not run`,
          };
        }
        continue;
      }
      if (!finished) {
        if (!started && from.notExecutedReason) {
          return { notExecuted: `it depends on "${edge.from}", which was not executed` };
        }
        wait = true;
        continue;
      }
      if (from.status === 'Failed') return { notExecuted: `it depends on "${edge.from}", which failed` };
    }
    return wait ? 'wait' : 'start';
  }

  private markNotExecuted(name: string, reason: string): void {
    const rec = this.steps.get(name)!;
    rec.status = 'NotExecuted';
    rec.notExecutedReason = reason;
    this.emit({ type: 'stepNotExecuted', time: new Date().toISOString(), step: name, stepType: rec.type, reason });
    this.save();
  }

  private fail(step: string, reason: string): void {
    if (!this.failure) this.failure = { step, reason };
  }

  private failStep(name: string, reason: string): void {
    const rec = this.steps.get(name)!;
    rec.status = 'Failed';
    rec.failureReason = reason;
    rec.endTime ??= new Date().toISOString();
    if (rec.startTime) rec.durationMs = Date.parse(rec.endTime) - Date.parse(rec.startTime);
    this.fail(name, `Step "${name}" failed: ${reason}`);
    this.save();
  }

  // ---- expressions -------------------------------------------------------------------------------------

  private readonly expressionContext: ExpressionContext = {
    parameter: (name) => this.prepared.parameters[name],
    parameterType: (name) => this.prepared.parameterTypes[name],
    execution: (name) => {
      switch (name) {
        case 'StartDateTime':
          return this.record.startTime;
        case 'CurrentDateTime':
          return new Date().toISOString();
        case 'PipelineName':
          return this.identity.pipelineName;
        case 'PipelineArn':
          return this.identity.pipelineArn;
        case 'PipelineExecutionId':
          return this.identity.executionId;
        case 'PipelineExecutionArn':
          return this.identity.executionArn;
        default:
          return undefined;
      }
    },
    stepProperties: (name) => {
      const rec = this.steps.get(name);
      return rec && (rec.status === 'Succeeded' || rec.status === 'Cached') ? rec.properties : undefined;
    },
    propertyFile: (stepName, fileName) => {
      const cacheKey = `${stepName}\u0000${fileName}`;
      if (this.propertyFiles.has(cacheKey)) return this.propertyFiles.get(cacheKey);
      const step = this.flatByName.get(stepName)?.step;
      const declared = step?.PropertyFiles?.find((f) => f.PropertyFileName === fileName);
      if (!declared) throw new Error(`step "${stepName}" declares no property file "${fileName}"`);
      const props = this.expressionContext.stepProperties(stepName);
      if (!props) throw new Error(`step "${stepName}" has not run, so its property file "${fileName}" does not exist`);
      const outputs = ((props.ProcessingOutputConfig as Record<string, unknown> | undefined)?.Outputs ?? []) as Record<string, unknown>[];
      const output = outputs.find((o) => o.OutputName === declared.OutputName);
      const base = (output?.S3Output as Record<string, unknown> | undefined)?.S3Uri;
      if (typeof base !== 'string') {
        throw new Error(`property file "${fileName}" names output "${declared.OutputName}", which step "${stepName}" does not have`);
      }
      const uri = joinS3(base, declared.FilePath);
      const text = this.options.s3.getText(uri);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Error(`property file "${fileName}" (${uri}) is not valid JSON: ${(err as Error).message}`);
      }
      this.propertyFiles.set(cacheKey, parsed);
      return parsed;
    },
    s3Json: (uri) => JSON.parse(this.options.s3.getText(uri)) as unknown,
  };

  // ---- steps -------------------------------------------------------------------------------------------

  private async runStep(name: string): Promise<void> {
    const { step } = this.flatByName.get(name)!;
    const rec = this.steps.get(name)!;
    const type = step.Type as LocalStepType;
    rec.status = 'Executing';
    rec.startTime = new Date().toISOString();
    delete rec.notExecutedReason;
    this.save();

    if (type === 'Condition' || type === 'Fail') {
      this.emit({ type: 'stepStarted', time: rec.startTime, step: name, stepType: type, attempt: 1 });
      this.runControlStep(step, rec);
      return;
    }

    let args: Record<string, unknown>;
    try {
      args = resolveValue(step.Arguments ?? {}, this.expressionContext) as Record<string, unknown>;
    } catch (err) {
      this.emit({ type: 'stepStarted', time: rec.startTime, step: name, stepType: type, attempt: 1 });
      this.finishFailed(rec, (err as Error).message, 1, false);
      return;
    }

    const cacheEnabled = this.options.cache !== false && step.CacheConfig?.Enabled === true && CACHEABLE.includes(type);
    let cacheKey: string | undefined;
    if (cacheEnabled) {
      try {
        cacheKey = this.cacheKey(step, type, args);
        const expire = step.CacheConfig?.ExpireAfter ? parseIsoDuration(step.CacheConfig.ExpireAfter) : undefined;
        const hit = this.cache.lookup(this.identity.pipelineName, name, cacheKey, expire, new Date(), (e) => this.cachedOutputsExist(type, e));
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

    const handler = HANDLERS[type]!;
    const stepClock = new BusyClock();
    const firstStart = Date.now();
    for (let attempt = 1; ; attempt++) {
      const attemptStart = new Date();
      const attemptClock = new BusyClock();
      const jobDir = path.join(this.dir, 'steps', attempt === 1 ? name : `${name}.attempt-${attempt}`);
      fs.rmSync(jobDir, { recursive: true, force: true });
      fs.mkdirSync(jobDir, { recursive: true });
      rec.jobDir = jobDir;
      let partial: Record<string, unknown> | undefined;
      this.emit({ type: 'stepStarted', time: attemptStart.toISOString(), step: name, stepType: type, attempt });
      const ctx: StepContext = {
        stepName: name,
        stepType: type,
        step,
        args,
        attempt,
        jobDir,
        execution: this.identity,
        s3: this.options.s3,
        registry: this.registry,
        models: this.models,
        python: this.python,
        transformRunner: this.options.transformRunner ?? path.join(REPO_ROOT, 'local', 'runtime', 'transform.py'),
        seed: this.record.seed,
        maxParallel: this.maxParallel,
        ...(this.options.signal ? { signal: this.options.signal } : {}),
        newLogFile: (logName) => {
          const file = path.join(this.dir, 'logs', `${logName}.log`);
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
          this.save();
        },
        warn: (message) => {
          rec.warnings = [...(rec.warnings ?? []), message];
          this.save();
          this.emit({ type: 'stepWarning', time: new Date().toISOString(), step: name, stepType: type, message });
        },
        emit: (event) => this.emit(event),
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
        rec.durationMs = end.getTime() - Date.parse(rec.startTime);
        rec.processMs = stepClock.ms;
        delete rec.failureReason;
        if (cacheEnabled && cacheKey) {
          this.cache.store({
            cacheKey,
            pipelineName: this.identity.pipelineName,
            stepName: name,
            stepType: type,
            executionId: this.identity.executionId,
            executionArn: this.identity.executionArn,
            endTime: rec.endTime,
            properties,
            extras: { ...(rec.metrics ? { metrics: rec.metrics } : {}), ...(rec.trials ? { trials: rec.trials } : {}) },
          });
        }
        this.save();
        this.emit({ type: 'stepSucceeded', time: rec.endTime, step: name, stepType: type, durationMs: rec.durationMs });
        return;
      } catch (err) {
        const end = new Date();
        const reason = err instanceof Error ? err.message : String(err);
        const exceptionType = classifyError(err);
        const delay = this.stopReason
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
        this.emit({
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
        this.save();
        const waitMs = delay * 1000 * (this.options.retryDelayScale ?? 1);
        if (waitMs > 0) await this.sleep(waitMs);
        if (this.stopReason) {
          this.finishFailed(rec, `${reason}\n(not retried: ${this.stopReason.toLowerCase()})`, attempt, true);
          return;
        }
      }
    }
  }

  private finishFailed(rec: StepRecord, reason: string, attempt: number, eventSent: boolean): void {
    if (!eventSent) {
      this.emit({
        type: 'stepFailed',
        time: new Date().toISOString(),
        step: rec.name,
        stepType: rec.type,
        attempt,
        failureReason: reason,
        willRetry: false,
      });
    }
    this.failStep(rec.name, reason);
  }

  private runControlStep(step: StepJson, rec: StepRecord): void {
    const name = step.Name;
    let outcomeOrMessage: boolean | string;
    try {
      if (step.Type === 'Condition') {
        outcomeOrMessage = evaluateConditions(step.Arguments?.Conditions, this.expressionContext);
      } else {
        outcomeOrMessage = resolveToText(step.Arguments?.ErrorMessage ?? '', this.expressionContext);
      }
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
      this.save();
      this.emit({ type: 'conditionEvaluated', time: rec.endTime, step: name, outcome });
      this.emit({ type: 'stepSucceeded', time: rec.endTime, step: name, stepType: 'Condition', durationMs: rec.durationMs });
      return;
    }
    const message = outcomeOrMessage as string;
    rec.status = 'Failed';
    rec.failureReason = message;
    rec.properties = { ErrorMessage: message };
    rec.attempts.push({ attempt: 1, startTime: rec.startTime!, endTime: rec.endTime, status: 'Failed', failureReason: message, processMs: 0 });
    // A Fail step ends the execution with its own message as the failure reason.
    if (!this.failure) this.failure = { step: name, reason: message };
    this.save();
    this.emit({ type: 'stepFailed', time: rec.endTime, step: name, stepType: 'Fail', attempt: 1, failureReason: message, willRetry: false });
  }

  /** Waits, returning early when the execution is stopped. */
  private sleep(ms: number): Promise<void> {
    const signal = this.options.signal;
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

  private async runChild(opts: RunProcessOptions, clocks: BusyClock[]): Promise<Awaited<ReturnType<typeof runProcess>>> {
    const release = await this.semaphore.acquire();
    if (this.options.signal?.aborted) {
      release();
      throw new StepFailure('Not started: the execution was stopped');
    }
    const all = [this.clock, ...clocks];
    all.forEach((c) => c.begin());
    try {
      return await runProcess({ ...opts, ...(this.options.signal ? { signal: this.options.signal } : {}) });
    } finally {
      all.forEach((c) => c.end());
      release();
    }
  }

  // ---- cache -------------------------------------------------------------------------------------------

  /** S3 inputs whose content belongs in the cache key (data and code). */
  private cacheInputs(type: LocalStepType, args: Record<string, unknown>): string[] {
    const uris: string[] = [];
    const channels = (list: unknown): void => {
      for (const c of (Array.isArray(list) ? list : []) as Record<string, unknown>[]) {
        const uri = ((c.DataSource as Record<string, unknown> | undefined)?.S3DataSource as Record<string, unknown> | undefined)?.S3Uri;
        if (typeof uri === 'string') uris.push(uri);
      }
    };
    const submitDir = (hps: unknown): void => {
      const v = (hps as Record<string, unknown> | undefined)?.sagemaker_submit_directory;
      if (v !== undefined) uris.push(decodeHyperParameter(v));
    };
    if (type === 'Processing') {
      for (const input of (args.ProcessingInputs ?? []) as Record<string, unknown>[]) {
        const uri = (input.S3Input as Record<string, unknown> | undefined)?.S3Uri;
        if (typeof uri === 'string') uris.push(uri);
      }
    } else if (type === 'Training') {
      channels(args.InputDataConfig);
      submitDir(args.HyperParameters);
    } else if (type === 'Tuning') {
      const def = (args.TrainingJobDefinition ?? {}) as Record<string, unknown>;
      channels(def.InputDataConfig);
      submitDir(def.StaticHyperParameters);
    } else if (type === 'Transform') {
      const source = ((args.TransformInput as Record<string, unknown> | undefined)?.DataSource as Record<string, unknown> | undefined)
        ?.S3DataSource as Record<string, unknown> | undefined;
      if (typeof source?.S3Uri === 'string') uris.push(source.S3Uri);
      const model = this.models.get(String(args.ModelName));
      if (model.PrimaryContainer.ModelDataUrl) uris.push(model.PrimaryContainer.ModelDataUrl);
      const code = model.PrimaryContainer.Environment?.SAGEMAKER_SUBMIT_DIRECTORY;
      if (code) uris.push(decodeHyperParameter(code));
    }
    return uris;
  }

  /**
   * Cache key: step type, the resolved Arguments that SageMaker's own cache key is made of (see
   * `cacheKeyAttributes`), PropertyFiles and the content hash of every S3 input (data and code), so a changed
   * script or data set re-runs the step even at the same URI, while a new execution's output prefix does not.
   */
  private cacheKey(step: StepJson, type: LocalStepType, args: Record<string, unknown>): string {
    const inputs = this.cacheInputs(type, args).map((uri) => {
      parseS3Uri(uri);
      return { uri, content: this.options.s3.contentHash(uri) };
    });
    const attributes = cacheKeyAttributes(type, args);
    return sha256Hex(canonicalJson({ version: 2, type, attributes, propertyFiles: step.PropertyFiles ?? [], inputs }));
  }

  /** A cache entry is only reused while what it produced is still in local S3. */
  private cachedOutputsExist(type: LocalStepType, entry: CacheEntry): boolean {
    const p = entry.properties;
    const s3 = this.options.s3;
    if (type === 'Processing') {
      const outputs = ((p.ProcessingOutputConfig as Record<string, unknown> | undefined)?.Outputs ?? []) as Record<string, unknown>[];
      return outputs.every((o) => {
        const uri = (o.S3Output as Record<string, unknown> | undefined)?.S3Uri;
        return typeof uri === 'string' && s3.list(uri).length > 0;
      });
    }
    if (type === 'Training') {
      const uri = (p.ModelArtifacts as Record<string, unknown> | undefined)?.S3ModelArtifacts;
      return typeof uri === 'string' && s3.exists(uri);
    }
    if (type === 'Tuning') {
      const best = (p.BestTrainingJob as Record<string, unknown> | undefined)?.TrainingJobName;
      const outputPath = ((p.TrainingJobDefinition as Record<string, unknown> | undefined)?.OutputDataConfig as Record<string, unknown> | undefined)
        ?.S3OutputPath;
      return typeof best === 'string' && typeof outputPath === 'string' && s3.exists(joinS3(outputPath, best, 'output', 'model.tar.gz'));
    }
    if (type === 'Transform') {
      const uri = (p.TransformOutput as Record<string, unknown> | undefined)?.S3OutputPath;
      return typeof uri === 'string' && s3.list(uri).length > 0;
    }
    return false;
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
    this.save();
    this.emit({ type: 'stepCached', time: rec.endTime, step: rec.name, stepType: rec.type, cacheHit });
  }

  // ---- record ------------------------------------------------------------------------------------------

  private save(): void {
    this.record.processMs = this.clock.ms;
    const file = path.join(this.dir, 'execution.json');
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(this.record, null, 2)}\n`);
    fs.renameSync(tmp, file);
  }

  private emit(event: ExecutionEvent): void {
    const listener = this.options.onEvent;
    if (!listener) return;
    try {
      listener(event);
    } catch (err) {
      // A broken progress listener must not change the execution's outcome; say so and go on.
      console.error(`onEvent listener threw on ${event.type}: ${(err as Error).message}`);
    }
  }
}

const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

/**
 * Runs a SageMaker pipeline definition locally: validates it (nothing runs when it is malformed), then
 * executes its steps as a DAG with bounded concurrency, recording everything under
 * `<workDir>/executions/<pipelineName>/<executionId>/`. Resolves with the record whether the execution
 * succeeded or failed; rejects only when it could not start (invalid definition, parameters or options).
 */
export async function executePipeline(options: ExecutePipelineOptions): Promise<ExecutionRecord> {
  if (typeof options.pipelineName !== 'string' || !PIPELINE_NAME.test(options.pipelineName)) {
    throw new Error(
      `Invalid pipelineName ${JSON.stringify(options.pipelineName)}: use letters, digits and single hyphens (up to 256 characters)`,
    );
  }
  const executionId = options.executionId ?? newExecutionId();
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(executionId)) {
    throw new Error(`Invalid executionId ${JSON.stringify(executionId)}: use up to 64 letters, digits and hyphens`);
  }
  if (options.maxParallel !== undefined && !(options.maxParallel >= 1)) {
    throw new Error(`maxParallel must be at least 1, got ${options.maxParallel}`);
  }
  const definition = parseDefinition(options.definition);
  const prepared = prepareDefinition(definition, options.parameters ?? {});
  const python = options.python ?? path.join(REPO_ROOT, '.venv', 'bin', 'python');
  const needsPython = prepared.flat.some(({ step }) => PROCESS_STEPS.includes(step.Type as LocalStepType));
  if (needsPython && python.includes(path.sep) && !fs.existsSync(python)) {
    throw new Error(`Python interpreter not found at ${python}; create the environment with "npm run venv" or pass the python option`);
  }
  const seed = options.seed ?? hashSeed(sha256Hex(canonicalJson(definition)), executionId);
  return new PipelineExecution(options, prepared, executionId, seed).run();
}

/**
 * The Arguments that decide a cache hit, per step type, as SageMaker Pipelines documents them ("Default cache key
 * attributes by pipeline step type"). Outputs are not among them: a cached step keeps the outputs of the run it
 * reuses, so execution-scoped output prefixes don't defeat the cache.
 */
const CACHE_KEY_ATTRIBUTES: Partial<Record<LocalStepType, readonly string[]>> = {
  Processing: ['AppSpecification', 'Environment', 'ProcessingInputs'],
  Training: ['AlgorithmSpecification', 'CheckpointConfig', 'DebugHookConfig', 'DebugRuleConfigurations', 'Environment', 'HyperParameters', 'InputDataConfig'],
  Tuning: ['HyperParameterTuningJobConfig', 'TrainingJobDefinition', 'TrainingJobDefinitions'],
  Transform: ['DataProcessing', 'Environment', 'ModelName', 'TransformInput'],
};
/** Of a tuning step's TrainingJobDefinition, only these members decide a cache hit. */
const TUNING_DEFINITION_KEY_ATTRIBUTES = ['AlgorithmSpecification', 'HyperParameterRanges', 'InputDataConfig', 'StaticHyperParameters', 'TuningObjective'];

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]));
}

export function cacheKeyAttributes(type: LocalStepType, args: Record<string, unknown>): Record<string, unknown> {
  const attributes = pick(args, CACHE_KEY_ATTRIBUTES[type] ?? Object.keys(args));
  const definition = attributes.TrainingJobDefinition;
  if (type === 'Tuning' && definition !== null && typeof definition === 'object') {
    attributes.TrainingJobDefinition = pick(definition as Record<string, unknown>, TUNING_DEFINITION_KEY_ATTRIBUTES);
  }
  return attributes;
}
