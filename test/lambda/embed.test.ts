/**
 * POST /embed through the real SDK against the local Bedrock stand-in: ApplyGuardrail first, then
 * InvokeModel with each family's documented body, signed and serialised as they would be sent.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createBedrockClient } from '../../lambda/invoke/client';
import type { EmbedResponseBody } from '../../lambda/invoke/embed';
import { createHandler, type InvokerHandler } from '../../lambda/invoke/handler';
import { captureLogs, type LogCapture } from './support/capture';
import { BLOCKED_INPUT_MESSAGE, BLOCKED_WORD, fakeEmbedding, startConverseServer, type ConverseServer } from './support/converse-server';
import { CALLER_ARN, COHERE_EMBED, ErrorBody, GUARDRAIL_ID, GUARDRAIL_VERSION, HAIKU, REQUEST_ID, TITAN_EMBED, embedBody, json, openModelAccess, proxyEvent, testConfig } from './support/fixtures';

const CREDS = { accessKeyId: 'AKIDLOCALTESTONLY', secretAccessKey: 'local-test-secret', region: 'eu-central-1' };
const COHERE_V4 = 'cohere.embed-v4:0';
const THROTTLED_TITAN = 'eu.amazon.titan-embed-text-v2:0';
const SHORT_COHERE = 'us.cohere.embed-v4:0';
const MISALIGNED_GUARDRAIL = 'misaligned1';
const MODELS = [
  { id: HAIKU, classifications: ['internal'], kind: 'chat' },
  { id: TITAN_EMBED, classifications: ['internal'], kind: 'embedding' },
  { id: COHERE_EMBED, classifications: ['public'], kind: 'embedding' },
  { id: COHERE_V4, classifications: ['internal'], kind: 'embedding' },
  { id: THROTTLED_TITAN, classifications: ['internal'], kind: 'embedding' },
  { id: SHORT_COHERE, classifications: ['internal'], kind: 'embedding' },
];
const TEXTS = ['The outage lasted two hours.', 'Root cause: an expired certificate.'];
const METADATA = { caller: CALLER_ARN, apiRequestId: REQUEST_ID, dataClassification: 'internal' };

let server: ConverseServer;
let logs: LogCapture;
let handler: InvokerHandler;
let misaligned: InvokerHandler;
const savedEnv = { ...process.env };

function handlerWith(overrides: Record<string, string>): InvokerHandler {
  const config = testConfig({ ALLOWED_MODELS: JSON.stringify(MODELS), UPSTREAM_TIMEOUT_MS: '5000', ...overrides });
  return createHandler({ config, client: createBedrockClient(config), logger: new Logger({ serviceName: config.serviceName }), metrics: new Metrics({ namespace: config.metricsNamespace }), modelAccess: openModelAccess });
}

beforeAll(async () => {
  server = await startConverseServer({
    ...CREDS,
    behaviours: {
      [THROTTLED_TITAN]: { kind: 'error', status: 429, errorType: 'ThrottlingException', message: 'slow down' },
      [SHORT_COHERE]: { kind: 'reply', reply: { embeddings: { float: [[0.1, 0.2]] } } },
      // Masked, but one output for two texts: which masked copy belongs to which text is unknown.
      [`guardrail:${MISALIGNED_GUARDRAIL}`]: {
        kind: 'reply',
        reply: {
          action: 'GUARDRAIL_INTERVENED',
          outputs: [{ text: '{EMAIL}' }],
          assessments: [{ sensitiveInformationPolicy: { piiEntities: [{ type: 'EMAIL', match: 'a@b.example', action: 'ANONYMIZED' }] } }],
        },
      },
    },
  });
  delete process.env.AWS_SESSION_TOKEN;
  Object.assign(process.env, { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url, AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_REGION: CREDS.region });
  handler = handlerWith({});
  misaligned = handlerWith({ GUARDRAIL_ID: MISALIGNED_GUARDRAIL });
});

beforeEach(() => {
  server.requests.length = 0;
  logs = captureLogs();
});
afterEach(() => logs.restore());

afterAll(async () => {
  await server.close();
  process.env = savedEnv;
});

const embedEvent = (body: Record<string, unknown>, classification = 'internal') => proxyEvent({ resource: '/embed', body: embedBody(body), headers: { 'x-data-classification': classification } });
const byOperation = (operation: string) => server.requests.filter((r) => r.operation === operation);

test('Titan: the guardrail screens every text, then one InvokeModel per text, vectors in order', async () => {
  const result = await handler(embedEvent({ input: TEXTS }));

  expect(result.statusCode).toBe(200);
  expect(json<EmbedResponseBody>(result)).toEqual({
    requestId: REQUEST_ID,
    modelId: TITAN_EMBED,
    embeddings: TEXTS.map((t) => fakeEmbedding(t, 1024)),
    usage: { inputTokens: TEXTS.reduce((n, t) => n + Math.ceil(t.length / 4), 0) },
    guardrail: { action: 'NONE', interventions: [] },
  });

  const [screen, ...calls] = server.requests;
  expect(screen).toMatchObject({ operation: 'apply-guardrail', guardrailId: GUARDRAIL_ID, guardrailVersion: GUARDRAIL_VERSION, signature: 'valid' });
  expect(screen.body).toEqual({ source: 'INPUT', content: TEXTS.map((text) => ({ text: { text } })) });
  expect(calls.map((c) => c.body)).toEqual(TEXTS.map((inputText) => ({ inputText, normalize: true })));
  expect(calls.every((c) => c.operation === 'invoke' && c.modelId === TITAN_EMBED && c.signature === 'valid' && c.headers['content-type'] === 'application/json')).toBe(true);
});

test('InvokeModel carries the request metadata header, which Bedrock records in the invocation logs', async () => {
  await handler(embedEvent({ input: TEXTS[0] }));

  const [call] = byOperation('invoke');
  expect(JSON.parse(String(call.headers['x-amzn-bedrock-request-metadata']))).toEqual(METADATA);
  expect(logs.audits()[0]).toMatchObject({ route: '/embed', requestMetadata: METADATA, inputCount: 1, status: 200, guardrailAction: 'NONE' });
});

test('Titan: asks for the dimensions the caller asked for', async () => {
  const result = await handler(embedEvent({ input: 'one text', dimensions: 256 }));

  expect(json<EmbedResponseBody>(result).embeddings).toEqual([fakeEmbedding('one text', 256)]);
  expect(byOperation('invoke')[0].body).toEqual({ inputText: 'one text', dimensions: 256, normalize: true });
});

test('Titan: many texts keep their order across concurrent calls', async () => {
  const texts = Array.from({ length: 20 }, (_, i) => `text number ${i}`);
  const result = await handler(embedEvent({ input: texts }));

  expect(json<EmbedResponseBody>(result).embeddings).toEqual(texts.map((t) => fakeEmbedding(t, 1024)));
  expect(byOperation('invoke')).toHaveLength(20);
});

test('Cohere v3: one call for all texts, usage from Bedrock\'s token-count header', async () => {
  const result = await handler(embedEvent({ modelId: COHERE_EMBED, input: TEXTS }, 'public'));

  expect(result.statusCode).toBe(200);
  expect(json<EmbedResponseBody>(result)).toMatchObject({
    modelId: COHERE_EMBED,
    embeddings: TEXTS.map((t) => fakeEmbedding(t, 1024)),
    usage: { inputTokens: TEXTS.reduce((n, t) => n + Math.ceil(t.length / 4), 0) },
  });
  const calls = byOperation('invoke');
  expect(calls).toHaveLength(1);
  expect(calls[0].body).toEqual({ texts: TEXTS, input_type: 'search_document', embedding_types: ['float'] });
});

test('Cohere v4: sends the dimensions as output_dimension', async () => {
  const result = await handler(embedEvent({ modelId: COHERE_V4, input: TEXTS, dimensions: 512 }));

  expect(json<EmbedResponseBody>(result).embeddings).toEqual(TEXTS.map((t) => fakeEmbedding(t, 512)));
  expect(byOperation('invoke')[0].body).toEqual({ texts: TEXTS, input_type: 'search_document', embedding_types: ['float'], output_dimension: 512 });
});

test('blocked input: the answer POST /invoke gives for it, and the model is never called', async () => {
  const result = await handler(embedEvent({ input: ['fine', `tell me about ${BLOCKED_WORD}`] }));

  expect(result.statusCode).toBe(200);
  expect(json<EmbedResponseBody>(result)).toEqual({
    requestId: REQUEST_ID,
    modelId: TITAN_EMBED,
    embeddings: [],
    usage: { inputTokens: 0 },
    stopReason: 'guardrail_intervened',
    output: { role: 'assistant', content: [{ text: BLOCKED_INPUT_MESSAGE }] },
    guardrail: { action: 'INTERVENED', interventions: [{ source: 'input', policy: 'wordPolicy', action: 'BLOCKED' }] },
  });
  expect(byOperation('invoke')).toHaveLength(0);
  expect(logs.audits()[0]).toMatchObject({ status: 200, guardrailAction: 'INTERVENED', stopReason: 'guardrail_intervened', inputTokens: 0 });
  expect(logs.text()).not.toContain(BLOCKED_WORD);
});

test('anonymized input: the masked texts are embedded, never the originals', async () => {
  const texts = ['Mail jane.doe@example.com about it.', 'No personal data here.'];
  const masked = ['Mail {EMAIL} about it.', 'No personal data here.'];
  const result = await handler(embedEvent({ input: texts }));

  expect(json<EmbedResponseBody>(result)).toMatchObject({
    embeddings: masked.map((t) => fakeEmbedding(t, 1024)),
    guardrail: { action: 'INTERVENED', interventions: [{ source: 'input', policy: 'sensitiveInformationPolicy', type: 'EMAIL', action: 'ANONYMIZED' }] },
  });
  expect(byOperation('invoke').map((c) => c.body)).toEqual(masked.map((inputText) => ({ inputText, normalize: true })));
  expect(result.body).not.toContain('jane.doe@example.com');
  expect(logs.text()).not.toContain('jane.doe@example.com');
});

test('anonymized input whose masked copies do not line up with the texts is a 502, and nothing is embedded', async () => {
  const result = await misaligned(embedEvent({ input: ['a@b.example', 'c'] }));

  expect(result.statusCode).toBe(502);
  expect(json<ErrorBody>(result).error).toEqual({ code: 'UpstreamError', message: 'the model service failed to handle the request', requestId: REQUEST_ID });
  expect(byOperation('invoke')).toHaveLength(0);
  expect(logs.audits()[0]).toMatchObject({ status: 502, upstreamError: 'MalformedReply: outputs' });
});

test('a throttled embedding model is a 429 after one retry', async () => {
  const result = await handler(embedEvent({ modelId: THROTTLED_TITAN, input: 'x' }));

  expect(result.statusCode).toBe(429);
  expect(json<ErrorBody>(result).error.code).toBe('Throttled');
  expect(byOperation('invoke')).toHaveLength(2);
});

test('a reply with fewer vectors than texts is a 502', async () => {
  const result = await handler(embedEvent({ modelId: SHORT_COHERE, input: TEXTS }));

  expect(result.statusCode).toBe(502);
  expect(logs.audits()[0]).toMatchObject({ status: 502, upstreamError: 'MalformedReply: embeddings' });
});
