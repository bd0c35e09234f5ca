import { Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import { Construct } from 'constructs';
import { checkClientCidrs, ipv4ToNumber, parseIpv4Cidr } from './private-network';

/** Where the corporate DNS servers forward the private names to. */
export interface CorporateDnsProps {
  readonly vpc: ec2.IVpc;
  /** Subnets of the endpoint: one address in each, at least two subnets in distinct zones. */
  readonly subnets: ec2.SubnetSelection;
  /**
   * Corporate networks whose DNS servers may query the endpoint (TCP and UDP 53). Literal IPv4
   * CIDRs in network form; at least one; the whole internet (`/0`) is refused.
   */
  readonly clientCidrs: readonly string[];
  /** Name of the Resolver endpoint in the console and API (letters, digits, spaces, `-`, `_`; up to 64). */
  readonly name: string;
  /**
   * Fixed addresses, one per selected subnet in the order of the selection, for the corporate
   * forwarders to target. A fixed address blocks a replacement of the endpoint (the new one is
   * created while the old one holds the address), so change them with care.
   * @default - Resolver picks a free address in each subnet; CloudFormation returns none of them
   * (no attribute), so read them after deployment with
   * `aws route53resolver list-resolver-endpoint-ip-addresses --resolver-endpoint-id <id>`
   */
  readonly ipAddresses?: readonly string[];
}

/**
 * A Route 53 Resolver inbound endpoint, so the corporate network's DNS can forward the private
 * names (the private API, the interface endpoints' private DNS) into the VPC, behind a security
 * group that admits DNS from the corporate networks only and allows no egress.
 *
 * Not included: Resolver query logging. It is a per-VPC setting (`AWS::Route53Resolver::ResolverQueryLoggingConfig`
 * and its association) with its own log group and a CloudWatch Logs resource policy that the
 * log delivery writes at deployment; it belongs with the VPC, not with this endpoint.
 */
export class CorporateDns extends Construct {
  /** ID of the Resolver endpoint (`rslvr-in-...`). */
  public readonly resolverEndpointId: string;
  /**
   * The endpoint's addresses when `ipAddresses` is given (literal strings, joinable into one
   * output); undefined when Resolver picks them, as CloudFormation cannot return them.
   */
  public readonly ipAddresses?: readonly string[];
  /** Number of addresses of the endpoint, as CloudFormation reports it (a token). */
  public readonly ipAddressCount: string;
  /** Security group of the endpoint: DNS from `clientCidrs` only. */
  public readonly securityGroup: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: CorporateDnsProps) {
    super(scope, id);
    const clientCidrs = checkClientCidrs('CorporateDns', props.clientCidrs);
    if (!Token.isUnresolved(props.name) && !/^(?![0-9]+$)[A-Za-z0-9 _-]{1,64}$/.test(props.name)) {
      throw new Error(`CorporateDns: name ${JSON.stringify(props.name)} is not a Resolver endpoint name; use 1 to 64 letters, digits, spaces, '-' or '_', not digits only`);
    }
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;
    const zones = new Set(subnets.map((s) => s.availabilityZone));
    if (subnets.length < 2 || zones.size < 2) {
      throw new Error(
        `CorporateDns: Route 53 Resolver needs addresses in at least two availability zones; the subnet selection gives ${subnets.length} subnet(s) in ${zones.size} zone(s); select isolated subnets in two or more zones`,
      );
    }
    const fixed = props.ipAddresses === undefined ? undefined : checkFixedAddresses(subnets, props.ipAddresses);

    const sg = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Route 53 Resolver inbound endpoint: DNS from the corporate networks only',
      // Resolver answers on the connections the corporate servers open; a security group lets the
      // replies out without an egress rule.
      allowAllOutbound: false,
    });
    // Rules narrower than AWS's scaling advice (0.0.0.0/0, which leaves connections untracked):
    // tracked connections cap each address near 1,500 queries a second, ample for a handful of
    // private names, and the endpoint stays closed to anything but the corporate networks.
    for (const client of clientCidrs) {
      sg.addIngressRule(ec2.Peer.ipv4(client), ec2.Port.tcp(53), `DNS over TCP from corporate network ${client}`);
      sg.addIngressRule(ec2.Peer.ipv4(client), ec2.Port.udp(53), `DNS over UDP from corporate network ${client}`);
    }
    this.securityGroup = sg;

    const endpoint = new route53resolver.CfnResolverEndpoint(this, 'Resource', {
      direction: 'INBOUND',
      name: props.name,
      securityGroupIds: [sg.securityGroupId],
      ipAddresses: subnets.map((subnet, i) => ({ subnetId: subnet.subnetId, ip: fixed?.[i] })),
      // Plain DNS only: DNS over HTTPS would answer on 443, which the security group does not admit.
      protocols: ['Do53'],
    });
    this.resolverEndpointId = endpoint.attrResolverEndpointId;
    this.ipAddressCount = endpoint.attrIpAddressCount;
    this.ipAddresses = fixed;
  }
}

/**
 * Checks fixed endpoint addresses against the subnets they go into: one IPv4 address per subnet,
 * no repeats, and, where the subnet's CIDR is known at synthesis, inside it and clear of the
 * five addresses AWS reserves in every subnet (the first four and the last).
 */
export function checkFixedAddresses(subnets: readonly ec2.ISubnet[], addresses: readonly string[]): string[] {
  if (addresses.length !== subnets.length) {
    throw new Error(`CorporateDns: ipAddresses gives ${addresses.length} address(es) for ${subnets.length} subnet(s); give one per subnet, in the order of the subnet selection, or omit ipAddresses`);
  }
  if (new Set(addresses).size !== addresses.length) {
    throw new Error(`CorporateDns: ipAddresses repeats an address (${addresses.join(', ')}); each subnet needs its own`);
  }
  return subnets.map((subnet, i) => {
    const address = addresses[i];
    const n = ipv4ToNumber(address);
    if (n === undefined) {
      throw new Error(`CorporateDns: ${JSON.stringify(address)} in ipAddresses is not an IPv4 address; write it as four numbers, e.g. 10.40.0.10`);
    }
    const range = knownCidr(subnet);
    const parsed = range === undefined ? undefined : parseIpv4Cidr(range);
    if (parsed) {
      const size = 2 ** (32 - parsed.prefix);
      const offset = n - parsed.address;
      if (offset < 4 || offset > size - 2) {
        throw new Error(`CorporateDns: ${address} is not a usable address of subnet ${subnet.subnetId} (${range}); pick one inside it other than the first four and the last, which AWS reserves`);
      }
    }
    return address;
  });
}

// An imported subnet throws when asked for a CIDR it was not given; a token cannot be checked either.
function knownCidr(subnet: ec2.ISubnet): string | undefined {
  try {
    const cidr = subnet.ipv4CidrBlock;
    return Token.isUnresolved(cidr) ? undefined : cidr;
  } catch {
    return undefined;
  }
}
