import { Aws, CfnOutput, Duration, Fn, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  accessLogsBucketName,
  auditBucketName,
  BLUEPRINT_ROLE_PATH,
  logGroupName,
  logGroupPrefix,
  loggingSetterFunctionName,
  modelKindOf,
  organisationTags,
  promptLogGroupName,
  promptLogsBucketName,
  wafLogGroupName,
  type AwsTarget,
  type OrgConfig,
} from '../../lib/config';
import { AppTeamOutputs } from '../../lib/aws/app-team-outputs';
import { AuditTrail } from '../../lib/aws/audit-trail';
import { CorporateDns } from '../../lib/aws/corporate-dns';
import { applyGuardrailEndpointStatement, modelResourceArns, profileArns, usableModelIds, type ModelScope } from '../../lib/aws/bedrock-policies';
import { platformEndpoints, s3GatewayStatements } from '../../lib/aws/endpoint-policies';
import { EncryptionKeys } from '../../lib/aws/encryption-keys';
import { InvocationLogging } from '../../lib/aws/invocation-logging';
import { ModelGuardrail } from '../../lib/aws/model-guardrail';
import { MisuseDetection } from '../../lib/aws/misuse-detection';
import { ModelInvoker } from '../../lib/aws/model-invoker';
import { PrivateNetwork } from '../../lib/aws/private-network';
import { RegionPinningPolicy } from '../../lib/aws/region-pinning-policy';
import { permissionSetName, permissionSetRolePattern, SSO_ROLES } from '../../lib/aws/sso-access';

export interface PlatformStackProps extends StackProps {
  readonly config: OrgConfig;
  readonly target: AwsTarget;
}


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
  public readonly guardrail: ModelGuardrail;
  public readonly invocationLogging?: InvocationLogging;
  public readonly modelInvoker: ModelInvoker;
  /** Misuse and tampering alerts to the security contacts, and the playbooks' saved queries. */
  public readonly detection: MisuseDetection;
  /** The Route 53 Resolver inbound endpoint corporate DNS forwards the private names to, when configured. */
  public readonly corporateDns?: CorporateDns;
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
      inferenceProfiles: config.aws.inferenceProfiles,
    };

    for (const [key, value] of Object.entries(organisationTags(config.tags))) Tags.of(this).add(key, value);

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
      endpoints: platformEndpoints(modelScope, config.aws.organizationId),
      s3GatewayStatements: s3GatewayStatements(config.aws.organizationId),
      clientCidrs: target.clientCidrs,
    });
    this.corporateDns = target.dnsResolver
      ? new CorporateDns(this, 'CorporateDns', {
          vpc: this.network.vpc,
          subnets: this.network.isolatedSubnets,
          clientCidrs: target.clientCidrs ?? [],
          name: `${org}-${target.name}-inbound`,
          ipAddresses: target.dnsResolverAddresses,
        })
      : undefined;

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

    this.regionPinning = new RegionPinningPolicy(this, 'RegionPinning', {
      allowedRegions: config.aws.allowedRegions,
      throughProfiles: config.dataResidency.strict ? [] : profileArns(modelScope),
      path: BLUEPRINT_ROLE_PATH,
    });

    const guardrailConfig = config.aws.guardrail;
    this.guardrail = new ModelGuardrail(this, 'Guardrail', {
      name: `${org}-${target.name}`,
      key: this.keys.modelDataKey,
      ...guardrailConfig,
    });
    const runtime = this.network.endpoints.BedrockRuntime;
    runtime.addToPolicy(applyGuardrailEndpointStatement(this.guardrail.guardrailArn, config.aws.organizationId));

    const logPrefix = logGroupPrefix(org, target.name);
    const toEndpoints = { peer: ec2.Peer.securityGroupId(this.network.endpointSecurityGroup.securityGroupId), description: 'HTTPS to the VPC interface endpoints' };
    if (target.ownsInvocationLogging) {
      this.invocationLogging = new InvocationLogging(this, 'InvocationLogging', {
        // Prompts and responses under their own bucket and the model-data key, apart from the trail's evidence.
        promptLogKey: this.keys.modelDataKey,
        promptLogRetentionDays: config.logging.auditRetentionDays,
        accessLogsBucket: this.audit.accessLogsBucket,
        bucketName: promptLogsBucketName(org, target.name, target.account),
        takeOver: target.takeOverInvocationLogging,
        logsKey: this.keys.logsKey,
        logRetention: retention,
        logGroupName: promptLogGroupName(org, target.name),
        vpc: this.network.vpc,
        vpcSubnets: this.network.isolatedSubnets,
        // The isolated subnets route nowhere but the VPC and the S3 gateway endpoint, whose policy
        // admits only this account's buckets and CloudFormation's response bucket.
        egress: [toEndpoints, { peer: ec2.Peer.anyIpv4(), description: 'HTTPS to S3 through the gateway endpoint (CloudFormation response)' }],
        functionKey: this.keys.lambdaKey,
        functionLogGroupName: `${logPrefix}invocation-logging-setter`,
        // PrivateAi-<org>-<target>-logging: within Lambda's 64 characters, and matched by the organisation guard.
        functionName: loggingSetterFunctionName(org, target.name),
      });
      // Every read of prompts and responses is itself recorded.
      this.audit.recordObjectAccess(this.invocationLogging.bucket, 'the prompt-log bucket');
    }

    const usable = usableModelIds(modelScope);
    const usableModels = config.aws.models.filter((m) => usable.includes(m.id)).map((m) => ({ ...m, kind: modelKindOf(m) }));
    const invokerConfig = config.aws.modelInvoker;
    this.modelInvoker = new ModelInvoker(this, 'ModelInvoker', {
      vpc: this.network.vpc,
      vpcSubnets: this.network.isolatedSubnets,
      endpointSecurityGroup: this.network.endpointSecurityGroup,
      executeApiEndpoint: this.network.endpoints.ExecuteApi,
      // The kill switch is read through the SSM endpoint by its own name (it has no private DNS).
      ssmEndpointDnsName: PrivateNetwork.endpointDnsName(this.network.endpoints.Ssm),
      models: usableModels,
      modelArns: modelResourceArns({ ...modelScope, modelIds: usableModels.filter((m) => m.kind === 'chat').map((m) => m.id) }),
      embeddingModelArns: modelResourceArns({ ...modelScope, modelIds: usableModels.filter((m) => m.kind === 'embedding').map((m) => m.id) }),
      guardrailId: this.guardrail.guardrailId,
      guardrailArn: this.guardrail.guardrailArn,
      guardrailVersion: this.guardrail.guardrailVersion,
      guardrailKey: this.keys.modelDataKey,
      // The kill switch: its first value from the config; per target, as two targets may share an account and region.
      suspendModelAccess: config.detection.suspendModelAccess,
      modelAccessParameterName: `${config.aws.ssmPrefix}/${target.name}/model-access`,
      wafLogGroupName: wafLogGroupName(org, target.name),
      // The ModelUser permission set's roles in this account (any Identity Center region path), and the listed app roles.
      apiCallers: [
        permissionSetRolePattern(Aws.PARTITION, Aws.ACCOUNT_ID, org, 'modelUsers'),
        ...(target.apiCallerRoleArns ?? []),
      ],
      environmentKey: this.keys.lambdaKey,
      logsKey: this.keys.logsKey,
      logRetention: retention,
      logGroupPrefix: logPrefix,
      organizationId: config.aws.organizationId,
      reservedConcurrency: invokerConfig.reservedConcurrency,
      timeout: Duration.seconds(invokerConfig.timeoutSeconds),
      memorySize: invokerConfig.memoryMb,
      throttleRateLimit: invokerConfig.throttleRateLimit,
      throttleBurstLimit: invokerConfig.throttleBurstLimit,
      maxMessages: invokerConfig.maxMessages,
      maxTextChars: invokerConfig.maxTextChars,
      maxTokensCap: invokerConfig.maxTokensCap,
    });
    this.regionPinning.attachTo(this.modelInvoker.handler.role);
    if (this.invocationLogging) this.regionPinning.attachTo(this.invocationLogging.functionRole);

    const invoker = this.modelInvoker;
    this.detection = new MisuseDetection(this, 'MisuseDetection', {
      emails: config.securityContacts.emails,
      thresholds: config.detection.thresholds,
      // The audit key: the organisation guard keeps it enabled, and alerts are audit data.
      key: this.keys.auditKey,
      namePrefix: `${org}-${target.name}`,
      auditLogGroup: invoker.handler.logGroup,
      trailLogGroup: this.audit.logGroup,
      invocationLogGroup: this.invocationLogging?.logGroup,
      apiAccessLogGroup: invoker.accessLogGroup,
      invokerFunction: invoker.handler.function,
      api: invoker.api,
      protectedResources: {
        keys: [this.keys.auditKey, this.keys.logsKey, this.keys.modelDataKey, this.keys.lambdaKey],
        logGroups: [this.audit.logGroup, invoker.handler.logGroup, invoker.accessLogGroup, ...(this.invocationLogging ? [this.invocationLogging.logGroup] : [])],
        buckets: [this.audit.bucket, this.audit.accessLogsBucket, ...(this.invocationLogging ? [this.invocationLogging.bucket] : [])],
        // Beside the invoker's (always watched): the role that delivers the trail to the log group
        // the tampering filters read, and the invocation-logging roles.
        roles: [
          this.audit.node.findChild('TrailLogsRole') as iam.IRole,
          ...(this.invocationLogging ? [this.invocationLogging.deliveryRole, this.invocationLogging.functionRole] : []),
        ],
        // The permission sets' roles in this account, which Identity Center rewrites when it provisions a change.
        roleNamePatterns: SSO_ROLES.map((role) => `AWSReservedSSO_${permissionSetName(org, role)}_*`),
      },
      killSwitch: invoker.killSwitch,
    });
    // For the security team, not app teams: an output of the stack, not an SSM parameter.
    new CfnOutput(this, 'SecurityAlertTopicArn', {
      value: this.detection.topic.topicArn,
      description: 'SNS topic of misuse and tampering alerts (KMS-encrypted); the security contacts are subscribed by e-mail and must confirm',
    });
    new CfnOutput(this, 'ModelAccessParameterName', {
      value: this.modelInvoker.killSwitch.parameterName,
      description: 'The kill switch: put suspended to stop the private API within 30 s, open to restore (docs/playbooks/README.md)',
    });

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
        ModelDataKeyArn: { value: this.keys.modelDataKey.keyArn, description: 'KMS key for guardrails and the model invocation logs (prompts and responses)' },
        LambdaKeyArn: { value: this.keys.lambdaKey.keyArn, description: 'KMS key for Lambda environment variables' },
        AuditBucketName: { value: this.audit.bucket.bucketName, description: 'Audit evidence bucket (CloudTrail log files)' },
        RegionPinningPolicyArn: { value: this.regionPinning.policy.managedPolicyArn, description: 'Managed policy denying Bedrock outside the allowed regions; attach to your roles' },
        PrivateApiUrl: { value: this.modelInvoker.invokeUrl, description: 'POST Converse-shaped requests here, SigV4-signed (service execute-api), from inside the network' },
        AllowedModelIds: { value: usableModels.filter((m) => m.kind === 'chat').map((m) => m.id).join(','), description: 'Chat model IDs the private API accepts from this region at /invoke (comma-separated)' },
        ...(this.modelInvoker.embedUrl
          ? {
              PrivateApiEmbeddingsUrl: { value: this.modelInvoker.embedUrl, description: 'POST embedding requests here, SigV4-signed (service execute-api), from inside the network' },
              AllowedEmbeddingModelIds: { value: usableModels.filter((m) => m.kind === 'embedding').map((m) => m.id).join(','), description: 'Embedding model IDs the private API accepts from this region at /embed (comma-separated)' },
            }
          : {}),
        GuardrailId: { value: this.guardrail.guardrailId, description: 'Guardrail applied to every call' },
        GuardrailVersion: { value: this.guardrail.guardrailVersion, description: 'Published guardrail version; pass with GuardrailId when calling Bedrock directly' },
        GuardrailArn: { value: this.guardrail.guardrailArn, description: 'Guardrail ARN; bedrock:GuardrailIdentifier conditions use "<arn>:<version>"' },
        ...(this.corporateDns
          ? {
              ResolverInboundEndpointId: {
                value: this.corporateDns.resolverEndpointId,
                description: 'Route 53 Resolver inbound endpoint for corporate DNS to forward the private names to; its IP addresses: aws route53resolver list-resolver-endpoint-ip-addresses --resolver-endpoint-id <id>',
              },
              ...(this.corporateDns.ipAddresses
                ? { ResolverInboundAddresses: { value: this.corporateDns.ipAddresses.join(','), description: 'Addresses of the Route 53 Resolver inbound endpoint: configure them as forwarders in corporate DNS (comma-separated)' } }
                : {}),
            }
          : {}),
        ...(this.network.executeApiClientSecurityGroup
          ? { ExecuteApiClientSecurityGroupId: { value: this.network.executeApiClientSecurityGroup.securityGroupId, description: 'Security group admitting the corporate networks (aws.targets[].clientCidrs) to the execute-api endpoint on 443' } }
          : {}),
        ...(this.invocationLogging
          ? {
              InvocationLogGroupName: { value: this.invocationLogging.logGroup.logGroupName, description: 'CloudWatch log group of model invocation logs (prompts and responses)' },
              InvocationLogS3Location: { value: this.invocationLogging.s3Location, description: 'S3 location of model invocation logs (their own bucket, encrypted with the model-data key)' },
            }
          : {}),
      },
    });
  }
}
