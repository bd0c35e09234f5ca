/**
 * The local Converse server is what lets the end-to-end test claim "real signing", so its SigV4
 * check must be able to fail: replaying a genuine SDK request must pass, and changing any signed
 * part of it, or the secret, must not.
 */
import { request } from 'node:http';
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockClient } from '../../lambda/invoke/client';
import { startConverseServer, type ConverseServer, type RecordedRequest } from './support/converse-server';
import { HAIKU } from './support/fixtures';

const CREDS = { accessKeyId: 'AKIDLOCALTESTONLY', secretAccessKey: 'local-test-secret' };
const REGION = 'eu-central-1';

let server: ConverseServer;
let genuine: RecordedRequest;
let genuineBody: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = await startConverseServer({ ...CREDS, region: REGION });
  Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url, AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_REGION: REGION });
  delete process.env.AWS_SESSION_TOKEN;
  const client = createBedrockClient({ upstreamTimeoutMs: 5000 });
  await client.send(new ConverseCommand({ modelId: HAIKU, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));
  client.destroy();
  genuine = server.requests[0];
  genuineBody = JSON.stringify(genuine.body);
});

afterAll(async () => {
  await server.close();
  process.env = savedEnv;
});

/** Re-sends the recorded SDK request, optionally changed, and returns what the server made of it. */
async function replay(change: { path?: string; body?: string; headers?: Record<string, string | undefined> } = {}): Promise<{ status: number; errorType?: string; signature: string }> {
  const body = change.body ?? genuineBody;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({ ...genuine.headers, 'content-length': String(Buffer.byteLength(body)), ...change.headers })) {
    if (typeof value === 'string' && name !== 'connection') headers[name] = value;
  }
  const status = await new Promise<{ status: number; errorType?: string }>((resolve, reject) => {
    const req = request(`${server.url}${change.path ?? genuine.path}`, { method: 'POST', headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, errorType: res.headers['x-amzn-errortype'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
  return { ...status, signature: server.requests[server.requests.length - 1].signature };
}

test('accepts the SDK request as signed', async () => {
  expect(genuine.signature).toBe('valid');
  expect(await replay()).toEqual({ status: 200, errorType: undefined, signature: 'valid' });
});

test.each<[string, Parameters<typeof replay>[0], string]>([
  ['no Authorization header', { headers: { authorization: undefined } }, 'missing Authorization header'],
  ['another path', { path: '/model/amazon.nova-lite-v1%3A0/converse' }, 'signature does not match'],
  ['a changed signed header', { headers: { 'amz-sdk-request': 'attempt=2; max=3' } }, 'signature does not match'],
  ['a changed body', { body: genuineBodyWith('hello') }, 'x-amz-content-sha256 does not match the body'],
  ['a changed body and payload hash', { body: genuineBodyWith('hello'), headers: { 'x-amz-content-sha256': undefined } }, 'signature does not match'],
])('refuses %s', async (_name, change, reason) => {
  expect(await replay(change)).toMatchObject({ status: 403, errorType: expect.stringMatching(/^InvalidSignatureException:/), signature: reason });
});

test('refuses a signature made with another secret', async () => {
  const strict = await startConverseServer({ ...CREDS, secretAccessKey: 'another-secret', region: REGION });
  const body = genuineBody;
  const headers = Object.fromEntries(Object.entries(genuine.headers).filter((e): e is [string, string] => typeof e[1] === 'string' && e[0] !== 'connection'));
  await new Promise<void>((resolve, reject) => {
    const req = request(`${strict.url}${genuine.path}`, { method: 'POST', headers: { ...headers, host: genuine.headers.host ?? '' } }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
  await strict.close();

  expect(strict.requests[0].signature).toBe('signature does not match');
});

function genuineBodyWith(text: string): string {
  return JSON.stringify({ messages: [{ role: 'user', content: [{ text }] }] });
}
