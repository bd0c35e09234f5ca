import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import * as yaml from 'js-yaml';
import type { OrgConfig } from '../../lib/config';
import type { Plan } from '../../lib/pulumi/plan';
import { PROJECT_ANCESTRY } from '../../lib/gcp/plan-answers';
import { gcpProgram } from '../../stacks/gcp/program';
import { exampleOrg, exampleStackConfig, fleetOrg, getter, ofType, orgWith, plan, planAs, resource, T, waitsFor, withoutStackTraces } from './support';

const ROOT = path.join(__dirname, '..', '..');
const PROJECT_DIR = path.join(ROOT, 'stacks', 'gcp');

function planFor(org: OrgConfig, overrides: Record<string, unknown> = {}): Promise<Plan> {
  const settings = gcpProgram.readSettings(getter({ ...exampleStackConfig, ...overrides }), org, 'example');
  return withoutStackTraces(() => plan(() => gcpProgram.run(org, settings)));
}

/** `make()`, run the first time it is asked for; the tests that share a plan only read it. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

const withPerimeter = (mode: 'off' | 'dryRun' | 'enforced') =>
  orgWith((raw) => {
    raw.gcp!.vpcServiceControls = mode;
  });

/** Plans that several tests below make with the same config and settings, each made once. */
const examplePlan = once(() => planFor(exampleOrg));
const enforcedPlan = once(() => planFor(withPerimeter('enforced')));
const atFolderPlan = once(() => planFor(exampleOrg, { folderId: '4455' }));

/** Resource types whose inputs accept labels, and the ones deliberately left without. */
const LABELABLE = [T.globalAddress, T.zone, T.cryptoKey, T.template];

describe('gcpProgram with the example config', () => {
  let p: Plan;
  beforeAll(async () => {
    p = await examplePlan();
  });

  test('one component per architectural task, every cloud resource under one of them', () => {
    const components = p.resources.filter((r) => r.type.startsWith('privateai:gcp:'));
    expect(components.map((c) => c.type).sort()).toEqual(
      [
        'privateai:gcp:AuditLogging',
        'privateai:gcp:EncryptionKeys',
        'privateai:gcp:GroupAccess',
        'privateai:gcp:MisuseDetection',
        'privateai:gcp:ModelArmor',
        'privateai:gcp:OrgPolicies',
        'privateai:gcp:PrivateNetwork',
        'privateai:gcp:ProjectServices',
        'privateai:gcp:VpcServicePerimeter',
      ].sort(),
    );
    expect(components.every((c) => c.parent === null)).toBe(true);
    const names = new Set(components.map((c) => c.name));
    expect(p.resources.filter((r) => r.type.startsWith('gcp:')).every((r) => r.parent !== null && names.has(r.parent))).toBe(true);
  });

  test('on a fresh project every resource is created after the APIs are enabled', () => {
    const services = ofType(p, T.service).map((s) => s.name);
    expect(services).toHaveLength(11);
    const others = p.resources.filter((r) => r.type.startsWith('gcp:') && r.type !== T.service);
    expect(others.length).toBeGreaterThan(30);
    for (const r of others) expect([r.name, services.filter((service) => !waitsFor(p, r.name, service))]).toEqual([r.name, []]);
  });

  test('grants to the Vertex AI service agent wait for the resource that creates it; the Model Armor floor setting waits for its grant', () => {
    const agent = p.resources.find((r) => r.type === 'gcp:projects/serviceIdentity:ServiceIdentity')!.name;
    const grants = p.resources.filter((r) => typeof r.inputs.member === 'string' && String(r.inputs.member).includes('gcp-sa-aiplatform'));
    expect(grants.map((g) => g.name).sort()).toEqual(['example-corp-keys-vertex-agent-key', 'example-corp-model-armor-vertex-agent']);
    for (const g of grants) expect(waitsFor(p, g.name, agent)).toBe(true);
    expect(waitsFor(p, 'example-corp-model-armor-floor', 'example-corp-model-armor-vertex-agent')).toBe(true);
  });

  test('the APIs the design needs are enabled and stay enabled on destroy', () => {
    const services = ofType(p, T.service);
    expect(services.map((s) => s.inputs.service)).toEqual(
      expect.arrayContaining(['aiplatform.googleapis.com', 'compute.googleapis.com', 'dns.googleapis.com', 'cloudkms.googleapis.com', 'logging.googleapis.com', 'orgpolicy.googleapis.com', 'modelarmor.googleapis.com', 'accesscontextmanager.googleapis.com', 'servicedirectory.googleapis.com', 'monitoring.googleapis.com']),
    );
    expect(services.every((s) => s.inputs.disableOnDestroy === false && s.inputs.disableDependentServices === false && s.inputs.project === 'example-ai-prod')).toBe(true);
  });

  test('every labelable resource carries the organisation labels', () => {
    const labels = { owner: 'platform-team_example_com', 'cost-centre': 'cc-0000', 'data-classification': 'confidential', 'managed-by': 'pulumi', blueprint: 'private-ai' };
    const labelled = p.resources.filter((r) => LABELABLE.includes(r.type as (typeof LABELABLE)[number]));
    expect(labelled.length).toBeGreaterThanOrEqual(5);
    for (const r of labelled) expect(r.inputs.labels).toEqual(labels);
  });

  test('an enforced perimeter puts the endpoint on the vpc-sc bundle', () => {
    expect(resource(p, T.perimeter, 'example-corp-perimeter-perimeter').inputs).toMatchObject({ useExplicitDryRunSpec: false, status: { resources: ['projects/123456789012'] } });
    expect(resource(p, T.forwardingRule, 'example-corp-network-psc').inputs).toMatchObject({ target: 'vpc-sc', name: 'examplecorppsc' });
  });

  test('a dry-run perimeter also puts the endpoint on the vpc-sc bundle', async () => {
    const dry = await planFor(withPerimeter('dryRun'));
    expect(resource(dry, T.perimeter, 'example-corp-perimeter-perimeter').inputs).toMatchObject({ useExplicitDryRunSpec: true, spec: { resources: ['projects/123456789012'] } });
    expect(resource(dry, T.forwardingRule, 'example-corp-network-psc').inputs).toMatchObject({ target: 'vpc-sc' });
  });

  test('org policies at project scope, by project number, with the config regions and models', () => {
    const policies = ofType(p, T.orgPolicy);
    expect(policies.every((r) => r.inputs.parent === 'projects/123456789012')).toBe(true);
    expect(resource(p, T.orgPolicy, 'example-corp-org-policies-models').inputs).toMatchObject({
      spec: { rules: [{ values: { allowedValues: ['is:publishers/google/models/gemini-2.5-flash:predict', 'is:publishers/google/models/text-embedding-005:predict'] } }] },
    });
  });

  test('audit retention and lock come from the organisation config', () => {
    expect(resource(p, T.bucket, 'example-corp-audit-bucket').inputs).toMatchObject({ retentionDays: exampleOrg.logging.auditRetentionDays, locked: true });
  });

  test('IAM: groups for people, service agents for Google services, nothing else', () => {
    const members = [...ofType(p, T.iamMember), ...ofType(p, T.keyMember)].map((r) => String(r.inputs.member));
    for (const member of members) {
      // No grant to a sink writer: into its own project's log bucket the sink has none (empty), and Google refuses an empty member.
      expect(member).toMatch(/^(group:.+|serviceAccount:service-123456789012@gcp-sa-(aiplatform|logging)\.iam\.gserviceaccount\.com)$/);
    }
    expect(members.filter((m) => m.startsWith('group:')).sort()).toEqual(
      ['group:ai-auditors@example.com', 'group:ai-auditors@example.com', 'group:ai-auditors@example.com', 'group:ai-model-users@example.com', 'group:ai-platform-admins@example.com'],
    );
  });

  test('outputs for app teams', () => {
    expect(p.outputs).toMatchObject({
      pscEndpointAddress: '10.50.255.254',
      privateDnsNames: [
        'europe-west4-aiplatform.googleapis.com',
        'europe-west1-aiplatform.googleapis.com',
        'oauth2.googleapis.com',
        'sts.googleapis.com',
        'iamcredentials.googleapis.com',
      ],
      vertexEndpoint: 'https://europe-west4-aiplatform.googleapis.com',
      allowedModels: [
        'projects/example-ai-prod/locations/europe-west4/publishers/google/models/gemini-2.5-flash',
        'projects/example-ai-prod/locations/europe-west4/publishers/google/models/text-embedding-005',
      ],
      vertexKeyId: 'projects/example-ai-prod/locations/europe-west4/keyRings/example-corp-private-ai/cryptoKeys/vertex',
      auditLogKeyId: 'projects/example-ai-prod/locations/europe-west4/keyRings/example-corp-private-ai/cryptoKeys/audit-logs',
      auditLogBucket: 'projects/example-ai-prod/locations/europe-west4/buckets/example-corp-vertex-audit',
      modelArmorTemplate: 'projects/example-ai-prod/locations/europe-west4/templates/example-corp-vertex',
      vpcServiceControls: 'enforced',
      servicePerimeter: 'accessPolicies/987654321/servicePerimeters/example_ai_prod_private_ai',
    });
  });
});

describe('gcpProgram misuse detection and the kill switch', () => {
  const policy = 'gcp:monitoring/alertPolicy:AlertPolicy';
  const channel = 'gcp:monitoring/notificationChannel:NotificationChannel';
  const modelUserGrant = (p: Plan) => ofType(p, T.iamMember).filter((g) => String(g.inputs.role).endsWith('/roles/privateAiModelUser'));

  test('every signal alerts the organisation\'s security contacts, at the organisation\'s thresholds', async () => {
    const org = orgWith((raw) => {
      raw.securityContacts = { emails: ['soc@example.com', 'ciso@example.com'] };
      raw.detection = { thresholds: { callerRequestsPer5Minutes: 42, deniedCallsPer5Minutes: 7 }, suspendModelAccess: false };
    });
    const p = await planFor(org);
    expect(ofType(p, channel).map((c) => (c.inputs.labels as { email_address: string }).email_address).sort()).toEqual(['ciso@example.com', 'soc@example.com']);
    const policies = ofType(p, policy);
    expect(policies.map((r) => (r.inputs.userLabels as Record<string, string>)['private-ai-signal']).sort()).toEqual(['availability', 'caller-volume', 'denied-calls', 'interventions', 'tampering']);
    for (const r of policies) expect((r.inputs.notificationChannels as string[]).length).toBe(2);
    const thresholds = policies.flatMap((r) => (r.inputs.conditions as Array<{ conditionThreshold: { thresholdValue: number } }>).map((c) => c.conditionThreshold.thresholdValue));
    // Given values, and the defaults for the rest.
    expect(thresholds).toEqual(expect.arrayContaining([42, 7, exampleOrg.detection.thresholds.callerTokensPer5Minutes, exampleOrg.detection.thresholds.latencyP99Milliseconds]));
    expect(p.outputs.securityNotificationChannels).toHaveLength(2);
    expect(Object.keys(p.outputs.alertPolicies as object).sort()).toEqual(['availability', 'callerVolume', 'deniedCalls', 'interventions', 'tampering']);
    expect(p.outputs.savedQueries).toEqual(expect.arrayContaining(['private-ai/prompt-injection/interventions', 'private-ai/compromised-credentials/control-changes']));
  });

  test('the kill switch removes the model users\' grants and nothing else; the output says so', async () => {
    const open = await examplePlan();
    const suspended = await planFor(orgWith((raw) => void (raw.detection = { ...exampleOrg.detection, suspendModelAccess: true })));
    expect(open.outputs.modelAccess).toBe('open');
    expect(suspended.outputs.modelAccess).toBe('suspended');
    expect(modelUserGrant(open).map((g) => g.inputs.member)).toEqual(['group:ai-model-users@example.com']);
    expect(modelUserGrant(suspended)).toEqual([]);
    const names = (p: Plan) => p.resources.map((r) => r.name);
    expect(names(open).filter((n) => !names(suspended).includes(n))).toEqual(modelUserGrant(open).map((g) => g.name));
    expect(names(suspended).filter((n) => !names(open).includes(n))).toEqual([]);
  });

  test('the perimeter waits for the detection too: once enforced it restricts Cloud Logging, which the metrics are created in', async () => {
    const p = await examplePlan();
    const metrics = ofType(p, 'gcp:logging/metric:Metric');
    expect(metrics).toHaveLength(4);
    for (const m of metrics) expect([m.name, waitsFor(p, 'example-corp-perimeter-perimeter', m.name)]).toEqual([m.name, true]);
  });
});

describe('gcpProgram VPC Service Controls modes', () => {
  test('off: no perimeter, no Access Context Manager API, the all-apis bundle', async () => {
    const p = await planFor(withPerimeter('off'), { accessPolicyId: undefined });
    expect(ofType(p, T.perimeter)).toHaveLength(0);
    expect(ofType(p, T.service).map((s) => s.inputs.service)).not.toContain('accesscontextmanager.googleapis.com');
    expect(resource(p, T.forwardingRule, 'example-corp-network-psc').inputs.target).toBe('all-apis');
    expect(p.outputs.servicePerimeter).toBeUndefined();
  });

  test('enforced: the perimeter status holds the project, restricts the data and key services, and admits the configured access levels and ingress', async () => {
    const p = await enforcedPlan();
    const inputs = resource(p, T.perimeter, 'example-corp-perimeter-perimeter').inputs;
    expect(inputs).toMatchObject({
      useExplicitDryRunSpec: false,
      status: {
        resources: ['projects/123456789012'],
        restrictedServices: ['aiplatform.googleapis.com', 'cloudkms.googleapis.com', 'logging.googleapis.com', 'storage.googleapis.com', 'modelarmor.googleapis.com'],
        vpcAccessibleServices: { enableRestriction: true, allowedServices: ['RESTRICTED-SERVICES', 'sts.googleapis.com', 'iamcredentials.googleapis.com'] },
        // The short names of the organisation config, in the stack's access policy.
        accessLevels: ['accessPolicies/987654321/accessLevels/corp_network'],
      },
    });
    const ingress = (inputs.status as { ingressPolicies: Array<Record<string, unknown>> }).ingressPolicies;
    expect(ingress).toHaveLength(1);
    expect(ingress[0]).toMatchObject({
      title: 'deployer pipeline',
      ingressFrom: { identities: ['serviceAccount:pulumi-deployer@example-ai-admin.iam.gserviceaccount.com'] },
    });
  });

  test('every host the private zone resolves can be called from the perimeter\'s networks once it is enforced', async () => {
    const p = await enforcedPlan();
    const status = resource(p, T.perimeter, 'example-corp-perimeter-perimeter').inputs.status as { restrictedServices: string[]; vpcAccessibleServices: { allowedServices: string[] } };
    const callable = new Set([...status.restrictedServices, ...status.vpcAccessibleServices.allowedServices]);
    // oauth2.googleapis.com is not a service VPC Service Controls controls: always reachable.
    const notControlled = new Set(['oauth2.googleapis.com']);
    for (const host of p.outputs.privateDnsNames as string[]) {
      const service = host.replace(/^[a-z]+-[a-z]+\d+-/, '');
      expect([host, callable.has(service) || notControlled.has(service)]).toEqual([host, true]);
    }
    expect(status.vpcAccessibleServices.allowedServices).toEqual(['RESTRICTED-SERVICES', 'sts.googleapis.com', 'iamcredentials.googleapis.com']);
  });

  test('the perimeter comes last: the first deployment configures Cloud KMS, Logging and Storage before they are restricted', async () => {
    const p = await enforcedPlan();
    for (const other of ['example-corp-keys-vertex', 'example-corp-audit-bucket', 'example-corp-audit-sink', 'example-corp-model-armor-floor', 'example-corp-network-psc']) {
      expect([other, waitsFor(p, 'example-corp-perimeter-perimeter', other)]).toEqual([other, true]);
    }
  });

  test('an access level of the organisation config is named in the stack\'s access policy, also inside ingress rules', async () => {
    const org = orgWith((raw) => {
      raw.gcp!.perimeter = { accessLevels: [], ingress: [{ title: 'corporate auditors', accessLevels: ['corp_network'], services: ['logging.googleapis.com'] }] };
    });
    const p = await planFor(org);
    const status = resource(p, T.perimeter, 'example-corp-perimeter-perimeter').inputs.status as Record<string, unknown>;
    expect(status.accessLevels).toBeUndefined();
    expect(status.ingressPolicies).toEqual([
      {
        title: 'corporate auditors',
        ingressFrom: { identityType: 'ANY_IDENTITY', sources: [{ accessLevel: 'accessPolicies/987654321/accessLevels/corp_network' }] },
        ingressTo: { resources: ['*'], operations: [{ serviceName: 'logging.googleapis.com', methodSelectors: [{ method: '*' }] }] },
      },
    ]);
  });

  test('an unlocked audit bucket when the organisation says so', async () => {
    const p = await planFor(orgWith((raw) => void (raw.gcp!.lockAuditRetention = false)));
    expect(resource(p, T.bucket, 'example-corp-audit-bucket').inputs.locked).toBe(false);
  });
});

describe('gcpProgram organisation policies', () => {
  test('the example sets the optional policies the organisation config asks for: global endpoint, CMEK key projects, member domains, Workbench', async () => {
    const p = await examplePlan();
    const byConstraint = Object.fromEntries(ofType(p, T.orgPolicy).map((r) => [String(r.inputs.name).split('/policies/')[1], r.inputs.spec]));
    expect(byConstraint['gcp.restrictEndpointUsage']).toEqual({ inheritFromParent: true, rules: [{ values: { deniedValues: ['aiplatform.googleapis.com'] } }] });
    expect(byConstraint['gcp.restrictCmekCryptoKeyProjects']).toEqual({ inheritFromParent: false, rules: [{ values: { allowedValues: ['under:projects/example-ai-prod'] } }] });
    expect(byConstraint['iam.allowedPolicyMemberDomains']).toEqual({ inheritFromParent: true, rules: [{ values: { allowedValues: ['C0example1'] } }] });
    for (const c of ['ainotebooks.disableFileDownloads', 'ainotebooks.disableRootAccess', 'ainotebooks.restrictPublicIp']) expect(byConstraint[c]).toEqual({ rules: [{ enforce: 'TRUE' }] });
    expect(p.outputs.orgPolicies).toHaveLength(ofType(p, T.orgPolicy).length);
  });

  test('CMEK key projects are restricted at project scope only: at a folder it would bind every other project there to this one\'s keys', async () => {
    const p = await atFolderPlan();
    const constraints = ofType(p, T.orgPolicy).map((r) => String(r.inputs.name));
    expect(constraints).toContain('folders/4455/policies/gcp.restrictEndpointUsage');
    expect(constraints.filter((n) => n.endsWith('/gcp.restrictCmekCryptoKeyProjects'))).toEqual([]);
  });

  test('policies at a folder or the organisation outlive the stack (retainOnDelete); a project\'s own policies do not', async () => {
    const atFolder = await atFolderPlan();
    expect(ofType(atFolder, T.orgPolicy).length).toBeGreaterThan(0);
    for (const r of ofType(atFolder, T.orgPolicy)) expect([r.name, r.retainOnDelete]).toEqual([r.name, true]);
    const atOrganization = await planFor(exampleOrg, { organizationId: '5566' });
    for (const r of ofType(atOrganization, T.orgPolicy)) expect([r.name, r.retainOnDelete]).toEqual([r.name, true]);
    const atProject = await examplePlan();
    for (const r of ofType(atProject, T.orgPolicy)) expect(r).not.toHaveProperty('retainOnDelete');
  });

  test('each optional policy can be turned off in the organisation config', async () => {
    const org = orgWith((raw) => {
      raw.gcp!.orgPolicies = { denyGlobalVertexEndpoint: false, restrictCmekKeyProjects: false, allowedMemberCustomerIds: [], workbenchHardening: false };
    });
    const p = await planFor(org);
    expect(ofType(p, T.orgPolicy).map((r) => String(r.inputs.name).split('/policies/')[1]).sort()).toEqual(
      ['gcp.resourceLocations', 'gcp.restrictNonCmekServices', 'gcp.restrictTLSVersion', 'iam.disableServiceAccountKeyCreation', 'vertexai.allowedModels'].sort(),
    );
  });

  test('domain restricted sharing comes after every grant to a Google service agent (grants made before it stay; after it, agents outside the customer are refused)', async () => {
    const p = await examplePlan();
    const agentGrants = [...ofType(p, T.iamMember), ...ofType(p, T.keyMember)].filter((g) => String(g.inputs.member).startsWith('serviceAccount:'));
    expect(agentGrants.length).toBe(3);
    const domains = ofType(p, T.orgPolicy).find((r) => String(r.inputs.name).endsWith('/iam.allowedPolicyMemberDomains'))!;
    for (const g of agentGrants) expect([g.name, waitsFor(p, domains.name, g.name)]).toEqual([g.name, true]);
  });
});

describe('gcpProgram in a fleet (gcp.orgPolicyParent)', () => {
  const fleet = fleetOrg('folders/4455', 'hub');
  const ORG_WIDE = [
    'gcp.resourceLocations',
    'gcp.restrictNonCmekServices',
    'iam.disableServiceAccountKeyCreation',
    'gcp.restrictTLSVersion',
    'vertexai.allowedModels',
    'gcp.restrictEndpointUsage',
    'ainotebooks.disableFileDownloads',
    'ainotebooks.disableRootAccess',
    'ainotebooks.restrictPublicIp',
  ];
  const PER_PROJECT = ['projects/123456789012/policies/gcp.restrictCmekCryptoKeyProjects', 'projects/123456789012/policies/iam.allowedPolicyMemberDomains'];
  const policyNames = (p: Plan) => ofType(p, T.orgPolicy).map((r) => String(r.inputs.name)).sort();
  let owner: Plan;
  let member: Plan;
  beforeAll(async () => {
    owner = await withoutStackTraces(() => planAs(fleet, 'hub'));
    member = await withoutStackTraces(() => planAs(fleet, 'spoke-1'));
  });

  test('the owner sets the org-wide constraints at the folder, and the per-project ones at its project', () => {
    expect(policyNames(owner)).toEqual([...ORG_WIDE.map((c) => `folders/4455/policies/${c}`), ...PER_PROJECT].sort());
    for (const r of ofType(owner, T.orgPolicy)) expect(r.inputs.parent).toBe(String(r.inputs.name).replace(/\/policies\/.*$/, ''));
    expect(resource(owner, T.orgPolicy, 'example-corp-fleet-org-policies-models').inputs).toMatchObject({ parent: 'folders/4455', spec: { inheritFromParent: false } });
    expect(resource(owner, T.orgPolicy, 'example-corp-org-policies-cmek-key-projects').inputs.spec).toEqual({ inheritFromParent: false, rules: [{ values: { allowedValues: ['under:projects/example-ai-prod'] } }] });
  });

  test('the owner\'s policies at the folder outlive it (retainOnDelete: destroying the owner or moving ownership leaves every project\'s guards in force); those at its project do not', () => {
    for (const r of ofType(owner, T.orgPolicy)) {
      const atFolder = String(r.inputs.parent).startsWith('folders/');
      expect([r.name, r.retainOnDelete === true]).toEqual([r.name, atFolder]);
    }
    for (const r of ofType(member, T.orgPolicy)) expect(r).not.toHaveProperty('retainOnDelete');
  });

  test('another stack sets only the per-project constraints, at its own project, under the names they had at project scope', () => {
    expect(policyNames(member)).toEqual(PER_PROJECT);
    expect(ofType(member, T.orgPolicy).map((r) => r.name).sort()).toEqual(['example-corp-org-policies-cmek-key-projects', 'example-corp-org-policies-member-domains']);
    expect(ofType(member, 'privateai:gcp:OrgPolicies').map((r) => r.name)).toEqual(['example-corp-org-policies']);
  });

  test.each([['owner', () => owner], ['another stack', () => member]] as const)('%s: domain restricted sharing at the project comes after every grant to a Google service agent', (_who, planned) => {
    const p = planned();
    const agentGrants = [...ofType(p, T.iamMember), ...ofType(p, T.keyMember)].filter((g) => String(g.inputs.member).startsWith('serviceAccount:'));
    expect(agentGrants.length).toBe(3);
    const domains = resource(p, T.orgPolicy, 'example-corp-org-policies-member-domains');
    expect(domains.inputs.parent).toBe('projects/123456789012');
    for (const g of agentGrants) expect([g.name, waitsFor(p, domains.name, g.name)]).toEqual([g.name, true]);
  });

  test('below the folder\'s gcp.resourceLocations (in:<region>-locations only), nothing is placed at location global but the floor setting, which Model Armor only updates', () => {
    const global = member.resources.filter((r) => r.inputs.location === 'global' || r.inputs.region === 'global');
    expect(global.map((r) => r.type)).toEqual([T.floor]);
    const queries = ofType(member, 'gcp:logging/savedQuery:SavedQuery');
    expect(queries.length).toBeGreaterThan(0);
    for (const q of queries) expect([q.name, q.inputs.location]).toEqual([q.name, 'europe-west4']);
  });

  test('the outputs say where the org-wide policies are and who sets them, and list only the policies this stack sets', () => {
    expect(owner.outputs).toMatchObject({ orgPolicyParent: 'folders/4455', orgPoliciesSetBy: 'this stack', perProjectOrgPolicyParent: 'projects/123456789012' });
    expect([...(owner.outputs.orgPolicies as string[])].sort()).toEqual(policyNames(owner));
    expect(member.outputs).toMatchObject({ orgPolicyParent: 'folders/4455', orgPoliciesSetBy: 'stack hub (gcp.orgPolicyParent)', perProjectOrgPolicyParent: 'projects/123456789012' });
    expect([...(member.outputs.orgPolicies as string[])].sort()).toEqual(PER_PROJECT);
  });

  test('each stack reads its project\'s ancestry; the plan records the answer it assumed, the project directly below the folder', () => {
    for (const p of [owner, member]) {
      expect(p.calls.filter((c) => c.token === PROJECT_ANCESTRY)).toEqual([
        {
          token: PROJECT_ANCESTRY,
          args: { project: 'example-ai-prod' },
          answer: { id: 'projects/example-ai-prod', project: 'example-ai-prod', ancestors: [{ id: 'example-ai-prod', type: 'project' }, { id: '4455', type: 'folder' }], parentId: '4455', parentType: 'folder' },
        },
      ]);
    }
  });

  test('without gcp.orgPolicyParent the outputs are as they were: no fleet outputs', async () => {
    const single = await examplePlan();
    for (const key of ['orgPolicyParent', 'orgPoliciesSetBy', 'perProjectOrgPolicyParent']) expect(single.outputs).not.toHaveProperty(key);
  });
});

describe('gcpProgram in a fleet, deployed to a project outside the parent', () => {
  test('the ancestry Google Cloud gives (here: another folder) fails the program, as Pulumi runs it, with a message naming the project, the parent, the ancestry and the fix', () => {
    // In a child process: Pulumi's run turns the failed check into the program's error through
    // Node's unhandled rejections, which Jest would claim for itself.
    const child = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', path.join(__dirname, 'fixtures', 'outside-parent.ts')], { cwd: ROOT, encoding: 'utf8' });
    const problem =
      "project example-ai-prod is not under folders/4455, where stack hub sets the fleet's organisation policies (gcp.orgPolicyParent): its ancestry is project example-ai-prod > folder 9999 > organization 5566, so the org-wide constraints (resource locations, CMEK, models, service account keys, TLS, the global endpoint, Workbench) would not bind it; move the project below folders/4455 (gcloud beta projects move example-ai-prod --folder=4455), or deploy it with an organisation config whose gcp.orgPolicyParent is one of its ancestors";
    expect([child.status, child.stderr]).toEqual([1, expect.stringContaining(problem)]);
    // The APIs take the checked project (and every other resource waits for them): their registration fails with it.
    expect(child.stderr).toMatch(/error serializing property "project": project example-ai-prod is not under folders\/4455/);
  });
});

describe('the Pulumi project', () => {
  const stackFile = yaml.load(fs.readFileSync(path.join(PROJECT_DIR, 'Pulumi.example.yaml'), 'utf8')) as { config: Record<string, unknown> };

  test('Pulumi.yaml names the project the program declares, TypeScript entry point', () => {
    const project = yaml.load(fs.readFileSync(path.join(PROJECT_DIR, 'Pulumi.yaml'), 'utf8')) as { name: string; runtime: { name: string }; main: string };
    expect(project).toMatchObject({ name: gcpProgram.project, runtime: { name: 'nodejs' }, main: 'index.ts' });
    expect(gcpProgram.namespace).toBe('privateai');
  });

  test('index.ts runs the program from pulumi.Config and exports its outputs', async () => {
    const p = await withoutStackTraces(() =>
      plan(() => {
        for (const [key, value] of Object.entries(stackFile.config)) pulumi.runtime.setConfig(key, String(value));
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require('../../stacks/gcp/index') as Record<string, unknown>;
      }),
    );
    expect(p.outputs).toMatchObject({ project: 'example-ai-prod', vertexEndpoint: 'https://europe-west4-aiplatform.googleapis.com', pscEndpointAddress: '10.50.255.254' });
    expect(ofType(p, T.perimeter)).toHaveLength(1);
  });
});
