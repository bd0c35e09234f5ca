/**
 * Request validation: API Gateway proxy event in, a Converse-ready request (POST /invoke) or an
 * embedding request (POST /embed) out, or a 400 whose message names the field and what is allowed.
 *
 * Hand-written rather than a schema library, because of bundle size (the budget and the current
 * figure are bench/run.ts's target and bench/results.json). All of lambda/invoke is ~23 KB (this
 * file ~6.5 KB); zod/mini adds ~17 KB for the same schema while saving at most ~4 KB here, and
 * full zod ~90 KB. Writing it out also lets every message name the exact path
 * (`messages[2].content[0].text`) and the allowed values, and stop at the first error without
 * walking huge arrays.
 */
import { Buffer } from 'node:buffer';
import { CLASSIFICATIONS, Classification, InvokerConfig, ModelKind, isClassification, type AllowedModel } from './config';
import { EMBEDDING_DIMENSIONS, EmbeddingDimensions, EmbeddingFamily } from './embeddings';
import { modelNotAllowed, validationError } from './errors';

export interface TextBlock {
  readonly text: string;
}

export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: TextBlock[];
}

/**
 * A request that passed every rule; `system` is normalised to blocks. Arrays are fresh copies
 * built by the validator (never the caller's objects), handed to the SDK as they are.
 */
export interface InvocationRequest {
  readonly modelId: string;
  readonly messages: ChatMessage[];
  readonly system?: TextBlock[];
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly dataClassification: Classification;
}

/** A POST /embed that passed every rule. */
export interface EmbeddingRequest {
  readonly modelId: string;
  readonly family: EmbeddingFamily;
  /** The caller's texts, in order; a single string becomes one text. */
  readonly texts: string[];
  readonly dimensions?: EmbeddingDimensions;
  readonly dataClassification: Classification;
}

/** What the audit record may say about a request even when it is rejected. */
export interface RequestFacts {
  modelId?: string;
  dataClassification?: Classification;
}

/** The parts of an API Gateway proxy event the validator reads; typed loosely because callers control them. */
export interface ProxyEventLike {
  readonly body?: unknown;
  readonly isBase64Encoded?: unknown;
  readonly headers?: unknown;
  readonly multiValueHeaders?: unknown;
}

export const CLASSIFICATION_HEADER = 'x-data-classification';
const INVOKE_FIELDS = ['modelId', 'messages', 'system', 'maxTokens', 'temperature', 'dataClassification'];
const EMBED_FIELDS = ['modelId', 'input', 'dimensions', 'dataClassification'];
/** The route that serves each kind of model. */
export const ROUTES: Readonly<Record<ModelKind, string>> = { chat: '/invoke', embedding: '/embed' };
const ONE_OF_CLASSIFICATIONS = `one of ${CLASSIFICATIONS.join(', ')}`;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Quotes caller input for an error message, cut short so a huge value cannot bloat the reply. */
function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
}

function rejectUnknownFields(path: string, value: Json, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw validationError(`${path}: unknown field ${quote(key)}; allowed: ${allowed.join(', ')}`);
    }
  }
}

function headerValues(event: ProxyEventLike, name: string): string[] {
  // REST API proxy events carry both maps; the multi-value one keeps every copy of a repeated header.
  const sources: unknown[] = [event.multiValueHeaders, event.headers];
  for (const source of sources) {
    if (!isObject(source)) {
      continue;
    }
    const values: string[] = [];
    for (const [key, value] of Object.entries(source)) {
      if (key.toLowerCase() !== name) {
        continue;
      }
      for (const v of Array.isArray(value) ? value : [value]) {
        if (typeof v === 'string') {
          values.push(v);
        }
      }
    }
    if (values.length > 0) {
      return values;
    }
  }
  return [];
}

function parseBody(event: ProxyEventLike, config: InvokerConfig, fields: readonly string[]): Json {
  const shape = `a JSON object with ${fields.join(', ')}`;
  if (typeof event.body !== 'string' || event.body.length === 0) {
    throw validationError(`body: required; send ${shape}`);
  }
  const raw = event.isBase64Encoded === true ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  // Bounds JSON.parse work before any field is looked at: room for every allowed text character
  // written as a \uXXXX escape, plus the structure around it.
  const maxBodyChars = config.maxTextChars * 6 + 65_536;
  if (raw.length > maxBodyChars) {
    throw validationError(`body: ${raw.length} characters is too large; at most ${maxBodyChars} allowed`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw validationError(`body: not valid JSON; send ${shape}`);
  }
  if (!isObject(parsed)) {
    throw validationError(`body: must be ${shape}`);
  }
  rejectUnknownFields('body', parsed, fields);
  return parsed;
}

function parseClassification(event: ProxyEventLike, body: Json): Classification {
  const fromHeaders = [...new Set(headerValues(event, CLASSIFICATION_HEADER).map((v) => v.trim().toLowerCase()))];
  if (fromHeaders.length > 1) {
    throw validationError(`${CLASSIFICATION_HEADER}: sent more than once with different values; send exactly one of ${CLASSIFICATIONS.join(', ')}`);
  }
  const header = fromHeaders[0];
  if (header !== undefined && !isClassification(header)) {
    throw validationError(`${CLASSIFICATION_HEADER}: must be ${ONE_OF_CLASSIFICATIONS}`);
  }

  let field: Classification | undefined;
  if ('dataClassification' in body) {
    const value = typeof body.dataClassification === 'string' ? body.dataClassification.trim().toLowerCase() : undefined;
    if (!isClassification(value)) {
      throw validationError(`dataClassification: must be ${ONE_OF_CLASSIFICATIONS}`);
    }
    field = value;
  }

  if (header !== undefined && field !== undefined && header !== field) {
    throw validationError(
      `dataClassification: header ${CLASSIFICATION_HEADER} says ${header} but body field dataClassification says ${field}; send one, or the same value in both`,
    );
  }
  const classification = header ?? field;
  if (classification === undefined) {
    throw validationError(
      `dataClassification: required; set header ${CLASSIFICATION_HEADER} or body field dataClassification to ${ONE_OF_CLASSIFICATIONS}`,
    );
  }
  return classification;
}

function parseModelId(body: Json, kind: ModelKind, classification: Classification, config: InvokerConfig, facts: RequestFacts): AllowedModel {
  const route = ROUTES[kind];
  const fallback = kind === 'chat' ? config.defaultModelId : config.defaultEmbeddingModelId;
  const modelId = 'modelId' in body ? body.modelId : fallback;
  const sameKind = config.allowedModels.filter((m) => m.kind === kind);
  if (modelId === undefined) {
    throw validationError(`modelId: no ${kind} model is allowed, so POST ${route} has nothing to call`);
  }
  if (typeof modelId !== 'string' || modelId.length === 0 || modelId.length > 256) {
    throw validationError('modelId: must be a non-empty string of at most 256 characters, or omitted for the default model');
  }
  facts.modelId = modelId;
  const model = config.allowedModels.find((m) => m.id === modelId);
  if (!model) {
    throw modelNotAllowed(`modelId: ${quote(modelId)} is not allowed; allowed on POST ${route}: ${sameKind.map((m) => m.id).join(', ') || 'none'}`);
  }
  if (model.kind !== kind) {
    throw validationError(`modelId: ${quote(modelId)} is ${model.kind === 'chat' ? 'a chat' : 'an embedding'} model; send it to POST ${ROUTES[model.kind]}`);
  }
  if (!model.classifications.includes(classification)) {
    const cleared = sameKind.filter((m) => m.classifications.includes(classification)).map((m) => m.id);
    throw validationError(
      `modelId: ${quote(modelId)} is not allowed for ${classification} data; allowed for ${classification}: ${cleared.join(', ') || 'none'}`,
    );
  }
  return model;
}

/** Counts text against the shared budget so one huge block fails before the rest are read. */
class TextBudget {
  private used = 0;
  constructor(
    private readonly max: number,
    private readonly what: string,
  ) {}

  spend(path: string, chars: number): void {
    this.used += chars;
    if (this.used > this.max) {
      throw validationError(`${path}: total text ${this.what} exceeds ${this.max} characters`);
    }
  }
}

// Text that renders as nothing: whitespace, format characters (zero-width space, word joiner,
// byte-order mark, bidi controls), other default-ignorable code points (variation selectors,
// Hangul fillers, tag characters), control characters, and the blank Braille pattern.
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cf}\p{Cc}\u2800]*$/u;

/** Whether a string has nothing a person could see: empty, or only whitespace and invisible characters. */
function isBlank(value: string): boolean {
  return INVISIBLE_ONLY.test(value);
}

function parseTextBlocks(path: string, value: unknown, budget: TextBudget): TextBlock[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw validationError(`${path}: must be a non-empty array of {text} objects`);
  }
  return value.map((block: unknown, i: number) => {
    const where = `${path}[${i}]`;
    if (!isObject(block)) {
      throw validationError(`${where}: must be an object {text}`);
    }
    rejectUnknownFields(where, block, ['text']);
    return { text: parseText(`${where}.text`, block.text, budget) };
  });
}

function parseText(path: string, value: unknown, budget: TextBudget): string {
  // Bedrock rejects blank text blocks, and invisible-only text would still be billed, screened and
  // answered as if it said something; failing here gives the caller a 400 that names the block.
  if (typeof value !== 'string' || isBlank(value)) {
    throw validationError(`${path}: must be a non-blank string (whitespace and invisible characters such as U+200B do not count)`);
  }
  budget.spend(path, value.length);
  return value;
}

function parseMessages(body: Json, config: InvokerConfig, budget: TextBudget): ChatMessage[] {
  const value = body.messages;
  const allowed = `an array of 1 to ${config.maxMessages} {role, content} objects`;
  if (!Array.isArray(value)) {
    throw validationError(`messages: required; must be ${allowed}`);
  }
  if (value.length === 0 || value.length > config.maxMessages) {
    throw validationError(`messages: has ${value.length} entries; must be ${allowed}`);
  }
  return value.map((message: unknown, i: number): ChatMessage => {
    const where = `messages[${i}]`;
    if (!isObject(message)) {
      throw validationError(`${where}: must be an object {role, content}`);
    }
    rejectUnknownFields(where, message, ['role', 'content']);
    const { role } = message;
    if (role !== 'user' && role !== 'assistant') {
      throw validationError(`${where}.role: must be "user" or "assistant"`);
    }
    // Converse itself insists on both rules; checking here turns its upstream error into a 400.
    const expected = i % 2 === 0 ? 'user' : 'assistant';
    if (role !== expected) {
      throw validationError(`${where}.role: must be "${expected}"; conversations start with "user" and alternate`);
    }
    return { role, content: parseTextBlocks(`${where}.content`, message.content, budget) };
  });
}

function parseSystem(body: Json, budget: TextBudget): TextBlock[] | undefined {
  if (!('system' in body)) {
    return undefined;
  }
  if (typeof body.system === 'string') {
    return [{ text: parseText('system', body.system, budget) }];
  }
  if (!Array.isArray(body.system)) {
    throw validationError('system: must be a non-blank string or a non-empty array of {text} objects');
  }
  return parseTextBlocks('system', body.system, budget);
}

function parseMaxTokens(body: Json, config: InvokerConfig): number {
  if (!('maxTokens' in body)) {
    // Always sent, so the cap holds even when the model's own default is larger.
    return config.maxTokensCap;
  }
  const value = body.maxTokens;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > config.maxTokensCap) {
    throw validationError(`maxTokens: must be an integer from 1 to ${config.maxTokensCap}`);
  }
  return value;
}

function parseTemperature(body: Json): number | undefined {
  if (!('temperature' in body)) {
    return undefined;
  }
  const value = body.temperature;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw validationError('temperature: must be a number from 0 to 1');
  }
  return value;
}

/**
 * Validates a proxy event against the invoker's rules. Throws an InvokerError (400) on the first
 * rule broken; records in `facts` what the audit may say about the request along the way.
 */
export function parseRequest(event: ProxyEventLike, config: InvokerConfig, facts: RequestFacts = {}): InvocationRequest {
  const body = parseBody(event, config, INVOKE_FIELDS);
  const dataClassification = parseClassification(event, body);
  facts.dataClassification = dataClassification;
  const modelId = parseModelId(body, 'chat', dataClassification, config, facts).id;
  const budget = new TextBudget(config.maxTextChars, 'in system and messages');
  const system = parseSystem(body, budget);
  const messages = parseMessages(body, config, budget);
  const maxTokens = parseMaxTokens(body, config);
  const temperature = parseTemperature(body);
  return { modelId, messages, system, maxTokens, temperature, dataClassification };
}

function parseInput(body: Json, family: EmbeddingFamily, modelId: string, config: InvokerConfig): string[] {
  const allowed = `a non-blank string or an array of 1 to ${config.maxEmbedTexts} non-blank strings`;
  if (!('input' in body)) {
    throw validationError(`input: required; must be ${allowed}`);
  }
  const single = typeof body.input === 'string';
  const values: unknown[] = single ? [body.input] : Array.isArray(body.input) ? body.input : [];
  if (!single && !Array.isArray(body.input)) {
    throw validationError(`input: must be ${allowed}`);
  }
  if (values.length === 0 || values.length > config.maxEmbedTexts) {
    throw validationError(`input: has ${values.length} entries; must be ${allowed}`);
  }
  const budget = new TextBudget(config.maxTextChars, 'in input');
  return values.map((value, i) => {
    const where = single ? 'input' : `input[${i}]`;
    const text = parseText(where, value, budget);
    // The model would refuse it upstream (a 502 the caller cannot act on); say so here instead.
    if (text.length > family.maxCharsPerText) {
      throw validationError(`${where}: ${text.length} characters is more than ${modelId} (${family.name}) takes; at most ${family.maxCharsPerText} per text`);
    }
    return text;
  });
}

function parseDimensions(body: Json, family: EmbeddingFamily, modelId: string): EmbeddingDimensions | undefined {
  if (!('dimensions' in body)) {
    return undefined;
  }
  const value = body.dimensions;
  if (!(EMBEDDING_DIMENSIONS as readonly unknown[]).includes(value)) {
    throw validationError(`dimensions: must be one of ${EMBEDDING_DIMENSIONS.join(', ')}, or omitted for the model's default`);
  }
  const dimensions = value as EmbeddingDimensions;
  if (!family.dimensions.includes(dimensions)) {
    throw validationError(`dimensions: ${modelId} (${family.name}) answers ${family.dimensions.join(' or ')} dimensions, not ${dimensions}`);
  }
  return dimensions;
}

/**
 * Validates a POST /embed against the invoker's rules, as parseRequest does for POST /invoke:
 * the same body, classification and model checks, then the texts and the dimensions.
 */
export function parseEmbeddingRequest(event: ProxyEventLike, config: InvokerConfig, facts: RequestFacts = {}): EmbeddingRequest {
  const body = parseBody(event, config, EMBED_FIELDS);
  const dataClassification = parseClassification(event, body);
  facts.dataClassification = dataClassification;
  const model = parseModelId(body, 'embedding', dataClassification, config, facts);
  // The config refuses an embedding model without a family, so this only guards the types.
  const family = model.embedding as EmbeddingFamily;
  const texts = parseInput(body, family, model.id, config);
  const dimensions = parseDimensions(body, family, model.id);
  return { modelId: model.id, family, texts, dimensions, dataClassification };
}
