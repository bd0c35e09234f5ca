/**
 * End to end: the minified bundle, loaded as Lambda would load it, talks real HTTP to a local
 * Converse server with the real SDK: endpoint resolution from AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
 * credentials from the environment, SigV4 signing, retries, timeouts. Loopback only.
 *
 * By default the bundle is the ModelInvoker asset of a `cdk synth` of the example platform stack
 * (exactly what deploys); INVOKER_BUNDLE=<path to an index.js> runs it against another build.
 */
import { isBuiltin } from 'node:module';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { bundleImports, resolveInvokerBundle, type InvokerBundle } from './support/bundle';
import { captureLogs, type LogCapture } from './support/capture';
import { DEFAULT_REPLY_TEXT, startConverseServer, type ConverseServer } from './support/converse-server';
import { ALLOWED_MODELS, GUARDRAIL_ID, GUARDRAIL_VERSION, HAIKU, PROMPT_TEXT, REQUEST_ID, invokerEnv, json, proxyEvent, type ErrorBody } from './support/fixtures';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const REGION = 'eu-central-1';
const ACCESS_KEY_ID = 'AKIDLOCALTESTONLY';
const SECRET_ACCESS_KEY = 'local-test-secret-not-a-real-key';
const UPSTREAM_DETAIL = 'upstream-detail-that-must-not-leak';

const THROTTLED = 'test.throttled-v1:0';
const GARBLED = 'test.garbled-v1:0';
const INCOMPLETE = 'test.incomplete-v1:0';
const SILENT = 'test.silent-v1:0';
const TEST_MODELS = [THROTTLED, GARBLED, INCOMPLETE, SILENT].map((id) => ({ id, classifications: ['internal'] }));

let server: ConverseServer;
let bundle: InvokerBundle;
let logs: LogCapture;
/** Generous upstream budget: throttling retries and adaptive back-off fit inside it. */
let invoke: Handler;
/** One-second upstream budget, for the timeout case. */
let invokeWithShortBudget: Handler;
const savedEnv = { ...process.env };

/** Loads a fresh copy of the bundle, as a new execution environment would. */
function loadBundle(upstreamTimeoutMs: number): Handler {
  process.env.UPSTREAM_TIMEOUT_MS = String(upstreamTimeoutMs);
  let loaded: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built file chosen at run time, loaded as CommonJS the way the Lambda runtime loads it
    loaded = (require(bundle.file) as { handler: Handler }).handler;
  });
  return loaded!;
}

beforeAll(async () => {
  server = await startConverseServer({
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    region: REGION,
    behaviours: {
      [THROTTLED]: { kind: 'error', status: 429, errorType: 'ThrottlingException', message: UPSTREAM_DETAIL },
      [GARBLED]: { kind: 'raw', status: 200, contentType: 'application/json', body: `<html>${UPSTREAM_DETAIL}` },
      [INCOMPLETE]: { kind: 'raw', status: 200, contentType: 'application/json', body: '{"stopReason":"end_turn"}' },
      [SILENT]: { kind: 'hang' },
    },
  });
  bundle = await resolveInvokerBundle();

  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
    delete process.env[name];
  }
  Object.assign(process.env, invokerEnv({ ALLOWED_MODELS: JSON.stringify([...ALLOWED_MODELS, ...TEST_MODELS]) }), {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_REGION: REGION,
  });
  invoke = loadBundle(10_000);
  invokeWithShortBudget = loadBundle(1_000);
}, 60_000);

beforeEach(() => {
  server.requests.length = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

afterAll(async () => {
  await server?.close();
  bundle?.cleanup();
  process.env = savedEnv;
});

function event(modelId: string): APIGatewayProxyEvent {
  return proxyEvent({ body: { modelId, messages: [{ role: 'user', content: [{ text: PROMPT_TEXT }] }], maxTokens: 64 } });
}

function expectError(result: APIGatewayProxyResult, status: number, code: string): void {
  expect(result.statusCode).toBe(status);
  expect(json<ErrorBody>(result).error).toEqual({ code, message: expect.any(String), requestId: REQUEST_ID });
  expect(result.body).not.toContain(UPSTREAM_DETAIL);
}

test('the bundle is self-contained: it loads nothing but Node built-ins, and only with require', async () => {
  const imports = await bundleImports(bundle.file);

  expect(imports.length).toBeGreaterThan(0);
  expect(imports.filter((i) => !isBuiltin(i.path) || i.kind !== 'require-call')).toEqual([]);
});

test('the bundle stays under its 400 KB budget', () => {
  expect(bundle.bytes).toBeLessThan(400_000);
});

test('success: a signed Converse call with the guardrail pinned, mapped to the API reply', async () => {
  const result = await invoke(event(HAIKU));

  expect(result.statusCode).toBe(200);
  expect(json(result)).toMatchObject({
    modelId: HAIKU,
    output: { role: 'assistant', content: [{ text: DEFAULT_REPLY_TEXT }] },
    stopReason: 'end_turn',
    usage: { inputTokens: 12, outputTokens: 9, totalTokens: 21 },
    guardrail: { action: 'NONE' },
  });

  expect(server.requests).toHaveLength(1);
  const [request] = server.requests;
  expect(request).toMatchObject({ method: 'POST', modelId: HAIKU, path: `/model/${encodeURIComponent(HAIKU)}/converse`, signature: 'valid' });
  expect(request.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${REGION}/bedrock/aws4_request, SignedHeaders=`));
  expect(request.body).toEqual({
    messages: [{ role: 'user', content: [{ text: PROMPT_TEXT }] }],
    inferenceConfig: { maxTokens: 64 },
    guardrailConfig: { guardrailIdentifier: GUARDRAIL_ID, guardrailVersion: GUARDRAIL_VERSION, trace: 'enabled' },
  });

  const [audit] = logs.audits();
  expect(audit).toMatchObject({ status: 200, modelId: HAIKU, inputTokens: 12, outputTokens: 9, promptSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(logs.text()).not.toContain(PROMPT_TEXT);
});

test('keep-alive: consecutive invocations reuse one connection', async () => {
  await invoke(event(HAIKU));
  await invoke(event(HAIKU));

  expect(server.requests).toHaveLength(2);
  expect(server.requests[1].connection).toBe(server.requests[0].connection);
});

test('a reply the SDK cannot parse is a 502', async () => {
  expectError(await invoke(event(GARBLED)), 502, 'UpstreamError');
  expect(server.requests.every((r) => r.signature === 'valid')).toBe(true);
});

test('a reply without the promised fields is a 502', async () => {
  expectError(await invoke(event(INCOMPLETE)), 502, 'UpstreamError');
  expect(logs.audits()[0]).toMatchObject({ status: 502, upstreamError: 'MalformedReply: output.message' });
});

test('an upstream that never answers is a 504 once the budget is spent', async () => {
  expectError(await invokeWithShortBudget(event(SILENT)), 504, 'UpstreamTimeout');
  expect(server.requests.length).toBeGreaterThanOrEqual(1);
}, 20_000);

test('throttling is retried three times in all, then a 429', async () => {
  expectError(await invoke(event(THROTTLED)), 429, 'Throttled');

  expect(server.requests).toHaveLength(3);
  expect(server.requests.every((r) => r.signature === 'valid')).toBe(true);
  expect(logs.audits()[0]).toMatchObject({ status: 429, upstreamError: 'ThrottlingException' });
}, 20_000);
