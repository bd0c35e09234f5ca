#!/usr/bin/env node
// Writes reports/security-report.{md,html} and reports/controls.json from cdk.out and plans/,
// running the Pulumi policy packs over the offline plans. Exits non-zero when a control fails
// or a rule pack has an unacknowledged (mandatory) finding.
// Usage: ts-node bin/report.ts [--cdk-out DIR] [--plans DIR] [--out DIR] (defaults: cdk.out, plans, reports)
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { loadOrgConfig } from '../lib/config';
import type { Plan } from '../lib/pulumi/plan';
import { CDK_PACKS } from '../policies/aws/rule-packs';
import { buildReport, failures, renderHtml, renderMarkdown, type CdkValidationReport, type PulumiCloudInput } from '../policies/report';
import type { AwsStackInput, CfnTemplate } from '../policies/report/aws';
import { evaluatePulumiCloud, PULUMI_CLOUDS } from '../policies/report/pulumi-clouds';

const root = path.join(__dirname, '..');
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'cdk-out': { type: 'string' }, plans: { type: 'string' }, out: { type: 'string' } } });
  const cdkOut = path.resolve(values['cdk-out'] ?? path.join(root, 'cdk.out'));
  const plansDir = path.resolve(values.plans ?? path.join(root, 'plans'));
  const outDir = path.resolve(values.out ?? path.join(root, 'reports'));
  const config = loadOrgConfig();
  const manifest = readJson<{ artifacts: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }> }>(path.join(cdkOut, 'manifest.json'));
  const stacks: AwsStackInput[] = Object.entries(manifest.artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([name, a]) => {
      const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(a.environment ?? '') ?? [];
      return { name, account, region, template: readJson<CfnTemplate>(path.join(cdkOut, a.properties!.templateFile!)) };
    });
  const scpFile = path.join(cdkOut, 'org-guards', 'bedrock-region-pinning.scp.json');
  const pulumi: PulumiCloudInput[] = [];
  for (const cloud of PULUMI_CLOUDS) {
    const planFile = path.join(plansDir, `${cloud.cloud}.json`);
    if (!fs.existsSync(planFile)) {
      if (!config[cloud.cloud]) continue;
      throw new Error(`${path.relative(root, planFile)} is missing; run npm run plan first (npm run synth does)`);
    }
    pulumi.push(await evaluatePulumiCloud(cloud, readJson<Plan>(planFile), config));
  }
  const report = buildReport({
    generatedAt: new Date().toISOString(),
    aws: { stacks, allowedRegions: config.aws.allowedRegions, scp: fs.existsSync(scpFile) ? readJson(scpFile) : undefined },
    cdkValidation: readJson<CdkValidationReport>(path.join(cdkOut, 'validation-report.json')),
    cdkPacks: CDK_PACKS,
    pulumi,
  });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'controls.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'security-report.md'), renderMarkdown(report));
  fs.writeFileSync(path.join(outDir, 'security-report.html'), renderHtml(report));
  const failed = report.clouds.reduce((n, c) => n + c.controls.filter((r) => r.status === 'fail').length, 0);
  console.log(`security report: ${report.clouds.length} clouds, ${failed} failed controls, ${report.acknowledgements.length} acknowledgements -> ${path.relative(process.cwd(), outDir) || '.'}/`);
  const reasons = failures(report);
  if (reasons.length > 0) {
    console.error(`FAIL: ${reasons.join('; ')}`);
    process.exit(1);
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
