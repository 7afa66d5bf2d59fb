import type { RegisterModelArguments } from '../arguments';
import type { JsonObject } from '../definition';
import type { GetExpression } from '../expressions';
import { asObject, Step, type RetryableStepOptions } from './step';

/** Properties of a RegisterModel step. */
export interface RegisterModelStepProps extends RetryableStepOptions {
  /** The `CreateModelPackage` request, without name and description. */
  readonly arguments: RegisterModelArguments;
}

/** A RegisterModel step: a new model package version in a model package group. */
export class RegisterModelStep extends Step {
  /** The model package request. */
  public readonly arguments: RegisterModelArguments;

  public constructor(name: string, props: RegisterModelStepProps) {
    super(name, 'RegisterModel', props);
    this.arguments = props.arguments;
  }

  /** `{"Get": "Steps.<name>.ModelPackageArn"}` */
  public modelPackageArn(): GetExpression<string> {
    return this.property('ModelPackageArn');
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}
