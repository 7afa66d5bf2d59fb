import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type { BotocoreServiceModel } from './shape-check';

/**
 * Finds botocore's SageMaker service model in a Python virtualenv
 * (`<venv>/lib/python3.*\/site-packages/botocore/data/sagemaker/<api version>/service-2.json[.gz]`); the newest
 * API version wins. Returns undefined when there is none.
 */
export function findBotocoreSageMakerModel(venvDir: string): string | undefined {
  const libDir = path.join(venvDir, 'lib');
  if (!fs.existsSync(libDir)) {
    return undefined;
  }
  const pythons = fs
    .readdirSync(libDir)
    .filter((d) => /^python3\.\d+$/.test(d))
    .sort();
  for (const python of pythons.reverse()) {
    const serviceDir = path.join(libDir, python, 'site-packages', 'botocore', 'data', 'sagemaker');
    if (!fs.existsSync(serviceDir)) continue;
    const versions = fs.readdirSync(serviceDir).sort().reverse();
    for (const version of versions) {
      for (const file of ['service-2.json.gz', 'service-2.json']) {
        const candidate = path.join(serviceDir, version, file);
        if (fs.existsSync(candidate)) {
          return candidate;
        }
      }
    }
  }
  return undefined;
}

/**
 * Loads botocore's SageMaker service model from the project's Python virtualenv, for `checkStepArguments`.
 * Throws, telling the user to run `npm run venv`, when the venv or botocore is missing.
 */
export function loadBotocoreSageMakerModel(venvDir: string): BotocoreServiceModel {
  const file = findBotocoreSageMakerModel(venvDir);
  if (!file) {
    throw new Error(
      `botocore's SageMaker service model was not found under ${path.join(venvDir, 'lib', 'python3.*', 'site-packages', 'botocore', 'data', 'sagemaker')}. ` +
        'Run `npm run venv` to create the Python virtualenv (it installs botocore from requirements-dev.txt).',
    );
  }
  const raw = fs.readFileSync(file);
  const text = file.endsWith('.gz') ? zlib.gunzipSync(raw).toString('utf-8') : raw.toString('utf-8');
  const model = JSON.parse(text) as BotocoreServiceModel;
  if (!model.shapes || model.metadata?.serviceId !== 'SageMaker') {
    throw new Error(`${file} is not botocore's SageMaker service model (serviceId ${String(model.metadata?.serviceId)}).`);
  }
  return model;
}
