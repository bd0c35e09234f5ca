import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { AZURE_SKUS, ConfigError } from '../../lib/config';
import { readAzureSettings, SETTING_KEYS } from '../../stacks/azure/settings';
import { exampleOrg, orgWith } from './support';

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const TENANT = '66666666-7777-8888-9999-000000000000';
const VNET = `/subscriptions/${SUBSCRIPTION}/resourceGroups/hub/providers/Microsoft.Network/virtualNetworks/spoke`;
const base = { subscriptionId: SUBSCRIPTION, tenantId: TENANT, location: 'swedencentral' };

const read = (values: Record<string, unknown>, org = exampleOrg, stack = 'example') => readAzureSettings((key) => values[key], org, stack);

describe('readAzureSettings', () => {
  test('minimal settings get a new network, DNS zones, and stable names', () => {
    const settings = read(base);
    expect(settings).toEqual({
      subscriptionId: SUBSCRIPTION,
      tenantId: TENANT,
      location: 'swedencentral',
      resourceGroupName: 'example-corp-ai-swedencentral',
      network: { kind: 'new', addressSpace: '10.41.0.0/16', privateEndpointSubnetPrefix: '10.41.0.0/24', applicationSubnetPrefix: '10.41.1.0/24' },
      createPrivateDnsZones: true,
      policyAssignmentScope: { kind: 'resourceGroup' },
      manageSubscriptionControls: true,
      customSubDomainName: expect.stringMatching(/^example-corp-ai-[0-9a-f]{8}$/),
      keyVaultName: expect.stringMatching(/^example-cor-kv-[0-9a-f]{8}$/),
      auditArchiveAccountName: expect.stringMatching(/^examplecorpaudit[0-9a-f]{8}$/),
      auditArchiveExists: false,
    });
    expect(read(base)).toEqual(settings);
  });

  test('a location outside the allowlist is refused, naming the allowed ones and the key', () => {
    expect(() => read({ ...base, location: 'eastus' })).toThrow(
      'location eastus is not allowed by data residency policy; allowed: swedencentral, westeurope (config: privateai:location)',
    );
  });

  test('missing keys are named, with what they are for', () => {
    expect(() => read({})).toThrow(
      [
        'invalid Azure stack settings:',
        '  - subscriptionId is required: the subscription to deploy to (a GUID) (config: privateai:subscriptionId)',
        '  - tenantId is required: the Entra ID tenant of the subscription (a GUID) (config: privateai:tenantId)',
        '  - location is required: the Azure location of every resource; one of azure.allowedLocations (config: privateai:location)',
      ].join('\n'),
    );
  });

  test('bad GUIDs are refused with the value received and an example', () => {
    expect(() => read({ ...base, subscriptionId: 'my-subscription' })).toThrow(
      'subscriptionId "my-subscription" is not a GUID; give the subscription to deploy to, such as 00000000-0000-0000-0000-000000000000 (config: privateai:subscriptionId)',
    );
    expect(() => read({ ...base, tenantId: 42 })).toThrow('tenantId 42 must be a string (config: privateai:tenantId)');
  });

  test('an existing network and a new one are never both given', () => {
    expect(() => read({ ...base, existingVirtualNetworkId: VNET, existingPrivateEndpointSubnetId: `${VNET}/subnets/pe`, addressSpace: '10.0.0.0/16' })).toThrow(
      /give either existingVirtualNetworkId and existingPrivateEndpointSubnetId \(use an existing network\) or addressSpace, privateEndpointSubnetPrefix, applicationSubnetPrefix \(create a new one\), never both; received .* \(config: privateai:addressSpace\)/,
    );
  });

  test('an existing network is taken as given', () => {
    expect(read({ ...base, existingVirtualNetworkId: VNET, existingPrivateEndpointSubnetId: `${VNET}/subnets/pe` }).network).toEqual({
      kind: 'existing',
      virtualNetworkId: VNET,
      privateEndpointSubnetId: `${VNET}/subnets/pe`,
    });
    expect(() => read({ ...base, existingPrivateEndpointSubnetId: `${VNET}/subnets/pe` })).toThrow(
      'existingVirtualNetworkId is required with existingPrivateEndpointSubnetId: the virtual network the private DNS zones are linked to (config: privateai:existingVirtualNetworkId)',
    );
  });

  test('createPrivateDnsZones takes YAML booleans and the strings pulumi config set writes', () => {
    expect(read({ ...base, createPrivateDnsZones: false }).createPrivateDnsZones).toBe(false);
    expect(read({ ...base, createPrivateDnsZones: 'false' }).createPrivateDnsZones).toBe(false);
    expect(read({ ...base, createPrivateDnsZones: 'true' }).createPrivateDnsZones).toBe(true);
    expect(() => read({ ...base, createPrivateDnsZones: 'no' })).toThrow('createPrivateDnsZones "no" must be true or false (config: privateai:createPrivateDnsZones)');
  });

  test('central DNS: the resource group of the central zones, only when this stack creates none', () => {
    const rg = `/subscriptions/${SUBSCRIPTION}/resourceGroups/dns-hub`;
    expect(read({ ...base, createPrivateDnsZones: false, centralDnsZoneResourceGroupId: rg }).centralDnsZoneResourceGroupId).toBe(rg);
    expect(read({ ...base, createPrivateDnsZones: false })).not.toHaveProperty('centralDnsZoneResourceGroupId');
    expect(() => read({ ...base, centralDnsZoneResourceGroupId: rg })).toThrow(
      'centralDnsZoneResourceGroupId is set but createPrivateDnsZones is true; set privateai:createPrivateDnsZones false to register in the central zones, or remove this key (config: privateai:centralDnsZoneResourceGroupId)',
    );
    expect(() => read({ ...base, createPrivateDnsZones: false, centralDnsZoneResourceGroupId: 'dns-hub' })).toThrow(
      'centralDnsZoneResourceGroupId "dns-hub" is not a resource group ID such as /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dns-hub (config: privateai:centralDnsZoneResourceGroupId)',
    );
  });

  test('policy assignments go to the resource group, this subscription, or a management group', () => {
    expect(read({ ...base, policyAssignmentScope: `/subscriptions/${SUBSCRIPTION.toUpperCase()}` }).policyAssignmentScope).toEqual({ kind: 'subscription', id: `/subscriptions/${SUBSCRIPTION}` });
    expect(read({ ...base, policyAssignmentScope: '/providers/Microsoft.Management/managementGroups/landing-zones' }).policyAssignmentScope).toEqual({
      kind: 'managementGroup',
      id: '/providers/Microsoft.Management/managementGroups/landing-zones',
    });
    expect(() => read({ ...base, policyAssignmentScope: '/subscriptions/99999999-2222-3333-4444-555555555555' })).toThrow(
      `policyAssignmentScope "/subscriptions/99999999-2222-3333-4444-555555555555" is not this stack's subscription /subscriptions/${SUBSCRIPTION}`,
    );
    // A resource group ID is not taken: the stack's own group is named resourceGroup.
    expect(() => read({ ...base, policyAssignmentScope: `/subscriptions/${SUBSCRIPTION}/resourceGroups/x` })).toThrow(
      `policyAssignmentScope "/subscriptions/${SUBSCRIPTION}/resourceGroups/x" must be resourceGroup, /subscriptions/<subscriptionId> or /providers/Microsoft.Management/managementGroups/<id>`,
    );
    expect(() => read({ ...base, policyAssignmentScope: 'tenant' })).toThrow(
      'policyAssignmentScope "tenant" must be resourceGroup, /subscriptions/<subscriptionId> or /providers/Microsoft.Management/managementGroups/<id> (config: privateai:policyAssignmentScope)',
    );
  });

  test('manageSubscriptionControls is on unless another owner is named', () => {
    expect(read({ ...base, manageSubscriptionControls: 'false' }).manageSubscriptionControls).toBe(false);
    expect(() => read({ ...base, manageSubscriptionControls: 'no' })).toThrow('manageSubscriptionControls "no" must be true or false (config: privateai:manageSubscriptionControls)');
  });

  test('auditArchiveExists says whether an earlier deployment created the archive', () => {
    expect(read({ ...base, auditArchiveExists: 'true' }).auditArchiveExists).toBe(true);
    expect(read({ ...base, auditArchiveExists: true }).auditArchiveExists).toBe(true);
    expect(() => read({ ...base, auditArchiveExists: 'yes' })).toThrow('auditArchiveExists "yes" must be true or false (config: privateai:auditArchiveExists)');
  });

  test('name overrides are validated', () => {
    expect(read({ ...base, customSubDomainName: 'acme-openai', keyVaultName: 'acme-kv-1' })).toMatchObject({ customSubDomainName: 'acme-openai', keyVaultName: 'acme-kv-1' });
    expect(() => read({ ...base, keyVaultName: 'acme--kv' })).toThrow(
      'keyVaultName "acme--kv" must be 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit (config: privateai:keyVaultName)',
    );
    expect(() => read({ ...base, customSubDomainName: 'Acme' })).toThrow(/customSubDomainName "Acme" must be 2-64 lowercase letters/);
    expect(read({ ...base, auditArchiveAccountName: 'acmeauditlogs' }).auditArchiveAccountName).toBe('acmeauditlogs');
    expect(() => read({ ...base, auditArchiveAccountName: 'acme-audit' })).toThrow(
      'auditArchiveAccountName "acme-audit" must be 3-24 lowercase letters and digits (config: privateai:auditArchiveAccountName)',
    );
    expect(() => read({ ...base, resourceGroupPrefix: 'AI' })).toThrow(/resourceGroupPrefix "AI" must be 3-40 lowercase letters, digits and single hyphens/);
  });

  test('every problem is reported at once', () => {
    let message = '';
    try {
      read({ ...base, location: 'eastus', tenantId: 'x', addressSpace: '10.0.0.0/33' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(3);
  });

  test('an organisation config without an azure section cannot be deployed to Azure', () => {
    expect(() => read(base, orgWith((raw) => delete raw.azure))).toThrow(
      'the organisation config has no azure section; add azure.allowedLocations and azure.models to deploy to Azure',
    );
  });
});

describe('the organisation config refuses deployments that could leave the location', () => {
  const withSku = (sku: (typeof AZURE_SKUS)[number], strict = true) =>
    orgWith((raw) => {
      raw.dataResidency.strict = strict;
      raw.azure!.models[0].sku = sku;
    });

  test.each(['GlobalStandard', 'DataZoneStandard', 'GlobalProvisionedManaged', 'DataZoneProvisionedManaged'] as const)('%s under strict residency', (sku) => {
    expect(() => withSku(sku)).toThrow(ConfigError);
    expect(() => withSku(sku)).toThrow(
      `azure.models[0].sku: received "${sku}"; ${sku} deployments may process data outside the deployment's location, which strict data residency forbids; use Standard or ProvisionedManaged, or set dataResidency.strict: false`,
    );
  });

  test('allowed when strict residency is off, and then the program accepts them too', () => {
    const org = withSku('GlobalStandard', false);
    expect(org.azure!.models[0].sku).toBe('GlobalStandard');
    expect(() => read(base, org)).not.toThrow();
  });

  test('a model missing a pinned version is refused', () => {
    expect(() => orgWith((raw) => (raw.azure!.models[0].version = ''))).toThrow('azure.models[0].version: received ""; must pin a model version, such as 2024-11-20');
  });
});

describe('Pulumi.example.yaml', () => {
  const file = path.join(__dirname, '..', '..', 'stacks', 'azure', 'Pulumi.example.yaml');
  const config = (yaml.load(fs.readFileSync(file, 'utf8')) as { config: Record<string, unknown> }).config;

  test('uses only keys the program knows, placeholder IDs only, and the same target as the provider', () => {
    const keys = Object.keys(config).filter((k) => k.startsWith('privateai:')).map((k) => k.slice('privateai:'.length));
    expect(keys.filter((k) => !(k in SETTING_KEYS))).toEqual([]);
    expect(config['privateai:subscriptionId']).toBe('00000000-0000-0000-0000-000000000000');
    expect(config['privateai:tenantId']).toBe('00000000-0000-0000-0000-000000000000');
    for (const key of ['subscriptionId', 'tenantId', 'location']) expect(config[`azure-native:${key}`]).toBe(config[`privateai:${key}`]);
  });
});
