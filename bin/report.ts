#!/usr/bin/env node
// Writes reports/security-report.{md,html} and reports/controls.json from cdk.out and plans/,
// running the Pulumi policy packs over the offline plans. Exits non-zero when a control fails
// or a rule pack has an unacknowledged (mandatory) finding.
// The organisation config is the one `cdk synth` recorded in the assembly; every plan must have
// been made from the same config.
// Usage: ts-node bin/report.ts [--cdk-out DIR] [--plans DIR] [--out DIR] (defaults: cdk.out, plans, reports)
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { modelKindOf, parseOrgConfig } from '../lib/config';
import { configDigest, RECORDED_CONFIG_FILE, type RecordedConfig } from '../lib/config/record';
import type { Plan } from '../lib/pulumi/plan';
import type { CdkValidationReport, PulumiCloudInput } from '../policies/report';
import type { AwsInput, AwsStackInput, CfnTemplate } from '../policies/report/aws';
import { runCli, shown } from './cli';

const root = path.join(__dirname, '..');
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

/** Where the report reads and writes. */
export interface ReportOptions {
  /** The cloud assembly. @default cdk.out */
  readonly cdkOut?: string;
  /** The offline plans. @default plans */
  readonly plans?: string;
  /** Where the report goes. @default reports */
  readonly out?: string;
}

/** The organisation config recorded in the assembly by the CDK app, validated again. */
export function recordedConfig(cdkOut: string): RecordedConfig {
  const file = path.join(cdkOut, RECORDED_CONFIG_FILE);
  if (!fs.existsSync(file)) {
    throw new Error(`${shown(file)} is missing: the report reads the organisation config the templates were synthesized from; synthesize with this project's CDK app (npm run synth) first`);
  }
  const recorded = readJson<RecordedConfig>(file);
  const config = parseOrgConfig(recorded.config, `${recorded.source}, as recorded in ${shown(file)}`);
  return { source: recorded.source, digest: configDigest(config), config };
}

/** Refuses a plan that was not made from the config the templates were synthesized from. */
function checkProvenance(plan: Plan, planFile: string, recorded: RecordedConfig): void {
  const made = plan.provenance;
  if (!made) throw new Error(`${shown(planFile)} does not say which organisation config it was planned from; plan again with npm run plan (npm run synth does)`);
  if (made.orgConfigDigest !== recorded.digest) {
    throw new Error(
      `${shown(planFile)} was planned from the organisation config ${made.orgConfig}, but the templates in the assembly were synthesized from ${recorded.source} (a different config); run npm run synth with one config so templates and plans agree`,
    );
  }
}

/**
 * CDK leaves a plugin with neither findings nor acknowledgements out of its report, and the
 * Control Tower validator's counts with it: then they are computed from the templates with the
 * validator's own selection, so the report always says how many rules ran and were skipped.
 */
function withControlTowerCounts(
  report: CdkValidationReport,
  stacks: readonly AwsStackInput[],
  guard: { readonly name: string; select(templates: CfnTemplate[]): { metadata: Record<string, string> } },
): CdkValidationReport {
  const name = guard.name;
  const reported = report.pluginReports.find((p) => p.pluginName === name);
  if (reported?.metadata?.rulesEvaluated !== undefined) return report;
  const { metadata } = guard.select(stacks.map((s) => s.template));
  const others = report.pluginReports.filter((p) => p !== reported);
  return { ...report, pluginReports: [...others, { violations: [], ...reported, pluginName: name, metadata: { ...reported?.metadata, ...metadata } }] };
}

/**
 * Every stack of a cloud assembly by its stack name, those of nested assemblies too: with
 * aws.pipeline the stacks the pipeline deploys are in the assemblies of its stages.
 */
export function assemblyStacks(dir: string): AwsStackInput[] {
  type Artifact = { type: string; environment?: string; properties?: { templateFile?: string; stackName?: string; directoryName?: string } };
  const manifest = readJson<{ artifacts: Record<string, Artifact> }>(path.join(dir, 'manifest.json'));
  return Object.entries(manifest.artifacts).flatMap(([id, a]): AwsStackInput[] => {
    if (a.type === 'cdk:cloud-assembly') return assemblyStacks(path.join(dir, a.properties!.directoryName!));
    if (a.type !== 'aws:cloudformation:stack') return [];
    const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(a.environment ?? '') ?? [];
    // A stack's artifact ID is its name unless the name is set, as it is for a stage's stacks.
    return [{ name: a.properties?.stackName ?? id, account, region, template: readJson<CfnTemplate>(path.join(dir, a.properties!.templateFile!)) }];
  });
}

/** Writes the three report files; returns the summary line and the reasons it fails, if any. */
export async function writeReport(options: ReportOptions = {}): Promise<{ summary: string; failures: string[] }> {
  const cdkOut = path.resolve(options.cdkOut ?? path.join(root, 'cdk.out'));
  const plansDir = path.resolve(options.plans ?? path.join(root, 'plans'));
  const outDir = path.resolve(options.out ?? path.join(root, 'reports'));
  const recorded = recordedConfig(cdkOut);
  const config = recorded.config;
  // Loaded once the recorded config is known to be good: the packs and evaluators are large.
  const { CDK_PACKS } = await import('../policies/aws/rule-packs');
  const { controlTowerSelection, ControlTowerGuardValidator } = await import('../policies/aws/control-tower-guard');
  const { buildReport, failures, renderHtml, renderMarkdown } = await import('../policies/report');
  const { evaluatePulumiCloud, PULUMI_CLOUDS } = await import('../policies/report/pulumi-clouds');
  const stacks = assemblyStacks(cdkOut);
  const { ORG_GUARD_FILES } = await import('../policies/aws/org-guards');
  const guards = ORG_GUARD_FILES.map((file) => {
    const guardFile = path.join(cdkOut, 'org-guards', file);
    return { file: shown(guardFile), policy: fs.existsSync(guardFile) ? readJson<unknown>(guardFile) : undefined };
  });
  const scp = guards[0].policy as AwsInput['scp'];
  const { proveAccess } = await import('../policies/aws/access-proofs');
  // Proofs that cannot run (a guard missing, a target's stack missing) are failed rows of the report, not a crash.
  const { CDK_EXECUTION_POLICY_FILE } = await import('../policies/aws/cdk-execution-policy');
  const executionPolicies = Object.fromEntries(
    [...new Set(stacks.map((s) => `${s.account}-${s.region}`))].flatMap((env) => {
      const file = path.join(cdkOut, 'org-guards', CDK_EXECUTION_POLICY_FILE(env));
      return fs.existsSync(file) ? [[env, readJson<unknown>(file)]] : [];
    }),
  );
  const proofs = await proveAccess({ config, stacks, guards, executionPolicies });
  const pulumi: PulumiCloudInput[] = [];
  for (const cloud of PULUMI_CLOUDS) {
    const planFile = path.join(plansDir, `${cloud.cloud}.json`);
    if (!fs.existsSync(planFile)) {
      if (!config[cloud.cloud]) continue;
      throw new Error(`${shown(planFile)} is missing; run npm run plan first (npm run synth does)`);
    }
    const plan = readJson<Plan>(planFile);
    checkProvenance(plan, planFile, recorded);
    pulumi.push(await evaluatePulumiCloud(cloud, plan, config));
  }
  const report = buildReport({
    generatedAt: new Date().toISOString(),
    aws: { stacks, allowedRegions: config.aws.allowedRegions, scp, proofs, embeddingModelIds: config.aws.models.filter((m) => modelKindOf(m) === 'embedding').map((m) => m.id) },
    cdkValidation: withControlTowerCounts(readJson<CdkValidationReport>(path.join(cdkOut, 'validation-report.json')), stacks, { name: ControlTowerGuardValidator.PLUGIN_NAME, select: controlTowerSelection }),
    cdkPacks: CDK_PACKS,
    pulumi,
  });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'controls.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'security-report.md'), renderMarkdown(report));
  fs.writeFileSync(path.join(outDir, 'security-report.html'), renderHtml(report));
  const failed = report.clouds.reduce((n, c) => n + c.controls.filter((r) => r.status === 'fail').length, 0);
  return {
    summary: `security report for ${recorded.source}: ${report.clouds.length} clouds, ${failed} failed controls, ${report.acknowledgements.length} acknowledgements -> ${shown(outDir)}/`,
    failures: failures(report),
  };
}

if (require.main === module) {
  runCli(async () => {
    const { values } = parseArgs({ options: { 'cdk-out': { type: 'string' }, plans: { type: 'string' }, out: { type: 'string' } } });
    const result = await writeReport({ cdkOut: values['cdk-out'], plans: values.plans, out: values.out });
    console.log(result.summary);
    if (result.failures.length > 0) throw new Error(`FAIL: ${result.failures.join('; ')}`);
  });
}
