import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';

/**
 * The EventBridge events the monitoring stack's rules send to notify, reduced to what it reads (other fields pass
 * unchecked, so AWS may add fields). States are any string, so that an unexpected one is rejected by the decision
 * with a clear reason rather than by the schema. Samples: test/fixtures/events/.
 */

/** A time as SageMaker's events give it: ISO-8601 text, or epoch seconds/milliseconds as a number or as text. */
const eventTime = z.union([z.string(), z.number()]).optional();

/**
 * "SageMaker Model Building Pipeline Execution Status Change".
 * See https://docs.aws.amazon.com/sagemaker/latest/dg/automating-sagemaker-with-eventbridge.html
 */
export const PipelineExecutionStatusChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Model Building Pipeline Execution Status Change'),
  detail: z.object({
    pipelineArn: z.string().regex(/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:pipeline\/[^/]+$/, 'not a pipeline ARN'),
    pipelineExecutionArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:pipeline\/[^/]+\/execution\/[^/]+$/,
        'not a pipeline execution ARN',
      ),
    currentPipelineExecutionStatus: z.string().min(1),
    previousPipelineExecutionStatus: z.string().optional(),
    pipelineExecutionDisplayName: z.string().optional(),
    pipelineExecutionDescription: z.string().optional(),
    executionStartTime: eventTime,
    executionEndTime: eventTime,
  }),
});

/** "SageMaker Training Job State Change": the job as DescribeTrainingJob describes it. */
export const TrainingJobStateChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Training Job State Change'),
  detail: z.object({
    TrainingJobName: z.string().min(1),
    TrainingJobArn: z.string().optional(),
    TrainingJobStatus: z.string().min(1),
    SecondaryStatus: z.string().optional(),
    FailureReason: z.string().optional(),
    /** Set on the training jobs a tuning job starts (its trials). */
    TuningJobArn: z.string().optional(),
    StoppingCondition: z.object({ MaxRuntimeInSeconds: z.number().optional() }).optional(),
    CreationTime: eventTime,
    TrainingStartTime: eventTime,
    TrainingEndTime: eventTime,
  }),
});

/** "SageMaker HyperParameter Tuning Job State Change": the job as DescribeHyperParameterTuningJob describes it. */
export const TuningJobStateChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker HyperParameter Tuning Job State Change'),
  detail: z.object({
    HyperParameterTuningJobName: z.string().min(1),
    HyperParameterTuningJobArn: z.string().optional(),
    HyperParameterTuningJobStatus: z.string().min(1),
    FailureReason: z.string().optional(),
    TrainingJobStatusCounters: z.record(z.string(), z.number()).optional(),
    ObjectiveStatusCounters: z.record(z.string(), z.number()).optional(),
    BestTrainingJob: z
      .object({
        TrainingJobName: z.string().optional(),
        FinalHyperParameterTuningJobObjectiveMetric: z
          .object({ MetricName: z.string().optional(), Value: z.number().optional() })
          .optional(),
      })
      .optional(),
    CreationTime: eventTime,
    HyperParameterTuningEndTime: eventTime,
  }),
});

/**
 * Glue's "Glue Job State Change" (SUCCEEDED, FAILED, TIMEOUT, STOPPED).
 * See https://docs.aws.amazon.com/glue/latest/dg/automating-awsglue-with-cloudwatch-events.html
 */
export const GlueJobStateChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.glue'),
  'detail-type': z.literal('Glue Job State Change'),
  detail: z.object({
    jobName: z.string().min(1),
    state: z.string().min(1),
    jobRunId: z.string().min(1).max(255),
    message: z.string().optional(),
    severity: z.string().optional(),
  }),
});

/** Glue's "Glue Job Run Status": a run still going after its job's notify delay (`NotifyDelayAfter`, minutes). */
export const GlueJobRunStatusSchema = EventBridgeSchema.extend({
  source: z.literal('aws.glue'),
  'detail-type': z.literal('Glue Job Run Status'),
  detail: z.object({
    jobName: z.string().min(1),
    state: z.string().min(1),
    jobRunId: z.string().min(1).max(255),
    message: z.string().optional(),
    startedOn: z.string().optional(),
    notificationCondition: z.object({ NotifyDelayAfter: z.number().optional() }).optional(),
  }),
});

/** "SageMaker Model Package State Change": a model version was created or changed (e.g. approved). */
export const ModelPackageStateChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.sagemaker'),
  'detail-type': z.literal('SageMaker Model Package State Change'),
  detail: z.object({
    ModelPackageGroupName: z.string().min(1),
    ModelPackageVersion: z.number().int().positive().optional(),
    ModelPackageArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[^/]+\/\d+$/, 'not a model version ARN'),
    ModelApprovalStatus: z.string().min(1),
    ModelPackageStatus: z.string().optional(),
    CreationTime: eventTime,
  }),
});

/**
 * "CodePipeline Pipeline Execution State Change" (STARTED, SUCCEEDED, FAILED, STOPPING, STOPPED, SUPERSEDED...).
 * See https://docs.aws.amazon.com/codepipeline/latest/userguide/detect-state-changes-cloudwatch-events.html
 */
export const CodePipelineExecutionStateChangeSchema = EventBridgeSchema.extend({
  source: z.literal('aws.codepipeline'),
  'detail-type': z.literal('CodePipeline Pipeline Execution State Change'),
  detail: z.object({
    pipeline: z.string().regex(/^[A-Za-z0-9.@_-]{1,100}$/, 'not a CodePipeline pipeline name'),
    'execution-id': z
      .string()
      .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'not an execution id'),
    state: z.string().min(1),
    /** The pipeline's version (its structure's revision). */
    version: z.number().optional(),
    'execution-trigger': z
      .object({ 'trigger-type': z.string().optional(), 'trigger-detail': z.string().optional() })
      .optional(),
    'stop-execution-comments': z.string().optional(),
  }),
});

/** The detail-types notify handles, each with its schema. */
const NOTIFY_EVENT_SCHEMAS = [
  PipelineExecutionStatusChangeSchema,
  TrainingJobStateChangeSchema,
  TuningJobStateChangeSchema,
  GlueJobStateChangeSchema,
  GlueJobRunStatusSchema,
  ModelPackageStateChangeSchema,
  CodePipelineExecutionStateChangeSchema,
] as const;

/** The detail-types notify handles. */
export const NOTIFY_DETAIL_TYPES = NOTIFY_EVENT_SCHEMAS.map((schema) => schema.shape['detail-type'].value);

/** Any event notify handles, told apart by its detail-type. */
export const NotifyEventSchema = z.discriminatedUnion('detail-type', NOTIFY_EVENT_SCHEMAS, {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `expected one of ${NOTIFY_DETAIL_TYPES.map((type) => JSON.stringify(type)).join(', ')}`
      : undefined,
});

/** A parsed event of any kind notify handles. */
export type NotifyEvent = z.output<typeof NotifyEventSchema>;
export type PipelineExecutionStatusChangeEvent = z.output<typeof PipelineExecutionStatusChangeSchema>;
export type TrainingJobStateChangeEvent = z.output<typeof TrainingJobStateChangeSchema>;
export type TuningJobStateChangeEvent = z.output<typeof TuningJobStateChangeSchema>;
export type GlueJobStateChangeEvent = z.output<typeof GlueJobStateChangeSchema>;
export type GlueJobRunStatusEvent = z.output<typeof GlueJobRunStatusSchema>;
export type ModelPackageStateChangeEvent = z.output<typeof ModelPackageStateChangeSchema>;
export type CodePipelineExecutionStateChangeEvent = z.output<typeof CodePipelineExecutionStateChangeSchema>;
