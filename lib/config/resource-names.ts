/**
 * The names people type (pipelines, the model package group, exports), derived from one prefix per environment.
 * The stacks and local mode both take them from here, so a local run names things as the deployment does.
 */

/** The name prefix of an environment: `mlops-<stage>`. */
export function namePrefixOf(stageName: string): string {
  return `mlops-${stageName}`;
}

/** Names of an environment's resources that humans and other systems refer to. */
export interface ResourceNames {
  /** The prefix itself. */
  readonly prefix: string;
  /** The model package group (the model registry of the environment). */
  readonly modelPackageGroup: string;
  /** The training pipeline. */
  readonly trainingPipeline: string;
  /** The inference (batch transform) pipeline. */
  readonly inferencePipeline: string;
  /** The Glue ETL job that curates uploaded datasets. */
  readonly etlJob: string;
  /** The Glue database of the curated data (catalog names take `_`, not `-`). */
  readonly etlDatabase: string;
  /** The staging endpoint of the deployment flow (where the system test runs). */
  readonly stagingEndpoint: string;
  /** The production endpoint. */
  readonly productionEndpoint: string;
  /** The system-test state machine. */
  readonly systemTest: string;
  /** The role a system test in another account invokes the staging endpoint with (the endpoint stack's). */
  readonly systemTestInvoker: string;
  /** The model deployment pipeline (CodePipeline). */
  readonly deploymentPipeline: string;
  /** The CloudFormation stack of an endpoint, deployed by the deployment pipeline. */
  endpointStack(variant: 'staging' | 'production'): string;
  /** The CloudFormation export of a data stack output, e.g. `exportName('RawDataBucketName')`. */
  exportName(outputId: string): string;
}

/** The resource names of the environment with name prefix `prefix`. */
export function resourceNames(prefix: string): ResourceNames {
  return {
    prefix,
    modelPackageGroup: `${prefix}-models`,
    trainingPipeline: `${prefix}-training`,
    inferencePipeline: `${prefix}-inference`,
    etlJob: `${prefix}-etl`,
    etlDatabase: prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_'),
    stagingEndpoint: `${prefix}-staging`,
    productionEndpoint: `${prefix}-production`,
    systemTest: `${prefix}-system-test`,
    systemTestInvoker: `${prefix}-system-test-invoker`,
    deploymentPipeline: `${prefix}-model-deployment`,
    endpointStack: (variant) => `${prefix}-endpoint-${variant}`,
    exportName: (outputId: string) => `${prefix}:${outputId}`,
  };
}
