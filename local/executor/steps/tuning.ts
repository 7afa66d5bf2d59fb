import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { StepFailure } from '../retry';
import { dimensionsFromRanges, hashSeed, TuningSampler, type Observation, type TuningStrategy } from '../tuning-sampler';
import type { TuningTrialRecord } from '../types';
import { asRecord, asString, cpuCount, jobName, sagemakerArn } from './common';
import type { StepContext } from './context';
import { runTrainingJob, type TrainingJobResult } from './training';

const STRATEGIES: readonly TuningStrategy[] = ['Bayesian', 'Random', 'Grid', 'Hyperband'];

interface TrialOutcome {
  readonly record: TuningTrialRecord;
  readonly result: TrainingJobResult;
  readonly unit: number[];
}

function summary(
  outcome: TrialOutcome,
  tuningJobName: string,
  objective: { Type: string; MetricName: string },
): Record<string, unknown> {
  const { record, result } = outcome;
  const props = result.properties;
  return {
    TrainingJobName: record.trainingJobName,
    TrainingJobArn: props.TrainingJobArn,
    TuningJobName: tuningJobName,
    CreationTime: record.startTime,
    TrainingStartTime: record.startTime,
    TrainingEndTime: record.endTime,
    TrainingJobStatus: record.status,
    TunedHyperParameters: record.tunedHyperParameters,
    ...(record.failureReason ? { FailureReason: record.failureReason } : {}),
    ...(record.objective
      ? {
          FinalHyperParameterTuningJobObjectiveMetric: {
            Type: objective.Type,
            MetricName: objective.MetricName,
            Value: record.objective.value,
          },
        }
      : {}),
    ObjectiveStatus: record.objective ? 'Succeeded' : 'Failed',
  };
}

/**
 * Runs a Tuning step: up to MaxNumberOfTrainingJobs script-mode training jobs, at most
 * min(MaxParallelTrainingJobs, maxParallel) at once, ranked by the objective metric.
 */
export async function runTuningStep(ctx: StepContext): Promise<Record<string, unknown>> {
  const args = ctx.args;
  const config = asRecord(args.HyperParameterTuningJobConfig, 'HyperParameterTuningJobConfig');
  const definition = asRecord(args.TrainingJobDefinition, 'TrainingJobDefinition');
  const strategy = (config.Strategy ?? 'Bayesian') as TuningStrategy;
  if (!STRATEGIES.includes(strategy)) {
    throw new StepFailure(`HyperParameterTuningJobConfig.Strategy ${JSON.stringify(config.Strategy)} is unknown (use ${STRATEGIES.join(', ')})`);
  }
  const objectiveConfig = asRecord(config.HyperParameterTuningJobObjective, 'HyperParameterTuningJobObjective');
  const objective = {
    Type: asString(objectiveConfig.Type, 'HyperParameterTuningJobObjective.Type'),
    MetricName: asString(objectiveConfig.MetricName, 'HyperParameterTuningJobObjective.MetricName'),
  };
  if (objective.Type !== 'Minimize' && objective.Type !== 'Maximize') {
    throw new StepFailure(`HyperParameterTuningJobObjective.Type must be Minimize or Maximize, got ${JSON.stringify(objective.Type)}`);
  }
  const algorithm = asRecord(definition.AlgorithmSpecification, 'TrainingJobDefinition.AlgorithmSpecification');
  const metricNames = ((algorithm.MetricDefinitions ?? []) as { Name?: unknown }[]).map((m) => String(m.Name));
  if (!metricNames.includes(objective.MetricName)) {
    throw new StepFailure(
      `Objective metric "${objective.MetricName}" has no MetricDefinitions entry (defined: ${metricNames.join(', ') || 'none'}); ` +
        'add a regex for it to TrainingJobDefinition.AlgorithmSpecification.MetricDefinitions',
    );
  }
  const limits = (config.ResourceLimits ?? {}) as Record<string, unknown>;
  const maxTrials = limits.MaxNumberOfTrainingJobs === undefined ? undefined : Number(limits.MaxNumberOfTrainingJobs);
  const maxParallelJobs = Number(limits.MaxParallelTrainingJobs ?? 1);
  let dimensions;
  let sampler: TuningSampler;
  try {
    dimensions = dimensionsFromRanges(config.ParameterRanges);
    sampler = new TuningSampler({
      strategy,
      dimensions,
      maxTrials,
      objectiveType: objective.Type,
      seed: hashSeed(String(ctx.seed), ctx.stepName, JSON.stringify(config)),
    });
  } catch (err) {
    throw new StepFailure((err as Error).message);
  }
  const staticHps = (definition.StaticHyperParameters ?? {}) as Record<string, unknown>;
  for (const d of dimensions) {
    if (staticHps[d.name] !== undefined) {
      throw new StepFailure(`Hyperparameter "${d.name}" is both static and tuned; remove it from StaticHyperParameters or from ParameterRanges`);
    }
  }

  // Tuning job names are at most 32 characters.
  const tuningJobName = jobName([ctx.stepName.slice(0, 12), ctx.execution.executionId, ctx.attempt > 1 ? `a${ctx.attempt}` : ''], 32);
  const tuningJobArn = sagemakerArn(ctx.execution, 'hyper-parameter-tuning-job', tuningJobName.toLowerCase());
  const parallel = Math.max(1, Math.min(maxParallelJobs, ctx.maxParallel, cpuCount()));
  const cpusPerTrial = Math.max(1, Math.floor(cpuCount() / parallel));
  const created = new Date().toISOString();
  const total = sampler.totalTrials;
  const outcomes: TrialOutcome[] = [];
  const pending = new Map<number, number[]>();
  let issued = 0;

  const observations = (): Observation[] =>
    outcomes.filter((o) => o.record.objective).map((o) => ({ unit: o.unit, value: o.record.objective!.value }));

  const runTrial = async (index: number, unit: number[], tuned: Record<string, string>): Promise<void> => {
    const hash = crypto.createHash('sha256').update(JSON.stringify(tuned)).digest('hex').slice(0, 8);
    const trialName = `${tuningJobName}-${String(index).padStart(3, '0')}-${hash}`;
    const hyperParameters: Record<string, string> = {};
    for (const [k, v] of Object.entries(staticHps)) hyperParameters[k] = String(v);
    Object.assign(hyperParameters, tuned);
    const trialDir = path.join(ctx.jobDir, trialName);
    fs.mkdirSync(trialDir, { recursive: true });
    const logFile = ctx.newLogFile(path.join(ctx.stepName, trialName));
    const trainingArgs: Record<string, unknown> = {
      ...definition,
      HyperParameters: hyperParameters,
      ResourceConfig: definition.ResourceConfig ?? definition.HyperParameterTuningResourceConfig,
    };
    const result = await runTrainingJob(ctx, {
      trainingJobName: trialName,
      args: trainingArgs,
      jobDir: trialDir,
      logFile,
      tuningJobArn,
      cpus: cpusPerTrial,
    });
    const objectiveMetric = result.metrics.find((m) => m.name === objective.MetricName);
    let failureReason = result.failureReason;
    if (result.status === 'Completed' && !objectiveMetric) {
      failureReason = `The objective metric "${objective.MetricName}" never matched its regex in the training log (${logFile})`;
    }
    const durationMs = Date.parse(result.endTime) - Date.parse(result.startTime);
    const record: TuningTrialRecord = {
      index,
      trainingJobName: trialName,
      tunedHyperParameters: tuned,
      status: result.status,
      ...(objectiveMetric && result.status === 'Completed'
        ? { objective: { metricName: objective.MetricName, value: objectiveMetric.final } }
        : {}),
      metrics: result.metrics,
      startTime: result.startTime,
      endTime: result.endTime,
      durationMs,
      ...(failureReason ? { failureReason } : {}),
      logFile,
    };
    outcomes.push({ record, result, unit });
    ctx.addTrial(record);
    ctx.emit({
      type: 'tuningTrialFinished',
      time: new Date().toISOString(),
      step: ctx.stepName,
      trial: record,
      finished: outcomes.length,
      total,
    });
  };

  // Each worker asks the sampler for the next proposal when it is free, so Bayesian proposals use every
  // result available at that moment.
  const worker = async (): Promise<void> => {
    for (;;) {
      if (ctx.signal?.aborted) return;
      const suggestion = sampler.next(observations(), [...pending.values()]);
      if (!suggestion) return;
      const index = ++issued;
      pending.set(index, suggestion.unit);
      try {
        await runTrial(index, suggestion.unit, suggestion.hyperParameters);
      } finally {
        pending.delete(index);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, total) }, () => worker()));

  const sign = objective.Type === 'Minimize' ? 1 : -1;
  const ranked = [...outcomes].sort((a, b) => {
    const av = a.record.objective?.value;
    const bv = b.record.objective?.value;
    if (av !== undefined && bv !== undefined) return sign * (av - bv) || a.record.index - b.record.index;
    if (av !== undefined) return -1;
    if (bv !== undefined) return 1;
    return a.record.index - b.record.index;
  });
  const summaries = ranked.map((o) => summary(o, tuningJobName, objective));
  const completed = outcomes.filter((o) => o.record.status === 'Completed').length;
  const withObjective = outcomes.filter((o) => o.record.objective).length;
  const ended = new Date().toISOString();
  const properties: Record<string, unknown> = {
    HyperParameterTuningJobName: tuningJobName,
    HyperParameterTuningJobArn: tuningJobArn,
    HyperParameterTuningJobConfig: config,
    TrainingJobDefinition: definition,
    HyperParameterTuningJobStatus: withObjective > 0 ? 'Completed' : 'Failed',
    CreationTime: created,
    HyperParameterTuningEndTime: ended,
    LastModifiedTime: ended,
    TrainingJobStatusCounters: {
      Completed: completed,
      InProgress: 0,
      RetryableError: 0,
      NonRetryableError: outcomes.length - completed,
      Stopped: 0,
    },
    ObjectiveStatusCounters: { Succeeded: withObjective, Pending: 0, Failed: outcomes.length - withObjective },
    TrainingJobSummaries: summaries,
    ...(withObjective > 0 ? { BestTrainingJob: summaries[0] } : {}),
  };
  if (withObjective === 0) {
    const first = ranked[0]?.record;
    const reason =
      `All ${outcomes.length} training jobs of tuning job ${tuningJobName} failed` +
      (first?.failureReason ? `; first failure (${first.trainingJobName}): ${first.failureReason}` : '');
    ctx.setProperties({ ...properties, FailureReason: reason });
    // Every trial failing the same way (e.g. a crash) keeps the first trial's retry classification.
    throw new StepFailure(reason, ranked[0]?.result.exceptionType);
  }
  return properties;
}
