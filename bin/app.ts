#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { loadStageConfig, type StageConfigOverrides } from '../lib/config';
import { MlPlatformStage } from '../lib/stages/ml-platform-stage';

// Stacks live in a Stage (a nested cloud assembly), and `cdk synth` without stack selectors only reports
// validation findings of top-level stacks. Let the app itself report and fail on any finding (cdk-nag or
// CloudFormation validation) whatever the CLI selects.
const app = new App({ postCliContext: { '@aws-cdk/core:failSynthOnValidationErrors': true } });

const stageName = String(app.node.tryGetContext('stage') ?? 'dev');
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(`${stageName}${key}`);
  return value === undefined || value === null || value === '' ? undefined : String(value);
};

// Synth is deterministic: account and region come from context (`-c prodAccount=... -c prodRegion=...`), never
// from the credentials in the shell; without them the stage's placeholders apply.
const destroyData = context('DestroyData');
const notificationEmail = context('NotificationEmail');
const overrides: StageConfigOverrides = {
  account: context('Account'),
  region: context('Region'),
  destroyDataOnDelete: destroyData === undefined ? undefined : destroyData === 'true',
  // `-c prodNotificationEmail=ml-team@example.com` subscribes that address to the stage's notifications.
  ...(notificationEmail === undefined ? {} : { monitoring: { notificationEmail } }),
};

const config = loadStageConfig(stageName, overrides);
new MlPlatformStage(app, config.stageName, { config });
