import { Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { checkFixedAddresses, CorporateDns, type CorporateDnsProps } from '../../lib/aws/corporate-dns';

const env = { account: '111111111111', region: 'eu-central-1' };

function newVpc(stack: Stack, zones = ['eu-central-1a', 'eu-central-1b']) {
  return new ec2.Vpc(stack, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
    availabilityZones: zones,
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
  });
}

function build(overrides: Partial<CorporateDnsProps> = {}) {
  const stack = new Stack(undefined, 'Dns', { env });
  const vpc = newVpc(stack);
  const dns = new CorporateDns(stack, 'CorporateDns', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    clientCidrs: ['10.20.0.0/16', '172.16.8.0/22'],
    name: 'privateai-prod-inbound',
    ...overrides,
  });
  return { stack, vpc, dns, template: Template.fromStack(stack) };
}

describe('CorporateDns', () => {
  const { template, dns, stack } = build();

  test('an inbound Resolver endpoint for plain DNS, behind its own security group', () => {
    template.resourceCountIs('AWS::Route53Resolver::ResolverEndpoint', 1);
    template.hasResourceProperties('AWS::Route53Resolver::ResolverEndpoint', {
      Direction: 'INBOUND',
      Name: 'privateai-prod-inbound',
      Protocols: ['Do53'],
      SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^CorporateDnsSecurityGroup'), 'GroupId'] }],
    });
  });

  test('one address in each isolated subnet: two subnets, two zones, addresses left to Resolver', () => {
    const [endpoint] = Object.values(template.findResources('AWS::Route53Resolver::ResolverEndpoint'));
    const ips: Array<{ SubnetId: { Ref: string }; Ip?: string }> = endpoint.Properties.IpAddresses;
    expect(ips).toHaveLength(2);
    const subnetIds = ips.map((ip) => ip.SubnetId.Ref);
    expect(new Set(subnetIds).size).toBe(2);
    subnetIds.forEach((id) => expect(id).toMatch(/isolatedSubnet[12]Subnet/));
    const zones = subnetIds.map((id) => template.findResources('AWS::EC2::Subnet')[id].Properties.AvailabilityZone);
    expect(new Set(zones)).toEqual(new Set(['eu-central-1a', 'eu-central-1b']));
    expect(ips.every((ip) => ip.Ip === undefined)).toBe(true);
    expect(dns.ipAddresses).toBeUndefined();
  });

  test('the security group admits DNS over TCP and UDP from each client CIDR only, and allows no egress', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Route 53 Resolver inbound endpoint: DNS from the corporate networks only',
      SecurityGroupIngress: [
        { CidrIp: '10.20.0.0/16', IpProtocol: 'tcp', FromPort: 53, ToPort: 53, Description: 'DNS over TCP from corporate network 10.20.0.0/16' },
        { CidrIp: '10.20.0.0/16', IpProtocol: 'udp', FromPort: 53, ToPort: 53, Description: 'DNS over UDP from corporate network 10.20.0.0/16' },
        { CidrIp: '172.16.8.0/22', IpProtocol: 'tcp', FromPort: 53, ToPort: 53, Description: 'DNS over TCP from corporate network 172.16.8.0/22' },
        { CidrIp: '172.16.8.0/22', IpProtocol: 'udp', FromPort: 53, ToPort: 53, Description: 'DNS over UDP from corporate network 172.16.8.0/22' },
      ],
      // CDK's placeholder for "no egress": a rule matching no address.
      SecurityGroupEgress: [{ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic', FromPort: 252, IpProtocol: 'icmp', ToPort: 86 }],
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  test('no rule admits the whole internet', () => {
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroup')).flatMap((sg) => sg.Properties.SecurityGroupIngress ?? []);
    expect(ingress.length).toBeGreaterThan(0);
    expect(ingress.filter((r: { CidrIp?: string; CidrIpv6?: string }) => r.CidrIp === '0.0.0.0/0' || r.CidrIpv6 === '::/0')).toEqual([]);
  });

  test('exposes the endpoint ID and address count as attributes of the endpoint', () => {
    const [logicalId] = Object.keys(template.findResources('AWS::Route53Resolver::ResolverEndpoint'));
    expect(stack.resolve(dns.resolverEndpointId)).toEqual({ 'Fn::GetAtt': [logicalId, 'ResolverEndpointId'] });
    expect(stack.resolve(dns.ipAddressCount)).toEqual({ 'Fn::GetAtt': [logicalId, 'IpAddressCount'] });
  });

  test('fixed addresses go into their subnets, in order, and come back as literal strings', () => {
    const fixed = build({ ipAddresses: ['10.40.0.10', '10.40.4.10'] });
    expect(fixed.dns.ipAddresses).toEqual(['10.40.0.10', '10.40.4.10']);
    fixed.template.hasResourceProperties('AWS::Route53Resolver::ResolverEndpoint', {
      IpAddresses: [
        { SubnetId: { Ref: Match.stringLikeRegexp('isolatedSubnet1') }, Ip: '10.40.0.10' },
        { SubnetId: { Ref: Match.stringLikeRegexp('isolatedSubnet2') }, Ip: '10.40.4.10' },
      ],
    });
  });

  test('three zones give three addresses', () => {
    const stack3 = new Stack(undefined, 'Three', { env });
    new CorporateDns(stack3, 'CorporateDns', {
      vpc: newVpc(stack3, ['eu-central-1a', 'eu-central-1b', 'eu-central-1c']),
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      clientCidrs: ['10.20.0.0/16'],
      name: 'three',
    });
    const [endpoint] = Object.values(Template.fromStack(stack3).findResources('AWS::Route53Resolver::ResolverEndpoint'));
    expect(endpoint.Properties.IpAddresses).toHaveLength(3);
  });
});

describe('CorporateDns validation', () => {
  test.each([
    [['0.0.0.0/0'], /CorporateDns: client CIDR 0.0.0.0\/0 admits every IPv4 address; list the corporate networks/],
    [[], /CorporateDns: clientCidrs is empty; list the corporate networks/],
    [['10.20.0.1/16'], /CorporateDns: client CIDR 10.20.0.1\/16 has host bits set; write its network address, 10.20.0.0\/16/],
    [['corp'], /CorporateDns: client CIDR "corp" is not an IPv4 CIDR/],
  ])('client CIDRs %j are refused', (clientCidrs, message) => {
    expect(() => build({ clientCidrs })).toThrow(message);
  });

  test.each(['', '12345', 'has.dot', 'x'.repeat(65)])('name %j is refused', (name) => {
    expect(() => build({ name })).toThrow(/CorporateDns: name .* is not a Resolver endpoint name; use 1 to 64 letters, digits, spaces, '-' or '_', not digits only/);
  });

  test('a deploy-time name is passed through unchecked', () => {
    expect(() => build({ name: Fn.importValue('EndpointName') })).not.toThrow();
  });

  test('a subnet selection in one zone is refused', () => {
    const stack = new Stack(undefined, 'OneZone', { env });
    const vpc = newVpc(stack);
    expect(
      () => new CorporateDns(stack, 'CorporateDns', { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED, availabilityZones: ['eu-central-1a'] }, clientCidrs: ['10.20.0.0/16'], name: 'one' }),
    ).toThrow(/Route 53 Resolver needs addresses in at least two availability zones; the subnet selection gives 1 subnet\(s\) in 1 zone\(s\)/);
  });

  test('two subnets in the same zone are refused', () => {
    const stack = new Stack(undefined, 'SameZone', { env });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'V', {
      vpcId: 'vpc-0123456789abcdef0',
      availabilityZones: ['eu-central-1a', 'eu-central-1a'],
      isolatedSubnetIds: ['subnet-aaaaaaaa', 'subnet-bbbbbbbb'],
    });
    expect(() => new CorporateDns(stack, 'CorporateDns', { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, clientCidrs: ['10.20.0.0/16'], name: 'same' })).toThrow(
      /gives 2 subnet\(s\) in 1 zone\(s\); select isolated subnets in two or more zones/,
    );
  });

  test.each([
    [['10.40.0.10'], /ipAddresses gives 1 address\(es\) for 2 subnet\(s\); give one per subnet/],
    [['10.40.0.10', '10.40.0.10'], /ipAddresses repeats an address \(10.40.0.10, 10.40.0.10\); each subnet needs its own/],
    [['10.40.0.10', '10.40.4'], /"10.40.4" in ipAddresses is not an IPv4 address/],
    [['10.40.4.10', '10.40.0.10'], /10.40.4.10 is not a usable address of subnet .* \(10.40.0.0\/22\); pick one inside it other than the first four and the last/],
    [['10.40.0.3', '10.40.4.10'], /10.40.0.3 is not a usable address of subnet/],
    [['10.40.3.255', '10.40.4.10'], /10.40.3.255 is not a usable address of subnet/],
  ])('fixed addresses %j are refused', (ipAddresses, message) => {
    expect(() => build({ ipAddresses })).toThrow(message);
  });

  test('checkFixedAddresses accepts the first and last usable addresses, and any address where the subnet CIDR is unknown', () => {
    const stack = new Stack(undefined, 'Pure', { env });
    const known = ec2.Subnet.fromSubnetAttributes(stack, 'A', { subnetId: 'subnet-a', ipv4CidrBlock: '10.40.0.0/22' });
    const unknown = ec2.Subnet.fromSubnetId(stack, 'B', 'subnet-b');
    expect(checkFixedAddresses([known, unknown], ['10.40.0.4', '192.0.2.1'])).toEqual(['10.40.0.4', '192.0.2.1']);
    expect(checkFixedAddresses([known, unknown], ['10.40.3.254', '192.0.2.1'])).toEqual(['10.40.3.254', '192.0.2.1']);
  });
});
