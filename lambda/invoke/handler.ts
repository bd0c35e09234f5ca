/**
 * The model invoker: validates a caller's Converse request against the allowed models and the
 * declared data classification, calls Bedrock with the guardrail pinned, and writes one audit
 * record. Built from its dependencies so tests and benchmarks can supply their own.
 */
import { ConverseCommand, type BedrockRuntimeClient, type ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { AuditRecord, emitAudit, promptSha256 } from './audit';
import type { InvokerConfig } from './config';
import { InvokerError, fromUpstreamError, internalError, malformedUpstreamReply, missingIdentity } from './errors';
import { GuardrailSummary, summarizeGuardrail } from './guardrail';
import { InvocationRequest, RequestFacts, TextBlock, parseRequest } from './validate';

export interface InvokerDeps {
  readonly config: InvokerConfig;
  readonly client: BedrockRuntimeClient;
  readonly logger: Logger;
  readonly metrics: Metrics;
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

function reply(statusCode: number, body: unknown): APIGatewayProxyResult {
  return { statusCode, headers: HEADERS, body: JSON.stringify(body) };
}

function toCommand(request: InvocationRequest, config: InvokerConfig): ConverseCommand {
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
  });
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
export function createHandler({ config, client, logger, metrics }: InvokerDeps): InvokerHandler {
  const allowedIds = new Set(config.allowedModels.map((m) => m.id));

  return async (event, context) => {
    const started = performance.now();
    // The event is typed, but its contents are the caller's: read every part defensively.
    const requestContext = loose(loose(event).requestContext);
    const identity = loose(requestContext.identity);
    const requestId = str(requestContext.requestId) ?? str(context?.awsRequestId) ?? 'unknown';
    const callerArn = str(identity.userArn) ?? str(identity.caller);
    const facts: RequestFacts = {};
    let result: APIGatewayProxyResult;
    let audit: Partial<AuditRecord> = {};
    let promptHash: string | undefined;

    try {
      if (context) {
        logger.addContext(context);
      }
      // API Gateway sets the identity whenever IAM authorization is on; without one there is
      // nobody to hold accountable, so refuse rather than audit an anonymous call.
      if (!callerArn) {
        throw missingIdentity();
      }
      const request = parseRequest(loose(event), config, facts);
      promptHash = promptSha256(request.system, request.messages);

      let out: ConverseCommandOutput;
      try {
        // The deadline covers every attempt and backoff, so retries never outlast the budget.
        out = await client.send(toCommand(request, config), { abortSignal: AbortSignal.timeout(config.upstreamTimeoutMs) });
      } catch (err) {
        throw fromUpstreamError(err);
      }
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
      result = reply(200, body);
    } catch (err) {
      let failure: InvokerError;
      if (err instanceof InvokerError) {
        failure = err;
      } else {
        failure = internalError();
        // Our own bug: log the detail for operators; the caller only gets the generic message.
        logger.error('unexpected error in model invoker', { requestId, error: err as Error });
      }
      audit = {
        status: failure.statusCode,
        errorCode: failure.code,
        upstreamError: failure.upstreamName,
        upstreamRequestId: failure.upstreamRequestId,
      };
      result = reply(failure.statusCode, { error: { code: failure.code, message: failure.message, requestId } });
    }

    const record: AuditRecord = {
      requestId,
      callerArn: callerArn ?? 'unknown',
      sourceIp: str(identity.sourceIp),
      modelId: facts.modelId,
      dataClassification: facts.dataClassification,
      status: result.statusCode,
      ...audit,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      guardrailId: config.guardrailId,
      guardrailVersion: config.guardrailVersion,
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
