import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { trainingPipelineDefinition, type TrainingPipelineProps } from '../../../lib/sagemaker-pipelines';
import { createTarGz } from '../../../lib/util/tar';
import { executePipeline, type ExecutionRecord } from '../../../local/executor';
import { LocalModelRegistry } from '../../../local/registry';
import { LocalS3 } from '../../../local/s3';
import { PYTHON, REPO, removeTemporaryFolders, temporaryFolder } from './helpers';
import { SOURCE_DIR_FILES } from '../../../lib/sagemaker-pipelines/serving';

afterAll(removeTemporaryFolders);

const ARTIFACTS = 'local-artifacts';
const DATA = 'local-data';

/** The real definition with local values, and the real ml/ scripts in local S3. */
function setUp(): { s3: LocalS3; registry: LocalModelRegistry; workDir: string; props: TrainingPipelineProps } {
  const root = temporaryFolder('training-pipeline-');
  const s3 = new LocalS3({ root: path.join(root, 's3') });
  const workDir = path.join(root, 'work');
  const registry = new LocalModelRegistry({ root: path.join(workDir, 'registry') });
  const ml = path.join(REPO, 'ml');
  const statisticsHash = createHash('sha256').update(fs.readFileSync(path.join(ml, 'baseline_statistics.py'))).digest('hex');
  const baselineStatisticsUri = `s3://${ARTIFACTS}/code/${statisticsHash}.py`;
  s3.putFile(`s3://${ARTIFACTS}/code/preprocess.py`, path.join(ml, 'preprocess.py'));
  s3.putFile(`s3://${ARTIFACTS}/code/evaluate.py`, path.join(ml, 'evaluate.py'));
  s3.putFile(`s3://${ARTIFACTS}/code/baseline.py`, path.join(ml, 'baseline.py'));
  // Named by content hash, as the CDK asset is: the Baseline job finds it through its environment, not its name.
  s3.putFile(baselineStatisticsUri, path.join(ml, 'baseline_statistics.py'));
  s3.putObject(
    `s3://${ARTIFACTS}/code/sourcedir.tar.gz`,
    createTarGz(SOURCE_DIR_FILES.map((name) => ({ name, data: fs.readFileSync(path.join(ml, name)) }))),
  );
  const csv = path.join(root, 'data.csv');
  execFileSync(PYTHON, [path.join(ml, 'sample_data.py'), '--rows', '400', '--seed', '5', '--problem-type', 'regression', '--output', csv]);
  s3.putFile(`s3://${DATA}/curated/data.csv`, csv);
  const props: TrainingPipelineProps = {
    problemType: 'regression',
    labelColumn: 'target',
    roleArn: 'arn:aws:iam::000000000000:role/local',
    artifactBucketName: ARTIFACTS,
    imageUris: {
      sklearn: '000000000000.dkr.ecr.local.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3',
      xgboost: '000000000000.dkr.ecr.local.amazonaws.com/sagemaker-xgboost:1.7-1',
    },
    scriptUris: {
      preprocess: `s3://${ARTIFACTS}/code/preprocess.py`,
      evaluate: `s3://${ARTIFACTS}/code/evaluate.py`,
      baseline: `s3://${ARTIFACTS}/code/baseline.py`,
      baselineStatistics: baselineStatisticsUri,
      sourceDir: `s3://${ARTIFACTS}/code/sourcedir.tar.gz`,
    },
    modelPackageGroupName: 'local-regression',
    defaultInputDataUri: `s3://${DATA}/curated/`,
    tuning: { strategy: 'Bayesian', maxNumberOfTrainingJobs: 3, maxParallelTrainingJobs: 2, numRound: 15, earlyStoppingRounds: 5 },
  };
  return { s3, registry, workDir, props };
}

describe('the training pipeline definition, executed locally with the real ML scripts', () => {
  const env = setUp();
  const run = (executionId: string, parameters: Record<string, unknown>, props: Partial<TrainingPipelineProps> = {}): Promise<ExecutionRecord> =>
    executePipeline({
      definition: trainingPipelineDefinition({ ...env.props, ...props }),
      pipelineName: 'training',
      parameters,
      s3: env.s3,
      registry: env.registry,
      workDir: env.workDir,
      python: PYTHON,
      executionId,
      seed: 11,
    });

  test('passes the quality gate and registers the best model', async () => {
    const record = await run('gate-pass', { QualityThreshold: 0.0 });
    expect(record.failureReason).toBeUndefined();
    expect(record.steps.map((s) => [s.name, s.status])).toEqual([
      ['Preprocess', 'Succeeded'],
      ['Baseline', 'Succeeded'],
      ['Tune', 'Succeeded'],
      ['Evaluate', 'Succeeded'],
      ['CheckQuality', 'Succeeded'],
      ['Register', 'Succeeded'],
      ['QualityGateFailed', 'NotExecuted'],
    ]);
    const tune = record.steps.find((s) => s.name === 'Tune')!;
    expect(tune.trials).toHaveLength(3);
    expect(tune.trials!.every((t) => t.status === 'Completed' && t.objective!.metricName === 'validation:rmse')).toBe(true);
    const best = (tune.properties!.BestTrainingJob as { TrainingJobName: string; FinalHyperParameterTuningJobObjectiveMetric: { Value: number } });
    expect(best.FinalHyperParameterTuningJobObjectiveMetric.Value).toBe(Math.min(...tune.trials!.map((t) => t.objective!.value)));

    const pkg = env.registry.describeModelPackage(String(record.steps.find((s) => s.name === 'Register')!.properties!.ModelPackageArn));
    expect(pkg.ModelPackageGroupName).toBe('local-regression');
    expect(pkg.ModelApprovalStatus).toBe('PendingManualApproval');
    const metrics = pkg.Metrics as { regression_metrics: Record<string, { value: number }> };
    expect(metrics.regression_metrics.r2.value).toBeGreaterThan(0);
    const container = pkg.InferenceSpecification!.Containers[0];
    expect(container.ModelDataUrl).toContain(`/${best.TrainingJobName}/output/model.tar.gz`);
    expect(env.s3.exists(String(container.ModelDataUrl))).toBe(true);
    expect(container.Environment).toMatchObject({ SAGEMAKER_PROGRAM: 'inference.py' });
    // the data-quality baseline the version carries, in Model Monitor's formats
    const dataQuality = pkg.ModelMetrics?.ModelDataQuality as { Statistics: { S3Uri: string }; Constraints: { S3Uri: string } };
    const statistics = JSON.parse(env.s3.getText(dataQuality.Statistics.S3Uri));
    const constraints = JSON.parse(env.s3.getText(dataQuality.Constraints.S3Uri));
    expect(statistics.dataset.item_count).toBeGreaterThan(0);
    expect(constraints.features.map((f: { name: string }) => f.name)).toEqual(statistics.features.map((f: { name: string }) => f.name));
    expect(pkg.CustomerMetadataProperties?.TestDataUri).toMatch(/\/gate-pass\/preprocess\/test$/);
  });

  test('fails at the quality gate with the Fail step message when the threshold is out of reach', async () => {
    const record = await run('gate-fail', { QualityThreshold: 0.999999 });
    expect(record.status).toBe('Failed');
    expect(record.failedStep).toBe('QualityGateFailed');
    expect(record.steps.find((s) => s.name === 'Register')!.status).toBe('NotExecuted');
    expect(record.failureReason).toBe(record.steps.find((s) => s.name === 'QualityGateFailed')!.failureReason);
    expect(record.failureReason).toMatch(/r2/);
    expect(record.failureReason).toMatch(/0\.999999/);
  });

  test('with caching on, a second execution reuses Preprocess, Baseline, Tune and Evaluate although outputs are execution-scoped', async () => {
    const cacheConfig = { enabled: true, expireAfter: 'P1D' };
    const first = await run('cache-1', { QualityThreshold: 0.0 }, { cacheConfig });
    expect(first.status).toBe('Succeeded');
    const second = await run('cache-2', { QualityThreshold: 0.0 }, { cacheConfig });
    expect(second.status).toBe('Succeeded');
    expect(second.steps.map((s) => [s.name, s.status])).toEqual([
      ['Preprocess', 'Cached'],
      ['Baseline', 'Cached'],
      ['Tune', 'Cached'],
      ['Evaluate', 'Cached'],
      ['CheckQuality', 'Succeeded'],
      ['Register', 'Succeeded'],
      ['QualityGateFailed', 'NotExecuted'],
    ]);
    // the cached steps point at the first execution's outputs, and the new model version uses them
    const evaluate = second.steps.find((s) => s.name === 'Evaluate')!;
    expect(evaluate.cacheHit).toMatchObject({ sourceExecutionId: 'cache-1' });
    const arns = [first, second].map((r) => String(r.steps.find((s) => s.name === 'Register')!.properties!.ModelPackageArn));
    const [v1, v2] = arns.map((arn) => env.registry.describeModelPackage(arn));
    expect(v2.ModelPackageVersion).toBe(v1.ModelPackageVersion + 1);
    expect(v2.InferenceSpecification!.Containers[0].ModelDataUrl).toBe(v1.InferenceSpecification!.Containers[0].ModelDataUrl);
    expect(v2.Metrics).toEqual(v1.Metrics);
  });
});
