// Imported before the handler, whose module reads its environment once, at load.
process.env.ETL_JOB_NAME = 'MyJob';
process.env.PROCESSED_BUCKET_NAME = 'mlops-test-processed';
process.env.TRAINING_PIPELINE_NAME = 'mlops-test-training';
process.env.IDEMPOTENCY_TABLE_NAME = 'mlops-test-idempotency';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_REGION = 'us-east-1';
