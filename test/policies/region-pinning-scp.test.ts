import { runSimulation } from '@cloud-copilot/iam-simulate';
import { parseModelId } from '../../lib/config';
import { profileDestinations } from '../../lib/config/inference-profiles';
import { buildRegionPinningScp, type PolicyDocument } from '../../policies/aws/region-pinning-scp';
import { configWith, exampleConfig } from '../support/aws';

type Statement = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const sidOf = (doc: PolicyDocument, sid: string) => doc.Statement.find((s) => s.Sid === sid) as Statement;

describe('the organisation region-pinning SCP', () => {
  const scp = buildRegionPinningScp(exampleConfig);
  const bySid = (sid: string) => sidOf(scp, sid);
  const allowed = exampleConfig.aws.allowedRegions;
  const profile = exampleConfig.aws.models.map((m) => m.id).find((id) => parseModelId(id).profileGeography === 'eu')!;
  const profileModel = parseModelId(profile).foundationModelId;
  const relaxed = buildRegionPinningScp(configWith((r) => (r.dataResidency.strict = false)));

  test('is a valid SCP: Deny statements only, no Principal', () => {
    expect(scp.Statement.map((s) => [s.Effect, 'Principal' in s])).toEqual(scp.Statement.map(() => ['Deny', false]));
    expect(scp.Statement.map((s) => s.Sid)).toEqual([
      'DenyBedrockOutsideAllowedRegions',
      'DenyModelsOutsideAllowlist',
      'DenyGlobalInferenceProfiles',
      'DenyBedrockApiKeys',
      'DenyBedrockApiKeyCreation',
      'DenyModelServingOutsideBedrockRuntime',
    ]);
  });

  test('denies Bedrock outside the allowed regions, with no exemption under strict residency', () => {
    expect(bySid('DenyBedrockOutsideAllowedRegions')).toEqual({
      Sid: 'DenyBedrockOutsideAllowedRegions',
      Effect: 'Deny',
      Action: 'bedrock:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': [...allowed] } },
    });
  });

  test('exempts calls through allowlisted profiles from the region deny only under strict: false', () => {
    const condition = sidOf(relaxed, 'DenyBedrockOutsideAllowedRegions').Condition;
    expect(condition.StringNotEquals).toEqual({ 'aws:RequestedRegion': [...allowed] });
    expect(condition.ArnNotLike['bedrock:InferenceProfileArn']).toEqual(allowed.map((r) => `arn:*:bedrock:${r}:*:inference-profile/${profile}`).sort());
    expect(bySid('DenyBedrockOutsideAllowedRegions').Condition).not.toHaveProperty('ArnNotLike');
  });

  test('denies invoking anything but the allowlisted models, in allowed regions and profile destinations only', () => {
    const statement = bySid('DenyModelsOutsideAllowlist');
    expect(statement.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:CreateModelInvocationJob']);
    const notResource: string[] = statement.NotResource;
    for (const r of allowed) {
      expect(notResource).toContain(`arn:*:bedrock:${r}::foundation-model/anthropic.claude-3-haiku-20240307-v1:0`);
      expect(notResource).toContain(`arn:*:bedrock:${r}:*:inference-profile/${profile}`);
      for (const d of profileDestinations(profile, r)) expect(notResource).toContain(`arn:*:bedrock:${d}::foundation-model/${profileModel}`);
    }
    // Batch jobs are judged by their model; the region deny holds them to the allowed regions.
    expect(notResource).toContain('arn:*:bedrock:*:*:model-invocation-job/*');
    // Strict residency: every model ARN, profile destinations included, lies in an allowed region.
    expect(notResource.filter((arn) => !arn.includes(':model-invocation-job/') && !allowed.includes(arn.split(':')[3]))).toEqual([]);
    // No model in a wildcard region: only the batch-job ARN, whose region the region deny holds.
    expect(notResource.filter((arn) => /^arn:\*:bedrock:\*/.test(arn))).toEqual(['arn:*:bedrock:*:*:model-invocation-job/*']);
  });

  test('allows a profile\'s foundation model in the destinations of its routing table, not every region of its geography', () => {
    const [first, second] = allowed;
    const routed = buildRegionPinningScp(
      configWith((r) => {
        r.dataResidency.strict = false;
        r.aws.inferenceProfiles = { [profile]: { [first]: ['eu-south-2'], ...(second ? { [second]: ['eu-south-2'] } : {}) } };
      }),
    );
    const notResource: string[] = sidOf(routed, 'DenyModelsOutsideAllowlist').NotResource;
    const profileModels = notResource.filter((arn) => arn.endsWith(`:foundation-model/${profileModel}`));
    expect(profileModels).toEqual([`arn:*:bedrock:eu-south-2::foundation-model/${profileModel}`]);
  });

  test('denies global profiles under strict residency, and allows allowlisted ones otherwise', () => {
    expect(bySid('DenyGlobalInferenceProfiles').Resource).toBe('arn:*:bedrock:*:*:inference-profile/global.*');
    expect(relaxed.Statement.map((s) => s.Sid)).not.toContain('DenyGlobalInferenceProfiles');
    const global = 'global.anthropic.claude-sonnet-4-20250514-v1:0';
    const withGlobal = buildRegionPinningScp(
      configWith((r) => {
        r.dataResidency.strict = false;
        r.aws.models.push({ id: global, classifications: ['public'] });
      }),
    );
    expect(sidOf(withGlobal, 'DenyModelsOutsideAllowlist').NotResource).toContain('arn:*:bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0');
    expect(sidOf(withGlobal, 'DenyBedrockOutsideAllowedRegions').Condition.ArnNotLike['bedrock:InferenceProfileArn']).toContain(`arn:*:bedrock:${allowed[0]}:*:inference-profile/${global}`);
  });

  test('denies Bedrock API keys: every bearer-token call, and creating keys for Bedrock only', () => {
    expect(bySid('DenyBedrockApiKeys')).toEqual({ Sid: 'DenyBedrockApiKeys', Effect: 'Deny', Action: 'bedrock:CallWithBearerToken', Resource: '*' });
    const creation = bySid('DenyBedrockApiKeyCreation');
    expect(creation.Action).toBe('iam:CreateServiceSpecificCredential');
    // Credentials for other services (CodeCommit, Keyspaces) stay possible.
    expect(creation.Condition).toEqual({ StringEquals: { 'iam:ServiceSpecificCredentialServiceName': 'bedrock.amazonaws.com' } });
  });

  test('denies the model-serving surfaces beside bedrock-runtime outright, whatever the region or model', () => {
    expect(bySid('DenyModelServingOutsideBedrockRuntime')).toEqual({
      Sid: 'DenyModelServingOutsideBedrockRuntime',
      Effect: 'Deny',
      Action: ['bedrock-mantle:*', 'aws-external-anthropic:*'],
      Resource: '*',
    });
  });

  test('under the SCP, a role allowed all of Bedrock cannot use API keys or Bedrock Mantle', async () => {
    const account = '111111111111';
    const region = allowed[0];
    const allowAll = { name: 'FullAWSAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } };
    const simulate = async (action: string, resource: string, principal = `arn:aws:iam::${account}:role/some-admin`) => {
      const response = await runSimulation(
        {
          identityPolicies: [{ name: 'ModelUserLike', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['bedrock:*', 'bedrock-mantle:*'], Resource: '*' }] } }],
          serviceControlPolicies: [
            { orgIdentifier: 'r-root', policies: [allowAll] },
            { orgIdentifier: 'ou-workloads', policies: [allowAll, { name: 'RegionPinning', policy: scp }] },
            { orgIdentifier: account, policies: [allowAll] },
          ],
          resourceControlPolicies: [],
          request: { action, principal, resource: { resource, accountId: account }, contextVariables: { 'aws:PrincipalArn': principal, 'aws:RequestedRegion': region } },
        },
        {},
      );
      if (response.resultType !== 'single') throw new Error(`simulation of ${action} failed: ${JSON.stringify(response)}`);
      return { result: response.overallResult, scp: response.result.analysis?.scpAnalysis?.result };
    };

    expect(await simulate('bedrock:CallWithBearerToken', '*')).toEqual({ result: 'ExplicitlyDenied', scp: 'ExplicitlyDenied' });
    expect(await simulate('bedrock-mantle:CreateInference', `arn:aws:bedrock-mantle:${region}:${account}:project/default`)).toEqual({ result: 'ExplicitlyDenied', scp: 'ExplicitlyDenied' });
    // The rest of Bedrock in an allowed region is left to the identity policies.
    expect(await simulate('bedrock:GetGuardrail', `arn:aws:bedrock:${region}:${account}:guardrail/abcdef123456`)).toEqual({ result: 'Allowed', scp: 'Allowed' });
  });

  test('fits the SCP size limit for the example, and refuses to produce a larger document', () => {
    expect(JSON.stringify(scp).length).toBeLessThanOrEqual(5120);
    const many = configWith((r) => {
      r.aws.models = Array.from({ length: 60 }, (_, i) => ({ id: `anthropic.claude-model-${i}-v1:0`, classifications: ['public'] }));
    });
    expect(() => buildRegionPinningScp(many)).toThrow(/characters, over the 5120 limit of AWS Organizations/);
  });
});
