/**
 * The model invoker behind the private API's two routes (one function, told apart by the API
 * Gateway resource): POST /invoke validates a Converse request against the allowed chat models
 * and the declared data classification and calls Converse with the guardrail pinned; POST /embed
 * does the same for embedding models through ApplyGuardrail and InvokeModel (see embed.ts).
 * Before either, it reads the kill switch (model-access.ts): while it says `suspended`, or cannot
 * be read, every request is answered 503 `ModelAccessSuspended` and Bedrock is never called.
 * Either way it writes one audit record. Built from its dependencies so tests and benchmarks can
 * supply their own.
 */
import { ConverseCommand, type BedrockRuntimeClient, type ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AuditRecord, emitAudit, inputSha256, promptSha256 } from './audit';
import { UNKNOWN_CALLER, callerOf } from './caller';
import type { InvokerConfig } from './config';
import { embed, type UpstreamCall } from './embed';
import {
  InvokerError,
  MAX_RESPONSE_BYTES,
  fromUpstreamError,
  internalError,
  malformedUpstreamReply,
  missingIdentity,
  modelAccessSuspended,
  modelAccessUnreadable,
  readFailureName,
  responseTooLarge,
  validationError,
} from './errors';
import { GuardrailSummary, summarizeGuardrail } from './guardrail';
import { requestMetadataFor } from './metadata';
import type { ModelAccessReader } from './model-access';
import { InvocationRequest, ROUTES, RequestFacts, TextBlock, parseEmbeddingRequest, parseRequest } from './validate';

export interface InvokerDeps {
  readonly config: InvokerConfig;
  readonly client: BedrockRuntimeClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Reads the kill switch (cached); see model-access.ts. */
  readonly modelAccess: ModelAccessReader;
}

export type InvokerHandler = (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;

/** The 200 body: the Converse reply, reduced to what the API promises. */
export interface InvokeResponseBody {
  readonly requestId: string;
  readonly modelId: string;
  readonly output: { readonly role: string; readonly content: TextBlock[] };
  readonly stopReason: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly totalTokens: number };
  readonly guardrail: GuardrailSummary;
}

const HEADERS = {
  'content-type': 'application/json',
  // Replies carry model output derived from classified data; no intermediary may keep a copy.
  'cache-control': 'no-store',
};

type Loose = Record<string, unknown>;

function loose(value: unknown): Loose {
  return typeof value === 'object' && value !== null ? (value as Loose) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function reply(statusCode: number, body: unknown, retryAfterSeconds?: number): APIGatewayProxyResult {
  const headers = retryAfterSeconds === undefined ? HEADERS : { ...HEADERS, 'retry-after': String(retryAfterSeconds) };
  return { statusCode, headers, body: JSON.stringify(body) };
}

/**
 * A 200 that fits Lambda's response limit. Lambda counts the whole serialised result (the body is
 * a JSON string inside it, so its quotes and escapes count twice over); past the limit the caller
 * would get API Gateway's own error instead of ours.
 */
function successReply(body: unknown): APIGatewayProxyResult {
  const result = reply(200, body);
  const bytes = Buffer.byteLength(JSON.stringify(result), 'utf8');
  if (bytes > MAX_RESPONSE_BYTES) {
    throw responseTooLarge(bytes);
  }
  return result;
}

function toCommand(request: InvocationRequest, config: InvokerConfig, requestMetadata: Record<string, string>): ConverseCommand {
  return new ConverseCommand({
    modelId: request.modelId,
    messages: request.messages,
    system: request.system,
    inferenceConfig: { maxTokens: request.maxTokens, temperature: request.temperature },
    guardrailConfig: {
      guardrailIdentifier: config.guardrailId,
      guardrailVersion: config.guardrailVersion,
      trace: 'enabled',
    },
    requestMetadata,
  });
}

/**
 * The upstream runner of one request: every call shares one deadline covering all attempts,
 * backoffs and calls. The race makes the deadline hold even where the SDK does not watch the
 * signal (its retry backoff and adaptive rate limiter sleep through an abort), and an error
 * thrown once the deadline has passed is a timeout, whatever the SDK calls it.
 */
function upstreamWithin(timeoutMs: number): { readonly upstream: UpstreamCall; readonly dispose: () => void } {
  // A timer cleared when the request ends, not AbortSignal.timeout: a deadline left running would
  // fire into the SDK's listeners during a later invocation of the same execution environment.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  const deadline = controller.signal;
  const upstream: UpstreamCall = async (call, cancel) => {
    const signal = cancel ? AbortSignal.any([deadline, cancel]) : deadline;
    let expire: (reason: unknown) => void = () => undefined;
    const expired = new Promise<never>((_, reject) => {
      expire = reject;
    });
    const onAbort = (): void => expire(deadline.reason);
    deadline.addEventListener('abort', onAbort, { once: true });
    if (deadline.aborted) {
      onAbort();
    }
    const pending = call(signal);
    // Whichever loses the race must not surface later as an unhandled rejection.
    pending.catch(() => undefined);
    expired.catch(() => undefined);
    try {
      return await Promise.race([pending, expired]);
    } catch (err) {
      throw err instanceof InvokerError ? err : fromUpstreamError(err, deadline.aborted);
    } finally {
      deadline.removeEventListener('abort', onAbort);
    }
  };
  return { upstream, dispose: () => clearTimeout(timer) };
}

/**
 * Refuses the request unless the kill switch says `open`. The read shares the request's deadline.
 * Fail closed: a switch that is missing, unreadable (denied, unreachable, timed out) or holds
 * any other value refuses the request as a suspension does, because the invoker cannot tell that
 * the operators have not suspended access; a security team expects a stop that holds when its
 * own mechanism breaks, and the audit record names the failure (upstreamError) for operators.
 */
async function requireModelAccess(read: ModelAccessReader, upstream: UpstreamCall): Promise<void> {
  let value: string | undefined;
  try {
    value = await upstream(() =>
      read().catch((err: unknown) => {
        throw modelAccessUnreadable(readFailureName(err));
      }),
    );
  } catch (err) {
    // The deadline passed while reading: upstream() reports it as an InvokerError of its own.
    if (err instanceof InvokerError && err.code === 'ModelAccessSuspended') throw err;
    throw modelAccessUnreadable(err instanceof InvokerError ? (err.upstreamName ?? err.code) : readFailureName(err));
  }
  if (value === 'open') return;
  if (value === 'suspended') throw modelAccessSuspended();
  throw modelAccessUnreadable(value === undefined ? 'NoValue' : 'UnknownValue');
}

/** Checks the reply holds what the API promises; anything missing is a malformed reply (502). */
function readReply(out: ConverseCommandOutput, request: InvocationRequest, requestId: string) {
  const upstreamRequestId = out?.$metadata?.requestId;
  const message = out?.output?.message;
  if (!message || !Array.isArray(message.content)) {
    throw malformedUpstreamReply('output.message', upstreamRequestId);
  }
  const { inputTokens, outputTokens, totalTokens } = loose(out.usage);
  if (typeof inputTokens !== 'number' || typeof outputTokens !== 'number') {
    throw malformedUpstreamReply('usage', upstreamRequestId);
  }
  if (typeof out.stopReason !== 'string') {
    throw malformedUpstreamReply('stopReason', upstreamRequestId);
  }
  // Only text goes back: the API is text in, text out, and other blocks (reasoning signatures,
  // tool calls the invoker never offered) are not part of its contract.
  const content = message.content.flatMap((block) => (typeof block?.text === 'string' ? [{ text: block.text }] : []));
  const guardrail = summarizeGuardrail(out.stopReason, out.trace);
  const body: InvokeResponseBody = {
    requestId,
    modelId: request.modelId,
    output: { role: typeof message.role === 'string' ? message.role : 'assistant', content },
    stopReason: out.stopReason,
    usage: {
      inputTokens,
      outputTokens,
      totalTokens: typeof totalTokens === 'number' ? totalTokens : inputTokens + outputTokens,
    },
    guardrail,
  };
  const modelLatencyMs = out.metrics?.latencyMs;
  return { body, upstreamRequestId, modelLatencyMs: typeof modelLatencyMs === 'number' ? modelLatencyMs : undefined };
}

/** Builds the Lambda handler around its dependencies. */
export function createHandler({ config, client, logger, metrics, modelAccess }: InvokerDeps): InvokerHandler {
  const allowedIds = new Set(config.allowedModels.map((m) => m.id));
  const routes = Object.values(ROUTES);

  return async (event, context) => {
    const started = performance.now();
    // The event is typed, but its contents are the caller's: read every part defensively.
    const requestContext = loose(loose(event).requestContext);
    const identity = loose(requestContext.identity);
    const requestId = str(requestContext.requestId) ?? str(context?.awsRequestId) ?? 'unknown';
    const route = str(loose(event).resource);
    const caller = callerOf(identity);
    const facts: RequestFacts = {};
    let result: APIGatewayProxyResult;
    let audit: Partial<AuditRecord> = {};
    let promptHash: string | undefined;
    let requestMetadata: Record<string, string> | undefined;
    let inputCount: number | undefined;

    let deadline: ReturnType<typeof upstreamWithin> | undefined;
    try {
      if (context) {
        logger.addContext(context);
      }
      // API Gateway sets the identity whenever IAM authorization is on; without one there is
      // nobody to hold accountable, so refuse rather than audit an anonymous call.
      if (!caller) {
        throw missingIdentity();
      }
      deadline = upstreamWithin(config.upstreamTimeoutMs);
      const upstream = deadline.upstream;
      // Before the request is even parsed: a suspended service answers every caller the same way.
      await requireModelAccess(modelAccess, upstream);
      if (route === ROUTES.chat) {
        const request = parseRequest(loose(event), config, facts);
        promptHash = promptSha256(request.system, request.messages);
        const metadata = requestMetadataFor(caller, requestId, request.dataClassification);
        requestMetadata = metadata;
        const out = await upstream((abortSignal) => client.send(toCommand(request, config, metadata), { abortSignal }));
        const { body, upstreamRequestId, modelLatencyMs } = readReply(out, request, requestId);
        audit = {
          status: 200,
          upstreamRequestId,
          stopReason: body.stopReason,
          inputTokens: body.usage.inputTokens,
          outputTokens: body.usage.outputTokens,
          modelLatencyMs,
          guardrailAction: body.guardrail.action,
        };
        result = successReply(body);
      } else if (route === ROUTES.embedding) {
        const request = parseEmbeddingRequest(loose(event), config, facts);
        promptHash = inputSha256(request.texts);
        inputCount = request.texts.length;
        requestMetadata = requestMetadataFor(caller, requestId, request.dataClassification);
        const { body, upstreamRequestId } = await embed(request, config, client, requestId, requestMetadata, upstream);
        audit = {
          status: 200,
          upstreamRequestId,
          stopReason: body.stopReason,
          inputTokens: body.usage.inputTokens,
          outputTokens: 0,
          guardrailAction: body.guardrail.action,
        };
        result = successReply(body);
      } else {
        throw validationError(`resource: ${JSON.stringify(route ?? null)} is not a route of this API; POST to ${routes.join(' or ')}`);
      }
    } catch (err) {
      let failure: InvokerError;
      if (err instanceof InvokerError) {
        failure = err;
      } else {
        failure = internalError();
        // Our own bug: log the detail for operators; the caller only gets the generic message.
        logger.error('unexpected error in model invoker', { requestId, error: err as Error });
      }
      // What the model did stays on record when only the answer failed (too large to return).
      audit = {
        ...audit,
        status: failure.statusCode,
        errorCode: failure.code,
        upstreamError: failure.upstreamName,
        upstreamRequestId: failure.upstreamRequestId ?? audit.upstreamRequestId,
      };
      if (failure.upstreamName?.startsWith('ModelAccessSwitch: ')) {
        // The caller sees a suspension; operators need to know the switch itself is broken.
        logger.error('model access switch unreadable; refusing requests (fail closed)', { requestId, parameter: config.modelAccessParameter, failure: failure.upstreamName });
      }
      result = reply(failure.statusCode, { error: { code: failure.code, message: failure.message, requestId } }, failure.retryAfterSeconds);
    } finally {
      deadline?.dispose();
    }

    const record: AuditRecord = {
      requestId,
      route: route !== undefined && routes.includes(route) ? route : undefined,
      callerArn: caller?.arn ?? UNKNOWN_CALLER,
      callerIdentity: caller?.known,
      sourceIp: str(identity.sourceIp),
      modelId: facts.modelId,
      dataClassification: facts.dataClassification,
      status: result.statusCode,
      ...audit,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      guardrailId: config.guardrailId,
      guardrailVersion: config.guardrailVersion,
      inputCount,
      requestMetadata,
      promptSha256: promptHash,
    };
    try {
      emitAudit(logger, metrics, record, facts.modelId !== undefined && allowedIds.has(facts.modelId) ? facts.modelId : undefined);
    } catch (err) {
      // A failed metrics flush must not turn a served request into an error; the log line says why.
      logger.error('audit emission failed', { requestId, error: err as Error });
    }
    return result;
  };
}
