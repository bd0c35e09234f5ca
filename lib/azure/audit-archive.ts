import * as authorization from '@pulumi/azure-native/authorization';
import * as storage from '@pulumi/azure-native/storage';
import * as pulumi from '@pulumi/pulumi';
import type { CustomerManagedKey } from './keys';
import { STORAGE_ACCOUNT_NAME_PATTERN } from './naming';

/** Days an immutability policy can hold a blob version, as Azure Storage accepts them. */
export const IMMUTABILITY_PERIOD_DAYS = { min: 1, max: 146000 } as const;

/**
 * Redundancy of the archive: zone-redundant, three copies in three availability zones of the
 * deployment's location, so the evidence survives the loss of a zone. Geo-redundant SKUs
 * (Standard_GRS, Standard_GZRS) would also copy it to the location's paired region, which need
 * not be one of `azure.allowedLocations`; data residency rules them out.
 */
export const ARCHIVE_SKU = 'Standard_ZRS';

/** Name of the delete lock on the archive's storage account. */
export const ARCHIVE_LOCK_NAME = 'privateai-audit-archive';

/** An immutable archive of the audit logs. */
export interface AuditArchiveArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  /**
   * Location of the storage account. Diagnostic settings of a regional resource write only to
   * a storage account in the same location, so this is the model account's location.
   */
  readonly location: string;
  /** Globally unique storage account name: 3-24 lowercase letters and digits. */
  readonly accountName: string;
  /**
   * Days each log blob stays immutable after it was written: the organisation's audit retention
   * (`logging.auditRetentionDays`).
   */
  readonly retentionDays: number;
  /**
   * Lock the immutability policy. Irreversible: the period can then only be lengthened, and no
   * log, nor the storage account, can be deleted before every log has expired. Azure creates a
   * policy only unlocked: a new archive must be deployed once unlocked before it can be locked.
   */
  readonly locked: boolean;
  /**
   * The customer-managed key and the user-assigned identity that uses it. Storage names the
   * identity by resource ID, so `identityClientId` is not used.
   */
  readonly encryption: CustomerManagedKey;
  /**
   * Protect the storage account and its delete lock from `pulumi destroy`, so audit evidence
   * outlives the stack unless someone unprotects it on purpose.
   * @default true
   */
  readonly protect?: boolean;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * A storage account that keeps the audit logs immutable for the audit retention: account-level
 * version-level immutability (WORM) on every container, including the `insights-logs-*`
 * containers Azure Monitor creates, with protected append writes so diagnostic settings can keep
 * appending to their append blobs. Entra ID only (no shared keys), a firewall that denies every
 * network (Azure Monitor writes as a trusted Microsoft service), TLS 1.2, encrypted with the
 * customer-managed key, and a CanNotDelete lock on top of Pulumi's protection.
 */
export class AuditArchive extends pulumi.ComponentResource {
  public readonly accountId: pulumi.Output<string>;
  public readonly accountName: pulumi.Output<string>;
  /** Days each log blob stays immutable. */
  public readonly retentionDays: number;
  /** Whether the immutability policy is locked. */
  public readonly locked: boolean;

  constructor(name: string, args: AuditArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:AuditArchive', name, {}, opts);
    const protect = args.protect ?? true;
    if (!STORAGE_ACCOUNT_NAME_PATTERN.test(args.accountName)) {
      throw new Error(`${name}: accountName "${args.accountName}" is not a storage account name; use 3-24 lowercase letters and digits`);
    }
    const { min, max } = IMMUTABILITY_PERIOD_DAYS;
    if (!Number.isInteger(args.retentionDays) || args.retentionDays < min || args.retentionDays > max) {
      throw new Error(`${name}: retentionDays ${args.retentionDays} is not a whole number of days between ${min} and ${max}, the immutability periods Azure Storage accepts; pass logging.auditRetentionDays`);
    }

    const account = new storage.StorageAccount(
      `${name}-account`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        accountName: args.accountName,
        kind: 'StorageV2',
        sku: { name: ARCHIVE_SKU },
        identity: { type: 'UserAssigned', userAssignedIdentities: [args.encryption.identityId] },
        allowSharedKeyAccess: false,
        allowBlobPublicAccess: false,
        allowCrossTenantReplication: false,
        // 'Enabled from selected networks', and no network is selected: the firewall denies all but
        // trusted Microsoft services. 'Disabled' would leave private endpoints as the only way in,
        // and Azure Monitor delivers diagnostic logs as a trusted service, not through one.
        publicNetworkAccess: 'Enabled',
        minimumTlsVersion: 'TLS1_2',
        enableHttpsTrafficOnly: true,
        // Azure Monitor's diagnostic settings deliver as a trusted Microsoft service; nothing else gets in.
        networkRuleSet: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
        encryption: {
          keySource: 'Microsoft.Keyvault',
          // No key version: the account follows the key's rotation.
          keyVaultProperties: { keyVaultUri: args.encryption.keyVaultUri, keyName: args.encryption.keyName },
          encryptionIdentity: { encryptionUserAssignedIdentity: args.encryption.identityId },
          services: { blob: { enabled: true, keyType: 'Account' } },
        },
        // Can only be enabled when the account is created; it turns on versioning too.
        immutableStorageWithVersioning: {
          enabled: true,
          immutabilityPolicy: {
            immutabilityPeriodSinceCreationInDays: args.retentionDays,
            state: args.locked ? 'Locked' : 'Unlocked',
            // Diagnostic logs are append blobs: new blocks may be appended, none changed or removed.
            allowProtectedAppendWrites: true,
          },
        },
        tags: args.tags,
      },
      // The account checks the key when it is created: the identity's role must exist first.
      { parent: this, protect, dependsOn: [...args.encryption.grants] },
    );

    // Version-level immutability needs versioning; declaring it keeps a later change from turning it off.
    new storage.BlobServiceProperties(
      `${name}-blob-service`,
      { resourceGroupName: args.resourceGroupName, accountName: account.name, blobServicesName: 'default', isVersioningEnabled: true },
      { parent: this },
    );

    // Evidence is kept for the retention, then deleted, as on AWS (expiry) and Google (bucket
    // retention). Each blob stays immutable until then, so nothing is deleted early.
    new storage.ManagementPolicy(
      `${name}-expiry`,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        managementPolicyName: 'default',
        policy: {
          rules: [
            {
              name: 'expire-after-audit-retention',
              enabled: true,
              type: 'Lifecycle',
              definition: {
                // Diagnostic logs are append blobs; delete is the one lifecycle action they support.
                filters: { blobTypes: ['appendBlob', 'blockBlob'] },
                actions: {
                  baseBlob: { delete: { daysAfterCreationGreaterThan: args.retentionDays } },
                  version: { delete: { daysAfterCreationGreaterThan: args.retentionDays } },
                },
              },
            },
          ],
        },
      },
      { parent: this },
    );

    // ManagementLockByScope takes the account's ID as it is; the resource-level lock would rebuild it from parts.
    new authorization.ManagementLockByScope(
      `${name}-lock`,
      {
        scope: account.id,
        lockName: ARCHIVE_LOCK_NAME,
        level: 'CanNotDelete',
        notes: 'Immutable audit evidence of the private AI platform: the storage account must outlive its retention period.',
      },
      { parent: this, protect },
    );

    this.accountId = account.id;
    this.accountName = account.name;
    this.retentionDays = args.retentionDays;
    this.locked = args.locked;
    this.registerOutputs({ accountId: this.accountId, accountName: this.accountName, retentionDays: this.retentionDays, locked: this.locked });
  }
}
