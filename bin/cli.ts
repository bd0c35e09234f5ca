// What the command-line entry points share: which organisation config they read, and how they
// fail. Only bin/ reads argv and the environment.
import * as path from 'path';
import { EXAMPLE_CONFIG_PATH } from '../lib/config';

/** The environment variable that names the organisation config, for CI. */
export const CONFIG_ENV = 'PRIVATEAI_CONFIG';

/** The organisation config to read: `--config` (or `-c config=`), else $PRIVATEAI_CONFIG, else the embedded example. */
export function configFile(given?: string): string {
  const file = given ?? process.env[CONFIG_ENV];
  return file ? file : path.relative(process.cwd(), EXAMPLE_CONFIG_PATH);
}

/**
 * Runs a command's main function: a problem the user can fix (a bad config, bad settings, a
 * failed check) is printed as its message alone, without a stack trace, and exits 1. Set
 * PRIVATEAI_DEBUG=1 to see the stack as well.
 */
export function runCli(main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .then(
      () => process.exit(process.exitCode ?? 0),
      (e: unknown) => {
        const error = e instanceof Error ? e : new Error(String(e));
        console.error(process.env.PRIVATEAI_DEBUG ? error.stack : error.message);
        process.exit(1);
      },
    );
}

/** A path as the user should see it: relative to the working directory when inside it. */
export function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel === '' ? '.' : rel.startsWith('..') ? path.resolve(file) : rel;
}
