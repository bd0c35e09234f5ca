import type { OrgConfig } from '../../lib/config';
import {
  CUSTOM_SUBDOMAIN_PATTERN,
  defaultAuditArchiveAccountName,
  defaultCustomSubDomainName,
  defaultKeyVaultName,
  GUID_PATTERN,
  KEY_VAULT_NAME_PATTERN,
  resourceGroupName,
  STORAGE_ACCOUNT_NAME_PATTERN,
} from '../../lib/azure/naming';
import { chooseNetwork, type NetworkChoice, type NetworkInput } from '../../lib/azure/network';
import { managementGroupScope, policyScopeKind } from '../../lib/azure/policy-assignments';
import { assertAllowedLocation } from '../../lib/azure/residency';

/**
 * The deployment-specific settings of the Azure program (Pulumi stack config, namespace
 * `privateai`): where to deploy and into which network. Everything the organisation decides
 * (locations, models, groups, retention, tags) stays in the organisation config.
 */

/** Config namespace of the settings. */
export const NAMESPACE = 'privateai';

/** Every key the program reads, and what it is for. */
export const SETTING_KEYS = {
  orgConfig: 'path of the organisation config, relative to the project directory (default: the embedded example)',
  subscriptionId: 'subscription to deploy to (a GUID)',
  tenantId: 'Entra ID tenant of the subscription (a GUID)',
  location: 'Azure location of every resource; one of azure.allowedLocations',
  resourceGroupPrefix: 'prefix of the resource group name (<prefix>-<location>) and of globally unique names',
  createPrivateDnsZones: 'create the private DNS zones and link them to the network (true) or leave DNS to central policy (false)',
  centralDnsZoneResourceGroupId:
    'with createPrivateDnsZones false: resource ID of the resource group holding the central privatelink zones; the endpoints register in every zone they need there',
  policyAssignmentScope:
    'where the Azure Policy assignments go: resourceGroup (default), /subscriptions/<subscriptionId> (this subscription) or /providers/Microsoft.Management/managementGroups/<id>',
  manageSubscriptionControls:
    'whether this stack owns the subscription-wide controls (the Defender for AI plan, the Activity Log diagnostic setting); false when another stack or a central team owns them',
  existingVirtualNetworkId: 'use this virtual network instead of creating one',
  existingPrivateEndpointSubnetId: 'the subnet of existingVirtualNetworkId for the private endpoints',
  addressSpace: 'address space of a new virtual network',
  privateEndpointSubnetPrefix: 'private-endpoint subnet of a new virtual network',
  applicationSubnetPrefix: 'application subnet of a new virtual network',
  customSubDomainName: 'subdomain (and name) of the model account, globally unique',
  keyVaultName: 'name of the Key Vault, globally unique',
  auditArchiveAccountName: 'name of the storage account of the immutable audit archive, globally unique',
  auditArchiveExists:
    'true once a pulumi up has created the audit archive: Azure creates immutability policies unlocked only, so azure.lockAuditRetention locks the archive from the second deployment on',
} as const;

export type SettingKey = keyof typeof SETTING_KEYS;

/** The validated settings, defaults applied. */
export interface AzureSettings {
  readonly subscriptionId: string;
  readonly tenantId: string;
  readonly location: string;
  readonly resourceGroupName: string;
  readonly network: NetworkChoice;
  readonly createPrivateDnsZones: boolean;
  /** The resource group of the central privatelink zones, when DNS is central. */
  readonly centralDnsZoneResourceGroupId?: string;
  /** Where the Azure Policy assignments go. */
  readonly policyAssignmentScope: PolicyAssignmentScope;
  /** Whether this stack owns the subscription-wide controls. */
  readonly manageSubscriptionControls: boolean;
  readonly customSubDomainName: string;
  readonly keyVaultName: string;
  readonly auditArchiveAccountName: string;
  /** Whether an earlier deployment created the audit archive (so its policy can be locked). */
  readonly auditArchiveExists: boolean;
}

/**
 * The resource group of the deployment, its subscription, or a management group; or `inherited`:
 * another stack (`ownerStack`, azure.managementGroup) assigns at the management group `id` above
 * this stack's subscription, and this stack assigns nothing.
 */
export type PolicyAssignmentScope =
  | { kind: 'resourceGroup' }
  | { kind: 'subscription'; id: string }
  | { kind: 'managementGroup'; id: string }
  | { kind: 'inherited'; id: string; ownerStack: string };


const PREFIX_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){1,38}[a-z0-9]$/;

/**
 * Validates the stack settings against the organisation config. Collects every problem and
 * throws one error listing them; each names the key, the value received and what is allowed.
 */
export function readAzureSettings(get: (key: string) => unknown, org: OrgConfig, stack: string): AzureSettings {
  const azure = org.azure;
  if (!azure) {
    throw new Error('the organisation config has no azure section; add azure.allowedLocations and azure.models to deploy to Azure');
  }
  const issues: string[] = [];
  const problem = (key: SettingKey, message: string) => issues.push(`${message} (config: ${NAMESPACE}:${key})`);

  const text = (key: SettingKey): string | undefined => {
    const value = get(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      problem(key, `${key} ${JSON.stringify(value)} must be a string`);
      return undefined;
    }
    return value.trim();
  };
  const required = (key: SettingKey): string | undefined => {
    const raw = get(key);
    const value = text(key);
    if (raw === undefined || raw === null || raw === '') problem(key, `${key} is required: the ${SETTING_KEYS[key]}`);
    return value;
  };
  const guid = (key: SettingKey): string => {
    const value = required(key);
    if (value !== undefined && !GUID_PATTERN.test(value)) problem(key, `${key} "${value}" is not a GUID; give the ${SETTING_KEYS[key].replace(/ \(a GUID\)$/, '')}, such as 00000000-0000-0000-0000-000000000000`);
    return value?.toLowerCase() ?? '';
  };

  const subscriptionId = guid('subscriptionId');
  const tenantId = guid('tenantId');

  const location = required('location') ?? '';
  if (location) {
    try {
      assertAllowedLocation(location, azure.allowedLocations, `config: ${NAMESPACE}:location`);
    } catch (e) {
      issues.push((e as Error).message);
    }
  }

  const prefix = text('resourceGroupPrefix') ?? `${org.organisation.name}-ai`;
  if (!PREFIX_PATTERN.test(prefix)) {
    problem('resourceGroupPrefix', `resourceGroupPrefix "${prefix}" must be 3-40 lowercase letters, digits and single hyphens, starting with a letter and ending with a letter or digit`);
  }

  const createPrivateDnsZones = flag(get('createPrivateDnsZones'), true);
  if (createPrivateDnsZones === undefined) {
    problem('createPrivateDnsZones', `createPrivateDnsZones ${JSON.stringify(get('createPrivateDnsZones'))} must be true or false`);
  }

  const centralDnsZoneResourceGroupId = text('centralDnsZoneResourceGroupId');
  if (centralDnsZoneResourceGroupId !== undefined) {
    if (createPrivateDnsZones) {
      problem('centralDnsZoneResourceGroupId', `centralDnsZoneResourceGroupId is set but createPrivateDnsZones is true; set ${NAMESPACE}:createPrivateDnsZones false to register in the central zones, or remove this key`);
    } else if (policyScopeKind(centralDnsZoneResourceGroupId) !== 'resourceGroup') {
      problem('centralDnsZoneResourceGroupId', `centralDnsZoneResourceGroupId "${centralDnsZoneResourceGroupId}" is not a resource group ID such as /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/dns-hub`);
    }
  }

  const scopeText = text('policyAssignmentScope') ?? 'resourceGroup';
  let policyAssignmentScope: PolicyAssignmentScope = { kind: 'resourceGroup' };
  const scopeKind = scopeText === 'resourceGroup' ? 'resourceGroup' : policyScopeKind(scopeText);
  if (scopeKind === 'subscription') {
    if (scopeText.toLowerCase() !== `/subscriptions/${subscriptionId}`) {
      problem('policyAssignmentScope', `policyAssignmentScope "${scopeText}" is not this stack's subscription /subscriptions/${subscriptionId}; a stack assigns policy to its own subscription, or to a management group above it`);
    }
    policyAssignmentScope = { kind: 'subscription', id: `/subscriptions/${subscriptionId}` };
  } else if (scopeKind === 'managementGroup') {
    policyAssignmentScope = { kind: 'managementGroup', id: scopeText };
  } else if (scopeText !== 'resourceGroup') {
    // A resource group ID too: the stack assigns to its own group, named resourceGroup.
    problem('policyAssignmentScope', `policyAssignmentScope "${scopeText}" must be resourceGroup, /subscriptions/<subscriptionId> or /providers/Microsoft.Management/managementGroups/<id>`);
  }
  // A fleet's assignments at one management group, made by one stack: the others assign nothing.
  const fleet = azure.managementGroup;
  if (fleet) {
    const id = managementGroupScope(fleet.id);
    if (text('policyAssignmentScope') !== undefined) {
      problem(
        'policyAssignmentScope',
        `policyAssignmentScope "${scopeText}" is set, but the organisation config has stack ${fleet.ownerStack} assign the fleet's policies at ${id} (azure.managementGroup); remove ${NAMESPACE}:policyAssignmentScope from this stack, or remove azure.managementGroup to assign per stack`,
      );
    }
    policyAssignmentScope = stack === fleet.ownerStack ? { kind: 'managementGroup', id } : { kind: 'inherited', id, ownerStack: fleet.ownerStack };
  }

  const manageSubscriptionControls = flag(get('manageSubscriptionControls'), true);
  if (manageSubscriptionControls === undefined) {
    problem('manageSubscriptionControls', `manageSubscriptionControls ${JSON.stringify(get('manageSubscriptionControls'))} must be true or false`);
  }

  const networkInput: NetworkInput = {
    existingVirtualNetworkId: text('existingVirtualNetworkId'),
    existingPrivateEndpointSubnetId: text('existingPrivateEndpointSubnetId'),
    addressSpace: text('addressSpace'),
    privateEndpointSubnetPrefix: text('privateEndpointSubnetPrefix'),
    applicationSubnetPrefix: text('applicationSubnetPrefix'),
  };
  const network = chooseNetwork(networkInput);
  network.issues.forEach((i) => problem(i.field, i.message));

  const customSubDomainName = text('customSubDomainName') ?? defaultCustomSubDomainName(prefix, location, subscriptionId);
  if (!CUSTOM_SUBDOMAIN_PATTERN.test(customSubDomainName)) {
    problem('customSubDomainName', `customSubDomainName "${customSubDomainName}" must be 2-64 lowercase letters, digits and hyphens, starting and ending with a letter or digit`);
  }
  const keyVaultName = text('keyVaultName') ?? defaultKeyVaultName(prefix, location, subscriptionId);
  if (!KEY_VAULT_NAME_PATTERN.test(keyVaultName)) {
    problem('keyVaultName', `keyVaultName "${keyVaultName}" must be 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit`);
  }

  const auditArchiveAccountName = text('auditArchiveAccountName') ?? defaultAuditArchiveAccountName(prefix, location, subscriptionId);
  if (!STORAGE_ACCOUNT_NAME_PATTERN.test(auditArchiveAccountName)) {
    problem('auditArchiveAccountName', `auditArchiveAccountName "${auditArchiveAccountName}" must be 3-24 lowercase letters and digits`);
  }

  const auditArchiveExists = flag(get('auditArchiveExists'), false);
  if (auditArchiveExists === undefined) {
    problem('auditArchiveExists', `auditArchiveExists ${JSON.stringify(get('auditArchiveExists'))} must be true or false`);
  }

  if (issues.length > 0 || !network.choice || createPrivateDnsZones === undefined || auditArchiveExists === undefined || manageSubscriptionControls === undefined) {
    throw new Error(`invalid Azure stack settings:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
  }
  return {
    subscriptionId,
    tenantId,
    location,
    resourceGroupName: resourceGroupName(prefix, location),
    network: network.choice,
    createPrivateDnsZones,
    ...(centralDnsZoneResourceGroupId !== undefined ? { centralDnsZoneResourceGroupId } : {}),
    policyAssignmentScope,
    manageSubscriptionControls,
    customSubDomainName,
    keyVaultName,
    auditArchiveAccountName,
    auditArchiveExists,
  };
}

/** A placeholder subscription or tenant for offline plans of an organisation without a stack file. */
const PLACEHOLDER_GUID = '00000000-0000-0000-0000-000000000000';

/**
 * Settings for an offline plan of an organisation that has no Azure stack file: placeholder
 * subscription and tenant, the first allowed location, every other setting at its default. The
 * plan shows the stack as it stands after its first deployment (the audit archive exists, so
 * `azure.lockAuditRetention` locks it), as the example stack does: that is what a reviewer signs off.
 */
export function derivedAzureSettings(org: OrgConfig): Record<string, unknown> {
  return { subscriptionId: PLACEHOLDER_GUID, tenantId: PLACEHOLDER_GUID, location: org.azure?.allowedLocations[0], auditArchiveExists: true };
}

/** A boolean setting: YAML gives booleans, `pulumi config set` gives the strings "true"/"false". */
function flag(value: unknown, fallback: boolean): boolean | undefined {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}
