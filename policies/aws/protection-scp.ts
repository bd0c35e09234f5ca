import {
  accessLogsBucketName,
  auditBucketName,
  BLUEPRINT_ROLE_PATH,
  keyAlias,
  logGroupPrefix,
  loggingSetterFunctionName,
  platformStackName,
  promptLogsBucketName,
  type OrgConfig,
} from '../../lib/config';
import { SCP_MAX_CHARS, type PolicyDocument } from './region-pinning-scp';

/**
 * The organisation guard that keeps the blueprint's audit and controls in place: for org admins to
 * attach as a second Service Control Policy beside the region-pinning one (an SCP holds at most
 * 5,120 characters, and each target may carry five). Only the change path may stop or change the
 * trail, the prompt-logging setting, the guardrails and where the evidence goes:
 *
 * - the CloudFormation execution role of the configured CDK bootstrap qualifier (its trust policy
 *   admits only CloudFormation);
 * - the blueprint's roles on BLUEPRINT_ROLE_PATH (the invocation-logging setter, a custom resource).
 *
 * What would let someone else act as the change path is protected too: the roles, policies and
 * function on that path, and the bootstrap roles themselves, which only the configured bootstrap
 * roles may create or change. Partition and account are wildcards: one document serves every
 * account of the organisation.
 */

/** The CDK bootstrap CloudFormation execution role of the configured qualifier. */
export function cdkExecutionRolePattern(config: OrgConfig): string {
  return `arn:*:iam::*:role/cdk-${config.aws.deployment.cdkQualifier}-cfn-exec-role-*`;
}

/** The blueprint's roles and managed policies on the trusted path. */
const BLUEPRINT_ROLES = `arn:*:iam::*:role${BLUEPRINT_ROLE_PATH}*`;
const BLUEPRINT_POLICIES = `arn:*:iam::*:policy${BLUEPRINT_ROLE_PATH}*`;

/**
 * The change path as `aws:PrincipalArn` patterns: the only principals the guard lets change the
 * trail, the prompt-logging setting, the guardrails and the evidence stores.
 */
export function changePathPrincipals(config: OrgConfig): string[] {
  return [cdkExecutionRolePattern(config), BLUEPRINT_ROLES];
}

/** The invocation-logging setter functions, named `PrivateAi-<organisation>-<target>-logging` by the platform stacks. */
export function loggingSetterFunctions(config: OrgConfig): string {
  return `arn:*:lambda:*:*:function:${loggingSetterFunctionName(config.organisation.name, '*')}`;
}

export function buildProtectionScp(config: OrgConfig): PolicyDocument {
  const org = config.organisation.name;
  const qualifier = config.aws.deployment.cdkQualifier;
  const notChangePath = { ArnNotLike: { 'aws:PrincipalArn': changePathPrincipals(config) } };
  const notCloudFormation = { ArnNotLike: { 'aws:PrincipalArn': cdkExecutionRolePattern(config) } };
  const notBootstrap = { ArnNotLike: { 'aws:PrincipalArn': config.aws.deployment.bootstrapRoleNames.map((name) => `arn:*:iam::*:role/${name}`) } };
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'ProtectAuditTrails',
      Effect: 'Deny',
      Action: ['cloudtrail:StopLogging', 'cloudtrail:DeleteTrail', 'cloudtrail:UpdateTrail', 'cloudtrail:PutEventSelectors'],
      // CloudFormation names each trail after its stack, PrivateAi-<organisation>-<target>-...
      Resource: `arn:*:cloudtrail:*:*:trail/${platformStackName(org, '*')}`,
      Condition: notChangePath,
    },
    {
      // Creating a guardrail or a version too: model users accept any published guardrail of their
      // account, so every guardrail there must come through the change path.
      Sid: 'ProtectPromptLoggingAndGuardrails',
      Effect: 'Deny',
      Action: [
        'bedrock:PutModelInvocationLoggingConfiguration',
        'bedrock:DeleteModelInvocationLoggingConfiguration',
        'bedrock:CreateGuardrail',
        'bedrock:CreateGuardrailVersion',
        'bedrock:UpdateGuardrail',
        'bedrock:DeleteGuardrail',
        'bedrock:PutEnforcedGuardrailConfiguration',
        'bedrock:DeleteEnforcedGuardrailConfiguration',
      ],
      Resource: '*',
      Condition: notChangePath,
    },
    {
      // Where the evidence goes: the blueprint's log groups (/<organisation>/<target>/...), audit and prompt-log buckets.
      Sid: 'ProtectEvidenceStores',
      Effect: 'Deny',
      Action: [
        'logs:DeleteLogGroup',
        'logs:DeleteLogStream',
        'logs:PutRetentionPolicy',
        'logs:DeleteRetentionPolicy',
        'logs:DisassociateKmsKey',
        's3:DeleteBucket',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:PutBucketVersioning',
        's3:PutLifecycleConfiguration',
        's3:PutBucketObjectLockConfiguration',
        's3:PutEncryptionConfiguration',
        's3:PutBucketLogging',
      ],
      Resource: [
        `arn:*:logs:*:*:log-group:${logGroupPrefix(org, '*')}*`,
        ...[auditBucketName, accessLogsBucketName, promptLogsBucketName].map((name) => `arn:*:s3:::${name(org, '*', '*')}`),
      ],
      Condition: notChangePath,
    },
    {
      // The blueprint's keys, found by their aliases (alias/<organisation>/<target>/<purpose>).
      Sid: 'ProtectBlueprintKeys',
      Effect: 'Deny',
      Action: ['kms:PutKeyPolicy', 'kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:DisableKeyRotation'],
      Resource: '*',
      Condition: { ...notCloudFormation, 'ForAnyValue:StringLike': { 'kms:ResourceAliases': keyAlias(org, '*', '*') } },
    },
    {
      // The keys are found by their aliases: deleting or repointing an alias would take a key out of the statement above.
      Sid: 'ProtectBlueprintKeyAliases',
      Effect: 'Deny',
      Action: ['kms:DeleteAlias', 'kms:UpdateAlias', 'kms:CreateAlias'],
      Resource: `arn:*:kms:*:*:${keyAlias(org, '*', '*')}`,
      Condition: notCloudFormation,
    },
    {
      // Who acts as the change path: only CloudFormation may create, re-permission or pass the roles on
      // the trusted path, change their policies, or run, change or re-permission the setter function.
      Sid: 'ProtectTheChangePath',
      Effect: 'Deny',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:PutRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:DeleteRolePermissionsBoundary',
        'iam:CreatePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:DeletePolicyVersion',
        'lambda:InvokeFunction',
        'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration',
        'lambda:AddPermission',
        'lambda:DeleteFunction',
      ],
      Resource: [BLUEPRINT_ROLES, BLUEPRINT_POLICIES, loggingSetterFunctions(config)],
      Condition: notCloudFormation,
    },
    {
      // Passing a role of the trusted path to a new function or service would make that the change
      // path; the setter itself passes the delivery role (also on the path) to Bedrock.
      Sid: 'ProtectTheChangePathRoles',
      Effect: 'Deny',
      Action: 'iam:PassRole',
      Resource: BLUEPRINT_ROLES,
      Condition: notChangePath,
    },
    {
      // The bootstrap roles and policies: a role named like the execution role, or a changed trust or
      // policy of the real one, would be the change path; only the bootstrap roles may touch them.
      Sid: 'ProtectTheBootstrapRoles',
      Effect: 'Deny',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DetachRolePolicy',
        'iam:PutRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:PutRolePermissionsBoundary',
        'iam:DeleteRolePermissionsBoundary',
        'iam:CreatePolicyVersion',
        'iam:SetDefaultPolicyVersion',
        'iam:DeletePolicyVersion',
      ],
      Resource: [`arn:*:iam::*:role/cdk-${qualifier}-*`, `arn:*:iam::*:policy/cdk-${qualifier}-*`],
      Condition: notBootstrap,
    },
  ];
  const doc: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  const size = JSON.stringify(doc).length;
  if (size > SCP_MAX_CHARS) {
    throw new Error(`the protection SCP is ${size} characters, over the ${SCP_MAX_CHARS} limit of AWS Organizations; shorten organisation.name or aws.deployment.bootstrapRoleNames`);
  }
  return doc;
}
