import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { MlScripts } from '../../lib/constructs/ml-scripts';
import type { TrainingScriptUris } from '../../lib/sagemaker-pipelines';
import type { LocalS3 } from '../s3';
import type { LocalEnvironment } from './environment';
import { resolveIntrinsics } from './intrinsics';


/**
 * Puts the ML scripts into local S3 exactly where the deployed stage has them: the same `MlScripts` construct the
 * training stack uses names the bucket (the CDK bootstrap assets bucket of the stage's account and region) and the
 * object keys (content hashes), so the definitions local mode builds name the same objects as the deployed ones.
 */
export function stageMlScriptAssets(s3: LocalS3, env: LocalEnvironment): TrainingScriptUris {
  // Asset staging off: the construct computes hashes and locations without copying files into a cloud assembly.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-local-assets-'));
  try {
    const app = new App({ outdir, context: { 'aws:cdk:disable-asset-staging': true } });
    const stack = new Stack(app, 'LocalAssets', { env });
    const scripts = new MlScripts(stack, 'MlScripts');
    const place = (asset: MlScripts['preprocess']): string => {
      const bucket = resolveIntrinsics(stack.resolve(asset.s3BucketName), {
        pseudo: { 'AWS::AccountId': env.account, 'AWS::Region': env.region, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' },
      });
      const uri = `s3://${String(bucket)}/${asset.s3ObjectKey}`;
      s3.putFile(uri, path.resolve(outdir, asset.assetPath));
      return uri;
    };
    return {
      preprocess: place(scripts.preprocess),
      evaluate: place(scripts.evaluate),
      baseline: place(scripts.baseline),
      baselineStatistics: place(scripts.baselineStatistics),
      sourceDir: place(scripts.sourceDir),
    };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
