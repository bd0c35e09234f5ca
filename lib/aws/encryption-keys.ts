import { ArnFormat, Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { KEY_PURPOSE } from '../config/naming';

/** Customer-managed keys, one per purpose. */
export interface EncryptionKeysProps {
  /** Prefix for key aliases, e.g. the organisation and target name. */
  readonly aliasPrefix: string;
  /**
   * Days a scheduled key deletion waits, so a mistaken deletion can be cancelled.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * Customer-managed KMS keys per purpose: audit trail and audit bucket, CloudWatch logs,
 * model data (guardrails, invocation logs) and Lambda environments. Rotation is on, keys
 * are retained when the stack is deleted, grants are limited to AWS services, and each key
 * policy admits only the service that needs it (scoped by encryption context or source
 * account). The audit key admits no service here: the constructs that write with it add
 * their own statements, so a stack without invocation logging does not admit Bedrock.
 */
export class EncryptionKeys extends Construct {
  /** CloudTrail log files and the audit bucket; its users add their own key-policy statements. */
  public readonly auditKey: kms.IKey;
  /** CloudWatch log groups (flow logs, trail delivery, function and API logs). */
  public readonly logsKey: kms.IKey;
  /** Model data: guardrails and model invocation logs. */
  public readonly modelDataKey: kms.IKey;
  /** Lambda environment variables. */
  public readonly lambdaKey: kms.IKey;

  constructor(scope: Construct, id: string, props: EncryptionKeysProps) {
    super(scope, id);
    const pendingWindow = props.pendingWindow ?? Duration.days(30);
    const stack = Stack.of(this);

    const newKey = (keyId: string, purpose: string): kms.Key => {
      const key = new kms.Key(this, keyId, {
        alias: `alias/${props.aliasPrefix}/${purpose}`,
        description: `private-ai-blueprint: ${purpose} (${props.aliasPrefix})`,
        enableKeyRotation: true,
        pendingWindow,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      key.addToResourcePolicy(denyGrantsExceptForAwsServices());
      return key;
    };

    // The services that write with the audit key are admitted by the constructs that make them
    // write: CloudTrail by AuditTrail, Bedrock invocation logging by InvocationLogging (only
    // stacks that own that account-wide setting create it).
    const audit = newKey('AuditKey', KEY_PURPOSE.audit);

    const logs = newKey('LogsKey', KEY_PURPOSE.logs);
    logs.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
        },
      }),
    );

    const modelData = newKey('ModelDataKey', KEY_PURPOSE.modelData);
    modelData.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowBedrockOfThisAccount',
        principals: [new iam.ServicePrincipal('bedrock.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    const lambdaKey = newKey('LambdaKey', KEY_PURPOSE.lambdaEnvironment);

    this.auditKey = audit;
    this.logsKey = logs;
    this.modelDataKey = modelData;
    this.lambdaKey = lambdaKey;
  }
}

/** Grants may be created only for AWS resources or by AWS services (CT.KMS.PR.3); every key policy of the blueprint carries it. */
export function denyGrantsExceptForAwsServices(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyGrantsExceptForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}
