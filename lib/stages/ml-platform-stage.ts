import { Stage, type StageProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { namePrefixOf, type StageConfig } from '../config';
import { DataStack } from '../stacks/data-stack';
import { DeploymentStack } from '../stacks/deployment-stack';
import { EtlStack } from '../stacks/etl-stack';
import { MonitoringStack } from '../stacks/monitoring-stack';
import { TrainingStack } from '../stacks/training-stack';

/** Properties of an {@link MlPlatformStage}. */
export interface MlPlatformStageProps extends Omit<StageProps, 'env' | 'stageName'> {
  /** The validated configuration of this environment (see `loadStageConfig`). */
  readonly config: StageConfig;
}

/**
 * One complete environment of the platform (dev, staging or prod). The same class is deployed once per
 * environment, by `cdk deploy` or by the CI/CD pipeline. AWS Solutions checks (cdk-nag) run inside the stage,
 * because validation plugins registered on the App do not reach into Stages.
 */
export class MlPlatformStage extends Stage {
  /** Configuration this stage was built from. */
  public readonly config: StageConfig;
  /** Stateful storage: data key and buckets. */
  public readonly data: DataStack;
  /** SageMaker execution role, model registry, training and inference pipelines. */
  public readonly training: TrainingStack;
  /** The data flow: upload → ETL job → training. */
  public readonly etl: EtlStack;
  /** Notifications, rules, dashboard and alarms. */
  public readonly monitoring: MonitoringStack;
  /** The deployment flow of approved models: staging, system test, approval, production. */
  public readonly deployment: DeploymentStack;

  constructor(scope: Construct, id: string, props: MlPlatformStageProps) {
    const { config, ...stageProps } = props;
    super(scope, id, {
      ...stageProps,
      stageName: config.stageName,
      env: { account: config.account, region: config.region },
    });
    this.config = config;
    Validations.of(this).addPlugins(new AwsSolutionsChecks(this));

    const namePrefix = namePrefixOf(config.stageName);
    this.data = new DataStack(this, 'Data', {
      namePrefix,
      destroyOnDelete: config.destroyDataOnDelete,
      description: `ML platform ${config.stageName}: data key and buckets (stateful)`,
    });
    this.training = new TrainingStack(this, 'Training', {
      namePrefix,
      config,
      ...this.data.shared,
      description: `ML platform ${config.stageName}: SageMaker role, model registry, training and inference pipelines`,
    });
    this.training.addStackDependency(this.data, 'imports the data key and buckets');
    this.etl = new EtlStack(this, 'Etl', {
      namePrefix,
      config,
      ...this.data.shared,
      trainingPipelineName: this.training.trainingPipelineName,
      grantStartTrainingPipeline: (grantee) => this.training.grantStartTrainingPipeline(grantee),
      description: `ML platform ${config.stageName}: data flow (upload → ETL job → training) with its handlers`,
    });
    this.etl.addStackDependency(this.data, 'imports the data key and buckets');
    this.monitoring = new MonitoringStack(this, 'Monitoring', {
      namePrefix,
      config,
      training: this.training,
      etl: this.etl,
      artifactsBucket: this.data.shared.artifactsBucket,
      dataKey: this.data.shared.dataKey,
      description: `ML platform ${config.stageName}: notifications, rules, dashboard and alarms`,
    });
    this.monitoring.addStackDependency(this.data, 'imports the data key and buckets');
    this.deployment = new DeploymentStack(this, 'Deployment', {
      namePrefix,
      config,
      modelPackageGroupName: this.training.modelPackageGroupName,
      modelPackagesArn: this.training.modelPackagesArn,
      artifactsBucket: this.data.shared.artifactsBucket,
      dataKey: this.data.shared.dataKey,
      topic: this.monitoring.topic,
      description: `ML platform ${config.stageName}: model deployment pipeline (staging, system test, approval, production)`,
    });
    this.deployment.addStackDependency(this.data, 'imports the data key and buckets');
  }
}
