import { accessLogsBucketName, auditBucketName, keyAlias, promptLogsBucketName, STACK_NAME_PREFIX, type OrgConfig } from '../../lib/config';
import { buildProtectionScp, cdkExecutionRolePattern, changePathPrincipals } from './protection-scp';
import { buildRegionPinningScp, type PolicyDocument } from './region-pinning-scp';

/** An organisation guard: a policy the app writes to `cdk.out/org-guards/`. */
export interface OrgGuard {
  /** Its file name in `cdk.out/org-guards/`. */
  readonly file: string;
  /** The document; undefined when a reader did not find the file. */
  readonly policy?: unknown;
}

/** The AWS Organizations policy types of the guards. */
export type OrgGuardType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

/** An organisation guard as built from the config: the reviewable file and the policy the organisation stack deploys. */
export interface OrgGuardDocument extends OrgGuard {
  /** Construct ID of its `AWS::Organizations::Policy` in the organisation stack: stable, renaming it orphans the retained policy. */
  readonly id: string;
  readonly type: OrgGuardType;
  /** Its name in AWS Organizations, unique in the organisation. */
  readonly name: string;
  readonly description: string;
  readonly policy: PolicyDocument;
}

/** The file names of the service control policies, in the order the app writes them; the access proofs evaluate these. */
export const ORG_GUARD_FILES = ['bedrock-region-pinning.scp.json', 'blueprint-protection.scp.json'] as const;

/** The file name of the resource control policy (with `aws.organization.resourceControlPolicies`). */
export const RCP_FILE = 'blueprint-protection.rcp.json';

/** RCPs hold at most 5,120 characters, as SCPs do. */
export const RCP_MAX_CHARS = 5120;

/**
 * The organisation guards of a config, the one source of both the JSON files under
 * `cdk.out/org-guards/` and the policies of the organisation stack: region and model pinning, the
 * protection of the audit and controls (SCPs), and, with `aws.organization.resourceControlPolicies`,
 * the protection of the evidence buckets, keys and change-path roles as resources (an RCP).
 */
export function buildOrgGuards(config: OrgConfig): OrgGuardDocument[] {
  const prefix = `${STACK_NAME_PREFIX}-${config.organisation.name}`;
  const guards: OrgGuardDocument[] = [
    {
      id: 'RegionPinning',
      file: ORG_GUARD_FILES[0],
      type: 'SERVICE_CONTROL_POLICY',
      name: `${prefix}-bedrock-region-pinning`,
      description: 'private-ai-blueprint: Bedrock in the allowed regions only, allowlisted models only, no Bedrock API keys',
      policy: buildRegionPinningScp(config),
    },
    {
      id: 'Protection',
      file: ORG_GUARD_FILES[1],
      type: 'SERVICE_CONTROL_POLICY',
      name: `${prefix}-blueprint-protection`,
      description: 'private-ai-blueprint: only the change path may stop the trail, change prompt logging or guardrails, or touch the evidence stores and keys',
      policy: buildProtectionScp(config),
    },
  ];
  if (config.aws.organization?.resourceControlPolicies) {
    guards.push({
      id: 'ResourceProtection',
      file: RCP_FILE,
      type: 'RESOURCE_CONTROL_POLICY',
      name: `${prefix}-resource-protection`,
      description: 'private-ai-blueprint: the evidence buckets, keys and change-path roles refuse every principal but the change path, inside or outside the organisation',
      policy: buildProtectionRcp(config),
    });
  }
  return guards;
}

/**
 * The resource control policy that protects the blueprint's evidence as resources. The protection
 * SCP binds the principals of the accounts it is attached to; this binds the resources of those
 * accounts whoever calls, so it also holds against principals of the management account (which
 * no SCP binds), of accounts outside `attachTo` and of other organisations, and against a bucket or
 * key policy loosened to admit them. RCPs exist for S3, STS, KMS, SQS and Secrets Manager; the
 * blueprint's evidence is in S3 under KMS keys, and its change path is IAM roles, which STS guards.
 * RCPs take `Principal: "*"` only, no `NotPrincipal`, so the exemptions are conditions. They do
 * not bind the management account's resources, service-linked roles or AWS managed keys.
 *
 * - Evidence buckets (audit, server access logs, prompt logs): no object deleted, no policy, lock,
 *   versioning, lifecycle, encryption, logging or replication changed, no bucket deleted, except by
 *   the change path. The SCP does not cover object deletion; object lock does not cover delete
 *   markers, nor the access-log bucket (S3 cannot deliver its logs to a locked bucket).
 * - The blueprint's keys (found by their aliases, as the SCP finds them): no key policy change,
 *   disabling, deletion or rotation stop, except by CloudFormation.
 * - The change-path roles: assumed by AWS services only (CloudFormation, Lambda, Bedrock). The SCP
 *   lets the bootstrap roles change their trust, and then assume them; this refuses the assumption.
 * - With `aws.organizationId`: the evidence buckets refuse principals outside the organisation,
 *   AWS services (CloudTrail, Bedrock, S3 log delivery) excepted.
 *
 * The exempt principals are matched by name in any account: such a principal outside the blueprint's
 * accounts reaches the resources only through a bucket or key policy that admits it, and those
 * policies are what this keeps from being changed. Partition and account are wildcards.
 *
 * @throws when the document exceeds the RCP size limit.
 */
export function buildProtectionRcp(config: OrgConfig): PolicyDocument {
  const org = config.organisation.name;
  // `*` in an ARN pattern spans `/`: each pattern names a bucket and its objects.
  const evidenceBuckets = [auditBucketName, accessLogsBucketName, promptLogsBucketName].map((name) => `arn:*:s3:::${name(org, '*', '*')}`);
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'ProtectEvidenceBuckets',
      Effect: 'Deny',
      Principal: '*',
      Action: [
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:BypassGovernanceRetention',
        's3:DeleteBucket',
        's3:PutBucketPolicy',
        's3:DeleteBucketPolicy',
        's3:PutBucketObjectLockConfiguration',
        's3:PutBucketVersioning',
        's3:PutLifecycleConfiguration',
        's3:PutEncryptionConfiguration',
        's3:PutBucketLogging',
        's3:PutReplicationConfiguration',
      ],
      Resource: evidenceBuckets,
      Condition: { ArnNotLike: { 'aws:PrincipalArn': changePathPrincipals(config) } },
    },
    {
      Sid: 'ProtectBlueprintKeys',
      Effect: 'Deny',
      Principal: '*',
      Action: ['kms:PutKeyPolicy', 'kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:DisableKeyRotation'],
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': cdkExecutionRolePattern(config) }, 'ForAnyValue:StringLike': { 'kms:ResourceAliases': keyAlias(org, '*', '*') } },
    },
    {
      // CloudFormation assumes the execution role, Lambda and Bedrock the roles on the blueprint's path: never a person.
      Sid: 'OnlyServicesAssumeTheChangePath',
      Effect: 'Deny',
      Principal: '*',
      Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity'],
      Resource: changePathPrincipals(config),
      Condition: { Bool: { 'aws:PrincipalIsAWSService': 'false' } },
    },
  ];
  const organizationId = config.aws.organizationId;
  if (organizationId) {
    statements.push({
      Sid: 'KeepEvidenceInTheOrganization',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: evidenceBuckets,
      Condition: { StringNotEqualsIfExists: { 'aws:PrincipalOrgID': organizationId }, Bool: { 'aws:PrincipalIsAWSService': 'false' } },
    });
  }
  const doc: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  const size = JSON.stringify(doc).length;
  if (size > RCP_MAX_CHARS) {
    throw new Error(`the protection RCP is ${size} characters, over the ${RCP_MAX_CHARS} limit of AWS Organizations; shorten organisation.name or aws.deployment.cdkQualifier`);
  }
  return doc;
}
