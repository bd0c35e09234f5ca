import { createHash } from 'node:crypto';
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  InternalServerException,
  ModelErrorException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
  type ConverseCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import { fromUpstreamError } from '../../lambda/invoke/errors';
import { createHandler, type InvokeResponseBody } from '../../lambda/invoke/handler';
import { captureLogs, type LogCapture } from './support/capture';
import {
  CALLER_ARN,
  COHERE_EMBED,
  ErrorBody,
  GUARDRAIL_ID,
  GUARDRAIL_VERSION,
  HAIKU,
  NOVA_LITE,
  PROMPT_TEXT,
  REQUEST_ID,
  SYSTEM_TEXT,
  TITAN_EMBED,
  embedBody,
  json,
  openModelAccess,
  proxyEvent,
  testConfig,
  validBody,
} from './support/fixtures';

const bedrock = mockClient(BedrockRuntimeClient);
const config = testConfig();
const handler = createHandler({
  config,
  client: new BedrockRuntimeClient({ region: 'eu-central-1' }),
  logger: new Logger({ serviceName: config.serviceName }),
  metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  modelAccess: openModelAccess,
});

const REPLY_TEXT = 'The Q3 incident was contained within two hours.';
// Upstream messages can quote the request; none of this may reach the caller.
const UPSTREAM_SECRET = 'UPSTREAM-DETAIL-do-not-leak';

function converseOutput(overrides: Partial<ConverseCommandOutput> = {}): ConverseCommandOutput {
  return {
    $metadata: { httpStatusCode: 200, requestId: 'bedrock-req-1' },
    output: { message: { role: 'assistant', content: [{ text: REPLY_TEXT }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 21, outputTokens: 11, totalTokens: 32 },
    metrics: { latencyMs: 412 },
    ...overrides,
  };
}

const meta = { httpStatusCode: 400, requestId: 'bedrock-req-err' };

let logs: LogCapture;
beforeEach(() => {
  bedrock.reset();
  bedrock.on(ConverseCommand).resolves(converseOutput());
  logs = captureLogs();
});
afterEach(() => logs.restore());

function expectErrorShape(result: { statusCode: number; body: string; headers?: Record<string, unknown> }, status: number, code: string): ErrorBody['error'] {
  expect(result.statusCode).toBe(status);
  expect(result.headers).toMatchObject({ 'content-type': 'application/json' });
  const body = json<ErrorBody>(result);
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'requestId']);
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(REQUEST_ID);
  expect(result.body).not.toContain(UPSTREAM_SECRET);
  expect(result.body).not.toMatch(/\n\s+at /);
  return body.error;
}

describe('200', () => {
  test('returns the model output, usage and guardrail outcome', async () => {
    const result = await handler(proxyEvent());

    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store' });
    expect(json<InvokeResponseBody>(result)).toEqual({
      requestId: REQUEST_ID,
      modelId: HAIKU,
      output: { role: 'assistant', content: [{ text: REPLY_TEXT }] },
      stopReason: 'end_turn',
      usage: { inputTokens: 21, outputTokens: 11, totalTokens: 32 },
      guardrail: { action: 'NONE', interventions: [] },
    });
  });

  test('calls Converse with the default model, the pinned guardrail and the caps', async () => {
    await handler(proxyEvent({ body: validBody({ maxTokens: undefined, temperature: undefined }) }));

    const calls = bedrock.commandCalls(ConverseCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      modelId: HAIKU,
      messages: [{ role: 'user', content: [{ text: PROMPT_TEXT }] }],
      system: [{ text: SYSTEM_TEXT }],
      inferenceConfig: { maxTokens: config.maxTokensCap, temperature: undefined },
      guardrailConfig: { guardrailIdentifier: GUARDRAIL_ID, guardrailVersion: GUARDRAIL_VERSION, trace: 'enabled' },
      requestMetadata: { caller: CALLER_ARN, apiRequestId: REQUEST_ID, dataClassification: 'internal' },
    });
  });

  test('accepts text with visible characters among invisible ones', async () => {
    const result = await handler(proxyEvent({ body: validBody({ messages: [{ role: 'user', content: [{ text: '\u200Bhi\u2060' }] }] }) }));

    expect(result.statusCode).toBe(200);
  });

  test('reads the classification header case-insensitively and accepts it in the body', async () => {
    const fromHeader = await handler(proxyEvent({ headers: { 'X-Data-Classification': 'Confidential' } }));
    const fromBody = await handler(proxyEvent({ headers: {}, body: validBody({ dataClassification: 'internal', modelId: NOVA_LITE }) }));

    expect(fromHeader.statusCode).toBe(200);
    expect(fromBody.statusCode).toBe(200);
    expect(bedrock.commandCalls(ConverseCommand)[1].args[0].input.modelId).toBe(NOVA_LITE);
  });

  test('accepts a base64-encoded body and a system prompt given as blocks', async () => {
    const body = Buffer.from(JSON.stringify(validBody({ system: [{ text: 'a' }, { text: 'b' }] }))).toString('base64');
    const result = await handler(proxyEvent({ body, isBase64Encoded: true }));

    expect(result.statusCode).toBe(200);
    expect(bedrock.commandCalls(ConverseCommand)[0].args[0].input.system).toEqual([{ text: 'a' }, { text: 'b' }]);
  });

  test('reports INTERVENED when Converse stops for the guardrail', async () => {
    bedrock.on(ConverseCommand).resolves(converseOutput({ stopReason: 'guardrail_intervened' }));
    const result = await handler(proxyEvent());

    expect(result.statusCode).toBe(200);
    expect(json<InvokeResponseBody>(result).guardrail.action).toBe('INTERVENED');
  });

  test('reports INTERVENED from the trace, naming the policy but never the matched text', async () => {
    bedrock.on(ConverseCommand).resolves(
      converseOutput({
        trace: {
          guardrail: {
            inputAssessment: { [GUARDRAIL_ID]: { contentPolicy: { filters: [{ type: 'PROMPT_ATTACK', confidence: 'NONE', action: 'NONE' }] } } },
            outputAssessments: {
              [GUARDRAIL_ID]: [
                { sensitiveInformationPolicy: { piiEntities: [{ type: 'EMAIL', match: 'jane@example.com', action: 'ANONYMIZED' }], regexes: [] } },
              ],
            },
          },
        },
      }),
    );
    const result = await handler(proxyEvent());

    expect(json<InvokeResponseBody>(result).guardrail).toEqual({
      action: 'INTERVENED',
      interventions: [{ source: 'output', policy: 'sensitiveInformationPolicy', type: 'EMAIL', action: 'ANONYMIZED' }],
    });
    expect(result.body).not.toContain('jane@example.com');
    expect(logs.text()).not.toContain('jane@example.com');
  });

  test('returns text blocks only', async () => {
    bedrock.on(ConverseCommand).resolves(
      converseOutput({
        output: { message: { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 'hmm', signature: 's' } } }, { text: REPLY_TEXT }] } },
      }),
    );
    const result = await handler(proxyEvent());

    expect(json<InvokeResponseBody>(result).output.content).toEqual([{ text: REPLY_TEXT }]);
  });
});

describe('400', () => {
  const NOT_BLANK = (path: string) => new RegExp(`^${path}: must be a non-blank string \\(whitespace and invisible characters such as U\\+200B do not count\\)$`);
  const many = (n: number) => Array.from({ length: n }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: [{ text: `m${i}` }] }));

  test.each<[string, Parameters<typeof proxyEvent>[0], RegExp]>([
    ['no body', { body: null }, /^body: required; send a JSON object with modelId, messages, system, maxTokens, temperature, dataClassification$/],
    ['a body that is not JSON', { body: '{"messages": [' }, /^body: not valid JSON/],
    ['a JSON array body', { body: [1, 2] }, /^body: must be a JSON object/],
    ['an unknown field', { body: validBody({ topP: 0.9 }) }, /^body: unknown field "topP"; allowed: modelId, messages, system, maxTokens, temperature, dataClassification$/],
    [
      'no data classification',
      { headers: {} },
      /^dataClassification: required; set header x-data-classification or body field dataClassification to one of public, internal, confidential, restricted$/,
    ],
    ['an unknown classification header', { headers: { 'x-data-classification': 'secret' } }, /^x-data-classification: must be one of public, internal, confidential, restricted$/],
    ['an unknown classification field', { headers: {}, body: validBody({ dataClassification: 7 }) }, /^dataClassification: must be one of public, internal/],
    [
      'header and body disagreeing',
      { body: validBody({ dataClassification: 'public' }) },
      /^dataClassification: header x-data-classification says internal but body field dataClassification says public/,
    ],
    [
      'a repeated header with different values',
      { multiValueHeaders: { 'x-data-classification': ['public', 'restricted'] } },
      /^x-data-classification: sent more than once with different values/,
    ],
    ['an embedding model', { body: validBody({ modelId: TITAN_EMBED }) }, /^modelId: "amazon\.titan-embed-text-v2:0" is an embedding model; send it to POST \/embed$/],
    ['an unknown route', { resource: '/chat' }, /^resource: "\/chat" is not a route of this API; POST to \/invoke or \/embed$/],
    ['no route', { resource: null }, /^resource: null is not a route of this API; POST to \/invoke or \/embed$/],
    [
      'a model not cleared for the classification',
      { headers: { 'x-data-classification': 'restricted' }, body: validBody({ modelId: NOVA_LITE }) },
      new RegExp(`^modelId: "${NOVA_LITE}" is not allowed for restricted data; allowed for restricted: ${HAIKU}$`),
    ],
    ['a modelId that is not a string', { body: validBody({ modelId: ['x'] }) }, /^modelId: must be a non-empty string/],
    ['no messages', { body: validBody({ messages: undefined }) }, /^messages: required; must be an array of 1 to 50 \{role, content\} objects$/],
    ['empty messages', { body: validBody({ messages: [] }) }, /^messages: has 0 entries; must be an array of 1 to 50/],
    ['too many messages', { body: validBody({ messages: many(51) }) }, /^messages: has 51 entries; must be an array of 1 to 50/],
    ['an unknown role', { body: validBody({ messages: [{ role: 'system', content: [{ text: 'x' }] }] }) }, /^messages\[0\]\.role: must be "user" or "assistant"$/],
    ['roles that do not alternate', { body: validBody({ messages: [many(1)[0], many(1)[0]] }) }, /^messages\[1\]\.role: must be "assistant"; conversations start with "user" and alternate$/],
    ['an unknown message field', { body: validBody({ messages: [{ role: 'user', content: [{ text: 'x' }], name: 'n' }] }) }, /^messages\[0\]: unknown field "name"; allowed: role, content$/],
    ['non-text content', { body: validBody({ messages: [{ role: 'user', content: [{ image: {} }] }] }) }, /^messages\[0\]\.content\[0\]: unknown field "image"; allowed: text$/],
    ['text that is not a string', { body: validBody({ messages: [{ role: 'user', content: [{ text: 42 }] }] }) }, NOT_BLANK('messages\\[0\\]\\.content\\[0\\]\\.text')],
    ['blank text', { body: validBody({ messages: [{ role: 'user', content: [{ text: '  ' }] }] }) }, NOT_BLANK('messages\\[0\\]\\.content\\[0\\]\\.text')],
    ['text of zero-width spaces', { body: validBody({ messages: [{ role: 'user', content: [{ text: '\u200B\u200B' }] }] }) }, NOT_BLANK('messages\\[0\\]\\.content\\[0\\]\\.text')],
    [
      'text of invisible characters of every sort',
      // word joiner, BOM, soft hyphen, Mongolian vowel separator, Hangul filler, variation selector, tag space, RTL mark, ideographic space, blank Braille
      { body: validBody({ messages: [{ role: 'user', content: [{ text: 'hi' }, { text: ' \u2060\uFEFF\u00AD\u180E\u3164\uFE0F\u{E0020}\u200F\u3000\u2800\n' }] }] }) },
      NOT_BLANK('messages\\[0\\]\\.content\\[1\\]\\.text'),
    ],
    ['an invisible system prompt', { body: validBody({ system: '\u2060' }) }, NOT_BLANK('system')],
    ['content that is not an array', { body: validBody({ messages: [{ role: 'user', content: 'hi' }] }) }, /^messages\[0\]\.content: must be a non-empty array of \{text\} objects$/],
    [
      'too much text in total',
      { body: validBody({ system: 'x'.repeat(60_000), messages: [{ role: 'user', content: [{ text: 'y'.repeat(40_001) }] }] }) },
      /^messages\[0\]\.content\[0\]\.text: total text in system and messages exceeds 100000 characters$/,
    ],
    ['a system prompt of the wrong type', { body: validBody({ system: { text: 'x' } }) }, /^system: must be a non-blank string or a non-empty array of \{text\} objects$/],
    ['maxTokens of 0', { body: validBody({ maxTokens: 0 }) }, /^maxTokens: must be an integer from 1 to 4096$/],
    ['maxTokens above the cap', { body: validBody({ maxTokens: 4097 }) }, /^maxTokens: must be an integer from 1 to 4096$/],
    ['fractional maxTokens', { body: validBody({ maxTokens: 1.5 }) }, /^maxTokens: must be an integer from 1 to 4096$/],
    ['maxTokens as a string', { body: validBody({ maxTokens: '100' }) }, /^maxTokens: must be an integer from 1 to 4096$/],
    ['temperature above 1', { body: validBody({ temperature: 1.5 }) }, /^temperature: must be a number from 0 to 1$/],
    ['negative temperature', { body: validBody({ temperature: -0.1 }) }, /^temperature: must be a number from 0 to 1$/],
    ['temperature as a string', { body: validBody({ temperature: '0.5' }) }, /^temperature: must be a number from 0 to 1$/],
  ])('%s', async (_name, options, message) => {
    const result = await handler(proxyEvent(options));

    expect(expectErrorShape(result, 400, 'ValidationError').message).toMatch(message);
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
  });

  test('a model not on the list is a 400 of its own code, ModelNotAllowed, audited with the model asked for', async () => {
    const result = await handler(proxyEvent({ body: validBody({ modelId: 'meta.llama3-70b-instruct-v1:0' }) }));

    expect(expectErrorShape(result, 400, 'ModelNotAllowed').message).toBe(`modelId: "meta.llama3-70b-instruct-v1:0" is not allowed; allowed on POST /invoke: ${HAIKU}, ${NOVA_LITE}`);
    expect(bedrock.calls()).toHaveLength(0);
    expect(logs.audits()[0]).toMatchObject({ route: '/invoke', status: 400, errorCode: 'ModelNotAllowed', modelId: 'meta.llama3-70b-instruct-v1:0', callerArn: CALLER_ARN });
  });
});

describe('403', () => {
  test('Bedrock AccessDeniedException', async () => {
    bedrock.on(ConverseCommand).rejects(new AccessDeniedException({ message: UPSTREAM_SECRET, $metadata: { ...meta, httpStatusCode: 403 } }));
    const error = expectErrorShape(await handler(proxyEvent()), 403, 'AccessDenied');

    expect(error.message).toBe('access to the model was denied');
  });

  test('a request without a caller identity never reaches Bedrock', async () => {
    const error = expectErrorShape(await handler(proxyEvent({ userArn: null, caller: null, user: null })), 403, 'AccessDenied');

    expect(error.message).toBe('caller identity is missing; the API must use IAM authorization');
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(0);
    expect(logs.audits()[0]).toMatchObject({ status: 403, callerArn: 'unknown caller' });
  });
});

describe('callers without a usable ARN', () => {
  test('are served and audited as unknown caller with what the context says, never as a bare role ID', async () => {
    const result = await handler(proxyEvent({ userArn: null }));

    expect(result.statusCode).toBe(200);
    const [audit] = logs.audits();
    expect(audit.callerArn).toBe('unknown caller');
    expect(audit.callerIdentity).toEqual({ caller: 'AROAEXAMPLE:jane', user: 'AROAEXAMPLE:jane', accountId: '111122223333', accessKey: 'ASIAEXAMPLE' });
    expect(bedrock.commandCalls(ConverseCommand)[0].args[0].input.requestMetadata).toEqual({ caller: 'unknown caller', apiRequestId: REQUEST_ID, dataClassification: 'internal' });
  });

  test('a userArn that is only a role ID is not taken for an ARN', async () => {
    await handler(proxyEvent({ userArn: 'AROAEXAMPLE:jane', caller: null, user: null }));

    expect(logs.audits()[0]).toMatchObject({ callerArn: 'unknown caller', callerIdentity: { userArn: 'AROAEXAMPLE:jane', accountId: '111122223333' } });
  });
});

describe('429', () => {
  test.each([
    ['ThrottlingException', new ThrottlingException({ message: UPSTREAM_SECRET, $metadata: { ...meta, httpStatusCode: 429 } })],
    ['ServiceQuotaExceededException', new ServiceQuotaExceededException({ message: UPSTREAM_SECRET, $metadata: meta })],
    ['TooManyRequestsException', Object.assign(new Error(UPSTREAM_SECRET), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } })],
    ['a bare HTTP 429', Object.assign(new Error(UPSTREAM_SECRET), { name: 'Unknown', $metadata: { httpStatusCode: 429 } })],
  ])('%s', async (_name, err) => {
    bedrock.on(ConverseCommand).rejects(err);
    const error = expectErrorShape(await handler(proxyEvent()), 429, 'Throttled');

    expect(error.message).toBe('the model is busy or a quota is exhausted; retry later with backoff');
  });
});

describe('504', () => {
  test.each([
    ['an SDK TimeoutError', Object.assign(new Error(UPSTREAM_SECRET), { name: 'TimeoutError' })],
    ['the invoker deadline (AbortError)', Object.assign(new Error(UPSTREAM_SECRET), { name: 'AbortError' })],
    ['RequestTimeout', Object.assign(new Error(UPSTREAM_SECRET), { name: 'RequestTimeout' })],
    ['ModelTimeoutException', new ModelTimeoutException({ message: UPSTREAM_SECRET, $metadata: { ...meta, httpStatusCode: 408 } })],
    ['a connect timeout at the socket', Object.assign(new Error(UPSTREAM_SECRET), { name: 'TimeoutError', code: 'ETIMEDOUT' })],
  ])('%s', async (_name, err) => {
    bedrock.on(ConverseCommand).rejects(err);
    const error = expectErrorShape(await handler(proxyEvent()), 504, 'UpstreamTimeout');

    expect(error.message).toBe('the model did not answer in time');
  });
});

describe('502', () => {
  test.each([
    ['Bedrock ValidationException', new ValidationException({ message: UPSTREAM_SECRET, $metadata: meta })],
    ['ModelErrorException', new ModelErrorException({ message: UPSTREAM_SECRET, $metadata: { ...meta, httpStatusCode: 424 } })],
    ['ServiceUnavailableException', new ServiceUnavailableException({ message: UPSTREAM_SECRET, $metadata: { ...meta, httpStatusCode: 503 } })],
    ['InternalServerException', new InternalServerException({ message: UPSTREAM_SECRET, $metadata: { ...meta, httpStatusCode: 500 } })],
    ['ResourceNotFoundException', new ResourceNotFoundException({ message: UPSTREAM_SECRET, $metadata: { ...meta, httpStatusCode: 404 } })],
    ['a deserialisation failure', Object.assign(new SyntaxError(`Unexpected token < ${UPSTREAM_SECRET}`), { $response: { statusCode: 200 } })],
    ['a signature the endpoint refused', Object.assign(new Error(UPSTREAM_SECRET), { name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } })],
    // The SDK's HTTP handler renames these TimeoutError; the model never had the request, so no 504.
    ['a reset connection', Object.assign(new Error(UPSTREAM_SECRET), { name: 'TimeoutError', code: 'ECONNRESET' })],
    ['a refused connection', Object.assign(new Error(UPSTREAM_SECRET), { name: 'TimeoutError', code: 'ECONNREFUSED' })],
    ['a broken pipe', Object.assign(new Error(UPSTREAM_SECRET), { name: 'Error', code: 'EPIPE' })],
  ])('%s', async (_name, err) => {
    bedrock.on(ConverseCommand).rejects(err);
    const error = expectErrorShape(await handler(proxyEvent()), 502, 'UpstreamError');

    expect(error.message).toBe('the model service failed to handle the request');
  });

  test.each<[string, Partial<ConverseCommandOutput>]>([
    ['no output message', { output: undefined }],
    ['content that is not an array', { output: { message: { role: 'assistant', content: 'text' as never } } }],
    ['no usage', { usage: undefined }],
    ['no stop reason', { stopReason: undefined }],
  ])('a reply with %s', async (_name, overrides) => {
    bedrock.on(ConverseCommand).resolves(converseOutput(overrides));
    expectErrorShape(await handler(proxyEvent()), 502, 'UpstreamError');

    expect(logs.audits()[0]).toMatchObject({ status: 502, upstreamError: expect.stringMatching(/^MalformedReply/), upstreamRequestId: 'bedrock-req-1' });
  });
});

describe('500', () => {
  test('a fault in the invoker itself is logged for operators and answered generically', async () => {
    const booby = Object.defineProperty({}, 'text', {
      get() {
        throw new Error('invoker bug');
      },
    });
    bedrock.on(ConverseCommand).resolves(converseOutput({ output: { message: { role: 'assistant', content: [booby as never] } } }));
    const error = expectErrorShape(await handler(proxyEvent()), 500, 'InternalError');

    expect(error.message).toBe('internal error');
    expect(logs.records().some((r) => r.level === 'ERROR' && String(r.message).includes('unexpected error'))).toBe(true);
  });
});

describe('POST /embed: 400 before any call to Bedrock', () => {
  const embedEvent = (body: unknown, headers?: Record<string, string>) => proxyEvent({ resource: '/embed', body, headers });
  const tooMany = Array.from({ length: 97 }, (_, i) => `text ${i}`);

  test.each<[string, ReturnType<typeof embedEvent>, RegExp]>([
    ['a chat model', embedEvent(embedBody({ modelId: HAIKU })), /^modelId: "anthropic\.claude-3-haiku-20240307-v1:0" is a chat model; send it to POST \/invoke$/],
    [
      'a model not cleared for the classification',
      embedEvent(embedBody({ modelId: COHERE_EMBED }), { 'x-data-classification': 'confidential' }),
      new RegExp(`^modelId: "${COHERE_EMBED}" is not allowed for confidential data; allowed for confidential: ${TITAN_EMBED}$`),
    ],
    ['Converse fields', embedEvent({ messages: [] }), /^body: unknown field "messages"; allowed: modelId, input, dimensions, dataClassification$/],
    ['no input', embedEvent(embedBody({ input: undefined })), /^input: required; must be a non-blank string or an array of 1 to 96 non-blank strings$/],
    ['an empty list', embedEvent(embedBody({ input: [] })), /^input: has 0 entries; must be a non-blank string or an array of 1 to 96 non-blank strings$/],
    ['too many texts', embedEvent(embedBody({ input: tooMany })), /^input: has 97 entries; must be a non-blank string or an array of 1 to 96/],
    ['an object', embedEvent(embedBody({ input: { text: 'x' } })), /^input: must be a non-blank string or an array of 1 to 96 non-blank strings$/],
    ['a text that is not a string', embedEvent(embedBody({ input: ['a', 7] })), /^input\[1\]: must be a non-blank string \(whitespace and invisible characters such as U\+200B do not count\)$/],
    ['a blank string', embedEvent(embedBody({ input: ' ' })), /^input: must be a non-blank string/],
    ['an invisible text', embedEvent(embedBody({ input: ['a', '\u200B\u2060\uFEFF'] })), /^input\[1\]: must be a non-blank string \(whitespace and invisible characters such as U\+200B do not count\)$/],
    ['too much text in total', embedEvent(embedBody({ input: ['x'.repeat(45_000), 'y'.repeat(45_000), 'z'.repeat(10_001)] })), /^input\[2\]: total text in input exceeds 100000 characters$/],
    ['a text longer than Titan takes', embedEvent(embedBody({ input: ['x'.repeat(50_001)] })), /^input\[0\]: 50001 characters is more than amazon\.titan-embed-text-v2:0 \(Amazon Titan Text Embeddings V2\) takes; at most 50000 per text$/],
    [
      'a text longer than Cohere v3 takes',
      embedEvent(embedBody({ modelId: COHERE_EMBED, input: ['x'.repeat(2049)] }), { 'x-data-classification': 'public' }),
      /^input\[0\]: 2049 characters is more than cohere\.embed-multilingual-v3 \(Cohere Embed v3\) takes; at most 2048 per text$/,
    ],
    ['dimensions not offered', embedEvent(embedBody({ dimensions: 300 })), /^dimensions: must be one of 256, 512, 1024, or omitted for the model's default$/],
    ['dimensions as a string', embedEvent(embedBody({ dimensions: '512' })), /^dimensions: must be one of 256, 512, 1024/],
    [
      'dimensions the model does not answer',
      embedEvent(embedBody({ modelId: COHERE_EMBED, dimensions: 512 }), { 'x-data-classification': 'public' }),
      /^dimensions: cohere\.embed-multilingual-v3 \(Cohere Embed v3\) answers 1024 dimensions, not 512$/,
    ],
  ])('%s', async (_name, event, message) => {
    const error = expectErrorShape(await handler(event), 400, 'ValidationError');

    expect(error.message).toMatch(message);
    expect(bedrock.calls()).toHaveLength(0);
    expect(logs.audits()[0]).toMatchObject({ route: '/embed', status: 400, errorCode: 'ValidationError' });
  });

  test('a model not on the list is refused as on POST /invoke: 400 ModelNotAllowed', async () => {
    const error = expectErrorShape(await handler(embedEvent(embedBody({ modelId: 'amazon.titan-embed-text-v1' }))), 400, 'ModelNotAllowed');

    expect(error.message).toBe(`modelId: "amazon.titan-embed-text-v1" is not allowed; allowed on POST /embed: ${TITAN_EMBED}, ${COHERE_EMBED}`);
    expect(bedrock.calls()).toHaveLength(0);
    expect(logs.audits()[0]).toMatchObject({ route: '/embed', status: 400, errorCode: 'ModelNotAllowed', modelId: 'amazon.titan-embed-text-v1' });
  });

  test('an allowlist without embedding models says so', async () => {
    const chatOnly = testConfig({ ALLOWED_MODELS: JSON.stringify([{ id: HAIKU, classifications: ['internal'], kind: 'chat' }]) });
    const result = await createHandler({ config: chatOnly, client: new BedrockRuntimeClient({ region: 'eu-central-1' }), logger: new Logger(), metrics: new Metrics(), modelAccess: openModelAccess })(
      proxyEvent({ resource: '/embed' }),
    );

    expect(expectErrorShape(result, 400, 'ValidationError').message).toBe('modelId: no embedding model is allowed, so POST /embed has nothing to call');
  });
});

describe('request metadata on Converse', () => {
  const sentMetadata = () => bedrock.commandCalls(ConverseCommand)[0].args[0].input.requestMetadata;

  test('replaces characters Bedrock does not accept in the caller ARN', async () => {
    await handler(proxyEvent({ userArn: 'arn:aws:sts::111122223333:assumed-role/Analyst/jane,doe#1' }));

    expect(sentMetadata()).toEqual({ caller: 'arn:aws:sts::111122223333:assumed-role/Analyst/jane_doe_1', apiRequestId: REQUEST_ID, dataClassification: 'internal' });
  });

  test('sends the session name when the ARN is longer than Bedrock takes', async () => {
    const longArn = `arn:aws:sts::111122223333:assumed-role/${'R'.repeat(64)}/${'s'.repeat(64)}${'/p'.repeat(70)}/jane@example.com`;
    await handler(proxyEvent({ userArn: longArn }));

    expect(sentMetadata()?.caller).toBe('jane@example.com');
    expect(logs.audits()[0].callerArn).toBe(longArn);
  });

  test('records the classification the caller declared', async () => {
    await handler(proxyEvent({ headers: { 'x-data-classification': 'restricted' } }));

    expect(sentMetadata()?.dataClassification).toBe('restricted');
  });
});

describe('the 6 MB response limit', () => {
  test('an answer whose serialised response passes 6 MB is a 502 in our own shape', async () => {
    // 2.2 million quotes are 2.2 MB of text, but 8.8 MB once the body (and the result around it) escape them.
    bedrock.on(ConverseCommand).resolves(converseOutput({ output: { message: { role: 'assistant', content: [{ text: '"'.repeat(2_200_000) }] } } }));
    const result = await handler(proxyEvent());

    const error = expectErrorShape(result, 502, 'UpstreamError');
    expect(error.message).toMatch(/^the answer \(\d+ bytes\) is larger than the 6291456 bytes an API response can carry; ask for less \(fewer texts, fewer dimensions or a lower maxTokens\)$/);
    // The model's work stays on record: it was done, and billed.
    expect(logs.audits()[0]).toMatchObject({ status: 502, errorCode: 'UpstreamError', upstreamError: 'ResponseTooLarge', upstreamRequestId: 'bedrock-req-1', outputTokens: 11 });
  });

  test('an answer just under the limit is returned', async () => {
    bedrock.on(ConverseCommand).resolves(converseOutput({ output: { message: { role: 'assistant', content: [{ text: 'a'.repeat(6_290_000) }] } } }));
    const result = await handler(proxyEvent());

    expect(result.statusCode).toBe(200);
    expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThanOrEqual(6 * 1024 * 1024);
  });
});

describe('the upstream budget', () => {
  const shortBudget = testConfig({ UPSTREAM_TIMEOUT_MS: '200' });
  const impatient = createHandler({ config: shortBudget, client: new BedrockRuntimeClient({ region: 'eu-central-1' }), logger: new Logger(), metrics: new Metrics(), modelAccess: openModelAccess });

  test('holds even when the SDK ignores the abort: 504 at the deadline', async () => {
    bedrock.on(ConverseCommand).callsFake(() => new Promise(() => undefined));
    const started = performance.now();
    const error = expectErrorShape(await impatient(proxyEvent()), 504, 'UpstreamTimeout');

    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.message).toBe('the model did not answer in time');
  });

  test('no deadline outlives its request: a timer left running would fire during a later invocation of the environment', async () => {
    bedrock.on(ConverseCommand).resolves(converseOutput());
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance', 'Date'] });
    try {
      expect((await handler(proxyEvent())).statusCode).toBe(200);
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  test('an error thrown once the deadline has passed is a timeout, whatever the SDK calls it', () => {
    // What the SDK reports when the budget runs out while a reply's body stalls: a reset socket.
    const cutOff = Object.assign(new Error(UPSTREAM_SECRET), { code: 'ECONNRESET', $metadata: { httpStatusCode: 200 } });

    expect(fromUpstreamError(cutOff, true)).toMatchObject({ statusCode: 504, code: 'UpstreamTimeout', upstreamName: 'Error (ECONNRESET)' });
    expect(fromUpstreamError(cutOff, false)).toMatchObject({ statusCode: 502, code: 'UpstreamError' });
  });
});

describe('audit', () => {
  // Written out by hand, not with the code under test: sorted keys, no whitespace, system as blocks.
  const canonicalPrompt = `{"messages":[{"content":[{"text":${JSON.stringify(PROMPT_TEXT)}}],"role":"user"}],"system":[{"text":${JSON.stringify(SYSTEM_TEXT)}}]}`;
  const expectedHash = createHash('sha256').update(canonicalPrompt).digest('hex');

  test('one record per request with identity, model, tokens, guardrail outcome and prompt hash', async () => {
    await handler(proxyEvent());

    const audits = logs.audits();
    expect(audits).toHaveLength(1);
    expect(audits[0]).toEqual({
      requestId: REQUEST_ID,
      route: '/invoke',
      callerArn: CALLER_ARN,
      sourceIp: '10.0.1.25',
      modelId: HAIKU,
      dataClassification: 'internal',
      status: 200,
      upstreamRequestId: 'bedrock-req-1',
      stopReason: 'end_turn',
      inputTokens: 21,
      outputTokens: 11,
      latencyMs: expect.any(Number),
      modelLatencyMs: 412,
      guardrailId: GUARDRAIL_ID,
      guardrailVersion: GUARDRAIL_VERSION,
      guardrailAction: 'NONE',
      requestMetadata: { caller: CALLER_ARN, apiRequestId: REQUEST_ID, dataClassification: 'internal' },
      promptSha256: expectedHash,
    });
  });

  test('the hash does not depend on how the system prompt or keys were written', async () => {
    const body = `{"temperature":0.2,"system":[{"text":${JSON.stringify(SYSTEM_TEXT)}}],"messages":[{"content":[{"text":${JSON.stringify(PROMPT_TEXT)}}],"role":"user"}]}`;
    await handler(proxyEvent({ body }));

    expect(logs.audits()[0].promptSha256).toBe(expectedHash);
  });

  test('neither the prompt, the system prompt nor the reply is ever written', async () => {
    await handler(proxyEvent());
    await handler(proxyEvent({ body: validBody({ temperature: 7 }) }));
    bedrock.on(ConverseCommand).rejects(new ThrottlingException({ message: PROMPT_TEXT, $metadata: meta }));
    await handler(proxyEvent());

    const written = logs.text();
    expect(logs.audits()).toHaveLength(3);
    expect(written).not.toContain(PROMPT_TEXT);
    expect(written).not.toContain(SYSTEM_TEXT);
    expect(written).not.toContain(REPLY_TEXT);
  });

  test('rejections are audited with what was asked for, and no hash', async () => {
    await handler(proxyEvent({ headers: { 'x-data-classification': 'restricted' }, body: validBody({ modelId: NOVA_LITE }) }));

    expect(logs.audits()[0]).toMatchObject({ status: 400, errorCode: 'ValidationError', modelId: NOVA_LITE, dataClassification: 'restricted', callerArn: CALLER_ARN });
    expect(logs.audits()[0]).not.toHaveProperty('promptSha256');
  });

  test('upstream failures record the error name and Bedrock request ID', async () => {
    bedrock.on(ConverseCommand).rejects(new ThrottlingException({ message: UPSTREAM_SECRET, $metadata: { httpStatusCode: 429, requestId: 'bedrock-req-9' } }));
    await handler(proxyEvent());

    expect(logs.audits()[0]).toMatchObject({ status: 429, errorCode: 'Throttled', upstreamError: 'ThrottlingException', upstreamRequestId: 'bedrock-req-9' });
    expect(logs.text()).not.toContain(UPSTREAM_SECRET);
  });

  test('metrics are flushed per invocation as EMF, with the model as the only added dimension', async () => {
    await handler(proxyEvent());

    const emf = logs.records().filter((r) => '_aws' in r);
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Namespace: 'PrivateAITest', Dimensions: [['service', 'modelId']] }] },
      modelId: HAIKU,
      InputTokens: 21,
      OutputTokens: 11,
      Latency: expect.any(Number),
      requestId: REQUEST_ID,
    });
  });

  test('a model ID the caller made up never becomes a metric dimension', async () => {
    await handler(proxyEvent({ body: validBody({ modelId: 'made-up-model' }) }));

    const emf = logs.records().filter((r) => '_aws' in r);
    expect(emf[0]).toMatchObject({ modelId: 'none', Rejected: 1 });
  });
});
