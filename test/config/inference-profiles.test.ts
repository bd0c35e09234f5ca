import * as path from 'path';
import {
  INFERENCE_PROFILES_DOC,
  PROFILE_ROUTES,
  bedrockModelId,
  inferenceProfileRoutes,
  loadOrgConfig,
  parseModelId,
  geographyOfRegion,
  profileDestinations,
  profileRoutes,
  type OrgConfig,
} from '../../lib/config';

const EU_SONNET = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
const US_HAIKU_3 = 'us.anthropic.claude-3-haiku-20240307-v1:0';

describe('the inference-profile table', () => {
  test('names the AWS page it comes from', () => {
    expect(INFERENCE_PROFILES_DOC).toBe('https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html');
  });

  test.each(Object.keys(PROFILE_ROUTES))('%s is a geography profile whose routes the config schema would accept', (id) => {
    expect(bedrockModelId.safeParse(id).success).toBe(true);
    const geography = parseModelId(id).profileGeography;
    expect(geography).toBeDefined();
    expect(geography).not.toBe('global');
    // The table obeys the rules of aws.inferenceProfiles: known regions, non-empty unique lists.
    expect(inferenceProfileRoutes.safeParse(PROFILE_ROUTES[id]).error?.issues).toBeUndefined();
  });

  test.each(Object.keys(PROFILE_ROUTES))('%s routes only within its geography, or back to an out-of-geography source', (id) => {
    const geography = parseModelId(id).profileGeography;
    for (const [source, destinations] of Object.entries(PROFILE_ROUTES[id])) {
      // AWS lets a few regions outside a geography (il-central-1, me-central-1) call its profile, routing back to themselves.
      expect(destinations.filter((d) => geographyOfRegion(d) !== geography && d !== source)).toEqual([]);
    }
  });

  test('holds no global profile', () => {
    expect(Object.keys(PROFILE_ROUTES).filter((id) => id.startsWith('global.'))).toEqual([]);
  });

  test('cannot be changed by a caller', () => {
    expect(Object.isFrozen(PROFILE_ROUTES)).toBe(true);
    expect(Object.isFrozen(PROFILE_ROUTES[EU_SONNET])).toBe(true);
    expect(Object.isFrozen(PROFILE_ROUTES[EU_SONNET]['eu-central-1'])).toBe(true);
  });
});

describe('profileRoutes', () => {
  test('knows the profiles of the example config and the second fixture', () => {
    expect(profileRoutes(EU_SONNET)).toEqual({
      'eu-central-1': ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3'],
      'eu-north-1': ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3'],
      'eu-west-1': ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3'],
      'eu-west-3': ['eu-central-1', 'eu-north-1', 'eu-west-1', 'eu-west-3'],
    });
    expect(profileRoutes('us.anthropic.claude-3-5-haiku-20241022-v1:0')).toEqual({
      'us-east-1': ['us-east-1', 'us-east-2', 'us-west-2'],
      'us-east-2': ['us-east-1', 'us-east-2', 'us-west-2'],
      'us-west-2': ['us-east-1', 'us-east-2', 'us-west-2'],
    });
  });

  test('an override wins over the table and can add a profile the table lacks', () => {
    const override = { 'eu-central-1': ['eu-central-1'] };
    expect(profileRoutes(EU_SONNET, { [EU_SONNET]: override })).toBe(override);
    expect(profileRoutes('eu.example.unlisted-v1:0', { 'eu.example.unlisted-v1:0': override })).toBe(override);
    expect(profileRoutes(EU_SONNET, { [US_HAIKU_3]: override })).toBe(PROFILE_ROUTES[EU_SONNET]);
  });

  test('is undefined for a profile neither knows, a global profile, a foundation model and inherited names', () => {
    expect(profileRoutes('eu.example.unlisted-v1:0')).toBeUndefined();
    expect(profileRoutes('global.anthropic.claude-sonnet-4-20250514-v1:0')).toBeUndefined();
    expect(profileRoutes('anthropic.claude-3-haiku-20240307-v1:0')).toBeUndefined();
    expect(profileRoutes('constructor')).toBeUndefined();
    expect(profileRoutes('toString', {})).toBeUndefined();
  });
});

describe('profileDestinations', () => {
  test('depends on the source region: us.anthropic.claude-3-haiku routes wider from us-east-2 than from us-west-2', () => {
    expect(profileDestinations(US_HAIKU_3, 'us-east-2')).toEqual(['us-east-1', 'us-east-2', 'us-west-2']);
    expect(profileDestinations(US_HAIKU_3, 'us-west-2')).toEqual(['us-east-1', 'us-west-2']);
  });

  test('a source outside the destinations routes elsewhere only: us-gov Claude Sonnet 4.5 from us-gov-east-1', () => {
    expect(profileDestinations('us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us-gov-east-1')).toEqual(['us-gov-west-1']);
  });

  test('is sorted, and a copy', () => {
    const destinations = profileDestinations(EU_SONNET, 'eu-central-1', { [EU_SONNET]: { 'eu-central-1': ['eu-west-3', 'eu-central-1'] } });
    expect(destinations).toEqual(['eu-central-1', 'eu-west-3']);
    destinations.push('us-east-1');
    expect(profileDestinations(EU_SONNET, 'eu-central-1')).not.toContain('us-east-1');
  });

  test('uses the override first', () => {
    expect(profileDestinations(EU_SONNET, 'eu-central-1', { [EU_SONNET]: { 'eu-central-1': ['eu-central-1'] } })).toEqual(['eu-central-1']);
    expect(profileDestinations(EU_SONNET, 'eu-west-1', { [EU_SONNET]: { 'eu-central-1': ['eu-central-1'] } })).toEqual([]);
  });

  test('is empty for an unknown profile or a region the profile cannot be called from', () => {
    expect(profileDestinations('eu.example.unlisted-v1:0', 'eu-central-1')).toEqual([]);
    expect(profileDestinations(EU_SONNET, 'eu-central-2')).toEqual([]);
    expect(profileDestinations(EU_SONNET, 'us-east-1')).toEqual([]);
    expect(profileDestinations(EU_SONNET, 'constructor')).toEqual([]);
  });
});

/** Every (profile, target) pair of a config whose target is in the profile's geography, with the destinations from there. */
function profileCalls(config: OrgConfig): Array<{ id: string; region: string; destinations: string[] }> {
  return config.aws.models.flatMap(({ id }) => {
    const geography = parseModelId(id).profileGeography;
    if (!geography || geography === 'global') return [];
    return config.aws.targets
      .filter((t) => geographyOfRegion(t.region) === geography)
      .map((t) => ({ id, region: t.region, destinations: profileDestinations(id, t.region, config.aws.inferenceProfiles) }));
  });
}

describe.each([
  ['the example config', undefined],
  ['the second organisation fixture', path.join(__dirname, '..', 'fixtures', 'second-org.json')],
])('%s', (_name, file) => {
  const config = loadOrgConfig(file);

  test('validates under strict residency and calls at least one geography profile', () => {
    expect(config.dataResidency.strict).toBe(true);
    expect(profileCalls(config).length).toBeGreaterThan(0);
  });

  test('routes every geography profile only to allowed regions, from every target that calls it', () => {
    for (const call of profileCalls(config)) {
      expect(call.destinations.length).toBeGreaterThan(0);
      expect(call.destinations.filter((d) => !config.aws.allowedRegions.includes(d))).toEqual([]);
    }
  });

  test('keeps its first allowed region and gives each target a runtime endpoint', () => {
    expect(config.aws.allowedRegions[0]).toBe(config.aws.targets[0].region);
    for (const target of config.aws.targets) expect(target.bedrockRuntimeEndpointIds?.length).toBe(1);
  });

  test('lists API caller roles of the target account only', () => {
    const callers = config.aws.targets.flatMap((t) => (t.apiCallerRoleArns ?? []).map((arn) => [arn.split(':')[4], t.account]));
    expect(callers.length).toBeGreaterThan(0);
    for (const [roleAccount, targetAccount] of callers) expect(roleAccount).toBe(targetAccount);
  });
});
