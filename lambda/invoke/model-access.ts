/**
 * The kill switch as the invoker reads it: an SSM String parameter whose value is `open` or
 * `suspended`, cached by Powertools Parameters for a short while, so an operator's
 * `aws ssm put-parameter ... --value suspended --overwrite` reaches every execution environment
 * within the cache's maximum age, without a deployment.
 *
 * Why not Powertools' SSMProvider with @aws-sdk/client-ssm: the SSM client registers every one of
 * SSM's ~150 error types and their schemas at load, which tree shaking cannot remove; it took the
 * bundle from 258 KB to 354 KB, past the 300 KB budget (test/lambda/e2e.test.ts, bench/). The one
 * call the invoker makes, GetParameter, is a signed JSON POST, sent here with the SDK's own
 * parts the bundle already holds (SigV4 signer, HTTP handler, the Bedrock client's credentials);
 * the caching is Powertools' BaseProvider, the same code SSMProvider caches with.
 */
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler, streamCollector } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider, ChecksumConstructor, HashConstructor, Provider } from '@smithy/types';
import { MODEL_ACCESS_MAX_AGE_SECONDS } from './config';

export { MODEL_ACCESS_MAX_AGE_SECONDS, MODEL_ACCESS_VALUES } from './config';

/**
 * Reads the switch's current value, cached: undefined when the parameter has no value. Throws
 * when it cannot be read; the handler then refuses the request (fail closed).
 */
export type ModelAccessReader = () => Promise<string | undefined>;

/**
 * A stalled read must not hold the request for the whole upstream budget: a second to connect and
 * two to answer (the handler's request deadline bounds the total as well).
 */
const SSM_TIMEOUTS = { connectionTimeout: 1000, requestTimeout: 2000 } as const;

/** Fetches a parameter's value from SSM, uncached; the provider below caches it. */
export type ParameterFetch = (name: string) => Promise<string | undefined>;

/** How to reach SSM and sign for it. */
export interface SsmSigning {
  /** SSM's endpoint URL, e.g. `https://ssm.eu-central-1.amazonaws.com` (the construct sets it). */
  readonly endpoint: string;
  readonly region: string | Provider<string>;
  /** The function's credentials: the Bedrock client's, so both share one resolved identity. */
  readonly credentials: AwsCredentialIdentityProvider;
  readonly sha256: ChecksumConstructor | HashConstructor;
}

/** An SSM error as the JSON protocol reports it: `__type` (possibly `<namespace>#<name>`) or the x-amzn-errortype header. */
function ssmError(status: number, headers: Record<string, string>, text: string): Error {
  let type = headers['x-amzn-errortype'];
  try {
    const body = JSON.parse(text) as { __type?: unknown };
    if (typeof body.__type === 'string') type = body.__type;
  } catch {
    // Not JSON (a proxy's page, a truncated body): the status says enough.
  }
  const name = (type ?? `HTTP${status}`).split(':')[0].split('#').pop()!;
  return Object.assign(new Error(`SSM GetParameter failed with HTTP ${status}`), { name: name || `HTTP${status}`, $metadata: { httpStatusCode: status } });
}

/** Whether a failed read is worth one immediate retry: a dropped connection, SSM's 5xx or its throttling. */
function transient(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  const status = e?.$metadata?.httpStatusCode;
  if (typeof status === 'number') return status >= 500 || e.name === 'ThrottlingException';
  return true;
}

/** SSM's GetParameter (JSON 1.1 protocol), signed with SigV4, returning `Parameter.Value`. */
export function ssmGetParameter(signing: SsmSigning, handler: NodeHttpHandler = new NodeHttpHandler({ ...SSM_TIMEOUTS, throwOnRequestTimeout: true, httpsAgent: { keepAlive: true } })): ParameterFetch {
  const url = new URL(signing.endpoint);
  const signer = new SignatureV4({ service: 'ssm', region: signing.region, credentials: signing.credentials, sha256: signing.sha256 });
  const once = async (name: string): Promise<string | undefined> => {
    // No decryption: the switch is a String parameter, and the function holds no key for it.
    const body = JSON.stringify({ Name: name, WithDecryption: false });
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonSSM.GetParameter', 'content-length': String(Buffer.byteLength(body)) },
      body,
    });
    const signed = await signer.sign(request);
    const { response } = await handler.handle(signed as HttpRequest);
    const text = Buffer.from(await streamCollector(response.body)).toString('utf8');
    if (response.statusCode !== 200) throw ssmError(response.statusCode, response.headers, text);
    const value = (JSON.parse(text) as { Parameter?: { Value?: unknown } }).Parameter?.Value;
    return typeof value === 'string' ? value : undefined;
  };
  return async (name) => {
    try {
      return await once(name);
    } catch (err) {
      if (!transient(err)) throw err;
      return once(name);
    }
  };
}

/** Powertools' provider with its cache, reading through `fetch`; only single reads are supported. */
class KillSwitchProvider extends BaseProvider {
  constructor(private readonly fetch: ParameterFetch) {
    super({});
  }

  protected _get(name: string): Promise<string | undefined> {
    return this.fetch(name);
  }

  protected _getMultiple(): Promise<Record<string, unknown> | undefined> {
    return Promise.reject(new Error('the kill switch is one parameter; reading several is not supported'));
  }
}

/**
 * The reader of the switch named by `parameterName`, built once per execution environment: each
 * value is kept for `maxAgeSeconds`; a failed read is not cached, so the next request tries again.
 */
export function createModelAccessReader(parameterName: string, fetch: ParameterFetch, maxAgeSeconds: number = MODEL_ACCESS_MAX_AGE_SECONDS): ModelAccessReader {
  const provider = new KillSwitchProvider(fetch);
  return async () => {
    const value = await provider.get(parameterName, { maxAge: maxAgeSeconds });
    return typeof value === 'string' ? value : undefined;
  };
}
