import { App, CfnResource, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sso from 'aws-cdk-lib/aws-sso';
import { NagRuleCompliance } from 'cdk-nag';
import { bedrockRules } from '../../policies/aws/bedrock-pack';
import {
  BedrockEndpointPolicyRestricted,
  BedrockGuardrailHardened,
  BedrockInvocationLogging,
  BedrockInvokeScoped,
  BedrockInvokerInVpc,
  BedrockModelApiPrivate,
  bedrockRegionPinningRule,
  endpointPolicyProblems,
  invokePolicyProblems,
  pinningProblems,
  statementsOf,
} from '../../policies/aws/bedrock-rules';

const { COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE } = NagRuleCompliance;
const env = { account: '111111111111', region: 'eu-central-1' };
const newStack = (app = new App(), id = 'S', e = env) => new Stack(app, id, { env: e });
const cfn = (c: { node: { defaultChild?: unknown } }) => c.node.defaultChild as CfnResource;
const MODEL = 'arn:aws:bedrock:eu-central-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
const invoke = (resources: string[], conditions?: Record<string, Record<string, string>>) =>
  new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources, conditions });

describe('pure statement checks', () => {
  test('endpoint policy problems', () => {
    const good = statementsOf({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'bedrock:InvokeModel', Resource: MODEL, Condition: { StringEquals: { 'aws:PrincipalAccount': '1' } } }] });
    expect(endpointPolicyProblems(good)).toEqual([]);
    const bad = statementsOf({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'bedrock:*', Resource: '*' }] });
    expect(endpointPolicyProblems(bad)).toEqual(['principal * without an account or organisation condition', 'wildcard action', 'model invocation on resource *']);
    expect(endpointPolicyProblems([])).toEqual(['no endpoint policy (the default admits every principal and action)']);
  });

  test('invoke policy problems, stricter for people', () => {
    const named = statementsOf({ Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: MODEL }] });
    expect(invokePolicyProblems(named, false)).toEqual([]);
    expect(invokePolicyProblems(named, true)).toEqual(['human-facing invoke without an aws:SourceVpce condition']);
    const wildcard = statementsOf({ Statement: [{ Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:eu-central-1::foundation-model/*' }] });
    expect(invokePolicyProblems(wildcard, false)).toEqual(['model invocation not limited to named model ARNs']);
  });

  test('pinning problems: region, geography, global', () => {
    const pinning = { allowedRegions: ['eu-central-1', 'eu-west-1'], strict: true };
    expect(pinningProblems([MODEL, 'arn:aws:bedrock:eu-west-1:1:inference-profile/eu.anthropic.x-v1:0'], pinning)).toEqual([]);
    expect(pinningProblems(['arn:aws:bedrock:us-east-1::foundation-model/x.y-v1:0'], pinning)).toEqual(['foundation-model in non-allowed region us-east-1']);
    expect(pinningProblems(['arn:aws:bedrock:eu-west-1:1:inference-profile/us.anthropic.x-v1:0'], pinning)).toEqual(['profile us.anthropic.x-v1:0 used from eu-west-1, outside its us geography']);
    expect(pinningProblems(['arn:aws:bedrock:eu-west-1:1:inference-profile/global.anthropic.x-v1:0'], pinning)).toEqual(['global inference profile global.anthropic.x-v1:0 under strict residency']);
    expect(pinningProblems(['arn:aws:bedrock:eu-west-1:1:inference-profile/global.anthropic.x-v1:0'], { ...pinning, strict: false })).toEqual([]);
    // Relaxed residency: a profile's destination outside the allowed regions may be named, for that profile's model only.
    const relaxed = { ...pinning, strict: false, profileDestinations: ['eu-west-3/anthropic.x-v1:0'] };
    expect(pinningProblems(['arn:aws:bedrock:eu-west-3::foundation-model/anthropic.x-v1:0'], relaxed)).toEqual([]);
    expect(pinningProblems(['arn:aws:bedrock:eu-west-3::foundation-model/anthropic.other-v1:0'], relaxed)).toEqual(['foundation-model in non-allowed region eu-west-3']);
    expect(pinningProblems(['arn:aws:bedrock:eu-west-3::foundation-model/anthropic.x-v1:0'], { ...relaxed, strict: true })).toEqual(['foundation-model in non-allowed region eu-west-3']);
  });
});

describe('BedrockEndpointPolicyRestricted', () => {
  function endpoint(statement?: iam.PolicyStatement, service = ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME) {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, maxAzs: 2, availabilityZones: undefined });
    const e = vpc.addInterfaceEndpoint('E', { service });
    if (statement) e.addToPolicy(statement);
    return cfn(e);
  }
  test('compliant: account principals, invoke actions, named models', () => {
    const s = new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['bedrock:InvokeModel'], resources: [MODEL], conditions: { StringEquals: { 'aws:PrincipalAccount': '111111111111' } } });
    expect(BedrockEndpointPolicyRestricted(endpoint(s))).toBe(COMPLIANT);
  });
  test('non-compliant: no policy, or any principal with bedrock:*', () => {
    expect(BedrockEndpointPolicyRestricted(endpoint())).toBe(NON_COMPLIANT);
    expect(BedrockEndpointPolicyRestricted(endpoint(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['bedrock:*'], resources: ['*'] })))).toBe(NON_COMPLIANT);
  });
  test('not applicable to other endpoints', () => {
    expect(BedrockEndpointPolicyRestricted(endpoint(undefined, ec2.InterfaceVpcEndpointAwsService.STS))).toBe(NOT_APPLICABLE);
  });
});

describe('BedrockInvokeScoped', () => {
  test('compliant: a managed policy naming models; a permission set also requiring the endpoint', () => {
    const stack = newStack();
    const policy = new iam.ManagedPolicy(stack, 'P', { statements: [invoke([MODEL])] });
    expect(BedrockInvokeScoped(cfn(policy))).toBe(COMPLIANT);
    const ps = new sso.CfnPermissionSet(stack, 'PS', { instanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000', name: 'U', inlinePolicy: new iam.PolicyDocument({ statements: [invoke([MODEL], { Null: { 'aws:SourceVpce': 'false' } })] }) });
    expect(BedrockInvokeScoped(ps)).toBe(COMPLIANT);
  });
  test('non-compliant: invoke on *, or a permission set without the endpoint condition', () => {
    const stack = newStack();
    expect(BedrockInvokeScoped(cfn(new iam.ManagedPolicy(stack, 'P', { statements: [invoke(['*'])] })))).toBe(NON_COMPLIANT);
    const ps = new sso.CfnPermissionSet(stack, 'PS', { instanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000', name: 'U', inlinePolicy: new iam.PolicyDocument({ statements: [invoke([MODEL])] }) });
    expect(BedrockInvokeScoped(ps)).toBe(NON_COMPLIANT);
  });
});

describe('BedrockGuardrailHardened', () => {
  const guardrail = (stack: Stack, props: Partial<bedrock.CfnGuardrailProps>) =>
    new bedrock.CfnGuardrail(stack, 'G', { name: 'g', blockedInputMessaging: 'x', blockedOutputsMessaging: 'y', ...props });
  test('compliant: prompt attack on input, PII, CMK', () => {
    const stack = newStack();
    const g = guardrail(stack, {
      kmsKeyArn: new kms.Key(stack, 'K').keyArn,
      contentPolicyConfig: { filtersConfig: [{ type: 'PROMPT_ATTACK', inputStrength: 'HIGH', outputStrength: 'NONE' }] },
      sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'ANONYMIZE' }] },
    });
    expect(BedrockGuardrailHardened(g)).toBe(COMPLIANT);
  });
  test('non-compliant: no prompt-attack filter, no key', () => {
    const stack = newStack();
    const g = guardrail(stack, { contentPolicyConfig: { filtersConfig: [{ type: 'HATE', inputStrength: 'HIGH', outputStrength: 'HIGH' }] }, sensitiveInformationPolicyConfig: { piiEntitiesConfig: [{ type: 'EMAIL', action: 'BLOCK' }] } });
    expect(BedrockGuardrailHardened(g)).toBe(NON_COMPLIANT);
  });
});

function invokerFunction(stack: Stack, inVpc: boolean, statements = [invoke([MODEL])]) {
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new iam.ManagedPolicy(stack, 'Policy', { roles: [role], statements });
  const vpc = inVpc ? new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) : undefined;
  return new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), role, vpc, timeout: Duration.seconds(5) });
}

describe('BedrockInvokerInVpc', () => {
  test('compliant: the invoking function is in a VPC', () => {
    expect(BedrockInvokerInVpc(cfn(invokerFunction(newStack(), true)))).toBe(COMPLIANT);
  });
  test('non-compliant: the invoking function is not in a VPC', () => {
    expect(BedrockInvokerInVpc(cfn(invokerFunction(newStack(), false)))).toBe(NON_COMPLIANT);
  });
  test('not applicable: a function that cannot invoke Bedrock', () => {
    expect(BedrockInvokerInVpc(cfn(invokerFunction(newStack(), false, [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] })])))).toBe(NOT_APPLICABLE);
  });
});

describe('BedrockInvocationLogging', () => {
  function logging(app: App, id: string, encrypted: boolean) {
    const stack = newStack(app, id);
    const key = new kms.Key(stack, 'K');
    const bucket = new s3.Bucket(stack, 'B', encrypted ? { encryption: s3.BucketEncryption.KMS, encryptionKey: key } : {});
    const group = new logs.LogGroup(stack, 'L', encrypted ? { encryptionKey: key } : {});
    const cr = new CustomResource(stack, 'Logging', {
      serviceToken: 'arn:aws:lambda:eu-central-1:111111111111:function:f',
      resourceType: 'Custom::BedrockModelInvocationLogging',
      properties: { LoggingConfig: { s3Config: { bucketName: bucket.bucketName }, cloudWatchConfig: { logGroupName: group.logGroupName } } },
    });
    return cr.node.defaultChild as CfnResource;
  }
  test('compliant: one owner per account-region, encrypted destinations', () => {
    expect(BedrockInvocationLogging(logging(new App(), 'A', true))).toBe(COMPLIANT);
  });
  test('non-compliant: unencrypted destinations, or two owners of one account-region', () => {
    expect(BedrockInvocationLogging(logging(new App(), 'A', false))).toBe(NON_COMPLIANT);
    const app = new App();
    const first = logging(app, 'A', true);
    logging(app, 'B', true);
    expect(BedrockInvocationLogging(first)).toBe(NON_COMPLIANT);
  });
  test('a runtime endpoint needs logging somewhere in the app for its account-region', () => {
    const app = new App();
    const stack = newStack(app, 'Net');
    const e = new ec2.Vpc(stack, 'V', { natGateways: 0 }).addInterfaceEndpoint('R', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME });
    expect(BedrockInvocationLogging(cfn(e))).toBe(NON_COMPLIANT);
    logging(app, 'Owner', true);
    expect(BedrockInvocationLogging(cfn(e))).toBe(COMPLIANT);
  });
});

describe('BedrockRegionPinning', () => {
  const rule = bedrockRegionPinningRule({ allowedRegions: ['eu-central-1'], strict: true });
  test('compliant: models of the allowed region', () => {
    expect(rule(cfn(new iam.ManagedPolicy(newStack(), 'P', { statements: [invoke([MODEL])] })))).toBe(COMPLIANT);
  });
  test('non-compliant: a model elsewhere, or a global profile', () => {
    expect(rule(cfn(new iam.ManagedPolicy(newStack(), 'P', { statements: [invoke(['arn:aws:bedrock:us-east-1::foundation-model/a.b-v1:0'])] })))).toBe(NON_COMPLIANT);
    expect(rule(cfn(new iam.ManagedPolicy(newStack(), 'Q', { statements: [invoke(['arn:aws:bedrock:eu-central-1:1:inference-profile/global.a.b-v1:0'])] })))).toBe(NON_COMPLIANT);
  });
});

describe('BedrockModelApiPrivate', () => {
  function api(privateApi: boolean) {
    const stack = newStack();
    const fn = invokerFunction(stack, true);
    const vpc = fn.node.scope!.node.tryFindChild('Vpc') as ec2.Vpc;
    const endpoint = vpc.addInterfaceEndpoint('Api', { service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY });
    const rest = new apigw.RestApi(stack, 'Api', {
      endpointConfiguration: privateApi ? { types: [apigw.EndpointType.PRIVATE], vpcEndpoints: [endpoint] } : { types: [apigw.EndpointType.REGIONAL] },
      policy: privateApi
        ? new iam.PolicyDocument({
            statements: [new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['execute-api:Invoke'], resources: ['execute-api:/*'], conditions: { StringEquals: { 'aws:SourceVpce': endpoint.vpcEndpointId } } })],
          })
        : undefined,
    });
    rest.root.addMethod('POST', new apigw.LambdaIntegration(fn));
    return cfn(rest);
  }
  test('compliant: private and pinned to the endpoint', () => {
    expect(BedrockModelApiPrivate(api(true))).toBe(COMPLIANT);
  });
  test('non-compliant: a regional API in front of a model invoker', () => {
    expect(BedrockModelApiPrivate(api(false))).toBe(NON_COMPLIANT);
  });
});

describe('the region-pinning rule under relaxed residency', () => {
  test("a profile's destinations outside the allowed regions pass for its model only, as the pack is attached", async () => {
    const { configWith, platformStack } = await import('../support/aws');
    const { pinningOf } = await import('../../policies/aws/rule-packs');
    const relaxed = configWith((r) => {
      r.dataResidency.strict = false;
      r.aws.allowedRegions = ['eu-central-1', 'eu-west-1'];
    });
    const pinning = pinningOf(relaxed);
    expect(pinning.profileDestinations).toEqual(expect.arrayContaining(['eu-north-1/anthropic.claude-3-7-sonnet-20250219-v1:0', 'eu-west-3/anthropic.claude-3-7-sonnet-20250219-v1:0']));
    const nodes = platformStack(relaxed).node.findAll().filter((c): c is CfnResource => c instanceof CfnResource);
    const pinningRule = (p: typeof pinning) => bedrockRules(p).find((spec) => spec.rule.name === 'BedrockRegionPinning')!.rule;
    expect(nodes.filter((n) => pinningRule(pinning)(n) === NON_COMPLIANT).map((n) => n.node.path)).toEqual([]);
    // Without the routes the same policies are findings: the exemption is what lets them pass.
    expect(nodes.filter((n) => pinningRule({ ...pinning, profileDestinations: [] })(n) === NON_COMPLIANT).length).toBeGreaterThan(0);
  });
});

describe('the example platform under the Bedrock rules', () => {
  test('every rule applies to something and finds nothing wrong', async () => {
    const { platformStack, exampleConfig } = await import('../support/aws');
    const stack = platformStack();
    const nodes = stack.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource);
    const rules = bedrockRules({ allowedRegions: exampleConfig.aws.allowedRegions, strict: true }).map((spec) => spec.rule);
    expect(rules).toHaveLength(7);
    for (const rule of rules) {
      const results = nodes.map((n) => rule(n));
      expect([rule.name, results.filter((r) => r === NON_COMPLIANT).length]).toEqual([rule.name, 0]);
      expect([rule.name, results.filter((r) => r === COMPLIANT).length > 0]).toEqual([rule.name, true]);
    }
  });
});
