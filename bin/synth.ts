#!/usr/bin/env node
// The main job, `npm run synth`: one organisation config through `cdk synth` (every rule pack
// attached), the offline plans of the Azure and Google Cloud programs, and the evidence report.
// Usage: npm run synth -- [--config FILE] [--targets JSON] [--cdk-out DIR] [--plans DIR] [--reports DIR]
//   --config   the organisation config (default: $PRIVATEAI_CONFIG, else the embedded example)
//   --targets  replaces aws.targets (cdk synth -c targets=...), for the templates and the plans alike
//   --cdk-out, --plans, --reports   where to write (defaults: cdk.out, plans, reports)
// Exits non-zero when the config is invalid, a rule pack has an unacknowledged finding, a
// CrossGuard pack a mandatory violation, or a control of the report fails.
import { spawn } from 'child_process';
import * as path from 'path';
import { parseArgs } from 'util';
import { loadOrgConfig } from '../lib/config';
import { configFile, runCli } from './cli';

const root = path.join(__dirname, '..');

/** `cdk synth` of the app in cdk.json, for `config`, into `outDir`; resolves with its exit code. */
function cdkSynth(config: string, targets: string | undefined, outDir: string): Promise<number> {
  const cdk = path.join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const context = ['-c', `config=${config}`, ...(targets === undefined ? [] : ['-c', `targets=${targets}`])];
  const child = spawn(process.execPath, [cdk, 'synth', '--quiet', ...context, '--output', outDir], { cwd: root, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

runCli(async () => {
  const { values } = parseArgs({
    options: { config: { type: 'string' }, targets: { type: 'string' }, 'cdk-out': { type: 'string' }, plans: { type: 'string' }, reports: { type: 'string' } },
  });
  const file = configFile(values.config);
  // Every problem of the config, once, before any tool reports it again.
  loadOrgConfig(file, { targets: values.targets });
  const cdkOut = path.resolve(values['cdk-out'] ?? path.join(root, 'cdk.out'));

  // Loaded once the config is known to be good: the plan and report modules load the policy packs.
  const { planClouds } = await import('./plan');
  const { writeReport } = await import('./report');

  // cdk synth runs in its own process while the plans run here: two cores, two jobs.
  const synthesized = cdkSynth(path.isAbsolute(file) ? file : path.relative(root, path.resolve(file)), values.targets, cdkOut);
  const planned = planClouds({ config: file, targets: values.targets, out: values.plans });
  const [code, lines] = await Promise.all([synthesized, planned.catch((e: Error) => e)]);
  if (lines instanceof Error) throw lines;
  lines.forEach((l) => console.log(l));
  if (code !== 0) throw new Error(`cdk synth failed (exit ${code}); its findings are above and in ${path.relative(process.cwd(), cdkOut) || '.'}/validation-report.json`);

  const result = await writeReport({ cdkOut, plans: values.plans, out: values.reports });
  console.log(result.summary);
  if (result.failures.length > 0) throw new Error(`FAIL: ${result.failures.join('; ')}`);
});
