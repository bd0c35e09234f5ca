import { CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { addAwsStacks, addIdentityStack, identityStackName } from '../../stacks/aws';
import { IdentityStack } from '../../stacks/aws/identity-stack';
import { configWith, exampleConfig, newApp } from '../support/aws';
import type { OrgConfig } from '../../lib/config';

/** The identity stack of a config, without the (slower) platform stacks. */
function identityStack(config: OrgConfig = exampleConfig): IdentityStack {
  const app = newApp();
  return addIdentityStack(app, config, app)!;
}

/** An app whose function code is not bundled: these tests look at stacks, not at code. */
function appWithoutBundling() {
  const app = newApp();
  app.node.setContext('aws:cdk:bundling-stacks', []);
  return app;
}

describe('IdentityStack', () => {
  const stack = identityStack();
  const template = Template.fromStack(stack);

  test('deploys to the Identity Center account and region, named after the organisation, protected from deletion', () => {
    expect([stack.stackName, stack.account, stack.region]).toEqual(['PrivateAi-example-corp-identity', '999999999999', 'eu-central-1']);
    expect(identityStackName(exampleConfig)).toBe('PrivateAi-example-corp-identity');
    expect(stack.terminationProtection).toBe(true);
  });

  test('creates the four permission sets in the configured instance (prompt reviewers because the example names their group), with the configured session durations', () => {
    template.resourceCountIs('AWS::SSO::PermissionSet', 4);
    for (const [name, duration] of [
      ['ExampleCorpAiModelUser', 'PT8H'],
      ['ExampleCorpAiAuditor', 'PT4H'],
      ['ExampleCorpAiPlatformAdmin', 'PT1H'],
      ['ExampleCorpAiPromptReviewer', 'PT1H'],
    ]) {
      template.hasResourceProperties('AWS::SSO::PermissionSet', { Name: name, SessionDuration: duration, InstanceArn: 'arn:aws:sso:::instance/ssoins-0000000000000000' });
    }
  });

  test('session durations come from the config', () => {
    const config = configWith((r) => (r.aws.identityCenter!.sessionDurations = { modelUsers: 'PT12H', auditors: 'PT2H', platformAdmins: 'PT3H' }));
    const t = Template.fromStack(identityStack(config));
    t.hasResourceProperties('AWS::SSO::PermissionSet', { Name: 'ExampleCorpAiModelUser', SessionDuration: 'PT12H' });
    t.hasResourceProperties('AWS::SSO::PermissionSet', { Name: 'ExampleCorpAiAuditor', SessionDuration: 'PT2H' });
    t.hasResourceProperties('AWS::SSO::PermissionSet', { Name: 'ExampleCorpAiPlatformAdmin', SessionDuration: 'PT3H' });
  });

  test('grants on the workload targets of the config, not on the Identity Center account', () => {
    const policies = JSON.stringify(Object.values(template.findResources('AWS::SSO::PermissionSet')).map((r) => r.Properties.InlinePolicy));
    // The grants name the caller's own account (one statement for every target), and the sets are
    // assigned in the workload accounts only, so nothing is granted in the Identity Center account.
    expect(policies).toContain(':bedrock:*:${aws:PrincipalAccount}:guardrail/*');
    expect(policies).toContain('example-corp-*-audit-${aws:PrincipalAccount}');
    expect(policies).not.toContain('999999999999');
    const targets = Object.values(template.findResources('AWS::SSO::Assignment')).map((r) => r.Properties.TargetId);
    expect(new Set(targets)).toEqual(new Set(['111111111111']));
    expect(policies).not.toContain('AWS::AccountId');
  });

  test('assigns the configured AWS groups of each role to each target account', () => {
    const config = configWith((r) => {
      r.sso.modelUsers.aws = ['00000000-0000-0000-0000-00000000000a', '00000000-0000-0000-0000-00000000000b'];
      r.aws.targets.push({ name: 'dr-west', account: '222222222222', region: 'eu-west-1' });
    });
    const assignments = Object.values(Template.fromStack(identityStack(config)).findResources('AWS::SSO::Assignment')).map((r) => r.Properties);
    expect(assignments.map((a) => `${a.PrincipalId}@${a.TargetId}`).sort()).toEqual([
      '00000000-0000-0000-0000-000000000002@111111111111',
      '00000000-0000-0000-0000-000000000002@222222222222',
      '00000000-0000-0000-0000-000000000003@111111111111',
      '00000000-0000-0000-0000-000000000003@222222222222',
      '00000000-0000-0000-0000-000000000004@111111111111',
      '00000000-0000-0000-0000-000000000004@222222222222',
      '00000000-0000-0000-0000-00000000000a@111111111111',
      '00000000-0000-0000-0000-00000000000a@222222222222',
      '00000000-0000-0000-0000-00000000000b@111111111111',
      '00000000-0000-0000-0000-00000000000b@222222222222',
    ]);
    expect(assignments.every((a) => a.PrincipalType === 'GROUP' && a.TargetType === 'AWS_ACCOUNT')).toBe(true);
  });

  test('a role with no AWS groups in the config gets a warning', () => {
    const s = identityStack(configWith((r) => (r.sso.platformAdmins.aws = [])));
    Annotations.fromStack(s).hasWarning('/PrivateAi-example-corp-identity/Access', Match.stringLikeRegexp('config: sso.platformAdmins.aws.*privateai:sso-no-groups'));
  });

  test('outputs the permission set ARNs', () => {
    for (const [output, set] of [
      ['ModelUserPermissionSetArn', 'AccessModelUser'],
      ['AuditorPermissionSetArn', 'AccessAuditor'],
      ['PlatformAdminPermissionSetArn', 'AccessPlatformAdmin'],
    ]) {
      template.hasOutput(output, { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${set}[0-9A-F]{8}$`), 'PermissionSetArn'] } });
    }
  });

  test('carries the owner, cost centre and data classification tags', () => {
    template.hasResourceProperties('AWS::SSO::PermissionSet', {
      Tags: Match.arrayWith([
        { Key: 'cost-centre', Value: 'CC-0000' },
        { Key: 'data-classification', Value: 'confidential' },
        { Key: 'owner', Value: 'platform-team@example.com' },
      ]),
    });
  });

  test('a target whose stack name would take the identity stack name is refused', () => {
    const config = configWith((r) => (r.aws.targets[0].name = 'identity'));
    expect(() => identityStack(config)).toThrow(/target name "identity" is reserved for the Identity Center stack \(PrivateAi-example-corp-identity\); rename the target \(config: aws.targets\[0\].name\)/);
  });
});

describe('without aws.identityCenter', () => {
  test('no identity stack is created; the given stack warns at synth that the permission sets were skipped', () => {
    const app = newApp();
    const warnOn = new Stack(app, 'First');
    new CfnWaitConditionHandle(warnOn, 'Anything');
    expect(addIdentityStack(app, configWith((r) => delete r.aws.identityCenter), warnOn)).toBeUndefined();
    expect(app.node.children).toEqual([warnOn]);
    const annotations = Annotations.fromStack(warnOn);
    annotations.hasWarning(
      '/First',
      Match.stringLikeRegexp('IAM Identity Center is not configured \\(config: aws.identityCenter\\); permission sets were not synthesized.*privateai:identity-center-skipped'),
    );
    annotations.hasNoError('*', Match.anyValue());
  });
});

describe('addAwsStacks', () => {
  test('adds the identity stack after the platform stacks, and still returns the platform stacks', () => {
    const app = appWithoutBundling();
    const stacks = addAwsStacks(app, exampleConfig);
    expect(stacks.map((s) => s.stackName)).toEqual(['PrivateAi-example-corp-prod']);
    expect(app.node.children.map((c) => c.node.id)).toEqual(['PrivateAi-example-corp-prod', 'PrivateAi-example-corp-identity']);
    expect(app.node.children[1]).toBeInstanceOf(IdentityStack);
  });

  test('without aws.identityCenter there is no identity stack, and the first platform stack carries the warning', () => {
    const app = appWithoutBundling();
    const [first] = addAwsStacks(app, configWith((r) => delete r.aws.identityCenter));
    expect(app.node.children.some((c) => c instanceof IdentityStack)).toBe(false);
    expect(first.node.metadata.map((m) => m.data)).toContainEqual(expect.stringContaining('[ack: privateai:identity-center-skipped]'));
  });
});
