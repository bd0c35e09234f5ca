import * as projects from '@pulumi/gcp/projects';
import { ModelArmor } from '../../lib/gcp/model-armor';
import { GLOBAL_ENDPOINT_CONSTRAINT, OrgPolicies, orgPolicyConstraints } from '../../lib/gcp/org-policies';
import { DEFAULT_RESTRICTED_SERVICES, VpcServicePerimeter, type PerimeterIngressRule, type VpcServicePerimeterArgs } from '../../lib/gcp/service-perimeter';
import { ofType, plan, resource, T, waitsFor } from './support';

const models = [
  { publisher: 'google', id: 'gemini-2.5-flash' },
  { publisher: 'anthropic', id: 'claude-sonnet-4' },
];

describe('OrgPolicies', () => {
  const base = { parent: 'projects/123456789012', allowedRegions: ['europe-west4', 'europe-west1'], allowedModels: models };
  let p: Awaited<ReturnType<typeof plan>>;
  beforeAll(async () => {
    p = await plan(() => {
      new OrgPolicies('pol', base);
    });
  });
  const policy = (suffix: string) => resource(p, T.orgPolicy, `pol-${suffix}`).inputs;
  // A plan lists resources in the order their registrations complete, not the order they were created in: sorted.
  const names = (q: Awaited<ReturnType<typeof plan>>) =>
    ofType(q, T.orgPolicy)
      .map((r) => String(r.inputs.name).replace(/^.*\/policies\//, ''))
      .sort();

  test('resource locations: only the allowed regions, not widened by the parent', () => {
    expect(policy('resource-locations')).toEqual({
      parent: 'projects/123456789012',
      name: 'projects/123456789012/policies/gcp.resourceLocations',
      spec: { inheritFromParent: false, rules: [{ values: { allowedValues: ['in:europe-west4-locations', 'in:europe-west1-locations'] } }] },
    });
  });

  test('Vertex AI resources need a customer-managed key', () => {
    expect(policy('cmek-vertex')).toMatchObject({
      name: 'projects/123456789012/policies/gcp.restrictNonCmekServices',
      spec: { inheritFromParent: true, rules: [{ values: { deniedValues: ['aiplatform.googleapis.com'] } }] },
    });
  });

  test('no service account keys', () => {
    expect(policy('no-sa-keys')).toMatchObject({ name: 'projects/123456789012/policies/iam.disableServiceAccountKeyCreation', spec: { rules: [{ enforce: 'TRUE' }] } });
  });

  test('TLS 1.0 and 1.1 refused', () => {
    expect(policy('tls')).toMatchObject({ spec: { rules: [{ values: { deniedValues: ['TLS_VERSION_1', 'TLS_VERSION_1_1'] } }] } });
  });

  test('only the allowlisted models may be used', () => {
    expect(policy('models')).toMatchObject({
      name: 'projects/123456789012/policies/vertexai.allowedModels',
      spec: {
        inheritFromParent: false,
        rules: [{ values: { allowedValues: ['is:publishers/google/models/gemini-2.5-flash:predict', 'is:publishers/anthropic/models/claude-sonnet-4:predict'] } }],
      },
    });
  });

  test('the global Vertex AI endpoint is refused, keeping the parent denials', () => {
    expect(GLOBAL_ENDPOINT_CONSTRAINT).toBe('gcp.restrictEndpointUsage');
    expect(policy('no-global-vertex')).toEqual({
      parent: 'projects/123456789012',
      name: 'projects/123456789012/policies/gcp.restrictEndpointUsage',
      spec: { inheritFromParent: true, rules: [{ values: { deniedValues: ['aiplatform.googleapis.com'] } }] },
    });
  });

  test('Workbench instances: no file downloads, no root, no public IP', () => {
    for (const [suffix, constraint] of [
      ['workbench-no-downloads', 'ainotebooks.disableFileDownloads'],
      ['workbench-no-root', 'ainotebooks.disableRootAccess'],
      ['workbench-no-public-ip', 'ainotebooks.restrictPublicIp'],
    ]) {
      expect(policy(suffix)).toEqual({ parent: 'projects/123456789012', name: `projects/123456789012/policies/${constraint}`, spec: { rules: [{ enforce: 'TRUE' }] } });
    }
  });

  test('by default: the five always-on policies, the global endpoint denial and the three Workbench ones; no key-project or member-domain policy', () => {
    expect(orgPolicyConstraints({})).toEqual([
      'gcp.resourceLocations',
      'gcp.restrictNonCmekServices',
      'iam.disableServiceAccountKeyCreation',
      'gcp.restrictTLSVersion',
      'vertexai.allowedModels',
      'gcp.restrictEndpointUsage',
      'ainotebooks.disableFileDownloads',
      'ainotebooks.disableRootAccess',
      'ainotebooks.restrictPublicIp',
    ]);
    expect(ofType(p, T.orgPolicy)).toHaveLength(9);
    expect(names(p)).toEqual(orgPolicyConstraints({}).sort());
  });

  test('customer-managed keys only from the listed projects and folders, and IAM grants only to the listed customers', async () => {
    const q = await plan(() => {
      new OrgPolicies('pol', { ...base, cmekKeyProjects: ['under:projects/example-kms', 'under:folders/4455'], allowedMemberCustomerIds: ['C0abc1234', 'C99zz88'] });
    });
    expect(resource(q, T.orgPolicy, 'pol-cmek-key-projects').inputs).toEqual({
      parent: 'projects/123456789012',
      name: 'projects/123456789012/policies/gcp.restrictCmekCryptoKeyProjects',
      spec: { inheritFromParent: false, rules: [{ values: { allowedValues: ['under:projects/example-kms', 'under:folders/4455'] } }] },
    });
    expect(resource(q, T.orgPolicy, 'pol-member-domains').inputs).toEqual({
      parent: 'projects/123456789012',
      name: 'projects/123456789012/policies/iam.allowedPolicyMemberDomains',
      spec: { inheritFromParent: true, rules: [{ values: { allowedValues: ['C0abc1234', 'C99zz88'] } }] },
    });
    expect(ofType(q, T.orgPolicy)).toHaveLength(11);
  });

  test('empty key-project and customer lists create no policy', async () => {
    const q = await plan(() => {
      new OrgPolicies('pol', { ...base, cmekKeyProjects: [], allowedMemberCustomerIds: [] });
    });
    expect(names(q)).not.toContain('gcp.restrictCmekCryptoKeyProjects');
    expect(names(q)).not.toContain('iam.allowedPolicyMemberDomains');
    expect(ofType(q, T.orgPolicy)).toHaveLength(9);
  });

  test('the global endpoint denial and the Workbench hardening can be turned off', async () => {
    const q = await plan(() => {
      new OrgPolicies('pol', { ...base, denyGlobalVertexEndpoint: false, workbenchHardening: false });
    });
    expect(names(q)).toEqual(['gcp.resourceLocations', 'gcp.restrictNonCmekServices', 'gcp.restrictTLSVersion', 'iam.disableServiceAccountKeyCreation', 'vertexai.allowedModels']);
  });

  const ALWAYS = ['gcp.resourceLocations', 'gcp.restrictNonCmekServices', 'iam.disableServiceAccountKeyCreation', 'gcp.restrictTLSVersion', 'vertexai.allowedModels'];
  const WORKBENCH_CONSTRAINTS = ['ainotebooks.disableFileDownloads', 'ainotebooks.disableRootAccess', 'ainotebooks.restrictPublicIp'];
  test.each<[Record<string, unknown>, string[]]>([
    [{}, [...ALWAYS, 'gcp.restrictEndpointUsage', ...WORKBENCH_CONSTRAINTS]],
    [{ denyGlobalVertexEndpoint: false }, [...ALWAYS, ...WORKBENCH_CONSTRAINTS]],
    [{ workbenchHardening: false }, [...ALWAYS, 'gcp.restrictEndpointUsage']],
    [{ cmekKeyProjects: ['under:organizations/1234'] }, [...ALWAYS, 'gcp.restrictCmekCryptoKeyProjects', 'gcp.restrictEndpointUsage', ...WORKBENCH_CONSTRAINTS]],
    [{ allowedMemberCustomerIds: ['C0abc1234'], denyGlobalVertexEndpoint: false }, [...ALWAYS, 'iam.allowedPolicyMemberDomains', ...WORKBENCH_CONSTRAINTS]],
    [{ cmekKeyProjects: ['under:folders/1'], allowedMemberCustomerIds: ['C0abc1234'], denyGlobalVertexEndpoint: false, workbenchHardening: false }, [...ALWAYS, 'gcp.restrictCmekCryptoKeyProjects', 'iam.allowedPolicyMemberDomains']],
  ])('with %j the component creates exactly these policies, and orgPolicyConstraints names them', async (extra, expected) => {
    const q = await plan(() => {
      const c = new OrgPolicies('pol', { ...base, ...extra });
      return { names: c.policyNames };
    });
    expect(names(q)).toEqual([...expected].sort());
    expect(orgPolicyConstraints(extra)).toEqual(expected);
    // policyNames is filled in creation order.
    expect(Object.keys(q.outputs.names as Record<string, string>)).toEqual(expected);
  });

  test('folder or organisation scope', async () => {
    const folder = await plan(() => {
      new OrgPolicies('pol', { parent: 'folders/555', allowedRegions: ['europe-west4'], allowedModels: models });
    });
    expect(ofType(folder, T.orgPolicy).map((r) => r.inputs.parent)).toEqual(Array(9).fill('folders/555'));
    expect(resource(folder, T.orgPolicy, 'pol-tls').inputs.name).toBe('folders/555/policies/gcp.restrictTLSVersion');
    expect(() => new OrgPolicies('bad', { parent: 'projects/example-ai-prod', allowedRegions: ['europe-west4'], allowedModels: models })).toThrow(
      'OrgPolicies bad: parent "projects/example-ai-prod" must be projects/<number>, folders/<id> or organizations/<id>',
    );
    expect(() => new OrgPolicies('bad', { parent: 'folders/1', allowedRegions: ['europe-west4'], allowedModels: [] })).toThrow(/an empty allowlist would refuse every model/);
  });

  test.each(['projects/123456789012', 'projects/example-kms', 'under:projects/Example_KMS', 'folders/4455', 'under:billingAccounts/1'])('cmekKeyProjects value %s is refused', (value) => {
    expect(() => new OrgPolicies('bad', { ...base, cmekKeyProjects: ['under:folders/1', value] })).toThrow(
      `OrgPolicies bad: cmekKeyProjects value "${value}" must be under:projects/<project-id>, under:folders/<id> or under:organizations/<id>`,
    );
  });

  test.each(['example.com', 'c0abc1234', 'C0ABC1234', 'C0ab', 'is:C0abc1234'])('allowedMemberCustomerIds value %s is refused', (value) => {
    expect(() => new OrgPolicies('bad', { ...base, allowedMemberCustomerIds: [value] })).toThrow(
      `OrgPolicies bad: allowedMemberCustomerIds value "${value}" must be a Workspace or Cloud Identity customer ID such as C0abc1234 (C followed by lowercase letters or digits); \`gcloud organizations list\` shows it as DIRECTORY_CUSTOMER_ID`,
    );
  });

  test('a fleet splits the set: the org-wide constraints at the folder, CMEK key projects and domain restricted sharing at the project', async () => {
    const perProject = { cmekKeyProjects: ['under:projects/example-ai-prod'], allowedMemberCustomerIds: ['C0abc1234'] };
    const q = await plan(() => {
      new OrgPolicies('fleet', { ...base, parent: 'folders/4455', subset: 'orgWide' });
      new OrgPolicies('own', { ...base, ...perProject, subset: 'perProject' });
    });
    const at = (prefix: string) =>
      ofType(q, T.orgPolicy)
        .filter((r) => r.name.startsWith(prefix))
        .map((r) => String(r.inputs.name))
        .sort();
    expect(at('fleet-')).toEqual(orgPolicyConstraints({ subset: 'orgWide' }).map((c) => `folders/4455/policies/${c}`).sort());
    expect(at('own-')).toEqual(['projects/123456789012/policies/gcp.restrictCmekCryptoKeyProjects', 'projects/123456789012/policies/iam.allowedPolicyMemberDomains']);
    expect(orgPolicyConstraints({ ...perProject, subset: 'orgWide' })).toEqual([...ALWAYS, 'gcp.restrictEndpointUsage', ...WORKBENCH_CONSTRAINTS]);
    expect(orgPolicyConstraints({ ...perProject, subset: 'perProject' })).toEqual(['gcp.restrictCmekCryptoKeyProjects', 'iam.allowedPolicyMemberDomains']);
    expect(orgPolicyConstraints({ subset: 'perProject' })).toEqual([]);
  });

  test('the per-project subset stays at a project, and the org-wide subset refuses per-project values it would not set', () => {
    expect(() => new OrgPolicies('bad', { ...base, parent: 'folders/4455', subset: 'perProject', allowedMemberCustomerIds: ['C0abc1234'] })).toThrow(
      'OrgPolicies bad: parent folders/4455 must be projects/<number> for the perProject subset (gcp.restrictCmekCryptoKeyProjects, iam.allowedPolicyMemberDomains), which stays with one project; set the orgWide subset at a folder or organisation',
    );
    expect(() => new OrgPolicies('bad', { ...base, parent: 'folders/4455', subset: 'orgWide', cmekKeyProjects: ['under:projects/example-ai-prod'] })).toThrow(
      'OrgPolicies bad: cmekKeyProjects and allowedMemberCustomerIds belong to the perProject subset (gcp.restrictCmekCryptoKeyProjects, iam.allowedPolicyMemberDomains), so the orgWide subset would not set them; give them to an OrgPolicies with subset perProject at the project',
    );
  });
});

describe('VpcServicePerimeter', () => {
  const args = { accessPolicyId: '987654321', projectId: 'example-ai-prod', projectNumber: '123456789012' };
  const restricted = ['aiplatform.googleapis.com', 'cloudkms.googleapis.com', 'logging.googleapis.com', 'storage.googleapis.com', 'modelarmor.googleapis.com'];
  const config = {
    resources: ['projects/123456789012'],
    restrictedServices: restricted,
    vpcAccessibleServices: { enableRestriction: true, allowedServices: ['RESTRICTED-SERVICES'] },
  };
  const corp = 'accessPolicies/987654321/accessLevels/corp_network';
  const deployer = 'serviceAccount:deployer@example-ai-ops.iam.gserviceaccount.com';
  const rules = [
    { title: 'deployer', identities: [deployer] },
    { title: 'auditors from the office', identities: ['group:auditors@example.com'], accessLevels: [corp], services: ['logging.googleapis.com'] },
    { title: 'office', accessLevels: [corp], services: ['aiplatform.googleapis.com', 'modelarmor.googleapis.com'] },
  ];
  const allMethods = (serviceName: string) => ({ serviceName, methodSelectors: [{ method: '*' }] });
  const ingressPolicies = [
    {
      title: 'deployer',
      ingressFrom: { identities: [deployer], sources: [{ accessLevel: '*' }] },
      ingressTo: { resources: ['*'], operations: restricted.map(allMethods) },
    },
    {
      title: 'auditors from the office',
      ingressFrom: { identities: ['group:auditors@example.com'], sources: [{ accessLevel: corp }] },
      ingressTo: { resources: ['*'], operations: [allMethods('logging.googleapis.com')] },
    },
    {
      title: 'office',
      ingressFrom: { identityType: 'ANY_IDENTITY', sources: [{ accessLevel: corp }] },
      ingressTo: { resources: ['*'], operations: [allMethods('aiplatform.googleapis.com'), allMethods('modelarmor.googleapis.com')] },
    },
  ];
  const perimeter = async (extra: Partial<VpcServicePerimeterArgs> & Pick<VpcServicePerimeterArgs, 'mode'>) => {
    const p = await plan(() => {
      new VpcServicePerimeter('vpcsc', { ...args, ...extra });
    });
    return resource(p, T.perimeter, 'vpcsc-perimeter').inputs;
  };

  test('the default restricted services are Vertex AI and the services holding keys, audit logs, data and screening', () => {
    expect(DEFAULT_RESTRICTED_SERVICES).toEqual(restricted);
  });

  test('dry run: an explicit dry-run spec, nothing enforced', async () => {
    const inputs = await perimeter({ mode: 'dryRun' });
    expect(inputs).toMatchObject({
      parent: 'accessPolicies/987654321',
      name: 'accessPolicies/987654321/servicePerimeters/example_ai_prod_private_ai',
      perimeterType: 'PERIMETER_TYPE_REGULAR',
      useExplicitDryRunSpec: true,
    });
    expect(inputs.spec).toEqual(config);
    expect(inputs.status).toBeUndefined();
  });

  test('enforced: the same configuration as status, no dry-run spec', async () => {
    const inputs = await perimeter({ mode: 'enforced' });
    expect(inputs).toMatchObject({ useExplicitDryRunSpec: false });
    expect(inputs.status).toEqual(config);
    expect(inputs.spec).toBeUndefined();
  });

  test('more services callable from the VPC networks', async () => {
    const inputs = await perimeter({ mode: 'enforced', vpcAccessibleServices: ['RESTRICTED-SERVICES', 'iamcredentials.googleapis.com'] });
    expect(inputs.status).toMatchObject({ vpcAccessibleServices: { enableRestriction: true, allowedServices: ['RESTRICTED-SERVICES', 'iamcredentials.googleapis.com'] } });
  });

  test('dry run: access levels and ingress rules in the spec', async () => {
    const inputs = await perimeter({ mode: 'dryRun', accessLevels: [corp], ingressRules: rules });
    expect(inputs.spec).toEqual({ ...config, accessLevels: [corp], ingressPolicies });
    expect(inputs.status).toBeUndefined();
  });

  test('enforced: access levels and ingress rules in the status', async () => {
    const inputs = await perimeter({ mode: 'enforced', accessLevels: [corp], ingressRules: rules });
    expect(inputs.status).toEqual({ ...config, accessLevels: [corp], ingressPolicies });
    expect(inputs.spec).toBeUndefined();
  });

  test('a rule with access levels only admits any identity from those networks', async () => {
    const inputs = await perimeter({ mode: 'enforced', ingressRules: [{ title: 'office', accessLevels: [corp] }] });
    expect(inputs.status).toEqual({
      ...config,
      ingressPolicies: [{ title: 'office', ingressFrom: { identityType: 'ANY_IDENTITY', sources: [{ accessLevel: corp }] }, ingressTo: { resources: ['*'], operations: restricted.map(allMethods) } }],
    });
  });

  test('access policy must be numeric', () => {
    expect(() => new VpcServicePerimeter('bad', { ...args, accessPolicyId: 'policies/1', mode: 'dryRun' })).toThrow(/accessPolicyId "policies\/1" must be the numeric ID/);
  });

  test.each(['accessLevels/corp_network', 'accessPolicies/111/accessLevels/corp_network', 'accessPolicies/987654321/accessLevels/corp-network', 'accessPolicies/987654321/accessLevels/1corp'])(
    'access level %s is refused',
    (level) => {
      const message = `VpcServicePerimeter bad: accessLevels value "${level}" must be accessPolicies/987654321/accessLevels/<name> (an access level in this perimeter's access policy)`;
      expect(() => new VpcServicePerimeter('bad', { ...args, mode: 'dryRun', accessLevels: [level] })).toThrow(message);
    },
  );

  test('VPC-accessible services must be RESTRICTED-SERVICES or service names, and at least one', () => {
    expect(() => new VpcServicePerimeter('bad', { ...args, mode: 'dryRun', vpcAccessibleServices: ['RESTRICTED_SERVICES'] })).toThrow(
      'VpcServicePerimeter bad: vpcAccessibleServices value "RESTRICTED_SERVICES" must be RESTRICTED-SERVICES or a service name such as storage.googleapis.com',
    );
    expect(() => new VpcServicePerimeter('bad', { ...args, mode: 'dryRun', vpcAccessibleServices: ['storage'] })).toThrow(
      'VpcServicePerimeter bad: vpcAccessibleServices value "storage" must be RESTRICTED-SERVICES or a service name such as storage.googleapis.com',
    );
    expect(() => new VpcServicePerimeter('bad', { ...args, mode: 'dryRun', vpcAccessibleServices: [] })).toThrow(
      'VpcServicePerimeter bad: vpcAccessibleServices must list at least one service (RESTRICTED-SERVICES for the restricted ones); an empty list would let the VPC networks call no Google API',
    );
  });

  test('ingress rule validation', () => {
    const bad = (rule: PerimeterIngressRule, extra: Partial<VpcServicePerimeterArgs> = {}) => () =>
      new VpcServicePerimeter('bad', { ...args, mode: 'dryRun', ...extra, ingressRules: [rule] });
    expect(bad({ title: 'open' })).toThrow('VpcServicePerimeter bad: ingressRules["open"] must list identities, accessLevels or both; a rule with neither would admit anyone from anywhere');
    expect(bad({ title: 'open', identities: [], accessLevels: [] })).toThrow(
      'VpcServicePerimeter bad: ingressRules["open"] must list identities, accessLevels or both; a rule with neither would admit anyone from anywhere',
    );
    expect(bad({ title: 'x', identities: ['deployer@example.com'] })).toThrow(
      'VpcServicePerimeter bad: ingressRules["x"].identities value "deployer@example.com" must be serviceAccount:<email>, user:<email> or group:<email>',
    );
    expect(bad({ title: 'x', identities: ['domain:example.com'] })).toThrow(
      'VpcServicePerimeter bad: ingressRules["x"].identities value "domain:example.com" must be serviceAccount:<email>, user:<email> or group:<email>',
    );
    expect(bad({ title: 'x', accessLevels: ['corp_network'] })).toThrow(
      `VpcServicePerimeter bad: ingressRules["x"].accessLevels value "corp_network" must be accessPolicies/987654321/accessLevels/<name> (an access level in this perimeter's access policy)`,
    );
    expect(bad({ title: 'x', identities: [deployer], services: ['bigquery.googleapis.com'] })).toThrow(
      'VpcServicePerimeter bad: ingressRules["x"].services value "bigquery.googleapis.com" is not restricted by the perimeter (restrictedServices: aiplatform.googleapis.com, cloudkms.googleapis.com, logging.googleapis.com, storage.googleapis.com, modelarmor.googleapis.com); ingress to an unrestricted service needs no rule',
    );
    expect(bad({ title: 'x', identities: [deployer], services: ['storage.googleapis.com'] }, { restrictedServices: ['aiplatform.googleapis.com'] })).toThrow(
      'VpcServicePerimeter bad: ingressRules["x"].services value "storage.googleapis.com" is not restricted by the perimeter (restrictedServices: aiplatform.googleapis.com); ingress to an unrestricted service needs no rule',
    );
    expect(bad({ title: 'x', identities: [deployer], services: [] })).toThrow('VpcServicePerimeter bad: ingressRules["x"].services must list at least one restricted service, or be left out for all of them');
    expect(bad({ title: ' ', identities: [deployer] })).toThrow('VpcServicePerimeter bad: ingressRules: every rule needs a title');
    expect(
      () => new VpcServicePerimeter('bad', { ...args, mode: 'dryRun', ingressRules: [{ title: 'x', identities: [deployer] }, { title: 'x', accessLevels: [corp] }] }),
    ).toThrow('VpcServicePerimeter bad: ingressRules["x"]: titles must be unique within the perimeter');
  });
});

describe('ModelArmor', () => {
  const agent = 'serviceAccount:service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com';
  let p: Awaited<ReturnType<typeof plan>>;
  beforeAll(async () => {
    p = await plan(() => {
      const identity = new projects.ServiceIdentity('vertex-agent', { project: 'example-ai-prod', service: 'aiplatform.googleapis.com' });
      const m = new ModelArmor('armor', { project: 'example-ai-prod', region: 'europe-west4', vertexServiceAgent: { member: agent, createdBy: identity }, labels: { owner: 'team' } });
      return { template: m.templateName };
    });
  });
  const filters = {
    piAndJailbreakFilterSettings: { filterEnforcement: 'ENABLED', confidenceLevel: 'LOW_AND_ABOVE' },
    sdpSettings: { basicConfig: { filterEnforcement: 'ENABLED' } },
    maliciousUriFilterSettings: { filterEnforcement: 'ENABLED' },
    raiSettings: {
      raiFilters: ['SEXUALLY_EXPLICIT', 'HATE_SPEECH', 'HARASSMENT', 'DANGEROUS'].map((filterType) => ({ filterType, confidenceLevel: 'MEDIUM_AND_ABOVE' })),
    },
  };

  test('template screens prompt injection, jailbreaks, sensitive data and harmful content, and blocks', () => {
    expect(resource(p, T.template, 'armor-template').inputs).toEqual({
      project: 'example-ai-prod',
      location: 'europe-west4',
      templateId: 'armor',
      filterConfig: filters,
      templateMetadata: { enforcementType: 'INSPECT_AND_BLOCK', logSanitizeOperations: true, logTemplateOperations: true },
      labels: { owner: 'team' },
    });
    expect(p.outputs.template).toBe('projects/example-ai-prod/locations/europe-west4/templates/armor');
  });

  test('the agent grant waits for the service identity, and the floor setting for the grant: Google refuses a grant to an agent that does not exist yet', () => {
    expect(waitsFor(p, 'armor-vertex-agent', 'vertex-agent')).toBe(true);
    expect(waitsFor(p, 'armor-floor', 'armor-vertex-agent')).toBe(true);
    expect(waitsFor(p, 'armor-floor', 'vertex-agent')).toBe(true);
  });

  test('floor setting enforces the filters on Vertex AI for the project', () => {
    expect(resource(p, T.floor, 'armor-floor').inputs).toEqual({
      parent: 'projects/example-ai-prod',
      location: 'global',
      filterConfig: filters,
      enableFloorSettingEnforcement: true,
      integratedServices: ['AI_PLATFORM'],
      aiPlatformFloorSetting: { inspectAndBlock: true, enableCloudLogging: true },
    });
  });

  test('the Vertex AI service agent may call Model Armor', () => {
    expect(resource(p, T.iamMember, 'armor-vertex-agent').inputs).toEqual({ project: 'example-ai-prod', role: 'roles/modelarmor.user', member: agent });
  });
});
