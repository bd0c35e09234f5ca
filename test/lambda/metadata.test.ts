import { UNKNOWN_CALLER, callerOf } from '../../lambda/invoke/caller';
import { MAX_METADATA_CHARS, MAX_METADATA_PAIRS, requestMetadataFor, sanitizeRequestMetadata } from '../../lambda/invoke/metadata';

// Bedrock's own patterns (Converse's RequestMetadataKeyString / ValueString and the invocation-log
// filters'), written out here rather than taken from the code under test.
const CONVERSE_PATTERN = /^[a-zA-Z0-9\s:_@$#=/+,\-.]{1,256}$/;
const LOG_FILTER_PATTERN = /^[a-zA-Z0-9\s._:/=+$@-]{1,256}$/;

describe('sanitizeRequestMetadata', () => {
  test('keeps what Bedrock accepts as it is', () => {
    const pairs = { caller: 'arn:aws:sts::111122223333:assumed-role/Analyst/jane@example.com', 'api request': 'c6af9ac6-7b61', x: 'a+b=c/$d' };

    expect(sanitizeRequestMetadata(Object.entries(pairs))).toEqual(pairs);
  });

  test('replaces every other character, one code point at a time', () => {
    expect(sanitizeRequestMetadata([['caller#1', 'jane,doe\t😀é"x']])).toEqual({ caller_1: 'jane_doe____x' });
  });

  test('cuts keys and values to 256 characters', () => {
    const out = sanitizeRequestMetadata([['k'.repeat(300), 'v'.repeat(300)]]);

    expect(out).toEqual({ ['k'.repeat(MAX_METADATA_CHARS)]: 'v'.repeat(MAX_METADATA_CHARS) });
  });

  test('drops pairs with an empty key or value, and keys that repeat once cleaned', () => {
    expect(sanitizeRequestMetadata([['', 'v'], ['k', ''], ['k', undefined], ['  ', 'v'], ['a#', '1'], ['a,', '2']])).toEqual({ a_: '1' });
  });

  test('keeps the first 16 pairs', () => {
    const out = sanitizeRequestMetadata(Array.from({ length: 20 }, (_, i): [string, string] => [`k${i}`, `v${i}`]));

    expect(Object.keys(out)).toHaveLength(MAX_METADATA_PAIRS);
    expect(out.k15).toBe('v15');
    expect(out).not.toHaveProperty('k16');
  });

  test('whatever goes in, what comes out matches both of Bedrock\'s patterns', () => {
    const nasty = ['\u0000\u200B', 'ünïcödé', '"quoted"', 'tab\there', '#,#,#', '🙂'.repeat(300), 'ok'];
    const out = sanitizeRequestMetadata(nasty.map((v, i) => [`${v}${i}`, v]));

    expect(Object.keys(out).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(out)) {
      expect(key).toMatch(CONVERSE_PATTERN);
      expect(key).toMatch(LOG_FILTER_PATTERN);
      expect(value).toMatch(CONVERSE_PATTERN);
      expect(value).toMatch(LOG_FILTER_PATTERN);
    }
  });
});

describe('requestMetadataFor', () => {
  test('names the caller, the API request and the classification', () => {
    expect(requestMetadataFor({ arn: 'arn:aws:iam::111122223333:user/ops' }, 'req-1', 'confidential')).toEqual({
      caller: 'arn:aws:iam::111122223333:user/ops',
      apiRequestId: 'req-1',
      dataClassification: 'confidential',
    });
  });
});

describe('callerOf', () => {
  test('an assumed-role ARN, in any partition', () => {
    expect(callerOf({ userArn: 'arn:aws-eu:sts::111122223333:assumed-role/R/s', caller: 'AROA:s' })).toEqual({ arn: 'arn:aws-eu:sts::111122223333:assumed-role/R/s' });
  });

  test('no usable ARN: unknown caller, with the identity fields that are there', () => {
    expect(callerOf({ userArn: null, caller: 'AROAEXAMPLE:jane', user: '', accountId: '111122223333', cognitoIdentityId: 'x', sourceIp: '10.0.0.1' })).toEqual({
      arn: UNKNOWN_CALLER,
      known: { caller: 'AROAEXAMPLE:jane', accountId: '111122223333' },
    });
  });

  test('an account ID or access key alone names nobody', () => {
    expect(callerOf({ accountId: '111122223333', accessKey: 'ASIAEXAMPLE' })).toBeUndefined();
    expect(callerOf(undefined)).toBeUndefined();
    expect(callerOf('arn:aws:iam::111122223333:root')).toBeUndefined();
  });
});
