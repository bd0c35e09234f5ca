/**
 * Request metadata: key-value pairs Bedrock records with each call in the model invocation logs,
 * so a logged prompt can be traced to the caller, the API request and the declared data
 * classification (and joined with the audit record). Converse takes them as `requestMetadata`;
 * InvokeModel as the `X-Amzn-Bedrock-Request-Metadata` header (the SDK's `requestMetadata`, a
 * JSON string).
 */
import type { Caller } from './caller';
import type { Classification } from './config';

/** Bedrock's limits on request metadata: pairs per request and characters per key or value. */
export const MAX_METADATA_PAIRS = 16;
export const MAX_METADATA_CHARS = 256;

// Converse accepts keys and values matching [a-zA-Z0-9\s:_@$#=/+,-.]{1,256} (values {0,256});
// the invocation-log filters (RequestMetadataBaseFilters) only [a-zA-Z0-9\s._:/=+$@-]. Keeping to
// the second set, with space as the only whitespace, keeps every value usable in a log filter.
const NOT_ALLOWED = /[^A-Za-z0-9 ._:/=+$@-]/gu;

function clean(value: string): string {
  // Per code point (the `u` flag), so a character outside the BMP becomes one `_`, not two.
  return [...value.replace(NOT_ALLOWED, '_')].slice(0, MAX_METADATA_CHARS).join('');
}

/**
 * Fits pairs to Bedrock's rules: characters Bedrock does not accept become `_`, keys and values
 * are cut to 256 characters, pairs whose key or value ends up empty are dropped (so are later
 * pairs whose cleaned key repeats an earlier one), and only the first 16 pairs are kept.
 */
export function sanitizeRequestMetadata(pairs: Iterable<readonly [string, string | undefined]>): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [rawKey, rawValue] of pairs) {
    if (count === MAX_METADATA_PAIRS) {
      break;
    }
    const key = clean(rawKey).trim();
    const value = rawValue === undefined ? '' : clean(rawValue).trim();
    if (key.length === 0 || value.length === 0 || Object.prototype.hasOwnProperty.call(out, key)) {
      continue;
    }
    out[key] = value;
    count++;
  }
  return out;
}

/**
 * The metadata of one API request: the caller (its ARN, or the session name when the ARN is
 * longer than Bedrock takes), the API Gateway request ID and the declared data classification.
 */
export function requestMetadataFor(caller: Caller, apiRequestId: string, dataClassification: Classification): Record<string, string> {
  const callerValue = caller.arn.length <= MAX_METADATA_CHARS ? caller.arn : caller.arn.slice(caller.arn.lastIndexOf('/') + 1);
  return sanitizeRequestMetadata([
    ['caller', callerValue],
    ['apiRequestId', apiRequestId],
    ['dataClassification', dataClassification],
  ]);
}
