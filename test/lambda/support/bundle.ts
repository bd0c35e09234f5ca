/**
 * How the model invoker is bundled, in one place, so the end-to-end test, the benchmark and the
 * CDK construct agree. The construct's NodejsFunction should use the equivalent of:
 *
 *   bundling: { minify: true, target: 'node22', format: OutputFormat.CJS,
 *               mainFields: ['module', 'main'], bundleAwsSDK: true, externalModules: [],
 *               esbuildArgs: { '--supported:dynamic-import': 'false' } }
 *
 * `bundleAwsSDK` pins the SDK version that was tested instead of the runtime's;
 * `mainFields: ['module', 'main']` lets esbuild tree-shake the SDK's ES modules (385 KB instead
 * of 534 KB when measured); `dynamic-import: false` turns the bundle's two `import()` calls (of
 * the built-ins node:http and node:async_hooks, both lazy) into `require`, which behaves the same
 * on Lambda and keeps the bundle loadable by any CommonJS loader, jest's sandbox included.
 *
 * Set INVOKER_BUNDLE to a built file (e.g. the asset's index.js under cdk.out) to run the
 * end-to-end test against exactly what gets deployed instead of a fresh build.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';

export const INVOKER_ENTRY = resolve(__dirname, '../../../lambda/invoke/index.ts');

/** esbuild options for the invoker bundle; everything, @aws-sdk/* included, goes in one file. */
export const INVOKER_BUNDLING = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  minify: true,
  mainFields: ['module', 'main'],
  supported: { 'dynamic-import': false },
  external: [],
  sourcemap: false,
  logLevel: 'warning',
} as const satisfies BuildOptions;

export interface InvokerBundle {
  /** Absolute path of the bundled handler (exports `handler`). */
  readonly file: string;
  readonly bytes: number;
  /** Removes the bundle if this helper built it; a no-op for INVOKER_BUNDLE. */
  cleanup(): void;
}

/** Bundles lambda/invoke/index.ts into a fresh temporary directory. */
export async function buildInvokerBundle(): Promise<InvokerBundle> {
  const dir = mkdtempSync(join(tmpdir(), 'invoker-bundle-'));
  const file = join(dir, 'index.js');
  await build({ ...INVOKER_BUNDLING, entryPoints: [INVOKER_ENTRY], outfile: file, mainFields: [...INVOKER_BUNDLING.mainFields], external: [], supported: { ...INVOKER_BUNDLING.supported } });
  return { file, bytes: statSync(file).size, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Every module the bundle loads at run time (`require` calls and `import()`s), read by esbuild's
 * parser rather than by pattern, so error-message strings that mention packages do not count.
 */
export async function bundleImports(file: string): Promise<Array<{ path: string; kind: string }>> {
  const result = await build({ entryPoints: [file], bundle: true, write: false, metafile: true, platform: 'node', packages: 'external', logLevel: 'silent' });
  const imports = Object.values(result.metafile.inputs).flatMap((input) => input.imports.map(({ path, kind }) => ({ path, kind })));
  return [...new Map(imports.map((i) => [`${i.kind} ${i.path}`, i])).values()];
}

/**
 * The model invoker exactly as `cdk synth` bundles it: synthesizes the example platform stack
 * into a temporary cloud assembly and returns the ModelInvoker function's asset.
 */
export function synthesizedInvokerBundle(): InvokerBundle {
  // Loaded lazily: only callers that want the CDK asset pay for the CDK.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { newApp, exampleConfig } = require('../../support/aws') as typeof import('../../support/aws');
  const { PlatformStack } = require('../../../stacks/aws/platform-stack') as typeof import('../../../stacks/aws/platform-stack');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const outdir = mkdtempSync(join(tmpdir(), 'invoker-assembly-'));
  const app = newApp(outdir, { bundle: true });
  const target = exampleConfig.aws.targets[0];
  const stack = new PlatformStack(app, 'InvokerBundle', { config: exampleConfig, target, env: { account: target.account, region: target.region } });
  const template = app.synth().getStackArtifact(stack.artifactId).template;
  const logicalId = stack.resolve((stack.modelInvoker.handler.function.node.defaultChild as import('aws-cdk-lib').CfnResource).logicalId);
  // The code's S3 key is `<asset hash>.zip`; the staged asset directory is `asset.<hash>`.
  const s3Key: string = template.Resources[logicalId].Properties.Code.S3Key;
  const file = join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`, 'index.js');
  return { file, bytes: statSync(file).size, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** The bundle named by INVOKER_BUNDLE if set, otherwise the asset `cdk synth` produces. */
export async function resolveInvokerBundle(): Promise<InvokerBundle> {
  const given = process.env.INVOKER_BUNDLE;
  if (given) {
    const file = resolve(given);
    return { file, bytes: statSync(file).size, cleanup: () => undefined };
  }
  return synthesizedInvokerBundle();
}
