/**
 * The model invoker's whole configuration, read from the environment its construct sets.
 * This is the only module that looks at environment variables; it is pure so tests can feed it
 * any map, and it fails at init with a message naming the variable, the value and the fix.
 */

/** Data classifications, lowest to highest sensitivity. */
export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/** A model callers may use, and the data classifications it is cleared for. */
export interface AllowedModel {
  readonly id: string;
  readonly classifications: readonly Classification[];
}

export interface InvokerConfig {
  readonly allowedModels: readonly AllowedModel[];
  readonly defaultModelId: string;
  readonly guardrailId: string;
  readonly guardrailVersion: string;
  /** Budget for the whole upstream call, retries included, and the per-attempt socket timeout. */
  readonly upstreamTimeoutMs: number;
  readonly maxMessages: number;
  /** Total characters across all system and message text blocks. */
  readonly maxTextChars: number;
  readonly maxTokensCap: number;
  readonly serviceName: string;
  readonly metricsNamespace: string;
}

export const DEFAULTS = {
  upstreamTimeoutMs: 20_000,
  maxMessages: 50,
  maxTextChars: 100_000,
  maxTokensCap: 4096,
  serviceName: 'model-invoker',
  metricsNamespace: 'PrivateAI',
} as const;

// Bedrock accepts a guardrail ID or ARN (any partition) as guardrailIdentifier.
const GUARDRAIL_ID = /^(?:[a-z0-9]+|arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:guardrail\/[a-z0-9]+)$/;
// Foundation model IDs, inference profile IDs and their ARNs.
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,255}$/;

export function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}

function configError(message: string): Error {
  return new Error(`model invoker misconfigured: ${message}`);
}

function required(env: Record<string, string | undefined>, name: string): string {
  const value = env[name]?.trim();
  if (!value) {
    throw configError(`${name} is not set; the construct that deploys this function must set it`);
  }
  return value;
}

function positiveInt(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    return fallback;
  }
  if (!/^[1-9]\d*$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw configError(`${name} must be a positive integer, got ${JSON.stringify(raw)} (default ${fallback})`);
  }
  return Number(raw);
}

function parseAllowedModels(raw: string): AllowedModel[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw configError('ALLOWED_MODELS is not valid JSON; expected [{"id": "...", "classifications": ["internal"]}]');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw configError('ALLOWED_MODELS must be a non-empty JSON array of {"id", "classifications"} objects');
  }
  const seen = new Set<string>();
  return parsed.map((entry: unknown, i: number): AllowedModel => {
    const where = `ALLOWED_MODELS[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw configError(`${where} must be an object {"id", "classifications"}`);
    }
    const { id, classifications, ...rest } = entry as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) {
      throw configError(`${where} has unknown field(s) ${extra.join(', ')}; allowed: id, classifications`);
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
    return { id, classifications: [...new Set(classifications as Classification[])] };
  });
}

/** Parses and checks the invoker's environment; throws on the first problem found. */
export function parseConfig(env: Record<string, string | undefined>): InvokerConfig {
  const allowedModels = parseAllowedModels(required(env, 'ALLOWED_MODELS'));

  const defaultModelId = required(env, 'DEFAULT_MODEL_ID');
  if (!allowedModels.some((m) => m.id === defaultModelId)) {
    throw configError(
      `DEFAULT_MODEL_ID ${defaultModelId} is not on ALLOWED_MODELS; allowed: ${allowedModels.map((m) => m.id).join(', ')}`,
    );
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

  return {
    allowedModels,
    defaultModelId,
    guardrailId,
    guardrailVersion,
    upstreamTimeoutMs: positiveInt(env, 'UPSTREAM_TIMEOUT_MS', DEFAULTS.upstreamTimeoutMs),
    maxMessages: positiveInt(env, 'MAX_MESSAGES', DEFAULTS.maxMessages),
    maxTextChars: positiveInt(env, 'MAX_TEXT_CHARS', DEFAULTS.maxTextChars),
    maxTokensCap: positiveInt(env, 'MAX_TOKENS_CAP', DEFAULTS.maxTokensCap),
    serviceName: env.POWERTOOLS_SERVICE_NAME?.trim() || DEFAULTS.serviceName,
    metricsNamespace: env.POWERTOOLS_METRICS_NAMESPACE?.trim() || DEFAULTS.metricsNamespace,
  };
}
