import * as pulumi from '@pulumi/pulumi';
import { AuditArchive, type AuditArchiveArgs } from '../../lib/azure/audit-archive';
import { AuditLogs } from '../../lib/azure/audit';
import { exampleOrg, exampleTags, plan } from './support';

/** Stands in for the key's role assignment: a resource the account must wait for. */
class Grant extends pulumi.CustomResource {
  constructor(name: string) {
    super('test:index:Grant', name, {});
  }
}

type Overrides = Partial<Omit<AuditArchiveArgs, 'encryption'>>;

function build(overrides: Overrides = {}) {
  return plan(() => {
    const archive = new AuditArchive(
      'a',
      {
        resourceGroupName: 'acme-ai-swedencentral',
        location: 'swedencentral',
        accountName: 'acmeaudit12345678',
        retentionDays: exampleOrg.logging.auditRetentionDays,
        locked: true,
        encryption: {
          keyVaultUri: 'https://acme-kv.vault.azure.net/',
          keyName: 'model-account-cmk',
          keyVersion: '0123456789abcdef0123456789abcdef',
          identityId: 'identity-id',
          identityClientId: 'client-id',
          grants: [new Grant('cmk-grant')],
        },
        tags: exampleTags,
        ...overrides,
      },
    );
    return { accountId: archive.accountId, accountName: archive.accountName, retentionDays: archive.retentionDays, locked: archive.locked };
  });
}

describe('AuditArchive', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build({});
  });

  test('type tokens and parents', () => {
    expect(result.get('a').type).toBe('privateai:azure:AuditArchive');
    expect(result.resources.filter((r) => r.parent === 'a').map((r) => [r.name, r.type]).sort()).toEqual([
      ['a-account', 'azure-native:storage:StorageAccount'],
      ['a-blob-service', 'azure-native:storage:BlobServiceProperties'],
      ['a-expiry', 'azure-native:storage:ManagementPolicy'],
      ['a-lock', 'azure-native:authorization:ManagementLockByScope'],
    ]);
  });

  test('the account: zone-redundant StorageV2, Entra ID only, no public access, TLS 1.2, no cross-tenant replication', () => {
    expect(result.get('a-account').inputs).toMatchObject({
      resourceGroupName: 'acme-ai-swedencentral',
      location: 'swedencentral',
      accountName: 'acmeaudit12345678',
      kind: 'StorageV2',
      sku: { name: 'Standard_ZRS' },
      allowSharedKeyAccess: false,
      allowBlobPublicAccess: false,
      allowCrossTenantReplication: false,
      publicNetworkAccess: 'Enabled',
      minimumTlsVersion: 'TLS1_2',
      enableHttpsTrafficOnly: true,
      networkRuleSet: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
      tags: exampleTags,
    });
  });

  test('the account is encrypted with the customer-managed key through the user-assigned identity, following rotation', () => {
    const inputs = result.get('a-account').inputs;
    expect(inputs).toMatchObject({
      identity: { type: 'UserAssigned', userAssignedIdentities: ['identity-id'] },
      encryption: {
        keySource: 'Microsoft.Keyvault',
        keyVaultProperties: { keyVaultUri: 'https://acme-kv.vault.azure.net/', keyName: 'model-account-cmk' },
        encryptionIdentity: { encryptionUserAssignedIdentity: 'identity-id' },
        services: { blob: { enabled: true, keyType: 'Account' } },
      },
    });
    expect((inputs.encryption as { keyVaultProperties: object }).keyVaultProperties).not.toHaveProperty('keyVersion');
  });

  test('every log version is immutable for the audit retention, locked, and append blobs may still grow', () => {
    expect(result.get('a-account').inputs.immutableStorageWithVersioning).toEqual({
      enabled: true,
      immutabilityPolicy: {
        immutabilityPeriodSinceCreationInDays: exampleOrg.logging.auditRetentionDays,
        state: 'Locked',
        allowProtectedAppendWrites: true,
      },
    });
    expect(result.get('a-blob-service').inputs).toEqual({
      resourceGroupName: 'acme-ai-swedencentral',
      accountName: 'acmeaudit12345678',
      blobServicesName: 'default',
      isVersioningEnabled: true,
    });
  });

  test('logs are deleted once their retention has passed, and not before (each is immutable until then)', () => {
    expect(result.get('a-expiry').inputs).toEqual({
      resourceGroupName: 'acme-ai-swedencentral',
      accountName: 'acmeaudit12345678',
      managementPolicyName: 'default',
      policy: {
        rules: [
          {
            name: 'expire-after-audit-retention',
            enabled: true,
            type: 'Lifecycle',
            definition: {
              filters: { blobTypes: ['appendBlob', 'blockBlob'] },
              actions: { baseBlob: { delete: { daysAfterCreationGreaterThan: 2557 } }, version: { delete: { daysAfterCreationGreaterThan: 2557 } } },
            },
          },
        ],
      },
    });
  });

  test('the account waits for the key grant, which none of its inputs refers to (so only dependsOn can order them)', () => {
    expect(result.dependenciesOf('a-account')).toContain('cmk-grant');
    expect(result.orderOf('cmk-grant')).toBeLessThan(result.orderOf('a-account'));
    expect(JSON.stringify(result.get('a-account').inputs)).not.toContain('cmk-grant');
  });

  test('a CanNotDelete lock on the account, and both are protected from pulumi destroy', () => {
    expect(result.get('a-lock').inputs).toEqual({
      scope: 'a-account-id',
      lockName: 'privateai-audit-archive',
      level: 'CanNotDelete',
      notes: 'Immutable audit evidence of the private AI platform: the storage account must outlive its retention period.',
    });
    expect(result.get('a-lock').propertyDependencies).toEqual({ scope: ['a-account'] });
    expect(result.get('a-account').protect).toBe(true);
    expect(result.get('a-lock').protect).toBe(true);
  });

  test('outputs', () => {
    expect(result.outputs).toEqual({ accountId: 'a-account-id', accountName: 'acmeaudit12345678', retentionDays: 2557, locked: true });
  });
});

describe('AuditArchive variants', () => {
  test('unlocked when the organisation does not lock it (the only state Azure creates a policy in)', async () => {
    const result = await build({ locked: false, retentionDays: 365 });
    expect(result.get('a-account').inputs.immutableStorageWithVersioning).toEqual({
      enabled: true,
      immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: 365, state: 'Unlocked', allowProtectedAppendWrites: true },
    });
    expect(result.outputs.locked).toBe(false);
  });

  test('protection can be turned off on purpose; the delete lock stays', async () => {
    const result = await build({ protect: false });
    expect(result.get('a-account').protect).toBe(false);
    expect(result.get('a-lock').protect).toBe(false);
    expect(result.get('a-lock').inputs.level).toBe('CanNotDelete');
  });

  test('a name Azure Storage refuses is refused', async () => {
    await expect(build({ accountName: 'acme-audit' })).rejects.toThrow('a: accountName "acme-audit" is not a storage account name; use 3-24 lowercase letters and digits');
  });

  test.each([0, 365.5, 146001])('a retention of %p days is refused', async (days) => {
    await expect(build({ retentionDays: days })).rejects.toThrow(
      `a: retentionDays ${days} is not a whole number of days between 1 and 146000, the immutability periods Azure Storage accepts; pass logging.auditRetentionDays`,
    );
  });
});

describe('AuditLogs with the archive', () => {
  test('both diagnostic settings send to the workspace and to the archive', async () => {
    const result = await plan(() => {
      new AuditLogs('audit', {
        resourceGroupName: 'acme-ai-swedencentral',
        location: 'swedencentral',
        retentionDays: 365,
        modelAccountId: 'account-id',
        keyVaultId: 'vault-id',
        archiveStorageAccountId: 'archive-id',
      });
    });
    for (const name of ['audit-account-diagnostics', 'audit-vault-diagnostics']) {
      expect(result.get(name).inputs).toMatchObject({ workspaceId: 'audit-workspace-id', storageAccountId: 'archive-id' });
    }
  });
});
