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
   * Protect the workspace from `pulumi destroy`, so audit evidence outlives the stack unless
   * someone unprotects it on purpose.
   * @default true
   */
  readonly protectWorkspace?: boolean;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * A Log Analytics workspace (Entra ID ingestion only, queries need workspace permissions) and
 * diagnostic settings that send the model account's audit, request, usage and trace logs and
 * metrics, and the Key Vault's audit events, to it, and to the immutable archive when one is given.
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
        tags: args.tags,
      },
      { parent: this, protect: args.protectWorkspace ?? true },
    );

    const diagnostics = (suffix: string, resourceUri: pulumi.Input<string>, categories: readonly string[]) =>
      new monitor.DiagnosticSetting(
        `${name}-${suffix}`,
        {
          name: 'privateai-audit',
          resourceUri,
          workspaceId: workspace.id,
          ...(args.archiveStorageAccountId !== undefined ? { storageAccountId: args.archiveStorageAccountId } : {}),
          logs: categories.map((category) => ({ category, enabled: true })),
          metrics: [{ category: 'AllMetrics', enabled: true }],
        },
        { parent: this },
      );
    diagnostics('account-diagnostics', args.modelAccountId, MODEL_ACCOUNT_LOG_CATEGORIES);
    diagnostics('vault-diagnostics', args.keyVaultId, KEY_VAULT_LOG_CATEGORIES);

    this.workspaceId = workspace.id;
    this.workspaceName = workspace.name;
    this.retentionInDays = retention.retentionInDays;
    this.registerOutputs({ workspaceId: this.workspaceId, workspaceName: this.workspaceName, retentionInDays: this.retentionInDays });
  }
}
