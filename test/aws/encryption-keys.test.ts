import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EncryptionKeys } from '../../lib/aws/encryption-keys';
import { KEY_PURPOSE, keyAlias } from '../../lib/config/naming';

const stack = new Stack(undefined, 'Keys', { env: { account: '111111111111', region: 'eu-central-1' } });
new EncryptionKeys(stack, 'Keys', { aliasPrefix: 'acme/prod' });
const template = Template.fromStack(stack);

function keyPolicyOf(alias: string) {
  const aliases = template.findResources('AWS::KMS::Alias', { Properties: { AliasName: alias } });
  const [aliasResource] = Object.values(aliases);
  const keyId = aliasResource.Properties.TargetKeyId['Fn::GetAtt'][0];
  return template.toJSON().Resources[keyId];
}

describe('EncryptionKeys', () => {
  test('one customer-managed key per purpose, each with the alias keyAlias names (what permission sets grant on)', () => {
    template.resourceCountIs('AWS::KMS::Key', 4);
    const aliases = Object.values(template.findResources('AWS::KMS::Alias')).map((a) => a.Properties.AliasName as string).sort();
    expect(aliases).toEqual(['alias/acme/prod/audit', 'alias/acme/prod/lambda-environment', 'alias/acme/prod/logs', 'alias/acme/prod/model-data']);
    expect(aliases).toEqual(Object.values(KEY_PURPOSE).map((purpose) => keyAlias('acme', 'prod', purpose)).sort());
  });

  test('rotation is on and keys are retained when the stack is deleted', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    for (const key of keys) {
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.Properties.PendingWindowInDays).toBe(30);
      expect(key.DeletionPolicy).toBe('Retain');
      expect(key.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('every key limits grants to AWS services (CT.KMS.PR.3)', () => {
    template.allResourcesProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'kms:CreateGrant',
            Principal: { AWS: '*' },
            Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
          }),
        ]),
      },
    });
  });

  test('the audit key admits no service by itself: AuditTrail admits CloudTrail, InvocationLogging admits Bedrock', () => {
    const statements = keyPolicyOf('alias/acme/prod/audit').Properties.KeyPolicy.Statement;
    expect(statements.filter((s: { Principal?: { Service?: string } }) => s.Principal?.Service)).toEqual([]);
    expect(statements.map((s: { Sid?: string }) => s.Sid)).toEqual([undefined, 'DenyGrantsExceptForAwsServices']);
  });

  test("the logs key admits CloudWatch Logs only for this account's log groups", () => {
    const statements = keyPolicyOf('alias/acme/prod/logs').Properties.KeyPolicy.Statement;
    const logs = statements.find((s: { Sid?: string }) => s.Sid === 'AllowCloudWatchLogsOfThisAccount');
    expect(JSON.stringify(logs.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toMatch(/:logs:eu-central-1:111111111111:log-group:\*"/);
  });

  test('the model-data key admits Bedrock of this account only; the Lambda key admits no service', () => {
    const model = keyPolicyOf('alias/acme/prod/model-data').Properties.KeyPolicy.Statement;
    expect(model.find((s: { Sid?: string }) => s.Sid === 'AllowBedrockOfThisAccount')).toMatchObject({
      Principal: { Service: 'bedrock.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    const lambda = keyPolicyOf('alias/acme/prod/lambda-environment').Properties.KeyPolicy.Statement;
    expect(lambda.filter((s: { Principal?: { Service?: string } }) => s.Principal?.Service)).toEqual([]);
  });
});
