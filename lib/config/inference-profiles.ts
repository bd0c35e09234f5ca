/**
 * Where Amazon Bedrock's geography (system-defined, cross-Region) inference profiles route requests.
 * IAM and SCPs are evaluated in every destination Region of a call, so a residency policy must know
 * them all: allow too few and calls fail, allow more than the config lists and data leaves it.
 *
 * Source: the AWS page in INFERENCE_PROFILES_DOC ("Supported Regions and models for inference
 * profiles", section "Supported cross-Region inference profiles"), read 2026-11-30 from a stored
 * copy of its markdown source; that copy lists profiles up to Claude Opus 4.5 and Nova 2 Lite, so
 * newer profiles are missing here. AWS documents that a geography profile's destinations never
 * change (new Regions get new profiles), so an entry does not go stale; a profile missing here is
 * given in the config instead (aws.inferenceProfiles). The us-east-2 rows of the US Anthropic,
 * Meta and Nova profiles and the EU Claude 3.7 Sonnet destinations agree with published
 * GetInferenceProfile output and IAM policies of public projects.
 *
 * Left out on purpose: global.* profiles (they route to any commercial Region, which no table can
 * pin) and the image and video profiles (Stability, TwelveLabs) that the blueprint does not serve.
 */

/** The AWS documentation page the table comes from. */
export const INFERENCE_PROFILES_DOC = 'https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html';

/** Source region -> destination regions of one geography profile. */
export type ProfileRoutes = Readonly<Record<string, readonly string[]>>;

/** Every region in `sources` routes to the same `destinations`. */
function from(sources: readonly string[], destinations: readonly string[]): Record<string, readonly string[]> {
  return Object.fromEntries(sources.map((source) => [source, destinations]));
}

// Destination sets that recur on the page, each sorted.
const US_2 = ['us-east-1', 'us-west-2'];
const US_3 = ['us-east-1', 'us-east-2', 'us-west-2'];
const US_4 = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
const US_GOV = ['us-gov-east-1', 'us-gov-west-1'];
const EU_3 = ['eu-central-1', 'eu-west-1', 'eu-west-3'];
const EU_4 = ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3'];
const EU_6 = ['eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-3'];
const APAC_5 = ['ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2'];
const APAC_6 = ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2'];
const APAC_7 = ['ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2'];
const APAC_8 = [...APAC_7, 'ap-southeast-4'];
const APAC_9 = [...APAC_7, 'ap-southeast-3', 'ap-southeast-4'];
const JP = ['ap-northeast-1', 'ap-northeast-3'];
const AU = ['ap-southeast-2', 'ap-southeast-4'];

// Routing patterns that several profiles share, as the page lists them per source region.
/** us-east-1, us-east-2, us-west-2 to all three. */
const US_3_ONLY = from(US_3, US_3);
/** The three US sources, and us-west-1 also routing to itself. */
const US_WITH_WEST_1 = { ...US_3_ONLY, 'us-west-1': US_4 };
/** As US_WITH_WEST_1, and ca-central-1 routing to itself and the US three. */
const US_WITH_CANADA = { ...US_WITH_WEST_1, 'ca-central-1': ['ca-central-1', ...US_3] };
/** Older US profiles: us-east-2 routes to three regions, the others to us-east-1 and us-west-2. */
const US_EAST_2_WIDER = { ...from(['us-east-1', 'us-west-2'], US_2), 'us-east-2': US_3 };
/** The newer EU Anthropic profiles: eu-central-2 and eu-west-2 also route to themselves. */
const EU_WITH_CENTRAL_2_WEST_2 = { ...from(EU_6, EU_6), 'eu-central-2': [...EU_6, 'eu-central-2'].sort(), 'eu-west-2': [...EU_6, 'eu-west-2'].sort() };
/** EU Nova (Lite, Micro, Pro): southern sources also route to themselves, Israel too. */
const EU_NOVA = {
  ...from(EU_4, EU_4),
  'eu-south-1': [...EU_4, 'eu-south-1'].sort(),
  'eu-south-2': [...EU_4, 'eu-south-2'].sort(),
  'il-central-1': [...EU_4, 'eu-south-1', 'il-central-1'].sort(),
};
/** APAC sources added with the newer profiles (Claude Sonnet 4, Nova). */
const APAC_NEWER_SOURCES = {
  'ap-east-2': ['ap-east-2', ...APAC_9].sort(),
  'ap-southeast-3': APAC_9,
  'ap-southeast-5': [...APAC_9, 'ap-southeast-5'],
  'ap-southeast-7': [...APAC_9, 'ap-southeast-7'],
  'me-central-1': [...APAC_9, 'me-central-1'],
};
/** APAC Nova Micro; Nova Lite and Pro add ap-southeast-4. */
const APAC_NOVA_MICRO = { ...from(APAC_5, APAC_6), ...APAC_NEWER_SOURCES };

/** Known geography profiles (eu., us., apac., jp., au., ca., us-gov. ...): profile ID -> routes. Never global.* (those route to any commercial region). */
export const PROFILE_ROUTES: Readonly<Record<string, ProfileRoutes>> = deepFreeze({
  // United States
  'us.amazon.nova-2-lite-v1:0': { ...US_WITH_CANADA, 'ca-west-1': ['ca-west-1', ...US_3] },
  'us.amazon.nova-lite-v1:0': US_WITH_WEST_1,
  'us.amazon.nova-micro-v1:0': US_3_ONLY,
  'us.amazon.nova-premier-v1:0': US_3_ONLY,
  'us.amazon.nova-pro-v1:0': US_WITH_WEST_1,
  'us.anthropic.claude-3-haiku-20240307-v1:0': US_EAST_2_WIDER,
  'us.anthropic.claude-3-opus-20240229-v1:0': from(US_2, US_2),
  'us.anthropic.claude-3-sonnet-20240229-v1:0': from(US_2, US_2),
  'us.anthropic.claude-3-5-haiku-20241022-v1:0': US_3_ONLY,
  'us.anthropic.claude-3-5-sonnet-20240620-v1:0': from(US_3, US_2),
  'us.anthropic.claude-3-5-sonnet-20241022-v2:0': US_3_ONLY,
  'us.anthropic.claude-3-7-sonnet-20250219-v1:0': US_3_ONLY,
  'us.anthropic.claude-haiku-4-5-20251001-v1:0': US_WITH_CANADA,
  'us.anthropic.claude-opus-4-20250514-v1:0': US_3_ONLY,
  'us.anthropic.claude-opus-4-1-20250805-v1:0': US_3_ONLY,
  'us.anthropic.claude-opus-4-5-20251101-v1:0': US_WITH_CANADA,
  'us.anthropic.claude-sonnet-4-20250514-v1:0': US_WITH_WEST_1,
  'us.anthropic.claude-sonnet-4-5-20250929-v1:0': US_WITH_CANADA,
  'us.cohere.embed-v4:0': US_WITH_WEST_1,
  'us.deepseek.r1-v1:0': US_3_ONLY,
  'us.meta.llama3-1-8b-instruct-v1:0': US_3_ONLY,
  'us.meta.llama3-1-70b-instruct-v1:0': US_3_ONLY,
  'us.meta.llama3-1-405b-instruct-v1:0': { 'us-east-2': US_3 },
  'us.meta.llama3-2-1b-instruct-v1:0': US_EAST_2_WIDER,
  'us.meta.llama3-2-3b-instruct-v1:0': US_EAST_2_WIDER,
  'us.meta.llama3-2-11b-instruct-v1:0': US_EAST_2_WIDER,
  'us.meta.llama3-2-90b-instruct-v1:0': US_EAST_2_WIDER,
  'us.meta.llama3-3-70b-instruct-v1:0': US_3_ONLY,
  'us.meta.llama4-maverick-17b-instruct-v1:0': US_WITH_WEST_1,
  'us.meta.llama4-scout-17b-instruct-v1:0': US_WITH_WEST_1,
  'us.mistral.pixtral-large-2502-v1:0': US_3_ONLY,
  'us.writer.palmyra-x4-v1:0': US_WITH_WEST_1,
  'us.writer.palmyra-x5-v1:0': US_WITH_WEST_1,

  // AWS GovCloud (US)
  'us-gov.anthropic.claude-3-haiku-20240307-v1:0': { 'us-gov-east-1': US_GOV },
  'us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0': { 'us-gov-east-1': US_GOV },
  'us-gov.anthropic.claude-3-7-sonnet-20250219-v1:0': { 'us-gov-east-1': US_GOV },
  'us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0': from(US_GOV, ['us-gov-west-1']),

  // Canada
  'ca.amazon.nova-lite-v1:0': from(['ca-central-1', 'ca-west-1'], ['ca-central-1', 'ca-west-1']),

  // Europe
  'eu.amazon.nova-2-lite-v1:0': from(EU_6, EU_6),
  'eu.amazon.nova-lite-v1:0': EU_NOVA,
  'eu.amazon.nova-micro-v1:0': EU_NOVA,
  'eu.amazon.nova-pro-v1:0': EU_NOVA,
  'eu.anthropic.claude-3-haiku-20240307-v1:0': from(EU_3, EU_3),
  'eu.anthropic.claude-3-sonnet-20240229-v1:0': from(EU_3, EU_3),
  'eu.anthropic.claude-3-5-sonnet-20240620-v1:0': from(EU_3, EU_3),
  'eu.anthropic.claude-3-7-sonnet-20250219-v1:0': from(EU_4, EU_4),
  'eu.anthropic.claude-haiku-4-5-20251001-v1:0': EU_WITH_CENTRAL_2_WEST_2,
  'eu.anthropic.claude-opus-4-5-20251101-v1:0': EU_WITH_CENTRAL_2_WEST_2,
  'eu.anthropic.claude-sonnet-4-20250514-v1:0': { ...from(EU_6, EU_6), 'il-central-1': [...EU_6, 'il-central-1'] },
  'eu.anthropic.claude-sonnet-4-5-20250929-v1:0': EU_WITH_CENTRAL_2_WEST_2,
  'eu.cohere.embed-v4:0': from(EU_6, EU_6),
  'eu.meta.llama3-2-1b-instruct-v1:0': from(EU_3, EU_3),
  'eu.meta.llama3-2-3b-instruct-v1:0': from(EU_3, EU_3),
  'eu.mistral.pixtral-large-2502-v1:0': from(EU_4, EU_4),

  // Asia Pacific
  'apac.amazon.nova-lite-v1:0': { ...APAC_NOVA_MICRO, 'ap-southeast-4': APAC_8 },
  'apac.amazon.nova-micro-v1:0': APAC_NOVA_MICRO,
  'apac.amazon.nova-pro-v1:0': { ...APAC_NOVA_MICRO, 'ap-southeast-4': APAC_8 },
  'apac.anthropic.claude-3-haiku-20240307-v1:0': from(APAC_5, APAC_5),
  'apac.anthropic.claude-3-sonnet-20240229-v1:0': from(APAC_5, APAC_5),
  'apac.anthropic.claude-3-5-sonnet-20240620-v1:0': from(APAC_5, APAC_5),
  'apac.anthropic.claude-3-5-sonnet-20241022-v2:0': { ...from(APAC_6, APAC_6), 'ap-south-2': APAC_7 },
  'apac.anthropic.claude-3-7-sonnet-20250219-v1:0': from(APAC_7, APAC_7),
  'apac.anthropic.claude-sonnet-4-20250514-v1:0': { ...from(APAC_8, APAC_8), ...APAC_NEWER_SOURCES },

  // Japan and Australia (Asia Pacific geography, narrower routes)
  'jp.amazon.nova-2-lite-v1:0': { 'ap-northeast-1': JP },
  'jp.anthropic.claude-haiku-4-5-20251001-v1:0': from(JP, JP),
  'jp.anthropic.claude-sonnet-4-5-20250929-v1:0': from(JP, JP),
  'au.anthropic.claude-haiku-4-5-20251001-v1:0': from(AU, AU),
  'au.anthropic.claude-sonnet-4-5-20250929-v1:0': from(AU, AU),
});

/** Freezes the table, its routes and their (shared) destination lists, so no caller can change what another reads. */
function deepFreeze(table: Record<string, Record<string, readonly string[]>>): Readonly<Record<string, ProfileRoutes>> {
  for (const routes of Object.values(table)) {
    for (const destinations of Object.values(routes)) Object.freeze(destinations);
    Object.freeze(routes);
  }
  return Object.freeze(table);
}

function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The routes of a geography profile: the config override (aws.inferenceProfiles[id]) first, then the table; undefined when neither knows it. */
export function profileRoutes(profileId: string, overrides?: Readonly<Record<string, ProfileRoutes>>): ProfileRoutes | undefined {
  return own(overrides, profileId) ?? own(PROFILE_ROUTES, profileId);
}

/** Destination regions of `profileId` called from `sourceRegion`, sorted; [] when the profile is unknown or cannot be called from that region. */
export function profileDestinations(profileId: string, sourceRegion: string, overrides?: Readonly<Record<string, ProfileRoutes>>): string[] {
  return [...(own(profileRoutes(profileId, overrides), sourceRegion) ?? [])].sort();
}
