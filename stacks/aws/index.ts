import { Annotations, DefaultStackSynthesizer, type App, type IStackSynthesizer } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_CDK_QUALIFIER, identityStackName as nameIdentityStack, platformStackName as namePlatformStack, STACK_NAME_PREFIX, type AwsTarget, type OrgConfig } from '../../lib/config';
import { IdentityStack } from './identity-stack';
import { OrganizationStack, organizationStackName } from './organization-stack';
import { PlatformStack } from './platform-stack';

/** Stack name of a target: stable, because renaming a stack replaces everything in it. */
export function platformStackName(config: OrgConfig, targetName: string): string {
  return namePlatformStack(config.organisation.name, targetName);
}

/** Stack name of the Identity Center permission sets: stable, like the platform stacks'. */
export function identityStackName(config: OrgConfig): string {
  return nameIdentityStack(config.organisation.name);
}

/** Stack name of the delivery pipeline in the tooling account (`aws.pipeline`). */
export function pipelineStackName(config: OrgConfig): string {
  return `${STACK_NAME_PREFIX}-${config.organisation.name}-pipeline`;
}

/** The bootstrap roles the stacks deploy through: those of the configured qualifier (the default synthesizer otherwise). */
export function synthesizerOf(config: OrgConfig): IStackSynthesizer | undefined {
  const qualifier = config.aws.deployment.cdkQualifier;
  return qualifier === DEFAULT_CDK_QUALIFIER ? undefined : new DefaultStackSynthesizer({ qualifier });
}

/** One platform stack per configured AWS target, plus the Identity Center and organisation stacks when configured. */
export function addAwsStacks(app: App, config: OrgConfig): PlatformStack[] {
  const platformStacks = config.aws.targets.map((target) => addPlatformStack(app, config, target));
  addIdentityStack(app, config, platformStacks[0]);
  addOrganizationStack(app, config);
  return platformStacks;
}

/**
 * The organisation guards as AWS Organizations policies (`aws.organization`), in the policy
 * admin account, in `scope` (the app, or a pipeline stage); none without `aws.organization`.
 */
export function addOrganizationStack(scope: Construct, config: OrgConfig): OrganizationStack | undefined {
  if (!config.aws.organization) return undefined;
  const name = organizationStackName(config);
  return new OrganizationStack(scope, name, { config, stackName: name, synthesizer: synthesizerOf(config) });
}

/**
 * The platform stack of one target, in `scope`: the app, or a pipeline stage. The stack name is
 * set, not derived, so that a stage deploys to the same CloudFormation stack `cdk deploy` does.
 */
export function addPlatformStack(scope: Construct, config: OrgConfig, target: AwsTarget): PlatformStack {
  const name = platformStackName(config, target.name);
  return new PlatformStack(scope, name, {
    config,
    target,
    stackName: name,
    env: { account: target.account, region: target.region },
    synthesizer: synthesizerOf(config),
    description: `private-ai-blueprint: private Bedrock platform for ${config.organisation.name}/${target.name}`,
    terminationProtection: true,
  });
}

/**
 * The Identity Center stack, in the account that hosts Identity Center, in `scope` (the app, or
 * a pipeline stage). Without `aws.identityCenter` there is none, and `warnOn` (a stack, so the
 * CLI shows it) carries a warning saying the permission sets were skipped.
 */
export function addIdentityStack(scope: Construct, config: OrgConfig, warnOn: Construct): IdentityStack | undefined {
  const identityCenter = config.aws.identityCenter;
  if (!identityCenter) {
    warnIdentityCenterSkipped(warnOn);
    return undefined;
  }
  const name = identityStackName(config);
  const clash = config.aws.targets.findIndex((t) => platformStackName(config, t.name) === name);
  if (clash >= 0) {
    throw new Error(`target name "${config.aws.targets[clash].name}" is reserved for the Identity Center stack (${name}); rename the target (config: aws.targets[${clash}].name)`);
  }
  return new IdentityStack(scope, name, {
    config,
    stackName: name,
    env: { account: identityCenter.account, region: identityCenter.region },
    synthesizer: synthesizerOf(config),
    description: `private-ai-blueprint: IAM Identity Center permission sets for ${config.organisation.name}`,
    terminationProtection: true,
  });
}

/** Says, on `warnOn` (a stack, so the CLI shows it), that the permission sets were skipped for want of aws.identityCenter. */
export function warnIdentityCenterSkipped(warnOn: Construct): void {
  Annotations.of(warnOn).addWarningV2(
    'privateai:identity-center-skipped',
    'IAM Identity Center is not configured (config: aws.identityCenter); permission sets were not synthesized',
  );
}
