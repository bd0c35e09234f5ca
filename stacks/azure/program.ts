import * as pulumi from '@pulumi/pulumi';
import type { OrgConfig } from '../../lib/config';
import { ModelAccess } from '../../lib/azure/access';
import { AuditLogs } from '../../lib/azure/audit';
import { AuditArchive } from '../../lib/azure/audit-archive';
import { DefenderForAi } from '../../lib/azure/defender';
import { KeyRotationAlerts } from '../../lib/azure/key-rotation-alerts';
import { EncryptionKeys } from '../../lib/azure/keys';
import { MisuseDetection } from '../../lib/azure/misuse-detection';
import { PrivateModelAccount } from '../../lib/azure/model-account';
import { resourceTags } from '../../lib/azure/naming';
import { PrivateNetwork } from '../../lib/azure/network';
import { azurePlanAnswers } from '../../lib/azure/plan-answers';
import { checkSubscriptionBelow, PolicyGuardrails, policyEnforcementMode, type PolicyEnforcement } from '../../lib/azure/policy-assignments';
import { KEY_VAULT_PRIVATE_DNS_ZONES, MODEL_ACCOUNT_PRIVATE_DNS_ZONES } from '../../lib/azure/private-endpoint';
import { MONITOR_PRIVATE_DNS_ZONES, PrivateMonitor } from '../../lib/azure/private-monitor';
import { modelUserRoles } from '../../lib/azure/roles';
import { SecurityContacts } from '../../lib/azure/security-contacts';
import type { CloudProgram } from '../cloud-program';
import { azureMockState } from './mock-state';
import { derivedAzureSettings, NAMESPACE, readAzureSettings, SETTING_KEYS, type AzureSettings } from './settings';

export type { AzureSettings } from './settings';

/** What app teams and reviewers read from the stack. Never a key: the account has none. */
export type AzureStackOutputs = {
  location: string;
  resourceGroupName: pulumi.Output<string>;
  /** Resource ID of the model account (for role assignments and diagnostics). */
  accountId: pulumi.Output<string>;
  accountName: pulumi.Output<string>;
  /** The OpenAI API endpoint; inside the network it resolves to the private endpoint. */
  openAiEndpoint: string;
  /** The Foundry (AI Services) endpoint; only for AIServices accounts. */
  aiServicesEndpoint: string | undefined;
  /** Host names that resolve to the private endpoints inside the network. */
  privateEndpointHostNames: string[];
  /** Deployment names callers pass as the model. */
  deploymentNames: string[];
  /** Roles model users have on the account. */
  modelUserRoles: string[];
  /** Resource ID of the audit Log Analytics workspace. */
  workspaceId: pulumi.Output<string>;
  logRetentionDays: number;
  /** Resource ID of the storage account that keeps the audit logs immutable. */
  auditArchiveAccountId: pulumi.Output<string>;
  /** Days each archived log stays immutable (the organisation's audit retention). */
  auditArchiveRetentionDays: number;
  /** Whether the archive's immutability policy is locked (irreversible). */
  auditArchiveLocked: boolean;
  keyVaultUri: pulumi.Output<string>;
  /** The key version the model account is pinned to; the next `pulumi up` after a rotation moves it on. */
  accountKeyVersion: pulumi.Output<string>;
  /** Resource ID of the Azure Monitor private link scope through which the audit workspace is reached. */
  monitorPrivateLinkScopeId: pulumi.Output<string>;
  /**
   * Where the Azure Policy assignments are, whether they deny or only report, which this stack
   * made (none when another stack assigns them at the fleet's management group) and who did.
   */
  policyAssignments: {
    scope: string;
    enforcement: PolicyEnforcement;
    definitions: string[];
    assignedBy: string;
    /** In a fleet (azure.managementGroup): this stack's subscription, and the group read at deployment to hold it (fails the preview otherwise). */
    subscription?: string;
    subscriptionBelow?: pulumi.Output<string>;
  };
  /** Whether this stack owns the Defender for AI plan and the Activity Log diagnostic setting of its subscription. */
  subscriptionControls: { ownedByThisStack: boolean; note: string };
  /** Whether the Defender for Cloud AI workloads plan is set by this stack. */
  defenderForAi: boolean;
  /** Resource ID of the action group that e-mails the security contacts the program's alerts. */
  securityActionGroupId: pulumi.Output<string>;
  /** The kill switch's state (detection.suspendModelAccess): `suspended` when model users hold no role on the account. */
  modelAccess: 'open' | 'suspended';
  /** Names of the misuse and tampering alert rules, by the signal each watches. */
  misuseAlerts: Record<string, string[]>;
  /** Saved queries of the incident playbooks in the audit workspace (`private-ai/<playbook>/<step>`). */
  savedQueries: string[];
  /** Whether this stack created the private DNS zones; if not, DNS must be registered centrally. */
  privateDnsZonesCreated: boolean;
  privateDnsZones: string[];
  privateDns: string;
};

/** Creates the private model platform of one subscription and location. */
export function runAzure(org: OrgConfig, settings: AzureSettings): AzureStackOutputs {
  const azure = org.azure;
  if (!azure) throw new Error('the organisation config has no azure section; add azure.allowedLocations and azure.models to deploy to Azure');
  const tags = resourceTags(org.tags);
  const { location, network: choice } = settings;

  const network = new PrivateNetwork('network', {
    location,
    allowedLocations: azure.allowedLocations,
    resourceGroupName: settings.resourceGroupName,
    ...(choice.kind === 'existing'
      ? { existingVirtualNetworkId: choice.virtualNetworkId, existingPrivateEndpointSubnetId: choice.privateEndpointSubnetId }
      : { addressSpace: choice.addressSpace, privateEndpointSubnetPrefix: choice.privateEndpointSubnetPrefix, applicationSubnetPrefix: choice.applicationSubnetPrefix }),
    tags,
  });
  const placement = {
    resourceGroupName: network.resourceGroupName,
    location,
    privateEndpointSubnetId: network.privateEndpointSubnetId,
    createPrivateDnsZones: settings.createPrivateDnsZones,
    centralDnsZoneResourceGroupId: settings.centralDnsZoneResourceGroupId,
    virtualNetworkId: network.virtualNetworkId,
    tags,
  };

  // Microsoft's built-in definitions keep the controls for changes made outside Pulumi too. In a
  // fleet with azure.managementGroup, one stack assigns them there and the others rely on it.
  const scope = settings.policyAssignmentScope;
  const enforcement = policyEnforcementMode(azure.policyEnforcement);
  // Every stack of the fleet, the owner too, must be below the group: `pulumi preview` reads it.
  const fleetGroup = azure.managementGroup?.id;
  const guardrails =
    scope.kind === 'inherited'
      ? undefined
      : new PolicyGuardrails('policy', {
          // Built from the group's name, not its id output, so the scope is checked as an ARM ID and
          // the assignments still wait for the group.
          scope: scope.kind === 'resourceGroup' ? pulumi.interpolate`/subscriptions/${settings.subscriptionId}/resourceGroups/${network.resourceGroupName}` : scope.id,
          scopeKind: scope.kind,
          allowedLocations: azure.allowedLocations,
          enforcement,
        });

  const keys = new EncryptionKeys('keys', {
    ...placement,
    tenantId: settings.tenantId,
    subscriptionId: settings.subscriptionId,
    vaultName: settings.keyVaultName,
  });

  // The config requires a contact when azure is configured (a rotation needs someone to act).
  const contacts = new SecurityContacts('contacts', { resourceGroupName: network.resourceGroupName, emails: org.securityContacts.emails, tags });
  new KeyRotationAlerts('key-alerts', { resourceGroupName: network.resourceGroupName, location, vaultId: keys.vaultId, actionGroupIds: [contacts.actionGroupId], tags });

  const models = new PrivateModelAccount('models', {
    ...placement,
    kind: azure.accountKind,
    customSubDomainName: settings.customSubDomainName,
    encryption: keys.encryption,
    deployments: azure.models,
    contentFilterSeverity: azure.contentFilterSeverity,
    strictResidency: org.dataResidency.strict,
    deploymentSource: (i) => `config: azure.models[${i}]`,
  });

  // Azure creates immutability policies unlocked only: lock from the deployment after the one that created the archive.
  const lockArchive = azure.lockAuditRetention && settings.auditArchiveExists;
  if (azure.lockAuditRetention && !settings.auditArchiveExists) {
    pulumi.log.warn(
      `the audit archive is created with its immutability policy Unlocked, because Azure cannot create a Locked one; after this deployment succeeds, set ${NAMESPACE}:auditArchiveExists true and run pulumi up again to lock it (azure.lockAuditRetention)`,
    );
  }
  const archive = new AuditArchive('archive', {
    resourceGroupName: network.resourceGroupName,
    location,
    accountName: settings.auditArchiveAccountName,
    retentionDays: org.logging.auditRetentionDays,
    locked: lockArchive,
    encryption: keys.encryption,
    tags,
  });

  const audit = new AuditLogs('audit', {
    resourceGroupName: network.resourceGroupName,
    location,
    retentionDays: org.logging.retentionDays,
    modelAccountId: models.accountId,
    keyVaultId: keys.vaultId,
    archiveStorageAccountId: archive.accountId,
    // A subscription holds at most five diagnostic settings: one stack per subscription owns this one.
    activityLog: settings.manageSubscriptionControls,
    tags,
  });

  const monitor = new PrivateMonitor('monitor', {
    ...placement,
    workspaceId: audit.workspaceId,
    // PrivateOnly would cut other workloads of a shared network off the Azure Monitor resources outside this scope.
    accessMode: choice.kind === 'existing' ? 'Open' : 'PrivateOnly',
  });

  const defender = azure.defenderForAi.enabled && settings.manageSubscriptionControls
    ? new DefenderForAi('defender', { subscriptionId: settings.subscriptionId, promptEvidence: azure.defenderForAi.promptEvidence })
    : undefined;

  const userRoles = modelUserRoles(azure.models.map((m) => m.format));
  const access = new ModelAccess('access', {
    subscriptionId: settings.subscriptionId,
    modelUserGroups: org.sso.modelUsers.azure,
    auditorGroups: org.sso.auditors.azure,
    platformAdminGroups: org.sso.platformAdmins.azure,
    modelAccountId: models.accountId,
    workspaceId: audit.workspaceId,
    resourceGroupId: network.resourceGroupId,
    modelUserRoles: userRoles,
    suspendModelUsers: org.detection.suspendModelAccess,
  });

  const detection = new MisuseDetection('detection', {
    resourceGroupName: network.resourceGroupName,
    location,
    resourceGroupId: network.resourceGroupId,
    subscriptionId: settings.subscriptionId,
    workspaceId: audit.workspaceId,
    workspaceName: audit.workspaceName,
    modelAccountId: models.accountId,
    deploymentNames: models.deploymentNames,
    thresholds: org.detection.thresholds,
    actionGroupId: contacts.actionGroupId,
    // Only the stack that owns the subscription's controls watches them subscription-wide.
    watchSubscription: settings.manageSubscriptionControls,
    tags,
  });
  const misuseAlerts: Record<string, string[]> = {};
  for (const alert of detection.alerts) (misuseAlerts[alert.signal] ??= []).push(alert.name);

  const hostNames = [
    ...Object.values(models.endpoints).map((url) => new URL(url).hostname),
    `${settings.keyVaultName}.vault.azure.net`,
  ];
  const zones = [...MODEL_ACCOUNT_PRIVATE_DNS_ZONES, ...KEY_VAULT_PRIVATE_DNS_ZONES, ...MONITOR_PRIVATE_DNS_ZONES];
  return {
    location,
    resourceGroupName: network.resourceGroupName,
    accountId: models.accountId,
    accountName: models.accountName,
    openAiEndpoint: models.endpoints.openAi,
    aiServicesEndpoint: models.endpoints.aiServices,
    privateEndpointHostNames: hostNames,
    deploymentNames: models.deploymentNames,
    modelUserRoles: userRoles.map((r) => r.name),
    workspaceId: audit.workspaceId,
    logRetentionDays: audit.retentionInDays,
    auditArchiveAccountId: archive.accountId,
    auditArchiveRetentionDays: archive.retentionDays,
    auditArchiveLocked: archive.locked,
    keyVaultUri: keys.vaultUri,
    accountKeyVersion: keys.keyVersion,
    monitorPrivateLinkScopeId: monitor.scopeId,
    policyAssignments: {
      scope: scope.kind === 'resourceGroup' ? 'the deployment resource group' : scope.id,
      enforcement,
      definitions: guardrails ? guardrails.assignedKeys.map(String) : [],
      assignedBy: scope.kind === 'inherited' ? `stack ${scope.ownerStack} (azure.managementGroup)` : 'this stack',
      ...(fleetGroup ? { subscription: settings.subscriptionId, subscriptionBelow: checkSubscriptionBelow(fleetGroup, settings.subscriptionId) } : {}),
    },
    subscriptionControls: {
      ownedByThisStack: settings.manageSubscriptionControls,
      note: settings.manageSubscriptionControls
        ? 'this stack owns the Defender for AI plan and the Activity Log diagnostic setting of the subscription'
        : `another owner manages the Defender for AI plan and the Activity Log diagnostic setting (${NAMESPACE}:manageSubscriptionControls false)`,
    },
    defenderForAi: defender !== undefined,
    securityActionGroupId: contacts.actionGroupId,
    modelAccess: access.modelAccess,
    misuseAlerts,
    savedQueries: detection.savedQueryNames,
    privateDnsZonesCreated: settings.createPrivateDnsZones,
    privateDnsZones: zones,
    privateDns: settings.createPrivateDnsZones
      ? `the private DNS zones were created in the deployment's resource group and linked to the virtual network`
      : settings.centralDnsZoneResourceGroupId
        ? `the private endpoints registered their records in the central zones ${zones.join(', ')} of ${settings.centralDnsZoneResourceGroupId}; each zone must be linked to the virtual network`
        : `no private DNS zones were created (${NAMESPACE}:createPrivateDnsZones is false): register the private endpoints of ${hostNames.join(', ')} in your central zones ${zones.join(', ')} (all of them: a Foundry account needs three) and link them to the virtual network, or set ${NAMESPACE}:centralDnsZoneResourceGroupId; otherwise the names resolve to public addresses that refuse every call`,
  };
}

/** The Azure Pulumi program: settings from stack config `privateai:*`, resources from the org config. */
export const azureProgram: CloudProgram<AzureSettings> & {
  /** Computed attributes for offline plans (`planProgram`'s `state`). */
  readonly mockState: typeof azureMockState;
} = {
  project: 'private-ai-azure',
  namespace: NAMESPACE,
  settingKeys: Object.keys(SETTING_KEYS),
  readSettings: readAzureSettings,
  derivedSettings: derivedAzureSettings,
  run: runAzure,
  answers: (s) => azurePlanAnswers(s.subscriptionId),
  mockState: azureMockState,
};
