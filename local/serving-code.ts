import * as fs from 'fs';
import * as path from 'path';
import { MODEL_CODE_DIRECTORY } from '../lib/sagemaker-pipelines/serving';
import { extractTarGz } from '../lib/util/tar';
import type { LocalS3 } from './s3';

/**
 * Finds a serving container's inference code the way the SageMaker container does: `SAGEMAKER_SUBMIT_DIRECTORY`
 * is either a folder inside the model (`/opt/ml/model/code`, from the extracted model.tar.gz) or the S3 URI of a
 * source tarball, which is extracted into `codeDir`. Returns the folder that holds the program.
 */
export function resolveServingCode(options: {
  readonly submitDirectory: string;
  readonly program: string;
  readonly modelDir: string;
  readonly codeDir: string;
  readonly s3: LocalS3;
}): string {
  const { submitDirectory, program, modelDir, codeDir, s3 } = options;
  let dir: string;
  if (submitDirectory === MODEL_CODE_DIRECTORY || submitDirectory.startsWith('/opt/ml/model/')) {
    const relative = path.posix.relative('/opt/ml/model', path.posix.normalize(submitDirectory));
    if (relative.startsWith('..')) {
      throw new Error(`SAGEMAKER_SUBMIT_DIRECTORY "${submitDirectory}" leaves /opt/ml/model; point it inside the model`);
    }
    dir = path.join(modelDir, relative);
  } else if (submitDirectory.startsWith('s3://')) {
    fs.rmSync(codeDir, { recursive: true, force: true });
    fs.mkdirSync(codeDir, { recursive: true });
    extractTarGz(s3.getObject(submitDirectory), codeDir);
    dir = codeDir;
  } else {
    throw new Error(
      `SAGEMAKER_SUBMIT_DIRECTORY "${submitDirectory}" is neither a folder in the model (${MODEL_CODE_DIRECTORY}) ` +
        'nor the S3 URI of a source tarball',
    );
  }
  if (!fs.existsSync(path.join(dir, program))) {
    const holds = fs.existsSync(dir) ? fs.readdirSync(dir).join(', ') || 'nothing' : 'nothing (no such folder)';
    throw new Error(`SAGEMAKER_PROGRAM "${program}" is not in ${submitDirectory} (it holds: ${holds})`);
  }
  return dir;
}
