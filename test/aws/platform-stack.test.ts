import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { Sha256 } from '@smithy/core/checksum';
import type { HttpRequest } from '@smithy/core/protocols';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lambda/invoke/config';
import { ssmGetParameter } from '../../lambda/invoke/model-access';
import { permissionSetName, modelUserStatements, SSO_ROLES } from '../../lib/aws/sso-access';
import { KEY_PURPOSE, keyAlias } from '../../lib/config';
import { configWith, exampleConfig, exampleTemplate, newApp, platformStack } from '../support/aws';
import { matchesFilterPattern } from '../support/cloudwatch-patterns';
import { invokerEnv, MODEL_ACCESS_PARAMETER } from '../lambda/support/fixtures';
import { addAwsStacks, platformStackName } from '../../stacks/aws';
import { IdentityStack } from '../../stacks/aws/identity-stack';

const template = exampleTemplate();

/** The statements of the stack's region-pinning managed policy. */
function regionPinningStatements(t: Template): unknown[] {
  const policies = Object.entries(t.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) => id.startsWith('RegionPinning'));
  expect(policies).toHaveLength(1);
  return policies[0][1].Properties.PolicyDocument.Statement;
}

describe('PlatformStack', () => {
  test('the bedrock-runtime endpoint admits only the allowlisted models of this region and geography', () => {
    const endpoint = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).find((e) => e.Properties.ServiceName === 'com.amazonaws.eu-central-1.bedrock-runtime')!;
    const [statement] = endpoint.Properties.PolicyDocument.Statement;
    expect(statement.Action).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
    expect(statement.Condition).toEqual({ StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } });
    const resources = JSON.stringify(statement.Resource);
    for (const model of exampleConfig.aws.models) expect(resources).toContain(model.id);
    expect(resources).not.toMatch(/"\*"/);
  });

  test('subnets take their zones from Fn::GetAZs: no lookup at synth, no zone name hard-coded', () => {
    const zones = Object.values(template.findResources('AWS::EC2::Subnet')).map((s) => s.Properties.AvailabilityZone);
    expect(zones).toEqual([
      { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
      { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
    ]);
  });

  test('audit buckets and log groups have the names the Identity Center permission sets grant on', () => {
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'example-corp-prod-audit-111111111111' });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'example-corp-prod-logs-111111111111' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/example-corp/prod/cloudtrail' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/example-corp/prod/vpc-flow-logs' });
  });

  test('endpoints exist for everything an isolated function needs', () => {
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
    for (const service of ['bedrock-runtime', 'bedrock', 'sts', 'kms', 'logs', 'xray', '.s3']) {
      expect(services.some((s) => s.includes(`${service}"`))).toBe(true);
    }
  });

  test('under strict residency the region-pinning managed policy denies Bedrock and the other model-serving services outside the allowed regions, with no exemption', () => {
    expect(regionPinningStatements(template)).toEqual([
      {
        Sid: 'DenyBedrockOutsideAllowedRegions',
        Effect: 'Deny',
        // Bedrock and the model-serving services beside it, in the order policy minimization sorts them.
        Action: ['aws-external-anthropic:*', 'bedrock-mantle:*', 'bedrock:*'],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1', 'eu-north-1', 'eu-west-3'] } },
      },
    ]);
  });

  test('under relaxed residency the region-pinning policy exempts calls through the allowlisted profiles of this account and region', () => {
    const relaxed = Template.fromStack(platformStack(configWith((r) => (r.dataResidency.strict = false))));
    const [deny] = regionPinningStatements(relaxed) as { Condition: unknown }[];
    expect(deny.Condition).toEqual({
      StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1', 'eu-north-1', 'eu-west-3'] },
      ArnNotLike: {
        'bedrock:InferenceProfileArn': [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:eu-central-1:', { Ref: 'AWS::AccountId' }, ':inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0']] },
        ],
      },
    });
  });

  test("the model-data key's alias is the one the ModelUser permission set may decrypt through", () => {
    const alias = keyAlias(exampleConfig.organisation.name, 'prod', KEY_PURPOSE.modelData);
    expect(alias).toBe('alias/example-corp/prod/model-data');
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: alias, TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysModelDataKey'), 'Arn'] } });
    const decrypt = modelUserStatements({
      instanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000',
      organisationName: exampleConfig.organisation.name,
      targets: exampleConfig.aws.targets,
      allowedRegions: exampleConfig.aws.allowedRegions,
      models: { modelIds: exampleConfig.aws.models.map((m) => m.id), strict: exampleConfig.dataResidency.strict },
      groups: { modelUsers: [], auditors: [], platformAdmins: [] },
    }).find((s) => s.sid === 'DecryptGuardrailsThroughBedrock')!;
    // One statement for every target: the alias pattern must match this target's alias (as IAM's StringLike does).
    const pattern = decrypt.toStatementJson().Condition['ForAnyValue:StringLike']['kms:ResourceAliases'] as string;
    const glob = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('[^]*')}$`);
    expect(glob.test(alias)).toBe(true);
    expect(glob.test('alias/other-corp/prod/model-data')).toBe(false);
  });

  test('outputs for app teams exist as stack outputs and as SSM parameters under the prefix', () => {
    const outputs = template.findOutputs('*');
    for (const name of ['VpcId', 'BedrockRuntimeEndpointId', 'BedrockRuntimeEndpointDns', 'BedrockRuntimePrivateHostname', 'AuditKeyArn', 'LogsKeyArn', 'ModelDataKeyArn', 'LambdaKeyArn', 'RegionPinningPolicyArn']) {
      expect(outputs[name]).toBeDefined();
    }
    // Every output the README's table names for app teams, and no other (RestApi's own root-URL output is removed).
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| output | meaning |')).split('\n\n')[0].split('\n').slice(2);
    const documented = table.flatMap((row) => [...row.split(' | ')[0].matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]));
    expect(documented).toContain('PrivateApiUrl');
    // The alert topic and the kill switch are the security team's, not app teams': stack outputs
    // only, tested with misuse detection and the playbooks (test/docs).
    expect(Object.keys(outputs).filter((o) => o !== 'SecurityAlertTopicArn' && o !== 'ModelAccessParameterName').sort()).toEqual(documented.sort());
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/private-ai/prod/vpc-id', Type: 'String', Value: { Ref: Match.stringLikeRegexp('NetworkVpc') } });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/private-ai/prod/bedrock-runtime-endpoint-dns', Value: Match.objectLike({ 'Fn::Select': Match.anyValue() }) });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/private-ai/prod/audit-key-arn' });
  });

  test('every taggable resource carries the owner, cost centre and data classification tags', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      Tags: Match.arrayWith([
        { Key: 'cost-centre', Value: 'CC-0000' },
        { Key: 'data-classification', Value: 'confidential' },
        { Key: 'owner', Value: 'platform-team@example.com' },
      ]),
    });
    const tagged = Object.entries(template.toJSON().Resources as Record<string, { Properties?: { Tags?: unknown } }>).filter(([, r]) => Array.isArray(r.Properties?.Tags));
    expect(tagged.length).toBeGreaterThan(10);
    for (const [id, r] of tagged) {
      expect([id, r.Properties!.Tags]).toEqual([
        id,
        expect.arrayContaining([
          { Key: 'cost-centre', Value: 'CC-0000' },
          { Key: 'data-classification', Value: 'confidential' },
          { Key: 'owner', Value: 'platform-team@example.com' },
        ]),
      ]);
    }
  });
});

describe('one stack per target', () => {
  test('each target becomes a stack pinned to its account and region', () => {
    const config = configWith((r) => {
      r.aws.targets.push({ name: 'dr-west', account: '222222222222', region: 'eu-west-1', network: { availabilityZones: ['eu-west-1a', 'eu-west-1b'] } });
    });
    const stacks = addAwsStacks(newApp(), config);
    expect(stacks.map((s) => [s.stackName, s.account, s.region])).toEqual([
      [platformStackName(config, 'prod'), '111111111111', 'eu-central-1'],
      ['PrivateAi-example-corp-dr-west', '222222222222', 'eu-west-1'],
    ]);
  });

  test('a target in a region outside the allowlist is refused before anything is synthesized', () => {
    expect(() => configWith((r) => (r.aws.targets[0].region = 'us-east-1'))).toThrow(/region us-east-1 is not allowed by data residency policy; allowed: eu-central-1, eu-west-1, eu-north-1, eu-west-3 \(add it to aws.allowedRegions or deploy to an allowed region\)/);
  });
});

describe('retention', () => {
  // Resources that hold or protect evidence and keys must survive `cdk destroy`. Everything else
  // is listed here as intentionally disposable: recreated by the next deploy, holding no data.
  const MUST_RETAIN = new Set(['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::S3::BucketPolicy', 'AWS::Logs::LogGroup', 'AWS::CloudTrail::Trail', 'AWS::SQS::Queue']);
  const DISPOSABLE = new Set([
    'AWS::KMS::Alias',
    'AWS::EC2::VPC',
    'AWS::EC2::Subnet',
    'AWS::EC2::RouteTable',
    'AWS::EC2::SubnetRouteTableAssociation',
    'AWS::EC2::SecurityGroup',
    'AWS::EC2::VPCEndpoint',
    'AWS::EC2::FlowLog',
    'AWS::IAM::Role',
    'AWS::IAM::ManagedPolicy',
    'AWS::SSM::Parameter',
    // The corporate DNS endpoint holds no data; its addresses are recreated with it.
    'AWS::Route53Resolver::ResolverEndpoint',
    'Custom::VpcRestrictDefaultSG',
    'AWS::Lambda::Function',
    'AWS::Lambda::Permission',
    'AWS::SQS::QueuePolicy',
    'AWS::EC2::SecurityGroupEgress',
    'AWS::EC2::SecurityGroupIngress',
    'AWS::Bedrock::Guardrail',
    'AWS::Bedrock::GuardrailVersion',
    // Deleting it removes the logging setting, not the logs, which stay in the retained bucket and log group.
    'Custom::BedrockModelInvocationLogging',
    'AWS::ApiGateway::RestApi',
    'AWS::ApiGateway::Resource',
    'AWS::ApiGateway::Method',
    'AWS::ApiGateway::Model',
    'AWS::ApiGateway::RequestValidator',
    'AWS::ApiGateway::Deployment',
    'AWS::ApiGateway::Stage',
    'AWS::ApiGateway::Account',
    'AWS::ApiGateway::GatewayResponse',
    'AWS::WAFv2::WebACL',
    'AWS::WAFv2::WebACLAssociation',
    'AWS::WAFv2::LoggingConfiguration',
    // Misuse detection holds no evidence: alerts are delivered (or kept in its retained queue), the
    // records they count stay in the retained log groups, and the next deploy recreates the rest.
    'AWS::SNS::Topic',
    'AWS::SNS::TopicPolicy',
    'AWS::SNS::Subscription',
    'AWS::CloudWatch::Alarm',
    'AWS::CloudWatch::InsightRule',
    'AWS::Logs::MetricFilter',
    'AWS::Logs::QueryDefinition',
    'AWS::Events::Rule',
  ]);

  test('every resource is retained or intentionally disposable', () => {
    const resources = template.toJSON().Resources as Record<string, { Type: string; DeletionPolicy?: string }>;
    const unclassified: string[] = [];
    const notRetained: string[] = [];
    for (const [id, r] of Object.entries(resources)) {
      if (MUST_RETAIN.has(r.Type)) {
        if (r.DeletionPolicy !== 'Retain') notRetained.push(`${id} (${r.Type})`);
      } else if (r.DeletionPolicy !== 'Retain' && !DISPOSABLE.has(r.Type)) {
        unclassified.push(`${id} (${r.Type})`);
      }
    }
    expect(notRetained).toEqual([]);
    expect(unclassified).toEqual([]);
  });
});

describe('the CDK bootstrap qualifier', () => {
  test('the stacks deploy through the bootstrap roles of the configured qualifier, and platform admins may assume only those', () => {
    const config = configWith((r) => (r.aws.deployment = { cdkQualifier: 'privateai', bootstrapRoleNames: ['OrganizationAccountAccessRole'] }));
    const app = newApp();
    const [platform] = addAwsStacks(app, config);
    expect(Template.fromStack(platform).toJSON().Parameters.BootstrapVersion.Default).toBe('/cdk-bootstrap/privateai/version');
    const identity = app.node.findAll().find((c): c is IdentityStack => c instanceof IdentityStack)!;
    const inline = JSON.stringify(Template.fromStack(identity).toJSON());
    // The caller's own account (one statement for every target), the configured qualifier.
    expect(inline).toContain(':role/cdk-privateai-deploy-role-${aws:PrincipalAccount}-eu-central-1');
    expect(inline).not.toContain('cdk-*-');
  });
});

describe('who owns invocation logging', () => {
  test('the owner keeps the prompts in their own bucket and log group, recorded as data events, and tells app teams where', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.InvocationLogGroupName.Value).toEqual({ Ref: expect.stringMatching(/^InvocationLoggingLogs/) });
    const [bucketId] = Object.keys(template.findResources('AWS::S3::Bucket', { Properties: { BucketName: 'example-corp-prod-inv-111111111111' } }));
    expect(JSON.stringify(outputs.InvocationLogS3Location.Value)).toContain(bucketId);
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/example-corp/prod/model-invocations', KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KeysModelDataKey'), 'Arn'] } });
    // Reads of prompts are data events of the trail.
    expect(JSON.stringify(template.findResources('AWS::CloudTrail::Trail'))).toContain(bucketId);
  });

  test('a stack that does not own the setting creates none of it, and names no prompt store', () => {
    const notOwner = Template.fromStack(platformStack(configWith((r) => (r.aws.targets[0].ownsInvocationLogging = false))));
    expect(Object.keys(notOwner.findResources('Custom::BedrockModelInvocationLogging'))).toEqual([]);
    expect(Object.keys(notOwner.findOutputs('*'))).not.toEqual(expect.arrayContaining(['InvocationLogGroupName']));
    expect(JSON.stringify(notOwner.toJSON())).not.toContain('-inv-111111111111');
  });
});

describe('corporate network reach', () => {
  test('the example admits its corporate network to the API endpoint only, and gives corporate DNS the resolver addresses', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.ResolverInboundAddresses.Value).toBe('10.40.0.10,10.40.4.10');
    expect(outputs.ResolverInboundEndpointId).toBeDefined();
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '192.168.0.0/16', FromPort: 443, ToPort: 443 })],
    });
    template.hasResourceProperties('AWS::Route53Resolver::ResolverEndpoint', { Direction: 'INBOUND' });
  });
});

describe('the kill switch is read through an SSM endpoint of its own, which changes nothing else in the VPC', () => {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const endpoints = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface');
  const [[ssmId, ssm]] = endpoints.filter(([, r]) => r.Properties.ServiceName === 'com.amazonaws.eu-central-1.ssm');
  const invoker = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.MODEL_ACCESS_PARAMETER)!;
  // DnsEntries as EC2 returns them for an endpoint without private DNS: the regional endpoint-specific name first, then one per zone.
  const DNS_ENTRIES = [
    'Z7HUB22UULQXV:vpce-0a1b2c3d4e5f60718-abcdefgh.ssm.eu-central-1.vpce.amazonaws.com',
    'Z7HUB22UULQXV:vpce-0a1b2c3d4e5f60718-abcdefgh-eu-central-1a.ssm.eu-central-1.vpce.amazonaws.com',
    'Z7HUB22UULQXV:vpce-0a1b2c3d4e5f60718-abcdefgh-eu-central-1b.ssm.eu-central-1.vpce.amazonaws.com',
  ];
  /** The intrinsics the variable uses, as CloudFormation evaluates them once the endpoint exists. */
  const evaluate = (v: unknown): any => { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (typeof v !== 'object' || v === null) return v;
    const [[fn, arg]] = Object.entries(v as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    if (fn === 'Fn::Join') return (arg[1] as unknown[]).map(evaluate).join(arg[0]);
    if (fn === 'Fn::Select') return evaluate(arg[1])[arg[0]];
    if (fn === 'Fn::Split') return (evaluate(arg[1]) as string).split(arg[0]);
    if (fn === 'Fn::GetAtt' && arg[0] === ssmId && arg[1] === 'DnsEntries') return DNS_ENTRIES;
    throw new Error(`cannot evaluate ${JSON.stringify(v)}`);
  };

  test('the SSM endpoint has no private DNS; every other interface endpoint keeps it', () => {
    expect(ssm.Properties.PrivateDnsEnabled).toBe(false);
    for (const [id, r] of endpoints.filter(([id]) => id !== ssmId)) expect([id, r.Properties.PrivateDnsEnabled]).toEqual([id, true]);
  });

  test("the invoker's SSM_ENDPOINT is that endpoint's own DNS name, from its DNS entries, and the invoker accepts it", () => {
    const url = evaluate(invoker.Properties.Environment.Variables.SSM_ENDPOINT);
    expect(url).toBe('https://vpce-0a1b2c3d4e5f60718-abcdefgh.ssm.eu-central-1.vpce.amazonaws.com');
    expect(parseConfig(invokerEnv({ SSM_ENDPOINT: url })).ssmEndpoint).toBe(url);
  });

  test("the invoker's read goes to that name, signed for SSM in the stack's region", async () => {
    const url = evaluate(invoker.Properties.Environment.Variables.SSM_ENDPOINT) as string;
    const sent: HttpRequest[] = [];
    const handler = {
      handle: async (request: HttpRequest) => {
        sent.push(request);
        return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from(JSON.stringify({ Parameter: { Name: MODEL_ACCESS_PARAMETER, Value: 'open' } }))]) } };
      },
    } as unknown as NodeHttpHandler;
    const read = ssmGetParameter({ endpoint: parseConfig(invokerEnv({ SSM_ENDPOINT: url })).ssmEndpoint, region: 'eu-central-1', credentials: () => Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 's' }), sha256: Sha256 }, handler);
    expect(await read(MODEL_ACCESS_PARAMETER)).toBe('open');
    expect(sent).toHaveLength(1);
    expect([sent[0].protocol, sent[0].hostname, sent[0].headers.host]).toEqual(['https:', 'vpce-0a1b2c3d4e5f60718-abcdefgh.ssm.eu-central-1.vpce.amazonaws.com', 'vpce-0a1b2c3d4e5f60718-abcdefgh.ssm.eu-central-1.vpce.amazonaws.com']);
    expect(sent[0].headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/ssm\/aws4_request, SignedHeaders=[^,]*\bhost\b/);
  });
});

describe('misuse detection', () => {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ofType = (type: string, r = resources) => Object.values(r).filter((x) => x.Type === type);
  const idOf = (type: string, pattern: RegExp) => Object.keys(resources).filter((id) => resources[id].Type === type && pattern.test(id));
  const [invokerLogs] = idOf('AWS::Logs::LogGroup', /^ModelInvokerFunctionLogs/);
  const [accessLogs] = idOf('AWS::Logs::LogGroup', /^ModelInvokerAccessLogs/);
  const [trailLogs] = idOf('AWS::Logs::LogGroup', /^AuditTrailLogs/);
  const filterOn = (metric: string) => ofType('AWS::Logs::MetricFilter').find((f) => f.Properties.MetricTransformations[0].MetricName === metric)!.Properties;

  test('alerts go to a topic under the audit key, with the security contacts subscribed, and its ARN is a stack output', () => {
    const [topicId] = idOf('AWS::SNS::Topic', /^MisuseDetectionTopic/);
    expect(resources[topicId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^KeysAuditKey/), 'Arn'] });
    expect(ofType('AWS::SNS::Subscription').map((s) => s.Properties.Endpoint)).toEqual(exampleConfig.securityContacts.emails);
    expect(template.findOutputs('SecurityAlertTopicArn').SecurityAlertTopicArn.Value).toEqual({ Ref: topicId });
  });

  test('it counts the invoker’s audit records, the trail and the API’s access log', () => {
    for (const metric of ['GuardrailInterventions', 'InvokerDeniedCalls', 'InvokerFaults']) expect(filterOn(metric).LogGroupName).toEqual({ Ref: invokerLogs });
    expect(filterOn('DeniedModelCalls').LogGroupName).toEqual({ Ref: trailLogs });
    expect(filterOn('ApiDeniedCalls').LogGroupName).toEqual({ Ref: accessLogs });
    for (const rule of ofType('AWS::CloudWatch::InsightRule')) expect(JSON.stringify(rule.Properties.RuleBody)).toContain(`{"Ref":"${invokerLogs}"}`);
  });

  test("the API's denied-calls filter matches the access log lines the stage writes: 403 counts, 200 does not", () => {
    const [stage] = ofType('AWS::ApiGateway::Stage');
    const format = stage.Properties.AccessLogSetting.Format as string;
    const line = (status: string) => format.replace(/\$context\.[\w.]+/g, (v) => (v === '$context.status' ? status : 'x'));
    expect(JSON.parse(line('403')).status).toBe('403');
    expect(matchesFilterPattern(filterOn('ApiDeniedCalls').FilterPattern, line('403'))).toBe(true);
    expect(matchesFilterPattern(filterOn('ApiDeniedCalls').FilterPattern, line('200'))).toBe(false);
  });

  test("the kill switch rule watches the invoker's parameter, and thresholds come from the organisation config", () => {
    const [parameter] = idOf('AWS::SSM::Parameter', /^ModelInvokerModelAccess/);
    const killSwitch = ofType('AWS::Events::Rule').find((r) => r.Properties.Name === 'example-corp-prod-kill-switch')!;
    expect(killSwitch.Properties.EventPattern.detail.requestParameters.$or[0].name[0]).toEqual({ Ref: parameter });
    const thresholdOf = (r: typeof resources, name: string) => Object.values(r).find((x) => x.Type === 'AWS::CloudWatch::Alarm' && x.Properties.AlarmName === name)!.Properties.Threshold;
    expect(thresholdOf(resources, 'example-corp-prod/deniedCalls/DeniedModelCalls')).toBe(exampleConfig.detection.thresholds.deniedCallsPer5Minutes);
    const stricter = Template.fromStack(platformStack(configWith((r) => (r.detection = { thresholds: { ...exampleConfig.detection.thresholds, deniedCallsPer5Minutes: 2 } })))).toJSON().Resources;
    expect(thresholdOf(stricter, 'example-corp-prod/deniedCalls/DeniedModelCalls')).toBe(2);
  });

  test("tampering watches the invoker's role, the trail's delivery role and the invocation-logging roles, and every permission set's roles, on the trail's log group", () => {
    const roleChanges = filterOn('RoleChanges');
    expect(roleChanges.LogGroupName).toEqual({ Ref: trailLogs });
    const watched = (roleChanges.FilterPattern['Fn::Join'][1] as unknown[]).filter((part): part is { Ref: string } => typeof part === 'object').map((part) => part.Ref);
    expect([...watched].sort()).toEqual(idOf('AWS::IAM::Role', /^(ModelInvokerFunctionRole|AuditTrailLogsRole|InvocationLoggingDeliveryRole|InvocationLoggingFunctionRole)/).sort());
    expect(watched).toHaveLength(4);
    const permissionSets = filterOn('PermissionSetRoleChanges');
    expect(permissionSets.LogGroupName).toEqual({ Ref: trailLogs });
    for (const role of SSO_ROLES) {
      const roleName = `AWSReservedSSO_${permissionSetName(exampleConfig.organisation.name, role)}_0123456789abcdef`;
      const line = JSON.stringify({ eventSource: 'iam.amazonaws.com', eventName: 'PutRolePolicy', awsRegion: 'us-east-1', requestParameters: { roleName, policyName: 'AwsSSOInlinePolicy' } });
      expect([role, matchesFilterPattern(permissionSets.FilterPattern, line)]).toEqual([role, true]);
    }
  });

  test('tampering watches every key, the evidence log groups and buckets of the stack', () => {
    const rule = (name: string) => ofType('AWS::Events::Rule').find((r) => r.Properties.Name === `example-corp-prod-${name}`)!.Properties.EventPattern.detail.requestParameters;
    const keys = idOf('AWS::KMS::Key', /^Keys/);
    expect(keys).toHaveLength(4);
    expect(rule('keys').keyId).toEqual(keys.flatMap((k) => [{ Ref: k }, { 'Fn::GetAtt': [k, 'Arn'] }]));
    expect(rule('log-groups').logGroupName).toEqual(expect.arrayContaining([{ Ref: invokerLogs }, { Ref: trailLogs }, { Ref: accessLogs }]));
    const buckets = idOf('AWS::S3::Bucket', /^(Audit|InvocationLogging)/);
    expect(buckets).toHaveLength(3);
    expect(rule('buckets').bucketName).toEqual(expect.arrayContaining(buckets.map((b) => ({ Ref: b }))));
  });
});
