import { namePrefixOf, resourceNames, type ResourceNames, type StageConfig } from '../../lib/config';
import { imageUriForRegion } from '../../lib/image-uris';
import {
  stagePipelineDefinitions,
  type PipelineDefinition,
  type PipelineResources,
} from '../../lib/sagemaker-pipelines';
import type { LocalS3 } from '../s3';
import { stageMlScriptAssets } from './assets';

/** Local stand-ins of a stage's buckets: `<prefix>-raw-data`, `<prefix>-processed-data`, `<prefix>-artifacts`. */
export function localBucketNames(names: ResourceNames): PipelineResources['buckets'] {
  return {
    raw: `${names.prefix}-raw-data`,
    processed: `${names.prefix}-processed-data`,
    artifacts: `${names.prefix}-artifacts`,
  };
}

/** The ARN local mode gives the stage's SageMaker execution role (nothing assumes it). */
export function localRoleArn(names: ResourceNames, config: Pick<StageConfig, 'account'>): string {
  return `arn:aws:iam::${config.account}:role/${names.prefix}-sagemaker-execution`;
}

/** The ARN local mode gives the stage's data key (cloud only: local mode reports it as ignored). */
export function localDataKeyArn(names: ResourceNames, config: Pick<StageConfig, 'account' | 'region'>): string {
  return `arn:aws:kms:${config.region}:${config.account}:key/${names.prefix}-data`;
}

/** A security group id that stands in for one the stack creates (`vpc.securityGroupId: 'create'`). */
export const LOCAL_CREATED_SECURITY_GROUP = 'sg-0000000000000000l';

/** One stage as local mode runs it: its config, names, local resources and the two pipeline definitions. */
export interface LocalStage {
  readonly config: StageConfig;
  readonly names: ResourceNames;
  readonly resources: PipelineResources;
  readonly definitions: { readonly training: PipelineDefinition; readonly inference: PipelineDefinition };
}

/** The local resources of a stage; stages the ML scripts in local S3 where the deployed stage's assets are. */
export function localPipelineResources(config: StageConfig, s3: LocalS3): PipelineResources {
  const names = resourceNames(namePrefixOf(config.stageName));
  const vpc = config.vpc
    ? {
        subnetIds: config.vpc.subnetIds,
        securityGroupIds: [config.vpc.securityGroupId === 'create' ? LOCAL_CREATED_SECURITY_GROUP : config.vpc.securityGroupId],
      }
    : undefined;
  return {
    region: config.region,
    roleArn: localRoleArn(names, config),
    buckets: localBucketNames(names),
    kmsKeyId: localDataKeyArn(names, config),
    imageUris: { sklearn: imageUriForRegion('sklearn', config.region), xgboost: imageUriForRegion('xgboost', config.region) },
    scriptUris: stageMlScriptAssets(s3, { account: config.account, region: config.region }),
    modelPackageGroupName: names.modelPackageGroup,
    vpc,
  };
}

/**
 * Builds a stage for local mode with the same function the training stack calls (`stagePipelineDefinitions`): only
 * resource names differ from the deployment.
 */
export function prepareLocalStage(config: StageConfig, s3: LocalS3): LocalStage {
  const names = resourceNames(namePrefixOf(config.stageName));
  const resources = localPipelineResources(config, s3);
  return { config, names, resources, definitions: stagePipelineDefinitions(config, resources) };
}
