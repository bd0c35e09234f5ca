/**
 * The model invoker's whole configuration, read from the environment its construct sets.
 * This is the only module that looks at environment variables; it is pure so tests can feed it
 * any map, and it fails at init with a message naming the variable, the value and the fix.
 */

import { EmbeddingFamily, KNOWN_EMBEDDING_MODELS, embeddingFamilyOf } from './embeddings';

/**
 * Every environment variable the handler reads, so the construct's environment can be tested
 * against it. Variables the Lambda runtime and the AWS SDK read for themselves (AWS_REGION,
 * credentials, AWS_ENDPOINT_URL_BEDROCK_RUNTIME) are not the construct's to set and are not listed.
 */
export const ENVIRONMENT = [
  'ALLOWED_MODELS',
  'DEFAULT_MODEL_ID',
  'GUARDRAIL_ID',
  'GUARDRAIL_VERSION',
  'UPSTREAM_TIMEOUT_MS',
  'MAX_MESSAGES',
  'MAX_TEXT_CHARS',
  'MAX_TOKENS_CAP',
  'MAX_EMBED_TEXTS',
  'MODEL_ACCESS_PARAMETER',
  'SSM_ENDPOINT',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_METRICS_NAMESPACE',
] as const;
export type EnvironmentVariable = (typeof ENVIRONMENT)[number];

/** The environment as the handler sees it; `process.env` fits. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Data classifications, lowest to highest sensitivity. */
export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** What a model serves: `chat` models answer Converse (POST /invoke), `embedding` models InvokeModel (POST /embed). */
export const MODEL_KINDS = ['chat', 'embedding'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** A model callers may use, and the data classifications it is cleared for. */
export interface AllowedModel {
  readonly id: string;
  readonly classifications: readonly Classification[];
  readonly kind: ModelKind;
  /** How to call it; set for every embedding model (the config refuses one the invoker cannot call). */
  readonly embedding?: EmbeddingFamily;
}

export interface InvokerConfig {
  readonly allowedModels: readonly AllowedModel[];
  /** The chat model of a POST /invoke that names none; undefined when no chat model is allowed. */
  readonly defaultModelId?: string;
  /** The embedding model of a POST /embed that names none: the first one allowed. */
  readonly defaultEmbeddingModelId?: string;
  readonly guardrailId: string;
  readonly guardrailVersion: string;
  /** Budget for the whole upstream call, retries included, and the per-attempt socket timeout. */
  readonly upstreamTimeoutMs: number;
  readonly maxMessages: number;
  /** Total characters across all system and message text blocks, or across the texts of one POST /embed. */
  readonly maxTextChars: number;
  readonly maxTokensCap: number;
  /** Texts one POST /embed may carry. */
  readonly maxEmbedTexts: number;
  /** Name of the SSM parameter that is the kill switch (`open` or `suspended`). */
  readonly modelAccessParameter: string;
  /** SSM's endpoint URL in the function's region, e.g. `https://ssm.eu-central-1.amazonaws.com`. */
  readonly ssmEndpoint: string;
  readonly serviceName: string;
  readonly metricsNamespace: string;
}

/** The values the kill switch (MODEL_ACCESS_PARAMETER) takes; anything else is treated as unreadable (and so as suspended). */
export const MODEL_ACCESS_VALUES = ['open', 'suspended'] as const;

/**
 * Seconds a kill-switch value read is trusted before the next request reads it again: the fast
 * path's latency. Each execution environment reads it at most once per this many seconds, well
 * within SSM's standard throughput (40 GetParameter calls a second per account and region) even
 * at full reserved concurrency.
 */
export const MODEL_ACCESS_MAX_AGE_SECONDS = 30;

export const DEFAULTS = {
  upstreamTimeoutMs: 20_000,
  maxMessages: 50,
  maxTextChars: 100_000,
  maxTokensCap: 4096,
  maxEmbedTexts: 96,
  serviceName: 'model-invoker',
  metricsNamespace: 'PrivateAI',
} as const;

// Bedrock accepts a guardrail ID or ARN (any partition) as guardrailIdentifier.
const GUARDRAIL_ID = /^(?:[a-z0-9]+|arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:guardrail\/[a-z0-9]+)$/;
// An SSM parameter name as the construct sets it: a path of SSM's allowed characters (1011 at most with the path).
const PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
// Foundation model IDs, inference profile IDs and their ARNs.
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,255}$/;

export function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}

function configError(message: string): Error {
  return new Error(`model invoker misconfigured: ${message}`);
}

function required(env: Environment, name: EnvironmentVariable): string {
  const value = env[name]?.trim();
  if (!value) {
    throw configError(`${name} is not set; the construct that deploys this function must set it`);
  }
  return value;
}

function optional(env: Environment, name: EnvironmentVariable): string | undefined {
  return env[name]?.trim() || undefined;
}

function positiveInt(env: Environment, name: EnvironmentVariable, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  if (!/^[1-9]\d*$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) > max) {
    const range = max < Number.MAX_SAFE_INTEGER ? ` from 1 to ${max}` : '';
    throw configError(`${name} must be a positive integer${range}, got ${JSON.stringify(raw)} (default ${fallback})`);
  }
  return Number(raw);
}

function parseAllowedModels(raw: string): AllowedModel[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError('ALLOWED_MODELS is not valid JSON; expected [{"id": "...", "classifications": ["internal"], "kind": "chat"}]');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw configError('ALLOWED_MODELS must be a non-empty JSON array of {"id", "classifications", "kind"} objects');
  }
  const seen = new Set<string>();
  return parsed.map((entry: unknown, i: number): AllowedModel => {
    const where = `ALLOWED_MODELS[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw configError(`${where} must be an object {"id", "classifications", "kind"}`);
    }
    const { id, classifications, kind, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw configError(`${where} has unknown field(s) ${extra.join(', ')}; allowed: id, classifications, kind`);
    }
    if (typeof id !== 'string' || !MODEL_ID.test(id)) {
      throw configError(`${where}.id must be a model or inference profile ID, got ${JSON.stringify(id)}`);
    }
    if (seen.has(id)) {
      throw configError(`${where}.id ${id} is listed twice`);
    }
    seen.add(id);
    if (!Array.isArray(classifications) || classifications.length === 0) {
      throw configError(`${where}.classifications must be a non-empty array of ${CLASSIFICATIONS.join('|')}`);
    }
    for (const c of classifications) {
      if (!isClassification(c)) {
        throw configError(`${where}.classifications contains ${JSON.stringify(c)}; allowed: ${CLASSIFICATIONS.join(', ')}`);
      }
    }
    const cleared = [...new Set(classifications as Classification[])];
    if (kind === 'chat') {
      return { id, classifications: cleared, kind };
    }
    if (kind === 'embedding') {
      const embedding = embeddingFamilyOf(id);
      if (!embedding) {
        throw configError(`${where}: the invoker does not know how to call embedding model ${id}; it calls ${KNOWN_EMBEDDING_MODELS}`);
      }
      return { id, classifications: cleared, kind, embedding };
    }
    // The kind decides the route and the API call; inferring it from the ID is the config's job, not ours.
    const got = kind === undefined ? 'it is missing' : `got ${JSON.stringify(kind)}`;
    throw configError(`${where}.kind must be ${MODEL_KINDS.join(' or ')} (model ${id}); ${got}`);
  });
}

/** Parses and checks the invoker's environment; throws on the first problem found. */
export function parseConfig(env: Environment): InvokerConfig {
  const allowedModels = parseAllowedModels(required(env, 'ALLOWED_MODELS'));
  const chatModels = allowedModels.filter((m) => m.kind === 'chat').map((m) => m.id);

  // Optional so that an allowlist of embedding models only needs none; the first chat model otherwise.
  const defaultModelId = optional(env, 'DEFAULT_MODEL_ID') ?? chatModels[0];
  if (defaultModelId !== undefined && !chatModels.includes(defaultModelId)) {
    const why = allowedModels.some((m) => m.id === defaultModelId) ? 'is not a chat model' : 'is not on ALLOWED_MODELS';
    throw configError(`DEFAULT_MODEL_ID ${defaultModelId} ${why}; it is the model of POST /invoke, one of: ${chatModels.join(', ') || 'none (leave it unset)'}`);
  }

  const guardrailId = required(env, 'GUARDRAIL_ID');
  if (!GUARDRAIL_ID.test(guardrailId)) {
    throw configError(`GUARDRAIL_ID must be a guardrail ID or guardrail ARN, got ${JSON.stringify(guardrailId)}`);
  }

  // DRAFT is mutable: anyone allowed to edit the guardrail could weaken it without a deployment,
  // so the invoker only accepts a published, immutable version.
  const guardrailVersion = required(env, 'GUARDRAIL_VERSION');
  if (!/^[1-9]\d{0,7}$/.test(guardrailVersion)) {
    throw configError(
      `GUARDRAIL_VERSION must be a published version number, got ${JSON.stringify(guardrailVersion)}; DRAFT is mutable and not accepted`,
    );
  }

  // Required: an invoker without its kill switch could not be stopped without a deployment.
  const modelAccessParameter = required(env, 'MODEL_ACCESS_PARAMETER');
  if (!PARAMETER_NAME.test(modelAccessParameter)) {
    throw configError(`MODEL_ACCESS_PARAMETER must be an SSM parameter name such as /private-ai/prod/model-access, got ${JSON.stringify(modelAccessParameter)}`);
  }
  const ssmEndpoint = required(env, 'SSM_ENDPOINT');
  if (!/^https?:\/\/[^/\s]+\/?$/.test(ssmEndpoint)) {
    throw configError(`SSM_ENDPOINT must be a URL such as https://ssm.eu-central-1.amazonaws.com (no path), got ${JSON.stringify(ssmEndpoint)}`);
  }

  return {
    allowedModels,
    defaultModelId,
    defaultEmbeddingModelId: allowedModels.find((m) => m.kind === 'embedding')?.id,
    guardrailId,
    guardrailVersion,
    upstreamTimeoutMs: positiveInt(env, 'UPSTREAM_TIMEOUT_MS', DEFAULTS.upstreamTimeoutMs),
    maxMessages: positiveInt(env, 'MAX_MESSAGES', DEFAULTS.maxMessages),
    maxTextChars: positiveInt(env, 'MAX_TEXT_CHARS', DEFAULTS.maxTextChars),
    maxTokensCap: positiveInt(env, 'MAX_TOKENS_CAP', DEFAULTS.maxTokensCap),
    // Cohere Embed takes at most 96 texts in one call; Titan is called once per text, so a lower
    // limit keeps a request's calls (and its share of the model's quota) small.
    maxEmbedTexts: positiveInt(env, 'MAX_EMBED_TEXTS', DEFAULTS.maxEmbedTexts, DEFAULTS.maxEmbedTexts),
    modelAccessParameter,
    ssmEndpoint,
    serviceName: optional(env, 'POWERTOOLS_SERVICE_NAME') ?? DEFAULTS.serviceName,
    metricsNamespace: optional(env, 'POWERTOOLS_METRICS_NAMESPACE') ?? DEFAULTS.metricsNamespace,
  };
}
