import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { auditBucketName, identityStackName, KEY_PURPOSE, keyAlias, modelKindOf, parseModelId, platformStackName, promptLogsBucketName, type ModelKind, type OrgConfig } from '../../lib/config';
import { profileDestinations } from '../../lib/config/inference-profiles';
import { isKnownAwsRegion } from '../../lib/config/aws-regions';
import { usableModelIds } from '../../lib/aws/bedrock-policies';
import { OWN_ACCOUNT, permissionSetName, type SsoRole } from '../../lib/aws/sso-access';
import { DeployedTemplate, type CfnTemplate } from './cfn-intrinsics';
import type { AccessProofResult } from '../report/model';
import { CDK_EXECUTION_POLICY_FILE } from './cdk-execution-policy';
import type { OrgGuard } from './org-guards';
import { SCENARIOS, type GuardrailUse, type Resource, type Scenario, type Who } from './access-scenarios';

/**
 * Access proofs: every row of the scenario table, for every target, evaluated the way AWS
 * evaluates the request, with the offline IAM evaluator @cloud-copilot/iam-simulate. The layers
 * come from the artefacts: the organisation SCP, the permission sets' inline policies (identity
 * stack), the roles' policies, the private API's resource policy, the interface endpoint's
 * policy, the key policy and the bucket policy (platform stack). Intrinsics are resolved for
 * the example deployment (DeployedTemplate); the target's bedrock-runtime endpoint takes the
 * first ID the config lists for it, as it will once the adopter has copied its output there.
 */

/** A synthesized stack and where it deploys. */
export interface AccessStack {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly template: CfnTemplate;
}

export interface AccessProofInput {
  readonly config: OrgConfig;
  readonly stacks: readonly AccessStack[];
  /** The organisation guards (SCPs), each attached at the root; a guard without its document is reported missing. */
  readonly guards: readonly OrgGuard[];
  /**
   * The CloudFormation execution policy of each environment, as the app wrote it
   * (`org-guards/cdk-execution-policy.<account>-<region>.json`), keyed `<account>-<region>`; an
   * environment without one has its CloudFormation rows reported as errors.
   */
  readonly executionPolicies: Readonly<Record<string, unknown>>;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** One evaluated request: the report's row, with the decision narrowed to what the evaluator returns. */
export interface AccessProof extends AccessProofResult {
  readonly evaluated: Decision | 'not applicable' | 'error';
}

const FULL_AWS_ACCESS = { name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
const ADMIN = { Version: '2012-10-17', Statement: [{ Sid: 'AdministratorAccess', Effect: 'Allow', Action: '*', Resource: '*' }] };
/** An endpoint the organisation does not own: its policy is whatever its owner wants. */
const FOREIGN_ENDPOINT_ID = 'vpce-0f0f0f0f0f0f0f0f0';
/** An account the config does not name, for a guardrail of another account. */
function otherAccount(config: OrgConfig): string {
  const named = new Set([...config.aws.targets.map((t) => t.account), config.aws.identityCenter?.account]);
  return ['123456789012', '210987654321', '999999999999'].find((a) => !named.has(a))!;
}
/** A model that no allowlist here names. */
const UNLISTED_MODEL = 'meta.llama3-70b-instruct-v1:0';

interface Policy {
  readonly name: string;
  readonly policy: unknown;
}

/** Everything the proofs need about one target, resolved. */
interface TargetFacts {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly platform: DeployedTemplate;
  readonly identity?: DeployedTemplate;
  readonly directPath: boolean;
  readonly runtimeEndpointId: string;
  readonly executeApiEndpointId: string;
  /** The scoped CloudFormation execution policy of the target's environment (org-guards/cdk-execution-policy.*.json). */
  readonly executionPolicy: unknown;
  /** An account the config does not name. */
  readonly otherAccount: string;
}

const partitionOf = (region: string) => RegionInfo.get(region).partition ?? 'aws';
const urlSuffixOf = (region: string) => RegionInfo.get(region).domainSuffix ?? 'amazonaws.com';

function deployed(stack: AccessStack, refs?: Record<string, string>): DeployedTemplate {
  return new DeployedTemplate(stack.template, {
    stackName: stack.name,
    account: stack.account,
    region: stack.region,
    partition: partitionOf(stack.region),
    urlSuffix: urlSuffixOf(stack.region),
    refs,
  });
}

function only(ids: string[], what: string, stack: string): string {
  if (ids.length !== 1) {
    throw new Error(`access proofs: expected one ${what} in ${stack}, found ${ids.length} (resources are found by their aws:cdk:path metadata: do not synthesize with --no-path-metadata)`);
  }
  return ids[0];
}

/** The identity policies attached to a role of the template: managed (by Ref or Roles) and inline. */
function rolePolicies(t: DeployedTemplate, roleId: string): Policy[] {
  const role = t.properties(roleId);
  const policies: Policy[] = [];
  const managedArns = (role.ManagedPolicyArns as string[] | undefined) ?? [];
  for (const id of t.idsOf('AWS::IAM::ManagedPolicy')) {
    const raw = t.template.Resources![id].Properties ?? {};
    const attached = ((raw.Roles as unknown[] | undefined) ?? []).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })) || managedArns.includes(t.ref(id));
    if (attached) policies.push({ name: `${t.env.stackName}/${id}`, policy: t.properties(id).PolicyDocument });
  }
  for (const id of t.idsOf('AWS::IAM::Policy')) {
    const raw = t.template.Resources![id].Properties ?? {};
    if (((raw.Roles as unknown[] | undefined) ?? []).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))) {
      policies.push({ name: `${t.env.stackName}/${id}`, policy: t.properties(id).PolicyDocument });
    }
  }
  for (const inline of (role.Policies as Array<{ PolicyName: string; PolicyDocument: unknown }> | undefined) ?? []) {
    policies.push({ name: `${t.env.stackName}/${roleId}/${inline.PolicyName}`, policy: inline.PolicyDocument });
  }
  return policies;
}

/** The resource policy of a private REST API, with `execute-api:/*` expanded to the API's ARN as API Gateway does. */
function apiPolicy(t: DeployedTemplate, apiId: string): unknown {
  const base = `arn:${t.env.partition}:execute-api:${t.env.region}:${t.env.account}:${t.ref(apiId)}`;
  const text = JSON.stringify(t.properties(apiId).Policy);
  return JSON.parse(text.replace(/"execute-api:\/(\*|[^"]*)"/g, (_, rest: string) => JSON.stringify(`${base}/${rest}`)));
}

/**
 * An identity stack's permission set inline policy, as Identity Center provisions it in the target
 * account, with `${aws:PrincipalAccount}` resolved to that account. IAM resolves the variable in
 * every session of the set's role there, in the account field of an ARN as well (AWS's own managed
 * policies grant `arn:*:kms:*:${aws:PrincipalAccount}:key/*`); the evaluator resolves variables in
 * condition values and ARN resource IDs but not in an ARN's account field, so the proofs resolve it
 * first, as IAM would.
 */
function permissionSetPolicy(identity: DeployedTemplate, config: OrgConfig, role: SsoRole, account: string): Policy | undefined {
  const name = permissionSetName(config.organisation.name, role);
  const id = identity.idsOf('AWS::SSO::PermissionSet').find((x) => identity.template.Resources![x].Properties?.Name === name);
  if (!id) return undefined;
  const inline = identity.properties(id).InlinePolicy;
  const text = typeof inline === 'string' ? inline : JSON.stringify(inline);
  return { name: `permission set ${name} (inline)`, policy: JSON.parse(text.split(OWN_ACCOUNT).join(account)) };
}

/** The CDK bootstrap CloudFormation execution role of a target, for the configured qualifier. */
const cdkExecutionRoleArn = (facts: TargetFacts, config: OrgConfig) =>
  `arn:${facts.partition}:iam::${facts.account}:role/cdk-${config.aws.deployment.cdkQualifier}-cfn-exec-role-${facts.account}-${facts.region}`;

/** Identity Center users whose sessions the rows use: the first that no config suspends is everyone else. */
const SSO_USERS = ['someone@example.com', 'someone.else@example.com'];
/** The unique ID of a permission set's role in an account, the first part of its sessions' `aws:userid`. */
const SSO_ROLE_ID = 'AROAEXAMPLEPERMSET01';

/** A caller: its principal ARN, its identity policies, and the request context its session carries. */
interface Caller {
  readonly principal: string;
  readonly principalArn: string;
  readonly policies: Policy[];
  readonly context?: Record<string, string>;
}

/** The principal ARN of each kind of caller, and its identity policies. */
function principalOf(who: Who, facts: TargetFacts, config: OrgConfig): Caller | string {
  const { partition, account, region, platform } = facts;
  const session = (roleArn: string, sessionName: string) => {
    const roleName = roleArn.split('/').pop()!;
    return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
  };
  const suspended = config.detection.suspendedUsers ?? [];
  // Identity Center names each role session after the user, so aws:userid is `<role ID>:<user name>`.
  const sso = (role: SsoRole, user = SSO_USERS.find((u) => !suspended.includes(u))!): Caller | string => {
    if (!facts.identity) return 'no identity stack (aws.identityCenter is not configured)';
    const policy = permissionSetPolicy(facts.identity, config, role, account);
    if (!policy) return `no ${role} permission set in the identity stack`;
    const identityRegion = config.aws.identityCenter?.region ?? region;
    const roleArn = `arn:${partition}:iam::${account}:role/aws-reserved/sso.amazonaws.com/${identityRegion}/AWSReservedSSO_${permissionSetName(config.organisation.name, role)}_0123456789abcdef`;
    return { principal: session(roleArn, user), principalArn: roleArn, policies: [policy], context: { 'aws:userid': `${SSO_ROLE_ID}:${user}` } };
  };
  const stackRole = (functionPath: RegExp, what: string) => {
    const fn = only(platform.idsOf('AWS::Lambda::Function', functionPath), what, platform.env.stackName);
    const roleRef = platform.template.Resources![fn].Properties?.Role as { 'Fn::GetAtt': [string, string] };
    const roleId = roleRef['Fn::GetAtt'][0];
    const roleArn = platform.getAtt(roleId, 'Arn');
    return { principal: session(roleArn, fn), principalArn: roleArn, policies: rolePolicies(platform, roleId) };
  };
  switch (who) {
    case 'modelUser':
      return sso('modelUsers');
    case 'auditor':
      return sso('auditors');
    case 'platformAdmin':
      return sso('platformAdmins');
    case 'promptReviewer':
      return sso('promptReviewers');
    case 'securityResponder':
      return sso('securityResponders');
    case 'suspendedModelUser':
      return suspended.length > 0 ? sso('modelUsers', suspended[0]) : 'detection.suspendedUsers names nobody';
    case 'invoker':
      return stackRole(/\/ModelInvoker\/Function\//, 'model-invoker function');
    case 'loggingSetter':
      if (platform.idsOf('AWS::Lambda::Function', /\/InvocationLogging\/Function\//).length === 0) return 'this target does not own the invocation-logging setting';
      return stackRole(/\/InvocationLogging\/Function\//, 'invocation-logging function');
    case 'apiCaller': {
      const roleArn = config.aws.targets.find((t) => t.name === facts.name)?.apiCallerRoleArns?.[0];
      if (!roleArn) return 'no apiCallerRoleArns configured for this target';
      const own = { Version: '2012-10-17', Statement: [{ Sid: 'CallPrivateApis', Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' }] };
      return { principal: session(roleArn, 'app'), principalArn: roleArn, policies: [{ name: `${roleArn} (its own policy, assumed: execute-api:Invoke on *)`, policy: own }] };
    }
    case 'accountAdmin': {
      const roleArn = `arn:${partition}:iam::${account}:role/some-administrator`;
      return { principal: session(roleArn, 'admin'), principalArn: roleArn, policies: [{ name: 'AdministratorAccess (assumed)', policy: ADMIN }] };
    }
    case 'bootstrapper': {
      const roleArn = `arn:${partition}:iam::${account}:role/${config.aws.deployment.bootstrapRoleNames[0]}`;
      return { principal: session(roleArn, 'bootstrap'), principalArn: roleArn, policies: [{ name: 'AdministratorAccess (assumed)', policy: ADMIN }] };
    }
    case 'cfnExecution': {
      const roleArn = cdkExecutionRoleArn(facts, config);
      return { principal: session(roleArn, 'AWSCloudFormation'), principalArn: roleArn, policies: [{ name: `org-guards/${CDK_EXECUTION_POLICY_FILE(`${account}-${region}`)}`, policy: facts.executionPolicy }] };
    }
  }
}

/** A request's resource, the account that owns it, its resource policy, and any context it carries. */
interface ResolvedResource {
  readonly arn: string;
  readonly label: string;
  readonly account: string;
  readonly region: string;
  readonly resourcePolicy?: Policy;
  readonly context?: Record<string, string | string[]>;
}

/** The allowlisted models of a kind usable from a target region, as the stacks compute them. */
function usableModels(config: OrgConfig, region: string, kind: ModelKind = 'chat'): string[] {
  return usableModelIds({
    modelIds: config.aws.models.filter((m) => modelKindOf(m) === kind).map((m) => m.id),
    region,
    allowedRegions: config.aws.allowedRegions,
    strict: config.dataResidency.strict,
    inferenceProfiles: config.aws.inferenceProfiles,
  });
}

/** The policy of a bucket of the template, as its resource policy. */
function bucketPolicyOf(t: DeployedTemplate, bucketId: string): Policy | undefined {
  const id = t.idsOf('AWS::S3::BucketPolicy').find((p) => JSON.stringify(t.template.Resources![p].Properties?.Bucket) === JSON.stringify({ Ref: bucketId }));
  return id ? { name: `${t.env.stackName}/${id}`, policy: t.properties(id).PolicyDocument } : undefined;
}

/** A key of the template as a request resource: its key policy, and its aliases (`kms:ResourceAliases`). */
function keyResource(t: DeployedTemplate, keyId: string, label: string, context: Record<string, string>): ResolvedResource {
  const aliases = t
    .idsOf('AWS::KMS::Alias')
    .filter((a) => JSON.stringify(t.template.Resources![a].Properties?.TargetKeyId).includes(`"${keyId}"`))
    .map((a) => String(t.properties(a).AliasName));
  return {
    arn: t.getAtt(keyId, 'Arn'),
    label,
    account: t.env.account,
    region: t.env.region,
    resourcePolicy: { name: `${t.env.stackName}/${keyId} (key policy)`, policy: t.properties(keyId).KeyPolicy },
    context: { ...context, 'kms:CallerAccount': t.env.account, ...(aliases.length ? { 'kms:ResourceAliases': aliases } : {}) },
  };
}

/**
 * Why the chat-model rows do not apply to a target: it allowlists embedding models only (or no
 * chat model usable from its region), and those are proven by the embedding rows.
 */
const NO_CHAT_MODEL = 'no allowlisted chat model is usable from this target, so there is no chat call to evaluate';

/** A real region outside the allowed ones, to call an allowlisted model in. */
const OUTSIDE_CANDIDATES = ['us-east-1', 'eu-west-2', 'ap-southeast-2', 'sa-east-1', 'ca-central-1'];
const outsideRegion = (config: OrgConfig) => OUTSIDE_CANDIDATES.find((r) => !config.aws.allowedRegions.includes(r) && isKnownAwsRegion(r));
const NO_OUTSIDE_REGION = `every candidate region (${OUTSIDE_CANDIDATES.join(', ')}) is allowed`;

/**
 * The resources a row acts on in a target, or why the row does not apply there (its proof is then
 * reported "not applicable" with that reason). Never an empty list: prove() reports one as an error.
 */
function resourcesOf(resource: Resource, facts: TargetFacts, config: OrgConfig): ResolvedResource[] | string {
  const { partition, account, region, platform } = facts;
  const fm = (r: string, id: string) => `arn:${partition}:bedrock:${r}::foundation-model/${id}`;
  switch (resource) {
    case 'allowlistedEmbeddingModel': {
      const ids = usableModels(config, region, 'embedding');
      return ids.length > 0 ? ids.map((id) => ({ arn: fm(region, parseModelId(id).foundationModelId), label: `embedding model ${id}`, account, region })) : 'no embedding model is allowlisted for this target';
    }
    case 'allowlistedModel': {
      const ids = usableModels(config, region);
      if (ids.length === 0) return NO_CHAT_MODEL;
      return ids.map((id) =>
        parseModelId(id).profileGeography
          ? { arn: `arn:${partition}:bedrock:${region}:${account}:inference-profile/${id}`, label: `inference profile ${id}`, account, region }
          : { arn: fm(region, id), label: `foundation model ${id}`, account, region },
      );
    }
    case 'profileDestination': {
      const out: ResolvedResource[] = [];
      for (const id of usableModels(config, region)) {
        const p = parseModelId(id);
        if (!p.profileGeography || p.profileGeography === 'global') continue;
        const profileArn = `arn:${partition}:bedrock:${region}:${account}:inference-profile/${id}`;
        for (const d of profileDestinations(id, region, config.aws.inferenceProfiles)) {
          out.push({ arn: fm(d, p.foundationModelId), label: `${p.foundationModelId} in ${d} via ${id}`, account, region: d, context: { 'bedrock:InferenceProfileArn': profileArn } });
        }
      }
      return out.length > 0 ? out : 'no geography inference profile is allowlisted for this target';
    }
    case 'unlistedModel':
      return [{ arn: fm(region, UNLISTED_MODEL), label: `foundation model ${UNLISTED_MODEL} (not allowlisted)`, account, region }];
    case 'modelOutsideRegions': {
      const outside = outsideRegion(config);
      if (!outside) return NO_OUTSIDE_REGION;
      // Any usable model will do: the region guards cover every kind, and a target may allowlist embedding models only.
      const [id] = [...usableModels(config, region), ...usableModels(config, region, 'embedding')];
      if (id === undefined) return 'no allowlisted model is usable from this target';
      const model = parseModelId(id).foundationModelId;
      return [{ arn: fm(outside, model), label: `foundation model ${model} in ${outside}`, account, region: outside }];
    }
    case 'privateApi':
    case 'privateEmbedApi': {
      const route = resource === 'privateApi' ? 'invoke' : 'embed';
      const api = only(platform.idsOf('AWS::ApiGateway::RestApi'), 'private API', platform.env.stackName);
      return [{ arn: `arn:${partition}:execute-api:${region}:${account}:${platform.ref(api)}/v1/POST/${route}`, label: `POST /${route} of the private API`, account, region, resourcePolicy: { name: `${platform.env.stackName}/${api} (resource policy)`, policy: apiPolicy(platform, api) } }];
    }
    case 'trail': {
      const trail = only(platform.idsOf('AWS::CloudTrail::Trail'), 'trail', platform.env.stackName);
      return [{ arn: platform.getAtt(trail, 'Arn'), label: 'the audit trail', account, region }];
    }
    case 'auditObject': {
      const bucket = only(platform.idsOf('AWS::S3::Bucket', /\/Audit\/Bucket\//), 'audit bucket', platform.env.stackName);
      return [
        {
          arn: `${platform.getAtt(bucket, 'Arn')}/AWSLogs/${account}/CloudTrail/${region}/evidence.json.gz`,
          label: 'an object of the audit bucket',
          account,
          region,
          resourcePolicy: bucketPolicyOf(platform, bucket),
        },
      ];
    }
    case 'promptLogObject': {
      const buckets = platform.idsOf('AWS::S3::Bucket', /\/InvocationLogging\/Bucket\//);
      if (buckets.length === 0) return 'this target does not own the invocation-logging setting';
      return [
        {
          arn: `${platform.getAtt(buckets[0], 'Arn')}/model-invocations/AWSLogs/${account}/BedrockModelInvocationLogs/${region}/log.json.gz`,
          label: 'a model invocation log in the prompt-log bucket',
          account,
          region,
          resourcePolicy: bucketPolicyOf(platform, buckets[0]),
        },
      ];
    }
    case 'guardrail': {
      const g = only(platform.idsOf('AWS::Bedrock::Guardrail'), 'guardrail', platform.env.stackName);
      return [{ arn: platform.getAtt(g, 'GuardrailArn'), label: 'the guardrail', account, region }];
    }
    case 'guardrailKey': {
      const g = only(platform.idsOf('AWS::Bedrock::Guardrail'), 'guardrail', platform.env.stackName);
      const keyRef = JSON.stringify(platform.template.Resources![g].Properties?.KmsKeyArn);
      const keyId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(keyRef)?.[1];
      if (!keyId) return 'the guardrail is not encrypted with a key of this stack';
      return [keyResource(platform, keyId, 'the guardrail key', { 'kms:ViaService': `bedrock.${region}.${urlSuffixOf(region)}` })];
    }
    case 'loggingSetterFunction': {
      const fns = platform.idsOf('AWS::Lambda::Function', /\/InvocationLogging\/Function\//);
      if (fns.length === 0) return 'this target does not own the invocation-logging setting';
      return [{ arn: platform.getAtt(fns[0], 'Arn'), label: 'the invocation-logging setter function', account, region }];
    }
    case 'loggingSetterPolicy': {
      const policies = platform.idsOf('AWS::IAM::ManagedPolicy', /\/InvocationLogging\/Function\/Policy\//);
      if (policies.length === 0) return 'this target does not own the invocation-logging setting';
      return [{ arn: platform.ref(policies[0]), label: "the setter role's managed policy", account, region: 'us-east-1' }];
    }
    case 'deliveryRole': {
      const roles = platform.idsOf('AWS::IAM::Role', /\/InvocationLogging\/DeliveryRole\//);
      if (roles.length === 0) return 'this target does not own the invocation-logging setting';
      return [{ arn: platform.getAtt(roles[0], 'Arn'), label: 'the invocation-log delivery role', account, region: 'us-east-1' }];
    }
    case 'cdkExecutionRole':
      return [{ arn: cdkExecutionRoleArn(facts, config), label: 'the CloudFormation execution role', account, region: 'us-east-1' }];
    case 'lookalikeExecutionRole':
      return [{ arn: `arn:${partition}:iam::${account}:role/cdk-${config.aws.deployment.cdkQualifier}-cfn-exec-role-${account}-lookalike`, label: 'a new role named like the execution role', account, region: 'us-east-1' }];
    case 'evidenceLogGroup': {
      const prompts = platform.idsOf('AWS::Logs::LogGroup', /\/InvocationLogging\/Logs\//);
      const group = only(prompts.length > 0 ? prompts : platform.idsOf('AWS::Logs::LogGroup', /\/Audit\/TrailLogs\//), 'evidence log group', platform.env.stackName);
      return [{ arn: platform.getAtt(group, 'Arn').replace(/:\*$/, ''), label: `log group ${platform.ref(group)}`, account, region }];
    }
    case 'auditBucket': {
      const bucket = only(platform.idsOf('AWS::S3::Bucket', /\/Audit\/Bucket\//), 'audit bucket', platform.env.stackName);
      return [{ arn: platform.getAtt(bucket, 'Arn'), label: 'the audit bucket', account, region }];
    }
    case 'auditKeyAlias': {
      const key = only(platform.idsOf('AWS::KMS::Key', /\/Keys\/AuditKey\//), 'audit key', platform.env.stackName);
      const alias = platform.idsOf('AWS::KMS::Alias').find((a) => JSON.stringify(platform.template.Resources![a].Properties?.TargetKeyId).includes(`"${key}"`));
      if (!alias) return 'the audit key has no alias';
      return [{ arn: `arn:${partition}:kms:${region}:${account}:${String(platform.properties(alias).AliasName)}`, label: 'the audit key alias', account, region }];
    }
    case 'auditKey': {
      const key = only(platform.idsOf('AWS::KMS::Key', /\/Keys\/AuditKey\//), 'audit key', platform.env.stackName);
      return [keyResource(platform, key, 'the audit key', {})];
    }
    case 'cdkDeployRole':
      return [{ arn: `arn:${partition}:iam::${account}:role/cdk-${config.aws.deployment.cdkQualifier}-deploy-role-${account}-${region}`, label: 'the CDK deploy role', account, region }];
    case 'iamUser':
      return [{ arn: `arn:${partition}:iam::${account}:user/someone`, label: 'an IAM user', account, region: 'us-east-1' }];
    case 'mantleProject':
      return [{ arn: `arn:${partition}:bedrock-mantle:${region}:${account}:project/default`, label: 'a bedrock-mantle project', account, region, context: { 'bedrock-mantle:Model': UNLISTED_MODEL } }];
    case 'mantleProjectOutsideRegions': {
      const outside = outsideRegion(config);
      if (!outside) return NO_OUTSIDE_REGION;
      return [{ arn: `arn:${partition}:bedrock-mantle:${outside}:${account}:project/default`, label: `a bedrock-mantle project in ${outside}`, account, region: outside, context: { 'bedrock-mantle:Model': UNLISTED_MODEL } }];
    }
    case 'anthropicWorkspace':
      return [{ arn: `arn:${partition}:aws-external-anthropic:${region}:${account}:workspace/default`, label: 'an aws-external-anthropic workspace', account, region }];
    case 'killSwitchParameter':
    case 'otherParameter': {
      const path = resource === 'killSwitchParameter' ? /\/ModelInvoker\/ModelAccess\// : /\/Outputs\/PrivateApiUrlParameter\//;
      const id = only(platform.idsOf('AWS::SSM::Parameter', path), resource === 'killSwitchParameter' ? 'kill-switch parameter' : 'private API URL parameter', platform.env.stackName);
      const name = String(platform.properties(id).Name);
      return [{ arn: `arn:${partition}:ssm:${region}:${account}:parameter${name}`, label: `parameter ${name}`, account, region }];
    }
    case 'detectionAlarm': {
      const alarms = platform.idsOf('AWS::CloudWatch::Alarm', /\/MisuseDetection\//);
      if (alarms.length === 0) return 'this target has no misuse-detection alarm';
      const name = String(platform.properties(alarms[0]).AlarmName);
      return [{ arn: `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`, label: `alarm ${name}`, account, region }];
    }
    case 'auditLogGroup':
    case 'promptLogGroup': {
      const prompts = resource === 'promptLogGroup';
      const groups = platform.idsOf('AWS::Logs::LogGroup', prompts ? /\/InvocationLogging\/Logs\// : /\/ModelInvoker\/Function\/Logs\//);
      if (prompts && groups.length === 0) return 'this target does not own the invocation-logging setting';
      const group = only(groups, prompts ? 'prompt-log group' : 'audit-record log group', platform.env.stackName);
      return [{ arn: platform.getAtt(group, 'Arn').replace(/:\*$/, ''), label: `log group ${platform.ref(group)}`, account, region }];
    }
    case 'foreignAuditObject':
    case 'foreignPromptLogObject': {
      const org = config.organisation.name;
      // A free name of the pattern the permission sets grant (the target's account ID in it), taken by someone else.
      const bucket = resource === 'foreignAuditObject' ? auditBucketName(org, 'lookalike', account) : promptLogsBucketName(org, 'lookalike', account);
      const object = `arn:${partition}:s3:::${bucket}/AWSLogs/${account}/evidence.json.gz`;
      return [{ arn: object, label: `an object of bucket ${bucket}, of account ${facts.otherAccount} outside the organisation, open to everyone`, account: facts.otherAccount, region, resourcePolicy: openTo('s3:GetObject', object, `bucket ${bucket}`) }];
    }
    case 'foreignModelDataKey': {
      const key = `arn:${partition}:kms:${region}:${facts.otherAccount}:key/0f0f0f0f-0f0f-0f0f-0f0f-0f0f0f0f0f0f`;
      const alias = keyAlias(config.organisation.name, facts.name, KEY_PURPOSE.modelData);
      return [
        {
          arn: key,
          label: `a key of account ${facts.otherAccount} outside the organisation with alias ${alias}, open to everyone`,
          account: facts.otherAccount,
          region,
          resourcePolicy: openTo('kms:Decrypt', '*', 'the key'),
          context: { 'kms:ViaService': `bedrock.${region}.${urlSuffixOf(region)}`, 'kms:CallerAccount': account, 'kms:ResourceAliases': [alias] },
        },
      ];
    }
    case 'foreignPrivateApi': {
      const api = `arn:${partition}:execute-api:${region}:${facts.otherAccount}:a1b2c3d4e5/v1/POST/invoke`;
      return [{ arn: api, label: `POST /invoke of a private API of account ${facts.otherAccount} outside the organisation, open to everyone`, account: facts.otherAccount, region, resourcePolicy: openTo('execute-api:Invoke', api, 'the API') }];
    }
    case 'anyResource':
      return [{ arn: '*', label: '*', account, region }];
  }
}

/** A resource policy that admits everyone to one action: only the caller's identity policy can refuse the request. */
function openTo(action: string, resource: string, what: string): Policy {
  return { name: `${what} (resource policy: everyone)`, policy: { Version: '2012-10-17', Statement: [{ Sid: 'Everyone', Effect: 'Allow', Principal: '*', Action: action, Resource: resource }] } };
}

function guardrailContext(use: GuardrailUse, facts: TargetFacts): Record<string, string> {
  const g = only(facts.platform.idsOf('AWS::Bedrock::Guardrail'), 'guardrail', facts.platform.env.stackName);
  const arn = facts.platform.getAtt(g, 'GuardrailArn');
  const version = only(facts.platform.idsOf('AWS::Bedrock::GuardrailVersion'), 'guardrail version', facts.platform.env.stackName);
  switch (use) {
    case 'published':
      return { 'bedrock:GuardrailIdentifier': `${arn}:${facts.platform.getAtt(version, 'Version')}` };
    case 'draft':
      return { 'bedrock:GuardrailIdentifier': `${arn}:DRAFT` };
    case 'unversioned':
      return { 'bedrock:GuardrailIdentifier': arn };
    case 'otherAccount':
      return { 'bedrock:GuardrailIdentifier': `${arn.replace(`:${facts.account}:`, `:${facts.otherAccount}:`)}:1` };
    case 'none':
      return {};
  }
}

/**
 * An endpoint policy as the evaluator takes it: `"Principal": {"AWS": "*"}` (what CDK writes, and
 * AWS accepts) is the same principal as `"*"`, the only form the evaluator's validator admits.
 */
function endpointPolicy(facts: TargetFacts, path: RegExp, what: string): Policy {
  const id = only(facts.platform.idsOf('AWS::EC2::VPCEndpoint', path), what, facts.platform.env.stackName);
  const doc = facts.platform.properties(id).PolicyDocument as { Statement: Array<Record<string, unknown>> };
  const statements = doc.Statement.map((st) => (JSON.stringify(st.Principal) === '{"AWS":"*"}' ? { ...st, Principal: '*' } : st));
  return { name: `${facts.platform.env.stackName}/${id} (endpoint policy)`, policy: { ...doc, Statement: statements } };
}

type Analysis = Record<string, unknown>;
/** A statement the evaluator matched; its statement is an iam-policy object (`sid()`), or plain JSON. */
type StatementHit = { policyId?: string; statement?: { sid?: () => string | undefined; index?: () => number; Sid?: string } };
const sidOf = (s: StatementHit) => s.statement?.sid?.() ?? s.statement?.Sid ?? (s.statement?.index ? `statement ${s.statement.index()}` : '(no Sid)');

/** The statements that decided a simulation, named by layer, policy and Sid. */
function decidingStatements(decision: Decision, analysis: Analysis): string[] {
  const label = (layer: string, s: StatementHit) => `${layer}: ${s.policyId ?? '?'}#${sidOf(s)}`;
  const layers: Array<[string, string]> = [
    ['identityAnalysis', 'identity'],
    ['resourceAnalysis', 'resource policy'],
    ['endpointAnalysis', 'VPC endpoint policy'],
    ['permissionBoundaryAnalysis', 'permissions boundary'],
  ];
  const out: string[] = [];
  const pick = (kind: 'allowStatements' | 'denyStatements') => {
    for (const [key, layer] of layers) for (const s of ((analysis[key] as Analysis | undefined)?.[kind] as StatementHit[] | undefined) ?? []) out.push(label(layer, s));
    // SCP allows are FullAWSAccess at every level: only their denies decide anything.
    if (kind === 'denyStatements') {
      for (const level of ((analysis.scpAnalysis as Analysis | undefined)?.ouAnalysis as Analysis[] | undefined) ?? []) {
        for (const s of (level.denyStatements as StatementHit[] | undefined) ?? []) out.push(label('SCP', s));
      }
    }
  };
  if (decision === 'ExplicitlyDenied') pick('denyStatements');
  else if (decision === 'Allowed') pick('allowStatements');
  else {
    for (const [key, layer] of layers) {
      const result = (analysis[key] as Analysis | undefined)?.result;
      if (result !== undefined && result !== 'Allowed' && result !== 'NotApplicable') out.push(`${layer}: no statement allows (${String(result)})`);
    }
    const scp = (analysis.scpAnalysis as Analysis | undefined)?.result;
    if (scp !== undefined && scp !== 'Allowed') out.push(`SCP: no statement allows (${String(scp)})`);
    if (out.length === 0) out.push('no policy allows the request');
  }
  return [...new Set(out)];
}

function describeRequest(s: Scenario, r: ResolvedResource, context: Record<string, unknown>): string {
  const shown = Object.entries(context)
    .filter(([k]) => ['aws:userid', 'aws:SourceVpce', 'bedrock:GuardrailIdentifier', 'aws:RequestedRegion', 'bedrock:InferenceProfileArn', 'kms:ViaService', 'iam:ServiceSpecificCredentialServiceName'].includes(k))
    .map(([k, v]) => `${k}=${String(v)}`);
  return `${s.action} on ${r.label}${shown.length ? ` (${shown.join(', ')})` : ''}`;
}

/** Evaluates one scenario for one target: one proof per resource it expands to. */
async function prove(s: Scenario, facts: TargetFacts, config: OrgConfig, guards: readonly OrgGuard[]): Promise<AccessProof[]> {
  const closedHere = s.needsDirectPath === true && !facts.directPath;
  const closedEverywhere = s.needsAnyDirectPath === true && !config.aws.targets.some((t) => (t.bedrockRuntimeEndpointIds ?? []).length > 0);
  const closed = closedHere || closedEverywhere;
  const suspended = s.suspendable === true && config.detection.suspendModelAccess;
  const expected = closed || suspended ? 'denied' : s.expect;
  const why = [
    s.why,
    ...(closedHere ? ['This target lists no bedrockRuntimeEndpointIds, so the direct path is closed.'] : []),
    ...(closedEverywhere ? ['No target lists bedrockRuntimeEndpointIds, so the direct path is closed.'] : []),
    ...(suspended ? ['Model access is suspended (detection.suspendModelAccess, the kill switch), so every model call is denied.'] : []),
  ].join(' ');
  const base = { target: facts.name, scenario: s.id, who: s.who, expected, why } as const;
  if (s.who === 'cfnExecution' && facts.executionPolicy === undefined) {
    // The artefact the adopter attaches is what is proven; without it there is nothing to prove.
    return [{ ...base, request: `${s.action} on ${s.resource}`, evaluated: 'error', deciding: [`org-guards/${CDK_EXECUTION_POLICY_FILE(`${facts.account}-${facts.region}`)} is missing`], ok: false }];
  }
  const principal = principalOf(s.who, facts, config);
  const resources = resourcesOf(s.resource, facts, config);
  if (typeof principal === 'string' || typeof resources === 'string') {
    return [{ ...base, request: `${s.action} on ${s.resource}`, evaluated: 'not applicable', deciding: [typeof principal === 'string' ? principal : (resources as string)], ok: true }];
  }
  if (resources.length === 0) {
    // A row that evaluates nothing would pass in silence: a resolver that finds nothing says why instead.
    return [{ ...base, request: `${s.action} on ${s.resource}`, evaluated: 'error', deciding: [`${s.resource} resolved to no resource and gave no reason`], ok: false }];
  }
  const proofs: AccessProof[] = [];
  for (const r of resources) {
    const context: Record<string, string | string[]> = {
      'aws:PrincipalArn': principal.principalArn,
      'aws:PrincipalAccount': facts.account,
      'aws:RequestedRegion': r.region,
      // The account that owns the resource; S3 ARNs do not say it, and the permission sets require it for buckets.
      'aws:ResourceAccount': r.account,
      'aws:SecureTransport': 'true',
      ...(config.aws.organizationId ? { 'aws:PrincipalOrgID': config.aws.organizationId } : {}),
      ...principal.context,
      ...(s.action.startsWith('bedrock:Invoke') ? guardrailContext(s.guardrail ?? 'published', facts) : {}),
      ...r.context,
      ...s.context,
    };
    const endpoints: Policy[] = [];
    if (s.via === 'runtimeEndpoint') {
      context['aws:SourceVpce'] = facts.runtimeEndpointId;
      endpoints.push(endpointPolicy(facts, /\/BedrockRuntime\//, 'bedrock-runtime endpoint'));
    } else if (s.via === 'executeApiEndpoint') {
      context['aws:SourceVpce'] = facts.executeApiEndpointId;
      endpoints.push(endpointPolicy(facts, /\/ExecuteApi\//, 'execute-api endpoint'));
    } else if (s.via === 'controlPlaneEndpoint') {
      const id = only(facts.platform.idsOf('AWS::EC2::VPCEndpoint', /\/Vpc\/Bedrock\/Resource$/), 'bedrock endpoint', facts.platform.env.stackName);
      context['aws:SourceVpce'] = facts.platform.ref(id);
      endpoints.push(endpointPolicy(facts, /\/Vpc\/Bedrock\/Resource$/, 'bedrock endpoint'));
    } else if (s.via === 'foreignEndpoint') {
      context['aws:SourceVpce'] = FOREIGN_ENDPOINT_ID;
    }
    const simulation: Simulation = {
      request: { principal: principal.principal, action: s.action, resource: { resource: r.arn, accountId: r.arn.split(':')[4] || r.account }, contextVariables: context },
      identityPolicies: principal.policies,
      serviceControlPolicies: [
        { orgIdentifier: 'r-root', policies: [FULL_AWS_ACCESS, ...guards.map((g) => ({ name: g.file, policy: g.policy }))] },
        { orgIdentifier: facts.account, policies: [FULL_AWS_ACCESS] },
      ],
      resourceControlPolicies: [],
      resourcePolicy: r.resourcePolicy?.policy,
      vpcEndpointPolicies: endpoints,
    };
    const result = await runSimulation(simulation, {});
    const request = describeRequest(s, r, context);
    if (result.resultType === 'error') {
      proofs.push({ ...base, request, evaluated: 'error', deciding: [result.errors.message, JSON.stringify(result.errors).slice(0, 400)], ok: false });
      continue;
    }
    const outcome = result.resultType === 'single' ? result.result : result.results[0];
    // A key the evaluator dropped as not applying to the action would make the proof say nothing about it.
    const ignored = outcome?.ignoredContextKeys?.filter((k) => !['aws:PrincipalOrgID', 'aws:SecureTransport'].includes(k)) ?? [];
    if (ignored.length > 0) {
      proofs.push({ ...base, request, evaluated: 'error', deciding: [`the evaluator ignored the context keys ${ignored.join(', ')} for ${s.action}`], ok: false });
      continue;
    }
    const analysis = outcome?.analysis as unknown as Analysis;
    const decision = result.overallResult as Decision;
    const deciding = decidingStatements(decision, analysis ?? {});
    // Policy names refer to the resource policy by the name we gave it.
    const named = r.resourcePolicy ? deciding.map((d) => d.replace(/^resource policy: [^#]*#/, `resource policy: ${r.resourcePolicy!.name}#`)) : deciding;
    proofs.push({ ...base, request, evaluated: decision, deciding: named, ok: (decision === 'Allowed') === (expected === 'allowed') });
  }
  return proofs;
}

/** The platform stack of each of the config's targets with its facts resolved, or why it cannot be evaluated. */
function targetFacts(input: AccessProofInput): Array<TargetFacts | { readonly name: string; readonly problem: string }> {
  const { config } = input;
  const identityStack = input.stacks.find((s) => s.name === identityStackName(config.organisation.name));
  return config.aws.targets.map((target) => {
    try {
      return factsOf(input, target, identityStack);
    } catch (e) {
      return { name: target.name, problem: (e as Error).message };
    }
  });
}

function factsOf(input: AccessProofInput, target: OrgConfig['aws']['targets'][number], identityStack: AccessStack | undefined): TargetFacts {
  const stack = input.stacks.find((s) => s.name === platformStackName(input.config.organisation.name, target.name));
  if (!stack) throw new Error(`access proofs: no synthesized platform stack for target ${target.name} (${target.account}/${target.region})`);
  const probe = deployed(stack);
  const runtimeId = only(probe.idsOf('AWS::EC2::VPCEndpoint', /\/BedrockRuntime\//), 'bedrock-runtime endpoint', stack.name);
  const configured = target.bedrockRuntimeEndpointIds?.[0];
  const platform = deployed(stack, configured ? { [runtimeId]: configured } : undefined);
  const executeApiId = only(platform.idsOf('AWS::EC2::VPCEndpoint', /\/ExecuteApi\//), 'execute-api endpoint', stack.name);
  return {
    name: target.name,
    account: target.account,
    region: target.region,
    partition: platform.env.partition,
    platform,
    identity: identityStack ? deployed(identityStack) : undefined,
    directPath: configured !== undefined,
    runtimeEndpointId: platform.ref(runtimeId),
    executeApiEndpointId: platform.ref(executeApiId),
    otherAccount: otherAccount(input.config),
    executionPolicy: input.executionPolicies[`${target.account}-${target.region}`],
  };
}

/** Evaluates every scenario for every target. */
export async function proveAccess(input: AccessProofInput, scenarios: readonly Scenario[] = SCENARIOS): Promise<AccessProof[]> {
  const proofs: AccessProof[] = [];
  const unproven = (target: string, problem: string): AccessProof => ({
    target,
    scenario: 'all',
    who: '-',
    request: `the ${scenarios.length} scenarios of the table`,
    expected: 'allowed',
    evaluated: 'error',
    deciding: [problem],
    why: 'Every scenario must be evaluated against the artefacts of every target.',
    ok: false,
  });
  for (const facts of targetFacts(input)) {
    if ('problem' in facts) {
      proofs.push(unproven(facts.name, facts.problem));
    } else if (input.guards.some((g) => g.policy === undefined)) {
      const missing = input.guards.filter((g) => g.policy === undefined).map((g) => g.file);
      proofs.push(unproven(facts.name, `${missing.join(' and ')} missing: the proofs evaluate every request against the organisation guards; synthesize with this project's CDK app (npm run synth)`));
    } else {
      for (const s of scenarios) proofs.push(...(await prove(s, facts, input.config, input.guards)));
    }
  }
  return proofs;
}
