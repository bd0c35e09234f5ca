import * as pulumi from '@pulumi/pulumi';
import * as kms from '@pulumi/gcp/kms';
import * as logging from '@pulumi/gcp/logging';
import * as projects from '@pulumi/gcp/projects';
import { CLOUD_LOGGING_MAX_RETENTION_DAYS, logRetentionProblem } from '../config/limits';
import { ENCRYPTER_DECRYPTER } from './encryption-keys';

/** The longest retention a Cloud Logging bucket accepts, in days. */
export const LOG_BUCKET_MAX_RETENTION_DAYS = CLOUD_LOGGING_MAX_RETENTION_DAYS;

/** Data Access audit logs of Vertex AI, routed to a CMEK-encrypted, retention-bound log bucket. */
export interface AuditLoggingArgs {
  /** Project ID. */
  readonly project: string;
  /** Region of the log bucket; the same as the key's. */
  readonly region: string;
  /** CMEK key of the bucket, `projects/<p>/locations/<region>/keyRings/<r>/cryptoKeys/<k>`. */
  readonly kmsKeyId: pulumi.Input<string>;
  /** Days log entries are kept (1-3650). */
  readonly retentionDays: number;
  /**
   * Lock the retention: irreversible; the bucket cannot be deleted, nor its retention shortened,
   * until every entry has expired.
   */
  readonly locked: boolean;
  /**
   * ID of the log bucket (letters, digits, underscores, hyphens, periods; at most 100).
   * @default - the component name
   */
  readonly bucketId?: string;
}

/** Audit log types of a service's Data Access and Admin Read logs. */
export const AUDIT_LOG_TYPES = ['ADMIN_READ', 'DATA_READ', 'DATA_WRITE'] as const;
/** The model service. */
export const VERTEX_SERVICE = 'aiplatform.googleapis.com';
/**
 * Services whose Data Access audit logs are turned on and kept: the model service, the keys that
 * protect its data (who decrypted what) and the screening of its prompts. Keys are the logical
 * names of their audit configs.
 */
export const AUDITED_SERVICES: Readonly<Record<string, string>> = {
  vertex: VERTEX_SERVICE,
  cloudkms: 'cloudkms.googleapis.com',
  modelarmor: 'modelarmor.googleapis.com',
};
/** Model Armor's own record of every screening (verdicts and matched filters, no prompt text). */
export const MODEL_ARMOR_SANITIZE_LOG = 'modelarmor.googleapis.com%2Fsanitize_operations';
/** Cloud Audit Logs streams kept as evidence. */
export const AUDIT_LOG_STREAMS = ['activity', 'data_access', 'policy', 'system_event'] as const;

/** Log filter selecting the Cloud Audit Logs of `services` in `project`, and Model Armor's screening log. */
export function auditSinkFilter(project: string, services: readonly string[]): string {
  const logNames = AUDIT_LOG_STREAMS.map((s) => `logName="projects/${project}/logs/cloudaudit.googleapis.com%2F${s}"`);
  const serviceNames = services.map((s) => `protoPayload.serviceName="${s}"`);
  return `((${logNames.join(' OR ')}) AND (${serviceNames.join(' OR ')})) OR logName="projects/${project}/logs/${MODEL_ARMOR_SANITIZE_LOG}"`;
}

/**
 * Turns on Data Access audit logs (admin read, data read, data write) for Vertex AI, Cloud KMS and
 * Model Armor and routes their audit logs, and Model Armor's screening log, to a log bucket in the
 * region, encrypted with a customer-managed key
 * and kept for the configured retention (locked when the organisation says so). The bucket is in
 * the same project as the sink, so the sink needs no writer identity and gets no grant.
 */
export class AuditLogging extends pulumi.ComponentResource {
  /** `projects/<p>/locations/<r>/buckets/<id>`. */
  public readonly bucketName: pulumi.Output<string>;

  constructor(name: string, args: AuditLoggingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:AuditLogging', name, {}, opts);
    const bucketId = args.bucketId ?? name;
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(bucketId) || bucketId.startsWith('_')) {
      throw new Error(`AuditLogging ${name}: bucketId ${JSON.stringify(bucketId)} must be 1-100 letters, digits, underscores, hyphens or periods, not starting with an underscore`);
    }
    const retentionProblem = logRetentionProblem(args.retentionDays);
    if (retentionProblem) throw new Error(`AuditLogging ${name}: retentionDays ${args.retentionDays} ${retentionProblem}`);

    for (const [label, service] of Object.entries(AUDITED_SERVICES)) {
      new projects.IAMAuditConfig(
        `${name}-${label}-data-access`,
        { project: args.project, service, auditLogConfigs: AUDIT_LOG_TYPES.map((logType) => ({ logType })) },
        { parent: this },
      );
    }

    // Cloud Logging encrypts the bucket with the key, as the service account the project's CMEK
    // settings name: reading them makes Google create it, and older projects have another form
    // of address than newer ones, so it is read, not derived. The read waits for what this
    // component waits for (the Logging API), which an invoke does not inherit from its parent.
    const cmekSettings = logging.getProjectCmekSettingsOutput({ project: args.project }, { parent: this, dependsOn: opts?.dependsOn });
    // The grant must exist before the bucket.
    const keyGrant = new kms.CryptoKeyIAMMember(
      `${name}-logging-agent-key`,
      { cryptoKeyId: args.kmsKeyId, role: ENCRYPTER_DECRYPTER, member: pulumi.interpolate`serviceAccount:${cmekSettings.serviceAccountId}` },
      { parent: this },
    );
    const bucket = new logging.ProjectBucketConfig(
      `${name}-bucket`,
      {
        project: args.project,
        location: args.region,
        bucketId,
        description: 'Vertex AI audit logs (Admin Activity and Data Access)',
        retentionDays: args.retentionDays,
        locked: args.locked,
        cmekSettings: { kmsKeyName: args.kmsKeyId },
        // Audit evidence: the provider refuses to delete it, and so does Pulumi (protect).
        deletionPolicy: 'PREVENT',
      },
      { parent: this, dependsOn: [keyGrant], protect: true },
    );
    const bucketPath = pulumi.interpolate`projects/${args.project}/locations/${args.region}/buckets/${bucket.bucketId}`;
    this.bucketName = bucketPath;

    new logging.ProjectSink(
      `${name}-sink`,
      {
        project: args.project,
        description: 'Vertex AI, Cloud KMS and Model Armor audit logs and Model Armor screenings to the CMEK audit bucket',
        destination: pulumi.interpolate`logging.googleapis.com/${bucketPath}`,
        filter: auditSinkFilter(args.project, Object.values(AUDITED_SERVICES)),
        uniqueWriterIdentity: true,
      },
      { parent: this },
    );
    // No grant to the sink's writer identity: Google creates none for a sink into a log bucket of
    // its own project (the sink works without one), so the identity is empty and a grant to it
    // would be refused.

    this.registerOutputs({ bucketName: this.bucketName });
  }
}
