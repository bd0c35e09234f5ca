/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type-checking is done once by `npm run typecheck`; swc only strips the types, which cut the suite's
    // CPU time by about a tenth against ts-jest (measured here on 2 cores).
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  maxWorkers: 2,
  // Cold-loading the Pulumi provider SDKs or synthesizing a whole CDK app takes several seconds on a
  // busy 2-core CI runner; jest's 5 s default failed CI there. Speed is measured by `npm run bench`.
  testTimeout: 60_000,
};
