import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { RegionPinningPolicy, type RegionPinningPolicyProps } from '../../lib/aws/region-pinning-policy';

const ALLOWED = ['eu-central-1', 'eu-west-1'];
/** Bedrock and the model-serving services beside it (FACTS: region guards must cover them). */
const SERVING = ['bedrock:*', 'bedrock-mantle:*', 'aws-external-anthropic:*'];
const PROFILE = 'arn:aws:bedrock:eu-central-1:111111111111:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0';

function synth(props: RegionPinningPolicyProps) {
  const stack = new Stack(undefined, 'S', { env: { account: '111111111111', region: 'eu-central-1' } });
  const pinning = new RegionPinningPolicy(stack, 'RegionPinning', props);
  const role = new iam.Role(stack, 'Caller', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  pinning.attachTo(role);
  const template = Template.fromStack(stack);
  const [policy] = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
  return { template, stack, pinning, statements: policy.Properties.PolicyDocument.Statement, description: policy.Properties.Description };
}

describe('RegionPinningPolicy', () => {
  test('without profiles: one Deny of every action of Bedrock and the other model-serving services outside the allowed regions, attached to the role', () => {
    const { template, stack, pinning, statements, description } = synth({ allowedRegions: ALLOWED });
    expect(statements).toEqual([
      { Sid: 'DenyBedrockOutsideAllowedRegions', Effect: 'Deny', Action: SERVING, Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ALLOWED } } },
    ]);
    expect(description).toBe('Denies Amazon Bedrock outside eu-central-1, eu-west-1 (data residency)');
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [stack.resolve(pinning.policy.managedPolicyArn)] });
  });

  test('through profiles (relaxed residency): calls made through one of them are exempt', () => {
    const { statements } = synth({ allowedRegions: ALLOWED, throughProfiles: [PROFILE] });
    expect(statements).toEqual([
      {
        Sid: 'DenyBedrockOutsideAllowedRegions',
        Effect: 'Deny',
        Action: SERVING,
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ALLOWED }, ArnNotLike: { 'bedrock:InferenceProfileArn': [PROFILE] } },
      },
    ]);
  });

  test('as IAM evaluates it: the other model-serving services are pinned to the allowed regions, and only Bedrock calls through a profile are exempt', async () => {
    const { statements } = synth({ allowedRegions: ALLOWED, throughProfiles: [PROFILE] });
    const account = '111111111111';
    const principal = `arn:aws:iam::${account}:role/caller`;
    const decide = async (action: string, resource: string, region: string, context: Record<string, string> = {}) => {
      const response = await runSimulation(
        {
          identityPolicies: [
            { name: 'BroadGrant', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: SERVING, Resource: '*' }] } },
            { name: 'RegionPinning', policy: { Version: '2012-10-17', Statement: statements } },
          ],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          request: { action, principal, resource: { resource, accountId: account }, contextVariables: { 'aws:PrincipalArn': principal, 'aws:RequestedRegion': region, ...context } },
        },
        {},
      );
      if (response.resultType !== 'single') throw new Error(`simulation of ${action} failed: ${JSON.stringify(response)}`);
      return response.overallResult;
    };
    const mantle = (region: string) => decide('bedrock-mantle:CreateInference', `arn:aws:bedrock-mantle:${region}:${account}:project/default`, region);
    const anthropic = (region: string) => decide('aws-external-anthropic:CreateInference', `arn:aws:aws-external-anthropic:${region}:${account}:workspace/default`, region);
    expect([await mantle('us-east-1'), await anthropic('us-east-1')]).toEqual(['ExplicitlyDenied', 'ExplicitlyDenied']);
    expect([await mantle('eu-central-1'), await anthropic('eu-central-1')]).toEqual(['Allowed', 'Allowed']);
    // A profile's destination outside the allowed regions, reached through the profile: the documented exemption.
    const destination = 'arn:aws:bedrock:eu-west-3::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0';
    expect(await decide('bedrock:InvokeModel', destination, 'eu-west-3', { 'bedrock:InferenceProfileArn': PROFILE })).toBe('Allowed');
    expect(await decide('bedrock:InvokeModel', destination, 'eu-west-3')).toBe('ExplicitlyDenied');
  });

  test('an empty profile list (strict residency) adds no exemption', () => {
    expect(synth({ allowedRegions: ALLOWED, throughProfiles: [] }).statements).toEqual(synth({ allowedRegions: ALLOWED }).statements);
  });

  test('at least one allowed region', () => {
    expect(() => synth({ allowedRegions: [] })).toThrow(/^RegionPinningPolicy: allowedRegions is empty; list at least one region \(config: aws.allowedRegions\)$/);
  });
});
