/**
 * Property-based tests: whatever a caller sends, a malformed request gets a 4xx JSON error of the
 * documented shape, never an exception, never a call to Bedrock.
 */
import { ApplyGuardrailCommand, BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { createHandler } from '../../lambda/invoke/handler';
import { captureLogs, type LogCapture } from './support/capture';
import { COHERE_EMBED, HAIKU, NOVA_LITE, TITAN_EMBED, embedBody, json, openModelAccess, proxyEvent, testConfig, validBody, type ErrorBody } from './support/fixtures';

// Small limits keep "too many" and "too long" cheap to generate.
const config = testConfig({ MAX_MESSAGES: '4', MAX_TEXT_CHARS: '200', MAX_TOKENS_CAP: '100', MAX_EMBED_TEXTS: '4' });
const bedrock = mockClient(BedrockRuntimeClient);
const handler = createHandler({
  config,
  client: new BedrockRuntimeClient({ region: 'eu-central-1' }),
  logger: new Logger({ serviceName: config.serviceName }),
  metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  modelAccess: openModelAccess,
});

const RUNS = { numRuns: 150 };
const BODY_FIELDS = ['modelId', 'messages', 'system', 'maxTokens', 'temperature', 'dataClassification'];
const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'];

/** The body every "one thing broken" case starts from; the first test proves it is valid. */
const baseBody = () => validBody({ maxTokens: 50 });

let logs: LogCapture;
beforeAll(() => {
  bedrock.on(ConverseCommand).resolves({
    $metadata: {},
    output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    metrics: { latencyMs: 1 },
  });
  logs = captureLogs();
});
afterAll(() => logs.restore());
afterEach(() => {
  bedrock.resetHistory();
  logs.clear();
});

/** Runs the property, then checks that none of the malformed requests reached Bedrock. */
async function assertNeverReachesBedrock<T>(property: fc.IAsyncProperty<T>): Promise<void> {
  await fc.assert(property, RUNS);
  expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
}

async function expectClientError(event: unknown): Promise<void> {
  const result = await handler(event as APIGatewayProxyEvent);
  expect(result.statusCode).toBeGreaterThanOrEqual(400);
  expect(result.statusCode).toBeLessThan(500);
  expect(result.headers?.['content-type']).toBe('application/json');
  const body = json<ErrorBody>(result);
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'requestId']);
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.requestId).toBe('string');
  expect(typeof body.error.message).toBe('string');
  // Messages quote caller input only in short excerpts, and never carry a stack trace.
  expect(body.error.message.length).toBeLessThan(600);
  expect(body.error.message).not.toMatch(/\n\s+at /);
}

const notOneOf = (allowed: unknown[]) => fc.jsonValue().filter((v) => !allowed.includes(typeof v === 'string' ? v.trim().toLowerCase() : v));
const message = (role: string, text: string) => ({ role, content: [{ text }] });

/** A value that breaks one rule for one field of an otherwise valid body. */
const brokenField: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(fc.constant('modelId'), fc.jsonValue().filter((v) => v !== HAIKU && v !== NOVA_LITE)),
  fc.tuple(fc.constant('messages'), fc.jsonValue().filter((v) => !Array.isArray(v))),
  fc.tuple(fc.constant('messages'), fc.array(fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)), { minLength: 1, maxLength: 3 })),
  fc.tuple(fc.constant('messages'), fc.integer({ min: 5, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => message(i % 2 ? 'assistant' : 'user', 'hi')))),
  fc.tuple(fc.constant('messages'), fc.string({ minLength: 201, maxLength: 2000 }).filter((s) => s.trim().length > 0).map((text) => [message('user', text)])),
  fc.tuple(fc.constant('messages'), fc.constantFrom('assistant', 'system', 'User', '').map((role) => [message(role, 'hi')])),
  fc.tuple(fc.constant('messages'), fc.jsonValue().filter((t) => typeof t !== 'string').map((text) => [{ role: 'user', content: [{ text }] }])),
  fc.tuple(fc.constant('system'), fc.jsonValue().filter((v) => !Array.isArray(v) && !(typeof v === 'string' && v.trim().length > 0))),
  fc.tuple(fc.constant('maxTokens'), fc.jsonValue().filter((v) => !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 100))),
  fc.tuple(fc.constant('maxTokens'), fc.oneof(fc.integer({ min: 101 }), fc.integer({ max: 0 }), fc.double({ noInteger: true }))),
  fc.tuple(fc.constant('temperature'), fc.jsonValue().filter((v) => !(typeof v === 'number' && v >= 0 && v <= 1))),
  fc.tuple(fc.constant('temperature'), fc.oneof(fc.double({ min: 1, minExcluded: true, noNaN: true }), fc.double({ max: 0, noNaN: true }).filter((t) => t < 0))),
  fc.tuple(fc.constant('dataClassification'), notOneOf(CLASSIFICATIONS)),
  fc.tuple(fc.string().filter((k) => !BODY_FIELDS.includes(k)), fc.jsonValue()),
);

test('the base body is accepted, so each broken variant fails for its own reason', async () => {
  const result = await handler(proxyEvent({ body: baseBody() }));
  expect(result.statusCode).toBe(200);
  expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1);
});

describe('malformed requests always get a 4xx JSON error', () => {
  test('bodies that are arbitrary strings', async () => {
    await assertNeverReachesBedrock(fc.asyncProperty(fc.string({ maxLength: 300 }), fc.boolean(), (body, isBase64Encoded) => expectClientError(proxyEvent({ body, isBase64Encoded }))));
  });

  test('bodies that are arbitrary JSON, with arbitrary headers', async () => {
    const headers = fc.option(fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('x-data-classification', 'X-DATA-CLASSIFICATION')), fc.string()), { nil: null });
    await assertNeverReachesBedrock(
      fc.asyncProperty(fc.jsonValue(), headers, (body, h) => expectClientError(proxyEvent({ body: JSON.stringify(body), headers: h, multiValueHeaders: null }))),
    );
  });

  test('valid bodies with one field broken', async () => {
    await assertNeverReachesBedrock(
      fc.asyncProperty(brokenField, ([field, value]) => expectClientError(proxyEvent({ body: JSON.stringify({ ...baseBody(), [field]: value }) }))),
    );
  });

  test('valid bodies without any data classification', async () => {
    const noClassification = fc.dictionary(fc.string().filter((k) => k.toLowerCase() !== 'x-data-classification'), fc.string());
    await assertNeverReachesBedrock(fc.asyncProperty(noClassification, (headers) => expectClientError(proxyEvent({ headers, multiValueHeaders: null, body: baseBody() }))));
  });

  test('valid bodies with a model not cleared for the declared classification', async () => {
    const restricted = fc.constantFrom('restricted', 'RESTRICTED', ' confidential ');
    await assertNeverReachesBedrock(
      fc.asyncProperty(restricted, (classification) =>
        expectClientError(proxyEvent({ headers: { 'x-data-classification': classification }, body: { ...baseBody(), modelId: NOVA_LITE } })),
      ),
    );
  });

  test('events of any shape', async () => {
    const partialEvent = fc.record(
      {
        body: fc.oneof(fc.anything(), fc.string()),
        headers: fc.anything(),
        multiValueHeaders: fc.anything(),
        isBase64Encoded: fc.anything(),
        requestContext: fc.oneof(fc.anything(), fc.record({ requestId: fc.anything(), identity: fc.oneof(fc.anything(), fc.record({ userArn: fc.string() })) })),
      },
      { requiredKeys: [] },
    );
    await assertNeverReachesBedrock(fc.asyncProperty(fc.oneof(fc.anything(), partialEvent), (event) => expectClientError(event)));
  });
});

describe('malformed POST /embed requests always get a 4xx JSON error', () => {
  const EMBED_FIELDS = ['modelId', 'input', 'dimensions', 'dataClassification'];
  const embed = (body: unknown) => proxyEvent({ resource: '/embed', body });
  // Invisible-only strings: whitespace and format characters in any mix.
  const invisible = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u180E', '\u3164', '\u2800', '\u3000') });
  const brokenEmbedField: fc.Arbitrary<[string, unknown]> = fc.oneof(
    fc.tuple(fc.constant('modelId'), fc.jsonValue().filter((v) => v !== TITAN_EMBED && v !== COHERE_EMBED)),
    fc.tuple(fc.constant('modelId'), fc.constantFrom(HAIKU, NOVA_LITE)),
    fc.tuple(fc.constant('input'), fc.jsonValue().filter((v) => !Array.isArray(v) && typeof v !== 'string')),
    fc.tuple(fc.constant('input'), invisible),
    fc.tuple(fc.constant('input'), fc.array(invisible, { minLength: 1, maxLength: 4 })),
    fc.tuple(fc.constant('input'), fc.array(fc.constant('text'), { minLength: 5, maxLength: 50 })),
    fc.tuple(fc.constant('input'), fc.string({ minLength: 201, maxLength: 1000 }).filter((t) => t.trim().length > 0)),
    fc.tuple(fc.constant('dimensions'), fc.jsonValue().filter((v) => v !== 256 && v !== 512 && v !== 1024)),
    fc.tuple(fc.string().filter((k) => !EMBED_FIELDS.includes(k)), fc.jsonValue()),
  );

  test('the base body is accepted as far as the guardrail', async () => {
    await handler(embed(embedBody({ input: ['hi'] })));
    expect(bedrock.commandCalls(ApplyGuardrailCommand)).toHaveLength(1);
  });

  test('bodies that are arbitrary JSON', async () => {
    await fc.assert(fc.asyncProperty(fc.jsonValue(), (body) => expectClientError(embed(JSON.stringify(body)))), RUNS);
    expect(bedrock.calls()).toHaveLength(0);
  });

  test('valid bodies with one field broken', async () => {
    await fc.assert(fc.asyncProperty(brokenEmbedField, ([field, value]) => expectClientError(embed({ ...embedBody(), [field]: value }))), RUNS);
    expect(bedrock.calls()).toHaveLength(0);
  });
});
