/**
 * The platform's EventBridge rules as data: what each one matches and which handler it sends the events to. The ETL
 * and monitoring stacks deploy one `PatternRule` per entry; local mode's event bus routes its events with the same
 * entries, built from its local names. A rule added here is deployed and runs locally, or neither.
 */
import { HANDLERS, type HandlerName } from '../handlers';
import {
  datasetUploadedPattern,
  deploymentEndedPattern,
  etlProblemPattern,
  etlSucceededPattern,
  modelPendingApprovalPattern,
  pipelineExecutionEndedPattern,
  trainingProblemPattern,
  type EventPatternJson,
} from './patterns';

/** One rule: its construct id (also its name in local mode), what it is for, its pattern and its target handler. */
export interface PlatformRule {
  readonly id: string;
  readonly description: string;
  readonly pattern: EventPatternJson;
  readonly handler: HandlerName;
}

/** What the data-flow rules match: uploads to the raw bucket and runs of the ETL job. */
export interface DataFlowRuleResources {
  readonly rawBucketName: string;
  readonly etlJobName: string;
}

/** The data flow: an upload under `raw/` starts the ETL job; its success starts the training pipeline. */
export function dataFlowRules(resources: DataFlowRuleResources): PlatformRule[] {
  return [
    {
      id: 'DatasetUploaded',
      description: 'A dataset uploaded under raw/ starts the ETL job',
      pattern: datasetUploadedPattern(resources.rawBucketName),
      handler: HANDLERS.startEtl,
    },
    {
      id: 'EtlSucceeded',
      description: 'A successful ETL run starts the training pipeline',
      pattern: etlSucceededPattern(resources.etlJobName),
      handler: HANDLERS.startTraining,
    },
  ];
}

/** What the monitoring rules match: the pipelines, the role their jobs run as, the ETL job and the model registry. */
export interface MonitoringRuleResources {
  /** ARNs of the training and inference pipelines. */
  readonly pipelineArns: readonly string[];
  /** The SageMaker execution role the pipelines' training and tuning jobs run as. */
  readonly executionRoleArn: string;
  readonly etlJobName: string;
  readonly modelPackageGroupName: string;
  /** The model deployment pipeline (CodePipeline). */
  readonly deploymentPipelineName: string;
}

/** Monitoring: every event worth telling someone about goes to `notify`. */
export function monitoringRules(resources: MonitoringRuleResources): PlatformRule[] {
  return [
    {
      id: 'PipelineExecutionEnded',
      description: 'A pipeline execution ended',
      pattern: pipelineExecutionEndedPattern(resources.pipelineArns),
      handler: HANDLERS.notify,
    },
    {
      id: 'TrainingProblem',
      description: 'A training or tuning job of the pipelines failed or was stopped',
      pattern: trainingProblemPattern(resources.executionRoleArn),
      handler: HANDLERS.notify,
    },
    {
      id: 'EtlProblem',
      description: 'An ETL run failed, timed out, was stopped, or runs late',
      pattern: etlProblemPattern(resources.etlJobName),
      handler: HANDLERS.notify,
    },
    {
      id: 'ModelPendingApproval',
      description: 'A new model version awaits approval',
      pattern: modelPendingApprovalPattern(resources.modelPackageGroupName),
      handler: HANDLERS.notify,
    },
    {
      id: 'DeploymentEnded',
      description: 'A run of the model deployment pipeline ended: in production, failed, rejected or stopped',
      pattern: deploymentEndedPattern(resources.deploymentPipelineName),
      handler: HANDLERS.notify,
    },
  ];
}
