/**
 * Bedrock model IDs: which are cross-region inference profiles, the geography they route within,
 * and which regions may call them. Pure functions; no other config module is imported, so every
 * config module (the schema included) may use these.
 */

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
