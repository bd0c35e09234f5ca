import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ModelGuardrail, SECRET_PATTERNS, type ModelGuardrailProps } from '../../lib/aws/model-guardrail';

function build(overrides: Partial<ModelGuardrailProps> = {}) {
  const stack = new Stack(undefined, 'G', { env: { account: '111111111111', region: 'eu-central-1' } });
  new ModelGuardrail(stack, 'Guardrail', {
    name: 'acme-prod',
    key: new kms.Key(stack, 'Key'),
    piiAction: 'ANONYMIZE',
    piiEntities: ['EMAIL', 'AWS_ACCESS_KEY'],
    contentFilterStrength: 'HIGH',
    promptAttackStrength: 'HIGH',
    blockedInputMessage: 'Blocked by policy (input).',
    blockedOutputMessage: 'Blocked by policy (output).',
    ...overrides,
  });
  return Template.fromStack(stack);
}

describe('ModelGuardrail', () => {
  const template = build();

  test('is encrypted with the customer-managed key and carries the configured blocked messages', () => {
    template.hasResourceProperties('AWS::Bedrock::Guardrail', {
      Name: 'acme-prod',
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      BlockedInputMessaging: 'Blocked by policy (input).',
      BlockedOutputsMessaging: 'Blocked by policy (output).',
    });
  });

  test('filters prompt attacks on input only, and harmful content both ways', () => {
    const [g] = Object.values(template.findResources('AWS::Bedrock::Guardrail'));
    const filters = g.Properties.ContentPolicyConfig.FiltersConfig;
    expect(filters).toContainEqual({ Type: 'PROMPT_ATTACK', InputStrength: 'HIGH', OutputStrength: 'NONE' });
    for (const type of ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT']) {
      expect(filters).toContainEqual({ Type: type, InputStrength: 'HIGH', OutputStrength: 'HIGH' });
    }
  });

  test('handles PII per config and blocks secrets such as cloud access keys by regex', () => {
    const [g] = Object.values(template.findResources('AWS::Bedrock::Guardrail'));
    const sensitive = g.Properties.SensitiveInformationPolicyConfig;
    expect(sensitive.PiiEntitiesConfig).toEqual([
      { Type: 'EMAIL', Action: 'ANONYMIZE' },
      { Type: 'AWS_ACCESS_KEY', Action: 'ANONYMIZE' },
    ]);
    expect(sensitive.RegexesConfig.map((r: { Name: string }) => r.Name)).toEqual(SECRET_PATTERNS.map((p) => p.name));
    expect(sensitive.RegexesConfig.every((r: { Action: string }) => r.Action === 'BLOCK')).toBe(true);
    const accessKey = new RegExp(SECRET_PATTERNS.find((p) => p.name === 'aws-access-key-id')!.pattern);
    expect(accessKey.test('key AKIAABCDEFGHIJKLMNOP here')).toBe(true);
    expect(accessKey.test('no key here')).toBe(false);
  });

  test('publishes a version that callers pin, and is not enforced account-wide by default', () => {
    template.hasResourceProperties('AWS::Bedrock::GuardrailVersion', { GuardrailIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('Guardrail'), 'GuardrailId'] } });
    template.resourceCountIs('AWS::Bedrock::EnforcedGuardrailConfiguration', 0);
  });

  test('BLOCK mode and account-wide enforcement follow the config switches', () => {
    const strict = build({ piiAction: 'BLOCK', enforceAccountWide: true, promptAttackStrength: 'MEDIUM' });
    const [g] = Object.values(strict.findResources('AWS::Bedrock::Guardrail'));
    expect(g.Properties.SensitiveInformationPolicyConfig.PiiEntitiesConfig[0].Action).toBe('BLOCK');
    expect(g.Properties.ContentPolicyConfig.FiltersConfig).toContainEqual({ Type: 'PROMPT_ATTACK', InputStrength: 'MEDIUM', OutputStrength: 'NONE' });
    strict.hasResourceProperties('AWS::Bedrock::EnforcedGuardrailConfiguration', {
      GuardrailIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('Guardrail'), 'GuardrailArn'] },
      GuardrailVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('GuardrailVersion'), 'Version'] },
    });
  });

  test('a change of the guardrail configuration publishes a new version, and only such a change does', () => {
    const versionDescription = (t: Template) => Object.values(t.findResources('AWS::Bedrock::GuardrailVersion'))[0].Properties.Description as string;
    expect(versionDescription(template)).toMatch(/^Published version pinned by callers \(configuration [0-9a-f]{16}\)$/);
    // The same configuration gives the same version resource; a changed one a new version (Description requires replacement).
    expect(versionDescription(build())).toBe(versionDescription(template));
    expect(versionDescription(build({ contentFilterStrength: 'MEDIUM' }))).not.toBe(versionDescription(template));
    expect(versionDescription(build({ piiEntities: ['EMAIL'] }))).not.toBe(versionDescription(template));
    expect(versionDescription(build({ blockedInputMessage: 'Another message.' }))).not.toBe(versionDescription(template));
  });

  test('an empty PII list is refused', () => {
    expect(() => build({ piiEntities: [] })).toThrow(/piiEntities is empty; list at least one PII entity type \(config: aws\.guardrail\.piiEntities\)/);
  });
});
