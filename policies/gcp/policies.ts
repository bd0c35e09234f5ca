import type { Policies, PolicyResource, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from '@pulumi/policy';
import { AUDIT_LOG_TYPES, AUDITED_SERVICES, auditSinkFilter, MODEL_ARMOR_SANITIZE_LOG, VERTEX_SERVICE } from '../../lib/gcp/audit-logging';
import { MAX_ROTATION_SECONDS, rotationSeconds } from '../../lib/gcp/encryption-keys';
import { MODEL_USER_PERMISSIONS } from '../../lib/gcp/group-access';
import { GLOBAL_VERTEX_HOST, PERIMETER_SIGN_IN_SERVICES } from '../../lib/gcp/naming';
import { BOOLEAN_CONSTRAINTS, GLOBAL_ENDPOINT_CONSTRAINT, ORG_WIDE_CONSTRAINTS, type FleetOrgPolicies } from '../../lib/gcp/org-policies';
import { DEFAULT_RESTRICTED_SERVICES } from '../../lib/gcp/service-perimeter';
import { zoneAnswer, type ZoneRecord } from '../../lib/gcp/zone-answer';
import { arrayAt, configuredList, dependentsThrough, shown, stringsAt, valueAt } from '../pulumi/props';

/**
 * The Google Cloud policy pack: the promises of the Google Cloud program as CrossGuard rules.
 * The array is exported on its own so tests and the offline run (`npm run synth`) use it
 * without starting the analyzer server that `new PolicyPack` starts; `policies/gcp/index.ts`
 * only wires it.
 */

export const GCP_TYPES = {
  globalAddress: 'gcp:compute/globalAddress:GlobalAddress',
  forwardingRule: 'gcp:compute/globalForwardingRule:GlobalForwardingRule',
  network: 'gcp:compute/network:Network',
  subnetwork: 'gcp:compute/subnetwork:Subnetwork',
  firewall: 'gcp:compute/firewall:Firewall',
  zone: 'gcp:dns/managedZone:ManagedZone',
  recordSet: 'gcp:dns/recordSet:RecordSet',
  customRole: 'gcp:projects/iAMCustomRole:IAMCustomRole',
  cryptoKey: 'gcp:kms/cryptoKey:CryptoKey',
  bucket: 'gcp:logging/projectBucketConfig:ProjectBucketConfig',
  sink: 'gcp:logging/projectSink:ProjectSink',
  orgPolicy: 'gcp:orgpolicy/policy:Policy',
  perimeter: 'gcp:accesscontextmanager/servicePerimeter:ServicePerimeter',
  floor: 'gcp:modelarmor/floorsetting:Floorsetting',
  serviceAccountKey: 'gcp:serviceaccount/key:Key',
  projectAuditConfig: 'gcp:projects/iAMAuditConfig:IAMAuditConfig',
  folderAuditConfig: 'gcp:folder/iamAuditConfig:IamAuditConfig',
  organizationAuditConfig: 'gcp:organizations/iamAuditConfig:IamAuditConfig',
  projectIamMember: 'gcp:projects/iAMMember:IAMMember',
  projectIamBinding: 'gcp:projects/iAMBinding:IAMBinding',
  folderIamMember: 'gcp:folder/iAMMember:IAMMember',
  folderIamBinding: 'gcp:folder/iAMBinding:IAMBinding',
  organizationIamMember: 'gcp:organizations/iAMMember:IAMMember',
  organizationIamBinding: 'gcp:organizations/iAMBinding:IAMBinding',
} as const;

/** Google API bundles a Private Service Connect endpoint can target. */
export const API_BUNDLES: readonly string[] = ['vpc-sc', 'all-apis'];

/**
 * Predefined Vertex AI roles that do far more than call models (create jobs, endpoints, models,
 * datasets): model users get a custom role with `MODEL_USER_PERMISSIONS` instead.
 */
export const BROAD_VERTEX_ROLES: readonly string[] = ['roles/aiplatform.admin', 'roles/aiplatform.user'];

/** Whether a custom role's permissions are only those calling models needs. */
export const onlyCallsModels = (role: Record<string, unknown>) => {
  const permissions = stringsAt(role, 'permissions');
  return permissions.length > 0 && permissions.every((p) => MODEL_USER_PERMISSIONS.includes(p));
};

/** Whether a zone's name covers the global Vertex AI host (`googleapis.com.`, `aiplatform.googleapis.com.`, `com.`...). */
export const coversGlobalVertexHost = (dnsName: unknown) => {
  const zone = String(dnsName ?? '').toLowerCase().replace(/\.?$/, '.');
  const host = `${GLOBAL_VERTEX_HOST}.`;
  return zone !== '.' && (host === zone || host.endsWith(`.${zone}`));
};

/**
 * What the records of a zone that covers it answer for the global Vertex AI host: any address
 * sends calls without a residency guarantee through the endpoint.
 */
export const globalVertexAnswer = (zoneDnsName: string, records: readonly Record<string, unknown>[]) =>
  zoneAnswer(zoneDnsName, records.map((r) => ({ name: String(r.name ?? ''), type: String(r.type ?? ''), rrdatas: stringsAt(r, 'rrdatas') }) satisfies ZoneRecord), GLOBAL_VERTEX_HOST) ?? [];

/**
 * What a perimeter's configuration leaves open: the data and key services it does not restrict,
 * and whether its VPC networks may call services it does not restrict. Reads `status` when
 * enforced, `spec` in dry run.
 */
export function perimeterGaps(perimeter: Record<string, unknown>): { readonly unrestricted: string[]; readonly vpcOpen: boolean } {
  const config = perimeter.useExplicitDryRunSpec === true && valueAt(perimeter, 'status') === undefined ? 'spec' : 'status';
  const restricted = stringsAt(perimeter, `${config}.restrictedServices`);
  // Open when not restricted, or when it lets the networks call more than the restricted
  // services and the sign-in services workloads need.
  const allowedFromVpc = stringsAt(perimeter, `${config}.vpcAccessibleServices.allowedServices`);
  const open =
    valueAt(perimeter, `${config}.vpcAccessibleServices.enableRestriction`) !== true ||
    allowedFromVpc.some((svc) => svc !== 'RESTRICTED-SERVICES' && !PERIMETER_SIGN_IN_SERVICES.includes(svc) && !restricted.includes(svc));
  return { unrestricted: DEFAULT_RESTRICTED_SERVICES.filter((svc) => !restricted.includes(svc)), vpcOpen: open };
}

/** Whether an org policy's rules deny the global Vertex AI endpoint (and nothing allows everything). */
export const deniesGlobalVertex = (props: Record<string, unknown>) =>
  rulesIn(props).some((r) => stringsAt(r, 'values.deniedValues').includes(GLOBAL_VERTEX_HOST)) && !rulesIn(props).some((r) => r.allowAll === 'TRUE');

/** Basic roles: each grants far more than model access, across every service of the scope. */
export const BASIC_ROLES: readonly string[] = ['roles/owner', 'roles/editor', 'roles/viewer'];

/** Member prefixes a role may be granted to: Google groups and service accounts. */
export const ALLOWED_MEMBER_PREFIXES: readonly string[] = ['group:', 'serviceAccount:'];

/** Locations that are not a region: Model Armor floor settings are project-wide, global settings. */
const NON_REGIONAL = new Set(['global']);

// Predicates over a resource's inputs, shared with the evidence report (policies/report/gcp.ts)
// so a rule and its control judge the same inputs the same way.

/** Whether an org policy's inputs set `constraint` (its name is `<parent>/policies/<constraint>`). */
export const setsConstraint = (props: Record<string, unknown>, constraint: string) => String(props.name ?? '').endsWith(`/policies/${constraint}`);

/** The rules of an org policy's inputs. */
export const rulesIn = (props: Record<string, unknown>) => arrayAt(props, 'spec.rules');

/** An enabled EGRESS firewall rule that denies every protocol to 0.0.0.0/0. */
export const deniesAllEgress = (f: Record<string, unknown>) =>
  f.direction === 'EGRESS' && f.disabled !== true && arrayAt(f, 'denies').some((d) => d.protocol === 'all') && stringsAt(f, 'destinationRanges').includes('0.0.0.0/0');

/** An enabled EGRESS firewall rule that allows traffic to 0.0.0.0/0 (no range means 0.0.0.0/0). */
export const allowsEgressToInternet = (f: Record<string, unknown>) => {
  const ranges = stringsAt(f, 'destinationRanges');
  return f.direction === 'EGRESS' && f.disabled !== true && arrayAt(f, 'allows').length > 0 && (ranges.length === 0 || ranges.includes('0.0.0.0/0'));
};

/** Whether a crypto key's inputs rotate it often enough; only symmetric keys rotate automatically. */
export const rotatesInTime = (k: Record<string, unknown>) => (k.purpose ?? 'ENCRYPT_DECRYPT') !== 'ENCRYPT_DECRYPT' || (rotationSeconds(k.rotationPeriod) ?? Infinity) <= MAX_ROTATION_SECONDS;

/** Resource types that turn on audit logs for a project, a folder or an organisation. */
export const AUDIT_CONFIG_TYPES: readonly string[] = [GCP_TYPES.projectAuditConfig, GCP_TYPES.folderAuditConfig, GCP_TYPES.organizationAuditConfig];

/** Whether an audit config's inputs apply to `service`: they name it, or `allServices`. */
export const auditsService = (config: Record<string, unknown>, service: string) => config.service === service || config.service === 'allServices';

/**
 * The audit log types the audit configs' inputs turn on for `service`, and those of
 * `AUDIT_LOG_TYPES` still missing. Cloud Audit Logs adds up every config that applies to the
 * service, so one config may supply what another leaves out.
 */
export function auditLogTypesFor(service: string, configs: readonly Record<string, unknown>[]): { readonly enabled: string[]; readonly missing: string[] } {
  const applying = configs.filter((c) => auditsService(c, service));
  const enabled = [...new Set(applying.flatMap((c) => arrayAt(c, 'auditLogConfigs').map((l) => String(l.logType))))];
  return { enabled, missing: AUDIT_LOG_TYPES.filter((t) => !enabled.includes(t)) };
}

/** A log bucket as a sink destination: `logging.googleapis.com/projects/<p>/locations/<r>/buckets/<b>`. */
const LOG_BUCKET_DESTINATION = /^logging\.googleapis\.com\/projects\/[^/]+\/locations\/[^/]+\/buckets\/[^/]+$/;

/** What keeps a sink from keeping the audit evidence, and the input it concerns. */
export interface AuditSinkProblem {
  readonly property: 'filter' | 'destination' | 'disabled' | 'exclusions';
  /** Reads after "sink <name>'s ". */
  readonly problem: string;
}

/**
 * Why a sink's inputs do not keep the audit logs, or none when they do: its filter is exactly
 * `auditSinkFilter` of its project and the audited services (any added condition, such as
 * `AND NOT ...`, drops evidence), it routes into a log bucket (where the bucket rules hold:
 * customer-managed key, locked retention), it is enabled, and no exclusion drops entries.
 */
export function auditSinkProblems(sink: Record<string, unknown>): AuditSinkProblem[] {
  const problems: AuditSinkProblem[] = [];
  const filter = sink.filter;
  const wanted = auditSinkFilter(String(sink.project), Object.values(AUDITED_SERVICES));
  if (filter !== wanted) {
    const found = typeof filter === 'string' ? filter : '';
    // Naming what is left out helps the reader; the verdict is the comparison above.
    const absent = [...Object.values(AUDITED_SERVICES).map((s) => `protoPayload.serviceName="${s}"`), MODEL_ARMOR_SANITIZE_LOG].filter((part) => !found.includes(part));
    problems.push({
      property: 'filter',
      problem:
        absent.length > 0
          ? `filter does not select ${absent.join(', ')}; route those logs to the audit bucket too`
          : `filter is ${shown(filter)}, not the audit filter ${JSON.stringify(wanted)}; set it to the audit filter, since any other condition (such as AND NOT) leaves audit logs out`,
    });
  }
  const destination = sink.destination;
  if (typeof destination !== 'string' || !LOG_BUCKET_DESTINATION.test(destination)) {
    problems.push({
      property: 'destination',
      problem: `destination is ${shown(destination)}, not a log bucket; route it to logging.googleapis.com/projects/<project>/locations/<region>/buckets/<bucket>, a log bucket with a customer-managed key and locked retention`,
    });
  }
  if (sink.disabled === true) problems.push({ property: 'disabled', problem: 'disabled is true, so it routes nothing; set it to false' });
  const exclusions = arrayAt(sink, 'exclusions').filter((x) => x.disabled !== true);
  if (exclusions.length > 0) {
    problems.push({ property: 'exclusions', problem: `exclusions ${exclusions.map((x) => shown(x.name)).join(', ')} drop entries its filter selects; remove them` });
  }
  return problems;
}

/** Whether a sink's inputs keep the audit logs (see `auditSinkProblems`). */
export const keepsAuditLogs = (sink: Record<string, unknown>) => auditSinkProblems(sink).length === 0;

/** An org policy rule that enforces a boolean constraint unconditionally. */
export const enforcesUnconditionally = (rule: Record<string, unknown>) => rule.enforce === 'TRUE' && rule.condition === undefined;

/** A model name that is not one model version (an alias or a wildcard). */
export const FLOATING_MODEL = /latest|\*/;

/** The region of a region, location or zone (`europe-west4-a` is in `europe-west4`). */
export const regionOf = (where: string) => where.toLowerCase().replace(/^([a-z]+-[a-z]+\d+)-[a-z]$/, '$1');

/** The values a gcp.resourceLocations rule may allow for these regions. */
export const permittedLocationValues = (regions: readonly string[]) => new Set(regions.flatMap((r) => [r, `in:${r}-locations`]));

/** The members an IAM member or binding grants its role to, or undefined for other types. */
export function iamMembersOf(type: string, props: Record<string, unknown>): unknown[] | undefined {
  if (IAM_MEMBER_TYPES.includes(type)) return [props.member];
  if (IAM_BINDING_TYPES.includes(type)) return Array.isArray(props.members) ? props.members : [props.members];
  return undefined;
}

/** Whether a member is a Google group or a service account. */
export const isGroupOrServiceAccount = (member: unknown) => typeof member === 'string' && ALLOWED_MEMBER_PREFIXES.some((p) => member.startsWith(p));

/** The org policies of the stack that set `constraint`. */
const orgPolicies = (resources: readonly PolicyResource[], constraint: string) => resources.filter((r) => r.type === GCP_TYPES.orgPolicy && setsConstraint(r.props, constraint));

const rulesOf = (policy: PolicyResource) => rulesIn(policy.props);

/** The `fleet` property of a rule's config: gcp.orgPolicyParent as the stack judged sees it (fleetOrgPolicies). */
const FLEET_CONFIG = {
  type: 'object' as const,
  description: 'gcp.orgPolicyParent of the organisation config, as this stack sees it: the parent of the org-wide policies, the stack that sets them, and whether that is this stack',
  properties: { parent: { type: 'string' as const }, ownerStack: { type: 'string' as const }, owner: { type: 'boolean' as const } },
  required: ['parent', 'ownerStack', 'owner'],
};

/** The constraint an org policy's inputs set (its name is `<parent>/policies/<constraint>`). */
export const constraintOf = (props: Record<string, unknown>) => String(props.name ?? '').split('/policies/')[1] ?? '';

/**
 * What a policy for `constraint` below the fleet's parent does to the fleet's policy for that
 * project, as Organization Policy evaluates the hierarchy: a boolean constraint's lowest policy
 * decides; a list policy that does not inherit (or resets, or allows or denies all) replaces the
 * parent's; one that inherits is merged with it, its allowed values widening the parent's and its
 * denied values adding to them.
 */
export function fleetPolicyEffect(constraint: string, props: Record<string, unknown>): string {
  if ((BOOLEAN_CONSTRAINTS as readonly string[]).includes(constraint)) {
    return `${constraint} is a boolean constraint, whose policies are not merged: the lowest in the hierarchy decides, so this one replaces the fleet's for the project (with enforce "FALSE" it would lift it)`;
  }
  if (valueAt(props, 'spec.reset') === true) return `spec.reset true returns ${constraint} to Google's default for the project, ignoring the fleet's policy`;
  const inherit = valueAt(props, 'spec.inheritFromParent');
  if (inherit !== true) return `with spec.inheritFromParent ${shown(inherit)} this list policy replaces the fleet's for the project: its values alone apply there`;
  const rules = rulesIn(props);
  if (rules.some((r) => r.allowAll === 'TRUE' || r.denyAll === 'TRUE')) return `a rule with allowAll or denyAll decides every value of ${constraint} for the project, not the fleet's policy`;
  const allowed = rules.flatMap((r) => stringsAt(r, 'values.allowedValues'));
  const denied = rules.flatMap((r) => stringsAt(r, 'values.deniedValues'));
  const effects = [
    ...(allowed.length > 0 ? [`its allowedValues ${allowed.join(', ')} are added to the values the fleet allows, widening them for the project`] : []),
    ...(denied.length > 0 ? [`its deniedValues ${denied.join(', ')} only add to the fleet's denials, which stay in force`] : []),
  ];
  return `merged with the fleet's (spec.inheritFromParent true), ${effects.length > 0 ? effects.join('; ') : 'it adds nothing'}; the fleet's guards are still the owner's to set`;
}

/** The message of a fleet policy a stack other than the owner sets anyway (pack and report alike). */
export const overridesFleetPolicy = (fleet: FleetOrgPolicies, constraint: string, props: Record<string, unknown>) =>
  `this stack sets ${constraint} at ${shown(props.parent)}, but stack ${fleet.ownerStack} sets the fleet's organisation policies at ${fleet.parent} (gcp.orgPolicyParent): ${fleetPolicyEffect(constraint, props)}; remove it from this stack`;

/** The message of a fleet policy the owner sets at another parent (pack and report alike). */
export const misplacedFleetPolicy = (fleet: FleetOrgPolicies, constraint: string, parent: unknown) =>
  `${constraint} is set at ${shown(parent)}; as the owner of gcp.orgPolicyParent this stack sets it at ${fleet.parent}`;

/**
 * The stack's policies for an org-wide constraint, as a fleet (gcp.orgPolicyParent, the rule's
 * `fleet` config) judges them. Without a fleet: all of them. The owner: those at the fleet's
 * parent. Any other stack: none to judge (`inherited`: the owner's plan carries the evidence).
 * Policies set elsewhere, or by another stack, are `fleetOrgPoliciesOwnerOnly`'s to report.
 */
function orgWidePolicies(args: StackValidationArgs, constraint: string): { readonly policies: PolicyResource[]; readonly inherited: boolean; readonly where: string } {
  const policies = orgPolicies(args.resources, constraint);
  const fleet = args.getConfig<{ fleet?: FleetOrgPolicies }>().fleet;
  if (!fleet) return { policies, inherited: false, where: '' };
  if (!fleet.owner) return { policies: [], inherited: true, where: '' };
  return { policies: policies.filter((x) => x.props.parent === fleet.parent), inherited: false, where: ` at ${fleet.parent} (gcp.orgPolicyParent)` };
}

// Whether the stack's project is below the fleet's parent at all is not the pack's to judge: a
// policy sees the stack's resources and its config, not the provider calls the program made or
// their answers. The program reads the project's ancestry and fails `pulumi preview` when the
// parent is not in it (lib/gcp/fleet-ancestry.ts); the evidence report judges the answer the
// offline plan recorded.
export const fleetOrgPoliciesOwnerOnly: StackValidationPolicy = {
  name: 'gcp-fleet-org-policies-owner-only',
  description: `In a fleet (gcp.orgPolicyParent) the org-wide organisation policies (${ORG_WIDE_CONSTRAINTS.join(', ')}) are set by the owner stack at the configured folder or organisation, and by no other stack: below the parent a policy replaces or widens the fleet's for its project.`,
  enforcementLevel: 'mandatory',
  configSchema: { properties: { fleet: FLEET_CONFIG } },
  validateStack: (args, report) => {
    const fleet = args.getConfig<{ fleet?: FleetOrgPolicies }>().fleet;
    if (!fleet) return;
    const orgWide = args.resources.filter((r) => r.type === GCP_TYPES.orgPolicy && (ORG_WIDE_CONSTRAINTS as readonly string[]).includes(constraintOf(r.props)));
    for (const p of orgWide) {
      const constraint = constraintOf(p.props);
      if (!fleet.owner) report(`org policy ${p.name}: ${overridesFleetPolicy(fleet, constraint, p.props)}`, p.urn);
      else if (p.props.parent !== fleet.parent) report(`org policy ${p.name}: ${misplacedFleetPolicy(fleet, constraint, p.props.parent)}`, p.urn);
    }
  },
};

export const pscEndpointForGoogleApis: StackValidationPolicy = {
  name: 'gcp-psc-endpoint-for-google-apis',
  description: 'Google APIs are reached through a Private Service Connect endpoint on an internal address, resolved by a private googleapis.com zone.',
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: { centralDns: { type: 'boolean', default: false, description: 'googleapis.com is resolved to the endpoint by centrally managed DNS (privateai:createDnsZones false), not by a zone of this stack' } },
  },
  validateStack: (args, report) => {
    const centralDns = args.getConfig<{ centralDns?: boolean }>().centralDns === true;
    const addresses = args.resources.filter((r) => r.type === GCP_TYPES.globalAddress && r.props.purpose === 'PRIVATE_SERVICE_CONNECT' && r.props.addressType === 'INTERNAL');
    if (addresses.length === 0) report('no GlobalAddress with purpose "PRIVATE_SERVICE_CONNECT" and addressType "INTERNAL" in this stack; reserve one as the internal address of the Google APIs endpoint');
    const rules = addresses.flatMap((a) => dependentsThrough(args.resources, a, GCP_TYPES.forwardingRule, 'ipAddress'));
    const endpoints = rules.filter((r) => API_BUNDLES.includes(String(r.props.target)) && r.props.loadBalancingScheme === '');
    if (addresses.length > 0 && rules.length === 0) {
      report('no GlobalForwardingRule takes its ipAddress from a Private Service Connect address of this stack; add one with target "vpc-sc" (or "all-apis") and loadBalancingScheme ""');
    } else if (endpoints.length === 0) {
      for (const r of rules) {
        report(`forwarding rule ${r.name} has target ${shown(r.props.target)} and loadBalancingScheme ${shown(r.props.loadBalancingScheme)}; an endpoint for Google APIs needs target "vpc-sc" (or "all-apis") and loadBalancingScheme ""`, r.urn);
      }
    }
    const zones = args.resources.filter((r) => r.type === GCP_TYPES.zone && r.props.dnsName === 'googleapis.com.');
    if (zones.some((z) => z.props.visibility === 'private')) return;
    if (zones.length === 0 && centralDns) return;
    if (zones.length === 0) report('no private ManagedZone for "googleapis.com." in this stack; add one (visibility "private") that resolves Google API names to the endpoint');
    for (const z of zones) report(`managed zone ${z.name} for "googleapis.com." has visibility ${shown(z.props.visibility)}; set it to "private" so only the VPC resolves Google APIs to the endpoint`, z.urn);
  },
};

export const privateDnsRegionalOnly: StackValidationPolicy = {
  name: 'gcp-private-dns-regional-only',
  description: `No private zone of the stack (googleapis.com or any other that covers it) resolves the global Vertex AI host ${GLOBAL_VERTEX_HOST} (no residency guarantee): only regional hosts, no wildcard.`,
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const zone of args.resources.filter((r) => r.type === GCP_TYPES.zone && r.props.visibility === 'private' && coversGlobalVertexHost(r.props.dnsName))) {
      const records = dependentsThrough(args.resources, zone, GCP_TYPES.recordSet, 'managedZone');
      const answer = globalVertexAnswer(String(zone.props.dnsName), records.map((r) => r.props));
      if (answer.length > 0) {
        const culprits = records.filter((r) => String(r.props.name).startsWith('*') || String(r.props.name) === `${GLOBAL_VERTEX_HOST}.` || String(r.props.name) === String(zone.props.dnsName));
        report(
          `zone ${zone.name} resolves ${GLOBAL_VERTEX_HOST} to ${answer.join(', ')} (through ${culprits.map((r) => `${r.name} ${String(r.props.name)}`).join(', ') || 'its records'}); calls through the global endpoint carry no residency guarantee, so replace wildcard and apex records with one A record per regional host (<region>-aiplatform.googleapis.com)`,
          zone.urn,
        );
      }
    }
  },
};

export const networkNoInternetRoute: ResourceValidationPolicy = {
  name: 'gcp-network-no-internet-route',
  description: 'VPC networks have no automatic subnets and no default internet route; subnets reach Google APIs privately.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type === GCP_TYPES.network) {
      const auto = args.props.autoCreateSubnetworks;
      if (auto !== false) report(`autoCreateSubnetworks is ${shown(auto)}; set it to false so no subnet is created in every region`);
      const routes = args.props.deleteDefaultRoutesOnCreate;
      if (routes !== true) report(`deleteDefaultRoutesOnCreate is ${shown(routes)}; set it to true so the network has no default route to the internet gateway`);
    }
    if (args.type === GCP_TYPES.subnetwork) {
      const access = args.props.privateIpGoogleAccess;
      if (access !== true) report(`privateIpGoogleAccess is ${shown(access)}; set it to true so workloads without external addresses reach Google APIs through the endpoint`);
    }
  },
};

export const egressDeniedByDefault: StackValidationPolicy = {
  name: 'gcp-egress-denied-by-default',
  description: 'Every VPC network of the stack has a firewall rule denying all egress to 0.0.0.0/0, and no rule allowing egress to 0.0.0.0/0; only narrower allow rules open a path.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const network of args.resources.filter((r) => r.type === GCP_TYPES.network)) {
      const firewalls = dependentsThrough(args.resources, network, GCP_TYPES.firewall, 'network');
      const denyAll = firewalls.filter((f) => deniesAllEgress(f.props));
      // An enabled allow to the internet defeats the deny-all rule.
      for (const f of firewalls) {
        if (allowsEgressToInternet(f.props)) {
          report(`firewall rule ${f.name} allows egress to 0.0.0.0/0, which defeats the deny-all rule; narrow its destinationRanges to the addresses the workloads need (the Private Service Connect endpoint)`, f.urn);
        }
      }
      if (denyAll.length > 0) continue;
      const found = firewalls.length === 0 ? 'it has no firewall rule' : `its firewall rules: ${firewalls.map((f) => f.name).join(', ')}`;
      report(`network ${network.name} has no enabled EGRESS firewall rule denying protocol "all" to 0.0.0.0/0 (${found}); add one with denies [{ protocol: "all" }] and destinationRanges ["0.0.0.0/0"]`, network.urn);
    }
  },
};

export const kmsKeyRotation: ResourceValidationPolicy = {
  name: 'gcp-kms-key-rotation',
  description: 'Customer-managed encryption keys rotate at least every 90 days, and destroying the stack cannot destroy them.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== GCP_TYPES.cryptoKey) return;
    const period = args.props.rotationPeriod;
    const secs = rotationSeconds(period);
    // Only symmetric keys rotate automatically; Cloud KMS refuses a rotation period on other purposes.
    if (!rotatesInTime(args.props)) {
      const days = secs === undefined ? '' : ` (${Math.round(secs / 86400)} days)`;
      report(`rotationPeriod is ${shown(period)}${days}; set it to at most "${MAX_ROTATION_SECONDS}s" (90 days) so the key rotates automatically`);
    }
    // The provider destroys every key version on delete when deletionPolicy is DELETE, its default.
    const deletion = args.props.deletionPolicy;
    if (deletion !== 'PREVENT' && deletion !== 'ABANDON') {
      report(`deletionPolicy is ${shown(deletion)} (absent means "DELETE"); set it to "PREVENT" so destroying the stack cannot destroy the key versions, and with them every copy of the data they encrypt`);
    }
  },
};

export const auditLogBucketCmek: ResourceValidationPolicy = {
  name: 'gcp-audit-log-bucket-cmek',
  description: 'Log buckets encrypt their entries with a customer-managed Cloud KMS key.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== GCP_TYPES.bucket) return;
    const key = valueAt(args.props, 'cmekSettings.kmsKeyName');
    if (typeof key !== 'string' || key === '') report(`cmekSettings.kmsKeyName is ${shown(key)}; name a Cloud KMS key in the bucket's region so the audit logs are encrypted with a customer-managed key`);
  },
};

export const auditLogRetentionLocked: ResourceValidationPolicy = {
  name: 'gcp-audit-log-retention-locked',
  description: 'Log bucket retention is locked, so audit logs are immutable until they expire.',
  enforcementLevel: 'advisory',
  validateResource: (args, report) => {
    if (args.type !== GCP_TYPES.bucket) return;
    const locked = args.props.locked;
    if (locked !== true) {
      report(`locked is ${shown(locked)}: the retention is not locked, so the audit logs are not immutable (the bucket's retention can be shortened); set gcp.lockAuditRetention to true in the organisation config to lock it (irreversible)`);
    }
  },
};

export const vertexDataAccessAudit: StackValidationPolicy = {
  name: 'gcp-vertex-data-access-audit',
  description: 'Data Access audit logs record every admin read, data read and data write of Vertex AI, Cloud KMS and Model Armor, and an audit sink keeps them with Model Armor\'s screening log in a log bucket.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    const configs = args.resources.filter((r) => AUDIT_CONFIG_TYPES.includes(r.type)).map((r) => r.props);
    for (const service of Object.values(AUDITED_SERVICES)) {
      const { enabled, missing } = auditLogTypesFor(service, configs);
      if (missing.length > 0) {
        report(`the stack's audit configs for ${service} (or allServices) enable log types ${shown(enabled)}, not ${missing.join(', ')}; add an IAMAuditConfig for ${service} with auditLogConfigs ${AUDIT_LOG_TYPES.join(', ')}`);
      }
    }
    const sinks = args.resources.filter((r) => r.type === GCP_TYPES.sink);
    if (sinks.some((s) => keepsAuditLogs(s.props))) return;
    if (sinks.length === 0) {
      report(`no ProjectSink in this stack keeps the audit logs; add one whose filter selects the Cloud Audit Logs of ${Object.values(AUDITED_SERVICES).join(', ')} and Model Armor's screening log (auditSinkFilter in lib/gcp/audit-logging.ts), into a log bucket of the project`);
    }
    for (const sink of sinks) {
      for (const { problem } of auditSinkProblems(sink.props)) report(`sink ${sink.name}'s ${problem}`, sink.urn);
    }
  },
};

export const cmekRequiredForVertex: StackValidationPolicy = {
  name: 'gcp-cmek-required-for-vertex',
  description: 'The gcp.restrictNonCmekServices organisation policy refuses Vertex AI resources without a customer-managed key.',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { fleet: FLEET_CONFIG } },
  validateStack: (args, report) => {
    const { policies, inherited, where } = orgWidePolicies(args, 'gcp.restrictNonCmekServices');
    if (inherited) return;
    const denies = (p: PolicyResource) => rulesOf(p).some((r) => stringsAt(r, 'values.deniedValues').includes(VERTEX_SERVICE)) && !rulesOf(p).some((r) => r.allowAll === 'TRUE');
    if (policies.some(denies)) return;
    if (policies.length === 0) report(`no org policy for gcp.restrictNonCmekServices${where} in this stack; add one whose rule denies ${VERTEX_SERVICE}`);
    for (const p of policies) report(`org policy ${p.name} has spec.rules ${shown(rulesOf(p))}; add a rule with values.deniedValues ["${VERTEX_SERVICE}"] (and none with allowAll) so Vertex AI refuses resources without a customer-managed key`, p.urn);
  },
};

export const noServiceAccountKeys: ResourceValidationPolicy = {
  name: 'gcp-no-service-account-keys',
  description: 'No service account keys: long-lived credentials that can be copied out of the organisation.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (args.type !== GCP_TYPES.serviceAccountKey) return;
    report(`a key for service account ${shown(args.props.serviceAccountId)} is a long-lived credential; remove it and use an attached service account or Workload Identity Federation`);
  },
};

export const serviceAccountKeyCreationDisabled: StackValidationPolicy = {
  name: 'gcp-service-account-key-creation-disabled',
  description: 'The iam.disableServiceAccountKeyCreation organisation policy is enforced, so nobody can create a service account key.',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { fleet: FLEET_CONFIG } },
  validateStack: (args, report) => {
    const { policies, inherited, where } = orgWidePolicies(args, 'iam.disableServiceAccountKeyCreation');
    if (inherited) return;
    const enforced = (p: PolicyResource) => rulesOf(p).some(enforcesUnconditionally);
    if (policies.some(enforced)) return;
    if (policies.length === 0) report(`no org policy for iam.disableServiceAccountKeyCreation${where} in this stack; add one with a rule enforce "TRUE"`);
    for (const p of policies) report(`org policy ${p.name} has spec.rules ${shown(rulesOf(p))}; add a rule with enforce "TRUE" and no condition`, p.urn);
  },
};

export const IAM_MEMBER_TYPES: readonly string[] = [GCP_TYPES.projectIamMember, GCP_TYPES.folderIamMember, GCP_TYPES.organizationIamMember];
export const IAM_BINDING_TYPES: readonly string[] = [GCP_TYPES.projectIamBinding, GCP_TYPES.folderIamBinding, GCP_TYPES.organizationIamBinding];

export const iamGroupsOnly: ResourceValidationPolicy = {
  name: 'gcp-iam-groups-only',
  description: 'Roles go to Google groups (or service accounts), never to users, domains or everyone, and never a basic role (owner, editor, viewer).',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    const members = iamMembersOf(args.type, args.props);
    if (!members) return;
    for (const member of members) {
      if (!isGroupOrServiceAccount(member)) {
        report(`member ${shown(member)} is not a group or service account; grant roles to a Google group ("group:...") managed in the identity provider`);
      }
    }
    const role = args.props.role;
    if (typeof role === 'string' && BASIC_ROLES.includes(role)) report(`role ${shown(role)} is a basic role that grants far more than model access; grant a role with only the permissions the audience needs`);
  },
};

export const modelUsersCallOnly: ResourceValidationPolicy = {
  name: 'gcp-model-users-call-only',
  description: 'Nobody is granted a predefined Vertex AI role that creates jobs, endpoints or models (roles/aiplatform.user, roles/aiplatform.admin); custom roles granted for model use hold only aiplatform.endpoints.predict.',
  enforcementLevel: 'mandatory',
  validateResource: (args, report) => {
    if (iamMembersOf(args.type, args.props) && typeof args.props.role === 'string' && BROAD_VERTEX_ROLES.includes(args.props.role)) {
      report(`role ${shown(args.props.role)} lets its members create jobs, endpoints and models, not only call them; grant a custom role with ${MODEL_USER_PERMISSIONS.join(', ')}`);
    }
    if (args.type === GCP_TYPES.customRole && stringsAt(args.props, 'permissions').some((p) => p.startsWith('aiplatform.')) && !onlyCallsModels(args.props)) {
      const extra = stringsAt(args.props, 'permissions').filter((p) => !MODEL_USER_PERMISSIONS.includes(p));
      report(`custom role ${shown(args.props.roleId)} holds ${extra.join(', ')} besides calling models; a model-user role holds ${MODEL_USER_PERMISSIONS.join(', ')} only`);
    }
  },
};

export const modelArmorOnEveryCall: StackValidationPolicy = {
  name: 'gcp-model-armor-on-every-call',
  description: 'A Model Armor floor setting screens and blocks Vertex AI generateContent calls (prompt injection and jailbreak, sensitive data); Google does not screen streaming or embedding calls through it.',
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    const floors = args.resources.filter((r) => r.type === GCP_TYPES.floor);
    if (floors.length === 0) report('no Model Armor Floorsetting in this stack; add one that enforces prompt-injection and sensitive-data filters on AI_PLATFORM');
    for (const floor of floors) {
      const p = floor.props;
      const problems: string[] = [];
      if (p.enableFloorSettingEnforcement !== true) problems.push(`enableFloorSettingEnforcement is ${shown(p.enableFloorSettingEnforcement)}; set it to true`);
      if (!stringsAt(p, 'integratedServices').includes('AI_PLATFORM')) problems.push(`integratedServices is ${shown(p.integratedServices)}; include "AI_PLATFORM" so Vertex AI calls are screened`);
      const block = valueAt(p, 'aiPlatformFloorSetting.inspectAndBlock');
      if (block !== true) problems.push(`aiPlatformFloorSetting.inspectAndBlock is ${shown(block)}; set it to true so unsafe prompts and answers are blocked, not only logged`);
      const jailbreak = valueAt(p, 'filterConfig.piAndJailbreakFilterSettings.filterEnforcement');
      if (jailbreak !== 'ENABLED') problems.push(`filterConfig.piAndJailbreakFilterSettings.filterEnforcement is ${shown(jailbreak)}; set it to "ENABLED"`);
      const sdp = valueAt(p, 'filterConfig.sdpSettings');
      if (valueAt(sdp, 'basicConfig.filterEnforcement') !== 'ENABLED' && valueAt(sdp, 'advancedConfig') === undefined) {
        problems.push(`filterConfig.sdpSettings is ${shown(sdp)}; set basicConfig.filterEnforcement to "ENABLED" or name Sensitive Data Protection templates in advancedConfig`);
      }
      for (const problem of problems) report(`floor setting ${floor.name}: ${problem}`, floor.urn);
    }
  },
};

export const allowedModelsPinned: StackValidationPolicy = {
  name: 'gcp-allowed-models-pinned',
  description: 'The vertexai.allowedModels organisation policy lists the approved models and allows no other.',
  enforcementLevel: 'mandatory',
  configSchema: { properties: { fleet: FLEET_CONFIG } },
  validateStack: (args, report) => {
    const { policies, inherited, where } = orgWidePolicies(args, 'vertexai.allowedModels');
    if (inherited) return;
    if (policies.length === 0) report(`no org policy for vertexai.allowedModels${where} in this stack; add one whose rule lists the approved models in values.allowedValues`);
    for (const p of policies) {
      const rules = rulesOf(p);
      const values = rules.flatMap((r) => stringsAt(r, 'values.allowedValues'));
      const fix = 'list the approved models in values.allowedValues';
      if (values.length === 0) report(`org policy ${p.name} allows no model by name (spec.rules ${shown(rules)}); ${fix}`, p.urn);
      if (rules.some((r) => r.allowAll === 'TRUE')) report(`org policy ${p.name} has a rule with allowAll "TRUE", which allows every model; remove it and ${fix}`, p.urn);
      const inherit = valueAt(p.props, 'spec.inheritFromParent');
      if (inherit !== false) report(`org policy ${p.name} has spec.inheritFromParent ${shown(inherit)}; set it to false so models allowed higher in the hierarchy are not added`, p.urn);
      const floating = values.filter((v) => FLOATING_MODEL.test(v));
      if (floating.length > 0) report(`org policy ${p.name} allows ${floating.join(', ')}, which is not one model version; name stable model IDs`, p.urn);
    }
  },
};

const RESIDENCY_SCHEMA = {
  properties: { allowedRegions: { type: 'array' as const, items: { type: 'string' as const }, minItems: 1 } },
  required: ['allowedRegions'],
};

export const resourceLocations: ResourceValidationPolicy = {
  name: 'gcp-resource-locations',
  description: 'Resources are created only in the regions the data-residency policy allows.',
  enforcementLevel: 'mandatory',
  configSchema: RESIDENCY_SCHEMA,
  validateResource: (args, report) => {
    for (const key of ['region', 'location', 'zone']) {
      const where = args.props[key];
      if (typeof where !== 'string' || NON_REGIONAL.has(where.toLowerCase())) continue;
      const allowed = configuredList(args.getConfig<Record<string, unknown>>(), 'allowedRegions', resourceLocations.name);
      if (!allowed.map((a) => a.toLowerCase()).includes(regionOf(where))) {
        report(`${key} ${where} is not allowed by data residency policy; allowed: ${allowed.join(', ')} (config: gcp.allowedRegions)`);
      }
    }
  },
};

export const resourceLocationsOrgPolicy: StackValidationPolicy = {
  name: 'gcp-resource-locations-org-policy',
  description: 'The gcp.resourceLocations organisation policy allows only the regions the data-residency policy allows, whatever creates the resource.',
  enforcementLevel: 'mandatory',
  configSchema: { ...RESIDENCY_SCHEMA, properties: { ...RESIDENCY_SCHEMA.properties, fleet: FLEET_CONFIG } },
  validateStack: (args, report) => {
    const allowed = configuredList(args.getConfig<Record<string, unknown>>(), 'allowedRegions', resourceLocationsOrgPolicy.name);
    const permitted = permittedLocationValues(allowed);
    const { policies, inherited, where } = orgWidePolicies(args, 'gcp.resourceLocations');
    if (inherited) return;
    if (policies.length === 0) {
      report(`no org policy for gcp.resourceLocations${where} in this stack; add one allowing only ${allowed.map((r) => `in:${r}-locations`).join(', ')} (config: gcp.allowedRegions)`);
    }
    for (const p of policies) {
      const rules = rulesOf(p);
      const values = rules.flatMap((r) => stringsAt(r, 'values.allowedValues'));
      if (values.length === 0) report(`org policy ${p.name} allows no location by name (spec.rules ${shown(rules)}); list in:<region>-locations for each allowed region`, p.urn);
      if (rules.some((r) => r.allowAll === 'TRUE')) report(`org policy ${p.name} has a rule with allowAll "TRUE", which allows every location; remove it`, p.urn);
      const inherit = valueAt(p.props, 'spec.inheritFromParent');
      if (inherit !== false) report(`org policy ${p.name} has spec.inheritFromParent ${shown(inherit)}; set it to false so locations allowed higher in the hierarchy are not added`, p.urn);
      for (const v of values.filter((x) => !permitted.has(x))) {
        report(`org policy ${p.name}: location ${v} is not allowed by data residency policy; allowed: ${allowed.join(', ')} (config: gcp.allowedRegions)`, p.urn);
      }
    }
  },
};

export const vpcServiceControls: StackValidationPolicy = {
  name: 'gcp-vpc-service-controls',
  description: 'An enforced VPC Service Controls perimeter restricts Vertex AI, so it cannot be called, nor data moved out, from outside the network.',
  enforcementLevel: 'advisory',
  validateStack: (args, report) => {
    const perimeters = args.resources.filter((r) => r.type === GCP_TYPES.perimeter);
    if (perimeters.some((p) => stringsAt(p.props, 'status.restrictedServices').includes(VERTEX_SERVICE))) return;
    const dryRun = perimeters.filter((p) => p.props.useExplicitDryRunSpec === true && stringsAt(p.props, 'spec.restrictedServices').includes(VERTEX_SERVICE));
    for (const p of dryRun) {
      report(`perimeter ${p.name} restricts ${VERTEX_SERVICE} in dry run only (useExplicitDryRunSpec true, no status): calls from outside are logged, not denied; set gcp.vpcServiceControls to "enforced" once the dry-run logs show no unexpected denial`, p.urn);
    }
    if (dryRun.length === 0) report(`no ServicePerimeter restricts ${VERTEX_SERVICE} (perimeters found: ${perimeters.length === 0 ? 'none' : perimeters.map((p) => p.name).join(', ')}); set gcp.vpcServiceControls to "dryRun", then "enforced"`);
  },
};

export const perimeterCoversData: StackValidationPolicy = {
  name: 'gcp-perimeter-covers-data',
  description: `A VPC Service Controls perimeter of the stack restricts Vertex AI and the services that hold its keys, logs, data and screening (${DEFAULT_RESTRICTED_SERVICES.join(', ')}), and its VPC networks reach only restricted services.`,
  enforcementLevel: 'mandatory',
  validateStack: (args, report) => {
    for (const p of args.resources.filter((r) => r.type === GCP_TYPES.perimeter)) {
      const { unrestricted, vpcOpen } = perimeterGaps(p.props);
      if (unrestricted.length > 0) report(`perimeter ${p.name} does not restrict ${unrestricted.join(', ')}; data or keys of the project could be moved out through them with stolen credentials, so add them to restrictedServices`, p.urn);
      if (vpcOpen) report(`perimeter ${p.name} lets its VPC networks call Google APIs it does not restrict; set vpcAccessibleServices { enableRestriction: true, allowedServices: ["RESTRICTED-SERVICES"] } (plus the sign-in services sts and iamcredentials)`, p.urn);
    }
  },
};

export const globalVertexEndpointDenied: StackValidationPolicy = {
  name: 'gcp-global-vertex-endpoint-denied',
  description: `An organisation policy (${GLOBAL_ENDPOINT_CONSTRAINT}) refuses calls to the global Vertex AI endpoint ${GLOBAL_VERTEX_HOST}, which has no residency guarantee, from anywhere (not only from inside the network).`,
  enforcementLevel: 'mandatory',
  configSchema: {
    properties: {
      required: { type: 'boolean', default: true, description: 'gcp.orgPolicies.denyGlobalVertexEndpoint of the organisation config; false when the organisation relies on the private DNS alone' },
      fleet: FLEET_CONFIG,
    },
  },
  validateStack: (args, report) => {
    if (args.getConfig<{ required?: boolean }>().required === false) return;
    const { policies, inherited, where } = orgWidePolicies(args, GLOBAL_ENDPOINT_CONSTRAINT);
    if (inherited) return;
    if (policies.length === 0) report(`no org policy for ${GLOBAL_ENDPOINT_CONSTRAINT}${where} in this stack; deny ${GLOBAL_VERTEX_HOST} (or set gcp.orgPolicies.denyGlobalVertexEndpoint to false to rely on the private DNS alone)`);
    for (const p of policies.filter((x) => !deniesGlobalVertex(x.props))) {
      report(`org policy ${p.name} does not deny ${GLOBAL_VERTEX_HOST} (spec.rules ${shown(rulesOf(p))}); add it to deniedValues`, p.urn);
    }
  },
};

/** Every Google Cloud policy, in the order the report lists them. */
export const gcpPolicies: Policies = [
  pscEndpointForGoogleApis,
  privateDnsRegionalOnly,
  networkNoInternetRoute,
  egressDeniedByDefault,
  vpcServiceControls,
  perimeterCoversData,
  noServiceAccountKeys,
  serviceAccountKeyCreationDisabled,
  iamGroupsOnly,
  modelUsersCallOnly,
  allowedModelsPinned,
  kmsKeyRotation,
  auditLogBucketCmek,
  cmekRequiredForVertex,
  vertexDataAccessAudit,
  auditLogRetentionLocked,
  resourceLocations,
  resourceLocationsOrgPolicy,
  globalVertexEndpointDenied,
  fleetOrgPoliciesOwnerOnly,
  modelArmorOnEveryCall,
];

/** The rules that judge an org-wide constraint, and so take the `fleet` config (gcp.orgPolicyParent). */
const FLEET_RULES = [serviceAccountKeyCreationDisabled, cmekRequiredForVertex, allowedModelsPinned, resourceLocationsOrgPolicy, globalVertexEndpointDenied, fleetOrgPoliciesOwnerOnly];

/**
 * The policy configuration the pack needs, from the organisation config. `fleet` is
 * gcp.orgPolicyParent as the stack judged sees it (`fleetOrgPolicies(gcp.orgPolicyParent, stack)`):
 * the owner must set the org-wide constraints at the fleet's parent, any other stack none.
 */
export function gcpPolicyConfig(
  allowedRegions: readonly string[],
  options: { readonly centralDns?: boolean; readonly denyGlobalVertexEndpoint?: boolean; readonly fleet?: FleetOrgPolicies } = {},
): Record<string, Record<string, unknown>> {
  const config: Record<string, Record<string, unknown>> = {
    [pscEndpointForGoogleApis.name]: { centralDns: options.centralDns ?? false },
    [resourceLocations.name]: { allowedRegions: [...allowedRegions] },
    [resourceLocationsOrgPolicy.name]: { allowedRegions: [...allowedRegions] },
    [globalVertexEndpointDenied.name]: { required: options.denyGlobalVertexEndpoint ?? true },
  };
  if (options.fleet) {
    const { parent, ownerStack, owner } = options.fleet;
    for (const rule of FLEET_RULES) config[rule.name] = { ...config[rule.name], fleet: { parent, ownerStack, owner } };
  }
  return config;
}
