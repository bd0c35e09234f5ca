/**
 * POST /embed: screens the texts with the guardrail (ApplyGuardrail, source INPUT), because
 * InvokeModel applies no guardrail to embedding models, then calls the model with its own body
 * (InvokeModel) and answers the vectors in the caller's order.
 */
import { ApplyGuardrailCommand, InvokeModelCommand, type BedrockRuntimeClient, type InvokeModelCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import type { InvokerConfig } from './config';
import type { EmbeddingReply } from './embeddings';
import { malformedUpstreamReply } from './errors';
import { GuardrailSummary, readScreening } from './guardrail';
import type { EmbeddingRequest, TextBlock } from './validate';

/** The 200 body of POST /embed. */
export interface EmbedResponseBody {
  readonly requestId: string;
  readonly modelId: string;
  /** One vector per input text, in order; empty when the guardrail blocked the input. */
  readonly embeddings: number[][];
  readonly usage: { readonly inputTokens: number };
  readonly guardrail: GuardrailSummary;
  /** Only when the guardrail blocked the input, as POST /invoke answers blocked input. */
  readonly stopReason?: 'guardrail_intervened';
  /** Only when the guardrail blocked the input: its blocked-input message. */
  readonly output?: { readonly role: 'assistant'; readonly content: TextBlock[] };
}

export interface EmbedOutcome {
  readonly body: EmbedResponseBody;
  /** Bedrock's request ID of the (first) InvokeModel call, or of ApplyGuardrail when it blocked. */
  readonly upstreamRequestId?: string;
}

/**
 * Runs one upstream call under the invoker's deadline (and `cancel`, when given), mapping what it
 * throws to an InvokerError.
 */
export type UpstreamCall = <T>(call: (signal: AbortSignal) => Promise<T>, cancel?: AbortSignal) => Promise<T>;

// Titan takes one text per call; this many run at once, so 96 texts take a few round trips
// rather than 96, without holding more than a few of the model's quota at a time.
const CONCURRENT_CALLS = 8;
const INPUT_TOKEN_HEADER = 'x-amzn-bedrock-input-token-count';

/**
 * An InvokeModel command that also reports Bedrock's input-token header, which the SDK does not
 * surface (Cohere Embed's body carries no token count).
 */
function invokeModel(input: ConstructorParameters<typeof InvokeModelCommand>[0], onTokens: (header: string | undefined) => void): InvokeModelCommand {
  const command = new InvokeModelCommand(input);
  command.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const headers = (result.response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
      onTokens(headers?.[INPUT_TOKEN_HEADER]);
      return result;
    },
    { step: 'deserialize', name: 'readInputTokenCount' },
  );
  return command;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

/**
 * Maps with at most `limit` calls in flight. The first failure fails the whole map and cancels the
 * calls still in flight (through the signal `fn` gets), so none outlives the request.
 */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, cancel: AbortSignal) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const cancel = new AbortController();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !cancel.signal.aborted) {
      const i = next++;
      results[i] = await fn(items[i], cancel.signal);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  } catch (err) {
    cancel.abort();
    throw err;
  }
  return results;
}

interface CallResult {
  readonly embeddings: number[][];
  readonly inputTokens: number;
  readonly upstreamRequestId?: string;
}

async function embedChunk(
  client: BedrockRuntimeClient,
  request: EmbeddingRequest,
  texts: string[],
  metadata: Record<string, string>,
  upstream: UpstreamCall,
  cancel: AbortSignal,
): Promise<CallResult> {
  let tokenHeader: string | undefined;
  const command = invokeModel(
    {
      modelId: request.modelId,
      contentType: 'application/json',
      accept: 'application/json',
      body: JSON.stringify(request.family.body(texts, request.dimensions)),
      requestMetadata: JSON.stringify(metadata),
    },
    (header) => {
      tokenHeader = header;
    },
  );
  const out: InvokeModelCommandOutput = await upstream((abortSignal) => client.send(command, { abortSignal }), cancel);
  const upstreamRequestId = out?.$metadata?.requestId;
  let reply: unknown;
  try {
    reply = JSON.parse(Buffer.from(out.body ?? []).toString('utf8'));
  } catch {
    throw malformedUpstreamReply('body', upstreamRequestId);
  }
  let read: EmbeddingReply;
  try {
    read = request.family.read(reply, texts.length);
  } catch (err) {
    throw malformedUpstreamReply((err as Error).message, upstreamRequestId);
  }
  const vectorLength = request.dimensions;
  if (vectorLength !== undefined && read.embeddings.some((v) => v.length !== vectorLength)) {
    throw malformedUpstreamReply(`embeddings of ${vectorLength} dimensions`, upstreamRequestId);
  }
  const inputTokens = read.inputTokens ?? (tokenHeader !== undefined && /^\d+$/.test(tokenHeader) ? Number(tokenHeader) : undefined);
  if (inputTokens === undefined) {
    throw malformedUpstreamReply('usage', upstreamRequestId);
  }
  return { embeddings: read.embeddings, inputTokens, upstreamRequestId };
}

/** Screens, then embeds; throws InvokerErrors (upstream failures through `upstream`). */
export async function embed(
  request: EmbeddingRequest,
  config: InvokerConfig,
  client: BedrockRuntimeClient,
  requestId: string,
  metadata: Record<string, string>,
  upstream: UpstreamCall,
): Promise<EmbedOutcome> {
  const screened = await upstream((abortSignal) =>
    client.send(
      new ApplyGuardrailCommand({
        guardrailIdentifier: config.guardrailId,
        guardrailVersion: config.guardrailVersion,
        source: 'INPUT',
        // One block per text, so a masked copy comes back for each.
        content: request.texts.map((text) => ({ text: { text } })),
      }),
      { abortSignal },
    ),
  );
  const screening = readScreening(screened, request.texts);
  if (screening.blockedMessage !== undefined) {
    return {
      body: {
        requestId,
        modelId: request.modelId,
        embeddings: [],
        usage: { inputTokens: 0 },
        guardrail: screening.summary,
        stopReason: 'guardrail_intervened',
        output: { role: 'assistant', content: [{ text: screening.blockedMessage }] },
      },
      upstreamRequestId: screened.$metadata?.requestId,
    };
  }

  const calls = chunks(screening.texts, request.family.textsPerCall);
  const results = await mapLimited(calls, CONCURRENT_CALLS, (texts, cancel) => embedChunk(client, request, texts, metadata, upstream, cancel));
  return {
    body: {
      requestId,
      modelId: request.modelId,
      embeddings: results.flatMap((r) => r.embeddings),
      usage: { inputTokens: results.reduce((n, r) => n + r.inputTokens, 0) },
      guardrail: screening.summary,
    },
    upstreamRequestId: results[0]?.upstreamRequestId,
  };
}
