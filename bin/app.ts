#!/usr/bin/env node
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { loadOrgConfig } from '../lib/config';
import { RECORDED_CONFIG_FILE, recordConfig } from '../lib/config/record';
import { configFile, runCli } from './cli';

// Config: `-c config=path/to/org.json`, else $PRIVATEAI_CONFIG, else the embedded example;
// `-c targets='[...]'` replaces aws.targets and is validated with the rest.
runCli(async () => {
  const app = new App();
  const targets: unknown = app.node.tryGetContext('targets');
  const file = configFile(app.node.tryGetContext('config'));
  const config = loadOrgConfig(file, { targets });

  // The constructs and rule packs load once the config is known to be good: a bad one fails at once.
  const { addAwsStacks } = await import('../stacks/aws');
  const { attachRulePacks } = await import('../policies/aws/rule-packs');
  const { buildOrgGuards } = await import('../policies/aws/org-guards');
  const { buildCdkExecutionPolicies, CDK_EXECUTION_POLICY_FILE } = await import('../policies/aws/cdk-execution-policy');
  if (config.aws.pipeline) {
    // The pipeline deploys the stacks, each once, from its stages; the app holds the pipeline.
    const { addPipelineStack } = await import('../stacks/aws/pipeline-stack');
    addPipelineStack(app, config, { configPath: pipelineConfigPath(file, targets) });
  } else {
    addAwsStacks(app, config);
  }
  attachRulePacks(app, config);
  // A record left by an earlier synthesis must not stand beside templates this one failed to finish.
  fs.rmSync(path.join(app.outdir, RECORDED_CONFIG_FILE), { force: true });
  const assembly = app.synth();

  // The report judges the templates against the config they were synthesized from.
  const source = targets === undefined ? file : `${file} with -c targets`;
  fs.writeFileSync(path.join(assembly.directory, RECORDED_CONFIG_FILE), `${JSON.stringify(recordConfig(source, config), null, 2)}\n`);
  const guardDir = path.join(assembly.directory, 'org-guards');
  fs.mkdirSync(guardDir, { recursive: true });
  // Written as AWS Organizations counts them against the 5,120-character limit: every character, so minified.
  for (const guard of buildOrgGuards(config)) fs.writeFileSync(path.join(guardDir, guard.file), JSON.stringify(guard.policy));
  // One scoped CloudFormation execution policy per environment the stacks deploy to (cdk bootstrap is per environment).
  // Recursively: with a pipeline, the stacks it deploys are in the nested assemblies of its stages.
  const policies = buildCdkExecutionPolicies(assembly.stacksRecursively.map((s) => ({ account: s.environment.account, region: s.environment.region, template: s.template })));
  for (const [env, policy] of Object.entries(policies)) {
    fs.writeFileSync(path.join(guardDir, CDK_EXECUTION_POLICY_FILE(env)), `${JSON.stringify(policy, null, 2)}\n`);
  }
});

/**
 * The config as the pipeline's synth step reads it: a path inside the repository, which the
 * pipeline checks out. A config outside it, or targets given on the command line, would be
 * deployed by no commit, so both are refused.
 */
function pipelineConfigPath(file: string, targets: unknown): string {
  if (targets !== undefined) {
    throw new Error('aws.pipeline deploys the targets of the config file as committed; -c targets would change them for this synthesis only. Edit aws.targets in the file instead');
  }
  const root = path.join(__dirname, '..');
  const relative = path.relative(root, path.resolve(file));
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(`aws.pipeline synthesizes the config from the repository, but ${file} is outside it (${root}); commit the config to the repository and give its path there`);
  }
  return relative.split(path.sep).join('/');
}
