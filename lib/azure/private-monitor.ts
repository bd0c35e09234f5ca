import * as monitor from '@pulumi/azure-native/monitor';
import * as pulumi from '@pulumi/pulumi';
import { endpointPlacement, PrivateServiceEndpoint, type PrivateEndpointPlacement } from './private-endpoint';

/**
 * Private DNS zones of an Azure Monitor Private Link Scope's `azuremonitor` endpoint (Azure
 * public cloud): the global and regional Azure Monitor endpoints, including the Log Analytics
 * query API (`monitor`); the workspace-specific agent (`oms`), ingestion (`ods`) and agent
 * service (`agentsvc`) endpoints; and the storage account agents download solution packs from
 * (`blob`). Microsoft lists exactly these five for an AMPLS private endpoint.
 */
export const MONITOR_PRIVATE_DNS_ZONES: readonly string[] = [
  'privatelink.monitor.azure.com',
  'privatelink.oms.opinsights.azure.com',
  'privatelink.ods.opinsights.azure.com',
  'privatelink.agentsvc.azure-automation.net',
  'privatelink.blob.core.windows.net',
];

/** Private-link sub-resource of an Azure Monitor Private Link Scope. */
export const MONITOR_PRIVATE_LINK_GROUP_ID = 'azuremonitor';

/** How the scope's private endpoint treats Azure Monitor resources outside the scope. */
export const MONITOR_ACCESS_MODES = ['PrivateOnly', 'Open'] as const;
export type MonitorAccessMode = (typeof MONITOR_ACCESS_MODES)[number];

/** A private path to the audit workspace: the scope, the workspace in it, and its private endpoint. */
export interface PrivateMonitorArgs extends PrivateEndpointPlacement {
  /** The Log Analytics workspace queried and fed only through the scope. */
  readonly workspaceId: pulumi.Input<string>;
  /**
   * Ingestion and query access mode of the scope, for every network whose DNS resolves Azure
   * Monitor through its private endpoint.
   *
   * `PrivateOnly`: those networks reach only the Azure Monitor resources in this scope; queries
   * and ingestion to any other workspace or Application Insights component are blocked, which
   * is what stops audit data from leaving through Azure Monitor. Choose it for a virtual network
   * the blueprint created, or one whose every Azure Monitor resource is in this scope.
   *
   * `Open`: those networks still reach resources outside the scope over their public endpoints.
   * Choose it for an existing shared virtual network (or one sharing DNS with others) whose other
   * workloads send to or query Azure Monitor resources outside this scope: Azure applies the mode
   * to every network that shares the DNS, across subscriptions and tenants, so `PrivateOnly` would
   * cut those workloads off. The audit workspace stays private either way, because it refuses
   * public ingestion and queries itself (see `AuditLogs`).
   *
   * Log Analytics ingestion uses workspace-specific endpoints and does not follow the access mode;
   * the workspace's own network settings govern it.
   * @default 'PrivateOnly'
   */
  readonly accessMode?: MonitorAccessMode;
}

/**
 * An Azure Monitor Private Link Scope (AMPLS) holding the audit Log Analytics workspace, and a
 * private endpoint to the scope in the private-endpoint subnet, with the five private DNS zones
 * Azure Monitor needs when the blueprint owns DNS. Queries and ingestion then stay on the private
 * network; the workspace refuses public ones.
 *
 * A virtual network connects to one AMPLS only, and every AMPLS endpoint rewrites the same shared
 * Azure Monitor names: networks that share DNS must share one scope. Where the organisation
 * already runs an AMPLS for the network, add the workspace to that scope instead of creating this.
 */
export class PrivateMonitor extends pulumi.ComponentResource {
  public readonly scopeId: pulumi.Output<string>;
  public readonly privateEndpointId: pulumi.Output<string>;
  public readonly privateEndpoint: PrivateServiceEndpoint;
  public readonly accessMode: MonitorAccessMode;

  constructor(name: string, args: PrivateMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:PrivateMonitor', name, {}, opts);
    const accessMode = args.accessMode ?? 'PrivateOnly';
    if (!MONITOR_ACCESS_MODES.includes(accessMode)) {
      throw new Error(`${name}: accessMode "${String(accessMode)}" is not an Azure Monitor Private Link Scope access mode; use ${MONITOR_ACCESS_MODES.join(' or ')}`);
    }

    const scope = new monitor.PrivateLinkScope(
      `${name}-scope`,
      {
        resourceGroupName: args.resourceGroupName,
        // A scope is a global resource; its private endpoints are regional.
        location: 'global',
        accessModeSettings: { ingestionAccessMode: accessMode, queryAccessMode: accessMode, exclusions: [] },
        tags: args.tags,
      },
      { parent: this },
    );

    const workspace = new monitor.PrivateLinkScopedResource(
      `${name}-workspace`,
      { resourceGroupName: args.resourceGroupName, scopeName: scope.name, linkedResourceId: args.workspaceId },
      { parent: this },
    );

    // Microsoft's order: create the scope, connect its resources, then connect the endpoint, so
    // the endpoint's zone group registers the workspace-specific names.
    this.privateEndpoint = new PrivateServiceEndpoint(
      `${name}-pe`,
      {
        ...endpointPlacement(args),
        serviceResourceId: scope.id,
        groupId: MONITOR_PRIVATE_LINK_GROUP_ID,
        dnsZoneNames: MONITOR_PRIVATE_DNS_ZONES,
        dependsOn: [workspace],
      },
      { parent: this },
    );

    this.scopeId = scope.id;
    this.privateEndpointId = this.privateEndpoint.privateEndpointId;
    this.accessMode = accessMode;
    this.registerOutputs({ scopeId: this.scopeId, privateEndpointId: this.privateEndpointId, accessMode: this.accessMode });
  }
}
