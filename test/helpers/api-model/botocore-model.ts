import { loadServiceModel, type BotocoreServiceModel } from '../../../local/aws/api-model';

/**
 * Loads botocore's SageMaker service model from the project's Python virtualenv, for `checkStepArguments`.
 * Throws, telling the user to run `npm run venv`, when the venv or botocore is missing.
 */
export function loadBotocoreSageMakerModel(venvDir: string): BotocoreServiceModel {
  return loadServiceModel(venvDir, { directory: 'sagemaker', serviceId: 'SageMaker' });
}
