import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { RegionPinningPolicy, type RegionPinningPolicyProps } from '../../lib/aws/region-pinning-policy';

const ALLOWED = ['eu-central-1', 'eu-west-1'];
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
  test('without profiles: one Deny of every Bedrock action outside the allowed regions, attached to the role', () => {
    const { template, stack, pinning, statements, description } = synth({ allowedRegions: ALLOWED });
    expect(statements).toEqual([
      { Sid: 'DenyBedrockOutsideAllowedRegions', Effect: 'Deny', Action: 'bedrock:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ALLOWED } } },
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
        Action: 'bedrock:*',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ALLOWED }, ArnNotLike: { 'bedrock:InferenceProfileArn': [PROFILE] } },
      },
    ]);
  });

  test('an empty profile list (strict residency) adds no exemption', () => {
    expect(synth({ allowedRegions: ALLOWED, throughProfiles: [] }).statements).toEqual(synth({ allowedRegions: ALLOWED }).statements);
  });

  test('at least one allowed region', () => {
    expect(() => synth({ allowedRegions: [] })).toThrow(/^RegionPinningPolicy: allowedRegions is empty; list at least one region \(config: aws.allowedRegions\)$/);
  });
});
