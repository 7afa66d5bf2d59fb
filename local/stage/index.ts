export * from './environment';
export * from './intrinsics';
export * from './assets';
export * from './local-stage';
