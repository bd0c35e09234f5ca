import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as yaml from 'js-yaml';
import { deterministicGuid } from '../../lib/azure/naming';
import { azureProgram } from '../../stacks/azure/program';
import { exampleOrg, exampleTags, orgWith, plan, UNTAGGABLE, waitsFor, withoutStackTraces } from './support';

const PLACEHOLDER = '00000000-0000-0000-0000-000000000000';
const stackFile = path.join(__dirname, '..', '..', 'stacks', 'azure', 'Pulumi.example.yaml');
const exampleConfig = (yaml.load(fs.readFileSync(stackFile, 'utf8')) as { config: Record<string, unknown> }).config;
const get = (overrides: Record<string, unknown> = {}) => (key: string) => ({ ...exampleConfig, ...overrides })[`privateai:${key}`];

function run(overrides: Record<string, unknown> = {}, org = exampleOrg) {
  const settings = azureProgram.readSettings(get(overrides), org, 'example');
  return withoutStackTraces(() => plan(() => azureProgram.run(org, settings)));
}

describe('the Azure program with the example stack', () => {
  let result: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    result = await run();
  });

  test('one component per architectural task, every resource inside one', () => {
    expect(result.resources.filter((r) => r.parent === null).map((r) => [r.name, r.type])).toEqual([
      ['network', 'privateai:azure:PrivateNetwork'],
      ['policy', 'privateai:azure:PolicyGuardrails'],
      ['keys', 'privateai:azure:EncryptionKeys'],
      ['contacts', 'privateai:azure:SecurityContacts'],
      ['key-alerts', 'privateai:azure:KeyRotationAlerts'],
      ['models', 'privateai:azure:PrivateModelAccount'],
      ['archive', 'privateai:azure:AuditArchive'],
      ['audit', 'privateai:azure:AuditLogs'],
      ['monitor', 'privateai:azure:PrivateMonitor'],
      ['defender', 'privateai:azure:DefenderForAi'],
      ['access', 'privateai:azure:ModelAccess'],
      ['detection', 'privateai:azure:MisuseDetection'],
    ]);
    expect(result.resources.filter((r) => r.type.startsWith('azure-native:')).length).toBe(92);
  });

  test('every taggable resource carries the organisation tags', () => {
    const taggable = result.resources.filter((r) => r.type.startsWith('azure-native:') && !UNTAGGABLE.has(r.type));
    expect(taggable).toHaveLength(62);
    // Saved searches take tags as a name/value list; alert rules add the signal they watch.
    const tagsOf = (tags: unknown) => (Array.isArray(tags) ? Object.fromEntries(tags.map((t: { name: string; value: string }) => [t.name, t.value])) : tags);
    const ALERTS = ['azure-native:monitor:ScheduledQueryRule', 'azure-native:monitor:MetricAlert', 'azure-native:monitor:ActivityLogAlert'];
    for (const r of taggable) {
      const expected = ALERTS.includes(r.type) ? { ...exampleTags, 'private-ai-signal': expect.any(String) } : exampleTags;
      expect([r.name, tagsOf(r.inputs.tags)]).toEqual([r.name, expected]);
    }
  });

  test('every located resource is in the configured location (DNS zones are global)', () => {
    const located = result.resources.filter((x) => 'location' in x.inputs);
    expect(located).toHaveLength(49);
    // Private DNS zones, the action group, metric and Activity Log alerts and the private link scope are global resources.
    const GLOBAL = ['azure-native:privatedns:', 'azure-native:monitor:ActionGroup', 'azure-native:monitor:MetricAlert', 'azure-native:monitor:ActivityLogAlert', 'azure-native:monitor:PrivateLinkScope'];
    for (const r of located) {
      expect([r.name, r.inputs.location]).toEqual([r.name, GLOBAL.some((g) => r.type.startsWith(g)) ? 'global' : 'swedencentral']);
    }
    expect(result.get('network-rg').inputs).toMatchObject({ resourceGroupName: 'example-corp-ai-swedencentral', location: 'swedencentral' });
  });

  test('the account uses the key through the identity, and only after the identity was granted the key', () => {
    const account = result.get('models-account');
    expect(account.inputs).toMatchObject({
      identity: { type: 'UserAssigned', userAssignedIdentities: ['keys-identity-id'] },
      properties: {
        publicNetworkAccess: 'Disabled',
        disableLocalAuth: true,
        encryption: {
          keySource: 'Microsoft.KeyVault',
          keyVaultProperties: {
            keyVaultUri: `https://${result.get('keys-vault').inputs.vaultName}.vault.azure.net/`,
            keyName: 'model-account-cmk',
            keyVersion: result.outputs.accountKeyVersion,
            identityClientId: deterministicGuid('mock', 'keys-identity', 'clientId'),
          },
        },
      },
    });
    expect(result.get('keys-cmk-grant').inputs).toMatchObject({ scope: 'keys-vault-id', principalId: deterministicGuid('mock', 'keys-identity', 'principalId') });
    expect(result.dependenciesOf('models-account')).toContain('keys-cmk-grant');
    expect(result.orderOf('keys-cmk-grant')).toBeLessThan(result.orderOf('models-account'));
  });

  test('the deployments are exactly the allowlist, pinned, with the content filter', () => {
    const deployments = result.ofType('azure-native:cognitiveservices:Deployment');
    expect(deployments.map((d) => (d.inputs.properties as { model: unknown }).model)).toEqual(
      exampleOrg.azure!.models.map((m) => ({ format: m.format, name: m.model, version: m.version })),
    );
    for (const d of deployments) {
      expect(d.inputs.properties).toMatchObject({ versionUpgradeOption: 'NoAutoUpgrade', raiPolicyName: 'privateai-content-filter' });
    }
    const filters = (result.get('models-content-filter').inputs.properties as { contentFilters: Array<{ name: string; severityThreshold?: string }> }).contentFilters;
    const severities = filters.filter((f) => f.severityThreshold).map((f) => f.severityThreshold);
    expect(severities).toEqual(Array(8).fill(exampleOrg.azure!.contentFilterSeverity));
  });

  test('diagnostics of the account and the vault go to the workspace and to the immutable archive', () => {
    expect(result.get('audit-account-diagnostics').inputs).toMatchObject({ resourceUri: 'models-account-id', workspaceId: 'audit-workspace-id', storageAccountId: 'archive-account-id' });
    expect(result.get('audit-vault-diagnostics').inputs).toMatchObject({ resourceUri: 'keys-vault-id', workspaceId: 'audit-workspace-id', storageAccountId: 'archive-account-id' });
    expect(result.get('audit-workspace').inputs.retentionInDays).toBe(exampleOrg.logging.retentionDays);
  });

  test('the archive keeps the logs immutable for the audit retention, locked as the example says, with the key and behind a delete lock', () => {
    const archive = result.get('archive-account');
    expect(archive.inputs).toMatchObject({
      accountName: expect.stringMatching(/^examplecorpaudit[0-9a-f]{8}$/),
      location: 'swedencentral',
      allowSharedKeyAccess: false,
      publicNetworkAccess: 'Enabled',
      networkRuleSet: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
      identity: { type: 'UserAssigned', userAssignedIdentities: ['keys-identity-id'] },
      encryption: {
        keySource: 'Microsoft.Keyvault',
        keyVaultProperties: { keyVaultUri: `https://${result.get('keys-vault').inputs.vaultName}.vault.azure.net/`, keyName: 'model-account-cmk' },
        encryptionIdentity: { encryptionUserAssignedIdentity: 'keys-identity-id' },
      },
      immutableStorageWithVersioning: {
        enabled: true,
        immutabilityPolicy: { immutabilityPeriodSinceCreationInDays: exampleOrg.logging.auditRetentionDays, state: 'Locked', allowProtectedAppendWrites: true },
      },
    });
    expect(result.dependenciesOf('archive-account')).toContain('keys-cmk-grant');
    expect(result.get('archive-lock').inputs).toMatchObject({ scope: 'archive-account-id', level: 'CanNotDelete' });
  });

  test('role assignments: the configured groups, as groups, with roles of the configured subscription', () => {
    const groups = result.ofType('azure-native:authorization:RoleAssignment').filter((a) => a.inputs.principalType === 'Group');
    expect(groups.map((a) => [a.inputs.principalId, a.inputs.scope, String(a.inputs.roleDefinitionId).split('/').pop()])).toEqual([
      [exampleOrg.sso.platformAdmins.azure[0], 'network-rg-id', 'acdd72a7-3b82-4d1f-840a-4dd95d8f1c93'],
      [exampleOrg.sso.auditors.azure[0], 'audit-workspace-id', '73c42c96-874c-492b-b04d-ab87d138a893'],
      [exampleOrg.sso.modelUsers.azure[0], 'models-account-id', '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'],
    ]);
    for (const a of result.ofType('azure-native:authorization:RoleAssignment')) {
      expect(String(a.inputs.roleDefinitionId)).toMatch(new RegExp(`^/subscriptions/${PLACEHOLDER}/providers/Microsoft.Authorization/roleDefinitions/`));
    }
  });

  test('outputs for app teams and reviewers, and no keys', () => {
    const vaultName = result.get('keys-vault').inputs.vaultName as string;
    const subdomain = result.get('models-account').inputs.accountName as string;
    expect(result.outputs).toEqual({
      location: 'swedencentral',
      resourceGroupName: 'example-corp-ai-swedencentral',
      accountId: 'models-account-id',
      accountName: subdomain,
      openAiEndpoint: `https://${subdomain}.openai.azure.com/`,
      aiServicesEndpoint: `https://${subdomain}.services.ai.azure.com/`,
      privateEndpointHostNames: [`${subdomain}.openai.azure.com`, `${subdomain}.cognitiveservices.azure.com`, `${subdomain}.services.ai.azure.com`, `${vaultName}.vault.azure.net`],
      deploymentNames: ['gpt-4o', 'text-embedding-3-large'],
      modelUserRoles: ['Cognitive Services OpenAI User'],
      workspaceId: 'audit-workspace-id',
      logRetentionDays: 365,
      auditArchiveAccountId: 'archive-account-id',
      auditArchiveRetentionDays: 2557,
      auditArchiveLocked: true,
      keyVaultUri: `https://${vaultName}.vault.azure.net/`,
      accountKeyVersion: expect.stringMatching(/^[0-9a-f]{32}$/),
      monitorPrivateLinkScopeId: 'monitor-scope-id',
      policyAssignments: {
        scope: 'the deployment resource group',
        enforcement: 'Default',
        definitions: ['ai-local-auth', 'ai-network-acls', 'ai-cmk', 'ai-diagnostic-logs', 'ai-private-link', 'allowed-locations', 'kv-purge-protection', 'kv-public-network'],
        assignedBy: 'this stack',
      },
      subscriptionControls: { ownedByThisStack: true, note: 'this stack owns the Defender for AI plan and the Activity Log diagnostic setting of the subscription' },
      defenderForAi: true,
      securityActionGroupId: 'contacts-action-group-id',
      modelAccess: 'open',
      misuseAlerts: {
        callerVolume: ['detection-caller-requests', 'detection-tokens'],
        interventions: ['detection-caller-interventions', 'detection-content-filter-blocks'],
        deniedCalls: ['detection-denied-calls', 'detection-unlisted-deployments'],
        availability: ['detection-latency-p99', 'detection-server-errors', 'detection-throttles'],
        tampering: [
          'detection-key-changes',
          'detection-tamper-model',
          'detection-tamper-audit',
          'detection-tamper-keys',
          'detection-tamper-network',
          'detection-tamper-alerting',
          'detection-tamper-subscription',
        ],
      },
      savedQueries: [
        'private-ai/prompt-injection/refusals-by-caller',
        'private-ai/prompt-injection/caller-activity',
        'private-ai/data-leakage/volume-by-caller',
        'private-ai/data-leakage/caller-activity',
        'private-ai/harmful-output/refusals-by-deployment',
        'private-ai/harmful-output/filter-changes',
        'private-ai/compromised-credentials/caller-activity',
        'private-ai/compromised-credentials/denied-calls',
        'private-ai/compromised-credentials/control-changes',
      ],
      privateDnsZonesCreated: true,
      privateDnsZones: [
        'privatelink.openai.azure.com',
        'privatelink.cognitiveservices.azure.com',
        'privatelink.services.ai.azure.com',
        'privatelink.vaultcore.azure.net',
        'privatelink.monitor.azure.com',
        'privatelink.oms.opinsights.azure.com',
        'privatelink.ods.opinsights.azure.com',
        'privatelink.agentsvc.azure-automation.net',
        'privatelink.blob.core.windows.net',
      ],
      privateDns: "the private DNS zones were created in the deployment's resource group and linked to the virtual network",
    });
    expect(Object.keys(result.outputs).filter((k) => /key(?!Vault|Version)|secret|password/i.test(k))).toEqual([]);
  });

  test('first deployment order: the account endpoint after every model deployment; keys granted before they are used', () => {
    for (const d of ['models-deployment-gpt-4o', 'models-deployment-text-embedding-3-large']) expect(waitsFor(result, 'models-pe-endpoint', d)).toBe(true);
    expect(waitsFor(result, 'models-account', 'keys-cmk-grant')).toBe(true);
    expect(waitsFor(result, 'archive-account', 'keys-cmk-grant')).toBe(true);
    expect(waitsFor(result, 'monitor-pe-endpoint', 'monitor-workspace')).toBe(true);
    // Policy assignments need their resource group to exist first.
    for (const a of result.ofType('azure-native:authorization:PolicyAssignment')) expect(waitsFor(result, a.name, 'network-rg')).toBe(true);
  });

  test('audit evidence is protected from pulumi destroy; nothing else is', () => {
    expect(result.resources.filter((r) => r.protect).map((r) => r.name).sort()).toEqual(['archive-account', 'archive-lock', 'audit-workspace']);
  });

  test('the model account is pinned to the key version Key Vault reports, and the project refreshes before every update so a rotation reaches it', () => {
    expect(result.outputs.accountKeyVersion).toMatch(/^[0-9a-f]{32}$/);
    expect(result.get('models-account').inputs).toMatchObject({ properties: { encryption: { keyVaultProperties: { keyVersion: result.outputs.accountKeyVersion } } } });
    const project = yaml.load(fs.readFileSync(path.join(path.dirname(stackFile), 'Pulumi.yaml'), 'utf8')) as { options?: { refresh?: string } };
    expect(project.options?.refresh).toBe('always');
  });

  test('policy assignments at the resource group, enforced; the subscription-wide controls owned by this stack', () => {
    for (const a of result.ofType('azure-native:authorization:PolicyAssignment')) {
      expect(a.inputs).toMatchObject({ scope: `/subscriptions/${PLACEHOLDER}/resourceGroups/example-corp-ai-swedencentral`, enforcementMode: 'Default' });
    }
    expect(result.ofType('azure-native:monitor:SubscriptionDiagnosticSetting')).toHaveLength(1);
    expect(result.get('defender-plan').inputs).toMatchObject({ pricingName: 'AI', pricingTier: 'Standard' });
  });
});

describe('the Azure program, other settings', () => {
  test('with DNS left to central policy: no zones, links or zone groups, and the outputs say what to register', async () => {
    const result = await run({ 'privateai:createPrivateDnsZones': false });
    for (const type of ['azure-native:privatedns:PrivateZone', 'azure-native:privatedns:VirtualNetworkLink', 'azure-native:network:PrivateDnsZoneGroup']) {
      expect(result.ofType(type)).toEqual([]);
    }
    expect(result.ofType('azure-native:network:PrivateEndpoint')).toHaveLength(3);
    expect(result.outputs.privateDnsZonesCreated).toBe(false);
    expect(result.outputs.privateDns).toMatch(/^no private DNS zones were created \(privateai:createPrivateDnsZones is false\): register the private endpoints of .*openai\.azure\.com.* in your central zones privatelink\.openai\.azure\.com/);
  });

  test('in an existing network: no VNet, subnets or NSGs, endpoints in the given subnet', async () => {
    const vnet = `/subscriptions/${PLACEHOLDER}/resourceGroups/hub/providers/Microsoft.Network/virtualNetworks/spoke`;
    const result = await run({
      'privateai:addressSpace': undefined,
      'privateai:privateEndpointSubnetPrefix': undefined,
      'privateai:applicationSubnetPrefix': undefined,
      'privateai:existingVirtualNetworkId': vnet,
      'privateai:existingPrivateEndpointSubnetId': `${vnet}/subnets/endpoints`,
    });
    for (const type of ['azure-native:network:VirtualNetwork', 'azure-native:network:Subnet', 'azure-native:network:NetworkSecurityGroup']) {
      expect(result.ofType(type)).toEqual([]);
    }
    expect(result.ofType('azure-native:network:PrivateEndpoint')).toHaveLength(3);
    for (const endpoint of result.ofType('azure-native:network:PrivateEndpoint')) expect(endpoint.inputs.subnet).toMatchObject({ id: `${vnet}/subnets/endpoints` });
    expect(result.ofType('azure-native:privatedns:VirtualNetworkLink')).toHaveLength(9);
    // A shared network keeps reaching Azure Monitor resources outside this scope.
    expect(result.get('monitor-scope').inputs.accessModeSettings).toMatchObject({ ingestionAccessMode: 'Open', queryAccessMode: 'Open' });
    for (const link of result.ofType('azure-native:privatedns:VirtualNetworkLink')) expect(link.inputs.virtualNetwork).toEqual({ id: vnet });
  });

  test('with central DNS: every endpoint registers in all of its zones in the central resource group', async () => {
    const rg = `/subscriptions/${PLACEHOLDER}/resourceGroups/dns-hub`;
    const result = await run({ 'privateai:createPrivateDnsZones': false, 'privateai:centralDnsZoneResourceGroupId': rg });
    expect(result.ofType('azure-native:privatedns:PrivateZone')).toEqual([]);
    const registered = result.ofType('azure-native:network:PrivateDnsZoneGroup').flatMap((g) => (g.inputs.privateDnsZoneConfigs as Array<{ privateDnsZoneId: string }>).map((c) => c.privateDnsZoneId));
    expect(registered.sort()).toEqual((result.outputs.privateDnsZones as string[]).map((z) => `${rg}/providers/Microsoft.Network/privateDnsZones/${z}`).sort());
    expect(result.outputs.privateDns).toContain(`registered their records in the central zones`);
  });

  test('another owner of the subscription-wide controls: no Defender plan and no Activity Log setting here, and the outputs say so', async () => {
    const result = await run({ 'privateai:manageSubscriptionControls': false });
    expect(result.ofType('azure-native:security:Pricing')).toEqual([]);
    expect(result.ofType('azure-native:monitor:SubscriptionDiagnosticSetting')).toEqual([]);
    // Role and policy changes are then watched in the resource group; the subscription's owner watches the rest.
    const tamperAlerts = result.ofType('azure-native:monitor:ActivityLogAlert').map((a) => a.name);
    expect(tamperAlerts).toContain('detection-tamper-access');
    expect(tamperAlerts).not.toContain('detection-tamper-subscription');
    expect(result.outputs).toMatchObject({ defenderForAi: false, subscriptionControls: { ownedByThisStack: false, note: expect.stringContaining('privateai:manageSubscriptionControls false') } });
  });

  test('an organisation that stages its policies assigns them without enforcement, at a management group', async () => {
    const mg = '/providers/Microsoft.Management/managementGroups/landing-zones';
    const result = await run({ 'privateai:policyAssignmentScope': mg }, orgWith((raw) => (raw.azure!.policyEnforcement = 'auditOnly')));
    const assignments = result.ofType('azure-native:authorization:PolicyAssignment');
    for (const a of assignments) expect(a.inputs).toMatchObject({ scope: mg, enforcementMode: 'DoNotEnforce' });
    expect(assignments.map((a) => a.name)).toContain('policy-rg-locations');
  });

  test('an organisation that does not lock audit retention gets an unlocked archive', async () => {
    const result = await run({}, orgWith((raw) => (raw.azure!.lockAuditRetention = false)));
    expect(result.get('archive-account').inputs.immutableStorageWithVersioning).toMatchObject({ immutabilityPolicy: { state: 'Unlocked' } });
    expect(result.outputs.auditArchiveLocked).toBe(false);
  });

  test('a new stack creates the archive unlocked, as Azure requires, and says how to lock it', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      const result = await run({ 'privateai:auditArchiveExists': false });
      expect(result.get('archive-account').inputs.immutableStorageWithVersioning).toMatchObject({ immutabilityPolicy: { state: 'Unlocked' } });
      expect(result.outputs.auditArchiveLocked).toBe(false);
      expect(warn).toHaveBeenCalledWith(
        'the audit archive is created with its immutability policy Unlocked, because Azure cannot create a Locked one; after this deployment succeeds, set privateai:auditArchiveExists true and run pulumi up again to lock it (azure.lockAuditRetention)',
      );
    } finally {
      warn.mockRestore();
    }
  });

  test('without model-user groups the program still plans, and warns', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      const result = await run({}, orgWith((raw) => (raw.sso.modelUsers.azure = [])));
      expect(result.ofType('azure-native:authorization:RoleAssignment').filter((a) => a.inputs.scope === 'models-account-id')).toEqual([]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^access: no Entra ID groups for model-users/), expect.anything());
    } finally {
      warn.mockRestore();
    }
  });
});
