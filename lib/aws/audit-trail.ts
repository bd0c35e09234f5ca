import { Aws, Duration, RemovalPolicies, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Bedrock resource types whose data events the trail records. */
export const BEDROCK_DATA_EVENT_TYPES = [
  'AWS::Bedrock::Model',
  'AWS::Bedrock::AsyncInvoke',
  'AWS::Bedrock::Guardrail',
  'AWS::Bedrock::AgentAlias',
  'AWS::Bedrock::KnowledgeBase',
  'AWS::Bedrock::FlowAlias',
] as const;

/** The audit trail and the bucket that keeps its evidence. */
export interface AuditTrailProps {
  /** Key for trail log files and the audit bucket. */
  readonly auditKey: kms.IKey;
  /** Key for the trail's CloudWatch log group. */
  readonly logsKey: kms.IKey;
  /** Retention of the trail's CloudWatch log group. */
  readonly logRetention: logs.RetentionDays;
  /** Days audit objects stay locked (compliance mode) and kept. */
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
   * Bedrock data-event resource types to record.
   * @default BEDROCK_DATA_EVENT_TYPES
   */
  readonly dataEventTypes?: readonly string[];
}

/**
 * A multi-region CloudTrail trail with log-file validation, CMK encryption, CloudWatch Logs
 * delivery and Bedrock data events, writing to an audit bucket that keeps evidence: CMK
 * encryption, TLS only, no public access, versioning, object lock, server access logs to a
 * separate bucket, lifecycle to cheaper storage and event notifications. All retained.
 */
export class AuditTrail extends Construct {
  public readonly trail: cloudtrail.CfnTrail;
  public readonly bucket: s3.IBucket;
  public readonly accessLogsBucket: s3.IBucket;
  public readonly logGroup: logs.ILogGroup;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    // Log delivery must be granted by bucket policy, not by the LogDeliveryWrite ACL, which
    // would conflict with BucketOwnerEnforced ownership; set here so the construct does not
    // depend on the app's feature flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const iaDays = props.transitionToInfrequentAccessDays ?? 90;
    const archiveDays = props.transitionToArchiveDays ?? 365;
    if (!(iaDays < archiveDays && archiveDays < props.auditRetentionDays)) {
      throw new Error(
        `AuditTrail: lifecycle days must increase: infrequent access (${iaDays}) < archive (${archiveDays}) < retention (${props.auditRetentionDays})`,
      );
    }
    const lifecycleRules: s3.LifecycleRule[] = [
      {
        id: 'tier-and-expire-evidence',
        transitions: [
          { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(iaDays) },
          { storageClass: s3.StorageClass.GLACIER, transitionAfter: Duration.days(archiveDays) },
        ],
        expiration: Duration.days(props.auditRetentionDays),
        noncurrentVersionExpiration: Duration.days(props.auditRetentionDays),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      },
    ];

    // S3 server access logs cannot be delivered to a bucket with a default object-lock
    // retention: object lock is on, retention is left unset. The key policy lets the S3
    // logging service use the audit key (EncryptionKeys).
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.auditKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridge(accessLogs);

    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.auditKey,
      bucketKeyEnabled: true,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(props.auditRetentionDays)),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'audit-bucket/',
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    enableEventBridge(bucket);

    const logGroup = new logs.LogGroup(this, 'TrailLogs', {
      encryptionKey: props.logsKey,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
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

    const trail = new cloudtrail.CfnTrail(this, 'Trail', {
      isLogging: true,
      s3BucketName: bucket.bucketName,
      kmsKeyId: props.auditKey.keyArn,
      enableLogFileValidation: true,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      cloudWatchLogsLogGroupArn: logGroup.logGroupArn,
      cloudWatchLogsRoleArn: deliveryRole.roleArn,
      // Advanced event selectors replace basic ones, so management events are listed too.
      advancedEventSelectors: [
        { name: 'All management events', fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }] },
        ...(props.dataEventTypes ?? BEDROCK_DATA_EVENT_TYPES).map((type) => ({
          name: `Bedrock data events: ${type}`,
          fieldSelectors: [
            { field: 'eventCategory', equalTo: ['Data'] },
            { field: 'resources.type', equalTo: [type] },
          ],
        })),
        {
          // The access-log bucket is the end of the logging chain; its object calls are recorded here.
          name: 'Object access to the server-access-log bucket',
          fieldSelectors: [
            { field: 'eventCategory', equalTo: ['Data'] },
            { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWith: [`${accessLogs.bucketArn}/`] },
          ],
        },
      ],
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
    Validations.of(accessLogs.node.defaultChild!).acknowledge({
      id: 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check',
      reason:
        'This bucket is the end of the server-access-logging chain (logging it to another bucket would need another bucket without logs); every object call on it is recorded as a CloudTrail data event by this trail instead.',
    });

    // Evidence outlives the stack: the trail, its buckets, their policies (TLS-only stays
    // enforced) and the delivery role are all kept when the stack is deleted.
    RemovalPolicies.of(this).retain();

    this.trail = trail;
    this.bucket = bucket;
    this.accessLogsBucket = accessLogs;
    this.logGroup = logGroup;
  }

  /** Lets a principal read the evidence (audit bucket objects and the trail log group). */
  public grantRead(grantee: iam.IGrantable): void {
    this.bucket.grantRead(grantee);
    this.logGroup.grantRead(grantee);
  }
}

/**
 * Sends the bucket's events to EventBridge. Set on the L1 resource because the L2 switch
 * deploys a notification-handler Lambda that would need its own network path.
 */
function enableEventBridge(bucket: s3.Bucket): void {
  (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
    eventBridgeConfiguration: { eventBridgeEnabled: true },
  };
}
