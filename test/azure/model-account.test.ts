import * as pulumi from '@pulumi/pulumi';
import { PrivateModelAccount, type ModelDeploymentSpec, type PrivateModelAccountArgs } from '../../lib/azure/model-account';
import { exampleTags, plan, waitsFor } from './support';

/** Stands in for the key's role assignment: a resource the account must wait for. */
class Grant extends pulumi.CustomResource {
  constructor(name: string) {
    super('test:index:Grant', name, {});
  }
}

const gpt: ModelDeploymentSpec = { deployment: 'gpt-4o', model: 'gpt-4o', version: '2024-11-20', format: 'OpenAI', sku: 'Standard', capacity: 10 };
const embed: ModelDeploymentSpec = { deployment: 'embed', model: 'text-embedding-3-large', version: '1', format: 'OpenAI', sku: 'Standard', capacity: 20 };
const mini: ModelDeploymentSpec = { deployment: 'mini', model: 'gpt-4o-mini', version: '2024-07-18', format: 'OpenAI', sku: 'ProvisionedManaged', capacity: 50 };

function build(overrides: Partial<Omit<PrivateModelAccountArgs, 'encryption'>> = {}) {
  return plan(() => {
    const account = new PrivateModelAccount('m', {
      resourceGroupName: 'acme-ai-swedencentral',
      location: 'swedencentral',
      kind: 'AIServices',
      customSubDomainName: 'acme-ai-1234',
      encryption: {
        keyVaultUri: 'https://acme-kv.vault.azure.net/',
        keyName: 'model-account-cmk',
        keyVersion: '0123456789abcdef0123456789abcdef',
        identityId: 'identity-id',
        identityClientId: 'client-id',
        grants: [new Grant('cmk-grant')],
      },
      privateEndpointSubnetId: 'pe-subnet-id',
      virtualNetworkId: 'vnet-id',
      deployments: [gpt, embed, mini],
      contentFilterSeverity: 'Low',
      tags: exampleTags,
      ...overrides,
    });
    return { accountId: account.accountId, endpoints: account.endpoints, deploymentNames: account.deploymentNames, rai: account.raiPolicyName };
  });
}

describe('PrivateModelAccount', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('type tokens and parents', () => {
    expect(result.get('m').type).toBe('privateai:azure:PrivateModelAccount');
    expect(result.get('m-account').type).toBe('azure-native:cognitiveservices:Account');
    expect(result.get('m-pe')).toMatchObject({ type: 'privateai:azure:PrivateServiceEndpoint', parent: 'm' });
    expect(result.resources.filter((r) => r.parent === null).map((r) => r.name).sort()).toEqual(['cmk-grant', 'm']);
  });

  test('the account: private only, Entra ID only, ACLs deny with no bypass, outbound restricted', () => {
    expect(result.get('m-account').inputs).toMatchObject({
      accountName: 'acme-ai-1234',
      kind: 'AIServices',
      location: 'swedencentral',
      sku: { name: 'S0' },
      tags: exampleTags,
      properties: {
        customSubDomainName: 'acme-ai-1234',
        publicNetworkAccess: 'Disabled',
        disableLocalAuth: true,
        networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [], virtualNetworkRules: [] },
        restrictOutboundNetworkAccess: true,
        allowProjectManagement: false,
      },
    });
  });

  test('the account is encrypted with the customer-managed key through the user-assigned identity', () => {
    expect(result.get('m-account').inputs).toMatchObject({
      identity: { type: 'UserAssigned', userAssignedIdentities: ['identity-id'] },
      properties: {
        encryption: {
          keySource: 'Microsoft.KeyVault',
          keyVaultProperties: { keyVaultUri: 'https://acme-kv.vault.azure.net/', keyName: 'model-account-cmk', keyVersion: '0123456789abcdef0123456789abcdef', identityClientId: 'client-id' },
        },
      },
    });
  });

  test('the account waits for the key grant, which none of its inputs refers to (so only dependsOn can order them)', () => {
    expect(result.dependenciesOf('m-account')).toContain('cmk-grant');
    expect(result.orderOf('cmk-grant')).toBeLessThan(result.orderOf('m-account'));
    expect(JSON.stringify(result.get('m-account').inputs)).not.toContain('cmk-grant');
  });

  test('a private endpoint (group account) with the three zones linked to the VNet and a zone group', () => {
    expect(result.get('m-pe-endpoint').inputs).toMatchObject({
      location: 'swedencentral',
      subnet: { id: 'pe-subnet-id' },
      privateLinkServiceConnections: [{ privateLinkServiceId: 'm-account-id', groupIds: ['account'] }],
      tags: exampleTags,
    });
    const zones = result.ofType('azure-native:privatedns:PrivateZone').map((z) => z.inputs.privateZoneName);
    expect(zones).toEqual(['privatelink.openai.azure.com', 'privatelink.cognitiveservices.azure.com', 'privatelink.services.ai.azure.com']);
    const links = result.ofType('azure-native:privatedns:VirtualNetworkLink');
    expect(links.map((l) => l.inputs.privateZoneName)).toEqual(zones);
    for (const link of links) expect(link.inputs).toMatchObject({ registrationEnabled: false, virtualNetwork: { id: 'vnet-id' }, location: 'global', tags: exampleTags });
    expect(result.get('m-pe-dns').inputs).toMatchObject({
      privateEndpointName: 'm-pe-endpoint',
      privateDnsZoneConfigs: [
        { name: 'openai', privateDnsZoneId: 'm-pe-openai-id' },
        { name: 'cognitiveservices', privateDnsZoneId: 'm-pe-cognitiveservices-id' },
        { name: 'services-ai', privateDnsZoneId: 'm-pe-services-ai-id' },
      ],
    });
  });

  test('the content filter blocks prompt attacks and harm at the configured severity', () => {
    const policy = result.get('m-content-filter');
    expect(policy).toMatchObject({
      type: 'azure-native:cognitiveservices:RaiPolicy',
      inputs: { accountName: 'acme-ai-1234', raiPolicyName: 'privateai-content-filter', properties: { basePolicyName: 'Microsoft.DefaultV2', mode: 'Default' } },
    });
    const filters = (policy.inputs.properties as { contentFilters: Array<Record<string, unknown>> }).contentFilters;
    expect(filters).toEqual(
      expect.arrayContaining([
        { name: 'Jailbreak', enabled: true, blocking: true, source: 'Prompt' },
        { name: 'Indirect Attack', enabled: true, blocking: true, source: 'Prompt' },
        { name: 'Hate', enabled: true, blocking: true, severityThreshold: 'Low', source: 'Prompt' },
        { name: 'Selfharm', enabled: true, blocking: true, severityThreshold: 'Low', source: 'Completion' },
      ]),
    );
  });

  test('deployments come only from the list, pinned, sized from config, each with the content filter', () => {
    const deployments = result.ofType('azure-native:cognitiveservices:Deployment');
    expect(deployments.map((d) => d.inputs.deploymentName)).toEqual(['gpt-4o', 'embed', 'mini']);
    for (const [i, spec] of [gpt, embed, mini].entries()) {
      expect(deployments[i].inputs).toEqual({
        resourceGroupName: 'acme-ai-swedencentral',
        accountName: 'acme-ai-1234',
        deploymentName: spec.deployment,
        sku: { name: spec.sku, capacity: spec.capacity },
        properties: {
          model: { format: 'OpenAI', name: spec.model, version: spec.version },
          versionUpgradeOption: 'NoAutoUpgrade',
          raiPolicyName: 'privateai-content-filter',
        },
        tags: exampleTags,
      });
    }
  });

  test('the private endpoint is created after every deployment, so the network provider no longer sees the account provisioning', () => {
    for (const name of ['m-account', 'm-content-filter', 'm-deployment-gpt-4o', 'm-deployment-embed', 'm-deployment-mini']) {
      expect(waitsFor(result, 'm-pe-endpoint', name)).toBe(true);
    }
    // Nothing the account or its deployments need waits for the endpoint: no cycle, no early endpoint.
    for (const name of ['m-account', 'm-content-filter', 'm-deployment-gpt-4o']) expect(waitsFor(result, name, 'm-pe-endpoint')).toBe(false);
  });

  test('the content filter and the first deployment wait for the account, and the deployments for the filter', () => {
    expect(waitsFor(result, 'm-content-filter', 'm-account')).toBe(true);
    expect(waitsFor(result, 'm-deployment-gpt-4o', 'm-content-filter')).toBe(true);
  });

  test('deployments are written one after the other', () => {
    expect(result.dependenciesOf('m-deployment-embed')).toContain('m-deployment-gpt-4o');
    expect(result.dependenciesOf('m-deployment-mini')).toContain('m-deployment-embed');
    expect(result.dependenciesOf('m-deployment-gpt-4o')).not.toContain('m-deployment-mini');
  });

  test('outputs: endpoints and deployment names, never a key', () => {
    expect(result.outputs).toEqual({
      accountId: 'm-account-id',
      endpoints: {
        openAi: 'https://acme-ai-1234.openai.azure.com/',
        cognitiveServices: 'https://acme-ai-1234.cognitiveservices.azure.com/',
        aiServices: 'https://acme-ai-1234.services.ai.azure.com/',
      },
      deploymentNames: ['gpt-4o', 'embed', 'mini'],
      rai: 'privateai-content-filter',
    });
  });
});

describe('PrivateModelAccount variants', () => {
  test('an OpenAI account has no project management', async () => {
    const result = await build({ kind: 'OpenAI' });
    expect(result.get('m-account').inputs).toMatchObject({ kind: 'OpenAI' });
    expect(result.get('m-account').inputs.properties).not.toHaveProperty('allowProjectManagement');
  });

  test('with central DNS: no zones or links, but a zone group registering in all three central zones', async () => {
    const rg = '/subscriptions/00000000-0000-0000-0000-000000000009/resourceGroups/dns-hub';
    const result = await build({ createPrivateDnsZones: false, virtualNetworkId: undefined, centralDnsZoneResourceGroupId: rg });
    expect(result.ofType('azure-native:privatedns:PrivateZone')).toEqual([]);
    expect(result.get('m-pe-dns').inputs.privateDnsZoneConfigs).toEqual([
      { name: 'openai', privateDnsZoneId: `${rg}/providers/Microsoft.Network/privateDnsZones/privatelink.openai.azure.com` },
      { name: 'cognitiveservices', privateDnsZoneId: `${rg}/providers/Microsoft.Network/privateDnsZones/privatelink.cognitiveservices.azure.com` },
      { name: 'services-ai', privateDnsZoneId: `${rg}/providers/Microsoft.Network/privateDnsZones/privatelink.services.ai.azure.com` },
    ]);
  });

  test('creating zones and registering in central ones at once is refused', async () => {
    await expect(build({ centralDnsZoneResourceGroupId: '/subscriptions/x/resourceGroups/dns' })).rejects.toThrow(
      'm-pe: give createDnsZones or centralDnsZoneResourceGroupId, not both',
    );
  });

  test('without DNS zones: the endpoint, but no zones, links or zone group', async () => {
    const result = await build({ createPrivateDnsZones: false, virtualNetworkId: undefined });
    expect(result.ofType('azure-native:network:PrivateEndpoint')).toHaveLength(1);
    for (const type of ['azure-native:privatedns:PrivateZone', 'azure-native:privatedns:VirtualNetworkLink', 'azure-native:network:PrivateDnsZoneGroup']) {
      expect(result.ofType(type)).toEqual([]);
    }
  });

  test('a SKU that may leave the location is refused under strict residency', async () => {
    await expect(build({ deployments: [{ ...gpt, sku: 'DataZoneStandard' }], deploymentSource: (i) => `config: azure.models[${i}]` })).rejects.toThrow(
      "m: deployment SKU DataZoneStandard may process data outside the deployment's location, which strict data residency forbids; use Standard or ProvisionedManaged (config: azure.models[0])",
    );
  });

  test('a bad subdomain is refused', async () => {
    await expect(build({ customSubDomainName: 'Acme_AI' })).rejects.toThrow(
      'm: customSubDomainName "Acme_AI" must be 2-64 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
    );
  });
});
