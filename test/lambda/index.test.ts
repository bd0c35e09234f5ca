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
  test('uses standard retries with two attempts at most (see client.ts for why)', async () => {
    const client = createBedrockClient({ upstreamTimeoutMs: 1234 });

    expect(await client.config.maxAttempts()).toBe(2);
    const strategy = (await client.config.retryStrategy()) as { mode?: string };
    expect(strategy.mode).toBe('standard');
    client.destroy();
  });
});
