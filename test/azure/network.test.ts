import { PrivateNetwork, type PrivateNetworkArgs } from '../../lib/azure/network';
import { exampleTags, plan } from './support';

const VNET = '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/hub/providers/Microsoft.Network/virtualNetworks/spoke';
const args: PrivateNetworkArgs = {
  location: 'swedencentral',
  allowedLocations: ['swedencentral', 'westeurope'],
  resourceGroupName: 'acme-ai-swedencentral',
  tags: exampleTags,
};

function build(overrides: Partial<PrivateNetworkArgs> = {}) {
  return plan(() => {
    const net = new PrivateNetwork('net', { ...args, ...overrides });
    return { vnet: net.virtualNetworkId, peSubnet: net.privateEndpointSubnetId, appSubnet: net.applicationSubnetId, rg: net.resourceGroupName, created: net.createdNetwork };
  });
}

describe('PrivateNetwork (new network)', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('a component whose children are all its own', () => {
    expect(result.get('net').type).toBe('privateai:azure:PrivateNetwork');
    const children = result.resources.filter((r) => r.name !== 'net');
    expect(children.length).toBeGreaterThan(0);
    expect(children.filter((r) => r.parent !== 'net').map((r) => r.name)).toEqual([]);
  });

  test('the resource group is in the allowed location, named and tagged', () => {
    expect(result.get('net-rg')).toMatchObject({
      type: 'azure-native:resources:ResourceGroup',
      inputs: { resourceGroupName: 'acme-ai-swedencentral', location: 'swedencentral', tags: exampleTags },
    });
  });

  test('a VNet with a private-endpoint subnet and an application subnet, neither with default outbound access', () => {
    expect(result.get('net-vnet').inputs).toMatchObject({ addressSpace: { addressPrefixes: ['10.41.0.0/16'] }, location: 'swedencentral', tags: exampleTags });
    expect(result.get('net-pe-subnet').inputs).toMatchObject({
      subnetName: 'private-endpoints',
      addressPrefix: '10.41.0.0/24',
      virtualNetworkName: 'net-vnet',
      networkSecurityGroup: { id: 'net-pe-nsg-id' },
      privateEndpointNetworkPolicies: 'Enabled',
      defaultOutboundAccess: false,
    });
    expect(result.get('net-app-subnet').inputs).toMatchObject({
      subnetName: 'applications',
      addressPrefix: '10.41.1.0/24',
      networkSecurityGroup: { id: 'net-app-nsg-id' },
      defaultOutboundAccess: false,
    });
    expect(result.outputs).toMatchObject({ vnet: 'net-vnet-id', peSubnet: 'net-pe-subnet-id', appSubnet: 'net-app-subnet-id', rg: 'acme-ai-swedencentral', created: true });
  });

  test('the subnets are written one after the other (Azure refuses concurrent subnet writes)', () => {
    expect(result.dependenciesOf('net-app-subnet')).toContain('net-pe-subnet');
  });

  test('both NSGs deny inbound traffic from the internet at the highest precedence', () => {
    for (const nsg of ['net-pe-nsg', 'net-app-nsg']) {
      const rules = result.get(nsg).inputs.securityRules as Array<Record<string, unknown>>;
      expect(rules[0]).toMatchObject({ name: 'DenyInternetInbound', priority: 100, access: 'Deny', direction: 'Inbound', sourceAddressPrefix: 'Internet', protocol: '*' });
      expect(rules.filter((r) => r.access === 'Allow' && ['Internet', '*'].includes(r.sourceAddressPrefix as string))).toEqual([]);
      expect(result.get(nsg).inputs.tags).toEqual(exampleTags);
    }
    expect((result.get('net-pe-nsg').inputs.securityRules as unknown[]).map((r) => (r as { name: string }).name)).toEqual([
      'DenyInternetInbound',
      'AllowHttpsFromVirtualNetwork',
      'DenyAllOtherInbound',
    ]);
  });
});

describe('PrivateNetwork (existing network)', () => {
  test('creates only the resource group and passes the given IDs through', async () => {
    const result = await build({ existingVirtualNetworkId: VNET, existingPrivateEndpointSubnetId: `${VNET}/subnets/endpoints` });
    expect(result.resources.map((r) => r.type).sort()).toEqual(['azure-native:resources:ResourceGroup', 'privateai:azure:PrivateNetwork']);
    expect(result.outputs).toMatchObject({ vnet: VNET, peSubnet: `${VNET}/subnets/endpoints`, created: false });
    expect(result.outputs.appSubnet).toBeUndefined();
  });

  test('existing and new network arguments together are refused', async () => {
    await expect(build({ existingVirtualNetworkId: VNET, existingPrivateEndpointSubnetId: `${VNET}/subnets/endpoints`, addressSpace: '10.9.0.0/16' })).rejects.toThrow(
      /^net: give either existingVirtualNetworkId and existingPrivateEndpointSubnetId \(use an existing network\) or .*never both/,
    );
  });
});

describe('PrivateNetwork (residency)', () => {
  test('a location outside the allowlist is refused before any child resource is created', async () => {
    await expect(build({ location: 'eastus' })).rejects.toThrow('location eastus is not allowed by data residency policy; allowed: swedencentral, westeurope (net: location)');
  });
});
