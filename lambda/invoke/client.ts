import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { InvokerConfig } from './config';

/**
 * The one Bedrock runtime client of an execution environment, reused across invocations.
 *
 * Endpoint, region and credentials come from the SDK's own resolution: inside the VPC the
 * endpoint's private DNS makes the default hostname private, and tests point the SDK at a local
 * server with its standard `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` variable. Retries are the SDK's
 * adaptive mode (client-side rate limiting once Bedrock throttles), three attempts at most.
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
    retryMode: 'adaptive',
    maxAttempts: 3,
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
