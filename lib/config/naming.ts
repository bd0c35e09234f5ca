/**
 * Physical names that must be known outside the stack that creates them: the Identity Center
 * permission sets (deployed from another account) grant access to the audit buckets and log
 * groups by name. Pure functions of the config, shared by every stack that needs them.
 */

/** Longest `organisation.name` + target name that keeps every bucket name within S3's 63 characters. */
export const MAX_ORG_AND_TARGET_CHARS = 43;

/** The audit evidence bucket of a target. */
export function auditBucketName(org: string, target: string, account: string): string {
  return `${org}-${target}-audit-${account}`;
}

/** The bucket of a target's model invocation logs (prompts and responses), apart from the audit evidence. */
export function promptLogsBucketName(org: string, target: string, account: string): string {
  return `${org}-${target}-inv-${account}`;
}

/** The log group of a target's model invocation logs (prompts and responses). */
export function promptLogGroupName(org: string, target: string): string {
  return logGroupName(org, target, 'model-invocations');
}

/** The server-access-log bucket of a target. */
export function accessLogsBucketName(org: string, target: string, account: string): string {
  return `${org}-${target}-logs-${account}`;
}

/** The log-group path prefix of a target; every log group of the blueprint lives under it. */
export function logGroupPrefix(org: string, target: string): string {
  return `/${org}/${target}/`;
}

/** A log group of a target, e.g. `/acme/prod/cloudtrail`. */
export function logGroupName(org: string, target: string, purpose: string): string {
  return `${logGroupPrefix(org, target)}${purpose}`;
}

/**
 * IAM path of the blueprint's roles that change protected settings (the invocation-logging
 * setter): the organisation guard lets only these and CloudFormation's execution roles change
 * the trail, the invocation-logging setting and the guardrails.
 */
export const BLUEPRINT_ROLE_PATH = '/privateai/';

/** The purposes of a target's keys; each names the key's alias. */
export const KEY_PURPOSE = { audit: 'audit', logs: 'logs', modelData: 'model-data', lambdaEnvironment: 'lambda-environment' } as const;

/** The alias of a target's key for one purpose, e.g. `alias/acme/prod/model-data`. */
export function keyAlias(org: string, target: string, purpose: string): string {
  return `alias/${org}/${target}/${purpose}`;
}

/** Every stack of the blueprint is named `PrivateAi-<organisation>-...`; the organisation guards match that prefix. */
export const STACK_NAME_PREFIX = 'PrivateAi';

/** The platform stack of a target: stable, because renaming a stack replaces everything in it. */
export function platformStackName(org: string, target: string): string {
  return `${STACK_NAME_PREFIX}-${org}-${target}`;
}

/** The Identity Center stack of an organisation. */
export function identityStackName(org: string): string {
  return `${STACK_NAME_PREFIX}-${org}-identity`;
}

/** The WAF log group of a target (WAF requires the `aws-waf-logs-` prefix). */
export function wafLogGroupName(org: string, target: string): string {
  return `aws-waf-logs-${platformStackName(org, target)}`;
}

/** The invocation-logging setter function of a target: within Lambda's 64 characters, matched by the protection guard. */
export function loggingSetterFunctionName(org: string, target: string): string {
  return `${platformStackName(org, target)}-logging`;
}

/** Where Bedrock writes model invocation logs in their bucket. */
export const INVOCATION_LOG_PREFIX = 'model-invocations';

/** A tag key as every cloud writes it: lowercase words joined by hyphens (`costCentre` is `cost-centre`). */
export function tagKey(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * The organisation's tags (config: tags) with the keys every cloud uses, so a cost report or an
 * inventory query finds the same `owner`, `cost-centre` and `data-classification` on AWS, Azure
 * and Google Cloud.
 */
export function organisationTags(tags: { readonly owner: string; readonly costCentre: string; readonly dataClassification: string }): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([key, value]) => [tagKey(key), value]));
}
