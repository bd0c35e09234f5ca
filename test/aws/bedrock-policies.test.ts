import { Stack } from 'aws-cdk-lib';
import { modelResourceArns, regionDenyStatement, runtimeEndpointStatements, usableModelIds, type ModelScope } from '../../lib/aws/bedrock-policies';

const stack = new Stack(undefined, 'S', { env: { account: '111111111111', region: 'eu-central-1' } });
const resolve = (x: unknown) => stack.resolve(x);
const join = (x: unknown) => JSON.stringify(resolve(x));

const scope: ModelScope = {
  modelIds: ['anthropic.claude-3-haiku-20240307-v1:0', 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 'us.meta.llama3-70b-instruct-v1:0'],
  region: 'eu-central-1',
  allowedRegions: ['eu-central-1', 'eu-west-1', 'us-east-1'],
  strict: true,
};

describe('model ARNs', () => {
  test('profiles of another geography are not usable from this region', () => {
    expect(usableModelIds(scope)).toEqual(['anthropic.claude-3-haiku-20240307-v1:0', 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0']);
  });

  test('foundation models in this region; profiles plus their model in each allowed region of the geography', () => {
    const arns = modelResourceArns(scope).map(join);
    expect(arns).toHaveLength(4);
    expect(arns[0]).toContain(':bedrock:eu-central-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0');
    expect(arns[1]).toMatch(/:bedrock:eu-central-1:",\{"Ref":"AWS::AccountId"\},":inference-profile\/eu\.anthropic/);
    expect(arns[2]).toContain(':bedrock:eu-central-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(arns[3]).toContain(':bedrock:eu-west-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(arns.join()).not.toContain('us-east-1');
    expect(arns.join()).not.toContain('arn:aws:');
  });

  test('a global profile (non-strict only) admits its model without a region', () => {
    const arns = modelResourceArns({ ...scope, strict: false, modelIds: ['global.anthropic.claude-sonnet-4-20250514-v1:0'] }).map(join);
    expect(arns[1]).toContain(':bedrock:::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0');
    expect(modelResourceArns({ ...scope, modelIds: ['global.anthropic.claude-sonnet-4-20250514-v1:0'] })).toEqual([]);
  });
});

describe('endpoint and identity statements', () => {
  test('the runtime endpoint admits only this account, the invoke actions and the model ARNs', () => {
    const [statement] = runtimeEndpointStatements(scope).map((s) => resolve(s.toStatementJson()));
    expect(statement.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
    expect(statement.Principal).toEqual({ AWS: '*' });
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } });
    expect(statement.Resource).toHaveLength(4);
  });

  test('with an organisation ID the endpoint admits the organisation', () => {
    const [statement] = runtimeEndpointStatements(scope, 'o-a1b2c3d4e5').map((s) => resolve(s.toStatementJson()));
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } });
  });

  test('the region deny covers every Bedrock action outside the allowed regions', () => {
    expect(resolve(regionDenyStatement(['eu-central-1']).toStatementJson())).toEqual({
      Sid: 'DenyBedrockOutsideAllowedRegions',
      Effect: 'Deny',
      Action: 'bedrock:*',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1'] } },
    });
  });
});
