export * from './schema';
export * from './region-pinning';
export * from './loader';
export * from './naming';
