/**
 * Local values for the pipeline definitions: the same `trainingPipelineDefinition` / `inferencePipelineDefinition`
 * that CDK deploys, called with local bucket names, a dummy role, real image URIs of a fixed region and script
 * URIs in local S3.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { imageUriForRegion } from '../lib/image-uris';
import {
  inferencePipelineDefinition,
  trainingPipelineDefinition,
  type FrameworkImageUris,
  type PipelineDefinition,
  type TrainingScriptUris,
} from '../lib/sagemaker-pipelines';
import { createTarGz } from '../lib/util/tar';
import problemTypes from '../ml/problem_types.json';
import type { LocalS3 } from './s3';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const ML_DIR = path.join(REPO_ROOT, 'ml');

/** Region whose SageMaker image URIs the local definitions name (the images are mapped to the venv locally). */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ROLE_ARN = 'arn:aws:iam::000000000000:role/local-sagemaker';

/** Local S3 buckets (folders under `<work dir>/s3`). */
export const LOCAL_BUCKETS = {
  /** Uploads from users and upstream systems, under `raw/`. */
  raw: 'mlops-local-raw-data',
  /** Pipeline artifacts: code, splits, models, evaluation, batch input and predictions. */
  artifacts: 'mlops-local-artifacts',
} as const;

export const TRAINING_PIPELINE_NAME = 'local-training-pipeline';
export const INFERENCE_PIPELINE_NAME = 'local-inference-pipeline';

/** Where the CLI puts its inputs in local S3. */
export const LOCAL_URIS = {
  rawInput: `s3://${LOCAL_BUCKETS.raw}/raw/input/`,
  code: `s3://${LOCAL_BUCKETS.artifacts}/code/`,
  batchInput: `s3://${LOCAL_BUCKETS.artifacts}/batch/input/`,
} as const;

export type LocalProblemType = keyof typeof problemTypes;

/** Model package group of a problem type (group names allow letters, digits and hyphens). */
export function modelPackageGroupName(problemType: LocalProblemType): string {
  return `local-${problemType.replace(/_/g, '-')}`;
}

/** The framework image URIs in `LOCAL_REGION`. */
export function localImageUris(): FrameworkImageUris {
  return { sklearn: imageUriForRegion('sklearn', LOCAL_REGION), xgboost: imageUriForRegion('xgboost', LOCAL_REGION) };
}

/** Files of the source tarball: the training and inference scripts, at the archive root. */
export const SOURCE_DIR_FILES = ['train.py', 'inference.py'] as const;

/**
 * Copies the ML code into local S3 the way the CDK app's assets do: preprocess.py and evaluate.py as single files,
 * train.py + inference.py as sourcedir.tar.gz (deterministic, so unchanged code keeps step caches valid).
 */
export function stageMlCode(s3: LocalS3, mlDir: string = ML_DIR): TrainingScriptUris {
  const read = (name: string): Buffer => {
    const file = path.join(mlDir, name);
    if (!fs.existsSync(file)) throw new Error(`ML script ${file} is missing; the local run needs ml/${name}`);
    return fs.readFileSync(file);
  };
  const uris: TrainingScriptUris = {
    preprocess: `${LOCAL_URIS.code}preprocess.py`,
    evaluate: `${LOCAL_URIS.code}evaluate.py`,
    sourceDir: `${LOCAL_URIS.code}sourcedir.tar.gz`,
  };
  s3.putObject(uris.preprocess, read('preprocess.py'));
  s3.putObject(uris.evaluate, read('evaluate.py'));
  s3.putObject(uris.sourceDir, createTarGz(SOURCE_DIR_FILES.map((name) => ({ name, data: read(name) }))));
  return uris;
}

export interface LocalTrainingOptions {
  readonly problemType: LocalProblemType;
  readonly labelColumn: string;
  readonly scriptUris: TrainingScriptUris;
  readonly trials: number;
  readonly parallel: number;
  readonly strategy: 'Random' | 'Bayesian';
  /** Seed of the data split. */
  readonly seed: number;
  /** @default - the definition's default (300) */
  readonly numRound?: number;
  /** @default - the definition's default */
  readonly earlyStoppingRounds?: number;
  /** CPU threads per training job. @default - the cores divided among the parallel trials */
  readonly threadsPerTrial?: number;
  /** Step caching of Preprocess, Tune and Evaluate. */
  readonly cache: boolean;
}

/** Threads per training job so that `parallel` trials share the machine's cores without oversubscribing. */
export function threadsPerTrial(parallel: number, cores: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, parallel)));
}

/** The training pipeline definition with local values. */
export function localTrainingDefinition(options: LocalTrainingOptions): PipelineDefinition {
  const threads = options.threadsPerTrial ?? threadsPerTrial(options.parallel, os.cpus().length);
  return trainingPipelineDefinition({
    problemType: options.problemType,
    labelColumn: options.labelColumn,
    roleArn: LOCAL_ROLE_ARN,
    artifactBucketName: LOCAL_BUCKETS.artifacts,
    artifactPrefix: 'training-pipeline',
    imageUris: localImageUris(),
    scriptUris: options.scriptUris,
    modelPackageGroupName: modelPackageGroupName(options.problemType),
    defaultInputDataUri: LOCAL_URIS.rawInput,
    tuning: {
      strategy: options.strategy,
      maxNumberOfTrainingJobs: options.trials,
      maxParallelTrainingJobs: options.parallel,
      ...(options.numRound !== undefined ? { numRound: options.numRound } : {}),
      ...(options.earlyStoppingRounds !== undefined ? { earlyStoppingRounds: options.earlyStoppingRounds } : {}),
      extraHyperParameters: { nthread: String(threads), seed: String(options.seed) },
    },
    split: { seed: options.seed },
    ...(options.cache ? { cacheConfig: { enabled: true, expireAfter: 'P30D' } } : {}),
  });
}

/** The inference pipeline definition with local values (model from a model package ARN parameter). */
export function localInferenceDefinition(options: { readonly cache: boolean }): PipelineDefinition {
  return inferencePipelineDefinition({
    roleArn: LOCAL_ROLE_ARN,
    artifactBucketName: LOCAL_BUCKETS.artifacts,
    predictionsPrefix: 'batch-predictions',
    modelSource: { kind: 'modelPackage' },
    defaultBatchInputUri: LOCAL_URIS.batchInput,
    ...(options.cache ? { cacheConfig: { enabled: true, expireAfter: 'P30D' } } : {}),
  });
}

/** The quality gate of a problem type: metric, direction and the training definition's default threshold. */
export function qualityGateOf(
  definition: PipelineDefinition,
  problemType: LocalProblemType,
): { metric: string; direction: 'Maximize' | 'Minimize'; defaultThreshold: number | undefined; reportKey: string } {
  const spec = problemTypes[problemType];
  const metric = spec.defaultGateMetric;
  const parameter = definition.Parameters.find((p) => p.Name === 'QualityThreshold');
  return {
    metric,
    direction: (spec.metrics as Record<string, string>)[metric] === 'Minimize' ? 'Minimize' : 'Maximize',
    defaultThreshold: typeof parameter?.DefaultValue === 'number' ? parameter.DefaultValue : undefined,
    reportKey: spec.reportKey,
  };
}
