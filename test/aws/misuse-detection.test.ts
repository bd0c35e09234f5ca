import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { emitAudit, type AuditRecord } from '../../lambda/invoke/audit';
import { createHandler } from '../../lambda/invoke/handler';
import { createModelAccessReader, type ModelAccessReader } from '../../lambda/invoke/model-access';
import { requestMetadataFor } from '../../lambda/invoke/metadata';
import { AWS_SAVED_QUERIES, MisuseDetection, type MisuseDetectionProps, type SavedQueryLogGroup } from '../../lib/aws/misuse-detection';
import { PLAYBOOKS, savedQueryName, signalOf, SIGNAL_TAG_KEY, SIGNALS, type Signal } from '../../lib/config/detection';
import { DEFAULT_THRESHOLDS } from '../../lib/config/schema';
import { captureLogs } from '../lambda/support/capture';
import { MODEL_ACCESS_PARAMETER, openModelAccess, proxyEvent, testConfig, validBody } from '../lambda/support/fixtures';
import { contributions, hasField, matchesEventPattern, matchesFilterPattern, maxContributorValue, queryFields, type InsightRuleBody } from '../support/cloudwatch-patterns';

const ACCOUNT = '111111111111';
const REGION = 'eu-central-1';
const KILL_SWITCH = '/private-ai/acme-prod/model-access';
/** The ModelUser permission set's roles in the account, as Identity Center names them. */
const PERMISSION_SET_ROLES = 'AWSReservedSSO_AcmeAiModelUser_*';

/** CloudFormation JSON, read loosely. */
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Resources = Record<string, { Type: string; Properties: Loose; DependsOn?: string[] }>;

/** A stack with what the construct watches, and the construct. */
function detectionStack(overrides: Partial<MisuseDetectionProps> = {}) {
  const stack = new Stack(undefined, 'S', { env: { account: ACCOUNT, region: REGION } });
  const key = new kms.Key(stack, 'AlertKey');
  const group = (id: string) => new logs.LogGroup(stack, id);
  const fn = new lambda.Function(stack, 'Invoker', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => ({})') });
  const api = new apigw.RestApi(stack, 'Api');
  api.root.addMethod('POST', new apigw.MockIntegration());
  const bucket = new s3.Bucket(stack, 'AuditBucket');
  const killSwitch = new ssm.StringParameter(stack, 'KillSwitch', { parameterName: KILL_SWITCH, stringValue: 'open' });
  const deliveryRole = new iam.Role(stack, 'TrailDeliveryRole', { assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com') });
  const [audit, trail, invocations, apiAccess] = ['AuditLogs', 'TrailLogs', 'InvocationLogs', 'ApiAccessLogs'].map(group);
  const detection = new MisuseDetection(stack, 'MisuseDetection', {
    emails: ['security@example.com', 'soc@example.com'],
    thresholds: DEFAULT_THRESHOLDS,
    key,
    namePrefix: 'acme-prod',
    auditLogGroup: audit,
    trailLogGroup: trail,
    invocationLogGroup: invocations,
    apiAccessLogGroup: apiAccess,
    invokerFunction: fn,
    api,
    protectedResources: { keys: [key], logGroups: [audit, trail], buckets: [bucket], roles: [deliveryRole], roleNamePatterns: [PERMISSION_SET_ROLES] },
    killSwitch,
    ...overrides,
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Resources;
  const idOf = (type: string, prefix: string) => Object.keys(resources).find((id) => resources[id].Type === type && id.startsWith(prefix))!;
  return { stack, detection, template, resources, idOf };
}

const built = detectionStack();
const { resources } = built;
const ofType = (type: string, r: Resources = resources) => Object.entries(r).filter(([, v]) => v.Type === type);
const topicId = built.idOf('AWS::SNS::Topic', 'MisuseDetectionTopic');
const keyId = built.idOf('AWS::KMS::Key', 'AlertKey');

/**
 * A CloudFormation value as the deployed stack sees it: pseudo parameters of the stack's
 * environment, `Ref` as the given physical IDs (else the logical ID), `Fn::GetAtt` as `<id>.<attribute>`.
 */
function resolveCfn(value: unknown, refs: Record<string, string> = {}): Loose[string] {
  const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com' };
  if (Array.isArray(value)) return value.map((v) => resolveCfn(v, refs));
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [fn, arg] = entries[0] as [string, Loose[string]];
      if (fn === 'Ref') return pseudo[arg] ?? refs[arg] ?? arg;
      if (fn === 'Fn::GetAtt') return `${arg[0]}.${arg[1]}`;
      if (fn === 'Fn::Join') return (resolveCfn(arg[1], refs) as string[]).join(arg[0]);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveCfn(v, refs)]));
  }
  return value;
}

// ---- Sample log events, in the shape the cloud writes them -------------------------------------

const SSO_ROLE = (user: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ModelUser_0123456789abcdef/${user}`;

function auditRecord(overrides: Partial<AuditRecord>): AuditRecord {
  return {
    requestId: 'api-req-1',
    route: '/invoke',
    callerArn: SSO_ROLE('alice'),
    sourceIp: '10.1.2.3',
    modelId: 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0',
    dataClassification: 'internal',
    status: 200,
    stopReason: 'end_turn',
    inputTokens: 100,
    outputTokens: 50,
    latencyMs: 812.5,
    modelLatencyMs: 790,
    guardrailId: 'gr-1',
    guardrailVersion: '1',
    guardrailAction: 'NONE',
    upstreamRequestId: 'bedrock-req-1',
    requestMetadata: { caller: SSO_ROLE('alice'), apiRequestId: 'api-req-1', dataClassification: 'internal' },
    promptSha256: 'a'.repeat(64),
    ...overrides,
  };
}

/** What the model invoker writes to its log group for each record: Powertools' audit line and its EMF metrics line. */
function invokerLogLines(records: readonly AuditRecord[]): { audit: string[]; all: string[] } {
  const capture = captureLogs();
  try {
    const logger = new Logger({ serviceName: 'model-invoker' });
    const metrics = new Metrics({ namespace: 'PrivateAI', serviceName: 'model-invoker' });
    for (const record of records) emitAudit(logger, metrics, record, record.modelId);
    const all = capture.text().split('\n').filter((l) => l.trim().length > 0);
    return { all, audit: all.filter((l) => (JSON.parse(l) as { message?: string }).message === 'audit') };
  } finally {
    capture.restore();
  }
}

const intervened = (caller: string, extra: Partial<AuditRecord> = {}) =>
  auditRecord({ callerArn: caller, guardrailAction: 'INTERVENED', stopReason: 'guardrail_intervened', outputTokens: 0, ...extra });
const SAMPLE = invokerLogLines([
  auditRecord({}),
  auditRecord({ inputTokens: 4000, outputTokens: 2500 }),
  intervened(SSO_ROLE('mallory')),
  intervened(SSO_ROLE('mallory'), { outputTokens: 30 }),
  intervened(SSO_ROLE('alice')),
  auditRecord({ callerArn: SSO_ROLE('bob'), inputTokens: 7, outputTokens: 3 }),
  // Bedrock denied the call; the invoker answers 403.
  auditRecord({ status: 403, errorCode: 'AccessDenied', upstreamError: 'AccessDeniedException', inputTokens: undefined, outputTokens: undefined, stopReason: undefined, guardrailAction: undefined }),
  // A request with no IAM identity.
  auditRecord({ callerArn: 'unknown caller', status: 403, errorCode: 'AccessDenied', inputTokens: undefined, outputTokens: undefined, guardrailAction: undefined, modelId: undefined }),
  auditRecord({ status: 502, errorCode: 'UpstreamError', upstreamError: 'InternalServerException', inputTokens: undefined, outputTokens: undefined, guardrailAction: undefined }),
]);

/**
 * What the model invoker's handler itself writes for one request (its audit line and EMF line),
 * with the kill switch read by `modelAccess`: the refusals whose audit records no test should
 * write by hand (the kill switch's, a model outside the allowlist). None of them calls Bedrock.
 */
async function handledLines(modelAccess: ModelAccessReader, event = proxyEvent()): Promise<string[]> {
  const config = testConfig();
  const capture = captureLogs();
  try {
    const handler = createHandler({
      config,
      client: new BedrockRuntimeClient({ region: REGION }),
      logger: new Logger({ serviceName: config.serviceName }),
      metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
      modelAccess,
    });
    await handler(event);
    return capture.text().split('\n').filter((l) => l.trim().length > 0);
  } finally {
    capture.restore();
  }
}

/** A read of the switch that fails as SSM does, through the invoker's own reader (Powertools Parameters). */
const failingSwitch = (name: string) =>
  createModelAccessReader(MODEL_ACCESS_PARAMETER, () => Promise.reject(Object.assign(new Error('not for the caller'), { name })));

/** A CloudTrail event as CloudTrail delivers it to CloudWatch Logs: one record per log event. */
function trailRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEID:alice',
      arn: SSO_ROLE('alice'),
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: { sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLEID', arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_ModelUser_0123456789abcdef`, accountId: ACCOUNT, userName: 'AWSReservedSSO_ModelUser_0123456789abcdef' }, attributes: { creationDate: '2025-06-01T09:00:00Z', mfaAuthenticated: 'false' } },
    },
    eventTime: '2025-06-01T10:00:00Z',
    eventSource: 'bedrock.amazonaws.com',
    eventName: 'InvokeModel',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.1.2.3',
    userAgent: 'aws-sdk-js/3.0.0',
    errorCode: 'AccessDenied',
    errorMessage: `User: ${SSO_ROLE('alice')} is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0 with an explicit deny in a service control policy`,
    requestParameters: { modelId: 'anthropic.claude-3-7-sonnet-20250219-v1:0' },
    responseElements: null,
    requestID: '11111111-2222-3333-4444-555555555555',
    eventID: '66666666-7777-8888-9999-000000000000',
    readOnly: true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: 'bedrock-runtime.us-east-1.amazonaws.com' },
    ...overrides,
  };
}

/** A Bedrock model invocation log record (schema 1.0), with the metadata the invoker sends. */
const INVOCATION_RECORD = {
  schemaType: 'ModelInvocationLog',
  schemaVersion: '1.0',
  timestamp: '2025-06-01T10:00:00Z',
  accountId: ACCOUNT,
  identity: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/model-invoker-role/fn` },
  region: REGION,
  requestId: 'bedrock-req-1',
  operation: 'Converse',
  modelId: 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0',
  input: { inputContentType: 'application/json', inputBodyJson: { messages: [{ role: 'user', content: [{ text: 'hello' }] }] }, inputTokenCount: 100 },
  output: { outputContentType: 'application/json', outputBodyJson: { output: { message: { role: 'assistant', content: [{ text: 'hi' }] } }, stopReason: 'end_turn' }, outputTokenCount: 2500 },
  requestMetadata: requestMetadataFor({ arn: SSO_ROLE('alice') }, 'api-req-1', 'internal'),
};

/** The filter pattern of the metric filter that feeds a metric. */
function filterPatternOf(metricName: string, r: Resources = resources): string {
  const [[, filter]] = ofType('AWS::Logs::MetricFilter', r).filter(([, f]) => f.Properties.MetricTransformations[0].MetricName === metricName);
  return filter.Properties.FilterPattern;
}

/** The body of a Contributor Insights rule, with its log group resolved. */
function insightRuleBody(ruleName: string): InsightRuleBody {
  const [[, rule]] = ofType('AWS::CloudWatch::InsightRule').filter(([, r]) => r.Properties.RuleName === ruleName);
  return JSON.parse(resolveCfn(rule.Properties.RuleBody)) as InsightRuleBody;
}

/** The alarm with a name. */
function alarmNamed(name: string, r: Resources = resources) {
  const found = ofType('AWS::CloudWatch::Alarm', r).find(([, a]) => a.Properties.AlarmName === name);
  if (!found) throw new Error(`no alarm ${name}`);
  return found[1].Properties;
}

describe('MisuseDetection: whom it tells', () => {
  test('every signal has an alarm or an EventBridge rule, each publishing to the alert topic and naming its signal', () => {
    const alerting: Array<{ signal: Signal | undefined; tag: unknown; targets: unknown[] }> = [
      ...ofType('AWS::CloudWatch::Alarm').map(([, a]) => ({
        signal: signalOf(a.Properties.AlarmDescription),
        tag: a.Properties.Tags?.find((t: { Key: string }) => t.Key === SIGNAL_TAG_KEY)?.Value,
        targets: [a.Properties.AlarmActions, a.Properties.OKActions],
      })),
      ...ofType('AWS::Events::Rule').map(([, r]) => ({
        signal: signalOf(r.Properties.Description),
        tag: r.Properties.Tags?.find((t: { Key: string }) => t.Key === SIGNAL_TAG_KEY)?.Value,
        targets: [r.Properties.Targets.map((t: { Arn: unknown }) => t.Arn)],
      })),
    ];
    for (const a of alerting) {
      expect(a.signal).toBeDefined();
      expect(a.tag).toBe(a.signal);
      for (const t of a.targets) expect(t).toEqual([{ Ref: topicId }]);
    }
    expect(new Set(alerting.map((a) => a.signal))).toEqual(new Set(Object.keys(SIGNALS)));
    // The typed outputs say the same.
    for (const signal of Object.keys(SIGNALS) as Signal[]) {
      expect(built.detection.alarms[signal].length + (signal === 'tampering' ? built.detection.tamperingRules.length : 0)).toBeGreaterThan(0);
    }
  });

  test('every alarm treats missing data as quiet, and notifies on recovery too', () => {
    for (const [, a] of ofType('AWS::CloudWatch::Alarm')) {
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
      expect(a.Properties.ComparisonOperator).toBe('GreaterThanThreshold');
      expect(a.Properties.EvaluationPeriods).toBe(1);
    }
  });

  test('one e-mail subscription per security contact; undeliverable alerts go to the queue, itself watched', () => {
    const subs = ofType('AWS::SNS::Subscription').map(([, s]) => s.Properties);
    expect(subs.map((s) => [s.Protocol, s.Endpoint]).sort()).toEqual([
      ['email', 'security@example.com'],
      ['email', 'soc@example.com'],
    ]);
    const queueId = built.idOf('AWS::SQS::Queue', 'MisuseDetectionUndeliveredAlerts');
    for (const s of subs) expect(s.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    for (const [, r] of ofType('AWS::Events::Rule')) expect(r.Properties.Targets[0].DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } });
    const watch = alarmNamed('acme-prod/tampering/UndeliveredAlerts');
    expect([watch.Namespace, watch.MetricName, watch.Threshold, watch.Dimensions]).toEqual(['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 0, [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]]);
    expect(resources[queueId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('the topic is encrypted with the key, takes TLS only, and only alarms and rules of this account may publish', () => {
    expect(resources[topicId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const [[, policy]] = ofType('AWS::SNS::TopicPolicy');
    const statements = resolveCfn(policy.Properties.PolicyDocument.Statement) as Loose[];
    expect(statements.filter((s) => s.Effect === 'Deny')).toEqual([expect.objectContaining({ Action: 'sns:Publish', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
    expect(statements.filter((s) => s.Effect === 'Allow').map((s) => [s.Principal, s.Action, s.Condition])).toEqual([
      [
        { Service: 'cloudwatch.amazonaws.com' },
        'sns:Publish',
        { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:*` } },
      ],
      [{ Service: 'events.amazonaws.com' }, 'sns:Publish', { ArnLike: { 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/acme-prod-*` } }],
    ]);
  });

  test('no contact is refused, naming the config key', () => {
    expect(() => detectionStack({ emails: [] })).toThrow(
      'MisuseDetection: emails is empty, so alerts would reach nobody; list at least one address in securityContacts.emails',
    );
  });

  test('a name prefix that cannot name the rules is refused', () => {
    expect(() => detectionStack({ namePrefix: 'acme prod' })).toThrow(/namePrefix must be 1-45 letters, digits, hyphens or underscores known at synthesis .*received "acme prod"/);
    expect(() => detectionStack({ namePrefix: 'a'.repeat(46) })).toThrow(/namePrefix must be 1-45/);
  });
});

describe('MisuseDetection: the key lets CloudWatch and EventBridge publish (a topic they cannot use drops every alert)', () => {
  const keyPolicy = resolveCfn(resources[keyId].Properties.KeyPolicy);
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:acme-prod-security-alerts`;
  const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`;
  const decide = async (principal: string, action: string, context: Record<string, string>) => {
    const response = await runSimulation(
      {
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: keyPolicy,
        request: { action, principal, resource: { resource: keyArn, accountId: ACCOUNT }, contextVariables: context },
      },
      {},
    );
    if (response.resultType !== 'single') throw new Error(`simulation failed: ${JSON.stringify(response)}`);
    return response.overallResult;
  };

  test('CloudWatch alarms of this account may encrypt and decrypt for the topic; another account cannot', async () => {
    const alarm = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:acme-prod/deniedCalls/ApiDeniedCalls` };
    expect(await decide('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', alarm)).toBe('Allowed');
    expect(await decide('cloudwatch.amazonaws.com', 'kms:Decrypt', alarm)).toBe('Allowed');
    expect(await decide('cloudwatch.amazonaws.com', 'kms:GenerateDataKey', { ...alarm, 'aws:SourceAccount': '222222222222', 'aws:SourceArn': 'arn:aws:cloudwatch:eu-central-1:222222222222:alarm:x' })).not.toBe('Allowed');
  });

  test('EventBridge may use the key for the alert topic, bound by its encryption context only: SNS passes no aws:SourceAccount or aws:SourceArn for EventBridge, so either would drop every event', () => {
    // iam-simulate drops encryption-context keys that contain colons (aws:sns:topicArn), so this statement is read directly.
    const statements = (keyPolicy.Statement as Loose[]).filter((s) => s.Principal?.Service === 'events.amazonaws.com' && s.Effect === 'Allow');
    const forTopic = statements.filter((s) => JSON.stringify(s.Condition).includes('kms:EncryptionContext:aws:sns:topicArn'));
    expect(forTopic).toEqual([
      { Sid: 'AllowEventBridgeToPublishAlerts', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } } },
    ]);
    // The ARN in the key policy is the topic's ARN as deployed (SNS's encryption context for the topic).
    expect(`arn:aws:sns:${REGION}:${ACCOUNT}:${resources[topicId].Properties.TopicName}`).toBe(topicArn);
  });

  test('EventBridge and SNS may put undelivered alerts in the queue', async () => {
    const fromRule = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:events:${REGION}:${ACCOUNT}:rule/acme-prod-keys` };
    expect(await decide('events.amazonaws.com', 'kms:GenerateDataKey', fromRule)).toBe('Allowed');
    expect(await decide('sns.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': topicArn })).toBe('Allowed');
    expect(await decide('sns.amazonaws.com', 'kms:GenerateDataKey', { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:sns:${REGION}:${ACCOUNT}:other-topic` })).not.toBe('Allowed');
  });

  test('an imported key, whose policy cannot be extended, is refused', () => {
    expect(() => detectionStack({ key: kms.Key.fromKeyArn(new Stack(), 'K', 'arn:aws:kms:eu-central-1:111111111111:key/1') })).toThrow(/is imported, so its key policy cannot admit CloudWatch and EventBridge/);
  });
});

describe('MisuseDetection: the metric filters count what the cloud writes', () => {
  const count = (metricName: string, lines: readonly string[]) => lines.filter((l) => matchesFilterPattern(filterPatternOf(metricName), l)).length;

  test('the sample is what the invoker writes: Powertools audit lines beside EMF lines, which no audit filter counts', () => {
    expect(SAMPLE.audit).toHaveLength(9);
    const emf = SAMPLE.all.filter((l) => !SAMPLE.audit.includes(l));
    expect(emf.length).toBeGreaterThan(0);
    for (const metric of ['GuardrailInterventions', 'InvokerDeniedCalls', 'InvokerFaults']) expect(count(metric, emf)).toBe(0);
  });

  test('interventions: the records whose guardrail intervened', () => {
    expect(count('GuardrailInterventions', SAMPLE.all)).toBe(3);
  });

  test("denied calls at the invoker: its 403s, a caller without identity included", () => {
    expect(count('InvokerDeniedCalls', SAMPLE.all)).toBe(2);
  });

  test('denied calls at the invoker: a model outside the allowlist (400 ModelNotAllowed, probing) counts; any other 400 does not', async () => {
    const probing = await handledLines(openModelAccess, proxyEvent({ body: validBody({ modelId: 'meta.llama3-70b-instruct-v1:0' }) }));
    const malformed = await handledLines(openModelAccess, proxyEvent({ body: validBody({ maxTokens: 0 }) }));
    const anonymous = await handledLines(openModelAccess, proxyEvent({ userArn: null, caller: null, user: null }));
    const auditOf = (lines: string[]) => lines.map((l) => JSON.parse(l) as { message?: string; audit?: AuditRecord }).find((r) => r.message === 'audit')!.audit!;
    expect([auditOf(probing).status, auditOf(probing).errorCode, auditOf(malformed).errorCode]).toEqual([400, 'ModelNotAllowed', 'ValidationError']);
    expect(count('InvokerDeniedCalls', probing)).toBe(1);
    expect(count('InvokerDeniedCalls', malformed)).toBe(0);
    expect(count('InvokerDeniedCalls', anonymous)).toBe(1);
  });

  test("faults: the invoker's 5xx answers count", () => {
    expect(count('InvokerFaults', SAMPLE.all)).toBe(1);
  });

  test('faults: the kill switch refusing on purpose (503 ModelAccessSuspended) is not a fault', async () => {
    const suspended = await handledLines(() => Promise.resolve('suspended'));
    expect(suspended.some((l) => l.includes('"errorCode":"ModelAccessSuspended"'))).toBe(true);
    expect(count('InvokerFaults', suspended)).toBe(0);
  });

  test('faults: a kill switch that cannot be read is a fault, though the invoker refuses with the same 503 ModelAccessSuspended (fail closed)', async () => {
    for (const lines of [await handledLines(failingSwitch('ParameterNotFound')), await handledLines(failingSwitch('AccessDeniedException')), await handledLines(() => Promise.resolve('maybe'))]) {
      const audit = lines.map((l) => JSON.parse(l) as { message?: string; audit?: AuditRecord }).find((r) => r.message === 'audit')!.audit!;
      expect([audit.status, audit.errorCode, audit.upstreamError]).toEqual([503, 'ModelAccessSuspended', expect.stringMatching(/^ModelAccessSwitch: (ParameterNotFound|AccessDeniedException|UnknownValue)$/)]);
      expect(count('InvokerFaults', lines)).toBe(1);
    }
  });

  test('denied model calls in CloudTrail: AccessDenied and AccessDeniedException of Bedrock and the other model-serving services only', () => {
    const denied = [
      trailRecord(),
      trailRecord({ errorCode: 'AccessDeniedException' }),
      trailRecord({ eventSource: 'bedrock-mantle.amazonaws.com', eventName: 'CreateInference' }),
      trailRecord({ eventSource: 'aws-external-anthropic.amazonaws.com', eventName: 'CreateMessage' }),
    ];
    const notDenied = [
      trailRecord({ errorCode: undefined, errorMessage: undefined }),
      trailRecord({ errorCode: 'ThrottlingException' }),
      trailRecord({ eventSource: 's3.amazonaws.com', eventName: 'GetObject' }),
      trailRecord({ eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' }),
    ];
    expect(count('DeniedModelCalls', denied.map((r) => JSON.stringify(r)))).toBe(4);
    expect(count('DeniedModelCalls', notDenied.map((r) => JSON.stringify(r)))).toBe(0);
  });

  test('each filter feeds the alarm of its signal, over 5 minutes', () => {
    const bySignal: Record<string, string> = {
      GuardrailInterventions: 'interventions',
      InvokerDeniedCalls: 'deniedCalls',
      DeniedModelCalls: 'deniedCalls',
      ApiDeniedCalls: 'deniedCalls',
      InvokerFaults: 'availability',
      RoleChanges: 'tampering',
      PermissionSetRoleChanges: 'tampering',
      PermissionSetChanges: 'tampering',
      OrganisationPolicyChanges: 'tampering',
    };
    for (const [metric, signal] of Object.entries(bySignal)) {
      const [[, alarm]] = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.MetricName === metric);
      expect([signalOf(alarm.Properties.AlarmDescription), alarm.Properties.Namespace, alarm.Properties.Statistic, alarm.Properties.Period]).toEqual([signal, 'PrivateAI/Detection/acme-prod', 'Sum', 300]);
    }
  });
});

describe('MisuseDetection: the Contributor Insights rules find the busiest caller', () => {
  test('requests per caller count audit records, not EMF lines', () => {
    const body = insightRuleBody('acme-prod-caller-requests');
    expect(body.LogGroupNames).toEqual([built.idOf('AWS::Logs::LogGroup', 'AuditLogs')]);
    expect(Object.fromEntries(contributions(body, SAMPLE.all))).toEqual({ [SSO_ROLE('alice')]: 5, [SSO_ROLE('mallory')]: 2, [SSO_ROLE('bob')]: 1, 'unknown caller': 1 });
  });

  test('tokens per caller sum input and output tokens; the alarm adds the busiest of each, never less than any one caller', () => {
    const input = contributions(insightRuleBody('acme-prod-caller-input-tokens'), SAMPLE.all);
    const output = contributions(insightRuleBody('acme-prod-caller-output-tokens'), SAMPLE.all);
    expect(input.get(SSO_ROLE('alice'))).toBe(100 + 4000 + 100);
    expect(output.get(SSO_ROLE('alice'))).toBe(50 + 2500 + 0);
    const alarmValue = Math.max(...input.values()) + Math.max(...output.values());
    for (const caller of input.keys()) expect(alarmValue).toBeGreaterThanOrEqual((input.get(caller) ?? 0) + (output.get(caller) ?? 0));
    const alarm = alarmNamed('acme-prod/callerVolume/CallerTokens');
    expect(alarm.Metrics.map((m: { Id: string; Expression: unknown }) => [m.Id, resolveCfn(m.Expression)])).toEqual([
      ['expr_1', 'inputTokens + outputTokens'],
      ['inputTokens', `INSIGHT_RULE_METRIC('${built.idOf('AWS::CloudWatch::InsightRule', 'MisuseDetectionCallerInputTokensRule')}.RuleName', 'MaxContributorValue')`],
      ['outputTokens', `INSIGHT_RULE_METRIC('${built.idOf('AWS::CloudWatch::InsightRule', 'MisuseDetectionCallerOutputTokensRule')}.RuleName', 'MaxContributorValue')`],
    ]);
  });

  test('interventions per caller: the busiest caller of the sample is mallory, with 2', () => {
    const body = insightRuleBody('acme-prod-caller-interventions');
    expect(Object.fromEntries(contributions(body, SAMPLE.all))).toEqual({ [SSO_ROLE('mallory')]: 2, [SSO_ROLE('alice')]: 1 });
    expect(maxContributorValue(body, SAMPLE.all)).toBe(2);
  });

  test("alarms read each rule's MaxContributorValue over 5 minutes, and wait for the rule", () => {
    for (const [name, rule] of [
      ['acme-prod/callerVolume/CallerRequests', 'MisuseDetectionCallerRequestsRule'],
      ['acme-prod/interventions/CallerInterventions', 'MisuseDetectionCallerInterventionsRule'],
    ]) {
      const [[alarmId, alarm]] = ofType('AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.AlarmName === name);
      const ruleId = built.idOf('AWS::CloudWatch::InsightRule', rule);
      expect(alarm.Properties.Metrics).toEqual([expect.objectContaining({ Period: 300, ReturnData: true })]);
      expect(resolveCfn(alarm.Properties.Metrics[0].Expression)).toBe(`INSIGHT_RULE_METRIC('${ruleId}.RuleName', 'MaxContributorValue')`);
      expect(resources[alarmId].DependsOn).toContain(ruleId);
    }
  });
});

describe('MisuseDetection: thresholds come from the config', () => {
  const THRESHOLD_OF: Record<string, keyof typeof DEFAULT_THRESHOLDS> = {
    'callerVolume/CallerRequests': 'callerRequestsPer5Minutes',
    'callerVolume/CallerTokens': 'callerTokensPer5Minutes',
    'interventions/Interventions': 'interventionsPer5Minutes',
    'interventions/CallerInterventions': 'callerInterventionsPer5Minutes',
    'deniedCalls/DeniedModelCalls': 'deniedCallsPer5Minutes',
    'deniedCalls/InvokerDeniedCalls': 'deniedCallsPer5Minutes',
    'deniedCalls/ApiDeniedCalls': 'deniedCallsPer5Minutes',
    'availability/InvokerErrors': 'invokerErrorsPer5Minutes',
    'availability/InvokerFaults': 'invokerErrorsPer5Minutes',
    'availability/ApiServerErrors': 'invokerErrorsPer5Minutes',
    'availability/InvokerThrottles': 'throttlesPer5Minutes',
    'availability/ModelThrottles': 'throttlesPer5Minutes',
    'availability/InvokerLatencyP99': 'latencyP99Milliseconds',
  };

  test('each alarm takes its threshold, and a changed threshold changes exactly its alarms', () => {
    for (const [alarm, key] of Object.entries(THRESHOLD_OF)) expect([alarm, alarmNamed(`acme-prod/${alarm}`).Threshold]).toEqual([alarm, DEFAULT_THRESHOLDS[key]]);
    const changed = { ...DEFAULT_THRESHOLDS, deniedCallsPer5Minutes: 3, latencyP99Milliseconds: 12000 };
    const other = detectionStack({ thresholds: changed }).resources;
    for (const [alarm, key] of Object.entries(THRESHOLD_OF)) expect([alarm, alarmNamed(`acme-prod/${alarm}`, other).Threshold]).toEqual([alarm, changed[key]]);
  });

  test('availability reads the invoker, the API and every Bedrock model', () => {
    const fnRef = { Ref: built.idOf('AWS::Lambda::Function', 'Invoker') };
    expect(alarmNamed('acme-prod/availability/InvokerLatencyP99')).toEqual(expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Duration', ExtendedStatistic: 'p99', Dimensions: [{ Name: 'FunctionName', Value: fnRef }] }));
    expect(alarmNamed('acme-prod/availability/InvokerErrors')).toEqual(expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum' }));
    expect(alarmNamed('acme-prod/availability/InvokerThrottles')).toEqual(expect.objectContaining({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Statistic: 'Sum' }));
    expect(alarmNamed('acme-prod/availability/ApiServerErrors')).toEqual(expect.objectContaining({ Namespace: 'AWS/ApiGateway', MetricName: '5XXError', Dimensions: [{ Name: 'ApiName', Value: 'Api' }] }));
    // Metrics Insights sums the throttles of every ModelId, whatever the allowlist calls them.
    expect(alarmNamed('acme-prod/availability/ModelThrottles').Metrics).toEqual([expect.objectContaining({ Expression: 'SELECT SUM(InvocationThrottles) FROM SCHEMA("AWS/Bedrock", ModelId)', Period: 300 })]);
  });
});

describe('MisuseDetection: tampering rules match the CloudTrail events of a change to the controls', () => {
  const refs = { [built.idOf('AWS::SSM::Parameter', 'KillSwitch')]: KILL_SWITCH, [built.idOf('AWS::Lambda::Function', 'Invoker')]: 'S-Invoker-abc' };
  const rules = Object.fromEntries(ofType('AWS::Events::Rule').map(([, r]) => [r.Properties.Name as string, resolveCfn(r.Properties, refs)]));
  const event = (eventSource: string, eventName: string, requestParameters: Record<string, unknown> | null, detail: Record<string, unknown> = {}) => ({
    version: '0',
    id: 'e-1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: `aws.${eventSource.split('.')[0]}`,
    account: ACCOUNT,
    time: '2025-06-01T10:00:00Z',
    region: REGION,
    resources: [],
    detail: { ...trailRecord({ eventSource, eventName, requestParameters, readOnly: false, errorCode: undefined, errorMessage: undefined, awsRegion: REGION }), ...detail },
  });
  const key = { id: built.idOf('AWS::KMS::Key', 'AlertKey'), arn: `${built.idOf('AWS::KMS::Key', 'AlertKey')}.Arn` };
  const auditGroup = built.idOf('AWS::Logs::LogGroup', 'AuditLogs');
  const bucket = built.idOf('AWS::S3::Bucket', 'AuditBucket');
  const apiId = built.idOf('AWS::ApiGateway::RestApi', 'Api');
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:acme-prod-security-alerts`;
  const apiAccessGroup = built.idOf('AWS::Logs::LogGroup', 'ApiAccessLogs');
  const queryId = `${built.idOf('AWS::Logs::QueryDefinition', 'MisuseDetectionQuerycompromisedcredentialsdeniedcalls')}.QueryDefinitionId`;

  const CASES: Record<string, { match: ReturnType<typeof event>[]; miss: ReturnType<typeof event>[] }> = {
    'acme-prod-guardrails': {
      match: [event('bedrock.amazonaws.com', 'UpdateGuardrail', { guardrailIdentifier: 'gr-1' }), event('bedrock.amazonaws.com', 'DeleteGuardrail', { guardrailIdentifier: 'gr-1', guardrailVersion: '1' })],
      miss: [event('bedrock.amazonaws.com', 'GetGuardrail', { guardrailIdentifier: 'gr-1' }), event('bedrock.amazonaws.com', 'InvokeModel', { modelId: 'm' })],
    },
    'acme-prod-invocation-logging': {
      match: [event('bedrock.amazonaws.com', 'DeleteModelInvocationLoggingConfiguration', null), event('bedrock.amazonaws.com', 'PutModelInvocationLoggingConfiguration', { loggingConfig: {} })],
      miss: [event('bedrock.amazonaws.com', 'GetModelInvocationLoggingConfiguration', null)],
    },
    'acme-prod-trails': {
      match: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'].map((n) => event('cloudtrail.amazonaws.com', n, { name: 'trail' })),
      miss: [event('cloudtrail.amazonaws.com', 'StartLogging', { name: 'trail' })],
    },
    'acme-prod-endpoints': {
      match: [event('ec2.amazonaws.com', 'ModifyVpcEndpoint', { ModifyVpcEndpointRequest: { VpcEndpointId: 'vpce-1' } }), event('ec2.amazonaws.com', 'DeleteVpcEndpoints', { DeleteVpcEndpointsRequest: {} })],
      miss: [event('ec2.amazonaws.com', 'CreateVpcEndpoint', {})],
    },
    'acme-prod-keys': {
      match: [event('kms.amazonaws.com', 'ScheduleKeyDeletion', { keyId: key.id, pendingWindowInDays: 7 }), event('kms.amazonaws.com', 'DisableKey', { keyId: key.arn }), event('kms.amazonaws.com', 'PutKeyPolicy', { keyId: key.id, policyName: 'default' })],
      miss: [event('kms.amazonaws.com', 'DisableKey', { keyId: 'another-key' }), event('kms.amazonaws.com', 'Decrypt', { keyId: key.id })],
    },
    'acme-prod-log-groups': {
      match: [
        event('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: auditGroup }),
        event('logs.amazonaws.com', 'DeleteMetricFilter', { logGroupName: auditGroup, filterName: 'f' }),
        // The API's access log is not among the protected groups here, but a detection filter reads it.
        event('logs.amazonaws.com', 'PutMetricFilter', { logGroupName: apiAccessGroup, filterName: 'f', filterPattern: '{ $.status = "999" }', metricTransformations: [] }),
      ],
      miss: [event('logs.amazonaws.com', 'DeleteLogGroup', { logGroupName: '/other' }), event('logs.amazonaws.com', 'CreateLogStream', { logGroupName: auditGroup }), event('logs.amazonaws.com', 'PutMetricFilter', { logGroupName: '/other', filterName: 'f' })],
    },
    'acme-prod-saved-queries': {
      match: [
        event('logs.amazonaws.com', 'DeleteQueryDefinition', { queryDefinitionId: queryId }),
        event('logs.amazonaws.com', 'PutQueryDefinition', { name: 'private-ai/compromised-credentials/denied-calls', queryDefinitionId: queryId, queryString: 'fields @timestamp | limit 1' }),
      ],
      miss: [event('logs.amazonaws.com', 'DeleteQueryDefinition', { queryDefinitionId: 'someone-elses-query' }), event('logs.amazonaws.com', 'PutQueryDefinition', { name: 'team/my-query', queryString: 'fields @timestamp' })],
    },
    'acme-prod-buckets': {
      match: [event('s3.amazonaws.com', 'PutBucketPolicy', { bucketName: bucket, Host: `${bucket}.s3.amazonaws.com`, policy: '' }), event('s3.amazonaws.com', 'PutBucketLifecycle', { bucketName: bucket })],
      miss: [event('s3.amazonaws.com', 'PutBucketPolicy', { bucketName: 'someone-elses-bucket' }), event('s3.amazonaws.com', 'GetBucketPolicy', { bucketName: bucket })],
    },
    'acme-prod-api': {
      match: [event('apigateway.amazonaws.com', 'UpdateRestApi', { restApiId: apiId, patchOperations: [{ op: 'replace', path: '/policy' }] })],
      miss: [event('apigateway.amazonaws.com', 'UpdateRestApi', { restApiId: 'other-api' })],
    },
    'acme-prod-web-acl': {
      match: [event('wafv2.amazonaws.com', 'DisassociateWebACL', { resourceArn: 'arn:stage' })],
      miss: [event('wafv2.amazonaws.com', 'GetWebACL', {})],
    },
    'acme-prod-invoker': {
      match: [
        event('lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', { functionName: 'S-Invoker-abc', environment: {} }),
        event('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', { functionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:S-Invoker-abc` }),
        event('lambda.amazonaws.com', 'AddPermission20150331v2', { functionName: 'S-Invoker-abc', statementId: 's', action: 'lambda:InvokeFunction', principal: '*' }),
        event('lambda.amazonaws.com', 'RemovePermission20150331v2', { functionName: 'S-Invoker-abc', statementId: 's' }),
      ],
      miss: [
        event('lambda.amazonaws.com', 'UpdateFunctionConfiguration20150331v2', { functionName: 'another-function' }),
        event('lambda.amazonaws.com', 'GetFunction20150331v2', { functionName: 'S-Invoker-abc' }),
        event('lambda.amazonaws.com', 'AddPermission20150331v2', { functionName: 'another-function', statementId: 's' }),
        event('lambda.amazonaws.com', 'GetPolicy20150331v2', { functionName: 'S-Invoker-abc' }),
      ],
    },
    'acme-prod-alarms': {
      match: [
        event('monitoring.amazonaws.com', 'DeleteAlarms', { alarmNames: ['other', 'acme-prod/tampering/UndeliveredAlerts'] }),
        event('monitoring.amazonaws.com', 'DisableInsightRules', { ruleNames: ['acme-prod-caller-requests'] }),
        event('monitoring.amazonaws.com', 'PutMetricAlarm', { alarmName: 'acme-prod/deniedCalls/InvokerDeniedCalls', threshold: 1000000, alarmActions: [] }),
        event('monitoring.amazonaws.com', 'SetAlarmState', { alarmName: 'acme-prod/tampering/RoleChanges', stateValue: 'OK', stateReason: 'x' }),
        event('monitoring.amazonaws.com', 'PutInsightRule', { ruleName: 'acme-prod-caller-requests', ruleState: 'ENABLED', ruleDefinition: '{}' }),
      ],
      miss: [
        event('monitoring.amazonaws.com', 'DeleteAlarms', { alarmNames: ['someone-elses-alarm'] }),
        event('monitoring.amazonaws.com', 'PutMetricAlarm', { alarmName: 'someone-elses-alarm' }),
        event('monitoring.amazonaws.com', 'SetAlarmState', { alarmName: 'acme-staging/tampering/RoleChanges', stateValue: 'OK' }),
        event('monitoring.amazonaws.com', 'PutInsightRule', { ruleName: 'other-rule' }),
      ],
    },
    'acme-prod-alert-routing': {
      match: [
        event('events.amazonaws.com', 'DisableRule', { name: 'acme-prod-keys' }),
        event('events.amazonaws.com', 'RemoveTargets', { rule: 'acme-prod-trails', ids: ['Target0'] }),
        event('events.amazonaws.com', 'PutRule', { name: 'acme-prod-kill-switch', eventPattern: '{"source":["nothing"]}' }),
      ],
      miss: [event('events.amazonaws.com', 'DisableRule', { name: 'other-rule' }), event('events.amazonaws.com', 'PutRule', { name: 'other-rule', eventPattern: '{}' })],
    },
    'acme-prod-alert-topic': {
      match: [
        event('sns.amazonaws.com', 'SetTopicAttributes', { topicArn, attributeName: 'KmsMasterKeyId', attributeValue: '' }),
        event('sns.amazonaws.com', 'Unsubscribe', { subscriptionArn: `${topicArn}:1234-abcd` }),
        event('sns.amazonaws.com', 'Subscribe', { topicArn, protocol: 'https', endpoint: 'https://attacker.example.com/' }),
        event('sns.amazonaws.com', 'SetSubscriptionAttributes', { subscriptionArn: `${topicArn}:1234-abcd`, attributeName: 'FilterPolicy', attributeValue: '{"never":["x"]}' }),
        event('sns.amazonaws.com', 'AddPermission', { topicArn, label: 'x', aWSAccountId: ['222222222222'], actionName: ['Publish'] }),
        event('sns.amazonaws.com', 'DeleteTopic', { topicArn }),
      ],
      miss: [
        event('sns.amazonaws.com', 'SetTopicAttributes', { topicArn: `${topicArn}-other` }),
        event('sns.amazonaws.com', 'Unsubscribe', { subscriptionArn: `${topicArn}-other:1` }),
        event('sns.amazonaws.com', 'Subscribe', { topicArn: `${topicArn}-other`, protocol: 'email' }),
        event('sns.amazonaws.com', 'GetTopicAttributes', { topicArn }),
      ],
    },
    'acme-prod-kill-switch': {
      match: [
        event('ssm.amazonaws.com', 'PutParameter', { name: KILL_SWITCH, type: 'String', overwrite: true }),
        event('ssm.amazonaws.com', 'PutParameter', { name: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${KILL_SWITCH}`, overwrite: true }),
        event('ssm.amazonaws.com', 'DeleteParameters', { names: ['/other', KILL_SWITCH] }),
      ],
      miss: [event('ssm.amazonaws.com', 'PutParameter', { name: '/private-ai/other' }), event('ssm.amazonaws.com', 'GetParameter', { name: KILL_SWITCH })],
    },
  };

  test('every rule is exercised', () => {
    expect(Object.keys(rules).sort()).toEqual(Object.keys(CASES).sort());
  });

  test.each(Object.keys(CASES))('%s matches the changes it watches and nothing else', (name) => {
    const pattern = rules[name].EventPattern;
    for (const e of CASES[name].match) expect([e.detail.eventName, matchesEventPattern(pattern, e)]).toEqual([e.detail.eventName, true]);
    for (const e of CASES[name].miss) expect([e.detail.eventName, matchesEventPattern(pattern, e)]).toEqual([e.detail.eventName, false]);
    // Only CloudTrail's API-call events: the same change from a forged custom event does not match.
    expect(matchesEventPattern(pattern, { ...CASES[name].match[0], 'detail-type': 'Custom' })).toBe(false);
  });

  test('a failed attempt (AccessDenied) matches too, so an attempt blocked by the organisation guard is still reported', () => {
    const attempt = event('cloudtrail.amazonaws.com', 'StopLogging', { name: 'trail' }, { errorCode: 'AccessDenied', errorMessage: 'explicit deny in a service control policy' });
    expect(matchesEventPattern(rules['acme-prod-trails'].EventPattern, attempt)).toBe(true);
  });

  test('the alert says what changed, who did it, from where and when, and whether it failed', () => {
    const { InputTransformer } = rules['acme-prod-keys'].Targets[0];
    expect(InputTransformer.InputPathsMap).toEqual({
      'detail-eventName': '$.detail.eventName',
      'detail-eventSource': '$.detail.eventSource',
      'detail-userIdentity-arn': '$.detail.userIdentity.arn',
      'detail-sourceIPAddress': '$.detail.sourceIPAddress',
      time: '$.time',
      account: '$.account',
      region: '$.region',
      'detail-errorCode': '$.detail.errorCode',
      'detail-requestParameters': '$.detail.requestParameters',
    });
    // Every placeholder of the template is a path of the map, and each path exists in a CloudTrail event.
    const placeholders = [...(InputTransformer.InputTemplate as string).matchAll(/<([\w-]+)>/g)].map((m) => m[1]);
    expect(new Set(placeholders)).toEqual(new Set(Object.keys(InputTransformer.InputPathsMap)));
    const sample = event('kms.amazonaws.com', 'DisableKey', { keyId: key.id }, { errorCode: 'AccessDenied' });
    for (const path of Object.values(InputTransformer.InputPathsMap) as string[]) expect([path, hasField(sample, path.slice(2))]).toEqual([path, true]);
    expect(signalOf(JSON.parse(InputTransformer.InputTemplate))).toBe('tampering');
  });

  test('without a kill switch there is no kill-switch rule', () => {
    const names = ofType('AWS::Events::Rule', detectionStack({ killSwitch: undefined }).resources).map(([, r]) => r.Properties.Name);
    expect(names).not.toContain('acme-prod-kill-switch');
    expect(names).toHaveLength(Object.keys(CASES).length - 1);
  });
});

describe("MisuseDetection: tampering EventBridge here never sees, counted on the trail's log group", () => {
  const invokerRoleId = built.idOf('AWS::IAM::Role', 'InvokerServiceRole');
  const deliveryRoleId = built.idOf('AWS::IAM::Role', 'TrailDeliveryRole');
  const refs = { [invokerRoleId]: 'S-InvokerServiceRole-1A2B3C4D5E6F', [deliveryRoleId]: 'S-TrailDeliveryRole-9Z8Y7X6W5V4U' };
  const trailGroup = { Ref: built.idOf('AWS::Logs::LogGroup', 'TrailLogs') };
  const pattern = (metric: string, r: Resources = resources) => resolveCfn(filterPatternOf(metric, r), refs) as string;
  /** A management event as the multi-region trail delivers it to its log group, from whichever region recorded it. */
  const record = (eventSource: string, eventName: string, requestParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    JSON.stringify(trailRecord({ eventSource, eventName, requestParameters, awsRegion: 'us-east-1', readOnly: false, errorCode: undefined, errorMessage: undefined, ...extra }));
  const ROLE_CHANGES = ['PutRolePolicy', 'DeleteRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'PutRolePermissionsBoundary', 'DeleteRolePermissionsBoundary', 'UpdateAssumeRolePolicy', 'DeleteRole'];
  const SSO_SERVICE = { userIdentity: { type: 'AWSService', invokedBy: 'sso.amazonaws.com' }, sourceIPAddress: 'sso.amazonaws.com' };

  test("changes to the invoker's role and the stack's other watched roles count: every policy, boundary and trust call, and deleting it", () => {
    const p = pattern('RoleChanges');
    for (const role of Object.values(refs)) {
      for (const name of ROLE_CHANGES) expect([role, name, matchesFilterPattern(p, record('iam.amazonaws.com', name, { roleName: role, policyName: 'p' }))]).toEqual([role, name, true]);
    }
    // A failed attempt counts too, as the EventBridge rules do.
    expect(matchesFilterPattern(p, record('iam.amazonaws.com', 'AttachRolePolicy', { roleName: refs[invokerRoleId], policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, { errorCode: 'AccessDenied' }))).toBe(true);
    expect(matchesFilterPattern(p, record('iam.amazonaws.com', 'PutRolePolicy', { roleName: 'someone-elses-role' }))).toBe(false);
    expect(matchesFilterPattern(p, record('iam.amazonaws.com', 'GetRolePolicy', { roleName: refs[invokerRoleId] }))).toBe(false);
    expect(matchesFilterPattern(p, record('iam.amazonaws.com', 'TagRole', { roleName: refs[invokerRoleId] }))).toBe(false);
    expect(matchesFilterPattern(p, record('sts.amazonaws.com', 'AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT}:role/${refs[invokerRoleId]}`, roleName: refs[invokerRoleId] }))).toBe(false);
  });

  test("the invoker's role is watched even when no role is listed", () => {
    const bare = detectionStack({ protectedResources: { keys: [], logGroups: [], buckets: [] } });
    const p = resolveCfn(filterPatternOf('RoleChanges', bare.resources), refs) as string;
    expect(matchesFilterPattern(p, record('iam.amazonaws.com', 'PutRolePolicy', { roleName: refs[invokerRoleId] }))).toBe(true);
    expect(matchesFilterPattern(p, record('iam.amazonaws.com', 'PutRolePolicy', { roleName: refs[deliveryRoleId] }))).toBe(false);
    // Without patterns there is no permission-set role filter.
    expect(ofType('AWS::Logs::MetricFilter', bare.resources).map(([, f]) => f.Properties.MetricTransformations[0].MetricName)).not.toContain('PermissionSetRoleChanges');
  });

  test("Identity Center rewriting the permission sets' roles in this account counts (that is how a changed permission set arrives here); other sets' roles do not", () => {
    const p = pattern('PermissionSetRoleChanges');
    const modelUserRole = 'AWSReservedSSO_AcmeAiModelUser_0123456789abcdef';
    for (const name of ROLE_CHANGES) expect([name, matchesFilterPattern(p, record('iam.amazonaws.com', name, { roleName: modelUserRole, policyName: 'AwsSSOInlinePolicy' }, SSO_SERVICE))]).toEqual([name, true]);
    expect(matchesFilterPattern(p, record('iam.amazonaws.com', 'PutRolePolicy', { roleName: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef' }, SSO_SERVICE))).toBe(false);
    expect(matchesFilterPattern(p, record('iam.amazonaws.com', 'CreateRole', { roleName: modelUserRole }, SSO_SERVICE))).toBe(false);
  });

  test('permission-set changes count from any region (Identity Center records them in its home region), where the stack holds the instance', () => {
    const p = pattern('PermissionSetChanges');
    const permissionSetArn = 'arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef';
    const names = [
      'PutInlinePolicyToPermissionSet',
      'DeleteInlinePolicyFromPermissionSet',
      'AttachManagedPolicyToPermissionSet',
      'DetachManagedPolicyFromPermissionSet',
      'AttachCustomerManagedPolicyReferenceToPermissionSet',
      'DetachCustomerManagedPolicyReferenceFromPermissionSet',
      'PutPermissionsBoundaryToPermissionSet',
      'DeletePermissionsBoundaryFromPermissionSet',
      'DeletePermissionSet',
      'ProvisionPermissionSet',
    ];
    for (const name of names) {
      const line = record('sso.amazonaws.com', name, { instanceArn: 'arn:aws:sso:::instance/ssoins-0123456789abcdef', permissionSetArn }, { awsRegion: 'eu-west-1' });
      expect([name, matchesFilterPattern(p, line)]).toEqual([name, true]);
    }
    for (const name of ['DescribePermissionSet', 'ListPermissionSets', 'CreateToken', 'Authenticate']) expect([name, matchesFilterPattern(p, record('sso.amazonaws.com', name, { permissionSetArn }))]).toEqual([name, false]);
    expect(matchesFilterPattern(p, record('sso-oauth.amazonaws.com', 'PutInlinePolicyToPermissionSet', {}))).toBe(false);
  });

  test('organisation policy changes count (only the management account records them)', () => {
    const p = pattern('OrganisationPolicyChanges');
    for (const name of ['DetachPolicy', 'UpdatePolicy', 'DeletePolicy', 'DisablePolicyType']) {
      expect([name, matchesFilterPattern(p, record('organizations.amazonaws.com', name, { policyId: 'p-0123abcd', targetId: 'ou-ab12-cd34ef56' }))]).toEqual([name, true]);
    }
    for (const name of ['AttachPolicy', 'DescribePolicy', 'ListPolicies']) expect([name, matchesFilterPattern(p, record('organizations.amazonaws.com', name, { policyId: 'p-0123abcd' }))]).toEqual([name, false]);
  });

  test('each filter reads the trail log group and alarms on a single event, under the tampering signal', () => {
    for (const metric of ['RoleChanges', 'PermissionSetRoleChanges', 'PermissionSetChanges', 'OrganisationPolicyChanges']) {
      const [[, filter]] = ofType('AWS::Logs::MetricFilter').filter(([, f]) => f.Properties.MetricTransformations[0].MetricName === metric);
      expect([metric, filter.Properties.LogGroupName]).toEqual([metric, trailGroup]);
      const alarm = alarmNamed(`acme-prod/tampering/${metric}`);
      expect([metric, alarm.MetricName, alarm.Threshold, alarm.ComparisonOperator, signalOf(alarm.AlarmDescription)]).toEqual([metric, metric, 0, 'GreaterThanThreshold', 'tampering']);
    }
  });

  test("every pattern fits CloudWatch Logs' 1024 characters once deployed, role names at IAM's 64-character maximum", () => {
    const longest = { [invokerRoleId]: 'r'.repeat(64), [deliveryRoleId]: 'd'.repeat(64) };
    for (const [, f] of ofType('AWS::Logs::MetricFilter')) {
      const deployed = resolveCfn(f.Properties.FilterPattern, longest) as string;
      expect([f.Properties.MetricTransformations[0].MetricName, deployed.length <= 1024]).toEqual([f.Properties.MetricTransformations[0].MetricName, true]);
    }
  });

  test('too many roles for one pattern, and a role name pattern that could break the filter, are refused', () => {
    const manyRoles = (stack: Stack) => Array.from({ length: 7 }, (_, i) => new iam.Role(stack, `Extra${i}`, { assumedBy: new iam.AccountRootPrincipal() }));
    expect(() => {
      const stack = new Stack(undefined, 'Many', { env: { account: ACCOUNT, region: REGION } });
      const group = new logs.LogGroup(stack, 'G');
      const fn = new lambda.Function(stack, 'F', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      const api = new apigw.RestApi(stack, 'Api');
      api.root.addMethod('POST', new apigw.MockIntegration());
      new MisuseDetection(stack, 'D', {
        emails: ['a@example.com'],
        thresholds: DEFAULT_THRESHOLDS,
        key: new kms.Key(stack, 'K'),
        namePrefix: 'acme-prod',
        auditLogGroup: group,
        trailLogGroup: group,
        apiAccessLogGroup: group,
        invokerFunction: fn,
        api,
        protectedResources: { keys: [], logGroups: [], buckets: [], roles: manyRoles(stack) },
      });
    }).toThrow(/watching 8 roles in one filter \(RoleChanges\) takes up to \d+ characters, above CloudWatch Logs' 1024 per filter pattern; watch fewer roles/);
    expect(() => detectionStack({ protectedResources: { keys: [], logGroups: [], buckets: [], roleNamePatterns: ['AWSReservedSSO_"x'] } })).toThrow(
      'MisuseDetection: role name pattern "AWSReservedSSO_\\"x" must be 1-64 of IAM\'s role-name characters (letters, digits, +=,.@_-) or *, known at synthesis; e.g. AWSReservedSSO_AcmeAiModelUser_*',
    );
  });
});

describe('MisuseDetection: saved queries for the playbooks', () => {
  const SAMPLES: Record<SavedQueryLogGroup, ReadonlyArray<Record<string, unknown>>> = {
    audit: SAMPLE.audit.map((l) => JSON.parse(l) as Record<string, unknown>),
    trail: [trailRecord()],
    invocations: [INVOCATION_RECORD],
    // The fields of the API's JSON access log (jsonWithStandardFields); the platform test reads the real format.
    apiAccess: [{ requestId: 'r', ip: '10.1.2.3', user: 'AROA:alice', caller: 'AROA:alice', requestTime: '01/Jun/2025:10:00:00 +0000', httpMethod: 'POST', resourcePath: '/invoke', status: '403', protocol: 'HTTP/1.1', responseLength: '98' }],
  };

  test('each playbook has at least one saved query, named private-ai/<playbook>/<step>', () => {
    const definitions = ofType('AWS::Logs::QueryDefinition').map(([, q]) => q.Properties.Name as string);
    for (const playbook of Object.keys(PLAYBOOKS)) expect(definitions.some((n) => n.startsWith(`private-ai/${playbook}/`))).toBe(true);
    expect(definitions.sort()).toEqual(AWS_SAVED_QUERIES.map((q) => savedQueryName(q.playbook, q.step)).sort());
  });

  test('each saved query is the exported text, over its log groups', () => {
    const groupIds: Record<SavedQueryLogGroup, string> = {
      audit: built.idOf('AWS::Logs::LogGroup', 'AuditLogs'),
      trail: built.idOf('AWS::Logs::LogGroup', 'TrailLogs'),
      invocations: built.idOf('AWS::Logs::LogGroup', 'InvocationLogs'),
      apiAccess: built.idOf('AWS::Logs::LogGroup', 'ApiAccessLogs'),
    };
    for (const q of AWS_SAVED_QUERIES) {
      const [[, def]] = ofType('AWS::Logs::QueryDefinition').filter(([, d]) => d.Properties.Name === savedQueryName(q.playbook, q.step));
      expect(def.Properties.QueryString).toBe(q.query);
      expect(def.Properties.LogGroupNames).toEqual(q.logGroups.map((g) => ({ Ref: groupIds[g] })));
    }
  });

  test.each(AWS_SAVED_QUERIES.map((q) => [savedQueryName(q.playbook, q.step), q] as const))('%s reads only fields its log groups hold', (_, q) => {
    const fields = [...queryFields(q.query)].filter((f) => !f.startsWith('@'));
    expect(fields.length).toBeGreaterThan(0);
    for (const f of fields) expect([f, q.logGroups.some((g) => SAMPLES[g].some((record) => hasField(record, f)))]).toEqual([f, true]);
    for (const f of [...queryFields(q.query)].filter((x) => x.startsWith('@'))) expect(['@timestamp', '@message', '@logStream']).toContain(f);
  });

  test('a stack without the invocation logs saves no query over them', () => {
    const names = ofType('AWS::Logs::QueryDefinition', detectionStack({ invocationLogGroup: undefined }).resources).map(([, q]) => q.Properties.Name);
    expect(names).toEqual(AWS_SAVED_QUERIES.filter((q) => !q.logGroups.includes('invocations')).map((q) => savedQueryName(q.playbook, q.step)));
  });
});
