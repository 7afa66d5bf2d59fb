/**
 * The interpreters that stand in for a stage's custom images. The managed framework images run as the project's
 * virtualenv (`.venv`: the same xgboost and scikit-learn as the images). A custom image this project builds
 * (containers/: the XGBoost 1.7-1 image plus requirements-container-xgboost-1.7-1.txt) runs as the virtualenv with
 * that image's own pins, which `bash scripts/container-parity.sh xgboost` builds: Python 3.8 and the image's
 * library versions, no Docker.
 */
import * as path from 'path';
import type { StepJson } from './definition';

/** The virtualenv of a custom image's pins (scripts/container-parity.sh). */
export const CUSTOM_IMAGE_VENV = '.venv-xgboost-1.7-1';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Its interpreter under the repository root. */
export function customImagePython(repoRoot: string = REPO_ROOT): string {
  return path.join(repoRoot, CUSTOM_IMAGE_VENV, 'bin', 'python');
}

/** The executor's `imageInterpreters` for a stage's `images` setting: each custom image it names runs as {@link customImagePython}. */
export function customImageInterpreters(
  images: { readonly training?: string; readonly inference?: string } | undefined,
  python: string = customImagePython(),
): Record<string, string> {
  return Object.fromEntries(Object.values(images ?? {}).filter((uri): uri is string => typeof uri === 'string').map((uri) => [uri, python]));
}

function member(value: unknown, ...keys: string[]): unknown {
  let at = value;
  for (const key of keys) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

/** The image a Processing, Training or Tuning step's jobs run in (undefined for other steps). */
export function jobImage(step: StepJson): unknown {
  switch (step.Type) {
    case 'Processing':
      return member(step.Arguments, 'AppSpecification', 'ImageUri');
    case 'Training':
      return member(step.Arguments, 'AlgorithmSpecification', 'TrainingImage');
    case 'Tuning':
      return member(step.Arguments, 'TrainingJobDefinition', 'AlgorithmSpecification', 'TrainingImage');
    default:
      return undefined;
  }
}
