import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { logGroupName, modelKindOf, organisationTags, promptLogGroupName, promptLogsBucketName, type OrgConfig } from '../../lib/config';
import { SsoAccess } from '../../lib/aws/sso-access';

export interface IdentityStackProps extends StackProps {
  /** The organisation config; `aws.identityCenter` must be set. */
  readonly config: OrgConfig;
}

/**
 * The IAM Identity Center permission sets of the blueprint and their group assignments to
 * every target account. Identity Center resources deploy only in the organisation's
 * management account or a delegated administrator account, so this stack targets that
 * account rather than a workload account. Wiring only.
 */
export class IdentityStack extends Stack {
  public readonly access: SsoAccess;

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const { config } = props;
    const identityCenter = config.aws.identityCenter;
    if (!identityCenter) {
      throw new Error('IdentityStack: aws.identityCenter is not configured; give the Identity Center instance ARN, account and region, or do not create this stack');
    }

    for (const [key, value] of Object.entries(organisationTags(config.tags))) Tags.of(this).add(key, value);

    this.access = new SsoAccess(this, 'Access', {
      instanceArn: identityCenter.instanceArn,
      organisationName: config.organisation.name,
      targets: config.aws.targets.map((t) => ({
        ...t,
        // The stack that owns the setting keeps the prompts; auditors are denied them, reviewers may read them.
        promptLogs: t.ownsInvocationLogging
          ? { bucketName: promptLogsBucketName(config.organisation.name, t.name, t.account), logGroupName: promptLogGroupName(config.organisation.name, t.name) }
          : undefined,
        // The names the platform stack gives them (platform-stack.ts); the access proofs check them against its template.
        response: {
          killSwitchParameterName: `${config.aws.ssmPrefix}/${t.name}/model-access`,
          alarmNamePrefix: `${config.organisation.name}-${t.name}`,
          // The invoker's audit records, the trail, the API's access log: never the prompt logs.
          queryLogGroupNames: ['model-invoker', 'cloudtrail', 'model-api-access'].map((purpose) => logGroupName(config.organisation.name, t.name, purpose)),
        },
      })),
      allowedRegions: config.aws.allowedRegions,
      models: {
        modelIds: config.aws.models.map((m) => m.id),
        // Model users invoke only the chat models directly; embedding models go through the private API.
        kinds: Object.fromEntries(config.aws.models.map((m) => [m.id, modelKindOf(m)])),
        strict: config.dataResidency.strict,
        inferenceProfiles: config.aws.inferenceProfiles,
      },
      groups: {
        modelUsers: config.sso.modelUsers.aws,
        auditors: config.sso.auditors.aws,
        platformAdmins: config.sso.platformAdmins.aws,
        promptReviewers: config.sso.promptReviewers.aws,
        securityResponders: config.sso.securityResponders.aws,
      },
      sessionDurations: identityCenter.sessionDurations,
      cdkQualifier: config.aws.deployment.cdkQualifier,
      deployThroughPipelineOnly: config.aws.pipeline !== undefined,
      suspendModelAccess: config.detection.suspendModelAccess,
      suspendedUsers: config.detection.suspendedUsers,
    });

    new CfnOutput(this, 'ModelUserPermissionSetArn', { value: this.access.modelUserPermissionSet.attrPermissionSetArn, description: 'Permission set for calling the allowlisted models privately' });
    new CfnOutput(this, 'AuditorPermissionSetArn', { value: this.access.auditorPermissionSet.attrPermissionSetArn, description: 'Permission set for reading the audit evidence' });
    if (this.access.promptReviewerPermissionSet) {
      new CfnOutput(this, 'PromptReviewerPermissionSetArn', { value: this.access.promptReviewerPermissionSet.attrPermissionSetArn, description: 'Permission set for reading prompts and responses (the invocation logs)' });
    }
    if (this.access.securityResponderPermissionSet) {
      new CfnOutput(this, 'SecurityResponderPermissionSetArn', { value: this.access.securityResponderPermissionSet.attrPermissionSetArn, description: 'Permission set for pulling the kill switch, testing alarms and running the playbook queries' });
    }
    new CfnOutput(this, 'PlatformAdminPermissionSetArn', { value: this.access.platformAdminPermissionSet.attrPermissionSetArn, description: 'Permission set for deploying the platform and managing guardrails' });
  }
}
