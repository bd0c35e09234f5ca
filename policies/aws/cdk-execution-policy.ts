/**
 * The scoped policy for the CDK bootstrap CloudFormation execution role
 * (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`). `cdk bootstrap` attaches AdministratorAccess
 * to that role unless `--cloudformation-execution-policies` names other managed policies, which makes
 * anyone who may deploy an account administrator in practice. This module derives the replacement
 * from the resource types of the synthesized templates, so it grants what the stacks create and
 * nothing a new construct did not declare.
 *
 * What it does not close: CloudFormation must create IAM roles with the permissions the templates
 * give them, and IAM cannot tell a template's role from any other, so a deployer can still write a
 * template whose role holds more than the deployer does. Closing that takes a permissions boundary
 * on every role the stacks create (`cdk bootstrap --custom-permissions-boundary` and the
 * `@aws-cdk/core:permissionsBoundary` context); see CdkBoostrapPermissionsBoundaryPolicy in
 * aws-cdk's bootstrap template.
 */

/** A synthesized CloudFormation template, the part this module reads. */
export interface CfnTemplateLike {
  readonly Resources?: Record<string, { readonly Type: string }>;
}

/** An IAM policy document as JSON. */
export interface ExecutionPolicyDocument {
  Version: '2012-10-17';
  Statement: Array<Record<string, unknown>>;
}

/** The file name of an environment's policy in `cdk.out/org-guards/`, e.g. `cdk-execution-policy.111111111111-eu-central-1.json`. */
export const CDK_EXECUTION_POLICY_FILE = (environment: string): string => `cdk-execution-policy.${environment}.json`;

/** IAM's limit for a customer managed policy, counted without whitespace. */
export const MANAGED_POLICY_MAX_CHARS = 6144;

/**
 * IAM actions CloudFormation needs for every resource type of a service (`AWS::<Service>::*`).
 * A whole prefix where the service's create/update/delete/read handlers and their tagging calls
 * span most of it; listing them one by one would not fit the size limit and would break on every
 * new property. IAM is not here: its types are listed one by one below, because `iam:*` would
 * include user credentials and make the PassRole condition meaningless.
 */
const SERVICE_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  ApiGateway: ['apigateway:*'],
  Bedrock: ['bedrock:*'],
  CloudTrail: ['cloudtrail:*'],
  // Alarms and Contributor Insights rules of the misuse detection.
  CloudWatch: ['cloudwatch:*'],
  // The delivery pipeline in the tooling account (aws.pipeline): its build projects and the pipeline itself.
  CodeBuild: ['codebuild:*'],
  CodePipeline: ['codepipeline:*'],
  EC2: ['ec2:*'],
  // The detection's tampering rules.
  Events: ['events:*'],
  KMS: ['kms:*'],
  Lambda: ['lambda:*'],
  Logs: ['logs:*'],
  // Resolver endpoints; their network interfaces are EC2's.
  Route53Resolver: ['route53resolver:*'],
  S3: ['s3:*'],
  // The security alert topic.
  SNS: ['sns:*'],
  SQS: ['sqs:*'],
  SSM: ['ssm:*'],
  // Identity Center checks the directory and the organisation's accounts behind assignments.
  SSO: ['sso:*', 'identitystore:Describe*', 'identitystore:Get*', 'identitystore:List*', 'organizations:Describe*', 'organizations:List*'],
  WAFv2: ['wafv2:*'],
};

const ROLE_ACTIONS = [
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
  'iam:UpdateAssumeRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
  'iam:DeleteRolePermissionsBoundary',
  'iam:GetRole*',
  'iam:ListRole*',
  'iam:ListAttachedRolePolicies',
  'iam:ListInstanceProfilesForRole',
];

/** What a resource type needs beyond its service's actions. */
interface TypeNeeds {
  /** More actions: another service's, or a type's own where its service has no entry above. */
  readonly actions?: readonly string[];
  /** The service principal CloudFormation passes a role to when it creates this type. */
  readonly passesRoleTo?: string;
}

const TYPE_NEEDS: Readonly<Record<string, TypeNeeds>> = {
  'AWS::ApiGateway::Account': { passesRoleTo: 'apigateway.amazonaws.com' },
  // A CMK-encrypted guardrail: Bedrock uses the key with the caller's permissions.
  'AWS::Bedrock::Guardrail': { actions: ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'] },
  'AWS::CloudTrail::Trail': { actions: ['iam:GetRole'], passesRoleTo: 'cloudtrail.amazonaws.com' },
  'AWS::CodeBuild::Project': { passesRoleTo: 'codebuild.amazonaws.com' },
  // A pipeline whose source is a CodeConnections connection passes the connection (either service prefix) to CodePipeline.
  'AWS::CodePipeline::Pipeline': { actions: ['codestar-connections:PassConnection', 'codeconnections:PassConnection'], passesRoleTo: 'codepipeline.amazonaws.com' },
  'AWS::EC2::FlowLog': { passesRoleTo: 'vpc-flow-logs.amazonaws.com' },
  // Private DNS on an interface endpoint associates the VPC with a hosted zone AWS owns.
  'AWS::EC2::VPCEndpoint': { actions: ['route53:AssociateVPCWithHostedZone'] },
  'AWS::IAM::ManagedPolicy': {
    actions: [
      'iam:CreatePolicy',
      'iam:DeletePolicy',
      'iam:CreatePolicyVersion',
      'iam:DeletePolicyVersion',
      'iam:SetDefaultPolicyVersion',
      'iam:TagPolicy',
      'iam:UntagPolicy',
      'iam:GetPolicy*',
      'iam:ListPolicy*',
      'iam:ListEntitiesForPolicy',
      'iam:AttachRolePolicy',
      'iam:DetachRolePolicy',
    ],
  },
  'AWS::IAM::Policy': { actions: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:GetRolePolicy'] },
  // The organisation guards (aws.organization), in the policy admin account: the permissions of
  // CloudFormation's handlers for the type, nothing of the organisation's structure.
  'AWS::Organizations::Policy': {
    actions: [
      'organizations:CreatePolicy',
      'organizations:UpdatePolicy',
      'organizations:DeletePolicy',
      'organizations:DescribePolicy',
      'organizations:ListPolicies',
      'organizations:AttachPolicy',
      'organizations:DetachPolicy',
      'organizations:ListTargetsForPolicy',
      'organizations:TagResource',
      'organizations:UntagResource',
      'organizations:ListTagsForResource',
    ],
  },
  'AWS::IAM::Role': { actions: ROLE_ACTIONS },
  // Lambda reads the code from the asset bucket, and checks a VpcConfig, with the caller's permissions.
  'AWS::Lambda::Function': {
    actions: ['s3:GetObject', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSubnets', 'ec2:DescribeVpcs'],
    passesRoleTo: 'lambda.amazonaws.com',
  },
  // WAF delivers to CloudWatch Logs through a log delivery and a log-group resource policy.
  'AWS::WAFv2::LoggingConfiguration': {
    actions: ['logs:CreateLogDelivery', 'logs:DeleteLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies', 'logs:DescribeLogGroups'],
  },
  'AWS::WAFv2::WebACLAssociation': { actions: ['apigateway:SetWebACL'] },
  // Written by the CDK CLI's version reporting; CloudFormation handles it without a call.
  'AWS::CDK::Metadata': { actions: [] },
};

// Custom resources: CloudFormation invokes the ServiceToken function as the execution role.
const CUSTOM_RESOURCE_ACTIONS = ['lambda:InvokeFunction'];

const LONG_TERM_CREDENTIALS = ['iam:CreateUser', 'iam:CreateAccessKey', 'iam:CreateLoginProfile', 'iam:UpdateLoginProfile', 'iam:CreateServiceSpecificCredential'];

// Every organizations verb but Describe* and List*, denied when a template needs some organizations
// action: Identity Center's reads, the guards' policies (whose verbs are then denied action by action).
const ORGANIZATIONS_CHANGES = [
  'Accept', 'Attach', 'Cancel', 'Close', 'Create', 'Decline', 'Delete', 'Deregister', 'Detach', 'Disable', 'Enable',
  'Invite', 'Leave', 'Move', 'Put', 'Register', 'Remove', 'Tag', 'Terminate', 'Untag', 'Update',
].map((verb) => `organizations:${verb}*`);

// The changes to the organisation's structure among those verbs, denied one by one where a
// template needs another action of the same verb (the guards' policies), so a wildcard cannot be.
const ORGANIZATION_STRUCTURE_CHANGES = [
  'CreateAccount', 'CreateGovCloudAccount', 'CreateOrganization', 'CreateOrganizationalUnit', 'DeleteOrganization',
  'DeleteOrganizationalUnit', 'DeleteResourcePolicy', 'UpdateOrganizationalUnit', 'UpdateResponsibilityTransfer',
].map((action) => `organizations:${action}`);

// The bootstrap roles (cdk-<qualifier>-<purpose>-role-<account>-<region>) and the bootstrap
// permissions boundary: a deployment must not widen its own role or open the deploy role's trust.
const BOOTSTRAP_IAM = ['arn:*:iam::*:role/cdk-*', 'arn:*:iam::*:policy/cdk-*'];
const IAM_CHANGES = ['iam:Attach*', 'iam:Create*', 'iam:Delete*', 'iam:Detach*', 'iam:Put*', 'iam:Set*', 'iam:Tag*', 'iam:Untag*', 'iam:Update*', 'iam:PassRole'];

// IAM matches action names case-insensitively, `*` standing for any run of characters; action
// names hold only letters, digits, `:` and `-`, so nothing else needs escaping.
const wildcardPattern = (action: string) => new RegExp(`^${action.replace(/\*/g, '.*')}$`, 'i');

/** The IAM actions and passed-role services one resource type needs; throws for an unknown type. */
function needsOf(type: string): { actions: readonly string[]; passesRoleTo?: string } {
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return { actions: CUSTOM_RESOURCE_ACTIONS };
  const service = /^AWS::([A-Za-z0-9]+)::[A-Za-z0-9]+$/.exec(type)?.[1];
  const serviceActions = service === undefined ? undefined : SERVICE_ACTIONS[service];
  const typeNeeds = TYPE_NEEDS[type];
  if (!serviceActions && !typeNeeds) {
    throw new Error(
      `resource type ${type} has no entry in the CloudFormation execution policy's table; add its IAM actions to SERVICE_ACTIONS (for its service) or TYPE_NEEDS (for the type) in policies/aws/cdk-execution-policy.ts`,
    );
  }
  return { actions: [...(serviceActions ?? []), ...(typeNeeds?.actions ?? [])], passesRoleTo: typeNeeds?.passesRoleTo };
}

/** The scoped CloudFormation execution policy for the stacks given (one account/region's templates). */
export function buildCdkExecutionPolicy(templates: readonly CfnTemplateLike[]): ExecutionPolicyDocument {
  const actions = new Set<string>();
  const passedToServices = new Set<string>();
  for (const template of templates) {
    for (const { Type } of Object.values(template.Resources ?? {})) {
      const needs = needsOf(Type);
      needs.actions.forEach((a) => actions.add(a));
      if (needs.passesRoleTo) passedToServices.add(needs.passesRoleTo);
    }
  }
  // An action a wildcard of the set already grants is redundant; dropping it saves space.
  const wildcards = [...actions].filter((a) => a.includes('*')).map((w) => ({ w, re: wildcardPattern(w) }));
  const granted = [...actions].filter((a) => !wildcards.some(({ w, re }) => w !== a && re.test(a))).sort();
  const organizationActions = granted.filter((a) => a.startsWith('organizations:'));
  const needed = (pattern: string) => organizationActions.some((a) => wildcardPattern(pattern).test(a));
  // A verb the templates need no action of stays denied whole; of the others, the structure changes one by one.
  const deniedVerbs = ORGANIZATIONS_CHANGES.filter((verb) => !needed(verb));
  const organizationDenies =
    organizationActions.length === 0
      ? ['organizations:*']
      : [...deniedVerbs, ...ORGANIZATION_STRUCTURE_CHANGES.filter((a) => !needed(a) && !deniedVerbs.some((verb) => wildcardPattern(verb).test(a)))];

  const statements: Record<string, unknown>[] = [];
  if (granted.length > 0) {
    // Resource '*': CloudFormation names most resources at deploy time (stack name, logical ID,
    // random suffix) and many create and describe calls take no resource ARN at all.
    statements.push({ Sid: 'ManageTheResourceTypesOfTheTemplates', Effect: 'Allow', Action: granted, Resource: '*' });
  }
  statements.push(
    // Stack names come from the app, not the templates; `stack/*` keeps stack sets and registry types out.
    { Sid: 'CloudFormationOnStacks', Effect: 'Allow', Action: 'cloudformation:*', Resource: 'arn:*:cloudformation:*:*:stack/*' },
    // The BootstrapVersion parameter of every CDK template, whatever the qualifier.
    { Sid: 'ReadTheBootstrapVersion', Effect: 'Allow', Action: 'ssm:GetParameters', Resource: 'arn:*:ssm:*:*:parameter/cdk-bootstrap/*' },
  );
  if (passedToServices.size > 0) {
    // Resource '*': the roles have generated names; the condition limits who may receive them.
    statements.push({
      Sid: 'PassRolesToTheServicesThatTakeThem',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: '*',
      Condition: { StringEquals: { 'iam:PassedToService': [...passedToServices].sort() } },
    });
  }
  statements.push(
    { Sid: 'DenyLongTermCredentials', Effect: 'Deny', Action: LONG_TERM_CREDENTIALS, Resource: '*' },
    {
      Sid: 'DenyOrganizationAndAccountChanges',
      Effect: 'Deny',
      Action: [...organizationDenies, 'account:*'],
      Resource: '*',
    },
    { Sid: 'DenyChangesToTheBootstrapRoles', Effect: 'Deny', Action: IAM_CHANGES, Resource: BOOTSTRAP_IAM },
  );

  const doc: ExecutionPolicyDocument = { Version: '2012-10-17', Statement: statements };
  assertFitsManagedPolicy(doc);
  return doc;
}

/** A synthesized stack and the environment it deploys to. */
export interface EnvironmentStack {
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplateLike;
}

/** One execution policy per environment (`cdk bootstrap` is per environment), keyed `<account>-<region>`, from the stacks deployed there. */
export function buildCdkExecutionPolicies(stacks: readonly EnvironmentStack[]): Record<string, ExecutionPolicyDocument> {
  const environments = new Map<string, CfnTemplateLike[]>();
  for (const s of stacks) environments.set(`${s.account}-${s.region}`, [...(environments.get(`${s.account}-${s.region}`) ?? []), s.template]);
  return Object.fromEntries([...environments].map(([env, templates]) => [env, buildCdkExecutionPolicy(templates)]));
}

/** Throws unless the document, minified, fits IAM's size limit for a customer managed policy. */
export function assertFitsManagedPolicy(doc: ExecutionPolicyDocument): void {
  const size = JSON.stringify(doc).length;
  if (size > MANAGED_POLICY_MAX_CHARS) {
    throw new Error(
      `the CloudFormation execution policy is ${size} characters, over IAM's ${MANAGED_POLICY_MAX_CHARS} limit for a managed policy; grant whole service prefixes in SERVICE_ACTIONS instead of single actions`,
    );
  }
}
