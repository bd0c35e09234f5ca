import type { OrgConfig } from '../../lib/config';
import { SIGNAL_TAG_KEY, signalOf } from '../../lib/config/detection';
import { waitsFor, type Plan, type PlanResource } from '../../lib/pulumi/plan';
import { DEFENDER_AI_PLAN } from '../../lib/azure/defender';
import { KEY_ROTATION_EVENTS } from '../../lib/azure/key-rotation-alerts';
import { GET_MANAGEMENT_GROUP } from '../../lib/azure/plan-answers';
import { fleetAssignments, judgeAssignments, policyEnforcementMode, subscriptionIsBelow, type BuiltInPolicyKey, type ManagementGroupChild } from '../../lib/azure/policy-assignments';
import { BUILT_IN_ROLES } from '../../lib/azure/roles';
import { AZURE_TYPES, BROAD_ROLES, isAllowedLocation, REQUIRED_CATEGORIES, REQUIRED_FILTERS, roleIdOf } from '../azure/policies';
import { arrayAt, stringsAt, valueAt } from '../pulumi/props';
import { statusOf, type CloudSection, type ControlResult, type Evidence } from './model';
import { misuseEvidence, MISUSE_NOTE, type AlertSeen } from './misuse';
import { PlanIndex } from './plan-index';

const T = {
  ...AZURE_TYPES,
  lock: 'azure-native:authorization:ManagementLockByScope',
  nsg: 'azure-native:network:NetworkSecurityGroup',
  privateZone: 'azure-native:privatedns:PrivateZone',
  zoneLink: 'azure-native:privatedns:VirtualNetworkLink',
} as const;

const ROLE_NAMES: Record<string, string> = Object.fromEntries(
  [...Object.values(BUILT_IN_ROLES).map((r) => [r.id, r.name]), ...Object.entries(BROAD_ROLES)],
);

/** Deployment SKUs that may process prompts outside the deployment's geography. */
const GLOBAL_SKUS = ['GlobalStandard', 'GlobalProvisionedManaged', 'GlobalBatch'];

/** The control each built-in Azure Policy assignment keeps in place outside Pulumi. */
const POLICY_CONTROL: Readonly<Record<BuiltInPolicyKey, string>> = {
  'ai-local-auth': 'sso-no-keys',
  'ai-network-acls': 'private-path',
  'ai-private-link': 'private-path',
  'kv-public-network': 'private-path',
  'ai-cmk': 'encryption-cmk',
  'kv-purge-protection': 'encryption-cmk',
  'ai-diagnostic-logs': 'audited',
  'allowed-locations': 'data-residency',
  'rg-locations': 'data-residency',
};

/** Evaluates the checklist over the offline plan of the Azure program. */
export function evaluateAzure(plan: Plan, config: OrgConfig): CloudSection {
  const ix = new PlanIndex(plan);
  const accounts = ix.ofType(T.account);
  const vaults = ix.ofType(T.vault);
  const archives = ix.ofType(T.storageAccount);
  const deployments = ix.ofType(T.deployment);
  const assignments = ix.ofType(T.roleAssignment);
  const results: ControlResult[] = [];
  const add = (control: string, evidence: Evidence[], note?: string) => results.push({ control, status: statusOf(evidence), evidence, note });
  const required = (type: string, found: PlanResource[], what: string) => (found.length === 0 ? [ix.missing(type, what)] : []);
  // Azure Policy assignments that keep each control outside Pulumi, judged as the pack judges them.
  const policyAssignments = ix.ofType(T.policyAssignment);
  const fleet = fleetAssignments(config.azure?.managementGroup, plan.stack);
  const judged = judgeAssignments(
    policyAssignments.map((a) => a.inputs),
    config.azure?.allowedLocations ?? [],
    policyEnforcementMode(config.azure?.policyEnforcement ?? 'enforced'),
    fleet,
  );
  // An assignment at a scope that is no scope ID guards nothing: every control it serves says so.
  const unreadableScopes = judged.scopeProblems.map(({ index, problem }) => ix.evidence(policyAssignments[index], 'scope', problem, false));
  // The fleet's assignments guard this stack only if its subscription is below the group.
  const membership = fleet ? [fleetMembership(plan, config.azure!.managementGroup!.id)] : [];
  const guardedBy = (control: string): Evidence[] => [
    ...membership,
    ...unreadableScopes,
    ...judged.judgements
      .filter((j) => POLICY_CONTROL[j.policy.key as BuiltInPolicyKey] === control)
      .map(({ policy, index, inherited, problems }) => {
        // Made by the fleet's owner stack, whose own plan and report show the assignment.
        if (inherited) return { resource: `${inherited.ownerStack} (azure.managementGroup)`, type: T.policyAssignment, property: `"${policy.displayName}"`, value: `assigned at ${inherited.scope} by stack ${inherited.ownerStack}`, ok: true };
        if (index === undefined) return ix.missing(T.policyAssignment, problems[0]);
        const found = policyAssignments[index];
        return ix.evidence(found, `"${policy.displayName}"`, problems.length === 0 ? `${String(valueAt(found.inputs, 'parameters.effect.value'))}, ${String(found.inputs.enforcementMode)}` : problems.join('; '), problems.length === 0);
      }),
  ];
  // A subscription's Defender plan and Activity Log setting belong to one stack; another may own them.
  const subscriptionControls = (plan.outputs.subscriptionControls ?? { ownedByThisStack: true, note: '' }) as { ownedByThisStack: boolean; note: string };
  const subscriptionOwned = subscriptionControls.ownedByThisStack;

  // private-path
  {
    const e: Evidence[] = [...required(T.account, accounts, 'no model account')];
    for (const a of accounts) {
      e.push(ix.check(a, 'properties.publicNetworkAccess', (v) => v === 'Disabled'));
      e.push(ix.check(a, 'properties.networkAcls.defaultAction', (v) => v === 'Deny'));
      e.push(ix.check(a, 'properties.restrictOutboundNetworkAccess', (v) => v === true));
    }
    for (const v of vaults) e.push(ix.check(v, 'properties.publicNetworkAccess', (x) => x === 'Disabled'));
    for (const s of archives) {
      const closed = s.inputs.publicNetworkAccess === 'Disabled' || (valueAt(s.inputs, 'networkRuleSet.defaultAction') === 'Deny' && arrayAt(s.inputs, 'networkRuleSet.ipRules').length === 0 && arrayAt(s.inputs, 'networkRuleSet.virtualNetworkRules').length === 0);
      e.push(ix.evidence(s, 'networkRuleSet', closed ? `deny all; bypass ${String(valueAt(s.inputs, 'networkRuleSet.bypass'))}` : valueAt(s.inputs, 'networkRuleSet'), closed));
    }
    for (const target of [...accounts, ...vaults]) {
      const groupId = target.type === T.account ? 'account' : 'vault';
      const endpoints = ix.dependents(target, T.privateEndpoint, 'privateLinkServiceConnections');
      const served = endpoints.filter((pe) => arrayAt(pe.inputs, 'privateLinkServiceConnections').some((c) => stringsAt(c, 'groupIds').includes(groupId)));
      e.push(served.length > 0 ? ix.evidence(served[0], `privateLinkServiceConnections → ${target.name}`, groupId, true) : ix.evidence(target, 'private endpoint', 'none', false));
    }
    for (const s of ix.ofType(T.subnet)) e.push(ix.check(s, 'defaultOutboundAccess', (v) => v === false));
    for (const z of ix.ofType(T.privateZone)) {
      const linked = ix.dependents(z, T.zoneLink, 'privateZoneName').some((l) => l.inputs.registrationEnabled === false);
      e.push(ix.evidence(z, 'linked to the virtual network', z.inputs.privateZoneName, linked));
    }
    for (const a of accounts) {
      const deploymentsOf = ix.dependents(a, T.deployment, 'accountName');
      for (const pe of ix.dependents(a, T.privateEndpoint, 'privateLinkServiceConnections')) {
        const early = deploymentsOf.filter((d) => !waitsFor(plan, pe.name, d.name));
        e.push(ix.evidence(pe, 'created after the model deployments', early.length === 0 ? `after ${deploymentsOf.map((d) => d.name).join(', ')}` : `not after ${early.map((d) => d.name).join(', ')}`, early.length === 0));
      }
    }
    for (const w of ix.ofType(T.workspace)) {
      e.push(ix.check(w, 'publicNetworkAccessForIngestion', (v) => v === 'Disabled'));
      e.push(ix.check(w, 'publicNetworkAccessForQuery', (v) => v === 'Disabled'));
      const scoped = ix.dependents(w, T.linkScopedResource, 'linkedResourceId');
      const scopes = ix.ofType(T.linkScope).filter((s) => scoped.some((r) => (r.propertyDependencies?.scopeName ?? []).includes(s.name)));
      const endpoints = scopes.flatMap((s) => ix.dependents(s, T.privateEndpoint, 'privateLinkServiceConnections'));
      e.push(endpoints.length > 0 ? ix.evidence(endpoints[0], `private link scope of ${w.name}`, String(valueAt(scopes[0].inputs, 'accessModeSettings.queryAccessMode')), true) : ix.evidence(w, 'private link scope with an endpoint', 'none', false));
    }
    e.push(...guardedBy('private-path'));
    const note = plan.outputs.privateDnsZonesCreated === false ? String(plan.outputs.privateDns) : undefined;
    add('private-path', e, note);
  }

  // sso-no-keys
  {
    const e: Evidence[] = [];
    for (const a of accounts) e.push(ix.check(a, 'properties.disableLocalAuth', (v) => v === true));
    for (const w of ix.ofType(T.workspace)) e.push(ix.check(w, 'features.disableLocalAuth', (v) => v === true));
    for (const s of archives) e.push(ix.check(s, 'allowSharedKeyAccess', (v) => v === false));
    for (const r of assignments) e.push(ix.check(r, 'principalType', (v) => v === 'Group' || v === 'ServicePrincipal'));
    if (!assignments.some((r) => r.inputs.principalType === 'Group')) e.push(ix.missing(T.roleAssignment, 'no role for an Entra group'));
    e.push(...guardedBy('sso-no-keys'));
    add('sso-no-keys', e, 'Managed identities (ServicePrincipal) hold the customer-managed key grant; people get roles only through Entra groups.');
  }

  // least-privilege
  {
    const e: Evidence[] = [];
    for (const r of assignments) {
      const id = roleIdOf(r.inputs);
      e.push(ix.evidence(r, 'roleDefinitionId', ROLE_NAMES[id] ?? id, !BROAD_ROLES[id]));
    }
    for (const v of vaults) e.push(ix.check(v, 'properties.enableRbacAuthorization', (x) => x === true));
    // Foundry projects would bring agents, connections and storage outside every control here.
    for (const a of accounts) e.push(ix.check(a, 'properties.allowProjectManagement', (v) => v !== true));
    add('least-privilege', e);
  }

  // encryption-cmk
  {
    const e: Evidence[] = [];
    for (const a of accounts) e.push(ix.check(a, 'properties.encryption.keySource', (v) => v === 'Microsoft.KeyVault'));
    for (const s of archives) e.push(ix.check(s, 'encryption.keySource', (v) => v === 'Microsoft.Keyvault' || v === 'Microsoft.KeyVault'));
    const keys = ix.ofType(T.key);
    e.push(...required(T.key, keys, 'no customer-managed key'));
    for (const k of keys) {
      const rotate = arrayAt(k.inputs, 'properties.rotationPolicy.lifetimeActions').find((a) => valueAt(a, 'action.type') === 'rotate');
      e.push(ix.evidence(k, 'rotationPolicy rotate', valueAt(rotate, 'trigger') ?? 'none', rotate !== undefined));
    }
    for (const v of vaults) e.push(ix.check(v, 'properties.enablePurgeProtection', (x) => x === true));
    // An account does not follow a rotated key: it is pinned, moved on by the next (refreshing) pulumi up, and someone is told when to run it.
    for (const a of accounts) e.push(ix.check(a, 'properties.encryption.keyVaultProperties.keyVersion', (v) => typeof v === 'string' && v !== ''));
    for (const v of vaults) {
      const subscriptions = ix.dependents(v, T.systemTopic, 'source').flatMap((t) => ix.dependents(t, T.eventSubscription, 'systemTopicName'));
      for (const event of KEY_ROTATION_EVENTS) {
        const alert = subscriptions.find((s) => stringsAt(s.inputs, 'filter.includedEventTypes').includes(event.eventType) && valueAt(s.inputs, 'destination.endpointType') === 'MonitorAlert');
        e.push(alert ? ix.evidence(alert, event.eventType, `${event.severity} alert to ${arrayAt(alert.inputs, 'destination.actionGroups').length} action group(s)`, arrayAt(alert.inputs, 'destination.actionGroups').length > 0) : ix.evidence(v, `${event.eventType} alert`, 'none', false));
      }
    }
    e.push(...guardedBy('encryption-cmk'));
    add('encryption-cmk', e, 'The model account is pinned to the key version Pulumi last read; the project refreshes before every update, so the pulumi up that the new-version alert asks for moves it on. Azure Storage follows the key by itself.');
  }

  // tls-in-transit
  {
    const e: Evidence[] = [];
    for (const s of archives) {
      e.push(ix.check(s, 'minimumTlsVersion', (v) => v === 'TLS1_2' || v === 'TLS1_3'));
      e.push(ix.check(s, 'enableHttpsTrafficOnly', (v) => v === true));
    }
    for (const n of ix.ofType(T.nsg)) {
      const allows = arrayAt(n.inputs, 'securityRules').filter((r) => r.access === 'Allow' && r.direction === 'Inbound');
      e.push(ix.evidence(n, 'inbound Allow rules', allows.map((r) => `${r.protocol}/${r.destinationPortRange}`).join(', ') || 'none', allows.every((r) => r.destinationPortRange === '443' && r.protocol === 'Tcp')));
    }
    for (const key of ['openAiEndpoint', 'aiServicesEndpoint', 'keyVaultUri']) {
      const url = plan.outputs[key];
      if (typeof url === 'string') e.push({ resource: `${plan.stack}/outputs.${key}`, type: 'stack output', property: 'scheme', value: url, ok: url.startsWith('https://') });
    }
    add('tls-in-transit', e, 'Azure OpenAI, AI Services and Key Vault accept TLS 1.2 or later only; the private-endpoint subnet admits HTTPS alone.');
  }

  // audited
  {
    const e: Evidence[] = [];
    for (const target of plan.resources.filter((r) => REQUIRED_CATEGORIES[r.type])) {
      const categories = REQUIRED_CATEGORIES[target.type];
      const settings = ix.dependents(target, T.diagnosticSetting, 'resourceUri');
      const enabled = new Set(settings.flatMap((d) => arrayAt(d.inputs, 'logs').filter((l) => l.enabled === true).map((l) => String(l.category ?? l.categoryGroup))));
      const ok = settings.length > 0 && categories.every((c) => enabled.has(c) || enabled.has('allLogs'));
      e.push(settings.length > 0 ? ix.evidence(settings[0], `logs of ${target.name}`, [...enabled].join(', '), ok) : ix.evidence(target, 'diagnostic setting', 'none', false));
      for (const d of settings) {
        e.push(ix.evidence(d, 'workspaceId', d.inputs.workspaceId ? 'Log Analytics workspace' : undefined, d.inputs.workspaceId !== undefined));
        if (archives.length > 0) e.push(ix.evidence(d, 'storageAccountId', d.inputs.storageAccountId ? 'immutable archive' : undefined, d.inputs.storageAccountId !== undefined));
      }
    }
    for (const w of ix.ofType(T.workspace)) e.push(ix.check(w, 'retentionInDays', (v) => typeof v === 'number' && v >= Math.min(config.logging.retentionDays, 730)));
    // The archive's own access, to the workspace (never into itself).
    for (const s of archives) {
      const own = ix.dependents(s, T.diagnosticSetting, 'resourceUri').filter((d) => arrayAt(d.inputs, 'logs').some((l) => l.enabled === true));
      e.push(own.length > 0 ? ix.evidence(own[0], `logs of ${s.name}`, arrayAt(own[0].inputs, 'logs').map((l) => String(l.category)).join(', '), own[0].inputs.workspaceId !== undefined) : ix.evidence(s, 'diagnostic setting of its blob service', 'none', false));
    }
    const activityLog = ix.ofType(T.subscriptionDiagnosticSetting);
    if (subscriptionOwned) {
      e.push(activityLog.length > 0 ? ix.evidence(activityLog[0], 'Activity Log categories', arrayAt(activityLog[0].inputs, 'logs').filter((l) => l.enabled === true).length, activityLog[0].inputs.workspaceId !== undefined) : ix.missing(T.subscriptionDiagnosticSetting, 'no Activity Log diagnostic setting'));
    }
    e.push(...guardedBy('audited'));
    add('audited', e, `${subscriptionOwned ? '' : `${subscriptionControls.note}. `}Request records hold caller, deployment, status and token counts; prompt and completion text is not logged by Azure diagnostics.`);
  }

  // immutable-retention
  {
    const e: Evidence[] = [...required(T.storageAccount, archives, 'no immutable audit archive')];
    for (const s of archives) {
      const policy = valueAt(s.inputs, 'immutableStorageWithVersioning.immutabilityPolicy');
      const days = valueAt(policy, 'immutabilityPeriodSinceCreationInDays');
      e.push(ix.check(s, 'immutableStorageWithVersioning.enabled', (v) => v === true));
      e.push(ix.evidence(s, 'immutabilityPolicy.immutabilityPeriodSinceCreationInDays', days, typeof days === 'number' && days >= config.logging.auditRetentionDays));
      e.push(ix.evidence(s, 'immutabilityPolicy.state', valueAt(policy, 'state'), valueAt(policy, 'state') === 'Locked'));
      const locks = ix.dependents(s, T.lock, 'scope').filter((l) => l.inputs.level === 'CanNotDelete');
      e.push(locks.length > 0 ? ix.evidence(locks[0], 'level', 'CanNotDelete', true) : ix.evidence(s, 'delete lock', 'none', false));
    }
    for (const v of vaults) e.push(ix.check(v, 'properties.softDeleteRetentionInDays', (x) => typeof x === 'number' && x >= 90));
    add('immutable-retention', e, `Audit evidence must be kept ${config.logging.auditRetentionDays} days (logging.auditRetentionDays); a locked policy cannot be shortened or removed.`);
  }

  // data-residency
  {
    const e: Evidence[] = [];
    const allowed = config.azure?.allowedLocations ?? [];
    for (const r of plan.resources.filter((x) => typeof x.inputs.location === 'string' && x.inputs.location !== 'global')) {
      e.push(ix.evidence(r, 'location', r.inputs.location, isAllowedLocation(String(r.inputs.location), allowed)));
    }
    for (const d of deployments) {
      const sku = valueAt(d.inputs, 'sku.name');
      e.push(ix.evidence(d, 'sku.name', sku, !(config.dataResidency.strict && GLOBAL_SKUS.includes(String(sku)))));
    }
    e.push(...guardedBy('data-residency'));
    add('data-residency', e, config.dataResidency.strict ? 'Strict residency: Global deployment types, which may process prompts in any Azure region, are refused.' : undefined);
  }

  // prompt-filters
  {
    const e: Evidence[] = [...required(T.deployment, deployments, 'no model deployment')];
    const raiPolicies = ix.ofType(T.raiPolicy);
    for (const d of deployments) {
      const name = valueAt(d.inputs, 'properties.raiPolicyName');
      const policy = raiPolicies.find((p) => p.inputs.raiPolicyName === name && p.inputs.accountName === d.inputs.accountName);
      const filters = arrayAt(policy?.inputs, 'properties.contentFilters');
      const blocked = REQUIRED_FILTERS.filter((f) => filters.some((c) => c.name === f.name && c.source === f.source && c.enabled === true && c.blocking === true));
      e.push(ix.evidence(d, 'properties.raiPolicyName', policy ? `${String(name)}: blocks ${blocked.length}/${REQUIRED_FILTERS.length} required filters` : (name ?? 'none'), !!policy && blocked.length === REQUIRED_FILTERS.length));
    }
    const defender = ix.ofType(T.pricing).filter((p) => p.inputs.pricingName === DEFENDER_AI_PLAN);
    const defenderOwned = config.azure?.defenderForAi.enabled === true && subscriptionOwned;
    if (defenderOwned) e.push(defender.length > 0 ? ix.check(defender[0], 'pricingTier', (v) => v === 'Standard') : ix.missing(T.pricing, 'no Defender for AI plan'));
    add(
      'prompt-filters',
      e,
      `Required: Jailbreak and Indirect Attack (prompt shields) and the harm categories on prompts and completions, all blocking.${defenderOwned ? ' Defender for Cloud watches the AI workloads for jailbreak, data-leak and credential-theft attempts.' : ''}`,
    );
  }

  // rate-limits
  {
    const e: Evidence[] = [...required(T.deployment, deployments, 'no model deployment')];
    for (const d of deployments) e.push(ix.evidence(d, 'sku.capacity', `${String(valueAt(d.inputs, 'sku.capacity'))} (thousand tokens per minute)`, typeof valueAt(d.inputs, 'sku.capacity') === 'number'));
    add('rate-limits', e, 'Each deployment is capped at its capacity; Azure answers 429 beyond it.');
  }

  // model-pinning
  {
    const e: Evidence[] = [...required(T.deployment, deployments, 'no model deployment')];
    for (const d of deployments) {
      e.push(ix.check(d, 'properties.model.version', (v) => typeof v === 'string' && v !== ''));
      e.push(ix.check(d, 'properties.versionUpgradeOption', (v) => v === 'NoAutoUpgrade'));
    }
    add('model-pinning', e);
  }

  // misuse-detected
  {
    const types = ['azure-native:monitor:ScheduledQueryRule', 'azure-native:monitor:MetricAlert', 'azure-native:monitor:ActivityLogAlert'];
    const groups = ix.ofType('azure-native:monitor:ActionGroup');
    const emailing = (g: PlanResource) => arrayAt(g.inputs, 'emailReceivers').length > 0 && g.inputs.enabled !== false;
    const alerts: AlertSeen[] = [];
    for (const r of plan.resources.filter((x) => types.includes(x.type) && x.inputs.enabled !== false)) {
      const signal = signalOf(valueAt(r.inputs, `tags.${SIGNAL_TAG_KEY}`));
      if (!signal) continue;
      // The action groups its input names (as the engine links them), that e-mail someone.
      const leaves = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(leaves) : typeof v === 'object' && v !== null ? Object.values(v).flatMap(leaves) : []);
      const named = leaves(r.inputs.actions).some((id) => id !== '');
      const targets = named ? ix.dependencies(r, 'azure-native:monitor:ActionGroup', 'actions').filter(emailing) : [];
      alerts.push({ resource: `${plan.stack}/${r.name}`, type: r.type, signal, notifies: targets.length > 0 ? targets.map((t) => t.name).join(', ') : undefined });
    }
    const stop: Evidence[] = [];
    for (const g of groups) stop.push(ix.evidence(g, 'emailReceivers', arrayAt(g.inputs, 'emailReceivers').map((x) => String(x.emailAddress)).join(', ') || 'none', emailing(g)));
    const access = plan.outputs.modelAccess;
    stop.push({ resource: `${plan.stack}/(stack outputs)`, type: 'stack output', property: 'modelAccess (kill switch: detection.suspendModelAccess)', value: String(access ?? 'absent'), ok: access === 'open' || access === 'suspended' });
    const roleChanges = ix.ofType('azure-native:monitor:ActivityLogAlert').filter((a) => JSON.stringify(a.inputs.condition ?? '').includes('Microsoft.Authorization/roleAssignments'));
    stop.push(roleChanges.length > 0 ? ix.evidence(roleChanges[0], 'alerts on', 'role assignment changes (the kill switch used, or undone)', alerts.some((a) => a.resource.endsWith(`/${roleChanges[0].name}`) && a.notifies)) : ix.missing('azure-native:monitor:ActivityLogAlert', 'no alert on role assignment changes: pulling the kill switch goes unnoticed'));
    add('misuse-detected', misuseEvidence(alerts, stop), MISUSE_NOTE);
  }

  return { cloud: 'azure', sources: [`private-ai-azure/${plan.stack} (offline plan, ${plan.resources.length} resources)`], controls: results, outputs: ix.outputs() };
}

/**
 * Whether the plan shows the stack's subscription below the fleet's management group: the group
 * as the program read it (the call and its answer recorded in the plan; offline, the plan's
 * stated answer, which `pulumi preview` replaces with Azure's and fails the stack if it differs).
 */
function fleetMembership(plan: Plan, groupId: string): Evidence {
  const subscription = valueAt(plan.outputs, 'policyAssignments.subscription');
  const read = plan.calls.find((c) => c.token === GET_MANAGEMENT_GROUP && c.args.groupId === groupId);
  const base = { resource: `${plan.stack} (azure.managementGroup)`, type: GET_MANAGEMENT_GROUP, property: `subscription below ${groupId}` };
  if (typeof subscription !== 'string') return { ...base, value: 'the plan names no subscription (output policyAssignments.subscription)', ok: false };
  if (!read) return { ...base, value: `the program never read management group ${groupId}, so nothing shows subscription ${subscription} is below it`, ok: false };
  const below = subscriptionIsBelow(read.answer.children as ManagementGroupChild[] | undefined, subscription);
  return { ...base, value: below ? `${subscription}, per the group read at deployment (offline: the plan's stated answer)` : `${subscription} is not among the group's children as read`, ok: below };
}
