export * from './schema';
export * from './region-pinning';
export * from './loader';
