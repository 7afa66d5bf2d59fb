export * from './stage-config';
export * from './stages';
export * from './load-stage-config';
export * from './data-layout';
export * from './dataset-contract';
export * from './resource-names';
export * from './cicd-config';
export { systemTestMetric } from './validate-deployment';
