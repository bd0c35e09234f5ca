/**
 * A local stand-in for the Bedrock runtime on 127.0.0.1, speaking the REST protocol of the three
 * operations the invoker uses: Converse (`POST /model/{modelId}/converse`), InvokeModel for
 * embedding models (`POST /model/{modelId}/invoke`) and ApplyGuardrail
 * (`POST /guardrail/{id}/version/{version}/apply`); JSON in and out, errors as `x-amzn-errortype`
 * plus `{ "message" }`. It also answers SSM's GetParameter (`POST /`, JSON 1.1 protocol,
 * `x-amz-target: AmazonSSM.GetParameter`, signed for `ssm`), for the kill switch. It checks every request's SigV4 signature itself (written from the spec,
 * not with the SDK's signer, so the two cross-check each other) and answers 403 when it does not
 * hold. Faults a real network produces (a reply whose body stalls, a reset connection) are
 * behaviours too, so the end-to-end test can show what the caller gets for each.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MODEL_ACCESS_PARAMETER } from './fixtures';

/** How the server answers requests for one model (or, keyed `guardrail:<id>`, one guardrail). */
export type Behaviour =
  /** A well-formed reply of the operation called; `reply` is merged over the default one. */
  | { readonly kind: 'reply'; readonly reply?: Record<string, unknown> }
  /** A modelled service error, as Bedrock sends it. */
  | { readonly kind: 'error'; readonly status: number; readonly errorType: string; readonly message: string }
  /** Any status, content type and body, e.g. a reply the SDK cannot parse. */
  | { readonly kind: 'raw'; readonly status: number; readonly contentType: string; readonly body: string }
  /** Never answers; the connection is dropped when the server closes. */
  | { readonly kind: 'hang' }
  /** Sends a 200's headers and the first bytes of its body, then nothing more: a stalled reply. */
  | { readonly kind: 'stall-body' }
  /** Resets the TCP connection (RST) once the request has arrived. */
  | { readonly kind: 'reset' };

/** The operation a request called. */
export type Operation = 'converse' | 'invoke' | 'apply-guardrail' | 'ssm-get-parameter';

export interface ConverseServerOptions {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /**
   * Behaviour per model ID, or per `guardrail:<guardrail id>` for ApplyGuardrail.
   * @default - Converse and InvokeModel answer with a canned success; ApplyGuardrail screens as
   * {@link screenLikeAGuardrail} does
   */
  readonly behaviours?: Readonly<Record<string, Behaviour>>;
  /**
   * SSM parameter values by name, for GetParameter; a name not here is ParameterNotFound. Behaviours
   * keyed `parameter:<name>` take precedence (an error, a hang...).
   * @default - the fixtures' kill switch (MODEL_ACCESS_PARAMETER) reads `open`
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly operation?: Operation;
  readonly modelId?: string;
  readonly guardrailId?: string;
  readonly guardrailVersion?: string;
  /** The parameter a GetParameter read. */
  readonly parameterName?: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
  /** `valid`, or why the signature was refused. */
  readonly signature: string;
  /** Which TCP connection carried it, to show keep-alive reuse. */
  readonly connection: number;
}

export interface ConverseServer {
  /** Base URL, e.g. for AWS_ENDPOINT_URL_BEDROCK_RUNTIME. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The SSM parameters GetParameter answers from; change them to flip the kill switch. */
  readonly parameters: Map<string, string>;
  close(): Promise<void>;
}

export const SIGNING_SERVICE = 'bedrock';
/** The service SSM requests are signed for. */
export const SSM_SIGNING_SERVICE = 'ssm';
export const DEFAULT_REPLY_TEXT = 'Hello from the local converse server.';
/** Text the stand-in guardrail blocks (a word-policy match), wherever it appears in the input. */
export const BLOCKED_WORD = 'project-nightingale';
/** What the stand-in guardrail answers in place of blocked input. */
export const BLOCKED_INPUT_MESSAGE = 'Sorry, this input is not allowed.';
const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;

/** RFC 3986 escaping as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join('/')}${segments.length > 0 && rawPath.endsWith('/') ? '/' : ''}`;
  // Non-S3 services sign the already-encoded path encoded once more.
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .map((pair) => {
      const [k, v = ''] = pair.split('=');
      return [escapeUri(decodeURIComponent(k)), escapeUri(decodeURIComponent(v))];
    })
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** Verifies an AWS Signature Version 4 Authorization header; returns `valid` or the reason it is not. */
export function verifySigV4(req: IncomingMessage, body: Buffer, options: ConverseServerOptions, now = new Date(), expectedService = SIGNING_SERVICE): string {
  const auth = req.headers.authorization;
  if (!auth) return 'missing Authorization header';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'Authorization header is not SigV4';
  const [, accessKeyId, shortDate, region, service, signedHeaders, signature] = m;
  if (accessKeyId !== options.accessKeyId) return `unknown access key ${accessKeyId}`;
  if (region !== options.region) return `signed for region ${region}`;
  if (service !== expectedService) return `signed for service ${service}`;
  const amzDate = req.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !/^\d{8}T\d{6}Z$/.test(amzDate) || !amzDate.startsWith(shortDate)) {
    return 'x-amz-date missing or inconsistent with the credential scope';
  }
  const signedAt = Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8), +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15));
  if (Math.abs(now.getTime() - signedAt) > 15 * 60_000) return 'signature date is more than 15 minutes off';
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return 'host and x-amz-date must be signed';

  const payloadHash = sha256Hex(body);
  const declaredHash = req.headers['x-amz-content-sha256'];
  if (typeof declaredHash === 'string' && declaredHash !== payloadHash) return 'x-amz-content-sha256 does not match the body';

  const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?');
  const headerLines = names.map((name) => {
    const value = req.headers[name];
    const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
    return `${name}:${joined.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').trim()}`;
  });
  const canonicalRequest = [req.method, canonicalPath(rawPath), canonicalQuery(rawQuery), `${headerLines.join('\n')}\n`, signedHeaders, payloadHash].join('\n');
  const scope = `${shortDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${options.secretAccessKey}`, shortDate), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return expected === signature ? 'valid' : 'signature does not match';
}

function defaultReply(body: unknown): Record<string, unknown> {
  const messages = (body as { messages?: Array<{ content?: Array<{ text?: string }> }> })?.messages ?? [];
  const chars = messages.flatMap((m) => m.content ?? []).reduce((n, b) => n + (b.text?.length ?? 0), 0);
  const inputTokens = Math.max(1, Math.ceil(chars / 4));
  return {
    output: { message: { role: 'assistant', content: [{ text: DEFAULT_REPLY_TEXT }] } },
    stopReason: 'end_turn',
    usage: { inputTokens, outputTokens: 9, totalTokens: inputTokens + 9 },
    metrics: { latencyMs: 7 },
  };
}

/** A deterministic vector of `dimensions` values derived from `text`, so equal texts embed equally. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(text).digest();
  return Array.from({ length: dimensions }, (_, i) => Math.round(((seed[i % seed.length] + i) % 256) / 0.256 - 500) / 1000);
}

/**
 * The default embedding reply for the model families the invoker calls, in their documented
 * shapes; undefined for a body neither family sends.
 */
function embeddingReply(modelId: string, body: Record<string, unknown>): { reply: Record<string, unknown>; inputTokens: number } | undefined {
  if (modelId.includes('titan-embed') && typeof body.inputText === 'string') {
    const inputTokens = Math.max(1, Math.ceil(body.inputText.length / 4));
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : 1024;
    return { reply: { embedding: fakeEmbedding(body.inputText, dimensions), inputTextTokenCount: inputTokens }, inputTokens };
  }
  if (modelId.includes('cohere.embed') && Array.isArray(body.texts)) {
    const texts = body.texts as string[];
    const dimensions = typeof body.output_dimension === 'number' ? body.output_dimension : 1024;
    const embeddings = texts.map((t) => fakeEmbedding(t, dimensions));
    const inputTokens = texts.reduce((n, t) => n + Math.max(1, Math.ceil(t.length / 4)), 0);
    return {
      reply: Array.isArray(body.embedding_types)
        ? { id: randomUUID(), embeddings: { float: embeddings }, response_type: 'embeddings_by_type', texts }
        : { id: randomUUID(), embeddings, response_type: 'embeddings_floats', texts },
      inputTokens,
    };
  }
  return undefined;
}

/**
 * ApplyGuardrail as a guardrail with two policies would answer: input containing BLOCKED_WORD is
 * blocked (word policy; outputs hold the blocked message), e-mail addresses are anonymized
 * (sensitive-information policy; outputs hold each content block with the address masked).
 */
export function screenLikeAGuardrail(body: Record<string, unknown>): Record<string, unknown> {
  const texts = (Array.isArray(body.content) ? body.content : []).map((c: { text?: { text?: unknown } }) => (typeof c?.text?.text === 'string' ? c.text.text : ''));
  const usage = { topicPolicyUnits: 0, contentPolicyUnits: texts.length, wordPolicyUnits: texts.length, sensitiveInformationPolicyUnits: texts.length, sensitiveInformationPolicyFreeUnits: 0, contextualGroundingPolicyUnits: 0 };
  if (texts.some((t) => t.includes(BLOCKED_WORD))) {
    return {
      usage,
      action: 'GUARDRAIL_INTERVENED',
      actionReason: 'Guardrail blocked.',
      outputs: [{ text: BLOCKED_INPUT_MESSAGE }],
      assessments: [{ wordPolicy: { customWords: [{ match: BLOCKED_WORD, action: 'BLOCKED', detected: true }], managedWordLists: [] } }],
    };
  }
  const emails = texts.flatMap((t) => t.match(EMAIL) ?? []);
  if (emails.length > 0) {
    return {
      usage,
      action: 'GUARDRAIL_INTERVENED',
      actionReason: 'Guardrail masked.',
      outputs: texts.map((t) => ({ text: t.replace(EMAIL, '{EMAIL}') })),
      assessments: [{ sensitiveInformationPolicy: { piiEntities: emails.map((match) => ({ type: 'EMAIL', match, action: 'ANONYMIZED', detected: true })), regexes: [] } }],
    };
  }
  return { usage, action: 'NONE', outputs: [], assessments: [{}] };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(payload);
}

function sendError(res: ServerResponse, status: number, errorType: string, message: string): void {
  // Bedrock sends the shape name followed by its namespace; the SDK keeps the part before ':'.
  sendJson(res, status, { message }, { 'x-amzn-errortype': `${errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startConverseServer(options: ConverseServerOptions): Promise<ConverseServer> {
  const requests: RecordedRequest[] = [];
  const parameters = new Map(Object.entries(options.parameters ?? { [MODEL_ACCESS_PARAMETER]: 'open' }));
  const connectionIds = new WeakMap<Socket, number>();
  let nextConnection = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const [path] = (req.url ?? '/').split('?');
      const model = /^\/model\/([^/]+)\/(converse|invoke)$/.exec(path);
      const guardrail = /^\/guardrail\/([^/]+)\/version\/([^/]+)\/apply$/.exec(path);
      const modelId = model ? decodeURIComponent(model[1]) : undefined;
      const ssm = path === '/' && req.headers['x-amz-target'] === 'AmazonSSM.GetParameter';
      const operation: Operation | undefined = model ? (model[2] as Operation) : guardrail ? 'apply-guardrail' : ssm ? 'ssm-get-parameter' : undefined;
      const guardrailId = guardrail ? decodeURIComponent(guardrail[1]) : undefined;
      const guardrailVersion = guardrail ? decodeURIComponent(guardrail[2]) : undefined;
      let body: unknown;
      try {
        body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
      } catch {
        body = undefined;
      }
      const signature = verifySigV4(req, raw, options, new Date(), ssm ? SSM_SIGNING_SERVICE : SIGNING_SERVICE);
      const parameterName = ssm && typeof (body as { Name?: unknown })?.Name === 'string' ? (body as { Name: string }).Name : undefined;
      requests.push({
        method: req.method ?? '',
        path,
        operation,
        modelId,
        guardrailId,
        guardrailVersion,
        parameterName,
        headers: req.headers,
        body,
        signature,
        connection: connectionIds.get(req.socket) ?? -1,
      });

      if (signature !== 'valid') {
        sendError(res, 403, 'InvalidSignatureException', signature);
        return;
      }
      if (req.method !== 'POST' || operation === undefined) {
        sendError(res, 404, 'UnknownOperationException', 'unknown operation');
        return;
      }
      if (body === undefined || typeof body !== 'object' || body === null) {
        sendError(res, 400, 'ValidationException', 'request body is not JSON');
        return;
      }
      const json = body as Record<string, unknown>;
      const key = guardrailId !== undefined ? `guardrail:${guardrailId}` : parameterName !== undefined ? `parameter:${parameterName}` : (modelId as string);
      const behaviour = options.behaviours?.[key] ?? { kind: 'reply' };
      switch (behaviour.kind) {
        case 'reply':
          if (operation === 'ssm-get-parameter') {
            const value = parameterName === undefined ? undefined : parameters.get(parameterName);
            if (value === undefined) {
              // SSM's JSON protocol names the error in the body's __type.
              sendJson(res, 400, { __type: 'ParameterNotFound' }, { 'content-type': 'application/x-amz-json-1.1' });
            } else {
              sendJson(res, 200, { Parameter: { Name: parameterName, Type: 'String', Value: value, Version: 1, DataType: 'text', ...behaviour.reply } }, { 'content-type': 'application/x-amz-json-1.1' });
            }
          } else if (operation === 'converse') {
            sendJson(res, 200, { ...defaultReply(body), ...behaviour.reply });
          } else if (operation === 'apply-guardrail') {
            sendJson(res, 200, { ...screenLikeAGuardrail(json), ...behaviour.reply });
          } else {
            const embedding = embeddingReply(modelId as string, json);
            if (!embedding) {
              sendError(res, 400, 'ValidationException', 'Malformed input request, please reformat your input and try again.');
              return;
            }
            // Bedrock reports InvokeModel token counts in headers, whatever the model's body says.
            sendJson(res, 200, { ...embedding.reply, ...behaviour.reply }, { 'x-amzn-bedrock-input-token-count': String(embedding.inputTokens) });
          }
          return;
        case 'error':
          sendError(res, behaviour.status, behaviour.errorType, behaviour.message);
          return;
        case 'raw':
          res.writeHead(behaviour.status, { 'content-type': behaviour.contentType, 'x-amzn-requestid': randomUUID() });
          res.end(behaviour.body);
          return;
        case 'hang':
          return;
        case 'stall-body':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': 4096, 'x-amzn-requestid': randomUUID() });
          res.write('{"output":{"message":{"role":"assistant","content":[{"text":"');
          return;
        case 'reset':
          req.socket.resetAndDestroy();
          return;
      }
    });
  });
  server.on('connection', (socket: Socket) => connectionIds.set(socket, nextConnection++));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    parameters,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
