import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { EXAMPLE_CONFIG_PATH } from '../lib/config';
import { assertKnownSettings, type CloudProgram } from './cloud-program';

/**
 * Where an offline plan takes a Pulumi program's stack settings from: the adopter's own
 * `Pulumi.<stack>.yaml` when it names the organisation config being planned, else settings
 * derived from that config (placeholder IDs). Unknown keys of the program's namespace are
 * refused here as the `pulumi up` entry points refuse them.
 */
export interface StackSettings {
  /** The stack's name, or `derived`. */
  readonly stack: string;
  /** The stack file, relative to the repository, or `derived`. */
  readonly source: string;
  /** Raw value of `<namespace>:<key>`. */
  readonly get: (key: string) => unknown;
  /** The organisation config the stack file names (absolute; the embedded example when it names none). */
  readonly orgConfigFile?: string;
  /** Other stack files that name the same config and were not chosen. */
  readonly alsoMatching: readonly string[];
}

interface StackFile {
  readonly stack: string;
  readonly file: string;
  readonly config: Record<string, unknown>;
}

function readStackFile(file: string): StackFile {
  const doc = yaml.load(fs.readFileSync(file, 'utf8'), { filename: file }) as { config?: Record<string, unknown> } | null;
  return { stack: path.basename(file).replace(/^Pulumi\.(.+)\.yaml$/, '$1'), file, config: doc?.config ?? {} };
}

/** Whether two paths name the same file (symbolic links followed). */
export const samePath = (a: string, b: string): boolean => {
  const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : path.resolve(p));
  return real(a) === real(b);
};

/**
 * Chooses the settings of `program` in `projectDir`. With `stack`, that stack file (which must
 * exist); otherwise the stack files whose `<namespace>:orgConfig` is `orgConfigFile` (the first
 * by name when several are), else the settings `derive` returns.
 */
export function chooseStackSettings(
  program: Pick<CloudProgram<unknown>, 'namespace' | 'settingKeys'>,
  projectDir: string,
  options: {
    /** The organisation config (absolute) whose stack file to find; unused with `stack`. */
    readonly orgConfigFile?: string;
    /** The settings when no stack file names the config (`CloudProgram.derivedSettings`). */
    readonly derive: () => Record<string, unknown>;
    /** A stack to choose by name. @default - the stack file that names `orgConfigFile` */
    readonly stack?: string;
    /** Paths are shown relative to it. */
    readonly root: string;
  },
): StackSettings {
  // As the entry points read it: the file the stack names, else the embedded example.
  const orgConfigOf = (s: StackFile): string => {
    const value = s.config[`${program.namespace}:orgConfig`];
    return typeof value === 'string' ? path.resolve(projectDir, value) : EXAMPLE_CONFIG_PATH;
  };
  const fromFile = (s: StackFile, alsoMatching: string[]): StackSettings => ({
    stack: s.stack,
    source: path.relative(options.root, s.file),
    get: (key) => s.config[`${program.namespace}:${key}`],
    orgConfigFile: orgConfigOf(s),
    alsoMatching,
  });
  const files = fs
    .readdirSync(projectDir)
    .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
    .sort()
    .map((f) => readStackFile(path.join(projectDir, f)));
  // Every stack file is checked, chosen or not: a misspelt privateai:orgConfig would otherwise
  // match no config and the plan would fall back to derived settings without a word.
  for (const s of files) {
    try {
      assertKnownSettings(program, Object.keys(s.config));
    } catch (e) {
      throw new Error(`${path.relative(options.root, s.file)}: ${(e as Error).message}`);
    }
  }
  if (options.stack !== undefined) {
    const chosen = files.find((s) => s.stack === options.stack);
    if (!chosen) {
      throw new Error(`no stack file Pulumi.${options.stack}.yaml in ${path.relative(options.root, projectDir)}; stacks there: ${files.map((s) => s.stack).join(', ') || 'none'}`);
    }
    return fromFile(chosen, []);
  }
  const wanted = options.orgConfigFile;
  const matching = files.filter((s) => wanted !== undefined && samePath(orgConfigOf(s), wanted));
  if (matching.length > 0) return fromFile(matching[0], matching.slice(1).map((s) => path.relative(options.root, s.file)));
  const derived = options.derive();
  return { stack: 'derived', source: 'derived', get: (key) => derived[key], alsoMatching: [] };
}
