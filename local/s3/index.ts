export * from './local-s3';
