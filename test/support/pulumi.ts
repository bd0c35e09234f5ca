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

let stacklessDepth = 0;
let savedStackTraceLimit = Error.stackTraceLimit;

/**
 * Runs `work` (a plan) with V8 recording no stack frames, then restores the limit. Pulumi stamps
 * every promise it makes with `new Error().stack`, for a leak report an offline plan never prints;
 * under Jest (100 frames, each one source-mapped) that was about half of a plan's CPU time. Errors
 * raised meanwhile keep their messages but carry no stack; Pulumi's source positions are unaffected,
 * as it lifts the limit itself while it reads them. Overlapping calls restore the limit once, last.
 */
export async function withoutStackTraces<T>(work: () => Promise<T>): Promise<T> {
  if (stacklessDepth++ === 0) {
    savedStackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
  try {
    return await work();
  } finally {
    if (--stacklessDepth === 0) Error.stackTraceLimit = savedStackTraceLimit;
  }
}
