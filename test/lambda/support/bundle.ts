/**
 * The model invoker's bundle for the end-to-end test and the benchmark: exactly the asset
 * `cdk synth` builds (the bundling options live in lib/aws/isolated-function.ts), or the file
 * named by INVOKER_BUNDLE (e.g. the asset's index.js under cdk.out).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

export interface InvokerBundle {
  /** Absolute path of the bundled handler (exports `handler`). */
  readonly file: string;
  readonly bytes: number;
  /** Removes the bundle if this helper built it; a no-op for INVOKER_BUNDLE. */
  cleanup(): void;
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
