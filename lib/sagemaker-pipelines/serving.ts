/**
 * How the sagemaker-xgboost container serves a model trained by `ml/train.py`: train.py copies the serving hooks
 * into the model directory, so model.tar.gz holds `code/inference.py` and the container imports it from
 * `/opt/ml/model/code`. A registered model version then depends on no other S3 object (no code bucket that a
 * clean-up could empty, none that another account cannot read).
 */

/** The serving hooks' module, as the container's `SAGEMAKER_PROGRAM`. */
export const INFERENCE_PROGRAM = 'inference.py';

/** What `sourcedir.tar.gz` holds: the training script and the serving hooks with the module they import. */
export const SOURCE_DIR_FILES: readonly string[] = ['train.py', INFERENCE_PROGRAM, 'inference_payload.py'];

/** Where the hooks are inside the serving container: model.tar.gz's `code/` folder. */
export const MODEL_CODE_DIRECTORY = '/opt/ml/model/code';

/**
 * Environment of the serving container of a model trained by `ml/train.py`.
 *
 * @param region the region the container runs in (e.g. `Aws.REGION`); omitted, the container's own default applies
 */
export function servingEnvironment(region?: string): { readonly [name: string]: string } {
  return {
    SAGEMAKER_PROGRAM: INFERENCE_PROGRAM,
    SAGEMAKER_SUBMIT_DIRECTORY: MODEL_CODE_DIRECTORY,
    SAGEMAKER_CONTAINER_LOG_LEVEL: '20',
    // The container replaces a missing or `*/*` Accept with this before output_fn runs; CSV is what local mode
    // and batch transform answer too.
    SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: 'text/csv',
    ...(region !== undefined ? { SAGEMAKER_REGION: region } : {}),
  };
}
