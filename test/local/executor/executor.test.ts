import * as fs from 'fs';
import * as path from 'path';
import { executePipeline, loadExecutionRecord, type ExecutionEvent, type ExecutionRecord, type StepRecord } from '../../../local/executor';
import { BUCKET, fixturePipeline, newWorkspace, PYTHON, removeTemporaryFolders } from './helpers';

afterAll(removeTemporaryFolders);

function step(record: ExecutionRecord, name: string): StepRecord {
  const found = record.steps.find((s) => s.name === name);
  if (!found) throw new Error(`no step ${name} in record`);
  return found;
}

describe('executePipeline on a fixture training pipeline', () => {
  test('runs Processing → Tuning → Evaluate → Condition → Register and records everything', async () => {
    // GIVEN
    const ws = newWorkspace();
    const events: ExecutionEvent[] = [];
    // WHEN
    const record = await executePipeline({
      definition: JSON.stringify(fixturePipeline()),
      pipelineName: 'fixture-training',
      s3: ws.s3,
      registry: ws.registry,
      workDir: ws.workDir,
      python: PYTHON,
      executionId: 'exec-pass',
      seed: 7,
      onEvent: (e) => events.push(e),
    });

    // THEN the execution succeeded and the right branch ran
    expect(record.failureReason).toBeUndefined();
    expect(record.status).toBe('Succeeded');
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['Prep', 'Succeeded'],
      ['Tune', 'Succeeded'],
      ['Evaluate', 'Succeeded'],
      ['Check', 'Succeeded'],
      ['Register', 'Succeeded'],
      ['QualityGateFailed', 'NotExecuted'],
    ]);
    expect(step(record, 'QualityGateFailed').notExecutedReason).toMatch(/condition "Check" evaluated to true/);
    expect(step(record, 'Check').conditionOutcome).toBe(true);
    expect(step(record, 'Check').properties).toEqual({ Outcome: 'True' });

    // Processing: inputs staged (prefix keeps relative paths), /opt/ml paths rewritten, outputs uploaded
    expect(ws.s3.getText(`s3://${BUCKET}/prep/train/a.txt`)).toBe('HELLO\nWORLD\n');
    expect(ws.s3.getText(`s3://${BUCKET}/prep/train/nested/b.txt`)).toBe('SECOND FILE\n');
    const report = JSON.parse(ws.s3.getText(`s3://${BUCKET}/prep/report/report.json`));
    expect(report.env).toBe(path.join(record.executionDir, 'steps', 'Prep', 'opt/ml/processing/report'));
    const prep = step(record, 'Prep').properties!;
    expect(prep.ProcessingJobStatus).toBe('Completed');
    expect(prep.ProcessingJobName).toBe('pipelines-exec-pass-Prep');
    expect(prep.ProcessingJobArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:processing-job/pipelines-exec-pass-Prep');

    // Tuning: 3 trials, ranked best first, names <tuning-job>-NNN-<hash>
    const tune = step(record, 'Tune');
    expect(tune.trials).toHaveLength(3);
    interface Summary {
      TrainingJobName: string;
      TrainingJobStatus: string;
      TunedHyperParameters: Record<string, string>;
      FinalHyperParameterTuningJobObjectiveMetric: { MetricName: string; Value: number };
    }
    const summaries = tune.properties!.TrainingJobSummaries as Summary[];
    expect(summaries).toHaveLength(3);
    const values = summaries.map((s) => s.FinalHyperParameterTuningJobObjectiveMetric.Value);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
    expect(tune.properties!.BestTrainingJob).toEqual(summaries[0]);
    for (const s of summaries) {
      expect(s.TrainingJobName).toMatch(/^Tune-exec-pass-00[1-3]-[0-9a-f]{8}$/);
      expect(s.TrainingJobStatus).toBe('Completed');
      expect(Object.keys(s.TunedHyperParameters).sort()).toEqual(['booster', 'depth', 'x']);
      expect(Number(s.TunedHyperParameters.x)).toBeGreaterThanOrEqual(0);
      expect(Number(s.TunedHyperParameters.x)).toBeLessThanOrEqual(1);
      expect(Number.isInteger(Number(s.TunedHyperParameters.depth))).toBe(true);
      expect(['gbtree', 'dart']).toContain(s.TunedHyperParameters.booster);
    }
    expect(tune.properties!.TrainingJobStatusCounters).toMatchObject({ Completed: 3, NonRetryableError: 0 });

    // Training job contract: code extracted, channels, SM_* env, sorted --key value argv, model archive
    const best = summaries[0].TrainingJobName as string;
    const modelUri = `s3://${BUCKET}/models/${best}/output/model.tar.gz`;
    expect(ws.s3.exists(modelUri)).toBe(true);
    expect(ws.s3.exists(`s3://${BUCKET}/models/${best}/output/output.tar.gz`)).toBe(true);
    const trialModel = JSON.parse(
      fs.readFileSync(path.join(record.executionDir, 'steps', 'Tune', best, 'opt/ml/model/model.json'), 'utf8'),
    );
    const tuned = summaries[0].TunedHyperParameters;
    expect(trialModel.argv).toEqual(['--booster', tuned.booster, '--depth', tuned.depth, '--rounds', '3', '-x', tuned.x]);
    expect(trialModel.rows).toBe(3);
    expect(trialModel.cwd).toBe(path.join(record.executionDir, 'steps', 'Tune', best, 'opt/ml/code'));
    expect(JSON.parse(trialModel.env.SM_CHANNELS)).toEqual(['train']);
    expect(trialModel.env.SM_CHANNEL_TRAIN).toBe(path.join(record.executionDir, 'steps', 'Tune', best, 'opt/ml/input/data/train'));
    expect(trialModel.env.SM_MODEL_DIR).toBe(path.join(record.executionDir, 'steps', 'Tune', best, 'opt/ml/model'));
    expect(JSON.parse(trialModel.env.SM_HPS)).toEqual({ booster: tuned.booster, depth: Number(tuned.depth), rounds: 3, x: Number(tuned.x) });
    expect(trialModel.env.SM_CURRENT_HOST).toBe('algo-1');
    expect(JSON.parse(trialModel.env.SM_HOSTS)).toEqual(['algo-1']);
    const hps = JSON.parse(
      fs.readFileSync(path.join(record.executionDir, 'steps', 'Tune', best, 'opt/ml/input/config/hyperparameters.json'), 'utf8'),
    );
    expect(hps.sagemaker_program).toBe('"train_quadratic.py"');
    // metrics: the last match is the final value; the series is kept
    const trial = tune.trials!.find((t) => t.trainingJobName === best)!;
    const rmse = trial.metrics.find((m) => m.name === 'validation:rmse')!;
    expect(rmse.values).toHaveLength(3);
    expect(rmse.final).toBe(rmse.values[2]);
    expect(trial.objective).toEqual({ metricName: 'validation:rmse', value: rmse.final });

    // Evaluate read the best model; the condition read the property file; Register stored metrics
    const evaluation = JSON.parse(ws.s3.getText(`s3://${BUCKET}/eval/exec-pass/evaluation.json`));
    expect(evaluation.regression_metrics.rmse.value).toBeCloseTo(trialModel.loss, 6);
    const register = step(record, 'Register').properties!;
    expect(register.ModelPackageArn).toBe('arn:aws:sagemaker:us-east-1:000000000000:model-package/fixture-models/1');
    const pkg = ws.registry.describeModelPackage(String(register.ModelPackageArn));
    expect(pkg.ModelApprovalStatus).toBe('PendingManualApproval');
    expect(pkg.Metrics).toEqual(evaluation);
    expect(pkg.InferenceSpecification!.Containers[0].ModelDataUrl).toBe(modelUri);

    // Record on disk, graph, logs, timings
    expect(loadExecutionRecord(ws.workDir, 'fixture-training', 'exec-pass')).toEqual(JSON.parse(JSON.stringify(record)));
    expect(record.graph.edges).toEqual(
      expect.arrayContaining([
        { from: 'Prep', to: 'Tune', kind: 'data' },
        { from: 'Tune', to: 'Evaluate', kind: 'data' },
        { from: 'Evaluate', to: 'Check', kind: 'data' },
        { from: 'Check', to: 'Register', kind: 'if' },
        { from: 'Check', to: 'QualityGateFailed', kind: 'else' },
      ]),
    );
    expect(record.graph.nodes.find((n) => n.name === 'Register')).toEqual({
      name: 'Register',
      type: 'RegisterModel',
      branch: { condition: 'Check', side: 'if' },
    });
    for (const s of record.steps.filter((x) => ['Prep', 'Tune', 'Evaluate'].includes(x.name))) {
      expect(s.logFiles.length).toBeGreaterThan(0);
      for (const f of s.logFiles) expect(fs.existsSync(f)).toBe(true);
      expect(s.processMs).toBeGreaterThan(0);
      expect(s.durationMs!).toBeGreaterThanOrEqual(s.processMs - 5);
      expect(s.attempts).toHaveLength(1);
    }
    expect(fs.readFileSync(step(record, 'Prep').logFiles[0], 'utf8')).toContain('processed 2 files');
    expect(record.processMs).toBeGreaterThan(0);
    expect(record.processMs).toBeLessThanOrEqual(record.durationMs!);

    // Events
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('executionStarted');
    expect(types[types.length - 1]).toBe('executionFinished');
    expect(events.filter((e) => e.type === 'tuningTrialFinished')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'stepSucceeded').map((e) => (e as { step: string }).step)).toEqual(
      expect.arrayContaining(['Prep', 'Tune', 'Evaluate', 'Check', 'Register']),
    );
    expect(events).toContainEqual(expect.objectContaining({ type: 'conditionEvaluated', step: 'Check', outcome: true }));
    expect(events).toContainEqual(expect.objectContaining({ type: 'stepNotExecuted', step: 'QualityGateFailed' }));
  });

  test('takes the Fail branch when the metric misses the threshold, with the resolved message', async () => {
    const ws = newWorkspace();
    const record = await executePipeline({
      definition: fixturePipeline(),
      pipelineName: 'fixture-training',
      parameters: { Threshold: '-1', ApprovalStatus: 'Approved' },
      s3: ws.s3,
      registry: ws.registry,
      workDir: ws.workDir,
      python: PYTHON,
      executionId: 'exec-fail',
      seed: 7,
    });
    expect(record.status).toBe('Failed');
    expect(record.parameters).toEqual({ InputUri: `s3://${BUCKET}/data/input`, Threshold: -1, ApprovalStatus: 'Approved' });
    expect(record.failureReason).toMatch(/^rmse \d+(\.\d+)?(e-?\d+)? is above the threshold -1\.0$/);
    expect(record.failedStep).toBe('QualityGateFailed');
    expect(step(record, 'Check').conditionOutcome).toBe(false);
    expect(step(record, 'QualityGateFailed').status).toBe('Failed');
    expect(step(record, 'QualityGateFailed').failureReason).toBe(record.failureReason);
    expect(step(record, 'Register').status).toBe('NotExecuted');
    expect(ws.registry.listModelPackages('fixture-models')).toEqual([]);
    // the same seed reproduces the same tuning proposals
    const again = await executePipeline({
      definition: fixturePipeline(),
      pipelineName: 'fixture-training',
      parameters: { Threshold: -1 },
      s3: ws.s3,
      workDir: ws.workDir,
      python: PYTHON,
      executionId: 'exec-fail-2',
      seed: 7,
    });
    const proposals = (r: ExecutionRecord) =>
      step(r, 'Tune')
        .trials!.map((t) => JSON.stringify(t.tunedHyperParameters))
        .sort();
    expect(proposals(again)).toEqual(proposals(record));
  });

  test('Grid tuning enumerates categorical values; failed trials are recorded and ranked last', async () => {
    const ws = newWorkspace();
    const definition = fixturePipeline({ strategy: 'Grid' });
    const tune = definition.Steps[1] as unknown as {
      Arguments: {
        HyperParameterTuningJobConfig: { ResourceLimits: Record<string, number>; ParameterRanges: Record<string, unknown> };
        TrainingJobDefinition: { StaticHyperParameters: Record<string, string> };
      };
    };
    tune.Arguments.HyperParameterTuningJobConfig.ParameterRanges = {
      CategoricalParameterRanges: [
        { Name: 'booster', Values: ['gbtree', 'dart'] },
        { Name: 'fail', Values: ['yes', 'no'] },
      ],
    };
    delete tune.Arguments.HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs;
    Object.assign(tune.Arguments.TrainingJobDefinition.StaticHyperParameters, { x: '0.3', depth: '4' });
    const record = await executePipeline({
      definition,
      pipelineName: 'fixture-grid',
      s3: ws.s3,
      registry: ws.registry,
      workDir: ws.workDir,
      python: PYTHON,
      executionId: 'grid-1',
    });
    expect(record.status).toBe('Succeeded');
    const trials = step(record, 'Tune').trials!;
    expect(trials.map((t) => `${t.tunedHyperParameters.booster}/${t.tunedHyperParameters.fail}`).sort()).toEqual([
      'dart/no',
      'dart/yes',
      'gbtree/no',
      'gbtree/yes',
    ]);
    for (const t of trials) {
      expect(t.status).toBe(t.tunedHyperParameters.fail === 'yes' ? 'Failed' : 'Completed');
      if (t.status === 'Failed') expect(t.failureReason).toContain('training failed on purpose');
    }
    const summaries = step(record, 'Tune').properties!.TrainingJobSummaries as { TunedHyperParameters: Record<string, string>; TrainingJobStatus: string }[];
    // gbtree has the lower loss in the fixture; failed trials come last
    expect(summaries.map((s) => [s.TunedHyperParameters.booster, s.TrainingJobStatus])).toEqual([
      ['gbtree', 'Completed'],
      ['dart', 'Completed'],
      [expect.any(String), 'Failed'],
      [expect.any(String), 'Failed'],
    ]);
    expect(step(record, 'Tune').properties!.TrainingJobStatusCounters).toMatchObject({ Completed: 2, NonRetryableError: 2 });
    // never more than MaxParallelTrainingJobs (2) trials at once
    const points = trials.flatMap((t) => [
      { at: Date.parse(t.startTime), d: 1 },
      { at: Date.parse(t.endTime), d: -1 },
    ]);
    points.sort((a, b) => a.at - b.at || a.d - b.d);
    let active = 0;
    let peak = 0;
    for (const p of points) peak = Math.max(peak, (active += p.d));
    expect(peak).toBeLessThanOrEqual(2);
  });
});
