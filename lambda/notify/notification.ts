import type { TimeValue } from './format';

/**
 * The messages notify writes, and what it reads for them. The shapes follow the AWS APIs' (a subset of SageMaker's
 * ListPipelineExecutionSteps and DescribeModelPackage, and CodePipeline's GetPipelineExecution and
 * ListActionExecutions), so the SDK's answers fit as they are, and so do local mode's own records.
 */

/** One step of a pipeline execution, as ListPipelineExecutionSteps lists it (local mode's records fit too). */
export interface PipelineStepSummary {
  readonly StepName?: string;
  readonly StepDisplayName?: string;
  readonly StepStatus?: string;
  readonly FailureReason?: string;
  readonly StartTime?: TimeValue;
  readonly EndTime?: TimeValue;
  readonly AttemptCount?: number;
  readonly CacheHitResult?: { readonly SourcePipelineExecutionArn?: string };
  readonly Metadata?: {
    readonly ProcessingJob?: { readonly Arn?: string };
    readonly TrainingJob?: { readonly Arn?: string };
    readonly TuningJob?: { readonly Arn?: string };
    readonly TransformJob?: { readonly Arn?: string };
    readonly Condition?: { readonly Outcome?: string };
    readonly Fail?: { readonly ErrorMessage?: string };
  };
}

/** A model version, as DescribeModelPackage describes it (local mode's registry records fit too). */
export interface ModelPackageSummary {
  readonly ModelPackageArn?: string;
  readonly ModelPackageGroupName?: string;
  readonly ModelPackageVersion?: number;
  readonly ModelPackageDescription?: string;
  readonly ModelApprovalStatus?: string;
  readonly CreationTime?: TimeValue;
  readonly CustomerMetadataProperties?: Readonly<Record<string, string>>;
  readonly ModelMetrics?: { readonly ModelQuality?: { readonly Statistics?: { readonly S3Uri?: string } } };
  readonly MetadataProperties?: { readonly GeneratedBy?: string };
  readonly InferenceSpecification?: { readonly Containers?: readonly { readonly ModelDataUrl?: string }[] };
}

/** The version's evaluation.json, or why it could not be read. */
export type EvaluationFile =
  | { readonly status: 'read'; readonly uri: string; readonly text: string }
  | { readonly status: 'not-found'; readonly uri: string }
  | { readonly status: 'too-large'; readonly uri: string; readonly bytes: number }
  | { readonly status: 'not-s3'; readonly uri: string };

/** One action of a deployment pipeline execution, as CodePipeline's ListActionExecutions lists it. */
export interface DeploymentActionSummary {
  readonly stageName?: string;
  readonly actionName?: string;
  /** InProgress, Succeeded, Failed or Abandoned. */
  readonly status?: string;
  readonly startTime?: TimeValue;
  readonly lastUpdateTime?: TimeValue;
  /** Who changed it last: for an approval, the reviewer. */
  readonly updatedBy?: string;
  readonly input?: {
    readonly actionTypeId?: { readonly category?: string; readonly provider?: string };
    readonly configuration?: Readonly<Record<string, string>>;
    readonly resolvedConfiguration?: Readonly<Record<string, string>>;
  };
  readonly output?: {
    readonly executionResult?: {
      readonly externalExecutionId?: string;
      /** The action's own summary: a Lambda action's message, a reviewer's comment... */
      readonly externalExecutionSummary?: string;
      readonly externalExecutionUrl?: string;
      readonly errorDetails?: { readonly code?: string; readonly message?: string };
    };
    readonly outputVariables?: Readonly<Record<string, string>>;
  };
}

/** A deployment pipeline execution, as CodePipeline's GetPipelineExecution describes it. */
export interface DeploymentExecutionSummary {
  readonly pipelineName?: string;
  readonly pipelineVersion?: number;
  readonly pipelineExecutionId?: string;
  readonly status?: string;
  readonly statusSummary?: string;
  readonly trigger?: { readonly triggerType?: string; readonly triggerDetail?: string };
}

/** What the handler read about a deployment pipeline execution. */
export interface DeploymentDetails {
  readonly execution?: DeploymentExecutionSummary;
  /** The execution's actions, in any order. */
  readonly actions?: readonly DeploymentActionSummary[];
  /** Why the execution or its actions could not be read, when they could not. */
  readonly problem?: string;
}

/** What the handler read for the message (see `NotifyLookup` in decide.ts); empty for the other events. */
export interface NotificationDetails {
  readonly steps?: readonly PipelineStepSummary[];
  readonly modelPackage?: ModelPackageSummary;
  /** Undefined when the version names no evaluation report. */
  readonly evaluation?: EvaluationFile;
  readonly deployment?: DeploymentDetails;
}

/** Settings that add to the text (the handler passes its settings). */
export interface FormatOptions {
  /** The Studio domain: with it, the links go straight to the execution and the model versions in Studio. */
  readonly studioDomainId?: string;
  /** Tells the training pipeline's executions from the inference pipeline's. */
  readonly trainingPipelineName?: string;
  /** Tells the pipelines apart, and is named in an approval request's next steps (batch inference). */
  readonly inferencePipelineName?: string;
  /** Named in the message of a successful training execution (where the new version is). */
  readonly modelPackageGroupName?: string;
}

/** What kind of message it is; also published as the `kind` message attribute, for subscription filter policies. */
export type NotificationKind =
  | 'pipeline-failed'
  | 'pipeline-stopped'
  | 'pipeline-succeeded'
  | 'training-job-failed'
  | 'training-job-stopped'
  | 'tuning-job-failed'
  | 'tuning-job-stopped'
  | 'glue-job-failed'
  | 'glue-job-timeout'
  | 'glue-job-stopped'
  | 'glue-job-late'
  | 'approval-requested'
  | 'deployment-succeeded'
  | 'deployment-failed'
  | 'deployment-rejected'
  | 'deployment-stopped';

/** One message: SNS's subject (at most 99 characters, one line) and the plain-text body. */
export interface Notification {
  readonly kind: NotificationKind;
  readonly subject: string;
  readonly message: string;
}
