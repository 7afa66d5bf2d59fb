#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  loadCicdConfig,
  loadStageConfig,
  STAGE_NAMES,
  type CicdConfigOverrides,
  type CicdSourceConfig,
  type StageConfig,
  type StageConfigOverrides,
  type StageName,
} from '../lib/config';
import { CicdPipelineStack } from '../lib/stacks/cicd-pipeline-stack';
import { MlPlatformStage } from '../lib/stages/ml-platform-stage';

// Stacks live in a Stage (a nested cloud assembly), and `cdk synth` without stack selectors only reports
// validation findings of top-level stacks. Let the app itself report and fail on any finding (cdk-nag or
// CloudFormation validation) whatever the CLI selects.
const app = new App({ postCliContext: { '@aws-cdk/core:failSynthOnValidationErrors': true } });

/** The context values this app read, so that the CI/CD pipeline's own synth can pass them again. */
const usedContext: Record<string, string> = {};
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  usedContext[key] = String(value);
  return String(value);
};
/** `true`/`false` as booleans; anything else as given, for the config check to report. */
const flag = (key: string): boolean | undefined => {
  const value = context(key);
  return value === undefined ? undefined : value === 'true' ? true : value === 'false' ? false : (value as unknown as boolean);
};

// Synth is deterministic: account and region come from context (`-c prodAccount=... -c prodRegion=...`), never
// from the credentials in the shell; without them the stage's placeholders apply.
function stageConfig(stageName: string): StageConfig {
  const destroyData = context(`${stageName}DestroyData`);
  const notificationEmail = context(`${stageName}NotificationEmail`);
  const overrides: StageConfigOverrides = {
    account: context(`${stageName}Account`),
    region: context(`${stageName}Region`),
    destroyDataOnDelete: destroyData === undefined ? undefined : destroyData === 'true',
    // `-c prodNotificationEmail=ml-team@example.com` subscribes that address to the stage's notifications.
    ...(notificationEmail === undefined ? {} : { monitoring: { notificationEmail } }),
  };
  return loadStageConfig(stageName, overrides);
}

if (context('pipeline') === 'true') {
  // `-c pipeline=true`: only the CI/CD pipeline stack, which deploys dev, staging and prod itself.
  const stages = Object.fromEntries(STAGE_NAMES.map((name) => [name, stageConfig(name)])) as Record<StageName, StageConfig>;
  const sourceKind = context('pipelineSource') ?? 'codecommit';
  const source = (sourceKind === 'connection'
    ? {
      kind: 'connection',
      connectionArn: context('pipelineConnectionArn'),
      repository: context('pipelineRepository'),
      // `-c pipelineProvider=github|gitlab|bitbucket` (default github): only GitHub gets the pull-request review.
      provider: context('pipelineProvider'),
    }
    : sourceKind === 'codecommit'
      ? { kind: 'codecommit', repositoryName: context('pipelineRepositoryName') ?? 'mlops-platform', create: flag('pipelineCreateRepository') ?? true }
      : { kind: sourceKind }) as CicdSourceConfig;
  const retrain = context('pipelineRetrain');
  const docsOnlyPaths = context('pipelineDocsOnlyPaths');
  const overrides: CicdConfigOverrides = {
    source,
    branch: context('pipelineBranch'),
    pipelineAccount: context('pipelineAccount'),
    pipelineRegion: context('pipelineRegion'),
    // `-c pipelineRetrain=dev,staging` (or `none`): the environments that retrain after each deployment.
    retrainAfterDeploy: retrain === undefined ? undefined : Object.fromEntries([
      ...STAGE_NAMES.map((name) => [name, false]),
      ...retrain.split(',').map((name) => name.trim()).filter((name) => name !== '' && name !== 'none').map((name) => [name, true]),
    ]),
    waitForTraining: flag('pipelineWaitForTraining'),
    // `-c pipelineDocsOnlyPaths=**/*.md,docs/**`
    docsOnlyPaths: docsOnlyPaths === undefined ? undefined : docsOnlyPaths.split(',').map((glob) => glob.trim()).filter((glob) => glob !== ''),
    customImages: flag('pipelineCustomImages'),
    // `-c pipelineReviewTokenSecretName=...`: the secret with the GitHub token the review comments with.
    reviewTokenSecretName: context('pipelineReviewTokenSecretName'),
  };
  const cicd = loadCicdConfig(overrides, { pipelineAccount: stages.dev.account, pipelineRegion: stages.dev.region });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cliVersion = (require('aws-cdk/package.json') as { version: string }).version;
  new CicdPipelineStack(app, 'MlopsCicdPipeline', {
    stackName: 'mlops-platform-cicd',
    description: 'ML platform: the CI/CD pipeline (build and test, self-mutation, dev → staging → approval → prod, retraining)',
    cicd,
    stages,
    synthContext: usedContext,
    cliVersion,
  });
  // The pipeline stack and CodePipeline's cross-account support stacks are the App's own; each environment's
  // stage runs its own checks.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
} else {
  const stageName = String(app.node.tryGetContext('stage') ?? 'dev');
  const config = stageConfig(stageName);
  new MlPlatformStage(app, config.stageName, { config });
}
