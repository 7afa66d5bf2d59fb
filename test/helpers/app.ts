import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** The `context` block of cdk.json: the feature flags `cdk synth` runs with. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/**
 * An App with the same feature flags as `cdk synth` (cdk.json context does not reach `new App()` in tests),
 * plus any extra context. Lambda bundling is skipped (the handlers' code is not what template tests look at; a
 * test that needs the bundles passes `bundle: true`).
 */
export function createTestApp(props: AppProps & { bundle?: boolean } = {}): App {
  const { bundle, ...appProps } = props;
  const skipBundling = bundle ? {} : { 'aws:cdk:bundling-stacks': [] };
  return new App({ ...appProps, context: { ...cdkJsonContext(), ...skipBundling, ...appProps.context } });
}
