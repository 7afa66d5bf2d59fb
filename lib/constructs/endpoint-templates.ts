import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, type AssetStaging, BootstraplessSynthesizer, Validations } from 'aws-cdk-lib';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { EndpointStack, type EndpointVariant } from '../stacks/endpoint-stack';

/** The file of each endpoint template in the asset (`staging.template.json`, `production.template.json`). */
export function endpointTemplateFile(variant: EndpointVariant): string {
  return `${variant}.template.json`;
}

/** Where an endpoint of the stage runs: its deployment target, else the stage's own account and region. */
export function endpointEnvironment(config: StageConfig, variant: EndpointVariant): { account: string; region: string } {
  const target = config.deployment[variant];
  return { account: target?.account ?? config.account, region: target?.region ?? config.region };
}

/**
 * Synthesizes the endpoint stack of each variant on its own (bootstrapless: the deployment pipeline deploys the
 * template with CloudFormation, not `cdk deploy`) with `context` (the app's feature flags) and cdk-nag's checks, and
 * returns the templates. Throws when cdk-nag or CloudFormation validation finds anything.
 */
export function synthesizeEndpointTemplates(config: StageConfig, context: Record<string, unknown> = {}): Record<EndpointVariant, unknown> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-endpoint-templates-'));
  try {
    const app = new App({ outdir, context: { ...context, '@aws-cdk/core:failSynthOnValidationErrors': true } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stacks = (['staging', 'production'] as const).map((variant) => new EndpointStack(app, `Endpoint-${variant}`, {
      config,
      variant,
      systemTestAccount: config.account,
      env: endpointEnvironment(config, variant),
      synthesizer: new BootstraplessSynthesizer(),
      description: `ML platform ${config.stageName}: the ${variant} endpoint, deployed by the model deployment pipeline`,
    }));
    const assembly = app.synth();
    const [staging, production] = stacks.map((stack) => assembly.getStackArtifact(stack.artifactId).template as unknown);
    return { staging, production };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The endpoint templates as an S3 asset (a zip of `staging.template.json` and `production.template.json`): the
 * deployment pipeline's source. Its key is the content hash, so a changed template is a new object.
 */
export class EndpointTemplates extends Construct {
  public readonly asset: Asset;

  constructor(scope: Construct, id: string, props: { readonly config: StageConfig }) {
    super(scope, id);
    // The app's context (its feature flags) applies to the endpoint stacks too.
    const templates = synthesizeEndpointTemplates(props.config, this.node.getAllContext());
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-endpoint-asset-'));
    for (const [variant, template] of Object.entries(templates)) {
      fs.writeFileSync(path.join(dir, endpointTemplateFile(variant as EndpointVariant)), `${JSON.stringify(template, null, 1)}\n`);
    }
    this.asset = new Asset(this, 'Asset', { path: dir });
    // Staging copied the files into the cloud assembly (unless staging is off, when the asset still points here).
    const staging = this.asset.node.tryFindChild('Stage') as AssetStaging | undefined;
    if (staging && path.resolve(staging.absoluteStagedPath) !== dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
