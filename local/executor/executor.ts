import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LocalModelRegistry } from '../registry';
import { DEFAULT_LOCAL_ENVIRONMENT } from '../stage/environment';
import { canonicalJson, sha256Hex } from './cache';
import { parseDefinition } from './definition';
import { ExecutionState } from './execution-state';
import { createExpressionContext } from './expression-context';
import type { ExecutePipelineOptions } from './options';
import { StepRunner } from './step-runner';
import { cpuCount } from './steps/common';
import { hashSeed } from './tuning-sampler';
import type { ExecutionRecord, LocalStepType } from './types';
import { prepareDefinition } from './validate';
import { jobImage } from './images';

export type { ExecutePipelineOptions } from './options';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** Step types that run a script, so need the Python interpreter. */
const PROCESS_STEPS: readonly LocalStepType[] = ['Processing', 'Training', 'Tuning', 'Transform'];
const PIPELINE_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}$/;

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

type Decision = 'wait' | 'start' | { notExecuted: string };

/**
 * The scheduler: starts every step whose dependencies are done, as soon as they are, and marks the steps that
 * cannot run any more (the branch a condition did not take, dependents of a failed step, anything after a stop).
 */
class Scheduler {
  private readonly runner: StepRunner;

  constructor(private readonly state: ExecutionState) {
    this.runner = new StepRunner(state, createExpressionContext(state));
  }

  async run(): Promise<ExecutionRecord> {
    const { state } = this;
    if (fs.existsSync(state.dir)) {
      throw new Error(`Execution folder ${state.dir} already exists; use another executionId`);
    }
    fs.mkdirSync(path.join(state.dir, 'logs'), { recursive: true });
    fs.writeFileSync(path.join(state.dir, 'definition.json'), `${JSON.stringify(state.prepared.definition, null, 2)}\n`);
    state.save();
    state.emit({
      type: 'executionStarted',
      time: state.record.startTime,
      pipelineName: state.identity.pipelineName,
      executionId: state.identity.executionId,
      executionDir: state.dir,
      ...(state.prepared.ignored.length > 0 ? { ignoredSettings: state.prepared.ignored } : {}),
    });

    const signal = state.options.signal;
    const onAbort = (): void => {
      const reason = signal?.reason instanceof Error ? signal.reason.message : signal?.reason;
      state.stopReason = `Execution stopped${reason !== undefined ? `: ${String(reason)}` : ''}`;
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });

    const running = new Map<string, Promise<void>>();
    const waiting = new Set(state.prepared.graph.nodes.map((n) => n.name));
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
            const promise = this.runner
              .run(name)
              .catch((err: unknown) => state.failStep(name, `internal error: ${(err as Error).stack ?? String(err)}`))
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
    return this.finish();
  }

  private finish(): ExecutionRecord {
    const { state } = this;
    const { record } = state;
    const end = new Date();
    record.status = state.stopReason ? 'Stopped' : state.failure ? 'Failed' : 'Succeeded';
    if (state.stopReason) {
      record.failureReason = state.stopReason;
    } else if (state.failure) {
      record.failureReason = state.failure.reason;
      record.failedStep = state.failure.step;
    }
    record.endTime = end.toISOString();
    record.durationMs = end.getTime() - Date.parse(record.startTime);
    record.processMs = state.clock.ms;
    state.save();
    state.emit({
      type: 'executionFinished',
      time: record.endTime,
      status: record.status,
      ...(record.failureReason ? { failureReason: record.failureReason } : {}),
      durationMs: record.durationMs,
    });
    return record;
  }

  private decide(name: string): Decision {
    const decision = this.decideFromEdges(name);
    if (decision === 'wait' || decision === 'start') {
      if (this.state.stopReason) return { notExecuted: 'the execution was stopped before this step could start' };
      if (this.state.failure) return { notExecuted: `the execution failed at step "${this.state.failure.step}" before this step could start` };
    }
    return decision;
  }

  private decideFromEdges(name: string): Decision {
    let wait = false;
    for (const edge of this.state.prepared.graph.edges) {
      if (edge.to !== name) continue;
      const from = this.state.steps.get(edge.from)!;
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
    const rec = this.state.steps.get(name)!;
    rec.status = 'NotExecuted';
    rec.notExecutedReason = reason;
    this.state.emit({ type: 'stepNotExecuted', time: new Date().toISOString(), step: name, stepType: rec.type, reason });
    this.state.save();
  }
}

/**
 * Runs a SageMaker pipeline definition locally: validates it (nothing runs when it is malformed or uses what local
 * mode cannot run), then executes its steps as a DAG with bounded concurrency, recording everything under
 * `<workDir>/executions/<pipelineName>/<executionId>/`. Resolves with the record whether the execution succeeded or
 * failed; rejects only when it could not start (invalid definition, parameters or options).
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
  const interpreters = options.imageInterpreters ?? {};
  const missing = prepared.flat
    .map(({ step }) => ({ step, image: jobImage(step) }))
    .filter(({ image }) => typeof image === 'string' && interpreters[image] !== undefined)
    .filter(({ image }) => interpreters[image as string].includes(path.sep) && !fs.existsSync(interpreters[image as string]));
  if (missing.length > 0) {
    throw new Error(
      missing.map(({ step, image }) => `step "${step.Name}" runs the custom image ${String(image)}, which local mode runs with that ` +
        `image's pinned requirements in ${interpreters[image as string]}`).join('; ') +
        `: it is missing. Create it with "bash scripts/container-parity.sh xgboost" (it needs Python 3.8)`,
    );
  }
  const seed = options.seed ?? hashSeed(sha256Hex(canonicalJson(definition)), executionId);
  const workDir = path.resolve(options.workDir ?? path.join(REPO_ROOT, '.local'));
  const { account, region } = options.environment ?? DEFAULT_LOCAL_ENVIRONMENT;
  const pipelineArn = `arn:aws:sagemaker:${region}:${account}:pipeline/${options.pipelineName.toLowerCase()}`;
  const state = new ExecutionState(
    options,
    prepared,
    {
      account,
      region,
      pipelineName: options.pipelineName,
      pipelineArn,
      executionId,
      executionArn: `${pipelineArn}/execution/${executionId}`,
    },
    executionDirectory(workDir, options.pipelineName, executionId),
    workDir,
    python,
    options.registry ?? new LocalModelRegistry({ root: path.join(workDir, 'registry'), environment: { account, region } }),
    Math.max(1, Math.floor(options.maxParallel ?? cpuCount())),
    seed,
  );
  return new Scheduler(state).run();
}
