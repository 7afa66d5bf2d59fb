import type { ModelArguments } from '../arguments';
import type { JsonObject } from '../definition';
import type { GetExpression } from '../expressions';
import { asObject, Step, type RetryableStepOptions } from './step';

/** Properties of a Model step. */
export interface ModelStepProps extends RetryableStepOptions {
  /** The `CreateModel` request, without `ModelName`. */
  readonly arguments: ModelArguments;
}

/** A Model step (CreateModel). */
export class ModelStep extends Step {
  /** The model request. */
  public readonly arguments: ModelArguments;

  public constructor(name: string, props: ModelStepProps) {
    super(name, 'Model', props);
    this.arguments = props.arguments;
  }

  /** `{"Get": "Steps.<name>.ModelName"}` */
  public modelName(): GetExpression<string> {
    return this.property('ModelName');
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}
