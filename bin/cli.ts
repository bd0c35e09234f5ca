// What the command-line entry points share: which organisation config they read, and how they
// fail. Only bin/ reads argv and the environment.
import * as path from 'path';
import { EXAMPLE_CONFIG_PATH } from '../lib/config';

/** The environment variable that names the organisation config, for CI. */
export const CONFIG_ENV = 'PRIVATEAI_CONFIG';

/**
 * The organisation config to read: `--config` (or `-c config=`), else $PRIVATEAI_CONFIG, else the
 * embedded example. A relative path is taken from where the user ran npm (npm runs scripts from
 * the package root and says where it was called in INIT_CWD), and shown relative to the root.
 */
export function configFile(given?: string): string {
  const file = given || process.env[CONFIG_ENV];
  if (!file) return path.relative(process.cwd(), EXAMPLE_CONFIG_PATH);
  return path.isAbsolute(file) ? file : shown(path.resolve(process.env.INIT_CWD ?? process.cwd(), file));
}

/** Errors of the program itself rather than of what the user gave it: these keep their stack. */
const BUG = [TypeError, ReferenceError, RangeError, SyntaxError];

/**
 * Runs a command's main function: a problem the user can fix (a bad config, bad settings, a
 * failed check) is printed as its message alone, without a stack trace, and exits 1. A bug of
 * the program (a TypeError, say) keeps its stack; PRIVATEAI_DEBUG=1 shows every stack.
 */
export function runCli(main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .then(
      () => process.exit(process.exitCode ?? 0),
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        const bug = BUG.some((type) => error instanceof type);
        console.error(process.env.PRIVATEAI_DEBUG || bug ? error.stack : error.message);
        process.exit(1);
      },
    );
}

/** A path as the user should see it: relative to the working directory when inside it. */
export function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' ? '.' : rel.startsWith('..') ? path.resolve(file) : rel;
}
