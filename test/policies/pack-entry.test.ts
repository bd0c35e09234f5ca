import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Starts a pack's entry point as the Pulumi engine does (`pulumi preview --policy-pack <dir>`
 * runs it with the nodejs runtime) and returns the first line it prints: the port of its
 * analyzer server, once the PolicyPack has accepted every policy. Then stops it.
 */
function firstLine(dir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(dir, 'index.ts')], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        child.kill();
        resolve(out.split('\n')[0]);
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`policy pack ${dir} exited with ${code} before serving: ${err}`)));
  });
}

describe.each(['azure', 'gcp'])('policies/%s as a CrossGuard pack', (cloud) => {
  const dir = path.join(ROOT, 'policies', cloud);

  test('PulumiPolicy.yaml names the nodejs runtime and a version', () => {
    const project = yaml.load(fs.readFileSync(path.join(dir, 'PulumiPolicy.yaml'), 'utf8')) as Record<string, unknown>;
    expect(project).toMatchObject({ runtime: 'nodejs', version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
  });

  test('the entry point builds the pack and serves it to the engine', async () => {
    expect(await firstLine(dir)).toMatch(/^\d+$/);
  });
});
