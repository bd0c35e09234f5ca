import { buildProtectionScp, changePathPrincipals } from '../../policies/aws/protection-scp';
import { configWith, exampleConfig } from '../support/aws';

type Statement = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The second organisation guard. What it denies is proven request by request in the access proofs
 * (test/policies/access-proofs.test.ts); these tests pin its shape, its scoping to the organisation
 * and qualifier, and its size.
 */
describe('the organisation protection SCP', () => {
  const scp = buildProtectionScp(exampleConfig);
  const bySid = (sid: string) => scp.Statement.find((s) => s.Sid === sid) as Statement;
  const EXEC = 'arn:*:iam::*:role/cdk-hnb659fds-cfn-exec-role-*';

  test('is a valid SCP: Deny statements only, no Principal', () => {
    expect(scp.Statement.map((s) => [s.Sid, s.Effect, 'Principal' in s])).toEqual([
      ['ProtectAuditTrails', 'Deny', false],
      ['ProtectPromptLoggingAndGuardrails', 'Deny', false],
      ['ProtectEvidenceStores', 'Deny', false],
      ['ProtectBlueprintKeys', 'Deny', false],
      ['ProtectBlueprintKeyAliases', 'Deny', false],
      ['ProtectTheChangePath', 'Deny', false],
      ['ProtectTheChangePathRoles', 'Deny', false],
      ['ProtectTheBootstrapRoles', 'Deny', false],
    ]);
  });

  test('trusts the execution role of the configured qualifier only, not every CDK app of the account', () => {
    expect(changePathPrincipals(exampleConfig)).toEqual([EXEC, 'arn:*:iam::*:role/privateai/*']);
    const other = configWith((r) => (r.aws.deployment = { cdkQualifier: 'privateai', bootstrapRoleNames: ['PlatformBootstrap'] }));
    const scoped = buildProtectionScp(other);
    expect(JSON.stringify(scoped)).not.toContain('hnb659fds');
    expect((scoped.Statement.find((s) => s.Sid === 'ProtectTheBootstrapRoles') as Statement).Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': ['arn:*:iam::*:role/PlatformBootstrap'] } });
  });

  test("scopes trails, log groups, buckets and keys to the organisation's names, and guardrails and prompt logging to the account", () => {
    expect(bySid('ProtectAuditTrails').Resource).toBe('arn:*:cloudtrail:*:*:trail/PrivateAi-example-corp-*');
    expect(bySid('ProtectEvidenceStores').Resource).toEqual(['arn:*:logs:*:*:log-group:/example-corp/*/*', 'arn:*:s3:::example-corp-*-audit-*', 'arn:*:s3:::example-corp-*-logs-*', 'arn:*:s3:::example-corp-*-inv-*']);
    expect(bySid('ProtectBlueprintKeys').Condition['ForAnyValue:StringLike']).toEqual({ 'kms:ResourceAliases': 'alias/example-corp/*/*' });
    expect(bySid('ProtectBlueprintKeyAliases').Resource).toBe('arn:*:kms:*:*:alias/example-corp/*/*');
    expect(bySid('ProtectPromptLoggingAndGuardrails')).toMatchObject({ Resource: '*', Action: expect.arrayContaining(['bedrock:CreateGuardrail', 'bedrock:CreateGuardrailVersion']) });
  });

  test('lets the setter pass its delivery role (the change path), but only CloudFormation touch the path itself', () => {
    expect(bySid('ProtectTheChangePathRoles').Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': changePathPrincipals(exampleConfig) } });
    expect(bySid('ProtectTheChangePath').Condition).toEqual({ ArnNotLike: { 'aws:PrincipalArn': EXEC } });
    expect(bySid('ProtectTheChangePath').Resource).toContain('arn:*:lambda:*:*:function:PrivateAi-example-corp-*-logging');
  });

  test('fits the SCP size limit, and refuses a document over it', () => {
    expect(JSON.stringify(scp).length).toBeLessThanOrEqual(5120);
    const long = configWith((r) => (r.aws.deployment = { cdkQualifier: 'hnb659fds', bootstrapRoleNames: Array.from({ length: 60 }, (_, i) => `BootstrapRoleNumber${i}WithALongName`) }));
    expect(() => buildProtectionScp(long)).toThrow(/the protection SCP is \d+ characters, over the 5120 limit of AWS Organizations/);
  });
});
