export * from './endpoint';
export { LocalAwsError } from './errors';
export type { LocalAwsBackends } from './services';
export type { PublishedAttribute, PublishedMessage } from './sns';
export type { KeySchema } from './dynamodb/tables';
