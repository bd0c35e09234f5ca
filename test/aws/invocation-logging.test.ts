import { Match } from 'aws-cdk-lib/assertions';
import { Template } from 'aws-cdk-lib/assertions';
import { configWith, exampleTemplate, platformStack } from '../support/aws';

const template = exampleTemplate();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
const idOf = (pattern: RegExp, type: string) => Object.keys(resources).find((id) => pattern.test(id) && resources[id].Type === type)!;

describe('InvocationLogging', () => {
  test('a custom resource (no made-up CloudFormation type) sends prompts and responses to the audit bucket and a log group', () => {
    expect(Object.values(resources).map((r) => r.Type)).not.toContain('AWS::Bedrock::ModelInvocationLoggingConfiguration');
    const fnId = idOf(/^InvocationLoggingFunction[0-9A-F]{8}$/, 'AWS::Lambda::Function');
    template.hasResourceProperties('Custom::BedrockModelInvocationLogging', {
      ServiceToken: { 'Fn::GetAtt': [fnId, 'Arn'] },
      LoggingConfig: {
        cloudWatchConfig: {
          logGroupName: { Ref: idOf(/^InvocationLoggingLogs/, 'AWS::Logs::LogGroup') },
          roleArn: { 'Fn::GetAtt': [idOf(/^InvocationLoggingDeliveryRole/, 'AWS::IAM::Role'), 'Arn'] },
          largeDataDeliveryS3Config: { bucketName: { Ref: idOf(/^AuditBucket/, 'AWS::S3::Bucket') }, keyPrefix: 'model-invocations/large-data' },
        },
        s3Config: { bucketName: { Ref: idOf(/^AuditBucket/, 'AWS::S3::Bucket') }, keyPrefix: 'model-invocations' },
        textDataDeliveryEnabled: true,
      },
    });
  });

  test('the invocation log group is CMK-encrypted, retained, with the configured retention', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/example-corp/prod/model-invocations', RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysLogsKey'), 'Arn'] } },
      DeletionPolicy: 'Retain',
    });
  });

  test('Bedrock of this account only may write: delivery role trust and bucket policy are scoped', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'bedrock.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
          }),
        ],
      },
    });
    const policy = Object.values(resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && JSON.stringify(r.Properties).includes('BedrockInvocationLogs'))!;
    const statement = policy.Properties.PolicyDocument.Statement.find((s: { Sid?: string }) => s.Sid === 'BedrockInvocationLogs');
    expect(statement).toMatchObject({ Principal: { Service: 'bedrock.amazonaws.com' }, Action: 's3:PutObject', Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } });
    expect(JSON.stringify(statement.Resource)).toContain('/model-invocations/*');
  });

  test('the function may set the logging configuration and pass only the delivery role, only to Bedrock', () => {
    const policy = resources[idOf(/^InvocationLoggingFunctionPolicy/, 'AWS::IAM::ManagedPolicy')];
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'OwnInvocationLoggingSetting',
        Action: ['bedrock:DeleteModelInvocationLoggingConfiguration', 'bedrock:GetModelInvocationLoggingConfiguration', 'bedrock:PutModelInvocationLoggingConfiguration'],
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Sid: 'PassDeliveryRoleToBedrock',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [idOf(/^InvocationLoggingDeliveryRole/, 'AWS::IAM::Role'), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
      }),
    );
  });

  test('the setter and delivery roles and their policies are on the path the organisation guard protects, and no other role of the stack is', () => {
    const onPath = (type: string) => Object.keys(resources).filter((id) => resources[id].Type === type && resources[id].Properties.Path === '/privateai/').sort();
    expect(onPath('AWS::IAM::Role')).toEqual([idOf(/^InvocationLoggingDeliveryRole/, 'AWS::IAM::Role'), idOf(/^InvocationLoggingFunctionRole/, 'AWS::IAM::Role')].sort());
    // The policies attached to the setter's role (its own and the region pinning) and the delivery role's.
    expect(onPath('AWS::IAM::ManagedPolicy')).toEqual(
      [idOf(/^InvocationLoggingDeliveryPolicy/, 'AWS::IAM::ManagedPolicy'), idOf(/^InvocationLoggingFunctionPolicy/, 'AWS::IAM::ManagedPolicy'), idOf(/^RegionPinning/, 'AWS::IAM::ManagedPolicy')].sort(),
    );
    // The organisation guard finds the setter by this name.
    expect(resources[idOf(/^InvocationLoggingFunction[0-9A-F]{8}$/, 'AWS::Lambda::Function')].Properties.FunctionName).toBe('Platform-logging');
  });

  test('the function runs isolated: in the VPC, reserved concurrency, tracing, CMK environment and dead-letter queue', () => {
    const fn = resources[idOf(/^InvocationLoggingFunction[0-9A-F]{8}$/, 'AWS::Lambda::Function')].Properties;
    expect(fn.VpcConfig.SubnetIds).toHaveLength(2);
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    expect(JSON.stringify(fn.KmsKeyArn)).toContain('KeysLambdaKey');
    expect(fn.DeadLetterConfig.TargetArn['Fn::GetAtt'][0]).toMatch(/DeadLetterQueue/);
  });

  test('outputs tell app teams where invocation logs are', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.InvocationLogGroupName).toBeDefined();
    expect(JSON.stringify(outputs.InvocationLogS3Location.Value)).toContain('/model-invocations/');
  });

  test('a stack that does not own the setting creates none of it', () => {
    const notOwner = Template.fromStack(platformStack(configWith((r) => (r.aws.targets[0].ownsInvocationLogging = false))));
    notOwner.resourceCountIs('Custom::BedrockModelInvocationLogging', 0);
    expect(notOwner.findOutputs('InvocationLogGroupName')).toEqual({});
  });
});
