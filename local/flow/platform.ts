import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DATA_LAYOUT, datasetContractDocument } from '../../lib/config';
import { curatedTableInput } from '../../lib/etl/catalog';
import { etlJobArguments } from '../../lib/etl/job-arguments';
import { modelApprovedPattern } from '../../lib/events/patterns';
import { dataFlowRules, monitoringRules, type PlatformRule } from '../../lib/events/rules';
import {
  HANDLERS,
  handlerRuntimeEnvironment,
  notifyEnvironment,
  startEtlEnvironment,
  startTrainingEnvironment,
  type HandlerName,
} from '../../lib/handlers';
import { startLocalAwsEndpoint, type LocalAwsEndpoint } from '../aws';
import { objectCreatedEvent, type AwsEvent } from '../events/aws-events';
import { LocalEventBus, type BusEvent } from '../events/bus';
import type { ExecutionEventListener } from '../executor';
import { LocalGlueCatalog } from '../glue/catalog';
import { LocalGlueJobs, type LocalGlueJobsOptions } from '../glue/job-runner';
import { LocalLambda, type InvocationOutcome, type LocalFunctionDefinition } from '../lambda/local-lambda';
import type { LocalModelRegistry } from '../registry';
import type { LocalS3 } from '../s3';
import type { LocalStage } from '../stage';
import { LocalPipelineService } from './pipeline-service';
import { customImageInterpreters } from '../executor/images';

/** Options of {@link startLocalPlatform}. */
export interface LocalPlatformOptions {
  readonly stage: LocalStage;
  readonly s3: LocalS3;
  readonly registry: LocalModelRegistry;
  readonly workDir: string;
  readonly python: string;
  /** Seed of the tuning search. */
  readonly seed?: number;
  /** Progress of the pipeline executions. */
  readonly onProgress?: ExecutionEventListener;
  /** Each handler invocation as it ends. */
  readonly onInvocation?: (outcome: InvocationOutcome, event: AwsEvent & { readonly rule: string }) => void;
  /** Extra spark-submit options of the ETL runs. */
  readonly sparkArgs?: string;
  /** Stops the ETL runs and the pipeline executions when aborted. */
  readonly signal?: AbortSignal;
  /**
   * What an approved model version starts: the deployment stack's trigger (`modelApprovedPattern`) routes the
   * approval event here, as it starts the model deployment pipeline in the cloud.
   */
  readonly onModelApproved?: (event: BusEvent) => Promise<void>;
}

/** The names local mode gives the resources the stacks name by generation (tables, topic, functions). */
export function localPlatformNames(stage: LocalStage) {
  const { prefix } = stage.names;
  const { account, region } = stage.config;
  return {
    etlIdempotencyTable: `${prefix}-etl-idempotency`,
    notifyIdempotencyTable: `${prefix}-notify-idempotency`,
    topicArn: `arn:aws:sns:${region}:${account}:${prefix}-notifications`,
    functionName: (handler: HandlerName) => `${prefix}-${handler}`,
    pipelineArn: (name: string) => `arn:aws:sagemaker:${region}:${account}:pipeline/${name.toLowerCase()}`,
  };
}

/**
 * A stage's data flow and monitoring on this machine, built from what the stacks deploy: the rules of
 * `lib/events/rules` on a local event bus, the handlers of `lambda/` with the environments of `lib/handlers`, the
 * ETL job's entry point with its default arguments, the catalog table of `lib/etl/catalog`, and the stage's two
 * pipelines; the handlers reach the local runners through the local AWS endpoint.
 */
export class LocalPlatform {
  readonly bus: LocalEventBus;
  readonly lambda: LocalLambda;
  readonly glue: LocalGlueJobs;
  readonly catalog: LocalGlueCatalog;
  readonly pipelines: LocalPipelineService;
  readonly rules: readonly PlatformRule[];

  private constructor(
    private readonly options: LocalPlatformOptions,
    readonly endpoint: LocalAwsEndpoint,
    parts: { bus: LocalEventBus; lambda: LocalLambda; glue: LocalGlueJobs; catalog: LocalGlueCatalog; pipelines: LocalPipelineService; rules: PlatformRule[] },
  ) {
    this.bus = parts.bus;
    this.lambda = parts.lambda;
    this.glue = parts.glue;
    this.catalog = parts.catalog;
    this.pipelines = parts.pipelines;
    this.rules = parts.rules;
  }

  /** "Deploys" the stage locally and starts the endpoint. */
  static async start(options: LocalPlatformOptions): Promise<LocalPlatform> {
    const { stage, s3, registry, workDir } = options;
    const { config, names, resources } = stage;
    const local = localPlatformNames(stage);
    const environment = { account: config.account, region: config.region };
    const bus = new LocalEventBus(environment);
    // The ETL runs reach the endpoint (the catalog) with its variables, known once it has started.
    const awsEnvironment: Record<string, string> = {};

    const { glue, catalog } = localEtl(stage, {
      s3,
      python: options.python,
      workDir,
      awsEnvironment: () => awsEnvironment,
      onEvent: (event) => bus.put(event),
      sparkArgs: options.sparkArgs,
    });
    const pipelines = new LocalPipelineService({
      pipelines: [
        { name: names.trainingPipeline, definition: stage.definitions.training },
        { name: names.inferencePipeline, definition: stage.definitions.inference },
      ],
      registry,
      execution: {
        workDir,
        s3,
        python: options.python,
        // The stage's custom images run with their own pins (local/executor/images.ts).
        imageInterpreters: customImageInterpreters(options.stage.config.images),
        environment,
        seed: options.seed,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      onProgress: options.onProgress,
      onEvent: (event) => bus.put(event),
    });
    const endpoint = await startLocalAwsEndpoint({
      backends: {
        glue: {
          startJobRun: (r) => glue.startJobRun(r),
          getJobRun: (r) => glue.getJobRun(r),
          getTable: (r) => catalog.getTable(r),
          updateTable: (r) => catalog.updateTable(r),
        },
        sagemaker: pipelines,
        s3,
      },
      region: config.region,
      account: config.account,
      dataDir: path.join(workDir, 'aws'),
    });
    Object.assign(awsEnvironment, endpoint.environment);
    const lambda = new LocalLambda({ workDir, awsEnvironment: endpoint.environment, region: config.region, account: config.account });

    const functions: Partial<Record<HandlerName, LocalFunctionDefinition>> = {
      [HANDLERS.startEtl]: definition(local.functionName(HANDLERS.startEtl), HANDLERS.startEtl, startEtlEnvironment(
        {
          rawBucketName: resources.buckets.raw,
          processedBucketName: resources.buckets.processed,
          etlJobName: names.etlJob,
          idempotencyTableName: local.etlIdempotencyTable,
        },
        config.etl,
      )),
      [HANDLERS.startTraining]: definition(local.functionName(HANDLERS.startTraining), HANDLERS.startTraining, startTrainingEnvironment({
        etlJobName: names.etlJob,
        processedBucketName: resources.buckets.processed,
        trainingPipelineName: names.trainingPipeline,
        idempotencyTableName: local.etlIdempotencyTable,
      })),
      [HANDLERS.notify]: definition(local.functionName(HANDLERS.notify), HANDLERS.notify, notifyEnvironment({
        topicArn: local.topicArn,
        idempotencyTableName: local.notifyIdempotencyTable,
        trainingPipelineName: names.trainingPipeline,
        inferencePipelineName: names.inferencePipeline,
        modelPackageGroupName: names.modelPackageGroup,
        etlJobName: names.etlJob,
        deploymentPipelineName: names.deploymentPipeline,
      })),
    };
    const rules = [
      ...dataFlowRules({ rawBucketName: resources.buckets.raw, etlJobName: names.etlJob }),
      ...monitoringRules({
        pipelineArns: [names.trainingPipeline, names.inferencePipeline].map(local.pipelineArn),
        executionRoleArn: resources.roleArn,
        etlJobName: names.etlJob,
        modelPackageGroupName: names.modelPackageGroup,
        deploymentPipelineName: names.deploymentPipeline,
      }),
    ];
    for (const rule of rules) {
      const fn = functions[rule.handler];
      if (!fn) throw new Error(`rule ${rule.id} targets handler '${rule.handler}', which local mode does not deploy`);
      bus.addRule({
        name: rule.id,
        pattern: rule.pattern,
        target: async (event) => {
          const outcome = await lambda.invoke(fn, event);
          options.onInvocation?.(outcome, { source: event.source, detailType: event['detail-type'], detail: event.detail, resources: event.resources, rule: rule.id });
          if (outcome.error) throw new Error(`${fn.name}: ${outcome.error.message}`);
        },
      });
    }
    if (options.onModelApproved) {
      bus.addRule({ name: 'ModelApproved', pattern: modelApprovedPattern(names.modelPackageGroup), target: options.onModelApproved });
    }
    options.signal?.addEventListener('abort', () => glue.stop(), { once: true });
    return new LocalPlatform(options, endpoint, { bus, lambda, glue, catalog, pipelines, rules });
  }

  /**
   * Uploads a dataset to the raw bucket under `raw/` (a new object version, as the versioned bucket makes) and puts
   * S3's "Object Created" event on the bus; returns the object's URI.
   */
  upload(file: string, key = `${DATA_LAYOUT.rawPrefix}${path.basename(file)}`): string {
    const bucket = this.options.stage.resources.buckets.raw;
    const uri = `s3://${bucket}/${key}`;
    this.options.s3.putFile(uri, file);
    const body = fs.readFileSync(this.options.s3.pathFor(uri));
    this.bus.put(objectCreatedEvent({
      bucket,
      key,
      size: body.length,
      etag: createHash('md5').update(body).digest('hex'),
      // Letters and digits only: base64url may start with '-', which Glue's argument parser (argparse) would
      // read as an option name when the version id reaches the job as --source_version_id.
      versionId: randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 32),
      requester: this.options.stage.config.account,
    }));
    return uri;
  }

  /** Puts an event on the bus (e.g. a model version's approval). */
  put(event: AwsEvent): void {
    this.bus.put(event);
  }

  /** Resolves when nothing runs: no delivery, no ETL run, no pipeline execution (each may start the others). */
  async idle(): Promise<void> {
    for (;;) {
      const before = this.activity();
      await this.bus.idle();
      await this.glue.idle();
      await this.pipelines.idle();
      await this.bus.idle();
      if (this.activity() === before) return;
    }
  }

  /** Stops the ETL runs and the endpoint. */
  async close(): Promise<void> {
    this.glue.stop();
    await this.endpoint.close();
  }

  /** A count that grows with anything the platform does. */
  private activity(): number {
    return this.bus.events.length + this.glue.jobRuns.length + this.pipelines.started.length + this.lambda.invocations.length;
  }
}

/**
 * The stage's ETL job on this machine, as the ETL stack deploys it: the job (its name, default arguments and limits
 * from the stage's config) and the catalog with the curated table created from `lib/etl/catalog`.
 */
export function localEtl(
  stage: LocalStage,
  options: Omit<LocalGlueJobsOptions, 'job'>,
): { readonly glue: LocalGlueJobs; readonly catalog: LocalGlueCatalog } {
  const { config, names, resources } = stage;
  const catalog = new LocalGlueCatalog(path.join(options.workDir, 'glue-catalog'), config.account);
  catalog.createTable(names.etlDatabase, curatedTableInput({ processedBucketName: resources.buckets.processed, label: config.labelColumn }));
  const glue = new LocalGlueJobs({
    ...options,
    job: {
      name: names.etlJob,
      defaultArguments: etlJobArguments({ contract: datasetContractDocument(config), databaseName: names.etlDatabase }),
      timeoutMinutes: config.etl.timeoutMinutes,
      notifyDelayMinutes: config.etl.notifyDelayMinutes,
      maxConcurrentRuns: config.etl.maxConcurrentRuns,
      workerType: config.etl.workerType,
      numberOfWorkers: config.etl.numberOfWorkers,
    },
  });
  return { glue, catalog };
}

function definition(name: string, handler: HandlerName, environment: Record<string, string>): LocalFunctionDefinition {
  return { name, handler, environment: { ...environment, ...handlerRuntimeEnvironment(handler) } };
}
