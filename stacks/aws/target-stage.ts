import { Stage, type StageProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { AwsTarget, OrgConfig } from '../../lib/config';
import { addIdentityStack, addOrganizationStack, addPlatformStack } from '.';
import type { IdentityStack } from './identity-stack';
import type { OrganizationStack } from './organization-stack';
import type { PlatformStack } from './platform-stack';

export interface TargetStageProps extends StageProps {
  readonly config: OrgConfig;
  /** The target (aws.targets[]) whose platform stack the stage deploys. */
  readonly target: AwsTarget;
}

/**
 * One target as a pipeline stage: its platform stack, in the target's account and region, with
 * the stack name `cdk deploy` uses, so that the pipeline takes over a stack deployed by hand.
 */
export class TargetStage extends Stage {
  public readonly platformStack: PlatformStack;

  constructor(scope: Construct, id: string, props: TargetStageProps) {
    const { config, target, ...stageProps } = props;
    super(scope, id, { ...stageProps, env: { account: target.account, region: target.region } });
    this.platformStack = addPlatformStack(this, config, target);
  }
}

export interface IdentityStageProps extends StageProps {
  /** The organisation config; `aws.identityCenter` must be set. */
  readonly config: OrgConfig;
}

/** The Identity Center permission sets as a pipeline stage, in the account that hosts Identity Center. */
export class IdentityStage extends Stage {
  public readonly identityStack: IdentityStack;

  constructor(scope: Construct, id: string, props: IdentityStageProps) {
    const { config, ...stageProps } = props;
    const identityCenter = config.aws.identityCenter;
    if (!identityCenter) throw new Error('IdentityStage: aws.identityCenter is not configured; give the Identity Center instance ARN, account and region, or leave the stage out');
    super(scope, id, { ...stageProps, env: { account: identityCenter.account, region: identityCenter.region } });
    this.identityStack = addIdentityStack(this, config, this)!;
  }
}

export interface OrganizationStageProps extends StageProps {
  /** The organisation config; `aws.organization` must be set. */
  readonly config: OrgConfig;
}

/** The organisation guards as a pipeline stage, in the account that administers AWS Organizations policies. */
export class OrganizationStage extends Stage {
  public readonly organizationStack: OrganizationStack;

  constructor(scope: Construct, id: string, props: OrganizationStageProps) {
    const { config, ...stageProps } = props;
    const organization = config.aws.organization;
    if (!organization) throw new Error('OrganizationStage: aws.organization is not configured; give the policy admin account, its region and what the guards attach to, or leave the stage out');
    super(scope, id, { ...stageProps, env: { account: organization.policyAdminAccount, region: organization.region } });
    this.organizationStack = addOrganizationStack(this, config)!;
  }
}
