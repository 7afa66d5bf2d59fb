import type { TuningJobArguments } from '../arguments';
import type { JsonObject } from '../definition';
import { Expressions, type GetExpression, type JoinExpression, type PipelineString } from '../expressions';
import { asObject, Step, type JobStepOptions } from './step';

/** Properties of a Tuning step. */
export interface TuningStepProps extends JobStepOptions {
  /** The `CreateHyperParameterTuningJob` request, without `HyperParameterTuningJobName`. */
  readonly arguments: TuningJobArguments;
}

/** A Tuning step (a SageMaker hyperparameter tuning job). */
export class TuningStep extends Step {
  /** The tuning job request. */
  public readonly arguments: TuningJobArguments;

  public constructor(name: string, props: TuningStepProps) {
    super(name, 'Tuning', props);
    this.arguments = props.arguments;
  }

  /**
   * `{"Get": "Steps.<name>.TrainingJobSummaries[<rank>].TrainingJobName"}`: the training job ranked `rank`
   * (0 = best) by the tuning objective.
   */
  public topTrainingJobName(rank: number = 0): GetExpression<string> {
    if (!Number.isInteger(rank) || rank < 0) {
      throw new Error(`Step ${this.name}: rank must be a non-negative integer, got ${rank}.`);
    }
    return this.property(`TrainingJobSummaries[${rank}].TrainingJobName`);
  }

  /** `{"Get": "Steps.<name>.BestTrainingJob.TrainingJobName"}` */
  public bestTrainingJobName(): GetExpression<string> {
    return this.property('BestTrainingJob.TrainingJobName');
  }

  /**
   * The model.tar.gz URI of the training job ranked `rank`, where the training definition's
   * `OutputDataConfig.S3OutputPath` is `s3://<bucket>/<prefix>`: `Std:Join` on "/" of
   * `["s3:/", bucket, prefix, <TrainingJobSummaries[rank].TrainingJobName>, "output/model.tar.gz"]`.
   */
  public topModelUri(rank: number, bucket: PipelineString, prefix: PipelineString): JoinExpression {
    return Expressions.join(['s3:/', bucket, prefix, this.topTrainingJobName(rank), 'output/model.tar.gz'], '/');
  }

  /** `topModelUri(0, bucket, prefix)`: the best model's model.tar.gz URI. */
  public bestModelUri(bucket: PipelineString, prefix: PipelineString): JoinExpression {
    return this.topModelUri(0, bucket, prefix);
  }

  protected renderArguments(): JsonObject {
    return asObject(this.arguments);
  }
}
