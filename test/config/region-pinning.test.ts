import { geographyOfRegion, modelUsableInRegion, parseModelId } from '../../lib/config';

describe('geographyOfRegion', () => {
  test.each([
    ['eu-central-1', 'eu'],
    ['us-east-1', 'us'],
    ['us-gov-west-1', 'us-gov'],
    ['ap-northeast-1', 'apac'],
    ['ca-central-1', 'ca'],
  ])('%s is in %s', (region, geography) => {
    expect(geographyOfRegion(region)).toBe(geography);
  });
});

describe('parseModelId', () => {
  test('a foundation model has no profile', () => {
    expect(parseModelId('anthropic.claude-3-haiku-20240307-v1:0')).toEqual({ foundationModelId: 'anthropic.claude-3-haiku-20240307-v1:0' });
  });
  test('a geographic profile names its geography and foundation model', () => {
    expect(parseModelId('eu.anthropic.claude-3-7-sonnet-20250219-v1:0')).toEqual({
      profilePrefix: 'eu',
      profileGeography: 'eu',
      foundationModelId: 'anthropic.claude-3-7-sonnet-20250219-v1:0',
    });
  });
  test('jp. and au. profiles route within Asia Pacific', () => {
    expect(parseModelId('jp.anthropic.claude-sonnet-4-5-20250929-v1:0').profileGeography).toBe('apac');
    expect(parseModelId('au.anthropic.claude-sonnet-4-5-20250929-v1:0').profileGeography).toBe('apac');
  });
  test('a provider name is not mistaken for a profile prefix', () => {
    expect(parseModelId('amazon.titan-embed-text-v2:0').profilePrefix).toBeUndefined();
  });
});

describe('modelUsableInRegion', () => {
  test('foundation models are usable anywhere the stack may be', () => {
    expect(modelUsableInRegion('amazon.titan-embed-text-v2:0', 'eu-west-1', true)).toBe(true);
  });
  test('a profile is usable only in its own geography', () => {
    expect(modelUsableInRegion('eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 'eu-west-1', true)).toBe(true);
    expect(modelUsableInRegion('eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 'us-east-1', true)).toBe(false);
  });
  test('a global profile is refused under strict residency only', () => {
    expect(modelUsableInRegion('global.anthropic.claude-sonnet-4-20250514-v1:0', 'eu-west-1', true)).toBe(false);
    expect(modelUsableInRegion('global.anthropic.claude-sonnet-4-20250514-v1:0', 'eu-west-1', false)).toBe(true);
  });
});
