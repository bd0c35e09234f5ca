#!/usr/bin/env node
// Offline plan of a Pulumi program: `ts-node bin/plan.ts <azure|gcp> [stack]`. Runs the program
// under in-process mocks with the stack's example config and writes plans/<cloud>.json.
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { loadOrgConfig } from '../lib/config';
import { planProgram } from '../lib/pulumi/plan';
import { PULUMI_CLOUDS } from '../policies/report/pulumi-clouds';
import type { CloudProgram } from '../stacks/cloud-program';

const PROGRAMS: Record<string, () => CloudProgram<unknown>> = {
  // Loaded on demand: each provider SDK is large.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  azure: () => require('../stacks/azure/program').azureProgram,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  gcp: () => require('../stacks/gcp/program').gcpProgram,
};

async function main(): Promise<void> {
  const [cloud, stack = 'example'] = process.argv.slice(2);
  const load = PROGRAMS[cloud];
  if (!load) throw new Error(`unknown cloud ${JSON.stringify(cloud)}; use one of ${Object.keys(PROGRAMS).join(', ')}`);
  const program = load();
  const projectDir = path.join(__dirname, '..', 'stacks', cloud);
  const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
  const stackConfig = ((yaml.load(fs.readFileSync(stackFile, 'utf8')) as { config?: Record<string, unknown> } | null)?.config ?? {}) as Record<string, unknown>;
  const get = (key: string): unknown => stackConfig[`${program.namespace}:${key}`];
  const orgConfigPath = get('orgConfig');
  const org = loadOrgConfig(typeof orgConfigPath === 'string' ? path.resolve(projectDir, orgConfigPath) : undefined);
  const settings = program.readSettings(get, org);
  const plan = await planProgram({ cloud, project: program.project, stack, state: program.mockState }, () => program.run(org, settings));
  const outFile = path.join(__dirname, '..', 'plans', `${cloud}.json`);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, `${JSON.stringify(plan, null, 2)}\n`);
  // The policy pack's configuration for this organisation: pulumi preview --policy-pack policies/<cloud> --policy-pack-config <this file>.
  const policyConfig = PULUMI_CLOUDS.find((c) => c.cloud === cloud)?.policyConfig(org, plan);
  const configFile = path.join(path.dirname(outFile), `${cloud}.policy-config.json`);
  if (policyConfig) fs.writeFileSync(configFile, `${JSON.stringify(policyConfig, null, 2)}\n`);
  console.log(`${cloud}: ${plan.resources.length} resources planned offline -> ${path.relative(process.cwd(), outFile)}, policy pack config -> ${path.relative(process.cwd(), configFile)}`);
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    console.error(e.message);
    process.exit(1);
  },
);
