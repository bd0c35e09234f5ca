import { Aws, Fn, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { accessLogsBucketName, auditBucketName, logGroupName, type AwsTarget, type OrgConfig } from '../../lib/config';
import { AppTeamOutputs } from '../../lib/aws/app-team-outputs';
import { AuditTrail } from '../../lib/aws/audit-trail';
import { principalConditions, runtimeEndpointStatements, type ModelScope } from '../../lib/aws/bedrock-policies';
import { EncryptionKeys } from '../../lib/aws/encryption-keys';
import { PrivateNetwork } from '../../lib/aws/private-network';
import { RegionPinningPolicy } from '../../lib/aws/region-pinning-policy';

export interface PlatformStackProps extends StackProps {
  readonly config: OrgConfig;
  readonly target: AwsTarget;
}

/** Control-plane actions the platform's own functions call through the `bedrock` endpoint. */
const BEDROCK_CONTROL_PLANE_ACTIONS = [
  'bedrock:GetModelInvocationLoggingConfiguration',
  'bedrock:PutModelInvocationLoggingConfiguration',
  'bedrock:DeleteModelInvocationLoggingConfiguration',
  'bedrock:GetGuardrail',
  'bedrock:ListGuardrails',
  'bedrock:GetFoundationModel',
  'bedrock:ListFoundationModels',
  'bedrock:GetInferenceProfile',
  'bedrock:ListInferenceProfiles',
];

/**
 * The private AWS platform for one account and region: keys, isolated network with Bedrock
 * endpoints, audit trail, region pinning, and the outputs app teams consume. Wiring only.
 */
export class PlatformStack extends Stack {
  /**
   * The zones of the new VPC: the configured names, else the first `maxAzs` zones resolved at
   * deploy time with Fn::GetAZs. Either way synthesis needs no zone lookup (and no
   * credentials), and no zone name is hard-coded for a region it may not exist in.
   */
  override get availabilityZones(): string[] {
    return this.zones;
  }

  public readonly keys: EncryptionKeys;
  public readonly network: PrivateNetwork;
  public readonly audit: AuditTrail;
  public readonly regionPinning: RegionPinningPolicy;
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { config, target } = props;
    this.zones =
      target.network?.availabilityZones ??
      Array.from({ length: target.network?.maxAzs ?? 2 }, (_, i) => Fn.select(i, Fn.getAzs()));
    const retention = config.logging.retentionDays as logs.RetentionDays;
    const org = config.organisation.name;
    const prefix = `${org}/${target.name}`;
    const modelScope: ModelScope = {
      modelIds: config.aws.models.map((m) => m.id),
      region: target.region,
      allowedRegions: config.aws.allowedRegions,
      strict: config.dataResidency.strict,
    };
    const inThisOrg = principalConditions(config.aws.organizationId);
    const accountOnly = (sid: string, actions: string[]) =>
      new iam.PolicyStatement({ sid, principals: [new iam.AnyPrincipal()], actions, resources: ['*'], conditions: inThisOrg });

    Tags.of(this).add('owner', config.tags.owner);
    Tags.of(this).add('cost-centre', config.tags.costCentre);
    Tags.of(this).add('data-classification', config.tags.dataClassification);

    this.keys = new EncryptionKeys(this, 'Keys', { aliasPrefix: prefix });

    // An existing VPC is looked up at synth time (needs credentials once; cached in cdk.context.json).
    const existingVpcId = target.network?.existingVpcId;
    this.network = new PrivateNetwork(this, 'Network', {
      vpc: existingVpcId ? ec2.Vpc.fromLookup(this, 'ExistingVpc', { vpcId: existingVpcId }) : undefined,
      cidr: target.network?.cidr,
      availabilityZones: target.network?.existingVpcId ? undefined : this.zones,
      logsKey: this.keys.logsKey,
      logRetention: retention,
      flowLogGroupName: logGroupName(org, target.name, 'vpc-flow-logs'),
      endpoints: [
        { id: 'BedrockRuntime', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME, statements: runtimeEndpointStatements(modelScope, config.aws.organizationId) },
        { id: 'Bedrock', service: ec2.InterfaceVpcEndpointAwsService.BEDROCK, statements: [accountOnly('BedrockControlPlaneForPlatform', BEDROCK_CONTROL_PLANE_ACTIONS)] },
        { id: 'Sts', service: ec2.InterfaceVpcEndpointAwsService.STS, statements: [accountOnly('StsForThisAccount', ['sts:AssumeRole', 'sts:GetCallerIdentity'])] },
        { id: 'Kms', service: ec2.InterfaceVpcEndpointAwsService.KMS, statements: [accountOnly('KmsForThisAccount', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'])] },
        { id: 'Logs', service: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS, statements: [accountOnly('LogsForThisAccount', ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'])] },
        { id: 'XRay', service: ec2.InterfaceVpcEndpointAwsService.XRAY, statements: [accountOnly('XRayForThisAccount', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'])] },
      ],
      s3GatewayStatements: [
        new iam.PolicyStatement({
          sid: 'OwnBucketsOfThisAccount',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:GetBucketLocation'],
          resources: ['*'],
          conditions: { ...inThisOrg, StringEqualsIfExists: { 'aws:ResourceAccount': Aws.ACCOUNT_ID } },
        }),
        new iam.PolicyStatement({
          sid: 'CustomResourceResponsesToCloudFormation',
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:PutObject'],
          resources: [`arn:${Aws.PARTITION}:s3:::cloudformation-custom-resource-response-*/*`],
        }),
      ],
    });

    this.audit = new AuditTrail(this, 'Audit', {
      bucketName: auditBucketName(org, target.name, target.account),
      accessLogsBucketName: accessLogsBucketName(org, target.name, target.account),
      logGroupName: logGroupName(org, target.name, 'cloudtrail'),
      auditKey: this.keys.auditKey,
      logsKey: this.keys.logsKey,
      logRetention: retention,
      auditRetentionDays: config.logging.auditRetentionDays,
      transitionToInfrequentAccessDays: config.logging.transitionToInfrequentAccessDays,
      transitionToArchiveDays: config.logging.transitionToArchiveDays,
    });

    this.regionPinning = new RegionPinningPolicy(this, 'RegionPinning', { allowedRegions: config.aws.allowedRegions });

    const runtime = this.network.endpoints.BedrockRuntime;
    new AppTeamOutputs(this, 'Outputs', {
      parameterPrefix: `${config.aws.ssmPrefix}/${target.name}`,
      outputs: {
        VpcId: { value: this.network.vpc.vpcId, description: 'VPC whose isolated subnets reach the models privately' },
        EndpointSecurityGroupId: { value: this.network.endpointSecurityGroup.securityGroupId, description: 'Security group of the interface endpoints (HTTPS from the VPC)' },
        BedrockRuntimeEndpointId: { value: runtime.vpcEndpointId, description: 'Interface endpoint ID of bedrock-runtime; IAM conditions use it as aws:SourceVpce' },
        BedrockRuntimeEndpointDns: { value: PrivateNetwork.endpointDnsName(runtime), description: 'Endpoint-specific DNS name of bedrock-runtime' },
        BedrockRuntimePrivateHostname: { value: `bedrock-runtime.${Aws.REGION}.${Aws.URL_SUFFIX}`, description: 'Default SDK hostname; private DNS resolves it to the endpoint inside the VPC' },
        BedrockEndpointId: { value: this.network.endpoints.Bedrock.vpcEndpointId, description: 'Interface endpoint ID of the bedrock control plane' },
        AuditKeyArn: { value: this.keys.auditKey.keyArn, description: 'KMS key of the audit trail and audit bucket' },
        LogsKeyArn: { value: this.keys.logsKey.keyArn, description: 'KMS key for CloudWatch log groups' },
        ModelDataKeyArn: { value: this.keys.modelDataKey.keyArn, description: 'KMS key for guardrails and model invocation logs' },
        LambdaKeyArn: { value: this.keys.lambdaKey.keyArn, description: 'KMS key for Lambda environment variables' },
        AuditBucketName: { value: this.audit.bucket.bucketName, description: 'Audit evidence bucket (CloudTrail, invocation logs)' },
        RegionPinningPolicyArn: { value: this.regionPinning.policy.managedPolicyArn, description: 'Managed policy denying Bedrock outside the allowed regions; attach to your roles' },
      },
    });
  }
}
