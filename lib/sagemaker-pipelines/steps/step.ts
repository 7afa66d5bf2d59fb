import type {
  CacheConfigDefinition,
  JsonObject,
  RetryPolicyDefinition,
  StepDefinition,
} from '../definition';
import { Expressions, toJsonValue, type GetExpression } from '../expressions';
import type { RetryExceptionTypeName, StepTypeName } from '../step-types';

export { RetryExceptionType, type RetryExceptionTypeName } from '../step-types';

/** Step caching: a step whose arguments match a successful earlier run reuses its results. */
export interface CacheConfig {
  /** Whether the step's results may be reused. */
  readonly enabled: boolean;
  /**
   * How long a cached result stays usable, as an ISO-8601 duration (`P30D`, `PT12H`).
   *
   * @default - no expiry
   */
  readonly expireAfter?: string;
}

/** A retry policy of a step. Give `maxAttempts` or `expireAfterMin`, not both. */
export interface RetryPolicy {
  /** The failures this policy retries. */
  readonly exceptionTypes: readonly RetryExceptionTypeName[];
  /**
   * Seconds before the first retry (1 - 43200).
   *
   * @default 1
   */
  readonly intervalSeconds?: number;
  /**
   * Multiplier of the interval after each retry.
   *
   * @default 2.0
   */
  readonly backoffRate?: number;
  /**
   * Maximum number of retries (1 - 20).
   *
   * @default - the service default
   */
  readonly maxAttempts?: number;
  /**
   * Minutes after which retries stop (1 - 14400).
   *
   * @default - bounded by `maxAttempts` instead
   */
  readonly expireAfterMin?: number;
}

/** Options every step takes. */
export interface StepOptions {
  /**
   * Steps (or step names) that must finish before this one, beyond those it references in its arguments.
   *
   * @default - only the data dependencies
   */
  readonly dependsOn?: readonly (Step | string)[];
  /**
   * Name shown in SageMaker Studio.
   *
   * @default - the step name
   */
  readonly displayName?: string;
  /**
   * Description of the step.
   *
   * @default - none
   */
  readonly description?: string;
}

/** Options of steps that SageMaker can retry. */
export interface RetryableStepOptions extends StepOptions {
  /**
   * Retry policies of the step.
   *
   * @default - no retries
   */
  readonly retryPolicies?: readonly RetryPolicy[];
}

/** Options of job steps, which SageMaker can also cache. */
export interface JobStepOptions extends RetryableStepOptions {
  /**
   * Step caching.
   *
   * @default - not cached
   */
  readonly cacheConfig?: CacheConfig;
}

/** Renders a `CacheConfig` as definition JSON. */
export function renderCacheConfig(config: CacheConfig): CacheConfigDefinition {
  return { Enabled: config.enabled, ...(config.expireAfter !== undefined ? { ExpireAfter: config.expireAfter } : {}) };
}

/** Renders a `RetryPolicy` as definition JSON. */
export function renderRetryPolicy(policy: RetryPolicy): RetryPolicyDefinition {
  return {
    ExceptionType: [...policy.exceptionTypes],
    IntervalSeconds: policy.intervalSeconds ?? 1,
    BackoffRate: policy.backoffRate ?? 2.0,
    ...(policy.maxAttempts !== undefined ? { MaxAttempts: policy.maxAttempts } : {}),
    ...(policy.expireAfterMin !== undefined ? { ExpireAfterMin: policy.expireAfterMin } : {}),
  };
}

/** Base class of all steps: a name, a type and the step-level options; renders itself as definition JSON. */
export abstract class Step {
  protected constructor(
    /** The step name, unique in the pipeline (letters, digits, `-`, `_`; at most 64). */
    public readonly name: string,
    /** The step type. */
    public readonly type: StepTypeName,
    private readonly options: StepOptions & Partial<JobStepOptions>,
  ) {}

  /** `{"Get": "Steps.<name>.<path>"}`: a property of the step's Describe* response. */
  public property<T = string>(path: string): GetExpression<T> {
    return Expressions.stepProperty<T>(this.name, path);
  }

  /** The step as definition JSON. */
  public toDefinition(): StepDefinition {
    const { dependsOn, displayName, description, cacheConfig, retryPolicies } = this.options;
    return {
      Name: this.name,
      Type: this.type,
      Arguments: this.renderArguments(),
      ...(displayName !== undefined ? { DisplayName: displayName } : {}),
      ...(description !== undefined ? { Description: description } : {}),
      ...(dependsOn?.length ? { DependsOn: dependsOn.map((d) => (typeof d === 'string' ? d : d.name)) } : {}),
      ...(cacheConfig ? { CacheConfig: renderCacheConfig(cacheConfig) } : {}),
      ...(retryPolicies?.length ? { RetryPolicies: retryPolicies.map(renderRetryPolicy) } : {}),
      ...this.renderExtras(),
    };
  }

  /** The step's `Arguments`. */
  protected abstract renderArguments(): JsonObject;

  /** Further step-level members (e.g. `PropertyFiles`). */
  protected renderExtras(): Partial<StepDefinition> {
    return {};
  }
}

export function asObject(value: unknown): JsonObject {
  return toJsonValue(value) as JsonObject;
}
