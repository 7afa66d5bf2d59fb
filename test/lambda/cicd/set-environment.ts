// Imported before the handler, whose module reads its environment once, at load.
process.env.REPOSITORY_NAME = 'mlops-platform';
process.env.BRANCH_NAME = 'main';
process.env.PIPELINE_NAME = 'mlops-platform-cicd';
process.env.DOCS_ONLY_PATHS = '["**/*.md","docs/**","LICENSE"]';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_REGION = 'us-east-1';
