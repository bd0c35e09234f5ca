import { spawnSync, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { OrgConfigInput } from '../../lib/config';

export const ROOT = path.join(__dirname, '..', '..');

/** Runs a TypeScript entry point of bin/ as npm runs it (ts-node, transpile only), from the repository root. */
export function runBin(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join('bin', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PRIVATEAI_CONFIG: '', PRIVATEAI_DEBUG: '', ...env },
  });
}

/** A new temporary directory. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** The example organisation config as written, to derive variants from. */
export function exampleDocument(): OrgConfigInput {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'lib', 'config', 'example.org.json'), 'utf8')) as OrgConfigInput;
}

/** Writes `document` as JSON to a new file and returns its path. */
export function writeConfig(document: unknown, name = 'org.json'): string {
  const file = path.join(tempDir('org'), name);
  fs.writeFileSync(file, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
  return file;
}
