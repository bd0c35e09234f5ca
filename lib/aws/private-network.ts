import { Aws, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** An interface endpoint this network creates. */
export interface EndpointSpec {
  /** Construct ID, also the key in `PrivateNetwork.endpoints`. */
  readonly id: string;
  readonly service: ec2.InterfaceVpcEndpointAwsService;
  /** The endpoint policy. */
  readonly statements: iam.PolicyStatement[];
}

/** The isolated network the models are reached through. */
export interface PrivateNetworkProps {
  /**
   * An existing VPC whose isolated subnets host the endpoints. Give this or `cidr`/`maxAzs`, never both.
   * @default - a new VPC with isolated subnets only
   */
  readonly vpc?: ec2.IVpc;
  /**
   * CIDR of a new VPC.
   * @default '10.40.0.0/16'
   */
  readonly cidr?: string;
  /**
   * Availability zones of a new VPC (at least two).
   * @default 2
   */
  readonly maxAzs?: number;
  /**
   * Explicit zone names for a new VPC (at least two); lets synthesis run without an AWS lookup.
   * @default - the first `maxAzs` zones of the region, looked up with credentials
   */
  readonly availabilityZones?: string[];
  /** Key for the flow-log log group. */
  readonly logsKey: kms.IKey;
  /** Retention of the flow-log log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Interface endpoints to create, each with its own policy. The network also adds an S3
   * gateway endpoint, which custom-resource functions need to answer CloudFormation.
   */
  readonly endpoints: readonly EndpointSpec[];
  /** Policy of the S3 gateway endpoint. */
  readonly s3GatewayStatements: iam.PolicyStatement[];
}

/**
 * A VPC with isolated subnets only (no internet or NAT gateway) in at least two zones, or an
 * existing one; flow logs to a CMK-encrypted log group; the default security group closed;
 * private-DNS interface endpoints behind one security group that admits HTTPS from inside
 * the VPC only.
 */
export class PrivateNetwork extends Construct {
  public readonly vpc: ec2.IVpc;
  /** Security group of the interface endpoints. */
  public readonly endpointSecurityGroup: ec2.ISecurityGroup;
  /** Interface endpoints by spec ID. */
  public readonly endpoints: Readonly<Record<string, ec2.InterfaceVpcEndpoint>>;
  public readonly s3GatewayEndpoint: ec2.GatewayVpcEndpoint;
  /** Subnets for workloads that call the endpoints. */
  public readonly isolatedSubnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    if (props.vpc && (props.cidr !== undefined || props.maxAzs !== undefined || props.availabilityZones !== undefined)) {
      throw new Error('PrivateNetwork: give either vpc (use an existing VPC) or cidr/maxAzs/availabilityZones (create one), never both');
    }
    const zones = props.availabilityZones;
    const maxAzs = props.maxAzs ?? zones?.length ?? 2;
    if (!props.vpc && (maxAzs < 2 || (zones !== undefined && zones.length < 2))) {
      throw new Error(`PrivateNetwork: a new VPC needs at least two availability zones so the endpoints survive the loss of one; received ${zones ? JSON.stringify(zones) : `maxAzs ${maxAzs}`}`);
    }
    const cidr = props.cidr ?? '10.40.0.0/16';

    const vpc =
      props.vpc ??
      new ec2.Vpc(this, 'Vpc', {
        ipAddresses: ec2.IpAddresses.cidr(cidr),
        ...(zones ? { availabilityZones: zones } : { maxAzs }),
        natGateways: 0,
        subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 22 }],
        restrictDefaultSecurityGroup: true,
        createInternetGateway: false,
      });
    this.vpc = vpc;
    const restrictDefaultSg = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider')?.node.tryFindChild('Handler');
    if (restrictDefaultSg) {
      Validations.of(restrictDefaultSg).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
        reason:
          "CDK's provider function only revokes the default security group's rules through the EC2 API during deployment; it handles no model or audit data, and running it in the isolated VPC would need an EC2 interface endpoint kept solely for that call.",
      });
    }
    if (vpc.isolatedSubnets.length < 2) {
      throw new Error(`PrivateNetwork: the VPC ${vpc.vpcId} needs isolated subnets in at least two zones; found ${vpc.isolatedSubnets.length}`);
    }

    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // L1 flow log with a role whose permissions sit in a managed policy: the L2 puts them
    // inline, which the HIPAA, NIST and PCI packs reject.
    const flowLogRole = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'Delivers VPC flow logs to their CloudWatch log group',
    });
    const flowLogPolicy = new iam.ManagedPolicy(this, 'FlowLogPolicy', {
      roles: [flowLogRole],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          resources: [flowLogGroup.logGroupArn],
        }),
      ],
    });
    const flowLog = new ec2.CfnFlowLog(this, 'FlowLog', {
      resourceId: vpc.vpcId,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: flowLogGroup.logGroupArn,
      deliverLogsPermissionArn: flowLogRole.roleArn,
    });
    flowLog.node.addDependency(flowLogPolicy);

    const sg = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'Interface endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    // The literal CIDR of a new VPC (a token would hide the rule from the rule packs' checks).
    sg.addIngressRule(ec2.Peer.ipv4(props.vpc ? vpc.vpcCidrBlock : cidr), ec2.Port.tcp(443), 'HTTPS from inside the VPC');
    this.endpointSecurityGroup = sg;

    const endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
    for (const spec of props.endpoints) {
      const endpoint = vpc.addInterfaceEndpoint(spec.id, {
        service: spec.service,
        privateDnsEnabled: true,
        subnets: this.isolatedSubnets,
        securityGroups: [sg],
        open: false,
      });
      spec.statements.forEach((s) => endpoint.addToPolicy(s));
      endpoints[spec.id] = endpoint;
    }
    this.endpoints = endpoints;

    this.s3GatewayEndpoint = vpc.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      subnets: [this.isolatedSubnets],
    });
    props.s3GatewayStatements.forEach((s) => this.s3GatewayEndpoint.addToPolicy(s));
  }

  /** The first DNS name of an endpoint (the regional, endpoint-specific name). */
  public static endpointDnsName(endpoint: ec2.InterfaceVpcEndpoint): string {
    return Fn.select(1, Fn.split(':', Fn.select(0, endpoint.vpcEndpointDnsEntries)));
  }
}
