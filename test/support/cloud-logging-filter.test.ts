import { matches, parseFilter } from './cloud-logging-filter';

const entry = {
  logName: 'projects/p/logs/cloudaudit.googleapis.com%2Fdata_access',
  severity: 'ERROR',
  labels: { 'k8s-pod/app': 'web' },
  protoPayload: {
    '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
    serviceName: 'aiplatform.googleapis.com',
    methodName: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
    status: { code: 7, message: 'Permission denied' },
    authorizationInfo: [
      { permission: 'aiplatform.endpoints.predict', granted: false },
      { permission: 'aiplatform.endpoints.get', granted: true },
    ],
  },
};

describe('the Cloud Logging filter evaluator', () => {
  test.each([
    ['protoPayload.serviceName="aiplatform.googleapis.com"', true],
    ['protoPayload.serviceName="AIPLATFORM.googleapis.com"', true],
    ['protoPayload.serviceName="compute.googleapis.com"', false],
    ['protoPayload.serviceName!="compute.googleapis.com"', true],
    ['protoPayload.status.code=7', true],
    ['protoPayload.status.code="7"', true],
    ['protoPayload.status.code=8', false],
    ['protoPayload.methodName:"PredictionService.GenerateContent"', true],
    ['protoPayload.methodName:"PredictionService.StreamGenerateContent"', false],
    ['protoPayload.missing:*', false],
    ['protoPayload.status:*', true],
    ['protoPayload.missing="x"', false],
    ['protoPayload.missing!="x"', true],
    ['protoPayload.status:"denied"', true],
    ['labels."k8s-pod/app"="web"', true],
    ['protoPayload."@type"="type.googleapis.com/google.cloud.audit.AuditLog"', true],
  ])('%s → %s', (filter, expected) => {
    expect(matches(filter, entry)).toBe(expected);
  });

  test('logName is the URL-encoded form Google stores: the %2F spelling matches, a slash does not', () => {
    expect(matches('logName="projects/p/logs/cloudaudit.googleapis.com%2Fdata_access"', entry)).toBe(true);
    expect(matches('logName="projects/p/logs/cloudaudit.googleapis.com/data_access"', entry)).toBe(false);
    expect(matches('logName:"/logs/cloudaudit.googleapis.com%2Fdata_access"', entry)).toBe(true);
  });

  test('a repeated field matches when any element does', () => {
    expect(matches('protoPayload.authorizationInfo.granted=true', entry)).toBe(true);
    expect(matches('protoPayload.authorizationInfo.permission="aiplatform.endpoints.predict"', entry)).toBe(true);
    expect(matches('protoPayload.authorizationInfo.permission="aiplatform.models.upload"', entry)).toBe(false);
  });

  test('AND, OR, NOT, -, parentheses and juxtaposition', () => {
    expect(matches('severity="ERROR" AND protoPayload.status.code=7', entry)).toBe(true);
    expect(matches('severity="ERROR" protoPayload.status.code=8', entry)).toBe(false);
    expect(matches('severity="INFO" OR protoPayload.status.code=7', entry)).toBe(true);
    expect(matches('NOT severity="INFO"', entry)).toBe(true);
    expect(matches('-severity="ERROR"', entry)).toBe(false);
    expect(matches('(severity="INFO" OR severity="ERROR") AND NOT (protoPayload.status.code=8)', entry)).toBe(true);
  });

  test('as Google documents, OR binds tighter than AND: a AND b OR c is a AND (b OR c)', () => {
    // Read the usual way, (false AND true) OR true would match; Cloud Logging reads false AND (true OR true).
    expect(matches('severity="INFO" AND protoPayload.status.code=7 OR protoPayload.status.code=7', entry)).toBe(false);
    expect(parseFilter('a=1 AND b=2 OR c=3')).toEqual({
      kind: 'and',
      parts: [
        { kind: 'compare', path: ['a'], op: '=', value: '1' },
        {
          kind: 'or',
          parts: [
            { kind: 'compare', path: ['b'], op: '=', value: '2' },
            { kind: 'compare', path: ['c'], op: '=', value: '3' },
          ],
        },
      ],
    });
    // NOT binds tightest.
    expect(parseFilter('NOT a=1 OR b=2')).toMatchObject({ kind: 'or', parts: [{ kind: 'not' }, { kind: 'compare' }] });
  });

  test('quoted strings keep escaped quotes and backslashes', () => {
    expect(matches('protoPayload.status.message="Permission \\"denied\\""', { protoPayload: { status: { message: 'Permission "denied"' } } })).toBe(true);
  });

  test.each([
    ['severity>=ERROR', /ordering comparisons/],
    ['protoPayload.methodName=~"Generate"', /regular expression operator/],
    ['log_id("cloudaudit.googleapis.com/data_access")', /functions/],
    ['"GenerateContent"', /global restriction/],
    ['protoPayload.methodName=("a" OR "b")', /value lists/],
    ['(severity="ERROR"', /missing \)/],
    ['severity="ERROR', /unterminated string/],
  ])('refuses %s rather than guess', (filter, message) => {
    expect(() => parseFilter(filter)).toThrow(message);
  });
});
