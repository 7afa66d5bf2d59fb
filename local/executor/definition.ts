import type { ParameterValue } from './types';

/** A pipeline definition as JSON (the shape SageMaker's CreatePipeline accepts). */
export interface PipelineDefinitionJson {
  readonly Version?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Parameters?: readonly ParameterJson[];
  readonly PipelineExperimentConfig?: unknown;
  readonly Steps: readonly StepJson[];
}

export type ParameterType = 'String' | 'Integer' | 'Float' | 'Boolean';

export interface ParameterJson {
  readonly Name: string;
  readonly Type: ParameterType;
  readonly DefaultValue?: ParameterValue;
  readonly EnumValues?: readonly ParameterValue[];
}

export interface CacheConfigJson {
  readonly Enabled: boolean;
  readonly ExpireAfter?: string;
}

export interface RetryPolicyJson {
  readonly ExceptionType: readonly string[];
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
  readonly MaxAttempts?: number;
  readonly ExpireAfterMin?: number;
}

export interface PropertyFileJson {
  readonly PropertyFileName: string;
  readonly OutputName: string;
  readonly FilePath: string;
}

export interface StepJson {
  readonly Name: string;
  readonly Type: string;
  readonly DisplayName?: string;
  readonly Description?: string;
  readonly Arguments?: Record<string, unknown>;
  readonly DependsOn?: readonly string[];
  readonly CacheConfig?: CacheConfigJson;
  readonly RetryPolicies?: readonly RetryPolicyJson[];
  readonly PropertyFiles?: readonly PropertyFileJson[];
}

/** A definition error found before anything runs. */
export class PipelineDefinitionError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(
      problems.length === 1
        ? `Invalid pipeline definition: ${problems[0]}`
        : `Invalid pipeline definition (${problems.length} problems):\n- ${problems.join('\n- ')}`,
    );
    this.name = 'PipelineDefinitionError';
    this.problems = problems;
  }
}

/** Parses a definition given as JSON text or as an object (which is deep-copied). */
export function parseDefinition(definition: PipelineDefinitionJson | string): PipelineDefinitionJson {
  if (typeof definition === 'string') {
    try {
      return JSON.parse(definition) as PipelineDefinitionJson;
    } catch (err) {
      throw new PipelineDefinitionError([`definition is not valid JSON (${(err as Error).message})`]);
    }
  }
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new PipelineDefinitionError([`definition must be a JSON object, got ${JSON.stringify(definition)}`]);
  }
  return JSON.parse(JSON.stringify(definition)) as PipelineDefinitionJson;
}

/** Condition steps' nested steps, flattened (definition order; branch steps follow their Condition). */
export interface FlatStep {
  readonly step: StepJson;
  readonly branch?: { readonly condition: string; readonly side: 'if' | 'else' };
}

export function flattenSteps(steps: readonly StepJson[], branch?: FlatStep['branch']): FlatStep[] {
  const out: FlatStep[] = [];
  for (const step of steps) {
    out.push({ step, ...(branch ? { branch } : {}) });
    if (step.Type === 'Condition' && step.Arguments) {
      const ifSteps = step.Arguments.IfSteps;
      const elseSteps = step.Arguments.ElseSteps;
      if (Array.isArray(ifSteps)) out.push(...flattenSteps(ifSteps as StepJson[], { condition: step.Name, side: 'if' }));
      if (Array.isArray(elseSteps)) {
        out.push(...flattenSteps(elseSteps as StepJson[], { condition: step.Name, side: 'else' }));
      }
    }
  }
  return out;
}
