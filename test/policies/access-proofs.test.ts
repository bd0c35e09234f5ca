import type { AccessProof, AccessStack } from '../../policies/aws/access-proofs';
import { SCENARIOS } from '../../policies/aws/access-scenarios';
import { buildOrgGuards, type OrgGuard } from '../../policies/aws/org-guards';
import { buildRegionPinningScp } from '../../policies/aws/region-pinning-scp';
import { modelKindOf, type OrgConfig } from '../../lib/config';
import { configWith, exampleConfig, withoutCloudFormationValidation } from '../support/aws';
import { copy, failed, proofsOf, synthesizedStacks } from '../support/proofs';

/**
 * The access proofs evaluate what AWS would decide for each row of the scenario table, from the
 * synthesized templates and the organisation guard. These tests check the decisions of the
 * example deployment, and that loosening a policy makes a proof fail (a proof that cannot fail
 * proves nothing).
 */

/**
 * The stacks of a config as the proofs read them. The proofs read only the templates, so CDK's
 * built-in CloudFormation validation, most of each synth's time, is left out (see the helper).
 */
const stacksOf = (config: OrgConfig): AccessStack[] => withoutCloudFormationValidation(() => synthesizedStacks(config));

type Resources = Record<string, { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> }>; // eslint-disable-line @typescript-eslint/no-explicit-any

let stacks: AccessStack[];
let scp: ReturnType<typeof buildRegionPinningScp>;
let guards: OrgGuard[];
/** The guards with the region-pinning SCP replaced. */
const withPinning = (policy: unknown): OrgGuard[] => [{ ...guards[0], policy }, ...guards.slice(1)];
let proofs: AccessProof[];

beforeAll(async () => {
  stacks = stacksOf(exampleConfig);
  guards = buildOrgGuards(exampleConfig);
  scp = guards[0].policy as ReturnType<typeof buildRegionPinningScp>;
  proofs = await proofsOf(exampleConfig, stacks, guards);
});

const rows = (list: readonly AccessProof[], scenario: string) => list.filter((p) => p.scenario === scenario);
const platform = (list: AccessStack[]) => list.find((s) => s.name.endsWith('-prod'))!;
const identity = (list: AccessStack[]) => list.find((s) => s.name.endsWith('-identity'))!;
const resourcesOf = (s: AccessStack) => s.template.Resources as unknown as Resources;
const byPath = (s: AccessStack, path: RegExp) => Object.values(resourcesOf(s)).find((r) => path.test(String(r.Metadata?.['aws:cdk:path'])))!;
const permissionSetPolicy = (s: AccessStack, role: string) => Object.values(resourcesOf(s)).find((r) => r.Type === 'AWS::SSO::PermissionSet' && new RegExp(`${role}$`).test(r.Properties.Name))!.Properties.InlinePolicy;
const modelUserPolicy = (s: AccessStack) => permissionSetPolicy(s, 'ModelUser');
/** Rows of opt-in roles: security responders (sso.securityResponders) and suspended users (detection.suspendedUsers), which the example configures none of. */
const OPT_IN_ROWS = SCENARIOS.filter((s) => s.who === 'securityResponder' || s.who === 'suspendedModelUser').map((s) => s.id);
const OPT_IN_REASONS = ['no securityResponders permission set in the identity stack', 'detection.suspendedUsers names nobody'];

describe('access proofs of the example deployment', () => {
  test('every row of the table is evaluated for the target, and every decision is the one expected', () => {
    expect(failed(proofs)).toEqual([]);
    expect(new Set(proofs.map((p) => p.scenario))).toEqual(new Set(SCENARIOS.map((s) => s.id)));
    expect(proofs.every((p) => p.target === 'prod')).toBe(true);
    // Only the rows of roles the example does not configure say why they do not apply.
    const notApplicable = proofs.filter((p) => p.evaluated === 'not applicable');
    expect(notApplicable.map((p) => p.scenario).sort()).toEqual([...OPT_IN_ROWS].sort());
    for (const p of notApplicable) expect(OPT_IN_REASONS).toContain(p.deciding[0]);
  });

  test('model users call every allowlisted chat model through their endpoint, decided by the permission set and the endpoint policy', () => {
    const converse = rows(proofs, 'model-user-converse');
    expect(converse.map((p) => p.request.split(' ')[4])).toEqual(exampleConfig.aws.models.filter((m) => modelKindOf(m) === 'chat').map((m) => m.id));
    expect(converse.map((p) => p.evaluated)).toEqual(['Allowed', 'Allowed']);
    for (const p of converse) {
      expect(p.deciding).toEqual(expect.arrayContaining([expect.stringMatching(/^identity: permission set ExampleCorpAiModelUser \(inline\)#InvokeAllowlistedModels$/), expect.stringMatching(/^VPC endpoint policy: .*#InvokeAllowlistedModelsOnly$/)]));
    }
  });

  test('a geography profile is allowed in each of its destination regions, as Bedrock evaluates it there', () => {
    const destinations = rows(proofs, 'model-user-profile-destinations');
    expect(destinations.map((p) => /aws:RequestedRegion=([a-z0-9-]+)/.exec(p.request)![1]).sort()).toEqual(['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3']);
    expect(destinations.every((p) => p.evaluated === 'Allowed')).toBe(true);
    expect(rows(proofs, 'invoker-profile-destinations').every((p) => p.evaluated === 'Allowed')).toBe(true);
  });

  test('each denial names the statement that makes it', () => {
    const decidedBy = (scenario: string) => rows(proofs, scenario).flatMap((p) => p.deciding);
    expect(decidedBy('model-user-foreign-endpoint')).toContain('identity: permission set ExampleCorpAiModelUser (inline)#DenyModelCallsOutsideOwnEndpoints');
    expect(decidedBy('model-user-draft-guardrail')).toContain('identity: permission set ExampleCorpAiModelUser (inline)#DenyDraftGuardrails');
    expect(decidedBy('model-user-no-guardrail')).toContain('identity: permission set ExampleCorpAiModelUser (inline)#DenyModelCallsWithoutPublishedGuardrailOfAccount');
    expect(decidedBy('other-principal-private-api')).toEqual([expect.stringMatching(/^resource policy: .*\(resource policy\)#DenyOtherPrincipals$/)]);
    expect(decidedBy('bedrock-api-key-call')).toEqual(['SCP: bedrock-region-pinning.scp.json#DenyBedrockApiKeys']);
    expect(decidedBy('admin-invokes-setter')).toEqual(['SCP: blueprint-protection.scp.json#ProtectTheChangePath']);
    expect(decidedBy('admin-creates-lookalike-exec-role')).toEqual(['SCP: blueprint-protection.scp.json#ProtectTheBootstrapRoles']);
    // Out of region, whatever endpoint it comes through: the permission set's and the organisation's region denies.
    expect(decidedBy('model-user-outside-regions')).toEqual(
      expect.arrayContaining(['identity: permission set ExampleCorpAiModelUser (inline)#DenyBedrockOutsideAllowedRegions', 'SCP: bedrock-region-pinning.scp.json#DenyBedrockOutsideAllowedRegions']),
    );
    // bedrock-mantle outside the allowed regions: the permission set's own region deny holds, besides the guard's outright deny.
    expect(decidedBy('model-user-mantle-outside-regions')).toEqual(
      expect.arrayContaining(['identity: permission set ExampleCorpAiModelUser (inline)#DenyBedrockOutsideAllowedRegions', 'SCP: bedrock-region-pinning.scp.json#DenyModelServingOutsideBedrockRuntime']),
    );
    expect(decidedBy('admin-deletes-audit-key-alias')).toEqual(['SCP: blueprint-protection.scp.json#ProtectBlueprintKeyAliases']);
    expect(decidedBy('cloudformation-creates-user')).toEqual([expect.stringMatching(/cdk-execution-policy\..*#DenyLongTermCredentials$/)]);
  });

  test('model users reach the embedding model only through the private API: directly, no guardrail makes the call allowed', () => {
    for (const scenario of ['model-user-direct-embedding', 'model-user-direct-embedding-guardrail']) {
      const [p] = rows(proofs, scenario);
      expect([scenario, p.request]).toEqual([scenario, expect.stringMatching(/^bedrock:InvokeModel on embedding model amazon\.titan-embed-text-v2:0 /)]);
      expect(p.evaluated).not.toBe('Allowed');
    }
    // With the published guardrail nothing denies the call outright: the permission set simply grants no embedding model.
    const [withGuardrail] = rows(proofs, 'model-user-direct-embedding-guardrail');
    expect(withGuardrail.request).toMatch(/bedrock:GuardrailIdentifier=arn:aws:bedrock:eu-central-1:111111111111:guardrail\/.*:\d+/);
    expect(withGuardrail).toMatchObject({ evaluated: 'ImplicitlyDenied', deciding: ['identity: no statement allows (ImplicitlyDenied)'] });
    expect(rows(proofs, 'model-user-embeddings-api').map((p) => p.evaluated)).toEqual(['Allowed']);
  });

  test("another organisation's resources named like the blueprint's, open to everyone, are refused by the caller's identity policy alone", () => {
    const foreign = ['auditor-reads-foreign-lookalike-bucket', 'prompt-reviewer-reads-foreign-lookalike-bucket', 'model-user-foreign-lookalike-key', 'model-user-foreign-private-api'];
    for (const scenario of foreign) {
      const [p] = rows(proofs, scenario);
      expect([scenario, p.evaluated, p.deciding]).toEqual([scenario, 'ImplicitlyDenied', ['identity: no statement allows (ImplicitlyDenied)']]);
      expect(p.request).toMatch(/of account 123456789012 outside the organisation/);
    }
    // The buckets are named as the grant's pattern names them: only their owner differs.
    expect(rows(proofs, 'auditor-reads-foreign-lookalike-bucket')[0].request).toMatch(/^s3:GetObject on an object of bucket example-corp-lookalike-audit-111111111111, /);
    expect(rows(proofs, 'prompt-reviewer-reads-foreign-lookalike-bucket')[0].request).toMatch(/^s3:GetObject on an object of bucket example-corp-lookalike-inv-111111111111, /);
  });

  test('the guardrail key is decryptable through Bedrock by the invoker and model users, by their identity policy and the key policy', () => {
    for (const scenario of ['invoker-guardrail-key', 'model-user-guardrail-key']) {
      const [p] = rows(proofs, scenario);
      expect(p.evaluated).toBe('Allowed');
      expect(p.request).toMatch(/kms:ViaService=bedrock\.eu-central-1\.amazonaws\.com/);
    }
  });
});

describe('a proof fails when a policy is loosened', () => {
  test('dropping the endpoint pinning of model users lets a foreign endpoint through', async () => {
    const mutated = copy(stacks);
    const policy = modelUserPolicy(identity(mutated));
    const statements = policy.Statement as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    policy.Statement = statements.filter((s) => s.Sid !== 'DenyModelCallsOutsideOwnEndpoints');
    for (const s of policy.Statement) delete s.Condition?.StringEquals?.['aws:SourceVpce'];
    const after = await proofsOf(exampleConfig, mutated, guards, ['model-user-foreign-endpoint']);
    expect(rows(after, 'model-user-foreign-endpoint').some((p) => !p.ok && p.evaluated === 'Allowed')).toBe(true);
  });

  test("without the bucket-owner condition an auditor reads another organisation's bucket named like an audit bucket", async () => {
    const mutated = copy(stacks);
    const policy = permissionSetPolicy(identity(mutated), 'Auditor');
    for (const s of policy.Statement as Array<Record<string, any>>) if (s.Sid === 'ReadAuditObjects') delete s.Condition; // eslint-disable-line @typescript-eslint/no-explicit-any
    const after = await proofsOf(exampleConfig, mutated, guards, ['auditor-reads-foreign-lookalike-bucket', 'auditor-read-evidence']);
    expect(rows(after, 'auditor-reads-foreign-lookalike-bucket').map((p) => [p.ok, p.evaluated])).toEqual([[false, 'Allowed']]);
    expect(rows(after, 'auditor-read-evidence').map((p) => p.ok)).toEqual([true]);
  });

  test("with any account in place of the caller's own, model users decrypt another organisation's key", async () => {
    const mutated = copy(stacks);
    const policy = modelUserPolicy(identity(mutated));
    policy.Statement = JSON.parse(JSON.stringify(policy.Statement).split('${aws:PrincipalAccount}').join('*'));
    const after = await proofsOf(exampleConfig, mutated, guards, ['model-user-foreign-lookalike-key']);
    expect(after.map((p) => [p.ok, p.evaluated])).toEqual([[false, 'Allowed']]);
  });

  test("an API grant of any account lets model users call another organisation's API", async () => {
    // The evaluator matches no execute-api ARN whose API ID is a wildcard (it reads the first
    // segment as a resource type; the same-account rows are allowed by the API's resource policy),
    // so the loosened grant names every route of every account.
    const mutated = copy(stacks);
    const policy = modelUserPolicy(identity(mutated));
    for (const s of policy.Statement as Array<Record<string, unknown>>) if (s.Sid === 'InvokePrivateModelApi') s.Resource = 'arn:aws:execute-api:*:*:*';
    const after = await proofsOf(exampleConfig, mutated, guards, ['model-user-foreign-private-api']);
    expect(after.map((p) => [p.ok, p.evaluated])).toEqual([[false, 'Allowed']]);
  });

  test('admitting every principal of the account to the private API (the old resource policy) is caught', async () => {
    const mutated = copy(stacks);
    const api = Object.values(resourcesOf(platform(mutated))).find((r) => r.Type === 'AWS::ApiGateway::RestApi')!;
    api.Properties.Policy.Statement = api.Properties.Policy.Statement.filter((s: { Sid: string }) => s.Sid !== 'DenyOtherPrincipals');
    delete api.Properties.Policy.Statement[0].Condition.ArnLike;
    const after = await proofsOf(exampleConfig, mutated, guards, ['other-principal-private-api']);
    expect(rows(after, 'other-principal-private-api').map((p) => [p.ok, p.evaluated])).toEqual([[false, 'Allowed']]);
  });

  test('without kms:Decrypt on the guardrail key the invoker cannot use its guardrail', async () => {
    const mutated = copy(stacks);
    const policy = byPath(platform(mutated), /\/ModelInvoker\/Function\/Policy\//).Properties.PolicyDocument;
    policy.Statement = policy.Statement.filter((s: { Sid: string }) => s.Sid !== 'DecryptTheGuardrailThroughBedrock');
    const after = await proofsOf(exampleConfig, mutated, guards, ['invoker-guardrail-key']);
    expect(rows(after, 'invoker-guardrail-key').map((p) => [p.ok, p.evaluated])).toEqual([[false, 'ImplicitlyDenied']]);
  });

  test('an organisation guard without the API-key statement lets Bedrock API keys through', async () => {
    const loosened = { ...scp, Statement: scp.Statement.filter((s) => !JSON.stringify(s.Action).includes('CallWithBearerToken')) };
    const after = await proofsOf(exampleConfig, stacks, withPinning(loosened), ['bedrock-api-key-call']);
    expect(rows(after, 'bedrock-api-key-call').map((p) => p.ok)).toEqual([false]);
  });

  test('a protection guard that trusts every CDK execution role lets a lookalike role in', async () => {
    const protection = guards[1].policy as { Statement: Array<Record<string, unknown>> };
    const loosened = { ...protection, Statement: protection.Statement.filter((st) => st.Sid !== 'ProtectTheBootstrapRoles') };
    const after = await proofsOf(exampleConfig, stacks, [guards[0], { ...guards[1], policy: loosened }], ['admin-creates-lookalike-exec-role', 'admin-retrusts-exec-role']);
    expect(rows(after, 'admin-creates-lookalike-exec-role').map((p) => [p.ok, p.evaluated])).toEqual([[false, 'Allowed']]);
    expect(rows(after, 'admin-retrusts-exec-role').map((p) => p.ok)).toEqual([false]);
  });

  test('an endpoint policy missing one destination region of the profile breaks the call there', async () => {
    const mutated = copy(stacks);
    const endpoint = byPath(platform(mutated), /\/BedrockRuntime\/Resource$/).Properties.PolicyDocument;
    endpoint.Statement[0].Resource = endpoint.Statement[0].Resource.filter((arn: unknown) => !JSON.stringify(arn).includes(':bedrock:eu-west-3::'));
    const after = await proofsOf(exampleConfig, mutated, guards, ['model-user-profile-destinations']);
    const broken = rows(after, 'model-user-profile-destinations').filter((p) => !p.ok);
    expect(broken.map((p) => /RequestedRegion=([a-z0-9-]+)/.exec(p.request)![1])).toEqual(['eu-west-3']);
    expect(broken[0].deciding).toEqual(['VPC endpoint policy: no statement allows (ImplicitlyDenied)']);
  });

  test('with the endpoint policy and the organisation guard loosened, the permission set alone still holds an unlisted model back', async () => {
    const mutated = copy(stacks);
    const endpoint = byPath(platform(mutated), /\/BedrockRuntime\/Resource$/).Properties.PolicyDocument;
    endpoint.Statement[0].Resource = '*';
    const noAllowlistScp = { ...scp, Statement: scp.Statement.filter((s) => s.Sid !== 'DenyModelsOutsideAllowlist') };
    // The permission set still names the models: the unlisted model stays denied by identity. The
    // proof shows which layer holds: only identity remains.
    const after = await proofsOf(exampleConfig, mutated, withPinning(noAllowlistScp), ['model-user-unlisted-model']);
    const [p] = rows(after, 'model-user-unlisted-model');
    expect(p.ok).toBe(true);
    expect(p.deciding).toEqual(['identity: no statement allows (ImplicitlyDenied)']);
  });
});

describe('access proofs of other configurations', () => {
  test('a target that lists no bedrock-runtime endpoint has its direct path closed, and the proofs expect that', async () => {
    const closed = configWith((r) => {
      delete r.aws.targets[0].bedrockRuntimeEndpointIds;
    });
    const result = await proofsOf(closed, stacksOf(closed));
    expect(failed(result)).toEqual([]);
    const converse = rows(result, 'model-user-converse');
    expect(converse.every((p) => p.expected === 'denied' && p.evaluated === 'ExplicitlyDenied' && /direct path is closed/.test(p.why))).toBe(true);
    expect(rows(result, 'model-user-private-api').map((p) => p.evaluated)).toEqual(['Allowed']);
  });

  test('a target that allowlists only an embedding model: the chat rows say why they do not apply, and every other row is evaluated', async () => {
    const embeddingIds = exampleConfig.aws.models.filter((m) => modelKindOf(m) === 'embedding').map((m) => m.id);
    expect(embeddingIds).toEqual(['amazon.titan-embed-text-v2:0']);
    const embeddingOnly = configWith((r) => {
      r.aws.models = r.aws.models.filter((m) => embeddingIds.includes(m.id));
    });
    const result = await proofsOf(embeddingOnly, stacksOf(embeddingOnly));
    expect(failed(result)).toEqual([]);
    // No row is skipped: each one is evaluated, or reported not applicable with its reason.
    expect(new Set(result.map((p) => p.scenario))).toEqual(new Set(SCENARIOS.map((s) => s.id)));
    const chatRows = SCENARIOS.filter((s) => s.resource === 'allowlistedModel').map((s) => s.id);
    const profileRows = SCENARIOS.filter((s) => s.resource === 'profileDestination').map((s) => s.id);
    const notApplicable = result.filter((p) => p.evaluated === 'not applicable');
    expect(notApplicable.map((p) => p.scenario).sort()).toEqual([...new Set([...chatRows, ...profileRows, ...OPT_IN_ROWS])].sort());
    for (const p of notApplicable.filter((x) => chatRows.includes(x.scenario) && !OPT_IN_ROWS.includes(x.scenario))) expect(p.deciding).toEqual([expect.stringMatching(/^no allowlisted chat model is usable from this target/)]);
    // Out of region, the embedding model stands in for the chat model the other rows would use.
    for (const scenario of ['model-user-outside-regions', 'batch-outside-regions']) {
      expect(rows(result, scenario).map((p) => [p.evaluated, p.request.includes('foundation model amazon.titan-embed-text-v2:0 in ')])).toEqual([['ExplicitlyDenied', true]]);
    }
    expect(rows(result, 'invoker-embeds').map((p) => p.evaluated)).toEqual(['Allowed']);
    expect(rows(result, 'model-user-direct-embedding-guardrail').map((p) => p.evaluated)).toEqual(['ImplicitlyDenied']);
    expect(rows(result, 'model-user-embeddings-api').map((p) => p.evaluated)).toEqual(['Allowed']);
  });

  test('relaxed residency reaches profile destinations outside the allowed regions only through the profile, for targets in two accounts', async () => {
    const relaxed = configWith((r) => {
      r.dataResidency.strict = false;
      r.aws.allowedRegions = ['eu-central-1', 'eu-west-1'];
      r.aws.organizationId = 'o-example1234';
      r.aws.targets.push({ name: 'dr-west', account: '222222222222', region: 'eu-west-1', network: { cidr: '10.41.0.0/16' }, bedrockRuntimeEndpointIds: ['vpce-0b1b2c3d4e5f60718'] });
    });
    const result = await proofsOf(relaxed, stacksOf(relaxed));
    expect(failed(result)).toEqual([]);
    for (const target of ['prod', 'dr-west']) {
      const destinations = rows(result, 'model-user-profile-destinations').filter((p) => p.target === target);
      const outside = destinations.filter((p) => !/RequestedRegion=eu-(central|west)-1\b/.test(p.request));
      expect([target, outside.length > 0, outside.every((p) => p.evaluated === 'Allowed')]).toEqual([target, true, true]);
    }
  });
});

describe('a fleet', () => {
  test('three targets in two accounts and two regions, one without endpoints, every role configured: every row decides as expected for every target, from the same permission sets', async () => {
    const fleet = configWith((r) => {
      r.aws.organizationId = 'o-example1234';
      r.aws.targets.push(
        { name: 'dr-west', account: '222222222222', region: 'eu-west-1', network: { cidr: '10.41.0.0/16' }, bedrockRuntimeEndpointIds: ['vpce-0b1b2c3d4e5f60718'] },
        { name: 'prod-west', account: '111111111111', region: 'eu-west-1', network: { cidr: '10.42.0.0/16' } },
      );
      r.sso.securityResponders = { aws: ['00000000-0000-0000-0000-000000000005'] };
      r.detection = { ...r.detection, suspendedUsers: ['mallory@example.com'] };
    });
    const result = await proofsOf(fleet, stacksOf(fleet));
    expect(failed(result)).toEqual([]);
    expect([...new Set(result.map((p) => p.target))]).toEqual(['prod', 'dr-west', 'prod-west']);
    // The direct path is closed where the target lists no endpoint, and open where it does.
    const converse = (target: string) => rows(result, 'model-user-converse').filter((p) => p.target === target).map((p) => p.evaluated);
    expect(converse('dr-west')).toEqual(['Allowed', 'Allowed']);
    expect(converse('prod-west').every((e) => e === 'ExplicitlyDenied')).toBe(true);
    // The lookalike rows hold in each account.
    for (const scenario of ['auditor-reads-foreign-lookalike-bucket', 'model-user-foreign-lookalike-key']) expect(rows(result, scenario).map((p) => [p.target, p.evaluated])).toEqual(['prod', 'dr-west', 'prod-west'].map((t) => [t, 'ImplicitlyDenied']));
  });
});

describe('the kill switch (detection.suspendModelAccess)', () => {
  const suspendedConfig = configWith((r) => {
    r.detection = { ...r.detection, suspendModelAccess: true };
  });
  let suspendedStacks: AccessStack[];
  let suspendedGuards: OrgGuard[];
  let suspended: AccessProof[];
  beforeAll(async () => {
    suspendedStacks = stacksOf(suspendedConfig);
    suspendedGuards = buildOrgGuards(suspendedConfig);
    suspended = await proofsOf(suspendedConfig, suspendedStacks, suspendedGuards);
  });
  const PERMISSION_SET_DENY = 'identity: permission set ExampleCorpAiModelUser (inline)#ModelAccessSuspended';
  const GUARD_DENY = 'SCP: bedrock-region-pinning.scp.json#ModelAccessSuspended';
  test('every row decides as expected with the switch engaged: the model calls it stops are denied, everything else is unchanged', () => {
    expect(failed(suspended)).toEqual([]);
    const stopped = SCENARIOS.filter((s) => s.suspendable).map((s) => s.id);
    expect(stopped).toEqual(expect.arrayContaining(['model-user-converse', 'model-user-converse-stream', 'model-user-applies-guardrail', 'account-role-converse', 'invoker-converse']));
    for (const p of suspended.filter((x) => stopped.includes(x.scenario))) {
      expect([p.scenario, p.expected, p.evaluated]).toEqual([p.scenario, 'denied', 'ExplicitlyDenied']);
      expect(p.why).toMatch(/Model access is suspended \(detection\.suspendModelAccess, the kill switch\)/);
    }
    // The private API still admits model users: the function answers them 503 (the fast path), or Bedrock denies its role.
    expect(rows(suspended, 'model-user-private-api').map((p) => p.evaluated)).toEqual(['Allowed']);
    // Rows the switch does not concern allow or deny as before (a denial may now also be explicit).
    const unconcerned = (list: readonly AccessProof[]) => list.filter((p) => !stopped.includes(p.scenario)).map((p) => [p.scenario, p.request, p.evaluated === 'Allowed']);
    expect(unconcerned(suspended)).toEqual(unconcerned(proofs));
  });

  test("a model user's direct InvokeModel is allowed with the switch open and denied with it engaged, by the permission set and the organisation guard", () => {
    expect(rows(proofs, 'model-user-converse').map((p) => p.evaluated)).toEqual(['Allowed', 'Allowed']);
    const denied = rows(suspended, 'model-user-converse');
    expect(denied.map((p) => p.evaluated)).toEqual(['ExplicitlyDenied', 'ExplicitlyDenied']);
    for (const p of denied) expect(p.deciding).toEqual(expect.arrayContaining([PERMISSION_SET_DENY, GUARD_DENY]));
    for (const p of rows(suspended, 'model-user-converse-stream')) expect(p.deciding).toEqual(expect.arrayContaining([PERMISSION_SET_DENY, GUARD_DENY]));
    for (const p of rows(suspended, 'model-user-applies-guardrail')) expect(p.deciding).toEqual(expect.arrayContaining([PERMISSION_SET_DENY, GUARD_DENY]));
  });

  test("a role the blueprint does not manage is stopped by the organisation guard's statement alone", () => {
    expect(rows(proofs, 'account-role-converse').every((p) => p.evaluated === 'Allowed')).toBe(true);
    for (const p of rows(suspended, 'account-role-converse')) expect(p).toMatchObject({ evaluated: 'ExplicitlyDenied', deciding: [GUARD_DENY] });
  });

  test('the statements exist only while the switch is engaged', () => {
    const sids = (policy: unknown) => (policy as { Statement: Array<{ Sid?: string }> }).Statement.map((s) => s.Sid);
    expect(sids(modelUserPolicy(identity(stacks)))).not.toContain('ModelAccessSuspended');
    expect(sids(modelUserPolicy(identity(suspendedStacks)))).toContain('ModelAccessSuspended');
    expect(sids(guards[0].policy)).not.toContain('ModelAccessSuspended');
    expect(sids(suspendedGuards[0].policy)).toContain('ModelAccessSuspended');
  });

  test('before an org admin has applied the regenerated guard, the permission set alone denies model users', async () => {
    const scpBefore = guards[0].policy;
    const after = await proofsOf(suspendedConfig, suspendedStacks, [{ ...suspendedGuards[0], policy: scpBefore }, ...suspendedGuards.slice(1)], ['model-user-converse', 'account-role-converse']);
    for (const p of rows(after, 'model-user-converse')) expect(p).toMatchObject({ ok: true, evaluated: 'ExplicitlyDenied', deciding: [PERMISSION_SET_DENY] });
    // A role outside the blueprint is then still allowed: only the guard reaches it.
    const outside = rows(after, 'account-role-converse');
    expect(outside.length).toBeGreaterThan(0);
    for (const p of outside) expect([p.ok, p.evaluated]).toEqual([false, 'Allowed']);
  });

  test('a permission set and a guard without the statement let model users through, and the proof fails', async () => {
    const mutated = copy(suspendedStacks);
    const policy = modelUserPolicy(identity(mutated));
    policy.Statement = (policy.Statement as Array<{ Sid?: string }>).filter((s) => s.Sid !== 'ModelAccessSuspended');
    const after = await proofsOf(suspendedConfig, mutated, [{ ...suspendedGuards[0], policy: guards[0].policy }, ...suspendedGuards.slice(1)], ['model-user-converse']);
    expect(rows(after, 'model-user-converse').map((p) => [p.ok, p.evaluated])).toEqual([
      [false, 'Allowed'],
      [false, 'Allowed'],
    ]);
  });
});

describe('security responders and suspended users', () => {
  const RESPONDERS = ['00000000-0000-0000-0000-000000000005'];
  const SUSPENDED = 'mallory@example.com';
  const respondingConfig = configWith((r) => {
    r.sso.securityResponders = { aws: RESPONDERS };
    r.detection = { ...r.detection, suspendedUsers: [SUSPENDED] };
  });
  let respondingStacks: AccessStack[];
  let responding: AccessProof[];
  beforeAll(async () => {
    respondingStacks = stacksOf(respondingConfig);
    responding = await proofsOf(respondingConfig, respondingStacks, guards);
  });
  const RESPONDER = 'identity: permission set ExampleCorpAiSecurityResponder (inline)';
  const only1 = (scenario: string) => {
    const found = rows(responding, scenario);
    expect([scenario, found.length]).toEqual([scenario, 1]);
    return found[0];
  };

  test('every row is evaluated, and every decision is the one expected', () => {
    expect(failed(responding)).toEqual([]);
    expect(responding.filter((p) => p.evaluated === 'not applicable')).toEqual([]);
    // The roles the example configured decide as they do there.
    const others = (list: readonly AccessProof[]) => list.filter((p) => !OPT_IN_ROWS.includes(p.scenario)).map((p) => [p.scenario, p.evaluated === 'Allowed']);
    expect(others(responding)).toEqual(others(proofs));
  });

  test('responders write and read the kill switch the invoker reads, and no other parameter', () => {
    expect(only1('responder-pulls-switch')).toMatchObject({ evaluated: 'Allowed', deciding: [`${RESPONDER}#PullTheKillSwitch`] });
    expect(only1('responder-pulls-switch').request).toBe('ssm:PutParameter on parameter /private-ai/prod/model-access (aws:RequestedRegion=eu-central-1, aws:userid=AROAEXAMPLEPERMSET01:someone@example.com)');
    expect(only1('responder-reads-switch')).toMatchObject({ evaluated: 'Allowed', deciding: [`${RESPONDER}#PullTheKillSwitch`] });
    expect(only1('responder-puts-other-parameter')).toMatchObject({ evaluated: 'ImplicitlyDenied', request: expect.stringMatching(/^ssm:PutParameter on parameter \/private-ai\/prod\/private-api-url /) });
    expect(only1('model-user-pulls-switch')).toMatchObject({ evaluated: 'ImplicitlyDenied', deciding: ['identity: no statement allows (ImplicitlyDenied)'] });
  });

  test("responders test the detection's alarms and query the audit records, not the prompts", () => {
    expect(only1('responder-tests-alarm')).toMatchObject({ evaluated: 'Allowed', deciding: [`${RESPONDER}#TestDetectionAlarms`], request: expect.stringMatching(/^cloudwatch:SetAlarmState on alarm example-corp-prod\//) });
    expect(only1('responder-queries-audit-records')).toMatchObject({ evaluated: 'Allowed', deciding: [`${RESPONDER}#RunSavedQueries`] });
    expect(only1('responder-queries-prompts')).toMatchObject({ evaluated: 'ImplicitlyDenied', request: expect.stringContaining('/example-corp/prod/model-invocations') });
  });

  test('responders use no model and no private API', () => {
    expect(rows(responding, 'responder-converse').map((p) => p.evaluated)).toEqual(['ImplicitlyDenied', 'ImplicitlyDenied']);
    // The API admits only model users and the configured roles, whatever an identity policy says.
    expect(only1('responder-private-api')).toMatchObject({ evaluated: 'ExplicitlyDenied', deciding: [expect.stringMatching(/\(resource policy\)#DenyOtherPrincipals$/)] });
  });

  test("a suspended user's sessions are denied the private API and the models by the permission set; another user's are not", () => {
    const SUSPENSION = 'identity: permission set ExampleCorpAiModelUser (inline)#SuspendedUsers';
    const api = only1('suspended-user-private-api');
    expect(api).toMatchObject({ evaluated: 'ExplicitlyDenied', deciding: [SUSPENSION] });
    expect(api.request).toContain(`aws:userid=AROAEXAMPLEPERMSET01:${SUSPENDED}`);
    for (const p of rows(responding, 'suspended-user-converse')) expect(p).toMatchObject({ evaluated: 'ExplicitlyDenied', deciding: expect.arrayContaining([SUSPENSION]) });
    // Another model user, same permission set, same requests: allowed.
    const other = only1('model-user-private-api');
    expect(other).toMatchObject({ evaluated: 'Allowed', request: expect.stringContaining('aws:userid=AROAEXAMPLEPERMSET01:someone@example.com') });
    expect(rows(responding, 'model-user-converse').map((p) => p.evaluated)).toEqual(['Allowed', 'Allowed']);
  });

  test('suspending the user the other rows use moves them to another user', async () => {
    const config = configWith((r) => {
      r.detection = { ...r.detection, suspendedUsers: ['someone@example.com'] };
    });
    const result = await proofsOf(config, stacksOf(config), undefined, ['model-user-private-api', 'suspended-user-private-api']);
    expect(failed(result)).toEqual([]);
    expect(rows(result, 'model-user-private-api')[0].request).toContain('aws:userid=AROAEXAMPLEPERMSET01:someone.else@example.com');
  });

  test('a permission set without the suspension lets the suspended user through, and the proof fails', async () => {
    const mutated = copy(respondingStacks);
    const policy = modelUserPolicy(identity(mutated));
    policy.Statement = (policy.Statement as Array<{ Sid?: string }>).filter((s) => s.Sid !== 'SuspendedUsers');
    const after = await proofsOf(respondingConfig, mutated, guards, ['suspended-user-private-api']);
    expect(rows(after, 'suspended-user-private-api').map((p) => [p.ok, p.evaluated])).toEqual([[false, 'Allowed']]);
  });

  test("a responder grant widened to the account's parameters lets a responder rewrite what app teams read, and the proof fails", async () => {
    const mutated = copy(respondingStacks);
    const policy = permissionSetPolicy(identity(mutated), 'SecurityResponder');
    const statement = (policy.Statement as Array<{ Sid?: string; Resource: unknown }>).find((s) => s.Sid === 'PullTheKillSwitch')!;
    statement.Resource = JSON.parse(JSON.stringify(statement.Resource).replace('/private-ai/*/model-access', '/*'));
    const after = await proofsOf(respondingConfig, mutated, guards, ['responder-puts-other-parameter']);
    expect(rows(after, 'responder-puts-other-parameter').map((p) => [p.ok, p.evaluated])).toEqual([[false, 'Allowed']]);
  });
});
