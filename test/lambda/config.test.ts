import { DEFAULTS, parseConfig } from '../../lambda/invoke/config';
import { ALLOWED_MODELS, GUARDRAIL_ID, HAIKU, invokerEnv } from './support/fixtures';

const models = (value: unknown) => invokerEnv({ ALLOWED_MODELS: JSON.stringify(value) });

describe('parseConfig', () => {
  test('reads a complete environment and applies defaults', () => {
    expect(parseConfig(invokerEnv({ POWERTOOLS_SERVICE_NAME: undefined, POWERTOOLS_METRICS_NAMESPACE: undefined }))).toEqual({
      allowedModels: ALLOWED_MODELS,
      defaultModelId: HAIKU,
      guardrailId: GUARDRAIL_ID,
      guardrailVersion: '3',
      upstreamTimeoutMs: 20_000,
      maxMessages: 50,
      maxTextChars: 100_000,
      maxTokensCap: 4096,
      serviceName: DEFAULTS.serviceName,
      metricsNamespace: DEFAULTS.metricsNamespace,
    });
  });

  test('takes limits and Powertools names from the environment', () => {
    const config = parseConfig(
      invokerEnv({ UPSTREAM_TIMEOUT_MS: '9000', MAX_MESSAGES: '10', MAX_TEXT_CHARS: '5000', MAX_TOKENS_CAP: '1024', POWERTOOLS_SERVICE_NAME: 'svc', POWERTOOLS_METRICS_NAMESPACE: 'Ns' }),
    );

    expect(config).toMatchObject({ upstreamTimeoutMs: 9000, maxMessages: 10, maxTextChars: 5000, maxTokensCap: 1024, serviceName: 'svc', metricsNamespace: 'Ns' });
  });

  test('accepts a guardrail ARN in any partition', () => {
    const arn = 'arn:aws-eu:bedrock:eu-central-1:111122223333:guardrail/abc123';
    expect(parseConfig(invokerEnv({ GUARDRAIL_ID: arn })).guardrailId).toBe(arn);
  });

  test.each<[string, Record<string, string>, RegExp]>([
    ['ALLOWED_MODELS missing', invokerEnv({ ALLOWED_MODELS: undefined }), /^model invoker misconfigured: ALLOWED_MODELS is not set; the construct that deploys this function must set it$/],
    ['ALLOWED_MODELS not JSON', invokerEnv({ ALLOWED_MODELS: '[{id:' }), /ALLOWED_MODELS is not valid JSON; expected \[\{"id"/],
    ['ALLOWED_MODELS empty', models([]), /ALLOWED_MODELS must be a non-empty JSON array/],
    ['ALLOWED_MODELS an object', models({ id: HAIKU }), /ALLOWED_MODELS must be a non-empty JSON array/],
    ['an entry that is not an object', models(['x']), /ALLOWED_MODELS\[0\] must be an object/],
    ['an entry with an unknown field', models([{ id: HAIKU, classifications: ['public'], region: 'x' }]), /ALLOWED_MODELS\[0\] has unknown field\(s\) region; allowed: id, classifications/],
    ['an entry without an id', models([{ classifications: ['public'] }]), /ALLOWED_MODELS\[0\]\.id must be a model or inference profile ID, got undefined/],
    ['a duplicated id', models([{ id: HAIKU, classifications: ['public'] }, { id: HAIKU, classifications: ['internal'] }]), /ALLOWED_MODELS\[1\]\.id .* is listed twice/],
    ['no classifications', models([{ id: HAIKU, classifications: [] }]), /ALLOWED_MODELS\[0\]\.classifications must be a non-empty array of public\|internal\|confidential\|restricted/],
    ['an unknown classification', models([{ id: HAIKU, classifications: ['secret'] }]), /ALLOWED_MODELS\[0\]\.classifications contains "secret"; allowed: public, internal, confidential, restricted/],
    ['DEFAULT_MODEL_ID missing', invokerEnv({ DEFAULT_MODEL_ID: undefined }), /DEFAULT_MODEL_ID is not set/],
    ['DEFAULT_MODEL_ID not allowed', invokerEnv({ DEFAULT_MODEL_ID: 'amazon.titan-text-express-v1' }), /DEFAULT_MODEL_ID amazon.titan-text-express-v1 is not on ALLOWED_MODELS; allowed: anthropic/],
    ['GUARDRAIL_ID missing', invokerEnv({ GUARDRAIL_ID: '' }), /GUARDRAIL_ID is not set/],
    ['GUARDRAIL_ID malformed', invokerEnv({ GUARDRAIL_ID: 'My Guardrail' }), /GUARDRAIL_ID must be a guardrail ID or guardrail ARN, got "My Guardrail"/],
    ['GUARDRAIL_VERSION missing', invokerEnv({ GUARDRAIL_VERSION: undefined }), /GUARDRAIL_VERSION is not set/],
    ['GUARDRAIL_VERSION DRAFT', invokerEnv({ GUARDRAIL_VERSION: 'DRAFT' }), /GUARDRAIL_VERSION must be a published version number, got "DRAFT"; DRAFT is mutable and not accepted/],
    ['UPSTREAM_TIMEOUT_MS not a number', invokerEnv({ UPSTREAM_TIMEOUT_MS: 'soon' }), /UPSTREAM_TIMEOUT_MS must be a positive integer, got "soon" \(default 20000\)/],
    ['MAX_MESSAGES zero', invokerEnv({ MAX_MESSAGES: '0' }), /MAX_MESSAGES must be a positive integer, got "0"/],
    ['MAX_TEXT_CHARS negative', invokerEnv({ MAX_TEXT_CHARS: '-1' }), /MAX_TEXT_CHARS must be a positive integer, got "-1"/],
    ['MAX_TOKENS_CAP fractional', invokerEnv({ MAX_TOKENS_CAP: '1.5' }), /MAX_TOKENS_CAP must be a positive integer, got "1.5"/],
  ])('refuses %s', (_name, env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });
});
