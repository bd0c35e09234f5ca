import { roleSlug } from '../../lib/azure/access';
import { LOG_ANALYTICS_RETENTION, logAnalyticsRetention } from '../../lib/azure/audit';
import { cidrContains, cidrsOverlap, parseCidr } from '../../lib/azure/cidr';
import { contentFilters, HARM_CATEGORIES } from '../../lib/azure/content-filter';
import { checkRotation, isoDurationDays } from '../../lib/azure/keys';
import { accountEndpoints, checkDeployments, type ModelDeploymentSpec } from '../../lib/azure/model-account';
import {
  CUSTOM_SUBDOMAIN_PATTERN,
  defaultAuditArchiveAccountName,
  defaultCustomSubDomainName,
  defaultKeyVaultName,
  deterministicGuid,
  GUID_PATTERN,
  KEY_VAULT_NAME_PATTERN,
  resourceTags,
  roleDefinitionId,
  STORAGE_ACCOUNT_NAME_PATTERN,
  uuidV5,
} from '../../lib/azure/naming';
import { chooseNetwork, inboundRules } from '../../lib/azure/network';
import { zoneLabel } from '../../lib/azure/private-endpoint';
import { assertAllowedLocation, assertResidentSku } from '../../lib/azure/residency';
import { BUILT_IN_ROLES, modelUserRoles } from '../../lib/azure/roles';
import { exampleOrg } from './support';

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';

describe('naming', () => {
  test('uuidV5 matches the RFC 4122 reference value', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('deterministic GUIDs are stable, case-insensitive (like ARM IDs) and differ per input', () => {
    const a = deterministicGuid('/subscriptions/x/rg/Account', 'role', 'group');
    expect(a).toMatch(GUID_PATTERN);
    expect(deterministicGuid('/subscriptions/x/rg/account', 'ROLE', 'group')).toBe(a);
    expect(deterministicGuid('/subscriptions/x/rg/account', 'role', 'other-group')).not.toBe(a);
  });

  test('role definition IDs are built from the subscription setting', () => {
    expect(roleDefinitionId(SUBSCRIPTION, BUILT_IN_ROLES.reader.id)).toBe(
      `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3b82-4d1f-840a-4dd95d8f1c93`,
    );
  });

  test('default globally unique names fit the Azure rules, differ per subscription and stay stable', () => {
    const longest = 'a'.repeat(38) + '-b';
    for (const prefix of ['example-corp-ai', longest, 'abc']) {
      expect(defaultKeyVaultName(prefix, 'swedencentral', SUBSCRIPTION)).toMatch(KEY_VAULT_NAME_PATTERN);
      expect(defaultCustomSubDomainName(prefix, 'swedencentral', SUBSCRIPTION)).toMatch(CUSTOM_SUBDOMAIN_PATTERN);
    }
    // A cut that would end in a hyphen does not produce a double hyphen.
    expect(defaultKeyVaultName('example-co-ai', 'westeurope', SUBSCRIPTION)).toMatch(/^example-co-kv-[0-9a-f]{8}$/);
    expect(defaultKeyVaultName('example-corp-ai', 'westeurope', SUBSCRIPTION)).toBe(defaultKeyVaultName('example-corp-ai', 'westeurope', SUBSCRIPTION));
    expect(defaultKeyVaultName('example-corp-ai', 'westeurope', SUBSCRIPTION)).not.toBe(defaultKeyVaultName('example-corp-ai', 'westeurope', '99999999-2222-3333-4444-555555555555'));
    expect(defaultCustomSubDomainName('example-corp-ai', 'westeurope', SUBSCRIPTION)).not.toBe(defaultCustomSubDomainName('example-corp-ai', 'swedencentral', SUBSCRIPTION));
  });

  test('the audit archive account name: lowercase letters and digits only, at most 24, unique per subscription and location, stable', () => {
    for (const prefix of ['example-corp-ai', 'a'.repeat(38) + '-b', 'abc', 'a-b']) {
      expect(defaultAuditArchiveAccountName(prefix, 'swedencentral', SUBSCRIPTION)).toMatch(STORAGE_ACCOUNT_NAME_PATTERN);
    }
    expect(defaultAuditArchiveAccountName('example-corp-ai', 'swedencentral', SUBSCRIPTION)).toMatch(/^examplecorpaudit[0-9a-f]{8}$/);
    expect(defaultAuditArchiveAccountName('example-corp-ai', 'swedencentral', SUBSCRIPTION)).toBe(defaultAuditArchiveAccountName('example-corp-ai', 'swedencentral', SUBSCRIPTION));
    expect(defaultAuditArchiveAccountName('example-corp-ai', 'swedencentral', SUBSCRIPTION)).not.toBe(defaultAuditArchiveAccountName('example-corp-ai', 'westeurope', SUBSCRIPTION));
    expect(defaultAuditArchiveAccountName('example-corp-ai', 'swedencentral', SUBSCRIPTION)).not.toBe(
      defaultAuditArchiveAccountName('example-corp-ai', 'swedencentral', '99999999-2222-3333-4444-555555555555'),
    );
  });

  test('the storage account naming rule', () => {
    for (const ok of ['abc', 'examplecorpaudit1a2b3c4d', '123']) expect(ok).toMatch(STORAGE_ACCOUNT_NAME_PATTERN);
    for (const bad of ['ab', 'Example', 'example-audit', 'a'.repeat(25)]) expect(bad).not.toMatch(STORAGE_ACCOUNT_NAME_PATTERN);
  });

  test('tags use the same keys as the AWS stacks', () => {
    expect(resourceTags(exampleOrg.tags)).toEqual({ owner: 'platform-team@example.com', 'cost-centre': 'CC-0000', 'data-classification': 'confidential' });
  });

  test('zone labels and role slugs make readable resource names', () => {
    expect(zoneLabel('privatelink.services.ai.azure.com')).toBe('services-ai');
    expect(zoneLabel('privatelink.vaultcore.azure.net')).toBe('vaultcore');
    expect(roleSlug(BUILT_IN_ROLES.cognitiveServicesOpenAiUser)).toBe('cognitive-services-openai-user');
  });
});

describe('CIDR arithmetic', () => {
  test('parses networks and refuses host bits, bad octets and bad prefixes', () => {
    expect(parseCidr('10.41.0.0/16')).toEqual({ network: 10 * 2 ** 24 + 41 * 2 ** 16, prefix: 16 });
    expect(parseCidr('10.41.0.1/24')).toBeUndefined();
    expect(parseCidr('10.256.0.0/16')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });

  test('containment and overlap', () => {
    const space = parseCidr('10.41.0.0/16')!;
    expect(cidrContains(space, parseCidr('10.41.255.0/24')!)).toBe(true);
    expect(cidrContains(space, parseCidr('10.42.0.0/24')!)).toBe(false);
    expect(cidrContains(parseCidr('10.41.0.0/24')!, space)).toBe(false);
    expect(cidrsOverlap(parseCidr('10.41.0.0/23')!, parseCidr('10.41.1.0/24')!)).toBe(true);
    expect(cidrsOverlap(parseCidr('10.41.0.0/24')!, parseCidr('10.41.1.0/24')!)).toBe(false);
  });
});

describe('chooseNetwork', () => {
  const vnet = `/subscriptions/${SUBSCRIPTION}/resourceGroups/hub/providers/Microsoft.Network/virtualNetworks/spoke`;

  test('defaults to a new network with the default ranges', () => {
    expect(chooseNetwork({})).toEqual({
      choice: { kind: 'new', addressSpace: '10.41.0.0/16', privateEndpointSubnetPrefix: '10.41.0.0/24', applicationSubnetPrefix: '10.41.1.0/24' },
      issues: [],
    });
  });

  test('an existing network needs both IDs, and the subnet must belong to the network', () => {
    expect(chooseNetwork({ existingVirtualNetworkId: vnet, existingPrivateEndpointSubnetId: `${vnet}/subnets/pe` }).choice).toEqual({
      kind: 'existing',
      virtualNetworkId: vnet,
      privateEndpointSubnetId: `${vnet}/subnets/pe`,
    });
    expect(chooseNetwork({ existingVirtualNetworkId: vnet }).issues.map((i) => i.message)).toEqual([
      'existingPrivateEndpointSubnetId is required with existingVirtualNetworkId: the subnet of that network that holds the private endpoints',
    ]);
    expect(chooseNetwork({ existingVirtualNetworkId: vnet, existingPrivateEndpointSubnetId: `${vnet}-other/subnets/pe` }).issues[0].message).toBe(
      `existingPrivateEndpointSubnetId "${vnet}-other/subnets/pe" is not a subnet of existingVirtualNetworkId; expected ${vnet}/subnets/<name>`,
    );
    expect(chooseNetwork({ existingVirtualNetworkId: 'vnet-1', existingPrivateEndpointSubnetId: 'vnet-1/subnets/pe' }).issues[0].message).toMatch(
      /^existingVirtualNetworkId "vnet-1" is not a virtual network resource ID; expected \/subscriptions\//,
    );
  });

  test('existing and new together are refused', () => {
    const { choice, issues } = chooseNetwork({ existingVirtualNetworkId: vnet, existingPrivateEndpointSubnetId: `${vnet}/subnets/pe`, addressSpace: '10.0.0.0/16' });
    expect(choice).toBeUndefined();
    expect(issues).toEqual([
      {
        field: 'addressSpace',
        message:
          'give either existingVirtualNetworkId and existingPrivateEndpointSubnetId (use an existing network) or addressSpace, privateEndpointSubnetPrefix, applicationSubnetPrefix (create a new one), never both; received existingVirtualNetworkId, existingPrivateEndpointSubnetId, addressSpace',
      },
    ]);
  });

  test('new-network ranges must parse, fit the address space, not overlap and not be tiny', () => {
    const messages = (input: Parameters<typeof chooseNetwork>[0]) => chooseNetwork(input).issues.map((i) => i.message);
    expect(messages({ addressSpace: '10.41.0.0' })).toContain('addressSpace "10.41.0.0" is not an IPv4 network such as 10.41.0.0/16 (address/prefix, no host bits set)');
    expect(messages({ privateEndpointSubnetPrefix: '10.99.0.0/24' })).toEqual(['privateEndpointSubnetPrefix 10.99.0.0/24 is not inside addressSpace 10.41.0.0/16']);
    expect(messages({ applicationSubnetPrefix: '10.41.0.128/25' })).toEqual(['applicationSubnetPrefix 10.41.0.128/25 overlaps privateEndpointSubnetPrefix 10.41.0.0/24']);
    expect(messages({ privateEndpointSubnetPrefix: '10.41.0.0/29' })).toEqual([
      'privateEndpointSubnetPrefix 10.41.0.0/29 is smaller than /28; Azure reserves 5 addresses in every subnet, so use /28 or larger',
    ]);
  });

  test('both subnets deny the internet first; the endpoint subnet admits only HTTPS from the network', () => {
    for (const subnet of ['privateEndpoints', 'applications'] as const) {
      expect(inboundRules(subnet)[0]).toMatchObject({ priority: 100, access: 'Deny', direction: 'Inbound', sourceAddressPrefix: 'Internet', destinationPortRange: '*' });
    }
    expect(inboundRules('privateEndpoints').map((r) => [r.name, r.priority, r.access, r.sourceAddressPrefix, r.destinationPortRange])).toEqual([
      ['DenyInternetInbound', 100, 'Deny', 'Internet', '*'],
      ['AllowHttpsFromVirtualNetwork', 200, 'Allow', 'VirtualNetwork', '443'],
      ['DenyAllOtherInbound', 4000, 'Deny', '*', '*'],
    ]);
  });
});

describe('residency', () => {
  test('a location outside the allowlist is refused with the allowlist and the source', () => {
    expect(() => assertAllowedLocation('eastus', ['swedencentral', 'westeurope'], 'config: privateai:location')).toThrow(
      'location eastus is not allowed by data residency policy; allowed: swedencentral, westeurope (config: privateai:location)',
    );
    expect(() => assertAllowedLocation('westeurope', ['swedencentral', 'westeurope'], 'x')).not.toThrow();
  });

  test('global and data-zone SKUs are refused under strict residency only', () => {
    expect(() => assertResidentSku('GlobalStandard', true, 'config: azure.models[0]')).toThrow(
      "deployment SKU GlobalStandard may process data outside the deployment's location, which strict data residency forbids; use Standard or ProvisionedManaged (config: azure.models[0])",
    );
    expect(() => assertResidentSku('DataZoneStandard', true, 'x')).toThrow(/strict data residency forbids/);
    expect(() => assertResidentSku('GlobalStandard', false, 'x')).not.toThrow();
    expect(() => assertResidentSku('ProvisionedManaged', true, 'x')).not.toThrow();
  });
});

describe('deployments', () => {
  const gpt: ModelDeploymentSpec = { deployment: 'gpt-4o', model: 'gpt-4o', version: '2024-11-20', format: 'OpenAI', sku: 'Standard', capacity: 10 };
  const source = (i: number) => `deployments[${i}]`;

  test('an allowlist of resident, pinned OpenAI models passes on both kinds', () => {
    expect(checkDeployments('AIServices', true, [gpt], source)).toEqual([]);
    expect(checkDeployments('OpenAI', true, [gpt], source)).toEqual([]);
  });

  test('non-OpenAI formats need an AIServices account; versions are pinned; names unique; SKUs resident', () => {
    const llama = { ...gpt, deployment: 'llama', model: 'Llama-3.3-70B-Instruct', format: 'Meta', version: '' };
    expect(checkDeployments('OpenAI', true, [gpt, llama, { ...gpt, sku: 'GlobalStandard' }], source)).toEqual([
      'deployment llama: format Meta cannot be deployed on an OpenAI account, only on AIServices (deployments[1])',
      'deployment llama: the model version must be pinned (deployments[1])',
      "deployment SKU GlobalStandard may process data outside the deployment's location, which strict data residency forbids; use Standard or ProvisionedManaged (deployments[2])",
      'deployment gpt-4o is listed twice; deployment names must be unique (deployments[2])',
    ]);
    expect(checkDeployments('AIServices', true, [], source)).toEqual(['at least one model deployment is required']);
  });

  test('endpoints: OpenAI and Cognitive Services for both kinds, Foundry only for AIServices', () => {
    expect(accountEndpoints('AIServices', 'acme-ai')).toEqual({
      openAi: 'https://acme-ai.openai.azure.com/',
      cognitiveServices: 'https://acme-ai.cognitiveservices.azure.com/',
      aiServices: 'https://acme-ai.services.ai.azure.com/',
    });
    expect(accountEndpoints('OpenAI', 'acme-ai')).not.toHaveProperty('aiServices');
  });
});

describe('roles for model users', () => {
  test('OpenAI models need only Cognitive Services OpenAI User', () => {
    expect(modelUserRoles(['OpenAI', 'OpenAI'])).toEqual([BUILT_IN_ROLES.cognitiveServicesOpenAiUser]);
  });

  test('other formats add the broader Cognitive Services User, and only then', () => {
    expect(modelUserRoles(['OpenAI', 'Meta'])).toEqual([BUILT_IN_ROLES.cognitiveServicesOpenAiUser, BUILT_IN_ROLES.cognitiveServicesUser]);
    expect(modelUserRoles(['Mistral AI'])).toEqual([BUILT_IN_ROLES.cognitiveServicesUser]);
  });
});

describe('content filters', () => {
  test('every harm category blocks at the configured severity on prompts and completions', () => {
    const filters = contentFilters('Low');
    for (const source of ['Prompt', 'Completion']) {
      for (const name of HARM_CATEGORIES) {
        expect(filters).toContainEqual({ name, source, enabled: true, blocking: true, severityThreshold: 'Low' });
      }
    }
  });

  test('jailbreak and indirect-attack shields block prompts', () => {
    const filters = contentFilters('Medium');
    expect(filters).toContainEqual({ name: 'Jailbreak', source: 'Prompt', enabled: true, blocking: true });
    expect(filters).toContainEqual({ name: 'Indirect Attack', source: 'Prompt', enabled: true, blocking: true });
    expect(filters.filter((f) => f.enabled === false)).toEqual([]);
  });
});

describe('log retention', () => {
  test('30-730 days are kept as configured', () => {
    expect(logAnalyticsRetention(365)).toEqual({ retentionInDays: 365 });
    expect(logAnalyticsRetention(LOG_ANALYTICS_RETENTION.max)).toEqual({ retentionInDays: 730 });
  });

  test('less than 30 days is raised to 30, with a warning', () => {
    expect(logAnalyticsRetention(14)).toEqual({
      retentionInDays: 30,
      warning: 'retention 14 days is below the 30 days a Log Analytics workspace keeps data; the workspace keeps it 30 days (config: logging.retentionDays)',
    });
  });

  test('more than 730 days is refused rather than silently shortened', () => {
    expect(() => logAnalyticsRetention(731)).toThrow(
      'retention 731 days exceeds the 730 days a Log Analytics workspace keeps data; use 730 days or less for Azure, or archive the logs elsewhere for longer (config: logging.retentionDays)',
    );
  });
});

describe('key rotation', () => {
  test('ISO durations in days', () => {
    expect(isoDurationDays('P90D')).toBe(90);
    expect(isoDurationDays('P18M')).toBe(540);
    expect(isoDurationDays('P1Y')).toBe(365);
    expect(isoDurationDays('1Y')).toBeUndefined();
  });

  test('rotation must be a valid duration, at least 7 days, and 30 days before expiry', () => {
    expect(checkRotation('P1Y', 'P2Y')).toEqual([]);
    expect(checkRotation('P1Y', 'P1Y')).toEqual(['rotateAfter P1Y must come at least 30 days before expiresAfter P1Y, so a new key version exists before the old one expires']);
    expect(checkRotation('P3D', 'P2Y')).toEqual(['rotateAfter P3D is shorter than the 7 days Key Vault allows']);
    expect(checkRotation('yearly', 'P7D')).toEqual(['rotateAfter "yearly" is not a duration such as P90D, P6M or P1Y', 'expiresAfter P7D is shorter than the 28 days Key Vault allows']);
  });
});
