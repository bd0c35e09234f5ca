/** Shared test data for the model invoker: environment, events and request bodies. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { parseConfig, type InvokerConfig } from '../../../lambda/invoke/config';
import type { ModelAccessReader } from '../../../lambda/invoke/model-access';

// These tests run on Node 20, the function on Node 22; the SDK would otherwise warn about Node 20
// on every client it builds.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';
/** Cleared for public and internal data only. */
export const NOVA_LITE = 'amazon.nova-lite-v1:0';
/** Embedding models of the two families the invoker calls; Cohere is cleared for public data only. */
export const TITAN_EMBED = 'amazon.titan-embed-text-v2:0';
export const COHERE_EMBED = 'cohere.embed-multilingual-v3';
export const GUARDRAIL_ID = 'abc123def456';
export const GUARDRAIL_VERSION = '3';
/** The kill switch's parameter, and an SSM endpoint nothing answers on (tests that call SSM point it at their server). */
export const MODEL_ACCESS_PARAMETER = '/private-ai/test/model-access';
export const SSM_ENDPOINT = 'https://ssm.eu-central-1.amazonaws.com';
/** A kill switch that always reads `open`, for handlers built in-process. */
export const openModelAccess: ModelAccessReader = () => Promise.resolve('open');
export const CALLER_ARN = 'arn:aws:sts::111122223333:assumed-role/Analyst/jane';
export const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';

export const ALLOWED_MODELS = [
  { id: HAIKU, classifications: ['public', 'internal', 'confidential', 'restricted'], kind: 'chat' },
  { id: NOVA_LITE, classifications: ['public', 'internal'], kind: 'chat' },
  { id: TITAN_EMBED, classifications: ['public', 'internal', 'confidential'], kind: 'embedding' },
  { id: COHERE_EMBED, classifications: ['public'], kind: 'embedding' },
];

/** A complete, valid invoker environment; entries set to undefined are removed. */
export function invokerEnv(overrides: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    ALLOWED_MODELS: JSON.stringify(ALLOWED_MODELS),
    DEFAULT_MODEL_ID: HAIKU,
    GUARDRAIL_ID,
    GUARDRAIL_VERSION,
    MODEL_ACCESS_PARAMETER,
    SSM_ENDPOINT,
    POWERTOOLS_SERVICE_NAME: 'model-invoker-test',
    POWERTOOLS_METRICS_NAMESPACE: 'PrivateAITest',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

export function testConfig(overrides: Record<string, string | undefined> = {}): InvokerConfig {
  return parseConfig(invokerEnv(overrides));
}

export const PROMPT_TEXT = 'Summarise the Q3 incident report for the board.';
export const SYSTEM_TEXT = 'You are a careful assistant.';

/** A request body that passes validation; fields can be replaced or removed (undefined). */
export function validBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = {
    messages: [{ role: 'user', content: [{ text: PROMPT_TEXT }] }],
    system: SYSTEM_TEXT,
    maxTokens: 256,
    temperature: 0.2,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

export const EMBED_TEXT = 'Quarterly incident review: the outage lasted two hours.';

/** A POST /embed body that passes validation; fields can be replaced or removed (undefined). */
export function embedBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const body: Record<string, unknown> = { input: [EMBED_TEXT], ...overrides };
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

export interface EventOptions {
  /** The API resource the request came through. @default '/invoke' */
  readonly resource?: string | null;
  /** Serialised with JSON.stringify unless already a string; null for no body. */
  readonly body?: unknown;
  readonly headers?: Record<string, string> | null;
  readonly multiValueHeaders?: Record<string, string[]> | null;
  readonly userArn?: string | null;
  readonly caller?: string | null;
  readonly user?: string | null;
  readonly requestId?: string;
  readonly isBase64Encoded?: boolean;
}

/** An API Gateway REST proxy event as IAM authorization delivers it. */
export function proxyEvent(options: EventOptions = {}): APIGatewayProxyEvent {
  const headers = options.headers === undefined ? { 'x-data-classification': 'internal', 'content-type': 'application/json' } : options.headers;
  const resource = options.resource === undefined ? '/invoke' : options.resource;
  const body = options.body === undefined ? (resource === '/embed' ? embedBody() : validBody()) : options.body;
  return {
    resource,
    path: resource,
    httpMethod: 'POST',
    headers: headers ?? {},
    multiValueHeaders:
      options.multiValueHeaders === undefined
        ? Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, [v]]))
        : (options.multiValueHeaders ?? {}),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    body: body === null ? null : typeof body === 'string' ? body : JSON.stringify(body),
    requestContext: {
      accountId: '111122223333',
      apiId: 'a1b2c3d4e5',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: 'POST',
      path: `/prod${resource ?? ''}`,
      stage: 'prod',
      requestId: options.requestId ?? REQUEST_ID,
      requestTimeEpoch: 1_700_000_000_000,
      resourceId: 'abc123',
      resourcePath: resource,
      identity: {
        accessKey: 'ASIAEXAMPLE',
        accountId: '111122223333',
        apiKey: null,
        apiKeyId: null,
        caller: options.caller === undefined ? 'AROAEXAMPLE:jane' : options.caller,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '10.0.1.25',
        user: options.user === undefined ? 'AROAEXAMPLE:jane' : options.user,
        userAgent: 'test',
        userArn: options.userArn === undefined ? CALLER_ARN : options.userArn,
      },
    },
  } as APIGatewayProxyEvent;
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly requestId: string };
}

/** Parses a handler reply body as the given shape. */
export function json<T = Record<string, unknown>>(result: { body: string }): T {
  return JSON.parse(result.body) as T;
}
