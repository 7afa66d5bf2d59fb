import { randomBytes } from 'crypto';
import { LocalAwsError } from '../aws';
import {
  modelPackageStateChangeEvent,
  pipelineExecutionStatusChangeEvent,
  trainingJobStateChangeEvent,
  tuningJobStateChangeEvent,
  type AwsEvent,
} from '../events/aws-events';
import { executePipeline, type ExecutePipelineOptions, type ExecutionEventListener, type ExecutionRecord, type StepRecord } from '../executor';
import { prepareDefinition } from '../executor/validate';
import type { PipelineDefinitionJson } from '../executor/definition';
import type { LocalModelRegistry, ModelPackage } from '../registry';

type Request = Record<string, unknown>;

/** A pipeline local mode has "deployed": its name and definition (the stage's). */
export interface LocalPipeline {
  readonly name: string;
  readonly definition: PipelineDefinitionJson;
}

/** An execution started through the service, with how it was asked for. */
export interface ServiceExecution {
  readonly pipelineName: string;
  readonly executionArn: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly parameters: Record<string, string>;
  /** Resolves with the record when the execution ends. */
  readonly done: Promise<ExecutionRecord>;
  /** Set when it ended. */
  record?: ExecutionRecord;
  /** Set when it could not run at all (e.g. no Python): it ends `Failed` with this reason. */
  error?: Error;
}

/** Options of {@link LocalPipelineService}. */
export interface LocalPipelineServiceOptions {
  readonly pipelines: readonly LocalPipeline[];
  readonly registry: LocalModelRegistry;
  /** How every execution runs (work dir, S3, Python, environment, seed...), except definition, name and parameters. */
  readonly execution: Omit<ExecutePipelineOptions, 'definition' | 'pipelineName' | 'parameters' | 'executionId' | 'onEvent' | 'registry'>;
  /** Progress of every execution (the CLI prints it). */
  readonly onProgress?: ExecutionEventListener;
  /** Where the SageMaker events of the executions go (the local event bus). */
  readonly onEvent: (event: AwsEvent) => void;
}

/** Step statuses of ListPipelineExecutionSteps. */
const STEP_STATUS: Record<StepRecord['status'], string | undefined> = {
  Executing: 'Executing',
  Succeeded: 'Succeeded',
  Cached: 'Succeeded',
  Failed: 'Failed',
  NotExecuted: undefined,
};

/**
 * SageMaker Pipelines and the model registry on this machine, for the local AWS endpoint: StartPipelineExecution
 * runs the stage's definition with the local executor (in the background, as SageMaker does), Describe / List read
 * its record, DescribeModelPackage the local registry. Executions put the events SageMaker puts: the execution's
 * status changes, the training and tuning jobs' state changes, and each new model version's state change.
 */
export class LocalPipelineService {
  private readonly executions = new Map<string, ServiceExecution>();
  private readonly byToken = new Map<string, string>();

  constructor(private readonly options: LocalPipelineServiceOptions) {}

  /** Every execution started so far, in start order. */
  get started(): readonly ServiceExecution[] {
    return [...this.executions.values()];
  }

  /** Resolves when no execution is running. */
  async idle(): Promise<void> {
    await Promise.allSettled(this.started.map((e) => e.done));
  }

  /** SageMaker StartPipelineExecution: one execution per client request token, as SageMaker keeps them. */
  async startPipelineExecution(request: Request): Promise<{ PipelineExecutionArn: string }> {
    const token = typeof request.ClientRequestToken === 'string' ? request.ClientRequestToken : undefined;
    const known = token ? this.byToken.get(token) : undefined;
    if (known) return { PipelineExecutionArn: known };
    const pipeline = this.options.pipelines.find((p) => p.name === request.PipelineName);
    if (!pipeline) {
      throw new LocalAwsError(
        'ResourceNotFound',
        `Pipeline '${String(request.PipelineName)}' does not exist (this stage has ${this.options.pipelines.map((p) => p.name).join(', ')}).`,
      );
    }
    const parameters = Object.fromEntries(
      ((request.PipelineParameters as { Name: string; Value: string }[] | undefined) ?? []).map((p) => [p.Name, p.Value]),
    );
    try {
      prepareDefinition(pipeline.definition, parameters);
    } catch (error) {
      throw new LocalAwsError('ValidationException', (error as Error).message);
    }
    const executionId = randomBytes(6).toString('hex');
    const { account, region } = this.options.execution.environment ?? { account: '', region: '' };
    const pipelineArn = `arn:aws:sagemaker:${region}:${account}:pipeline/${pipeline.name.toLowerCase()}`;
    const executionArn = `${pipelineArn}/execution/${executionId}`;
    const displayName = typeof request.PipelineExecutionDisplayName === 'string' ? request.PipelineExecutionDisplayName : undefined;
    const description = typeof request.PipelineExecutionDescription === 'string' ? request.PipelineExecutionDescription : undefined;
    const statusEvent = (status: string, previousStatus: string | undefined, startTime: string, endTime?: string) =>
      pipelineExecutionStatusChangeEvent({ pipelineArn, executionArn, status, previousStatus, startTime, endTime, displayName, description });
    const startTime = new Date().toISOString();
    const done = executePipeline({
      ...this.options.execution,
      definition: pipeline.definition,
      pipelineName: pipeline.name,
      parameters,
      executionId,
      registry: this.options.registry,
      onEvent: (event) => {
        if (event.type === 'executionStarted') this.options.onEvent(statusEvent('Executing', undefined, startTime));
        this.options.onProgress?.(event);
      },
    }).then(
      (record) => {
        execution.record = record;
        for (const event of this.jobEvents(record, pipeline)) this.options.onEvent(event);
        this.options.onEvent(statusEvent(record.status, 'Executing', record.startTime, record.endTime));
        return record;
      },
      (error: unknown) => {
        execution.error = error instanceof Error ? error : new Error(String(error));
        this.options.onEvent(statusEvent('Failed', 'Executing', startTime, new Date().toISOString()));
        throw execution.error;
      },
    );
    // Whoever waits for the execution sees its error; the service itself must not leave the rejection unhandled.
    done.catch(() => undefined);
    const execution: ServiceExecution = { pipelineName: pipeline.name, executionArn, displayName, description, parameters, done };
    this.executions.set(executionArn, execution);
    if (token) this.byToken.set(token, executionArn);
    return { PipelineExecutionArn: executionArn };
  }

  /** SageMaker DescribePipelineExecution. */
  async describePipelineExecution(request: Request): Promise<Record<string, unknown>> {
    const execution = this.find(request.PipelineExecutionArn);
    const record = execution.record;
    return {
      PipelineArn: execution.executionArn.replace(/\/execution\/[^/]+$/, ''),
      PipelineExecutionArn: execution.executionArn,
      PipelineExecutionStatus: record?.status ?? (execution.error ? 'Failed' : 'Executing'),
      ...(execution.displayName !== undefined ? { PipelineExecutionDisplayName: execution.displayName } : {}),
      ...(execution.description !== undefined ? { PipelineExecutionDescription: execution.description } : {}),
      ...(record?.failureReason !== undefined ? { FailureReason: record.failureReason } : execution.error ? { FailureReason: execution.error.message } : {}),
      ...(record ? { CreationTime: record.startTime, LastModifiedTime: record.endTime ?? record.startTime } : {}),
    };
  }

  /** SageMaker ListPipelineExecutionSteps: the steps that started, latest first, as SageMaker lists them. */
  async listPipelineExecutionSteps(request: Request): Promise<Record<string, unknown>> {
    const execution = this.find(request.PipelineExecutionArn);
    const steps = (execution.record?.steps ?? [])
      .filter((step) => STEP_STATUS[step.status] !== undefined)
      .map((step) => stepSummary(step))
      .reverse();
    return { PipelineExecutionSteps: request.SortOrder === 'Ascending' ? steps.reverse() : steps };
  }

  /** SageMaker DescribeModelPackage. */
  async describeModelPackage(request: Request): Promise<Record<string, unknown>> {
    const arn = String(request.ModelPackageName);
    let pkg: ModelPackage;
    try {
      pkg = this.options.registry.describeModelPackage(arn);
    } catch (error) {
      throw new LocalAwsError('ValidationException', `Model package ${arn} does not exist: ${(error as Error).message}`);
    }
    return describedModelPackage(pkg);
  }

  /** The event SageMaker puts when a model version's approval changes. */
  approvalChanged(modelPackageArn: string): AwsEvent {
    const described = describedModelPackage(this.options.registry.describeModelPackage(modelPackageArn));
    return modelPackageStateChangeEvent({ ...described, ModelPackageArn: modelPackageArn });
  }

  private find(arn: unknown): ServiceExecution {
    const execution = this.executions.get(String(arn));
    if (!execution) throw new LocalAwsError('ResourceNotFound', `Pipeline execution ${String(arn)} does not exist.`);
    return execution;
  }

  /** The training, tuning and model-package events of an execution's steps, in step order. */
  private jobEvents(record: ExecutionRecord, pipeline: LocalPipeline): AwsEvent[] {
    const definitions = new Map(
      prepareDefinition(pipeline.definition, record.parameters).flat.map(({ step }) => [step.Name, step.Arguments as Record<string, unknown>]),
    );
    const events: AwsEvent[] = [];
    for (const step of record.steps) {
      if (step.status !== 'Succeeded' && step.status !== 'Failed') continue;
      const args = definitions.get(step.name) ?? {};
      const properties = step.properties ?? {};
      const status = step.status === 'Succeeded' ? 'Completed' : 'Failed';
      const failure = step.failureReason !== undefined ? { FailureReason: step.failureReason } : {};
      if (step.type === 'Training') {
        const name = String(properties.TrainingJobName ?? `${step.name}-${record.executionId}`);
        events.push(trainingJobStateChangeEvent({
          ...args,
          ...properties,
          TrainingJobName: name,
          TrainingJobArn: String(properties.TrainingJobArn ?? arnOf(record, 'training-job', name)),
          TrainingJobStatus: status,
          ...failure,
        }));
      } else if (step.type === 'Tuning') {
        const name = String(properties.HyperParameterTuningJobName ?? `${step.name}-${record.executionId}`.slice(0, 32));
        events.push(tuningJobStateChangeEvent({
          ...args,
          ...properties,
          HyperParameterTuningJobName: name,
          HyperParameterTuningJobArn: String(properties.HyperParameterTuningJobArn ?? arnOf(record, 'hyper-parameter-tuning-job', name)),
          HyperParameterTuningJobStatus: status,
          ...failure,
        }));
      } else if (step.type === 'RegisterModel' && step.status === 'Succeeded' && typeof properties.ModelPackageArn === 'string') {
        events.push(this.approvalChanged(properties.ModelPackageArn));
      }
    }
    return events;
  }
}

function arnOf(record: ExecutionRecord, resource: string, name: string): string {
  return record.pipelineArn.replace(/:pipeline\/.*$/, `:${resource}/${name.toLowerCase()}`);
}

/** A step as ListPipelineExecutionSteps summarizes it. */
function stepSummary(step: StepRecord): Record<string, unknown> {
  const properties = step.properties ?? {};
  const metadata: Record<string, unknown> = {};
  const arn = (key: string) => (typeof properties[key] === 'string' ? { Arn: properties[key] } : undefined);
  const put = (name: string, value: Record<string, unknown> | undefined) => {
    if (value) metadata[name] = value;
  };
  switch (step.type) {
    case 'Processing': put('ProcessingJob', arn('ProcessingJobArn')); break;
    case 'Training': put('TrainingJob', arn('TrainingJobArn')); break;
    case 'Tuning': put('TuningJob', arn('HyperParameterTuningJobArn')); break;
    case 'Transform': put('TransformJob', arn('TransformJobArn')); break;
    case 'Model': put('Model', arn('ModelArn')); break;
    case 'RegisterModel': put('RegisterModel', arn('ModelPackageArn')); break;
    case 'Condition': if (typeof properties.Outcome === 'string') put('Condition', { Outcome: properties.Outcome }); break;
    case 'Fail': if (typeof properties.ErrorMessage === 'string') put('Fail', { ErrorMessage: properties.ErrorMessage }); break;
    default: break;
  }
  return {
    StepName: step.name,
    StepStatus: STEP_STATUS[step.status],
    ...(step.startTime !== undefined ? { StartTime: step.startTime } : {}),
    ...(step.endTime !== undefined ? { EndTime: step.endTime } : {}),
    ...(step.failureReason !== undefined ? { FailureReason: step.failureReason } : {}),
    ...(step.cacheHit ? { CacheHitResult: { SourcePipelineExecutionArn: step.cacheHit.sourceExecutionArn } } : {}),
    AttemptCount: Math.max(1, step.attempts.length),
    Metadata: metadata,
  };
}

/** A registry record as DescribeModelPackage returns it (without local mode's parsed metrics). */
function describedModelPackage(pkg: ModelPackage): Record<string, unknown> & { ModelPackageArn: string } {
  const { Metrics: _metrics, ...described } = pkg;
  return { ...described, ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] }, CertifyForMarketplace: false };
}
