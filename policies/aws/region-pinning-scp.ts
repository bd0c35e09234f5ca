import { modelUsableInRegion, parseModelId, geographyOfRegion, type OrgConfig } from '../../lib/config';

/** An IAM policy document as JSON. */
export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

/** SCPs are limited to 5,120 characters. */
export const SCP_MAX_CHARS = 5120;

/**
 * The organisation-level guard for org admins to attach as a Service Control Policy: no
 * Bedrock call outside the allowed regions, no model invocation outside the allowlist, and
 * (under strict residency) no global inference profile. Generated from the config so it never
 * drifts from what the stacks allow. Partition and account are wildcards: one document serves
 * every account of the organisation.
 */
export function buildRegionPinningScp(config: OrgConfig): PolicyDocument {
  const { allowedRegions, models } = config.aws;
  const strict = config.dataResidency.strict;
  const allowedModelArns = new Set<string>();
  for (const model of models) {
    const parsed = parseModelId(model.id);
    if (!allowedRegions.some((r) => modelUsableInRegion(model.id, r, strict))) continue;
    if (!parsed.profileGeography) {
      for (const r of allowedRegions) allowedModelArns.add(`arn:*:bedrock:${r}::foundation-model/${model.id}`);
      continue;
    }
    for (const r of allowedRegions.filter((x) => modelUsableInRegion(model.id, x, strict))) {
      allowedModelArns.add(`arn:*:bedrock:${r}:*:inference-profile/${model.id}`);
    }
    const destinations = parsed.profileGeography === 'global' ? [''] : allowedRegions.filter((r) => geographyOfRegion(r) === parsed.profileGeography);
    for (const r of destinations) allowedModelArns.add(`arn:*:bedrock:${r}::foundation-model/${parsed.foundationModelId}`);
  }
  const statements: Record<string, unknown>[] = [
    {
      Sid: 'DenyBedrockOutsideAllowedRegions',
      Effect: 'Deny',
      Action: 'bedrock:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': [...allowedRegions] } },
    },
    {
      Sid: 'DenyModelsOutsideAllowlist',
      Effect: 'Deny',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      NotResource: [...allowedModelArns].sort(),
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
  const doc: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  const size = JSON.stringify(doc).length;
  if (size > SCP_MAX_CHARS) {
    throw new Error(`the region-pinning SCP is ${size} characters, over the ${SCP_MAX_CHARS} limit of AWS Organizations; shorten aws.models or aws.allowedRegions`);
  }
  return doc;
}
