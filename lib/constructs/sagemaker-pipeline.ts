import { Stack } from 'aws-cdk-lib';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { CfnPipeline } from 'aws-cdk-lib/aws-sagemaker';
import type { Construct } from 'constructs';
import { formatValidationIssues, validatePipelineDefinition, type PipelineDefinition } from '../sagemaker-pipelines';

/** Properties of a {@link SageMakerPipeline}. */
export interface SageMakerPipelineProps {
  /** Name of the pipeline (what `StartPipelineExecution` takes). */
  readonly pipelineName: string;
  /**
   * Description shown in SageMaker Studio.
   * @default - none
   */
  readonly description?: string;
  /** The role SageMaker runs the pipeline as. */
  readonly role: IRole;
  /** The definition, as built by `lib/sagemaker-pipelines` (tokens allowed). */
  readonly definition: PipelineDefinition;
}

/**
 * A SageMaker pipeline whose definition is checked at synth: `cdk synth` fails with the validator's messages when
 * the definition is invalid, instead of CloudFormation or the first execution finding out. It is the
 * `AWS::SageMaker::Pipeline` resource itself (no wrapper scope), so its logical ID is its construct id.
 */
export class SageMakerPipeline extends CfnPipeline {
  /** The definition this pipeline deploys. */
  public readonly definition: PipelineDefinition;

  constructor(scope: Construct, id: string, props: SageMakerPipelineProps) {
    super(scope, id, {
      pipelineName: props.pipelineName,
      pipelineDescription: props.description,
      roleArn: props.role.roleArn,
      pipelineDefinition: { PipelineDefinitionBody: Stack.of(scope).toJsonString(props.definition) },
    });
    this.definition = props.definition;
    this.node.addValidation({
      validate: () => {
        const issues = validatePipelineDefinition(props.definition);
        return issues.length === 0
          ? []
          : [`Pipeline '${props.pipelineName}' has an invalid definition:\n${formatValidationIssues(issues)}`];
      },
    });
  }
}
