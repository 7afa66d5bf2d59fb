import type {
  CacheConfigDefinition,
  ParameterTypeName,
  PropertyFileDefinition,
  RetryPolicyDefinition,
} from '../../lib/sagemaker-pipelines/definition';
import { formatValidationIssues, type ValidationIssue } from '../../lib/sagemaker-pipelines/validator/issues';
import type { ParameterValue } from './types';

/** A pipeline definition as JSON (the shape SageMaker's CreatePipeline accepts). */
export interface PipelineDefinitionJson {
  readonly Version?: string;
  readonly Metadata?: Record<string, unknown>;
  readonly Parameters?: readonly ParameterJson[];
  readonly PipelineExperimentConfig?: unknown;
  readonly Steps: readonly StepJson[];
}

export type ParameterType = ParameterTypeName;

export interface ParameterJson {
  readonly Name: string;
  readonly Type: ParameterType;
  readonly DefaultValue?: ParameterValue;
  readonly EnumValues?: readonly ParameterValue[];
}

export type CacheConfigJson = CacheConfigDefinition;
export type RetryPolicyJson = RetryPolicyDefinition;
export type PropertyFileJson = PropertyFileDefinition;

/** A step as read from JSON: like the builder's `StepDefinition`, but nothing about it is trusted yet. */
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

/**
 * A definition local mode will not run, found before anything runs: the shared validator's issues and local
 * mode's own (parameter overrides, what it cannot run), in one list.
 */
export class PipelineDefinitionError extends Error {
  readonly issues: readonly ValidationIssue<string>[];

  constructor(issues: readonly ValidationIssue<string>[]) {
    super(
      issues.length === 1
        ? `Invalid pipeline definition: ${issues[0].path ? `${issues[0].path}: ` : ''}${issues[0].message}`
        : `Invalid pipeline definition (${issues.length} problems):\n${formatValidationIssues(issues)}`,
    );
    this.name = 'PipelineDefinitionError';
    this.issues = issues;
  }
}

/** Parses a definition given as JSON text or as an object (which is deep-copied). */
export function parseDefinition(definition: PipelineDefinitionJson | string): PipelineDefinitionJson {
  if (typeof definition === 'string') {
    try {
      return JSON.parse(definition) as PipelineDefinitionJson;
    } catch (err) {
      throw new PipelineDefinitionError([{ code: 'invalid-definition', path: '', message: `definition is not valid JSON (${(err as Error).message})` }]);
    }
  }
  if (definition === null || typeof definition !== 'object' || Array.isArray(definition)) {
    throw new PipelineDefinitionError([{ code: 'invalid-definition', path: '', message: `definition must be a JSON object, got ${JSON.stringify(definition)}` }]);
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
