import { BedrockRuntimeClient, ConverseCommand, InvokeModelCommand, ApplyGuardrailCommand } from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Sha256 } from '@smithy/core/checksum';
import { mockClient } from 'aws-sdk-client-mock';
import { RETRY_AFTER_SECONDS } from '../../lambda/invoke/errors';
import { createHandler, type InvokerHandler } from '../../lambda/invoke/handler';
import { MODEL_ACCESS_MAX_AGE_SECONDS, createModelAccessReader, ssmGetParameter, type ModelAccessReader, type ParameterFetch } from '../../lambda/invoke/model-access';
import { captureLogs, type LogCapture } from './support/capture';
import { startConverseServer, type ConverseServer } from './support/converse-server';
import { CALLER_ARN, MODEL_ACCESS_PARAMETER, REQUEST_ID, json, proxyEvent, testConfig, type ErrorBody } from './support/fixtures';

/**
 * The kill switch's fast path: the handler reads the SSM parameter (cached by Powertools
 * Parameters) before any Bedrock call, answers 503 ModelAccessSuspended while it says
 * `suspended`, and fails closed when it cannot be read.
 */

const bedrock = mockClient(BedrockRuntimeClient);
const config = testConfig();

function handlerWith(modelAccess: ModelAccessReader, overrides: Record<string, string> = {}): InvokerHandler {
  const c = Object.keys(overrides).length > 0 ? testConfig(overrides) : config;
  return createHandler({
    config: c,
    client: new BedrockRuntimeClient({ region: 'eu-central-1' }),
    logger: new Logger({ serviceName: c.serviceName }),
    metrics: new Metrics({ namespace: c.metricsNamespace, serviceName: c.serviceName }),
    modelAccess,
  });
}

/** An SSM stand-in: the switch's current value, and how often it was read. */
function fakeSsm(initial: string) {
  const state = { value: initial as string | Error, reads: 0 };
  const fetch: ParameterFetch = async (name) => {
    state.reads++;
    expect(name).toBe(MODEL_ACCESS_PARAMETER);
    if (state.value instanceof Error) throw state.value;
    return state.value;
  };
  return { state, fetch };
}

let logs: LogCapture;
beforeEach(() => {
  bedrock.reset();
  bedrock.on(ConverseCommand).resolves({
    $metadata: { httpStatusCode: 200, requestId: 'bedrock-req-1' },
    output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 },
  });
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  jest.useRealTimers();
});

/** The EMF metric names of the records written. */
const metricNames = () =>
  logs
    .records()
    .flatMap((r) => ((r._aws as { CloudWatchMetrics?: Array<{ Metrics: Array<{ Name: string }> }> } | undefined)?.CloudWatchMetrics ?? []))
    .flatMap((m) => m.Metrics.map((x) => x.Name));

describe('suspended', () => {
  test('answers 503 ModelAccessSuspended with Retry-After, before any Bedrock call, and audits the refusal', async () => {
    const { fetch } = fakeSsm('suspended');
    const result = await handlerWith(createModelAccessReader(MODEL_ACCESS_PARAMETER, fetch))(proxyEvent());

    expect(result.statusCode).toBe(503);
    expect(result.headers).toEqual({ 'content-type': 'application/json', 'cache-control': 'no-store', 'retry-after': '300' });
    expect(json<ErrorBody>(result)).toEqual({
      error: { code: 'ModelAccessSuspended', message: 'model access is suspended by the platform operators; retry later', requestId: REQUEST_ID },
    });
    expect(bedrock.calls()).toHaveLength(0);
    const [audit] = logs.audits();
    expect(audit).toMatchObject({ requestId: REQUEST_ID, route: '/invoke', callerArn: CALLER_ARN, status: 503, errorCode: 'ModelAccessSuspended' });
    // A deliberate suspension is not a fault: it has its own metric, so availability alarms stay quiet.
    expect(audit.upstreamError).toBeUndefined();
    expect(metricNames()).toEqual(expect.arrayContaining(['Suspended']));
    expect(metricNames()).not.toContain('Faults');
  });

  test('refuses POST /embed the same way: neither ApplyGuardrail nor InvokeModel is called', async () => {
    const result = await handlerWith(() => Promise.resolve('suspended'))(proxyEvent({ resource: '/embed' }));

    expect(result.statusCode).toBe(503);
    expect(json<ErrorBody>(result).error.code).toBe('ModelAccessSuspended');
    expect(bedrock.commandCalls(ApplyGuardrailCommand)).toHaveLength(0);
    expect(bedrock.commandCalls(InvokeModelCommand)).toHaveLength(0);
    expect(logs.audits()[0]).toMatchObject({ route: '/embed', status: 503, errorCode: 'ModelAccessSuspended' });
  });

  test('a request without an IAM caller is still refused as such (403): nobody to hold accountable comes first', async () => {
    const result = await handlerWith(() => Promise.resolve('suspended'))(proxyEvent({ userArn: null, caller: null, user: null }));

    expect(result.statusCode).toBe(403);
  });
});

describe('open', () => {
  test('serves the request as normal', async () => {
    const result = await handlerWith(() => Promise.resolve('open'))(proxyEvent());

    expect(result.statusCode).toBe(200);
    expect(result.headers).not.toHaveProperty('retry-after');
    expect(bedrock.commandCalls(ConverseCommand)).toHaveLength(1);
    expect(logs.audits()[0]).toMatchObject({ status: 200 });
  });
});

describe('the cache (Powertools Parameters, maxAge 30 s)', () => {
  test('two requests within the maximum age read SSM once', async () => {
    const ssm = fakeSsm('open');
    const handler = handlerWith(createModelAccessReader(MODEL_ACCESS_PARAMETER, ssm.fetch));

    expect((await handler(proxyEvent())).statusCode).toBe(200);
    expect((await handler(proxyEvent())).statusCode).toBe(200);
    expect(ssm.state.reads).toBe(1);
  });

  test('a flip to suspended takes effect once the cached value is older than the maximum age, and a flip back restores service', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'clearTimeout'] });
    const ssm = fakeSsm('open');
    const handler = handlerWith(createModelAccessReader(MODEL_ACCESS_PARAMETER, ssm.fetch));
    expect((await handler(proxyEvent())).statusCode).toBe(200);

    ssm.state.value = 'suspended';
    jest.setSystemTime(new Date(Date.now() + (MODEL_ACCESS_MAX_AGE_SECONDS - 1) * 1000));
    expect((await handler(proxyEvent())).statusCode).toBe(200);
    expect(ssm.state.reads).toBe(1);

    jest.setSystemTime(new Date(Date.now() + 2000));
    expect((await handler(proxyEvent())).statusCode).toBe(503);
    expect(ssm.state.reads).toBe(2);

    ssm.state.value = 'open';
    jest.setSystemTime(new Date(Date.now() + (MODEL_ACCESS_MAX_AGE_SECONDS + 1) * 1000));
    expect((await handler(proxyEvent())).statusCode).toBe(200);
    expect(ssm.state.reads).toBe(3);
  });
});

describe('fail closed', () => {
  test('a switch that cannot be read refuses the request (503, Retry-After 30), names the failure in the audit record, and logs an error', async () => {
    const ssm = fakeSsm('open');
    ssm.state.value = Object.assign(new Error('Parameter /private-ai/test/model-access not found.'), { name: 'ParameterNotFound' });
    const handler = handlerWith(createModelAccessReader(MODEL_ACCESS_PARAMETER, ssm.fetch));
    const result = await handler(proxyEvent());

    expect(result.statusCode).toBe(503);
    expect(result.headers).toMatchObject({ 'retry-after': String(RETRY_AFTER_SECONDS.unreadable) });
    const { error } = json<ErrorBody>(result);
    expect(error).toEqual({ code: 'ModelAccessSuspended', message: 'model access is suspended: the access switch could not be read; retry later', requestId: REQUEST_ID });
    expect(result.body).not.toContain('not found');
    expect(bedrock.calls()).toHaveLength(0);
    // Powertools wraps the SDK-shaped error; the audit keeps the original name.
    expect(logs.audits()[0]).toMatchObject({ status: 503, errorCode: 'ModelAccessSuspended', upstreamError: 'ModelAccessSwitch: ParameterNotFound' });
    expect(logs.records().some((r) => r.level === 'ERROR' && r.message === 'model access switch unreadable; refusing requests (fail closed)' && r.parameter === MODEL_ACCESS_PARAMETER)).toBe(true);
    expect(metricNames()).toContain('Faults');

    // A failed read is not cached: the next request reads again, and serves once the switch is back.
    ssm.state.value = 'open';
    expect((await handler(proxyEvent())).statusCode).toBe(200);
    expect(ssm.state.reads).toBe(2);
  });

  test.each([
    ['a value other than open or suspended', () => Promise.resolve('closed'), 'ModelAccessSwitch: UnknownValue'],
    ['no value', () => Promise.resolve(undefined), 'ModelAccessSwitch: NoValue'],
    ['access denied', () => Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' })), 'ModelAccessSwitch: AccessDeniedException'],
  ])('%s refuses the request', async (_name, read, upstreamError) => {
    const result = await handlerWith(read as ModelAccessReader)(proxyEvent());

    expect(result.statusCode).toBe(503);
    expect(bedrock.calls()).toHaveLength(0);
    expect(logs.audits()[0]).toMatchObject({ status: 503, errorCode: 'ModelAccessSuspended', upstreamError });
  });

  test('a read that never answers is cut off by the request deadline and refuses the request', async () => {
    const started = performance.now();
    const result = await handlerWith(() => new Promise(() => undefined), { UPSTREAM_TIMEOUT_MS: '200' })(proxyEvent());

    expect(performance.now() - started).toBeLessThan(1000);
    expect(result.statusCode).toBe(503);
    expect(logs.audits()[0]).toMatchObject({ errorCode: 'ModelAccessSuspended', upstreamError: expect.stringMatching(/^ModelAccessSwitch: /) });
    expect(bedrock.calls()).toHaveLength(0);
  });
});

describe('ssmGetParameter against a local SSM', () => {
  const CREDS = { accessKeyId: 'AKIDLOCALSSMTEST', secretAccessKey: 'local-ssm-secret' };
  const REGION = 'eu-central-1';
  let server: ConverseServer;
  beforeAll(async () => {
    server = await startConverseServer({
      ...CREDS,
      region: REGION,
      parameters: { [MODEL_ACCESS_PARAMETER]: 'suspended' },
      behaviours: {
        'parameter:/flaky': { kind: 'error', status: 500, errorType: 'InternalServerError', message: 'oops' },
        'parameter:/denied': { kind: 'error', status: 400, errorType: 'AccessDeniedException', message: 'no' },
      },
    });
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });

  const fetch = () => ssmGetParameter({ endpoint: server.url, region: REGION, credentials: () => Promise.resolve(CREDS), sha256: Sha256 });

  test('reads the value with a GetParameter signed for ssm, without decryption', async () => {
    expect(await fetch()(MODEL_ACCESS_PARAMETER)).toBe('suspended');

    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ operation: 'ssm-get-parameter', signature: 'valid', parameterName: MODEL_ACCESS_PARAMETER, body: { Name: MODEL_ACCESS_PARAMETER, WithDecryption: false } });
    expect(request.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request.headers.authorization).toMatch(/Credential=AKIDLOCALSSMTEST\/\d{8}\/eu-central-1\/ssm\/aws4_request/);
  });

  test('names a missing parameter ParameterNotFound, from the body SSM sends', async () => {
    await expect(fetch()('/missing')).rejects.toMatchObject({ name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } });
    // Not transient: no retry.
    expect(server.requests).toHaveLength(1);
  });

  test("retries SSM's own failures once, and a denial not at all", async () => {
    await expect(fetch()('/flaky')).rejects.toMatchObject({ name: 'InternalServerError' });
    expect(server.requests).toHaveLength(2);
    server.requests.length = 0;
    await expect(fetch()('/denied')).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(server.requests).toHaveLength(1);
  });

  test('a wrongly signed request is refused by SSM, and the read fails', async () => {
    const wrong = ssmGetParameter({ endpoint: server.url, region: REGION, credentials: () => Promise.resolve({ ...CREDS, secretAccessKey: 'not-the-secret' }), sha256: Sha256 });
    await expect(wrong(MODEL_ACCESS_PARAMETER)).rejects.toMatchObject({ name: 'InvalidSignatureException' });
  });
});
