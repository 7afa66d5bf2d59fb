import { PIPELINE_DEFINITION_VERSION, type PipelineDefinition } from '../definition';
import { isRecord, show } from '../private/json';
import { ValidationContext } from './context';
import { checkCycles } from './cycles';
import { walkValue } from './expressions';
import { formatValidationIssues, type ValidationIssue } from './issues';
import { checkParameters } from './parameters';
import { checkStep, collectSteps } from './steps';

export * from './issues';

/**
 * Semantic checks of a pipeline definition that SageMaker would reject or that would fail at run time: step
 * names, step types and their required arguments, step references, parameters, execution variables, processing
 * outputs and property files, references to steps that may not have run, dependency cycles, conditions, parameter
 * defaults, caching and retries. It never rejects what SageMaker accepts: published definitions that SageMaker ran
 * are its test fixtures. Values holding unresolved CDK tokens are not checked. Returns no issues for a valid
 * definition.
 */
export function validatePipelineDefinition(definition: PipelineDefinition | unknown): ValidationIssue[] {
  const ctx = new ValidationContext();
  const def = definition;
  if (!isRecord(def)) {
    ctx.report('invalid-definition', '', `The definition must be a JSON object, got ${show(def)}.`);
    return ctx.issues;
  }
  if (def.Version !== PIPELINE_DEFINITION_VERSION) {
    ctx.report('invalid-definition', 'Version', `Version must be "${PIPELINE_DEFINITION_VERSION}", got ${show(def.Version)}.`);
  }
  if (def.Metadata !== undefined && !isRecord(def.Metadata)) {
    ctx.report('invalid-definition', 'Metadata', `Metadata must be an object, got ${show(def.Metadata)}.`);
  }
  checkParameters(ctx, def.Parameters);

  if (!Array.isArray(def.Steps)) {
    ctx.report('invalid-definition', 'Steps', `Steps must be a list of steps, got ${show(def.Steps)}.`);
    return ctx.issues;
  }
  if (def.Steps.length === 0) {
    ctx.report('empty-steps', 'Steps', 'The pipeline has no steps; add at least one.');
  }
  collectSteps(ctx, def.Steps, 'Steps', []);
  for (const info of ctx.steps.values()) {
    checkStep(ctx, info);
  }
  // The SDK writes `null` to turn experiment tracking off.
  if (def.PipelineExperimentConfig !== undefined && def.PipelineExperimentConfig !== null) {
    if (!isRecord(def.PipelineExperimentConfig)) {
      ctx.report(
        'invalid-definition',
        'PipelineExperimentConfig',
        `PipelineExperimentConfig must be an object with ExperimentName and TrialName, got ${show(def.PipelineExperimentConfig)}.`,
      );
    } else {
      walkValue(ctx, def.PipelineExperimentConfig, 'PipelineExperimentConfig', undefined);
    }
  }
  checkCycles(ctx);
  return ctx.issues;
}

/** Throws one error listing every issue of `definition`; returns it unchanged when valid. */
export function assertValidPipelineDefinition<T extends PipelineDefinition>(definition: T, name: string = 'pipeline'): T {
  const issues = validatePipelineDefinition(definition);
  if (issues.length) {
    throw new Error(`Invalid ${name} definition (${issues.length} issue${issues.length === 1 ? '' : 's'}):\n${formatValidationIssues(issues)}`);
  }
  return definition;
}

/** Short alias of `assertValidPipelineDefinition`. */
export const assertValid = assertValidPipelineDefinition;
