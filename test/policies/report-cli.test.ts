import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeReport } from '../../bin/report';
import { loadOrgConfig } from '../../lib/config';
import { configDigest, recordConfig } from '../../lib/config/record';
import { controlTowerSelection, SKIP_REASON } from '../../policies/aws/control-tower-guard';
import type { SecurityReport } from '../../policies/report';

const ROOT = path.join(__dirname, '..', '..');

/** Writes `files` (relative path to JSON content) under a new temporary directory. */
function fixture(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-cli-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), JSON.stringify(content));
  }
  return dir;
}

const example = loadOrgConfig();
/** What the CDK app records in the assembly: the config the templates were synthesized from. */
const recorded = recordConfig('lib/config/example.org.json', example);
const provenance = { orgConfig: 'lib/config/example.org.json', orgConfigDigest: configDigest(example), settings: 'fixture' };

describe('bin/report.ts, as npm run synth runs it', () => {
  test('a failing control and a mandatory policy violation exit non-zero, name what failed, and still write the three files', () => {
    // A stack with a bucket and nothing else (no endpoint, no trail, no keys), a CDK report with
    // one unacknowledged finding, and plans in which the Azure account has local auth enabled.
    const dir = fixture({
      'cdk.out/manifest.json': {
        artifacts: { Bare: { type: 'aws:cloudformation:stack', environment: 'aws://111111111111/eu-central-1', properties: { templateFile: 'Bare.template.json' } } },
      },
      'cdk.out/Bare.template.json': { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: {} } } },
      'cdk.out/org-config.json': recorded,
      'cdk.out/validation-report.json': {
        pluginReports: [{ pluginName: 'AwsSolutions', violations: [{ ruleName: 'AwsSolutions-S1', violatingConstructs: [{ constructPath: 'Bare/Bucket' }] }] }],
      },
      'plans/azure.json': {
        cloud: 'azure',
        stack: 'fixture',
        provenance,
        outputs: {},
        resources: [{ type: 'azure-native:cognitiveservices:Account', name: 'account', parent: null, inputs: { location: 'swedencentral', properties: { disableLocalAuth: false } } }],
      },
      'plans/gcp.json': { cloud: 'gcp', stack: 'fixture', provenance, outputs: {}, resources: [] },
    });
    const run = spawnSync(
      process.execPath,
      [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'bin/report.ts', '--cdk-out', path.join(dir, 'cdk.out'), '--plans', path.join(dir, 'plans'), '--out', path.join(dir, 'out')],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.status).toBe(1);
    const failed = run.stderr.trim();
    expect(failed).toMatch(/^FAIL: /);
    expect(failed).toContain('aws: private-path');
    expect(failed).toContain('azure: sso-no-keys');
    expect(failed).toContain('aws: AwsSolutions (1)');
    expect(failed).toMatch(/azure: private-ai-azure \(\d+\)/);
    expect(failed).toMatch(/gcp: private-ai-gcp \(\d+\)/);

    const report = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'controls.json'), 'utf8')) as SecurityReport;
    expect(report.clouds.map((c) => c.cloud)).toEqual(['aws', 'azure', 'gcp']);
    expect(report.rulePacks.find((p) => p.pack === 'private-ai-azure')!.details).toContain(
      'mandatory: azure-ai-account-no-local-auth: disableLocalAuth is false; set it to true so no shared API key can call the models (azure-native:cognitiveservices:Account::account)',
    );
    expect(fs.readFileSync(path.join(dir, 'out', 'security-report.md'), 'utf8')).toContain('| Private network path | FAIL | FAIL | FAIL |');
    // CDK left the Control Tower validator out of its report (no finding, no acknowledgement): the
    // counts are computed from the templates with the validator's own selection.
    const guard = report.rulePacks.find((p) => p.pack === 'cdk-validator-cfnguard')!;
    const { selected, skipped } = controlTowerSelection([{ Resources: { Bucket: { Type: 'AWS::S3::Bucket' } } }]);
    expect(guard.rules).toEqual({ evaluated: selected.length, skipped: skipped.length, skipReason: SKIP_REASON });
    expect(selected.length).toBeGreaterThan(0);
    expect(guard.details[0]).toBe(`${selected.length} rules evaluated, ${skipped.length} skipped (${SKIP_REASON})`);
    expect(fs.readFileSync(path.join(dir, 'out', 'security-report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });

  describe('judges the artefacts against the config they were made from', () => {
    const assembly = {
      'cdk.out/manifest.json': { artifacts: {} },
      'cdk.out/validation-report.json': { pluginReports: [] },
    };

    test('an assembly without the recorded config is refused, naming the file and the fix', async () => {
      const dir = fixture(assembly);
      await expect(writeReport({ cdkOut: path.join(dir, 'cdk.out'), plans: path.join(dir, 'plans'), out: path.join(dir, 'out') })).rejects.toThrow(
        `${path.join(dir, 'cdk.out', 'org-config.json')} is missing: the report reads the organisation config the templates were synthesized from; synthesize with this project's CDK app (npm run synth) first`,
      );
    });

    test('a plan made from another organisation config is refused, naming both', async () => {
      const other = { ...provenance, orgConfig: 'acme.json', orgConfigDigest: 'sha256:0000' };
      const dir = fixture({ ...assembly, 'cdk.out/org-config.json': recorded, 'plans/azure.json': { cloud: 'azure', stack: 'x', provenance: other, outputs: {}, resources: [] } });
      await expect(writeReport({ cdkOut: path.join(dir, 'cdk.out'), plans: path.join(dir, 'plans'), out: path.join(dir, 'out') })).rejects.toThrow(
        `${path.join(dir, 'plans', 'azure.json')} was planned from the organisation config acme.json, but the templates in the assembly were synthesized from lib/config/example.org.json (a different config); run npm run synth with one config so templates and plans agree`,
      );
    });

    test('a plan that does not say where it came from is refused', async () => {
      const dir = fixture({ ...assembly, 'cdk.out/org-config.json': recorded, 'plans/azure.json': { cloud: 'azure', stack: 'x', outputs: {}, resources: [] } });
      await expect(writeReport({ cdkOut: path.join(dir, 'cdk.out'), plans: path.join(dir, 'plans'), out: path.join(dir, 'out') })).rejects.toThrow(
        /azure\.json does not say which organisation config it was planned from; plan again with npm run plan \(npm run synth does\)$/,
      );
    });

    test('the recorded config is validated again, so an edited record cannot pass for a valid config', async () => {
      const edited = { ...recorded, config: { ...example, aws: { ...example.aws, allowedRegions: ['eu-central-1', 'eu-central-1'] } } };
      const dir = fixture({ ...assembly, 'cdk.out/org-config.json': edited });
      await expect(writeReport({ cdkOut: path.join(dir, 'cdk.out'), plans: path.join(dir, 'plans'), out: path.join(dir, 'out') })).rejects.toThrow(
        `invalid organisation config (lib/config/example.org.json, as recorded in ${path.join(dir, 'cdk.out', 'org-config.json')}):`,
      );
    });
  });
});
