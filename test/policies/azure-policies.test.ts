import * as fs from 'fs';
import * as path from 'path';
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import * as yaml from 'js-yaml';
import type { Plan, PlanResource } from '../../lib/pulumi/plan';
import * as azure from '../../policies/azure/policies';
import { runPoliciesOffline } from '../../policies/pulumi/offline';
import { azureProgram } from '../../stacks/azure/program';
import { exampleOrg, plan } from '../azure/support';

const stackFile = path.join(__dirname, '..', '..', 'stacks', 'azure', 'Pulumi.example.yaml');
const stackConfig = (yaml.load(fs.readFileSync(stackFile, 'utf8')) as { config: Record<string, unknown> }).config;
const config = azure.azurePolicyConfig(exampleOrg.azure!, 'example');

let example: Plan;
beforeAll(async () => {
  const settings = azureProgram.readSettings((key) => stackConfig[`privateai:${key}`], exampleOrg, 'example');
  const { cloud, stack, resources, outputs, calls } = await plan(() => azureProgram.run(exampleOrg, settings));
  example = { cloud, stack, resources, outputs, calls };
});

/** The example plan with `change` applied to a copy of the named resource's inputs. */
function changed(name: string, change: (inputs: Record<string, any>) => void): Plan { // eslint-disable-line @typescript-eslint/no-explicit-any
  const copy = JSON.parse(JSON.stringify(example)) as Plan;
  const target = copy.resources.find((r) => r.name === name);
  if (!target) throw new Error(`no resource ${name} in the example plan`);
  change(target.inputs);
  return copy;
}

/** The example plan without the named resources. */
const without = (...names: string[]): Plan => ({ ...example, resources: example.resources.filter((r) => !names.includes(r.name)) });

/** The example plan with one more resource. */
const plus = (resource: PlanResource): Plan => ({ ...example, resources: [...example.resources, resource] });

/** The messages one policy reports over a plan, each prefixed with the resource it names. */
async function findings(policy: ResourceValidationPolicy | StackValidationPolicy, p: Plan): Promise<string[]> {
  const result = await runPoliciesOffline('private-ai-azure', [policy], p, { config });
  return result.violations.map((v) => `${v.resource?.split('::').pop()}: ${v.message}`);
}

describe('the Azure policy pack over the example plan', () => {
  test('every policy runs and none finds anything; all but the archive lock are mandatory', async () => {
    const result = await runPoliciesOffline('private-ai-azure', azure.azurePolicies, example, { config });
    expect(result.violations).toEqual([]);
    expect(result.notApplicable).toEqual([]);
    expect(result.passed).toEqual(azure.azurePolicies.map((p) => p.name));
    expect(azure.azurePolicies.filter((p) => p.enforcementLevel !== 'mandatory').map((p) => [p.name, p.enforcementLevel])).toEqual([['azure-audit-archive-locked', 'advisory']]);
  });
});

describe('azure-ai-account-no-public-access', () => {
  test('refuses public network access, an allow-by-default ACL and unrestricted outbound access', async () => {
    const p = changed('models-account', (i) => {
      i.properties.publicNetworkAccess = 'Enabled';
      i.properties.networkAcls.defaultAction = 'Allow';
      delete i.properties.restrictOutboundNetworkAccess;
    });
    expect(await findings(azure.aiAccountNoPublicAccess, p)).toEqual([
      'models-account: publicNetworkAccess is "Enabled"; set it to "Disabled" so the account is reached only through its private endpoint',
      'models-account: networkAcls.defaultAction is "Allow"; set it to "Deny"',
      'models-account: restrictOutboundNetworkAccess is absent; set it to true so the account cannot send data to arbitrary endpoints',
    ]);
  });
});

describe('azure-ai-account-no-local-auth', () => {
  test('refuses API keys', async () => {
    expect(await findings(azure.aiAccountNoLocalAuth, changed('models-account', (i) => (i.properties.disableLocalAuth = false)))).toEqual([
      'models-account: disableLocalAuth is false; set it to true so no shared API key can call the models',
    ]);
  });
});

describe('azure-ai-account-customer-managed-key', () => {
  test('refuses Microsoft-managed keys', async () => {
    expect(await findings(azure.aiAccountCustomerManagedKey, changed('models-account', (i) => delete i.properties.encryption))).toEqual([
      'models-account: encryption.keySource is absent; set it to "Microsoft.KeyVault" with keyVaultProperties naming the customer-managed key',
    ]);
  });

  test('refuses a Key Vault key source that does not name the key', async () => {
    expect(await findings(azure.aiAccountCustomerManagedKey, changed('models-account', (i) => delete i.properties.encryption.keyVaultProperties.keyName))).toEqual([
      'models-account: encryption.keyVaultProperties.keyName is absent',
    ]);
  });
});

describe('azure-private-endpoint-present', () => {
  test('refuses an account without a private endpoint', async () => {
    expect(await findings(azure.privateEndpointPresent, without('models-pe-endpoint'))).toEqual([
      'models-account: models-account has no private endpoint with group id "account" in this stack; add a PrivateEndpoint whose privateLinkServiceConnections name it',
    ]);
  });

  test('an endpoint for the wrong sub-resource does not count', async () => {
    const p = changed('keys-pe-endpoint', (i) => (i.privateLinkServiceConnections[0].groupIds = ['account']));
    expect(await findings(azure.privateEndpointPresent, p)).toEqual([
      'keys-vault: keys-vault has no private endpoint with group id "vault" in this stack; add a PrivateEndpoint whose privateLinkServiceConnections name it',
    ]);
  });
});

describe('azure-diagnostics-present', () => {
  test('refuses an account whose logs go nowhere', async () => {
    expect(await findings(azure.diagnosticsPresent, without('audit-account-diagnostics'))).toEqual([
      'models-account: models-account has no diagnostic setting sending to a Log Analytics workspace',
    ]);
  });

  test('refuses diagnostics that leave out request logs', async () => {
    const p = changed('audit-account-diagnostics', (i) => (i.logs = i.logs.filter((l: { category: string }) => l.category !== 'RequestResponse')));
    expect(await findings(azure.diagnosticsPresent, p)).toEqual(["models-account: models-account's diagnostic settings do not enable RequestResponse"]);
  });

  test('the allLogs category group covers every category', async () => {
    const p = changed('audit-vault-diagnostics', (i) => (i.logs = [{ categoryGroup: 'allLogs', enabled: true }]));
    expect(await findings(azure.diagnosticsPresent, p)).toEqual([]);
  });
});

describe('azure-content-filter-on-every-deployment', () => {
  test('refuses a deployment without a content filter', async () => {
    expect(await findings(azure.contentFilterOnEveryDeployment, changed('models-deployment-gpt-4o', (i) => delete i.properties.raiPolicyName))).toEqual([
      "models-deployment-gpt-4o: deployment models-deployment-gpt-4o names no raiPolicyName; reference the stack's content-filter policy",
    ]);
  });

  test('refuses a filter that is not defined in the stack', async () => {
    expect(await findings(azure.contentFilterOnEveryDeployment, changed('models-deployment-gpt-4o', (i) => (i.properties.raiPolicyName = 'Microsoft.Default')))).toEqual([
      'models-deployment-gpt-4o: deployment models-deployment-gpt-4o uses raiPolicyName "Microsoft.Default", which is not a RaiPolicy of this stack on the same account',
    ]);
  });

  test('refuses a filter that lets jailbreaks through, on every deployment using it', async () => {
    const p = changed('models-content-filter', (i) => {
      const jailbreak = i.properties.contentFilters.find((f: { name: string }) => f.name === 'Jailbreak');
      jailbreak.blocking = false;
    });
    expect(await findings(azure.contentFilterOnEveryDeployment, p)).toEqual([
      'models-deployment-gpt-4o: deployment models-deployment-gpt-4o: content filter privateai-content-filter does not block Jailbreak (Prompt)',
      'models-deployment-text-embedding-3-large: deployment models-deployment-text-embedding-3-large: content filter privateai-content-filter does not block Jailbreak (Prompt)',
    ]);
  });
});

describe('azure-deployment-version-pinned', () => {
  test('refuses a floating version with automatic upgrades', async () => {
    const p = changed('models-deployment-gpt-4o', (i) => {
      delete i.properties.model.version;
      i.properties.versionUpgradeOption = 'OnceNewDefaultVersionAvailable';
    });
    expect(await findings(azure.deploymentVersionPinned, p)).toEqual([
      'models-deployment-gpt-4o: model.version is absent; pin an explicit model version',
      'models-deployment-gpt-4o: versionUpgradeOption is "OnceNewDefaultVersionAvailable"; set it to "NoAutoUpgrade"',
    ]);
  });
});

describe('azure-key-vault-hardened', () => {
  test('refuses access policies, no purge protection and public access', async () => {
    const p = changed('keys-vault', (i) => {
      i.properties.enableRbacAuthorization = false;
      delete i.properties.enablePurgeProtection;
      i.properties.publicNetworkAccess = 'Enabled';
    });
    expect(await findings(azure.keyVaultHardened, p)).toEqual([
      'keys-vault: enableRbacAuthorization is false; set it to true so access is granted by Entra ID roles, not vault access policies',
      'keys-vault: enablePurgeProtection is absent; set it to true so a deleted key cannot be purged before its retention ends',
      'keys-vault: publicNetworkAccess is "Enabled"; set it to "Disabled" so the vault is reached only through its private endpoint',
    ]);
  });
});

describe('azure-key-rotation', () => {
  test('refuses a key that only notifies', async () => {
    const p = changed('keys-key', (i) => (i.properties.rotationPolicy.lifetimeActions = i.properties.rotationPolicy.lifetimeActions.filter((a: { action: { type: string } }) => a.action.type !== 'rotate')));
    expect(await findings(azure.keyRotation, p)).toEqual(['keys-key: rotationPolicy has no lifetime action of type "rotate" with a trigger; add one (e.g. timeAfterCreate "P1Y")']);
  });
});

describe('azure-log-workspace-no-local-auth', () => {
  test('refuses workspace keys', async () => {
    expect(await findings(azure.workspaceNoLocalAuth, changed('audit-workspace', (i) => delete i.features))).toEqual([
      'audit-workspace: features.disableLocalAuth is absent; set it to true so logs are read and written with Entra ID only',
    ]);
  });
});

describe('azure-group-role-assignments-only', () => {
  const assignment = (principalType: string, role: string): PlanResource => ({
    type: azure.AZURE_TYPES.roleAssignment,
    name: 'extra-assignment',
    parent: null,
    dependsOn: [],
    protect: false,
    inputs: { principalType, principalId: '00000000-0000-0000-0000-000000000009', roleDefinitionId: `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/${role}`, scope: 'x' },
  });

  test('refuses a role for one user, and Owner for anybody', async () => {
    expect(await findings(azure.groupRoleAssignmentsOnly, plus(assignment('User', '5e0bd9bd-7b93-4f28-af87-19fc36ad61bd')))).toEqual([
      'extra-assignment: principalType is "User"; assign roles to an Entra group ("Group") or a managed identity ("ServicePrincipal")',
    ]);
    expect(await findings(azure.groupRoleAssignmentsOnly, plus(assignment('Group', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635')))).toEqual([
      'extra-assignment: role Owner (8e3af657-a8ff-443c-a75c-2fe8c4bcb635) grants more than model access needs; use a narrower built-in role',
    ]);
  });
});

describe('azure-subnet-no-default-outbound', () => {
  test('refuses implicit internet access', async () => {
    expect(await findings(azure.subnetNoDefaultOutbound, changed('network-app-subnet', (i) => (i.defaultOutboundAccess = true)))).toEqual([
      'network-app-subnet: defaultOutboundAccess is true; set it to false so workloads have no implicit internet route',
    ]);
  });
});

describe('azure-allowed-locations', () => {
  test('refuses a region outside the residency policy; global DNS zones are fine', async () => {
    expect(await findings(azure.allowedLocations, changed('audit-workspace', (i) => (i.location = 'eastus')))).toEqual([
      `audit-workspace: location eastus is not allowed by data residency policy; allowed: ${exampleOrg.azure!.allowedLocations.join(', ')} (config: azure.allowedLocations)`,
    ]);
  });

  test('without its configuration the policy refuses to run rather than pass', async () => {
    const policies: Policies = [azure.allowedLocations];
    await expect(runPoliciesOffline('private-ai-azure', policies, example)).rejects.toThrow(
      'policy azure-allowed-locations: config allowedLocations must be a non-empty list of strings, received absent; set it in the --policy-pack-config file (npm run plan writes one from the organisation config)',
    );
  });
});

describe('azure-storage-hardened', () => {
  test('refuses shared keys, old TLS, Microsoft-managed keys and an open firewall', async () => {
    const p = changed('archive-account', (i) => {
      i.allowSharedKeyAccess = true;
      i.minimumTlsVersion = 'TLS1_0';
      delete i.encryption;
      i.networkRuleSet.defaultAction = 'Allow';
    });
    expect(await findings(azure.storageHardened, p)).toEqual([
      'archive-account: allowSharedKeyAccess is true; set it to false so no account key or SAS signed with one can read or delete data',
      'archive-account: minimumTlsVersion is "TLS1_0"; set it to "TLS1_2" so TLS 1.0 and 1.1 are refused',
      'archive-account: encryption.keySource is absent; set it to "Microsoft.Keyvault" with keyVaultProperties naming the customer-managed key',
      'archive-account: publicNetworkAccess is "Enabled" and networkRuleSet.defaultAction is "Allow"; deny every network by default',
    ]);
  });
});

describe('azure-audit-archive-immutable', () => {
  test('refuses diagnostics without an archive', async () => {
    expect(await findings(azure.auditArchiveImmutable, changed('audit-vault-diagnostics', (i) => delete i.storageAccountId))).toEqual([
      'audit-vault-diagnostics: diagnostic setting audit-vault-diagnostics sends to no storage archive; set storageAccountId to the immutable audit archive',
    ]);
  });

  test('refuses an archive that is not immutable, or that append blobs cannot be written to', async () => {
    const p = changed('archive-account', (i) => {
      i.immutableStorageWithVersioning.enabled = false;
      i.immutableStorageWithVersioning.immutabilityPolicy.allowProtectedAppendWrites = false;
    });
    expect(await findings(azure.auditArchiveImmutable, p)).toEqual([
      'archive-account: audit archive archive-account: immutableStorageWithVersioning.enabled is not true; immutabilityPolicy.allowProtectedAppendWrites is not true, so diagnostic logs (append blobs) cannot be written',
    ]);
  });
});

describe('azure-audit-archive-locked (advisory)', () => {
  test('an unlocked archive is reported, as advice', async () => {
    const p = changed('archive-account', (i) => (i.immutableStorageWithVersioning.immutabilityPolicy.state = 'Unlocked'));
    const result = await runPoliciesOffline('private-ai-azure', [azure.auditArchiveLocked], p, { config });
    expect(result.violations).toEqual([
      {
        policy: 'azure-audit-archive-locked',
        enforcementLevel: 'advisory',
        message: 'the immutability policy is Unlocked: an administrator can still shorten or remove it; lock it (azure.lockAuditRetention, then privateai:auditArchiveExists after the first deployment)',
        resource: 'azure-native:storage:StorageAccount::archive-account',
      },
    ]);
  });
});

/** The example plan with the named resource waiting only for `dependsOn`. */
function waitingOnly(name: string, dependsOn: string[]): Plan {
  const copy = JSON.parse(JSON.stringify(example)) as Plan;
  const target = copy.resources.find((r) => r.name === name)!;
  (target as { dependsOn: string[] }).dependsOn = dependsOn;
  return copy;
}

describe('azure-ai-account-customer-managed-key: the key version', () => {
  test('refuses an account that is not pinned to a key version', async () => {
    expect(await findings(azure.aiAccountCustomerManagedKey, changed('models-account', (i) => delete i.properties.encryption.keyVaultProperties.keyVersion))).toEqual([
      "models-account: encryption.keyVaultProperties.keyVersion is absent; pin the key's current version: an Azure OpenAI / AI Services account does not follow a rotated key by itself",
    ]);
  });
});

describe('azure-ai-account-no-ungoverned-projects', () => {
  test('refuses Foundry project management on the account', async () => {
    expect(await findings(azure.aiAccountNoUngovernedProjects, changed('models-account', (i) => (i.properties.allowProjectManagement = true)))).toEqual([
      'models-account: allowProjectManagement is true; set it to false: projects would bring agents, connections and storage that no network, key or audit control of the blueprint covers',
    ]);
  });
});

describe('azure-model-endpoint-after-deployments', () => {
  test('refuses an account endpoint that waits only for the account', async () => {
    expect(await findings(azure.privateEndpointAfterDeployments, waitingOnly('models-pe-endpoint', ['models-account']))).toEqual([
      'models-pe-endpoint: models-pe-endpoint does not wait for models-deployment-gpt-4o, models-deployment-text-embedding-3-large; on a new account Azure refuses the endpoint (AccountProvisioningStateInvalid ... Accepted): make it depend on the last deployment',
    ]);
  });

  test('waiting for the last deployment is enough, because the deployments wait for each other', async () => {
    expect(await findings(azure.privateEndpointAfterDeployments, waitingOnly('models-pe-endpoint', ['models-account', 'models-deployment-text-embedding-3-large']))).toEqual([]);
  });
});

describe('azure-log-workspace-private', () => {
  test('refuses public ingestion or queries', async () => {
    expect(await findings(azure.workspacePrivate, changed('audit-workspace', (i) => (i.publicNetworkAccessForQuery = 'Enabled')))).toEqual([
      'audit-workspace: audit-workspace: publicNetworkAccessForQuery is "Enabled"; set it to "Disabled" so audit data travels only through the private link scope',
    ]);
  });

  test('refuses a workspace in no private link scope', async () => {
    expect(await findings(azure.workspacePrivate, without('monitor-workspace'))).toEqual([
      'audit-workspace: audit-workspace is in no Azure Monitor private link scope with a private endpoint; add it to one (PrivateLinkScopedResource) and connect the scope to the network',
    ]);
  });
});

describe('azure-audit-archive-immutable: the archive\'s own logs', () => {
  test("the archive's own diagnostics go to the workspace only; any other setting without the archive is refused", async () => {
    expect(example.resources.filter((r) => r.type === azure.AZURE_TYPES.diagnosticSetting && r.inputs.storageAccountId === undefined).map((r) => r.name).sort()).toEqual([
      'audit-archive-account-diagnostics',
      'audit-archive-blob-diagnostics',
    ]);
    expect(await findings(azure.auditArchiveImmutable, changed('audit-account-diagnostics', (i) => delete i.storageAccountId))).toEqual([
      'audit-account-diagnostics: diagnostic setting audit-account-diagnostics sends to no storage archive; set storageAccountId to the immutable audit archive',
    ]);
  });
});

describe('azure-policy-guardrails-assigned', () => {
  test('refuses a missing built-in assignment, a weaker effect, and allowed locations that differ from the config', async () => {
    const p = changed('policy-ai-cmk', (i) => (i.parameters.effect.value = 'Audit'));
    const q = JSON.parse(JSON.stringify(p)) as Plan;
    const locations = q.resources.find((r) => r.name === 'policy-allowed-locations')!;
    (locations.inputs.parameters as { listOfAllowedLocations: { value: string[] } }).listOfAllowedLocations.value = ['swedencentral', 'eastus'];
    expect(await findings(azure.policyGuardrailsAssigned, { ...q, resources: q.resources.filter((r) => r.name !== 'policy-ai-local-auth') })).toEqual([
      'undefined: no assignment of "Azure AI Services resources should have key access disabled (disable local authentication)" (71ef260a-8f18-47b7-abcb-62d0673d94dc); assign it with effect Deny',
      'policy-ai-cmk: policy-ai-cmk: effect is "Audit"; "Azure AI Services resources should encrypt data at rest with a customer-managed key (CMK)" must be assigned with Deny',
      'policy-allowed-locations: policy-allowed-locations: listOfAllowedLocations is ["swedencentral","eastus"]; it must be the allowed locations swedencentral, westeurope (config: azure.allowedLocations)',
    ]);
  });

  test('enforcement follows the organisation: DoNotEnforce passes only when the config asks for audit only', async () => {
    const p = changed('policy-ai-cmk', (i) => (i.enforcementMode = 'DoNotEnforce'));
    expect(await findings(azure.policyGuardrailsAssigned, p)).toEqual([
      'policy-ai-cmk: policy-ai-cmk: enforcementMode is "DoNotEnforce"; the organisation asks for Default (config: azure.policyEnforcement)',
    ]);
    const auditOnly = azure.azurePolicyConfig({ ...exampleOrg.azure!, policyEnforcement: 'auditOnly' }, 'example');
    const result = await runPoliciesOffline('private-ai-azure', [azure.policyGuardrailsAssigned], example, { config: auditOnly });
    expect(result.violations).toHaveLength(8);
  });
});

describe('azure-policy-guardrails-assigned: scopes', () => {
  test('refuses an assignment whose scope is no scope ID: it would guard nothing', async () => {
    expect(await findings(azure.policyGuardrailsAssigned, changed('policy-ai-cmk', (i) => (i.scope = '/subscriptions/not-a-guid/resourceGroups/x')))).toEqual([
      'policy-ai-cmk: policy-ai-cmk: scope "/subscriptions/not-a-guid/resourceGroups/x" has subscription ID "not-a-guid", which is not a GUID',
    ]);
  });
});

describe('azure-key-rotation-alerted', () => {
  test('refuses a vault whose new-version event raises no alert, or alerts nobody', async () => {
    expect(await findings(azure.keyRotationAlerted, without('key-alerts-new-version'))).toEqual([
      'keys-vault: keys-vault: no event subscription turns Microsoft.KeyVault.KeyNewVersionCreated into an Azure Monitor alert',
    ]);
    expect(await findings(azure.keyRotationAlerted, changed('key-alerts-expired', (i) => (i.destination.actionGroups = [])))).toEqual([
      'keys-vault: keys-vault: the Microsoft.KeyVault.KeyExpired alert notifies no action group; list contacts in securityContacts.emails',
    ]);
  });
});

describe('azure-defender-for-ai-standard', () => {
  test('refuses the AI plan on the Free tier', async () => {
    expect(await findings(azure.defenderForAiStandard, changed('defender-plan', (i) => (i.pricingTier = 'Free')))).toEqual([
      'defender-plan: pricingTier is "Free"; set it to "Standard" so Defender for Cloud detects attacks on the AI workloads',
    ]);
  });
});
