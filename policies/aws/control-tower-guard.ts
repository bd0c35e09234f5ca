import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { IPolicyValidationContextBeta1, IPolicyValidationPluginBeta1, PolicyValidationPluginReportBeta1 } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';

/** The AWS Control Tower proactive-control guard files shipped with `@cdklabs/cdk-validator-cfnguard`. */
export const CONTROL_TOWER_RULES_DIR = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

/** Why a rule file is left out; the validation report and the evidence report both say it. */
export const SKIP_REASON = 'no resource of the types the rule checks occurs in the synthesized templates';

/** A guard rule file and the resource types it checks. */
export interface GuardRuleFile {
  readonly path: string;
  /**
   * Every resource type the file names. `undefined` when the file may apply to a template whatever
   * its resource types: it names none, or it queries resources in a way the reader does not recognise.
   */
  readonly resourceTypes: readonly string[] | undefined;
}

const FULL_LINE_COMMENT = /^\s*#.*$/gm;
// A rule's custom message (`<< ... >>`) is text for people; it often names types it does not query.
const MESSAGE = /<<[\s\S]*?>>/g;
const TYPE_LITERAL = /(["'])(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\1/g;
// The two ways the Control Tower rules reach into `Resources`: a filter on Type (the rule applies
// only to those types), and a lookup by logical ID of a resource referenced from one so filtered.
// `Resources exists` is the is-this-a-template test. Anything else is treated as type-independent.
const KNOWN_RESOURCE_QUERY = /^Resources(?:\s*(?:\.\s*\*\s*)?\[\s*Type\b|\s*\[\s*keys\s*==\s*%\w+\s*\]|\s+exists\b)/;

/**
 * The resource types a guard file checks, read from its code (comments and messages dropped): the
 * types of its `Resources.*[ Type == ... ]` filters, compared directly or through a `let` constant;
 * where a filter has another form, every `"AWS::Service::Resource"` literal of the file. Returns
 * `undefined` (keep the rule) when the file names no type, mentions `AWS::` in any other form (a
 * regex, a wildcard), or queries `Resources` other than by a Type filter.
 */
export function guardResourceTypes(source: string): string[] | undefined {
  const code = source.replace(FULL_LINE_COMMENT, '').replace(MESSAGE, '');
  const types = [...code.matchAll(TYPE_LITERAL)].map((m) => m[2]);
  if (types.length === 0) return undefined;
  if ((code.match(/AWS::/g) ?? []).length !== types.length) return undefined;
  for (const m of code.matchAll(/\bResources\b/g)) {
    if (!KNOWN_RESOURCE_QUERY.test(code.slice(m.index))) return undefined;
  }
  return filteredTypes(code) ?? [...new Set(types)].sort();
}

// `let NAME = "AWS::Service::Resource"`: the constants the Control Tower rules filter through.
const TYPE_CONSTANT = /\blet\s+(\w+)\s*=\s*(["'])(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\2/g;
const TYPE_FILTER_START = /\bResources\s*(?:\.\s*\*\s*)?\[\s*Type\b/g;
const TYPE_FILTER = /^Resources\s*(?:\.\s*\*\s*)?\[\s*Type\s*==\s*(?:%(\w+)|(["'])(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\2)\s*\]/;

/**
 * The types a rule selects the resources it checks by: its `Resources.*[ Type == ... ]` filters,
 * with a literal or a `let` constant. It looks other resources up only from those (a function's
 * subnets, say), so with none of these types present it has nothing to check. `undefined` when a
 * filter has another form (a list, a parameter): then every type the file names counts.
 */
function filteredTypes(code: string): string[] | undefined {
  const constants = new Map([...code.matchAll(TYPE_CONSTANT)].map((m) => [m[1], m[3]]));
  const types: string[] = [];
  for (const start of code.matchAll(TYPE_FILTER_START)) {
    const m = TYPE_FILTER.exec(code.slice(start.index));
    const type = m && (m[3] ?? constants.get(m[1]));
    if (!type) return undefined;
    types.push(type);
  }
  return types.length > 0 ? [...new Set(types)].sort() : undefined;
}

/** Every `.guard` file under a directory, with the resource types it checks, in path order. */
export function readGuardRuleFiles(dir: string): GuardRuleFile[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.guard'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      return { path: file, resourceTypes: guardResourceTypes(fs.readFileSync(file, 'utf8')) };
    });
}

/** The resource types that occur in CloudFormation templates. */
export function templateResourceTypes(templates: ReadonlyArray<{ readonly Resources?: Record<string, { readonly Type?: unknown }> }>): Set<string> {
  return new Set(templates.flatMap((t) => Object.values(t.Resources ?? {}).flatMap((r) => (typeof r.Type === 'string' ? [r.Type] : []))));
}

export interface RuleSelection {
  /** Files that name a type present in the templates, or that may apply whatever the types. */
  readonly selected: GuardRuleFile[];
  /** Files whose every type is absent: cfn-guard would find nothing for them to check. */
  readonly skipped: GuardRuleFile[];
}

/** Splits rule files into those that can apply to templates with these resource types and those that cannot. */
export function selectRuleFiles(files: readonly GuardRuleFile[], presentTypes: ReadonlySet<string>): RuleSelection {
  const selected: GuardRuleFile[] = [];
  const skipped: GuardRuleFile[] = [];
  for (const file of files) {
    const applies = file.resourceTypes === undefined || file.resourceTypes.some((t) => presentTypes.has(t));
    (applies ? selected : skipped).push(file);
  }
  return { selected, skipped };
}

/** The Control Tower control name of a rule file: `ct-s3-pr-11.guard` -> `ct-s3-pr-11`. */
const ruleName = (file: GuardRuleFile) => path.basename(file.path, '.guard');

export interface ControlTowerGuardValidatorProps {
  /**
   * Directory of guard rule files to choose from.
   * @default - the Control Tower rules shipped with `@cdklabs/cdk-validator-cfnguard`
   */
  readonly rulesDir?: string;
  /**
   * How many cfn-guard processes may run at once, each over a contiguous chunk of the templates.
   * cfn-guard's time grows with templates times rules (about 2 s per target stack on this
   * machine), and it uses one core.
   * @default - os.availableParallelism(), at most MAX_DEFAULT_CONCURRENCY
   */
  readonly concurrency?: number;
}

/**
 * The most cfn-guard processes run at once unless `concurrency` says otherwise: a build container
 * (CodeBuild, CI) may report the host's cores rather than its own CPU quota, and each process holds
 * its templates in memory.
 */
export const MAX_DEFAULT_CONCURRENCY = 4;

/** The default `concurrency`: one process per core the machine reports, at most MAX_DEFAULT_CONCURRENCY. */
export function defaultGuardConcurrency(cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.min(cores, MAX_DEFAULT_CONCURRENCY));
}

/** The most cfn-guard output a run may print; Node's 1 MiB default is reached near 23 target stacks. */
const GUARD_MAX_BUFFER = 512 * 1024 * 1024;
const CFN_GUARD_PLUGIN = require.resolve('@cdklabs/cdk-validator-cfnguard');
const CHUNK_RUNNER = path.join(__dirname, 'control-tower-guard-chunks.js');

type GuardReport = Pick<PolicyValidationPluginReportBeta1, 'success' | 'violations'>;

/**
 * `CfnGuardValidator` with the Control Tower rules, evaluating only the rule files that can apply to
 * the synthesized templates. A rule whose resource types are all absent passes vacuously in cfn-guard,
 * so leaving it out changes no finding; it only saves cfn-guard parsing and running it. Findings are
 * the delegate's, unchanged; the report's metadata says how many rules ran and which were skipped, and why.
 *
 * It reports under the delegate's name, `cdk-validator-cfnguard`, so acknowledgements and the
 * evidence report keep working.
 *
 * cfn-guard takes about 2 s per target stack and one core, so with more than one template and more
 * than one core the templates are split into contiguous chunks, one delegate per chunk in a process
 * of its own, all at once; their reports, concatenated in order, are the report one run gives.
 */
export class ControlTowerGuardValidator implements IPolicyValidationPluginBeta1 {
  /** The name it reports under, the delegate's. */
  public static readonly PLUGIN_NAME = 'cdk-validator-cfnguard';
  public readonly name = ControlTowerGuardValidator.PLUGIN_NAME;
  public readonly version?: string;
  private readonly rulesDir: string;
  /** How many cfn-guard processes run at once. */
  public readonly concurrency: number;

  constructor(props: ControlTowerGuardValidatorProps = {}) {
    this.rulesDir = props.rulesDir ?? CONTROL_TOWER_RULES_DIR;
    this.concurrency = props.concurrency ?? defaultGuardConcurrency();
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new Error(`concurrency must be a whole number of at least 1; received ${props.concurrency}`);
    }
    this.version = new CfnGuardValidator({ controlTowerRulesEnabled: false }).version;
  }

  public validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const sources = context.templatePaths.map((p) => fs.readFileSync(p, 'utf8'));
    const { selected, metadata } = controlTowerSelection(
      sources.map((s) => JSON.parse(s)),
      this.rulesDir,
    );
    const rules = selected.map((f) => f.path);
    const chunks = chunkBySize(
      context.templatePaths.map((p, i) => ({ path: p, size: sources[i].length })),
      (t) => t.size,
      this.concurrency,
    ).map((chunk) => chunk.map((t) => t.path));
    let report: PolicyValidationPluginReportBeta1;
    if (selected.length === 0) report = { success: true, violations: [] };
    else if (chunks.length <= 1) report = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules, maxBuffer: GUARD_MAX_BUFFER }).validate(context);
    else report = validateInChunks(rules, chunks);
    return { ...report, metadata: { ...report.metadata, ...metadata } };
  }
}

/**
 * Splits items, in order, into at most `n` contiguous non-empty chunks of about equal total size.
 * Contiguous so that the chunks' findings, concatenated, come in the order one run over all the
 * items gives (cfn-guard reports data files in the order it is given them).
 */
export function chunkBySize<T>(items: readonly T[], sizeOf: (item: T) => number, n: number): T[][] {
  const count = Math.min(n, items.length);
  if (count <= 1) return items.length === 0 ? [] : [[...items]];
  const total = items.reduce((sum, item) => sum + sizeOf(item), 0);
  const chunks: T[][] = [];
  let current: T[] = [];
  let before = 0;
  items.forEach((item, i) => {
    const size = sizeOf(item);
    const target = (total * (chunks.length + 1)) / count;
    // Cut before this item when that ends the chunk nearer its share than taking the item would,
    // and when the items left can still give every remaining chunk one.
    const chunksLeft = count - chunks.length - 1;
    const overshoot = before + size - target;
    const nearer = overshoot > 0 && Math.abs(before - target) < overshoot;
    if (current.length > 0 && chunksLeft > 0 && (nearer || items.length - i === chunksLeft)) {
      chunks.push(current);
      current = [];
    }
    current.push(item);
    before += size;
  });
  chunks.push(current);
  return chunks;
}

/** What one CfnGuardValidator process over a chunk of templates did. */
export interface ChunkRun {
  readonly templatePaths: readonly string[];
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One report from the reports of CfnGuardValidator over chunks of the templates, in chunk order:
 * what one run over all of them would give (its reports carry no metadata). A chunk that failed,
 * or printed no report, throws; it never counts as a pass.
 */
export function mergeChunkReports(runs: readonly ChunkRun[]): GuardReport {
  const reports = runs.map((run) => {
    const which = `CfnGuardValidator over ${run.templatePaths.join(', ')}`;
    if (run.status !== 0) {
      throw new Error(`${which} failed (${run.status === null ? `signal ${run.signal}` : `exit status ${run.status}`}): ${run.stderr.trim().slice(-2000)}`);
    }
    let report: unknown;
    try {
      report = JSON.parse(run.stdout);
    } catch (e) {
      throw new Error(`${which} printed no report (${e instanceof Error ? e.message : String(e)}): ${run.stdout.slice(0, 500)}`);
    }
    if (!isGuardReport(report)) throw new Error(`${which} printed no report: ${run.stdout.slice(0, 500)}`);
    return report;
  });
  return { success: reports.every((r) => r.success), violations: reports.flatMap((r) => r.violations) };
}

function isGuardReport(value: unknown): value is GuardReport {
  const report = value as Partial<GuardReport> | null;
  return typeof report === 'object' && report !== null && typeof report.success === 'boolean' && Array.isArray(report.violations);
}

/** Runs CfnGuardValidator over each chunk in a process of its own, all at once, and merges the reports. */
function validateInChunks(rules: readonly string[], chunks: ReadonlyArray<readonly string[]>): GuardReport {
  const input = JSON.stringify({ plugin: CFN_GUARD_PLUGIN, rules, maxBuffer: GUARD_MAX_BUFFER, chunks });
  const result = spawnSync(process.execPath, [CHUNK_RUNNER], { input, maxBuffer: GUARD_MAX_BUFFER, encoding: 'utf8' });
  if (result.error) throw new Error(`could not run ${CHUNK_RUNNER}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${CHUNK_RUNNER} failed (exit status ${result.status ?? `signal ${result.signal}`}): ${result.stderr.trim().slice(-2000)}`);
  let runs: Array<Omit<ChunkRun, 'templatePaths'>>;
  try {
    runs = JSON.parse(result.stdout);
  } catch (e) {
    throw new Error(`${CHUNK_RUNNER} printed no results (${e instanceof Error ? e.message : String(e)}): ${result.stdout.slice(0, 500)}`);
  }
  if (!Array.isArray(runs) || runs.length !== chunks.length) throw new Error(`${CHUNK_RUNNER} printed results for ${Array.isArray(runs) ? runs.length : 'no'} chunks, expected ${chunks.length}`);
  return mergeChunkReports(runs.map((run, i) => ({ ...run, templatePaths: chunks[i] })));
}

/**
 * The rule files the validator evaluates for these templates, and the counts it reports. The
 * evidence report uses it too when CDK leaves the plugin out of its report (it does when the
 * plugin has neither findings nor acknowledgements), so the counts are always shown.
 */
export function controlTowerSelection(
  templates: ReadonlyArray<{ readonly Resources?: Record<string, { readonly Type?: unknown }> }>,
  rulesDir: string = CONTROL_TOWER_RULES_DIR,
): RuleSelection & { readonly metadata: Record<string, string> } {
  const { selected, skipped } = selectRuleFiles(readGuardRuleFiles(rulesDir), templateResourceTypes(templates));
  return {
    selected,
    skipped,
    metadata: {
      rulesEvaluated: String(selected.length),
      rulesEvaluatedWithoutType: String(selected.filter((f) => f.resourceTypes === undefined).length),
      rulesSkipped: String(skipped.length),
      skipReason: SKIP_REASON,
      skippedRules: skipped.map(ruleName).join(', '),
    },
  };
}
