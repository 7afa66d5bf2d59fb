import type { JsonObject } from '../definition';
import { toJsonValue, type PipelineString } from '../expressions';
import { Step, type StepOptions } from './step';

/** Properties of a Fail step. */
export interface FailStepProps extends StepOptions {
  /**
   * Message the execution fails with.
   *
   * @default - empty message
   */
  readonly errorMessage?: PipelineString;
}

/** A Fail step: stops the execution with status Failed. */
export class FailStep extends Step {
  /** The failure message. */
  public readonly errorMessage: PipelineString;

  public constructor(name: string, props: FailStepProps = {}) {
    super(name, 'Fail', props);
    this.errorMessage = props.errorMessage ?? '';
  }

  protected renderArguments(): JsonObject {
    return { ErrorMessage: toJsonValue(this.errorMessage) };
  }
}
