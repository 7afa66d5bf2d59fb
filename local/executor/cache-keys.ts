import { joinS3, parseS3Uri, type LocalS3 } from '../s3';
import { canonicalJson, sha256Hex, type CacheEntry } from './cache';
import type { StepJson } from './definition';
import { decodeHyperParameter } from './steps/common';
import type { ModelStore } from './steps/model-store';
import type { LocalStepType } from './types';

/** Step types whose results the local cache keeps (those that run a job). */
export const CACHEABLE_STEP_TYPES: readonly LocalStepType[] = ['Processing', 'Training', 'Tuning', 'Transform'];

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

/** The members of a step's resolved Arguments that go into its cache key. */
export function cacheKeyAttributes(type: LocalStepType, args: Record<string, unknown>): Record<string, unknown> {
  const attributes = pick(args, CACHE_KEY_ATTRIBUTES[type] ?? Object.keys(args));
  const definition = attributes.TrainingJobDefinition;
  if (type === 'Tuning' && definition !== null && typeof definition === 'object') {
    attributes.TrainingJobDefinition = pick(definition as Record<string, unknown>, TUNING_DEFINITION_KEY_ATTRIBUTES);
  }
  return attributes;
}

type Json = Record<string, unknown> | undefined;

/** S3 inputs whose content belongs in the cache key (data and code). */
function cacheInputs(type: LocalStepType, args: Record<string, unknown>, models: ModelStore): string[] {
  const uris: string[] = [];
  const channels = (list: unknown): void => {
    for (const c of (Array.isArray(list) ? list : []) as Record<string, unknown>[]) {
      const uri = ((c.DataSource as Json)?.S3DataSource as Json)?.S3Uri;
      if (typeof uri === 'string') uris.push(uri);
    }
  };
  const submitDir = (hps: unknown): void => {
    const v = (hps as Json)?.sagemaker_submit_directory;
    if (v !== undefined) uris.push(decodeHyperParameter(v));
  };
  if (type === 'Processing') {
    for (const input of (args.ProcessingInputs ?? []) as Record<string, unknown>[]) {
      const uri = (input.S3Input as Json)?.S3Uri;
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
    const source = ((args.TransformInput as Json)?.DataSource as Json)?.S3DataSource as Json;
    if (typeof source?.S3Uri === 'string') uris.push(source.S3Uri);
    const model = models.get(String(args.ModelName));
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
export function stepCacheKey(
  step: StepJson,
  type: LocalStepType,
  args: Record<string, unknown>,
  s3: LocalS3,
  models: ModelStore,
): string {
  const inputs = cacheInputs(type, args, models).map((uri) => {
    parseS3Uri(uri);
    return { uri, content: s3.contentHash(uri) };
  });
  const attributes = cacheKeyAttributes(type, args);
  return sha256Hex(canonicalJson({ version: 2, type, attributes, propertyFiles: step.PropertyFiles ?? [], inputs }));
}

/** A cache entry is only reused while what it produced is still in local S3. */
export function cachedOutputsExist(s3: LocalS3, type: LocalStepType, entry: CacheEntry): boolean {
  const p = entry.properties;
  if (type === 'Processing') {
    const outputs = ((p.ProcessingOutputConfig as Json)?.Outputs ?? []) as Record<string, unknown>[];
    return outputs.every((o) => {
      const uri = (o.S3Output as Json)?.S3Uri;
      return typeof uri === 'string' && s3.list(uri).length > 0;
    });
  }
  if (type === 'Training') {
    const uri = (p.ModelArtifacts as Json)?.S3ModelArtifacts;
    return typeof uri === 'string' && s3.exists(uri);
  }
  if (type === 'Tuning') {
    const best = (p.BestTrainingJob as Json)?.TrainingJobName;
    const outputPath = ((p.TrainingJobDefinition as Json)?.OutputDataConfig as Json)?.S3OutputPath;
    return typeof best === 'string' && typeof outputPath === 'string' && s3.exists(joinS3(outputPath, best, 'output', 'model.tar.gz'));
  }
  if (type === 'Transform') {
    const uri = (p.TransformOutput as Json)?.S3OutputPath;
    return typeof uri === 'string' && s3.list(uri).length > 0;
  }
  return false;
}
