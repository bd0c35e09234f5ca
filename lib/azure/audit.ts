import * as monitor from '@pulumi/azure-native/monitor';
import * as operationalinsights from '@pulumi/azure-native/operationalinsights';
import * as pulumi from '@pulumi/pulumi';
import { LOG_ANALYTICS_MAX_RETENTION_DAYS } from '../config/limits';

/**
 * Log categories of an AI Services / Azure OpenAI account: control-plane audit, per-request
 * records (no prompt or completion text), token usage per deployment, and service traces.
 */
export const MODEL_ACCOUNT_LOG_CATEGORIES: readonly string[] = ['Audit', 'RequestResponse', 'AzureOpenAIRequestUsage', 'Trace'];

/** Log categories of a Key Vault: every authenticated request, including each key operation. */
export const KEY_VAULT_LOG_CATEGORIES: readonly string[] = ['AuditEvent'];

/**
 * Log categories of a storage account's Blob service (`<account>/blobServices/default`): every
 * read, write and delete request. The account itself emits no logs, only metrics.
 */
export const STORAGE_BLOB_LOG_CATEGORIES: readonly string[] = ['StorageRead', 'StorageWrite', 'StorageDelete'];

/**
 * Metric categories of a storage account that a diagnostic setting exports: transactions
 * (requests, errors, latency, ingress, egress). Capacity metrics are not exportable.
 */
export const STORAGE_ACCOUNT_METRIC_CATEGORIES: readonly string[] = ['Transaction'];

/**
 * Categories of a subscription's Activity Log: Resource Manager writes, deletes and actions
 * (including role assignments), Defender for Cloud alerts, service and resource health,
 * alert activations, Advisor recommendations, Azure Policy effects and autoscale.
 */
export const ACTIVITY_LOG_CATEGORIES: readonly string[] = ['Administrative', 'Security', 'ServiceHealth', 'Alert', 'Recommendation', 'Policy', 'Autoscale', 'ResourceHealth'];

/** Name of every diagnostic setting the audit logs create. */
export const AUDIT_DIAGNOSTIC_SETTING_NAME = 'privateai-audit';

/** Interactive retention a PerGB2018 workspace accepts, in days. */
export const LOG_ANALYTICS_RETENTION = { min: 30, max: LOG_ANALYTICS_MAX_RETENTION_DAYS } as const;

/**
 * The workspace retention for the organisation's retention. Shorter than Log Analytics' minimum
 * is raised to it (logs kept longer, never shorter, with a warning); longer than its maximum is
 * refused, because quietly keeping audit logs for less time than the policy demands would
 * break the policy.
 */
export function logAnalyticsRetention(days: number, source = 'config: logging.retentionDays'): { retentionInDays: number; warning?: string } {
  if (!Number.isInteger(days) || days < 1) throw new Error(`retention ${days} is not a whole number of days (${source})`);
  if (days > LOG_ANALYTICS_RETENTION.max) {
    throw new Error(
      `retention ${days} days exceeds the ${LOG_ANALYTICS_RETENTION.max} days a Log Analytics workspace keeps data; use ${LOG_ANALYTICS_RETENTION.max} days or less for Azure, or archive the logs elsewhere for longer (${source})`,
    );
  }
  if (days < LOG_ANALYTICS_RETENTION.min) {
    return {
      retentionInDays: LOG_ANALYTICS_RETENTION.min,
      warning: `retention ${days} days is below the ${LOG_ANALYTICS_RETENTION.min} days a Log Analytics workspace keeps data; the workspace keeps it ${LOG_ANALYTICS_RETENTION.min} days (${source})`,
    };
  }
  return { retentionInDays: days };
}

/** Where the audit logs go and what sends them there. */
export interface AuditLogsArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Retention of the logs in days (30-730; less is raised to 30 with a warning). */
  readonly retentionDays: number;
  /** The model account whose logs and metrics are collected. */
  readonly modelAccountId: pulumi.Input<string>;
  /** The Key Vault whose audit events are collected. */
  readonly keyVaultId: pulumi.Input<string>;
  /**
   * A storage account that receives the same logs and metrics as immutable evidence, kept for
   * the audit retention, which is longer than a workspace can keep them (see `AuditArchive`).
   * @default - the logs go to the workspace only
   */
  readonly archiveStorageAccountId?: pulumi.Input<string>;
  /**
   * Also send the subscription's Activity Log (who created, changed or deleted what, role
   * assignments, policy effects, Defender alerts) to the workspace and the archive, with a
   * subscription diagnostic setting on the subscription the Azure provider deploys to. A
   * subscription takes at most 5 diagnostic settings, and one export is enough: turn it on in
   * exactly one stack per subscription, and leave it off where the platform team already
   * exports the Activity Log centrally.
   * @default false
   */
  readonly activityLog?: boolean;
  /**
   * Protect the workspace from `pulumi destroy`, so audit evidence outlives the stack unless
   * someone unprotects it on purpose.
   * @default true
   */
  readonly protectWorkspace?: boolean;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * A Log Analytics workspace (Entra ID ingestion only, queries need workspace permissions, no
 * public ingestion or queries: reach it through `PrivateMonitor`) and diagnostic settings that
 * send the model account's audit, request, usage and trace logs and metrics, and the Key Vault's
 * audit events, to it, and to the immutable archive when one is given; the archive's own access
 * logs and metrics to the workspace; and, when asked, the subscription's Activity Log.
 */
export class AuditLogs extends pulumi.ComponentResource {
  public readonly workspaceId: pulumi.Output<string>;
  public readonly workspaceName: pulumi.Output<string>;
  public readonly retentionInDays: number;

  constructor(name: string, args: AuditLogsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:AuditLogs', name, {}, opts);
    const retention = logAnalyticsRetention(args.retentionDays);
    if (retention.warning) pulumi.log.warn(retention.warning, this);

    const workspace = new operationalinsights.Workspace(
      `${name}-workspace`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        sku: { name: 'PerGB2018' },
        retentionInDays: retention.retentionInDays,
        features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: false },
        // Agents and SDKs ingest, and people query, only through the Azure Monitor Private Link
        // Scope. Diagnostic settings still deliver: Azure Monitor sends resource logs and metrics
        // to the workspace over a private Microsoft channel these settings do not govern.
        publicNetworkAccessForIngestion: 'Disabled',
        publicNetworkAccessForQuery: 'Disabled',
        tags: args.tags,
      },
      { parent: this, protect: args.protectWorkspace ?? true },
    );

    const enabled = (categories: readonly string[]) => categories.map((category) => ({ category, enabled: true }));
    const archive = args.archiveStorageAccountId !== undefined ? { storageAccountId: args.archiveStorageAccountId } : {};
    const diagnostics = (suffix: string, settings: Omit<monitor.DiagnosticSettingArgs, 'name' | 'workspaceId'>) =>
      new monitor.DiagnosticSetting(`${name}-${suffix}`, { name: AUDIT_DIAGNOSTIC_SETTING_NAME, workspaceId: workspace.id, ...settings }, { parent: this });

    diagnostics('account-diagnostics', { resourceUri: args.modelAccountId, ...archive, logs: enabled(MODEL_ACCOUNT_LOG_CATEGORIES), metrics: enabled(['AllMetrics']) });
    diagnostics('vault-diagnostics', { resourceUri: args.keyVaultId, ...archive, logs: enabled(KEY_VAULT_LOG_CATEGORIES), metrics: enabled(['AllMetrics']) });

    if (args.archiveStorageAccountId !== undefined) {
      // Requests to the archive and how it is used, to the workspace only: written into the archive
      // itself, each log entry would be a write that logs another write, without end, which is why
      // Azure Storage does not let a diagnostic setting send an account's logs to that account.
      // Azure Monitor leaves requests to the insights-logs-* containers out of these logs (only
      // classic Storage Analytics logging records them); the Activity Log records changes to the
      // account, its immutability policy and its lock.
      diagnostics('archive-blob-diagnostics', {
        resourceUri: pulumi.interpolate`${args.archiveStorageAccountId}/blobServices/default`,
        logs: enabled(STORAGE_BLOB_LOG_CATEGORIES),
      });
      diagnostics('archive-account-diagnostics', { resourceUri: args.archiveStorageAccountId, metrics: enabled(STORAGE_ACCOUNT_METRIC_CATEGORIES) });
    }

    if (args.activityLog ?? false) {
      new monitor.SubscriptionDiagnosticSetting(
        `${name}-activity-log`,
        { name: AUDIT_DIAGNOSTIC_SETTING_NAME, workspaceId: workspace.id, ...archive, logs: enabled(ACTIVITY_LOG_CATEGORIES) },
        { parent: this },
      );
    }

    this.workspaceId = workspace.id;
    this.workspaceName = workspace.name;
    this.retentionInDays = retention.retentionInDays;
    this.registerOutputs({ workspaceId: this.workspaceId, workspaceName: this.workspaceName, retentionInDays: this.retentionInDays });
  }
}
