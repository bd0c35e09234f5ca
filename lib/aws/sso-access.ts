import { createHash } from 'crypto';
import { Annotations, Aws, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sso from 'aws-cdk-lib/aws-sso';
import { Construct } from 'constructs';
import type { ProfileRoutes } from '../config/inference-profiles';
import { accessLogsBucketName, auditBucketName, KEY_PURPOSE, keyAlias, logGroupPrefix } from '../config/naming';
import { DEFAULT_CDK_QUALIFIER } from '../config/schema';
import { BEDROCK_INVOKE_ACTIONS, modelResourceArns, profileArns, regionDenyStatement } from './bedrock-policies';

/** The three kinds of people the blueprint gives AWS access to. */
export const SSO_ROLES = ['modelUsers', 'auditors', 'platformAdmins'] as const;
export type SsoRole = (typeof SSO_ROLES)[number];

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
}

/** The model allowlist, as the platform stacks apply it. */
export interface SsoModels {
  /** Allowlisted model or inference-profile IDs. */
  readonly modelIds: readonly string[];
  /** Strict data residency: no `global.` profiles. */
  readonly strict: boolean;
  /**
   * Where geography inference profiles route, beyond the blueprint's table.
   * @default - the table in lib/config/inference-profiles.ts only
   */
  readonly inferenceProfiles?: Readonly<Record<string, ProfileRoutes>>;
}

/** IAM Identity Center permission sets for model users, auditors and platform admins. */
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
   * Identity Store group IDs per role. A role without groups still gets its permission set,
   * assigned to nobody, and a synth warning.
   */
  readonly groups: { readonly [R in SsoRole]: readonly string[] };
  /**
   * The CDK bootstrap qualifier of the targets: platform admins assume only its roles.
   * @default 'hnb659fds' (the default of `cdk bootstrap`)
   */
  readonly cdkQualifier?: string;
  /**
   * Maximum session length per permission set, ISO-8601 durations between PT1H and PT12H.
   * @default - PT8H for model users, PT4H for auditors, PT1H for platform admins
   */
  readonly sessionDurations?: { readonly [R in SsoRole]?: string };
}

const DEFAULT_SESSION_DURATIONS: { readonly [R in SsoRole]: string } = { modelUsers: 'PT8H', auditors: 'PT4H', platformAdmins: 'PT1H' };

/** Construct ID (also the name suffix) and description of each role's permission set. */
const ROLE_INFO: { readonly [R in SsoRole]: { readonly id: string; readonly summary: string } } = {
  modelUsers: { id: 'ModelUser', summary: 'call the allowlisted Bedrock models through the private API or the organisation\'s VPC endpoints, with a published guardrail' },
  auditors: { id: 'Auditor', summary: 'read the audit evidence: trail, blueprint log groups, audit buckets' },
  platformAdmins: { id: 'PlatformAdmin', summary: 'deploy through the CDK bootstrap roles, read stacks and the Bedrock configuration' },
};

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

/** Whether an ISO-8601 duration (`PT8H`, `PT1H30M`) lies within Identity Center's 1 to 12 hours. */
function isValidSessionDuration(duration: string): boolean {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration);
  if (!match || (match[1] === undefined && match[2] === undefined)) return false;
  const minutes = Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
  return minutes >= 60 && minutes <= 720;
}

/**
 * The three permission sets of the blueprint, as inline policies scoped to the workload
 * accounts, each assigned to its Identity Store groups in every target account:
 *
 * - model users: the private model-invoker API, and the allowlisted models directly, only
 *   through the organisation's endpoints listed for the target and only with a published
 *   guardrail of the target account;
 * - auditors: read-only on the audit evidence (trail, the blueprint's log groups, the audit
 *   and access-log buckets, and decryption through S3 and CloudWatch Logs only);
 * - platform admins: deploy through the CDK bootstrap roles, read stacks and the Bedrock
 *   configuration (guardrails change only through a deployment).
 *
 * Permission sets and assignments deploy only in the organisation's management account or a
 * delegated administrator account, so this belongs in its own stack.
 */
export class SsoAccess extends Construct {
  public readonly modelUserPermissionSet: sso.CfnPermissionSet;
  public readonly auditorPermissionSet: sso.CfnPermissionSet;
  public readonly platformAdminPermissionSet: sso.CfnPermissionSet;
  /** Every group-to-account assignment, across the three permission sets. */
  public readonly assignments: sso.CfnAssignment[] = [];

  constructor(scope: Construct, id: string, props: SsoAccessProps) {
    super(scope, id);
    const sessionDurations = { ...DEFAULT_SESSION_DURATIONS, ...props.sessionDurations };
    validate(props, sessionDurations);

    const policies: { readonly [R in SsoRole]: iam.PolicyDocument } = {
      modelUsers: new iam.PolicyDocument({ statements: modelUserStatements(props) }),
      auditors: new iam.PolicyDocument({ statements: auditorStatements(props) }),
      platformAdmins: new iam.PolicyDocument({ statements: platformAdminStatements(props) }),
    };

    // Two targets may share an account; an account gets each group once.
    const accounts = [...new Set(props.targets.map((t) => t.account))];
    const create = (role: SsoRole): sso.CfnPermissionSet => {
      const info = ROLE_INFO[role];
      const policy = policies[role];
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

      const size = estimatePolicyChars(Stack.of(this).resolve(policy));
      if (size > MAX_ROLE_INLINE_POLICY_CHARS) {
        Annotations.of(this).addWarningV2(
          'privateai:sso-policy-size',
          `the inline policy of permission set ${name} is about ${size} characters, over IAM's ${MAX_ROLE_INLINE_POLICY_CHARS} per role, so provisioning it to the accounts will fail; split the targets over several blueprint deployments or shorten the model allowlist`,
        );
      }

      const groups = [...new Set(props.groups[role])];
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
  }
}

function validate(props: SsoAccessProps, sessionDurations: { readonly [R in SsoRole]: string }): void {
  if (props.targets.length === 0) {
    throw new Error('SsoAccess: targets is empty; list at least one workload account to grant access to (config: aws.targets)');
  }
  if (props.allowedRegions.length === 0) {
    throw new Error('SsoAccess: allowedRegions is empty; list at least one region (config: aws.allowedRegions)');
  }
  if (!Token.isUnresolved(props.instanceArn) && !/^arn:aws[a-z-]*:sso:::instance\/ssoins-[0-9a-f]{16}$/.test(props.instanceArn)) {
    throw new Error(`SsoAccess: instanceArn ${props.instanceArn} is not an Identity Center instance ARN (arn:<partition>:sso:::instance/ssoins-<16 hex digits>) (config: aws.identityCenter.instanceArn)`);
  }
  for (const role of SSO_ROLES) {
    if (!isValidSessionDuration(sessionDurations[role])) {
      throw new Error(`SsoAccess: sessionDurations.${role} ${sessionDurations[role]} must be an ISO-8601 duration between PT1H and PT12H (config: aws.identityCenter.sessionDurations.${role})`);
    }
    const name = permissionSetName(props.organisationName, role);
    if (name.length > MAX_NAME_CHARS || !NAME_PATTERN.test(name)) {
      throw new Error(`SsoAccess: permission set name ${name} derived from organisation name ${props.organisationName} is not 1-32 characters of [\\w+=,.@-]; use an organisation name of letters, digits and hyphens (config: organisation.name)`);
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

function scopeOf(props: SsoAccessProps, target: SsoTarget) {
  return { modelIds: props.models.modelIds, strict: props.models.strict, inferenceProfiles: props.models.inferenceProfiles, allowedRegions: props.allowedRegions, region: target.region, account: target.account };
}

function modelArnsOf(props: SsoAccessProps, target: SsoTarget): string[] {
  return modelResourceArns(scopeOf(props, target));
}

/** Under relaxed residency, the profiles through which destinations outside the allowed regions may be reached. */
function exemptProfiles(props: SsoAccessProps): string[] {
  return props.models.strict ? [] : [...new Set(props.targets.flatMap((t) => profileArns(scopeOf(props, t))))];
}

/** A statement ID suffix per target (`prod-eu` -> `ProdEu`), made unique if two names collapse to one. */
function sidSuffixes(targets: readonly SsoTarget[]): string[] {
  const seen = new Set<string>();
  return targets.map((t, i) => {
    const base = pascal(t.name);
    const suffix = seen.has(base) ? `${base}${i}` : base;
    seen.add(suffix);
    return suffix;
  });
}

const arn = (service: string, region: string, account: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
const guardrailArns = (t: SsoTarget) => arn('bedrock', t.region, t.account, 'guardrail/*');
/** A guardrail of the target at a version: `<arn>:<version>`; an unversioned ARN (the draft) has no colon after the ID. */
const versionedGuardrails = (t: SsoTarget) => arn('bedrock', t.region, t.account, 'guardrail/*:*');

/**
 * Model users: the private API (whose resource policy admits the ModelUser sessions through its
 * endpoint), and the allowlisted models of each target directly, only through the endpoints the
 * config lists for that target (`aws:SourceVpce`), only with a guardrail of that account at a
 * published version, and only from the role in that account (foundation-model ARNs name no
 * account); decrypting the targets' guardrail keys through Bedrock only; applying the targets'
 * guardrails through the same endpoints. What must never happen is also denied outright, so no other grant can open it: a
 * model call without a guardrail, with a draft or foreign guardrail, outside the listed
 * endpoints, or outside the allowed regions.
 */
export function modelUserStatements(props: SsoAccessProps): iam.PolicyStatement[] {
  const suffixes = sidSuffixes(props.targets);
  const direct = props.targets.map((t, i) => ({ t, suffix: suffixes[i], endpoints: [...new Set(t.bedrockRuntimeEndpointIds ?? [])] })).filter((d) => d.endpoints.length > 0);
  const allEndpoints = [...new Set(direct.flatMap((d) => d.endpoints))];
  const invoke = [...BEDROCK_INVOKE_ACTIONS];
  return [
    new iam.PolicyStatement({
      sid: 'InvokePrivateModelApi',
      actions: ['execute-api:Invoke'],
      resources: props.targets.map((t) => arn('execute-api', t.region, t.account, '*/*/POST/invoke')),
    }),
    ...direct.map(
      ({ t, suffix, endpoints }) =>
        new iam.PolicyStatement({
          sid: `InvokeAllowlistedModels${suffix}`,
          actions: invoke,
          resources: modelArnsOf(props, t),
          conditions: {
            StringEquals: { 'aws:PrincipalAccount': t.account, 'aws:SourceVpce': endpoints },
            StringLike: { 'bedrock:GuardrailIdentifier': versionedGuardrails(t) },
          },
        }),
    ),
    ...(direct.length > 0
      ? [
          new iam.PolicyStatement({
            sid: 'DecryptGuardrailsThroughBedrock',
            actions: ['kms:Decrypt'],
            resources: direct.map(({ t }) => arn('kms', t.region, t.account, 'key/*')),
            conditions: {
              StringEquals: { 'kms:ViaService': [...new Set(direct.map(({ t }) => `bedrock.${t.region}.amazonaws.com`))] },
              'ForAnyValue:StringEquals': { 'kms:ResourceAliases': direct.map(({ t }) => keyAlias(props.organisationName, t.name, KEY_PURPOSE.modelData)) },
            },
          }),
        ]
      : []),
    // ApplyGuardrail sends content to Bedrock too: the same endpoints, and the same targets (whose key it needs).
    ...(direct.length > 0
      ? [
          new iam.PolicyStatement({
            sid: 'ApplyGuardrailsOfTargets',
            actions: ['bedrock:ApplyGuardrail'],
            resources: direct.map(({ t }) => guardrailArns(t)),
            conditions: { StringEquals: { 'aws:SourceVpce': allEndpoints } },
          }),
        ]
      : []),
    new iam.PolicyStatement({
      sid: 'DenyModelCallsWithoutPublishedGuardrailOfTargets',
      effect: iam.Effect.DENY,
      actions: invoke,
      resources: ['*'],
      // A missing key matches StringNotLike too: no guardrail is denied as well.
      conditions: { StringNotLike: { 'bedrock:GuardrailIdentifier': props.targets.map(versionedGuardrails) } },
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
      actions: invoke,
      resources: ['*'],
      // With no endpoint listed anywhere the direct path is closed outright.
      ...(allEndpoints.length > 0 ? { conditions: { StringNotEquals: { 'aws:SourceVpce': allEndpoints } } } : {}),
    }),
    regionDenyStatement(props.allowedRegions, exemptProfiles(props)),
  ];
}

/**
 * Auditors: read-only on the audit evidence of each target. Actions with no resource-level
 * permissions (listing trails and log groups, CloudTrail event history, fetching or stopping a
 * Logs Insights query by ID, the account's invocation-logging setting) need `*`; everything
 * else names the trail, the blueprint's log groups, the two audit buckets and the account's keys.
 */
export function auditorStatements(props: SsoAccessProps): iam.PolicyStatement[] {
  const org = props.organisationName;
  const buckets = props.targets.flatMap((t) => [auditBucketName(org, t.name, t.account), accessLogsBucketName(org, t.name, t.account)]);
  const bucketArn = (bucket: string) => `arn:${Aws.PARTITION}:s3:::${bucket}`;
  const regions = [...new Set(props.targets.map((t) => t.region))];
  return [
    new iam.PolicyStatement({
      sid: 'ReadTrailsOfTargets',
      actions: ['cloudtrail:GetTrail', 'cloudtrail:GetTrailStatus', 'cloudtrail:GetEventSelectors'],
      // The trail's name is generated; its ARN carries the home region, the target's.
      resources: props.targets.map((t) => arn('cloudtrail', t.region, t.account, 'trail/*')),
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
      resources: props.targets.map((t) => arn('logs', t.region, t.account, `log-group:${logGroupPrefix(org, t.name)}*`)),
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
    }),
    new iam.PolicyStatement({
      sid: 'ListAuditBuckets',
      actions: ['s3:ListBucket', 's3:ListBucketVersions', 's3:GetBucketLocation'],
      resources: buckets.map(bucketArn),
    }),
    new iam.PolicyStatement({
      sid: 'DecryptEvidenceThroughS3AndLogsOnly',
      actions: ['kms:Decrypt'],
      resources: props.targets.map((t) => arn('kms', t.region, t.account, 'key/*')),
      conditions: { StringEquals: { 'kms:ViaService': regions.flatMap((r) => [`s3.${r}.amazonaws.com`, `logs.${r}.amazonaws.com`]) } },
    }),
    new iam.PolicyStatement({
      sid: 'ReadInvocationLoggingConfiguration',
      actions: ['bedrock:GetModelInvocationLoggingConfiguration'],
      resources: ['*'],
    }),
    regionDenyStatement(props.allowedRegions),
  ];
}

/** The CDK bootstrap roles a deployment assumes; the CloudFormation execution role trusts only CloudFormation. */
const CDK_BOOTSTRAP_ROLES = ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role'] as const;

/**
 * Platform admins: deploy through the CDK bootstrap roles of each target (the configured qualifier), read
 * the stacks and change sets of the target accounts and regions, and read the guardrails and
 * the Bedrock configuration; guardrails change only through a deployment. Bedrock reads are listed rather than `bedrock:Get*`, which
 * would include reading conversation data (agent memory, session invocation steps).
 */
export function platformAdminStatements(props: SsoAccessProps): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'AssumeCdkBootstrapRoles',
      actions: ['sts:AssumeRole'],
      resources: props.targets.flatMap((t) =>
        CDK_BOOTSTRAP_ROLES.map((role) => `arn:${Aws.PARTITION}:iam::${t.account}:role/cdk-${props.cdkQualifier ?? DEFAULT_CDK_QUALIFIER}-${role}-${t.account}-${t.region}`),
      ),
    }),
    new iam.PolicyStatement({
      sid: 'ReadStacksOfTargets',
      actions: ['cloudformation:Describe*', 'cloudformation:Get*', 'cloudformation:List*'],
      resources: props.targets.flatMap((t) => [arn('cloudformation', t.region, t.account, 'stack/*'), arn('cloudformation', t.region, t.account, 'changeSet/*')]),
    }),
    new iam.PolicyStatement({
      sid: 'ListStacks',
      actions: ['cloudformation:ListStacks'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      // Guardrails change through the config and a deployment (CloudFormation), which the organisation guard enforces.
      sid: 'ReadGuardrailsOfTargets',
      actions: ['bedrock:GetGuardrail'],
      resources: props.targets.map(guardrailArns),
    }),
    new iam.PolicyStatement({
      sid: 'ReadModelsOfTargets',
      actions: ['bedrock:GetFoundationModel', 'bedrock:GetInferenceProfile'],
      resources: props.targets.flatMap((t) => [arn('bedrock', t.region, '', 'foundation-model/*'), arn('bedrock', t.region, t.account, 'inference-profile/*')]),
    }),
    new iam.PolicyStatement({
      sid: 'ListBedrockConfiguration',
      actions: ['bedrock:ListGuardrails', 'bedrock:ListFoundationModels', 'bedrock:ListInferenceProfiles', 'bedrock:GetModelInvocationLoggingConfiguration'],
      resources: ['*'],
    }),
    regionDenyStatement(props.allowedRegions),
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
