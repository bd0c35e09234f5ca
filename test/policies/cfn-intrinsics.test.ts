import { DeployedTemplate } from '../../policies/aws/cfn-intrinsics';

const template = {
  Resources: {
    Endpoint: { Type: 'AWS::EC2::VPCEndpoint', Properties: {} },
    Role: { Type: 'AWS::IAM::Role', Properties: { Path: '/privateai/' } },
    NamedRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'app' } },
    Trail: { Type: 'AWS::CloudTrail::Trail', Properties: {} },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    Guardrail: { Type: 'AWS::Bedrock::Guardrail', Properties: {} },
    Version: { Type: 'AWS::Bedrock::GuardrailVersion', Properties: {} },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'PrivateAi-acme-prod-logging' } },
  },
};
const env = { stackName: 'PrivateAi-acme-prod', account: '111111111111', region: 'eu-central-1', partition: 'aws', urlSuffix: 'amazonaws.com' };
const t = new DeployedTemplate(template, env);

describe('resolving CloudFormation intrinsics for a deployment', () => {
  test('pseudo parameters take the stack account, region and partition', () => {
    expect(t.resolve({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':guardrail/*']] })).toBe(
      'arn:aws:bedrock:eu-central-1:111111111111:guardrail/*',
    );
    expect(t.resolve({ 'Fn::Sub': 'logs.${AWS::Region}.${AWS::URLSuffix}' })).toBe('logs.eu-central-1.amazonaws.com');
  });

  test('deploy-time IDs take stable placeholders in the shape the service gives them', () => {
    expect(t.ref('Endpoint')).toMatch(/^vpce-0[0-9a-f]{16}$/);
    expect(new DeployedTemplate(template, env).ref('Endpoint')).toBe(t.ref('Endpoint'));
    expect(new DeployedTemplate(template, { ...env, stackName: 'Other' }).ref('Endpoint')).not.toBe(t.ref('Endpoint'));
    // CloudFormation names unnamed resources <stack>-<logicalId>-<suffix>, which name patterns rely on.
    expect(t.getAtt('Trail', 'Arn')).toMatch(/^arn:aws:cloudtrail:eu-central-1:111111111111:trail\/PrivateAi-acme-prod-Trail-[A-Z0-9]{12}$/);
    expect(t.getAtt('Key', 'Arn')).toMatch(/^arn:aws:kms:eu-central-1:111111111111:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(t.resolve({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Guardrail', 'GuardrailArn'] }, ':', { 'Fn::GetAtt': ['Version', 'Version'] }]] })).toMatch(
      /^arn:aws:bedrock:eu-central-1:111111111111:guardrail\/[a-z0-9]{12}:1$/,
    );
  });

  test('given names and paths are kept', () => {
    expect(t.getAtt('Role', 'Arn')).toMatch(/^arn:aws:iam::111111111111:role\/privateai\/PrivateAi-acme-prod-Role-/);
    expect(t.getAtt('NamedRole', 'Arn')).toBe('arn:aws:iam::111111111111:role/app');
    expect(t.getAtt('Fn', 'Arn')).toBe('arn:aws:lambda:eu-central-1:111111111111:function:PrivateAi-acme-prod-logging');
  });

  test('a Ref can be bound to a known value, such as an endpoint ID copied into the config', () => {
    expect(new DeployedTemplate(template, { ...env, refs: { Endpoint: 'vpce-0a1b2c3d4e5f60718' } }).resolve({ Ref: 'Endpoint' })).toBe('vpce-0a1b2c3d4e5f60718');
  });

  test('an intrinsic it cannot resolve, or a missing resource, is an error rather than a guess', () => {
    expect(() => t.resolve({ 'Fn::ImportValue': 'x' })).toThrow(/cannot resolve Fn::ImportValue/);
    expect(() => t.ref('Missing')).toThrow(/no resource Missing in the template/);
  });
});
