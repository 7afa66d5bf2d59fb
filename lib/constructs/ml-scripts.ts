import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { createTarGz } from '../util/tar';
import { SOURCE_DIR_FILES } from '../sagemaker-pipelines/serving';

/** The folder of the ML scripts in this repository. */
export const ML_SCRIPTS_DIR = path.join(__dirname, '..', '..', 'ml');

/** Properties of {@link MlScripts}. */
export interface MlScriptsProps {
  /**
   * Folder holding the scripts.
   * @default - the repository's `ml/` folder
   */
  readonly scriptsDir?: string;

  /**
   * Files packed at the root of `sourcedir.tar.gz` for script-mode training and inference.
   * @default SOURCE_DIR_FILES: ['train.py', 'inference.py', 'inference_payload.py']
   */
  readonly sourceDirFiles?: string[];

  /**
   * Folder where `sourcedir.tar.gz` is built before CDK stages it as an asset.
   * @default - a folder under the OS temp directory, named after the archive's content hash
   */
  readonly stagingDir?: string;
}

/**
 * The ML scripts as S3 assets: `preprocess.py`, `evaluate.py` and `baseline.py` as single files (Processing jobs download
 * them to /opt/ml/processing/input/code/), `baseline_statistics.py`, the module baseline.py imports, as another
 * (the Baseline job downloads it to /opt/ml/processing/input/code-lib/), and `sourcedir.tar.gz` with the training and
 * inference code (script mode's `sagemaker_submit_directory` and `SAGEMAKER_SUBMIT_DIRECTORY`).
 *
 * A single-file asset's object key is its content hash plus the extension (`<hash>.py`), and a job names the file it
 * downloads after that key.
 *
 * The archive is built deterministically (sorted entries, mtime 0), so its asset hash, and with it the
 * pipeline definition, only changes when the code does.
 */
export class MlScripts extends Construct {
  /** `preprocess.py`. */
  public readonly preprocess: Asset;
  /** `evaluate.py`. */
  public readonly evaluate: Asset;
  /** `baseline.py`. */
  public readonly baseline: Asset;
  /**
   * `baseline_statistics.py`: the column statistics (types, KLL sketch, histograms) that `baseline.py` imports,
   * shipped as its own file because a single-file asset holds one file.
   */
  public readonly baselineStatistics: Asset;
  /** `sourcedir.tar.gz` with the training and inference entry points at its root. */
  public readonly sourceDir: Asset;

  constructor(scope: Construct, id: string, props: MlScriptsProps = {}) {
    super(scope, id);
    const scriptsDir = props.scriptsDir ?? ML_SCRIPTS_DIR;

    this.preprocess = new Asset(this, 'Preprocess', { path: scriptFile(scriptsDir, 'preprocess.py') });
    this.evaluate = new Asset(this, 'Evaluate', { path: scriptFile(scriptsDir, 'evaluate.py') });
    this.baseline = new Asset(this, 'Baseline', { path: scriptFile(scriptsDir, 'baseline.py') });
    this.baselineStatistics = new Asset(this, 'BaselineStatistics', { path: scriptFile(scriptsDir, 'baseline_statistics.py') });

    const archive = createTarGz(
      (props.sourceDirFiles ?? SOURCE_DIR_FILES)
        .map((name) => ({ name, data: readFileSync(scriptFile(scriptsDir, name)), mode: 0o644 })),
    );
    this.sourceDir = new Asset(this, 'SourceDir', { path: stageArchive(archive, props.stagingDir) });
  }

  /** Lets `grantee` download exactly these objects. */
  public grantRead(grantee: IGrantable): void {
    for (const asset of [this.preprocess, this.evaluate, this.baseline, this.baselineStatistics, this.sourceDir]) {
      asset.bucket.grantRead(grantee, asset.s3ObjectKey);
    }
  }
}

/**
 * The `s3://bucket/key` URI of an asset, with the object key kept literal so that the file's name (the last
 * path segment, which a Processing container runs) stays readable even when the bucket name is a token.
 */
export function assetS3Uri(asset: Asset): string {
  return `s3://${asset.s3BucketName}/${asset.s3ObjectKey}`;
}

function scriptFile(dir: string, name: string): string {
  const file = path.join(dir, name);
  if (!existsSync(file)) {
    throw new Error(`ML script '${file}' does not exist: add it, or point scriptsDir at the folder holding ${name}`);
  }
  return file;
}

function stageArchive(archive: Buffer, stagingDir: string | undefined): string {
  const hash = createHash('sha256').update(archive).digest('hex').slice(0, 16);
  const dir = stagingDir ?? path.join(tmpdir(), `mlops-sourcedir-${hash}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'sourcedir.tar.gz');
  if (!existsSync(file) || !readFileSync(file).equals(archive)) {
    // Write then rename, so a concurrent synth never reads a half-written archive.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, archive);
    renameSync(partial, file);
  }
  return file;
}
