import { type CfnElement, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { checkClientCidrs, ipv4ToNumber, parseIpv4Cidr, PrivateNetwork, type PrivateNetworkProps } from '../../lib/aws/private-network';

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

describe('PrivateNetwork (an endpoint without private DNS)', () => {
  const endpoints = [
    { id: 'BedrockRuntime', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME, statements: [statement('Runtime')] },
    { id: 'Ssm', service: ec2.InterfaceVpcEndpointAwsService.SSM, statements: [statement('Ssm')], privateDnsEnabled: false },
  ];
  const { stack, template, network } = build({ endpoints });
  const dnsOf = (service: string) => Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: `com.amazonaws.eu-central-1.${service}` } }))[0].Properties.PrivateDnsEnabled;

  test('a spec turns private DNS off for its endpoint only, so nothing else in the VPC resolves the service to it', () => {
    expect(dnsOf('ssm')).toBe(false);
    expect(dnsOf('bedrock-runtime')).toBe(true);
  });

  test('callers reach it by its endpoint-specific name: the DNS name of its first DNS entry (hosted zone ID:name)', () => {
    const ssmId = stack.getLogicalId(network.endpoints.Ssm.node.defaultChild as CfnElement);
    expect(stack.resolve(PrivateNetwork.endpointDnsName(network.endpoints.Ssm))).toEqual({
      'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [ssmId, 'DnsEntries'] }] }] }],
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

describe('PrivateNetwork (corporate networks on the execute-api endpoint)', () => {
  const withApi = (clientCidrs?: string[]) =>
    build({
      clientCidrs,
      endpoints: [
        { id: 'BedrockRuntime', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME, statements: [statement('Runtime')] },
        { id: 'ExecuteApi', service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY, statements: [statement('Api')] },
      ],
    });
  const { template, network, stack } = withApi(['10.20.0.0/16', '172.16.8.0/22']);
  const logicalId = (construct: { node: { defaultChild?: unknown } }) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const endpointSgs = (serviceSuffix: string) => {
    const [endpoint] = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: `com.amazonaws.eu-central-1.${serviceSuffix}` } }));
    return endpoint.Properties.SecurityGroupIds;
  };
  const sharedSgRef = () => ({ 'Fn::GetAtt': [logicalId(network.endpointSecurityGroup as ec2.SecurityGroup), 'GroupId'] });
  const clientSgRef = () => ({ 'Fn::GetAtt': [logicalId(network.executeApiClientSecurityGroup as ec2.SecurityGroup), 'GroupId'] });

  test('a security group of their own admits HTTPS from each client CIDR, and nothing else, with no egress', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'execute-api endpoint: HTTPS from the corporate networks',
      SecurityGroupIngress: [
        { CidrIp: '10.20.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'HTTPS from corporate network 10.20.0.0/16' },
        { CidrIp: '172.16.8.0/22', FromPort: 443, ToPort: 443, IpProtocol: 'tcp', Description: 'HTTPS from corporate network 172.16.8.0/22' },
      ],
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  test('only the execute-api endpoint carries it; bedrock-runtime stays behind the VPC-only group', () => {
    expect(endpointSgs('execute-api')).toEqual([sharedSgRef(), clientSgRef()]);
    expect(endpointSgs('bedrock-runtime')).toEqual([sharedSgRef()]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Interface endpoints: HTTPS from inside the VPC only',
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '10.40.0.0/16' })],
    });
  });

  test('no rule anywhere admits the whole internet', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap((sg) => sg.Properties.SecurityGroupIngress ?? []);
    expect(ingress.map((r: { CidrIp?: string }) => r.CidrIp).sort()).toEqual(['10.20.0.0/16', '10.40.0.0/16', '172.16.8.0/22']);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('without client CIDRs the execute-api endpoint has the shared group only, and no client group exists', () => {
    const plain = withApi();
    expect(plain.network.executeApiClientSecurityGroup).toBeUndefined();
    plain.template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    const [endpoint] = Object.values(plain.template.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.eu-central-1.execute-api' } }));
    expect(endpoint.Properties.SecurityGroupIds).toHaveLength(1);
  });

  test('the endpoints keep their construct IDs when client CIDRs are added', () => {
    const ids = (t: Template) => Object.keys(t.findResources('AWS::EC2::VPCEndpoint')).sort();
    expect(ids(template)).toEqual(ids(withApi().template));
  });

  test('client CIDRs without an execute-api endpoint are refused', () => {
    expect(() => build({ clientCidrs: ['10.20.0.0/16'] })).toThrow(
      /clientCidrs admit corporate networks to the execute-api endpoint, but endpoints has none \(ids: BedrockRuntime, Bedrock\); add an InterfaceVpcEndpointAwsService.APIGATEWAY endpoint or omit clientCidrs/,
    );
  });

  test.each([
    [['0.0.0.0/0'], /PrivateNetwork: client CIDR 0.0.0.0\/0 admits every IPv4 address; list the corporate networks .* \(config: aws.targets\[\].clientCidrs\)/],
    [['10.0.0.0/8', '10.1.2.3/0'], /client CIDR 10.1.2.3\/0 admits every IPv4 address/],
    [['10.20.0.0'], /client CIDR "10.20.0.0" is not an IPv4 CIDR; write it as address\/prefix, e.g. 10.20.0.0\/16/],
    [['10.300.0.0/16'], /client CIDR "10.300.0.0\/16" is not an IPv4 CIDR/],
    [['10.20.0.0/33'], /client CIDR "10.20.0.0\/33" is not an IPv4 CIDR/],
    [['::/0'], /client CIDR "::\/0" is not an IPv4 CIDR/],
    [['10.20.1.0/16'], /client CIDR 10.20.1.0\/16 has host bits set; write its network address, 10.20.0.0\/16/],
    [[], /PrivateNetwork: clientCidrs is empty; list the corporate networks/],
  ])('client CIDRs %j are refused', (clientCidrs, message) => {
    expect(() => withApi(clientCidrs)).toThrow(message);
  });

  test('a client CIDR known only at deployment is refused', () => {
    expect(() => withApi([Fn.importValue('CorporateCidr')])).toThrow(/client CIDR \$\{Token\[.*\]\} is only known at deployment; give a literal IPv4 CIDR/);
  });
});

describe('client CIDR helpers', () => {
  test('checkClientCidrs keeps order and drops repeats', () => {
    expect(checkClientCidrs('X', ['10.0.0.0/8', '192.168.1.0/24', '10.0.0.0/8', '192.168.1.7/32'])).toEqual(['10.0.0.0/8', '192.168.1.0/24', '192.168.1.7/32']);
  });

  test('ipv4ToNumber and parseIpv4Cidr read dotted quads and prefixes, and reject anything else', () => {
    expect(ipv4ToNumber('10.40.1.2')).toBe(10 * 2 ** 24 + 40 * 2 ** 16 + 1 * 256 + 2);
    expect(ipv4ToNumber('255.255.255.255')).toBe(2 ** 32 - 1);
    expect(ipv4ToNumber('256.0.0.1')).toBeUndefined();
    expect(ipv4ToNumber('10.0.0')).toBeUndefined();
    expect(parseIpv4Cidr('10.40.0.0/22')).toEqual({ address: 10 * 2 ** 24 + 40 * 2 ** 16, prefix: 22 });
    expect(parseIpv4Cidr('10.40.0.7/22')).toEqual({ address: 10 * 2 ** 24 + 40 * 2 ** 16 + 7, prefix: 22 });
    expect(parseIpv4Cidr('10.40.0.0/40')).toBeUndefined();
    expect(parseIpv4Cidr('10.40.0.0')).toBeUndefined();
  });
});
