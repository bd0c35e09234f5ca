import { Annotations, DefaultStackSynthesizer, type App, type IStackSynthesizer } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { DEFAULT_CDK_QUALIFIER, identityStackName as nameIdentityStack, platformStackName as namePlatformStack, type OrgConfig } from '../../lib/config';
import { IdentityStack } from './identity-stack';
import { PlatformStack } from './platform-stack';

/** Stack name of a target: stable, because renaming a stack replaces everything in it. */
export function platformStackName(config: OrgConfig, targetName: string): string {
  return namePlatformStack(config.organisation.name, targetName);
}

/** Stack name of the Identity Center permission sets: stable, like the platform stacks'. */
export function identityStackName(config: OrgConfig): string {
  return nameIdentityStack(config.organisation.name);
}

/** The bootstrap roles the stacks deploy through: those of the configured qualifier (the default synthesizer otherwise). */
function synthesizerOf(config: OrgConfig): IStackSynthesizer | undefined {
  const qualifier = config.aws.deployment.cdkQualifier;
  return qualifier === DEFAULT_CDK_QUALIFIER ? undefined : new DefaultStackSynthesizer({ qualifier });
}

/** One platform stack per configured AWS target, plus the Identity Center stack when configured. */
export function addAwsStacks(app: App, config: OrgConfig): PlatformStack[] {
  const platformStacks = config.aws.targets.map(
    (target) =>
      new PlatformStack(app, platformStackName(config, target.name), {
        config,
        target,
        env: { account: target.account, region: target.region },
        synthesizer: synthesizerOf(config),
        description: `private-ai-blueprint: private Bedrock platform for ${config.organisation.name}/${target.name}`,
        terminationProtection: true,
      }),
  );
  addIdentityStack(app, config, platformStacks[0]);
  return platformStacks;
}

/**
 * The Identity Center stack, in the account that hosts Identity Center. Without
 * `aws.identityCenter` there is none, and `warnOn` (a stack, so the CLI shows it) carries a
 * warning saying the permission sets were skipped.
 */
export function addIdentityStack(app: App, config: OrgConfig, warnOn: Construct): IdentityStack | undefined {
  const identityCenter = config.aws.identityCenter;
  if (!identityCenter) {
    Annotations.of(warnOn).addWarningV2(
      'privateai:identity-center-skipped',
      'IAM Identity Center is not configured (config: aws.identityCenter); permission sets were not synthesized',
    );
    return undefined;
  }
  const name = identityStackName(config);
  const clash = config.aws.targets.findIndex((t) => platformStackName(config, t.name) === name);
  if (clash >= 0) {
    throw new Error(`target name "${config.aws.targets[clash].name}" is reserved for the Identity Center stack (${name}); rename the target (config: aws.targets[${clash}].name)`);
  }
  return new IdentityStack(app, name, {
    config,
    env: { account: identityCenter.account, region: identityCenter.region },
    synthesizer: synthesizerOf(config),
    description: `private-ai-blueprint: IAM Identity Center permission sets for ${config.organisation.name}`,
    terminationProtection: true,
  });
}
