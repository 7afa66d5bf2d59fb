import type { LocalModelRegistry } from '../registry';
import type { LocalS3 } from '../s3';
import type { LocalEnvironment } from '../stage/environment';
import type { PipelineDefinitionJson } from './definition';
import type { ExecutionEventListener } from './types';

/** How to run one pipeline definition locally. */
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
  /**
   * Interpreters that stand in for particular images, by image URI (a stage's custom images: `customImageInterpreters`
   * in ./images). Jobs on any other image run with {@link python}.
   * @default - none
   */
  readonly imageInterpreters?: Readonly<Record<string, string>>;
  /** Most child processes at once. @default - os.cpus().length */
  readonly maxParallel?: number;
  readonly onEvent?: ExecutionEventListener;
  /**
   * Account and region of the ARNs the execution makes (pipeline, execution, jobs, model packages): the stage's.
   * @default DEFAULT_LOCAL_ENVIRONMENT
   */
  readonly environment?: LocalEnvironment;
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
