// Entry point of `pulumi up` for the Azure project: settings from stack config (privateai:*),
// the organisation config from the file privateai:orgConfig names (default: the embedded
// example), then the program. Only this file and bin/plan.ts read config.
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { loadOrgConfig } from '../../lib/config';
import { assertKnownSettings } from '../cloud-program';
import { azureProgram, runAzure } from './program';

const namespace = azureProgram.namespace;
const config = new pulumi.Config(namespace);

assertKnownSettings(azureProgram, Object.keys(pulumi.runtime.allConfig()));

const orgConfigPath = config.get('orgConfig');
const org = loadOrgConfig(orgConfigPath ? path.resolve(__dirname, orgConfigPath) : undefined);
const settings = azureProgram.readSettings((key) => config.get(key), org);

// Role definition IDs and residency checks use the settings; the provider must deploy there too.
const provider = new pulumi.Config('azure-native');
const targets: Array<[string, string, string | undefined]> = [
  ['subscriptionId', settings.subscriptionId, provider.get('subscriptionId') ?? process.env.ARM_SUBSCRIPTION_ID],
  ['tenantId', settings.tenantId, provider.get('tenantId') ?? process.env.ARM_TENANT_ID],
  ['location', settings.location, provider.get('location')],
];
for (const [key, expected, actual] of targets) {
  if (actual === undefined) {
    pulumi.log.warn(`azure-native:${key} is not set; make sure the provider's default ${key} is ${expected} (${namespace}:${key})`);
  } else if (actual.toLowerCase() !== expected.toLowerCase()) {
    throw new Error(`azure-native:${key} ${actual} differs from ${namespace}:${key} ${expected}; set both to the same value`);
  }
}

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
  privateDnsZonesCreated,
  privateDnsZones,
  privateDns,
} = runAzure(org, settings);
