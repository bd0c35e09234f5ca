import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { profileDestinations, type ProfileRoutes } from '../config/inference-profiles';
import { modelUsableInRegion, parseModelId } from '../config/region-pinning';

/**
 * Builders for the IAM and endpoint policy statements that pin Bedrock use to the model
 * allowlist and the allowed regions. Pure functions of their inputs; ARNs use the stack's
 * partition and account tokens, never literals.
 */

/** Bedrock actions that run a model. Converse and ConverseStream are authorised as these. */
export const BEDROCK_INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'] as const;

/**
 * The model-serving IAM services beside `bedrock:`: the OpenAI-compatible endpoint
 * (`bedrock-mantle`) and Anthropic's API on AWS (`aws-external-anthropic`). They carry neither
 * bedrock-runtime's guardrail key nor, for the latter, a model key.
 */
export const OTHER_MODEL_SERVING_ACTIONS = ['bedrock-mantle:*', 'aws-external-anthropic:*'] as const;

/** Every IAM service that serves models: what a region guard must cover. */
export const MODEL_SERVING_ACTIONS = ['bedrock:*', ...OTHER_MODEL_SERVING_ACTIONS] as const;

/**
 * What the kill switch (`detection.suspendModelAccess`) denies: running a model on bedrock-runtime
 * (Converse and ConverseStream are authorised as the invoke actions; there is no `bedrock:Converse`),
 * batch inference, sending content to a guardrail, and the other model-serving services.
 */
export const SUSPENDED_MODEL_ACTIONS = [...BEDROCK_INVOKE_ACTIONS, 'bedrock:CreateModelInvocationJob', 'bedrock:ApplyGuardrail', ...OTHER_MODEL_SERVING_ACTIONS] as const;

/**
 * The kill switch's explicit Deny for identity policies: no model call of any kind, on any
 * resource, whatever else the principal is granted. Present only while model access is suspended.
 */
export function suspendedModelAccessStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: 'ModelAccessSuspended', effect: iam.Effect.DENY, actions: [...SUSPENDED_MODEL_ACTIONS], resources: ['*'] });
}

/** What a stack in one region may call. */
export interface ModelScope {
  /** Allowlisted model or inference-profile IDs. */
  readonly modelIds: readonly string[];
  /** The region of the stack (and its endpoint). */
  readonly region: string;
  /** All regions allowed by data residency. */
  readonly allowedRegions: readonly string[];
  /** Strict data residency: no `global.` profiles. */
  readonly strict: boolean;
  /**
   * Where geography inference profiles route, beyond the blueprint's table (config: aws.inferenceProfiles).
   * @default - the table in lib/config/inference-profiles.ts only
   */
  readonly inferenceProfiles?: Readonly<Record<string, ProfileRoutes>>;
  /**
   * Account that owns the inference profiles (for policies written in another account).
   * @default Aws.ACCOUNT_ID
   */
  readonly account?: string;
}

/**
 * The allowlisted models usable from `scope.region`: foundation models, and the profiles of its
 * geography that can be called from it (others are left out).
 */
export function usableModelIds(scope: ModelScope): string[] {
  return scope.modelIds.filter((id) => {
    if (!modelUsableInRegion(id, scope.region, scope.strict)) return false;
    const geography = parseModelId(id).profileGeography;
    return !geography || geography === 'global' || profileDestinations(id, scope.region, scope.inferenceProfiles).length > 0;
  });
}

/** An inference profile of the scope's account, called from its region. */
const inferenceProfileArn = (scope: ModelScope, id: string) => `arn:${Aws.PARTITION}:bedrock:${scope.region}:${scope.account ?? Aws.ACCOUNT_ID}:inference-profile/${id}`;

/** The ARNs of the allowlisted inference profiles callable from `scope.region`. */
export function profileArns(scope: ModelScope): string[] {
  return usableModelIds(scope)
    .filter((id) => parseModelId(id).profileGeography)
    .map((id) => inferenceProfileArn(scope, id));
}

/**
 * Resource ARNs that admit exactly the allowlisted models: foundation models in the stack's
 * region, and for each inference profile the profile in this account plus its foundation model
 * in every destination region the profile routes to from the stack's region (AWS evaluates the
 * call in each, so cross-region routing works inside the allowlist and fails closed outside it).
 */
export function modelResourceArns(scope: ModelScope): string[] {
  const arns = new Set<string>();
  const foundationModel = (region: string, id: string) => `arn:${Aws.PARTITION}:bedrock:${region}::foundation-model/${id}`;
  for (const id of usableModelIds(scope)) {
    const parsed = parseModelId(id);
    if (!parsed.profileGeography) {
      arns.add(foundationModel(scope.region, id));
      continue;
    }
    arns.add(inferenceProfileArn(scope, id));
    const destinations = parsed.profileGeography === 'global' ? [''] : profileDestinations(id, scope.region, scope.inferenceProfiles);
    for (const region of destinations) arns.add(foundationModel(region, parsed.foundationModelId));
  }
  return [...arns];
}

/** Who may use an endpoint: principals of this account, or of the organisation when given. */
export function principalConditions(organizationId?: string): Record<string, Record<string, string>> {
  return organizationId
    ? { StringEquals: { 'aws:PrincipalOrgID': organizationId } }
    : { StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID } };
}

/**
 * The bedrock-runtime endpoint policy: only principals of this account (or organisation), only
 * the invoke actions, only the allowlisted models in allowed regions.
 */
export function runtimeEndpointStatements(scope: ModelScope, organizationId?: string): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'InvokeAllowlistedModelsOnly',
      principals: [new iam.AnyPrincipal()],
      actions: [...BEDROCK_INVOKE_ACTIONS],
      resources: modelResourceArns(scope),
      conditions: principalConditions(organizationId),
    }),
  ];
}

/** Lets this account's principals apply the platform guardrail through the runtime endpoint. */
export function applyGuardrailEndpointStatement(guardrailArn: string, organizationId?: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'ApplyThePlatformGuardrail',
    principals: [new iam.AnyPrincipal()],
    actions: ['bedrock:ApplyGuardrail'],
    resources: [guardrailArn],
    conditions: principalConditions(organizationId),
  });
}

/**
 * A Deny statement for identity policies: no Bedrock call of any kind, and no call of the other
 * model-serving services, outside the allowed regions, whatever else the principal is granted.
 * Under relaxed residency, calls made through one of `throughProfiles` are exempt, so a profile's
 * destinations outside the allowed regions are reached only through the profile (the
 * `bedrock:InferenceProfileArn` pattern AWS documents). Calls of the other services carry no
 * `bedrock:InferenceProfileArn`, which ArnNotLike counts as not matching: they are simply pinned.
 */
export function regionDenyStatement(allowedRegions: readonly string[], throughProfiles: readonly string[] = []): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyBedrockOutsideAllowedRegions',
    effect: iam.Effect.DENY,
    actions: [...MODEL_SERVING_ACTIONS],
    resources: ['*'],
    conditions: {
      StringNotEquals: { 'aws:RequestedRegion': [...allowedRegions] },
      ...(throughProfiles.length > 0 ? { ArnNotLike: { 'bedrock:InferenceProfileArn': [...throughProfiles] } } : {}),
    },
  });
}
