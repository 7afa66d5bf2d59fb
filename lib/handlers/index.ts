/**
 * The Lambda handlers of the platform: where each one's code is, how it is bundled, and the environment it gets
 * from the resources it works on. The stacks deploy them from here; local mode bundles and runs the same entries
 * with the same bundling options and environments built from its local resources.
 */
import * as path from 'path';
import { LOGGER_ENVIRONMENT } from '../../lambda/shared/logger';
import { START_ETL_ENVIRONMENT } from '../../lambda/start-etl/environment';
import { NOTIFY_ENVIRONMENT } from '../../lambda/notify/environment';
import { START_TRAINING_ENVIRONMENT } from '../../lambda/start-training/environment';
import { START_ON_CHANGE_ENVIRONMENT } from '../../lambda/cicd/start-on-change-environment';
import type { EtlConfig } from '../config/stage-config';

/** The folder of the handlers' code. */
export const LAMBDA_DIR = path.join(__dirname, '..', '..', 'lambda');

/**
 * The handlers, by name: `lambda/<name>/index.ts` exports `handler`; a name with a slash is a file of a folder of
 * related handlers (`system-test/plan` → `lambda/system-test/plan.ts`).
 */
export const HANDLERS = {
  startEtl: 'start-etl',
  startTraining: 'start-training',
  notify: 'notify',
  systemTestPlan: 'system-test/plan',
  systemTestInvoke: 'system-test/invoke',
  systemTestEvaluate: 'system-test/evaluate',
  deployResolveModel: 'deploy/resolve-model',
  deployTestReport: 'deploy/test-report',
  cicdStartOnChange: 'cicd/start-on-change',
} as const;

export type HandlerName = (typeof HANDLERS)[keyof typeof HANDLERS];

/** The entry file of a handler. */
export function handlerEntry(name: HandlerName): string {
  return name.includes('/') ? path.join(LAMBDA_DIR, `${name}.ts`) : path.join(LAMBDA_DIR, name, 'index.ts');
}

/**
 * How every handler is bundled (esbuild, through NodejsFunction in the cloud, directly in local mode): one minified
 * CommonJS file for the Node.js runtime, the AWS SDK bundled in (the versions the tests ran, not the runtime's).
 */
export const HANDLER_BUNDLING = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  sourcemap: true,
} as const;

/** How every handler runs (the construct deploys them so; local mode runs them so). */
export const HANDLER_RUNTIME = {
  /** Seconds an invocation may take. */
  timeoutSeconds: 30,
  memorySizeMb: 256,
} as const;

/** The variables every handler gets besides its own: its log service name, source maps, the SDK's retries. */
export function handlerRuntimeEnvironment(handler: HandlerName): Record<string, string> {
  return {
    [LOGGER_ENVIRONMENT.serviceName]: handler,
    NODE_OPTIONS: '--enable-source-maps',
    // Throttled AWS calls are retried by the SDK before the invocation fails.
    AWS_MAX_ATTEMPTS: '5',
  };
}

/** The resources start-etl works on. */
export interface StartEtlResources {
  readonly rawBucketName: string;
  readonly processedBucketName: string;
  readonly etlJobName: string;
  readonly idempotencyTableName: string;
}

/** start-etl's environment: which uploads start which job, and where its runs write. */
export function startEtlEnvironment(resources: StartEtlResources, etl: EtlConfig): Record<string, string> {
  return {
    [START_ETL_ENVIRONMENT.rawBucketName]: resources.rawBucketName,
    [START_ETL_ENVIRONMENT.processedBucketName]: resources.processedBucketName,
    [START_ETL_ENVIRONMENT.etlJobName]: resources.etlJobName,
    [START_ETL_ENVIRONMENT.idempotencyTableName]: resources.idempotencyTableName,
    [START_ETL_ENVIRONMENT.allowedSuffixes]: etl.allowedSuffixes.join(','),
    [START_ETL_ENVIRONMENT.maxObjectBytes]: String(etl.maxObjectBytes),
  };
}

/** The resources start-training works on. */
export interface StartTrainingResources {
  readonly etlJobName: string;
  readonly processedBucketName: string;
  readonly trainingPipelineName: string;
  readonly idempotencyTableName: string;
}

/** start-training's environment: whose successful runs start which pipeline. */
export function startTrainingEnvironment(resources: StartTrainingResources): Record<string, string> {
  return {
    [START_TRAINING_ENVIRONMENT.etlJobName]: resources.etlJobName,
    [START_TRAINING_ENVIRONMENT.processedBucketName]: resources.processedBucketName,
    [START_TRAINING_ENVIRONMENT.trainingPipelineName]: resources.trainingPipelineName,
    [START_TRAINING_ENVIRONMENT.idempotencyTableName]: resources.idempotencyTableName,
  };
}

/** The resources notify reports on. */
export interface NotifyResources {
  readonly topicArn: string;
  readonly idempotencyTableName: string;
  readonly trainingPipelineName: string;
  readonly inferencePipelineName: string;
  readonly modelPackageGroupName: string;
  readonly etlJobName: string;
  readonly deploymentPipelineName: string;
}

/** notify's environment: where messages go, and whose events it reports. */
export function notifyEnvironment(resources: NotifyResources): Record<string, string> {
  return {
    [NOTIFY_ENVIRONMENT.topicArn]: resources.topicArn,
    [NOTIFY_ENVIRONMENT.idempotencyTableName]: resources.idempotencyTableName,
    [NOTIFY_ENVIRONMENT.trainingPipelineName]: resources.trainingPipelineName,
    [NOTIFY_ENVIRONMENT.inferencePipelineName]: resources.inferencePipelineName,
    [NOTIFY_ENVIRONMENT.modelPackageGroupName]: resources.modelPackageGroupName,
    [NOTIFY_ENVIRONMENT.etlJobName]: resources.etlJobName,
    [NOTIFY_ENVIRONMENT.deploymentPipelineName]: resources.deploymentPipelineName,
  };
}

/** The resources start-on-change works on. */
export interface StartOnChangeResources {
  readonly repositoryName: string;
  readonly branchName: string;
  readonly pipelineName: string;
  /** Path globs whose changes alone do not start the pipeline (`CicdConfig.docsOnlyPaths`). */
  readonly docsOnlyPaths: readonly string[];
}

/** start-on-change's environment: which pushes start which pipeline, and which paths alone do not. */
export function startOnChangeEnvironment(resources: StartOnChangeResources): Record<string, string> {
  return {
    [START_ON_CHANGE_ENVIRONMENT.repositoryName]: resources.repositoryName,
    [START_ON_CHANGE_ENVIRONMENT.branchName]: resources.branchName,
    [START_ON_CHANGE_ENVIRONMENT.pipelineName]: resources.pipelineName,
    [START_ON_CHANGE_ENVIRONMENT.docsOnlyPaths]: JSON.stringify(resources.docsOnlyPaths),
  };
}
