// Entry point of `pulumi up` for the Azure project: settings from stack config (privateai:*),
// the organisation config from the file privateai:orgConfig names (default: the embedded
// example), then the program. Only this file and bin/plan.ts read config.
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { loadOrgConfig } from '../../lib/config';
import { assertKnownSettings, providerTargetWarnings } from '../cloud-program';
import { azureProgram, runAzure } from './program';

const namespace = azureProgram.namespace;
const config = new pulumi.Config(namespace);

assertKnownSettings(azureProgram, Object.keys(pulumi.runtime.allConfig()));

const orgConfigPath = config.get('orgConfig');
const org = loadOrgConfig(orgConfigPath ? path.resolve(__dirname, orgConfigPath) : undefined);
const settings = azureProgram.readSettings((key) => config.get(key), org, pulumi.getStack());

// Role definition IDs and residency checks use the settings; the provider must deploy there too.
const provider = new pulumi.Config('azure-native');
const warnings = providerTargetWarnings(namespace, 'azure-native', [
  { key: 'subscriptionId', setting: 'subscriptionId', expected: settings.subscriptionId, actual: provider.get('subscriptionId') ?? process.env.ARM_SUBSCRIPTION_ID },
  { key: 'tenantId', setting: 'tenantId', expected: settings.tenantId, actual: provider.get('tenantId') ?? process.env.ARM_TENANT_ID },
  { key: 'location', setting: 'location', expected: settings.location, actual: provider.get('location') },
]);
for (const warning of warnings) pulumi.log.warn(warning);

export const {
  location,
  resourceGroupName,
  accountId,
  accountName,
  openAiEndpoint,
  aiServicesEndpoint,
  privateEndpointHostNames,
  deploymentNames,
  modelUserRoles,
  workspaceId,
  logRetentionDays,
  auditArchiveAccountId,
  auditArchiveRetentionDays,
  auditArchiveLocked,
  keyVaultUri,
  accountKeyVersion,
  monitorPrivateLinkScopeId,
  policyAssignments,
  subscriptionControls,
  defenderForAi,
  securityActionGroupId,
  modelAccess,
  misuseAlerts,
  savedQueries,
  privateDnsZonesCreated,
  privateDnsZones,
  privateDns,
} = runAzure(org, settings);
