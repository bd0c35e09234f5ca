#!/usr/bin/env node
// Rolls the organisation's Pulumi stacks out with Pulumi's Automation API: previews (default) or
// updates each stack of azure.rollout / gcp.rollout in order, with the cloud's CrossGuard pack
// attached, stops at the first failure and prints a summary table. Needs the Pulumi CLI, logged
// in, and the cloud's credentials; the planning (lib/pulumi/rollout.ts) needs neither.
// Usage: ts-node bin/rollout.ts <azure|gcp> [--preview|--up] [--config FILE] [--stop-after STACK]
//   --preview     pulumi preview of every stack (the default)
//   --up          pulumi preview, then pulumi up, of every stack
//   --config      the organisation config (default: $PRIVATEAI_CONFIG, else the embedded example)
//   --stop-after  the last stack to run; the rest of the list is left for another run
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as yaml from 'js-yaml';
import { EXAMPLE_CONFIG_PATH, loadOrgConfig } from '../lib/config';
import {
  automationArgs,
  formatSummary,
  planRollout,
  ROLLOUT_CLOUDS,
  runRollout,
  type AutomationArgs,
  type ChangeCounts,
  type RolloutCloud,
  type RolloutEngine,
  type RolloutMode,
  type RolloutProgram,
  type RolloutRow,
  type StackFile,
  type StackOutput,
  type StackRun,
} from '../lib/pulumi/rollout';
import { NAMESPACE as AZURE_NAMESPACE, readAzureSettings, SETTING_KEYS as AZURE_SETTING_KEYS } from '../stacks/azure/settings';
import { assertKnownSettings } from '../stacks/cloud-program';
import { NAMESPACE as GCP_NAMESPACE, readGcpSettings, SETTING_KEYS as GCP_SETTING_KEYS } from '../stacks/gcp/settings';
import { samePath } from '../stacks/stack-settings';
import { configFile, runCli, shown } from './cli';
import { planClouds } from './plan';

const root = path.join(__dirname, '..');

const USAGE = 'npm run rollout -- <azure|gcp> [--preview|--up] [--config FILE] [--stop-after STACK]';

/**
 * Each cloud's settings, validated as its `pulumi up` entry point (stacks/<cloud>/index.ts) does:
 * unknown keys of the namespace first, then the program's readSettings. Taken from settings.ts,
 * which the programs use, so a refusal costs no provider SDK load.
 */
export const ROLLOUT_PROGRAMS: Record<RolloutCloud, RolloutProgram> = {
  azure: {
    namespace: AZURE_NAMESPACE,
    labels: { scope: 'subscription', region: 'location' },
    target: (config, org, stack) => {
      assertKnownSettings({ namespace: AZURE_NAMESPACE, settingKeys: Object.keys(AZURE_SETTING_KEYS) }, Object.keys(config));
      const s = readAzureSettings((key) => config[`${AZURE_NAMESPACE}:${key}`], org, stack);
      return { scope: s.subscriptionId, region: s.location };
    },
  },
  gcp: {
    namespace: GCP_NAMESPACE,
    labels: { scope: 'project', region: 'region' },
    target: (config, org, stack) => {
      assertKnownSettings({ namespace: GCP_NAMESPACE, settingKeys: Object.keys(GCP_SETTING_KEYS) }, Object.keys(config));
      const s = readGcpSettings((key) => config[`${GCP_NAMESPACE}:${key}`], org, stack);
      return { scope: s.projectId, region: s.region };
    },
  },
};

/** The command line, parsed. */
export interface RolloutOptions {
  readonly cloud: RolloutCloud;
  readonly mode: RolloutMode;
  /** @default - $PRIVATEAI_CONFIG, else the embedded example */
  readonly config?: string;
  /** @default - every stack */
  readonly stopAfter?: string;
}

/** Parses `<azure|gcp> [--preview|--up] [--config FILE] [--stop-after STACK]`; an update is never the default. */
export function parseRolloutArgs(args: readonly string[]): RolloutOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { preview: { type: 'boolean' }, up: { type: 'boolean' }, config: { type: 'string' }, 'stop-after': { type: 'string' } },
    });
  } catch (e) {
    // parseArgs throws TypeErrors, which runCli would print as a bug of the program.
    throw new Error(`${(e as Error).message}; usage: ${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new Error(`name one cloud to roll out (got ${positionals.length === 0 ? 'none' : positionals.join(' ')}); usage: ${USAGE}`);
  const cloud = positionals[0];
  if (!(ROLLOUT_CLOUDS as readonly string[]).includes(cloud)) throw new Error(`unknown cloud ${JSON.stringify(cloud)}; use ${ROLLOUT_CLOUDS.join(' or ')}`);
  if (values.preview && values.up) throw new Error('give --preview or --up, not both');
  return { cloud: cloud as RolloutCloud, mode: values.up ? 'up' : 'preview', config: values.config, stopAfter: values['stop-after'] };
}

/**
 * Every `Pulumi.<stack>.yaml` of `projectDir`, with the organisation config its
 * `<namespace>:orgConfig` names (relative to the project directory, as the entry points resolve it).
 */
export function readStackFiles(projectDir: string, namespace: string, rolloutConfig: string): StackFile[] {
  return fs
    .readdirSync(projectDir)
    .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
    .sort()
    .map((f) => {
      const file = path.join(projectDir, f);
      const doc = yaml.load(fs.readFileSync(file, 'utf8'), { filename: file }) as { config?: Record<string, unknown> } | null;
      const config = doc?.config ?? {};
      const named = config[`${namespace}:orgConfig`];
      const orgConfig = typeof named === 'string' ? path.resolve(projectDir, named) : EXAMPLE_CONFIG_PATH;
      return { stack: f.slice('Pulumi.'.length, -'.yaml'.length), file: shown(file), config, orgConfig: shown(orgConfig), namesRolloutConfig: samePath(orgConfig, rolloutConfig) };
    });
}

/**
 * Writes a stack's policy pack configuration into `outDir` and returns the file. Google Cloud's
 * depends on the plan (whether the stack leaves googleapis.com to central DNS), so every stack is
 * planned offline by the code `npm run plan -- <cloud> --stack <stack>` runs: the configuration is
 * the one the evidence report checks, and a program that fails under the stack's settings is
 * refused before any stack is previewed.
 */
export async function offlinePolicyConfig(cloud: RolloutCloud, stack: string, config: string | undefined, outDir: string): Promise<string> {
  await planClouds({ clouds: [cloud], stack, config, out: outDir });
  return path.join(outDir, `${cloud}.policy-config.json`);
}

/** The parts of Automation API's `LocalWorkspace` the engine uses. */
export interface AutomationWorkspace {
  createOrSelectStack(args: AutomationArgs['stack']): Promise<{
    preview(opts: AutomationArgs['operation']): Promise<{ changeSummary: ChangeCounts }>;
    up(opts: AutomationArgs['operation']): Promise<{ summary: { resourceChanges?: ChangeCounts } }>;
  }>;
}

/**
 * The engine of a real rollout: Automation API over the Pulumi CLI, the stack selected (or
 * created, as `pulumi stack init` would) in the backend the CLI is logged in to.
 * @param workspace @default - `LocalWorkspace` of `@pulumi/pulumi/automation`
 */
export function automationEngine(workspace?: AutomationWorkspace): RolloutEngine {
  const operate = async (op: 'preview' | 'up', run: StackRun, output: StackOutput): Promise<ChangeCounts> => {
    const ws = workspace ?? (await import('@pulumi/pulumi/automation')).LocalWorkspace;
    const args = automationArgs(run, output);
    let stack;
    try {
      stack = await ws.createOrSelectStack(args.stack);
    } catch (e) {
      const why = /ENOENT/.test((e as Error).message) ? 'the Pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/install/) and run pulumi login' : commandStderr(e);
      throw new Error(`cannot select stack ${run.stack} in ${shown(run.workDir)}: ${why}`);
    }
    try {
      return op === 'preview' ? (await stack.preview(args.operation)).changeSummary : ((await stack.up(args.operation)).summary.resourceChanges ?? {});
    } catch (e) {
      // The CLI's output (policy violations, cloud errors) was streamed with the stack's prefix.
      const code = /code: (-?\d+)/.exec((e as Error).message)?.[1];
      throw new Error(`pulumi ${op} failed${code ? ` (exit code ${code})` : ''}; its output is above`);
    }
  };
  return { preview: (run, output) => operate('preview', run, output), up: (run, output) => operate('up', run, output) };
}

/** What the CLI wrote to stderr, from an Automation API CommandError; else the message. */
function commandStderr(e: unknown): string {
  const message = (e as Error).message;
  return /stderr: ([\s\S]*?)(?:\n\s*err\?:|$)/.exec(message)?.[1].trim() || message.trim();
}

/** What a rollout runs with besides the command line; tests replace them. */
export interface RolloutDeps {
  /** @default - Automation API over the Pulumi CLI */
  readonly engine?: RolloutEngine;
  /** The Pulumi project directory. @default stacks/<cloud> */
  readonly projectDir?: string;
  /** Writes a stack's policy pack configuration, returns the file. @default offlinePolicyConfig */
  readonly policyPackConfig?: typeof offlinePolicyConfig;
  /** Where the policy pack configurations and offline plans go. @default - a new temporary directory */
  readonly outDir?: string;
  readonly log?: (line: string) => void;
  readonly write?: { readonly out: (line: string) => void; readonly err: (line: string) => void };
  /** @default Date.now */
  readonly now?: () => number;
}

/** Plans and runs a rollout; returns each stack's row and the summary table. */
export async function rollout(options: RolloutOptions, deps: RolloutDeps = {}): Promise<{ rows: RolloutRow[]; summary: string[] }> {
  const log = deps.log ?? ((line: string) => console.log(line));
  const program = ROLLOUT_PROGRAMS[options.cloud];
  const projectDir = deps.projectDir ?? path.join(root, 'stacks', options.cloud);
  const source = configFile(options.config);
  const org = loadOrgConfig(source);
  const steps = planRollout({
    cloud: options.cloud,
    org,
    orgConfig: source,
    program,
    projectDir: shown(projectDir),
    stackFiles: readStackFiles(projectDir, program.namespace, source),
    stopAfter: options.stopAfter,
  });

  const outDir = deps.outDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `privateai-rollout-${options.cloud}-`));
  log(`${options.cloud}.rollout of ${source}: ${steps.map((s) => s.stack).join(', ')}; offline plans and policy pack configs in ${outDir}`);
  const policyPackConfig = deps.policyPackConfig ?? offlinePolicyConfig;
  const policyPack = path.join(root, 'policies', options.cloud);
  const runs: StackRun[] = [];
  // Every stack is planned before the first is previewed: a refusal touches no stack.
  for (const step of steps) {
    runs.push({ ...step, workDir: projectDir, policyPack, policyPackConfig: await policyPackConfig(options.cloud, step.stack, options.config, path.join(outDir, step.stack)) });
  }

  const rows = await runRollout(runs, deps.engine ?? automationEngine(), {
    mode: options.mode,
    stopAfter: options.stopAfter,
    log,
    write: deps.write ?? { out: (line) => process.stdout.write(`${line}\n`), err: (line) => process.stderr.write(`${line}\n`) },
    now: deps.now,
  });
  return { rows, summary: formatSummary(rows, program.labels) };
}

if (require.main === module) {
  runCli(async () => {
    const options = parseRolloutArgs(process.argv.slice(2));
    const { rows, summary } = await rollout(options);
    console.log('');
    summary.forEach((line) => console.log(line));
    if (rows.some((r) => r.result === 'failed')) process.exitCode = 1;
  });
}
