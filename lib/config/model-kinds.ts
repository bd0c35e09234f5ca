import { parseModelId } from './model-ids';

/**
 * What a Bedrock model serves: `chat` models answer the Converse API; `embedding` models do not
 * serve Converse and take InvokeModel with a model-specific body. Inferred from the model ID by
 * the providers' naming; a model the rules do not recognise must be given a kind in the config.
 */
export const MODEL_KINDS = ['chat', 'embedding'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Foundation-model ID prefixes of embedding models (Amazon Titan and Nova embeddings, Cohere Embed, TwelveLabs Marengo). */
const EMBEDDING_PREFIXES = ['amazon.titan-embed-', 'amazon.nova-2-multimodal-embeddings', 'cohere.embed-', 'twelvelabs.marengo-embed'];

/** Foundation-model ID prefixes of models that serve Converse. */
const CHAT_PREFIXES = [
  'anthropic.',
  'amazon.nova-',
  'amazon.titan-text-',
  'meta.',
  'mistral.',
  'cohere.command',
  'ai21.',
  'deepseek.',
  'openai.',
  'qwen.',
  'writer.',
  'google.',
  'moonshot.',
  'minimax.',
];

/** The kind of an allowlisted model: the configured one, else the one its ID says (the config refuses a model with neither). */
export function modelKindOf(model: { readonly id: string; readonly kind?: ModelKind }): ModelKind {
  const kind = model.kind ?? inferModelKind(model.id);
  if (!kind) throw new Error(`the kind of model ${model.id} is neither configured nor known from its ID; set aws.models[].kind to ${MODEL_KINDS.join(' or ')}`);
  return kind;
}

/** The kind of a model (or of the foundation model behind an inference profile), or undefined when the ID does not say. */
export function inferModelKind(id: string): ModelKind | undefined {
  const model = parseModelId(id).foundationModelId;
  if (EMBEDDING_PREFIXES.some((p) => model.startsWith(p))) return 'embedding';
  if (CHAT_PREFIXES.some((p) => model.startsWith(p))) return 'chat';
  return undefined;
}
