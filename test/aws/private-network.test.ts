import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PrivateNetwork, type PrivateNetworkProps } from '../../lib/aws/private-network';

const env = { account: '111111111111', region: 'eu-central-1' };
const statement = (sid: string) => new iam.PolicyStatement({ sid, principals: [new iam.AnyPrincipal()], actions: ['bedrock:InvokeModel'], resources: ['*'] });

function build(overrides: Partial<PrivateNetworkProps> = {}) {
  const stack = new Stack(undefined, 'Net', { env });
  const network = new PrivateNetwork(stack, 'Network', {
    availabilityZones: ['eu-central-1a', 'eu-central-1b'],
    cidr: '10.40.0.0/16',
    logsKey: new kms.Key(stack, 'Key'),
    logRetention: logs.RetentionDays.ONE_YEAR,
    endpoints: [
      { id: 'BedrockRuntime', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME, statements: [statement('Runtime')] },
      { id: 'Bedrock', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK, statements: [statement('Control')] },
    ],
    s3GatewayStatements: [statement('S3')],
    ...overrides,
  });
  return { stack, network, template: Template.fromStack(stack) };
}

describe('PrivateNetwork (new VPC)', () => {
  const { template, network } = build();

  test('isolated subnets only, in two zones, with no internet or NAT gateway', () => {
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::EIP', 0);
    const zones = Object.values(template.findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(['eu-central-1a', 'eu-central-1b']));
    expect(template.findResources('AWS::EC2::Route')).toEqual({});
  });

  test('flow logs of all traffic go to a CMK-encrypted, retained log group', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogDestination: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogs'), 'Arn'] },
    });
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Key'), 'Arn'] }, RetentionInDays: 365 },
      DeletionPolicy: 'Retain',
    });
    // The delivery role's permissions are in a managed policy, scoped to the one log group.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowLogs'), 'Arn'] } })] },
    });
  });

  test('the default security group is closed', () => {
    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', { DefaultSecurityGroupId: Match.anyValue() });
  });

  test('interface endpoints have private DNS, sit in the isolated subnets and carry their policies', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 3);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-central-1.bedrock-runtime',
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SubnetIds: [{ Ref: Match.stringLikeRegexp('isolatedSubnet1') }, { Ref: Match.stringLikeRegexp('isolatedSubnet2') }],
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'Runtime' })] },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: 'com.amazonaws.eu-central-1.bedrock',
      PrivateDnsEnabled: true,
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'Control' })] },
    });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      VpcEndpointType: 'Gateway',
      PolicyDocument: { Statement: [Match.objectLike({ Sid: 'S3' })] },
    });
    expect(Object.keys(network.endpoints)).toEqual(['BedrockRuntime', 'Bedrock']);
  });

  test('the endpoint security group admits HTTPS from inside the VPC and nothing else, with no egress', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Interface endpoints: HTTPS from inside the VPC only',
      SecurityGroupIngress: [{ CidrIp: '10.40.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'HTTPS from inside the VPC' }],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });
});

describe('PrivateNetwork (existing VPC)', () => {
  const existing = (stack: Stack) =>
    ec2.Vpc.fromVpcAttributes(stack, 'Existing', {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.9.0.0/16',
      availabilityZones: ['eu-central-1a', 'eu-central-1b'],
      isolatedSubnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb'],
      isolatedSubnetRouteTableIds: ['rtb-aaaaaaaa', 'rtb-bbbbbbbb'],
    });

  test('uses the given VPC: no new VPC, endpoints in its isolated subnets, flow logs on it', () => {
    const stack = new Stack(undefined, 'Existing', { env });
    new PrivateNetwork(stack, 'Network', {
      vpc: existing(stack),
      logsKey: new kms.Key(stack, 'Key'),
      logRetention: logs.RetentionDays.ONE_YEAR,
      endpoints: [{ id: 'BedrockRuntime', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME, statements: [statement('Runtime')] }],
      s3GatewayStatements: [statement('S3')],
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcId: 'vpc-0123456789abcdef0', SubnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb'] });
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceId: 'vpc-0123456789abcdef0' });
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-aaaaaaaa', 'rtb-bbbbbbbb'] });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.9.0.0/16', FromPort: 443 })] });
  });

  test('an existing VPC together with new-VPC settings is refused', () => {
    const stack = new Stack(undefined, 'Both', { env });
    expect(() =>
      new PrivateNetwork(stack, 'Network', {
        vpc: existing(stack),
        cidr: '10.1.0.0/16',
        logsKey: new kms.Key(stack, 'Key'),
        logRetention: logs.RetentionDays.ONE_YEAR,
        endpoints: [],
        s3GatewayStatements: [],
      }),
    ).toThrow(/give either vpc \(use an existing VPC\) or cidr\/maxAzs\/availabilityZones \(create one\), never both/);
  });

  test('an existing VPC without isolated subnets in two zones is refused', () => {
    const stack = new Stack(undefined, 'OneZone', { env });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'V', { vpcId: 'vpc-0123456789abcdef0', availabilityZones: ['eu-central-1a'], isolatedSubnetIds: ['subnet-aaaaaaaa'] });
    expect(() =>
      new PrivateNetwork(stack, 'Network', { vpc, logsKey: new kms.Key(stack, 'Key'), logRetention: logs.RetentionDays.ONE_YEAR, endpoints: [], s3GatewayStatements: [] }),
    ).toThrow(/needs isolated subnets in at least two zones; found 1/);
  });

  test('a new VPC in one zone is refused', () => {
    expect(() => build({ availabilityZones: ['eu-central-1a'] })).toThrow(/needs at least two availability zones .* received \["eu-central-1a"\]/);
  });
});
