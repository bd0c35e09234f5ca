import { Duration, PhysicalName, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices } from './encryption-keys';
import { acknowledgeAccessLogDestination, enableEventBridge, protectAccessLogs } from './audit-trail';

/** Where a delivery pipeline keeps its artifacts in one region. */
export interface ArtifactStoreProps {
  /**
   * Alias of the artifact key, e.g. `alias/acme/pipeline-artifacts`. A pipeline in another region
   * names the key by this alias, since a key's ARN cannot be referred to across regions.
   */
  readonly keyAlias: string;
  /**
   * The pipeline that uses this store is in another region: the bucket is encrypted under the
   * alias, so that the pipeline's artifact store and grants can name the key.
   * @default false - the bucket names the key itself
   */
  readonly crossRegion?: boolean;
  /**
   * How long an artifact is kept after it is written; superseded versions go 30 days later.
   * @default Duration.days(90)
   */
  readonly retention?: Duration;
}

/**
 * The artifact bucket of a CodePipeline pipeline in one region: encrypted under a
 * customer-managed key with rotation (a key, not S3's, so that the accounts the pipeline deploys
 * to can be granted it), TLS only, no public access, versioned, expired by lifecycle, with its
 * server access logs in a bucket of their own and events sent to EventBridge.
 */
export class ArtifactStore extends Construct {
  /** The artifact bucket; its `encryptionKey` is the key (or, cross-region, the key's alias). */
  public readonly bucket: s3.IBucket;
  /** The artifact key. */
  public readonly key: kms.IKey;
  /** Where S3 delivers the artifact bucket's server access logs. */
  public readonly accessLogsBucket: s3.IBucket;

  constructor(scope: Construct, id: string, props: ArtifactStoreProps) {
    super(scope, id);
    const retention = props.retention ?? Duration.days(90);
    // Log delivery by bucket policy, not the LogDeliveryWrite ACL, which BucketOwnerEnforced forbids.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const key = new kms.Key(this, 'Key', {
      description: `Pipeline artifacts (${props.keyAlias})`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(denyGrantsExceptForAwsServices());
    const alias = key.addAlias(props.keyAlias);

    const lifecycleRules: s3.LifecycleRule[] = [
      { id: 'expire-artifacts', expiration: retention, noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(7) },
    ];
    const common = {
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules,
      removalPolicy: RemovalPolicy.RETAIN,
    } satisfies s3.BucketProps;

    // S3 delivers server access logs only to a bucket with SSE-S3 default encryption and no object lock.
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', { ...common, encryption: s3.BucketEncryption.S3_MANAGED });
    const bucket = new s3.Bucket(this, 'Bucket', {
      ...common,
      // Generated only when a stack of another region refers to it (the pipeline's replication buckets).
      bucketName: PhysicalName.GENERATE_IF_NEEDED,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.crossRegion ? alias : key,
      bucketKeyEnabled: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
    });
    for (const b of [accessLogs, bucket]) enableEventBridge(b);
    protectAccessLogs(accessLogs);

    const replicationReason =
      'Pipeline artifacts are intermediate build outputs, rebuilt from the repository on every run and expired by lifecycle, so a copy in another bucket or region would add nothing the repository does not already keep.';
    for (const b of [accessLogs, bucket]) {
      Validations.of(b.node.defaultChild!).acknowledge(
        { id: 'HIPAA.Security::HIPAA.Security-S3BucketReplicationEnabled', reason: replicationReason },
        { id: 'NIST.800.53.R5::NIST.800.53.R5-S3BucketReplicationEnabled', reason: replicationReason },
        { id: 'PCI.DSS.321::PCI.DSS.321-S3BucketReplicationEnabled', reason: replicationReason },
      );
    }
    Validations.of(bucket.node.defaultChild!).acknowledge({
      id: 'cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check',
      reason:
        'Pipeline artifacts are superseded on every run and expired by lifecycle, so locking them would only keep stale templates; versioning and the key policy protect them while a run uses them, and the deployed stacks record what was deployed.',
    });
    acknowledgeAccessLogDestination(
      accessLogs,
      'This bucket is the end of the server-access-logging chain: logging it to another bucket would need another bucket without logs.',
    );

    this.bucket = bucket;
    this.key = key;
    this.accessLogsBucket = accessLogs;
  }
}
