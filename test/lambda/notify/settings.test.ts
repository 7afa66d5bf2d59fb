import { NOTIFY_ENVIRONMENT } from '../../../lambda/notify/environment';
import { readNotifySettings } from '../../../lambda/notify/settings';

const REQUIRED = {
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:mlops-dev-notifications',
  IDEMPOTENCY_TABLE_NAME: 'mlops-dev-idempotency',
  TRAINING_PIPELINE_NAME: 'mlops-dev-training',
  INFERENCE_PIPELINE_NAME: 'mlops-dev-inference',
  MODEL_PACKAGE_GROUP_NAME: 'mlops-dev-models',
  ETL_JOB_NAME: 'mlops-dev-etl',
};

describe('readNotifySettings', () => {
  test('GIVEN the required variables THEN optional ones take their defaults', () => {
    expect(readNotifySettings(REQUIRED)).toEqual({
      topicArn: REQUIRED.TOPIC_ARN,
      idempotencyTableName: 'mlops-dev-idempotency',
      trainingPipelineName: 'mlops-dev-training',
      inferencePipelineName: 'mlops-dev-inference',
      modelPackageGroupName: 'mlops-dev-models',
      etlJobName: 'mlops-dev-etl',
      deploymentPipelineName: undefined,
      studioDomainId: undefined,
      idempotencyExpirySeconds: 604800,
    });
  });

  test('GIVEN the deployment pipeline\'s name THEN it is read', () => {
    expect(readNotifySettings({ ...REQUIRED, DEPLOYMENT_PIPELINE_NAME: 'mlops-dev-deployment' }).deploymentPipelineName).toBe('mlops-dev-deployment');
  });

  test('GIVEN a Studio domain id THEN it is read', () => {
    expect(readNotifySettings({ ...REQUIRED, STUDIO_DOMAIN_ID: 'd-abc123def456' }).studioDomainId).toBe('d-abc123def456');
  });

  test('GIVEN no variables THEN one error names every required one', () => {
    expect(() => readNotifySettings({})).toThrow(
      /TOPIC_ARN is not set .*IDEMPOTENCY_TABLE_NAME is not set .*TRAINING_PIPELINE_NAME is not set .*INFERENCE_PIPELINE_NAME is not set .*MODEL_PACKAGE_GROUP_NAME is not set .*ETL_JOB_NAME is not set/,
    );
  });

  test.each([
    ['TOPIC_ARN', 'mlops-dev-notifications', /TOPIC_ARN='mlops-dev-notifications' is invalid: not the ARN of a standard SNS topic/],
    ['TOPIC_ARN', 'arn:aws:sns:eu-west-1:123456789012:alerts.fifo', /FIFO topics, ending in \.fifo, need a message group id/],
    ['STUDIO_DOMAIN_ID', 'my-domain', /STUDIO_DOMAIN_ID='my-domain' is invalid: not a SageMaker domain id/],
    ['DEPLOYMENT_PIPELINE_NAME', 'mlops dev deployment', /DEPLOYMENT_PIPELINE_NAME='mlops dev deployment' is invalid: not a CodePipeline pipeline name \(1-100 of A-Z a-z 0-9 \. @ _ -\) \(expected the deployment CodePipeline name, such as mlops-dev-deployment \(optional\)\)/],
    ['DEPLOYMENT_PIPELINE_NAME', 'arn:aws:codepipeline:eu-west-1:123456789012:mlops-dev-deployment', /DEPLOYMENT_PIPELINE_NAME='arn:.*' is invalid: not a CodePipeline pipeline name/],
    ['IDEMPOTENCY_EXPIRY_SECONDS', '0', /IDEMPOTENCY_EXPIRY_SECONDS='0' is invalid: not positive/],
  ])('GIVEN %s=%s THEN the error names the variable and the value', (name, value, message) => {
    expect(() => readNotifySettings({ ...REQUIRED, [name]: value })).toThrow(message);
  });

  test('every variable the construct sets is one the handler reads', () => {
    expect(Object.values(NOTIFY_ENVIRONMENT).sort()).toEqual([...Object.keys(REQUIRED), 'DEPLOYMENT_PIPELINE_NAME', 'STUDIO_DOMAIN_ID', 'IDEMPOTENCY_EXPIRY_SECONDS'].sort());
  });
});

test('GIVEN the handler module loaded without its variables THEN the cold start fails naming them', async () => {
  const saved = process.env;
  process.env = { PATH: saved.PATH, AWS_REGION: 'us-east-1' };
  try {
    await jest.isolateModulesAsync(async () => {
      await expect(import('../../../lambda/notify')).rejects.toThrow(/TOPIC_ARN is not set/);
    });
  } finally {
    process.env = saved;
  }
});
