import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import { DEFENDER_AI_PLAN } from '../../lib/azure/defender';
import { fleetAssignments, judgeAssignments, policyEnforcementMode, type FleetAssignments, type PolicyEnforcement } from '../../lib/azure/policy-assignments';
import { KEY_ROTATION_EVENTS } from '../../lib/azure/key-rotation-alerts';
import { arrayAt, configuredList, dependentsThrough, reportUnmet, shown, stringsAt, valueAt, waitsForResource, type Expectation } from '../pulumi/props';

/**
 * The Azure policy pack: the promises of the Azure program as CrossGuard rules. The array is
 * exported on its own so tests and the offline run (`npm run synth`) use it without starting
 * the analyzer server that `new PolicyPack` starts; `policies/azure/index.ts` only wires it.
 */

export const AZURE_TYPES = {
  account: 'azure-native:cognitiveservices:Account',
  deployment: 'azure-native:cognitiveservices:Deployment',
  raiPolicy: 'azure-native:cognitiveservices:RaiPolicy',
  vault: 'azure-native:keyvault:Vault',
  key: 'azure-native:keyvault:Key',
  privateEndpoint: 'azure-native:network:PrivateEndpoint',
  subnet: 'azure-native:network:Subnet',
  diagnosticSetting: 'azure-native:monitor:DiagnosticSetting',
  workspace: 'azure-native:operationalinsights:Workspace',
  roleAssignment: 'azure-native:authorization:RoleAssignment',
  storageAccount: 'azure-native:storage:StorageAccount',
  policyAssignment: 'azure-native:authorization:PolicyAssignment',
  systemTopic: 'azure-native:eventgrid:SystemTopic',
  eventSubscription: 'azure-native:eventgrid:SystemTopicEventSubscription',
  linkScope: 'azure-native:monitor:PrivateLinkScope',
  linkScopedResource: 'azure-native:monitor:PrivateLinkScopedResource',
  subscriptionDiagnosticSetting: 'azure-native:monitor:SubscriptionDiagnosticSetting',
  pricing: 'azure-native:security:Pricing',
} as const;

/** Built-in roles that grant everything, or the right to grant anything (Azure's fixed role ids). */
export const BROAD_ROLES: Readonly<Record<string, string>> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
};

/** Content filters each deployment's RAI policy must block, by source. */
export const REQUIRED_FILTERS: ReadonlyArray<{ name: string; source: 'Prompt' | 'Completion' }> = [
  { name: 'Jailbreak', source: 'Prompt' },
  { name: 'Indirect Attack', source: 'Prompt' },
  ...['Hate', 'Sexual', 'Violence', 'Selfharm'].flatMap((name) => [
    { name, source: 'Prompt' as const },
    { name, source: 'Completion' as const },
  ]),
];

/** The role definition GUID of a role assignment's inputs (the last segment of roleDefinitionId). */
export const roleIdOf = (props: Record<string, unknown>) => String(props.roleDefinitionId ?? '').split('/').pop() ?? '';

/** Whether a location is one of the allowed ones (Azure compares locations case-insensitively). */
export const isAllowedLocation = (location: string, allowed: readonly string[]) => allowed.map((a) => a.toLowerCase()).includes(location.toLowerCase());

export const aiAccountNoPublicAccess: ResourceValidationPolicy = {
  name: 'azure-ai-account-no-public-access',
  description: 'Azure OpenAI / AI Services accounts refuse public network access and deny by default.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.account) return;
    const access = valueAt(args.props, 'properties.publicNetworkAccess');
    if (access !== 'Disabled') report(`publicNetworkAccess is ${shown(access)}; set it to "Disabled" so the account is reached only through its private endpoint`);
    const action = valueAt(args.props, 'properties.networkAcls.defaultAction');
    if (action !== 'Deny') report(`networkAcls.defaultAction is ${shown(action)}; set it to "Deny"`);
    const outbound = valueAt(args.props, 'properties.restrictOutboundNetworkAccess');
    if (outbound !== true) report(`restrictOutboundNetworkAccess is ${shown(outbound)}; set it to true so the account cannot send data to arbitrary endpoints`);
  },
};

export const aiAccountNoLocalAuth: ResourceValidationPolicy = {
  name: 'azure-ai-account-no-local-auth',
  description: 'Azure OpenAI / AI Services accounts disable API keys; callers use Entra ID.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.account) return;
    const disabled = valueAt(args.props, 'properties.disableLocalAuth');
    if (disabled !== true) report(`disableLocalAuth is ${shown(disabled)}; set it to true so no shared API key can call the models`);
  },
};

export const aiAccountCustomerManagedKey: ResourceValidationPolicy = {
  name: 'azure-ai-account-customer-managed-key',
  description: 'Azure OpenAI / AI Services accounts encrypt with a customer-managed Key Vault key.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.account) return;
    const source = valueAt(args.props, 'properties.encryption.keySource');
    if (source !== 'Microsoft.KeyVault') {
      report(`encryption.keySource is ${shown(source)}; set it to "Microsoft.KeyVault" with keyVaultProperties naming the customer-managed key`);
      return;
    }
    for (const field of ['keyVaultUri', 'keyName', 'identityClientId']) {
      if (valueAt(args.props, `properties.encryption.keyVaultProperties.${field}`) === undefined) report(`encryption.keyVaultProperties.${field} is absent`);
    }
    const version = valueAt(args.props, 'properties.encryption.keyVaultProperties.keyVersion');
    if (typeof version !== 'string' || version === '') {
      report(`encryption.keyVaultProperties.keyVersion is ${shown(version)}; pin the key's current version: an Azure OpenAI / AI Services account does not follow a rotated key by itself`);
    }
  },
};

export const aiAccountNoUngovernedProjects: ResourceValidationPolicy = {
  name: 'azure-ai-account-no-ungoverned-projects',
  description: 'AI Services accounts do not allow Foundry projects, whose agents, connections and storage the blueprint does not govern.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.account) return;
    const allowed = valueAt(args.props, 'properties.allowProjectManagement');
    if (allowed === true) report('allowProjectManagement is true; set it to false: projects would bring agents, connections and storage that no network, key or audit control of the blueprint covers');
  },
};

export const privateEndpointAfterDeployments: StackValidationPolicy = {
  name: 'azure-model-endpoint-after-deployments',
  description: "A model account's private endpoint is created after all of its deployments, so the network provider no longer sees the account provisioning.",
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const account of args.resources.filter((r) => r.type === AZURE_TYPES.account)) {
      const deployments = dependentsThrough(args.resources, account, AZURE_TYPES.deployment, 'accountName');
      for (const endpoint of dependentsThrough(args.resources, account, AZURE_TYPES.privateEndpoint, 'privateLinkServiceConnections')) {
        const early = deployments.filter((d) => !waitsForResource(endpoint, d));
        if (early.length > 0) {
          report(
            `${endpoint.name} does not wait for ${early.map((d) => d.name).join(', ')}; on a new account Azure refuses the endpoint (AccountProvisioningStateInvalid ... Accepted): make it depend on the last deployment`,
            endpoint.urn,
          );
        }
      }
    }
  },
};

export const keyVaultHardened: ResourceValidationPolicy = {
  name: 'azure-key-vault-hardened',
  description: 'Key Vaults holding customer-managed keys use RBAC, purge protection and no public access.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.vault) return;
    const expectations: Expectation[] = [
      ['properties.enableRbacAuthorization', true, 'so access is granted by Entra ID roles, not vault access policies'],
      ['properties.enablePurgeProtection', true, 'so a deleted key cannot be purged before its retention ends'],
      ['properties.publicNetworkAccess', 'Disabled', 'so the vault is reached only through its private endpoint'],
      ['properties.networkAcls.defaultAction', 'Deny', 'so no network is allowed by default'],
    ];
    reportUnmet(args.props, expectations, report, (path) => path.replace('properties.', ''));
  },
};

export const keyRotation: ResourceValidationPolicy = {
  name: 'azure-key-rotation',
  description: 'Key Vault keys have a rotation policy that rotates them automatically.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.key) return;
    const rotates = arrayAt(args.props, 'properties.rotationPolicy.lifetimeActions').some(
      (a) => valueAt(a, 'action.type') === 'rotate' && (valueAt(a, 'trigger.timeAfterCreate') !== undefined || valueAt(a, 'trigger.timeBeforeExpiry') !== undefined),
    );
    if (!rotates) report('rotationPolicy has no lifetime action of type "rotate" with a trigger; add one (e.g. timeAfterCreate "P1Y")');
  },
};

export const privateEndpointPresent: StackValidationPolicy = {
  name: 'azure-private-endpoint-present',
  description: 'Every model account and Key Vault is served by a private endpoint in the stack.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    const targets = args.resources.filter((r) => r.type === AZURE_TYPES.account || r.type === AZURE_TYPES.vault);
    for (const target of targets) {
      const groupId = target.type === AZURE_TYPES.account ? 'account' : 'vault';
      const endpoints = dependentsThrough(args.resources, target, AZURE_TYPES.privateEndpoint, 'privateLinkServiceConnections').filter((pe) =>
        arrayAt(pe.props, 'privateLinkServiceConnections').some((c) => stringsAt(c, 'groupIds').includes(groupId)),
      );
      if (endpoints.length === 0) report(`${target.name} has no private endpoint with group id "${groupId}" in this stack; add a PrivateEndpoint whose privateLinkServiceConnections name it`, target.urn);
    }
  },
};

/** Log categories each resource type must send to Log Analytics. */
export const REQUIRED_CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  [AZURE_TYPES.account]: ['Audit', 'RequestResponse'],
  [AZURE_TYPES.vault]: ['AuditEvent'],
};

export const diagnosticsPresent: StackValidationPolicy = {
  name: 'azure-diagnostics-present',
  description: 'Model accounts and Key Vaults send their audit and request logs to a Log Analytics workspace.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const target of args.resources.filter((r) => REQUIRED_CATEGORIES[r.type])) {
      const settings = dependentsThrough(args.resources, target, AZURE_TYPES.diagnosticSetting, 'resourceUri').filter((d) => d.props.workspaceId !== undefined);
      const enabled = new Set(settings.flatMap((d) => arrayAt(d.props, 'logs').filter((l) => l.enabled === true).map((l) => String(l.category ?? l.categoryGroup))));
      const missing = REQUIRED_CATEGORIES[target.type].filter((c) => !enabled.has(c) && !enabled.has('allLogs'));
      if (settings.length === 0) report(`${target.name} has no diagnostic setting sending to a Log Analytics workspace`, target.urn);
      else if (missing.length > 0) report(`${target.name}'s diagnostic settings do not enable ${missing.join(', ')}`, target.urn);
    }
  },
};

export const workspacePrivate: StackValidationPolicy = {
  name: 'azure-log-workspace-private',
  description: 'The audit workspace refuses public ingestion and queries and is reached through an Azure Monitor private link scope with a private endpoint.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const w of args.resources.filter((r) => r.type === AZURE_TYPES.workspace)) {
      for (const key of ['publicNetworkAccessForIngestion', 'publicNetworkAccessForQuery']) {
        if (w.props[key] !== 'Disabled') report(`${w.name}: ${key} is ${shown(w.props[key])}; set it to "Disabled" so audit data travels only through the private link scope`, w.urn);
      }
      const scoped = dependentsThrough(args.resources, w, AZURE_TYPES.linkScopedResource, 'linkedResourceId');
      const scopes = args.resources.filter((s) => s.type === AZURE_TYPES.linkScope && scoped.some((r) => (r.propertyDependencies.scopeName ?? []).some((d) => d.urn === s.urn)));
      const served = scopes.some((s) => dependentsThrough(args.resources, s, AZURE_TYPES.privateEndpoint, 'privateLinkServiceConnections').length > 0);
      if (!served) report(`${w.name} is in no Azure Monitor private link scope with a private endpoint; add it to one (PrivateLinkScopedResource) and connect the scope to the network`, w.urn);
    }
  },
};

export const workspaceNoLocalAuth: ResourceValidationPolicy = {
  name: 'azure-log-workspace-no-local-auth',
  description: 'The audit Log Analytics workspace accepts Entra ID only, not shared workspace keys.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.workspace) return;
    const disabled = valueAt(args.props, 'features.disableLocalAuth');
    if (disabled !== true) report(`features.disableLocalAuth is ${shown(disabled)}; set it to true so logs are read and written with Entra ID only`);
  },
};

export const contentFilterOnEveryDeployment: StackValidationPolicy = {
  name: 'azure-content-filter-on-every-deployment',
  description: 'Every model deployment names a content-filter (RAI) policy of the stack that blocks jailbreaks, indirect attacks and harmful content.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    const raiPolicies = args.resources.filter((r) => r.type === AZURE_TYPES.raiPolicy);
    for (const deployment of args.resources.filter((r) => r.type === AZURE_TYPES.deployment)) {
      const name = valueAt(deployment.props, 'properties.raiPolicyName');
      if (typeof name !== 'string') {
        report(`deployment ${deployment.name} names no raiPolicyName; reference the stack's content-filter policy`, deployment.urn);
        continue;
      }
      const policy = raiPolicies.find((p) => p.props.raiPolicyName === name && p.props.accountName === deployment.props.accountName);
      if (!policy) {
        report(`deployment ${deployment.name} uses raiPolicyName ${JSON.stringify(name)}, which is not a RaiPolicy of this stack on the same account`, deployment.urn);
        continue;
      }
      const filters = arrayAt(policy.props, 'properties.contentFilters');
      const missing = REQUIRED_FILTERS.filter((f) => !filters.some((c) => c.name === f.name && c.source === f.source && c.enabled === true && c.blocking === true));
      if (missing.length > 0) report(`deployment ${deployment.name}: content filter ${name} does not block ${missing.map((f) => `${f.name} (${f.source})`).join(', ')}`, deployment.urn);
    }
  },
};

export const deploymentVersionPinned: ResourceValidationPolicy = {
  name: 'azure-deployment-version-pinned',
  description: 'Model deployments pin a model version and never upgrade it automatically.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.deployment) return;
    const version = valueAt(args.props, 'properties.model.version');
    if (typeof version !== 'string' || version === '') report(`model.version is ${shown(version)}; pin an explicit model version`);
    const upgrade = valueAt(args.props, 'properties.versionUpgradeOption');
    if (upgrade !== 'NoAutoUpgrade') report(`versionUpgradeOption is ${shown(upgrade)}; set it to "NoAutoUpgrade"`);
  },
};

export const groupRoleAssignmentsOnly: ResourceValidationPolicy = {
  name: 'azure-group-role-assignments-only',
  description: 'Roles go to Entra groups (or managed identities), never to individual users, and never Owner, Contributor or User Access Administrator.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.roleAssignment) return;
    const principalType = args.props.principalType;
    if (principalType !== 'Group' && principalType !== 'ServicePrincipal') {
      report(`principalType is ${shown(principalType)}; assign roles to an Entra group ("Group") or a managed identity ("ServicePrincipal")`);
    }
    const roleId = roleIdOf(args.props);
    if (BROAD_ROLES[roleId]) report(`role ${BROAD_ROLES[roleId]} (${roleId}) grants more than model access needs; use a narrower built-in role`);
  },
};

export const subnetNoDefaultOutbound: ResourceValidationPolicy = {
  name: 'azure-subnet-no-default-outbound',
  description: 'Subnets have no default outbound internet access.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.subnet) return;
    if (args.props.defaultOutboundAccess !== false) report(`defaultOutboundAccess is ${shown(args.props.defaultOutboundAccess)}; set it to false so workloads have no implicit internet route`);
  },
};

export const storageHardened: ResourceValidationPolicy = {
  name: 'azure-storage-hardened',
  description: 'Storage accounts take Entra ID only, refuse anonymous and plain-text access, deny every network by default and encrypt with a customer-managed key.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.storageAccount) return;
    reportUnmet(
      args.props,
      [
        ['allowSharedKeyAccess', false, 'so no account key or SAS signed with one can read or delete data'],
        ['allowBlobPublicAccess', false, 'so no container can be made anonymous'],
        ['enableHttpsTrafficOnly', true, 'so plain HTTP is refused'],
        ['minimumTlsVersion', 'TLS1_2', 'so TLS 1.0 and 1.1 are refused'],
        ['encryption.keySource', 'Microsoft.Keyvault', 'with keyVaultProperties naming the customer-managed key'],
      ],
      report,
    );
    const closed = args.props.publicNetworkAccess === 'Disabled' || valueAt(args.props, 'networkRuleSet.defaultAction') === 'Deny';
    if (!closed) report(`publicNetworkAccess is ${shown(args.props.publicNetworkAccess)} and networkRuleSet.defaultAction is ${shown(valueAt(args.props, 'networkRuleSet.defaultAction'))}; deny every network by default`);
  },
};

export const auditArchiveImmutable: StackValidationPolicy = {
  name: 'azure-audit-archive-immutable',
  description: 'Diagnostic settings also send the audit logs to a storage account whose blobs are immutable (WORM) for a retention period.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    const settings = args.resources.filter((r) => r.type === AZURE_TYPES.diagnosticSetting);
    const archives = args.resources.filter((r) => r.type === AZURE_TYPES.storageAccount && settings.some((d) => (d.propertyDependencies.storageAccountId ?? []).some((t) => t.urn === r.urn)));
    // An archive's own logs cannot go into itself (Azure refuses: every write would log a write).
    const ofAnArchive = (d: (typeof settings)[number]) => archives.some((a) => (d.propertyDependencies.resourceUri ?? []).some((t) => t.urn === a.urn));
    for (const d of settings.filter((x) => x.props.storageAccountId === undefined && !ofAnArchive(x))) {
      report(`diagnostic setting ${d.name} sends to no storage archive; set storageAccountId to the immutable audit archive`, d.urn);
    }
    for (const account of archives) {
      const policy = valueAt(account.props, 'immutableStorageWithVersioning.immutabilityPolicy');
      const problems = [
        valueAt(account.props, 'immutableStorageWithVersioning.enabled') === true ? undefined : 'immutableStorageWithVersioning.enabled is not true',
        typeof valueAt(policy, 'immutabilityPeriodSinceCreationInDays') === 'number' ? undefined : 'immutabilityPolicy.immutabilityPeriodSinceCreationInDays is absent',
        valueAt(policy, 'state') === 'Locked' || valueAt(policy, 'state') === 'Unlocked' ? undefined : `immutabilityPolicy.state is ${shown(valueAt(policy, 'state'))}`,
        valueAt(policy, 'allowProtectedAppendWrites') === true ? undefined : 'immutabilityPolicy.allowProtectedAppendWrites is not true, so diagnostic logs (append blobs) cannot be written',
      ].filter((p): p is string => p !== undefined);
      if (problems.length > 0) report(`audit archive ${account.name}: ${problems.join('; ')}`, account.urn);
    }
  },
};

export const auditArchiveLocked: ResourceValidationPolicy = {
  name: 'azure-audit-archive-locked',
  description: "The audit archive's immutability policy is locked, so its retention cannot be shortened nor the policy removed.",
  enforcementLevel: 'advisory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.storageAccount) return;
    const state = valueAt(args.props, 'immutableStorageWithVersioning.immutabilityPolicy.state');
    if (state === 'Unlocked') report('the immutability policy is Unlocked: an administrator can still shorten or remove it; lock it (azure.lockAuditRetention, then privateai:auditArchiveExists after the first deployment)');
  },
};

/** Locations that are not a region: private DNS zones and their links are global by design. */
const NON_REGIONAL = new Set(['global']);

export const allowedLocations: ResourceValidationPolicy = {
  name: 'azure-allowed-locations',
  description: 'Resources are created only in the locations the data-residency policy allows.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: { allowedLocations: { type: 'array', items: { type: 'string' }, minItems: 1 } },
    required: ['allowedLocations'],
  },
  validateResource: (args, report) => {
    const location = args.props.location;
    if (typeof location !== 'string' || NON_REGIONAL.has(location.toLowerCase())) return;
    const allowed = configuredList(args.getConfig<Record<string, unknown>>(), 'allowedLocations', 'azure-allowed-locations');
    if (!isAllowedLocation(location, allowed)) report(`location ${location} is not allowed by data residency policy; allowed: ${allowed.join(', ')} (config: azure.allowedLocations)`);
  },
};

export const policyGuardrailsAssigned: StackValidationPolicy = {
  name: 'azure-policy-guardrails-assigned',
  description: "Microsoft's built-in Azure Policy definitions for AI Services, Key Vault and locations are assigned, so the controls hold for changes made outside Pulumi.",
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: {
      allowedLocations: { type: 'array', items: { type: 'string' }, minItems: 1 },
      enforcement: { type: 'string', enum: ['Default', 'DoNotEnforce'] },
      // azure.managementGroup as this stack sees it (fleetAssignments).
      fleet: {
        type: 'object',
        properties: { scope: { type: 'string' }, ownerStack: { type: 'string' }, owner: { type: 'boolean' } },
        required: ['scope', 'ownerStack', 'owner'],
      },
    },
    required: ['allowedLocations', 'enforcement'],
  },
  validateStack: (args, report) => {
    const config = args.getConfig<Record<string, unknown>>();
    const allowed = configuredList(config, 'allowedLocations', 'azure-policy-guardrails-assigned');
    const assignments = args.resources.filter((r) => r.type === AZURE_TYPES.policyAssignment);
    const { scopeProblems, judgements } = judgeAssignments(assignments.map((a) => a.props), allowed, config.enforcement as PolicyEnforcement, config.fleet as FleetAssignments | undefined);
    for (const { index, problem } of scopeProblems) report(`${assignments[index].name}: ${problem}`, assignments[index].urn);
    for (const { index, problems } of judgements) {
      const found = index === undefined ? undefined : assignments[index];
      for (const problem of problems) {
        if (found) report(`${found.name}: ${problem}`, found.urn);
        else report(problem);
      }
    }
  },
};

export const keyRotationAlerted: StackValidationPolicy = {
  name: 'azure-key-rotation-alerted',
  description: 'Every Key Vault raises an Azure Monitor alert, to an action group, for a new key version and before a key expires, so a pinned account is moved on in time.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const vault of args.resources.filter((r) => r.type === AZURE_TYPES.vault)) {
      const topics = dependentsThrough(args.resources, vault, AZURE_TYPES.systemTopic, 'source');
      const subscriptions = topics.flatMap((t) => dependentsThrough(args.resources, t, AZURE_TYPES.eventSubscription, 'systemTopicName'));
      for (const event of KEY_ROTATION_EVENTS) {
        const alerting = subscriptions.filter(
          (s) => stringsAt(s.props, 'filter.includedEventTypes').includes(event.eventType) && valueAt(s.props, 'destination.endpointType') === 'MonitorAlert',
        );
        if (alerting.length === 0) report(`${vault.name}: no event subscription turns ${event.eventType} into an Azure Monitor alert`, vault.urn);
        else if (!alerting.some((s) => arrayAt(s.props, 'destination.actionGroups').length > 0)) {
          report(`${vault.name}: the ${event.eventType} alert notifies no action group; list contacts in securityContacts.emails`, vault.urn);
        }
      }
    }
  },
};

export const defenderForAiStandard: ResourceValidationPolicy = {
  name: 'azure-defender-for-ai-standard',
  description: "Where the stack sets the subscription's Defender for Cloud AI workloads plan, it is on (Standard).",
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== AZURE_TYPES.pricing || args.props.pricingName !== DEFENDER_AI_PLAN) return;
    if (args.props.pricingTier !== 'Standard') report(`pricingTier is ${shown(args.props.pricingTier)}; set it to "Standard" so Defender for Cloud detects attacks on the AI workloads`);
  },
};

/** Every Azure policy, in the order the report lists them. */
export const azurePolicies: Policies = [
  aiAccountNoPublicAccess,
  aiAccountNoLocalAuth,
  aiAccountCustomerManagedKey,
  aiAccountNoUngovernedProjects,
  privateEndpointPresent,
  privateEndpointAfterDeployments,
  diagnosticsPresent,
  contentFilterOnEveryDeployment,
  deploymentVersionPinned,
  keyVaultHardened,
  keyRotation,
  workspaceNoLocalAuth,
  workspacePrivate,
  groupRoleAssignmentsOnly,
  subnetNoDefaultOutbound,
  storageHardened,
  auditArchiveImmutable,
  auditArchiveLocked,
  allowedLocations,
  policyGuardrailsAssigned,
  keyRotationAlerted,
  defenderForAiStandard,
];

/** The policy configuration the pack needs, from the organisation config. */
export function azurePolicyConfig(
  azure: {
    readonly allowedLocations: readonly string[];
    readonly policyEnforcement: 'enforced' | 'auditOnly';
    readonly managementGroup?: { readonly id: string; readonly ownerStack: string };
  },
  stack: string,
): Record<string, Record<string, unknown>> {
  const allowed = azure.allowedLocations;
  const fleet = fleetAssignments(azure.managementGroup, stack);
  return {
    [allowedLocations.name]: { allowedLocations: [...allowed] },
    [policyGuardrailsAssigned.name]: { allowedLocations: [...allowed], enforcement: policyEnforcementMode(azure.policyEnforcement), ...(fleet ? { fleet } : {}) },
  };
}
