import { ArnFormat, Stack, type StackProps } from 'aws-cdk-lib';
import { AccountPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { namePrefixOf, resourceNames } from '../config';
import { acknowledgeIamWildcards } from '../constructs/nag-acknowledgements';

/** Properties of a {@link RetrainTriggerStack}. */
export interface RetrainTriggerStackProps extends StackProps {
  /** The environment whose training pipeline the role starts. */
  readonly stageName: string;
  /** The account of the CI/CD pipeline, whose retraining step assumes the role. */
  readonly pipelineAccount: string;
}

/**
 * The role the CI/CD pipeline's retraining step assumes to start this environment's training pipeline.
 *
 * The step's CodeBuild project runs in the pipeline's account; the training pipeline lives in the environment's
 * account, which may be another one. CDK's bootstrap deploy role there only deploys CloudFormation, so the
 * environment gets this role of its own: trusted by the pipeline account (as `cdk bootstrap --trust` trusts it),
 * allowed to start and follow executions of this one pipeline and nothing else. The same path serves an environment
 * in the pipeline's own account, so there is one way to retrain, tested once.
 */
export class RetrainTriggerStack extends Stack {
  /** The role name, fixed: the pipeline account refers to it before this stack exists. */
  public static roleNameOf(stageName: string): string {
    return `${namePrefixOf(stageName)}-retrain-trigger`;
  }

  /** The role's ARN as the pipeline account writes it (account and name known at synth). */
  public static roleArnOf(stageName: string, account: string, partition = 'aws'): string {
    return `arn:${partition}:iam::${account}:role/${RetrainTriggerStack.roleNameOf(stageName)}`;
  }

  /** The role the retraining step assumes. */
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: RetrainTriggerStackProps) {
    const { stageName, pipelineAccount, ...stackProps } = props;
    super(scope, id, stackProps);
    const names = resourceNames(namePrefixOf(stageName));
    this.role = new Role(this, 'Role', {
      // A human or another account must name it: the pipeline's step assumes it by ARN.
      roleName: RetrainTriggerStack.roleNameOf(stageName),
      assumedBy: new AccountPrincipal(pipelineAccount),
      description: `Assumed by the CI/CD pipeline (account ${pipelineAccount}) to start ${names.trainingPipeline} after a deployment`,
    });
    const executions = this.formatArn({
      service: 'sagemaker', resource: 'pipeline', resourceName: `${names.trainingPipeline}/execution/*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.role.addToPolicy(new PolicyStatement({
      actions: ['sagemaker:StartPipelineExecution', 'sagemaker:DescribePipelineExecution'],
      resources: [
        this.formatArn({ service: 'sagemaker', resource: 'pipeline', resourceName: names.trainingPipeline, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
        // DescribePipelineExecution is authorized on the execution: pipeline/<name>/execution/<id>.
        executions,
      ],
    }));
    const policy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (policy === undefined) throw new Error('the retrain trigger role has no default policy to acknowledge its finding on');
    acknowledgeIamWildcards(policy, {
      resources: [{ wildcard: executions, reason: 'Executions of this environment\'s training pipeline only; SageMaker generates their ids.' }],
    });
  }
}
