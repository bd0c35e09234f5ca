import { DEFAULTS, ENVIRONMENT, parseConfig } from '../../lambda/invoke/config';
import { ALLOWED_MODELS, COHERE_EMBED, GUARDRAIL_ID, HAIKU, MODEL_ACCESS_PARAMETER, NOVA_LITE, SSM_ENDPOINT, TITAN_EMBED, invokerEnv } from './support/fixtures';

const models = (value: unknown, overrides: Record<string, string | undefined> = {}) => invokerEnv({ ALLOWED_MODELS: JSON.stringify(value), ...overrides });
const chat = (id: string) => ({ id, classifications: ['internal'], kind: 'chat' });
const embedding = (id: string) => ({ id, classifications: ['internal'], kind: 'embedding' });

describe('parseConfig', () => {
  test('reads a complete environment and applies defaults', () => {
    const config = parseConfig(invokerEnv({ POWERTOOLS_SERVICE_NAME: undefined, POWERTOOLS_METRICS_NAMESPACE: undefined }));

    expect({ ...config, allowedModels: undefined }).toEqual({
      allowedModels: undefined,
      defaultModelId: HAIKU,
      defaultEmbeddingModelId: TITAN_EMBED,
      guardrailId: GUARDRAIL_ID,
      guardrailVersion: '3',
      upstreamTimeoutMs: 20_000,
      maxMessages: 50,
      maxTextChars: 100_000,
      maxTokensCap: 4096,
      maxEmbedTexts: 96,
      modelAccessParameter: MODEL_ACCESS_PARAMETER,
      ssmEndpoint: SSM_ENDPOINT,
      serviceName: DEFAULTS.serviceName,
      metricsNamespace: DEFAULTS.metricsNamespace,
    });
    expect(config.allowedModels.map(({ id, classifications, kind }) => ({ id, classifications, kind }))).toEqual(ALLOWED_MODELS);
  });

  test('knows how to call each allowed embedding model, and calls no chat model that way', () => {
    const byId = Object.fromEntries(parseConfig(invokerEnv()).allowedModels.map((m) => [m.id, m.embedding?.name]));

    expect(byId).toEqual({ [HAIKU]: undefined, [NOVA_LITE]: undefined, [TITAN_EMBED]: 'Amazon Titan Text Embeddings V2', [COHERE_EMBED]: 'Cohere Embed v3' });
  });

  test.each([
    ['amazon.titan-embed-text-v2:0', 'Amazon Titan Text Embeddings V2'],
    ['cohere.embed-english-v3', 'Cohere Embed v3'],
    ['cohere.embed-v4:0', 'Cohere Embed v4'],
    ['eu.cohere.embed-v4:0', 'Cohere Embed v4'],
    ['arn:aws:bedrock:eu-central-1::foundation-model/amazon.titan-embed-text-v2:0', 'Amazon Titan Text Embeddings V2'],
    ['arn:aws-eu:bedrock:eu-central-1:111122223333:inference-profile/eu.cohere.embed-v4:0', 'Cohere Embed v4'],
  ])('calls %s as %s', (id, family) => {
    expect(parseConfig(models([chat(HAIKU), embedding(id)])).allowedModels[1].embedding?.name).toBe(family);
  });

  test('takes limits and Powertools names from the environment', () => {
    const config = parseConfig(
      invokerEnv({
        UPSTREAM_TIMEOUT_MS: '9000',
        MAX_MESSAGES: '10',
        MAX_TEXT_CHARS: '5000',
        MAX_TOKENS_CAP: '1024',
        MAX_EMBED_TEXTS: '16',
        POWERTOOLS_SERVICE_NAME: 'svc',
        POWERTOOLS_METRICS_NAMESPACE: 'Ns',
      }),
    );

    expect(config).toMatchObject({ upstreamTimeoutMs: 9000, maxMessages: 10, maxTextChars: 5000, maxTokensCap: 1024, maxEmbedTexts: 16, serviceName: 'svc', metricsNamespace: 'Ns' });
  });

  test('defaults POST /invoke to the first chat model when DEFAULT_MODEL_ID is unset', () => {
    const config = parseConfig(models([embedding(TITAN_EMBED), chat(NOVA_LITE), chat(HAIKU)], { DEFAULT_MODEL_ID: undefined }));

    expect(config).toMatchObject({ defaultModelId: NOVA_LITE, defaultEmbeddingModelId: TITAN_EMBED });
  });

  test('accepts an allowlist of embedding models only, with no default chat model', () => {
    const config = parseConfig(models([embedding(COHERE_EMBED)], { DEFAULT_MODEL_ID: undefined }));

    expect(config).toMatchObject({ defaultModelId: undefined, defaultEmbeddingModelId: COHERE_EMBED });
  });

  test('ENVIRONMENT lists every variable parseConfig reads, and nothing else', () => {
    const read = new Set<string>();
    const env = new Proxy(invokerEnv({ UPSTREAM_TIMEOUT_MS: '9000', MAX_EMBED_TEXTS: '8' }), {
      get(target, name: string) {
        read.add(name);
        return target[name];
      },
    });
    parseConfig(env);

    expect([...read].sort()).toEqual([...ENVIRONMENT].sort());
  });

  test('accepts a guardrail ARN in any partition', () => {
    const arn = 'arn:aws-eu:bedrock:eu-central-1:111122223333:guardrail/abc123';
    expect(parseConfig(invokerEnv({ GUARDRAIL_ID: arn })).guardrailId).toBe(arn);
  });

  test.each<[string, Record<string, string>, RegExp]>([
    ['ALLOWED_MODELS missing', invokerEnv({ ALLOWED_MODELS: undefined }), /^model invoker misconfigured: ALLOWED_MODELS is not set; the construct that deploys this function must set it$/],
    ['ALLOWED_MODELS not JSON', invokerEnv({ ALLOWED_MODELS: '[{id:' }), /ALLOWED_MODELS is not valid JSON; expected \[\{"id": "...", "classifications": \["internal"\], "kind": "chat"\}\]/],
    ['ALLOWED_MODELS empty', models([]), /ALLOWED_MODELS must be a non-empty JSON array/],
    ['ALLOWED_MODELS an object', models({ id: HAIKU }), /ALLOWED_MODELS must be a non-empty JSON array/],
    ['an entry that is not an object', models(['x']), /ALLOWED_MODELS\[0\] must be an object/],
    ['an entry with an unknown field', models([{ ...chat(HAIKU), region: 'x' }]), /ALLOWED_MODELS\[0\] has unknown field\(s\) region; allowed: id, classifications, kind$/],
    ['an entry without an id', models([{ classifications: ['public'], kind: 'chat' }]), /ALLOWED_MODELS\[0\]\.id must be a model or inference profile ID, got undefined/],
    ['a duplicated id', models([chat(HAIKU), { ...chat(HAIKU), classifications: ['public'] }]), /ALLOWED_MODELS\[1\]\.id .* is listed twice/],
    ['no classifications', models([{ ...chat(HAIKU), classifications: [] }]), /ALLOWED_MODELS\[0\]\.classifications must be a non-empty array of public\|internal\|confidential\|restricted/],
    ['an unknown classification', models([{ ...chat(HAIKU), classifications: ['secret'] }]), /ALLOWED_MODELS\[0\]\.classifications contains "secret"; allowed: public, internal, confidential, restricted/],
    [
      'an entry without a kind',
      models([chat(HAIKU), { id: TITAN_EMBED, classifications: ['public'] }]),
      /^model invoker misconfigured: ALLOWED_MODELS\[1\]\.kind must be chat or embedding \(model amazon\.titan-embed-text-v2:0\); it is missing$/,
    ],
    ['an unknown kind', models([{ ...chat(HAIKU), kind: 'image' }]), /^model invoker misconfigured: ALLOWED_MODELS\[0\]\.kind must be chat or embedding \(model anthropic\.claude-3-haiku-20240307-v1:0\); got "image"$/],
    [
      'an embedding model the invoker cannot call',
      models([chat(HAIKU), embedding('amazon.titan-embed-text-v1')]),
      /^model invoker misconfigured: ALLOWED_MODELS\[1\]: the invoker does not know how to call embedding model amazon\.titan-embed-text-v1; it calls amazon\.titan-embed-text-v2:0, cohere\.embed-english-v3, cohere\.embed-multilingual-v3, cohere\.embed-v4:0 \(or their cross-region profiles\)$/,
    ],
    [
      'an application inference profile as an embedding model',
      models([chat(HAIKU), embedding('arn:aws:bedrock:eu-central-1:111122223333:application-inference-profile/a1b2c3d4e5f6')]),
      /does not know how to call embedding model arn:aws:bedrock:eu-central-1:111122223333:application-inference-profile\/a1b2c3d4e5f6/,
    ],
    ['DEFAULT_MODEL_ID not allowed', invokerEnv({ DEFAULT_MODEL_ID: 'amazon.titan-text-express-v1' }), /DEFAULT_MODEL_ID amazon.titan-text-express-v1 is not on ALLOWED_MODELS; it is the model of POST \/invoke, one of: anthropic/],
    [
      'DEFAULT_MODEL_ID an embedding model',
      invokerEnv({ DEFAULT_MODEL_ID: TITAN_EMBED }),
      /^model invoker misconfigured: DEFAULT_MODEL_ID amazon\.titan-embed-text-v2:0 is not a chat model; it is the model of POST \/invoke, one of: anthropic\.claude-3-haiku-20240307-v1:0, amazon\.nova-lite-v1:0$/,
    ],
    [
      'DEFAULT_MODEL_ID with no chat model allowed',
      models([embedding(TITAN_EMBED)], { DEFAULT_MODEL_ID: TITAN_EMBED }),
      /DEFAULT_MODEL_ID amazon\.titan-embed-text-v2:0 is not a chat model; it is the model of POST \/invoke, one of: none \(leave it unset\)$/,
    ],
    ['GUARDRAIL_ID missing', invokerEnv({ GUARDRAIL_ID: '' }), /GUARDRAIL_ID is not set/],
    ['GUARDRAIL_ID malformed', invokerEnv({ GUARDRAIL_ID: 'My Guardrail' }), /GUARDRAIL_ID must be a guardrail ID or guardrail ARN, got "My Guardrail"/],
    ['GUARDRAIL_VERSION missing', invokerEnv({ GUARDRAIL_VERSION: undefined }), /GUARDRAIL_VERSION is not set/],
    ['GUARDRAIL_VERSION DRAFT', invokerEnv({ GUARDRAIL_VERSION: 'DRAFT' }), /GUARDRAIL_VERSION must be a published version number, got "DRAFT"; DRAFT is mutable and not accepted/],
    ['UPSTREAM_TIMEOUT_MS not a number', invokerEnv({ UPSTREAM_TIMEOUT_MS: 'soon' }), /UPSTREAM_TIMEOUT_MS must be a positive integer, got "soon" \(default 20000\)/],
    ['MAX_MESSAGES zero', invokerEnv({ MAX_MESSAGES: '0' }), /MAX_MESSAGES must be a positive integer, got "0"/],
    ['MAX_TEXT_CHARS negative', invokerEnv({ MAX_TEXT_CHARS: '-1' }), /MAX_TEXT_CHARS must be a positive integer, got "-1"/],
    ['MAX_TOKENS_CAP fractional', invokerEnv({ MAX_TOKENS_CAP: '1.5' }), /MAX_TOKENS_CAP must be a positive integer, got "1.5"/],
    ['MAX_EMBED_TEXTS above what one Cohere call takes', invokerEnv({ MAX_EMBED_TEXTS: '97' }), /^model invoker misconfigured: MAX_EMBED_TEXTS must be a positive integer from 1 to 96, got "97" \(default 96\)$/],
    // Without its kill switch the invoker could not be stopped without a deployment: no default.
    ['MODEL_ACCESS_PARAMETER missing', invokerEnv({ MODEL_ACCESS_PARAMETER: undefined }), /^model invoker misconfigured: MODEL_ACCESS_PARAMETER is not set; the construct that deploys this function must set it$/],
    ['MODEL_ACCESS_PARAMETER not a path', invokerEnv({ MODEL_ACCESS_PARAMETER: 'model-access' }), /^model invoker misconfigured: MODEL_ACCESS_PARAMETER must be an SSM parameter name such as \/private-ai\/prod\/model-access, got "model-access"$/],
    ['SSM_ENDPOINT missing', invokerEnv({ SSM_ENDPOINT: undefined }), /^model invoker misconfigured: SSM_ENDPOINT is not set/],
    ['SSM_ENDPOINT with a path', invokerEnv({ SSM_ENDPOINT: 'https://ssm.eu-central-1.amazonaws.com/x' }), /^model invoker misconfigured: SSM_ENDPOINT must be a URL such as https:\/\/ssm\.eu-central-1\.amazonaws\.com \(no path\), got "https:\/\/ssm\.eu-central-1\.amazonaws\.com\/x"$/],
  ])('refuses %s', (_name, env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });
});
