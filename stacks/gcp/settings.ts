import type { OrgConfig } from '../../lib/config';
import { pscEndpointName } from '../../lib/gcp/naming';
import { fleetOrgPolicies, type FleetOrgPolicies } from '../../lib/gcp/org-policies';
import { DEFAULT_SUBNET_CIDR, networkProblems, type NetworkField } from '../../lib/gcp/private-network';

/** Config namespace of the deployment-specific settings. */
export const NAMESPACE = 'privateai';

/** Every key the program reads, and what it is for. */
export const SETTING_KEYS = {
  orgConfig: 'path of the organisation config, relative to the project directory (default: the embedded example)',
  projectId: 'project to deploy into',
  projectNumber: 'numeric number of that project (quoted)',
  region: 'region of every regional resource; one of gcp.allowedRegions',
  organizationId: 'organisation whose policies the program sets (instead of the project); not with gcp.orgPolicyParent',
  folderId: 'folder whose policies the program sets (instead of the project); not with gcp.orgPolicyParent',
  accessPolicyId: 'Access Context Manager policy of the organisation, for VPC Service Controls',
  existingNetwork: 'use this VPC instead of creating one',
  existingSubnetwork: 'a subnetwork of existingNetwork',
  subnetCidr: 'subnet of a new VPC',
  pscEndpointIp: 'internal address of the Private Service Connect endpoint',
  pscEndpointName: 'name of the Private Service Connect endpoint',
  createDnsZones: 'create the private googleapis.com zone (true) or leave DNS to central policy (false)',
} as const;

/** Placeholder project number and access policy for offline plans of an organisation without a stack file. */
const PLACEHOLDER_NUMBER = '000000000000';

/**
 * Settings for an offline plan of an organisation that has no Google Cloud stack file: a project
 * named after the organisation, placeholder numbers, the first allowed region, defaults for the rest.
 */
export function derivedGcpSettings(org: OrgConfig): Record<string, unknown> {
  return {
    projectId: `${org.organisation.name.slice(0, 26).replace(/-+$/, '')}-ai`,
    projectNumber: PLACEHOLDER_NUMBER,
    region: org.gcp?.allowedRegions[0],
    ...(org.gcp && org.gcp.vpcServiceControls !== 'off' ? { accessPolicyId: PLACEHOLDER_NUMBER } : {}),
  };
}

/**
 * Where the organisation-policy set applies: the project, a folder or the organisation; or
 * `fleet` (gcp.orgPolicyParent): stack `ownerStack` sets the org-wide constraints at `parent`,
 * and every stack sets the per-project ones at its own project.
 */
export type OrgPolicyScope =
  | { readonly kind: 'project' }
  | { readonly kind: 'folder'; readonly id: string }
  | { readonly kind: 'organization'; readonly id: string }
  | ({ readonly kind: 'fleet' } & FleetOrgPolicies);

/** The VPC: an existing one, or a new one with a subnet of this CIDR. */
export type NetworkSettings =
  | { readonly kind: 'existing'; readonly network: string; readonly subnetwork?: string }
  | { readonly kind: 'new'; readonly subnetCidr: string };

/** Deployment-specific settings of one Google Cloud stack, validated. */
export interface GcpSettings {
  readonly projectId: string;
  /** Names service agents, org-policy and perimeter resources; from config so no lookup is needed. */
  readonly projectNumber: string;
  /** One of `gcp.allowedRegions`. */
  readonly region: string;
  readonly orgPolicyScope: OrgPolicyScope;
  /** Present when `gcp.vpcServiceControls` is not `off`. */
  readonly accessPolicyId?: string;
  readonly network: NetworkSettings;
  readonly pscEndpointIp: string;
  readonly pscEndpointName: string;
  readonly createDnsZones: boolean;
}

/** Default address of the Private Service Connect endpoint: outside the default subnet. */
export const DEFAULT_PSC_ENDPOINT_IP = '10.50.255.254';

/** How the settings name each network choice in their messages. */
const NETWORK_SETTING_NAMES: Readonly<Record<NetworkField, string>> = {
  existingNetwork: 'existing network',
  existingSubnetwork: 'existing subnetwork',
  subnetCidr: 'subnet CIDR',
  pscEndpointIp: 'PSC endpoint address',
  pscEndpointName: 'PSC endpoint name',
};

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;

/** The organisation config's `gcp` section, or a clear error when it has none. */
export function gcpSection(org: OrgConfig): NonNullable<OrgConfig['gcp']> {
  if (!org.gcp) {
    throw new Error(`the organisation config has no gcp section; add gcp.allowedRegions and gcp.models to it (config: ${NAMESPACE}:orgConfig)`);
  }
  return org.gcp;
}

/**
 * Validates the stack settings against the organisation config. Collects every problem, then
 * throws one error listing them; each names the key, the value received and what is allowed.
 */
export function readGcpSettings(get: (key: string) => unknown, org: OrgConfig, stack: string): GcpSettings {
  const gcp = gcpSection(org);
  const problems: string[] = [];
  const where = (...keys: string[]) => `(config: ${keys.map((k) => `${NAMESPACE}:${k}`).join(', ')})`;
  const invalid = (key: string, what: string, value: unknown, allowed: string) => {
    problems.push(`${what} ${JSON.stringify(value)} is not valid; ${allowed} ${where(key)}`);
  };
  const missing = (key: string, what: string, allowed: string) => {
    problems.push(`${what} is missing; ${allowed} ${where(key)}`);
  };

  const raw = (key: string): unknown => {
    const value = get(key);
    return value === null || value === '' ? undefined : value;
  };
  /** A string setting; YAML may give numbers for IDs, which are kept as their digits. */
  const text = (key: string, what: string): string | undefined => {
    const value = raw(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return value.trim();
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
    invalid(key, what, value, 'give it as a string');
    return undefined;
  };
  const flag = (key: string, what: string, fallback: boolean): boolean => {
    const value = raw(key);
    if (value === undefined) return fallback;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    invalid(key, what, value, 'must be true or false');
    return fallback;
  };
  const digits = (key: string, what: string): string | undefined => {
    const value = text(key, what);
    if (value !== undefined && !/^\d{1,20}$/.test(value)) {
      invalid(key, what, value, 'must be digits only (quote it in YAML so it stays exact)');
      return undefined;
    }
    return value;
  };

  const projectId = text('projectId', 'project ID');
  if (projectId === undefined) missing('projectId', 'project ID', 'set it to the ID of the project to deploy into');
  else if (!PROJECT_ID.test(projectId)) {
    invalid('projectId', 'project ID', projectId, 'must be 6-30 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen');
  }

  const projectNumber = digits('projectNumber', 'project number');
  if (raw('projectNumber') === undefined) {
    missing('projectNumber', 'project number', 'set it to the numeric project number (gcloud projects describe <project> --format="value(projectNumber)")');
  }

  const allowed = gcp.allowedRegions;
  const region = text('region', 'region');
  if (region === undefined) missing('region', 'region', `set it to one of the regions allowed by data residency policy: ${allowed.join(', ')}`);
  else if (!allowed.includes(region)) {
    problems.push(`region ${region} is not allowed by data residency policy; allowed: ${allowed.join(', ')} ${where('region')}`);
  }

  const organizationId = digits('organizationId', 'organization ID');
  const folderId = digits('folderId', 'folder ID');
  let orgPolicyScope: OrgPolicyScope = { kind: 'project' };
  if (organizationId !== undefined && folderId !== undefined) {
    problems.push(`org-policy scope is ambiguous: received organization ID ${organizationId} and folder ID ${folderId}; give one of them, or neither for project scope ${where('organizationId', 'folderId')}`);
  } else if (organizationId !== undefined) orgPolicyScope = { kind: 'organization', id: organizationId };
  else if (folderId !== undefined) orgPolicyScope = { kind: 'folder', id: folderId };
  // A fleet's org-wide policies at one folder or the organisation, set by one stack: a stack's own
  // scope would set them a second time, or (at its project) override the fleet's.
  const fleet = fleetOrgPolicies(gcp.orgPolicyParent, stack);
  if (fleet) {
    for (const [key, what, value] of [['organizationId', 'organization ID', organizationId], ['folderId', 'folder ID', folderId]] as const) {
      if (value === undefined) continue;
      problems.push(
        `${what} ${value} is set, but the organisation config has stack ${fleet.ownerStack} set the fleet's organisation policies at ${fleet.parent} (gcp.orgPolicyParent); remove ${NAMESPACE}:${key} from this stack, or remove gcp.orgPolicyParent to set them per stack ${where(key)}`,
      );
    }
    orgPolicyScope = { kind: 'fleet', ...fleet };
  }

  const accessPolicyId = digits('accessPolicyId', 'access policy ID');
  if (gcp.vpcServiceControls !== 'off' && raw('accessPolicyId') === undefined) {
    missing(
      'accessPolicyId',
      'access policy ID',
      `gcp.vpcServiceControls is ${gcp.vpcServiceControls} in the organisation config, so set it to the numeric ID of the organisation's Access Context Manager policy (gcloud access-context-manager policies list --organization=<id>), or set gcp.vpcServiceControls to off`,
    );
  }

  const existingNetwork = text('existingNetwork', 'existing network');
  const existingSubnetwork = text('existingSubnetwork', 'existing subnetwork');
  const subnetCidr = text('subnetCidr', 'subnet CIDR');
  const network: NetworkSettings =
    existingNetwork !== undefined && subnetCidr === undefined
      ? { kind: 'existing', network: existingNetwork, ...(existingSubnetwork !== undefined ? { subnetwork: existingSubnetwork } : {}) }
      : { kind: 'new', subnetCidr: subnetCidr ?? DEFAULT_SUBNET_CIDR };
  // Only a new VPC gets a default address: an existing one has its own address plan.
  const pscEndpointIp = text('pscEndpointIp', 'PSC endpoint address') ?? (network.kind === 'new' ? DEFAULT_PSC_ENDPOINT_IP : undefined);
  const endpointName = text('pscEndpointName', 'PSC endpoint name') ?? pscEndpointName(org.organisation.name);
  const input = { existingNetwork, existingSubnetwork, subnetCidr, pscEndpointIp, pscEndpointName: endpointName, region, project: projectId };
  for (const p of networkProblems(input)) {
    const what = NETWORK_SETTING_NAMES[p.field];
    if (p.kind === 'invalid') invalid(p.field, what, p.value, p.message);
    else if (p.kind === 'missing') missing(p.field, what, p.message);
    else if (p.field === 'subnetCidr') {
      problems.push(`network is ambiguous: received existing network ${existingNetwork} and subnet CIDR ${subnetCidr}; ${p.message} ${where('existingNetwork', 'subnetCidr')}`);
    } else problems.push(`${what} ${p.value} was given without an existing network; ${p.message} ${where(p.field)}`);
  }

  const createDnsZones = flag('createDnsZones', 'createDnsZones', true);

  if (problems.length > 0) {
    throw new Error(`invalid stack settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return {
    projectId: projectId!,
    projectNumber: projectNumber!,
    region: region!,
    orgPolicyScope,
    ...(gcp.vpcServiceControls !== 'off' ? { accessPolicyId: accessPolicyId! } : {}),
    network,
    pscEndpointIp: pscEndpointIp!,
    pscEndpointName: endpointName,
    createDnsZones,
  };
}
