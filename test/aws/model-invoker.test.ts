import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { SUSPENDED_MODEL_ACTIONS } from '../../lib/aws/bedrock-policies';
import { ModelInvoker, type ModelInvokerProps } from '../../lib/aws/model-invoker';
import { PrivateNetwork } from '../../lib/aws/private-network';
import { DEFAULTS, ENVIRONMENT, parseConfig } from '../../lambda/invoke/config';
import { EMBEDDING_DIMENSIONS } from '../../lambda/invoke/embeddings';
import { ROUTES } from '../../lambda/invoke/validate';
import { modelKindOf } from '../../lib/config';
import { exampleConfig, exampleTemplate } from '../support/aws';

const template = exampleTemplate();
type Resource = { Type: string; Properties: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const resources = template.toJSON().Resources as Record<string, Resource>;
const idOf = (pattern: RegExp, type: string) => {
  const id = Object.keys(resources).find((k) => pattern.test(k) && resources[k].Type === type);
  if (!id) throw new Error(`no ${type} matching ${pattern}`);
  return id;
};
const fnId = idOf(/^ModelInvokerFunction[0-9A-F]{8}$/, 'AWS::Lambda::Function');
const fn = resources[fnId].Properties;
const executeApiEndpointId = Object.keys(resources).find((k) => resources[k].Type === 'AWS::EC2::VPCEndpoint' && JSON.stringify(resources[k].Properties.ServiceName).includes('execute-api'))!;

describe('ModelInvoker: the function', () => {
  test('Node.js on Lambda, in the isolated subnets, reserved concurrency, tracing, CMK-encrypted environment', () => {
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.VpcConfig.SubnetIds).toEqual([{ Ref: expect.stringMatching(/isolatedSubnet1/) }, { Ref: expect.stringMatching(/isolatedSubnet2/) }]);
    expect(fn.ReservedConcurrentExecutions).toBe(exampleConfig.aws.modelInvoker.reservedConcurrency);
    expect(fn.TracingConfig).toEqual({ Mode: 'Active' });
    expect(fn.KmsKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^KeysLambdaKey/), 'Arn'] });
    expect(fn.Timeout).toBe(30);
    expect(fn.DeadLetterConfig).toBeDefined();
  });

  test('is told the allowlist, the guardrail and an upstream timeout shorter than API Gateway allows', () => {
    const env = fn.Environment.Variables;
    expect(JSON.parse(env.ALLOWED_MODELS)).toEqual(exampleConfig.aws.models.map((m) => ({ id: m.id, classifications: m.classifications, kind: modelKindOf(m) })));
    expect(env.DEFAULT_MODEL_ID).toBe(exampleConfig.aws.models.find((m) => modelKindOf(m) === 'chat')!.id);
    expect(env.GUARDRAIL_ID).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Guardrail/), 'GuardrailId'] });
    expect(env.GUARDRAIL_VERSION).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^GuardrailVersion/), 'Version'] });
    expect(env.UPSTREAM_TIMEOUT_MS).toBe('26000');
  });

  test("sets exactly the environment variables the handler reads, and the handler accepts them", () => {
    const env = fn.Environment.Variables as Record<string, unknown>;
    expect(Object.keys(env).sort()).toEqual([...ENVIRONMENT].sort());
    // Resolved as the function will see them (tokens as placeholders), the handler's own parser takes them.
    const placeholders: Record<string, string> = { GUARDRAIL_VERSION: '1', SSM_ENDPOINT: 'https://vpce-0123456789abcdef0-abcdefgh.ssm.eu-central-1.vpce.amazonaws.com', MODEL_ACCESS_PARAMETER: '/placeholder/model-access' };
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : (placeholders[k] ?? 'placeholder')]));
    expect(() => parseConfig(resolved)).not.toThrow();
  });

  test('egress only to the endpoint security group on 443', () => {
    const sgId = fn.VpcConfig.SecurityGroupIds[0]['Fn::GetAtt'][0];
    const sg = resources[sgId].Properties;
    expect(sg.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^NetworkEndpointSecurityGroup/), 'GroupId'] } }),
    ]);
  });

  test('its log group is CMK-encrypted with retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/example-corp/prod/model-invoker', RetentionInDays: 365, KmsKeyId: Match.anyValue() });
    expect(fn.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/^ModelInvokerFunctionLogs/) });
  });

  test('may invoke only the allowlisted models, only with the pinned guardrail, and never outside the allowed regions', () => {
    const policy = resources[idOf(/^ModelInvokerFunctionPolicy/, 'AWS::IAM::ManagedPolicy')].Properties.PolicyDocument.Statement;
    const invoke = policy.find((s: { Sid?: string }) => s.Sid === 'InvokeAllowlistedModelsWithGuardrail');
    expect(invoke.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
    expect(JSON.stringify(invoke.Resource)).not.toMatch(/"\*"/);
    expect(JSON.stringify(invoke.Condition.StringEquals['bedrock:GuardrailIdentifier'])).toMatch(/GuardrailArn.*:.*Version/);
    expect(policy.find((s: { Sid?: string }) => s.Sid === 'ApplyTheGuardrail').Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Guardrail/), 'GuardrailArn'] });
    // Bedrock decrypts the CMK-encrypted guardrail with the caller's permissions.
    expect(policy.find((s: { Sid?: string }) => s.Sid === 'DecryptTheGuardrailThroughBedrock')).toMatchObject({
      Action: 'kms:Decrypt',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KeysModelDataKey/), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 'bedrock.eu-central-1.amazonaws.com' } },
    });
    const role = resources[fn.Role['Fn::GetAtt'][0]].Properties;
    expect(role.ManagedPolicyArns).toEqual(expect.arrayContaining([{ Ref: expect.stringMatching(/^RegionPinning/) }]));
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});

describe('ModelInvoker: the private API', () => {
  const apiId = idOf(/^ModelInvokerApi[0-9A-F]{8}$/, 'AWS::ApiGateway::RestApi');
  const api = resources[apiId].Properties;

  test('is PRIVATE, reachable only through the execute-api endpoint, and its resource policy pins that endpoint', () => {
    expect(api.EndpointConfiguration).toEqual({ Types: ['PRIVATE'], VpcEndpointIds: [{ Ref: executeApiEndpointId }] });
    const bySid = (sid: string) => api.Policy.Statement.find((st: { Sid: string }) => st.Sid === sid);
    const allow = bySid('InvokeThroughThePrivateEndpoint');
    expect(allow).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke', Condition: { StringEqualsIgnoreCase: { 'aws:SourceVpce': { Ref: executeApiEndpointId } } } });
    expect(allow.Condition.StringEquals).toEqual({ 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } });
    expect(bySid('DenyAnyOtherPath')).toMatchObject({ Effect: 'Deny', Action: 'execute-api:Invoke', Condition: { StringNotEquals: { 'aws:SourceVpce': { Ref: executeApiEndpointId } } } });
  });

  test('admits only the ModelUser permission set roles and the configured application roles, and denies every other principal', () => {
    const bySid = (sid: string) => api.Policy.Statement.find((st: { Sid: string }) => st.Sid === sid);
    const callers = bySid('InvokeThroughThePrivateEndpoint').Condition.ArnLike['aws:PrincipalArn'];
    expect(JSON.stringify(callers[0])).toMatch(/:role\/aws-reserved\/sso\.amazonaws\.com\/\*AWSReservedSSO_ExampleCorpAiModelUser_\*/);
    expect(callers.slice(1)).toEqual(exampleConfig.aws.targets[0].apiCallerRoleArns);
    expect(bySid('DenyOtherPrincipals')).toMatchObject({ Effect: 'Deny', Principal: { AWS: '*' }, Condition: { ArnNotLike: { 'aws:PrincipalArn': callers } } });
  });

  test('POST /invoke requires IAM (SigV4) authorization and a validated body', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: { Ref: Match.stringLikeRegexp('RequestValidator') },
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('InvokeRequest') } },
      Integration: Match.objectLike({ Type: 'AWS_PROXY', TimeoutInMillis: 29000 }),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    const model = resources[idOf(/InvokeRequest/, 'AWS::ApiGateway::Model')].Properties.Schema;
    expect(model).toMatchObject({ required: ['messages'], additionalProperties: false });
    expect(model.properties.messages).toEqual({ type: 'array', minItems: 1, maxItems: exampleConfig.aws.modelInvoker.maxMessages });
    // The model is the handler's to refuse (400 ModelNotAllowed, audited, so probing is counted), not API Gateway's, which would refuse it unseen.
    expect(model.properties.modelId).toEqual({ type: 'string', minLength: 1, maxLength: 256 });
  });

  test("errors API Gateway answers itself have the handler's error shape", () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseTemplates: { 'application/json': '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}}' },
      });
    }
  });

  test('the stage throttles, traces, logs errors without bodies, and writes CMK-encrypted access logs', () => {
    const stage = Object.values(resources).find((r) => r.Type === 'AWS::ApiGateway::Stage')!.Properties;
    expect(stage.TracingEnabled).toBe(true);
    expect(stage.MethodSettings).toEqual([
      expect.objectContaining({ LoggingLevel: 'ERROR', DataTraceEnabled: false, MetricsEnabled: true, ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40, HttpMethod: '*', ResourcePath: '/*' }),
    ]);
    expect(stage.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ModelInvokerAccessLogs/), 'Arn'] });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/example-corp/prod/model-api-access', KmsKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/v1']] }, KmsKeyId: Match.anyValue() });
  });

  test('only this API, of this account, may invoke the function, on its two routes', () => {
    const permissions = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    expect(permissions.map((p) => JSON.stringify(p.Properties.SourceArn).match(/\/POST\/[a-z]+/)![0]).sort()).toEqual(['/POST/embed', '/POST/invoke']);
    for (const p of permissions) expect(p.Properties).toMatchObject({ Principal: 'apigateway.amazonaws.com', SourceAccount: '111111111111' });
  });

  test('POST /embed takes the embedding models only, with its own validated body, and IAM authorization', () => {
    const embedModel = resources[idOf(/EmbedRequest/, 'AWS::ApiGateway::Model')].Properties.Schema;
    expect(embedModel).toMatchObject({ required: ['input'], additionalProperties: false });
    // Which models each route takes is the handler's check (test/lambda): API Gateway passes any model ID on, so a probe is audited.
    expect(embedModel.properties.modelId).toEqual({ type: 'string', minLength: 1, maxLength: 256 });
    const methods = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
    expect(methods.map((m) => m.Properties.AuthorizationType)).toEqual(['AWS_IAM', 'AWS_IAM']);
  });

  test('embedding models are invoked without a guardrail parameter (Bedrock takes none), after ApplyGuardrail screens the input', () => {
    const policy = resources[idOf(/^ModelInvokerFunctionPolicy/, 'AWS::IAM::ManagedPolicy')].Properties.PolicyDocument.Statement;
    const embed = policy.find((s: { Sid?: string }) => s.Sid === 'InvokeEmbeddingModelsScreenedByTheGuardrail');
    expect(embed.Action).toBe('bedrock:InvokeModel');
    expect(JSON.stringify(embed.Resource)).toMatch(/foundation-model\/amazon\.titan-embed-text-v2:0/);
    expect(embed.Condition).toBeUndefined();
    // The chat statement, with its guardrail condition, names no embedding model.
    const chat = policy.find((s: { Sid?: string }) => s.Sid === 'InvokeAllowlistedModelsWithGuardrail');
    expect(JSON.stringify(chat.Resource)).not.toContain('titan-embed');
  });

  test('a WAF web ACL guards the stage, with the Authorization header redacted from its CMK-encrypted logs', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }), Match.objectLike({ Name: 'RateLimitPerSource' })]),
    });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: Match.anyValue(), WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebAcl'), 'Arn'] } });
    const [logging] = Object.values(resources).filter((r) => r.Type === 'AWS::WAFv2::LoggingConfiguration');
    expect(logging.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
    // WAF needs the bare log-group ARN (no ":*"), of a group named aws-waf-logs-*.
    expect(JSON.stringify(logging.Properties.LogDestinationConfigs)).toMatch(/:log-group:",\{"Ref":"ModelInvokerWafLogs[0-9A-F]{8}"\}\]\]\}\]$/);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-'), KmsKeyId: Match.anyValue() });
  });

  test('outputs give app teams the URL, the models, and the guardrail', () => {
    const outputs = template.findOutputs('*');
    const url = JSON.stringify(outputs.PrivateApiUrl.Value);
    expect(url).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",\{"Ref":"ModelInvokerApi[0-9A-F]{8}"\},"\.execute-api\.eu-central-1\."/);
    expect(url).toMatch(/DeploymentStagev1[0-9A-F]{8}"\},"\/invoke"\]\]\}$/);
    expect(outputs.AllowedModelIds.Value).toBe('anthropic.claude-3-haiku-20240307-v1:0,eu.anthropic.claude-3-7-sonnet-20250219-v1:0');
    expect(outputs.AllowedEmbeddingModelIds.Value).toBe('amazon.titan-embed-text-v2:0');
    expect(JSON.stringify(outputs.PrivateApiEmbeddingsUrl.Value)).toMatch(/"\/embed"\]\]\}$/);
    expect(outputs.GuardrailId).toBeDefined();
    expect(outputs.GuardrailVersion).toBeDefined();
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/private-ai/prod/private-api-url' });
  });
});

describe("ModelInvoker: the API validates with the handler's own constants", () => {
  test('routes, embedding dimensions and the texts of one embedding request are the handler\'s', () => {
    const paths = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Resource').map((r) => `/${r.Properties.PathPart}`);
    expect(paths.sort()).toEqual(Object.values(ROUTES).sort());
    const embed = resources[idOf(/EmbedRequest/, 'AWS::ApiGateway::Model')].Properties.Schema;
    expect(embed.properties.dimensions.enum).toEqual([...EMBEDDING_DIMENSIONS]);
    const maxTexts = Math.min(exampleConfig.aws.modelInvoker.maxMessages, DEFAULTS.maxEmbedTexts);
    expect([embed.properties.input.maxItems, fn.Environment.Variables.MAX_EMBED_TEXTS]).toEqual([maxTexts, String(maxTexts)]);
  });

  test('a change to those constants in the handler reaches the API, with no copy to update', () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    jest.isolateModules(() => {
      const actual = (m: string) => jest.requireActual(m) as Record<string, unknown>;
      jest.doMock('../../lambda/invoke/embeddings', () => ({ ...actual('../../lambda/invoke/embeddings'), EMBEDDING_DIMENSIONS: [384, 768] }));
      jest.doMock('../../lambda/invoke/config', () => ({ ...actual('../../lambda/invoke/config'), DEFAULTS: { ...DEFAULTS, maxEmbedTexts: 7 } }));
      jest.doMock('../../lambda/invoke/validate', () => ({ ...actual('../../lambda/invoke/validate'), ROUTES: { chat: '/chat', embedding: '/vectors' } }));
      const cdk = require('aws-cdk-lib') as typeof import('aws-cdk-lib');
      const ec2i = require('aws-cdk-lib/aws-ec2') as typeof ec2;
      const kmsi = require('aws-cdk-lib/aws-kms') as typeof kms;
      const logsi = require('aws-cdk-lib/aws-logs') as typeof logs;
      const { Template } = require('aws-cdk-lib/assertions') as typeof import('aws-cdk-lib/assertions');
      const { ModelInvoker: Invoker } = require('../../lib/aws/model-invoker') as typeof import('../../lib/aws/model-invoker');
      const stack = new cdk.Stack();
      const vpc = new ec2i.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2i.SubnetType.PRIVATE_ISOLATED }] });
      const key = new kmsi.Key(stack, 'Key');
      new Invoker(stack, 'I', {
        vpc,
        vpcSubnets: { subnetType: ec2i.SubnetType.PRIVATE_ISOLATED },
        endpointSecurityGroup: new ec2i.SecurityGroup(stack, 'Sg', { vpc }),
        executeApiEndpoint: vpc.addInterfaceEndpoint('Api', { service: ec2i.InterfaceVpcEndpointAwsService.APIGATEWAY }),
        ssmEndpointDnsName: 'vpce-0123456789abcdef0-abcdefgh.ssm.eu-central-1.vpce.amazonaws.com',
        models: [
          { id: 'anthropic.claude-3-haiku-20240307-v1:0', classifications: ['internal'], kind: 'chat' },
          { id: 'amazon.titan-embed-text-v2:0', classifications: ['internal'], kind: 'embedding' },
        ],
        modelArns: ['arn'],
        guardrailId: 'g',
        guardrailArn: 'arn:g',
        guardrailVersion: '1',
        guardrailKey: key,
        apiCallers: ['arn:aws:iam::111111111111:role/app'],
        environmentKey: key,
        logsKey: key,
        logRetention: logsi.RetentionDays.ONE_YEAR,
        logGroupPrefix: '/t/',
        reservedConcurrency: 1,
        timeout: cdk.Duration.seconds(30),
        memorySize: 512,
        throttleRateLimit: 1,
        throttleBurstLimit: 1,
        maxMessages: 50,
        maxTextChars: 1,
        maxTokensCap: 1,
      });
      const t = Template.fromStack(stack);
      expect(Object.values(t.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart).sort()).toEqual(['chat', 'vectors']);
      const [embed] = Object.values(t.findResources('AWS::ApiGateway::Model')).filter((m) => m.Properties.Schema.required?.[0] === 'input');
      expect([embed.Properties.Schema.properties.dimensions.enum, embed.Properties.Schema.properties.input.maxItems]).toEqual([[384, 768], 7]);
    });
    /* eslint-enable @typescript-eslint/no-require-imports */
  });
});

function props(stack: Stack, overrides: Partial<ModelInvokerProps>): ModelInvokerProps {
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const key = new kms.Key(stack, 'Key');
    return {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      endpointSecurityGroup: new ec2.SecurityGroup(stack, 'Sg', { vpc }),
      executeApiEndpoint: vpc.addInterfaceEndpoint('Api', { service: ec2.InterfaceVpcEndpointAwsService.APIGATEWAY }),
      ssmEndpointDnsName: PrivateNetwork.endpointDnsName(vpc.addInterfaceEndpoint('Ssm', { service: ec2.InterfaceVpcEndpointAwsService.SSM, privateDnsEnabled: false })),
      models: [{ id: 'anthropic.claude-3-haiku-20240307-v1:0', classifications: ['internal'], kind: 'chat' }],
      modelArns: ['arn'],
      guardrailId: 'g',
      guardrailArn: 'arn:g',
      guardrailVersion: '1',
      guardrailKey: key,
      apiCallers: ['arn:aws:iam::111111111111:role/app'],
      environmentKey: key,
      logsKey: key,
      logRetention: logs.RetentionDays.ONE_YEAR,
      logGroupPrefix: '/t/',
      reservedConcurrency: 1,
      timeout: Duration.seconds(30),
      memorySize: 512,
      throttleRateLimit: 1,
      throttleBurstLimit: 1,
      maxMessages: 1,
      maxTextChars: 1,
      maxTokensCap: 1,
      ...overrides,
    };
  }

describe('ModelInvoker: bad input', () => {
  test('no usable model is refused', () => {
    const stack = new Stack();
    expect(() => new ModelInvoker(stack, 'I', props(stack, { models: [] }))).toThrow(/no allowlisted model is usable in this region/);
  });

  test('an embedding model the function cannot call is refused at synth, not at every cold start', () => {
    const stack = new Stack();
    expect(() => new ModelInvoker(stack, 'I', props(stack, { models: [{ id: 'amazon.titan-embed-text-v1', classifications: ['internal'], kind: 'embedding' }] }))).toThrow(
      /the model invoker cannot call embedding model amazon\.titan-embed-text-v1; it calls amazon\.titan-embed-text-v2:0/,
    );
  });

  test('an API that would admit nobody is refused', () => {
    const stack = new Stack();
    expect(() => new ModelInvoker(stack, 'I', props(stack, { apiCallers: [] }))).toThrow(/apiCallers is empty, so the private API would admit nobody/);
  });

  test('a timeout that leaves no time for the model is refused', () => {
    const stack = new Stack();
    expect(() => new ModelInvoker(stack, 'I', props(stack, { timeout: Duration.seconds(6) }))).toThrow(/a timeout of 6s leaves under 5s for the model call/);
  });
});

describe('ModelInvoker: the kill switch', () => {
  type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
  const statementsOf = (t: Template): Statement[] => {
    const [policy] = Object.entries(t.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => /^IFunctionPolicy/.test(id));
    return policy[1].Properties.PolicyDocument.Statement;
  };
  const build = (overrides: Partial<ModelInvokerProps> = {}) => {
    const stack = new Stack(undefined, 'Invoker', { env: { account: '111111111111', region: 'eu-central-1' } });
    const invoker = new ModelInvoker(stack, 'I', props(stack, overrides));
    return { stack, invoker, t: Template.fromStack(stack) };
  };

  test('is an SSM String parameter (no key to decrypt it) that takes only open or suspended, open by default, named under the stack by default', () => {
    const { stack, invoker, t } = build();
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/private-ai/Invoker/model-access', Type: 'String', Value: 'open', AllowedPattern: '^(open|suspended)$', Tier: 'Standard' });
    expect(stack.resolve(invoker.killSwitch.parameterName)).toEqual({ Ref: expect.stringMatching(/^IModelAccess/) });
  });

  test("the function is told its name and the SSM endpoint's own DNS name (the first of its DNS entries), not SSM's regional name", () => {
    const { t } = build({ modelAccessParameterName: '/acme/prod/model-access' });
    const [fnResource] = Object.values(t.findResources('AWS::Lambda::Function'));
    const env = fnResource.Properties.Environment.Variables;
    expect(env.MODEL_ACCESS_PARAMETER).toEqual({ Ref: expect.stringMatching(/^IModelAccess/) });
    const [ssmEndpoint] = Object.keys(t.findResources('AWS::EC2::VPCEndpoint', { Properties: { ServiceName: 'com.amazonaws.eu-central-1.ssm' } }));
    expect(env.SSM_ENDPOINT).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::Select': [0, { 'Fn::GetAtt': [ssmEndpoint, 'DnsEntries'] }] }] }] }]],
    });
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/acme/prod/model-access' });
  });

  test('the function may read that parameter and nothing else of SSM, and needs no key for it', () => {
    const { t } = build();
    const statements = statementsOf(t);
    const ssmStatements = statements.filter((st) => JSON.stringify(st.Action).includes('ssm:'));
    expect(ssmStatements).toEqual([
      {
        Sid: 'ReadTheKillSwitch',
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        // The name starts with a slash, so the ARN is `...:parameter` followed by the name.
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-central-1:111111111111:parameter', { Ref: expect.stringMatching(/^IModelAccess/) }]] },
      },
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/ssm\.eu-central-1/);
  });

  test('open: the role has no kill-switch deny', () => {
    const { t } = build({ suspendModelAccess: false });
    expect(statementsOf(t).filter((st) => st.Effect === 'Deny')).toEqual([]);
  });

  test('suspended: the parameter says so from the deployment on, and the role denies every model call whatever the parameter says', () => {
    const { t } = build({ suspendModelAccess: true });
    t.hasResourceProperties('AWS::SSM::Parameter', { Value: 'suspended' });
    const deny = statementsOf(t).filter((st) => st.Effect === 'Deny');
    expect(deny).toEqual([{ Sid: 'ModelAccessSuspended', Effect: 'Deny', Action: [...SUSPENDED_MODEL_ACTIONS], Resource: '*' }]);
    expect(deny[0].Action).toEqual(expect.arrayContaining(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:ApplyGuardrail', 'bedrock-mantle:*', 'aws-external-anthropic:*']));
  });

  test('the example deployment (switch open) wires the parameter to the function', () => {
    const env = fn.Environment.Variables;
    const parameterId = idOf(/^ModelInvokerModelAccess/, 'AWS::SSM::Parameter');
    expect(resources[parameterId].Properties).toMatchObject({ Type: 'String', Value: exampleConfig.detection.suspendModelAccess ? 'suspended' : 'open' });
    expect(env.MODEL_ACCESS_PARAMETER).toEqual({ Ref: parameterId });
  });

  test('a parameter name that is not an SSM path is refused', () => {
    const stack = new Stack();
    expect(() => new ModelInvoker(stack, 'I', props(stack, { modelAccessParameterName: 'model-access' }))).toThrow(
      /^ModelInvoker: modelAccessParameterName model-access is not an SSM parameter path such as \/private-ai\/prod\/model-access \(config: aws\.ssmPrefix\)$/,
    );
  });
});
