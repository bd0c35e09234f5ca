import type { OrgConfig } from '../../lib/config';
import { SIGNAL_TAG_KEY, signalOf } from '../../lib/config/detection';
import { AUDITED_SERVICES, VERTEX_SERVICE } from '../../lib/gcp/audit-logging';
import { GLOBAL_VERTEX_HOST } from '../../lib/gcp/naming';
import { ancestorsIn, describeAncestry, isUnderParent, PROJECT_ANCESTRY } from '../../lib/gcp/fleet-ancestry';
import { fleetOrgPolicies, GLOBAL_ENDPOINT_CONSTRAINT, isOrgWideConstraint } from '../../lib/gcp/org-policies';
import type { Plan, PlanResource } from '../../lib/pulumi/plan';
import {
  allowsEgressToInternet,
  AUDIT_CONFIG_TYPES,
  auditLogTypesFor,
  auditSinkProblems,
  auditsService,
  BASIC_ROLES,
  deniesAllEgress,
  deniesGlobalVertex,
  enforcesUnconditionally,
  BROAD_VERTEX_ROLES,
  coversGlobalVertexHost,
  FLOATING_MODEL,
  GCP_TYPES as T,
  globalVertexAnswer,
  iamMembersOf,
  IAM_BINDING_TYPES,
  IAM_MEMBER_TYPES,
  isGroupOrServiceAccount,
  keepsAuditLogs,
  onlyCallsModels,
  perimeterGaps,
  permittedLocationValues,
  regionOf,
  rotatesInTime,
  rulesIn,
  setsConstraint,
} from '../gcp/policies';
import { arrayAt, stringsAt, valueAt } from '../pulumi/props';
import { statusOf, type CloudSection, type ControlResult, type Evidence } from './model';
import { misuseEvidence, MISUSE_NOTE, type AlertSeen } from './misuse';
import { PlanIndex } from './plan-index';

/** Whether the stack leaves googleapis.com to central DNS: it resolves no private DNS name itself. */
export const usesCentralDns = (plan: Plan) => Array.isArray(plan.outputs.privateDnsNames) && plan.outputs.privateDnsNames.length === 0;

/** Evaluates the checklist over the offline plan of the Google Cloud program. */
export function evaluateGcp(plan: Plan, config: OrgConfig): CloudSection {
  const ix = new PlanIndex(plan);
  const results: ControlResult[] = [];
  const add = (control: string, evidence: Evidence[], note?: string) => results.push({ control, status: statusOf(evidence), evidence, note });
  const rules = (p: PlanResource | undefined) => (p ? rulesIn(p.inputs) : []);
  const iamGrants = plan.resources.filter((r) => IAM_MEMBER_TYPES.includes(r.type) || IAM_BINDING_TYPES.includes(r.type));
  const membersOf = (r: PlanResource) => iamMembersOf(r.type, r.inputs) ?? [];
  // gcp.orgPolicyParent as this stack sees it: the owner sets the org-wide constraints at the
  // fleet's parent, any other stack none (the owner's plan and report prove them); every stack
  // keeps the per-project ones at its project.
  const fleet = fleetOrgPolicies(config.gcp?.orgPolicyParent, plan.stack);
  /**
   * Evidence that another stack's org-wide constraint binds this project: the owner sets it at the
   * fleet's parent, and the project's ancestry the plan recorded (its assumption, which `pulumi
   * preview` checks against Google Cloud, failing when the parent is not in it) holds that parent.
   */
  const inheritedEvidence = (constraint: string): Evidence => {
    const parent = fleet!.parent;
    const project = String(plan.outputs.project ?? '');
    const reads = plan.calls.filter((c) => c.token === PROJECT_ANCESTRY && c.args.project === project);
    const base = { resource: `${fleet!.ownerStack} (gcp.orgPolicyParent)`, type: T.orgPolicy, property: constraint };
    const setAt = `set at ${parent} by stack ${fleet!.ownerStack} (gcp.orgPolicyParent)`;
    if (reads.length === 0) {
      return { ...base, value: `${setAt}; the plan recorded no read of project ${project || '(no project output)'}'s ancestry (${PROJECT_ANCESTRY}), so nothing shows the project is under ${parent}`, ok: false };
    }
    const ancestors = ancestorsIn(reads[reads.length - 1].answer);
    const under = isUnderParent(ancestors, parent);
    const assumed = `the ancestry the plan assumed for project ${project} (${PROJECT_ANCESTRY}, checked against Google Cloud by pulumi preview) is ${describeAncestry(ancestors)}`;
    return { ...base, value: under ? `${setAt}; ${assumed}` : `${setAt}, but ${assumed}, without ${parent}: the fleet's policies do not bind it`, ok: under };
  };
  /** The plan's policies for `constraint` to judge, and evidence of where they are (or why none is needed). */
  const placed = (constraint: string): { readonly judged: PlanResource[]; readonly evidence: Evidence[] } => {
    const all = ix.ofType(T.orgPolicy).filter((p) => setsConstraint(p.inputs, constraint));
    const missing = (where: string) => ix.missing(T.orgPolicy, `no ${constraint} policy${where}`);
    if (!fleet) return all.length > 0 ? { judged: [all[0]], evidence: [] } : { judged: [], evidence: [missing('')] };
    const parentOf = (p: PlanResource) => String(p.inputs.parent);
    if (!isOrgWideConstraint(constraint)) {
      const atProject = (p: PlanResource) => parentOf(p).startsWith('projects/');
      const judged = all.filter(atProject);
      const wrong = all.filter((p) => !atProject(p)).map((p) => ix.evidence(p, constraint, `set at ${parentOf(p)}, not at this project (per project with gcp.orgPolicyParent)`, false));
      return { judged, evidence: judged.length > 0 || wrong.length > 0 ? wrong : [missing(' at this project')] };
    }
    if (!fleet.owner) {
      if (all.length > 0) return { judged: [], evidence: all.map((p) => ix.evidence(p, constraint, `set at ${parentOf(p)} by this stack, not by stack ${fleet.ownerStack} at ${fleet.parent}`, false)) };
      return { judged: [], evidence: [inheritedEvidence(constraint)] };
    }
    const judged = all.filter((p) => parentOf(p) === fleet.parent);
    const wrong = all.filter((p) => parentOf(p) !== fleet.parent).map((p) => ix.evidence(p, constraint, `set at ${parentOf(p)}, not at ${fleet.parent} (gcp.orgPolicyParent)`, false));
    return { judged, evidence: [...wrong, ...(judged.length === 0 ? [missing(` at ${fleet.parent} (gcp.orgPolicyParent)`)] : [])] };
  };
  const orgEvidence = (constraint: string, ok: (p: PlanResource) => boolean, value: (p: PlanResource) => unknown): Evidence[] => {
    const { judged, evidence } = placed(constraint);
    return [...evidence, ...judged.map((p) => ix.evidence(p, constraint, value(p), ok(p)))];
  };
  const one = (type: string, what: string, found: PlanResource[]) => (found.length === 0 ? [ix.missing(type, what)] : []);

  // private-path
  {
    const e: Evidence[] = [];
    const addresses = ix.ofType(T.globalAddress).filter((a) => a.inputs.purpose === 'PRIVATE_SERVICE_CONNECT');
    e.push(...one(T.globalAddress, 'no Private Service Connect address', addresses));
    for (const a of addresses) {
      e.push(ix.check(a, 'addressType', (v) => v === 'INTERNAL'));
      const rulesFor = ix.dependents(a, T.forwardingRule, 'ipAddress');
      e.push(rulesFor.length > 0 ? ix.check(rulesFor[0], 'target', (v) => v === 'vpc-sc' || v === 'all-apis') : ix.evidence(a, 'forwarding rule', 'none', false));
    }
    const zones = ix.ofType(T.zone).filter((z) => z.inputs.dnsName === 'googleapis.com.');
    const centralDns = usesCentralDns(plan);
    if (!centralDns) e.push(...one(T.zone, 'no private googleapis.com zone', zones));
    for (const z of zones) e.push(ix.check(z, 'visibility', (v) => v === 'private'));
    // Every private zone that covers the global host (googleapis.com, or a zone of its own) answers for it.
    for (const z of ix.ofType(T.zone).filter((x) => x.inputs.visibility === 'private' && coversGlobalVertexHost(x.inputs.dnsName))) {
      const answer = globalVertexAnswer(String(z.inputs.dnsName), ix.dependents(z, T.recordSet, 'managedZone').map((r) => r.inputs));
      e.push(ix.evidence(z, `answer for ${GLOBAL_VERTEX_HOST}`, answer.length > 0 ? answer.join(', ') : 'NXDOMAIN (not resolved inside the network)', answer.length === 0));
    }
    for (const n of ix.ofType(T.network)) {
      e.push(ix.check(n, 'deleteDefaultRoutesOnCreate', (v) => v === true));
      const firewalls = ix.dependents(n, T.firewall, 'network');
      const denies = firewalls.filter((f) => deniesAllEgress(f.inputs));
      e.push(denies.length > 0 ? ix.evidence(denies[0], 'denies all egress', '0.0.0.0/0', true) : ix.evidence(n, 'egress deny-all firewall', 'none', false));
      for (const f of firewalls.filter((x) => x.inputs.direction === 'EGRESS' && x.inputs.disabled !== true && arrayAt(x.inputs, 'allows').length > 0)) {
        e.push(ix.evidence(f, 'allows egress to', stringsAt(f.inputs, 'destinationRanges').join(', ') || '0.0.0.0/0 (no range)', !allowsEgressToInternet(f.inputs)));
      }
    }
    for (const s of ix.ofType(T.subnetwork)) e.push(ix.check(s, 'privateIpGoogleAccess', (v) => v === true));
    const perimeters = ix.ofType(T.perimeter).filter((p) => stringsAt(p.inputs, 'status.restrictedServices').includes(VERTEX_SERVICE) || stringsAt(p.inputs, 'spec.restrictedServices').includes(VERTEX_SERVICE));
    e.push(...one(T.perimeter, 'Vertex AI callable from outside the network: no VPC Service Controls perimeter (gcp.vpcServiceControls is off)', perimeters));
    for (const p of perimeters) {
      const enforced = stringsAt(p.inputs, 'status.restrictedServices').includes(VERTEX_SERVICE);
      e.push(ix.evidence(p, 'status.restrictedServices', enforced ? `${VERTEX_SERVICE} (enforced)` : 'dry run only: calls from outside are logged, not blocked', enforced));
      const { unrestricted, vpcOpen } = perimeterGaps(p.inputs);
      e.push(ix.evidence(p, 'unrestricted data and key services', unrestricted.length > 0 ? unrestricted.join(', ') : 'none', unrestricted.length === 0));
      e.push(ix.evidence(p, 'vpcAccessibleServices', vpcOpen ? 'Google APIs it does not restrict' : 'restricted and sign-in services only', !vpcOpen));
    }
    const perimeterNote = 'Vertex AI has no per-resource public-access switch: the enforced VPC Service Controls perimeter is what refuses calls from outside the network.';
    const dnsNote = 'This stack creates no googleapis.com zone (privateai:createDnsZones false): central DNS must resolve Google APIs to the Private Service Connect endpoint, which this plan cannot show.';
    add('private-path', e, centralDns ? `${perimeterNote} ${dnsNote}` : perimeterNote);
  }

  // sso-no-keys
  {
    const e: Evidence[] = [];
    e.push(...orgEvidence('iam.disableServiceAccountKeyCreation', (p) => rules(p).some(enforcesUnconditionally), (p) => rules(p)));
    const keys = ix.ofType(T.serviceAccountKey);
    e.push({ resource: plan.stack, type: T.serviceAccountKey, property: 'count', value: String(keys.length), ok: keys.length === 0 });
    const people = iamGrants.filter((g) => membersOf(g).some((m) => !String(m).startsWith('serviceAccount:')));
    e.push(...one(T.projectIamMember, 'no role for a Google group', people));
    for (const g of people) e.push(ix.evidence(g, 'member', membersOf(g).join(', '), membersOf(g).every(isGroupOrServiceAccount)));
    const customers = config.gcp?.orgPolicies.allowedMemberCustomerIds ?? [];
    if (customers.length > 0) {
      e.push(...orgEvidence('iam.allowedPolicyMemberDomains', (p) => rules(p).some((r) => stringsAt(r, 'values.allowedValues').length > 0) && !rules(p).some((r) => r.allowAll === 'TRUE'), (p) => rules(p).flatMap((r) => stringsAt(r, 'values.allowedValues')).join(', ')));
    }
    add('sso-no-keys', e, customers.length > 0 ? undefined : 'Domain restricted sharing is not set by this stack (gcp.orgPolicies.allowedMemberCustomerIds is empty): roles could be granted to accounts outside the organisation by whoever may set IAM policy.');
  }

  // least-privilege
  {
    const e: Evidence[] = [];
    for (const g of iamGrants) {
      const role = String(g.inputs.role);
      e.push(ix.evidence(g, 'role', `${role} for ${membersOf(g).join(', ')}`, !BASIC_ROLES.includes(role) && !BROAD_VERTEX_ROLES.includes(role)));
    }
    for (const r of ix.ofType(T.customRole).filter((x) => stringsAt(x.inputs, 'permissions').some((p) => p.startsWith('aiplatform.')))) {
      e.push(ix.evidence(r, 'permissions', stringsAt(r.inputs, 'permissions').join(', '), onlyCallsModels(r.inputs)));
    }
    const names = (p: PlanResource) => rules(p).flatMap((r) => stringsAt(r, 'values.allowedValues'));
    e.push(...orgEvidence('vertexai.allowedModels', (p) => names(p).length > 0 && !rules(p).some((r) => r.allowAll === 'TRUE') && valueAt(p.inputs, 'spec.inheritFromParent') === false, (p) => `${names(p).length} models allowed`));
    add('least-privilege', e, 'Model users hold a custom role that can only call models (aiplatform.endpoints.predict), never roles/aiplatform.user; the vertexai.allowedModels organisation policy limits which publisher models they can call.');
  }

  // encryption-cmk
  {
    const e: Evidence[] = [];
    const cryptoKeys = ix.ofType(T.cryptoKey);
    e.push(...one(T.cryptoKey, 'no customer-managed key', cryptoKeys));
    for (const k of cryptoKeys) e.push(ix.evidence(k, 'rotationPeriod', k.inputs.rotationPeriod, rotatesInTime(k.inputs)));
    for (const b of ix.ofType(T.bucket)) e.push(ix.check(b, 'cmekSettings.kmsKeyName', (v) => typeof v === 'string' && v !== ''));
    // Set at project scope only (at a folder or the organisation it would bind other projects to this
    // one's keys): by every stack of a fleet, else only when the stack sets its policies at its project.
    const projectScope = fleet !== undefined || ix.ofType(T.orgPolicy).some((p) => String(p.inputs.parent).startsWith('projects/'));
    if (config.gcp?.orgPolicies.restrictCmekKeyProjects && projectScope) {
      e.push(...orgEvidence('gcp.restrictCmekCryptoKeyProjects', (p) => rules(p).some((r) => stringsAt(r, 'values.allowedValues').length > 0) && !rules(p).some((r) => r.allowAll === 'TRUE'), (p) => rules(p).flatMap((r) => stringsAt(r, 'values.allowedValues')).join(', ')));
    }
    e.push(...orgEvidence('gcp.restrictNonCmekServices', (p) => rules(p).some((r) => stringsAt(r, 'values.deniedValues').includes(VERTEX_SERVICE)) && !rules(p).some((r) => r.allowAll === 'TRUE'), () => `denies non-CMEK ${VERTEX_SERVICE}`));
    add('encryption-cmk', e);
  }

  // tls-in-transit
  {
    const e: Evidence[] = [];
    e.push(...orgEvidence('gcp.restrictTLSVersion', (p) => ['TLS_VERSION_1', 'TLS_VERSION_1_1'].every((v) => rules(p).some((r) => stringsAt(r, 'values.deniedValues').includes(v))), (p) => rules(p).flatMap((r) => stringsAt(r, 'values.deniedValues'))));
    for (const f of ix.ofType(T.firewall).filter((x) => arrayAt(x.inputs, 'allows').length > 0)) {
      const allows = arrayAt(f.inputs, 'allows');
      e.push(ix.evidence(f, 'allows', allows.map((a) => `${String(a.protocol)}:${stringsAt(a, 'ports').join(',')}`).join(' '), allows.every((a) => a.protocol === 'tcp' && stringsAt(a, 'ports').join() === '443')));
    }
    add('tls-in-transit', e, 'Google APIs accept HTTPS only; the network opens TCP 443 to the Private Service Connect endpoint and nothing else.');
  }

  // audited
  {
    const e: Evidence[] = [];
    const configs = plan.resources.filter((a) => AUDIT_CONFIG_TYPES.includes(a.type));
    for (const service of Object.values(AUDITED_SERVICES)) {
      const audits = configs.filter((a) => auditsService(a.inputs, service));
      e.push(...one(T.projectAuditConfig, `no Data Access audit config for ${service}`, audits));
      // Cloud Audit Logs adds the configs up: each shows its own types, judged on the sum.
      const complete = auditLogTypesFor(service, configs.map((c) => c.inputs)).missing.length === 0;
      for (const a of audits) {
        const types = arrayAt(a.inputs, 'auditLogConfigs').map((c) => String(c.logType));
        e.push(ix.evidence(a, `auditLogConfigs of ${String(a.inputs.service)}`, types.join(', '), complete));
      }
    }
    // One sink that keeps the audit logs is enough; when none does, each sink shows why not.
    const sinks = ix.ofType(T.sink);
    const keeping = sinks.filter((s) => keepsAuditLogs(s.inputs));
    e.push(...one(T.sink, 'no log sink routes the audit logs to a log bucket', sinks));
    for (const s of keeping) e.push(ix.evidence(s, 'filter', s.inputs.filter, true));
    if (keeping.length === 0) {
      for (const s of sinks) {
        const wrong = new Set(auditSinkProblems(s.inputs).map((p) => p.property));
        e.push(ix.evidence(s, 'filter', s.inputs.filter, !wrong.has('filter')));
        for (const property of wrong) if (property !== 'filter') e.push(ix.evidence(s, property, s.inputs[property], false));
      }
    }
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
    const permitted = permittedLocationValues(allowed);
    const locations = (p: PlanResource) => rules(p).flatMap((r) => stringsAt(r, 'values.allowedValues'));
    e.push(
      ...orgEvidence(
        'gcp.resourceLocations',
        (p) => valueAt(p.inputs, 'spec.inheritFromParent') === false && locations(p).length > 0 && !rules(p).some((r) => r.allowAll === 'TRUE') && locations(p).every((v) => permitted.has(v)),
        (p) => locations(p).join(', '),
      ),
    );
    const allowedRegions = allowed.map((a) => a.toLowerCase());
    for (const r of plan.resources) {
      for (const key of ['region', 'location', 'zone']) {
        const where = r.inputs[key];
        if (typeof where !== 'string' || where.toLowerCase() === 'global') continue;
        e.push(ix.evidence(r, key, where, allowedRegions.includes(regionOf(where))));
      }
    }
    const denyGlobal = config.gcp?.orgPolicies.denyGlobalVertexEndpoint ?? true;
    if (denyGlobal) e.push(...orgEvidence(GLOBAL_ENDPOINT_CONSTRAINT, (p) => deniesGlobalVertex(p.inputs), (p) => rules(p).flatMap((r) => stringsAt(r, 'values.deniedValues')).join(', ')));
    const globalNote = denyGlobal
      ? `Calls to the global Vertex AI endpoint (${GLOBAL_VERTEX_HOST}, no residency guarantee) are refused by the ${GLOBAL_ENDPOINT_CONSTRAINT} organisation policy, and the host does not resolve inside the network.`
      : `gcp.orgPolicies.denyGlobalVertexEndpoint is false: only the private DNS keeps the global Vertex AI endpoint (${GLOBAL_VERTEX_HOST}, no residency guarantee) away, and only inside the network.`;
    add('data-residency', e, `${globalNote} Model Armor floor settings are a global, project-level configuration: they hold no prompts.`);
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
    add('prompt-filters', e, 'The floor setting applies Model Armor to every Vertex AI generateContent call in the project: prompt injection and jailbreak, sensitive data, harmful content and malicious URLs. Streaming (streamGenerateContent) and embedding calls are not screened: Google\'s Vertex AI integration covers generateContent only.');
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
    const models = placed('vertexai.allowedModels');
    e.push(...models.evidence);
    for (const p of models.judged) for (const m of rules(p).flatMap((r) => stringsAt(r, 'values.allowedValues'))) e.push(ix.evidence(p, 'allowedValues', m, !FLOATING_MODEL.test(m)));
    add('model-pinning', e, 'Stable Vertex AI model IDs (no -latest alias) name one model version; the organisation policy refuses every other model.');
  }

  // misuse-detected
  {
    const emailChannel = (c: PlanResource) => c.inputs.type === 'email' && typeof valueAt(c.inputs, 'labels.email_address') === 'string' && c.inputs.enabled !== false;
    const alerts: AlertSeen[] = [];
    for (const r of ix.ofType('gcp:monitoring/alertPolicy:AlertPolicy').filter((x) => x.inputs.enabled !== false)) {
      const signal = signalOf(valueAt(r.inputs, `userLabels.${SIGNAL_TAG_KEY}`));
      if (!signal) continue;
      // The channels its input names (as the engine links them), that e-mail someone.
      const named = stringsAt(r.inputs, 'notificationChannels').length > 0;
      const channels = named ? ix.dependencies(r, 'gcp:monitoring/notificationChannel:NotificationChannel', 'notificationChannels').filter(emailChannel) : [];
      alerts.push({ resource: `${plan.stack}/${r.name}`, type: r.type, signal, notifies: channels.length > 0 ? `${channels.length} e-mail channel(s)` : undefined });
    }
    const stop: Evidence[] = [];
    for (const c of ix.ofType('gcp:monitoring/notificationChannel:NotificationChannel')) stop.push(ix.evidence(c, 'labels.email_address', valueAt(c.inputs, 'labels.email_address'), emailChannel(c)));
    const access = plan.outputs.modelAccess;
    stop.push({ resource: `${plan.stack}/(stack outputs)`, type: 'stack output', property: 'modelAccess (kill switch: detection.suspendModelAccess)', value: String(access ?? 'absent'), ok: access === 'open' || access === 'suspended' });
    const iamChanges = ix.ofType('gcp:logging/metric:Metric').filter((m) => String(m.inputs.filter ?? '').includes('SetIamPolicy'));
    stop.push(iamChanges.length > 0 ? ix.evidence(iamChanges[0], 'counts', 'SetIamPolicy (the kill switch used, or undone)', true) : ix.missing('gcp:logging/metric:Metric', 'no metric on IAM policy changes: pulling the kill switch goes unnoticed'));
    add('misuse-detected', misuseEvidence(alerts, stop), `${MISUSE_NOTE} Google's logs name no caller for Model Armor matches and carry no tokens per call, so those alerts are project-wide; changes to the perimeter are logged at the organisation (PERIMETER_CHANGES_FILTER is for the central team's organisation-level sink).`);
  }

  return { cloud: 'gcp', sources: [`private-ai-gcp/${plan.stack} (offline plan, ${plan.resources.length} resources)`], controls: results, outputs: ix.outputs() };
}
