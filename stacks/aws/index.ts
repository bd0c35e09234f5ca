import type { App } from 'aws-cdk-lib';
import type { OrgConfig } from '../../lib/config';
import { PlatformStack } from './platform-stack';

/** Stack name of a target: stable, because renaming a stack replaces everything in it. */
export function platformStackName(config: OrgConfig, targetName: string): string {
  return `PrivateAi-${config.organisation.name}-${targetName}`;
}

/** One platform stack per configured AWS target. */
export function addAwsStacks(app: App, config: OrgConfig): PlatformStack[] {
  return config.aws.targets.map(
    (target) =>
      new PlatformStack(app, platformStackName(config, target.name), {
        config,
        target,
        env: { account: target.account, region: target.region },
        description: `private-ai-blueprint: private Bedrock platform for ${config.organisation.name}/${target.name}`,
        terminationProtection: true,
      }),
  );
}
