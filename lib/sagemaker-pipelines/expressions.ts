import type { JsonValue } from './definition';

/**
 * Phantom marker of the value type an expression evaluates to. It never appears in the JSON; it only lets the
 * compiler keep a Float parameter out of a string member, for example.
 */
declare const valueType: unique symbol;

/** `{"Get": "Parameters.X" | "Steps.<step>.<path>" | "Execution.X"}` */
export interface GetExpression<T = unknown> {
  readonly Get: string;
  readonly [valueType]?: T;
}

/** `{"Std:Join": {"On": "/", "Values": [...]}}`: always a string. */
export interface JoinExpression {
  readonly 'Std:Join': {
    readonly On: string;
    readonly Values: readonly PipelineValue[];
  };
  readonly [valueType]?: string;
}

/** `{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.X.PropertyFiles.Y"}, "Path": "a.b.c"}}` */
export interface JsonGetExpression<T = unknown> {
  readonly 'Std:JsonGet': {
    readonly PropertyFile: GetExpression;
    readonly Path: string;
  };
  readonly [valueType]?: T;
}

/** Any pipeline expression, evaluated by SageMaker at run time. */
export type Expression<T = unknown> = GetExpression<T> | JsonGetExpression<T> | (string extends T ? JoinExpression : never);

/** A literal value or an expression evaluating to one. */
export type PipelineValue<T = string | number | boolean> = T | Expression<T>;
/** A string, or an expression evaluating to one. */
export type PipelineString = PipelineValue<string>;
/** A number, or an expression evaluating to one. */
export type PipelineNumber = PipelineValue<number>;
/** A boolean, or an expression evaluating to one. */
export type PipelineBoolean = PipelineValue<boolean>;
/** One of the literals `T` of an API enum, or a string expression (checked only at run time). */
export type PipelineEnum<T extends string> = T | Expression<string>;

/**
 * Execution variables that a `Get` can read (`{"Get": "Execution.PipelineExecutionId"}`). `TrainingJobName` and
 * `ProcessingJobName` name the job a step function runs in (the SDK's `@step` jobs read them).
 */
export const EXECUTION_VARIABLES = [
  'StartDateTime',
  'CurrentDateTime',
  'PipelineName',
  'PipelineArn',
  'PipelineExecutionId',
  'PipelineExecutionArn',
  'TrainingJobName',
  'ProcessingJobName',
] as const;

/** What `{"Get": "PipelineExperimentConfig.<name>"}` can read: the names the definition's config gives. */
export const PIPELINE_EXPERIMENT_CONFIG_MEMBERS = ['ExperimentName', 'TrialName'] as const;

/** Name of an execution variable. */
export type ExecutionVariableName = (typeof EXECUTION_VARIABLES)[number];

/** Typed references to the execution variables. */
export const ExecutionVariables: { readonly [K in ExecutionVariableName]: GetExpression<string> } = {
  StartDateTime: { Get: 'Execution.StartDateTime' },
  CurrentDateTime: { Get: 'Execution.CurrentDateTime' },
  PipelineName: { Get: 'Execution.PipelineName' },
  PipelineArn: { Get: 'Execution.PipelineArn' },
  PipelineExecutionId: { Get: 'Execution.PipelineExecutionId' },
  PipelineExecutionArn: { Get: 'Execution.PipelineExecutionArn' },
  TrainingJobName: { Get: 'Execution.TrainingJobName' },
  ProcessingJobName: { Get: 'Execution.ProcessingJobName' },
};

/** Factories for pipeline expressions. */
export class Expressions {
  /** `{"Get": path}`: a parameter (`Parameters.X`), a step property (`Steps.X.<path>`) or `Execution.X`. */
  public static get<T = unknown>(path: string): GetExpression<T> {
    return { Get: path };
  }

  /** `{"Get": "Steps.<stepName>.<propertyPath>"}` */
  public static stepProperty<T = string>(stepName: string, propertyPath: string): GetExpression<T> {
    const separator = propertyPath.startsWith('[') ? '' : '.';
    return { Get: `Steps.${stepName}${separator}${propertyPath}` };
  }

  /** `{"Std:Join": {"On": on, "Values": values}}` */
  public static join(values: readonly PipelineValue[], on: string = ''): JoinExpression {
    return { 'Std:Join': { On: on, Values: [...values] } };
  }

  /**
   * An S3 URI joined from its parts: `s3Uri(bucket, 'a/b', executionId)` is
   * `Std:Join` on "/" of `["s3:/", bucket, "a/b", executionId]`.
   */
  public static s3Uri(bucket: PipelineString, ...keyParts: readonly PipelineValue[]): JoinExpression {
    return Expressions.join(['s3:/', bucket, ...keyParts], '/');
  }

  /** `{"Std:JsonGet": {"PropertyFile": {"Get": "Steps.<step>.PropertyFiles.<file>"}, "Path": path}}` */
  public static jsonGet<T = number>(stepName: string, propertyFileName: string, path: string): JsonGetExpression<T> {
    return {
      'Std:JsonGet': { PropertyFile: { Get: `Steps.${stepName}.PropertyFiles.${propertyFileName}` }, Path: path },
    };
  }
}

/** Whether `value` is a `Get`, `Std:Join` or `Std:JsonGet` expression object. */
export function isExpression(value: unknown): value is Expression {
  return expressionKind(value) !== undefined;
}

/** The kind of expression `value` is, if any. */
export function expressionKind(value: unknown): 'Get' | 'Std:Join' | 'Std:JsonGet' | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    return undefined;
  }
  const key = keys[0];
  return key === 'Get' || key === 'Std:Join' || key === 'Std:JsonGet' ? key : undefined;
}

/** Converts a typed value (interfaces, expressions) to plain JSON, dropping `undefined` members. */
export function toJsonValue(value: unknown): JsonValue {
  if (value === undefined) {
    throw new Error('toJsonValue: undefined has no JSON form');
  }
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.filter((item) => item !== undefined).map((item) => toJsonValue(item));
  }
  if (typeof value === 'object') {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) {
        out[key] = toJsonValue(member);
      }
    }
    return out;
  }
  throw new Error(`toJsonValue: a ${typeof value} has no JSON form`);
}
