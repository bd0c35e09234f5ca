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
import { evaluateKql, type KqlRow } from '../support/kql-subset';
import { kqlProblems, LOG_ANALYTICS_SCHEMA, REQUEST_RESPONSE_PROPERTIES, tablesOf } from './kql';
import { exampleOrg, exampleTags, orgWith, plan, withoutStackTraces } from './support';

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
  return withoutStackTraces(() =>
    plan(() => {
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
    }),
  );
}

/** The plan of `build()`, made once: two blocks below read it, and neither changes it. */
let defaultBuild: ReturnType<typeof build> | undefined;
const built = () => (defaultBuild ??= build());

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
    // Case-insensitive (!in~): Azure resolves deployment names regardless of case.
    expect(unlisted.query).toContain('deployment !in~ ("gpt-4o", "text-embedding-3-large")');
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
    result = await built();
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
  const run = (org = exampleOrg) => withoutStackTraces(() => plan(() => azureProgram.run(org, azureProgram.readSettings((key) => exampleConfig[`privateai:${key}`], org, 'example'))));

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

// ---------------------------------------------------------------------------------------------
// The alert queries run over sample logs, with the KQL subset evaluator (test/support/kql-subset).

/** Start of the 5-minute evaluation window the sample rows fall in. */
const WINDOW_START = Date.parse('2025-03-04T10:00:00Z');
const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';
const CAROL = 'ca201000-0000-4000-8000-000000000003';
const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
/** Below the test's latencyP99Milliseconds (108), so ordinary calls never trip the latency alert. */
const USUAL_MS = 90;
const MODELS: Record<string, [modelName: string, modelVersion: string, operation: string]> = {
  'gpt-4o': ['gpt-4o', '2024-11-20', 'ChatCompletions_Create'],
  'text-embedding-3-large': ['text-embedding-3-large', '1', 'Embeddings_Create'],
  'gpt-35-turbo': ['gpt-35-turbo', '0125', 'ChatCompletions_Create'],
  'gpt-4o-mini': ['gpt-4o-mini', '2024-07-18', 'ChatCompletions_Create'],
};

let sequence = 0;
/** A distinct correlation ID, and a time that walks through the window one second per row. */
function nextRow() {
  sequence++;
  return { CorrelationId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`, TimeGenerated: new Date(WINDOW_START + (sequence % 300) * 1000).toISOString() };
}

interface ModelCall {
  /** The caller's Entra object ID; "" for a call made with an account key. @default ALICE */
  readonly objectId?: string;
  /** As Azure logs it, the last octet masked. @default 10.20.1.*** */
  readonly ip?: string;
  /** The HTTP status, as a string. @default 200 */
  readonly status?: string;
  /** Deployment the call named; null for an operation on no deployment (an Assistants thread). @default gpt-4o */
  readonly deployment?: string | null;
  readonly durationMs?: number;
  /** @default RequestResponse */
  readonly category?: string;
}

/**
 * One call as the model account logs it (category RequestResponse) into AzureDiagnostics: the
 * columns the queries read, and in `properties_s` the JSON Azure OpenAI writes there (the keys of
 * REQUEST_RESPONSE_PROPERTIES that the queries read; Elastic's Azure OpenAI integration test logs
 * show the same record). An operation on no deployment has no model keys.
 */
function modelCall(call: ModelCall = {}): Record<string, unknown> {
  const deployment = call.deployment === undefined ? 'gpt-4o' : call.deployment;
  const [modelName, modelVersion, operation] = deployment === null ? [undefined, undefined, 'Create_Thread'] : (MODELS[deployment] ?? [deployment, '1', 'ChatCompletions_Create']);
  const properties = {
    requestLength: 512,
    responseLength: call.status === undefined || call.status.startsWith('2') ? 2048 : 180,
    objectId: call.objectId ?? ALICE,
    ...(deployment === null ? {} : { modelDeploymentName: deployment, modelName, modelVersion }),
  };
  return {
    ...nextRow(),
    ResourceId: `/SUBSCRIPTIONS/${SUBSCRIPTION}/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COGNITIVESERVICES/ACCOUNTS/MODELS`,
    ResourceProvider: 'MICROSOFT.COGNITIVESERVICES',
    ResourceType: 'ACCOUNTS',
    Resource: 'MODELS',
    Category: call.category ?? 'RequestResponse',
    OperationName: operation,
    ResultSignature: call.status ?? '200',
    DurationMs: call.durationMs ?? USUAL_MS,
    CallerIPAddress: call.ip ?? '10.20.1.***',
    properties_s: JSON.stringify(properties),
  };
}

/** A Key Vault data-plane operation as the vault's AuditEvent log writes it into AzureDiagnostics. */
function vaultEvent(operation: string, result: 'OK' | 'Forbidden' = 'OK'): Record<string, unknown> {
  return {
    ...nextRow(),
    ResourceId: `/SUBSCRIPTIONS/${SUBSCRIPTION}/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-PRIVATEAI`,
    ResourceProvider: 'MICROSOFT.KEYVAULT',
    ResourceType: 'VAULTS',
    Resource: 'KV-PRIVATEAI',
    Category: 'AuditEvent',
    OperationName: operation,
    ResultSignature: result,
    DurationMs: 12,
    CallerIPAddress: '10.20.2.4',
    id_s: 'https://kv-privateai.vault.azure.net/keys/cmk/0123456789abcdef0123456789abcdef',
    identity_claim_appid_g: 'feedface-0000-4000-8000-000000000004',
  };
}

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

/**
 * An ordinary 5-minute window: three users below every per-caller threshold, a few refusals,
 * throttles and denials, the vault serving the account's key, and Activity Log noise.
 */
const NORMAL = [
  ...times(60, () => modelCall({ objectId: ALICE })),
  ...times(40, () => modelCall({ objectId: BOB, ip: '10.20.1.***' })),
  ...times(30, () => modelCall({ objectId: CAROL, deployment: 'text-embedding-3-large' })),
  ...times(3, () => modelCall({ objectId: BOB, status: '400' })),
  ...times(2, () => modelCall({ objectId: CAROL, status: '429', durationMs: 20 })),
  ...times(2, () => modelCall({ objectId: '', ip: '10.20.9.***', status: '401', durationMs: 5 })),
  modelCall({ objectId: CAROL, deployment: null }),
  ...times(5, () => modelCall({ category: 'Audit', deployment: null })),
  ...times(20, () => vaultEvent('KeyUnwrap')),
  vaultEvent('KeyGet'),
];

/** The log search alert criterion as the rule is deployed (`criteria.allOf[0]`). */
interface LogAlertCriterion {
  query: string;
  timeAggregation: 'Count' | 'Maximum';
  metricMeasureColumn?: string;
  dimensions: Array<{ name: string; operator: string; values: string[] }>;
  operator: string;
  threshold: number;
}

/**
 * What Azure Monitor does with a log search alert over one evaluation window: run the query over
 * the window's rows, aggregate the result per combination of dimension values (Count: its rows;
 * Maximum: the largest value of the measure column), and compare each with the threshold. The
 * combinations that fire, with their values.
 */
function firing(criterion: LogAlertCriterion, rows: ReadonlyArray<Record<string, unknown>>): Array<{ dimensions: Record<string, string>; value: number }> {
  if (criterion.operator !== 'GreaterThan') throw new Error(`operator ${criterion.operator} is not modelled`);
  for (const d of criterion.dimensions) if (d.operator !== 'Include' || d.values.join() !== '*') throw new Error(`dimension ${JSON.stringify(d)} is not modelled`);
  const result = evaluateKql(criterion.query, { AzureDiagnostics: { columns: LOG_ANALYTICS_SCHEMA.AzureDiagnostics, rows } });
  const series = new Map<string, { dimensions: Record<string, string>; values: number[] }>();
  for (const row of result) {
    const dimensions = Object.fromEntries(
      criterion.dimensions.map((d) => {
        if (typeof row[d.name] !== 'string') throw new Error(`the query's result has no string column ${d.name} to split by: ${JSON.stringify(row)}`);
        return [d.name, row[d.name] as string];
      }),
    );
    const key = JSON.stringify(dimensions);
    const entry = series.get(key) ?? { dimensions, values: [] };
    if (criterion.timeAggregation === 'Maximum') {
      const measure = row[criterion.metricMeasureColumn!];
      if (typeof measure !== 'number') throw new Error(`the query's result has no number column ${criterion.metricMeasureColumn}: ${JSON.stringify(row)}`);
      entry.values.push(measure);
    } else {
      entry.values.push(1);
    }
    series.set(key, entry);
  }
  if (criterion.timeAggregation === 'Count' && criterion.dimensions.length === 0 && series.size === 0) series.set('{}', { dimensions: {}, values: [] });
  return [...series.values()]
    .map((s) => ({ dimensions: s.dimensions, value: criterion.timeAggregation === 'Count' ? s.values.length : Math.max(...s.values) }))
    .filter((s) => s.value > criterion.threshold);
}

describe('MisuseDetection log search alerts over sample logs', () => {
  let criteria: (key: string) => LogAlertCriterion;
  beforeAll(async () => {
    const result = await built();
    criteria = (key) => (result.get(`detection-${key}`).inputs.criteria as { allOf: LogAlertCriterion[] }).allOf[0];
  });
  const fires = (key: string, rows: ReadonlyArray<Record<string, unknown>>) => firing(criteria(key), rows);
  /** The rows the alert's query keeps from `rows`. */
  const kept = (key: string, rows: ReadonlyArray<Record<string, unknown>>): KqlRow[] => evaluateKql(criteria(key).query, { AzureDiagnostics: { columns: LOG_ANALYTICS_SCHEMA.AzureDiagnostics, rows } });
  const ALERT_KEYS = logAlerts(THRESHOLDS, DEPLOYMENTS).map((a) => a.key);

  test.each(ALERT_KEYS)('%s: the deployed query is the spec\'s, within the evaluated subset, and quiet over an ordinary window', (key) => {
    expect(criteria(key).query).toBe(logAlerts(THRESHOLDS, DEPLOYMENTS).find((a) => a.key === key)!.query);
    expect(fires(key, NORMAL)).toEqual([]);
  });

  test('caller-requests fires for the one caller above callerRequestsPer5Minutes, and names that caller', () => {
    const burst = times(THRESHOLDS.callerRequestsPer5Minutes + 1, () => modelCall({ objectId: BOB }));
    expect(fires('caller-requests', [...NORMAL, ...burst])).toEqual([{ dimensions: { caller: BOB }, value: 40 + 3 + THRESHOLDS.callerRequestsPer5Minutes + 1 }]);
    expect(fires('caller-requests', burst)).toEqual([{ dimensions: { caller: BOB }, value: 102 }]);
    expect(fires('caller-requests', burst.slice(1))).toEqual([]);
  });

  test('caller-requests does not fire for traffic spread across callers, however much there is', () => {
    const spread = [ALICE, BOB, CAROL].flatMap((objectId) => times(THRESHOLDS.callerRequestsPer5Minutes, () => modelCall({ objectId })));
    expect(spread).toHaveLength(303);
    expect(fires('caller-requests', spread)).toEqual([]);
  });

  test('caller-requests attributes calls made with an account key (no object ID) to their masked IP', () => {
    const burst = times(102, () => modelCall({ objectId: '', ip: '10.20.7.***' }));
    expect(fires('caller-requests', burst)).toEqual([{ dimensions: { caller: 'ip:10.20.7.***' }, value: 102 }]);
  });

  test('caller-requests counts model calls only: not the account\'s other log categories, nor the vault\'s', () => {
    const other = [...times(102, () => modelCall({ category: 'Audit' })), ...times(102, () => modelCall({ category: 'Trace' })), ...times(102, () => vaultEvent('KeyUnwrap'))];
    expect(kept('caller-requests', other)).toEqual([]);
  });

  test('caller-interventions fires for one caller refused with 400 more than callerInterventionsPer5Minutes times, not for other statuses or spread refusals', () => {
    const refusals = times(THRESHOLDS.callerInterventionsPer5Minutes + 1, () => modelCall({ objectId: CAROL, status: '400' }));
    expect(fires('caller-interventions', [...NORMAL, ...refusals])).toEqual([{ dimensions: { caller: CAROL }, value: 105 }]);
    expect(fires('caller-interventions', refusals.slice(1))).toEqual([]);
    const otherStatuses = ['200', '401', '403', '404', '429', '500'].flatMap((status) => times(105, () => modelCall({ objectId: CAROL, status })));
    expect(fires('caller-interventions', otherStatuses)).toEqual([]);
    const spread = [ALICE, BOB].flatMap((objectId) => times(60, () => modelCall({ objectId, status: '400' })));
    expect(fires('caller-interventions', spread)).toEqual([]);
  });

  test('denied-calls counts exactly the 401 and 403 calls, across callers, and fires above deniedCallsPer5Minutes', () => {
    const mixed = ['200', '400', '401', '403', '404', '429', '500'].flatMap((status) => times(10, (i) => modelCall({ objectId: '', ip: `10.30.${i}.***`, status })));
    const denied = kept('denied-calls', mixed);
    expect(denied).toHaveLength(20);
    expect(new Set(denied.map((r) => r.ResultSignature))).toEqual(new Set(['401', '403']));
    // Probing spreads across addresses and identities; the alert is for the account, not per caller.
    const probing = times(THRESHOLDS.deniedCallsPer5Minutes + 1, (i) => modelCall({ objectId: i % 2 ? '' : BOB, ip: `10.40.${i}.***`, status: i % 3 ? '401' : '403' }));
    expect(fires('denied-calls', [...NORMAL, ...probing])).toEqual([{ dimensions: {}, value: 2 + 106 }]);
    expect(fires('denied-calls', probing.slice(1))).toEqual([]);
  });

  test('unlisted-deployments counts exactly the calls naming an unlisted deployment or answered 404, and fires above deniedCallsPer5Minutes', () => {
    const mixed = [
      ...times(10, () => modelCall({ deployment: 'gpt-4o' })),
      ...times(10, () => modelCall({ deployment: 'text-embedding-3-large' })),
      // An allowlisted deployment written in another case is the same deployment: not counted.
      ...times(2, () => modelCall({ deployment: 'GPT-4o' })),
      ...times(4, () => modelCall({ deployment: null })),
      ...times(3, () => modelCall({ deployment: 'gpt-35-turbo' })),
      ...times(2, () => modelCall({ deployment: 'gpt-35-turbo', status: '401' })),
      ...times(4, () => modelCall({ deployment: 'gpt-4o-mini', status: '404' })),
      modelCall({ deployment: 'gpt-4o', status: '404' }),
      modelCall({ deployment: null, status: '404' }),
    ];
    const counted = kept('unlisted-deployments', mixed);
    expect(counted.map((r) => `${r.deployment}:${r.ResultSignature}`).sort()).toEqual(
      [...times(3, () => 'gpt-35-turbo:200'), ...times(2, () => 'gpt-35-turbo:401'), ...times(4, () => 'gpt-4o-mini:404'), 'gpt-4o:404', ':404'].sort(),
    );
    const probing = times(THRESHOLDS.deniedCallsPer5Minutes + 1, (i) => modelCall({ deployment: `model-${i % 7}`, status: '404' }));
    expect(fires('unlisted-deployments', [...NORMAL, ...probing])).toEqual([{ dimensions: {}, value: 106 }]);
    expect(fires('unlisted-deployments', probing.slice(1))).toEqual([]);
  });

  test('latency-p99 fires when the slowest successful calls pass latencyP99Milliseconds, and ignores slow failures', () => {
    const slow = THRESHOLDS.latencyP99Milliseconds * 50;
    // 10 slow calls among 141 successful ones: ranks 139 to 141 (p98 to p100) are all slow, so p99 is clear-cut.
    const slowCalls = times(10, () => modelCall({ objectId: ALICE, durationMs: slow }));
    expect(fires('latency-p99', [...NORMAL, ...slowCalls])).toEqual([{ dimensions: {}, value: slow }]);
    const slowFailures = ['500', '503', '429', '408'].flatMap((status) => times(10, () => modelCall({ objectId: ALICE, status, durationMs: slow })));
    expect(fires('latency-p99', [...NORMAL, ...slowFailures])).toEqual([]);
    expect(kept('latency-p99', NORMAL)).toEqual([{ TimeGenerated: new Date(WINDOW_START), p99: USUAL_MS }]);
  });

  test.each(KEY_VAULT_KEY_OPERATIONS)('key-changes fires on one %s, and on a refused attempt', (operation) => {
    expect(fires('key-changes', [...NORMAL, vaultEvent(operation)])).toEqual([{ dimensions: {}, value: 1 }]);
    expect(fires('key-changes', [vaultEvent(operation, 'Forbidden')])).toEqual([{ dimensions: {}, value: 1 }]);
  });

  test('key-changes ignores the key\'s routine use and scheduled rotation, and the model account\'s rows', () => {
    const routine = ['KeyGet', 'KeyWrap', 'KeyUnwrap', 'KeyRotate', 'KeyRotateIfDue', 'KeyRotationPolicyGet', 'KeyList'].flatMap((operation) => times(20, () => vaultEvent(operation)));
    expect(fires('key-changes', routine)).toEqual([]);
    expect(kept('key-changes', [vaultEvent('KeyDelete')])).toEqual([
      expect.objectContaining({ OperationName: 'KeyDelete', ResultSignature: 'OK', id_s: expect.stringContaining('/keys/cmk/'), identity_claim_appid_g: 'feedface-0000-4000-8000-000000000004' }),
    ]);
  });
});

describe('MisuseDetection saved queries over sample logs', () => {
  const query = (playbook: string, step: string) => AZURE_SAVED_QUERIES.find((q) => q.playbook === playbook && q.step === step)!.query;
  const run = (text: string, rows: ReadonlyArray<Record<string, unknown>>, activity: ReadonlyArray<Record<string, unknown>> = []) =>
    evaluateKql(text, { AzureDiagnostics: { columns: LOG_ANALYTICS_SCHEMA.AzureDiagnostics, rows }, AzureActivity: { columns: LOG_ANALYTICS_SCHEMA.AzureActivity, rows: activity } });
  const forSuspect = (text: string, objectId: string) => text.replace('"00000000-0000-0000-0000-000000000000"', JSON.stringify(objectId));

  test('refusals-by-caller ranks callers by their 400s', () => {
    const rows = [...NORMAL, ...times(7, () => modelCall({ objectId: CAROL, status: '400' }))];
    expect(run(query('prompt-injection', 'refusals-by-caller'), rows).map((r) => [r.caller, r.deployment, r.refusals])).toEqual([
      [CAROL, 'gpt-4o', 7],
      [BOB, 'gpt-4o', 3],
    ]);
  });

  test('caller-activity shows the suspect\'s calls only, oldest first', () => {
    const rows = run(forSuspect(query('compromised-credentials', 'caller-activity'), CAROL), NORMAL);
    expect(rows).toHaveLength(30 + 2 + 1);
    expect(rows.map((r) => (r.TimeGenerated as Date).getTime())).toEqual(rows.map((r) => (r.TimeGenerated as Date).getTime()).sort((a, b) => a - b));
  });

  test('volume-by-caller sums the request and response bytes per caller', () => {
    const rows = run(query('data-leakage', 'volume-by-caller'), NORMAL);
    expect(rows.find((r) => r.caller === ALICE)).toMatchObject({ calls: 60, requestBytes: 60 * 512, responseBytes: 60 * 2048 });
    expect(rows[0].caller).toBe(ALICE);
  });

  test('denied-calls groups the 401s and 403s by caller and address', () => {
    expect(run(query('compromised-credentials', 'denied-calls'), NORMAL)).toEqual([
      expect.objectContaining({ caller: 'ip:10.20.9.***', CallerIPAddress: '10.20.9.***', ResultSignature: '401', denied: 2 }),
    ]);
  });

  test('filter-changes finds content filter and deployment changes whatever the case of the operation name', () => {
    const activity = (operation: string) => ({ ...nextRow(), OperationNameValue: operation, ActivityStatusValue: 'Success', Caller: 'admin@contoso.example', CallerIpAddress: '203.0.113.7', CategoryValue: 'Administrative', Properties_d: { statusCode: 'OK' } });
    const rows = run(query('harmful-output', 'filter-changes'), [], [
      activity('MICROSOFT.COGNITIVESERVICES/ACCOUNTS/RAIPOLICIES/WRITE'),
      activity('Microsoft.CognitiveServices/accounts/deployments/delete'),
      activity('MICROSOFT.COGNITIVESERVICES/ACCOUNTS/LISTKEYS/ACTION'),
    ]);
    expect(rows.map((r) => r.OperationNameValue)).toEqual(['Microsoft.CognitiveServices/accounts/deployments/delete', 'MICROSOFT.COGNITIVESERVICES/ACCOUNTS/RAIPOLICIES/WRITE']);
    expect(rows[0].Properties_d).toEqual({ statusCode: 'OK' });
  });

  test.each(AZURE_SAVED_QUERIES.map((q) => [`${q.playbook}/${q.step}`, q.query] as const))('%s runs within the evaluated subset', (_, text) => {
    expect(() => run(forSuspect(text, ALICE), NORMAL)).not.toThrow();
  });
});
