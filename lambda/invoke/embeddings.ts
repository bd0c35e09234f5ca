/**
 * How to call each embedding model the invoker knows: the InvokeModel body its provider
 * documents, and how to read the reply. Embedding models do not serve Converse, and each family
 * has its own body, limits and reply shape, so a model that matches no family here cannot be
 * called correctly; the config refuses it at cold start instead of failing every request.
 */

/** `dimensions` values the API accepts; each family supports some of them. */
export const EMBEDDING_DIMENSIONS = [256, 512, 1024] as const;
export type EmbeddingDimensions = (typeof EMBEDDING_DIMENSIONS)[number];

/** What one InvokeModel call returned, read and checked. */
export interface EmbeddingReply {
  readonly embeddings: number[][];
  /** From the reply body when the family reports it there. */
  readonly inputTokens?: number;
}

/** One family of embedding models: its documented request body, limits and reply shape. */
export interface EmbeddingFamily {
  readonly name: string;
  /** Texts one InvokeModel call takes. */
  readonly textsPerCall: number;
  /** Characters the model takes in one text. */
  readonly maxCharsPerText: number;
  /** The `dimensions` values it supports (it uses its own default when none is asked for). */
  readonly dimensions: readonly EmbeddingDimensions[];
  body(texts: readonly string[], dimensions: EmbeddingDimensions | undefined): Record<string, unknown>;
  /** Reads a reply for `count` texts; throws an Error naming what is missing or wrong. */
  read(reply: unknown, count: number): EmbeddingReply;
}

type Loose = Record<string, unknown>;

function isVector(value: unknown): value is number[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number' && Number.isFinite(v));
}

function vectors(value: unknown, count: number, where: string): number[][] {
  if (!Array.isArray(value) || value.length !== count || !value.every(isVector)) {
    throw new Error(where);
  }
  return value;
}

/**
 * Amazon Titan Text Embeddings V2: one text per call, `{ inputText, dimensions, normalize }` in,
 * `{ embedding, inputTextTokenCount }` out; up to 50,000 characters (8,192 tokens) per text.
 */
const TITAN_TEXT_V2: EmbeddingFamily = {
  name: 'Amazon Titan Text Embeddings V2',
  textsPerCall: 1,
  maxCharsPerText: 50_000,
  dimensions: [256, 512, 1024],
  body: ([inputText], dimensions) => ({ inputText, dimensions, normalize: true }),
  read(reply, count) {
    const { embedding, inputTextTokenCount } = (typeof reply === 'object' && reply !== null ? reply : {}) as Loose;
    return {
      embeddings: vectors([embedding], count, 'embedding'),
      inputTokens: typeof inputTextTokenCount === 'number' ? inputTextTokenCount : undefined,
    };
  },
};

/**
 * Cohere Embed: up to 96 texts per call, `{ texts, input_type, embedding_types }` in,
 * `{ embeddings: { float } }` out (`embeddings` is the bare list when no types are asked for).
 * The body reports no token count; Bedrock's InvokeModel reply headers do.
 */
function cohere(name: string, maxCharsPerText: number, dimensions: readonly EmbeddingDimensions[], dimensionField?: string): EmbeddingFamily {
  return {
    name,
    textsPerCall: 96,
    maxCharsPerText,
    dimensions,
    body: (texts, requested) => ({
      texts,
      input_type: 'search_document',
      embedding_types: ['float'],
      ...(dimensionField && requested !== undefined ? { [dimensionField]: requested } : {}),
    }),
    read(reply, count) {
      const { embeddings } = (typeof reply === 'object' && reply !== null ? reply : {}) as Loose;
      const floats = Array.isArray(embeddings) ? embeddings : (embeddings as Loose | undefined)?.float;
      return { embeddings: vectors(floats, count, 'embeddings') };
    },
  };
}

// Embed v3 answers 1024 values per text and takes at most 2,048 characters per text; Embed v4
// takes long inputs (~128k tokens) and sets its size with `output_dimension`.
const COHERE_V3 = cohere('Cohere Embed v3', 2048, [1024]);
const COHERE_V4 = cohere('Cohere Embed v4', Number.POSITIVE_INFINITY, [256, 512, 1024], 'output_dimension');

const FAMILIES: ReadonlyArray<readonly [RegExp, EmbeddingFamily]> = [
  [/^amazon\.titan-embed-text-v2:\d+$/, TITAN_TEXT_V2],
  [/^cohere\.embed-(?:english|multilingual)-v3(?::\d+)?$/, COHERE_V3],
  [/^cohere\.embed-v4(?::\d+)?$/, COHERE_V4],
];

// Cross-region inference profile prefixes: `eu.cohere.embed-v4:0` calls `cohere.embed-v4:0`.
const PROFILE_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\.(?=[^.]+\..)/;

/**
 * The foundation model behind a model ID: the ID itself, a cross-region profile ID without its
 * geography prefix, or the resource name of a foundation-model or inference-profile ARN.
 * Application inference profiles have opaque IDs and say nothing about their model.
 */
function foundationModelOf(id: string): string {
  const resource = /^arn:[^:]+:bedrock:[^:]*:[^:]*:(?:foundation-model|inference-profile)\/(.+)$/.exec(id)?.[1] ?? id;
  return resource.replace(PROFILE_PREFIX, '');
}

/** The family that knows how to call an embedding model, or undefined when none does. */
export function embeddingFamilyOf(id: string): EmbeddingFamily | undefined {
  const model = foundationModelOf(id);
  return FAMILIES.find(([pattern]) => pattern.test(model))?.[1];
}

/** Families the invoker can call, for error messages. */
export const KNOWN_EMBEDDING_MODELS = 'amazon.titan-embed-text-v2:0, cohere.embed-english-v3, cohere.embed-multilingual-v3, cohere.embed-v4:0 (or their cross-region profiles)';
