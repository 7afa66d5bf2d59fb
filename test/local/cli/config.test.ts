import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { extractTarGz } from '../../../lib/util/tar';
import {
  LOCAL_BUCKETS,
  LOCAL_ROLE_ARN,
  LOCAL_URIS,
  localInferenceDefinition,
  localTrainingDefinition,
  modelPackageGroupName,
  qualityGateOf,
  stageMlCode,
  threadsPerTrial,
} from '../../../local/config';
import { LocalS3 } from '../../../local/s3';

describe('local pipeline values', () => {
  let dir: string;
  let s3: LocalS3;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-config-'));
    s3 = new LocalS3({ root: dir });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('stages the ML code in local S3: two scripts and the source tarball with train.py and inference.py', () => {
    const uris = stageMlCode(s3);
    expect(uris).toEqual({
      preprocess: `${LOCAL_URIS.code}preprocess.py`,
      evaluate: `${LOCAL_URIS.code}evaluate.py`,
      sourceDir: `${LOCAL_URIS.code}sourcedir.tar.gz`,
    });
    expect(s3.getText(uris.preprocess)).toContain('def ');
    const extracted = path.join(dir, 'extracted');
    expect(extractTarGz(s3.getObject(uris.sourceDir), extracted).map((f) => path.basename(f)).sort()).toEqual([
      'inference.py',
      'train.py',
    ]);
    // deterministic: staging the same code twice gives the same tarball (so step caches stay valid)
    const first = s3.getObject(uris.sourceDir);
    stageMlCode(s3);
    expect(s3.getObject(uris.sourceDir).equals(first)).toBe(true);
  });

  test('the training definition names local buckets, the dummy role, real image URIs and the staged code', () => {
    const scriptUris = stageMlCode(s3);
    const definition = localTrainingDefinition({
      problemType: 'binary_classification',
      labelColumn: 'churned',
      scriptUris,
      trials: 4,
      parallel: 2,
      strategy: 'Random',
      seed: 9,
      numRound: 30,
      threadsPerTrial: 1,
      cache: false,
    });
    const text = JSON.stringify(definition);
    expect(text).toContain(LOCAL_ROLE_ARN);
    expect(text).toContain('683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1');
    expect(text).toContain('sagemaker-scikit-learn:1.2-1-cpu-py3');
    expect(text).toContain(`s3://${LOCAL_BUCKETS.artifacts}/`);
    expect(text).toContain(JSON.stringify(JSON.stringify(scriptUris.sourceDir)));
    expect(text).not.toContain('CacheConfig');
    const tune = definition.Steps.find((s) => s.Name === 'Tune')!.Arguments as {
      HyperParameterTuningJobConfig: { Strategy: string; ResourceLimits: Record<string, number> };
      TrainingJobDefinition: { StaticHyperParameters: Record<string, string> };
    };
    expect(tune.HyperParameterTuningJobConfig.Strategy).toBe('Random');
    expect(tune.HyperParameterTuningJobConfig.ResourceLimits).toEqual({ MaxNumberOfTrainingJobs: 4, MaxParallelTrainingJobs: 2 });
    expect(tune.TrainingJobDefinition.StaticHyperParameters).toMatchObject({ num_round: '30', nthread: '1', seed: '9' });
    const input = definition.Parameters.find((p) => p.Name === 'InputDataUri');
    expect(input?.DefaultValue).toBe(LOCAL_URIS.rawInput);
    expect(text).toContain(modelPackageGroupName('binary_classification'));
    expect(modelPackageGroupName('binary_classification')).toBe('local-binary-classification');
    expect(qualityGateOf(definition, 'binary_classification')).toMatchObject({ metric: 'auc', direction: 'Maximize' });
  });

  test('the inference definition reads the model package ARN and the batch prefix as parameters', () => {
    const definition = localInferenceDefinition({ cache: true });
    expect(definition.Parameters.map((p) => p.Name)).toEqual(
      expect.arrayContaining(['ModelPackageArn', 'BatchInputUri']),
    );
    expect(definition.Parameters.find((p) => p.Name === 'BatchInputUri')?.DefaultValue).toBe(LOCAL_URIS.batchInput);
    expect(JSON.stringify(definition)).toContain('CacheConfig');
  });

  test('threads per trial share the cores among parallel trials', () => {
    expect(threadsPerTrial(2, 2)).toBe(1);
    expect(threadsPerTrial(1, 8)).toBe(8);
    expect(threadsPerTrial(16, 4)).toBe(1);
  });
});
