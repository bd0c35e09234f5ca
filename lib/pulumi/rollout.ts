import type { OrgConfig } from '../config';

/**
 * Fleet rollout of the Pulumi programs (issue 15): which stacks of `stacks/<cloud>` to preview or
 * update, in the order `azure.rollout` / `gcp.rollout` lists them, with what, and what came of
 * it. Pure: the command (bin/rollout.ts) reads the stack files, runs the offline plan that gives
 * each stack its policy pack configuration, and supplies the engine (Pulumi's Automation API).
 * Every problem with the input is found before any stack is touched.
 */

/** The Pulumi clouds a rollout serves. */
export const ROLLOUT_CLOUDS = ['azure', 'gcp'] as const;
export type RolloutCloud = (typeof ROLLOUT_CLOUDS)[number];

/** `preview` changes nothing; `up` previews each stack, then updates it. */
export type RolloutMode = 'preview' | 'up';

/** Where one stack deploys. No two stacks of a rollout may share one. */
export interface RolloutTarget {
  /** Subscription ID (Azure) or project ID (Google Cloud). */
  readonly scope: string;
  /** Location (Azure) or region (Google Cloud). */
  readonly region: string;
}

/** What the planner needs to know of a cloud's Pulumi program. */
export interface RolloutProgram {
  /** Config namespace of the stack settings, e.g. `privateai`. */
  readonly namespace: string;
  /** What the two parts of a target are called: subscription and location, or project and region. */
  readonly labels: { readonly scope: string; readonly region: string };
  /**
   * Validates a stack's config as its `pulumi up` entry point does (unknown keys of the namespace,
   * then the settings against the organisation config) and returns where the stack deploys.
   * Throws the entry point's message.
   */
  target(config: Readonly<Record<string, unknown>>, org: OrgConfig, stack: string): RolloutTarget;
}

/** One `Pulumi.<stack>.yaml` of the project directory, as read. */
export interface StackFile {
  readonly stack: string;
  /** The file as shown to the user, e.g. `stacks/azure/Pulumi.prod-weu.yaml`. */
  readonly file: string;
  /** Its `config` block. */
  readonly config: Readonly<Record<string, unknown>>;
  /** The organisation config its `<namespace>:orgConfig` names, as shown (the embedded example when it names none). */
  readonly orgConfig: string;
  /** Whether that is the rollout's organisation config (the same file, links followed). */
  readonly namesRolloutConfig: boolean;
}

/** What to plan a rollout from. */
export interface RolloutPlanInput {
  readonly cloud: RolloutCloud;
  readonly org: OrgConfig;
  /** The organisation config file, as shown to the user. */
  readonly orgConfig: string;
  readonly program: RolloutProgram;
  /** The Pulumi project directory, as shown, e.g. `stacks/azure`. */
  readonly projectDir: string;
  /** Every stack file of the project directory. */
  readonly stackFiles: readonly StackFile[];
  /**
   * The last stack to preview or update; the rest of the list is reported as not run.
   * @default - every stack of the list
   */
  readonly stopAfter?: string;
}

/** One stack of the rollout, validated. */
export interface RolloutStep {
  readonly stack: string;
  /** Its stack file, as shown. */
  readonly file: string;
  readonly target: RolloutTarget;
}

/**
 * The stacks of `<cloud>.rollout` in their order, each with where it deploys. Refuses, listing
 * every problem at once: a cloud or list missing from the organisation config, a stack listed
 * twice, a `stopAfter` not in the list, a stack without a stack file, a stack file naming another
 * organisation config, settings `pulumi up` would refuse, and two stacks deploying to the same
 * subscription and location (project and region): they would manage the same resources.
 */
export function planRollout(input: RolloutPlanInput): RolloutStep[] {
  const { cloud, org, program } = input;
  const field = `${cloud}.rollout`;
  const section = org[cloud];
  const available = input.stackFiles.map((s) => s.stack).join(', ') || 'none';
  if (!section) {
    throw new Error(`the organisation config ${input.orgConfig} has no ${cloud} section; add one with ${field} (the stacks of ${input.projectDir} in rollout order) to roll out ${cloud}`);
  }
  const listed = section.rollout;
  if (!listed) {
    throw new Error(`the organisation config ${input.orgConfig} has no ${field}; list the stacks of ${input.projectDir} to roll out, in order, e.g. "rollout": ["prod-weu"] (stack files there: ${available})`);
  }

  const problems: string[] = [];
  const seen = new Map<string, number>();
  listed.forEach((stack, i) => {
    const first = seen.get(stack);
    if (first === undefined) seen.set(stack, i);
    else problems.push(`${field} lists ${stack} twice (positions ${first + 1} and ${i + 1}); list each stack once`);
  });
  if (input.stopAfter !== undefined && !seen.has(input.stopAfter)) {
    problems.push(`--stop-after ${input.stopAfter} is not in ${field} (${listed.join(', ')})`);
  }

  const steps: RolloutStep[] = [];
  for (const stack of seen.keys()) {
    const file = input.stackFiles.find((s) => s.stack === stack);
    if (!file) {
      problems.push(`${stack}: no stack file ${input.projectDir}/Pulumi.${stack}.yaml; create it from Pulumi.example.yaml, or remove ${stack} from ${field} (stack files there: ${available})`);
      continue;
    }
    if (!file.namesRolloutConfig) {
      // Its settings belong to the organisation it names: validated against that one, never this.
      problems.push(
        `${file.file} names the organisation config ${file.orgConfig} (${program.namespace}:orgConfig), not ${input.orgConfig}: it belongs to another organisation; remove ${stack} from ${field}, or point the stack at ${input.orgConfig}`,
      );
      continue;
    }
    try {
      steps.push({ stack, file: file.file, target: program.target(file.config, org, stack) });
    } catch (e) {
      problems.push(`${file.file}: ${(e as Error).message}`);
    }
  }

  const byTarget = new Map<string, RolloutStep>();
  for (const step of steps) {
    // Subscription GUIDs, locations and project IDs are case-insensitive to the clouds.
    const key = `${step.target.scope.toLowerCase()}\n${step.target.region.toLowerCase()}`;
    const other = byTarget.get(key);
    if (other) {
      problems.push(
        `${other.stack} and ${step.stack} both deploy to ${program.labels.scope} ${step.target.scope} in ${program.labels.region} ${step.target.region}; two stacks there would manage the same resources: give each its own ${program.labels.scope} or ${program.labels.region}, or list one of them`,
      );
    } else {
      byTarget.set(key, step);
    }
  }

  if (problems.length > 0) {
    // A problem of several lines (the settings' own list) is indented under its item.
    throw new Error(`rollout of ${field} (${input.orgConfig}) refused, nothing was previewed or updated:\n${problems.map((p) => `  - ${p.replace(/\n/g, '\n    ')}`).join('\n')}`);
  }
  return steps;
}

/** One stack's preview or update, with everything the engine needs. */
export interface StackRun extends RolloutStep {
  /** The Pulumi project directory (absolute). */
  readonly workDir: string;
  /** The CrossGuard policy pack directory (absolute). */
  readonly policyPack: string;
  /** The pack's configuration for this organisation and stack: a JSON file (absolute). */
  readonly policyPackConfig: string;
}

/** Resource operation counts, as Pulumi reports them (`create`, `update`, `same`, ...). */
export type ChangeCounts = Readonly<Partial<Record<string, number>>>;

/** Where one stack's engine output goes, in chunks as the engine writes them. */
export interface StackOutput {
  readonly out: (chunk: string) => void;
  readonly err: (chunk: string) => void;
}

/** Previews or updates one stack; a failure (a policy violation, a cloud error) is thrown. */
export interface RolloutEngine {
  preview(run: StackRun, output: StackOutput): Promise<ChangeCounts>;
  up(run: StackRun, output: StackOutput): Promise<ChangeCounts>;
}

/** Arguments for Automation API: `LocalWorkspace.createOrSelectStack(stack)`, then `preview(operation)` or `up(operation)`. */
export interface AutomationArgs {
  readonly stack: { readonly stackName: string; readonly workDir: string };
  readonly operation: {
    readonly policyPacks: string[];
    readonly policyPackConfigs: string[];
    readonly onOutput: (chunk: string) => void;
    readonly onError: (chunk: string) => void;
  };
}

/** The Automation API arguments of one stack's run: its project directory, the pack and its configuration, output streamed. */
export function automationArgs(run: StackRun, output: StackOutput): AutomationArgs {
  return {
    stack: { stackName: run.stack, workDir: run.workDir },
    operation: { policyPacks: [run.policyPack], policyPackConfigs: [run.policyPackConfig], onOutput: output.out, onError: output.err },
  };
}

/** How one stack of the rollout ended. */
export interface RolloutRow {
  readonly stack: string;
  readonly target: RolloutTarget;
  readonly result: 'previewed' | 'updated' | 'failed' | 'not run';
  /** @default - no changes known (failed or not run) */
  readonly changes?: ChangeCounts;
  /** @default - not run */
  readonly durationMs?: number;
  /** Why it failed or did not run. @default - none */
  readonly note?: string;
}

/** How to run the loop. */
export interface RolloutRunOptions {
  readonly mode: RolloutMode;
  /** @default - every stack */
  readonly stopAfter?: string;
  /** Progress lines. */
  readonly log: (line: string) => void;
  /** Where complete lines of a stack's engine output go, already prefixed with the stack. */
  readonly write: { readonly out: (line: string) => void; readonly err: (line: string) => void };
  /** @default Date.now */
  readonly now?: () => number;
}

/**
 * Previews (or previews, then updates) each stack in order, stopping at the first failure or
 * after `stopAfter`. The preview before an update lets the policy pack judge the whole stack
 * before anything changes: during an update a mandatory violation stops it only at the resource.
 */
export async function runRollout(runs: readonly StackRun[], engine: RolloutEngine, options: RolloutRunOptions): Promise<RolloutRow[]> {
  const now = options.now ?? Date.now;
  const rows: RolloutRow[] = [];
  let stopped: string | undefined;
  for (const run of runs) {
    if (stopped !== undefined) {
      rows.push({ stack: run.stack, target: run.target, result: 'not run', note: stopped });
      continue;
    }
    options.log(`${run.stack}: pulumi ${options.mode === 'up' ? 'preview, then up' : 'preview'} of ${run.file} with policy pack ${run.policyPack}`);
    const out = prefixLines(`[${run.stack}] `, options.write.out);
    const err = prefixLines(`[${run.stack}] `, options.write.err);
    const output: StackOutput = { out: out.write, err: err.write };
    const start = now();
    try {
      const previewed = await engine.preview(run, output);
      const changes = options.mode === 'up' ? await engine.up(run, output) : previewed;
      rows.push({ stack: run.stack, target: run.target, result: options.mode === 'up' ? 'updated' : 'previewed', changes, durationMs: now() - start });
    } catch (e) {
      rows.push({ stack: run.stack, target: run.target, result: 'failed', durationMs: now() - start, note: (e as Error).message });
      stopped = `${run.stack} failed`;
    } finally {
      out.flush();
      err.flush();
    }
    if (stopped === undefined && run.stack === options.stopAfter) stopped = `--stop-after ${run.stack}`;
  }
  return rows;
}

/**
 * Splits chunks of engine output into lines and writes each with `prefix`, so the output of a
 * stack reads as its own; `flush` writes a last line without a newline.
 */
export function prefixLines(prefix: string, write: (line: string) => void): { write: (chunk: string) => void; flush: () => void } {
  let pending = '';
  return {
    write: (chunk) => {
      const lines = (pending + chunk).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) write(`${prefix}${line}`);
    },
    flush: () => {
      if (pending !== '') write(`${prefix}${pending}`);
      pending = '';
    },
  };
}

const OP_ORDER = ['create', 'update', 'replace', 'delete'];

/** `create 3, update 1 (40 unchanged)`; `none (40 unchanged)` when nothing changes. */
export function describeChanges(counts: ChangeCounts): string {
  const ops = Object.entries(counts)
    .filter(([op, n]) => op !== 'same' && (n ?? 0) > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([op, n]) => `${op} ${n}`);
  const same = counts.same ?? 0;
  return `${ops.length > 0 ? ops.join(', ') : 'none'}${same > 0 ? ` (${same} unchanged)` : ''}`;
}

const rank = (op: string) => (OP_ORDER.includes(op) ? OP_ORDER.indexOf(op) : OP_ORDER.length);

/** Seconds, or minutes and seconds from a minute on. */
export function describeDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** The summary table: stack, subscription/project, location/region, result, changes, duration; then why a stack failed or did not run. */
export function formatSummary(rows: readonly RolloutRow[], labels: RolloutProgram['labels']): string[] {
  const header = ['stack', labels.scope, labels.region, 'result', 'changes', 'duration'];
  const cells = rows.map((r) => [
    r.stack,
    r.target.scope,
    r.target.region,
    r.result,
    r.changes ? describeChanges(r.changes) : '-',
    r.durationMs === undefined ? '-' : describeDuration(r.durationMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) => c.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  const notes = rows.filter((r) => r.note !== undefined).map((r) => `${r.stack}: ${r.result}, ${r.note}`);
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line), ...notes];
}
