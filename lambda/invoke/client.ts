import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { InvokerConfig } from './config';

/**
 * The one Bedrock runtime client of an execution environment, reused across invocations.
 *
 * Endpoint, region and credentials come from the SDK's own resolution: inside the VPC the
 * endpoint's private DNS makes the default hostname private, and tests point the SDK at a local
 * server with its standard `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` variable.
 *
 * Retries are the SDK's standard mode with two attempts: one retry, after a jittered wait of at
 * most a second for throttling (SDK 3.1164), so a throttled request fails fast with a 429 the
 * caller can back off from. Measured against the local server answering every call with 429
 * (test/lambda/retry.test.ts keeps the standard/2 figures honest):
 *
 *   mode/attempts  throttled request  next healthy request  5 throttled in a row
 *   adaptive/3     2.3-4.0 s          1.8-2.0 s             28.6 s
 *   standard/3     1.3-2.4 s          5 ms                  7.1-10.3 s
 *   standard/2     0.26-0.82 s        3 ms                  2.3-3.4 s
 *   standard/1     8 ms               2 ms                  15 ms
 *
 * Adaptive mode (the previous choice) rate-limits the client after a throttle: its token bucket
 * makes every later request of the execution environment, to any model, wait ~2 s for a send
 * token, and a run of throttled requests spends ~6 s each, a quarter of the request budget,
 * sleeping in the SDK where the invoker's deadline cannot interrupt it. Lambda already bounds the
 * rate (reserved concurrency, API throttling), so client-side rate limiting only moved the wait
 * onto requests that were not throttled. One retry still absorbs a single throttle or a transient
 * 5xx or reset connection; no retry at all would turn every momentary blip into an error.
 *
 * The handler is set explicitly because this client's default is HTTP/2 (NodeHttp2Handler, for
 * the bidirectional streaming operations), which ignores agent, connection and socket settings.
 * Converse needs none of HTTP/2, and a Lambda environment sends one request at a time, so
 * HTTP/1.1 over one kept-alive TLS connection gives the same reuse with timeouts that all apply.
 */
export function createBedrockClient(config: Pick<InvokerConfig, 'upstreamTimeoutMs'>): BedrockRuntimeClient {
  const timeout = config.upstreamTimeoutMs;
  const agent = { keepAlive: true, maxSockets: 50 };
  return new BedrockRuntimeClient({
    retryMode: 'standard',
    maxAttempts: 2,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: timeout,
      socketTimeout: timeout,
      requestTimeout: timeout,
      // Without this the SDK only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
      httpsAgent: agent,
      // Plain HTTP is only ever a local test endpoint; kept alive too so tests and benchmarks see the same reuse.
      httpAgent: agent,
    }),
  });
}
