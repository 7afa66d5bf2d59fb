/**
 * JSON shapes of a SageMaker pipeline definition (version 2020-12-01), as the service accepts them.
 * These are plain data types: `JSON.stringify` of a `PipelineDefinition` is the definition document.
 */

/** Any JSON value; expressions (`Get`, `Std:Join`, `Std:JsonGet`) are JSON objects too. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON object. */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** The definition format version that SageMaker Pipelines accepts. */
export const PIPELINE_DEFINITION_VERSION = '2020-12-01';

/** Pipeline parameter types. */
export type ParameterTypeName = 'String' | 'Integer' | 'Float' | 'Boolean';

/** A declared pipeline parameter. */
export interface ParameterDefinition {
  readonly Name: string;
  readonly Type: ParameterTypeName;
  /** Omitted when the parameter must be given at each execution. */
  readonly DefaultValue?: string | number | boolean;
  readonly EnumValues?: readonly string[];
}

export type { StepTypeName } from './step-types';
import type { StepTypeName } from './step-types';

/** `CacheConfig` of a step. */
export interface CacheConfigDefinition {
  readonly Enabled: boolean;
  /** ISO-8601 duration, e.g. `P30D`, `PT12H`. */
  readonly ExpireAfter?: string;
}

/** One entry of a step's `RetryPolicies`. */
export interface RetryPolicyDefinition {
  readonly ExceptionType: readonly string[];
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
  readonly MaxAttempts?: number;
  readonly ExpireAfterMin?: number;
}

/** A `PropertyFile` declared on a Processing step. */
export interface PropertyFileDefinition {
  readonly PropertyFileName: string;
  readonly OutputName: string;
  readonly FilePath: string;
}

/** One step of the definition (Condition steps nest full steps in `Arguments.IfSteps` / `ElseSteps`). */
export interface StepDefinition {
  readonly Name: string;
  readonly Type: StepTypeName | string;
  readonly Arguments: JsonObject;
  readonly DisplayName?: string;
  readonly Description?: string;
  readonly DependsOn?: readonly string[];
  readonly CacheConfig?: CacheConfigDefinition;
  readonly RetryPolicies?: readonly RetryPolicyDefinition[];
  readonly PropertyFiles?: readonly PropertyFileDefinition[];
}

/** `PipelineExperimentConfig` of a definition. */
export interface PipelineExperimentConfigDefinition {
  readonly ExperimentName: JsonValue;
  readonly TrialName: JsonValue;
}

/** A complete pipeline definition document. */
export interface PipelineDefinition {
  readonly Version: typeof PIPELINE_DEFINITION_VERSION;
  readonly Metadata: JsonObject;
  readonly Parameters: readonly ParameterDefinition[];
  readonly PipelineExperimentConfig?: PipelineExperimentConfigDefinition;
  readonly Steps: readonly StepDefinition[];
}
