import * as monitor from '@pulumi/azure-native/monitor';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights';
import * as pulumi from '@pulumi/pulumi';
import type { OrgConfig } from '../config';
import { describeSignal, savedQueryName, SIGNAL_TAG_KEY, type Playbook, type Signal } from '../config/detection';

/** The organisation's alert thresholds (`detection.thresholds`), each per 5-minute window. */
export type DetectionThresholds = OrgConfig['detection']['thresholds'];

/** Window and evaluation frequency of every alert: the thresholds are per 5 minutes. */
export const ALERT_WINDOW = 'PT5M';

/** Category of the saved queries in the workspace's query explorer. */
export const SAVED_QUERY_CATEGORY = 'private-ai';

/**
 * The Log Analytics tables the queries read. The model account's and the vault's diagnostic
 * settings (`AuditLogs`) leave `logAnalyticsDestinationType` unset, and Cognitive Services
 * accounts support only Azure Diagnostics mode anyway, so their logs land in `AzureDiagnostics`;
 * the subscription's Activity Log export lands in `AzureActivity`.
 */
export const LOG_TABLES = { resourceLogs: 'AzureDiagnostics', activityLog: 'AzureActivity' } as const;

/** The diagnostic categories the queries read, each sent by `AuditLogs`. */
export const QUERIED_CATEGORIES = { modelAccount: ['RequestResponse'], keyVault: ['AuditEvent'] } as const;

/**
 * Every model call the account logged (category RequestResponse): one row per call, with the
 * HTTP status in `ResultSignature`, the duration in `DurationMs` and, in the JSON of
 * `properties_s`, the caller's Entra object ID (`objectId`) and the deployment
 * (`modelDeploymentName`). The row carries no prompt, completion or token count. A call
 * refused before its caller was known has no object ID; it is attributed to its (masked) IP.
 */
const MODEL_CALLS = [
  'AzureDiagnostics',
  '| where ResourceProvider =~ "MICROSOFT.COGNITIVESERVICES" and Category == "RequestResponse"',
  '| extend properties = parse_json(properties_s)',
  '| extend caller = coalesce(tostring(properties.objectId), strcat("ip:", CallerIPAddress)), deployment = tostring(properties.modelDeploymentName)',
].join('\n');

/**
 * Key Vault data-plane operations that change or remove the customer-managed key. They happen
 * on the vault's data plane, so the Activity Log never sees them; the vault's AuditEvent log does.
 * A scheduled rotation (`KeyRotate`, `KeyRotateIfDue`) is expected and left out.
 */
export const KEY_VAULT_KEY_OPERATIONS: readonly string[] = ['KeyDelete', 'KeyPurge', 'KeyUpdate', 'KeyImport', 'KeyRestore', 'KeyRotationPolicySet'];

/** A log search alert on the audit workspace. */
export interface LogAlertSpec {
  /** Names the rule's resource: `<component>-<key>`. */
  readonly key: string;
  readonly signal: Signal;
  /** Azure Monitor severity, 0 (critical) to 4 (verbose). */
  readonly severity: number;
  /** What fired and what to do, for the e-mail. */
  readonly description: string;
  readonly query: string;
  /** `Count` counts the query's rows; `Maximum` takes the largest value of `measureColumn`. */
  readonly aggregation: 'Count' | 'Maximum';
  readonly measureColumn?: string;
  /** Columns that split the alert: one alert per value (per caller). */
  readonly splitBy?: readonly string[];
  /** The alert fires when the aggregate is greater than this. */
  readonly threshold: number;
}

/**
 * The log search alerts for `thresholds`, and the allowlist of `deployments` (the only names a
 * legitimate caller can use). Pure: the same config gives the same rules.
 */
export function logAlerts(thresholds: DetectionThresholds, deployments: readonly string[]): LogAlertSpec[] {
  if (deployments.length === 0) throw new Error('deployments is empty; the allowlist alert needs the configured deployment names (config: azure.models)');
  const allowlist = deployments.map((d) => JSON.stringify(d)).join(', ');
  return [
    {
      key: 'caller-requests',
      signal: 'callerVolume',
      severity: 2,
      description: `One caller made more than ${thresholds.callerRequestsPer5Minutes} model calls in 5 minutes (detection.thresholds.callerRequestsPer5Minutes): a leaked session or bulk extraction. The alert names the caller's Entra object ID.`,
      query: `${MODEL_CALLS}\n| project TimeGenerated, caller, deployment, OperationName, ResultSignature`,
      aggregation: 'Count',
      splitBy: ['caller'],
      threshold: thresholds.callerRequestsPer5Minutes,
    },
    {
      key: 'caller-interventions',
      signal: 'interventions',
      severity: 2,
      // The log records the status only: the content_filter error code of the 400 is not logged,
      // so other malformed requests count too. The RAIRejectedRequests metric counts exact blocks,
      // but has no caller dimension.
      description: `One caller's calls were refused with HTTP 400 more than ${thresholds.callerInterventionsPer5Minutes} times in 5 minutes (detection.thresholds.callerInterventionsPer5Minutes); the content filter and Prompt Shields refuse with 400 content_filter: likely prompt injection or jailbreak attempts.`,
      query: `${MODEL_CALLS}\n| where ResultSignature == "400"\n| project TimeGenerated, caller, deployment, OperationName`,
      aggregation: 'Count',
      splitBy: ['caller'],
      threshold: thresholds.callerInterventionsPer5Minutes,
    },
    {
      key: 'denied-calls',
      signal: 'deniedCalls',
      severity: 2,
      description: `More than ${thresholds.deniedCallsPer5Minutes} model calls were refused with 401 or 403 in 5 minutes (detection.thresholds.deniedCallsPer5Minutes): someone without the model-user role is probing the account.`,
      query: `${MODEL_CALLS}\n| where ResultSignature in ("401", "403")\n| project TimeGenerated, caller, deployment, OperationName, ResultSignature, CallerIPAddress`,
      aggregation: 'Count',
      threshold: thresholds.deniedCallsPer5Minutes,
    },
    {
      key: 'unlisted-deployments',
      signal: 'deniedCalls',
      severity: 2,
      description: `More than ${thresholds.deniedCallsPer5Minutes} calls in 5 minutes named a deployment outside the allowlist (${deployments.join(', ')}) or one that does not exist (HTTP 404) (detection.thresholds.deniedCallsPer5Minutes): probing for models the organisation did not approve.`,
      query: `${MODEL_CALLS}\n| where ResultSignature == "404" or (isnotempty(deployment) and deployment !in~ (${allowlist}))\n| project TimeGenerated, caller, deployment, OperationName, ResultSignature`,
      aggregation: 'Count',
      threshold: thresholds.deniedCallsPer5Minutes,
    },
    {
      key: 'latency-p99',
      signal: 'availability',
      severity: 3,
      // Platform metrics give averages and maxima only; the request log has each call's duration.
      description: `The 99th percentile duration of successful model calls exceeded ${thresholds.latencyP99Milliseconds} ms over 5 minutes (detection.thresholds.latencyP99Milliseconds).`,
      query: `${MODEL_CALLS}\n| where ResultSignature startswith "2"\n| summarize p99 = percentile(DurationMs, 99) by bin(TimeGenerated, 5m)`,
      aggregation: 'Maximum',
      measureColumn: 'p99',
      threshold: thresholds.latencyP99Milliseconds,
    },
    {
      key: 'key-changes',
      signal: 'tampering',
      severity: 1,
      description: `The customer-managed key was deleted, purged, disabled, replaced or had its rotation policy changed (${KEY_VAULT_KEY_OPERATIONS.join(', ')} in the vault's audit log). A disabled or deleted key stops the model account and the audit archive.`,
      query: [
        'AzureDiagnostics',
        '| where ResourceProvider =~ "MICROSOFT.KEYVAULT" and Category == "AuditEvent"',
        `| where OperationName in (${KEY_VAULT_KEY_OPERATIONS.map((o) => JSON.stringify(o)).join(', ')})`,
        '| project TimeGenerated, OperationName, ResultSignature, id_s, CallerIPAddress, identity_claim_appid_g',
      ].join('\n'),
      aggregation: 'Count',
      threshold: 0,
    },
  ];
}

/** A metric alert on the model account's platform metrics (namespace Microsoft.CognitiveServices/accounts). */
export interface MetricAlertSpec {
  readonly key: string;
  readonly signal: Signal;
  readonly severity: number;
  readonly description: string;
  readonly metric: string;
  readonly aggregation: 'Total' | 'Maximum' | 'Average';
  /** Only these values of a dimension count, e.g. `{ StatusCode: ['429'] }`. */
  readonly dimensions?: Readonly<Record<string, readonly string[]>>;
  readonly threshold: number;
}

/** Metric namespace of the model account. */
export const MODEL_ACCOUNT_METRIC_NAMESPACE = 'Microsoft.CognitiveServices/accounts';

/**
 * The metric alerts for `thresholds`. Azure OpenAI traffic is measured by the `AzureOpenAI*`,
 * `TokenTransaction` and `RAI*` metrics; Microsoft marks the generic Cognitive Services metrics
 * (`ClientErrors`, `ServerErrors`, `Latency`, `Ratelimit`, `BlockedCalls`) "do not use for
 * Azure OpenAI", so none is used here.
 */
export function metricAlerts(thresholds: DetectionThresholds): MetricAlertSpec[] {
  return [
    {
      key: 'tokens',
      signal: 'callerVolume',
      severity: 2,
      // Azure's request logs carry no token counts per call (only request and response sizes in
      // bytes), so tokens are watched for the whole account, with the per-caller threshold: one
      // caller alone going above it also trips this.
      description: `The account processed more than ${thresholds.callerTokensPer5Minutes} tokens (prompt plus completion) in 5 minutes (detection.thresholds.callerTokensPer5Minutes). Azure logs no tokens per caller: find the caller with the saved query ${savedQueryName('data-leakage', 'volume-by-caller')}.`,
      metric: 'TokenTransaction',
      aggregation: 'Total',
      threshold: thresholds.callerTokensPer5Minutes,
    },
    {
      key: 'content-filter-blocks',
      signal: 'interventions',
      severity: 2,
      description: `The content filter or Prompt Shields blocked more than ${thresholds.interventionsPer5Minutes} calls in 5 minutes (detection.thresholds.interventionsPer5Minutes).`,
      metric: 'RAIRejectedRequests',
      aggregation: 'Total',
      threshold: thresholds.interventionsPer5Minutes,
    },
    {
      key: 'server-errors',
      signal: 'availability',
      severity: 2,
      description: `More than ${thresholds.invokerErrorsPer5Minutes} model calls failed with a server error (5xx) in 5 minutes (detection.thresholds.invokerErrorsPer5Minutes).`,
      metric: 'AzureOpenAIRequests',
      aggregation: 'Total',
      dimensions: { StatusCode: ['500', '502', '503', '504'] },
      threshold: thresholds.invokerErrorsPer5Minutes,
    },
    {
      key: 'throttles',
      signal: 'availability',
      severity: 3,
      description: `More than ${thresholds.throttlesPer5Minutes} model calls were throttled (429, quota exhausted) in 5 minutes (detection.thresholds.throttlesPer5Minutes).`,
      metric: 'AzureOpenAIRequests',
      aggregation: 'Total',
      dimensions: { StatusCode: ['429'] },
      threshold: thresholds.throttlesPer5Minutes,
    },
  ];
}

/** Which of the program's controls a change touches; one Activity Log alert per control. */
export type TamperControl = 'model' | 'audit' | 'keys' | 'network' | 'access' | 'alerting' | 'subscription';

/**
 * Where an operation is watched: `resourceGroup` in the deployment's resource group; `either`
 * across the subscription when this stack owns the subscription's controls, else in the
 * resource group; `subscription` only when this stack owns the subscription's controls.
 */
export type TamperScope = 'resourceGroup' | 'either' | 'subscription';

const OPERATIONS = (control: TamperControl, scope: TamperScope, prefix: string, ...suffixes: string[]) =>
  suffixes.map((s) => ({ operation: `${prefix}/${s}`, control, scope }));

/**
 * Every Azure Resource Manager operation that changes a control of the program, as the Activity
 * Log names it (Microsoft's resource provider operations list). One list: the tamper alerts, the
 * saved queries and the tests read it. Writes and deletes both count: loosening a setting is as
 * much tampering as removing the resource. Role assignment writes and deletes are also how the
 * kill switch shows up.
 */
export const TAMPER_OPERATIONS: ReadonlyArray<{ operation: string; control: TamperControl; scope: TamperScope }> = [
  ...OPERATIONS('model', 'resourceGroup', 'Microsoft.CognitiveServices/accounts', 'write', 'delete', 'listKeys/action', 'regenerateKey/action'),
  ...OPERATIONS('model', 'resourceGroup', 'Microsoft.CognitiveServices/accounts/raiPolicies', 'write', 'delete'),
  ...OPERATIONS('model', 'resourceGroup', 'Microsoft.CognitiveServices/accounts/deployments', 'write', 'delete'),
  ...OPERATIONS('model', 'resourceGroup', 'Microsoft.CognitiveServices/accounts/privateEndpointConnections', 'write', 'delete'),
  ...OPERATIONS('audit', 'either', 'Microsoft.Insights/diagnosticSettings', 'write', 'delete'),
  ...OPERATIONS('audit', 'resourceGroup', 'Microsoft.OperationalInsights/workspaces', 'write', 'delete'),
  ...OPERATIONS('audit', 'resourceGroup', 'Microsoft.OperationalInsights/workspaces/savedSearches', 'write', 'delete'),
  ...OPERATIONS('audit', 'resourceGroup', 'Microsoft.Storage/storageAccounts', 'write', 'delete'),
  ...OPERATIONS('audit', 'resourceGroup', 'Microsoft.Storage/storageAccounts/blobServices', 'write'),
  ...OPERATIONS('audit', 'resourceGroup', 'Microsoft.Storage/storageAccounts/managementPolicies', 'write', 'delete'),
  ...OPERATIONS('audit', 'resourceGroup', 'Microsoft.Authorization/locks', 'delete'),
  // Also here, not only under alerting: deleting the alerting rule is then still seen by this one.
  ...OPERATIONS('audit', 'resourceGroup', 'Microsoft.Insights/activityLogAlerts', 'delete'),
  ...OPERATIONS('keys', 'resourceGroup', 'Microsoft.KeyVault/vaults', 'write', 'delete'),
  ...OPERATIONS('keys', 'resourceGroup', 'Microsoft.KeyVault/vaults/accessPolicies', 'write'),
  ...OPERATIONS('keys', 'resourceGroup', 'Microsoft.KeyVault/vaults/keys', 'write'),
  ...OPERATIONS('keys', 'resourceGroup', 'Microsoft.ManagedIdentity/userAssignedIdentities', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/privateEndpoints', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/privateDnsZones', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/privateDnsZones/A', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/privateDnsZones/virtualNetworkLinks', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/virtualNetworks', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/virtualNetworks/subnets', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/networkSecurityGroups', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Network/networkSecurityGroups/securityRules', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Insights/privateLinkScopes', 'write', 'delete'),
  ...OPERATIONS('network', 'resourceGroup', 'Microsoft.Insights/privateLinkScopes/scopedResources', 'write', 'delete'),
  ...OPERATIONS('access', 'either', 'Microsoft.Authorization/roleAssignments', 'write', 'delete'),
  ...OPERATIONS('access', 'either', 'Microsoft.Authorization/policyAssignments', 'write', 'delete'),
  ...OPERATIONS('access', 'either', 'Microsoft.Authorization/policyExemptions', 'write', 'delete'),
  ...OPERATIONS('access', 'either', 'Microsoft.Resources/subscriptions/resourceGroups', 'delete'),
  ...OPERATIONS('alerting', 'resourceGroup', 'Microsoft.Insights/actionGroups', 'write', 'delete'),
  ...OPERATIONS('alerting', 'resourceGroup', 'Microsoft.Insights/activityLogAlerts', 'write', 'delete'),
  ...OPERATIONS('alerting', 'resourceGroup', 'Microsoft.Insights/scheduledQueryRules', 'write', 'delete'),
  ...OPERATIONS('alerting', 'resourceGroup', 'Microsoft.Insights/metricAlerts', 'write', 'delete'),
  ...OPERATIONS('alerting', 'resourceGroup', 'Microsoft.EventGrid/systemTopics', 'write', 'delete'),
  ...OPERATIONS('alerting', 'resourceGroup', 'Microsoft.EventGrid/systemTopics/eventSubscriptions', 'write', 'delete'),
  ...OPERATIONS('subscription', 'subscription', 'Microsoft.Security/pricings', 'write'),
];

/** One Activity Log alert: the operations of one control, at one scope. */
export interface TamperAlertSpec {
  readonly key: string;
  readonly scope: 'resourceGroup' | 'subscription';
  readonly operations: readonly string[];
}

/**
 * The Activity Log alerts: one per control for the resource group and, when this stack owns
 * the subscription's controls, one for the subscription holding every `either` and
 * `subscription` operation, so an `either` operation alerts once, from the broader scope.
 */
export function tamperAlerts(watchSubscription: boolean): TamperAlertSpec[] {
  const inResourceGroup = TAMPER_OPERATIONS.filter((o) => o.scope === 'resourceGroup' || (o.scope === 'either' && !watchSubscription));
  const controls = [...new Set(inResourceGroup.map((o) => o.control))];
  const specs: TamperAlertSpec[] = controls.map((control) => ({
    key: `tamper-${control}`,
    scope: 'resourceGroup',
    operations: inResourceGroup.filter((o) => o.control === control).map((o) => o.operation),
  }));
  if (watchSubscription) {
    specs.push({ key: 'tamper-subscription', scope: 'subscription', operations: TAMPER_OPERATIONS.filter((o) => o.scope !== 'resourceGroup').map((o) => o.operation) });
  }
  return specs;
}

/** What the Activity Log alerts watch, for their e-mail. */
const CONTROL_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'tamper-model': 'the model account, its content filter, deployments, keys or private endpoint connections',
  'tamper-audit': 'diagnostic settings, the audit workspace, its saved queries, the audit archive, its lifecycle or lock, or an alert rule',
  'tamper-keys': 'the Key Vault, its keys or the identity that uses the key',
  'tamper-network': 'private endpoints, private DNS, the virtual network, its subnets and security rules, or the Azure Monitor private link scope',
  'tamper-access': 'role assignments (including the kill switch), policy assignments or exemptions, or the resource group itself',
  'tamper-alerting': 'the security action group, an alert rule, or the Event Grid topic that raises key alerts',
  'tamper-subscription': 'subscription-wide controls: diagnostic settings (the Activity Log export), role and policy assignments or exemptions, resource group deletion, or the Defender for Cloud plans',
};

/** KQL string list of `values`. */
const kqlList = (values: readonly string[]) => values.map((v) => JSON.stringify(v)).join(', ');

/** Activity Log rows of the given operations (the subscription's Activity Log export into the workspace). */
const activityOf = (operations: readonly string[]) =>
  [
    'AzureActivity',
    `| where OperationNameValue in~ (${kqlList(operations)})`,
    '| project TimeGenerated, OperationNameValue, ActivityStatusValue, Caller, CallerIpAddress, _ResourceId, CorrelationId, Properties_d',
    '| order by TimeGenerated desc',
  ].join('\n');

/** Placeholder the responder replaces with the caller's Entra object ID from the alert. */
const SUSPECT = 'let suspect = "00000000-0000-0000-0000-000000000000"; // the caller object ID named by the alert';

/**
 * The saved queries each playbook runs, in the audit workspace as `private-ai/<playbook>/<step>`
 * (category `private-ai`). The playbooks quote `query` verbatim. Queries on `AzureActivity` find
 * rows only where this stack (or the platform team, into this workspace) exports the Activity Log.
 */
export const AZURE_SAVED_QUERIES: ReadonlyArray<{ playbook: Playbook; step: string; query: string }> = [
  {
    playbook: 'prompt-injection',
    step: 'refusals-by-caller',
    query: `${MODEL_CALLS}\n| where ResultSignature == "400"\n| summarize refusals = count(), firstSeen = min(TimeGenerated), lastSeen = max(TimeGenerated) by caller, deployment\n| order by refusals desc`,
  },
  {
    playbook: 'prompt-injection',
    step: 'caller-activity',
    query: `${SUSPECT}\n${MODEL_CALLS}\n| where caller == suspect\n| project TimeGenerated, deployment, OperationName, ResultSignature, DurationMs, CallerIPAddress, CorrelationId\n| order by TimeGenerated asc`,
  },
  {
    playbook: 'data-leakage',
    step: 'volume-by-caller',
    query: `${MODEL_CALLS}\n| summarize calls = count(), requestBytes = sum(tolong(properties.requestLength)), responseBytes = sum(tolong(properties.responseLength)) by caller, bin(TimeGenerated, 5m)\n| order by responseBytes desc`,
  },
  {
    playbook: 'data-leakage',
    step: 'caller-activity',
    query: `${SUSPECT}\n${MODEL_CALLS}\n| where caller == suspect\n| summarize calls = count(), responseBytes = sum(tolong(properties.responseLength)) by deployment, OperationName, CallerIPAddress, bin(TimeGenerated, 1h)\n| order by TimeGenerated asc`,
  },
  {
    playbook: 'harmful-output',
    step: 'refusals-by-deployment',
    query: `${MODEL_CALLS}\n| where ResultSignature == "400"\n| summarize refusals = count() by deployment, model = tostring(properties.modelName), version = tostring(properties.modelVersion), bin(TimeGenerated, 1h)\n| order by TimeGenerated desc`,
  },
  {
    playbook: 'harmful-output',
    step: 'filter-changes',
    query: activityOf(TAMPER_OPERATIONS.filter((o) => /\/(raiPolicies|deployments)\//.test(o.operation)).map((o) => o.operation)),
  },
  {
    playbook: 'compromised-credentials',
    step: 'caller-activity',
    query: `${SUSPECT}\n${MODEL_CALLS}\n| where caller == suspect\n| project TimeGenerated, deployment, OperationName, ResultSignature, CallerIPAddress, CorrelationId\n| order by TimeGenerated asc`,
  },
  {
    playbook: 'compromised-credentials',
    step: 'denied-calls',
    query: `${MODEL_CALLS}\n| where ResultSignature in ("401", "403")\n| summarize denied = count(), firstSeen = min(TimeGenerated), lastSeen = max(TimeGenerated) by caller, CallerIPAddress, ResultSignature\n| order by denied desc`,
  },
  {
    playbook: 'compromised-credentials',
    step: 'control-changes',
    query: activityOf(TAMPER_OPERATIONS.map((o) => o.operation)),
  },
];

/** Alerts on misuse and tampering, sent to the security contacts. */
export interface MisuseDetectionArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  /** Location of the workspace; log search alerts live beside it. */
  readonly location: string;
  /** Resource group the program deploys into: the scope of the Activity Log alerts. */
  readonly resourceGroupId: pulumi.Input<string>;
  /** Subscription of the deployment, for the subscription-wide Activity Log alert. */
  readonly subscriptionId: string;
  /** The audit workspace that receives the account's and the vault's logs. */
  readonly workspaceId: pulumi.Input<string>;
  readonly workspaceName: pulumi.Input<string>;
  /** The model account whose metrics raise the metric alerts. */
  readonly modelAccountId: pulumi.Input<string>;
  /** The deployment allowlist (`azure.models`); calls to any other name alert. */
  readonly deploymentNames: readonly string[];
  /** `detection.thresholds` of the organisation config. */
  readonly thresholds: DetectionThresholds;
  /** The action group that e-mails the security contacts (`SecurityContacts`). */
  readonly actionGroupId: pulumi.Input<string>;
  /**
   * Also watch subscription-wide controls (diagnostic settings including the Activity Log
   * export, role and policy assignments, resource group deletion, Defender plans) across the
   * subscription. Turn it on where this stack owns the subscription's controls; elsewhere those
   * changes are watched in the resource group only, and the subscription's owner watches the rest.
   * @default false
   */
  readonly watchSubscription?: boolean;
  /** @default - no tags besides the signal tag */
  readonly tags?: Record<string, string>;
}

/**
 * Every signal of `SIGNALS` as Azure Monitor alerts to the security contacts' action group,
 * each tagged `private-ai-signal=<signal>`: log search alerts on the account's request logs and
 * the vault's audit log (per caller where the logs name the caller), metric alerts on the
 * account's token, content-filter and request metrics, and Activity Log alerts on every change
 * to the program's controls (`TAMPER_OPERATIONS`); and the playbooks' saved queries
 * (`AZURE_SAVED_QUERIES`) in the workspace. Policy assignments made at a management group are
 * logged in that group's Activity Log, which these alerts do not see.
 */
export class MisuseDetection extends pulumi.ComponentResource {
  /** Every alert, by resource name, with the signal it watches. */
  public readonly alerts: Array<{ name: string; signal: Signal; kind: 'log' | 'metric' | 'activityLog' }>;
  /** Display names of the saved queries, `private-ai/<playbook>/<step>`. */
  public readonly savedQueryNames: string[];

  constructor(name: string, args: MisuseDetectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:MisuseDetection', name, {}, opts);
    const tagsFor = (signal: Signal) => ({ ...args.tags, [SIGNAL_TAG_KEY]: signal });
    const alerts: MisuseDetection['alerts'] = [];

    for (const spec of logAlerts(args.thresholds, args.deploymentNames)) {
      const rule = `${name}-${spec.key}`;
      new monitor.ScheduledQueryRule(
        rule,
        {
          resourceGroupName: args.resourceGroupName,
          location: args.location,
          kind: 'LogAlert',
          displayName: `privateai ${spec.key}`,
          description: describeSignal(spec.signal, spec.description),
          enabled: true,
          severity: spec.severity,
          scopes: [args.workspaceId],
          evaluationFrequency: ALERT_WINDOW,
          windowSize: ALERT_WINDOW,
          // Azure checks the query against the workspace when the rule is created, and a new
          // workspace has no AzureDiagnostics table until the first log arrives (the table cannot
          // be created through ARM): without this the first deployment fails.
          skipQueryValidation: true,
          criteria: {
            allOf: [
              {
                query: spec.query,
                timeAggregation: spec.aggregation,
                ...(spec.measureColumn ? { metricMeasureColumn: spec.measureColumn } : {}),
                dimensions: (spec.splitBy ?? []).map((column) => ({ name: column, operator: 'Include', values: ['*'] })),
                operator: 'GreaterThan',
                threshold: spec.threshold,
                failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
              },
            ],
          },
          actions: { actionGroups: [args.actionGroupId] },
          tags: tagsFor(spec.signal),
        },
        { parent: this },
      );
      alerts.push({ name: rule, signal: spec.signal, kind: 'log' });
    }

    for (const spec of metricAlerts(args.thresholds)) {
      const rule = `${name}-${spec.key}`;
      new monitor.MetricAlert(
        rule,
        {
          resourceGroupName: args.resourceGroupName,
          location: 'global',
          description: describeSignal(spec.signal, spec.description),
          enabled: true,
          severity: spec.severity,
          scopes: [args.modelAccountId],
          evaluationFrequency: ALERT_WINDOW,
          windowSize: ALERT_WINDOW,
          criteria: {
            odataType: 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria',
            allOf: [
              {
                criterionType: 'StaticThresholdCriterion',
                name: spec.key,
                metricName: spec.metric,
                metricNamespace: MODEL_ACCOUNT_METRIC_NAMESPACE,
                timeAggregation: spec.aggregation,
                operator: 'GreaterThan',
                threshold: spec.threshold,
                dimensions: Object.entries(spec.dimensions ?? {}).map(([dimension, values]) => ({ name: dimension, operator: 'Include', values: [...values] })),
              },
            ],
          },
          actions: [{ actionGroupId: args.actionGroupId }],
          tags: tagsFor(spec.signal),
        },
        { parent: this },
      );
      alerts.push({ name: rule, signal: spec.signal, kind: 'metric' });
    }

    const subscriptionScope = `/subscriptions/${args.subscriptionId}`;
    for (const spec of tamperAlerts(args.watchSubscription ?? false)) {
      const rule = `${name}-${spec.key}`;
      new monitor.ActivityLogAlert(
        rule,
        {
          resourceGroupName: args.resourceGroupName,
          location: 'global',
          description: describeSignal('tampering', `A change to ${CONTROL_DESCRIPTIONS[spec.key]}. Attempts that failed count too. Check the caller against your change records.`),
          enabled: true,
          scopes: [spec.scope === 'subscription' ? subscriptionScope : args.resourceGroupId],
          condition: {
            allOf: [{ field: 'category', equals: 'Administrative' }, { anyOf: spec.operations.map((operation) => ({ field: 'operationName', equals: operation })) }],
          },
          actions: { actionGroups: [{ actionGroupId: args.actionGroupId }] },
          tags: tagsFor('tampering'),
        },
        { parent: this },
      );
      alerts.push({ name: rule, signal: 'tampering', kind: 'activityLog' });
    }

    // Saved searches take tags as a name/value list.
    const searchTags = Object.entries(args.tags ?? {}).map(([tag, value]) => ({ name: tag, value }));
    for (const saved of AZURE_SAVED_QUERIES) {
      new operationalinsights.SavedSearch(
        `${name}-query-${saved.playbook}-${saved.step}`,
        {
          resourceGroupName: args.resourceGroupName,
          workspaceName: args.workspaceName,
          savedSearchId: `privateai-${saved.playbook}-${saved.step}`,
          category: SAVED_QUERY_CATEGORY,
          displayName: savedQueryName(saved.playbook, saved.step),
          query: saved.query,
          tags: searchTags,
        },
        { parent: this },
      );
    }

    this.alerts = alerts;
    this.savedQueryNames = AZURE_SAVED_QUERIES.map((q) => savedQueryName(q.playbook, q.step));
    this.registerOutputs({ alerts: this.alerts, savedQueryNames: this.savedQueryNames });
  }
}
