import { modelUsableInRegion, parseModelId, type OrgConfig } from '../../lib/config';
import { profileDestinations } from '../../lib/config/inference-profiles';
import { OTHER_MODEL_SERVING_ACTIONS, SUSPENDED_MODEL_ACTIONS } from '../../lib/aws/bedrock-policies';

/** An IAM policy document as JSON. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

/** SCPs are limited to 5,120 characters. */
export const SCP_MAX_CHARS = 5120;

/** The resources a model call may name, and the inference profiles it may go through. */
interface ModelAllowlist {
  /** Foundation models and inference profiles, as ARN patterns. */
  readonly resources: readonly string[];
  /** The allowlisted inference profiles in the allowed source regions, as ARN patterns. */
  readonly profiles: readonly string[];
}

/**
 * The ARNs an allowlisted call names in every region it is evaluated in. A geography profile is
 * evaluated in its source region (the profile) and again in the destination region AWS routes it to
 * (the foundation model there), so each destination of the routing table needs the model; a global
 * profile's destination is region-less.
 */
function modelAllowlist(config: OrgConfig): ModelAllowlist {
  const { allowedRegions, models, inferenceProfiles } = config.aws;
  const strict = config.dataResidency.strict;
  const resources = new Set<string>();
  const profiles = new Set<string>();
  for (const model of models) {
    const parsed = parseModelId(model.id);
    const sources = allowedRegions.filter((r) => modelUsableInRegion(model.id, r, strict));
    if (!parsed.profileGeography) {
      for (const r of sources) resources.add(`arn:*:bedrock:${r}::foundation-model/${model.id}`);
      continue;
    }
    for (const source of sources) {
      // Config validation refuses profiles with unknown routes; an allowed region that is not a source
      // of the profile has no destinations, and the profile cannot be called from it.
      const destinations = parsed.profileGeography === 'global' ? [''] : profileDestinations(model.id, source, inferenceProfiles);
      if (destinations.length === 0) continue;
      const profileArn = `arn:*:bedrock:${source}:*:inference-profile/${model.id}`;
      profiles.add(profileArn);
      resources.add(profileArn);
      for (const d of destinations) resources.add(`arn:*:bedrock:${d}::foundation-model/${parsed.foundationModelId}`);
    }
  }
  return { resources: [...resources].sort(), profiles: [...profiles].sort() };
}

/**
 * The organisation-level guard for org admins to attach as a Service Control Policy, generated from
 * the config so it never drifts from what the stacks allow. Partition and account are wildcards: one
 * document serves every account of the organisation. It denies:
 *
 * - Bedrock outside the allowed regions; under `dataResidency.strict: false` calls through an
 *   allowlisted inference profile are exempt, as AWS documents for SCPs with cross-region inference,
 *   because they are evaluated again in each destination region;
 * - model invocation and batch inference on anything but the allowlisted models, including every
 *   destination region of an allowlisted profile;
 * - global inference profiles under strict residency;
 * - Bedrock API keys (bearer tokens) and their creation;
 * - the model-serving surfaces beside bedrock-runtime (`bedrock-mantle`, `aws-external-anthropic`);
 * - while `detection.suspendModelAccess` is true (the kill switch), every model call of every
 *   principal of the accounts it is attached to: the one deny no identity policy can outgrow. It
 *   takes effect once an org admin applies the regenerated document, and lifts the same way.
 *
 * The second guard, protection-scp.ts, keeps the audit and the controls in place.
 *
 * @throws when the document exceeds the SCP size limit.
 */
export function buildRegionPinningScp(config: OrgConfig): PolicyDocument {
  const { allowedRegions } = config.aws;
  const strict = config.dataResidency.strict;
  const allowlist = modelAllowlist(config);
  const regionDenyCondition: Record<string, unknown> = { StringNotEquals: { 'aws:RequestedRegion': [...allowedRegions] } };
  // Strict residency validates that every profile destination is an allowed region, so the plain
  // region deny holds; otherwise destinations may lie outside and only profile calls may reach them.
  if (!strict && allowlist.profiles.length > 0) {
    regionDenyCondition.ArnNotLike = { 'bedrock:InferenceProfileArn': [...allowlist.profiles] };
  }

  const statements: Record<string, unknown>[] = [
    {
      // The identity policies' region deny (regionDenyStatement) also names the other model-serving
      // services; here DenyModelServingOutsideBedrockRuntime denies those in every region.
      Sid: 'DenyBedrockOutsideAllowedRegions',
      Effect: 'Deny',
      Action: 'bedrock:*',
      Resource: '*',
      Condition: regionDenyCondition,
    },
    {
      Sid: 'DenyModelsOutsideAllowlist',
      Effect: 'Deny',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:CreateModelInvocationJob'],
      // A batch job is authorised against its own ARN as well as the model's: jobs pass here and are
      // judged by their model (the region deny holds them to the allowed regions).
      NotResource: [...allowlist.resources, 'arn:*:bedrock:*:*:model-invocation-job/*'],
    },
  ];
  if (strict) {
    statements.push({
      Sid: 'DenyGlobalInferenceProfiles',
      Effect: 'Deny',
      Action: 'bedrock:*',
      Resource: 'arn:*:bedrock:*:*:inference-profile/global.*',
    });
  }
  statements.push(
    // API keys are long-lived bearer secrets beside the Identity Center sessions model access is granted through.
    { Sid: 'DenyBedrockApiKeys', Effect: 'Deny', Action: 'bedrock:CallWithBearerToken', Resource: '*' },
    {
      Sid: 'DenyBedrockApiKeyCreation',
      Effect: 'Deny',
      Action: 'iam:CreateServiceSpecificCredential',
      Resource: '*',
      Condition: { StringEquals: { 'iam:ServiceSpecificCredentialServiceName': 'bedrock.amazonaws.com' } },
    },
    // These serve models without bedrock-runtime's private endpoint or its bedrock:GuardrailIdentifier
    // key, and aws-external-anthropic has no model key either, so neither the guardrail nor the model
    // allowlist can be enforced on them: they are denied outright.
    {
      Sid: 'DenyModelServingOutsideBedrockRuntime',
      Effect: 'Deny',
      Action: [...OTHER_MODEL_SERVING_ACTIONS],
      Resource: '*',
    },
  );
  if (config.detection.suspendModelAccess) {
    statements.push({ Sid: 'ModelAccessSuspended', Effect: 'Deny', Action: [...SUSPENDED_MODEL_ACTIONS], Resource: '*' });
  }
  const doc: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  const size = JSON.stringify(doc).length;
  if (size > SCP_MAX_CHARS) {
    throw new Error(`the region-pinning SCP is ${size} characters, over the ${SCP_MAX_CHARS} limit of AWS Organizations; shorten aws.models or aws.allowedRegions`);
  }
  return doc;
}
