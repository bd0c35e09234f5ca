import { MONITOR_PRIVATE_DNS_ZONES, PrivateMonitor, type PrivateMonitorArgs } from '../../lib/azure/private-monitor';
import { exampleTags, plan } from './support';

const args: PrivateMonitorArgs = {
  resourceGroupName: 'acme-ai-swedencentral',
  location: 'swedencentral',
  privateEndpointSubnetId: 'pe-subnet-id',
  virtualNetworkId: 'vnet-id',
  workspaceId: 'workspace-id',
  tags: exampleTags,
};

function build(overrides: Partial<PrivateMonitorArgs> = {}) {
  return plan(() => {
    const monitor = new PrivateMonitor('monitor', { ...args, ...overrides });
    return { scopeId: monitor.scopeId, privateEndpointId: monitor.privateEndpointId, accessMode: monitor.accessMode };
  });
}

/** Zone, VNet link and zone-group names of each zone the endpoint needs, as PrivateServiceEndpoint labels them. */
const ZONES = [
  ['privatelink.monitor.azure.com', 'monitor'],
  ['privatelink.oms.opinsights.azure.com', 'oms-opinsights'],
  ['privatelink.ods.opinsights.azure.com', 'ods-opinsights'],
  ['privatelink.agentsvc.azure-automation.net', 'agentsvc-azure-automation-net'],
  ['privatelink.blob.core.windows.net', 'blob-core-windows-net'],
] as const;

describe('PrivateMonitor', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('type tokens, parents and outputs', () => {
    expect(result.get('monitor').type).toBe('privateai:azure:PrivateMonitor');
    expect(result.get('monitor-pe').type).toBe('privateai:azure:PrivateServiceEndpoint');
    expect(result.resources.filter((r) => r.parent === null).map((r) => r.name)).toEqual(['monitor']);
    for (const child of ['monitor-scope', 'monitor-workspace', 'monitor-pe']) expect(result.get(child).parent).toBe('monitor');
    expect(result.outputs).toEqual({ scopeId: 'monitor-scope-id', privateEndpointId: 'monitor-pe-endpoint-id', accessMode: 'PrivateOnly' });
  });

  test('a global scope that admits private ingestion and queries only, by default', () => {
    expect(result.get('monitor-scope')).toMatchObject({
      type: 'azure-native:monitor:PrivateLinkScope',
      inputs: {
        resourceGroupName: 'acme-ai-swedencentral',
        location: 'global',
        accessModeSettings: { ingestionAccessMode: 'PrivateOnly', queryAccessMode: 'PrivateOnly', exclusions: [] },
        tags: exampleTags,
      },
    });
  });

  test('the workspace is a resource of the scope', () => {
    expect(result.get('monitor-workspace')).toMatchObject({
      type: 'azure-native:monitor:PrivateLinkScopedResource',
      inputs: { resourceGroupName: 'acme-ai-swedencentral', scopeName: 'monitor-scope', linkedResourceId: 'workspace-id' },
    });
    expect(result.dependenciesOf('monitor-workspace')).toContain('monitor-scope');
  });

  test('an azuremonitor endpoint to the scope in the private-endpoint subnet, in the VNet location', () => {
    expect(result.get('monitor-pe-endpoint')).toMatchObject({
      type: 'azure-native:network:PrivateEndpoint',
      inputs: {
        location: 'swedencentral',
        subnet: { id: 'pe-subnet-id' },
        privateLinkServiceConnections: [{ privateLinkServiceId: 'monitor-scope-id', groupIds: ['azuremonitor'] }],
        tags: exampleTags,
      },
    });
  });

  test('the endpoint is created after the workspace is in the scope', () => {
    expect(result.dependenciesOf('monitor-pe-endpoint')).toEqual(expect.arrayContaining(['monitor-scope', 'monitor-workspace']));
  });

  test('the five zones Azure Monitor needs, linked without auto-registration and registered by one zone group', () => {
    expect(MONITOR_PRIVATE_DNS_ZONES).toEqual(ZONES.map(([zone]) => zone));
    expect(result.ofType('azure-native:privatedns:PrivateZone').map((z) => z.inputs.privateZoneName).sort()).toEqual(ZONES.map(([zone]) => zone).sort());
    for (const [zone, label] of ZONES) {
      expect(result.get(`monitor-pe-${label}`).inputs).toMatchObject({ privateZoneName: zone, location: 'global', tags: exampleTags });
      expect(result.get(`monitor-pe-${label}-link`).inputs).toMatchObject({ privateZoneName: zone, virtualNetwork: { id: 'vnet-id' }, registrationEnabled: false });
    }
    expect(result.get('monitor-pe-dns').inputs).toMatchObject({
      privateEndpointName: 'monitor-pe-endpoint',
      privateDnsZoneConfigs: ZONES.map(([, label]) => ({ name: label, privateDnsZoneId: `monitor-pe-${label}-id` })),
    });
  });

  test('without zones: the endpoint alone, for DNS the organisation registers centrally', async () => {
    const central = await build({ createPrivateDnsZones: false, virtualNetworkId: undefined });
    expect(central.ofType('azure-native:network:PrivateEndpoint')).toHaveLength(1);
    for (const type of ['azure-native:privatedns:PrivateZone', 'azure-native:privatedns:VirtualNetworkLink', 'azure-native:network:PrivateDnsZoneGroup']) {
      expect(central.ofType(type)).toEqual([]);
    }
  });

  test('central zones: the endpoint registers in all five zones of the central resource group', async () => {
    const central = await build({ createPrivateDnsZones: false, virtualNetworkId: undefined, centralDnsZoneResourceGroupId: '/subscriptions/s/resourceGroups/dns' });
    expect(central.ofType('azure-native:privatedns:PrivateZone')).toEqual([]);
    expect(central.get('monitor-pe-dns').inputs.privateDnsZoneConfigs).toEqual(
      ZONES.map(([zone, label]) => ({ name: label, privateDnsZoneId: `/subscriptions/s/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/${zone}` })),
    );
  });

  test('Open mode for a shared network whose other workloads use Azure Monitor outside the scope', async () => {
    const open = await build({ accessMode: 'Open' });
    expect(open.get('monitor-scope').inputs.accessModeSettings).toEqual({ ingestionAccessMode: 'Open', queryAccessMode: 'Open', exclusions: [] });
    expect(open.outputs.accessMode).toBe('Open');
  });

  test('an unknown access mode is refused', async () => {
    await expect(build({ accessMode: 'Private' as never })).rejects.toThrow('monitor: accessMode "Private" is not an Azure Monitor Private Link Scope access mode; use PrivateOnly or Open');
  });

  test('zones without a virtual network to link them to are refused', async () => {
    await expect(build({ virtualNetworkId: undefined })).rejects.toThrow('monitor-pe: virtualNetworkId is required when createDnsZones is true, to link the private DNS zones to it');
  });
});
