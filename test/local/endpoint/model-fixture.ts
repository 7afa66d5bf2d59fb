import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { createTarGz, tarGzDirectory } from '../../../lib/util/tar';
import { LocalModelRegistry } from '../../../local/registry';
import { LocalS3 } from '../../../local/s3';
import { SOURCE_DIR_FILES } from '../../../lib/sagemaker-pipelines/serving';

const ROOT = path.resolve(__dirname, '..', '..', '..');
export const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const ML = path.join(ROOT, 'ml');
export const BUCKET = 'local-endpoint-test';

function python(args: string[], env: Record<string, string> = {}): string {
  return execFileSync(PYTHON, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe' });
}

/** A real model registered in a local registry, as the training pipeline registers one. */
export interface RegisteredModel {
  readonly s3: LocalS3;
  readonly registry: LocalModelRegistry;
  /** test.csv of the split: header, then label first and the features. */
  readonly testFile: string;
  readonly modelPackageArn: string;
}

/**
 * Sample data → preprocess.py → train.py (few rounds), packaged like SageMaker does and registered (Approved) in
 * `group` of a registry under `work`.
 */
export function registerTrainedModel(work: string, group: string): RegisteredModel {
  const s3 = new LocalS3({ root: path.join(work, 's3') });
  const registry = new LocalModelRegistry({ root: path.join(work, 'registry') });
  const d = (name: string): string => path.join(work, 'job', name);
  python([path.join(ML, 'sample_data.py'), '--rows', '300', '--seed', '3', '--problem-type', 'regression', '--output', path.join(d('raw'), 'data.csv')]);
  python([
    path.join(ML, 'preprocess.py'),
    '--problem-type', 'regression',
    '--label-column', 'target',
    '--input-dir', d('raw'),
    '--train-dir', d('train'),
    '--validation-dir', d('validation'),
    '--test-dir', d('test'),
  ]);
  python([path.join(ML, 'train.py'), '--num_round', '15', '--max_depth', '3', '--nthread', '1'], {
    SM_CHANNEL_TRAIN: d('train'),
    SM_CHANNEL_VALIDATION: d('validation'),
    SM_MODEL_DIR: d('model'),
    SM_OUTPUT_DATA_DIR: d('output'),
  });
  s3.putObject(`s3://${BUCKET}/models/model.tar.gz`, tarGzDirectory(d('model')));
  s3.putObject(
    `s3://${BUCKET}/code/sourcedir.tar.gz`,
    createTarGz(SOURCE_DIR_FILES.map((name) => ({ name, data: fs.readFileSync(path.join(ML, name)) }))),
  );
  const pkg = registry.createModelPackage({
    ModelPackageGroupName: group,
    ModelApprovalStatus: 'PendingManualApproval',
    InferenceSpecification: {
      Containers: [
        {
          Image: '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1',
          ModelDataUrl: `s3://${BUCKET}/models/model.tar.gz`,
          Environment: {
            SAGEMAKER_PROGRAM: 'inference.py',
            SAGEMAKER_SUBMIT_DIRECTORY: `s3://${BUCKET}/code/sourcedir.tar.gz`,
          },
        },
      ],
    },
  });
  registry.updateApprovalStatus(pkg.ModelPackageArn, 'Approved');
  return { s3, registry, testFile: path.join(d('test'), 'test.csv'), modelPackageArn: pkg.ModelPackageArn };
}

/** Held-out rows of test.csv: header, then label first and the features. */
export function readTestRows(file: string): { features: string[]; rows: { label: number; values: number[] }[] } {
  const [header, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const columns = header.split(',');
  return {
    features: columns.slice(1),
    rows: lines.map((line) => {
      const cells = line.split(',').map(Number);
      return { label: cells[0], values: cells.slice(1) };
    }),
  };
}
