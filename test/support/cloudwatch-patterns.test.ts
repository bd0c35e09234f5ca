import { contributions, hasField, matchesEventPattern, matchesFilterPattern, maxContributorValue, queryFields, type InsightRuleBody } from './cloudwatch-patterns';

const line = (doc: unknown) => JSON.stringify(doc);

describe('CloudWatch Logs JSON filter patterns', () => {
  const record = line({ message: 'audit', audit: { status: 403, callerArn: 'arn:aws:sts::1:assumed-role/R/alice', errorCode: 'AccessDenied', flag: true, none: null }, list: [{ id: 'a' }] });

  test('= compares strings exactly, and case-sensitively', () => {
    expect(matchesFilterPattern('{ $.message = "audit" }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.message = "Audit" }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.message = "aud" }', record)).toBe(false);
  });

  test('* in a string matches any run of characters, at either end', () => {
    expect(matchesFilterPattern('{ $.audit.errorCode = "AccessDenied*" }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.errorCode = "*Denied" }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.errorCode = "Throttl*" }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.audit.errorCode = "AccessDenied*" }', line({ audit: { errorCode: 'AccessDeniedException' } }))).toBe(true);
  });

  test('!= holds for a different string, and for neither a missing field nor another type', () => {
    expect(matchesFilterPattern('{ $.audit.errorCode != "ModelAccessSuspended" }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.errorCode != "AccessDenied" }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.audit.missing != "x" }', record)).toBe(false);
  });

  test('numbers compare as numbers, and only with numbers: the string "403" is not the number 403', () => {
    expect(matchesFilterPattern('{ $.audit.status = 403 }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.status >= 500 }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.audit.status >= 400 }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.status < 403 }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.audit.status <= 403 }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.status != 403 }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.status = 403 }', line({ status: '403' }))).toBe(false);
    expect(matchesFilterPattern('{ $.status = "403" }', line({ status: '403' }))).toBe(true);
  });

  test('&& needs both sides, || either, and parentheses group', () => {
    expect(matchesFilterPattern('{ $.message = "audit" && $.audit.status = 403 }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.message = "audit" && $.audit.status = 500 }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.message = "x" || $.audit.status = 403 }', record)).toBe(true);
    expect(matchesFilterPattern('{ ($.message = "x" || $.message = "audit") && $.audit.status = 403 }', record)).toBe(true);
    expect(matchesFilterPattern('{ ($.message = "x" || $.message = "y") && $.audit.status = 403 }', record)).toBe(false);
  });

  test('IS NULL, IS TRUE and NOT EXISTS', () => {
    expect(matchesFilterPattern('{ $.audit.none IS NULL }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.status IS NULL }', record)).toBe(false);
    expect(matchesFilterPattern('{ $.audit.flag IS TRUE }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.gone NOT EXISTS }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.audit.status NOT EXISTS }', record)).toBe(false);
  });

  test('array indices select elements', () => {
    expect(matchesFilterPattern('{ $.list[0].id = "a" }', record)).toBe(true);
    expect(matchesFilterPattern('{ $.list[1].id = "a" }', record)).toBe(false);
  });

  test('a JSON pattern matches no log event that is not a JSON object', () => {
    expect(matchesFilterPattern('{ $.message = "audit" }', 'START RequestId: 1 Version: $LATEST')).toBe(false);
    expect(matchesFilterPattern('{ $.message = "audit" }', '"audit"')).toBe(false);
  });

  test('a pattern outside the subset is refused, not guessed', () => {
    expect(() => matchesFilterPattern('{ $.a EXISTS }', record)).toThrow(/expected an operator/);
    expect(() => matchesFilterPattern('{ $.a > "x" }', record)).toThrow(/compares numbers/);
    expect(() => matchesFilterPattern('$.a = 1', record)).toThrow(/expected \{/);
  });
});

describe('Contributor Insights rules', () => {
  const body = (contribution: InsightRuleBody['Contribution'], aggregateOn: 'Count' | 'Sum' = 'Count'): InsightRuleBody => ({
    Schema: { Name: 'CloudWatchLogRule', Version: 1 },
    LogGroupNames: ['/g'],
    LogFormat: 'JSON',
    Contribution: contribution,
    AggregateOn: aggregateOn,
  });
  const events = [
    line({ message: 'audit', audit: { callerArn: 'a', inputTokens: 10, action: 'INTERVENED' } }),
    line({ message: 'audit', audit: { callerArn: 'a', inputTokens: 5 } }),
    line({ message: 'audit', audit: { callerArn: 'b', inputTokens: 100, action: 'INTERVENED' } }),
    line({ message: 'other', audit: { callerArn: 'b', inputTokens: 1000 } }),
    line({ message: 'audit', audit: { status: 403 } }),
    'not json',
  ];

  test('Count counts the events of each key that pass every filter; events without the key count for nobody', () => {
    const counted = contributions(body({ Keys: ['$.audit.callerArn'], Filters: [{ Match: '$.message', In: ['audit'] }] }), events);
    expect(Object.fromEntries(counted)).toEqual({ a: 2, b: 1 });
  });

  test('Sum adds ValueOf per key', () => {
    const summed = contributions(body({ Keys: ['$.audit.callerArn'], ValueOf: '$.audit.inputTokens', Filters: [{ Match: '$.message', In: ['audit'] }] }, 'Sum'), events);
    expect(Object.fromEntries(summed)).toEqual({ a: 15, b: 100 });
  });

  test('MaxContributorValue is the largest single contributor', () => {
    const rule = body({ Keys: ['$.audit.callerArn'], Filters: [{ Match: '$.message', In: ['audit'] }, { Match: '$.audit.action', In: ['INTERVENED'] }] });
    expect(maxContributorValue(rule, events)).toBe(1);
    expect(maxContributorValue(rule, [])).toBe(0);
  });

  test('the other filter operators', () => {
    const count = (filter: Record<string, unknown>) => [...contributions(body({ Keys: ['$.audit.callerArn'], Filters: [filter as never] }), events).values()].reduce((n, v) => n + v, 0);
    expect(count({ Match: '$.message', NotIn: ['audit'] })).toBe(1);
    expect(count({ Match: '$.audit.callerArn', StartsWith: ['b'] })).toBe(2);
    expect(count({ Match: '$.audit.inputTokens', GreaterThan: 50 })).toBe(2);
    expect(count({ Match: '$.audit.inputTokens', LessThan: 50 })).toBe(2);
    expect(count({ Match: '$.audit.inputTokens', EqualTo: 5 })).toBe(1);
    expect(count({ Match: '$.audit.action', IsPresent: true })).toBe(2);
    expect(() => count({ Match: '$.a', Contains: ['x'] })).toThrow(/unknown Contributor Insights filter/);
  });
});

describe('EventBridge event patterns', () => {
  const event = {
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.kms',
    detail: { eventSource: 'kms.amazonaws.com', eventName: 'DisableKey', requestParameters: { keyId: 'k-1', names: ['/a', '/b'] }, resources: [{ ARN: 'arn:1' }, { ARN: 'arn:2' }] },
  };

  test('exact values: any listed value may match', () => {
    expect(matchesEventPattern({ source: ['aws.kms', 'aws.s3'] }, event)).toBe(true);
    expect(matchesEventPattern({ source: ['aws.s3'] }, event)).toBe(false);
  });

  test('every field must match, nested objects included', () => {
    expect(matchesEventPattern({ 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventName: ['DisableKey'], requestParameters: { keyId: ['k-1'] } } }, event)).toBe(true);
    expect(matchesEventPattern({ 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventName: ['DisableKey'], requestParameters: { keyId: ['k-2'] } } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { missing: ['x'] } }, event)).toBe(false);
  });

  test('prefix, suffix, equals-ignore-case', () => {
    expect(matchesEventPattern({ detail: { eventName: [{ prefix: 'Disable' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { eventName: [{ prefix: 'Enable' }] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { eventName: [{ suffix: 'Key' }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { eventName: [{ 'equals-ignore-case': 'disablekey' }] } }, event)).toBe(true);
  });

  test('anything-but matches a present value other than those listed, never a missing one', () => {
    expect(matchesEventPattern({ source: [{ 'anything-but': ['aws.s3'] }] }, event)).toBe(true);
    expect(matchesEventPattern({ source: [{ 'anything-but': 'aws.kms' }] }, event)).toBe(false);
    expect(matchesEventPattern({ source: [{ 'anything-but': { prefix: 'aws.' } }] }, event)).toBe(false);
    expect(matchesEventPattern({ region: [{ 'anything-but': 'x' }] }, event)).toBe(false);
  });

  test('exists', () => {
    expect(matchesEventPattern({ detail: { eventName: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { errorCode: [{ exists: false }] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { errorCode: [{ exists: true }] } }, event)).toBe(false);
  });

  test('an array in the event matches when any element does, for values and for objects', () => {
    expect(matchesEventPattern({ detail: { requestParameters: { names: ['/b'] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { resources: { ARN: ['arn:2'] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { resources: { ARN: ['arn:3'] } } }, event)).toBe(false);
  });

  test('$or: any of its patterns at that level', () => {
    expect(matchesEventPattern({ detail: { requestParameters: { $or: [{ name: ['/a'] }, { names: ['/a'] }] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { requestParameters: { $or: [{ name: ['/c'] }, { names: ['/c'] }] } } }, event)).toBe(false);
  });

  test('an unknown matcher is refused, not guessed', () => {
    expect(() => matchesEventPattern({ source: [{ wildcard: 'aws.*' }] }, event)).toThrow(/not supported/);
  });
});

describe('Logs Insights query fields', () => {
  test('reads fields, not commands, functions, aliases, strings, numbers or regular expressions', () => {
    const fields = queryFields(
      [
        'fields @timestamp, coalesce(audit.callerArn, userIdentity.arn) as caller',
        '| filter message = "audit and or" and audit.outputTokens >= 2000 or errorCode like /^Access.Denied/',
        '| stats count(*) as n, max(@timestamp) as last by caller, audit.modelId',
        '| sort n desc',
      ].join('\n'),
    );
    expect([...fields].sort()).toEqual(['@timestamp', 'audit.callerArn', 'audit.modelId', 'audit.outputTokens', 'errorCode', 'message', 'userIdentity.arn']);
  });

  test('hasField follows dotted paths', () => {
    expect(hasField({ a: { b: 0 } }, 'a.b')).toBe(true);
    expect(hasField({ a: { b: 0 } }, 'a.c')).toBe(false);
  });
});
