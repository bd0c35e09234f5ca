import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AuditTrail } from '../../lib/aws/audit-trail';
import { InvocationLogging, type InvocationLoggingProps } from '../../lib/aws/invocation-logging';
import { attachRulePacks } from '../../policies/aws/rule-packs';
import { exampleConfig, newApp, withoutCloudFormationValidation } from '../support/aws';

type Resources = Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string }>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The construct's template. Only the rule-pack test reads a validation report, and it synthesizes
 * with every validation on; here CDK's CloudFormation validation would take most of the synth.
 */
function build(overrides: Partial<InvocationLoggingProps> = {}) {
  const { app, stack, logging } = construct(overrides);
  return { app, stack, logging, template: withoutCloudFormationValidation(() => Template.fromStack(stack)) };
}

/** The construct in a stack of its own, with stand-ins for what the platform stack gives it; not yet synthesized. */
function construct(overrides: Partial<InvocationLoggingProps> = {}, outdir?: string) {
  const app = newApp(outdir);
  const stack = new Stack(app, 'Platform', { env: { account: '111111111111', region: 'eu-central-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const logsKey = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true });
  const audit = new AuditTrail(stack, 'Audit', { auditKey: new kms.Key(stack, 'AuditKey', { enableKeyRotation: true }), logsKey, logRetention: logs.RetentionDays.ONE_YEAR, auditRetentionDays: 2557 });
  const logging = new InvocationLogging(stack, 'InvocationLogging', {
    promptLogKey: new kms.Key(stack, 'ModelDataKey', { enableKeyRotation: true }),
    promptLogRetentionDays: 400,
    accessLogsBucket: audit.accessLogsBucket,
    bucketName: 'example-corp-prod-prompts-111111111111',
    logRetention: logs.RetentionDays.ONE_YEAR,
    logGroupName: '/example-corp/prod/model-invocations',
    logsKey,
    vpc,
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    egress: [{ peer: ec2.Peer.anyIpv4(), description: 'HTTPS' }],
    functionKey: new kms.Key(stack, 'LambdaKey', { enableKeyRotation: true }),
    functionName: 'Platform-logging',
    ...overrides,
  });
  return { app, stack, logging };
}

const { template } = build();
const resources = template.toJSON().Resources as Resources;
const idOf = (pattern: RegExp, type: string) => {
  const found = Object.keys(resources).filter((id) => pattern.test(id) && resources[id].Type === type);
  expect(found).toHaveLength(1);
  return found[0];
};
const bucketId = idOf(/^InvocationLoggingBucket/, 'AWS::S3::Bucket');
const logGroupId = idOf(/^InvocationLoggingLogs/, 'AWS::Logs::LogGroup');
const deliveryRoleId = idOf(/^InvocationLoggingDeliveryRole/, 'AWS::IAM::Role');
const settingId = idOf(/^InvocationLogging[0-9A-F]{8}$/, 'Custom::BedrockModelInvocationLogging');
const modelDataKeyArn = { 'Fn::GetAtt': [idOf(/^ModelDataKey/, 'AWS::KMS::Key'), 'Arn'] };

describe('InvocationLogging: the setting', () => {
  test('a custom resource (no made-up CloudFormation type) sends prompts and responses to its own bucket and log group, and takes nothing over by default', () => {
    expect(Object.values(resources).map((r) => r.Type)).not.toContain('AWS::Bedrock::ModelInvocationLoggingConfiguration');
    expect(resources[settingId].Properties).toEqual({
      ServiceToken: { 'Fn::GetAtt': [idOf(/^InvocationLoggingFunction[0-9A-F]{8}$/, 'AWS::Lambda::Function'), 'Arn'] },
      LoggingConfig: {
        cloudWatchConfig: {
          logGroupName: { Ref: logGroupId },
          roleArn: { 'Fn::GetAtt': [deliveryRoleId, 'Arn'] },
          largeDataDeliveryS3Config: { bucketName: { Ref: bucketId }, keyPrefix: 'model-invocations/large-data' },
        },
        s3Config: { bucketName: { Ref: bucketId }, keyPrefix: 'model-invocations' },
        textDataDeliveryEnabled: true,
        imageDataDeliveryEnabled: true,
        embeddingDataDeliveryEnabled: true,
        videoDataDeliveryEnabled: true,
        audioDataDeliveryEnabled: true,
      },
      TakeOver: false,
    });
  });

  test('takeOver reaches the handler', () => {
    build({ takeOver: true }).template.hasResourceProperties('Custom::BedrockModelInvocationLogging', { TakeOver: true });
  });

  test("waits for the delivery role's policy and the bucket policy that admits Bedrock, which Bedrock validates when the setting is put", () => {
    const deliveryPolicyId = idOf(/^InvocationLoggingDeliveryPolicy/, 'AWS::IAM::ManagedPolicy');
    const bucketPolicyId = idOf(/^InvocationLoggingBucketPolicy/, 'AWS::S3::BucketPolicy');
    expect(resources[deliveryPolicyId].Properties.Roles).toEqual([{ Ref: deliveryRoleId }]);
    expect(resources[settingId].DependsOn).toEqual(expect.arrayContaining([deliveryPolicyId, bucketPolicyId]));
  });
});

describe('InvocationLogging: where prompts are kept', () => {
  const bucket = resources[bucketId];

  test('a bucket of their own: the prompt-log key, TLS only, no public access, versions, retained', () => {
    expect(bucket.Properties.BucketName).toBe('example-corp-prod-prompts-111111111111');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: modelDataKeyArn },
      BucketKeyEnabled: true,
    });
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(bucket.DeletionPolicy).toBe('Retain');
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId)!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
  });

  test('objects are locked in compliance mode, as the evidence is, and kept for the retention in all: current and noncurrent phases add up', () => {
    expect(bucket.Properties.ObjectLockEnabled).toBe(true);
    expect(bucket.Properties.ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } });
    expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
      { Id: 'expire-prompt-logs', Status: 'Enabled', ExpirationInDays: 399, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    ]);
  });

  test('server access logs go to the given access-log bucket, which admits delivery from this bucket by policy; events go to EventBridge without a notification Lambda', () => {
    const accessLogsId = idOf(/^AuditAccessLogsBucket/, 'AWS::S3::Bucket');
    expect(bucket.Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: accessLogsId }, LogFilePrefix: 'prompt-log-bucket/' });
    const accessLogsPolicy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === accessLogsId)!;
    expect(accessLogsPolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: expect.objectContaining({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } } }),
      }),
    );
    expect(bucket.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    expect(Object.keys(resources).filter((id) => id.startsWith('InvocationLogging') && resources[id].Type === 'AWS::Lambda::Function')).toHaveLength(1);
  });

  test('Bedrock of this account only may write, under the prefix; the delivery role is trusted by it only', () => {
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === bucketId)!;
    const statement = policy.Properties.PolicyDocument.Statement.find((s: { Sid?: string }) => s.Sid === 'BedrockInvocationLogs');
    expect(statement).toMatchObject({
      Principal: { Service: 'bedrock.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:eu-central-1:111111111111:*' } },
    });
    expect(JSON.stringify(statement.Resource)).toContain('/model-invocations/*');
    expect(resources[deliveryRoleId].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Principal: { Service: 'bedrock.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:eu-central-1:111111111111:*' } },
      }),
    ]);
  });

  test('the log group is encrypted with the prompt-log key, retained, with the configured retention; the function logs with the logs key', () => {
    expect(resources[logGroupId]).toMatchObject({
      Properties: { LogGroupName: '/example-corp/prod/model-invocations', RetentionInDays: 365, KmsKeyId: modelDataKeyArn },
      DeletionPolicy: 'Retain',
    });
    const functionLogs = resources[idOf(/^InvocationLoggingFunctionLogs/, 'AWS::Logs::LogGroup')];
    expect(functionLogs.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [idOf(/^LogsKey/, 'AWS::KMS::Key'), 'Arn'] });
  });

  test('the key admits CloudWatch Logs for this log group only, and Bedrock of this account', () => {
    const statements = resources[idOf(/^ModelDataKey/, 'AWS::KMS::Key')].Properties.KeyPolicy.Statement;
    const logsStatement = statements.find((s: { Sid?: string }) => s.Sid === 'AllowCloudWatchLogsPromptLogGroup');
    expect(logsStatement).toMatchObject({ Effect: 'Allow', Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } });
    expect(JSON.stringify(logsStatement.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toMatch(/:log-group:\/example-corp\/prod\/model-invocations"/);
    expect(statements.find((s: { Sid?: string }) => s.Sid === 'AllowBedrockPromptLogDelivery')).toEqual({
      Sid: 'AllowBedrockPromptLogDelivery',
      Effect: 'Allow',
      Principal: { Service: 'bedrock.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:eu-central-1:111111111111:*' } },
    });
  });

  test('with a generated log-group name, CloudWatch Logs may use the key for log groups of this account and region', () => {
    const { template: generated } = build({ logGroupName: undefined });
    const key = Object.values(generated.findResources('AWS::KMS::Key')).find((k) => JSON.stringify(k).includes('AllowCloudWatchLogsPromptLogGroup'))!;
    expect(JSON.stringify(key)).toMatch(/:log-group:\*"/);
  });
});

describe('InvocationLogging: who applies the setting', () => {
  test('the function may read and set the logging configuration and pass only the delivery role, only to Bedrock', () => {
    const statements = resources[idOf(/^InvocationLoggingFunctionPolicy/, 'AWS::IAM::ManagedPolicy')].Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'OwnInvocationLoggingSetting',
        Action: ['bedrock:DeleteModelInvocationLoggingConfiguration', 'bedrock:GetModelInvocationLoggingConfiguration', 'bedrock:PutModelInvocationLoggingConfiguration'],
        Resource: '*',
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'PassDeliveryRoleToBedrock',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [deliveryRoleId, 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
      }),
    );
  });

  test('the setter and delivery roles and their policies are on the path the organisation guard protects; the function keeps its name', () => {
    const onPath = (type: string) => Object.keys(resources).filter((id) => resources[id].Type === type && resources[id].Properties.Path === '/privateai/').sort();
    expect(onPath('AWS::IAM::Role')).toEqual([deliveryRoleId, idOf(/^InvocationLoggingFunctionRole/, 'AWS::IAM::Role')].sort());
    expect(onPath('AWS::IAM::ManagedPolicy')).toEqual(
      [idOf(/^InvocationLoggingDeliveryPolicy/, 'AWS::IAM::ManagedPolicy'), idOf(/^InvocationLoggingFunctionPolicy/, 'AWS::IAM::ManagedPolicy')].sort(),
    );
    expect(resources[idOf(/^InvocationLoggingFunction[0-9A-F]{8}$/, 'AWS::Lambda::Function')].Properties.FunctionName).toBe('Platform-logging');
  });

  test('the function runs isolated: in the VPC, reserved concurrency, tracing, CMK environment and dead-letter queue', () => {
    const fn = resources[idOf(/^InvocationLoggingFunction[0-9A-F]{8}$/, 'AWS::Lambda::Function')].Properties;
    expect(fn.VpcConfig.SubnetIds).toHaveLength(2);
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    expect(JSON.stringify(fn.KmsKeyArn)).toContain('LambdaKey');
    expect(fn.DeadLetterConfig.TargetArn['Fn::GetAtt'][0]).toMatch(/DeadLetterQueue/);
  });
});

describe('InvocationLogging: bad input', () => {
  test('an imported key, whose policy cannot be extended, is refused', () => {
    const stack = new Stack(newApp(), 'S', { env: { account: '111111111111', region: 'eu-central-1' } });
    const imported = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-central-1:111111111111:key/00000000-0000-0000-0000-000000000000');
    expect(() => build({ promptLogKey: imported })).toThrow(/promptLogKey .*Imported does not accept key-policy statements \(an imported key\?\).*give a key created in this stack/);
  });

  test('retention must be whole days, at least two (one is the noncurrent phase)', () => {
    expect(() => build({ promptLogRetentionDays: 1 })).toThrow(/promptLogRetentionDays must be a whole number of days, at least 2; received 1/);
    expect(() => build({ promptLogRetentionDays: 2.5 })).toThrow(/received 2.5/);
    expect(() => build({ promptLogRetentionDays: 2 })).not.toThrow();
  });
});

describe('InvocationLogging under the rule packs', () => {
  test('its resources have no unacknowledged findings; only the replication findings on the bucket are acknowledged', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'invocation-logging-packs-'));
    const { app } = construct({}, outdir);
    attachRulePacks(app, exampleConfig);
    try {
      app.synth();
    } catch {
      // The stand-in VPC, keys and access-log bucket of this test have findings of their own.
    }
    type Finding = { ruleName: string; violatingConstructs: Array<{ constructPath: string }> };
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ pluginName: string; violations: Finding[]; suppressedViolations?: Array<{ acknowledgedId: string; acknowledgedAt: string }> }>;
    };
    const ours = (c: { constructPath: string }) => c.constructPath.startsWith('Platform/InvocationLogging/');
    const findings = report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.filter(ours).map((c) => `${p.pluginName}: ${v.ruleName} @ ${c.constructPath}`)));
    // The stand-in VPC's findings show the packs ran over the whole stack.
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))).toContain('AwsSolutions-VPC7');
    expect(findings).toEqual([]);
    const acknowledged = report.pluginReports.flatMap((p) => p.suppressedViolations ?? []).filter((a) => a.acknowledgedAt.includes('/InvocationLogging/'));
    expect(acknowledged.map((a) => `${a.acknowledgedId} @ ${a.acknowledgedAt.replace(/^[^/]+\//, '')}`).sort()).toEqual([
      'AwsSolutions::AwsSolutions-IAM5[Resource::*] @ InvocationLogging/Function/Policy/Resource',
      'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled @ InvocationLogging/Bucket/Resource',
      'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled @ InvocationLogging/Bucket/Resource',
      'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled @ InvocationLogging/Bucket/Resource',
      'Serverless::Serverless-SQSRedrivePolicy @ InvocationLogging/Function/DeadLetterQueue/Resource',
    ]);
  });
});
