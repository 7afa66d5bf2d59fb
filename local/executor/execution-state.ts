import * as fs from 'fs';
import * as path from 'path';
import type { LocalModelRegistry } from '../registry';
import { BusyClock } from './busy-clock';
import { StepCache } from './cache';
import type { FlatStep } from './definition';
import type { ExecutePipelineOptions } from './options';
import { Semaphore } from './process';
import type { ExecutionIdentity } from './steps/context';
import { ModelStore } from './steps/model-store';
import type { ExecutionEvent, ExecutionRecord, StepRecord } from './types';
import type { PreparedDefinition } from './validate';

/**
 * What one running execution shares between its scheduler and its step runner: the record (saved after every
 * change), the step records, the failure or stop that ends it, and the resources its steps use.
 */
export class ExecutionState {
  readonly record: ExecutionRecord;
  readonly steps = new Map<string, StepRecord>();
  readonly flatByName = new Map<string, FlatStep>();
  /** Parsed property files, by `<step>\0<file>`. */
  readonly propertyFiles = new Map<string, unknown>();
  readonly models: ModelStore;
  readonly cache: StepCache;
  readonly semaphore: Semaphore;
  /** Time during which any script process of the execution ran. */
  readonly clock = new BusyClock();
  failure?: { step: string; reason: string };
  stopReason?: string;

  constructor(
    readonly options: ExecutePipelineOptions,
    readonly prepared: PreparedDefinition,
    readonly identity: ExecutionIdentity,
    readonly dir: string,
    readonly workDir: string,
    readonly python: string,
    readonly registry: LocalModelRegistry,
    readonly maxParallel: number,
    seed: number,
  ) {
    this.models = new ModelStore(path.join(workDir, 'models'));
    this.cache = new StepCache(path.join(workDir, 'cache'));
    this.semaphore = new Semaphore(maxParallel);
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
      pipelineName: identity.pipelineName,
      pipelineArn: identity.pipelineArn,
      executionId: identity.executionId,
      executionArn: identity.executionArn,
      status: 'Executing',
      startTime: new Date().toISOString(),
      processMs: 0,
      parameters: prepared.parameters,
      ...(prepared.ignored.length > 0 ? { ignoredSettings: prepared.ignored } : {}),
      seed,
      steps,
      graph: prepared.graph,
      executionDir: dir,
    };
  }

  /** The first failure ends the execution; later ones only mark their steps. */
  fail(step: string, reason: string): void {
    if (!this.failure) this.failure = { step, reason };
  }

  /** Marks a step Failed with `reason` and fails the execution with it. */
  failStep(name: string, reason: string): void {
    const rec = this.steps.get(name)!;
    rec.status = 'Failed';
    rec.failureReason = reason;
    rec.endTime ??= new Date().toISOString();
    if (rec.startTime) rec.durationMs = Date.parse(rec.endTime) - Date.parse(rec.startTime);
    this.fail(name, `Step "${name}" failed: ${reason}`);
    this.save();
  }

  /** Writes execution.json atomically (readers never see half of it). */
  save(): void {
    this.record.processMs = this.clock.ms;
    const file = path.join(this.dir, 'execution.json');
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(this.record, null, 2)}\n`);
    fs.renameSync(tmp, file);
  }

  emit(event: ExecutionEvent): void {
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
