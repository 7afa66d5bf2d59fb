import { variant } from '../helpers';

/**
 * The job event CodePipeline sends a Lambda invoke action: AWS's example (CodePipeline User Guide, "Example JSON
 * event" in https://docs.aws.amazon.com/codepipeline/latest/userguide/actions-invoke-lambda-function.html), with its
 * values as published except `sessionToken`, which the page breaks over several lines (so the published text is not
 * valid JSON) and which is shortened here. Tests build their variants from it, so each keeps the real envelope.
 */
export const SAMPLE_JOB_EVENT = {
  'CodePipeline.job': {
    id: '11111111-abcd-1111-abcd-111111abcdef',
    accountId: '111111111111',
    data: {
      actionConfiguration: {
        configuration: {
          FunctionName: 'MyLambdaFunctionForAWSCodePipeline',
          UserParameters: 'some-input-such-as-a-URL',
        },
      },
      inputArtifacts: [
        {
          location: {
            s3Location: {
              bucketName:
                'the name of the bucket configured as the pipeline artifact store in Amazon S3, for example codepipeline-us-east-2-1234567890',
              objectKey: 'the name of the application, for example CodePipelineDemoApplication.zip',
            },
            type: 'S3',
          },
          revision: null,
          name: 'ArtifactName',
        },
      ],
      outputArtifacts: [],
      artifactCredentials: {
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        sessionToken: 'MIICiTCCAfICCQD6m7oRw0uXOjANBgkqhkiG9w0BAQUFADCBiDELMAkGA1UEBhMCVVMxCzAJBgNVBAgTAldBMRAwDgYDVQQHEwdTZWF0dGxl',
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      },
      continuationToken: 'A continuation token if continuing job',
      encryptionKey: {
        id: 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        type: 'KMS',
      },
    },
  },
};

export const JOB_ID = SAMPLE_JOB_EVENT['CodePipeline.job'].id;
export const ACCOUNT = SAMPLE_JOB_EVENT['CodePipeline.job'].accountId;

/** The sample with `userParameters` as the action's UserParameters: text as is, anything else JSON-encoded. */
export function jobEvent(userParameters: unknown) {
  return variant(SAMPLE_JOB_EVENT, (e) => {
    e['CodePipeline.job'].data.actionConfiguration.configuration.UserParameters =
      typeof userParameters === 'string' ? userParameters : JSON.stringify(userParameters);
  });
}

/** The sample without UserParameters (the action declares none). */
export const jobWithoutUserParameters = variant(SAMPLE_JOB_EVENT, (e) =>
  Reflect.deleteProperty(e['CodePipeline.job'].data.actionConfiguration.configuration, 'UserParameters'),
);

/** An AWS SDK error as the clients throw it (the exception's name, AWS's message, client or server fault). */
export function awsError(name: string, message: string, fault: 'client' | 'server' = 'client'): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: {} });
}

/** The temporary credentials in the sample: no log line may contain them. */
export const SECRETS = Object.values(SAMPLE_JOB_EVENT['CodePipeline.job'].data.artifactCredentials);
