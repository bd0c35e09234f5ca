import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AuditTrail, BEDROCK_DATA_EVENT_TYPES, type AuditTrailProps } from '../../lib/aws/audit-trail';

function build(overrides: Partial<AuditTrailProps> = {}) {
  const stack = new Stack(undefined, 'Audit', { env: { account: '111111111111', region: 'eu-central-1' } });
  const audit = new AuditTrail(stack, 'Audit', {
    auditKey: new kms.Key(stack, 'AuditKey'),
    logsKey: new kms.Key(stack, 'LogsKey'),
    logRetention: logs.RetentionDays.ONE_YEAR,
    auditRetentionDays: 2557,
    ...overrides,
  });
  return { stack, audit, template: Template.fromStack(stack) };
}

const { template } = build();
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

  test('records all management events and Bedrock data events through advanced selectors', () => {
    const [trail] = Object.values(template.findResources('AWS::CloudTrail::Trail'));
    const selectors = trail.Properties.AdvancedEventSelectors;
    expect(trail.Properties.EventSelectors).toBeUndefined();
    expect(selectors[0].FieldSelectors).toEqual([{ Field: 'eventCategory', Equals: ['Management'] }]);
    const bedrockTypes = selectors.flatMap((s: { FieldSelectors: Array<{ Field: string; Equals?: string[] }> }) =>
      s.FieldSelectors.filter((f) => f.Field === 'resources.type').flatMap((f) => f.Equals ?? []),
    );
    expect(bedrockTypes).toEqual(expect.arrayContaining([...BEDROCK_DATA_EVENT_TYPES]));
    expect(bedrockTypes).toEqual(expect.arrayContaining(['AWS::Bedrock::Guardrail', 'AWS::Bedrock::AgentAlias', 'AWS::Bedrock::KnowledgeBase']));
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

  test('lifecycle to infrequent access, then Glacier, then expiry at the retention period', () => {
    expect(audit.Properties.LifecycleConfiguration.Rules[0]).toMatchObject({
      Status: 'Enabled',
      Transitions: [
        { StorageClass: 'STANDARD_IA', TransitionInDays: 90 },
        { StorageClass: 'GLACIER', TransitionInDays: 365 },
      ],
      ExpirationInDays: 2557,
      NoncurrentVersionExpiration: { NoncurrentDays: 2557 },
    });
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

  test('the access-log bucket is encrypted, locked (without default retention), versioned and TLS-only too', () => {
    expect(access.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(access.Properties.ObjectLockEnabled).toBe(true);
    expect(access.Properties.ObjectLockConfiguration).toBeUndefined();
    expect(access.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find((p) => p.Properties.Bucket.Ref === accessId)!;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
  });

  test('every resource of the audit trail is retained when the stack is deleted', () => {
    const own = Object.entries(template.toJSON().Resources as Record<string, { DeletionPolicy?: string }>).filter(([id]) => id.startsWith('Audit') && !id.startsWith('AuditKey'));
    expect(own.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toHaveLength(8); // 2 buckets, 2 bucket policies, log group, role, policy, trail
    for (const [id, resource] of own) expect([id, resource.DeletionPolicy]).toEqual([id, 'Retain']);
  });
});

describe('AuditTrail: bad input', () => {
  test('lifecycle days that do not increase are refused', () => {
    expect(() => build({ transitionToInfrequentAccessDays: 400, transitionToArchiveDays: 365 })).toThrow(
      /lifecycle days must increase: infrequent access \(400\) < archive \(365\) < retention \(2557\)/,
    );
  });
});
