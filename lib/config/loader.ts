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

/** Whether an issue at `outer` stands for one at `path` (the same field or a part of it). */
function covers(outer: string, path: string): boolean {
  return outer === '' || path === outer || path.startsWith(`${outer}.`) || path.startsWith(`${outer}[`);
}

/**
 * Validates a parsed config document: the schema and the cross-field rules,
 * in one pass. Throws a ConfigError naming every bad field: the schema's issues first, then the
 * cross-field ones, each in document-schema order. The cross-field rules run on the valid parts
 * of the document and skip any rule whose inputs the schema refuses.
 */
export function parseOrgConfig(raw: unknown, source = 'inline config'): OrgConfig {
  return validate(raw, source, []);
}

/** Validates `raw`, reporting `inputIssues` (found before validation) first; they stand for the schema's issues at or under their paths. */
function validate(raw: unknown, source: string, inputIssues: readonly ConfigIssue[]): OrgConfig {
  const parsed = orgConfigSchema.safeParse(raw, { reportInput: true });
  const schemaIssues = (parsed.error?.issues ?? []).flatMap(fromZodIssue).filter((issue) => !inputIssues.some((known) => covers(known.path, issue.path)));
  const reported = new Set([...inputIssues, ...schemaIssues].map((issue) => issue.path));
  const crossFieldIssues = checkRegionPinning(raw).filter((issue) => !reported.has(issue.path));
  const issues = [...inputIssues, ...schemaIssues, ...crossFieldIssues];
  if (!parsed.success || issues.length > 0) throw new ConfigError(source, issues);
  return parsed.data;
}

/** Values that replace parts of the file, e.g. from CDK context. */
export interface ConfigOverrides {
  /**
   * Replaces `aws.targets`: the list itself, or its JSON text as `-c targets='[...]'` gives it.
   * @default - the file's targets
   */
  readonly targets?: unknown;
}

const TARGETS_CONTEXT_EXAMPLE = `-c targets='[{"name":"prod","account":"123456789012","region":"eu-central-1"}]'`;

/** The targets override, parsed when it is JSON text; a malformed text becomes an issue at aws.targets. */
function readTargetsOverride(targets: unknown): { readonly value: unknown; readonly issue?: ConfigIssue } {
  if (typeof targets !== 'string') return { value: targets };
  try {
    return { value: JSON.parse(targets) };
  } catch (e) {
    return {
      // The text stays in place of the targets: the rules that read them skip it, and this issue stands for the schema's.
      value: targets,
      issue: {
        path: 'aws.targets',
        received: targets,
        message: `the targets context is not valid JSON: ${describeJsonSyntaxError(targets, e)}; pass a JSON list of targets, e.g. ${TARGETS_CONTEXT_EXAMPLE}`,
      },
    };
  }
}

/**
 * Reads and validates a JSON config file (the embedded example when no path is given),
 * applying overrides before validation so they are checked, and reported, with the file itself.
 */
export function loadOrgConfig(file: string = EXAMPLE_CONFIG_PATH, overrides: ConfigOverrides = {}): OrgConfig {
  const targets = readTargetsOverride(overrides.targets);
  const inputIssues = targets.issue ? [targets.issue] : [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', received: file, message: `cannot read the config file (${(e as Error).message})` }, ...inputIssues]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [{ path: '', received: undefined, message: `is not valid JSON: ${describeJsonSyntaxError(text, e)}` }, ...inputIssues]);
  }
  if (targets.value !== undefined && raw && typeof raw === 'object' && 'aws' in raw && raw.aws && typeof raw.aws === 'object') {
    raw = { ...raw, aws: { ...raw.aws, targets: targets.value } };
  }
  return validate(raw, file, inputIssues);
}
