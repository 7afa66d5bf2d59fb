// Imported before the handler, whose module reads its environment once, at load.
process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:mlops-test-notifications';
process.env.IDEMPOTENCY_TABLE_NAME = 'mlops-test-idempotency';
process.env.TRAINING_PIPELINE_NAME = 'mlops-test-training';
process.env.INFERENCE_PIPELINE_NAME = 'mlops-test-inference';
process.env.MODEL_PACKAGE_GROUP_NAME = 'mlops-test-models';
process.env.ETL_JOB_NAME = 'MyJob';
process.env.DEPLOYMENT_PIPELINE_NAME = 'mlops-test-deployment';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_REGION = 'us-east-1';
delete process.env.STUDIO_DOMAIN_ID;
delete process.env.IDEMPOTENCY_EXPIRY_SECONDS;
