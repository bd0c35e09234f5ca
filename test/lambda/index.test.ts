import { createBedrockClient } from '../../lambda/invoke/client';
import { invokerEnv } from './support/fixtures';

describe('entry point', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function load(env: Record<string, string>): { handler: unknown } {
    process.env = { ...saved, ...env };
    let mod: { handler: unknown } | undefined;
    jest.isolateModules(() => {
      mod = jest.requireActual<{ handler: unknown }>('../../lambda/invoke');
    });
    return mod!;
  }

  test('exports a handler built from the environment', () => {
    expect(typeof load(invokerEnv()).handler).toBe('function');
  });

  test('fails at init, naming the variable, when misconfigured', () => {
    expect(() => load(invokerEnv({ GUARDRAIL_VERSION: 'DRAFT' }))).toThrow(/^model invoker misconfigured: GUARDRAIL_VERSION/);
  });
});

describe('createBedrockClient', () => {
  test('uses adaptive retries with three attempts at most', async () => {
    const client = createBedrockClient({ upstreamTimeoutMs: 1234 });

    expect(await client.config.maxAttempts()).toBe(3);
    const strategy = (await client.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe('adaptive');
    client.destroy();
  });
});
