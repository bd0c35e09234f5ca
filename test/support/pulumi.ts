import * as fs from 'fs';
import * as pulumi from '@pulumi/pulumi';
import * as yaml from 'js-yaml';

export { waitsFor } from '../../lib/pulumi/plan';

/** A stack file's config as `pulumi up` hands it to the program: every value a string. */
export function stackConfigOf(stackFile: string): Record<string, string> {
  const { config } = yaml.load(fs.readFileSync(stackFile, 'utf8')) as { config: Record<string, unknown> };
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, String(v)]));
}

/**
 * A program that loads a `pulumi up` entry point afresh, as the Pulumi runtime does, with
 * `config` as the stack config, and returns its exports; run it under a cloud's `plan`.
 */
export function entryPoint(load: () => Record<string, unknown>, config: Record<string, string>): () => Record<string, unknown> {
  return () => {
    pulumi.runtime.setAllConfig(config);
    let exported: Record<string, unknown> = {};
    jest.isolateModules(() => {
      exported = { ...load() };
    });
    return exported;
  };
}
