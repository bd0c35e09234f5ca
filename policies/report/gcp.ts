import type { OrgConfig } from '../../lib/config';
import type { Plan, PlanResource } from '../../lib/pulumi/plan';
import { arrayAt, stringsAt, valueAt } from '../pulumi/props';
import { statusOf, type CloudSection, type ControlResult, type Evidence } from './model';
import { PlanIndex } from './plan-index';

const T = {
  address: 'gcp:compute/globalAddress:GlobalAddress',
  forwardingRule: 'gcp:compute/globalForwardingRule:GlobalForwardingRule',
  zone: 'gcp:dns/managedZone:ManagedZone',
  network: 'gcp:compute/network:Network',
  subnetwork: 'gcp:compute/subnetwork:Subnetwork',
  firewall: 'gcp:compute/firewall:Firewall',
  perimeter: 'gcp:accesscontextmanager/servicePerimeter:ServicePerimeter',
  orgPolicy: 'gcp:orgpolicy/policy:Policy',
  iamMember: 'gcp:projects/iAMMember:IAMMember',
  saKey: 'gcp:serviceaccount/key:Key',
  cryptoKey: 'gcp:kms/cryptoKey:CryptoKey',
  bucket: 'gcp:logging/projectBucketConfig:ProjectBucketConfig',
  sink: 'gcp:logging/projectSink:ProjectSink',
  auditConfig: 'gcp:projects/iAMAuditConfig:IAMAuditConfig',
  floor: 'gcp:modelarmor/floorsetting:Floorsetting',
  template: 'gcp:modelarmor/template:Template',
} as const;

const BASIC_ROLES = ['roles/owner', 'roles/editor', 'roles/viewer'];
const NINETY_DAYS = 90 * 24 * 3600;

/** Seconds of a Google duration such as "7776000s", or undefined. */
const seconds = (v: unknown) => (typeof v === 'string' && /^\d+(\.\d+)?s$/.test(v) ? Number(v.slice(0, -1)) : undefined);

/** Evaluates the checklist over the offline plan of the Google Cloud program. */
export function evaluateGcp(plan: Plan, config: OrgConfig): CloudSection {
  const ix = new PlanIndex(plan);
  const results: ControlResult[] = [];
  const add = (control: string, evidence: Evidence[], note?: string) => results.push({ control, status: statusOf(evidence), evidence, note });
  const orgPolicy = (constraint: string) => ix.ofType(T.orgPolicy).find((p) => String(p.inputs.name ?? '').endsWith(`/policies/${constraint}`));
  const rules = (p: PlanResource | undefined) => arrayAt(p?.inputs, 'spec.rules');
  const orgEvidence = (constraint: string, ok: (p: PlanResource) => boolean, value: (p: PlanResource) => unknown): Evidence => {
    const p = orgPolicy(constraint);
    return p ? ix.evidence(p, constraint, value(p), ok(p)) : ix.missing(T.orgPolicy, `no ${constraint} policy`);
  };
  const one = (type: string, what: string, found: PlanResource[]) => (found.length === 0 ? [ix.missing(type, what)] : []);

  // private-path
  {
    const e: Evidence[] = [];
    const addresses = ix.ofType(T.address).filter((a) => a.inputs.purpose === 'PRIVATE_SERVICE_CONNECT');
    e.push(...one(T.address, 'no Private Service Connect address', addresses));
    for (const a of addresses) {
      e.push(ix.check(a, 'addressType', (v) => v === 'INTERNAL'));
      const rulesFor = ix.dependents(a, T.forwardingRule, 'ipAddress');
      e.push(rulesFor.length > 0 ? ix.check(rulesFor[0], 'target', (v) => v === 'vpc-sc' || v === 'all-apis') : ix.evidence(a, 'forwarding rule', 'none', false));
    }
    const zones = ix.ofType(T.zone).filter((z) => z.inputs.dnsName === 'googleapis.com.');
    const centralDns = Array.isArray(plan.outputs.privateDnsNames) && plan.outputs.privateDnsNames.length === 0;
    if (!centralDns) e.push(...one(T.zone, 'no private googleapis.com zone', zones));
    for (const z of zones) e.push(ix.check(z, 'visibility', (v) => v === 'private'));
    for (const n of ix.ofType(T.network)) {
      e.push(ix.check(n, 'deleteDefaultRoutesOnCreate', (v) => v === true));
      const denies = ix.dependents(n, T.firewall, 'network').filter((f) => f.inputs.direction === 'EGRESS' && stringsAt(f.inputs, 'destinationRanges').includes('0.0.0.0/0') && arrayAt(f.inputs, 'denies').some((d) => d.protocol === 'all'));
      e.push(denies.length > 0 ? ix.evidence(denies[0], 'denies all egress', '0.0.0.0/0', true) : ix.evidence(n, 'egress deny-all firewall', 'none', false));
      for (const f of ix.dependents(n, T.firewall, 'network').filter((x) => x.inputs.direction === 'EGRESS' && x.inputs.disabled !== true && arrayAt(x.inputs, 'allows').length > 0)) {
        const ranges = stringsAt(f.inputs, 'destinationRanges');
        e.push(ix.evidence(f, 'allows egress to', ranges.join(', ') || '0.0.0.0/0 (no range)', ranges.length > 0 && !ranges.includes('0.0.0.0/0')));
      }
    }
    for (const s of ix.ofType(T.subnetwork)) e.push(ix.check(s, 'privateIpGoogleAccess', (v) => v === true));
    const perimeters = ix.ofType(T.perimeter).filter((p) => stringsAt(p.inputs, 'status.restrictedServices').includes('aiplatform.googleapis.com') || stringsAt(p.inputs, 'spec.restrictedServices').includes('aiplatform.googleapis.com'));
    e.push(...one(T.perimeter, 'Vertex AI callable from outside the network: no VPC Service Controls perimeter (gcp.vpcServiceControls is off)', perimeters));
    for (const p of perimeters) {
      const enforced = stringsAt(p.inputs, 'status.restrictedServices').includes('aiplatform.googleapis.com');
      e.push(ix.evidence(p, 'status.restrictedServices', enforced ? 'aiplatform.googleapis.com (enforced)' : 'dry run only: calls from outside are logged, not blocked', enforced));
    }
    const perimeterNote = 'Vertex AI has no per-resource public-access switch: the enforced VPC Service Controls perimeter is what refuses calls from outside the network.';
    const dnsNote = 'This stack creates no googleapis.com zone (privateai:createDnsZones false): central DNS must resolve Google APIs to the Private Service Connect endpoint, which this plan cannot show.';
    add('private-path', e, centralDns ? `${perimeterNote} ${dnsNote}` : perimeterNote);
  }

  // sso-no-keys
  {
    const e: Evidence[] = [];
    e.push(orgEvidence('iam.disableServiceAccountKeyCreation', (p) => rules(p).some((r) => r.enforce === 'TRUE'), (p) => rules(p)));
    const keys = ix.ofType(T.saKey);
    e.push({ resource: plan.stack, type: T.saKey, property: 'count', value: String(keys.length), ok: keys.length === 0 });
    const people = ix.ofType(T.iamMember).filter((m) => !String(m.inputs.member ?? '').startsWith('serviceAccount:'));
    e.push(...one(T.iamMember, 'no role for a Google group', people));
    for (const m of people) e.push(ix.check(m, 'member', (v) => typeof v === 'string' && v.startsWith('group:')));
    add('sso-no-keys', e);
  }

  // least-privilege
  {
    const e: Evidence[] = [];
    for (const m of ix.ofType(T.iamMember)) e.push(ix.evidence(m, 'role', `${String(m.inputs.role)} for ${String(m.inputs.member)}`, !BASIC_ROLES.includes(String(m.inputs.role))));
    e.push(orgEvidence('vertexai.allowedModels', (p) => rules(p).length > 0 && rules(p).every((r) => stringsAt(r, 'values.allowedValues').length > 0 && r.allowAll !== 'TRUE'), (p) => rules(p).flatMap((r) => stringsAt(r, 'values.allowedValues')).length + ' models allowed'));
    add('least-privilege', e, 'Model users hold roles/aiplatform.user; the vertexai.allowedModels organisation policy limits which publisher models it can call.');
  }

  // encryption-cmk
  {
    const e: Evidence[] = [];
    const cryptoKeys = ix.ofType(T.cryptoKey);
    e.push(...one(T.cryptoKey, 'no customer-managed key', cryptoKeys));
    for (const k of cryptoKeys) e.push(ix.check(k, 'rotationPeriod', (v) => (seconds(v) ?? Infinity) <= NINETY_DAYS));
    for (const b of ix.ofType(T.bucket)) e.push(ix.check(b, 'cmekSettings.kmsKeyName', (v) => typeof v === 'string' && v !== ''));
    e.push(orgEvidence('gcp.restrictNonCmekServices', (p) => rules(p).some((r) => stringsAt(r, 'values.deniedValues').includes('aiplatform.googleapis.com')), () => 'denies non-CMEK aiplatform.googleapis.com'));
    add('encryption-cmk', e);
  }

  // tls-in-transit
  {
    const e: Evidence[] = [];
    e.push(orgEvidence('gcp.restrictTLSVersion', (p) => ['TLS_VERSION_1', 'TLS_VERSION_1_1'].every((v) => rules(p).some((r) => stringsAt(r, 'values.deniedValues').includes(v))), (p) => rules(p).flatMap((r) => stringsAt(r, 'values.deniedValues'))));
    for (const f of ix.ofType(T.firewall).filter((x) => arrayAt(x.inputs, 'allows').length > 0)) {
      const allows = arrayAt(f.inputs, 'allows');
      e.push(ix.evidence(f, 'allows', allows.map((a) => `${String(a.protocol)}:${stringsAt(a, 'ports').join(',')}`).join(' '), allows.every((a) => a.protocol === 'tcp' && stringsAt(a, 'ports').join() === '443')));
    }
    add('tls-in-transit', e, 'Google APIs accept HTTPS only; the network opens TCP 443 to the Private Service Connect endpoint and nothing else.');
  }

  // audited
  {
    const e: Evidence[] = [];
    const audits = ix.ofType(T.auditConfig).filter((a) => ['aiplatform.googleapis.com', 'allServices'].includes(String(a.inputs.service)));
    e.push(...one(T.auditConfig, 'no Data Access audit config for Vertex AI', audits));
    for (const a of audits) {
      const types = arrayAt(a.inputs, 'auditLogConfigs').map((c) => String(c.logType));
      e.push(ix.evidence(a, 'auditLogConfigs', types.join(', '), ['ADMIN_READ', 'DATA_READ', 'DATA_WRITE'].every((t) => types.includes(t))));
    }
    for (const s of ix.ofType(T.sink)) e.push(ix.evidence(s, 'filter', 'activity + data_access of aiplatform', /data_access/.test(String(s.inputs.filter)) && /activity/.test(String(s.inputs.filter))));
    for (const f of ix.ofType(T.floor)) e.push(ix.check(f, 'aiPlatformFloorSetting.enableCloudLogging', (v) => v === true));
    add('audited', e);
  }

  // immutable-retention
  {
    const e: Evidence[] = [];
    const buckets = ix.ofType(T.bucket);
    e.push(...one(T.bucket, 'no audit log bucket', buckets));
    for (const b of buckets) {
      e.push(ix.check(b, 'retentionDays', (v) => typeof v === 'number' && v >= config.logging.auditRetentionDays));
      e.push(ix.check(b, 'locked', (v) => v === true));
      e.push(ix.check(b, 'deletionPolicy', (v) => v === 'PREVENT'));
    }
    for (const k of ix.ofType(T.cryptoKey)) e.push(ix.check(k, 'deletionPolicy', (v) => v === 'PREVENT'));
    add('immutable-retention', e, `Audit logs must be kept ${config.logging.auditRetentionDays} days (logging.auditRetentionDays); a locked bucket's retention cannot be shortened and the bucket cannot be deleted before it ends.`);
  }

  // data-residency
  {
    const e: Evidence[] = [];
    const allowed = config.gcp?.allowedRegions ?? [];
    e.push(orgEvidence('gcp.resourceLocations', (p) => p.inputs.spec !== undefined && valueAt(p.inputs, 'spec.inheritFromParent') === false && rules(p).every((r) => stringsAt(r, 'values.allowedValues').every((v) => allowed.some((a) => v === a || v === `in:${a}-locations`))), (p) => rules(p).flatMap((r) => stringsAt(r, 'values.allowedValues')).join(', ')));
    for (const r of plan.resources) {
      const where = r.inputs.region ?? r.inputs.location;
      if (typeof where !== 'string' || where === 'global') continue;
      e.push(ix.evidence(r, r.inputs.region !== undefined ? 'region' : 'location', where, allowed.includes(where)));
    }
    add('data-residency', e, 'Model Armor floor settings are a global, project-level configuration: they hold no prompts.');
  }

  // prompt-filters
  {
    const e: Evidence[] = [];
    const floors = ix.ofType(T.floor);
    e.push(...one(T.floor, 'no Model Armor floor setting: Vertex AI calls are not screened', floors));
    for (const f of floors) {
      e.push(ix.evidence(f, 'integratedServices', stringsAt(f.inputs, 'integratedServices'), f.inputs.enableFloorSettingEnforcement === true && stringsAt(f.inputs, 'integratedServices').includes('AI_PLATFORM')));
      e.push(ix.check(f, 'aiPlatformFloorSetting.inspectAndBlock', (v) => v === true));
      e.push(ix.check(f, 'filterConfig.piAndJailbreakFilterSettings.filterEnforcement', (v) => v === 'ENABLED'));
      e.push(ix.evidence(f, 'filterConfig.sdpSettings', valueAt(f.inputs, 'filterConfig.sdpSettings.advancedConfig') ? 'advanced' : valueAt(f.inputs, 'filterConfig.sdpSettings.basicConfig.filterEnforcement'), valueAt(f.inputs, 'filterConfig.sdpSettings.basicConfig.filterEnforcement') === 'ENABLED' || valueAt(f.inputs, 'filterConfig.sdpSettings.advancedConfig') !== undefined));
    }
    add('prompt-filters', e, 'The floor setting applies Model Armor to every Vertex AI generateContent call in the project: prompt injection and jailbreak, sensitive data, harmful content and malicious URLs.');
  }

  // rate-limits: nothing in the plan sets them.
  results.push({
    control: 'rate-limits',
    status: 'not applicable',
    evidence: [],
    note: 'This stack deploys no model endpoint: callers use Vertex AI publisher models directly, throttled by Google per project, region and model (quotas this stack does not override). Set a consumer quota override to lower the ceiling.',
  });

  // model-pinning
  {
    const e: Evidence[] = [];
    const models = orgPolicy('vertexai.allowedModels');
    if (!models) e.push(ix.missing(T.orgPolicy, 'no vertexai.allowedModels policy'));
    for (const m of rules(models).flatMap((r) => stringsAt(r, 'values.allowedValues'))) e.push(ix.evidence(models!, 'allowedValues', m, !/latest|\*/.test(m)));
    add('model-pinning', e, 'Stable Vertex AI model IDs (no -latest alias) name one model version; the organisation policy refuses every other model.');
  }

  const outputs = Object.fromEntries(Object.entries(plan.outputs).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  return { cloud: 'gcp', sources: [`private-ai-gcp/${plan.stack} (offline plan, ${plan.resources.length} resources)`], controls: results, outputs };
}
