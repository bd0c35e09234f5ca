import { loadOrgConfig, parseOrgConfig, type OrgConfig, type OrgConfigInput } from '../../lib/config';
import { gcpPlanAnswers } from '../../lib/gcp/plan-answers';
import { planProgram, type Plan, type PlanAnswers, type PlanResource } from '../../lib/pulumi/plan';
import { gcpProgram } from '../../stacks/gcp/program';

/** The embedded example organisation config. */
export const exampleOrg: OrgConfig = loadOrgConfig();

/** A validated copy of the example with one change. */
export function orgWith(mutate: (raw: OrgConfigInput & Record<string, unknown>) => void): OrgConfig {
  const raw = JSON.parse(JSON.stringify(exampleOrg)) as OrgConfigInput & Record<string, unknown>;
  mutate(raw);
  return parseOrgConfig(raw);
}

/** Settings as the example stack file gives them. */
export const exampleStackConfig: Readonly<Record<string, unknown>> = {
  projectId: 'example-ai-prod',
  projectNumber: '123456789012',
  region: 'europe-west4',
  accessPolicyId: '987654321',
};

/** A `get` over a settings object, as bin/plan.ts and index.ts pass it. */
export function getter(values: Readonly<Record<string, unknown>>): (key: string) => unknown {
  return (key) => values[key];
}

/**
 * Runs `program` under mocks and returns its plan, as stack `stack`; provider calls get Google's
 * answers for the example project number unless `answers` says otherwise.
 */
export function plan(program: () => Record<string, unknown> | void, answers: PlanAnswers = gcpPlanAnswers(exampleStackConfig.projectNumber as string), stack = 'test'): Promise<Plan> {
  return planProgram({ cloud: 'gcp', project: 'private-ai-gcp', stack, answers }, () => program() ?? {});
}

/** The example with a fleet: stack `ownerStack` sets the org-wide policies at `parent` (gcp.orgPolicyParent). */
export function fleetOrg(parent = 'folders/4455', ownerStack = 'hub'): OrgConfig {
  return orgWith((raw) => {
    raw.gcp!.orgPolicyParent = { parent, ownerStack };
  });
}

/**
 * The example stack planned as stack `stack` of `org` (its settings read with that name, as the
 * rollout does), with the answers the plan command gives it, changed by `answers` if given.
 */
export function planAs(org: OrgConfig, stack: string, settings: Readonly<Record<string, unknown>> = {}, answers: PlanAnswers = {}): Promise<Plan> {
  const validated = gcpProgram.readSettings(getter({ ...exampleStackConfig, ...settings }), org, stack);
  return plan(() => gcpProgram.run(org, validated), { ...gcpProgram.answers!(validated), ...answers }, stack);
}

/** The resources of one type. */
export function ofType(p: Plan, type: string): PlanResource[] {
  return p.resources.filter((r) => r.type === type);
}

/** The one resource of a type and name; fails the test when there is not exactly one. */
export function resource(p: Plan, type: string, name: string): PlanResource {
  const found = p.resources.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}; found ${found.length} among ${p.resources.map((r) => r.name).join(', ')}`);
  return found[0];
}

export { waitsFor, withoutStackTraces } from '../support/pulumi';


export const T = {
  service: 'gcp:projects/service:Service',
  serviceIdentity: 'gcp:projects/serviceIdentity:ServiceIdentity',
  auditConfig: 'gcp:projects/iAMAuditConfig:IAMAuditConfig',
  iamMember: 'gcp:projects/iAMMember:IAMMember',
  network: 'gcp:compute/network:Network',
  subnetwork: 'gcp:compute/subnetwork:Subnetwork',
  globalAddress: 'gcp:compute/globalAddress:GlobalAddress',
  forwardingRule: 'gcp:compute/globalForwardingRule:GlobalForwardingRule',
  firewall: 'gcp:compute/firewall:Firewall',
  zone: 'gcp:dns/managedZone:ManagedZone',
  recordSet: 'gcp:dns/recordSet:RecordSet',
  keyRing: 'gcp:kms/keyRing:KeyRing',
  cryptoKey: 'gcp:kms/cryptoKey:CryptoKey',
  keyMember: 'gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember',
  bucket: 'gcp:logging/projectBucketConfig:ProjectBucketConfig',
  sink: 'gcp:logging/projectSink:ProjectSink',
  orgPolicy: 'gcp:orgpolicy/policy:Policy',
  perimeter: 'gcp:accesscontextmanager/servicePerimeter:ServicePerimeter',
  template: 'gcp:modelarmor/template:Template',
  floor: 'gcp:modelarmor/floorsetting:Floorsetting',
} as const;
