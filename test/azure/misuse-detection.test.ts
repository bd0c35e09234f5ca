import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as yaml from 'js-yaml';
import { KEY_VAULT_LOG_CATEGORIES, MODEL_ACCOUNT_LOG_CATEGORIES } from '../../lib/azure/audit';
import {
  AZURE_SAVED_QUERIES,
  KEY_VAULT_KEY_OPERATIONS,
  logAlerts,
  metricAlerts,
  MisuseDetection,
  QUERIED_CATEGORIES,
  TAMPER_OPERATIONS,
  tamperAlerts,
  type DetectionThresholds,
} from '../../lib/azure/misuse-detection';
import { PLAYBOOKS, savedQueryName, SIGNAL_TAG_KEY, SIGNALS, signalOf, type Signal } from '../../lib/config/detection';
import { azureProgram } from '../../stacks/azure/program';
import { kqlProblems, REQUEST_RESPONSE_PROPERTIES, tablesOf } from './kql';
import { exampleOrg, exampleTags, orgWith, plan } from './support';

/** Distinct values, so a threshold wired to the wrong field shows. */
const THRESHOLDS: DetectionThresholds = {
  callerRequestsPer5Minutes: 101,
  callerTokensPer5Minutes: 102,
  interventionsPer5Minutes: 103,
  callerInterventionsPer5Minutes: 104,
  deniedCallsPer5Minutes: 105,
  invokerErrorsPer5Minutes: 106,
  throttlesPer5Minutes: 107,
  latencyP99Milliseconds: 108,
};
const DEPLOYMENTS = ['gpt-4o', 'text-embedding-3-large'];
const ALERT_TYPES = ['azure-native:monitor:ScheduledQueryRule', 'azure-native:monitor:MetricAlert', 'azure-native:monitor:ActivityLogAlert'];

function build(watchSubscription = false) {
  return plan(() => {
    const detection = new MisuseDetection('detection', {
      resourceGroupName: 'rg',
      location: 'swedencentral',
      resourceGroupId: '/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg',
      subscriptionId: '11111111-2222-3333-4444-555555555555',
      workspaceId: 'workspace-id',
      workspaceName: 'workspace',
      modelAccountId: 'account-id',
      deploymentNames: DEPLOYMENTS,
      thresholds: THRESHOLDS,
      actionGroupId: 'action-group-id',
      watchSubscription,
      tags: exampleTags,
    });
    return { alerts: detection.alerts, savedQueryNames: detection.savedQueryNames };
  });
}

/** Every query the program deploys: log alerts and saved queries. */
const QUERIES = [
  ...logAlerts(THRESHOLDS, DEPLOYMENTS).map((a) => [`alert ${a.key}`, a.query] as const),
  ...AZURE_SAVED_QUERIES.map((q) => [`saved ${savedQueryName(q.playbook, q.step)}`, q.query] as const),
];

describe('MisuseDetection queries', () => {
  test.each(QUERIES)('%s parses and uses only documented tables and columns', (_, query) => {
    expect(kqlProblems(query)).toEqual([]);
    expect(['AzureDiagnostics', 'AzureActivity']).toEqual(expect.arrayContaining(tablesOf(query)));
  });

  test.each(QUERIES)('%s reads only documented keys of the RequestResponse properties', (_, query) => {
    const keys = [...query.matchAll(/\bproperties\.(\w+)/g)].map((m) => m[1]);
    expect(keys.filter((k) => !REQUEST_RESPONSE_PROPERTIES.includes(k))).toEqual([]);
  });

  test('the checker does catch unknown columns, functions and syntax errors', () => {
    expect(kqlProblems('AzureDiagnostics | where callerObjectId == "x"')).toEqual([expect.stringMatching(/^KS142 The name 'callerObjectId' does not refer to any known column/)]);
    expect(kqlProblems('AzureActivity | project OperationNameValue, Caller, ResultSignature')).toEqual([expect.stringMatching(/'ResultSignature'/)]);
    expect(kqlProblems('AzureDiagnostics | summarize percentil(DurationMs, 99)')).not.toEqual([]);
    expect(kqlProblems('AzureDiagnostics | where')).not.toEqual([]);
  });

  test('the queries read categories the diagnostic settings send, from the table those settings write', () => {
    for (const c of QUERIED_CATEGORIES.modelAccount) expect(MODEL_ACCOUNT_LOG_CATEGORIES).toContain(c);
    for (const c of QUERIED_CATEGORIES.keyVault) expect(KEY_VAULT_LOG_CATEGORIES).toContain(c);
    for (const [, query] of QUERIES) {
      for (const category of query.matchAll(/Category == "(\w+)"/g)) expect([...QUERIED_CATEGORIES.modelAccount, ...QUERIED_CATEGORIES.keyVault]).toContain(category[1]);
    }
  });

  test('the allowlist alert names exactly the configured deployments', () => {
    const unlisted = logAlerts(THRESHOLDS, DEPLOYMENTS).find((a) => a.key === 'unlisted-deployments')!;
    expect(unlisted.query).toContain('deployment !in ("gpt-4o", "text-embedding-3-large")');
    expect(() => logAlerts(THRESHOLDS, [])).toThrow('deployments is empty; the allowlist alert needs the configured deployment names (config: azure.models)');
  });

  test('every playbook has saved queries, each name unique and valid', () => {
    expect(new Set(AZURE_SAVED_QUERIES.map((q) => q.playbook))).toEqual(new Set(Object.keys(PLAYBOOKS)));
    const names = AZURE_SAVED_QUERIES.map((q) => savedQueryName(q.playbook, q.step));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('MisuseDetection thresholds and operations', () => {
  test('each alert threshold is the config field it is documented with', () => {
    const fieldOf = (description: string) => /detection\.thresholds\.(\w+)/.exec(description)?.[1] as keyof DetectionThresholds | undefined;
    for (const a of [...logAlerts(THRESHOLDS, DEPLOYMENTS), ...metricAlerts(THRESHOLDS)]) {
      const field = fieldOf(a.description);
      expect([a.key, field === undefined ? 0 : THRESHOLDS[field]]).toEqual([a.key, a.threshold]);
    }
    const used = [...logAlerts(THRESHOLDS, DEPLOYMENTS), ...metricAlerts(THRESHOLDS)].map((a) => fieldOf(a.description));
    expect(new Set(used.filter(Boolean))).toEqual(new Set(Object.keys(THRESHOLDS)));
  });

  test('metric alerts use Azure OpenAI metrics, not the generic ones Microsoft marks "do not use for Azure OpenAI"', () => {
    const metrics = metricAlerts(THRESHOLDS).map((a) => a.metric);
    for (const m of metrics) expect(['TokenTransaction', 'RAIRejectedRequests', 'AzureOpenAIRequests']).toContain(m);
    for (const generic of ['ClientErrors', 'ServerErrors', 'Latency', 'Ratelimit', 'BlockedCalls', 'TotalCalls']) expect(metrics).not.toContain(generic);
  });

  test('operation names are Resource Manager operations: provider/type[/child]/(write|delete|<name>/action), no repeats', () => {
    for (const { operation } of TAMPER_OPERATIONS) expect(operation).toMatch(/^Microsoft\.[A-Za-z]+(\/[A-Za-z]+)+\/(write|delete|[A-Za-z]+\/action)$/);
    const ops = TAMPER_OPERATIONS.map((o) => `${o.control}:${o.operation}`);
    expect(new Set(ops).size).toBe(ops.length);
  });

  test.each([false, true])('every operation is watched by an Activity Log alert (watchSubscription %s)', (watchSubscription) => {
    const watched = tamperAlerts(watchSubscription).flatMap((a) => a.operations);
    const expected = TAMPER_OPERATIONS.filter((o) => watchSubscription || o.scope !== 'subscription').map((o) => o.operation);
    expect(new Set(watched)).toEqual(new Set(expected));
    // Changes to the alert rules are seen by two rules, so deleting one is still caught by the other.
    expect(watched.filter((o) => o === 'Microsoft.Insights/activityLogAlerts/delete')).toHaveLength(2);
    const onceOnly = watched.filter((o) => o !== 'Microsoft.Insights/activityLogAlerts/delete');
    expect(new Set(onceOnly).size).toBe(onceOnly.length);
  });

  test('role and policy assignments, diagnostic settings and resource group deletion go subscription-wide where the stack owns the subscription', () => {
    const scopeOf = (watch: boolean, op: string) => tamperAlerts(watch).find((a) => a.operations.includes(op))?.scope;
    for (const op of ['Microsoft.Authorization/roleAssignments/delete', 'Microsoft.Authorization/policyAssignments/delete', 'Microsoft.Insights/diagnosticSettings/delete', 'Microsoft.Resources/subscriptions/resourceGroups/delete']) {
      expect([op, scopeOf(false, op), scopeOf(true, op)]).toEqual([op, 'resourceGroup', 'subscription']);
    }
    expect(scopeOf(false, 'Microsoft.Security/pricings/write')).toBeUndefined();
    expect(scopeOf(true, 'Microsoft.CognitiveServices/accounts/raiPolicies/delete')).toBe('resourceGroup');
  });
});

describe('MisuseDetection resources', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  const alertsOf = (r: Awaited<ReturnType<typeof build>>) => r.resources.filter((x) => ALERT_TYPES.includes(x.type));
  const actionGroupsOf = (inputs: Record<string, unknown>): unknown[] =>
    Array.isArray(inputs.actions)
      ? (inputs.actions as Array<{ actionGroupId: string }>).map((a) => a.actionGroupId)
      : ((inputs.actions as { actionGroups: Array<string | { actionGroupId: string }> }).actionGroups ?? []).map((g) => (typeof g === 'string' ? g : g.actionGroupId));

  test('every signal has an alert to the security contacts, tagged and described with its signal', () => {
    const alerts = alertsOf(result);
    for (const signal of Object.keys(SIGNALS) as Signal[]) {
      expect([signal, alerts.filter((a) => (a.inputs.tags as Record<string, string>)[SIGNAL_TAG_KEY] === signal).length]).not.toEqual([signal, 0]);
    }
    for (const a of alerts) {
      expect([a.name, actionGroupsOf(a.inputs)]).toEqual([a.name, ['action-group-id']]);
      expect(a.inputs).toMatchObject({ enabled: true, tags: { ...exampleTags, [SIGNAL_TAG_KEY]: expect.any(String) } });
      expect(signalOf(a.inputs.description)).toBe((a.inputs.tags as Record<string, string>)[SIGNAL_TAG_KEY]);
    }
    const byName = (x: { name: string }, y: { name: string }) => x.name.localeCompare(y.name);
    expect([...(result.outputs.alerts as Array<{ name: string }>)].sort(byName)).toEqual(
      alerts.map((a) => ({ name: a.name, signal: (a.inputs.tags as Record<string, string>)[SIGNAL_TAG_KEY], kind: expect.any(String) })).sort(byName),
    );
  });

  test('log search alerts: 5-minute windows on the workspace, thresholds from config, per caller where the logs name one', () => {
    const rules = result.ofType('azure-native:monitor:ScheduledQueryRule');
    expect(rules.map((r) => r.name).sort()).toEqual(logAlerts(THRESHOLDS, DEPLOYMENTS).map((a) => `detection-${a.key}`).sort());
    for (const r of rules) {
      expect(r.inputs).toMatchObject({ kind: 'LogAlert', location: 'swedencentral', scopes: ['workspace-id'], evaluationFrequency: 'PT5M', windowSize: 'PT5M', skipQueryValidation: true });
    }
    expect(result.get('detection-caller-requests').inputs.criteria).toMatchObject({
      allOf: [{ timeAggregation: 'Count', operator: 'GreaterThan', threshold: 101, dimensions: [{ name: 'caller', operator: 'Include', values: ['*'] }] }],
    });
    expect(result.get('detection-caller-interventions').inputs.criteria).toMatchObject({ allOf: [{ threshold: 104, dimensions: [{ name: 'caller' }] }] });
    expect(result.get('detection-denied-calls').inputs.criteria).toMatchObject({ allOf: [{ threshold: 105, dimensions: [] }] });
    expect(result.get('detection-latency-p99').inputs.criteria).toMatchObject({ allOf: [{ timeAggregation: 'Maximum', metricMeasureColumn: 'p99', threshold: 108 }] });
    expect(result.get('detection-key-changes').inputs.criteria).toMatchObject({ allOf: [{ threshold: 0 }] });
    for (const op of ['KeyDelete', 'KeyPurge', 'KeyUpdate']) expect(KEY_VAULT_KEY_OPERATIONS).toContain(op);
  });

  test('metric alerts on the account: totals over 5 minutes, thresholds from config', () => {
    const criteria = (name: string) => (result.get(name).inputs.criteria as { allOf: Array<Record<string, unknown>> }).allOf[0];
    for (const r of result.ofType('azure-native:monitor:MetricAlert')) {
      expect(r.inputs).toMatchObject({ location: 'global', scopes: ['account-id'], evaluationFrequency: 'PT5M', windowSize: 'PT5M', criteria: { odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria' } });
      expect(criteria(r.name)).toMatchObject({ criterionType: 'StaticThresholdCriterion', metricNamespace: 'Microsoft.CognitiveServices/accounts', timeAggregation: 'Total', operator: 'GreaterThan' });
    }
    expect(criteria('detection-tokens')).toMatchObject({ metricName: 'TokenTransaction', threshold: 102 });
    expect(criteria('detection-content-filter-blocks')).toMatchObject({ metricName: 'RAIRejectedRequests', threshold: 103 });
    expect(criteria('detection-server-errors')).toMatchObject({ metricName: 'AzureOpenAIRequests', threshold: 106, dimensions: [{ name: 'StatusCode', operator: 'Include', values: ['500', '502', '503', '504'] }] });
    expect(criteria('detection-throttles')).toMatchObject({ metricName: 'AzureOpenAIRequests', threshold: 107, dimensions: [{ name: 'StatusCode', values: ['429'] }] });
  });

  test('Activity Log alerts on the resource group: administrative events of the watched operations', () => {
    const rules = result.ofType('azure-native:monitor:ActivityLogAlert');
    expect(rules.map((r) => r.name).sort()).toEqual(tamperAlerts(false).map((a) => `detection-${a.key}`).sort());
    for (const r of rules) {
      expect(r.inputs).toMatchObject({ location: 'global', scopes: ['/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg'] });
      const [category, anyOf] = (r.inputs.condition as { allOf: Array<{ field?: string; equals?: string; anyOf?: Array<{ field: string; equals: string }> }> }).allOf;
      expect(category).toEqual({ field: 'category', equals: 'Administrative' });
      expect(anyOf.anyOf!.map((c) => c.field)).toEqual(anyOf.anyOf!.map(() => 'operationName'));
      expect(anyOf.anyOf!.map((c) => c.equals)).toEqual(tamperAlerts(false).find((a) => `detection-${a.key}` === r.name)!.operations);
    }
  });

  test('where the stack owns the subscription, one more alert watches the subscription', async () => {
    const owned = await build(true);
    const sub = owned.get('detection-tamper-subscription');
    expect(sub.inputs.scopes).toEqual(['/subscriptions/11111111-2222-3333-4444-555555555555']);
    expect(JSON.stringify(sub.inputs.condition)).toContain('Microsoft.Authorization/roleAssignments/delete');
  });

  test('saved queries: one per playbook step, in the workspace, named private-ai/<playbook>/<step>, the queries verbatim', () => {
    const searches = result.ofType('azure-native:operationalinsights:SavedSearch');
    const byName = (x: unknown[], y: unknown[]) => String(x[0]).localeCompare(String(y[0]));
    expect(searches.map((s) => [s.inputs.displayName, s.inputs.query]).sort(byName)).toEqual(AZURE_SAVED_QUERIES.map((q) => [savedQueryName(q.playbook, q.step), q.query]).sort(byName));
    for (const s of searches) {
      expect(s.inputs).toMatchObject({ workspaceName: 'workspace', category: 'private-ai', savedSearchId: expect.stringMatching(/^privateai-[a-z-]+$/) });
      expect(Object.fromEntries((s.inputs.tags as Array<{ name: string; value: string }>).map((t) => [t.name, t.value]))).toEqual(exampleTags);
    }
    expect([...(result.outputs.savedQueryNames as string[])].sort()).toEqual(searches.map((s) => String(s.inputs.displayName)).sort());
  });
});

describe('MisuseDetection in the Azure program', () => {
  const stackFile = path.join(__dirname, '..', '..', 'stacks', 'azure', 'Pulumi.example.yaml');
  const exampleConfig = (yaml.load(fs.readFileSync(stackFile, 'utf8')) as { config: Record<string, unknown> }).config;
  const run = (org = exampleOrg) => plan(() => azureProgram.run(org, azureProgram.readSettings((key) => exampleConfig[`privateai:${key}`], org)));

  let result: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    result = await run();
  });

  /**
   * The Resource Manager type of each azure-native resource type the program deploys. A new type
   * in the program fails the test below until it is listed here, and watched.
   */
  const ARM_TYPES: Record<string, string> = {
    'azure-native:resources:ResourceGroup': 'Microsoft.Resources/subscriptions/resourceGroups',
    'azure-native:security:Pricing': 'Microsoft.Security/pricings',
    'azure-native:privatedns:PrivateZone': 'Microsoft.Network/privateDnsZones',
    'azure-native:privatedns:VirtualNetworkLink': 'Microsoft.Network/privateDnsZones/virtualNetworkLinks',
    'azure-native:managedidentity:UserAssignedIdentity': 'Microsoft.ManagedIdentity/userAssignedIdentities',
    'azure-native:monitor:PrivateLinkScope': 'Microsoft.Insights/privateLinkScopes',
    'azure-native:monitor:PrivateLinkScopedResource': 'Microsoft.Insights/privateLinkScopes/scopedResources',
    'azure-native:operationalinsights:Workspace': 'Microsoft.OperationalInsights/workspaces',
    'azure-native:operationalinsights:SavedSearch': 'Microsoft.OperationalInsights/workspaces/savedSearches',
    'azure-native:authorization:RoleAssignment': 'Microsoft.Authorization/roleAssignments',
    'azure-native:authorization:PolicyAssignment': 'Microsoft.Authorization/policyAssignments',
    'azure-native:authorization:ManagementLockByScope': 'Microsoft.Authorization/locks',
    'azure-native:monitor:ActionGroup': 'Microsoft.Insights/actionGroups',
    'azure-native:monitor:ScheduledQueryRule': 'Microsoft.Insights/scheduledQueryRules',
    'azure-native:monitor:MetricAlert': 'Microsoft.Insights/metricAlerts',
    'azure-native:monitor:ActivityLogAlert': 'Microsoft.Insights/activityLogAlerts',
    'azure-native:monitor:DiagnosticSetting': 'Microsoft.Insights/diagnosticSettings',
    'azure-native:monitor:SubscriptionDiagnosticSetting': 'Microsoft.Insights/diagnosticSettings',
    'azure-native:keyvault:Vault': 'Microsoft.KeyVault/vaults',
    'azure-native:keyvault:Key': 'Microsoft.KeyVault/vaults/keys',
    'azure-native:eventgrid:SystemTopic': 'Microsoft.EventGrid/systemTopics',
    'azure-native:eventgrid:SystemTopicEventSubscription': 'Microsoft.EventGrid/systemTopics/eventSubscriptions',
    'azure-native:network:NetworkSecurityGroup': 'Microsoft.Network/networkSecurityGroups',
    'azure-native:network:VirtualNetwork': 'Microsoft.Network/virtualNetworks',
    'azure-native:network:Subnet': 'Microsoft.Network/virtualNetworks/subnets',
    'azure-native:network:PrivateEndpoint': 'Microsoft.Network/privateEndpoints',
    'azure-native:network:PrivateDnsZoneGroup': 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups',
    'azure-native:cognitiveservices:Account': 'Microsoft.CognitiveServices/accounts',
    'azure-native:cognitiveservices:RaiPolicy': 'Microsoft.CognitiveServices/accounts/raiPolicies',
    'azure-native:cognitiveservices:Deployment': 'Microsoft.CognitiveServices/accounts/deployments',
    'azure-native:storage:StorageAccount': 'Microsoft.Storage/storageAccounts',
    'azure-native:storage:BlobServiceProperties': 'Microsoft.Storage/storageAccounts/blobServices',
    'azure-native:storage:ManagementPolicy': 'Microsoft.Storage/storageAccounts/managementPolicies',
  };
  /** Types that cannot be deleted through Resource Manager, and how a tamperer changes them instead. */
  const CHANGED_NOT_DELETED: Record<string, string> = {
    // A Defender plan is switched off by setting it to Free.
    'azure-native:security:Pricing': 'Microsoft.Security/pricings/write',
    // The Blob service of an account always exists; versioning and soft delete change by write.
    'azure-native:storage:BlobServiceProperties': 'Microsoft.Storage/storageAccounts/blobServices/write',
    // Keys are deleted on the vault's data plane (KeyDelete), which the key-changes log alert watches.
    'azure-native:keyvault:Key': 'Microsoft.KeyVault/vaults/keys/write',
  };

  test('every resource type the program deploys has an alert on its deletion (or on the change that disables it)', () => {
    const operations = new Set(TAMPER_OPERATIONS.map((o) => o.operation));
    const deployed = [...new Set(result.resources.filter((r) => r.type.startsWith('azure-native:')).map((r) => r.type))];
    for (const type of deployed) {
      expect([type, ARM_TYPES[type] !== undefined]).toEqual([type, true]);
      const watched = CHANGED_NOT_DELETED[type] ?? `${ARM_TYPES[type]}/delete`;
      expect([type, operations.has(watched)]).toEqual([type, true]);
    }
    expect(KEY_VAULT_KEY_OPERATIONS).toEqual(expect.arrayContaining(['KeyDelete', 'KeyPurge']));
  });

  test('the account and vault diagnostics write to AzureDiagnostics (no resource-specific tables), which the queries read', () => {
    for (const name of ['audit-account-diagnostics', 'audit-vault-diagnostics']) expect(result.get(name).inputs.logAnalyticsDestinationType).toBeUndefined();
  });

  test('alerts go to the security contacts, with the configured thresholds and deployments', () => {
    const alerts = result.resources.filter((r) => ALERT_TYPES.includes(r.type));
    for (const a of alerts) expect(JSON.stringify(a.inputs.actions)).toContain('contacts-action-group-id');
    const t = exampleOrg.detection.thresholds;
    expect(result.get('detection-caller-requests').inputs.criteria).toMatchObject({ allOf: [{ threshold: t.callerRequestsPer5Minutes }] });
    expect(result.get('detection-caller-requests').inputs.scopes).toEqual(['audit-workspace-id']);
    expect(result.get('detection-tokens').inputs.scopes).toEqual(['models-account-id']);
    expect(JSON.stringify(result.get('detection-unlisted-deployments').inputs.criteria)).toContain(exampleOrg.azure!.models.map((m) => JSON.stringify(m.deployment)).join(', ').replace(/"/g, '\\"'));
    expect(Object.keys(result.outputs.misuseAlerts as object).sort()).toEqual(Object.keys(SIGNALS).sort());
  });

  test('modelAccess is open by default', () => {
    expect(result.outputs.modelAccess).toBe('open');
  });

  test('the kill switch removes exactly the model users\' role assignments, and the plan says suspended', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      const suspended = await run(orgWith((raw) => (raw.detection = { ...raw.detection, suspendModelAccess: true })));
      const assignments = (r: typeof result) => r.ofType('azure-native:authorization:RoleAssignment').map((a) => a.name);
      const removed = assignments(result).filter((n) => !assignments(suspended).includes(n));
      expect(removed).toEqual(result.ofType('azure-native:authorization:RoleAssignment').filter((a) => a.inputs.scope === 'models-account-id' && a.inputs.principalType === 'Group').map((a) => a.name));
      expect(removed.length).toBeGreaterThan(0);
      expect(assignments(suspended).filter((n) => !assignments(result).includes(n))).toEqual([]);
      expect(suspended.outputs.modelAccess).toBe('suspended');
      // The deployments stay: turning the switch off again restores access without redeploying a model.
      expect(suspended.ofType('azure-native:cognitiveservices:Deployment').map((d) => d.inputs)).toEqual(result.ofType('azure-native:cognitiveservices:Deployment').map((d) => d.inputs));
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^access: model access is suspended \(detection.suspendModelAccess\)/), expect.anything());
    } finally {
      warn.mockRestore();
    }
  });
});
