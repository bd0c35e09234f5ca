import { createHash } from 'crypto';
import { Annotations, Aws, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sso from 'aws-cdk-lib/aws-sso';
import { Construct } from 'constructs';
import type { ProfileRoutes } from '../config/inference-profiles';
import { parseModelId } from '../config/model-ids';
import { inferModelKind, MODEL_KINDS, modelKindOf, type ModelKind } from '../config/model-kinds';
import { accessLogsBucketName, auditBucketName, INVOCATION_LOG_PREFIX, KEY_PURPOSE, keyAlias, logGroupPrefix, promptLogGroupName, promptLogsBucketName, wafLogGroupName } from '../config/naming';
import { DEFAULT_CDK_QUALIFIER, IDENTITY_CENTER_INSTANCE_ARN_PATTERN, IDENTITY_CENTER_USER_NAME_PATTERN, SESSION_DURATION_PATTERN } from '../config/schema';
import { BEDROCK_INVOKE_ACTIONS, modelResourceArns, profileArns, regionDenyStatement, SUSPENDED_MODEL_ACTIONS, suspendedModelAccessStatement, usableModelIds } from './bedrock-policies';

/**
 * The kinds of people the blueprint gives AWS access to. Prompt reviewers, the only ones who
 * read prompts and responses, and security responders, who pull the kill switch by hand, are
 * optional: their permission sets exist only when groups are given.
 */
export const SSO_ROLES = ['modelUsers', 'auditors', 'platformAdmins', 'promptReviewers', 'securityResponders'] as const;
export type SsoRole = (typeof SSO_ROLES)[number];

/** Identity Store group IDs per role. */
export interface SsoGroups {
  readonly modelUsers: readonly string[];
  readonly auditors: readonly string[];
  readonly platformAdmins: readonly string[];
  /**
   * Who may read prompts and responses (config: sso.promptReviewers.aws).
   * @default - none: no prompt-reviewer permission set is created
   */
  readonly promptReviewers?: readonly string[];
  /**
   * Who may pull the kill switch by hand, test the detection's alarms and run the playbooks'
   * saved queries (config: sso.securityResponders.aws).
   * @default - none: no security-responder permission set is created
   */
  readonly securityResponders?: readonly string[];
}

/** What security responders act on in a target: names its platform stack gives them. */
export interface SsoResponse {
  /** Name of the kill-switch parameter the model invoker reads (ModelInvoker.killSwitch), e.g. `/private-ai/prod/model-access`. */
  readonly killSwitchParameterName: string;
  /** Prefix of the detection's alarm names (MisuseDetection's `namePrefix`): its alarms are `<prefix>/<signal>/<id>`. */
  readonly alarmNamePrefix: string;
  /**
   * Log groups the playbooks' saved queries run over, apart from the prompt logs: the invoker's
   * audit records, the trail, the private API's access log.
   */
  readonly queryLogGroupNames: readonly string[];
}

/** Where a target keeps prompts and responses (the invocation logs), apart from the audit evidence. */
export interface SsoPromptLogs {
  /** Name of the prompt-log bucket (InvocationLogging's `bucketName`). */
  readonly bucketName: string;
  /** Name of the prompt-log CloudWatch log group (InvocationLogging's `logGroupName`). */
  readonly logGroupName: string;
}

/** A workload account and region whose platform stack the permission sets reach. */
export interface SsoTarget {
  /** Target name, as in the platform stack; names the audit buckets and log groups. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  /**
   * The organisation's bedrock-runtime interface endpoints in this target, the only ones model
   * users may call Bedrock directly through.
   * @default - none: the direct SDK path is closed in this target (the private API stays open)
   */
  readonly bedrockRuntimeEndpointIds?: readonly string[];
  /**
   * The target's prompt logs, when its platform stack owns invocation logging. The permission sets
   * reach prompt logs by the blueprint's naming convention (promptLogsBucketName and
   * promptLogGroupName in lib/config/naming.ts), the same pattern for every target, so that they do
   * not grow with the fleet: names given here must follow it. Prompt reviewers read them, and
   * auditors are denied them (the prompt-log group lives under the log-group prefix auditors read).
   * @default - none: the target keeps no prompt logs of its own (another target of its account and
   * region, or nobody, owns invocation logging)
   */
  readonly promptLogs?: SsoPromptLogs;
  /**
   * The target's kill switch, alarms and log groups, for security responders. Each name is granted
   * as a pattern with the target's name replaced by `*` where the platform stack puts it (the
   * parameter's and log groups' second-to-last path segment, the alarm prefix's last hyphenated
   * part), so that targets named alike share one grant; a name that does not have the target's name
   * there is granted as it is.
   * @default - none; required for every target when security-responder groups are given
   */
  readonly response?: SsoResponse;
}

/** The model allowlist, as the platform stacks apply it. */
export interface SsoModels {
  /**
   * Allowlisted model or inference-profile IDs, of every kind: platform admins enable each of
   * them, and model users invoke the chat models among them directly.
   */
  readonly modelIds: readonly string[];
  /**
   * The kind of allowlisted models whose ID does not say it, by model ID (config: aws.models[].kind).
   * Model users invoke only chat models directly: Bedrock takes no guardrail with embedding models,
   * so those are reached through the private API's POST /embed, which screens the input first.
   * @default - each kind is inferred from the model ID (a model whose ID does not say is refused)
   */
  readonly kinds?: Readonly<Record<string, ModelKind>>;
  /** Strict data residency: no `global.` profiles. */
  readonly strict: boolean;
  /**
   * Where geography inference profiles route, beyond the blueprint's table.
   * @default - the table in lib/config/inference-profiles.ts only
   */
  readonly inferenceProfiles?: Readonly<Record<string, ProfileRoutes>>;
  /**
   * AWS Marketplace product IDs of allowlisted models that MARKETPLACE_PRODUCT_IDS does not know,
   * by foundation-model ID (`anthropic.claude-...-v1:0`); platform admins may subscribe to these.
   * @default - MARKETPLACE_PRODUCT_IDS only
   */
  readonly marketplaceProductIds?: Readonly<Record<string, string>>;
}

/** IAM Identity Center permission sets for model users, auditors, platform admins and prompt reviewers. */
export interface SsoAccessProps {
  /** ARN of the IAM Identity Center instance. */
  readonly instanceArn: string;
  /** Organisation name: prefixes the permission set names, and names the audit buckets and log groups. */
  readonly organisationName: string;
  /** Workload accounts and regions; each account gets every group assigned, each target its own grants. */
  readonly targets: readonly SsoTarget[];
  /** Regions where Bedrock may be called; every permission set that can call Bedrock denies the rest. */
  readonly allowedRegions: readonly string[];
  /** Models that model users may invoke. */
  readonly models: SsoModels;
  /**
   * Identity Store group IDs per role. Model users, auditors or platform admins without groups
   * still get their permission set, assigned to nobody, and a synth warning; prompt reviewers
   * without groups get no permission set (reading prompts is opt-in).
   */
  readonly groups: SsoGroups;
  /**
   * The CDK bootstrap qualifier of the targets: platform admins assume only its roles.
   * @default 'hnb659fds' (the default of `cdk bootstrap`)
   */
  readonly cdkQualifier?: string;
  /**
   * Deployments go through the delivery pipeline only (aws.pipeline): platform admins may assume
   * the CDK lookup role (`cdk diff`) but not the deploy and publishing roles, so their sessions
   * cannot deploy around the pipeline's rule packs, approvals and waves.
   * @default false
   */
  readonly deployThroughPipelineOnly?: boolean;
  /**
   * Maximum session length per permission set, whole hours from PT1H to PT12H (as the config schema).
   * @default - PT8H for model users, PT4H for auditors, PT1H for platform admins and prompt reviewers
   */
  readonly sessionDurations?: { readonly [R in SsoRole]?: string };
  /**
   * The kill switch (config: detection.suspendModelAccess): model users and platform admins get an
   * explicit Deny of every model call (SUSPENDED_MODEL_ACTIONS), whatever else they are granted.
   * Identity Center reprovisions the permission sets to every account on deployment; sessions
   * already signed in keep the credentials they have until those expire (at most the session
   * duration) unless revoked.
   * @default false - model access open
   */
  readonly suspendModelAccess?: boolean;
  /**
   * Identity Center user names whose sessions are denied every model call and the private API
   * (config: detection.suspendedUsers), in the ModelUser and PlatformAdmin permission sets:
   * Identity Center names each role session after the user, so `aws:userid` is
   * `<role ID>:<user name>`. Unlike removing someone from a group, this also stops the
   * credentials they already hold, as soon as the permission sets are reprovisioned.
   * @default - nobody
   */
  readonly suspendedUsers?: readonly string[];
}

const DEFAULT_SESSION_DURATIONS: { readonly [R in SsoRole]: string } = { modelUsers: 'PT8H', auditors: 'PT4H', platformAdmins: 'PT1H', promptReviewers: 'PT1H', securityResponders: 'PT1H' };

/** Construct ID (also the name suffix) and description of each role's permission set. */
const ROLE_INFO: { readonly [R in SsoRole]: { readonly id: string; readonly summary: string } } = {
  modelUsers: { id: 'ModelUser', summary: 'call the allowlisted Bedrock models through the private API or the organisation\'s VPC endpoints, with a published guardrail' },
  auditors: { id: 'Auditor', summary: 'read the audit evidence (trail, blueprint log groups, audit buckets), not prompt content' },
  platformAdmins: { id: 'PlatformAdmin', summary: 'deploy through the CDK bootstrap roles, read stacks and the Bedrock configuration, enable allowlisted models' },
  promptReviewers: { id: 'PromptReviewer', summary: 'read the prompts and responses in the invocation logs' },
  securityResponders: { id: 'SecurityResponder', summary: 'pull the kill switch (its SSM parameter), test the detection alarms, run the playbook queries over the audit records, the trail and the API access log; no models, no prompts' },
};

/**
 * AWS Marketplace product IDs of Bedrock serverless models, by foundation-model ID without its
 * `:<n>` suffix, from the Bedrock user guide ("Use product ID condition keys to control access").
 * Models of Amazon, Meta, Mistral AI, DeepSeek, Qwen and OpenAI are not sold through the
 * Marketplace and need no subscription (MARKETPLACE_FREE_PROVIDERS).
 */
export const MARKETPLACE_PRODUCT_IDS: Readonly<Record<string, string>> = {
  'anthropic.claude-v2': 'c468b48a-84df-43a4-8c46-8870630108a7',
  'anthropic.claude-instant-v1': 'b0eb9475-3a2c-43d1-94d3-56756fd43737',
  'anthropic.claude-3-sonnet-20240229-v1': 'prod-6dw3qvchef7zy',
  'anthropic.claude-3-5-sonnet-20240620-v1': 'prod-m5ilt4siql27k',
  'anthropic.claude-3-5-sonnet-20241022-v2': 'prod-cx7ovbu5wex7g',
  'anthropic.claude-3-7-sonnet-20250219-v1': 'prod-4dlfvry4v5hbi',
  'anthropic.claude-sonnet-4-20250514-v1': 'prod-4pmewlybdftbs',
  'anthropic.claude-sonnet-4-5-20250929-v1': 'prod-mxcfnwvpd6kb4',
  'anthropic.claude-haiku-4-5-20251001-v1': 'prod-xdkflymybwmvi',
  'anthropic.claude-3-haiku-20240307-v1': 'prod-ozonys2hmmpeu',
  'anthropic.claude-3-5-haiku-20241022-v1': 'prod-5oba7y7jpji56',
  'anthropic.claude-3-opus-20240229-v1': 'prod-fm3feywmwerog',
  'anthropic.claude-opus-4-20250514-v1': 'prod-azycxvnd5mhqi',
  'anthropic.claude-opus-4-1-20250805-v1': 'prod-w3q2d6rfge4tw',
};

/** Model providers (the ID's first part) whose Bedrock models are not sold through AWS Marketplace. */
export const MARKETPLACE_FREE_PROVIDERS: readonly string[] = ['amazon', 'meta', 'mistral', 'deepseek', 'qwen', 'openai'];

/**
 * The Marketplace product IDs of the allowlisted models, and the allowlisted models that need a
 * subscription but whose product ID is not known.
 */
export function marketplaceProductsOf(models: SsoModels): { readonly productIds: string[]; readonly unknown: string[] } {
  const productIds = new Set<string>();
  const unknown = new Set<string>();
  for (const id of models.modelIds) {
    const fm = parseModelId(id).foundationModelId;
    if (MARKETPLACE_FREE_PROVIDERS.includes(fm.split('.')[0])) continue;
    const productId = models.marketplaceProductIds?.[fm] ?? MARKETPLACE_PRODUCT_IDS[fm.replace(/:\d+$/, '')];
    if (productId) productIds.add(productId);
    else unknown.add(fm);
  }
  return { productIds: [...productIds], unknown: [...unknown] };
}

/** CloudFormation's limits on a permission set name. */
const MAX_NAME_CHARS = 32;
const NAME_PATTERN = /^[\w+=,.@-]+$/;

/**
 * IAM counts at most 10,240 non-whitespace characters of inline policy per role, and Identity
 * Center provisions the inline policy as one on every assigned account's role.
 */
const MAX_ROLE_INLINE_POLICY_CHARS = 10240;

/** `example-corp` -> `ExampleCorp`. */
function pascal(slug: string): string {
  return slug
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1))
    .join('');
}

/**
 * The permission set name of a role: `<Org>Ai<Role>`, e.g. `ExampleCorpAiModelUser`. Names are
 * at most 32 characters, so a long organisation name is cut and given 4 hex characters of its
 * hash, which keeps the name stable and unlikely to collide with another organisation's.
 */
export function permissionSetName(organisationName: string, role: SsoRole): string {
  const tail = `Ai${ROLE_INFO[role].id}`;
  const org = pascal(organisationName);
  const budget = MAX_NAME_CHARS - tail.length;
  const head = org.length <= budget ? org : org.slice(0, budget - 4) + createHash('sha256').update(organisationName).digest('hex').slice(0, 4);
  return `${head}${tail}`;
}

/** Whole hours from PT1H to PT12H: the config schema's own rule (aws.identityCenter.sessionDurations). */
function isValidSessionDuration(duration: string): boolean {
  return SESSION_DURATION_PATTERN.test(duration);
}

/**
 * `aws:PrincipalArn` pattern of the roles Identity Center provisions for a permission set in an
 * account: `role/aws-reserved/sso.amazonaws.com/[<region>/]AWSReservedSSO_<name>_<hash>`.
 */
export function permissionSetRolePattern(partition: string, account: string, organisationName: string, role: SsoRole): string {
  return `arn:${partition}:iam::${account}:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_${permissionSetName(organisationName, role)}_*`;
}

/**
 * The permission sets of the blueprint, as inline policies, each assigned to its Identity Store
 * groups in every target account. Identity Center provisions a set as a role in each of those
 * accounts, so every grant names the caller's own account (`${aws:PrincipalAccount}`) and the
 * blueprint's naming convention with any target's name: a policy is the same for one target or
 * hundreds (only the listed bedrock-runtime endpoint IDs add to one), and reaches no other account.
 *
 * - model users: the private model-invoker API, and the allowlisted chat models directly, only
 *   through the organisation's listed endpoints and only with a published guardrail of their
 *   account;
 * - auditors: read-only on the audit evidence (trail, the blueprint's log groups, the API
 *   Gateway execution and WAF logs, the audit and access-log buckets, and decryption through S3
 *   and CloudWatch Logs only), and explicitly denied prompt content;
 * - platform admins: deploy through the CDK bootstrap roles, read stacks and the Bedrock
 *   configuration (guardrails change only through a deployment), and enable allowlisted models
 *   (Marketplace subscription to their products only, the Anthropic use-case form);
 * - prompt reviewers, only when groups are configured: read the prompt logs and nothing else;
 * - security responders, only when groups are configured: write and read the kill-switch
 *   parameters of the targets, set the state of the detection's alarms, run the playbooks' saved
 *   queries over the audit records, the trail and the API's access log; no models, no prompts.
 *
 * Users named in `suspendedUsers` are denied every model call and the private API, whatever
 * group they are in.
 *
 * Permission sets and assignments deploy only in the organisation's management account or a
 * delegated administrator account, so this belongs in its own stack.
 */
export class SsoAccess extends Construct {
  public readonly modelUserPermissionSet: sso.CfnPermissionSet;
  public readonly auditorPermissionSet: sso.CfnPermissionSet;
  public readonly platformAdminPermissionSet: sso.CfnPermissionSet;
  /** Present only when prompt-reviewer groups are configured. */
  public readonly promptReviewerPermissionSet?: sso.CfnPermissionSet;
  /** Present only when security-responder groups are configured. */
  public readonly securityResponderPermissionSet?: sso.CfnPermissionSet;
  /** Every group-to-account assignment, across the permission sets. */
  public readonly assignments: sso.CfnAssignment[] = [];

  constructor(scope: Construct, id: string, props: SsoAccessProps) {
    super(scope, id);
    const sessionDurations = { ...DEFAULT_SESSION_DURATIONS, ...props.sessionDurations };
    validate(props, sessionDurations);
    const groupsOf = (role: SsoRole) => [...new Set(props.groups[role] ?? [])];

    const policies: { readonly [R in SsoRole]: () => iam.PolicyDocument } = {
      modelUsers: () => new iam.PolicyDocument({ statements: modelUserStatements(props) }),
      auditors: () => new iam.PolicyDocument({ statements: auditorStatements(props) }),
      platformAdmins: () => new iam.PolicyDocument({ statements: platformAdminStatements(props) }),
      promptReviewers: () => new iam.PolicyDocument({ statements: promptReviewerStatements(props) }),
      securityResponders: () => new iam.PolicyDocument({ statements: securityResponderStatements(props) }),
    };

    // Two targets may share an account; an account gets each group once.
    const accounts = [...new Set(props.targets.map((t) => t.account))];
    const create = (role: SsoRole): sso.CfnPermissionSet => {
      const info = ROLE_INFO[role];
      const policy = policies[role]();
      const problems = policy.validateForIdentityPolicy();
      if (problems.length > 0) throw new Error(`SsoAccess: the ${role} policy is invalid: ${problems.join('; ')}`);

      const holder = new Construct(this, info.id);
      const name = permissionSetName(props.organisationName, role);
      const permissionSet = new sso.CfnPermissionSet(holder, 'Resource', {
        instanceArn: props.instanceArn,
        name,
        description: `private-ai-blueprint (${props.organisationName}): ${info.summary}`,
        sessionDuration: sessionDurations[role],
        inlinePolicy: policy,
      });

      // Only the listed bedrock-runtime endpoint IDs, the allowed regions and the model allowlist
      // make a policy longer: a synth that succeeded would leave a set that cannot be provisioned.
      const size = estimatePolicyChars(Stack.of(this).resolve(policy));
      if (size > MAX_ROLE_INLINE_POLICY_CHARS) {
        throw new Error(
          `SsoAccess: the inline policy of permission set ${name} is about ${size} characters, over IAM's ${MAX_ROLE_INLINE_POLICY_CHARS} per role, so provisioning it to the accounts would fail; it lists ${endpointIdsOf(props).length} bedrock-runtime endpoint IDs (about ${ENDPOINT_ID_CHARS} characters each), ${props.allowedRegions.length} allowed regions and ${props.models.modelIds.length} models: list fewer endpoints (config: aws.targets[].bedrockRuntimeEndpointIds), regions or models`,
        );
      }

      const groups = groupsOf(role);
      if (groups.length === 0) {
        Annotations.of(this).addWarningV2(
          'privateai:sso-no-groups',
          `no Identity Center groups are configured for ${role} (config: sso.${role}.aws); permission set ${name} is created but assigned to nobody`,
        );
      }
      for (const groupId of groups) {
        for (const account of accounts) {
          // The ID is the pair itself, so adding or removing another pair never replaces this one.
          this.assignments.push(
            new sso.CfnAssignment(holder, `Assignment-${groupId}-${account}`, {
              instanceArn: props.instanceArn,
              permissionSetArn: permissionSet.attrPermissionSetArn,
              principalType: 'GROUP',
              principalId: groupId,
              targetType: 'AWS_ACCOUNT',
              targetId: account,
            }),
          );
        }
      }
      return permissionSet;
    };

    this.modelUserPermissionSet = create('modelUsers');
    this.auditorPermissionSet = create('auditors');
    this.platformAdminPermissionSet = create('platformAdmins');
    // Reading prompts is opt-in: an unassigned permission set would only invite assigning it by hand, outside config review.
    if (groupsOf('promptReviewers').length > 0) this.promptReviewerPermissionSet = create('promptReviewers');
    // Opt-in too: whoever holds it can stop every model call through the private API.
    if (groupsOf('securityResponders').length > 0) this.securityResponderPermissionSet = create('securityResponders');

    const { unknown } = marketplaceProductsOf(props.models);
    if (unknown.length > 0) {
      Annotations.of(this).addWarningV2(
        'privateai:sso-marketplace-product-unknown',
        `no AWS Marketplace product ID is known for ${unknown.join(', ')}, so platform admins cannot subscribe to ${unknown.length === 1 ? 'it' : 'them'}; give the product ID from the Bedrock model catalog (SsoModels.marketplaceProductIds) or subscribe from another role`,
      );
    }
  }
}

function validate(props: SsoAccessProps, sessionDurations: { readonly [R in SsoRole]: string }): void {
  if (props.targets.length === 0) {
    throw new Error('SsoAccess: targets is empty; list at least one workload account to grant access to (config: aws.targets)');
  }
  if (props.allowedRegions.length === 0) {
    throw new Error('SsoAccess: allowedRegions is empty; list at least one region (config: aws.allowedRegions)');
  }
  if (!Token.isUnresolved(props.instanceArn) && !IDENTITY_CENTER_INSTANCE_ARN_PATTERN.test(props.instanceArn)) {
    throw new Error(`SsoAccess: instanceArn ${props.instanceArn} is not an Identity Center instance ARN (arn:<partition>:sso:::instance/ssoins-<16 hex digits>) (config: aws.identityCenter.instanceArn)`);
  }
  for (const role of SSO_ROLES) {
    if (!isValidSessionDuration(sessionDurations[role])) {
      throw new Error(`SsoAccess: sessionDurations.${role} ${sessionDurations[role]} must be whole hours from PT1H to PT12H, as ISO-8601 such as PT4H (config: aws.identityCenter.sessionDurations.${role})`);
    }
    const name = permissionSetName(props.organisationName, role);
    if (name.length > MAX_NAME_CHARS || !NAME_PATTERN.test(name)) {
      throw new Error(`SsoAccess: permission set name ${name} derived from organisation name ${props.organisationName} is not 1-32 characters of [\\w+=,.@-]; use an organisation name of letters, digits and hyphens (config: organisation.name)`);
    }
  }
  for (const user of props.suspendedUsers ?? []) {
    if (!IDENTITY_CENTER_USER_NAME_PATTERN.test(user)) {
      throw new Error(
        `SsoAccess: suspended user ${JSON.stringify(user)} is not an Identity Center user name as its role sessions are named (2 to 64 letters, digits and +=,.@_-), so the deny would match nobody, or everyone a wildcard matches; give the user name exactly as Identity Center spells it (config: detection.suspendedUsers)`,
      );
    }
  }
  if ((props.groups.securityResponders ?? []).length > 0) {
    for (const target of props.targets) {
      if (!target.response) {
        throw new Error(
          `SsoAccess: security responders are given, but target ${target.name} does not name its kill switch, alarms and log groups (SsoTarget.response), so they could not act there; name them, or give no responder groups (config: sso.securityResponders.aws)`,
        );
      }
      const { killSwitchParameterName: parameter, alarmNamePrefix: prefix, queryLogGroupNames: groups } = target.response;
      if (!/^(\/[A-Za-z0-9_.-]+)+$/.test(parameter)) {
        throw new Error(`SsoAccess: the kill-switch parameter ${parameter} of target ${target.name} is not an SSM parameter path such as /private-ai/prod/model-access (config: aws.ssmPrefix)`);
      }
      // Each becomes part of an IAM resource pattern: a wildcard in it would widen the grant.
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(prefix)) {
        throw new Error(`SsoAccess: the alarm name prefix ${JSON.stringify(prefix)} of target ${target.name} must be letters, digits, hyphens or underscores, as MisuseDetection's namePrefix is`);
      }
      if (groups.length === 0 || groups.some((g) => !/^[A-Za-z0-9_./#-]{1,512}$/.test(g))) {
        throw new Error(`SsoAccess: target ${target.name} must name at least one log group for responders' queries, each a CloudWatch Logs name without wildcards; received ${JSON.stringify(groups)}`);
      }
    }
  }
  for (const target of props.targets) {
    if (!target.promptLogs) continue;
    const expected = { bucketName: promptLogsBucketName(props.organisationName, target.name, target.account), logGroupName: promptLogGroupName(props.organisationName, target.name) };
    if (target.promptLogs.bucketName !== expected.bucketName || target.promptLogs.logGroupName !== expected.logGroupName) {
      throw new Error(
        `SsoAccess: the prompt logs of target ${target.name} are named ${target.promptLogs.bucketName} and ${target.promptLogs.logGroupName}, but the permission sets reach prompt logs by the blueprint's naming convention, one pattern for every target, so they would neither deny nor grant these; name them ${expected.bucketName} and ${expected.logGroupName} (promptLogsBucketName and promptLogGroupName in lib/config/naming.ts)`,
      );
    }
  }
  for (const id of props.models.modelIds) {
    if (!props.models.kinds?.[id] && !inferModelKind(id)) {
      throw new Error(`SsoAccess: the kind of model ${id} is neither given nor known from its ID, so whether model users may invoke it directly is unknown; give it as ${MODEL_KINDS.join(' or ')} (SsoModels.kinds; config: aws.models[].kind)`);
    }
  }
  for (const target of props.targets) {
    if (!props.allowedRegions.includes(target.region)) {
      throw new Error(`SsoAccess: target ${target.name} is in region ${target.region}, which is not allowed by data residency policy; allowed: ${props.allowedRegions.join(', ')} (config: aws.allowedRegions)`);
    }
    if (modelArnsOf(props, target).length === 0) {
      throw new Error(`SsoAccess: no allowlisted model is usable from target ${target.name} (${target.region}), so model users could call nothing there; allow a foundation model or a profile of the ${target.region} geography (config: aws.models)`);
    }
  }
}

function scopeOf(props: SsoAccessProps, region: string, modelIds: readonly string[] = props.models.modelIds, account?: string) {
  return { modelIds, strict: props.models.strict, inferenceProfiles: props.models.inferenceProfiles, allowedRegions: props.allowedRegions, region, account };
}

function modelArnsOf(props: SsoAccessProps, target: SsoTarget): string[] {
  return modelResourceArns(scopeOf(props, target.region, props.models.modelIds, target.account));
}

/**
 * The account of the role a session comes from. Identity Center provisions a permission set as one
 * role in each account it is assigned to, and every target account is assigned: so "the target's
 * account" is, for every grant, the caller's own account, a policy variable IAM resolves per
 * request. Grants written with it are the same text for one target or five hundred, and never reach
 * another account's resources (no cross-account grant, so no other organisation's either).
 */
export const OWN_ACCOUNT = '${aws:PrincipalAccount}';

const arn = (service: string, region: string, account: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
/** A resource of the caller's own account, in any region: the region is pinned by `inAllowedRegions` or a region deny. */
const own = (service: string, resource: string) => arn(service, '*', OWN_ACCOUNT, resource);
const bucketArn = (bucket: string) => `arn:${Aws.PARTITION}:s3:::${bucket}`;
/** S3 ARNs name no account: a bucket of the same name may belong to anyone, so the grant also requires the caller's account to own it. */
const OWN_BUCKETS = { StringEquals: { 'aws:ResourceAccount': OWN_ACCOUNT } };
/** For the regional grants whose ARNs leave the region open: only the allowed regions. */
const inAllowedRegions = (props: SsoAccessProps) => ({ StringEquals: { 'aws:RequestedRegion': [...props.allowedRegions] } });
/** A log group and its streams (`<group>:log-stream:<name>`), by name or name pattern, in the caller's account. */
const logGroupArns = (name: string) => [own('logs', `log-group:${name}`), own('logs', `log-group:${name}:*`)];
/** Any target's name, where the naming convention puts it. */
const ANY_TARGET = '*';

/** The organisation's bedrock-runtime endpoints, of every target: the only ones model users call Bedrock through. */
function endpointIdsOf(props: SsoAccessProps): string[] {
  return [...new Set(props.targets.flatMap((t) => t.bedrockRuntimeEndpointIds ?? []))];
}
/** What one more endpoint ID adds to the ModelUser policy: `"vpce-<17 hex>",`. */
const ENDPOINT_ID_CHARS = '"vpce-0123456789abcdef0",'.length;

/**
 * A name the platform stack derives from a target's name, as the pattern every target's name
 * matches: the target's name replaced by `*` where the convention puts it, `segment` (the
 * second-to-last segment of a path: `/private-ai/<target>/model-access`, `/<org>/<target>/<purpose>`)
 * or `suffix` (after the last hyphen: `<org>-<target>`). A name without the target's name there is
 * kept as it is, so an odd target costs a resource of its own instead of widening anyone's grant.
 */
function everyTarget(name: string, target: string, at: 'segment' | 'suffix'): string {
  if (at === 'segment') {
    const parts = name.split('/');
    if (parts.length >= 3 && parts[parts.length - 2] === target) return [...parts.slice(0, -2), ANY_TARGET, parts[parts.length - 1]].join('/');
    return name;
  }
  return name.endsWith(`-${target}`) && name.length > target.length + 1 ? `${name.slice(0, -target.length)}${ANY_TARGET}` : name;
}

/** The allowlisted chat model IDs usable from any allowed region, the only ones model users invoke directly. */
function directModelIds(props: SsoAccessProps): string[] {
  const chat = props.models.modelIds.filter((id) => modelKindOf({ id, kind: props.models.kinds?.[id] }) === 'chat');
  return [...new Set(props.allowedRegions.flatMap((region) => usableModelIds(scopeOf(props, region, chat))))];
}

/**
 * The allowlisted chat models, in every region: each foundation model, and each inference profile of
 * the caller's account with its foundation model wherever the profile routes. The regions are
 * pinned by the region deny of the same policy (and the organisation guard): under strict residency
 * every call outside the allowed regions is denied; under relaxed residency only a call through an
 * allowlisted profile from an allowed region is exempt (exemptProfiles), which is how AWS evaluates
 * its destinations.
 */
function directModelArns(props: SsoAccessProps): string[] {
  const fm = (id: string) => `arn:${Aws.PARTITION}:bedrock:*::foundation-model/${id}`;
  return [
    ...new Set(
      directModelIds(props).flatMap((id) => {
        const parsed = parseModelId(id);
        return parsed.profileGeography ? [own('bedrock', `inference-profile/${id}`), fm(parsed.foundationModelId)] : [fm(id)];
      }),
    ),
  ];
}

/**
 * Under relaxed residency, the allowlisted profiles in each allowed region, through which
 * destinations outside the allowed regions may be reached. Any account: the region deny only lifts
 * for them, and the permission set grants the profiles of the caller's account alone.
 */
function exemptProfiles(props: SsoAccessProps): string[] {
  return props.models.strict ? [] : [...new Set(props.allowedRegions.flatMap((region) => profileArns(scopeOf(props, region, props.models.modelIds, '*'))))];
}

/** A request made through some VPC endpoint: `aws:SourceVpce` is present only then. */
const THROUGH_AN_ENDPOINT = { Null: { 'aws:SourceVpce': 'false' } };

/** A published version of a guardrail of the caller's account: `<arn>:<version>`; an unversioned ARN (the draft) has no colon after the ID. */
const OWN_PUBLISHED_GUARDRAILS = own('bedrock', 'guardrail/*:*');

/**
 * Model users: the private API (whose resource policy admits the ModelUser sessions through its
 * endpoint), and the allowlisted chat models directly, only through the organisation's endpoints
 * the config lists (`aws:SourceVpce`) and only with a published version of a guardrail of their own
 * account. Embedding models are not granted directly: Bedrock takes no guardrail with them, so model
 * users reach them only through the API's POST /embed, which screens the input with the guardrail
 * first. Also: decrypting the account's guardrail keys (the `model-data` alias of any target)
 * through Bedrock only; applying the account's guardrails. What must never happen is denied
 * outright, so no other grant can open it: a model call without a guardrail, with a draft or
 * foreign guardrail, outside the listed endpoints (ApplyGuardrail too: it sends content to
 * Bedrock), or outside the allowed regions.
 *
 * Every statement is the same for one target or many; the one list that grows is the endpoint
 * IDs, because Bedrock supports none of the endpoint-owner keys (`aws:VpceAccount`,
 * `aws:VpceOrgID`) that would pin calls to the organisation's endpoints without listing them.
 */
export function modelUserStatements(props: SsoAccessProps): iam.PolicyStatement[] {
  const endpoints = endpointIdsOf(props);
  const models = directModelArns(props);
  const invoke = [...BEDROCK_INVOKE_ACTIONS];
  const direct = endpoints.length > 0;
  return [
    new iam.PolicyStatement({
      sid: 'InvokePrivateModelApi',
      actions: ['execute-api:Invoke'],
      resources: ['invoke', 'embed'].map((route) => own('execute-api', `*/*/POST/${route}`)),
      conditions: inAllowedRegions(props),
    }),
    // With embedding models only there is no model to invoke directly.
    ...(direct && models.length > 0
      ? [
          new iam.PolicyStatement({
            sid: 'InvokeAllowlistedModels',
            actions: invoke,
            resources: models,
            // Through an endpoint, never the internet; which endpoints, the deny below says, so that
            // the one list that grows with the fleet is written once.
            conditions: { StringLike: { 'bedrock:GuardrailIdentifier': OWN_PUBLISHED_GUARDRAILS }, ...THROUGH_AN_ENDPOINT },
          }),
        ]
      : []),
    ...(direct
      ? [
          new iam.PolicyStatement({
            sid: 'DecryptGuardrailsThroughBedrock',
            actions: ['kms:Decrypt'],
            resources: [own('kms', 'key/*')],
            conditions: {
              StringEquals: { 'kms:ViaService': props.allowedRegions.map((r) => `bedrock.${r}.amazonaws.com`) },
              'ForAnyValue:StringLike': { 'kms:ResourceAliases': keyAlias(props.organisationName, ANY_TARGET, KEY_PURPOSE.modelData) },
            },
          }),
          new iam.PolicyStatement({
            sid: 'ApplyGuardrailsOfAccount',
            actions: ['bedrock:ApplyGuardrail'],
            resources: [own('bedrock', 'guardrail/*')],
            conditions: THROUGH_AN_ENDPOINT,
          }),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'DenyModelCallsWithoutPublishedGuardrailOfAccount',
      effect: iam.Effect.DENY,
      actions: invoke,
      resources: ['*'],
      // A missing key matches StringNotLike too: no guardrail is denied as well.
      conditions: { StringNotLike: { 'bedrock:GuardrailIdentifier': OWN_PUBLISHED_GUARDRAILS } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyDraftGuardrails',
      effect: iam.Effect.DENY,
      actions: invoke,
      resources: ['*'],
      conditions: { StringLike: { 'bedrock:GuardrailIdentifier': '*:DRAFT' } },
    }),
    new iam.PolicyStatement({
      sid: 'DenyModelCallsOutsideOwnEndpoints',
      effect: iam.Effect.DENY,
      actions: [...invoke, 'bedrock:ApplyGuardrail'],
      resources: ['*'],
      // With no endpoint listed anywhere the direct path is closed outright. A target that lists
      // none keeps it closed too: its own endpoint is not among these.
      ...(direct ? { conditions: { StringNotEquals: { 'aws:SourceVpce': endpoints } } } : {}),
    }),
    regionDenyStatement(props.allowedRegions, exemptProfiles(props)),
    ...suspension(props),
  ];
}

/**
 * The kill switch's Deny, while model access is suspended; and the Deny of the suspended users'
 * sessions, which also covers the private API (the switch leaves it open: the function answers 503).
 */
const suspension = (props: SsoAccessProps) => [...(props.suspendModelAccess ? [suspendedModelAccessStatement()] : []), ...suspendedUsersStatements(props)];

/**
 * Every model call and every API Gateway invocation, for the sessions of the suspended users:
 * an Identity Center role session is named after the user, so `aws:userid` is
 * `<role ID>:<user name>`. An explicit Deny, so it overrides the private API's resource-policy
 * Allow too (same account).
 */
export function suspendedUsersStatements(props: Pick<SsoAccessProps, 'suspendedUsers'>): iam.PolicyStatement[] {
  const users = [...new Set(props.suspendedUsers ?? [])];
  if (users.length === 0) return [];
  return [
    new iam.PolicyStatement({
      sid: 'SuspendedUsers',
      effect: iam.Effect.DENY,
      actions: [...SUSPENDED_MODEL_ACTIONS, 'execute-api:Invoke'],
      resources: ['*'],
      conditions: { StringLike: { 'aws:userid': users.map((u) => `*:${u}`) } },
    }),
  ];
}

/**
 * Where prompt content lies in the caller's account, for every target: the prompt-log buckets and
 * log groups (named by the convention validate() holds the targets to), and the prompt logs written
 * under an audit bucket's `model-invocations/` prefix before they had a bucket of their own (kept
 * there, locked, until their retention ends). Bucket patterns end in the account ID, so a pattern
 * of one kind of bucket never matches another kind, whatever a target is called.
 */
function promptContentOf(props: SsoAccessProps) {
  const org = props.organisationName;
  return {
    objects: [`${bucketArn(promptLogsBucketName(org, ANY_TARGET, OWN_ACCOUNT))}/*`, `${bucketArn(auditBucketName(org, ANY_TARGET, OWN_ACCOUNT))}/${INVOCATION_LOG_PREFIX}/*`],
    buckets: [bucketArn(promptLogsBucketName(org, ANY_TARGET, OWN_ACCOUNT))],
    logGroups: logGroupArns(promptLogGroupName(org, ANY_TARGET)),
  };
}

/** What reads a log group's events. */
const LOG_EVENT_READS = ['logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:StartLiveTail', 'logs:GetLogRecord', 'logs:Unmask'];

/** Decrypting through S3 and CloudWatch Logs of the allowed regions only, with any key of the caller's account. */
function decryptThroughS3AndLogs(sid: string, props: SsoAccessProps): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: ['kms:Decrypt'],
    resources: [own('kms', 'key/*')],
    conditions: { StringEquals: { 'kms:ViaService': props.allowedRegions.flatMap((r) => [`s3.${r}.amazonaws.com`, `logs.${r}.amazonaws.com`]) } },
  });
}

/**
 * Auditors: read-only on the audit evidence of the targets in their account, and not on prompt
 * content. Actions with no resource-level permissions (listing trails and log groups, CloudTrail
 * event history, fetching or stopping a Logs Insights query by ID, the account's invocation-logging
 * setting) need `*`; everything else names the trail, the blueprint's log groups, API Gateway's
 * execution logs and the WAF logs, the two audit buckets and the account's keys, by the naming
 * convention with any target's name. The prompt-log group lies under the blueprint's log-group
 * prefix, so prompt content is denied outright.
 */
export function auditorStatements(props: SsoAccessProps): iam.PolicyStatement[] {
  const org = props.organisationName;
  const buckets = [auditBucketName(org, ANY_TARGET, OWN_ACCOUNT), accessLogsBucketName(org, ANY_TARGET, OWN_ACCOUNT)];
  const prompts = promptContentOf(props);
  return [
    new iam.PolicyStatement({
      sid: 'ReadTrailsOfAccount',
      actions: ['cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
      // The trail's name is generated; its ARN carries the home region, a target's.
      resources: [own('cloudtrail', 'trail/*')],
      conditions: inAllowedRegions(props),
    }),
    new iam.PolicyStatement({
      sid: 'ListTrailsAndLookupEvents',
      actions: ['cloudtrail:LookupEvents', 'cloudtrail:DescribeTrails', 'cloudtrail:ListTrails'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadBlueprintLogGroups',
      actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery'],
      // The trailing wildcard also matches `<group>:*` and `<group>:log-stream:<name>` (GetLogEvents).
      // API Gateway names its execution-log groups after the API's generated ID, so all of the account's are named.
      resources: [
        own('logs', `log-group:${logGroupPrefix(org, ANY_TARGET)}*`),
        own('logs', 'log-group:API-Gateway-Execution-Logs_*'),
        // `aws-waf-logs-PrivateAi-<org>-<target>`, the platform stack's name (wafLogGroupName).
        own('logs', `log-group:${wafLogGroupName(org, '')}*`),
      ],
      conditions: inAllowedRegions(props),
    }),
    new iam.PolicyStatement({
      sid: 'ListLogGroupsAndFollowQueries',
      actions: ['logs:DescribeLogGroups', 'logs:GetQueryResults', 'logs:StopQuery'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ReadAuditObjects',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: buckets.map((b) => `${bucketArn(b)}/*`),
      conditions: OWN_BUCKETS,
    }),
    new iam.PolicyStatement({
      sid: 'ListAuditBuckets',
      actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketLocation'],
      resources: buckets.map(bucketArn),
      conditions: OWN_BUCKETS,
    }),
    decryptThroughS3AndLogs('DecryptEvidenceThroughS3AndLogsOnly', props),
    new iam.PolicyStatement({
      sid: 'ReadInvocationLoggingConfiguration',
      actions: ['bedrock:GetModelInvocationLoggingConfiguration'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DenyPromptContent',
      effect: iam.Effect.DENY,
      actions: ['s3:GetObject', 's3:GetObjectVersion', ...LOG_EVENT_READS],
      resources: [...prompts.objects, ...prompts.logGroups],
    }),
    regionDenyStatement(props.allowedRegions),
  ];
}

/**
 * Prompt reviewers: read the prompt logs of the targets in their account (objects, listings, log
 * events and Logs Insights queries), and the prompt logs left under the audit buckets' old prefix;
 * decrypt through S3 and CloudWatch Logs only. Nothing else: not the trail, not the models.
 */
export function promptReviewerStatements(props: SsoAccessProps): iam.PolicyStatement[] {
  const prompts = promptContentOf(props);
  return [
    new iam.PolicyStatement({
      sid: 'ReadPromptLogObjects',
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: prompts.objects,
      conditions: OWN_BUCKETS,
    }),
    new iam.PolicyStatement({
      sid: 'ListPromptLogBuckets',
      actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketLocation'],
      resources: prompts.buckets,
      conditions: OWN_BUCKETS,
    }),
    new iam.PolicyStatement({
      sid: 'ReadPromptLogGroups',
      actions: ['logs:DescribeLogStreams', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery'],
      resources: prompts.logGroups,
      conditions: inAllowedRegions(props),
    }),
    new iam.PolicyStatement({
      sid: 'ListLogGroupsAndFollowQueries',
      actions: ['logs:DescribeLogGroups', 'logs:GetQueryResults', 'logs:StopQuery'],
      resources: ['*'],
    }),
    decryptThroughS3AndLogs('DecryptPromptLogsThroughS3AndLogsOnly', props),
    regionDenyStatement(props.allowedRegions),
  ];
}

/**
 * Security responders: the kill switch's fast path and what the playbooks need around it, in the
 * targets of their account. They write and read exactly the kill-switch parameters (String
 * parameters: no key to use; the invoker accepts only `open` or `suspended`, and every write raises
 * a tampering alert); set the state of the detection's alarms, to test that an alert reaches the
 * security contacts; and run the playbooks' saved queries over the audit records, the trail and the
 * API's access log, decrypting through CloudWatch Logs with the targets' logs keys only. No model,
 * no private API, no prompt log: they are granted none, and the prompt-log group is not among the
 * groups named.
 */
export function securityResponderStatements(props: SsoAccessProps): iam.PolicyStatement[] {
  const responding = props.targets.filter((t): t is SsoTarget & { response: SsoResponse } => t.response !== undefined);
  const unique = (xs: string[]) => [...new Set(xs)];
  return [
    new iam.PolicyStatement({
      sid: 'PullTheKillSwitch',
      actions: ['ssm:PutParameter', 'ssm:GetParameter'],
      // The name starts with a slash, which the ARN does not repeat after `parameter`.
      resources: unique(responding.map((t) => own('ssm', `parameter${everyTarget(t.response.killSwitchParameterName, t.name, 'segment')}`))),
      conditions: inAllowedRegions(props),
    }),
    new iam.PolicyStatement({
      sid: 'TestDetectionAlarms',
      actions: ['cloudwatch:SetAlarmState'],
      resources: unique(responding.map((t) => own('cloudwatch', `alarm:${everyTarget(t.response.alarmNamePrefix, t.name, 'suffix')}/*`))),
      conditions: inAllowedRegions(props),
    }),
    new iam.PolicyStatement({
      // AWS does not document which alarm a DescribeAlarms call without names, or with a name
      // prefix, is authorised against, so reading is granted on the account's alarms; an alarm's
      // definition and state carry no prompt content.
      sid: 'ReadAlarms',
      actions: ['cloudwatch:DescribeAlarms'],
      resources: [own('cloudwatch', 'alarm:*')],
      conditions: inAllowedRegions(props),
    }),
    new iam.PolicyStatement({
      sid: 'RunSavedQueries',
      actions: ['logs:StartQuery'],
      resources: unique(responding.flatMap((t) => t.response.queryLogGroupNames.flatMap((name) => logGroupArns(everyTarget(name, t.name, 'segment'))))),
      conditions: inAllowedRegions(props),
    }),
    new iam.PolicyStatement({
      // As the auditors': results are fetched by query ID, and responders cannot list other people's
      // queries (no logs:DescribeQueries), so in practice they read the results of their own.
      sid: 'FindSavedQueriesAndFollowQueries',
      actions: ['logs:DescribeQueryDefinitions', 'logs:GetQueryResults', 'logs:StopQuery'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DecryptLogsThroughCloudWatchLogsOnly',
      actions: ['kms:Decrypt'],
      resources: [own('kms', 'key/*')],
      conditions: {
        StringEquals: { 'kms:ViaService': props.allowedRegions.map((r) => `logs.${r}.amazonaws.com`) },
        'ForAnyValue:StringLike': { 'kms:ResourceAliases': keyAlias(props.organisationName, ANY_TARGET, KEY_PURPOSE.logs) },
      },
    }),
  ];
}

/** The CDK bootstrap roles a deployment assumes; the CloudFormation execution role trusts only CloudFormation. */
const CDK_BOOTSTRAP_ROLES = ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role'] as const;

/**
 * Platform admins: deploy through the CDK bootstrap roles of their account in the allowed regions
 * (only look up through them when the delivery pipeline is the deploy path)
 * (the configured qualifier; deploying is where data could be placed, so these name each allowed
 * region), read the stacks and change sets, and read the guardrails and the Bedrock configuration;
 * guardrails change only through a deployment. Bedrock reads are listed rather than `bedrock:Get*`,
 * which would include reading conversation data (agent memory, session invocation steps). They also
 * enable the allowlisted models: subscribe to their AWS Marketplace products (by product ID, where
 * known), accept their agreement offers and submit the Anthropic use-case form.
 */
export function platformAdminStatements(props: SsoAccessProps): iam.PolicyStatement[] {
  const { productIds } = marketplaceProductsOf(props.models);
  const qualifier = props.cdkQualifier ?? DEFAULT_CDK_QUALIFIER;
  // With a pipeline, only its roles deploy; platform admins keep the read-only lookup role.
  const roles: readonly string[] = props.deployThroughPipelineOnly ? ['lookup-role'] : CDK_BOOTSTRAP_ROLES;
  return [
    new iam.PolicyStatement({
      sid: 'AssumeCdkBootstrapRoles',
      actions: ['sts:AssumeRole'],
      resources: props.allowedRegions.flatMap((region) => roles.map((role) => `arn:${Aws.PARTITION}:iam::${OWN_ACCOUNT}:role/cdk-${qualifier}-${role}-${OWN_ACCOUNT}-${region}`)),
    }),
    new iam.PolicyStatement({
      sid: 'ReadStacksOfAccount',
      actions: ['cloudformation:Describe*', 'cloudformation:Get*', 'cloudformation:List*'],
      resources: [own('cloudformation', 'stack/*'), own('cloudformation', 'changeSet/*')],
      conditions: inAllowedRegions(props),
    }),
    new iam.PolicyStatement({
      sid: 'ListStacks',
      actions: ['cloudformation:ListStacks'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // Guardrails change through the config and a deployment (CloudFormation), which the organisation guard enforces.
      sid: 'ReadGuardrailsOfAccount',
      actions: ['bedrock:GetGuardrail'],
      resources: [own('bedrock', 'guardrail/*')],
    }),
    new iam.PolicyStatement({
      sid: 'ReadModels',
      actions: ['bedrock:GetFoundationModel', 'bedrock:GetInferenceProfile'],
      resources: [`arn:${Aws.PARTITION}:bedrock:*::foundation-model/*`, own('bedrock', 'inference-profile/*')],
    }),
    new iam.PolicyStatement({
      sid: 'ListBedrockConfiguration',
      actions: ['bedrock:ListGuardrails', 'bedrock:ListFoundationModels', 'bedrock:ListInferenceProfiles', 'bedrock:GetModelInvocationLoggingConfiguration'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // Model availability, the agreement offers and the Anthropic use-case form; these actions
      // have no resource-level permissions. An agreement for a Marketplace model also needs the
      // subscription below, which only the allowlisted products get.
      sid: 'EnableModelAccess',
      actions: [
        'bedrock:GetFoundationModelAvailability',
        'bedrock:ListFoundationModelAgreementOffers',
        'bedrock:CreateFoundationModelAgreement',
        'bedrock:GetUseCaseForModelAccess',
        'bedrock:PutUseCaseForModelAccess',
      ],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ViewMarketplaceSubscriptions',
      actions: ['aws-marketplace:ViewSubscriptions'],
      resources: ['*'],
    }),
    // AWS documents aws-marketplace:ProductId for Subscribe only. Unsubscribe sits under the same
    // condition so that it can never reach another product: if Marketplace does not send the key
    // with it, it fails closed (withdraw a model from the allowlist instead; IAM then denies it).
    ...(productIds.length > 0
      ? [
          new iam.PolicyStatement({
            sid: 'SubscribeToAllowlistedModels',
            actions: ['aws-marketplace:Subscribe', 'aws-marketplace:Unsubscribe'],
            resources: ['*'],
            conditions: { 'ForAnyValue:StringEquals': { 'aws-marketplace:ProductId': productIds } },
          }),
        ]
      : []),
    regionDenyStatement(props.allowedRegions),
    // Platform admins hold no model grant, but may enable models and deploy: suspended, nothing of theirs calls one either.
    ...suspension(props),
  ];
}

/**
 * The size IAM will count for a resolved policy: non-whitespace characters, with
 * `arn:${AWS::Partition}:...` joins rendered with the longest commercial partition name.
 */
export function estimatePolicyChars(resolved: unknown): number {
  const render = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(render);
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if (o.Ref === 'AWS::Partition') return 'aws-us-gov';
      if (Array.isArray(o['Fn::Join'])) {
        const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
        return parts.map(render).map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
      }
      return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, render(v)]));
    }
    return x;
  };
  return JSON.stringify(render(resolved)).replace(/\s/g, '').length;
}
