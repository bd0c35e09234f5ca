import { EncryptionKeys, keyVersionOf, type EncryptionKeysArgs } from '../../lib/azure/keys';
import { deterministicGuid } from '../../lib/azure/naming';
import { exampleTags, plan } from './support';

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const args: EncryptionKeysArgs = {
  resourceGroupName: 'acme-ai-swedencentral',
  location: 'swedencentral',
  tenantId: '66666666-7777-8888-9999-000000000000',
  subscriptionId: SUBSCRIPTION,
  vaultName: 'acme-kv-12345678',
  privateEndpointSubnetId: 'pe-subnet-id',
  virtualNetworkId: 'vnet-id',
  tags: exampleTags,
};

function build(overrides: Partial<EncryptionKeysArgs> = {}) {
  return plan(() => {
    const keys = new EncryptionKeys('cmk', { ...args, ...overrides });
    return { vaultUri: keys.vaultUri, keyName: keys.keyName, clientId: keys.identityClientId, grants: keys.grants.length, keyVersion: keys.keyVersion, handedOn: keys.encryption.keyVersion };
  });
}

describe('EncryptionKeys', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('type tokens and parents', () => {
    expect(result.get('cmk').type).toBe('privateai:azure:EncryptionKeys');
    expect(result.get('cmk-pe').type).toBe('privateai:azure:PrivateServiceEndpoint');
    expect(result.resources.filter((r) => r.parent === null).map((r) => r.name)).toEqual(['cmk']);
  });

  test('the vault: RBAC, purge protection, soft delete, no public network access, HSM tier', () => {
    expect(result.get('cmk-vault')).toMatchObject({
      type: 'azure-native:keyvault:Vault',
      inputs: {
        vaultName: 'acme-kv-12345678',
        location: 'swedencentral',
        tags: exampleTags,
        properties: {
          tenantId: '66666666-7777-8888-9999-000000000000',
          sku: { family: 'A', name: 'premium' },
          enableRbacAuthorization: true,
          enablePurgeProtection: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          publicNetworkAccess: 'Disabled',
          networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
        },
      },
    });
    expect(result.get('cmk-vault').inputs.properties).not.toHaveProperty('accessPolicies');
  });

  test('the vault has its own private endpoint (group vault) in the privatelink.vaultcore.azure.net zone', () => {
    expect(result.get('cmk-pe-endpoint').inputs).toMatchObject({
      subnet: { id: 'pe-subnet-id' },
      privateLinkServiceConnections: [{ privateLinkServiceId: 'cmk-vault-id', groupIds: ['vault'] }],
    });
    expect(result.get('cmk-pe-vaultcore').inputs).toMatchObject({ privateZoneName: 'privatelink.vaultcore.azure.net', location: 'global' });
    expect(result.get('cmk-pe-vaultcore-link').inputs).toMatchObject({ virtualNetwork: { id: 'vnet-id' }, registrationEnabled: false });
    expect(result.get('cmk-pe-dns').inputs).toMatchObject({ privateDnsZoneConfigs: [{ name: 'vaultcore', privateDnsZoneId: 'cmk-pe-vaultcore-id' }] });
  });

  test('an HSM-protected RSA key for wrapping only, rotated yearly, notified before expiry', () => {
    expect(result.get('cmk-key').inputs).toMatchObject({
      vaultName: 'acme-kv-12345678',
      keyName: 'model-account-cmk',
      tags: exampleTags,
      properties: {
        kty: 'RSA-HSM',
        keySize: 2048,
        keyOps: ['wrapKey', 'unwrapKey'],
        rotationPolicy: {
          attributes: { expiryTime: 'P2Y' },
          lifetimeActions: [
            { trigger: { timeAfterCreate: 'P1Y' }, action: { type: 'rotate' } },
            { trigger: { timeBeforeExpiry: 'P30D' }, action: { type: 'notify' } },
          ],
        },
      },
    });
  });

  test('the identity is granted Key Vault Crypto Service Encryption User on the vault, with a stable GUID name', () => {
    const identity = result.get('cmk-identity');
    expect(identity).toMatchObject({ type: 'azure-native:managedidentity:UserAssignedIdentity', inputs: { location: 'swedencentral', tags: exampleTags } });
    const grant = result.get('cmk-cmk-grant');
    expect(grant.inputs).toMatchObject({
      scope: 'cmk-vault-id',
      roleDefinitionId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/e147488a-f6f5-4113-8e2d-b22465e65bf6`,
      principalType: 'ServicePrincipal',
      principalId: deterministicGuid('mock', 'cmk-identity', 'principalId'),
      roleAssignmentName: deterministicGuid('cmk-vault-id', 'e147488a-f6f5-4113-8e2d-b22465e65bf6', 'cmk-identity-id'),
    });
    expect(result.outputs).toEqual({
      vaultUri: 'https://acme-kv-12345678.vault.azure.net/',
      keyName: 'model-account-cmk',
      clientId: deterministicGuid('mock', 'cmk-identity', 'clientId'),
      grants: 1,
      keyVersion: expect.stringMatching(/^[0-9a-f]{32}$/),
      handedOn: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
  });

  test('the key version handed to consumers is the one Key Vault reports for the key (its versioned URI)', () => {
    expect(result.outputs.keyVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(result.outputs.handedOn).toBe(result.outputs.keyVersion);
  });

  test('keyVersionOf reads the version of a versioned key URI and refuses anything else', () => {
    expect(keyVersionOf('https://acme-kv.vault.azure.net/keys/model-account-cmk/0123456789abcdef0123456789ABCDEF')).toBe('0123456789abcdef0123456789ABCDEF');
    for (const uri of ['https://acme-kv.vault.azure.net/keys/model-account-cmk', '', 'https://acme-kv.vault.azure.net/keys/model-account-cmk/']) {
      expect(() => keyVersionOf(uri)).toThrow(`"${uri}" is not a versioned Key Vault key URI`);
    }
  });

  test('without DNS zones: the endpoint only', async () => {
    const noZones = await build({ createPrivateDnsZones: false, virtualNetworkId: undefined });
    expect(noZones.ofType('azure-native:network:PrivateEndpoint')).toHaveLength(1);
    expect(noZones.ofType('azure-native:privatedns:PrivateZone')).toEqual([]);
    expect(noZones.ofType('azure-native:privatedns:VirtualNetworkLink')).toEqual([]);
    expect(noZones.ofType('azure-native:network:PrivateDnsZoneGroup')).toEqual([]);
  });

  test('bad arguments are refused with the value and the rule', async () => {
    await expect(build({ vaultName: 'kv' })).rejects.toThrow(
      'cmk: vaultName "kv" is not a Key Vault name; use 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit',
    );
    await expect(build({ softDeleteRetentionDays: 120 })).rejects.toThrow('cmk: softDeleteRetentionDays 120 is outside the 7-90 days Key Vault accepts');
    await expect(build({ rotateAfter: 'P2Y' })).rejects.toThrow('cmk: rotateAfter P2Y must come at least 30 days before expiresAfter P2Y');
    await expect(build({ virtualNetworkId: undefined })).rejects.toThrow('cmk-pe: virtualNetworkId is required when createDnsZones is true, to link the private DNS zones to it');
  });
});
