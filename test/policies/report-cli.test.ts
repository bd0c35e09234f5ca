import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
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

describe('bin/report.ts, as npm run synth runs it', () => {
  test('a failing control and a mandatory policy violation exit non-zero, name what failed, and still write the three files', () => {
    // A stack with a bucket and nothing else (no endpoint, no trail, no keys), a CDK report with
    // one unacknowledged finding, and plans in which the Azure account has local auth enabled.
    const dir = fixture({
      'cdk.out/manifest.json': {
        artifacts: { Bare: { type: 'aws:cloudformation:stack', environment: 'aws://111111111111/eu-central-1', properties: { templateFile: 'Bare.template.json' } } },
      },
      'cdk.out/Bare.template.json': { Resources: { Bucket: { Type: 'AWS::S3::Bucket', Properties: {} } } },
      'cdk.out/validation-report.json': {
        pluginReports: [{ pluginName: 'AwsSolutions', violations: [{ ruleName: 'AwsSolutions-S1', violatingConstructs: [{ constructPath: 'Bare/Bucket' }] }] }],
      },
      'plans/azure.json': {
        cloud: 'azure',
        stack: 'fixture',
        outputs: {},
        resources: [{ type: 'azure-native:cognitiveservices:Account', name: 'account', parent: null, inputs: { location: 'swedencentral', properties: { disableLocalAuth: false } } }],
      },
      'plans/gcp.json': { cloud: 'gcp', stack: 'fixture', outputs: {}, resources: [] },
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
    expect(fs.readFileSync(path.join(dir, 'out', 'security-report.html'), 'utf8')).toMatch(/^<!doctype html>/i);
  });
});
