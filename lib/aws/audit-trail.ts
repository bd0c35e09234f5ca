import { Aws, Duration, Lazy, RemovalPolicies, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { retainedLogGroup } from './retained-log-group';

/**
 * Every Bedrock resource type whose data events CloudTrail records, in AWS's spelling: the
 * `AWS::Bedrock::*` values of the `resources.type` column of "Data events supported by AWS
 * CloudTrail" (CloudTrail User Guide, Logging data events,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html).
 * InvokeModel, Converse and their streaming forms are management events and are recorded by the
 * management selector; these cover the rest (agents, flows, knowledge bases, guardrails, prompts,
 * sessions, async and bidirectional invocation, automated reasoning, data automation, tools).
 * CloudTrail refuses a selector whose type it does not know, so a misspelling fails the deploy.
 */
export const BEDROCK_DATA_EVENT_TYPES = [
  'AWS::Bedrock::AdvancedOptimizePromptJob',
  'AWS::Bedrock::AgentAlias',
  'AWS::Bedrock::AsyncInvoke',
  'AWS::Bedrock::AutomatedReasoningPolicy',
  'AWS::Bedrock::AutomatedReasoningPolicyVersion',
  'AWS::Bedrock::Blueprint',
  'AWS::Bedrock::DataAutomationInvocation',
  'AWS::Bedrock::DataAutomationProfile',
  'AWS::Bedrock::DataAutomationProject',
  'AWS::Bedrock::FlowAlias',
  'AWS::Bedrock::FlowExecution',
  'AWS::Bedrock::Guardrail',
  'AWS::Bedrock::InlineAgent',
  'AWS::Bedrock::KnowledgeBase',
  'AWS::Bedrock::Model',
  'AWS::Bedrock::PromptVersion',
  'AWS::Bedrock::Session',
  'AWS::Bedrock::Tool',
] as const;

/**
 * Data-event types, from the same table, of the model-serving endpoints outside the `bedrock:`
 * namespace: the OpenAI-compatible endpoint (`bedrock-mantle`, API activity on its projects) and
 * the Anthropic endpoint (`aws-external-anthropic`, API activity on its workspaces). Without
 * them, model calls through those endpoints would leave no record of who called.
 */
export const OTHER_MODEL_SERVING_DATA_EVENT_TYPES = ['AWS::BedrockMantle::Project', 'AWS::AWSExternalAnthropic::Workspace'] as const;

/**
 * CloudTrail's limit on a trail's advanced event selectors: "a maximum of 500 values for all
 * conditions and selectors on a trail" (PutEventSelectors, AdvancedEventSelectors).
 */
export const MAX_SELECTOR_VALUES = 500;

/** One advanced event selector, as this construct writes it. */
export interface EventSelector {
  readonly name: string;
  readonly fieldSelectors: ReadonlyArray<{ readonly field: string; readonly equalTo?: readonly string[]; readonly startsWith?: readonly string[] }>;
}

/** What a trail's selectors count against {@link MAX_SELECTOR_VALUES}: one per selector and one per condition value. */
export function selectorValueCount(selectors: readonly EventSelector[]): number {
  return selectors.reduce((n, s) => n + 1 + s.fieldSelectors.reduce((m, f) => m + (f.equalTo?.length ?? 0) + (f.startsWith?.length ?? 0), 0), 0);
}

/**
 * Lifecycle days that keep an object for exactly `retentionDays`. On a versioned bucket the
 * current-version expiration only turns the object noncurrent (a delete marker), and the
 * noncurrent-version expiration then counts from that day, so the two add up: expiring the
 * current version at retention and the noncurrent one a further retention later kept evidence
 * for twice the period. Object lock does not shorten this (it only forbids deleting a version
 * before its retain-until date), so the noncurrent phase is one day (S3's minimum) and the
 * current phase the rest. A version made noncurrent earlier (deleted or overwritten) is removed
 * one day later, or, in the compliance-locked evidence bucket, when its lock ends at retention.
 */
export function evidenceLifecycleDays(retentionDays: number): { readonly currentVersionExpirationDays: number; readonly noncurrentVersionExpirationDays: number } {
  const noncurrentVersionExpirationDays = 1;
  return { currentVersionExpirationDays: retentionDays - noncurrentVersionExpirationDays, noncurrentVersionExpirationDays };
}

/** The audit trail and the bucket that keeps its evidence. */
export interface AuditTrailProps {
  /**
   * Key for trail log files and the evidence bucket. The construct adds the statements that let
   * CloudTrail of this account use it, so it must be a key this app manages (not an imported one).
   */
  readonly auditKey: kms.IKey;
  /** Key for the trail's CloudWatch log group. */
  readonly logsKey: kms.IKey;
  /** Retention of the trail's CloudWatch log group. */
  readonly logRetention: logs.RetentionDays;
  /**
   * Days evidence is kept: the compliance-mode object lock of the evidence bucket, and the
   * lifecycle of both buckets (current and noncurrent phases together).
   */
  readonly auditRetentionDays: number;
  /**
   * Days until objects move to infrequent-access storage.
   * @default 90
   */
  readonly transitionToInfrequentAccessDays?: number;
  /**
   * Days until objects move to Glacier.
   * @default 365
   */
  readonly transitionToArchiveDays?: number;
  /**
   * Name of the evidence bucket (known to the Identity Center auditor permission set).
   * @default - generated by CloudFormation
   */
  readonly bucketName?: string;
  /**
   * Name of the server-access-log bucket.
   * @default - generated by CloudFormation
   */
  readonly accessLogsBucketName?: string;
  /**
   * Name of the trail's CloudWatch log group.
   * @default - generated by CloudFormation
   */
  readonly logGroupName?: string;
  /**
   * Data-event resource types to record (one advanced event selector each, as CloudTrail allows
   * one `resources.type` per selector).
   * @default - BEDROCK_DATA_EVENT_TYPES and OTHER_MODEL_SERVING_DATA_EVENT_TYPES
   */
  readonly dataEventTypes?: readonly string[];
}

/**
 * A multi-region CloudTrail trail with log-file validation, CMK encryption, CloudWatch Logs
 * delivery, Bedrock data events and S3 data events on both of its buckets and on any bucket
 * given to `recordObjectAccess` (so every read of evidence or prompt logs is itself recorded),
 * writing to an evidence bucket with CMK encryption,
 * TLS only, no public access, versioning, compliance-mode object lock, server access logs,
 * lifecycle and event notifications.
 *
 * Server access logs go to a second bucket that S3 can deliver to: no object lock and SSE-S3
 * default encryption (S3 refuses both object lock and SSE-KMS on a log destination). It is kept
 * immutable instead by versioning and a bucket policy that lets only S3 log delivery (for this
 * account's buckets) write objects and lets no principal delete objects or versions or change the
 * bucket's policy, lifecycle, versioning or object lock. Consequence: after the first deploy a
 * change to any of those fails until the account's root user, which S3 always lets manage a
 * bucket policy, removes the policy. Everything is retained when the stack is deleted.
 */
export class AuditTrail extends Construct {
  /** The trail (an L1, for advanced event selectors and a managed delivery policy). */
  public readonly trail: cloudtrail.CfnTrail;
  /** ARN of the trail, e.g. for `aws:SourceArn` conditions and protection policies. */
  public readonly trailArn: string;
  /** The evidence bucket: trail log files (under `AWSLogs/`) and anything else that must be kept. */
  public readonly bucket: s3.IBucket;
  /**
   * The bucket that receives server access logs: the evidence bucket's, and any other bucket of
   * this account may log here too (`serverAccessLogsBucket`, with a prefix of its own).
   */
  public readonly accessLogsBucket: s3.IBucket;
  /** Key prefix of the evidence bucket's server access logs in {@link accessLogsBucket}. */
  public readonly accessLogsPrefix: string;
  /** The trail's CloudWatch log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The data-event resource types the trail records. */
  public readonly dataEventTypes: readonly string[];
  private readonly selectors: EventSelector[] = [];

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    // Log delivery must be granted by bucket policy, not by the LogDeliveryWrite ACL, which
    // would conflict with BucketOwnerEnforced ownership; set here so the construct does not
    // depend on the app's feature flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const retentionDays = props.auditRetentionDays;
    const iaDays = props.transitionToInfrequentAccessDays ?? 90;
    const archiveDays = props.transitionToArchiveDays ?? 365;
    const { currentVersionExpirationDays, noncurrentVersionExpirationDays } = evidenceLifecycleDays(retentionDays);
    if (!(iaDays < archiveDays && archiveDays < currentVersionExpirationDays)) {
      throw new Error(
        `AuditTrail: lifecycle days must increase: infrequent access (${iaDays}) < archive (${archiveDays}) < current-version expiration (${currentVersionExpirationDays}, which is retention ${retentionDays} minus the ${noncurrentVersionExpirationDays}-day noncurrent phase)`,
      );
    }
    const dataEventTypes = props.dataEventTypes ?? [...BEDROCK_DATA_EVENT_TYPES, ...OTHER_MODEL_SERVING_DATA_EVENT_TYPES];
    const malformed = dataEventTypes.filter((t) => !/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/.test(t));
    if (malformed.length > 0) {
      throw new Error(`AuditTrail: data-event types must be CloudTrail resources.type values such as AWS::Bedrock::Model; received ${malformed.join(', ')}`);
    }

    const lifecycleRules: s3.LifecycleRule[] = [
      {
        id: 'tier-and-expire-evidence',
        transitions: [
          { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(iaDays) },
          { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(archiveDays) },
        ],
        expiration: Duration.days(currentVersionExpirationDays),
        noncurrentVersionExpiration: Duration.days(noncurrentVersionExpirationDays),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ];
    // What both buckets promise: encryption, TLS only, no public access, versions, lifecycle,
    // and survival of `cdk destroy`.
    const keptBucket = {
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies s3.BucketProps;

    // S3 delivers server access logs only to a bucket without object lock and with SSE-S3
    // default encryption ("Troubleshoot server access logging", Amazon S3 User Guide).
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      ...keptBucket,
      bucketName: props.accessLogsBucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
    });
    enableEventBridge(accessLogs);

    const accessLogsPrefix = 'audit-bucket/';
    const bucket = new s3.Bucket(this, 'Bucket', {
      ...keptBucket,
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.auditKey,
      bucketKeyEnabled: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(retentionDays)),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: accessLogsPrefix,
    });
    enableEventBridge(bucket);
    protectAccessLogs(accessLogs);

    const logGroup = retainedLogGroup(this, 'TrailLogs', {
      logGroupName: props.logGroupName,
      encryptionKey: props.logsKey,
      retention: props.logRetention,
    });

    // The trail is built from L1 pieces so that its delivery role's permissions sit in a
    // managed policy (the L2 writes them inline, which the HIPAA, NIST and PCI packs reject)
    // and so that it can use advanced event selectors.
    const fromThisAccount = { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } };
    const deliveryRole = new iam.Role(this, 'TrailLogsRole', {
      assumedBy: new iam.ServicePrincipal('cloudtrail.amazonaws.com', { conditions: fromThisAccount }),
      description: 'Delivers CloudTrail events to their CloudWatch log group',
    });
    const deliveryPolicy = new iam.ManagedPolicy(this, 'TrailLogsPolicy', {
      roles: [deliveryRole],
      statements: [new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] })],
    });
    const cloudtrailPrincipal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailAclCheck',
        principals: [cloudtrailPrincipal],
        actions: ['s3:GetBucketAcl'],
        resources: [bucket.bucketArn],
        conditions: fromThisAccount,
      }),
    );
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudTrailWrite',
        principals: [cloudtrailPrincipal],
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }),
    );
    // The key policy names trails by pattern, not by this trail's ARN: the trail refers to the
    // key, so naming the trail in the key's policy would be a dependency cycle.
    admitCloudTrail(props.auditKey);

    this.addSelector({ name: 'All management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] });
    for (const type of dataEventTypes) {
      this.addSelector({
        name: `Data events: ${type}`,
        fieldSelectors: [
          { field: 'eventCategory', equalTo: ['Data'] },
          { field: 'resources.type', equalTo: [type] },
        ],
      });
    }
    // Every read and every write. CloudTrail's own log-file deliveries are recorded too, one
    // event per file: CloudFormation cannot set the trail's RecursiveLogging switch, and leaving
    // out PutObject would also hide forged objects.
    this.recordObjectAccess(bucket, 'the evidence bucket');
    // The access-log bucket is the end of the logging chain; its object calls are recorded here.
    this.recordObjectAccess(accessLogs, 'the server-access-log bucket');

    const trail = new cloudtrail.CfnTrail(this, 'Trail', {
      isLogging: true,
      s3BucketName: bucket.bucketName,
      kmsKeyId: props.auditKey.keyArn,
      enableLogFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      cloudWatchLogsLogGroupArn: logGroup.logGroupArn,
      cloudWatchLogsRoleArn: deliveryRole.roleArn,
      // Advanced event selectors replace basic ones, so management events are listed too. Lazy,
      // so that buckets created after the trail can still be recorded.
      advancedEventSelectors: Lazy.any({
        produce: () =>
          this.selectors.map((sel) => ({
            name: sel.name,
            fieldSelectors: sel.fieldSelectors.map((f) => ({ field: f.field, equalTo: f.equalTo && [...f.equalTo], startsWith: f.startsWith && [...f.startsWith] })),
          })),
      }),
    });
    trail.node.addDependency(deliveryPolicy);
    if (bucket.policy) trail.node.addDependency(bucket.policy);

    const replicationReason =
      'Evidence stays in one allowed region by design (data residency): replication would copy it to another bucket or region, so durability comes from versioning, compliance-mode object lock and S3 multi-AZ storage instead.';
    for (const b of [accessLogs, bucket]) {
      Validations.of(b.node.defaultChild!).acknowledge(
        { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: replicationReason },
        { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: replicationReason },
        { id: 'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled', reason: replicationReason },
      );
    }
    acknowledgeAccessLogDestination(
      accessLogs,
      'This bucket is the end of the server-access-logging chain (logging it to another bucket would need another bucket without logs); every object call on it is recorded as a CloudTrail data event by this trail instead.',
    );

    // Evidence outlives the stack: the trail, its buckets, their policies (TLS-only stays
    // enforced) and the delivery role are all kept when the stack is deleted.
    RemovalPolicies.of(this).retain();

    this.trail = trail;
    this.trailArn = trail.attrArn;
    this.bucket = bucket;
    this.accessLogsBucket = accessLogs;
    this.accessLogsPrefix = accessLogsPrefix;
    this.logGroup = logGroup;
    this.dataEventTypes = dataEventTypes;
  }

  /**
   * Records every object call (reads and writes) on the bucket as a CloudTrail data event, e.g.
   * on the prompt-log bucket, so that each read of prompt logs is itself audited.
   * @param description how the selector names the bucket, e.g. 'the prompt-log bucket'
   */
  public recordObjectAccess(bucket: s3.IBucket, description: string): void {
    this.addSelector({
      name: `Object access to ${description}`,
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        { field: 'resources.ARN', startsWith: [`${bucket.bucketArn}/`] },
      ],
    });
  }

  private addSelector(selector: EventSelector): void {
    const used = selectorValueCount([...this.selectors, selector]);
    if (used > MAX_SELECTOR_VALUES) {
      throw new Error(
        `AuditTrail: the trail's advanced event selectors would use ${used} values, above CloudTrail's limit of ${MAX_SELECTOR_VALUES} (adding '${selector.name}'); record fewer data-event types (dataEventTypes) or buckets`,
      );
    }
    this.selectors.push(selector);
  }
}

/**
 * Lets CloudTrail of this account encrypt log files with the key, bound to trail ARNs by
 * encryption context (the statements of AWS's default CloudTrail key policy).
 */
function admitCloudTrail(key: kms.IKey): void {
  const principal = new iam.ServicePrincipal('cloudtrail.amazonaws.com');
  const statements = [
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailEncryptLogs',
      principals: [principal],
      actions: ['kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        StringLike: {
          'kms:EncryptionContext:aws:cloudtrail:arn': Stack.of(key).formatArn({ service: 'cloudtrail', region: '*', resource: 'trail', resourceName: '*' }),
        },
      },
    }),
    new iam.PolicyStatement({
      sid: 'AllowCloudTrailDescribeKey',
      principals: [principal],
      actions: ['kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  ];
  for (const statement of statements) {
    if (!key.addToResourcePolicy(statement, true).statementAdded) {
      throw new Error(
        `AuditTrail: auditKey ${key.node.path} is imported, so its key policy cannot be extended here; pass a kms.Key defined in this app, or manage that key's policy yourself with the ${statement.sid} statement`,
      );
    }
  }
}

/**
 * What S3 requires of a server-access-log destination (no object lock, SSE-S3 default
 * encryption), acknowledged with why the bucket stays protected: `protectAccessLogs` keeps it
 * immutable by policy. `endOfChainReason` says why the bucket itself is not logged to another.
 */
export function acknowledgeAccessLogDestination(accessLogs: s3.Bucket, endOfChainReason: string): void {
  const sseS3Reason =
    'Amazon S3 delivers server access logs only to a bucket with SSE-S3 default encryption (default SSE-KMS is not supported for log destinations), so this bucket uses S3-managed keys, and its logs are protected by a bucket policy that admits only S3 log delivery and denies every deletion.';
  Validations.of(accessLogs.node.defaultChild!).acknowledge(
    { id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check', reason: endOfChainReason },
    {
      id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      reason:
        'Amazon S3 does not deliver server access logs to a bucket with Object Lock enabled, so this bucket is kept immutable by versioning and a bucket policy that denies every principal deleting objects or versions and changing its policy, lifecycle, versioning or object lock.',
    },
    { id: 'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check', reason: sseS3Reason },
    { id: 'HIPAA.Security::HIPAA.Security-S3DefaultEncryptionKMS', reason: sseS3Reason },
    { id: 'NIST.800.53.R5::NIST.800.53.R5-S3DefaultEncryptionKMS', reason: sseS3Reason },
    { id: 'PCI.DSS.321::PCI.DSS.321-S3DefaultEncryptionKMS', reason: sseS3Reason },
  );
}

/**
 * Keeps the access-log bucket immutable without object lock (which would stop log delivery).
 * Every principal is denied deleting objects or versions and changing the bucket's policy,
 * lifecycle, versioning or object lock; S3 log delivery never calls those, and lifecycle
 * expiry is not a request a bucket policy governs. Object writes are denied unless a service
 * makes them on behalf of a resource of this account (`aws:SourceAccount`, which IAM users and
 * roles cannot carry), so any bucket of the account may log here (the prompt-log bucket too),
 * each through the log-delivery allow that CDK adds for it, bound to that bucket's ARN.
 */
export function protectAccessLogs(accessLogs: s3.Bucket): void {
  const everything = [accessLogs.bucketArn, accessLogs.arnForObjects('*')];
  accessLogs.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyDeletingOrReconfiguringAccessLogs',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: [
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:PutLifecycleConfiguration',
        's3:PutBucketVersioning',
        's3:PutBucketObjectLockConfiguration',
      ],
      resources: everything,
    }),
  );
  accessLogs.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'DenyObjectWritesExceptLogDelivery',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [accessLogs.arnForObjects('*')],
      conditions: { StringNotEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
}

/**
 * Sends the bucket's events to EventBridge. Set on the L1 resource because the L2 switch
 * deploys a notification-handler Lambda that would need its own network path.
 */
export function enableEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
}
