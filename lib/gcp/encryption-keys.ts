import * as pulumi from '@pulumi/pulumi';
import * as kms from '@pulumi/gcp/kms';
import * as projects from '@pulumi/gcp/projects';
import { vertexServiceAgent } from './naming';

/** A Google-managed service agent: its IAM member, and the resource that makes Google create it. */
export interface ServiceAgent {
  /** `serviceAccount:service-<number>@gcp-sa-<service>.iam.gserviceaccount.com`. */
  readonly member: string;
  /** Every grant to the agent depends on this, so the agent exists before it is named. */
  readonly createdBy: pulumi.Resource;
}

/** Customer-managed keys for Vertex AI and the audit logs, in the Vertex AI region. */
export interface EncryptionKeysArgs {
  /** Project ID. */
  readonly project: string;
  /** Project number; names the Vertex AI service agent. */
  readonly projectNumber: string;
  /** Region of the key ring; CMEK keys must be in the same region as the data they protect. */
  readonly region: string;
  /**
   * Name of the key ring. Key rings can never be deleted, so a name cannot be reused.
   * @default - the component name
   */
  readonly keyRingName?: string;
  /**
   * How often a new primary key version is created, in seconds with an `s` suffix (more than a day).
   * @default '7776000s' (90 days)
   */
  readonly rotationPeriod?: string;
  /** Labels of the keys. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Default rotation: 90 days. */
export const DEFAULT_ROTATION_PERIOD = '7776000s';
/** Role that lets a service agent use a key. */
export const ENCRYPTER_DECRYPTER = 'roles/cloudkms.cryptoKeyEncrypterDecrypter';

/** The longest rotation period of a customer-managed key the blueprint accepts, in seconds (90 days). */
export const MAX_ROTATION_SECONDS = 90 * 24 * 3600;

/** Seconds in a rotation period such as `7776000s`, or undefined when it is not one. */
export function rotationSeconds(period: unknown): number | undefined {
  const m = typeof period === 'string' ? /^(\d+)(\.\d{1,9})?s$/.exec(period) : null;
  return m ? Number(`${m[1]}${m[2] ?? ''}`) : undefined;
}

/**
 * A key ring in the Vertex AI region with two rotating keys: one for Vertex AI resources, one
 * for the audit log bucket (separate so the auditors' key can outlive or be governed apart
 * from the workload's). The Vertex AI service agent is created and granted use of its key.
 *
 * Destroying a Cloud KMS key destroys all its versions and makes everything encrypted with it
 * unreadable, including the audit evidence. So the keys are both `protect`ed (Pulumi refuses to
 * delete or replace them until someone unprotects them on purpose) and `deletionPolicy:
 * 'PREVENT'` (the provider refuses too, so removing the protect flag alone is not enough).
 */
export class EncryptionKeys extends pulumi.ComponentResource {
  /** Key for Vertex AI resources: `projects/<p>/locations/<r>/keyRings/<ring>/cryptoKeys/vertex`. */
  public readonly vertexKeyId: pulumi.Output<string>;
  /** Key for the audit log bucket. */
  public readonly auditKeyId: pulumi.Output<string>;
  /** The Vertex AI service agent: its member, and the resource that creates it, for grants to wait on. */
  public readonly vertexServiceAgent: ServiceAgent;
  public readonly vertexKey: kms.CryptoKey;
  public readonly auditKey: kms.CryptoKey;

  constructor(name: string, args: EncryptionKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:EncryptionKeys', name, {}, opts);
    const rotationPeriod = args.rotationPeriod ?? DEFAULT_ROTATION_PERIOD;
    const seconds = rotationSeconds(rotationPeriod);
    // The same bounds as Cloud KMS (more than a day) and the policy pack (at most 90 days).
    if (seconds === undefined || seconds <= 86400 || seconds > MAX_ROTATION_SECONDS) {
      throw new Error(
        `EncryptionKeys ${name}: rotationPeriod ${JSON.stringify(rotationPeriod)} must be more than 86400s (one day) and at most ${MAX_ROTATION_SECONDS}s (90 days), written in seconds followed by s, such as ${DEFAULT_ROTATION_PERIOD}`,
      );
    }
    if (!/^\d+$/.test(args.projectNumber)) throw new Error(`EncryptionKeys ${name}: projectNumber ${JSON.stringify(args.projectNumber)} must be digits only`);
    const labels = args.labels ? { ...args.labels } : undefined;

    const ring = new kms.KeyRing(`${name}-ring`, { project: args.project, location: args.region, name: args.keyRingName ?? name }, { parent: this });
    const ringId = pulumi.interpolate`projects/${args.project}/locations/${args.region}/keyRings/${ring.name}`;
    const key = (suffix: string, keyName: string) =>
      new kms.CryptoKey(
        `${name}-${suffix}`,
        { name: keyName, keyRing: ringId, purpose: 'ENCRYPT_DECRYPT', rotationPeriod, labels, deletionPolicy: 'PREVENT' },
        { parent: this, protect: true },
      );
    this.vertexKey = key('vertex', 'vertex');
    this.auditKey = key('audit', 'audit-logs');
    this.vertexKeyId = pulumi.interpolate`${ringId}/cryptoKeys/${this.vertexKey.name}`;
    this.auditKeyId = pulumi.interpolate`${ringId}/cryptoKeys/${this.auditKey.name}`;

    // The agent appears on first use of Vertex AI; create it now so the key grant can name it.
    const agent = new projects.ServiceIdentity(`${name}-vertex-agent`, { project: args.project, service: 'aiplatform.googleapis.com' }, { parent: this });
    this.vertexServiceAgent = { member: `serviceAccount:${vertexServiceAgent(args.projectNumber)}`, createdBy: agent };
    new kms.CryptoKeyIAMMember(
      `${name}-vertex-agent-key`,
      { cryptoKeyId: this.vertexKeyId, role: ENCRYPTER_DECRYPTER, member: this.vertexServiceAgent.member },
      { parent: this, dependsOn: [agent] },
    );

    this.registerOutputs({ vertexKeyId: this.vertexKeyId, auditKeyId: this.auditKeyId, vertexServiceAgentMember: this.vertexServiceAgent.member });
  }
}
