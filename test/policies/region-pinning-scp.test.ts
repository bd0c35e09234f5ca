import { buildRegionPinningScp } from '../../policies/aws/region-pinning-scp';
import { configWith, exampleConfig } from '../support/aws';

describe('the organisation region-pinning SCP', () => {
  const scp = buildRegionPinningScp(exampleConfig);
  const bySid = (sid: string) => scp.Statement.find((s) => s.Sid === sid) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  test('denies Bedrock outside the allowed regions', () => {
    expect(bySid('DenyBedrockOutsideAllowedRegions')).toEqual({
      Sid: 'DenyBedrockOutsideAllowedRegions',
      Effect: 'Deny',
      Action: 'bedrock:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1'] } },
    });
  });

  test('denies invoking anything but the allowlisted models, in allowed regions only', () => {
    const notResource: string[] = bySid('DenyModelsOutsideAllowlist').NotResource;
    expect(notResource).toContain('arn:*:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0');
    expect(notResource).toContain('arn:*:bedrock:eu-central-1:*:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(notResource).toContain('arn:*:bedrock:eu-west-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(notResource.every((arn) => /:bedrock:eu-(central|west)-1:/.test(arn))).toBe(true);
  });

  test('denies global profiles under strict residency, and not otherwise', () => {
    expect(bySid('DenyGlobalInferenceProfiles').Resource).toBe('arn:*:bedrock:*:*:inference-profile/global.*');
    const relaxed = buildRegionPinningScp(configWith((r) => (r.dataResidency.strict = false)));
    expect(relaxed.Statement.map((s) => s.Sid)).not.toContain('DenyGlobalInferenceProfiles');
  });

  test('refuses to produce a document over the SCP size limit', () => {
    const many = configWith((r) => {
      r.aws.models = Array.from({ length: 60 }, (_, i) => ({ id: `anthropic.claude-model-${i}-v1:0`, classifications: ['public'] }));
    });
    expect(() => buildRegionPinningScp(many)).toThrow(/characters, over the 5120 limit of AWS Organizations/);
  });
});
