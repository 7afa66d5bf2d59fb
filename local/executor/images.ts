/**
 * The interpreter that stands in for a job's image. The managed framework images run as the project's virtualenv
 * (`.venv`: the same xgboost and scikit-learn as the images). A custom image (containers/: the XGBoost 1.7-1 image
 * plus requirements-container-xgboost-1.7-1.txt) runs as the virtualenv with that image's own pins, which
 * `bash scripts/container-parity.sh xgboost` builds: Python 3.8 and the image's library versions, no Docker.
 */
import * as path from 'path';
import { isFrameworkImageUri } from '../../lib/image-uris';
import type { StepJson } from './definition';

/** The virtualenv of a custom image's pins (scripts/container-parity.sh). */
export const CUSTOM_IMAGE_VENV = '.venv-xgboost-1.7-1';

/** Its interpreter under the repository root. */
export function customImagePython(repoRoot: string): string {
  return path.join(repoRoot, CUSTOM_IMAGE_VENV, 'bin', 'python');
}

/** A literal image URI that is not one of the managed framework images. */
export function isCustomImage(image: unknown): image is string {
  return typeof image === 'string' && !isFrameworkImageUri(image);
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
