/**
 * End to end: the minified bundle, loaded as Lambda would load it, talks real HTTP to a local
 * Converse server with the real SDK: endpoint resolution from AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
 * credentials from the environment, SigV4 signing, retries, timeouts. Loopback only.
 *
 * By default the bundle is the ModelInvoker asset of a `cdk synth` of the example platform stack
 * (exactly what deploys); INVOKER_BUNDLE=<path to an index.js> runs it against another build.
 * Faults a real network produces (a stalled body, a reset connection, an oversized answer) run
 * through the bundle too, since what the caller gets for them depends on the SDK version it ships.
 */
import { isBuiltin } from 'node:module';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { withoutCloudFormationValidation } from '../support/aws';
import { bundleImports, resolveInvokerBundle, type InvokerBundle } from './support/bundle';
import { captureLogs, type LogCapture } from './support/capture';
import { invokeInChild } from './support/child-invoke';
import { BLOCKED_INPUT_MESSAGE, BLOCKED_WORD, DEFAULT_REPLY_TEXT, fakeEmbedding, startConverseServer, type ConverseServer } from './support/converse-server';
import {
  ALLOWED_MODELS,
  CALLER_ARN,
  COHERE_EMBED,
  GUARDRAIL_ID,
  GUARDRAIL_VERSION,
  HAIKU,
  MODEL_ACCESS_PARAMETER,
  PROMPT_TEXT,
  REQUEST_ID,
  TITAN_EMBED,
  invokerEnv,
  json,
  proxyEvent,
  type ErrorBody,
} from './support/fixtures';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const REGION = 'eu-central-1';
const ACCESS_KEY_ID = 'AKIDLOCALTESTONLY';
const SECRET_ACCESS_KEY = 'local-test-secret-not-a-real-key';
const UPSTREAM_DETAIL = 'upstream-detail-that-must-not-leak';

const THROTTLED = 'test.throttled-v1:0';
const GARBLED = 'test.garbled-v1:0';
const INCOMPLETE = 'test.incomplete-v1:0';
const SILENT = 'test.silent-v1:0';
const STALLED = 'test.stalled-v1:0';
const RESET = 'test.reset-v1:0';
const HUGE = 'test.huge-v1:0';
const TEST_MODELS = [THROTTLED, GARBLED, INCOMPLETE, SILENT, STALLED, RESET, HUGE].map((id) => ({ id, classifications: ['internal'], kind: 'chat' }));
const METADATA = { caller: CALLER_ARN, apiRequestId: REQUEST_ID, dataClassification: 'internal' };

let server: ConverseServer;
let bundle: InvokerBundle;
let logs: LogCapture;
/** The function's environment, for invocations in a process of their own. */
let childEnv: Record<string, string>;
/** Generous upstream budget: throttling retries and adaptive back-off fit inside it. */
let invoke: Handler;
/** One-second upstream budget, for the timeout case. */
let invokeWithShortBudget: Handler;
const savedEnv = { ...process.env };

/** What reached Bedrock: the server's requests less the kill-switch reads (SSM GetParameter). */
const bedrockRequests = () => server.requests.filter((r) => r.operation !== 'ssm-get-parameter');

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
      [STALLED]: { kind: 'stall-body' },
      [RESET]: { kind: 'reset' },
      // 2.2 MB of quotes: 8.8 MB once the API reply and Lambda's result around it escape them.
      [HUGE]: { kind: 'reply', reply: { output: { message: { role: 'assistant', content: [{ text: '"'.repeat(2_200_000) }] } } } },
    },
  });
  // The asset is built as cdk synth builds it; CDK's CloudFormation validation of the template,
  // which this suite never reads, would take most of the synth's time.
  bundle = await withoutCloudFormationValidation(() => resolveInvokerBundle());

  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) {
    delete process.env[name];
  }
  childEnv = {
    ...invokerEnv({ ALLOWED_MODELS: JSON.stringify([...ALLOWED_MODELS, ...TEST_MODELS]), UPSTREAM_TIMEOUT_MS: '10000' }),
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
    SSM_ENDPOINT: server.url,
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_REGION: REGION,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  Object.assign(process.env, childEnv);
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

function event(modelId: string, options: Parameters<typeof proxyEvent>[0] = {}): APIGatewayProxyEvent {
  return proxyEvent({ body: { modelId, messages: [{ role: 'user', content: [{ text: PROMPT_TEXT }] }], maxTokens: 64 }, ...options });
}

function embedEvent(body: Record<string, unknown>, classification = 'internal'): APIGatewayProxyEvent {
  return proxyEvent({ resource: '/embed', body, headers: { 'x-data-classification': classification } });
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

test('the bundle stays under its 300 KB budget', () => {
  expect(bundle.bytes).toBeLessThan(300_000);
});

describe('the kill switch, as the bundle reads it', () => {
  afterEach(() => server.parameters.set(MODEL_ACCESS_PARAMETER, 'open'));

  test('suspended: every request is a 503 ModelAccessSuspended with Retry-After and nothing reaches Bedrock; the switch is read once, signed for ssm', async () => {
    server.parameters.set(MODEL_ACCESS_PARAMETER, 'suspended');
    const fresh = loadBundle(10_000);
    const results = [await fresh(event(HAIKU)), await fresh(embedEvent({ input: ['hello'] }))];

    for (const result of results) {
      expectError(result, 503, 'ModelAccessSuspended');
      expect(result.headers).toMatchObject({ 'retry-after': '300' });
    }
    expect(bedrockRequests()).toHaveLength(0);
    const reads = server.requests.filter((r) => r.operation === 'ssm-get-parameter');
    expect(reads.map((r) => [r.parameterName, r.signature])).toEqual([[MODEL_ACCESS_PARAMETER, 'valid']]);
    expect(reads[0].headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${REGION}/ssm/aws4_request, `));
    expect(logs.audits().map((a) => [a.route, a.status, a.errorCode])).toEqual([
      ['/invoke', 503, 'ModelAccessSuspended'],
      ['/embed', 503, 'ModelAccessSuspended'],
    ]);
  });

  test('a switch SSM does not have fails closed: 503, audited with ParameterNotFound', async () => {
    server.parameters.delete(MODEL_ACCESS_PARAMETER);
    const result = await loadBundle(10_000)(event(HAIKU));

    expectError(result, 503, 'ModelAccessSuspended');
    expect(bedrockRequests()).toHaveLength(0);
    expect(logs.audits()[0]).toMatchObject({ status: 503, errorCode: 'ModelAccessSuspended', upstreamError: 'ModelAccessSwitch: ParameterNotFound' });
  });
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

  expect(bedrockRequests()).toHaveLength(1);
  const [request] = bedrockRequests();
  expect(request).toMatchObject({ method: 'POST', modelId: HAIKU, path: `/model/${encodeURIComponent(HAIKU)}/converse`, signature: 'valid' });
  expect(request.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${ACCESS_KEY_ID}/\\d{8}/${REGION}/bedrock/aws4_request, SignedHeaders=`));
  expect(request.body).toEqual({
    messages: [{ role: 'user', content: [{ text: PROMPT_TEXT }] }],
    inferenceConfig: { maxTokens: 64 },
    guardrailConfig: { guardrailIdentifier: GUARDRAIL_ID, guardrailVersion: GUARDRAIL_VERSION, trace: 'enabled' },
    requestMetadata: METADATA,
  });

  const [audit] = logs.audits();
  expect(audit).toMatchObject({ status: 200, modelId: HAIKU, inputTokens: 12, outputTokens: 9, promptSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(logs.text()).not.toContain(PROMPT_TEXT);
});

test('keep-alive: consecutive invocations reuse one connection', async () => {
  await invoke(event(HAIKU));
  await invoke(event(HAIKU));

  expect(bedrockRequests()).toHaveLength(2);
  expect(bedrockRequests()[1].connection).toBe(bedrockRequests()[0].connection);
});

test('a reply the SDK cannot parse is a 502', async () => {
  expectError(await invoke(event(GARBLED)), 502, 'UpstreamError');
  expect(bedrockRequests().every((r) => r.signature === 'valid')).toBe(true);
});

test('a reply without the promised fields is a 502', async () => {
  expectError(await invoke(event(INCOMPLETE)), 502, 'UpstreamError');
  expect(logs.audits()[0]).toMatchObject({ status: 502, upstreamError: 'MalformedReply: output.message' });
});

test('an upstream that never answers is a 504 once the budget is spent', async () => {
  expectError(await invokeWithShortBudget(event(SILENT)), 504, 'UpstreamTimeout');
  expect(bedrockRequests().length).toBeGreaterThanOrEqual(1);
}, 20_000);

test('throttling is retried once, then a 429', async () => {
  expectError(await invoke(event(THROTTLED)), 429, 'Throttled');

  expect(bedrockRequests()).toHaveLength(2);
  expect(bedrockRequests().every((r) => r.signature === 'valid')).toBe(true);
  expect(logs.audits()[0]).toMatchObject({ status: 429, upstreamError: 'ThrottlingException' });
}, 20_000);

test('a reply whose body stalls past the budget is a 504, not a 502', async () => {
  const started = performance.now();
  expectError(await invokeWithShortBudget(event(STALLED)), 504, 'UpstreamTimeout');

  expect(performance.now() - started).toBeLessThan(3_000);
  expect(bedrockRequests()).toHaveLength(1);
  expect(logs.audits()[0]).toMatchObject({ status: 504, errorCode: 'UpstreamTimeout' });
}, 20_000);

test('a stalled body is a 504 in a plain Node process too, where the SDK reports it as a reset socket', async () => {
  const { result, audits } = await invokeInChild(bundle.file, { ...childEnv, UPSTREAM_TIMEOUT_MS: '1000' }, event(STALLED));

  expectError(result, 504, 'UpstreamTimeout');
  expect(audits).toEqual([expect.objectContaining({ status: 504, errorCode: 'UpstreamTimeout' })]);
}, 40_000);

test('a reset connection is a 502, not a 504, after one retry', async () => {
  // In its own process: the SDK names a reset `TimeoutError` only outside jest's sandbox (see child-invoke.ts).
  const { result, audits } = await invokeInChild(bundle.file, childEnv, event(RESET));

  expectError(result, 502, 'UpstreamError');
  expect(bedrockRequests()).toHaveLength(2);
  expect(audits).toEqual([expect.objectContaining({ status: 502, upstreamError: 'TimeoutError (ECONNRESET)' })]);
}, 40_000);

test('an answer past Lambda\'s 6 MB response limit is a 502 in the handler\'s error shape', async () => {
  const result = await invoke(event(HUGE));

  expectError(result, 502, 'UpstreamError');
  expect(json<ErrorBody>(result).error.message).toMatch(/is larger than the 6291456 bytes an API response can carry/);
  expect(logs.audits()[0]).toMatchObject({ status: 502, upstreamError: 'ResponseTooLarge' });
}, 20_000);

test('a caller with only a role ID is served and audited as unknown caller, with what is known', async () => {
  const result = await invoke(event(HAIKU, { userArn: null }));

  expect(result.statusCode).toBe(200);
  expect(bedrockRequests()[0].body).toMatchObject({ requestMetadata: { caller: 'unknown caller', apiRequestId: REQUEST_ID, dataClassification: 'internal' } });
  expect(logs.audits()[0]).toMatchObject({ callerArn: 'unknown caller', callerIdentity: { caller: 'AROAEXAMPLE:jane', accountId: '111122223333' } });
});

test('a caller with no identity at all is refused', async () => {
  expectError(await invoke(event(HAIKU, { userArn: null, caller: null, user: null })), 403, 'AccessDenied');
  expect(bedrockRequests()).toHaveLength(0);
});

test('text made only of invisible characters is a 400 naming the field', async () => {
  const result = await invoke(proxyEvent({ body: { messages: [{ role: 'user', content: [{ text: '\u200B\u2060\uFEFF' }] }] } }));

  expectError(result, 400, 'ValidationError');
  expect(json<ErrorBody>(result).error.message).toMatch(/^messages\[0\]\.content\[0\]\.text: must be a non-blank string/);
  expect(bedrockRequests()).toHaveLength(0);
});

describe('POST /embed', () => {
  const texts = ['The outage lasted two hours.', 'Root cause: an expired certificate.'];
  // The stand-in counts a token per four characters of each text.
  const TOKENS = 7 + 9;

  test('Titan: screened with ApplyGuardrail, one signed InvokeModel per text carrying the request metadata', async () => {
    const result = await invoke(embedEvent({ input: texts, dimensions: 256 }));

    expect(result.statusCode).toBe(200);
    expect(json(result)).toEqual({
      requestId: REQUEST_ID,
      modelId: TITAN_EMBED,
      embeddings: texts.map((t) => fakeEmbedding(t, 256)),
      usage: { inputTokens: TOKENS },
      guardrail: { action: 'NONE', interventions: [] },
    });
    expect(bedrockRequests().map((r) => [r.operation, r.signature])).toEqual([
      ['apply-guardrail', 'valid'],
      ['invoke', 'valid'],
      ['invoke', 'valid'],
    ]);
    expect(bedrockRequests()[0]).toMatchObject({ guardrailId: GUARDRAIL_ID, guardrailVersion: GUARDRAIL_VERSION, body: { source: 'INPUT' } });
    expect(JSON.parse(String(bedrockRequests()[1].headers['x-amzn-bedrock-request-metadata']))).toEqual(METADATA);
    expect(logs.audits()[0]).toMatchObject({ route: '/embed', status: 200, modelId: TITAN_EMBED, inputTokens: TOKENS, inputCount: 2, requestMetadata: METADATA });
  });

  test('Cohere: one call, the token count read from Bedrock\'s reply header', async () => {
    const result = await invoke(embedEvent({ modelId: COHERE_EMBED, input: texts }, 'public'));

    expect(json(result)).toMatchObject({ embeddings: texts.map((t) => fakeEmbedding(t, 1024)), usage: { inputTokens: TOKENS } });
    expect(bedrockRequests().filter((r) => r.operation === 'invoke')).toHaveLength(1);
  });

  test('blocked input is answered as POST /invoke answers it, without calling the model', async () => {
    const result = await invoke(embedEvent({ input: [BLOCKED_WORD] }));

    expect(json(result)).toMatchObject({ embeddings: [], stopReason: 'guardrail_intervened', output: { content: [{ text: BLOCKED_INPUT_MESSAGE }] }, guardrail: { action: 'INTERVENED' } });
    expect(bedrockRequests().map((r) => r.operation)).toEqual(['apply-guardrail']);
  });

  test('a chat model is a 400 naming the right route', async () => {
    const result = await invoke(embedEvent({ modelId: HAIKU, input: 'x' }));

    expectError(result, 400, 'ValidationError');
    expect(json<ErrorBody>(result).error.message).toBe(`modelId: "${HAIKU}" is a chat model; send it to POST /invoke`);
  });
});
