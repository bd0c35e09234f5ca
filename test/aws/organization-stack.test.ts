import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { ConfigError, parseOrgConfig, type ConfigIssue, type OrgConfig } from '../../lib/config';
import { guardProblems, OrganizationGuards, type GuardPolicy } from '../../lib/aws/organization-guards';
import { buildOrgGuards, buildProtectionRcp, ORG_GUARD_FILES, RCP_FILE } from '../../policies/aws/org-guards';
import { attachRulePacks } from '../../policies/aws/rule-packs';
import { OrganizationStack, organizationStackName } from '../../stacks/aws/organization-stack';
import { configWith, newApp, rawExample } from '../support/aws';

const ADMIN_ACCOUNT = '999999999999';
const TARGET_ACCOUNT = '111111111111';
const ATTACH_TO = ['ou-ab12-cdef3456', TARGET_ACCOUNT];
const ORG_ID = 'o-a1b2c3d4e5';

/** The example with the guards as a stack in the management account, attached to an OU and the prod account. */
const orgConfig = configWith((r) => {
  r.aws.organizationId = ORG_ID;
  r.aws.organization = { policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-central-1', attachTo: ATTACH_TO };
});

function organizationStack(config: OrgConfig = orgConfig, props: Partial<ConstructorParameters<typeof OrganizationStack>[2]> = {}): OrganizationStack {
  return new OrganizationStack(newApp(), organizationStackName(config), { config, ...props });
}

type PolicyResource = { Properties: { Name: string; Type: string; Content: unknown; TargetIds: string[]; Description: string }; DeletionPolicy?: string; UpdateReplacePolicy?: string };

describe('OrganizationStack', () => {
  const stack = organizationStack();
  const template = Template.fromStack(stack);
  const policies = template.findResources('AWS::Organizations::Policy') as Record<string, PolicyResource>;
  const byName = (name: string) => Object.values(policies).find((p) => p.Properties.Name === name)!;

  test('deploys to the policy admin account and region of aws.organization, named after the organisation, protected from deletion', () => {
    expect([stack.stackName, stack.account, stack.region, stack.terminationProtection]).toEqual(['PrivateAi-example-corp-organization', ADMIN_ACCOUNT, 'eu-central-1', true]);
  });

  test('deploys the two SCPs and the RCP, each attached to every root, OU or account of attachTo', () => {
    expect(Object.values(policies).map((p) => [p.Properties.Name, p.Properties.Type, p.Properties.TargetIds])).toEqual([
      ['PrivateAi-example-corp-bedrock-region-pinning', 'SERVICE_CONTROL_POLICY', ATTACH_TO],
      ['PrivateAi-example-corp-blueprint-protection', 'SERVICE_CONTROL_POLICY', ATTACH_TO],
      ['PrivateAi-example-corp-resource-protection', 'RESOURCE_CONTROL_POLICY', ATTACH_TO],
    ]);
    template.hasResourceProperties('AWS::Organizations::Policy', {
      Name: 'PrivateAi-example-corp-resource-protection',
      Tags: Match.arrayWith([{ Key: 'data-classification', Value: orgConfig.tags.dataClassification }]),
    });
    template.hasOutput('RegionPinningPolicyId', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GuardsRegionPinning'), 'Id'] } });
  });

  test('retains every policy when the stack is deleted or the policy leaves the template: removing a guard is an administrator detaching it by hand', () => {
    for (const p of Object.values(policies)) expect([p.Properties.Name, p.DeletionPolicy, p.UpdateReplacePolicy]).toEqual([p.Properties.Name, 'Retain', 'Retain']);
  });

  test("each policy's Content is the document of its file under cdk.out/org-guards/, from the one builder", () => {
    const guards = buildOrgGuards(orgConfig);
    expect(guards.map((g) => g.file)).toEqual([...ORG_GUARD_FILES, RCP_FILE]);
    for (const guard of guards) {
      // As bin/app.ts writes the file: every character, minified.
      const file = JSON.parse(JSON.stringify(guard.policy));
      expect(byName(guard.name).Properties.Content).toEqual(file);
    }
    // Content is JSON, not a string, so CloudFormation detects drift.
    expect(typeof byName('PrivateAi-example-corp-bedrock-region-pinning').Properties.Content).toBe('object');
  });

  test('every policy fits the 5,120 characters of AWS Organizations, even for the longest names the config takes', () => {
    for (const p of Object.values(policies)) expect(JSON.stringify(p.Properties.Content).length).toBeLessThanOrEqual(5120);
    const longest = configWith((r) => {
      r.organisation.name = 'a'.repeat(32);
      r.aws.organizationId = `o-${'z'.repeat(32)}`;
      r.aws.deployment = { cdkQualifier: 'q'.repeat(10), bootstrapRoleNames: ['OrganizationAccountAccessRole'] };
      r.aws.organization = { policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-central-1', attachTo: ['r-ab12'] };
    });
    const sizes = buildOrgGuards(longest).map((g) => [g.file, JSON.stringify(g.policy).length] as const);
    expect(sizes.map(([file]) => file)).toEqual([...ORG_GUARD_FILES, RCP_FILE]);
    for (const [file, size] of sizes) expect([file, size <= 5120]).toEqual([file, true]);
    // The RCP grows with names only, never with targets or models: far from the limit.
    expect(JSON.stringify(buildProtectionRcp(longest)).length).toBeLessThan(2500);
  });

  test('without resourceControlPolicies, only the SCPs: the organisation may not have RCPs enabled', () => {
    const scpsOnly = configWith((r) => (r.aws.organization = { policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-central-1', attachTo: ['r-ab12'], resourceControlPolicies: false }));
    const types = Object.values(Template.fromStack(organizationStack(scpsOnly)).findResources('AWS::Organizations::Policy')).map((p) => p.Properties.Type);
    expect(types).toEqual(['SERVICE_CONTROL_POLICY', 'SERVICE_CONTROL_POLICY']);
    expect(buildOrgGuards(scpsOnly).map((g) => g.file)).toEqual([...ORG_GUARD_FILES]);
  });

  test('the RCP is valid for its type: Deny with Principal "*" only, no NotPrincipal, and only services RCPs support', () => {
    const rcp = byName('PrivateAi-example-corp-resource-protection').Properties.Content as { Statement: Array<Record<string, unknown>> };
    expect(rcp.Statement.map((s) => [s.Sid, s.Effect, s.Principal, 'NotPrincipal' in s])).toEqual([
      ['ProtectEvidenceBuckets', 'Deny', '*', false],
      ['ProtectBlueprintKeys', 'Deny', '*', false],
      ['OnlyServicesAssumeTheChangePath', 'Deny', '*', false],
      ['KeepEvidenceInTheOrganization', 'Deny', '*', false],
    ]);
    const services = new Set(rcp.Statement.flatMap((s) => [s.Action].flat().map((a) => String(a).split(':')[0])));
    expect([...services].sort()).toEqual(['kms', 's3', 'sts']);
    // Without aws.organizationId there is no organisation to keep the evidence in.
    const noOrgId = buildProtectionRcp(configWith((r) => (r.aws.organization = { policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-central-1', attachTo: ['r-ab12'] })));
    expect(noOrgId.Statement.map((s) => s.Sid)).toEqual(['ProtectEvidenceBuckets', 'ProtectBlueprintKeys', 'OnlyServicesAssumeTheChangePath']);
  });

  test('passes every rule pack with no finding and no acknowledgement', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'organization-packs-'));
    const app = newApp(outdir);
    new OrganizationStack(app, organizationStackName(orgConfig), { config: orgConfig });
    // A bare bucket beside it shows the packs ran over the app.
    new s3.Bucket(new Stack(app, 'Other'), 'Bare');
    attachRulePacks(app, orgConfig);
    expect(() => app.synth()).toThrow();
    type Finding = { ruleName: string; violatingConstructs: Array<{ constructPath: string }> };
    type Report = { pluginReports: Array<{ pluginName: string; violations: Finding[]; suppressedViolations?: Array<{ acknowledgedAt: string }> }> };
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const findings = report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} @ ${c.constructPath}`)));
    expect(findings).toEqual(expect.arrayContaining(['AwsSolutions-S1 @ Other/Bare/Resource']));
    expect(findings.filter((f) => f.includes('PrivateAi-example-corp-organization'))).toEqual([]);
    expect(report.pluginReports.flatMap((p) => p.suppressedViolations ?? [])).toEqual([]);
  });

  test('refuses a config without aws.organization, another account, and a target named like the stack', () => {
    const example = parseOrgConfig(rawExample());
    expect(() => organizationStack(example)).toThrow(
      'OrganizationStack: aws.organization is not configured; give the policy admin account, its region and the roots, OUs or accounts to attach to, or do not create this stack',
    );
    expect(() => organizationStack(orgConfig, { env: { account: TARGET_ACCOUNT, region: 'eu-central-1' } })).toThrow(
      `OrganizationStack: env.account ${TARGET_ACCOUNT} is not the policy admin account ${ADMIN_ACCOUNT}; AWS Organizations policies can only be created there (config: aws.organization.policyAdminAccount)`,
    );
    const clash = configWith((r) => {
      r.aws.targets.push({ name: 'organization', account: '222222222222', region: 'eu-central-1' });
      r.aws.organization = { policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-central-1', attachTo: ['r-ab12'] };
    });
    expect(() => organizationStack(clash)).toThrow('target name "organization" is reserved for the organisation stack (PrivateAi-example-corp-organization); rename the target (config: aws.targets[1].name)');
  });
});

describe('OrganizationGuards', () => {
  const deny = { Version: '2012-10-17', Statement: [{ Sid: 'DenyAll', Effect: 'Deny', Action: 's3:*', Resource: '*' }] };
  const scp = (over: Partial<GuardPolicy> = {}): GuardPolicy => ({ id: 'Scp', type: 'SERVICE_CONTROL_POLICY', name: 'scp', description: 'd', document: deny, ...over });
  const build = (policies: GuardPolicy[], targetIds = ['r-ab12']) => new OrganizationGuards(new Stack(), 'Guards', { policies, targetIds });

  test('refuses a guard attached to nothing, and more guards of a type than a target holds beside the default', () => {
    expect(() => build([scp()], [])).toThrow('OrganizationGuards: targetIds is empty; a guard attached to nothing protects nothing. Give the roots, OUs or accounts to attach to (config: aws.organization.attachTo)');
    const five = Array.from({ length: 5 }, (_, i) => scp({ id: `Scp${i}`, name: `scp-${i}` }));
    expect(() => build(five)).toThrow('OrganizationGuards: 5 policies of type SERVICE_CONTROL_POLICY, but a target holds 5 including the default one; merge guards into fewer documents');
    expect(() => build(five.slice(0, 4))).not.toThrow();
  });

  test('refuses two guards with one name, which Organizations refuses at deployment', () => {
    expect(() => build([scp(), scp({ id: 'Other' })])).toThrow('OrganizationGuards: two guards are named scp; AWS Organizations needs policy names unique in the organisation');
  });

  test('refuses what Organizations refuses: over 5,120 characters, a Principal in an SCP, NotPrincipal, an RCP that allows or names a principal', () => {
    const big = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:s3:::bucket-${i}`) }] };
    expect(() => build([scp({ document: big })])).toThrow(/^OrganizationGuards: guard Scp \(scp\) is \d{4} characters, over the 5120 limit of AWS Organizations; split it or shorten it$/);
    expect(guardProblems(scp({ document: { Version: '2012-10-17', Statement: [{ Sid: 'P', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*' }] } }))).toEqual([
      'statement P names a Principal, which SCPs do not support: they bind the principals of the accounts they are attached to',
    ]);
    const rcp = (statement: Record<string, unknown>): GuardPolicy => ({ ...scp(), type: 'RESOURCE_CONTROL_POLICY', document: { Version: '2012-10-17', Statement: [{ Sid: 'R', Action: 's3:*', Resource: '*', ...statement }] } });
    expect(guardProblems(rcp({ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::111111111111:root' } }))).toEqual([
      'statement R uses NotPrincipal, which RCPs do not support; exempt principals with an aws:PrincipalArn condition',
      'statement R has Principal undefined; RCPs take "*" only, with conditions to narrow it',
    ]);
    expect(guardProblems(rcp({ Effect: 'Allow', Principal: { AWS: '*' } }))).toEqual([
      'statement R has Effect Allow; RCPs other than RCPFullAWSAccess may only deny',
      'statement R has Principal {"AWS":"*"}; RCPs take "*" only, with conditions to narrow it',
    ]);
    expect(guardProblems(rcp({ Effect: 'Deny', Principal: '*' }))).toEqual([]);
    expect(guardProblems(scp({ name: 'n'.repeat(129) }))).toEqual([`has a name that is not 1 to 128 printable ASCII characters: "${'n'.repeat(129)}"`]);
  });

  test('every guard of the blueprint is valid for its type', () => {
    for (const g of buildOrgGuards(orgConfig)) expect([g.id, guardProblems({ ...g, document: g.policy })]).toEqual([g.id, []]);
  });
});

/**
 * What the RCP decides, request by request, with the offline IAM evaluator: the SCPs allow
 * everything here, so every deny below is the RCP's. Account 111111111111 is a target, 999999999999
 * the management account (bound by no SCP), 444444444444 outside the organisation.
 */
describe('the resource control policy, evaluated', () => {
  const rcp = buildOrgGuards(orgConfig).find((g) => g.type === 'RESOURCE_CONTROL_POLICY')!.policy;
  const ADMIN = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
  const FULL = { name: 'FullAWSAccess', policy: ADMIN };
  const BUCKET = `arn:aws:s3:::example-corp-prod-audit-${TARGET_ACCOUNT}`;
  const KEY = `arn:aws:kms:eu-central-1:${TARGET_ACCOUNT}:key/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d`;
  const EXEC_ROLE = `arn:aws:iam::${TARGET_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${TARGET_ACCOUNT}-eu-central-1`;
  const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
  const session = (roleArn: string) => roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/session';
  const admits = (principal: unknown, action: string, resource: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: action, Resource: resource }] });
  // KMS needs the key policy to admit the account before identity policies count.
  const KEY_POLICY = admits({ AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` }, 'kms:*', '*');

  interface Request {
    /** A role ARN (the session is made from it) or a service principal. */
    readonly caller: string;
    readonly action: string;
    readonly resource: string;
    readonly resourcePolicy?: unknown;
    readonly context?: Record<string, string | string[]>;
  }
  async function decide(r: Request, withRcp = true): Promise<string> {
    const service = r.caller.endsWith('.amazonaws.com');
    const account = service ? TARGET_ACCOUNT : r.caller.split(':')[4];
    const simulation: Simulation = {
      request: {
        principal: service ? r.caller : session(r.caller),
        action: r.action,
        resource: { resource: r.resource, accountId: TARGET_ACCOUNT },
        contextVariables: {
          'aws:PrincipalIsAWSService': String(service),
          ...(service ? {} : { 'aws:PrincipalArn': r.caller, 'aws:PrincipalAccount': account, 'aws:PrincipalOrgID': account === '444444444444' ? 'o-zzzzzzzzzz' : ORG_ID }),
          ...r.context,
        },
      },
      identityPolicies: service ? [] : [{ name: 'admin', policy: ADMIN }],
      serviceControlPolicies: service ? [] : [{ orgIdentifier: 'r-ab12', policies: [FULL] }, { orgIdentifier: account, policies: [FULL] }],
      resourceControlPolicies: withRcp ? [{ orgIdentifier: 'r-ab12', policies: [{ name: RCP_FILE, policy: rcp }] }] : [],
      resourcePolicy: r.resourcePolicy,
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }

  const platformAdmin = role(TARGET_ACCOUNT, 'aws-reserved/sso.amazonaws.com/eu-central-1/AWSReservedSSO_ExampleCorpAiPlatformAdmin_0123456789abcdef');
  const managementAdmin = role(ADMIN_ACCOUNT, 'OrganizationAccountAccessRole');

  test.each([
    ['an administrator of the target deletes audit evidence', { caller: platformAdmin, action: 's3:DeleteObject', resource: `${BUCKET}/AWSLogs/trail.json.gz` }],
    ['an administrator of the target deletes an access-log version', { caller: platformAdmin, action: 's3:DeleteObjectVersion', resource: `arn:aws:s3:::example-corp-prod-logs-${TARGET_ACCOUNT}/log` }],
    ['the management account, which no SCP binds, rewrites the bucket policy it is admitted by', { caller: managementAdmin, action: 's3:PutBucketPolicy', resource: BUCKET, resourcePolicy: admits({ AWS: `arn:aws:iam::${ADMIN_ACCOUNT}:root` }, 's3:*', BUCKET) }],
    ['an administrator schedules the deletion of a blueprint key', { caller: platformAdmin, action: 'kms:ScheduleKeyDeletion', resource: KEY, resourcePolicy: KEY_POLICY, context: { 'kms:ResourceAliases': ['alias/example-corp/prod/audit'] } }],
    ['a bootstrap role that rewrote the trust assumes the execution role', { caller: role(TARGET_ACCOUNT, 'OrganizationAccountAccessRole'), action: 'sts:AssumeRole', resource: EXEC_ROLE, resourcePolicy: admits({ AWS: `arn:aws:iam::${TARGET_ACCOUNT}:root` }, 'sts:AssumeRole', '*') }],
    ['a principal of another organisation reads prompts through a loosened bucket policy', { caller: role('444444444444', 'reader'), action: 's3:GetObject', resource: `arn:aws:s3:::example-corp-prod-inv-${TARGET_ACCOUNT}/prompt.json`, resourcePolicy: admits({ AWS: 'arn:aws:iam::444444444444:root' }, 's3:GetObject', '*') }],
  ])('denies: %s (allowed without the RCP)', async (_, request) => {
    expect(await decide(request, false)).toBe('Allowed');
    expect(await decide(request)).toBe('ExplicitlyDenied');
  });

  test.each([
    ['CloudFormation (the execution role) changes the bucket policy', { caller: EXEC_ROLE, action: 's3:PutBucketPolicy', resource: BUCKET }],
    ['CloudFormation changes a key policy', { caller: EXEC_ROLE, action: 'kms:PutKeyPolicy', resource: KEY, resourcePolicy: KEY_POLICY, context: { 'kms:ResourceAliases': ['alias/example-corp/prod/audit'] } }],
    ['CloudFormation, the service, assumes the execution role', { caller: 'cloudformation.amazonaws.com', action: 'sts:AssumeRole', resource: EXEC_ROLE, resourcePolicy: admits({ Service: 'cloudformation.amazonaws.com' }, 'sts:AssumeRole', '*') }],
    ['CloudTrail, the service, writes audit evidence', { caller: 'cloudtrail.amazonaws.com', action: 's3:PutObject', resource: `${BUCKET}/AWSLogs/trail.json.gz`, resourcePolicy: admits({ Service: 'cloudtrail.amazonaws.com' }, 's3:PutObject', '*') }],
    ['an administrator schedules the deletion of a key that is not the blueprint’s', { caller: platformAdmin, action: 'kms:ScheduleKeyDeletion', resource: KEY, resourcePolicy: KEY_POLICY, context: { 'kms:ResourceAliases': ['alias/team/other'] } }],
    ['an auditor of the organisation reads audit evidence', { caller: role(TARGET_ACCOUNT, 'auditor'), action: 's3:GetObject', resource: `${BUCKET}/AWSLogs/trail.json.gz` }],
  ])('allows: %s', async (_, request) => {
    expect(await decide(request)).toBe('Allowed');
  });
});

describe('config: aws.organization against the rest', () => {
  type Raw = ReturnType<typeof rawExample>;
  const withOrganization = (organization: NonNullable<Raw['aws']['organization']>) => (r: Raw) => (r.aws.organization = organization);
  function issuesFor(...mutations: Array<(raw: Raw) => void>): readonly ConfigIssue[] {
    const raw = rawExample();
    mutations.forEach((m) => m(raw));
    try {
      parseOrgConfig(raw);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).issues;
    }
    return [];
  }
  const ALLOWED = 'eu-central-1, eu-west-1, eu-north-1, eu-west-3';

  test('an organisation stack in an allowed region, in its own account, attached to an OU, is accepted, with RCPs by default', () => {
    expect(issuesFor(withOrganization({ policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-west-1', attachTo: ['ou-ab12-cdef3456'] }))).toEqual([]);
    expect(orgConfig.aws.organization).toEqual({ policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-central-1', attachTo: ATTACH_TO, resourceControlPolicies: true });
  });

  test('its region must be allowed by data residency', () => {
    expect(issuesFor(withOrganization({ policyAdminAccount: ADMIN_ACCOUNT, region: 'us-east-1', attachTo: ['r-ab12'] }))).toEqual([
      {
        path: 'aws.organization.region',
        received: 'us-east-1',
        message: `region us-east-1 is not allowed by data residency policy; allowed: ${ALLOWED} (the organisation stack and its CloudFormation records live there: put it in an allowed region, or add us-east-1 to aws.allowedRegions)`,
      },
    ]);
  });

  test('the policy admin account must run no target: the management account is bound by no guard, a delegated administrator could detach them', () => {
    expect(issuesFor(withOrganization({ policyAdminAccount: TARGET_ACCOUNT, region: 'eu-central-1', attachTo: ['r-ab12'] }))).toEqual([
      {
        path: 'aws.organization.policyAdminAccount',
        received: TARGET_ACCOUNT,
        message: `account ${TARGET_ACCOUNT} also runs target prod (aws.targets[0]); the account that administers the guards must run no workload they guard: the management account is bound by no SCP or RCP, and a delegated administrator's admins could detach them. Use the management account or a dedicated delegated administrator, and deploy the target elsewhere`,
      },
    ]);
  });

  test('guards attached to accounts only must reach every target account, each named once', () => {
    const twoTargets = (r: Raw) => r.aws.targets.push({ name: 'prod-weu', account: TARGET_ACCOUNT, region: 'eu-west-1' }, { name: 'dev', account: '333333333333', region: 'eu-central-1' });
    expect(issuesFor(twoTargets, withOrganization({ policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-central-1', attachTo: [TARGET_ACCOUNT] }))).toEqual([
      {
        path: 'aws.organization.attachTo',
        received: [TARGET_ACCOUNT],
        message: 'attaches the guards to accounts only, and not to 333333333333, the account of target dev (aws.targets[2]), which would run unguarded; add 333333333333, or attach to the root or the OU that holds it',
      },
    ]);
    // A root or an OU may hold every target: only Organizations knows.
    expect(issuesFor(twoTargets, withOrganization({ policyAdminAccount: ADMIN_ACCOUNT, region: 'eu-central-1', attachTo: [TARGET_ACCOUNT, 'ou-ab12-cdef3456'] }))).toEqual([]);
  });
});
