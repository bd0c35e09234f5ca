import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AuditTrail,
  BEDROCK_DATA_EVENT_TYPES,
  evidenceLifecycleDays,
  MAX_SELECTOR_VALUES,
  OTHER_MODEL_SERVING_DATA_EVENT_TYPES,
  selectorValueCount,
  type AuditTrailProps,
} from '../../lib/aws/audit-trail';

function build(overrides: Partial<AuditTrailProps> = {}, beforeSynth: (stack: Stack, audit: AuditTrail) => void = () => {}) {
  const stack = new Stack(undefined, 'Audit', { env: { account: '111111111111', region: 'eu-central-1' } });
  const audit = new AuditTrail(stack, 'Audit', {
    auditKey: new kms.Key(stack, 'AuditKey'),
    logsKey: new kms.Key(stack, 'LogsKey'),
    logRetention: logs.RetentionDays.ONE_YEAR,
    auditRetentionDays: 2557,
    ...overrides,
  });
  beforeSynth(stack, audit);
  return { stack, audit, template: Template.fromStack(stack) };
}

const { template, audit: auditTrail } = build();
const auditKeyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] };

describe('AuditTrail: the trail', () => {
  test('multi-region, log-file validation, CMK, CloudWatch Logs delivery, logging on', () => {
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsLogging: true,
      IsMultiRegionTrail: true,
      IncludeGlobalServiceEvents: true,
      EnableLogFileValidation: true,
      KMSKeyId: auditKeyArn,
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TrailLogs'), 'Arn'] },
      CloudWatchLogsRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TrailLogsRole'), 'Arn'] },
    });
  });

  const [trailResource] = Object.values(template.findResources('AWS::CloudTrail::Trail'));
  type FieldSelector = { Field: string; Equals?: string[]; StartsWith?: unknown[] };
  const selectors: Array<{ Name: string; FieldSelectors: FieldSelector[] }> = trailResource.Properties.AdvancedEventSelectors;
  const typesOf = (s: { FieldSelectors: FieldSelector[] }) => s.FieldSelectors.filter((f) => f.Field === 'resources.type').flatMap((f) => f.Equals ?? []);

  test('records all management events through advanced selectors (which replace basic ones)', () => {
    expect(trailResource.Properties.EventSelectors).toBeUndefined();
    expect(selectors[0].FieldSelectors).toEqual([{ Field: 'eventCategory', Equals: ['Management'] }]);
  });

  test('records data events of every Bedrock resource type CloudTrail documents, one type per selector', () => {
    const recorded = selectors.flatMap(typesOf);
    expect(recorded).toEqual(expect.arrayContaining([...BEDROCK_DATA_EVENT_TYPES, ...OTHER_MODEL_SERVING_DATA_EVENT_TYPES]));
    expect(auditTrail.dataEventTypes).toEqual([...BEDROCK_DATA_EVENT_TYPES, ...OTHER_MODEL_SERVING_DATA_EVENT_TYPES]);
    // The six of the first version, and those AWS added since (inline agents, prompts, sessions,
    // flow executions, automated reasoning, data automation, tools), in AWS's spelling.
    expect(BEDROCK_DATA_EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'AWS::Bedrock::Model',
        'AWS::Bedrock::AsyncInvoke',
        'AWS::Bedrock::Guardrail',
        'AWS::Bedrock::AgentAlias',
        'AWS::Bedrock::KnowledgeBase',
        'AWS::Bedrock::FlowAlias',
        'AWS::Bedrock::InlineAgent',
        'AWS::Bedrock::PromptVersion',
        'AWS::Bedrock::Session',
        'AWS::Bedrock::FlowExecution',
        'AWS::Bedrock::AutomatedReasoningPolicy',
        'AWS::Bedrock::AutomatedReasoningPolicyVersion',
        'AWS::Bedrock::DataAutomationProject',
        'AWS::Bedrock::DataAutomationInvocation',
        'AWS::Bedrock::DataAutomationProfile',
      ]),
    );
    expect(BEDROCK_DATA_EVENT_TYPES).toHaveLength(18);
    expect(new Set(BEDROCK_DATA_EVENT_TYPES).size).toBe(BEDROCK_DATA_EVENT_TYPES.length);
    // Names that are not CloudTrail resources.type values (the CloudFormation type, a console label).
    expect(recorded).not.toContain('AWS::Bedrock::Prompt');
    expect(recorded).not.toContain('AWS::Bedrock::Agent');
    for (const s of selectors) {
      expect(typesOf(s).length).toBeLessThanOrEqual(1);
      if (s.FieldSelectors.some((f) => f.Field === 'resources.type')) expect(s.FieldSelectors[0]).toEqual({ Field: 'eventCategory', Equals: ['Data'] });
    }
  });

  test.each([
    ['evidence bucket', 'Bucket'],
    ['server-access-log bucket', 'AccessLogsBucket'],
  ])('records every object call on the %s (reads of prompt logs included)', (_, bucketId) => {
    const logicalId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.replace(/[0-9A-F]{8}$/, '') === `Audit${bucketId}`)!;
    const selector = selectors.find((s) => s.FieldSelectors.some((f) => f.Field === 'resources.ARN' && JSON.stringify(f.StartsWith).includes(`"${logicalId}"`)))!;
    expect(selector.FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'resources.ARN', StartsWith: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId, 'Arn'] }, '/']] }] },
    ]);
    // No readOnly or eventName filter: reads and writes alike.
    expect(selector.FieldSelectors.map((f) => f.Field)).not.toContain('readOnly');
  });

  test("the selectors stay within CloudTrail's 500 values per trail, and a list that would not is refused", () => {
    expect(selectorValueCount(selectors.map((s) => ({ name: s.Name, fieldSelectors: s.FieldSelectors.map((f) => ({ field: f.Field, equalTo: f.Equals, startsWith: f.StartsWith as string[] })) })))).toBe(70);
    // Management 2, twenty types at 3 each, two buckets at 4 each; AWS's documented limit is 500.
    expect(MAX_SELECTOR_VALUES).toBe(500);
    const tooMany = Array.from({ length: 170 }, (_, i) => `AWS::Example::Type${i}`);
    expect(() => build({ dataEventTypes: tooMany })).toThrow(
      /would use 503 values, above CloudTrail's limit of 500 \(adding 'Data events: AWS::Example::Type166'\); record fewer data-event types \(dataEventTypes\) or buckets/,
    );
  });

  test('recordObjectAccess records every object call on a bucket created after the trail (the prompt-log bucket)', () => {
    const { template: withPromptLogs } = build({}, (stack, trail) => trail.recordObjectAccess(new s3.Bucket(stack, 'PromptLogs'), 'the prompt-log bucket'));
    const [resource] = Object.values(withPromptLogs.findResources('AWS::CloudTrail::Trail'));
    const promptLogs = resource.Properties.AdvancedEventSelectors.find((s: { Name: string }) => s.Name === 'Object access to the prompt-log bucket');
    expect(promptLogs.FieldSelectors).toEqual([
      { Field: 'eventCategory', Equals: ['Data'] },
      { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
      { Field: 'resources.ARN', StartsWith: [{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^PromptLogs/), 'Arn'] }, '/']] }] },
    ]);
  });

  test('selectorValueCount counts one per selector and one per condition value', () => {
    expect(selectorValueCount([])).toBe(0);
    expect(selectorValueCount([{ name: 'm', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] }])).toBe(2);
    expect(
      selectorValueCount([
        { name: 'd', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Data'] }, { field: 'resources.type', equalTo: ['AWS::S3::Object'] }, { field: 'resources.ARN', startsWith: ['a', 'b'] }] },
      ]),
    ).toBe(5);
  });

  test('the trail ARN is exposed for wiring', () => {
    expect(Stack.of(auditTrail).resolve(auditTrail.trailArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AuditTrail[0-9A-F]{8}$/), 'Arn'] });
  });

  test('the CloudWatch log group is CMK-encrypted with retention, and the delivery role has a managed, scoped policy', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogsKey'), 'Arn'] },
      RetentionInDays: 365,
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('TrailLogs'), 'Arn'] } }],
      },
    });
  });
});

describe('AuditTrail: the evidence bucket', () => {
  const buckets = template.findResources('AWS::S3::Bucket');
  const [auditId, audit] = Object.entries(buckets).find(([id]) => !id.includes('AccessLogs'))!;
  const [accessId, access] = Object.entries(buckets).find(([id]) => id.includes('AccessLogs'))!;

  test('CMK encryption, public access blocked, versioning and compliance-mode object lock', () => {
    expect(audit.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: expect.anything() },
      BucketKeyEnabled: true,
    });
    expect(audit.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(audit.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(audit.Properties.ObjectLockEnabled).toBe(true);
    expect(audit.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } } });
  });

  test('server access logs go to the separate access-log bucket', () => {
    expect(audit.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: accessId }, LogFilePrefix: 'audit-bucket/' });
    expect(accessId).not.toBe(auditId);
  });

  test('lifecycle to infrequent access, then Glacier; current and noncurrent phases add up to the retention period', () => {
    for (const bucket of [audit, access]) {
      const [rule] = bucket.Properties.LifecycleConfiguration.Rules;
      expect(rule).toMatchObject({
        Status: 'Enabled',
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 90 },
          { StorageClass: 'GLACIER', TransitionInDays: 365 },
        ],
        ExpirationInDays: 2556,
        NoncurrentVersionExpiration: { NoncurrentDays: 1 },
      });
      // A versioned object turns noncurrent at ExpirationInDays and is removed NoncurrentDays later.
      expect(rule.ExpirationInDays + rule.NoncurrentVersionExpiration.NoncurrentDays).toBe(2557);
    }
    // The compliance lock holds every version of evidence for the same period, no longer.
    expect(audit.Properties.ObjectLockConfiguration.Rule.DefaultRetention.Days).toBe(2557);
  });

  test('event notifications go to EventBridge without a notification-handler function', () => {
    expect(audit.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(access.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('the bucket policy requires TLS and admits CloudTrail of this account only', () => {
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === auditId)!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Sid: 'CloudTrailWrite', Principal: { Service: 'cloudtrail.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' }, 's3:x-amz-acl': 'bucket-owner-full-control' } } }),
      ]),
    );
  });

  test('the access-log bucket is one S3 can deliver server access logs to: no object lock, SSE-S3 default encryption', () => {
    expect(access.Properties.ObjectLockEnabled).toBeUndefined();
    expect(access.Properties.ObjectLockConfiguration).toBeUndefined();
    expect(access.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }]);
  });

  const accessPolicy = () => Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === accessId)!.Properties.PolicyDocument.Statement;
  const accessObjects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [accessId, 'Arn'] }, '/*']] };

  test('the access-log bucket is versioned, public-access-blocked and TLS-only', () => {
    expect(access.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(access.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(accessPolicy()).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  test('S3 log delivery of this account may write the evidence bucket\'s logs, bound to that bucket', () => {
    expect(accessPolicy()).toContainEqual({
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [accessId, 'Arn'] }, '/audit-bucket/*']] },
      Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [auditId, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '111111111111' } },
    });
  });

  test('no principal may delete access logs or their versions, or change the policy, lifecycle, versioning or object lock', () => {
    const deny = accessPolicy().find((s: { Sid?: string }) => s.Sid === 'DenyDeletingOrReconfiguringAccessLogs');
    expect(deny).toEqual({
      Sid: 'DenyDeletingOrReconfiguringAccessLogs',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:PutLifecycleConfiguration', 's3:PutBucketVersioning', 's3:PutBucketObjectLockConfiguration'],
      Resource: [{ 'Fn::GetAtt': [accessId, 'Arn'] }, accessObjects],
    });
    // Unconditional: no exception a role could satisfy.
    expect(deny.Condition).toBeUndefined();
  });

  test('only a service writing on behalf of this account may put objects (IAM principals carry no aws:SourceAccount)', () => {
    expect(accessPolicy()).toContainEqual({
      Sid: 'DenyObjectWritesExceptLogDelivery',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Resource: accessObjects,
      Condition: { StringNotEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  test('another bucket of the account can log to the access-log bucket: CDK admits it by its ARN, and the deny lets it through', () => {
    const { template: withOther } = build({}, (stack, trail) => {
      new s3.Bucket(stack, 'PromptLogs', { serverAccessLogsBucket: trail.accessLogsBucket, serverAccessLogsPrefix: 'prompt-log-bucket/' });
    });
    const [, policy] = Object.entries(withOther.findResources('AWS::S3::BucketPolicy')).find(([id]) => id.startsWith('AuditAccessLogs'))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Condition: expect.objectContaining({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^PromptLogs/), 'Arn'] } } }),
      }),
    );
    const deny = statements.find((s: { Sid?: string }) => s.Sid === 'DenyObjectWritesExceptLogDelivery');
    expect(JSON.stringify(deny.Condition)).not.toContain('aws:SourceArn');
  });

  test('every resource of the audit trail is retained when the stack is deleted', () => {
    const own = Object.entries(template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>).filter(([id]) => id.startsWith('Audit') && !id.startsWith('AuditKey'));
    expect(own.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toHaveLength(8); // 2 buckets, 2 bucket policies, log group, role, policy, trail
    for (const [id, resource] of own) expect([id, resource.DeletionPolicy]).toEqual([id, 'Retain']);
  });
});

describe('AuditTrail: the audit key', () => {
  const [, key] = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('AuditKey'))!;
  const statements = key.Properties.KeyPolicy.Statement;

  test('admits CloudTrail of this account to encrypt log files, bound to trail ARNs by encryption context', () => {
    expect(statements).toContainEqual({
      Sid: 'AllowCloudTrailEncryptLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:111111111111:trail/*']] } },
      },
    });
    expect(statements).toContainEqual({
      Sid: 'AllowCloudTrailDescribeKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
  });

  test('admits no other service: S3 log delivery writes with SSE-S3, Bedrock is admitted by InvocationLogging', () => {
    const services = statements.filter((s: { Principal?: { Service?: string } }) => s.Principal?.Service).map((s: { Principal: { Service: string } }) => s.Principal.Service);
    expect(new Set(services)).toEqual(new Set(['cloudtrail.amazonaws.com']));
  });

  test('an imported key is refused, since its policy cannot be extended here', () => {
    const stack = new Stack(undefined, 'Imported', { env: { account: '111111111111', region: 'eu-central-1' } });
    expect(
      () =>
        new AuditTrail(stack, 'Audit', {
          auditKey: kms.Key.fromKeyArn(stack, 'Existing', 'arn:aws:kms:eu-central-1:111111111111:key/00000000-0000-0000-0000-000000000000'),
          logsKey: new kms.Key(stack, 'LogsKey'),
          logRetention: logs.RetentionDays.ONE_YEAR,
          auditRetentionDays: 2557,
        }),
    ).toThrow(/AuditTrail: auditKey Imported\/Existing is imported, so its key policy cannot be extended here; pass a kms.Key defined in this app, or manage that key's policy yourself with the AllowCloudTrailEncryptLogs statement/);
  });
});

describe('evidenceLifecycleDays', () => {
  test.each([365, 366, 730, 2557, 3653])('keeps an object %i days in all: current phase plus a one-day noncurrent phase', (retention) => {
    const { currentVersionExpirationDays, noncurrentVersionExpirationDays } = evidenceLifecycleDays(retention);
    expect(currentVersionExpirationDays + noncurrentVersionExpirationDays).toBe(retention);
    expect(noncurrentVersionExpirationDays).toBe(1);
  });
});

describe('AuditTrail: bad input', () => {
  test('lifecycle days that do not increase are refused', () => {
    expect(() => build({ transitionToInfrequentAccessDays: 400, transitionToArchiveDays: 365 })).toThrow(
      /lifecycle days must increase: infrequent access \(400\) < archive \(365\) < current-version expiration \(2556, which is retention 2557 minus the 1-day noncurrent phase\)/,
    );
  });

  test('an archive transition on the day the current version expires is refused', () => {
    expect(() => build({ auditRetentionDays: 366, transitionToArchiveDays: 365 })).toThrow(/archive \(365\) < current-version expiration \(365, which is retention 366/);
    expect(() => build({ auditRetentionDays: 367, transitionToArchiveDays: 365 })).not.toThrow();
  });

  test('a data-event type that is not a CloudTrail resources.type value is refused', () => {
    expect(() => build({ dataEventTypes: ['AWS::Bedrock::Model', 'Bedrock prompt'] })).toThrow(
      /data-event types must be CloudTrail resources.type values such as AWS::Bedrock::Model; received Bedrock prompt/,
    );
  });
});
