/**
 * What the invoker's retry policy costs under throttling (the figures and the reasoning are in
 * lambda/invoke/client.ts): a throttled request is retried once and fails within about a second,
 * and it leaves no client-side rate limit behind to slow the next request down.
 */
import { ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { createBedrockClient } from '../../lambda/invoke/client';
import { startConverseServer, type ConverseServer } from './support/converse-server';
import { HAIKU } from './support/fixtures';

const CREDS = { accessKeyId: 'AKIDLOCALTESTONLY', secretAccessKey: 'local-test-secret', region: 'eu-central-1' };
const THROTTLED = 'test.throttled-v1:0';
const savedEnv = { ...process.env };
let server: ConverseServer;

beforeAll(async () => {
  server = await startConverseServer({ ...CREDS, behaviours: { [THROTTLED]: { kind: 'error', status: 429, errorType: 'ThrottlingException', message: 'slow down' } } });
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url, AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_REGION: CREDS.region });
});

afterAll(async () => {
  await server.close();
  process.env = savedEnv;
});

async function timed(send: () => Promise<unknown>): Promise<{ ms: number; error?: string }> {
  const started = performance.now();
  try {
    await send();
    return { ms: performance.now() - started };
  } catch (err) {
    return { ms: performance.now() - started, error: (err as Error).name };
  }
}

test('a throttled request is retried once, fails within the one backoff, and does not slow the next request', async () => {
  const client = createBedrockClient({ upstreamTimeoutMs: 20_000 });
  const converse = (modelId: string) => () => client.send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'hi' }] }] }));

  const throttled = [];
  for (let i = 0; i < 3; i++) {
    throttled.push(await timed(converse(THROTTLED)));
  }
  const next = await timed(converse(HAIKU));
  client.destroy();

  expect(throttled.map((t) => t.error)).toEqual(['ThrottlingException', 'ThrottlingException', 'ThrottlingException']);
  expect(server.requests.filter((r) => r.modelId === THROTTLED)).toHaveLength(6);
  // The SDK waits a random part of one second before the retry of a throttled call.
  for (const { ms } of throttled) {
    expect(ms).toBeLessThan(1_500);
  }
  // Adaptive mode made this request wait ~2 s for a client-side send token.
  expect(next).toEqual({ ms: expect.any(Number) });
  expect(next.ms).toBeLessThan(500);
});
