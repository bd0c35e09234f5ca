import { deterministicGuid } from '../../lib/azure/naming';

/**
 * What Azure would report for the attributes the program reads but does not set (an
 * identity's client ID, a vault's URI, physical names), so an offline plan shows the values
 * the real deployment would wire together instead of leaving them empty. Used only under mocks.
 */

/** The input that holds the physical name of each resource type the program creates. */
const NAME_INPUT: Readonly<Record<string, string>> = {
  'azure-native:resources:ResourceGroup': 'resourceGroupName',
  'azure-native:network:VirtualNetwork': 'virtualNetworkName',
  'azure-native:network:Subnet': 'subnetName',
  'azure-native:network:NetworkSecurityGroup': 'networkSecurityGroupName',
  'azure-native:network:PrivateEndpoint': 'privateEndpointName',
  'azure-native:network:PrivateDnsZoneGroup': 'privateDnsZoneGroupName',
  'azure-native:privatedns:PrivateZone': 'privateZoneName',
  'azure-native:privatedns:VirtualNetworkLink': 'virtualNetworkLinkName',
  'azure-native:keyvault:Vault': 'vaultName',
  'azure-native:keyvault:Key': 'keyName',
  'azure-native:managedidentity:UserAssignedIdentity': 'resourceName',
  'azure-native:cognitiveservices:Account': 'accountName',
  'azure-native:cognitiveservices:RaiPolicy': 'raiPolicyName',
  'azure-native:cognitiveservices:Deployment': 'deploymentName',
  'azure-native:operationalinsights:Workspace': 'workspaceName',
  'azure-native:monitor:DiagnosticSetting': 'name',
  'azure-native:authorization:RoleAssignment': 'roleAssignmentName',
  'azure-native:authorization:ManagementLockByScope': 'lockName',
  'azure-native:storage:StorageAccount': 'accountName',
  'azure-native:storage:ManagementPolicy': 'managementPolicyName',
  'azure-native:storage:BlobServiceProperties': 'blobServicesName',
  'azure-native:authorization:PolicyAssignment': 'policyAssignmentName',
  'azure-native:monitor:ActionGroup': 'actionGroupName',
  'azure-native:monitor:PrivateLinkScope': 'scopeName',
  'azure-native:monitor:PrivateLinkScopedResource': 'name',
  'azure-native:monitor:SubscriptionDiagnosticSetting': 'name',
  'azure-native:eventgrid:SystemTopic': 'systemTopicName',
  'azure-native:eventgrid:SystemTopicEventSubscription': 'eventSubscriptionName',
  'azure-native:security:Pricing': 'pricingName',
};

/** Mock state for `planProgram`'s `state` option. */
export function azureMockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const nameInput = NAME_INPUT[type];
  const physicalName = nameInput && typeof inputs[nameInput] === 'string' ? (inputs[nameInput] as string) : name;
  const state: Record<string, unknown> = { name: physicalName };
  const properties = (inputs.properties ?? {}) as Record<string, unknown>;
  switch (type) {
    case 'azure-native:managedidentity:UserAssignedIdentity':
      state.clientId = deterministicGuid('mock', name, 'clientId');
      state.principalId = deterministicGuid('mock', name, 'principalId');
      break;
    case 'azure-native:keyvault:Key': {
      // Key Vault names each key version with 32 hex digits.
      const version = deterministicGuid('mock', name, 'version').replace(/-/g, '');
      const vault = typeof inputs.vaultName === 'string' ? inputs.vaultName : 'vault';
      state.keyUri = `https://${vault}.vault.azure.net/keys/${physicalName}`;
      state.keyUriWithVersion = `${state.keyUri}/${version}`;
      break;
    }
    case 'azure-native:keyvault:Vault':
      state.properties = { ...properties, vaultUri: `https://${physicalName}.vault.azure.net/` };
      break;
  }
  return state;
}
