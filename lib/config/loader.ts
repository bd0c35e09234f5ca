import * as fs from 'fs';
import * as path from 'path';
import type { z } from 'zod';
import { describeJsonSyntaxError } from './json-syntax';
import { checkRegionPinning, type ConfigIssue } from './region-pinning';
import { orgConfigSchema, type OrgConfig } from './schema';

/** Where the embedded example config lives; used when no config is given. */
export const EXAMPLE_CONFIG_PATH = path.join(__dirname, 'example.org.json');

/** Raised for an invalid organisation config; `issues` lists every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`invalid organisation config (${source}):\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatIssue(issue: ConfigIssue): string {
  const received = issue.received === undefined ? 'nothing' : JSON.stringify(issue.received);
  return `${issue.path || '(root)'}: received ${received}; ${issue.message}`;
}

function pathOf(segments: readonly PropertyKey[]): string {
  return segments.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)), '');
}

function fromZodIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      path: pathOf([...issue.path, key]),
      received: (issue.input as Record<string, unknown> | undefined)?.[key],
      message: 'is not a known setting; check its spelling against lib/config/schema.ts',
    }));
  }
  if (issue.input === undefined && issue.code === 'invalid_type') {
    return [{ path: pathOf(issue.path), received: undefined, message: `is required (${issue.expected})` }];
  }
  return [{ path: pathOf(issue.path), received: issue.input, message: issue.message }];
}

/**
 * Validates a parsed config document: the schema first, then the cross-field
 * data-residency rules. Throws a ConfigError naming every bad field.
 */
export function parseOrgConfig(raw: unknown, source = 'inline config'): OrgConfig {
  const parsed = orgConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(source, parsed.error.issues.flatMap(fromZodIssue));
  }
  const issues = checkRegionPinning(parsed.data);
  if (issues.length > 0) throw new ConfigError(source, issues);
  return parsed.data;
}

/** Values that replace parts of the file, e.g. from CDK context. */
export interface ConfigOverrides {
  /** Replaces `aws.targets`. */
  readonly targets?: unknown;
}

/**
 * Reads and validates a JSON config file (the embedded example when no path is given),
 * applying overrides before validation so they are checked like the file itself.
 */
export function loadOrgConfig(file: string = EXAMPLE_CONFIG_PATH, overrides: ConfigOverrides = {}): OrgConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', received: file, message: `cannot read the config file (${(e as Error).message})` }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [{ path: '', received: undefined, message: `is not valid JSON: ${describeJsonSyntaxError(text, e)}` }]);
  }
  if (overrides.targets !== undefined && raw && typeof raw === 'object' && 'aws' in raw && raw.aws && typeof raw.aws === 'object') {
    raw = { ...raw, aws: { ...raw.aws, targets: overrides.targets } };
  }
  return parseOrgConfig(raw, file);
}
