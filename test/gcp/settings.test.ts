import { gcpProgram } from '../../stacks/gcp/program';
import { exampleOrg, exampleStackConfig, fleetOrg, getter, orgWith } from './support';

const read = (overrides: Record<string, unknown>, org = exampleOrg) => gcpProgram.readSettings(getter({ ...exampleStackConfig, ...overrides }), org, 'example');

describe('gcpProgram.readSettings', () => {
  test('the example settings are valid, with project scope and a new network by default', () => {
    expect(read({})).toEqual({
      projectId: 'example-ai-prod',
      projectNumber: '123456789012',
      region: 'europe-west4',
      orgPolicyScope: { kind: 'project' },
      accessPolicyId: '987654321',
      network: { kind: 'new', subnetCidr: '10.50.0.0/24' },
      pscEndpointIp: '10.50.255.254',
      pscEndpointName: 'examplecorppsc',
      createDnsZones: true,
    });
  });

  test('a region outside the allowlist is refused', () => {
    expect(() => read({ region: 'us-central1' })).toThrow(
      'region us-central1 is not allowed by data residency policy; allowed: europe-west4, europe-west1 (config: privateai:region)',
    );
  });

  test('a missing region names the allowed ones', () => {
    expect(() => read({ region: undefined })).toThrow('region is missing; set it to one of the regions allowed by data residency policy: europe-west4, europe-west1 (config: privateai:region)');
  });

  test.each(['Example-AI', 'short', 'ends-with-hyphen-', '1starts-with-digit', 'x'.repeat(31)])('project ID %s is refused', (projectId) => {
    expect(() => read({ projectId })).toThrow(
      `project ID ${JSON.stringify(projectId)} is not valid; must be 6-30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen (config: privateai:projectId)`,
    );
  });

  test('a missing project ID is named', () => {
    expect(() => read({ projectId: undefined })).toThrow('project ID is missing; set it to the ID of the project to deploy into (config: privateai:projectId)');
  });

  test('the project number must be digits; YAML numbers are accepted', () => {
    expect(() => read({ projectNumber: '12-34' })).toThrow('project number "12-34" is not valid; must be digits only (quote it in YAML so it stays exact) (config: privateai:projectNumber)');
    expect(() => read({ projectNumber: undefined })).toThrow(/project number is missing; .* \(config: privateai:projectNumber\)/);
    expect(read({ projectNumber: 123456789012 }).projectNumber).toBe('123456789012');
  });

  test('the access policy is required while VPC Service Controls are on, and not when off', () => {
    expect(() => read({ accessPolicyId: undefined })).toThrow(
      /access policy ID is missing; gcp.vpcServiceControls is enforced in the organisation config, so set it to the numeric ID of the organisation's Access Context Manager policy .* or set gcp.vpcServiceControls to off \(config: privateai:accessPolicyId\)/,
    );
    const off = orgWith((raw) => {
      raw.gcp!.vpcServiceControls = 'off';
    });
    expect(read({ accessPolicyId: undefined }, off).accessPolicyId).toBeUndefined();
    expect(() => read({ accessPolicyId: 'policy-1' })).toThrow('access policy ID "policy-1" is not valid; must be digits only');
  });

  test('an existing network and a new subnet CIDR are never both accepted', () => {
    expect(() => read({ existingNetwork: 'projects/example-ai-prod/global/networks/shared', subnetCidr: '10.60.0.0/24' })).toThrow(
      'network is ambiguous: received existing network projects/example-ai-prod/global/networks/shared and subnet CIDR 10.60.0.0/24; give either existingNetwork (use an existing VPC) or subnetCidr (create a new VPC), never both (config: privateai:existingNetwork, privateai:subnetCidr)',
    );
  });

  test('an existing network in the project is used, with its subnet', () => {
    const settings = read({
      existingNetwork: 'https://www.googleapis.com/compute/v1/projects/example-ai-prod/global/networks/shared',
      existingSubnetwork: 'projects/example-ai-prod/regions/europe-west4/subnetworks/apps',
      pscEndpointIp: '10.99.0.2',
    });
    expect(settings.network).toEqual({
      kind: 'existing',
      network: 'https://www.googleapis.com/compute/v1/projects/example-ai-prod/global/networks/shared',
      subnetwork: 'projects/example-ai-prod/regions/europe-west4/subnetworks/apps',
    });
  });

  test('an existing network needs an explicit endpoint address, in its own project and region', () => {
    expect(() => read({ existingNetwork: 'projects/example-ai-prod/global/networks/shared' })).toThrow(
      'PSC endpoint address is missing; an existing network has its own address plan, so choose a free internal IPv4 address outside its subnets (config: privateai:pscEndpointIp)',
    );
    expect(() => read({ existingNetwork: 'projects/host-project/global/networks/shared', pscEndpointIp: '10.99.0.2' })).toThrow(
      /existing network "projects\/host-project\/global\/networks\/shared" is not valid; must belong to project example-ai-prod/,
    );
    expect(() => read({ existingNetwork: 'shared', pscEndpointIp: '10.99.0.2' })).toThrow('existing network "shared" is not valid; must be projects/<project>/global/networks/<name> or its self link (config: privateai:existingNetwork)');
    expect(() =>
      read({ existingNetwork: 'projects/example-ai-prod/global/networks/shared', existingSubnetwork: 'projects/example-ai-prod/regions/europe-west1/subnetworks/apps', pscEndpointIp: '10.99.0.2' }),
    ).toThrow(/existing subnetwork .* must be in the deployment region europe-west4 \(config: privateai:existingSubnetwork\)/);
    expect(() => read({ existingSubnetwork: 'projects/example-ai-prod/regions/europe-west4/subnetworks/apps' })).toThrow(
      'existing subnetwork projects/example-ai-prod/regions/europe-west4/subnetworks/apps was given without an existing network; set existingNetwork too, or remove it: a new VPC gets its own subnet (config: privateai:existingSubnetwork)',
    );
  });

  test('the endpoint address must be private and outside the subnet', () => {
    expect(() => read({ pscEndpointIp: '10.50.0.10' })).toThrow('PSC endpoint address "10.50.0.10" is not valid; must be outside the subnet 10.50.0.0/24');
    expect(() => read({ pscEndpointIp: '8.8.8.8' })).toThrow(/PSC endpoint address "8.8.8.8" is not valid; must be a private IPv4 address/);
    expect(() => read({ subnetCidr: '10.50.0.1/24' })).toThrow(/subnet CIDR "10.50.0.1\/24" is not valid; must be a private IPv4 network address/);
  });

  test('the endpoint name must be 1-20 lowercase letters and digits', () => {
    expect(() => read({ pscEndpointName: 'psc-endpoint' })).toThrow('PSC endpoint name "psc-endpoint" is not valid; must be 1-20 lowercase letters and digits, starting with a letter (config: privateai:pscEndpointName)');
  });

  test('org-policy scope: folder or organisation, never both', () => {
    expect(read({ folderId: '555' }).orgPolicyScope).toEqual({ kind: 'folder', id: '555' });
    expect(read({ organizationId: 666 }).orgPolicyScope).toEqual({ kind: 'organization', id: '666' });
    expect(() => read({ folderId: '555', organizationId: '666' })).toThrow(
      'org-policy scope is ambiguous: received organization ID 666 and folder ID 555; give one of them, or neither for project scope (config: privateai:organizationId, privateai:folderId)',
    );
  });

  test('gcp.orgPolicyParent: the owner stack sets the org-wide policies at the parent, any other stack relies on it', () => {
    const fleet = fleetOrg('folders/4455', 'hub');
    const as = (stack: string) => gcpProgram.readSettings(getter(exampleStackConfig), fleet, stack).orgPolicyScope;
    expect(as('hub')).toEqual({ kind: 'fleet', parent: 'folders/4455', ownerStack: 'hub', owner: true });
    expect(as('spoke-1')).toEqual({ kind: 'fleet', parent: 'folders/4455', ownerStack: 'hub', owner: false });
  });

  test('privateai:organizationId or folderId beside gcp.orgPolicyParent is refused, naming the owner, the parent and the fix', () => {
    const fleet = fleetOrg('organizations/1234567890', 'hub');
    expect(() => read({ folderId: '555' }, fleet)).toThrow(
      'folder ID 555 is set, but the organisation config has stack hub set the fleet\'s organisation policies at organizations/1234567890 (gcp.orgPolicyParent); remove privateai:folderId from this stack, or remove gcp.orgPolicyParent to set them per stack (config: privateai:folderId)',
    );
    expect(() => gcpProgram.readSettings(getter({ ...exampleStackConfig, organizationId: 666 }), fleet, 'hub')).toThrow(
      'organization ID 666 is set, but the organisation config has stack hub set the fleet\'s organisation policies at organizations/1234567890 (gcp.orgPolicyParent); remove privateai:organizationId from this stack, or remove gcp.orgPolicyParent to set them per stack (config: privateai:organizationId)',
    );
  });

  test('createDnsZones accepts booleans and their strings only', () => {
    expect(read({ createDnsZones: 'false' }).createDnsZones).toBe(false);
    expect(read({ createDnsZones: true }).createDnsZones).toBe(true);
    expect(() => read({ createDnsZones: 'no' })).toThrow('createDnsZones "no" is not valid; must be true or false (config: privateai:createDnsZones)');
  });

  test('every problem is reported at once', () => {
    expect(() => read({ projectId: 'X', region: 'us-east1' })).toThrow(/project ID "X" is not valid[^]*region us-east1 is not allowed/);
  });

  test('an organisation config without a gcp section is refused', () => {
    const noGcp = orgWith((raw) => {
      delete raw.gcp;
    });
    expect(() => read({}, noGcp)).toThrow('the organisation config has no gcp section; add gcp.allowedRegions and gcp.models to it (config: privateai:orgConfig)');
  });
});
