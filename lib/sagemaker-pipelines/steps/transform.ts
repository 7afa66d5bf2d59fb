import type { TransformJobArguments } from '../arguments';
import type { JsonObject } from '../definition';
import type { GetExpression } from '../expressions';
import { asObject, Step, type JobStepOptions } from './step';

/** Properties of a Transform step. */
export interface TransformStepProps extends JobStepOptions {
  /** The `CreateTransformJob` request, without `TransformJobName`. */
  readonly arguments: TransformJobArguments;
}

/** A Transform step (a SageMaker batch transform job). */
export class TransformStep extends Step {
  /** The transform job request. */
  public readonly arguments: TransformJobArguments;

  public constructor(name: string, props: TransformStepProps) {
    super(name, 'Transform', props);
    this.arguments = props.arguments;
  }

  /** `{"Get": "Steps.<name>.TransformOutput.S3OutputPath"}` */
  public outputUri(): GetExpression<string> {
    return this.property('TransformOutput.S3OutputPath');
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}
