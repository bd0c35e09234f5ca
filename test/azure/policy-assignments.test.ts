import * as pulumi from '@pulumi/pulumi';
import { GUID_PATTERN } from '../../lib/azure/naming';
import {
  BUILT_IN_POLICIES,
  CMK_EXCLUDED_KINDS,
  MAX_ASSIGNMENT_NAME_LENGTH,
  PolicyGuardrails,
  assignmentParameters,
  builtInPolicyDefinitionId,
  checkPolicyScope,
  policiesForScope,
  policyAssignmentName,
  policyScopeKind,
  type PolicyGuardrailsArgs,
} from '../../lib/azure/policy-assignments';
import { exampleOrg, plan } from './support';

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const SCOPES = {
  resourceGroup: `/subscriptions/${SUBSCRIPTION}/resourceGroups/acme-ai-swedencentral`,
  subscription: `/subscriptions/${SUBSCRIPTION}`,
  managementGroup: '/providers/Microsoft.Management/managementGroups/acme-ai',
} as const;
const allowedLocations = exampleOrg.azure!.allowedLocations;
const ASSIGNMENT = 'azure-native:authorization:PolicyAssignment';

function build(overrides: Partial<PolicyGuardrailsArgs> = {}) {
  return plan(() => {
    const guardrails = new PolicyGuardrails('guardrails', { scope: SCOPES.resourceGroup, allowedLocations, ...overrides });
    return { ids: guardrails.assignmentIds, keys: guardrails.assignedKeys, kind: guardrails.scopeKind };
  });
}

const byKey = (key: string) => BUILT_IN_POLICIES.find((p) => p.key === key)!;

describe('BUILT_IN_POLICIES', () => {
  test('keys, GUIDs and assignment names are unique', () => {
    const keys = BUILT_IN_POLICIES.map((p) => p.key);
    const ids = BUILT_IN_POLICIES.map((p) => p.definitionId);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(GUID_PATTERN);
  });

  test('every assignment name fits a management-group scope and uses only allowed characters', () => {
    for (const { key } of BUILT_IN_POLICIES) {
      const name = policyAssignmentName(key);
      expect(name.length).toBeLessThanOrEqual(MAX_ASSIGNMENT_NAME_LENGTH);
      expect(name).toMatch(/^[a-z0-9-]+$/);
    }
  });

  test('each effect is one the definition allows, and Deny wherever the definition offers it', () => {
    for (const policy of BUILT_IN_POLICIES) {
      expect(policy.allowedEffects).toContain(policy.effect);
      if ((policy.allowedEffects as readonly string[]).includes('Deny')) expect(policy.effect).toBe('Deny');
    }
  });

  test('the verified definitions, GUID by display name', () => {
    expect(Object.fromEntries(BUILT_IN_POLICIES.map((p) => [p.displayName, [p.definitionId, p.effect]]))).toEqual({
      'Azure AI Services resources should have key access disabled (disable local authentication)': ['71ef260a-8f18-47b7-abcb-62d0673d94dc', 'Deny'],
      'Azure AI Services resources should restrict network access': ['037eea7a-bd0a-46c5-9a66-03aea78705d3', 'Deny'],
      'Azure AI Services resources should encrypt data at rest with a customer-managed key (CMK)': ['67121cc7-ff39-4ab8-b7e3-95b84dab487d', 'Deny'],
      'Diagnostic logs in Azure AI services resources should be enabled': ['1b4d1c4e-934c-4703-944c-27c82c06bebb', 'AuditIfNotExists'],
      'Azure AI Services resources should use Azure Private Link': ['d6759c02-b87f-42b7-892e-71b3f471d782', 'Audit'],
      'Allowed locations': ['e56962a6-4747-49cd-b67b-bf8b01975c4c', 'Deny'],
      'Allowed locations for resource groups': ['e765b5de-1225-4ba3-bd56-1ac6695af988', 'Deny'],
      'Key vaults should have deletion protection enabled': ['0b60c0b2-2dc2-4e1c-b5c9-abbed971de53', 'Deny'],
      'Azure Key Vault should disable public network access': ['405c5871-3e91-4644-8a63-58e19d68ff5b', 'Deny'],
    });
  });

  test('the CMK assignment examines AIServices and OpenAI accounts, which the definition default would skip for AIServices', () => {
    expect(CMK_EXCLUDED_KINDS).not.toContain('AIServices');
    expect(CMK_EXCLUDED_KINDS).not.toContain('OpenAI');
    expect(assignmentParameters(byKey('ai-cmk'), allowedLocations)).toEqual({ effect: { value: 'Deny' }, excludedKinds: { value: CMK_EXCLUDED_KINDS } });
  });

  test('only the location definitions take the allowed locations', () => {
    for (const policy of BUILT_IN_POLICIES) {
      const parameters = assignmentParameters(policy, ['westeurope']);
      if (policy.key === 'allowed-locations' || policy.key === 'rg-locations') expect(parameters.listOfAllowedLocations).toEqual({ value: ['westeurope'] });
      else expect(parameters).not.toHaveProperty('listOfAllowedLocations');
    }
  });

  test('the full definition ID has no subscription part', () => {
    expect(builtInPolicyDefinitionId('e56962a6-4747-49cd-b67b-bf8b01975c4c')).toBe('/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c');
    expect(() => builtInPolicyDefinitionId('Allowed locations')).toThrow('policy definition ID Allowed locations is not a GUID');
  });

  test('resource-group location rules only above a resource group', () => {
    expect(policiesForScope('resourceGroup').map((p) => p.key)).not.toContain('rg-locations');
    expect(policiesForScope('subscription').map((p) => p.key)).toContain('rg-locations');
    expect(policiesForScope('managementGroup')).toHaveLength(BUILT_IN_POLICIES.length);
  });
});

describe('policy scopes', () => {
  test('the kind of each scope form, case-insensitively', () => {
    expect(policyScopeKind(SCOPES.resourceGroup)).toBe('resourceGroup');
    expect(policyScopeKind(SCOPES.subscription)).toBe('subscription');
    expect(policyScopeKind(SCOPES.managementGroup)).toBe('managementGroup');
    expect(policyScopeKind(`/SUBSCRIPTIONS/${SUBSCRIPTION}/resourcegroups/rg`)).toBe('resourceGroup');
  });

  test('a resource ID, a bare name or a subscription that is not a GUID is refused', () => {
    expect(policyScopeKind(`${SCOPES.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/acme`)).toEqual({ error: expect.stringMatching(/is not a resource group, subscription or management group ID/) });
    expect(policyScopeKind('acme-ai')).toEqual({ error: expect.stringMatching(/^scope "acme-ai" is not a resource group/) });
    expect(policyScopeKind('/subscriptions/acme')).toEqual({ error: 'scope "/subscriptions/acme" has subscription ID "acme", which is not a GUID' });
  });

  test('a resolved scope must match the kind given', () => {
    expect(checkPolicyScope('g', SCOPES.subscription, 'subscription')).toBe('subscription');
    expect(() => checkPolicyScope('g', SCOPES.subscription, 'managementGroup')).toThrow(
      `g: scopeKind managementGroup does not match scope "${SCOPES.subscription}", which is a subscription ID; correct scopeKind or the scope`,
    );
  });
});

describe('PolicyGuardrails at a resource group', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('each assignment names its built-in definition, its effect and the scope, enforced', () => {
    expect(result.get('guardrails').type).toBe('privateai:azure:PolicyGuardrails');
    for (const policy of policiesForScope('resourceGroup')) {
      const assignment = result.get(`guardrails-${policy.key}`);
      expect(assignment).toMatchObject({
        type: ASSIGNMENT,
        parent: 'guardrails',
        inputs: {
          scope: SCOPES.resourceGroup,
          policyAssignmentName: `pai-${policy.key}`,
          policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${policy.definitionId}`,
          definitionVersion: `${policy.version.split('.')[0]}.*.*`,
          displayName: `Private AI: ${policy.displayName}`,
          description: policy.why,
          enforcementMode: 'Default',
          nonComplianceMessages: [{ message: policy.fix }],
        },
      });
      expect((assignment.inputs.parameters as Record<string, { value: unknown }>).effect).toEqual({ value: policy.effect });
      // No DeployIfNotExists or Modify: nothing needs an identity (or the location it requires).
      expect(assignment.inputs).not.toHaveProperty('identity');
      expect(assignment.inputs).not.toHaveProperty('location');
    }
  });

  test('allowed locations are the organisation config', () => {
    expect(result.get('guardrails-allowed-locations').inputs.parameters).toEqual({
      effect: { value: 'Deny' },
      listOfAllowedLocations: { value: ['swedencentral', 'westeurope'] },
    });
    expect(allowedLocations).toEqual(['swedencentral', 'westeurope']);
  });

  test('resource-group locations are not assigned; every other definition is, once', () => {
    const assigned = result.ofType(ASSIGNMENT).map((r) => r.inputs.policyDefinitionId);
    expect(assigned).not.toContain(builtInPolicyDefinitionId(byKey('rg-locations').definitionId));
    expect(assigned).toHaveLength(BUILT_IN_POLICIES.length - 1);
    expect(new Set(assigned).size).toBe(assigned.length);
    expect(result.outputs.keys).toEqual(BUILT_IN_POLICIES.map((p) => p.key).filter((k) => k !== 'rg-locations'));
    expect(result.outputs.kind).toBe('resourceGroup');
    expect(result.outputs.ids).toMatchObject({ 'ai-local-auth': 'guardrails-ai-local-auth-id', 'kv-public-network': 'guardrails-kv-public-network-id' });
    expect(result.outputs.ids).not.toHaveProperty('rg-locations');
  });
});

describe('PolicyGuardrails above a resource group', () => {
  test.each(['subscription', 'managementGroup'] as const)('at a %s every definition is assigned exactly once, with names of at most 24 characters', async (kind) => {
    const result = await build({ scope: SCOPES[kind] });
    const assignments = result.ofType(ASSIGNMENT);
    for (const policy of BUILT_IN_POLICIES) {
      expect(assignments.filter((a) => a.inputs.policyDefinitionId === builtInPolicyDefinitionId(policy.definitionId))).toHaveLength(1);
    }
    expect(assignments).toHaveLength(BUILT_IN_POLICIES.length);
    for (const a of assignments) {
      expect(a.inputs.scope).toBe(SCOPES[kind]);
      expect((a.inputs.policyAssignmentName as string).length).toBeLessThanOrEqual(24);
    }
    expect(result.get('guardrails-rg-locations').inputs.parameters).toEqual({
      effect: { value: 'Deny' },
      listOfAllowedLocations: { value: ['swedencentral', 'westeurope'] },
    });
    expect(result.outputs.kind).toBe(kind);
  });

  test('an output scope takes the kind given', async () => {
    const result = await build({ scope: pulumi.output(SCOPES.managementGroup), scopeKind: 'managementGroup' });
    expect(result.ofType(ASSIGNMENT)).toHaveLength(BUILT_IN_POLICIES.length);
    expect(result.get('guardrails-rg-locations').inputs.scope).toBe(SCOPES.managementGroup);
  });

  test('DoNotEnforce stages every assignment without refusing anything', async () => {
    const result = await build({ enforcement: 'DoNotEnforce' });
    for (const a of result.ofType(ASSIGNMENT)) expect(a.inputs.enforcementMode).toBe('DoNotEnforce');
  });
});

describe('PolicyGuardrails refuses', () => {
  test('empty allowed locations', async () => {
    await expect(build({ allowedLocations: [] })).rejects.toThrow(
      'guardrails: allowedLocations is empty; list at least one Azure location such as westeurope (config: azure.allowedLocations), or every resource would be refused',
    );
  });

  test('display names instead of location names', async () => {
    await expect(build({ allowedLocations: ['westeurope', 'West Europe'] })).rejects.toThrow(
      'guardrails: allowedLocations "West Europe" are not Azure location names; use names such as westeurope or swedencentral (lowercase, no spaces)',
    );
  });

  test('a scope that is not a resource group, subscription or management group', async () => {
    await expect(build({ scope: 'acme-ai' })).rejects.toThrow(/^guardrails: scope "acme-ai" is not a resource group, subscription or management group ID; use/);
  });

  test('an output scope without its kind', async () => {
    await expect(build({ scope: pulumi.output(SCOPES.subscription) })).rejects.toThrow(
      'guardrails: scopeKind is required when scope is an output, because which assignments apply depends on it; give resourceGroup, subscription or managementGroup',
    );
  });

  test('a kind that contradicts a string scope', async () => {
    await expect(build({ scope: SCOPES.resourceGroup, scopeKind: 'subscription' })).rejects.toThrow(
      `guardrails: scopeKind subscription does not match scope "${SCOPES.resourceGroup}", which is a resourceGroup ID; correct scopeKind or the scope`,
    );
  });

  test('an unknown kind or enforcement mode', async () => {
    await expect(build({ scopeKind: 'tenant' as never })).rejects.toThrow('guardrails: scopeKind "tenant" is not resourceGroup, subscription or managementGroup');
    await expect(build({ enforcement: 'Enroll' as never })).rejects.toThrow('guardrails: enforcement "Enroll" is not Default or DoNotEnforce');
  });
});
