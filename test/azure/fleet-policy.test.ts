import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { OrgConfig } from '../../lib/config';
import { GET_MANAGEMENT_GROUP } from '../../lib/azure/plan-answers';
import { BUILT_IN_POLICIES, builtInPolicyDefinitionId, assertSubscriptionBelow, policiesForScope, subscriptionIsBelow } from '../../lib/azure/policy-assignments';
import type { Plan } from '../../lib/pulumi/plan';
import * as azure from '../../policies/azure/policies';
import { runPoliciesOffline } from '../../policies/pulumi/offline';
import { evaluateAzure } from '../../policies/report/azure';
import { azureProgram } from '../../stacks/azure/program';
import { exampleOrg, orgWith, plan } from './support';

// A fleet of Azure subscriptions whose built-in policy assignments are made once, by stack hub, at
// the management group above them all (azure.managementGroup); stack prod-weu relies on them.
const MG = 'mg-ai-workloads';
const MG_SCOPE = `/providers/Microsoft.Management/managementGroups/${MG}`;
const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const fleetOrg = orgWith((raw) => {
  raw.azure!.rollout = ['hub', 'prod-weu'];
  raw.azure!.managementGroup = { id: MG, ownerStack: 'hub' };
});

const stackFile = path.join(__dirname, '..', '..', 'stacks', 'azure', 'Pulumi.example.yaml');
const exampleConfig = (yaml.load(fs.readFileSync(stackFile, 'utf8')) as { config: Record<string, unknown> }).config;
// The example stack file states the default scope; a fleet's stacks leave the key out.
const get = (overrides: Record<string, unknown> = {}) => (key: string) => ({ ...exampleConfig, 'privateai:policyAssignmentScope': undefined, ...overrides } as Record<string, unknown>)[`privateai:${key}`];

/** The plan of `stack` for `org`, recorded under that stack's name as the offline plan and the rollout record it. */
async function planOf(stack: string, org: OrgConfig = fleetOrg): Promise<Plan> {
  const settings = azureProgram.readSettings(get(), org, stack);
  const { cloud, resources, outputs, calls } = await plan(() => azureProgram.run(org, settings), azureProgram.answers?.(settings));
  return { cloud, stack, resources, outputs, calls };
}

const assignmentsOf = (p: Plan) => p.resources.filter((r) => r.type === 'azure-native:authorization:PolicyAssignment');

/** What the pack reports over a plan, with the configuration `npm run synth` and the rollout give it for that stack. */
async function packFindings(p: Plan, org: OrgConfig, stack = p.stack): Promise<string[]> {
  const result = await runPoliciesOffline('private-ai-azure', [azure.policyGuardrailsAssigned], p, { config: azure.azurePolicyConfig(org.azure!, stack) });
  return result.violations.map((v) => v.message);
}

let owner: Plan;
let member: Plan;
beforeAll(async () => {
  [owner, member] = [await planOf('hub'), await planOf('prod-weu')];
});

describe('settings: one stack assigns at the management group, the others rely on it', () => {
  test('the owner assigns at the management group, every other stack inherits from it', () => {
    expect(azureProgram.readSettings(get(), fleetOrg, 'hub').policyAssignmentScope).toEqual({ kind: 'managementGroup', id: MG_SCOPE });
    expect(azureProgram.readSettings(get(), fleetOrg, 'prod-weu').policyAssignmentScope).toEqual({ kind: 'inherited', id: MG_SCOPE, ownerStack: 'hub' });
  });

  test('a stack that also sets privateai:policyAssignmentScope is refused: the fleet has one owner', () => {
    expect(() => azureProgram.readSettings(get({ 'privateai:policyAssignmentScope': '/providers/Microsoft.Management/managementGroups/other' }), fleetOrg, 'prod-weu')).toThrow(
      `policyAssignmentScope "/providers/Microsoft.Management/managementGroups/other" is set, but the organisation config has stack hub assign the fleet's policies at ${MG_SCOPE} (azure.managementGroup); remove privateai:policyAssignmentScope from this stack, or remove azure.managementGroup to assign per stack (config: privateai:policyAssignmentScope)`,
    );
  });
});

describe('plans: where the assignments are', () => {
  test("the owner's plan assigns every management-group definition at the configured group, and says it made them", () => {
    const assigned = assignmentsOf(owner);
    expect(assigned.map((a) => a.inputs.policyDefinitionId).sort()).toEqual(policiesForScope('managementGroup').map((p) => builtInPolicyDefinitionId(p.definitionId)).sort());
    // Resource-group locations are among them: only a scope above a subscription can hold that rule.
    expect(assigned.map((a) => a.inputs.policyAssignmentName)).toContain('pai-rg-locations');
    for (const a of assigned) expect(a.inputs.scope).toBe(MG_SCOPE);
    // They guard every subscription below the group: destroying this stack leaves them in Azure.
    for (const a of assigned) expect(a.retainOnDelete).toBe(true);
    expect(owner.outputs.policyAssignments).toMatchObject({ scope: MG_SCOPE, assignedBy: 'this stack', definitions: BUILT_IN_POLICIES.map((p) => p.key) });
  });

  test('another stack assigns nothing (a duplicate would be a second owner) and names the owner in its outputs', () => {
    expect(assignmentsOf(member)).toEqual([]);
    expect(member.resources.some((r) => r.type === 'privateai:azure:PolicyGuardrails')).toBe(false);
    expect(member.outputs.policyAssignments).toMatchObject({ scope: MG_SCOPE, assignedBy: 'stack hub (azure.managementGroup)', definitions: [] });
  });
});

describe('each stack of the fleet reads its management group at deployment', () => {
  test('the plan records the read of the group with its children, and the answer it assumed', () => {
    for (const p of [owner, member]) {
      expect(p.calls).toEqual([
        {
          token: GET_MANAGEMENT_GROUP,
          args: { groupId: MG, expand: 'children', recurse: true },
          answer: expect.objectContaining({ children: [expect.objectContaining({ id: `/subscriptions/${SUBSCRIPTION}` })] }),
        },
      ]);
      expect(p.outputs.policyAssignments).toMatchObject({ subscription: SUBSCRIPTION, subscriptionBelow: MG_SCOPE });
    }
  });

  test('a subscription found anywhere below the group passes; one outside it fails the stack, naming the fix', () => {
    const nested = [{ id: `${MG_SCOPE}-corp`, children: [{ id: `/subscriptions/${SUBSCRIPTION.toUpperCase()}` }] }];
    expect(subscriptionIsBelow(nested, SUBSCRIPTION)).toBe(true);
    expect(subscriptionIsBelow([{ id: '/subscriptions/99999999-2222-3333-4444-555555555555' }], SUBSCRIPTION)).toBe(false);
    // The stack output pulumi preview waits for throws this: the preview fails, so no update follows it.
    expect(() => assertSubscriptionBelow([{ id: `${MG_SCOPE}-other`, children: [] }], MG, SUBSCRIPTION)).toThrow(
      `subscription ${SUBSCRIPTION} is not below management group ${MG} (azure.managementGroup), so the fleet's policy assignments there do not guard it; move the subscription under ${MG} (az account management-group subscription add --name ${MG} --subscription ${SUBSCRIPTION}), or deploy this stack to a subscription that is`,
    );
  });
});

describe('the policy pack judges each stack of the fleet', () => {
  test('passes the owner and the stack that relies on it', async () => {
    expect(await packFindings(owner, fleetOrg)).toEqual([]);
    expect(await packFindings(member, fleetOrg)).toEqual([]);
  });

  test('fails the relying stack when the config names no management group: nothing would guard it', async () => {
    const findings = await packFindings(member, exampleOrg);
    expect(findings.length).toBe(policiesForScope('resourceGroup').length);
    expect(findings[0]).toMatch(/^no assignment of "/);
  });

  test("fails the owner's plan judged as another stack's (the config names a different owner), and assignments at another group", async () => {
    const elsewhere = orgWith((raw) => (raw.azure!.managementGroup = { id: MG, ownerStack: 'someone-else' }));
    const asMember = await packFindings(owner, elsewhere);
    expect(asMember).toHaveLength(assignmentsOf(owner).length);
    expect(asMember[0]).toContain(`this stack assigns at ${MG_SCOPE}, but stack someone-else assigns the fleet's policies at ${MG_SCOPE} (azure.managementGroup); remove this stack's assignment`);
    const moved = orgWith((raw) => (raw.azure!.managementGroup = { id: 'mg-other', ownerStack: 'hub' }));
    const findings = await packFindings(owner, moved);
    expect(findings).toHaveLength(assignmentsOf(owner).length);
    expect(findings[0]).toContain(`scope is ${MG_SCOPE}; as the owner of azure.managementGroup this stack assigns at /providers/Microsoft.Management/managementGroups/mg-other`);
  });
});

describe('the evidence report', () => {
  const control = (p: Plan, org: OrgConfig, id: string) => evaluateAzure(p, org).controls.find((c) => c.control === id)!;

  test("the relying stack's residency evidence names the owner and the group, and passes", () => {
    const residency = control(member, fleetOrg, 'data-residency');
    expect(residency.status).toBe('pass');
    expect(residency.evidence.find((e) => e.type === GET_MANAGEMENT_GROUP)).toEqual({
      resource: 'prod-weu (azure.managementGroup)',
      type: GET_MANAGEMENT_GROUP,
      property: `subscription below ${MG}`,
      value: `${SUBSCRIPTION}, per the group read at deployment (offline: the plan's stated answer)`,
      ok: true,
    });
    expect(residency.evidence.filter((e) => e.type === 'azure-native:authorization:PolicyAssignment')).toEqual([
      { resource: 'hub (azure.managementGroup)', type: 'azure-native:authorization:PolicyAssignment', property: '"Allowed locations"', value: `assigned at ${MG_SCOPE} by stack hub`, ok: true },
      { resource: 'hub (azure.managementGroup)', type: 'azure-native:authorization:PolicyAssignment', property: '"Allowed locations for resource groups"', value: `assigned at ${MG_SCOPE} by stack hub`, ok: true },
    ]);
  });

  test('every control passes for the owner and the relying stack; the relying stack fails without the config that says who guards it', () => {
    for (const [p, org] of [[owner, fleetOrg], [member, fleetOrg]] as const) {
      for (const c of evaluateAzure(p, org).controls) expect([p.stack, c.control, c.status]).toEqual([p.stack, c.control, 'pass']);
    }
    for (const id of ['private-path', 'encryption-cmk', 'data-residency']) expect(control(member, exampleOrg, id).status).toBe('fail');
  });

  test('a plan whose recorded group does not hold the subscription, or that never read it, fails the guarded controls', () => {
    const outside: Plan = { ...member, calls: member.calls.map((c) => ({ ...c, answer: { ...c.answer, children: [] } })) };
    const unread: Plan = { ...member, calls: [] };
    for (const [p, value] of [
      [outside, `${SUBSCRIPTION} is not among the group's children as read`],
      [unread, `the program never read management group ${MG}, so nothing shows subscription ${SUBSCRIPTION} is below it`],
    ] as const) {
      const residency = control(p, fleetOrg, 'data-residency');
      expect(residency.status).toBe('fail');
      expect(residency.evidence.find((e) => e.type === GET_MANAGEMENT_GROUP)).toMatchObject({ value, ok: false });
    }
  });
});
