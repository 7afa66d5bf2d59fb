// Imported before the handlers, whose modules create their logger and clients once, at load.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.AWS_REGION = 'us-east-1';
