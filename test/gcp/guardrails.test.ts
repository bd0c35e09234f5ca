import * as projects from '@pulumi/gcp/projects';
import { ModelArmor } from '../../lib/gcp/model-armor';
import { OrgPolicies } from '../../lib/gcp/org-policies';
import { VpcServicePerimeter } from '../../lib/gcp/service-perimeter';
import { ofType, plan, resource, T, waitsFor } from './support';

const models = [
  { publisher: 'google', id: 'gemini-2.5-flash' },
  { publisher: 'anthropic', id: 'claude-sonnet-4' },
];

describe('OrgPolicies', () => {
  let p: Awaited<ReturnType<typeof plan>>;
  beforeAll(async () => {
    p = await plan(() => {
      new OrgPolicies('pol', { parent: 'projects/123456789012', allowedRegions: ['europe-west4', 'europe-west1'], allowedModels: models });
    });
  });
  const policy = (suffix: string) => resource(p, T.orgPolicy, `pol-${suffix}`).inputs;

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
    expect(ofType(p, T.orgPolicy)).toHaveLength(5);
  });

  test('folder or organisation scope', async () => {
    const folder = await plan(() => {
      new OrgPolicies('pol', { parent: 'folders/555', allowedRegions: ['europe-west4'], allowedModels: models });
    });
    expect(ofType(folder, T.orgPolicy).map((r) => r.inputs.parent)).toEqual(Array(5).fill('folders/555'));
    expect(resource(folder, T.orgPolicy, 'pol-tls').inputs.name).toBe('folders/555/policies/gcp.restrictTLSVersion');
    expect(() => new OrgPolicies('bad', { parent: 'projects/example-ai-prod', allowedRegions: ['europe-west4'], allowedModels: models })).toThrow(
      'OrgPolicies bad: parent "projects/example-ai-prod" must be projects/<number>, folders/<id> or organizations/<id>',
    );
    expect(() => new OrgPolicies('bad', { parent: 'folders/1', allowedRegions: ['europe-west4'], allowedModels: [] })).toThrow(/an empty allowlist would refuse every model/);
  });
});

describe('VpcServicePerimeter', () => {
  const args = { accessPolicyId: '987654321', projectId: 'example-ai-prod', projectNumber: '123456789012' };
  const config = { resources: ['projects/123456789012'], restrictedServices: ['aiplatform.googleapis.com'] };

  test('dry run: an explicit dry-run spec, nothing enforced', async () => {
    const p = await plan(() => {
      new VpcServicePerimeter('vpcsc', { ...args, mode: 'dryRun' });
    });
    const inputs = resource(p, T.perimeter, 'vpcsc-perimeter').inputs;
    expect(inputs).toMatchObject({
      parent: 'accessPolicies/987654321',
      name: 'accessPolicies/987654321/servicePerimeters/example_ai_prod_private_ai',
      perimeterType: 'PERIMETER_TYPE_REGULAR',
      useExplicitDryRunSpec: true,
      spec: config,
    });
    expect(inputs.status).toBeUndefined();
  });

  test('enforced: the same configuration as status, no dry-run spec', async () => {
    const p = await plan(() => {
      new VpcServicePerimeter('vpcsc', { ...args, mode: 'enforced' });
    });
    const inputs = resource(p, T.perimeter, 'vpcsc-perimeter').inputs;
    expect(inputs).toMatchObject({ useExplicitDryRunSpec: false, status: config });
    expect(inputs.spec).toBeUndefined();
  });

  test('access policy must be numeric', () => {
    expect(() => new VpcServicePerimeter('bad', { ...args, accessPolicyId: 'policies/1', mode: 'dryRun' })).toThrow(/accessPolicyId "policies\/1" must be the numeric ID/);
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
