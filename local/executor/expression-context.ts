import { joinS3 } from '../s3';
import type { ExecutionState } from './execution-state';
import { resolveToText, type ExpressionContext } from './expressions';

/**
 * What expressions of a running execution read: parameter values, execution variables, properties of steps that
 * finished, and property files (parsed once, from the output the file's declaration names).
 */
export function createExpressionContext(state: ExecutionState): ExpressionContext {
  const { prepared, identity, record } = state;
  const context: ExpressionContext = {
    parameter: (name) => prepared.parameters[name],
    parameterType: (name) => prepared.parameterTypes[name],
    execution: (name) => {
      switch (name) {
        case 'StartDateTime':
          return record.startTime;
        case 'CurrentDateTime':
          return new Date().toISOString();
        case 'PipelineName':
          return identity.pipelineName;
        case 'PipelineArn':
          return identity.pipelineArn;
        case 'PipelineExecutionId':
          return identity.executionId;
        case 'PipelineExecutionArn':
          return identity.executionArn;
        default:
          return undefined;
      }
    },
    experimentConfig: (name) => {
      const config = (prepared.definition as { PipelineExperimentConfig?: unknown }).PipelineExperimentConfig;
      // Without a config SageMaker records into an experiment named after the pipeline, one trial per execution.
      if (config === undefined) return name === 'ExperimentName' ? identity.pipelineName : identity.executionId;
      if (config === null || typeof config !== 'object') return undefined;
      const value = (config as Record<string, unknown>)[name];
      return value === undefined ? undefined : resolveToText(value, context);
    },
    stepProperties: (name) => {
      const rec = state.steps.get(name);
      return rec && (rec.status === 'Succeeded' || rec.status === 'Cached') ? rec.properties : undefined;
    },
    propertyFile: (stepName, fileName) => {
      const cacheKey = `${stepName}\u0000${fileName}`;
      if (state.propertyFiles.has(cacheKey)) return state.propertyFiles.get(cacheKey);
      const step = state.flatByName.get(stepName)?.step;
      const declared = step?.PropertyFiles?.find((f) => f.PropertyFileName === fileName);
      if (!declared) throw new Error(`step "${stepName}" declares no property file "${fileName}"`);
      const props = context.stepProperties(stepName);
      if (!props) throw new Error(`step "${stepName}" has not run, so its property file "${fileName}" does not exist`);
      const outputs = ((props.ProcessingOutputConfig as Record<string, unknown> | undefined)?.Outputs ?? []) as Record<string, unknown>[];
      const output = outputs.find((o) => o.OutputName === declared.OutputName);
      const base = (output?.S3Output as Record<string, unknown> | undefined)?.S3Uri;
      if (typeof base !== 'string') {
        throw new Error(`property file "${fileName}" names output "${declared.OutputName}", which step "${stepName}" does not have`);
      }
      const uri = joinS3(base, declared.FilePath);
      const text = state.options.s3.getText(uri);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new Error(`property file "${fileName}" (${uri}) is not valid JSON: ${(err as Error).message}`);
      }
      state.propertyFiles.set(cacheKey, parsed);
      return parsed;
    },
    s3Json: (uri) => JSON.parse(state.options.s3.getText(uri)) as unknown,
  };
  return context;
}
