export * from './stage-config';
export * from './stages';
export * from './load-stage-config';
export * from './data-layout';
export * from './dataset-contract';
export * from './resource-names';
export { systemTestMetric } from './validate-deployment';
