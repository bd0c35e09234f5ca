export * from './schema';
export * from './inference-profiles';
export * from './region-pinning';
export * from './loader';
export * from './naming';
export * from './model-kinds';
