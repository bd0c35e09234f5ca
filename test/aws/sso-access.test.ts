import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { modelResourceArns } from '../../lib/aws/bedrock-policies';
import { SsoAccess, estimatePolicyChars, permissionSetName, type SsoAccessProps } from '../../lib/aws/sso-access';
import { newApp } from '../support/aws';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const PROD = { name: 'prod', account: '111111111111', region: 'eu-central-1' };
const DR = { name: 'dr-west', account: '222222222222', region: 'eu-west-1' };

const baseProps = (overrides: Partial<SsoAccessProps> = {}): SsoAccessProps => ({
  instanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000',
  organisationName: 'example-corp',
  targets: [PROD],
  allowedRegions: ['eu-central-1', 'eu-west-1'],
  models: { modelIds: ['anthropic.claude-3-haiku-20240307-v1:0', 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0'], strict: true },
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

const REGION_DENY = {
  Sid: 'DenyBedrockOutsideAllowedRegions',
  Effect: 'Deny',
  Action: 'bedrock:*',
  Resource: '*',
  Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1'] } },
};

describe('permission set names', () => {
  test('are the organisation name in PascalCase plus the role', () => {
    expect(permissionSetName('example-corp', 'modelUsers')).toBe('ExampleCorpAiModelUser');
    expect(permissionSetName('example-corp', 'auditors')).toBe('ExampleCorpAiAuditor');
    expect(permissionSetName('example-corp', 'platformAdmins')).toBe('ExampleCorpAiPlatformAdmin');
  });

  test('a long organisation name is cut to fit 32 characters, with a hash that keeps names apart', () => {
    const long = 'a-very-long-organisation-name-xy';
    const other = 'a-very-long-organisation-name-xz';
    for (const role of ['modelUsers', 'auditors', 'platformAdmins'] as const) {
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

    test('grants the private API, the allowlisted models, the guardrails and the region deny, nothing else', () => {
      expect(example.statements('ExampleCorpAiModelUser').map((x) => x.Sid)).toEqual([
        'InvokePrivateModelApi',
        'InvokeAllowlistedModelsProd',
        'ApplyGuardrailsOfTargets',
        'DenyBedrockOutsideAllowedRegions',
      ]);
      expect(s.DenyBedrockOutsideAllowedRegions).toEqual(REGION_DENY);
    });

    test('invokes only POST /invoke of APIs in the target account and region', () => {
      expect(s.InvokePrivateModelApi).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: partitionArn(':execute-api:eu-central-1:111111111111:*/*/POST/invoke') });
    });

    test('invokes only the allowlisted model ARNs, only through a VPC endpoint and only with a guardrail of the target account', () => {
      const invoke = s.InvokeAllowlistedModelsProd;
      expect(actions(invoke)).toEqual(['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']);
      const expected = modelResourceArns({ ...baseProps().models, allowedRegions: baseProps().allowedRegions, region: 'eu-central-1', account: '111111111111' });
      expect(resourceSet(invoke)).toEqual(sorted(example.resolve(expected)));
      expect(resources(invoke)).not.toContain('*');
      expect(JSON.stringify(invoke.Resource)).toContain(':bedrock:eu-central-1:111111111111:inference-profile/eu.anthropic.claude-3-7-sonnet');
      expect(invoke.Condition).toEqual({
        StringEquals: { 'aws:PrincipalAccount': '111111111111' },
        Null: { 'aws:SourceVpce': 'false' },
        StringLike: { 'bedrock:GuardrailIdentifier': partitionArn(':bedrock:eu-central-1:111111111111:guardrail/*') },
      });
    });

    test('applies only the guardrails of the target accounts', () => {
      expect(s.ApplyGuardrailsOfTargets).toMatchObject({ Action: 'bedrock:ApplyGuardrail', Resource: partitionArn(':bedrock:eu-central-1:111111111111:guardrail/*') });
    });
  });

  describe('auditor', () => {
    const s = example.bySid('ExampleCorpAiAuditor');

    test('reads audit evidence only, and is region-pinned like every Bedrock caller', () => {
      const all = example.statements('ExampleCorpAiAuditor');
      expect(all.map((x) => x.Sid)).toEqual([
        'ReadTrailsOfTargets',
        'ListTrailsAndLookupEvents',
        'ReadBlueprintLogGroups',
        'ListLogGroupsAndFollowQueries',
        'ReadAuditObjects',
        'ListAuditBuckets',
        'DecryptEvidenceThroughS3AndLogsOnly',
        'ReadInvocationLoggingConfiguration',
        'DenyBedrockOutsideAllowedRegions',
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

    test('reads the trail, and only the log groups under the target prefix', () => {
      expect(s.ReadTrailsOfTargets.Resource).toEqual(partitionArn(':cloudtrail:eu-central-1:111111111111:trail/*'));
      expect(s.ReadBlueprintLogGroups.Resource).toEqual(partitionArn(':logs:eu-central-1:111111111111:log-group:/example-corp/prod/*'));
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

    test('deploys, reads stacks, manages guardrails and reads Bedrock configuration, region-pinned', () => {
      expect(example.statements('ExampleCorpAiPlatformAdmin').map((x) => x.Sid)).toEqual([
        'AssumeCdkBootstrapRoles',
        'ReadStacksOfTargets',
        'ListStacks',
        'ManageGuardrailsOfTargets',
        'ReadModelsOfTargets',
        'ListBedrockConfiguration',
        'DenyBedrockOutsideAllowedRegions',
      ]);
      expect(s.DenyBedrockOutsideAllowedRegions).toEqual(REGION_DENY);
    });

    test('assumes only the CDK bootstrap roles of the target account and region', () => {
      expect(s.AssumeCdkBootstrapRoles.Action).toBe('sts:AssumeRole');
      expect(resourceSet(s.AssumeCdkBootstrapRoles)).toEqual(
        sorted(['deploy-role', 'file-publishing-role', 'image-publishing-role', 'lookup-role'].map((r) => partitionArn(`:iam::111111111111:role/cdk-*-${r}-111111111111-eu-central-1`))),
      );
    });

    test('reads CloudFormation stacks and change sets of the target only; lists stacks', () => {
      expect(actions(s.ReadStacksOfTargets)).toEqual(['cloudformation:Describe*', 'cloudformation:Get*', 'cloudformation:List*']);
      expect(resourceSet(s.ReadStacksOfTargets)).toEqual(sorted([partitionArn(':cloudformation:eu-central-1:111111111111:stack/*'), partitionArn(':cloudformation:eu-central-1:111111111111:changeSet/*')]));
      expect(s.ListStacks).toMatchObject({ Action: 'cloudformation:ListStacks', Resource: '*' });
    });

    test('manages the guardrails of the target account by name, without wildcard actions', () => {
      expect(actions(s.ManageGuardrailsOfTargets)).toEqual([
        'bedrock:CreateGuardrail',
        'bedrock:CreateGuardrailVersion',
        'bedrock:DeleteGuardrail',
        'bedrock:GetGuardrail',
        'bedrock:UpdateGuardrail',
      ]);
      expect(s.ManageGuardrailsOfTargets.Resource).toEqual(partitionArn(':bedrock:eu-central-1:111111111111:guardrail/*'));
    });

    test('reads Bedrock configuration without the conversation-data reads bedrock:Get* would include', () => {
      const bedrock = example.statements('ExampleCorpAiPlatformAdmin').filter((x) => x.Effect === 'Allow').flatMap(actions).filter((a) => a.startsWith('bedrock:'));
      expect(bedrock.every((a) => !a.includes('*'))).toBe(true);
      expect(resourceSet(s.ReadModelsOfTargets)).toEqual(sorted([partitionArn(':bedrock:eu-central-1::foundation-model/*'), partitionArn(':bedrock:eu-central-1:111111111111:inference-profile/*')]));
      expect(actions(s.ListBedrockConfiguration)).toEqual(['bedrock:GetModelInvocationLoggingConfiguration', 'bedrock:ListFoundationModels', 'bedrock:ListGuardrails', 'bedrock:ListInferenceProfiles']);
    });
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
  const { template, bySid } = synth(
    baseProps({
      targets: [PROD, DR, { name: 'prod-west', account: '111111111111', region: 'eu-west-1' }],
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

  test('each target gets its own model statement, pinned to its account, region and guardrails', () => {
    const s = bySid('ExampleCorpAiModelUser');
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['InvokeAllowlistedModelsProd', 'InvokeAllowlistedModelsDrWest', 'InvokeAllowlistedModelsProdWest']));
    expect(s.InvokeAllowlistedModelsDrWest.Condition).toMatchObject({
      StringEquals: { 'aws:PrincipalAccount': '222222222222' },
      StringLike: { 'bedrock:GuardrailIdentifier': partitionArn(':bedrock:eu-west-1:222222222222:guardrail/*') },
    });
    expect(JSON.stringify(s.InvokeAllowlistedModelsDrWest.Resource)).toContain(':bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku');
    expect(JSON.stringify(s.InvokeAllowlistedModelsDrWest.Resource)).not.toContain('eu-central-1::foundation-model/anthropic.claude-3-haiku');
    expect(resources(s.InvokePrivateModelApi)).toHaveLength(3);
  });

  test('auditors read the buckets and log groups of every target, and decrypt through the services of every target region', () => {
    const s = bySid('ExampleCorpAiAuditor');
    expect(JSON.stringify(s.ListAuditBuckets.Resource)).toContain('example-corp-dr-west-audit-222222222222');
    expect(resources(s.ReadBlueprintLogGroups)).toContainEqual(partitionArn(':logs:eu-west-1:222222222222:log-group:/example-corp/dr-west/*'));
    expect(s.DecryptEvidenceThroughS3AndLogsOnly.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['s3.eu-central-1.amazonaws.com', 'logs.eu-central-1.amazonaws.com', 's3.eu-west-1.amazonaws.com', 'logs.eu-west-1.amazonaws.com'] },
    });
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

  test('session durations between 1 and 12 hours', () => {
    expect(build(baseProps({ sessionDurations: { auditors: 'PT13H' } }))).toThrow(/sessionDurations.auditors PT13H must be an ISO-8601 duration between PT1H and PT12H/);
    expect(build(baseProps({ sessionDurations: { modelUsers: 'PT30M' } }))).toThrow(/sessionDurations.modelUsers PT30M must be/);
    expect(build(baseProps({ sessionDurations: { modelUsers: 'PT1H30M' } }))).not.toThrow();
  });

  test('targets only in allowed regions', () => {
    expect(build(baseProps({ targets: [{ name: 'us', account: '111111111111', region: 'us-east-1' }] }))).toThrow(
      /target us is in region us-east-1, which is not allowed by data residency policy; allowed: eu-central-1, eu-west-1/,
    );
  });

  test('an Identity Center instance ARN', () => {
    expect(build(baseProps({ instanceArn: 'arn:aws:sso:::instance/nope' }))).toThrow(/instanceArn arn:aws:sso:::instance\/nope is not an Identity Center instance ARN/);
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

  test('a policy over the IAM role limit is warned about', () => {
    const targets = Array.from({ length: 20 }, (_, i) => ({ name: `t${i}`, account: String(100000000000 + i), region: 'eu-central-1' }));
    const { stack } = synth(baseProps({ targets, groups: { modelUsers: [], auditors: [], platformAdmins: [] } }));
    Annotations.fromStack(stack).hasWarning('/Identity/Access', Match.stringLikeRegexp('inline policy of permission set ExampleCorpAiModelUser is about \\d+ characters.*privateai:sso-policy-size'));
  });
});
