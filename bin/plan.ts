#!/usr/bin/env node
// Offline plans of the Pulumi programs: each runs under in-process mocks (no Pulumi CLI, no
// backend, no credentials) with the stack settings of the organisation, and writes
// <out>/<cloud>.json and the CrossGuard pack's <out>/<cloud>.policy-config.json.
// Usage: ts-node bin/plan.ts [azure] [gcp] [--config FILE] [--targets JSON] [--stack NAME] [--out DIR]
//   --config  the organisation config (default: $PRIVATEAI_CONFIG, else the embedded example);
//             its settings come from the stacks/<cloud>/Pulumi.<stack>.yaml that names it, else
//             are derived from it (placeholder IDs)
//   --targets replaces aws.targets, as `cdk synth -c targets=` does, so the plans record the same config
//   --stack   plan this stack file instead (its privateai:orgConfig names the config)
//   --out     where to write (default: plans/)
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { EXAMPLE_CONFIG_PATH, loadOrgConfig, type OrgConfig } from '../lib/config';
import { recordConfig } from '../lib/config/record';
import type { Plan } from '../lib/pulumi/plan';
import type { CloudProgram } from '../stacks/cloud-program';
import { chooseStackSettings, samePath, type StackSettings } from '../stacks/stack-settings';
import { CONFIG_ENV, configFile, runCli, shown } from './cli';

const root = path.join(__dirname, '..');

const PROGRAMS: Record<string, () => CloudProgram<unknown>> = {
  // Loaded on demand: each provider SDK is large.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  azure: () => require('../stacks/azure/program').azureProgram,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  gcp: () => require('../stacks/gcp/program').gcpProgram,
};

/** What to plan and where to write it. */
export interface PlanOptions {
  /** Clouds to plan. @default - every cloud the organisation config has a section for */
  readonly clouds?: readonly string[];
  /** The organisation config, as the user named it. @default - $PRIVATEAI_CONFIG, else the example */
  readonly config?: string;
  /** Replaces `aws.targets` (JSON text), as the CDK app's `-c targets` does. @default - the config's targets */
  readonly targets?: string;
  /** A stack file to plan instead of the one that names the config. */
  readonly stack?: string;
  /** Output directory. @default plans/ */
  readonly out?: string;
}

/** Plans each cloud; returns one summary line per cloud. */
export async function planClouds(options: PlanOptions): Promise<string[]> {
  const unknown = (options.clouds ?? []).filter((c) => !PROGRAMS[c]);
  if (unknown.length > 0) throw new Error(`unknown cloud ${unknown.map((c) => JSON.stringify(c)).join(', ')}; use one or more of ${Object.keys(PROGRAMS).join(', ')}`);
  if (options.stack !== undefined && (options.clouds?.length ?? 0) !== 1) throw new Error('--stack names one stack file: give exactly one cloud with it, e.g. bin/plan.ts azure --stack prod');
  const outDir = path.resolve(options.out ?? path.join(root, 'plans'));
  const lines: string[] = [];
  for (const cloud of options.clouds ?? Object.keys(PROGRAMS)) {
    lines.push(await planCloud(cloud, options, outDir, options.clouds !== undefined));
  }
  return lines;
}

async function planCloud(cloud: string, options: PlanOptions, outDir: string, requested: boolean): Promise<string> {
  const planFile = path.join(outDir, `${cloud}.json`);
  const configFileOut = path.join(outDir, `${cloud}.policy-config.json`);
  // Each program loads its provider SDK: loaded once the config is known to be good.
  let program: CloudProgram<unknown>;
  const projectDir = path.join(root, 'stacks', cloud);

  // An explicit stack names its own organisation config; otherwise the config chooses the stack.
  let source = configFile(options.config);
  let org: OrgConfig;
  let settings: StackSettings;
  if (options.stack !== undefined) {
    program = PROGRAMS[cloud]();
    const chosen = chooseStackSettings(program, projectDir, { stack: options.stack, derive: () => ({}), root });
    // As `pulumi up` reads it: the file the stack names, else the embedded example.
    const named = chosen.orgConfigFile ?? EXAMPLE_CONFIG_PATH;
    const asked = options.config || process.env[CONFIG_ENV] ? source : undefined;
    if (asked !== undefined && !samePath(asked, named)) {
      throw new Error(`${chosen.source} uses the organisation config ${shown(named)}, not ${asked}; drop --config (and ${CONFIG_ENV}) or choose the stack that names it`);
    }
    source = shown(named);
    org = loadOrgConfig(source, { targets: options.targets });
    settings = chosen;
  } else {
    org = loadOrgConfig(source, { targets: options.targets });
    if (!org[cloud as 'azure' | 'gcp']) {
      if (requested) throw new Error(`the organisation config ${source} has no ${cloud} section; add one to plan ${cloud}`);
      // A plan left from another organisation would be reported against this one.
      fs.rmSync(planFile, { force: true });
      fs.rmSync(configFileOut, { force: true });
      return `${cloud}: not planned, the organisation config ${source} has no ${cloud} section`;
    }
    program = PROGRAMS[cloud]();
    const forOrg = org;
    const derive = program.derivedSettings.bind(program, forOrg);
    settings = chooseStackSettings(program, projectDir, { orgConfigFile: path.resolve(source), derive, root });
  }

  const validated = program.readSettings(settings.get, org, settings.stack);
  // Loaded once config and settings are known to be good: the Pulumi runtime and the policy packs are large.
  const { planProgram } = await import('../lib/pulumi/plan');
  const { PULUMI_CLOUDS } = await import('../policies/report/pulumi-clouds');
  const planned = await planProgram({ cloud, project: program.project, stack: settings.stack, state: program.mockState, ...(program.answers ? { answers: program.answers(validated) } : {}) }, () => program.run(org, validated));
  const record = recordConfig(options.targets === undefined ? source : `${source} with -c targets`, org);
  const plan: Plan = { ...planned, provenance: { orgConfig: record.source, orgConfigDigest: record.digest, settings: settings.source } };
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(planFile, `${JSON.stringify(plan, null, 2)}\n`);
  // The policy pack's configuration for this organisation: pulumi preview --policy-pack policies/<cloud> --policy-pack-config <this file>.
  const policyConfig = PULUMI_CLOUDS.find((c) => c.cloud === cloud)?.policyConfig(org, plan);
  if (policyConfig) fs.writeFileSync(configFileOut, `${JSON.stringify(policyConfig, null, 2)}\n`);
  const from = settings.source === 'derived' ? `settings derived from ${source} (placeholder IDs: no stack file in stacks/${cloud} names it)` : `${settings.source}`;
  const others = settings.alsoMatching.length > 0 ? `; also naming this config: ${settings.alsoMatching.join(', ')} (plan one with --stack)` : '';
  return `${cloud}: ${plan.resources.length} resources planned offline from ${from}${others} -> ${shown(planFile)}, policy pack config -> ${shown(configFileOut)}`;
}

if (require.main === module) {
  runCli(async () => {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: { config: { type: 'string' }, targets: { type: 'string' }, stack: { type: 'string' }, out: { type: 'string' } },
    });
    const lines = await planClouds({ clouds: positionals.length > 0 ? positionals : undefined, config: values.config, targets: values.targets, stack: values.stack, out: values.out });
    lines.forEach((l) => console.log(l));
  });
}
