import { App } from 'aws-cdk-lib';
import * as cdkJson from '../../cdk.json';
import { Template } from 'aws-cdk-lib/assertions';
import { loadOrgConfig, parseOrgConfig, type OrgConfig, type OrgConfigInput } from '../../lib/config';
import { PlatformStack } from '../../stacks/aws/platform-stack';

/** The embedded example config, validated. */
export const exampleConfig: OrgConfig = loadOrgConfig();

/** A deep copy of the example as raw JSON, for tests that break one field. */
export function rawExample(): OrgConfigInput & Record<string, unknown> {
  return JSON.parse(JSON.stringify(exampleConfig));
}

/**
 * An app with the feature flags of cdk.json, as `cdk synth` sees them. Function bundling is
 * skipped unless asked for: template assertions do not need the code.
 */
export function newApp(outdir?: string, options: { bundle?: boolean } = {}): App {
  const context = options.bundle ? cdkJson.context : { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] };
  return new App({ context, outdir });
}

/** Validates a modified copy of the example. */
export function configWith(mutate: (raw: ReturnType<typeof rawExample>) => void): OrgConfig {
  const raw = rawExample();
  mutate(raw);
  return parseOrgConfig(raw);
}

/** A platform stack for the first target of a config (no rule packs attached). */
export function platformStack(config: OrgConfig = exampleConfig): PlatformStack {
  const app = newApp();
  const target = config.aws.targets[0];
  return new PlatformStack(app, 'Platform', { config, target, env: { account: target.account, region: target.region } });
}

let cached: Template | undefined;
/** The template of the example's platform stack, synthesized once per test file. */
export function exampleTemplate(): Template {
  cached ??= Template.fromStack(platformStack());
  return cached;
}

/**
 * Runs `synthesize` with CDK's built-in CloudFormation validation off (`CDK_VALIDATION=false`),
 * for synths whose validation report no assertion reads: the templates and assets are the same,
 * and that validation can never fail a synth here (without `@aws-cdk/core:validateAgainstDefaultRules`
 * CDK downgrades its findings to warnings), yet it costs most of a synth's time. Suites that assert
 * on validation-report.json, or run the CLI as adopters do, keep it.
 */
export function withoutCloudFormationValidation<T>(synthesize: () => T): T {
  const before = process.env.CDK_VALIDATION;
  process.env.CDK_VALIDATION = 'false';
  const restore = () => {
    if (before === undefined) delete process.env.CDK_VALIDATION;
    else process.env.CDK_VALIDATION = before;
  };
  try {
    const result = synthesize();
    if (result instanceof Promise) return result.finally(restore) as T;
    restore();
    return result;
  } catch (e) {
    restore();
    throw e;
  }
}
