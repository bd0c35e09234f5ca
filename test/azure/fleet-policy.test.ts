import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { OrgConfig } from '../../lib/config';
import { BUILT_IN_POLICIES, builtInPolicyDefinitionId, policiesForScope } from '../../lib/azure/policy-assignments';
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
  const { cloud, resources, outputs, calls } = await plan(() => azureProgram.run(org, settings));
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
    expect(owner.outputs.policyAssignments).toMatchObject({ scope: MG_SCOPE, assignedBy: 'this stack', definitions: BUILT_IN_POLICIES.map((p) => p.key) });
  });

  test('another stack assigns nothing (a duplicate would be a second owner) and names the owner in its outputs', () => {
    expect(assignmentsOf(member)).toEqual([]);
    expect(member.resources.some((r) => r.type === 'privateai:azure:PolicyGuardrails')).toBe(false);
    expect(member.outputs.policyAssignments).toMatchObject({ scope: MG_SCOPE, assignedBy: 'stack hub (azure.managementGroup)', definitions: [] });
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
});
