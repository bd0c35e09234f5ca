import { MAX_ORG_AND_TARGET_CHARS } from './naming';
import type { OrgConfig } from './schema';

/**
 * Data-residency rules shared by every cloud program: which geography a region belongs to,
 * which cross-region inference profiles may be used, and the cross-field checks the schema
 * alone cannot express. Pure functions only.
 */

/** A problem found in the config: where, what was received, and what is allowed. */
export interface ConfigIssue {
  readonly path: string;
  readonly received: unknown;
  readonly message: string;
}

/** Cross-region inference profile prefixes and the geography each routes within. */
const PROFILE_GEOGRAPHY: Readonly<Record<string, string>> = {
  us: 'us',
  'us-gov': 'us-gov',
  eu: 'eu',
  apac: 'apac',
  jp: 'apac',
  au: 'apac',
  ca: 'ca',
  global: 'global',
};

/** The geography of an AWS region: `eu-central-1` is `eu`, `ap-south-1` is `apac`. */
export function geographyOfRegion(region: string): string {
  if (region.startsWith('us-gov-')) return 'us-gov';
  const prefix = region.split('-')[0];
  return prefix === 'ap' ? 'apac' : prefix;
}

/** A Bedrock model ID split into its optional inference-profile prefix and the foundation model. */
export interface ParsedModelId {
  /** `eu`, `us`, `global`...; undefined for a plain foundation model. */
  readonly profilePrefix?: string;
  /** The geography the profile routes within; undefined for a plain foundation model. */
  readonly profileGeography?: string;
  readonly foundationModelId: string;
}

export function parseModelId(id: string): ParsedModelId {
  const [first, ...rest] = id.split('.');
  if (rest.length >= 2 && first in PROFILE_GEOGRAPHY) {
    return { profilePrefix: first, profileGeography: PROFILE_GEOGRAPHY[first], foundationModelId: rest.join('.') };
  }
  return { foundationModelId: id };
}

/** Whether a model (foundation model or profile) may be called from a stack in `region`. */
export function modelUsableInRegion(id: string, region: string, strict: boolean): boolean {
  const parsed = parseModelId(id);
  if (!parsed.profileGeography) return true;
  if (parsed.profileGeography === 'global') return !strict;
  return parsed.profileGeography === geographyOfRegion(region);
}

/** Cross-field checks: region allowlist, inference-profile geography, uniqueness, single logging owner. */
export function checkRegionPinning(config: OrgConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const { aws, dataResidency } = config;
  const allowed = aws.allowedRegions;
  const allowedGeographies = new Set(allowed.map(geographyOfRegion));

  aws.targets.forEach((target, i) => {
    if (!allowed.includes(target.region)) {
      issues.push({
        path: `aws.targets[${i}].region`,
        received: target.region,
        message: `region ${target.region} is not allowed by data residency policy; allowed: ${allowed.join(', ')} (add it to aws.allowedRegions or deploy to an allowed region)`,
      });
    }
  });

  aws.targets.forEach((target, i) => {
    target.network?.availabilityZones?.forEach((zone, j) => {
      if (!zone.startsWith(target.region)) {
        issues.push({
          path: `aws.targets[${i}].network.availabilityZones[${j}]`,
          received: zone,
          message: `must be a zone of the target region ${target.region}, such as ${target.region}a`,
        });
      }
    });
  });

  aws.targets.forEach((target, i) => {
    if (config.organisation.name.length + target.name.length > MAX_ORG_AND_TARGET_CHARS) {
      issues.push({
        path: `aws.targets[${i}].name`,
        received: target.name,
        message: `together with organisation.name ("${config.organisation.name}") it must be at most ${MAX_ORG_AND_TARGET_CHARS} characters, so the audit bucket names fit S3's 63-character limit; shorten one of them`,
      });
    }
  });

  const seenTargets = new Map<string, number>();
  const loggingOwners = new Map<string, number>();
  aws.targets.forEach((target, i) => {
    const previous = seenTargets.get(target.name);
    if (previous !== undefined) {
      issues.push({ path: `aws.targets[${i}].name`, received: target.name, message: `target names must be unique; aws.targets[${previous}] already uses it` });
    }
    seenTargets.set(target.name, i);
    if (target.ownsInvocationLogging) {
      const key = `${target.account}/${target.region}`;
      const owner = loggingOwners.get(key);
      if (owner !== undefined) {
        issues.push({
          path: `aws.targets[${i}].ownsInvocationLogging`,
          received: true,
          message: `model invocation logging is one setting per account and region, and aws.targets[${owner}] already owns it for ${key}; set ownsInvocationLogging: false on one of them`,
        });
      }
      loggingOwners.set(key, i);
    }
  });

  const seenModels = new Set<string>();
  aws.models.forEach((model, i) => {
    if (seenModels.has(model.id)) {
      issues.push({ path: `aws.models[${i}].id`, received: model.id, message: 'model IDs must be unique in the allowlist' });
    }
    seenModels.add(model.id);
    const parsed = parseModelId(model.id);
    if (parsed.profileGeography === 'global' && dataResidency.strict) {
      issues.push({
        path: `aws.models[${i}].id`,
        received: model.id,
        message: 'global inference profiles may route requests to any region, which strict data residency forbids; use a geographic profile (eu., us., apac.) or a foundation model ID, or set dataResidency.strict: false',
      });
    } else if (parsed.profileGeography && parsed.profileGeography !== 'global' && !allowedGeographies.has(parsed.profileGeography)) {
      issues.push({
        path: `aws.models[${i}].id`,
        received: model.id,
        message: `inference profile ${parsed.profilePrefix}. routes requests within the ${parsed.profileGeography} geography, outside the allowed regions (${allowed.join(', ')}); use a profile of an allowed geography (${[...allowedGeographies].join(', ')}.) or a foundation model ID`,
      });
    }
  });

  const azure = config.azure;
  azure?.models.forEach((model, i) => {
    if (dataResidency.strict && !['Standard', 'ProvisionedManaged'].includes(model.sku)) {
      issues.push({
        path: `azure.models[${i}].sku`,
        received: model.sku,
        message: `${model.sku} deployments may process data outside the deployment's location, which strict data residency forbids; use Standard or ProvisionedManaged, or set dataResidency.strict: false`,
      });
    }
  });
  const azureDeployments = new Set<string>();
  azure?.models.forEach((model, i) => {
    if (azureDeployments.has(model.deployment)) {
      issues.push({ path: `azure.models[${i}].deployment`, received: model.deployment, message: 'deployment names must be unique' });
    }
    azureDeployments.add(model.deployment);
  });
  const gcpModels = new Set<string>();
  config.gcp?.models.forEach((model, i) => {
    const key = `${model.publisher}/${model.id}`;
    if (gcpModels.has(key)) issues.push({ path: `gcp.models[${i}].id`, received: model.id, message: 'models must be unique per publisher' });
    gcpModels.add(key);
  });

  const ic = aws.identityCenter;
  if (ic && !allowed.includes(ic.region)) {
    issues.push({
      path: 'aws.identityCenter.region',
      received: ic.region,
      message: `region ${ic.region} is not allowed by data residency policy; allowed: ${allowed.join(', ')}`,
    });
  }
  return issues;
}
