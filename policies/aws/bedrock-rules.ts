import { CfnResource, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sso from 'aws-cdk-lib/aws-sso';
import { NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import { geographyOfRegion, parseModelId } from '../../lib/config/region-pinning';

/**
 * Rules for Amazon Bedrock, which cdk-nag does not cover. Each rule is a small function of one
 * CfnResource (looking at its stack where a rule is about relations between resources) that
 * returns compliant, non-compliant or not applicable. The statement checks underneath are pure
 * functions of policy JSON.
 */

/** A policy statement, normalised: actions and resources always arrays. */
export interface Statement {
  readonly effect: string;
  readonly principal: unknown;
  readonly actions: string[];
  readonly resources: unknown[];
  readonly condition?: Record<string, Record<string, unknown>>;
}

const asArray = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Normalises a policy document (object or JSON string) into statements. */
export function statementsOf(document: unknown): Statement[] {
  const doc = typeof document === 'string' ? JSON.parse(document) : document;
  if (!doc || typeof doc !== 'object') return [];
  return asArray((doc as { Statement?: unknown }).Statement).map((raw) => {
    const s = raw as Record<string, unknown>;
    return {
      effect: String(s.Effect ?? 'Allow'),
      principal: s.Principal,
      actions: asArray(s.Action).map(String),
      resources: asArray(s.Resource),
      condition: s.Condition as Statement['condition'],
    };
  });
}

const INVOKE = /^bedrock:(InvokeModel|InvokeModelWithResponseStream|\*|Invoke\*)$/i;
const isWildcardAction = (a: string) => a === '*' || a.toLowerCase() === 'bedrock:*';
/** Whether a statement allows running a model. */
export const grantsInvoke = (s: Statement) => s.effect === 'Allow' && s.actions.some((a) => INVOKE.test(a) || a === '*');
const isBarePrincipal = (p: unknown) => p === '*' || (typeof p === 'object' && p !== null && asArray((p as { AWS?: unknown }).AWS).includes('*'));
const conditionKeys = (s: Statement) => Object.values(s.condition ?? {}).flatMap((c) => Object.keys(c ?? {}).map((k) => k.toLowerCase()));
const PRINCIPAL_KEYS = ['aws:principalaccount', 'aws:principalorgid', 'aws:principalorgpaths', 'aws:principalarn'];

/** Endpoint policy: no bare principal without a principal condition, no wildcard actions, no wildcard resource for invoke. */
export function endpointPolicyProblems(statements: Statement[]): string[] {
  if (statements.length === 0) return ['no endpoint policy (the default admits every principal and action)'];
  const problems: string[] = [];
  for (const s of statements.filter((x) => x.effect === 'Allow')) {
    if (isBarePrincipal(s.principal) && !conditionKeys(s).some((k) => PRINCIPAL_KEYS.includes(k))) problems.push('principal * without an account or organisation condition');
    if (s.actions.some(isWildcardAction)) problems.push('wildcard action');
    if (grantsInvoke(s) && s.resources.some((r) => r === '*')) problems.push('model invocation on resource *');
  }
  return problems;
}

const textOf = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
/** A resource that names no particular model: `*` or a wildcard model ARN. */
const isWildcardModel = (r: unknown) => r === '*' || /(foundation-model|inference-profile)\/\*/.test(textOf(r));

/** Identity policy: invoke only on named model ARNs; for people, only through a VPC endpoint. */
export function invokePolicyProblems(statements: Statement[], humanFacing: boolean): string[] {
  const problems: string[] = [];
  for (const s of statements.filter(grantsInvoke)) {
    if (s.actions.some(isWildcardAction)) problems.push('wildcard Bedrock action');
    if (s.resources.some(isWildcardModel)) problems.push('model invocation not limited to named model ARNs');
    if (humanFacing && !conditionKeys(s).includes('aws:sourcevpce')) problems.push('human-facing invoke without an aws:SourceVpce condition');
  }
  return problems;
}

/** Region-pinning settings the geography rule checks against. */
export interface PinningPolicy {
  readonly allowedRegions: readonly string[];
  readonly strict: boolean;
  /**
   * Under relaxed residency, the `<region>/<foundation model ID>` pairs that allowlisted
   * inference profiles route to outside the allowed regions; policies may name those foundation
   * models there (their calls are admitted only through the profile). Strict residency ignores it.
   * @default - none
   */
  readonly profileDestinations?: readonly string[];
}

/** Every model ARN must sit in an allowed region, and every profile in its own geography (no global under strict). */
export function pinningProblems(arns: string[], pinning: PinningPolicy): string[] {
  const problems: string[] = [];
  for (const arn of arns) {
    const m = /:bedrock:([a-z0-9-]*):[^:]*:(foundation-model|inference-profile)\/(.+)$/.exec(arn);
    if (!m) continue;
    const [, region, kind, id] = m;
    const throughProfile = !pinning.strict && kind === 'foundation-model' && (pinning.profileDestinations ?? []).includes(`${region}/${id}`);
    if (region && !region.includes('$') && !pinning.allowedRegions.includes(region) && !throughProfile) problems.push(`${kind} in non-allowed region ${region}`);
    const profile = parseModelId(id);
    if (profile.profileGeography === 'global' && pinning.strict) problems.push(`global inference profile ${id} under strict residency`);
    if (kind === 'inference-profile' && profile.profileGeography && profile.profileGeography !== 'global' && region && profile.profileGeography !== geographyOfRegion(region)) {
      problems.push(`profile ${id} used from ${region}, outside its ${profile.profileGeography} geography`);
    }
  }
  return problems;
}

/** All string leaves of a resolved value, joined where they form an Fn::Join. */
export function arnStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(arnStrings);
  if (value && typeof value === 'object') {
    const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join) return [join[1].map((p) => (typeof p === 'string' ? p : '$')).join(join[0])];
    return Object.values(value).flatMap(arnStrings);
  }
  return [];
}

// ---- CloudFormation-level helpers ----

/**
 * A resource's properties as they appear in the template (CloudFormation names, tokens resolved
 * to intrinsics). L1 attributes hold camelCase JavaScript values, so the rules read this instead.
 */
export function templateProperties(node: CfnResource): Record<string, unknown> {
  const rendered = Stack.of(node).resolve((node as unknown as { _toCloudFormation(): object })._toCloudFormation()) as {
    Resources: Record<string, { Properties?: Record<string, unknown> }>;
  };
  return Object.values(rendered.Resources)[0]?.Properties ?? {};
}
const prop = (node: CfnResource, name: string): unknown => templateProperties(node)[name];
const cfnResources = (node: CfnResource): CfnResource[] => Stack.of(node).node.findAll().filter((c): c is CfnResource => c instanceof CfnResource);
const logicalIdOf = (node: CfnResource) => Stack.of(node).resolve(node.logicalId) as string;
const refOf = (v: unknown): string | undefined => {
  const r = v as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return r?.Ref ?? r?.['Fn::GetAtt']?.[0];
};

// The service name is a string (com.amazonaws.<region>.bedrock-runtime) or a join ending in it.
const BEDROCK_ENDPOINT = /\.bedrock(-runtime|-agent|-agent-runtime|-mantle)?("|$)/;
const isBedrockEndpoint = (node: ec2.CfnVPCEndpoint) => BEDROCK_ENDPOINT.test(textOf(prop(node, 'ServiceName')));

/** Statements of every identity policy attached to a role (inline, managed in this stack). */
function roleStatements(node: CfnResource, roleLogicalId: string): Statement[] {
  const out: Statement[] = [];
  for (const r of cfnResources(node)) {
    if (r instanceof iam.CfnRole && logicalIdOf(r) === roleLogicalId) {
      for (const p of asArray(prop(r, 'Policies'))) out.push(...statementsOf((p as { PolicyDocument?: unknown }).PolicyDocument));
      const managed = asArray(prop(r, 'ManagedPolicyArns')).map(refOf).filter(Boolean) as string[];
      for (const m of cfnResources(node)) {
        if (m instanceof iam.CfnManagedPolicy && managed.includes(logicalIdOf(m))) out.push(...statementsOf(prop(m, 'PolicyDocument')));
      }
    }
    if ((r instanceof iam.CfnManagedPolicy || r instanceof iam.CfnPolicy) && asArray(prop(r, 'Roles')).map(refOf).includes(roleLogicalId)) {
      out.push(...statementsOf(prop(r, 'PolicyDocument')));
    }
  }
  return out;
}

const functionInvokesBedrock = (fn: lambda.CfnFunction): boolean => {
  const role = refOf(prop(fn, 'Role'));
  return !!role && roleStatements(fn, role).some(grantsInvoke);
};

// ---- The rules ----

/** Interface endpoints for Bedrock restrict principals, actions and (for invocation) resources. */
export function BedrockEndpointPolicyRestricted(node: CfnResource): NagRuleResult {
  if (!(node instanceof ec2.CfnVPCEndpoint) || !isBedrockEndpoint(node)) return NagRuleCompliance.NOT_APPLICABLE;
  return endpointPolicyProblems(statementsOf(prop(node, 'PolicyDocument'))).length === 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

/** IAM policies that allow invoking models name the models; Identity Center ones also require the VPC endpoint. */
export function BedrockInvokeScoped(node: CfnResource): NagRuleResult {
  let statements: Statement[];
  let humanFacing = false;
  if (node instanceof iam.CfnManagedPolicy || node instanceof iam.CfnPolicy) statements = statementsOf(prop(node, 'PolicyDocument'));
  else if (node instanceof iam.CfnRole) statements = asArray(prop(node, 'Policies')).flatMap((p) => statementsOf((p as { PolicyDocument?: unknown }).PolicyDocument));
  else if (node instanceof sso.CfnPermissionSet) {
    statements = statementsOf(prop(node, 'InlinePolicy'));
    humanFacing = true;
  } else return NagRuleCompliance.NOT_APPLICABLE;
  if (!statements.some(grantsInvoke)) return NagRuleCompliance.NOT_APPLICABLE;
  return invokePolicyProblems(statements, humanFacing).length === 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

/** A guardrail filters prompt attacks on input, handles PII, and is encrypted with a customer-managed key. */
export function BedrockGuardrailHardened(node: CfnResource): NagRuleResult {
  if (!(node instanceof bedrock.CfnGuardrail)) return NagRuleCompliance.NOT_APPLICABLE;
  const content = prop(node, 'ContentPolicyConfig') as { FiltersConfig?: Array<{ Type?: string; InputStrength?: string }> } | undefined;
  const promptAttack = content?.FiltersConfig?.some((f) => f.Type === 'PROMPT_ATTACK' && f.InputStrength && f.InputStrength !== 'NONE');
  const sensitive = prop(node, 'SensitiveInformationPolicyConfig') as { PiiEntitiesConfig?: unknown[] } | undefined;
  const pii = (sensitive?.PiiEntitiesConfig?.length ?? 0) > 0;
  const cmk = prop(node, 'KmsKeyArn') !== undefined;
  return promptAttack && pii && cmk ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

/** A function whose role may invoke Bedrock runs in a VPC (so it reaches Bedrock through the endpoint). */
export function BedrockInvokerInVpc(node: CfnResource): NagRuleResult {
  if (!(node instanceof lambda.CfnFunction) || !functionInvokesBedrock(node)) return NagRuleCompliance.NOT_APPLICABLE;
  const vpc = prop(node, 'VpcConfig') as { SubnetIds?: unknown[] } | undefined;
  return (vpc?.SubnetIds?.length ?? 0) > 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}

export const INVOCATION_LOGGING_TYPE = 'Custom::BedrockModelInvocationLogging';
const accountRegion = (node: CfnResource) => `${Stack.of(node).account}/${Stack.of(node).region}`;
const loggingResourcesOfApp = (node: CfnResource): CfnResource[] =>
  node.node.root.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource && c.cfnResourceType === INVOCATION_LOGGING_TYPE);

/**
 * Model invocation logging is configured exactly once per account and region, to a KMS-encrypted
 * bucket and log group. Checked on the logging resource, and on runtime endpoints (a stack that
 * reaches Bedrock needs logging somewhere in the app for its account and region).
 */
export function BedrockInvocationLogging(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType === INVOCATION_LOGGING_TYPE) {
    const same = loggingResourcesOfApp(node).filter((r) => accountRegion(r) === accountRegion(node));
    if (same.length !== 1) return NagRuleCompliance.NON_COMPLIANT;
    const props = templateProperties(node) as {
      LoggingConfig?: { s3Config?: { bucketName?: unknown }; cloudWatchConfig?: { logGroupName?: unknown } };
    };
    const bucketId = refOf(props.LoggingConfig?.s3Config?.bucketName);
    const groupId = refOf(props.LoggingConfig?.cloudWatchConfig?.logGroupName);
    const bucket = cfnResources(node).find((r): r is s3.CfnBucket => r instanceof s3.CfnBucket && logicalIdOf(r) === bucketId);
    const group = cfnResources(node).find((r): r is logs.CfnLogGroup => r instanceof logs.CfnLogGroup && logicalIdOf(r) === groupId);
    const encryption = bucket && (prop(bucket, 'BucketEncryption') as { ServerSideEncryptionConfiguration?: Array<{ ServerSideEncryptionByDefault?: { SSEAlgorithm?: string } }> });
    const bucketKms = encryption?.ServerSideEncryptionConfiguration?.some((c) => c.ServerSideEncryptionByDefault?.SSEAlgorithm === 'aws:kms');
    const groupKms = group && prop(group, 'KmsKeyId') !== undefined;
    return bucketKms && groupKms ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  if (node instanceof ec2.CfnVPCEndpoint && /bedrock-runtime/.test(textOf(prop(node, 'ServiceName')))) {
    return loggingResourcesOfApp(node).some((r) => accountRegion(r) === accountRegion(node)) ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  }
  return NagRuleCompliance.NOT_APPLICABLE;
}

/** Model and profile ARNs in policies respect the allowed regions and the profile geography. */
export function bedrockRegionPinningRule(pinning: PinningPolicy): (node: CfnResource) => NagRuleResult {
  const rule = (node: CfnResource): NagRuleResult => {
    let documents: unknown[] = [];
    if (node instanceof iam.CfnManagedPolicy || node instanceof iam.CfnPolicy) documents = [prop(node, 'PolicyDocument')];
    else if (node instanceof ec2.CfnVPCEndpoint) documents = [prop(node, 'PolicyDocument')];
    else if (node instanceof sso.CfnPermissionSet) documents = [prop(node, 'InlinePolicy')];
    else if (node instanceof iam.CfnRole) documents = asArray(prop(node, 'Policies')).map((p) => (p as { PolicyDocument?: unknown }).PolicyDocument);
    const arns = documents.flatMap((d) => statementsOf(d)).filter((s) => s.effect === 'Allow').flatMap((s) => s.resources.flatMap(arnStrings));
    const modelArns = arns.filter((a) => /:bedrock:.*:(foundation-model|inference-profile)\//.test(a));
    if (modelArns.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    return pinningProblems(modelArns, pinning).length === 0 ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
  };
  Object.defineProperty(rule, 'name', { value: 'BedrockRegionPinning' });
  return rule;
}

/**
 * A REST API that fronts a Bedrock-invoking function is PRIVATE and its resource policy pins
 * the execute-api endpoint with aws:SourceVpce.
 */
export function BedrockModelApiPrivate(node: CfnResource): NagRuleResult {
  if (!(node instanceof apigw.CfnRestApi)) return NagRuleCompliance.NOT_APPLICABLE;
  const apiId = logicalIdOf(node);
  const functions = cfnResources(node).filter((r): r is lambda.CfnFunction => r instanceof lambda.CfnFunction && functionInvokesBedrock(r));
  const fronts = cfnResources(node).some((r) => {
    if (!(r instanceof apigw.CfnMethod) || refOf(prop(r, 'RestApiId')) !== apiId) return false;
    const uri = JSON.stringify(prop(r, 'Integration'));
    return functions.some((f) => uri.includes(`"${logicalIdOf(f)}"`));
  });
  if (!fronts) return NagRuleCompliance.NOT_APPLICABLE;
  const endpoint = prop(node, 'EndpointConfiguration') as { Types?: string[] } | undefined;
  const isPrivate = endpoint?.Types?.length === 1 && endpoint.Types[0] === 'PRIVATE';
  const pinned = statementsOf(prop(node, 'Policy')).some((s) => s.effect === 'Allow' && conditionKeys(s).includes('aws:sourcevpce'));
  return isPrivate && pinned ? NagRuleCompliance.COMPLIANT : NagRuleCompliance.NON_COMPLIANT;
}
