import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { OrgConfig } from '../../lib/config';
import type { Plan, PlanResource } from '../../lib/pulumi/plan';
import { buildReport, renderHtml, renderMarkdown, reportFails, type CloudSection } from '../../policies/report';
import { evaluateAzure } from '../../policies/report/azure';
import { evaluateGcp } from '../../policies/report/gcp';
import { evaluatePulumiCloud, PULUMI_CLOUDS } from '../../policies/report/pulumi-clouds';
import { azureProgram } from '../../stacks/azure/program';
import { gcpProgram } from '../../stacks/gcp/program';
import * as azureSupport from '../azure/support';
import * as gcpSupport from '../gcp/support';

// The example programs, planned once under mocks: the evaluators read plans, as in `npm run synth`.
const azureStack = (yaml.load(fs.readFileSync(path.join(__dirname, '..', '..', 'stacks', 'azure', 'Pulumi.example.yaml'), 'utf8')) as { config: Record<string, unknown> }).config;
let azurePlan: Plan;
let gcpPlan: Plan;
beforeAll(async () => {
  const azureSettings = azureProgram.readSettings((key) => azureStack[`privateai:${key}`], azureSupport.exampleOrg, 'example');
  const { cloud, stack, resources, outputs, calls } = await azureSupport.plan(() => azureProgram.run(azureSupport.exampleOrg, azureSettings));
  azurePlan = { cloud, stack, resources, outputs, calls };
  const gcpSettings = gcpProgram.readSettings(gcpSupport.getter(gcpSupport.exampleStackConfig), gcpSupport.exampleOrg, 'example');
  gcpPlan = await gcpSupport.plan(() => gcpProgram.run(gcpSupport.exampleOrg, gcpSettings));
});

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** A copy of `plan` with `change` applied to the inputs of every resource of `type`. */
function changed(plan: Plan, type: string, change: (inputs: Inputs, r: PlanResource) => void): Plan {
  const copy = JSON.parse(JSON.stringify(plan)) as Plan;
  const targets = copy.resources.filter((r) => r.type === type);
  if (targets.length === 0) throw new Error(`no ${type} in the plan`);
  for (const r of targets) change(r.inputs, r);
  return copy;
}
const without = (plan: Plan, type: string): Plan => ({ ...plan, resources: plan.resources.filter((r) => r.type !== type) });

function expectFail(section: CloudSection, control: string) {
  const result = section.controls.find((c) => c.control === control)!;
  expect([control, result.status]).toEqual([control, 'fail']);
  expect(result.evidence.some((e) => !e.ok)).toBe(true);
}

describe('Azure evidence, from the offline plan', () => {
  test('the example passes every control, each with evidence naming plan resources', () => {
    const section = evaluateAzure(azurePlan, azureSupport.exampleOrg);
    expect(section.controls.map((c) => c.control)).toHaveLength(12);
    for (const c of section.controls) {
      expect([c.control, c.status]).toEqual([c.control, 'pass']);
      expect(c.evidence.length).toBeGreaterThan(0);
      for (const e of c.evidence) expect(e.resource).toMatch(/^test\//);
    }
    expect(section.outputs.openAiEndpoint).toMatch(/^https:\/\/.+\.openai\.azure\.com\/$/);
  });

  const A = { account: 'azure-native:cognitiveservices:Account', deployment: 'azure-native:cognitiveservices:Deployment', storage: 'azure-native:storage:StorageAccount' };
  test.each<[string, (p: Plan) => Plan]>([
    ['private-path', (p) => changed(p, A.account, (i) => (i.properties.publicNetworkAccess = 'Enabled'))],
    ['private-path', (p) => without(p, 'azure-native:network:PrivateEndpoint')],
    ['sso-no-keys', (p) => changed(p, A.account, (i) => (i.properties.disableLocalAuth = false))],
    ['sso-no-keys', (p) => changed(p, 'azure-native:authorization:RoleAssignment', (i) => (i.principalType = 'User'))],
    ['least-privilege', (p) => changed(p, 'azure-native:authorization:RoleAssignment', (i) => (i.roleDefinitionId = `/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`))],
    ['encryption-cmk', (p) => changed(p, 'azure-native:keyvault:Key', (i) => delete i.properties.rotationPolicy)],
    ['tls-in-transit', (p) => changed(p, A.storage, (i) => (i.minimumTlsVersion = 'TLS1_0'))],
    ['audited', (p) => without(p, 'azure-native:monitor:DiagnosticSetting')],
    ['immutable-retention', (p) => changed(p, A.storage, (i) => (i.immutableStorageWithVersioning.immutabilityPolicy.state = 'Unlocked'))],
    ['immutable-retention', (p) => without(p, A.storage)],
    ['data-residency', (p) => changed(p, A.deployment, (i) => (i.sku.name = 'GlobalStandard'))],
    ['prompt-filters', (p) => changed(p, 'azure-native:cognitiveservices:RaiPolicy', (i) => (i.properties.contentFilters = i.properties.contentFilters.filter((f: { name: string }) => f.name !== 'Indirect Attack')))],
    ['rate-limits', (p) => changed(p, A.deployment, (i) => delete i.sku.capacity)],
    ['model-pinning', (p) => changed(p, A.deployment, (i) => (i.properties.versionUpgradeOption = 'OnceCurrentVersionExpired'))],
    // Issue 12: first-deploy order, key version, controls outside Pulumi, private audit data.
    ['private-path', (p) => changed(p, 'azure-native:network:PrivateEndpoint', (_, r) => ((r as { dependsOn: string[] }).dependsOn = ['models-account']))],
    ['private-path', (p) => changed(p, 'azure-native:operationalinsights:Workspace', (i) => (i.publicNetworkAccessForQuery = 'Enabled'))],
    ['private-path', (p) => without(p, 'azure-native:monitor:PrivateLinkScopedResource')],
    ['private-path', (p) => changed(p, 'azure-native:authorization:PolicyAssignment', (i) => (i.parameters.effect.value = 'Disabled'))],
    ['sso-no-keys', (p) => without(p, 'azure-native:authorization:PolicyAssignment')],
    ['least-privilege', (p) => changed(p, A.account, (i) => (i.properties.allowProjectManagement = true))],
    ['encryption-cmk', (p) => changed(p, A.account, (i) => delete i.properties.encryption.keyVaultProperties.keyVersion)],
    ['encryption-cmk', (p) => without(p, 'azure-native:eventgrid:SystemTopicEventSubscription')],
    ['encryption-cmk', (p) => changed(p, 'azure-native:eventgrid:SystemTopicEventSubscription', (i) => (i.destination.actionGroups = []))],
    ['audited', (p) => without(p, 'azure-native:monitor:SubscriptionDiagnosticSetting')],
    ['data-residency', (p) => changed(p, 'azure-native:authorization:PolicyAssignment', (i) => (i.enforcementMode = 'DoNotEnforce'))],
    ['data-residency', (p) => changed(p, 'azure-native:authorization:PolicyAssignment', (i) => i.parameters.listOfAllowedLocations && (i.parameters.listOfAllowedLocations.value = ['eastus']))],
    ['encryption-cmk', (p) => changed(p, 'azure-native:authorization:PolicyAssignment', (i) => (i.scope = '/subscriptions/not-a-guid/resourceGroups/x'))],
    ['prompt-filters', (p) => without(p, 'azure-native:security:Pricing')],
    // One signal without an alert; an alert that notifies nobody; an action group that e-mails nobody; no kill switch.
    ['misuse-detected', (p) => ({ ...p, resources: p.resources.filter((r) => (r.inputs.tags as Record<string, unknown> | undefined)?.['private-ai-signal'] !== 'callerVolume') })],
    ['misuse-detected', (p) => ({ ...p, resources: p.resources.map((r) => (r.name === 'detection-denied-calls' ? { ...r, propertyDependencies: {} } : r)) })],
    ['misuse-detected', (p) => changed(p, 'azure-native:monitor:ActionGroup', (i) => (i.emailReceivers = []))],
    ['misuse-detected', (p) => changed(p, 'azure-native:monitor:ScheduledQueryRule', (i) => (i.actions = { actionGroups: [] }))],
    ['misuse-detected', (p) => ({ ...p, outputs: { ...p.outputs, modelAccess: undefined } })],
  ])('a regression in %s shows as FAIL', (control, regress) => {
    expectFail(evaluateAzure(regress(azurePlan), azureSupport.exampleOrg), control);
  });

  test('an organisation that stages its policies (auditOnly) passes with DoNotEnforce assignments, and fails with enforced ones it did not ask for', () => {
    const auditOnly = azureSupport.orgWith((raw) => (raw.azure!.policyEnforcement = 'auditOnly'));
    const staged = changed(azurePlan, 'azure-native:authorization:PolicyAssignment', (i) => (i.enforcementMode = 'DoNotEnforce'));
    for (const c of evaluateAzure(staged, auditOnly).controls) expect([c.control, c.status]).toEqual([c.control, 'pass']);
    expectFail(evaluateAzure(azurePlan, auditOnly), 'data-residency');
  });

  test('a stack that leaves the subscription-wide controls to another owner is not failed for their absence, and says who owns them', () => {
    const note = 'another owner manages the Defender for AI plan and the Activity Log diagnostic setting (privateai:manageSubscriptionControls false)';
    const external: Plan = {
      ...without(without(azurePlan, 'azure-native:monitor:SubscriptionDiagnosticSetting'), 'azure-native:security:Pricing'),
      outputs: { ...azurePlan.outputs, subscriptionControls: { ownedByThisStack: false, note } },
    };
    const section = evaluateAzure(external, azureSupport.exampleOrg);
    for (const c of section.controls) expect([c.control, c.status]).toEqual([c.control, 'pass']);
    expect(section.controls.find((c) => c.control === 'audited')!.note).toContain(note);
  });
});

describe('Google Cloud evidence, from the offline plan', () => {
  test('the prompt-filters control says what Model Armor screens and what it does not', () => {
    const note = evaluateGcp(gcpPlan, gcpSupport.exampleOrg).controls.find((c) => c.control === 'prompt-filters')!.note!;
    expect(note).toContain('every Vertex AI generateContent call');
    expect(note).toContain('Streaming (streamGenerateContent) and embedding calls are not screened');
  });

  test('the example passes every control but rate limits, which it says Google enforces', () => {
    const section = evaluateGcp(gcpPlan, gcpSupport.exampleOrg);
    expect(section.controls.map((c) => c.control)).toHaveLength(12);
    for (const c of section.controls.filter((x) => x.control !== 'rate-limits')) {
      expect([c.control, c.status]).toEqual([c.control, 'pass']);
      expect(c.evidence.length).toBeGreaterThan(0);
    }
    const rate = section.controls.find((c) => c.control === 'rate-limits')!;
    expect(rate.status).toBe('not applicable');
    expect(rate.note).toMatch(/^This stack deploys no model endpoint/);
  });

  test('with central DNS (no zone in the stack) the path still passes, and the note says what the plan cannot show', async () => {
    const settings = gcpProgram.readSettings(gcpSupport.getter({ ...gcpSupport.exampleStackConfig, createDnsZones: false }), gcpSupport.exampleOrg, 'example');
    const central = await gcpSupport.plan(() => gcpProgram.run(gcpSupport.exampleOrg, settings));
    const path = evaluateGcp(central, gcpSupport.exampleOrg).controls.find((c) => c.control === 'private-path')!;
    expect(path.status).toBe('pass');
    expect(path.note).toContain('central DNS must resolve Google APIs to the Private Service Connect endpoint');
    const policies = await evaluatePulumiCloud(PULUMI_CLOUDS[1], central, gcpSupport.exampleOrg);
    expect(policies.policies.violations.filter((v) => v.enforcementLevel === 'mandatory')).toEqual([]);
  });

  const G = { bucket: 'gcp:logging/projectBucketConfig:ProjectBucketConfig', orgPolicy: 'gcp:orgpolicy/policy:Policy', floor: 'gcp:modelarmor/floorsetting:Floorsetting', sink: 'gcp:logging/projectSink:ProjectSink' };

  test('the audited control shows the audit sink\'s own filter as its evidence', () => {
    const sink = gcpPlan.resources.find((r) => r.type === G.sink)!;
    const filter = String(sink.inputs.filter);
    const audited = evaluateGcp(gcpPlan, gcpSupport.exampleOrg).controls.find((c) => c.control === 'audited')!;
    expect(audited.evidence.filter((e) => e.type === G.sink)).toEqual([{ resource: `test/${sink.name}`, type: G.sink, property: 'filter', value: `${filter.slice(0, 77)}...`, ok: true }]);
    const narrowed = evaluateGcp(changed(gcpPlan, G.sink, (i) => (i.filter = `NOT protoPayload.serviceName="cloudkms.googleapis.com" AND ${filter}`)), gcpSupport.exampleOrg);
    expect(narrowed.controls.find((c) => c.control === 'audited')!.evidence.filter((e) => e.type === G.sink)).toEqual([
      { resource: `test/${sink.name}`, type: G.sink, property: 'filter', value: 'NOT protoPayload.serviceName="cloudkms.googleapis.com" AND ((logName="project...', ok: false },
    ]);
  });

  const onConstraint = (constraint: string, change: (i: Inputs) => void) => (i: Inputs) => {
    if (String(i.name).endsWith(`/policies/${constraint}`)) change(i);
  };
  test.each<[string, (p: Plan) => Plan]>([
    ['private-path', (p) => changed(p, 'gcp:compute/network:Network', (i) => (i.deleteDefaultRoutesOnCreate = false))],
    ['private-path', (p) => changed(p, 'gcp:compute/firewall:Firewall', (i) => i.allows && (i.destinationRanges = ['0.0.0.0/0']))],
    ['private-path', (p) => changed(p, 'gcp:accesscontextmanager/servicePerimeter:ServicePerimeter', (i) => ((i.spec = i.status), delete i.status))],
    ['private-path', (p) => changed(p, 'gcp:dns/recordSet:RecordSet', (i) => (i.name = '*.googleapis.com.'))],
    ['private-path', (p) => changed(p, 'gcp:accesscontextmanager/servicePerimeter:ServicePerimeter', (i) => (i.status.restrictedServices = ['aiplatform.googleapis.com']))],
    ['private-path', (p) => changed(p, 'gcp:accesscontextmanager/servicePerimeter:ServicePerimeter', (i) => delete i.status.vpcAccessibleServices)],
    ['sso-no-keys', (p) => changed(p, 'gcp:projects/iAMMember:IAMMember', (i) => (i.member = String(i.member).replace('group:', 'user:')))],
    ['sso-no-keys', (p) => changed(p, G.orgPolicy, onConstraint('iam.allowedPolicyMemberDomains', (i) => (i.spec.rules = [{ allowAll: 'TRUE' }])))],
    ['encryption-cmk', (p) => changed(p, G.orgPolicy, onConstraint('gcp.restrictCmekCryptoKeyProjects', (i) => (i.spec.rules = [{ allowAll: 'TRUE' }])))],
    ['data-residency', (p) => changed(p, G.orgPolicy, onConstraint('gcp.restrictEndpointUsage', (i) => (i.spec.rules[0].values.deniedValues = ['bigquery.googleapis.com'])))],
    ['least-privilege', (p) => changed(p, 'gcp:projects/iAMMember:IAMMember', (i) => String(i.member).includes('model-users') && (i.role = 'roles/aiplatform.user'))],
    ['least-privilege', (p) => changed(p, 'gcp:projects/iAMCustomRole:IAMCustomRole', (i) => i.permissions.push('aiplatform.endpoints.create'))],
    ['least-privilege', (p) => changed(p, 'gcp:projects/iAMMember:IAMMember', (i) => (i.role = 'roles/editor'))],
    ['encryption-cmk', (p) => changed(p, 'gcp:kms/cryptoKey:CryptoKey', (i) => (i.rotationPeriod = '31536000s'))],
    ['tls-in-transit', (p) => changed(p, G.orgPolicy, onConstraint('gcp.restrictTLSVersion', (i) => (i.spec.rules = [])))],
    ['audited', (p) => without(p, 'gcp:projects/iAMAuditConfig:IAMAuditConfig')],
    ['audited', (p) => ({ ...p, resources: p.resources.filter((r) => r.inputs.service !== 'cloudkms.googleapis.com') })],
    ['audited', (p) => changed(p, 'gcp:logging/projectSink:ProjectSink', (i) => (i.filter = String(i.filter).replace(/ OR logName="[^"]*sanitize_operations"$/, '')))],
    ['audited', (p) => without(p, G.sink)],
    ['audited', (p) => changed(p, G.sink, (i) => (i.filter = `${String(i.filter)} AND NOT protoPayload.serviceName="cloudkms.googleapis.com"`))],
    ['audited', (p) => changed(p, G.sink, (i) => (i.destination = 'storage.googleapis.com/example-audit'))],
    ['audited', (p) => changed(p, G.sink, (i) => (i.disabled = true))],
    ['immutable-retention', (p) => changed(p, G.bucket, (i) => (i.locked = false))],
    ['immutable-retention', (p) => changed(p, G.bucket, (i) => (i.retentionDays = 30))],
    ['data-residency', (p) => changed(p, 'gcp:compute/subnetwork:Subnetwork', (i) => (i.region = 'us-central1'))],
    ['prompt-filters', (p) => changed(p, G.floor, (i) => (i.filterConfig.piAndJailbreakFilterSettings.filterEnforcement = 'DISABLED'))],
    ['model-pinning', (p) => changed(p, G.orgPolicy, onConstraint('vertexai.allowedModels', (i) => i.spec.rules[0].values.allowedValues.push('is:publishers/google/models/gemini-flash-latest:predict')))],
    // One signal without an alert policy; alerts without channels; no IAM-change metric (the kill switch unwatched).
    ['misuse-detected', (p) => ({ ...p, resources: p.resources.filter((r) => (r.inputs.userLabels as Record<string, unknown> | undefined)?.['private-ai-signal'] !== 'denied-calls') })],
    ['misuse-detected', (p) => changed(p, 'gcp:monitoring/alertPolicy:AlertPolicy', (i) => String(i.userLabels['private-ai-signal']) === 'tampering' && (i.notificationChannels = []))],
    ['misuse-detected', (p) => ({ ...p, resources: p.resources.map((r) => (r.type === 'gcp:monitoring/alertPolicy:AlertPolicy' ? { ...r, propertyDependencies: {} } : r)) })],
    ['misuse-detected', (p) => changed(p, 'gcp:logging/metric:Metric', (i) => (i.filter = String(i.filter).replace(/SetIamPolicy/g, 'GetIamPolicy')))],
  ])('a regression in %s shows as FAIL', (control, regress) => {
    expectFail(evaluateGcp(regress(gcpPlan), gcpSupport.exampleOrg), control);
  });
});

describe('Google Cloud evidence in a fleet (gcp.orgPolicyParent: stack hub sets the org-wide policies at folders/4455)', () => {
  const fleet = gcpSupport.fleetOrg('folders/4455', 'hub');
  const ORG_WIDE_CONTROLS = ['sso-no-keys', 'least-privilege', 'encryption-cmk', 'tls-in-transit', 'data-residency', 'model-pinning'];
  const failed = (section: CloudSection) => section.controls.filter((c) => c.status === 'fail').map((c) => c.control).sort();
  let owner: Plan;
  let member: Plan;
  beforeAll(async () => {
    owner = await gcpSupport.planAs(fleet, 'hub');
    member = await gcpSupport.planAs(fleet, 'spoke-1');
  });

  test.each([['the owner', () => owner], ['another stack', () => member]] as const)('%s: every control passes and the pack finds nothing', async (_who, planned) => {
    const { section, policies } = await evaluatePulumiCloud(PULUMI_CLOUDS[1], planned(), fleet);
    expect(failed(section)).toEqual([]);
    expect(policies.violations.filter((v) => v.enforcementLevel === 'mandatory')).toEqual([]);
  });

  test('another stack\'s evidence says the policies are set at the folder by the owner, as the config says, and its own per-project ones', () => {
    const section = evaluateGcp(member, fleet);
    const evidence = (control: string) => section.controls.find((c) => c.control === control)!.evidence.filter((e) => e.type === 'gcp:orgpolicy/policy:Policy');
    const inherited = (constraint: string) => ({
      resource: 'hub (gcp.orgPolicyParent)',
      type: 'gcp:orgpolicy/policy:Policy',
      property: constraint,
      value:
        'set at folders/4455 by stack hub (gcp.orgPolicyParent); the ancestry the plan assumed for project example-ai-prod (gcp:projects/getAncestry:getAncestry, checked against Google Cloud by pulumi preview) is project example-ai-prod > folder 4455',
      ok: true,
    });
    expect(evidence('data-residency')).toEqual([inherited('gcp.resourceLocations'), inherited('gcp.restrictEndpointUsage')]);
    expect(evidence('model-pinning')).toEqual([inherited('vertexai.allowedModels')]);
    expect(evidence('encryption-cmk')).toEqual([
      { resource: 'spoke-1/example-corp-org-policies-cmek-key-projects', type: 'gcp:orgpolicy/policy:Policy', property: 'gcp.restrictCmekCryptoKeyProjects', value: 'under:projects/example-ai-prod', ok: true },
      inherited('gcp.restrictNonCmekServices'),
    ]);
    expect(evidence('sso-no-keys')).toEqual([
      inherited('iam.disableServiceAccountKeyCreation'),
      { resource: 'spoke-1/example-corp-org-policies-member-domains', type: 'gcp:orgpolicy/policy:Policy', property: 'iam.allowedPolicyMemberDomains', value: 'C0example1', ok: true },
    ]);
  });

  test('another stack\'s plan whose recorded ancestry lacks the folder fails every org-wide control, naming the ancestry; one without the read fails too', () => {
    const withAncestry = (ancestors: unknown[]): Plan => ({
      ...member,
      calls: member.calls.map((c) => (c.token === 'gcp:projects/getAncestry:getAncestry' ? { ...c, answer: { ...c.answer, ancestors } } : c)),
    });
    const elsewhere = evaluateGcp(withAncestry([{ id: 'example-ai-prod', type: 'project' }, { id: '9999', type: 'folder' }]), fleet);
    expect(failed(elsewhere)).toEqual([...ORG_WIDE_CONTROLS].sort());
    expect(elsewhere.controls.find((c) => c.control === 'model-pinning')!.evidence).toEqual([
      {
        resource: 'hub (gcp.orgPolicyParent)',
        type: 'gcp:orgpolicy/policy:Policy',
        property: 'vertexai.allowedModels',
        value:
          'set at folders/4455 by stack hub (gcp.orgPolicyParent), but the ancestry the plan assumed for project example-ai-prod (gcp:projects/getAncestry:getAncestry, checked against Google Cloud by pulumi preview) is project example-ai-prod > folder 9999, without folders/4455: the fleet\'s policies do not bind it',
        ok: false,
      },
    ]);
    // A folder above the parent folder is fine: the parent is still among the ancestors.
    expect(failed(evaluateGcp(withAncestry([{ id: 'example-ai-prod', type: 'project' }, { id: '4455', type: 'folder' }, { id: '1', type: 'organization' }]), fleet))).toEqual([]);
    const unread = evaluateGcp({ ...member, calls: member.calls.filter((c) => c.token !== 'gcp:projects/getAncestry:getAncestry') }, fleet);
    expect(failed(unread)).toEqual([...ORG_WIDE_CONTROLS].sort());
    expect(unread.controls.find((c) => c.control === 'model-pinning')!.evidence[0].value).toBe(
      'set at folders/4455 by stack hub (gcp.orgPolicyParent); the plan recorded no read of project example-ai-prod\'s ancestry (gcp:projects/getAncestry:getAncestry), so nothing shows the project is under folders/4455',
    );
  });

  test('the owner\'s evidence names its own policies at the folder', () => {
    const residency = evaluateGcp(owner, fleet).controls.find((c) => c.control === 'data-residency')!;
    expect(residency.evidence.find((e) => e.property === 'gcp.resourceLocations')).toEqual({
      resource: 'hub/example-corp-fleet-org-policies-resource-locations',
      type: 'gcp:orgpolicy/policy:Policy',
      property: 'gcp.resourceLocations',
      value: 'in:europe-west4-locations, in:europe-west1-locations',
      ok: true,
    });
  });

  test('another stack\'s plan fails when the config does not say another stack sets the policies', async () => {
    const { section, policies } = await evaluatePulumiCloud(PULUMI_CLOUDS[1], member, gcpSupport.exampleOrg);
    expect(failed(section)).toEqual([...ORG_WIDE_CONTROLS].sort());
    expect(policies.violations.filter((v) => v.enforcementLevel === 'mandatory')).toHaveLength(5);
  });

  test('the owner\'s plan fails when it sets the policies at another parent than the configured one', async () => {
    const { section, policies } = await evaluatePulumiCloud(PULUMI_CLOUDS[1], owner, gcpSupport.fleetOrg('folders/9999', 'hub'));
    expect(failed(section)).toEqual([...ORG_WIDE_CONTROLS].sort());
    expect(section.controls.find((c) => c.control === 'data-residency')!.evidence).toContainEqual({
      resource: 'hub/example-corp-fleet-org-policies-resource-locations',
      type: 'gcp:orgpolicy/policy:Policy',
      property: 'gcp.resourceLocations',
      value: 'set at folders/4455, not at folders/9999 (gcp.orgPolicyParent)',
      ok: false,
    });
    expect(policies.violations.filter((v) => v.enforcementLevel === 'mandatory')).toHaveLength(14);
  });

  test('a stack that sets the policies at its own project fails as the owner (wrong parent) and as another stack (it overrides the folder\'s)', () => {
    // The example plan (stack test) sets every policy at its project.
    expect(failed(evaluateGcp(gcpPlan, gcpSupport.fleetOrg('folders/4455', 'test')))).toEqual([...ORG_WIDE_CONTROLS].sort());
    const asMember = evaluateGcp(gcpPlan, fleet);
    expect(failed(asMember)).toEqual([...ORG_WIDE_CONTROLS].sort());
    expect(asMember.controls.find((c) => c.control === 'model-pinning')!.evidence).toEqual([
      {
        resource: 'test/example-corp-org-policies-models',
        type: 'gcp:orgpolicy/policy:Policy',
        property: 'vertexai.allowedModels',
        value: 'set at projects/123456789012 by this stack, not by stack hub at folders/4455',
        ok: false,
      },
    ]);
  });
});

describe('the Pulumi clouds in the report', () => {
  test('the example plans pass every mandatory policy, and the report over them passes', async () => {
    const azure = await evaluatePulumiCloud(PULUMI_CLOUDS[0], azurePlan, azureSupport.exampleOrg);
    const gcp = await evaluatePulumiCloud(PULUMI_CLOUDS[1], gcpPlan, gcpSupport.exampleOrg);
    const report = buildReport({ generatedAt: 'now', aws: { stacks: [], allowedRegions: [] }, cdkValidation: { pluginReports: [] }, cdkPacks: [], pulumi: [azure, gcp] });
    expect(report.rulePacks.map((p) => [p.cloud, p.pack, p.findings])).toEqual([
      ['azure', 'private-ai-azure', 0],
      ['gcp', 'private-ai-gcp', 0],
    ]);
    expect(report.clouds.slice(1).flatMap((c) => c.controls.filter((r) => r.status === 'fail'))).toEqual([]);
  });

  test('a mandatory policy violation fails the report and is listed with its resource', async () => {
    const open = changed(azurePlan, 'azure-native:cognitiveservices:Account', (i) => (i.properties.disableLocalAuth = false));
    const azure = await evaluatePulumiCloud(PULUMI_CLOUDS[0], open, azureSupport.exampleOrg);
    const report = buildReport({ generatedAt: 'now', aws: { stacks: [], allowedRegions: [] }, cdkValidation: { pluginReports: [] }, cdkPacks: [], pulumi: [azure] });
    expect(reportFails(report)).toBe(true);
    const pack = report.rulePacks.find((p) => p.pack === 'private-ai-azure')!;
    expect(pack.findings).toBe(1);
    expect(pack.details).toContain(
      'mandatory: azure-ai-account-no-local-auth: disableLocalAuth is false; set it to true so no shared API key can call the models (azure-native:cognitiveservices:Account::models-account)',
    );
    expect(renderMarkdown(report)).toContain('azure-ai-account-no-local-auth');
    expect(renderHtml(report)).toContain('FAIL');
  });

  test('an organisation without the cloud gets a clear error instead of an empty section', async () => {
    const noGcp = { ...gcpSupport.exampleOrg, gcp: undefined } as OrgConfig;
    await expect(evaluatePulumiCloud(PULUMI_CLOUDS[1], gcpPlan, noGcp)).rejects.toThrow(
      'the organisation config has no gcp section, but plans/gcp.json exists; add the section or delete the plan',
    );
  });
});
