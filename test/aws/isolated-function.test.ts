/**
 * IsolatedFunction's bundling: the parts of the AWS SDK it replaces keep the promises the SDK
 * makes inside Lambda. Each probe below is bundled with the construct's own options, then loaded
 * (in jest, as the end-to-end test loads the invoker, or in a child process started with a clean
 * environment where what Node.js loads at start-up matters).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { bundleOptions } from '../../lib/aws/isolated-function';

const ROOT = join(__dirname, '../..');
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDBUNDLETEST', AWS_SECRET_ACCESS_KEY: 'bundle-test-secret', AWS_SESSION_TOKEN: 'bundle-test-token' };
const CONVERSE_REPLY = JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'hello' }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, metrics: { latencyMs: 1 } });

let dir: string;
const savedEnv = { ...process.env };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isolated-function-bundle-'));
});
afterEach(() => {
  process.env = { ...savedEnv };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Bundles `source` (TypeScript, resolved from the repository root) as IsolatedFunction does; returns the file. */
function bundle(name: string, source: string, options = { sdkEventStreams: false }): string {
  const outfile = join(dir, `${name}.js`);
  buildSync({ ...bundleOptions(options), stdin: { contents: source, resolveDir: ROOT, sourcefile: `${name}.ts`, loader: 'ts' }, outfile });
  return outfile;
}

function load<T>(file: string): T {
  let loaded: T | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle built by the test, loaded as CommonJS the way the Lambda runtime loads it
    loaded = require(file) as T;
  });
  return loaded!;
}

async function listen(server: Http2Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('credentials', () => {
  const probe = `
    import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
    export const credentials = () => new BedrockRuntimeClient({ region: 'eu-central-1' }).config.credentials();
  `;

  test('come from the variables Lambda sets from the execution role', async () => {
    Object.assign(process.env, CREDENTIALS);
    const { credentials } = load<{ credentials(): Promise<Record<string, unknown>> }>(bundle('env-credentials', probe));

    await expect(credentials()).resolves.toMatchObject({ accessKeyId: CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDENTIALS.AWS_SECRET_ACCESS_KEY, sessionToken: CREDENTIALS.AWS_SESSION_TOKEN });
  });

  test('come from nowhere else: a shared credentials file, which the full SDK would read, is ignored', async () => {
    for (const name of Object.keys(CREDENTIALS)) delete process.env[name];
    const file = join(dir, 'credentials');
    writeFileSync(file, '[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = from-file\n');
    Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: file, AWS_CONFIG_FILE: join(dir, 'no-config'), AWS_EC2_METADATA_DISABLED: 'true' });
    const { credentials } = load<{ credentials(): Promise<unknown> }>(bundle('file-credentials', probe));

    await expect(credentials()).rejects.toThrow(/Could not load credentials from any providers/);
  });
});

describe('event streams', () => {
  const probe = `
    import { BedrockRuntimeClient, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
    export async function stream(endpoint: string) {
      const client = new BedrockRuntimeClient({ region: 'eu-central-1', endpoint });
      const reply = await client.send(new ConverseStreamCommand({ modelId: 'test.model-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
      const events = [];
      for await (const event of reply.stream ?? []) events.push(event);
      return events;
    }
  `;
  type Probe = { stream(endpoint: string): Promise<unknown[]> };
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    // A stream that ends at once (over HTTP/2, the client's default): enough for the SDK to reach its event-stream code.
    server = await listen(createHttp2Server((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' }).end())));
  });
  afterAll(() => server.close());

  test('are left out by default, and a streaming call says which prop brings them back', async () => {
    Object.assign(process.env, CREDENTIALS);
    const { stream } = load<Probe>(bundle('no-streams', probe));

    await expect(stream(server.url)).rejects.toThrow(/set sdkEventStreams: true/);
  });

  test('are bundled with sdkEventStreams', async () => {
    Object.assign(process.env, CREDENTIALS);
    const { stream } = load<Probe>(bundle('streams', probe, { sdkEventStreams: true }));

    await expect(stream(server.url)).resolves.toEqual([]);
  });
});

describe('node:http2', () => {
  const probe = `
    import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
    // The client's default request handler speaks HTTP/2.
    const client = new BedrockRuntimeClient({ region: 'eu-central-1', endpoint: process.env.PROBE_ENDPOINT });
    export const loadedAtInit = process.moduleLoadList.includes('NativeModule http2');
    export const converse = () => client.send(new ConverseCommand({ modelId: 'test.model-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
  `;

  test('is not loaded when the bundle loads', () => {
    const file = bundle('http2-at-init', probe);
    const child = spawnSync(process.execPath, ['-e', `process.stdout.write(String(require(${JSON.stringify(file)}).loadedAtInit))`], {
      env: { PATH: process.env.PATH, AWS_REGION: 'eu-central-1', PROBE_ENDPOINT: 'http://127.0.0.1:1', ...CREDENTIALS },
      encoding: 'utf8',
    });

    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('false');
  });

  test('is loaded on first use, and the HTTP/2 handler works through it', async () => {
    const server = await listen(createHttp2Server((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(CONVERSE_REPLY))));
    try {
      Object.assign(process.env, CREDENTIALS, { PROBE_ENDPOINT: server.url });
      const { converse } = load<{ converse(): Promise<{ output?: unknown }> }>(bundle('http2-in-use', probe));

      await expect(converse()).resolves.toMatchObject({ output: { message: { content: [{ text: 'hello' }] } } });
    } finally {
      await server.close();
    }
  });
});

test('the model invoker bundles to under 300,000 bytes', () => {
  const outfile = join(dir, 'invoker.js');
  buildSync({ ...bundleOptions({ sdkEventStreams: false }), entryPoints: [join(ROOT, 'lambda/invoke/index.ts')], outfile });

  expect(statSync(outfile).size).toBeLessThan(300_000);
});
