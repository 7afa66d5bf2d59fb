import { PIPELINE_DEFINITION_VERSION, type JsonObject, type PipelineDefinition } from './definition';
import { toJsonValue, type PipelineString } from './expressions';
import type { AnyParameter } from './parameters';
import type { Step } from './steps';

/** `PipelineExperimentConfig`: the SageMaker experiment and trial an execution records into. */
export interface PipelineExperimentConfig {
  /** Experiment name, e.g. `ExecutionVariables.PipelineName`. */
  readonly experimentName: PipelineString;
  /** Trial name, e.g. `ExecutionVariables.PipelineExecutionId`. */
  readonly trialName: PipelineString;
}

/** Inputs of `buildPipelineDefinition`. */
export interface PipelineDefinitionProps {
  /**
   * Pipeline parameters, in the order they are listed.
   *
   * @default - none
   */
  readonly parameters?: readonly AnyParameter[];
  /** Top-level steps (Condition steps carry their branches). */
  readonly steps: readonly Step[];
  /**
   * Experiment tracking of executions.
   *
   * @default - no experiment tracking
   */
  readonly experimentConfig?: PipelineExperimentConfig;
  /**
   * The definition's `Metadata`.
   *
   * @default {}
   */
  readonly metadata?: JsonObject;
}

/** Renders parameters and steps as a pipeline definition document (plain JSON-able data). */
export function buildPipelineDefinition(props: PipelineDefinitionProps): PipelineDefinition {
  return {
    Version: PIPELINE_DEFINITION_VERSION,
    Metadata: props.metadata ?? {},
    Parameters: (props.parameters ?? []).map((p) => p.toDefinition()),
    ...(props.experimentConfig
      ? {
          PipelineExperimentConfig: {
            ExperimentName: toJsonValue(props.experimentConfig.experimentName),
            TrialName: toJsonValue(props.experimentConfig.trialName),
          },
        }
      : {}),
    Steps: props.steps.map((s) => s.toDefinition()),
  };
}
