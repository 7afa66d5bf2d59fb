// Imported before the handler, whose module reads its environment once, at load.
process.env.RAW_BUCKET_NAME = 'amzn-s3-demo-bucket1';
process.env.PROCESSED_BUCKET_NAME = 'mlops-test-processed';
process.env.ETL_JOB_NAME = 'mlops-test-etl';
process.env.IDEMPOTENCY_TABLE_NAME = 'mlops-test-idempotency';
process.env.MAX_OBJECT_BYTES = '1000000';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_REGION = 'us-east-1';
delete process.env.ALLOWED_SUFFIXES;
delete process.env.OBJECT_KEY_ENCODING;
