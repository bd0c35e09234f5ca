/**
 * Error classes the invoker answers with, and the mapping from upstream (Bedrock / SDK) failures.
 * Callers only ever see `{ error: { code, message, requestId } }`: validation and size messages are
 * written by us, every other class has one fixed message, so no upstream text or stack trace can leak.
 */

export type ErrorCode =
  | 'ValidationError'
  | 'ModelNotAllowed'
  | 'AccessDenied'
  | 'Throttled'
  | 'UpstreamTimeout'
  | 'UpstreamError'
  | 'InternalError'
  | 'ModelAccessSuspended';

/** An error that already knows the HTTP answer it becomes. */
export class InvokerError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    /** Name of the upstream error, for the audit record only. */
    readonly upstreamName?: string,
    /** Bedrock's request ID, for the audit record only. */
    readonly upstreamRequestId?: string,
    /** Seconds the caller should wait before retrying (the `Retry-After` header). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'InvokerError';
  }
}

/** A request that breaks a rule; the message names the field and what is allowed. */
export function validationError(message: string): InvokerError {
  return new InvokerError(400, 'ValidationError', message);
}

/**
 * A model outside the allowlist: still a 400 the caller can fix, but with a code of its own, so the
 * audit records of callers probing for other models can be counted apart from malformed requests
 * (misuse detection's deniedCalls signal).
 */
export function modelNotAllowed(message: string): InvokerError {
  return new InvokerError(400, 'ModelNotAllowed', message);
}

const MESSAGES = {
  AccessDenied: 'access to the model was denied',
  Throttled: 'the model is busy or a quota is exhausted; retry later with backoff',
  UpstreamTimeout: 'the model did not answer in time',
  UpstreamError: 'the model service failed to handle the request',
  InternalError: 'internal error',
} as const;

const ACCESS_DENIED = new Set(['AccessDeniedException']);
const THROTTLED = new Set(['ThrottlingException', 'ServiceQuotaExceededException', 'TooManyRequestsException']);
// TimeoutError comes from the SDK's HTTP handler (connect, socket or request timeout), AbortError
// from the invoker's own deadline; the rest are service-side timeouts.
const TIMED_OUT = new Set(['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException', 'ModelTimeoutException']);
// The connection failed rather than timed out. The SDK's HTTP handler renames a reset or refused
// connection `TimeoutError` (so its retry strategy treats it as transient), which would otherwise
// tell the caller to wait longer for a model that never had the request.
const CONNECTION_FAILED = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

/**
 * Maps anything thrown by the Bedrock client to the answer the caller gets. `deadlinePassed` says
 * whether the invoker's budget had run out when it was thrown: whatever the SDK then reports (a
 * stalled body shows up as a reset socket), the model did not answer in time (504). Otherwise a
 * failed connection is an upstream failure (502), and everything not recognised as denied,
 * throttled or timed out is too: Bedrock's own ValidationException, model errors, 5xx, and
 * replies the SDK could not deserialise.
 */
export function fromUpstreamError(err: unknown, deadlinePassed = false): InvokerError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const code = typeof e.code === 'string' ? e.code.slice(0, 40) : undefined;
  const baseName = typeof e.name === 'string' ? e.name.slice(0, 100) : 'UnknownError';
  // The audit keeps the socket error code too: `TimeoutError (ECONNRESET)` and `Error (ECONNRESET)` differ.
  const name = code ? `${baseName} (${code})` : baseName;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const upstreamRequestId = typeof e.$metadata?.requestId === 'string' ? e.$metadata.requestId.slice(0, 100) : undefined;
  const make = (statusCode: number, code: Exclude<ErrorCode, 'ValidationError' | 'ModelNotAllowed' | 'ModelAccessSuspended'>): InvokerError =>
    new InvokerError(statusCode, code, MESSAGES[code], name, upstreamRequestId);

  if (deadlinePassed) {
    return make(504, 'UpstreamTimeout');
  }
  // Only Bedrock's own AccessDeniedException: other 403s (bad signature, unknown key) are our
  // function's fault, not something the caller can fix, so they fall through to 502.
  if (ACCESS_DENIED.has(baseName)) {
    return make(403, 'AccessDenied');
  }
  if (THROTTLED.has(baseName) || status === 429) {
    return make(429, 'Throttled');
  }
  if (code !== undefined && CONNECTION_FAILED.has(code)) {
    return make(502, 'UpstreamError');
  }
  if (TIMED_OUT.has(baseName) || status === 408) {
    return make(504, 'UpstreamTimeout');
  }
  return make(502, 'UpstreamError');
}

/** A reply from Bedrock that deserialised but lacks what the contract promises. */
export function malformedUpstreamReply(what: string, upstreamRequestId?: string): InvokerError {
  return new InvokerError(502, 'UpstreamError', MESSAGES.UpstreamError, `MalformedReply: ${what}`, upstreamRequestId);
}

/** Lambda's limit on a synchronous response, the whole serialised result included. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;

/**
 * An answer too large for Lambda to return: past the limit API Gateway would answer with its own
 * error shape instead of ours, so the invoker answers this 502 in its place.
 */
export function responseTooLarge(bytes: number): InvokerError {
  return new InvokerError(
    502,
    'UpstreamError',
    `the answer (${bytes} bytes) is larger than the ${MAX_RESPONSE_BYTES} bytes an API response can carry; ask for less (fewer texts, fewer dimensions or a lower maxTokens)`,
    'ResponseTooLarge',
  );
}

/** A bug of ours; the detail goes to the log, never to the caller. */
export function internalError(): InvokerError {
  return new InvokerError(500, 'InternalError', MESSAGES.InternalError);
}

/** A request without an IAM-authenticated caller: refused, whatever the API's settings say. */
export function missingIdentity(): InvokerError {
  return new InvokerError(403, 'AccessDenied', 'caller identity is missing; the API must use IAM authorization');
}

/**
 * How long a caller refused by the kill switch should wait: a suspension is an incident measure
 * that lasts minutes at least, so retrying sooner only adds load; a switch that could not be read
 * may be readable again by the next request.
 */
export const RETRY_AFTER_SECONDS = { suspended: 300, unreadable: 30 } as const;

/**
 * Model access is suspended by the kill switch (the parameter says `suspended`): 503 with
 * `Retry-After`, before any Bedrock call. The body is the usual error shape with code
 * `ModelAccessSuspended`.
 */
export function modelAccessSuspended(): InvokerError {
  return new InvokerError(503, 'ModelAccessSuspended', 'model access is suspended by the platform operators; retry later', undefined, undefined, RETRY_AFTER_SECONDS.suspended);
}

/** The name of what went wrong reading the kill switch, for the audit record (never its message). */
export function readFailureName(err: unknown): string {
  const named = (x: unknown) => (typeof x === 'object' && x !== null && typeof (x as { name?: unknown }).name === 'string' ? (x as { name: string }).name.slice(0, 100) : undefined);
  // Powertools Parameters wraps the SDK's error (ParameterNotFound, AccessDeniedException, TimeoutError) as its cause.
  const cause = typeof err === 'object' && err !== null ? (err as { cause?: unknown }).cause : undefined;
  return named(cause) ?? named(err) ?? 'UnknownError';
}

/**
 * The kill switch could not be read (missing, denied, unreachable, or a value other than `open`
 * or `suspended`): the invoker fails closed with the same answer as a suspension, because it
 * cannot know the operators have not suspended access. `what` names the failure in the audit
 * record (upstreamError `ModelAccessSwitch: <what>`), never its message.
 */
export function modelAccessUnreadable(what: string): InvokerError {
  return new InvokerError(
    503,
    'ModelAccessSuspended',
    'model access is suspended: the access switch could not be read; retry later',
    `ModelAccessSwitch: ${what.slice(0, 100)}`,
    undefined,
    RETRY_AFTER_SECONDS.unreadable,
  );
}
