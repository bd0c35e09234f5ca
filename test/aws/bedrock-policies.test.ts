import { Stack } from 'aws-cdk-lib';
import { modelResourceArns, profileArns, regionDenyStatement, runtimeEndpointStatements, usableModelIds, type ModelScope } from '../../lib/aws/bedrock-policies';

const stack = new Stack(undefined, 'S', { env: { account: '111111111111', region: 'eu-central-1' } });
const resolve = (x: unknown) => stack.resolve(x);
/** A resolved ARN as text, with `${AWS::Partition}` and `${AWS::AccountId}` where the template refers to them. */
const text = (x: unknown): string => {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    const o = v as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
    if (o.Ref) return `\${${o.Ref}}`;
    if (o['Fn::Join']) return o['Fn::Join'][1].map(render).join(o['Fn::Join'][0]);
    throw new Error(`unexpected token ${JSON.stringify(v)}`);
  };
  return render(resolve(x));
};

const SONNET_3_7 = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
const model = (region: string, id: string) => `arn:\${AWS::Partition}:bedrock:${region}::foundation-model/${id}`;
const profile = (region: string, account: string, id: string) => `arn:\${AWS::Partition}:bedrock:${region}:${account}:inference-profile/${id}`;

const scope: ModelScope = {
  modelIds: ['anthropic.claude-3-haiku-20240307-v1:0', SONNET_3_7, 'us.meta.llama3-70b-instruct-v1:0'],
  region: 'eu-central-1',
  allowedRegions: ['eu-central-1', 'eu-west-1', 'us-east-1'],
  strict: true,
};

describe('model ARNs', () => {
  test('profiles of another geography are not usable from this region', () => {
    expect(usableModelIds(scope)).toEqual(['anthropic.claude-3-haiku-20240307-v1:0', SONNET_3_7]);
  });

  test('a profile of the geography that cannot be called from this region is not usable', () => {
    // eu.anthropic.claude-3-haiku routes from eu-central-1, eu-west-1 and eu-west-3 only.
    const ids = ['anthropic.claude-3-haiku-20240307-v1:0', 'eu.anthropic.claude-3-haiku-20240307-v1:0', SONNET_3_7];
    expect(usableModelIds({ ...scope, modelIds: ids, region: 'eu-north-1' })).toEqual(['anthropic.claude-3-haiku-20240307-v1:0', SONNET_3_7]);
    expect(usableModelIds({ ...scope, modelIds: ids, region: 'eu-west-3' })).toEqual(ids);
  });

  test("foundation models in this region; profiles plus their model in every destination of the profile's routes from this region", () => {
    // eu.anthropic.claude-3-7-sonnet routes eu-central-1 -> eu-central-1, eu-north-1, eu-west-1, eu-west-3, whatever the allowed regions say.
    expect(modelResourceArns(scope).map(text)).toEqual([
      model('eu-central-1', 'anthropic.claude-3-haiku-20240307-v1:0'),
      profile('eu-central-1', '${AWS::AccountId}', SONNET_3_7),
      model('eu-central-1', 'anthropic.claude-3-7-sonnet-20250219-v1:0'),
      model('eu-north-1', 'anthropic.claude-3-7-sonnet-20250219-v1:0'),
      model('eu-west-1', 'anthropic.claude-3-7-sonnet-20250219-v1:0'),
      model('eu-west-3', 'anthropic.claude-3-7-sonnet-20250219-v1:0'),
    ]);
  });

  test('aws.inferenceProfiles overrides the routes of a known profile and adds an unknown one', () => {
    const unknown = 'eu.example.new-model-v1:0';
    const overridden: ModelScope = {
      ...scope,
      modelIds: [SONNET_3_7, unknown],
      inferenceProfiles: { [SONNET_3_7]: { 'eu-central-1': ['eu-central-1', 'eu-west-1'] }, [unknown]: { 'eu-central-1': ['eu-central-1'] } },
    };
    expect(modelResourceArns(overridden).map(text)).toEqual([
      profile('eu-central-1', '${AWS::AccountId}', SONNET_3_7),
      model('eu-central-1', 'anthropic.claude-3-7-sonnet-20250219-v1:0'),
      model('eu-west-1', 'anthropic.claude-3-7-sonnet-20250219-v1:0'),
      profile('eu-central-1', '${AWS::AccountId}', unknown),
      model('eu-central-1', 'example.new-model-v1:0'),
    ]);
    // Without the override the unknown profile routes nowhere, so it is left out.
    expect(usableModelIds({ ...overridden, inferenceProfiles: undefined })).toEqual([SONNET_3_7]);
  });

  test('a global profile (non-strict only) admits its model without a region', () => {
    const arns = modelResourceArns({ ...scope, strict: false, modelIds: ['global.anthropic.claude-sonnet-4-20250514-v1:0'] }).map(text);
    expect(arns).toEqual([profile('eu-central-1', '${AWS::AccountId}', 'global.anthropic.claude-sonnet-4-20250514-v1:0'), model('', 'anthropic.claude-sonnet-4-20250514-v1:0')]);
    expect(modelResourceArns({ ...scope, modelIds: ['global.anthropic.claude-sonnet-4-20250514-v1:0'] })).toEqual([]);
  });

  test('profile ARNs: the usable profiles only, in the given account', () => {
    const ids = [...scope.modelIds, 'eu.anthropic.claude-3-haiku-20240307-v1:0'];
    expect(profileArns({ ...scope, modelIds: ids }).map(text)).toEqual([
      profile('eu-central-1', '${AWS::AccountId}', SONNET_3_7),
      profile('eu-central-1', '${AWS::AccountId}', 'eu.anthropic.claude-3-haiku-20240307-v1:0'),
    ]);
    expect(profileArns({ ...scope, modelIds: ids, region: 'eu-north-1', account: '222222222222' }).map(text)).toEqual([profile('eu-north-1', '222222222222', SONNET_3_7)]);
  });
});

describe('endpoint and identity statements', () => {
  test('the runtime endpoint admits only this account, the invoke actions and the model ARNs', () => {
    const [statement] = runtimeEndpointStatements(scope).map((s) => resolve(s.toStatementJson()));
    expect(statement.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
    expect(statement.Principal).toEqual({ AWS: '*' });
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } });
    expect(statement.Resource).toEqual(resolve(modelResourceArns(scope)));
  });

  test('with an organisation ID the endpoint admits the organisation', () => {
    const [statement] = runtimeEndpointStatements(scope, 'o-a1b2c3d4e5').map((s) => resolve(s.toStatementJson()));
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
  });

  test('the region deny covers every action of Bedrock and of the other model-serving services outside the allowed regions', () => {
    expect(resolve(regionDenyStatement(['eu-central-1']).toStatementJson())).toEqual({
      Sid: 'DenyBedrockOutsideAllowedRegions',
      Effect: 'Deny',
      Action: ['bedrock:*', 'bedrock-mantle:*', 'aws-external-anthropic:*'],
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1'] } },
    });
    expect(resolve(regionDenyStatement(['eu-central-1'], []).toStatementJson())).toEqual(resolve(regionDenyStatement(['eu-central-1']).toStatementJson()));
  });

  test('through given profiles, the region deny exempts calls made through one of them (bedrock:InferenceProfileArn)', () => {
    const through = ['arn:aws:bedrock:eu-central-1:111111111111:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0'];
    expect(resolve(regionDenyStatement(['eu-central-1'], through).toStatementJson()).Condition).toEqual({
      StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1'] },
      ArnNotLike: { 'bedrock:InferenceProfileArn': through },
    });
  });
});
