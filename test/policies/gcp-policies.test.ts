import type { ResourceValidationPolicy, StackValidationPolicy } from '@pulumi/policy';
import type { OrgConfig } from '../../lib/config';
import type { Plan, PlanResource } from '../../lib/pulumi/plan';
import * as gcp from '../../policies/gcp/policies';
import { mandatoryViolations, runPoliciesOffline } from '../../policies/pulumi/offline';
import { gcpProgram } from '../../stacks/gcp/program';
import { fleetOrgPolicies } from '../../lib/gcp/org-policies';
import { exampleOrg, exampleStackConfig, fleetOrg, getter, orgWith, plan, planAs } from '../gcp/support';

const allowedRegions = exampleOrg.gcp!.allowedRegions;
const config = gcp.gcpPolicyConfig(allowedRegions);
const ALLOWED = `allowed: ${allowedRegions.join(', ')} (config: gcp.allowedRegions)`;

async function planFor(org: OrgConfig): Promise<Plan> {
  const settings = gcpProgram.readSettings(getter(exampleStackConfig), org, 'example');
  const { cloud, stack, resources, outputs, calls } = await plan(() => gcpProgram.run(org, settings));
  return { cloud, stack, resources, outputs, calls };
}

let example: Plan;
beforeAll(async () => {
  example = await planFor(exampleOrg);
});

/** The example plan with the named resource's inputs changed: each dotted path set to its value, or deleted when the value is undefined. */
function changed(name: string, changes: Record<string, unknown>): Plan {
  const copy = structuredClone(example);
  const target = copy.resources.find((r) => r.name === name);
  if (!target) throw new Error(`no resource ${name} in the example plan`);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce<Record<string, unknown>>((o, k) => o[k] as Record<string, unknown>, target.inputs);
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}

/** The example plan without the named resources. */
const without = (...names: string[]): Plan => ({ ...example, resources: example.resources.filter((r) => !names.includes(r.name)) });

/** The example plan with one more resource. */
const plus = (type: string, inputs: Record<string, unknown>): Plan => {
  const extra: PlanResource = { type, name: 'extra', parent: null, inputs, dependsOn: [], protect: false };
  return { ...example, resources: [...example.resources, extra] };
};

/** The messages one policy reports over a plan, each prefixed with the resource it names (or `stack`). */
async function findings(policy: ResourceValidationPolicy | StackValidationPolicy, p: Plan): Promise<string[]> {
  const result = await runPoliciesOffline('private-ai-gcp', [policy], p, { config });
  return result.violations.map((v) => `${v.resource?.split('::').pop() ?? 'stack'}: ${v.message}`);
}

/** The compliant case of a rule: the program with the example config passes it. */
const acceptsTheExample = (policy: ResourceValidationPolicy | StackValidationPolicy) =>
  test('the example plan complies', async () => {
    expect(await findings(policy, example)).toEqual([]);
  });

const RETENTION_NOT_LOCKED =
  "example-corp-audit-bucket: locked is false: the retention is not locked, so the audit logs are not immutable (the bucket's retention can be shortened); set gcp.lockAuditRetention to true in the organisation config to lock it (irreversible)";
const PERIMETER_DRY_RUN =
  'example-corp-perimeter-perimeter: perimeter example-corp-perimeter-perimeter restricts aiplatform.googleapis.com in dry run only (useExplicitDryRunSpec true, no status): calls from outside are logged, not denied; set gcp.vpcServiceControls to "enforced" once the dry-run logs show no unexpected denial';
const ADVISORY = [gcp.auditLogRetentionLocked.name, gcp.vpcServiceControls.name];

/** The findings of the whole pack over the program planned with the example config changed. */
async function packFindings(lockAuditRetention: boolean, vpcServiceControls: 'dryRun' | 'enforced'): Promise<string[]> {
  const org = orgWith((raw) => Object.assign(raw.gcp!, { lockAuditRetention, vpcServiceControls }));
  const result = await runPoliciesOffline('private-ai-gcp', gcp.gcpPolicies, await planFor(org), { config });
  return result.violations.map((v) => `${v.enforcementLevel} ${v.resource?.split('::').pop()}: ${v.message}`);
}

describe('the Google Cloud policy pack over the program', () => {
  test('the example config: every policy runs, none finds a mandatory violation', async () => {
    const result = await runPoliciesOffline('private-ai-gcp', gcp.gcpPolicies, example, { config });
    expect(mandatoryViolations(result)).toEqual([]);
    expect(result.notApplicable).toEqual([]);
    expect(result.violations.every((v) => ADVISORY.includes(v.policy))).toBe(true);
    expect([...result.passed, ...new Set(result.violations.map((v) => v.policy))].sort()).toEqual(gcp.gcpPolicies.map((p) => p.name).sort());
  });

  test('unlocked retention and a dry-run perimeter: exactly the two advisories', async () => {
    expect(await packFindings(false, 'dryRun')).toEqual([`advisory ${PERIMETER_DRY_RUN}`, `advisory ${RETENTION_NOT_LOCKED}`]);
  });

  test('locked retention and an enforced perimeter: nothing at all', async () => {
    expect(await packFindings(true, 'enforced')).toEqual([]);
  });

  test('every rule is named gcp-*, mandatory unless it is one of the two advisories', () => {
    for (const p of gcp.gcpPolicies) {
      expect(p.name).toMatch(/^gcp-/);
      expect(p.enforcementLevel).toBe(ADVISORY.includes(p.name) ? 'advisory' : 'mandatory');
    }
    expect(new Set(gcp.gcpPolicies.map((p) => p.name)).size).toBe(gcp.gcpPolicies.length);
  });
});

describe('the pack in a fleet (gcp.orgPolicyParent): the owner sets the org-wide policies at the folder, another stack none', () => {
  const org = fleetOrg('folders/4455', 'hub');
  const fleetConfig = (stack: string, parent = 'folders/4455') => gcp.gcpPolicyConfig(allowedRegions, { fleet: fleetOrgPolicies({ parent, ownerStack: 'hub' }, stack) });
  const mandatory = async (p: Plan, packConfig: Record<string, Record<string, unknown>>) =>
    mandatoryViolations(await runPoliciesOffline('private-ai-gcp', gcp.gcpPolicies, p, { config: packConfig })).map((v) => `${v.policy}: ${v.message}`).sort();
  let owner: Plan;
  let member: Plan;
  beforeAll(async () => {
    owner = await planAs(org, 'hub');
    member = await planAs(org, 'spoke-1');
  });

  test('the owner\'s plan and another stack\'s plan each pass with the configuration of their stack', async () => {
    expect(await mandatory(owner, fleetConfig('hub'))).toEqual([]);
    expect(await mandatory(member, fleetConfig('spoke-1'))).toEqual([]);
  });

  test('another stack\'s plan fails when the configuration does not say that another stack sets the policies', async () => {
    expect(await mandatory(member, config)).toEqual([
      'gcp-allowed-models-pinned: no org policy for vertexai.allowedModels in this stack; add one whose rule lists the approved models in values.allowedValues',
      'gcp-cmek-required-for-vertex: no org policy for gcp.restrictNonCmekServices in this stack; add one whose rule denies aiplatform.googleapis.com',
      'gcp-global-vertex-endpoint-denied: no org policy for gcp.restrictEndpointUsage in this stack; deny aiplatform.googleapis.com (or set gcp.orgPolicies.denyGlobalVertexEndpoint to false to rely on the private DNS alone)',
      `gcp-resource-locations-org-policy: no org policy for gcp.resourceLocations in this stack; add one allowing only ${allowedRegions.map((r) => `in:${r}-locations`).join(', ')} (config: gcp.allowedRegions)`,
      'gcp-service-account-key-creation-disabled: no org policy for iam.disableServiceAccountKeyCreation in this stack; add one with a rule enforce "TRUE"',
    ]);
  });

  test('another stack that sets any org-wide policy at its project is refused, saying what it does to the folder\'s by constraint kind', async () => {
    const found = await mandatory(example, fleetConfig('spoke-1'));
    const refusal = (name: string, constraint: string, effect: string) =>
      `gcp-fleet-org-policies-owner-only: org policy example-corp-org-policies-${name}: this stack sets ${constraint} at "projects/123456789012", but stack hub sets the fleet's organisation policies at folders/4455 (gcp.orgPolicyParent): ${effect}; remove it from this stack`;
    const replaces = 'with spec.inheritFromParent false this list policy replaces the fleet\'s for the project: its values alone apply there';
    const boolean = (c: string) => `${c} is a boolean constraint, whose policies are not merged: the lowest in the hierarchy decides, so this one replaces the fleet's for the project (with enforce "FALSE" it would lift it)`;
    const merged = (denied: string) => `merged with the fleet's (spec.inheritFromParent true), its deniedValues ${denied} only add to the fleet's denials, which stay in force; the fleet's guards are still the owner's to set`;
    expect(found).toEqual(
      [
        refusal('resource-locations', 'gcp.resourceLocations', replaces),
        refusal('models', 'vertexai.allowedModels', replaces),
        refusal('cmek-vertex', 'gcp.restrictNonCmekServices', merged('aiplatform.googleapis.com')),
        refusal('tls', 'gcp.restrictTLSVersion', merged('TLS_VERSION_1, TLS_VERSION_1_1')),
        refusal('no-global-vertex', 'gcp.restrictEndpointUsage', merged('aiplatform.googleapis.com')),
        refusal('no-sa-keys', 'iam.disableServiceAccountKeyCreation', boolean('iam.disableServiceAccountKeyCreation')),
        refusal('workbench-no-downloads', 'ainotebooks.disableFileDownloads', boolean('ainotebooks.disableFileDownloads')),
        refusal('workbench-no-root', 'ainotebooks.disableRootAccess', boolean('ainotebooks.disableRootAccess')),
        refusal('workbench-no-public-ip', 'ainotebooks.restrictPublicIp', boolean('ainotebooks.restrictPublicIp')),
      ].sort(),
    );
    // The per-project constraints stay with every stack.
    expect(found.filter((m) => /cmek-key-projects|member-domains/.test(m))).toEqual([]);
  });

  test('a list policy below the folder that inherits and allows values widens the folder\'s; one that resets or allows all replaces it', () => {
    const fleet = fleetOrgPolicies({ parent: 'folders/4455', ownerStack: 'hub' }, 'spoke-1')!;
    const policy = (spec: Record<string, unknown>) => ({ parent: 'projects/1', name: 'projects/1/policies/gcp.resourceLocations', spec });
    expect(gcp.overridesFleetPolicy(fleet, 'gcp.resourceLocations', policy({ inheritFromParent: true, rules: [{ values: { allowedValues: ['in:us-east1-locations'] } }] }))).toBe(
      'this stack sets gcp.resourceLocations at "projects/1", but stack hub sets the fleet\'s organisation policies at folders/4455 (gcp.orgPolicyParent): merged with the fleet\'s (spec.inheritFromParent true), its allowedValues in:us-east1-locations are added to the values the fleet allows, widening them for the project; the fleet\'s guards are still the owner\'s to set; remove it from this stack',
    );
    expect(gcp.fleetPolicyEffect('gcp.resourceLocations', policy({ reset: true }))).toBe('spec.reset true returns gcp.resourceLocations to Google\'s default for the project, ignoring the fleet\'s policy');
    expect(gcp.fleetPolicyEffect('gcp.restrictTLSVersion', policy({ inheritFromParent: true, rules: [{ allowAll: 'TRUE' }] }))).toBe(
      'a rule with allowAll or denyAll decides every value of gcp.restrictTLSVersion for the project, not the fleet\'s policy',
    );
    expect(gcp.fleetPolicyEffect('gcp.restrictTLSVersion', policy({ rules: [{ values: { deniedValues: ['TLS_VERSION_1'] } }] }))).toBe(
      'with spec.inheritFromParent absent this list policy replaces the fleet\'s for the project: its values alone apply there',
    );
  });

  test('the owner\'s plan fails when it sets the policies at another parent than the configured one, or at its project', async () => {
    // Each of the nine org-wide policies is misplaced; the five rules that judge their content find none at the parent.
    const elsewhere = await mandatory(owner, fleetConfig('hub', 'folders/9999'));
    expect(elsewhere).toHaveLength(14);
    expect(elsewhere.filter((m) => m.startsWith('gcp-fleet-org-policies-owner-only: ') && m.endsWith('is set at "folders/4455"; as the owner of gcp.orgPolicyParent this stack sets it at folders/9999'))).toHaveLength(9);
    expect(elsewhere).toContain(
      'gcp-fleet-org-policies-owner-only: org policy example-corp-fleet-org-policies-workbench-no-root: ainotebooks.disableRootAccess is set at "folders/4455"; as the owner of gcp.orgPolicyParent this stack sets it at folders/9999',
    );
    expect(elsewhere).toContain('gcp-allowed-models-pinned: no org policy for vertexai.allowedModels at folders/9999 (gcp.orgPolicyParent) in this stack; add one whose rule lists the approved models in values.allowedValues');
    const atProject = await mandatory(example, fleetConfig('hub'));
    expect(atProject).toHaveLength(14);
    expect(atProject.filter((m) => m.includes('is set at "projects/'))).toHaveLength(9);
  });

  test('the fleet configuration is one every rule that receives it declares (Pulumi refuses undeclared policy config)', () => {
    for (const [name, values] of Object.entries(fleetConfig('hub'))) {
      const policy = gcp.gcpPolicies.find((p) => p.name === name)!;
      const declared = Object.keys((policy.configSchema?.properties ?? {}) as Record<string, unknown>);
      expect([name, Object.keys(values).filter((k) => !declared.includes(k))]).toEqual([name, []]);
    }
  });
});

describe('gcp-psc-endpoint-for-google-apis', () => {
  acceptsTheExample(gcp.pscEndpointForGoogleApis);

  test('the all-apis bundle serves as well as vpc-sc', async () => {
    expect(await findings(gcp.pscEndpointForGoogleApis, changed('example-corp-network-psc', { target: 'all-apis' }))).toEqual([]);
  });

  test('refuses a stack without a Private Service Connect address', async () => {
    expect(await findings(gcp.pscEndpointForGoogleApis, changed('example-corp-network-psc-ip', { purpose: 'VPC_PEERING' }))).toEqual([
      'stack: no GlobalAddress with purpose "PRIVATE_SERVICE_CONNECT" and addressType "INTERNAL" in this stack; reserve one as the internal address of the Google APIs endpoint',
    ]);
  });

  test('refuses an address no forwarding rule uses, and a rule that is not a Google APIs endpoint', async () => {
    expect(await findings(gcp.pscEndpointForGoogleApis, without('example-corp-network-psc'))).toEqual([
      'stack: no GlobalForwardingRule takes its ipAddress from a Private Service Connect address of this stack; add one with target "vpc-sc" (or "all-apis") and loadBalancingScheme ""',
    ]);
    expect(await findings(gcp.pscEndpointForGoogleApis, changed('example-corp-network-psc', { target: 'projects/p/global/targetHttpsProxies/x', loadBalancingScheme: 'EXTERNAL' }))).toEqual([
      'example-corp-network-psc: forwarding rule example-corp-network-psc has target "projects/p/global/targetHttpsProxies/x" and loadBalancingScheme "EXTERNAL"; an endpoint for Google APIs needs target "vpc-sc" (or "all-apis") and loadBalancingScheme ""',
    ]);
  });

  test('refuses a missing or public googleapis.com zone', async () => {
    expect(await findings(gcp.pscEndpointForGoogleApis, without('example-corp-network-googleapis'))).toEqual([
      'stack: no private ManagedZone for "googleapis.com." in this stack; add one (visibility "private") that resolves Google API names to the endpoint',
    ]);
    expect(await findings(gcp.pscEndpointForGoogleApis, changed('example-corp-network-googleapis', { visibility: 'public' }))).toEqual([
      'example-corp-network-googleapis: managed zone example-corp-network-googleapis for "googleapis.com." has visibility "public"; set it to "private" so only the VPC resolves Google APIs to the endpoint',
    ]);
  });
});

describe('gcp-psc-endpoint-for-google-apis with central DNS', () => {
  test('a stack that leaves googleapis.com to central DNS needs no zone of its own, and still needs the endpoint', async () => {
    const central = gcp.gcpPolicyConfig(allowedRegions, { centralDns: true });
    const run = async (p: Plan) => (await runPoliciesOffline('private-ai-gcp', [gcp.pscEndpointForGoogleApis], p, { config: central })).violations.map((v) => v.message);
    expect(await run(without('example-corp-network-googleapis'))).toEqual([]);
    expect(await run(without('example-corp-network-googleapis', 'example-corp-network-psc'))).toEqual([
      'no GlobalForwardingRule takes its ipAddress from a Private Service Connect address of this stack; add one with target "vpc-sc" (or "all-apis") and loadBalancingScheme ""',
    ]);
  });
});

describe('gcp-network-no-internet-route', () => {
  acceptsTheExample(gcp.networkNoInternetRoute);

  test('refuses auto subnets, the default internet route and subnets without Private Google Access', async () => {
    expect(await findings(gcp.networkNoInternetRoute, changed('example-corp-network-vpc', { autoCreateSubnetworks: true, deleteDefaultRoutesOnCreate: undefined }))).toEqual([
      'example-corp-network-vpc: autoCreateSubnetworks is true; set it to false so no subnet is created in every region',
      'example-corp-network-vpc: deleteDefaultRoutesOnCreate is absent; set it to true so the network has no default route to the internet gateway',
    ]);
    expect(await findings(gcp.networkNoInternetRoute, changed('example-corp-network-subnet', { privateIpGoogleAccess: false }))).toEqual([
      'example-corp-network-subnet: privateIpGoogleAccess is false; set it to true so workloads without external addresses reach Google APIs through the endpoint',
    ]);
  });
});

describe('gcp-egress-denied-by-default', () => {
  acceptsTheExample(gcp.egressDeniedByDefault);

  const MISSING = 'example-corp-network-vpc: network example-corp-network-vpc has no enabled EGRESS firewall rule denying protocol "all" to 0.0.0.0/0';
  const FIX = 'add one with denies [{ protocol: "all" }] and destinationRanges ["0.0.0.0/0"]';

  test('refuses a network whose only egress rule is the allow rule', async () => {
    expect(await findings(gcp.egressDeniedByDefault, without('example-corp-network-deny-egress'))).toEqual([`${MISSING} (its firewall rules: example-corp-network-allow-psc); ${FIX}`]);
  });

  test('a disabled or narrower deny rule does not count', async () => {
    const all = 'example-corp-network-allow-psc, example-corp-network-deny-egress';
    expect(await findings(gcp.egressDeniedByDefault, changed('example-corp-network-deny-egress', { disabled: true }))).toEqual([`${MISSING} (its firewall rules: ${all}); ${FIX}`]);
    expect(await findings(gcp.egressDeniedByDefault, changed('example-corp-network-deny-egress', { destinationRanges: ['203.0.113.0/24'] }))).toEqual([`${MISSING} (its firewall rules: ${all}); ${FIX}`]);
    expect(await findings(gcp.egressDeniedByDefault, without('example-corp-network-deny-egress', 'example-corp-network-allow-psc'))).toEqual([`${MISSING} (it has no firewall rule); ${FIX}`]);
  });
});

describe('gcp-egress-denied-by-default: allow rules', () => {
  const WHY = 'allows egress to 0.0.0.0/0, which defeats the deny-all rule; narrow its destinationRanges to the addresses the workloads need (the Private Service Connect endpoint)';

  test('refuses an allow rule to the internet, also when it names no range (which means 0.0.0.0/0)', async () => {
    expect(await findings(gcp.egressDeniedByDefault, changed('example-corp-network-allow-psc', { destinationRanges: ['0.0.0.0/0'] }))).toEqual([`example-corp-network-allow-psc: firewall rule example-corp-network-allow-psc ${WHY}`]);
    expect(await findings(gcp.egressDeniedByDefault, changed('example-corp-network-allow-psc', { destinationRanges: undefined }))).toEqual([`example-corp-network-allow-psc: firewall rule example-corp-network-allow-psc ${WHY}`]);
  });

  test('a disabled allow rule opens nothing', async () => {
    expect(await findings(gcp.egressDeniedByDefault, changed('example-corp-network-allow-psc', { destinationRanges: ['0.0.0.0/0'], disabled: true }))).toEqual([]);
  });
});

describe('gcp-kms-key-rotation', () => {
  acceptsTheExample(gcp.kmsKeyRotation);

  test('refuses a yearly, a missing or an unreadable rotation period', async () => {
    const fix = 'set it to at most "7776000s" (90 days) so the key rotates automatically';
    expect(await findings(gcp.kmsKeyRotation, changed('example-corp-keys-vertex', { rotationPeriod: '31536000s' }))).toEqual([`example-corp-keys-vertex: rotationPeriod is "31536000s" (365 days); ${fix}`]);
    expect(await findings(gcp.kmsKeyRotation, changed('example-corp-keys-audit', { rotationPeriod: undefined, purpose: undefined }))).toEqual([`example-corp-keys-audit: rotationPeriod is absent; ${fix}`]);
    expect(await findings(gcp.kmsKeyRotation, changed('example-corp-keys-audit', { rotationPeriod: '90d' }))).toEqual([`example-corp-keys-audit: rotationPeriod is "90d"; ${fix}`]);
  });

  test('asymmetric keys cannot rotate automatically and need no period', async () => {
    expect(await findings(gcp.kmsKeyRotation, changed('example-corp-keys-vertex', { purpose: 'ASYMMETRIC_SIGN', rotationPeriod: undefined }))).toEqual([]);
  });

  test('refuses a key that destroying the stack would destroy', async () => {
    const why = 'set it to "PREVENT" so destroying the stack cannot destroy the key versions, and with them every copy of the data they encrypt';
    expect(await findings(gcp.kmsKeyRotation, changed('example-corp-keys-vertex', { deletionPolicy: 'DELETE' }))).toEqual([`example-corp-keys-vertex: deletionPolicy is "DELETE" (absent means "DELETE"); ${why}`]);
    expect(await findings(gcp.kmsKeyRotation, changed('example-corp-keys-vertex', { deletionPolicy: undefined }))).toEqual([`example-corp-keys-vertex: deletionPolicy is absent (absent means "DELETE"); ${why}`]);
  });
});

describe('gcp-audit-log-bucket-cmek', () => {
  acceptsTheExample(gcp.auditLogBucketCmek);

  test('refuses a bucket encrypted with a Google-managed key', async () => {
    expect(await findings(gcp.auditLogBucketCmek, changed('example-corp-audit-bucket', { cmekSettings: undefined }))).toEqual([
      "example-corp-audit-bucket: cmekSettings.kmsKeyName is absent; name a Cloud KMS key in the bucket's region so the audit logs are encrypted with a customer-managed key",
    ]);
  });
});

describe('gcp-audit-log-retention-locked (advisory)', () => {
  test('reports an unlocked bucket as advisory, and nothing once locked', async () => {
    const result = await runPoliciesOffline('private-ai-gcp', [gcp.auditLogRetentionLocked], changed('example-corp-audit-bucket', { locked: false }), { config });
    expect(result.violations.map((v) => [v.enforcementLevel, `${v.resource?.split('::').pop()}: ${v.message}`])).toEqual([['advisory', RETENTION_NOT_LOCKED]]);
    expect(await findings(gcp.auditLogRetentionLocked, changed('example-corp-audit-bucket', { locked: true }))).toEqual([]);
  });
});

describe('gcp-vertex-data-access-audit', () => {
  acceptsTheExample(gcp.vertexDataAccessAudit);

  test('an allServices audit config counts', async () => {
    expect(await findings(gcp.vertexDataAccessAudit, changed('example-corp-audit-vertex-data-access', { service: 'allServices' }))).toEqual([]);
  });

  test('refuses audit configs that leave out data reads, or none at all', async () => {
    const reads = changed('example-corp-audit-vertex-data-access', { auditLogConfigs: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_WRITE' }] });
    const fix = 'add an IAMAuditConfig for aiplatform.googleapis.com with auditLogConfigs ADMIN_READ, DATA_READ, DATA_WRITE';
    expect(await findings(gcp.vertexDataAccessAudit, reads)).toEqual([
      `stack: the stack's audit configs for aiplatform.googleapis.com (or allServices) enable log types ["ADMIN_READ","DATA_WRITE"], not DATA_READ; ${fix}`,
    ]);
    expect(await findings(gcp.vertexDataAccessAudit, without('example-corp-audit-vertex-data-access'))).toEqual([
      `stack: the stack's audit configs for aiplatform.googleapis.com (or allServices) enable log types [], not ADMIN_READ, DATA_READ, DATA_WRITE; ${fix}`,
    ]);
  });

  test('refuses a stack without the key and screening audit logs, or a sink that does not keep them with Model Armor\'s screenings', async () => {
    expect(await findings(gcp.vertexDataAccessAudit, without('example-corp-audit-cloudkms-data-access', 'example-corp-audit-modelarmor-data-access'))).toEqual([
      "stack: the stack's audit configs for cloudkms.googleapis.com (or allServices) enable log types [], not ADMIN_READ, DATA_READ, DATA_WRITE; add an IAMAuditConfig for cloudkms.googleapis.com with auditLogConfigs ADMIN_READ, DATA_READ, DATA_WRITE",
      "stack: the stack's audit configs for modelarmor.googleapis.com (or allServices) enable log types [], not ADMIN_READ, DATA_READ, DATA_WRITE; add an IAMAuditConfig for modelarmor.googleapis.com with auditLogConfigs ADMIN_READ, DATA_READ, DATA_WRITE",
    ]);
    expect(await findings(gcp.vertexDataAccessAudit, changed('example-corp-audit-sink', { filter: 'logName="projects/example-ai-prod/logs/cloudaudit.googleapis.com%2Fdata_access" AND protoPayload.serviceName="aiplatform.googleapis.com"' }))).toEqual([
      'example-corp-audit-sink: sink example-corp-audit-sink\'s filter does not select protoPayload.serviceName="cloudkms.googleapis.com", protoPayload.serviceName="modelarmor.googleapis.com", modelarmor.googleapis.com%2Fsanitize_operations; route those logs to the audit bucket too',
    ]);
  });
});

describe('gcp-vertex-data-access-audit: the audit sink', () => {
  const sink = 'example-corp-audit-sink';
  const filter = () => String(example.resources.find((r) => r.name === sink)!.inputs.filter);

  test('another sink beside the audit sink changes nothing: one sink that keeps the audit logs is enough', async () => {
    const other = plus(gcp.GCP_TYPES.sink, { project: 'example-ai-prod', filter: 'severity>=ERROR', destination: 'storage.googleapis.com/example-ops-logs' });
    expect(await findings(gcp.vertexDataAccessAudit, other)).toEqual([]);
  });

  test('refuses a stack without a sink', async () => {
    expect(await findings(gcp.vertexDataAccessAudit, without(sink))).toEqual([
      "stack: no ProjectSink in this stack keeps the audit logs; add one whose filter selects the Cloud Audit Logs of aiplatform.googleapis.com, cloudkms.googleapis.com, modelarmor.googleapis.com and Model Armor's screening log (auditSinkFilter in lib/gcp/audit-logging.ts), into a log bucket of the project",
    ]);
  });

  test('refuses a filter that selects every service and then leaves one out (AND NOT)', async () => {
    const narrowed = `${filter()} AND NOT protoPayload.serviceName="cloudkms.googleapis.com"`;
    expect(await findings(gcp.vertexDataAccessAudit, changed(sink, { filter: narrowed }))).toEqual([
      `${sink}: sink ${sink}'s filter is ${JSON.stringify(narrowed)}, not the audit filter ${JSON.stringify(filter())}; set it to the audit filter, since any other condition (such as AND NOT) leaves audit logs out`,
    ]);
  });

  test('refuses a sink into storage, or anything but a log bucket', async () => {
    const why = 'not a log bucket; route it to logging.googleapis.com/projects/<project>/locations/<region>/buckets/<bucket>, a log bucket with a customer-managed key and locked retention';
    expect(await findings(gcp.vertexDataAccessAudit, changed(sink, { destination: 'storage.googleapis.com/example-audit' }))).toEqual([`${sink}: sink ${sink}'s destination is "storage.googleapis.com/example-audit", ${why}`]);
    expect(await findings(gcp.vertexDataAccessAudit, changed(sink, { destination: 'bigquery.googleapis.com/projects/example-ai-prod/datasets/audit' }))).toEqual([
      `${sink}: sink ${sink}'s destination is "bigquery.googleapis.com/projects/example-ai-prod/datasets/audit", ${why}`,
    ]);
  });

  test('refuses a disabled sink, and one whose exclusions drop entries', async () => {
    expect(await findings(gcp.vertexDataAccessAudit, changed(sink, { disabled: true }))).toEqual([`${sink}: sink ${sink}'s disabled is true, so it routes nothing; set it to false`]);
    const exclusions = [{ name: 'no-kms', filter: 'protoPayload.serviceName="cloudkms.googleapis.com"' }, { name: 'off', filter: 'severity<ERROR', disabled: true }];
    expect(await findings(gcp.vertexDataAccessAudit, changed(sink, { exclusions }))).toEqual([`${sink}: sink ${sink}'s exclusions "no-kms" drop entries its filter selects; remove them`]);
  });
});

describe('gcp-cmek-required-for-vertex', () => {
  acceptsTheExample(gcp.cmekRequiredForVertex);

  test('refuses a policy that does not deny non-CMEK Vertex AI, or none', async () => {
    expect(await findings(gcp.cmekRequiredForVertex, changed('example-corp-org-policies-cmek-vertex', { 'spec.rules': [{ values: { deniedValues: ['storage.googleapis.com'] } }] }))).toEqual([
      'example-corp-org-policies-cmek-vertex: org policy example-corp-org-policies-cmek-vertex has spec.rules [{"values":{"deniedValues":["storage.googleapis.com"]}}]; add a rule with values.deniedValues ["aiplatform.googleapis.com"] (and none with allowAll) so Vertex AI refuses resources without a customer-managed key',
    ]);
    expect(await findings(gcp.cmekRequiredForVertex, without('example-corp-org-policies-cmek-vertex'))).toEqual([
      'stack: no org policy for gcp.restrictNonCmekServices in this stack; add one whose rule denies aiplatform.googleapis.com',
    ]);
  });
});

describe('gcp-no-service-account-keys', () => {
  acceptsTheExample(gcp.noServiceAccountKeys);

  test('refuses any service account key', async () => {
    expect(await findings(gcp.noServiceAccountKeys, plus(gcp.GCP_TYPES.serviceAccountKey, { serviceAccountId: 'ci@example-ai-prod.iam.gserviceaccount.com' }))).toEqual([
      'extra: a key for service account "ci@example-ai-prod.iam.gserviceaccount.com" is a long-lived credential; remove it and use an attached service account or Workload Identity Federation',
    ]);
  });
});

describe('gcp-service-account-key-creation-disabled', () => {
  acceptsTheExample(gcp.serviceAccountKeyCreationDisabled);

  test('refuses a missing or unenforced constraint', async () => {
    expect(await findings(gcp.serviceAccountKeyCreationDisabled, without('example-corp-org-policies-no-sa-keys'))).toEqual([
      'stack: no org policy for iam.disableServiceAccountKeyCreation in this stack; add one with a rule enforce "TRUE"',
    ]);
    expect(await findings(gcp.serviceAccountKeyCreationDisabled, changed('example-corp-org-policies-no-sa-keys', { 'spec.rules.0.enforce': 'FALSE' }))).toEqual([
      'example-corp-org-policies-no-sa-keys: org policy example-corp-org-policies-no-sa-keys has spec.rules [{"enforce":"FALSE"}]; add a rule with enforce "TRUE" and no condition',
    ]);
  });
});

describe('gcp-private-dns-regional-only', () => {
  acceptsTheExample(gcp.privateDnsRegionalOnly);

  /** The example plan with one more record set in the googleapis.com zone, as the engine links it. */
  const withRecord = (name: string, type: string, rrdatas: string[]): Plan => {
    const p = plus(gcp.GCP_TYPES.recordSet, { project: 'example-ai-prod', managedZone: 'example-corp-network-googleapis', name, type, ttl: 300, rrdatas });
    const extra = p.resources.find((r) => r.name === 'extra')!;
    p.resources[p.resources.indexOf(extra)] = { ...extra, propertyDependencies: { managedZone: ['example-corp-network-googleapis'] }, dependsOn: ['example-corp-network-googleapis'] };
    return p;
  };

  test('refuses a wildcard that resolves the global Vertex AI host, naming the record', async () => {
    expect(await findings(gcp.privateDnsRegionalOnly, withRecord('*.googleapis.com.', 'A', ['10.50.255.254']))).toEqual([
      'example-corp-network-googleapis: zone example-corp-network-googleapis resolves aiplatform.googleapis.com to 10.50.255.254 (through extra *.googleapis.com.); calls through the global endpoint carry no residency guarantee, so replace wildcard and apex records with one A record per regional host (<region>-aiplatform.googleapis.com)',
    ]);
  });

  test('refuses a private zone of its own for the global host, whose apex record resolves it', async () => {
    const zone = plus(gcp.GCP_TYPES.zone, { project: 'example-ai-prod', dnsName: 'aiplatform.googleapis.com.', visibility: 'private' });
    const record: PlanResource = {
      type: gcp.GCP_TYPES.recordSet,
      name: 'apex',
      parent: null,
      inputs: { managedZone: 'extra', name: 'aiplatform.googleapis.com.', type: 'A', rrdatas: ['10.50.255.254'] },
      propertyDependencies: { managedZone: ['extra'] },
      dependsOn: ['extra'],
      protect: false,
    };
    expect(await findings(gcp.privateDnsRegionalOnly, { ...zone, resources: [...zone.resources, record] })).toEqual([
      'extra: zone extra resolves aiplatform.googleapis.com to 10.50.255.254 (through apex aiplatform.googleapis.com.); calls through the global endpoint carry no residency guarantee, so replace wildcard and apex records with one A record per regional host (<region>-aiplatform.googleapis.com)',
    ]);
  });

  test('refuses a record for the global host itself; a wildcard below another name does not reach it', async () => {
    expect(await findings(gcp.privateDnsRegionalOnly, withRecord('aiplatform.googleapis.com.', 'A', ['10.50.255.254']))).toHaveLength(1);
    expect(await findings(gcp.privateDnsRegionalOnly, withRecord('*.storage.googleapis.com.', 'A', ['10.50.255.254']))).toEqual([]);
  });
});

describe('gcp-perimeter-covers-data', () => {
  acceptsTheExample(gcp.perimeterCoversData);
  const PERIMETER = 'example-corp-perimeter-perimeter';

  test('refuses an enforced perimeter around Vertex AI alone, naming what it leaves open', async () => {
    expect(await findings(gcp.perimeterCoversData, changed(PERIMETER, { 'status.restrictedServices': ['aiplatform.googleapis.com'] }))).toEqual([
      `${PERIMETER}: perimeter ${PERIMETER} does not restrict cloudkms.googleapis.com, logging.googleapis.com, storage.googleapis.com, modelarmor.googleapis.com; data or keys of the project could be moved out through them with stolen credentials, so add them to restrictedServices`,
    ]);
  });

  test('refuses VPC networks that may call any Google API', async () => {
    expect(await findings(gcp.perimeterCoversData, changed(PERIMETER, { 'status.vpcAccessibleServices': undefined }))).toEqual([
      `${PERIMETER}: perimeter ${PERIMETER} lets its VPC networks call Google APIs it does not restrict; set vpcAccessibleServices { enableRestriction: true, allowedServices: ["RESTRICTED-SERVICES"] } (plus the sign-in services sts and iamcredentials)`,
    ]);
  });

  test('refuses VPC networks allowed more than the restricted and sign-in services', async () => {
    expect(await findings(gcp.perimeterCoversData, changed(PERIMETER, { 'status.vpcAccessibleServices.allowedServices': ['RESTRICTED-SERVICES', 'bigquery.googleapis.com'] }))).toEqual([
      `${PERIMETER}: perimeter ${PERIMETER} lets its VPC networks call Google APIs it does not restrict; set vpcAccessibleServices { enableRestriction: true, allowedServices: ["RESTRICTED-SERVICES"] } (plus the sign-in services sts and iamcredentials)`,
    ]);
  });

  test('judges the dry-run spec while the perimeter runs in dry run', async () => {
    const status = structuredClone(example.resources.find((r) => r.name === PERIMETER)!.inputs.status) as Record<string, unknown>;
    const dryRun = changed(PERIMETER, { status: undefined, useExplicitDryRunSpec: true, spec: { ...status, restrictedServices: ['aiplatform.googleapis.com', 'cloudkms.googleapis.com', 'logging.googleapis.com', 'storage.googleapis.com'] } });
    expect(await findings(gcp.perimeterCoversData, dryRun)).toEqual([
      `${PERIMETER}: perimeter ${PERIMETER} does not restrict modelarmor.googleapis.com; data or keys of the project could be moved out through them with stolen credentials, so add them to restrictedServices`,
    ]);
  });
});

describe('gcp-global-vertex-endpoint-denied', () => {
  acceptsTheExample(gcp.globalVertexEndpointDenied);
  const policyName = () => example.resources.find((r) => String(r.inputs.name).endsWith('/policies/gcp.restrictEndpointUsage'))!.name;

  test('refuses a stack without the policy, or one that denies something else', async () => {
    expect(await findings(gcp.globalVertexEndpointDenied, without(policyName()))).toEqual([
      'stack: no org policy for gcp.restrictEndpointUsage in this stack; deny aiplatform.googleapis.com (or set gcp.orgPolicies.denyGlobalVertexEndpoint to false to rely on the private DNS alone)',
    ]);
    expect(await findings(gcp.globalVertexEndpointDenied, changed(policyName(), { 'spec.rules': [{ values: { deniedValues: ['bigquery.googleapis.com'] } }] }))).toEqual([
      `${policyName()}: org policy ${policyName()} does not deny aiplatform.googleapis.com (spec.rules [{"values":{"deniedValues":["bigquery.googleapis.com"]}}]); add it to deniedValues`,
    ]);
  });

  test('an organisation that turned the policy off is not reported for its absence', async () => {
    const off = gcp.gcpPolicyConfig(allowedRegions, { denyGlobalVertexEndpoint: false });
    const result = await runPoliciesOffline('private-ai-gcp', [gcp.globalVertexEndpointDenied], without(policyName()), { config: off });
    expect(result.violations).toEqual([]);
  });
});

describe('gcp-model-users-call-only', () => {
  acceptsTheExample(gcp.modelUsersCallOnly);

  test('refuses roles/aiplatform.user for a group', async () => {
    expect(await findings(gcp.modelUsersCallOnly, plus(gcp.GCP_TYPES.projectIamMember, { project: 'p', member: 'group:ai-model-users@example.com', role: 'roles/aiplatform.user' }))).toEqual([
      'extra: role "roles/aiplatform.user" lets its members create jobs, endpoints and models, not only call them; grant a custom role with aiplatform.endpoints.predict',
    ]);
  });

  test('refuses a Vertex AI custom role with more than calling models; custom roles of other services are not its business', async () => {
    expect(await findings(gcp.modelUsersCallOnly, changed('example-corp-access-model-user', { permissions: ['aiplatform.endpoints.predict', 'aiplatform.batchPredictionJobs.create'] }))).toEqual([
      'example-corp-access-model-user: custom role "privateAiModelUser" holds aiplatform.batchPredictionJobs.create besides calling models; a model-user role holds aiplatform.endpoints.predict only',
    ]);
    expect(await findings(gcp.modelUsersCallOnly, plus(gcp.GCP_TYPES.customRole, { project: 'p', roleId: 'logReader', permissions: ['logging.logEntries.list'] }))).toEqual([]);
  });
});

describe('gcp-iam-groups-only', () => {
  acceptsTheExample(gcp.iamGroupsOnly);

  test('refuses a role for a user, and a basic role for a group', async () => {
    expect(await findings(gcp.iamGroupsOnly, plus(gcp.GCP_TYPES.projectIamMember, { project: 'p', member: 'user:alice@example.com', role: 'roles/aiplatform.user' }))).toEqual([
      'extra: member "user:alice@example.com" is not a group or service account; grant roles to a Google group ("group:...") managed in the identity provider',
    ]);
    expect(await findings(gcp.iamGroupsOnly, plus(gcp.GCP_TYPES.organizationIamMember, { orgId: '1', member: 'group:admins@example.com', role: 'roles/owner' }))).toEqual([
      'extra: role "roles/owner" is a basic role that grants far more than model access; grant a role with only the permissions the audience needs',
    ]);
  });

  test('checks every member of a binding', async () => {
    const binding = plus(gcp.GCP_TYPES.projectIamBinding, { project: 'p', members: ['group:ai-model-users@example.com', 'allUsers', 'domain:example.com'], role: 'roles/editor' });
    expect(await findings(gcp.iamGroupsOnly, binding)).toEqual([
      'extra: member "allUsers" is not a group or service account; grant roles to a Google group ("group:...") managed in the identity provider',
      'extra: member "domain:example.com" is not a group or service account; grant roles to a Google group ("group:...") managed in the identity provider',
      'extra: role "roles/editor" is a basic role that grants far more than model access; grant a role with only the permissions the audience needs',
    ]);
  });
});

describe('gcp-model-armor-on-every-call', () => {
  acceptsTheExample(gcp.modelArmorOnEveryCall);

  const floor = 'example-corp-model-armor-floor';

  test('Sensitive Data Protection templates serve as well as the basic filter', async () => {
    expect(await findings(gcp.modelArmorOnEveryCall, changed(floor, { 'filterConfig.sdpSettings': { advancedConfig: { inspectTemplate: 'projects/p/locations/europe-west4/inspectTemplates/t' } } }))).toEqual([]);
  });

  test('refuses a floor that is not enforced, skips Vertex AI, only inspects and filters nothing', async () => {
    const p = changed(floor, {
      enableFloorSettingEnforcement: false,
      integratedServices: [],
      aiPlatformFloorSetting: { inspectOnly: true },
      'filterConfig.piAndJailbreakFilterSettings.filterEnforcement': 'DISABLED',
      'filterConfig.sdpSettings': undefined,
    });
    expect(await findings(gcp.modelArmorOnEveryCall, p)).toEqual([
      `${floor}: floor setting ${floor}: enableFloorSettingEnforcement is false; set it to true`,
      `${floor}: floor setting ${floor}: integratedServices is []; include "AI_PLATFORM" so Vertex AI calls are screened`,
      `${floor}: floor setting ${floor}: aiPlatformFloorSetting.inspectAndBlock is absent; set it to true so unsafe prompts and answers are blocked, not only logged`,
      `${floor}: floor setting ${floor}: filterConfig.piAndJailbreakFilterSettings.filterEnforcement is "DISABLED"; set it to "ENABLED"`,
      `${floor}: floor setting ${floor}: filterConfig.sdpSettings is absent; set basicConfig.filterEnforcement to "ENABLED" or name Sensitive Data Protection templates in advancedConfig`,
    ]);
  });

  test('refuses a stack without a floor setting', async () => {
    expect(await findings(gcp.modelArmorOnEveryCall, without(floor))).toEqual([
      'stack: no Model Armor Floorsetting in this stack; add one that enforces prompt-injection and sensitive-data filters on AI_PLATFORM',
    ]);
  });
});

describe('gcp-allowed-models-pinned', () => {
  acceptsTheExample(gcp.allowedModelsPinned);

  const models = 'example-corp-org-policies-models';

  test('refuses a policy that allows every model, inherits more, or names a floating alias', async () => {
    expect(await findings(gcp.allowedModelsPinned, changed(models, { 'spec.rules': [{ allowAll: 'TRUE' }], 'spec.inheritFromParent': true }))).toEqual([
      `${models}: org policy ${models} allows no model by name (spec.rules [{"allowAll":"TRUE"}]); list the approved models in values.allowedValues`,
      `${models}: org policy ${models} has a rule with allowAll "TRUE", which allows every model; remove it and list the approved models in values.allowedValues`,
      `${models}: org policy ${models} has spec.inheritFromParent true; set it to false so models allowed higher in the hierarchy are not added`,
    ]);
    expect(await findings(gcp.allowedModelsPinned, changed(models, { 'spec.rules.0.values.allowedValues': ['is:publishers/google/models/gemini-flash-latest:predict'] }))).toEqual([
      `${models}: org policy ${models} allows is:publishers/google/models/gemini-flash-latest:predict, which is not one model version; name stable model IDs`,
    ]);
  });

  test('refuses a stack without the constraint', async () => {
    expect(await findings(gcp.allowedModelsPinned, without(models))).toEqual([
      'stack: no org policy for vertexai.allowedModels in this stack; add one whose rule lists the approved models in values.allowedValues',
    ]);
  });
});

describe('gcp-resource-locations', () => {
  acceptsTheExample(gcp.resourceLocations);

  test('zones of an allowed region and global settings are fine', async () => {
    expect(await findings(gcp.resourceLocations, plus('gcp:compute/instance:Instance', { zone: `${allowedRegions[0]}-b` }))).toEqual([]);
  });

  test('refuses a region, multi-region or zone outside the residency policy', async () => {
    expect(await findings(gcp.resourceLocations, changed('example-corp-network-subnet', { region: 'us-central1' }))).toEqual([
      `example-corp-network-subnet: region us-central1 is not allowed by data residency policy; ${ALLOWED}`,
    ]);
    expect(await findings(gcp.resourceLocations, changed('example-corp-audit-bucket', { location: 'EU' }))).toEqual([`example-corp-audit-bucket: location EU is not allowed by data residency policy; ${ALLOWED}`]);
    expect(await findings(gcp.resourceLocations, plus('gcp:compute/instance:Instance', { zone: 'us-east1-b' }))).toEqual([`extra: zone us-east1-b is not allowed by data residency policy; ${ALLOWED}`]);
  });

  test('without its configuration the policy refuses to run rather than pass', async () => {
    await expect(runPoliciesOffline('private-ai-gcp', [gcp.resourceLocations], example)).rejects.toThrow(
      'policy gcp-resource-locations: config allowedRegions must be a non-empty list of strings, received absent; set it in the --policy-pack-config file (npm run plan writes one from the organisation config)',
    );
    await expect(runPoliciesOffline('private-ai-gcp', [gcp.resourceLocationsOrgPolicy], example)).rejects.toThrow('policy gcp-resource-locations-org-policy: config allowedRegions must be a non-empty list of strings, received absent');
  });
});

describe('gcp-resource-locations-org-policy', () => {
  acceptsTheExample(gcp.resourceLocationsOrgPolicy);

  const locations = 'example-corp-org-policies-resource-locations';

  test('bare region names serve as well as value groups', async () => {
    expect(await findings(gcp.resourceLocationsOrgPolicy, changed(locations, { 'spec.rules.0.values.allowedValues': [...allowedRegions] }))).toEqual([]);
  });

  test('refuses a location outside the policy and inheriting the parent', async () => {
    const p = changed(locations, { 'spec.rules.0.values.allowedValues': [`in:${allowedRegions[0]}-locations`, 'in:us-locations'], 'spec.inheritFromParent': undefined });
    expect(await findings(gcp.resourceLocationsOrgPolicy, p)).toEqual([
      `${locations}: org policy ${locations} has spec.inheritFromParent absent; set it to false so locations allowed higher in the hierarchy are not added`,
      `${locations}: org policy ${locations}: location in:us-locations is not allowed by data residency policy; ${ALLOWED}`,
    ]);
  });

  test('refuses a stack without the constraint', async () => {
    expect(await findings(gcp.resourceLocationsOrgPolicy, without(locations))).toEqual([
      `stack: no org policy for gcp.resourceLocations in this stack; add one allowing only ${allowedRegions.map((r) => `in:${r}-locations`).join(', ')} (config: gcp.allowedRegions)`,
    ]);
  });
});

describe('gcp-vpc-service-controls (advisory)', () => {
  const perimeter = 'example-corp-perimeter-perimeter';

  test('an enforced perimeter passes; a dry-run one is reported', async () => {
    const vertexInside = { resources: ['projects/123456789012'], restrictedServices: ['aiplatform.googleapis.com'] };
    expect(await findings(gcp.vpcServiceControls, changed(perimeter, { status: vertexInside, spec: undefined, useExplicitDryRunSpec: false }))).toEqual([]);
    expect(await findings(gcp.vpcServiceControls, changed(perimeter, { spec: vertexInside, status: undefined, useExplicitDryRunSpec: true }))).toEqual([PERIMETER_DRY_RUN]);
  });

  test('reports a stack without a perimeter around Vertex AI', async () => {
    expect(await findings(gcp.vpcServiceControls, without(perimeter))).toEqual([
      'stack: no ServicePerimeter restricts aiplatform.googleapis.com (perimeters found: none); set gcp.vpcServiceControls to "dryRun", then "enforced"',
    ]);
  });
});
