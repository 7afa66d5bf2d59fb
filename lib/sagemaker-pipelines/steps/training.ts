import type { TrainingJobArguments } from '../arguments';
import type { JsonObject } from '../definition';
import type { GetExpression } from '../expressions';
import { asObject, Step, type JobStepOptions } from './step';

/** Properties of a Training step. */
export interface TrainingStepProps extends JobStepOptions {
  /** The `CreateTrainingJob` request, without `TrainingJobName`. */
  readonly arguments: TrainingJobArguments;
}

/** A Training step (a SageMaker training job). */
export class TrainingStep extends Step {
  /** The training job request. */
  public readonly arguments: TrainingJobArguments;

  public constructor(name: string, props: TrainingStepProps) {
    super(name, 'Training', props);
    this.arguments = props.arguments;
  }

  /** `{"Get": "Steps.<name>.ModelArtifacts.S3ModelArtifacts"}`: the model.tar.gz URI. */
  public modelArtifactsUri(): GetExpression<string> {
    return this.property('ModelArtifacts.S3ModelArtifacts');
  }

  /** `{"Get": "Steps.<name>.TrainingJobName"}` */
  public trainingJobName(): GetExpression<string> {
    return this.property('TrainingJobName');
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}
