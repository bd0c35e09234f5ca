/**
 * Error classes the invoker answers with, and the mapping from upstream (Bedrock / SDK) failures.
 * Callers only ever see `{ error: { code, message, requestId } }`: validation messages are written
 * by us, every other class has one fixed message, so no upstream text or stack trace can leak.
 */

export type ErrorCode =
  | 'ValidationError'
  | 'AccessDenied'
  | 'Throttled'
  | 'UpstreamTimeout'
  | 'UpstreamError'
  | 'InternalError';

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
  ) {
    super(message);
    this.name = 'InvokerError';
  }
}

/** A request that breaks a rule; the message names the field and what is allowed. */
export function validationError(message: string): InvokerError {
  return new InvokerError(400, 'ValidationError', message);
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

interface SdkErrorShape {
  name?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

/**
 * Maps anything thrown by the Bedrock client to the answer the caller gets. Everything not
 * recognised as denied, throttled or timed out is an upstream failure (502): Bedrock's own
 * ValidationException, model errors, 5xx, and replies the SDK could not deserialise.
 */
export function fromUpstreamError(err: unknown): InvokerError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name.slice(0, 100) : 'UnknownError';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const upstreamRequestId = typeof e.$metadata?.requestId === 'string' ? e.$metadata.requestId.slice(0, 100) : undefined;
  const make = (statusCode: number, code: Exclude<ErrorCode, 'ValidationError'>): InvokerError =>
    new InvokerError(statusCode, code, MESSAGES[code], name, upstreamRequestId);

  // Only Bedrock's own AccessDeniedException: other 403s (bad signature, unknown key) are our
  // function's fault, not something the caller can fix, so they fall through to 502.
  if (ACCESS_DENIED.has(name)) {
    return make(403, 'AccessDenied');
  }
  if (THROTTLED.has(name) || status === 429) {
    return make(429, 'Throttled');
  }
  if (TIMED_OUT.has(name) || status === 408) {
    return make(504, 'UpstreamTimeout');
  }
  return make(502, 'UpstreamError');
}

/** A reply from Bedrock that deserialised but lacks what the contract promises. */
export function malformedUpstreamReply(what: string, upstreamRequestId?: string): InvokerError {
  return new InvokerError(502, 'UpstreamError', MESSAGES.UpstreamError, `MalformedReply: ${what}`, upstreamRequestId);
}

/** A bug of ours; the detail goes to the log, never to the caller. */
export function internalError(): InvokerError {
  return new InvokerError(500, 'InternalError', MESSAGES.InternalError);
}

/** A request without an IAM-authenticated caller: refused, whatever the API's settings say. */
export function missingIdentity(): InvokerError {
  return new InvokerError(403, 'AccessDenied', 'caller identity is missing; the API must use IAM authorization');
}
