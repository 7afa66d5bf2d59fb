export * from './local-endpoint';
