import * as fs from 'fs';
import * as path from 'path';
import { exampleDocument, runBin, tempDir, writeConfig } from './support';

/**
 * Every command that reads the organisation config prints a bad one the same way: the listed
 * problems and nothing else (no stack trace, no source excerpt, no object dump), exit code 1.
 */
function badDocument() {
  const doc = exampleDocument() as ReturnType<typeof exampleDocument> & { aws: Record<string, unknown> };
  // A misspelt field, an account written as a number, and a target region outside the allowlist.
  doc.aws.ssmPrefx = doc.aws.ssmPrefix;
  delete doc.aws.ssmPrefix;
  const target = doc.aws.targets[0] as Record<string, unknown>;
  target.account = 111111111111;
  target.region = 'us-east-1';
  return doc;
}

const problems = (source: string) =>
  [
    `invalid organisation config (${source}):`,
    '  - aws.targets[0].account: received 111111111111; must be a 12-digit AWS account ID written as a string, not a number (quote it as a string: "111111111111")',
    '  - aws.ssmPrefx: received "/private-ai"; is not a known setting; check its spelling against lib/config/schema.ts',
    '  - aws.targets[0].region: received "us-east-1"; region us-east-1 is not allowed by data residency policy; allowed: eu-central-1, eu-west-1, eu-north-1, eu-west-3 (add it to aws.allowedRegions or deploy to an allowed region)',
    '',
  ].join('\n');

describe('a bad organisation config, through each command', () => {
  const config = writeConfig(badDocument());

  test('npm run synth -- --config: the problems, before any tool runs', () => {
    const out = tempDir('synth');
    const run = runBin('synth.ts', ['--config', config, '--cdk-out', path.join(out, 'cdk.out'), '--plans', path.join(out, 'plans'), '--reports', path.join(out, 'reports')]);
    expect([run.status, run.stdout, run.stderr]).toEqual([1, '', problems(config)]);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  test('the CDK app (cdk synth -c config=...), with the same problems', () => {
    const run = runBin('app.ts', [], { CDK_CONTEXT_JSON: JSON.stringify({ config }), CDK_OUTDIR: tempDir('cdk.out') });
    expect([run.status, run.stdout, run.stderr]).toEqual([1, '', problems(config)]);
  });

  test("the CDK app's -c targets: malformed JSON names the targets context, where it broke, and how to pass it", () => {
    const run = runBin('app.ts', [], { CDK_CONTEXT_JSON: JSON.stringify({ targets: '[{"name": }]' }), CDK_OUTDIR: tempDir('cdk.out') });
    expect([run.status, run.stderr]).toEqual([
      1,
      [
        'invalid organisation config (lib/config/example.org.json):',
        `  - aws.targets: received "[{\\"name\\": }]"; the targets context is not valid JSON: Unexpected token '}' at line 1, column 11; pass a JSON list of targets, e.g. -c targets='[{"name":"prod","account":"123456789012","region":"eu-central-1"}]'`,
        '',
      ].join('\n'),
    ]);
  });

  test('npm run plan -- --config, with the same problems', () => {
    const run = runBin('plan.ts', ['--config', config, '--out', tempDir('plans')], { PRIVATEAI_CONFIG: '' });
    expect([run.status, run.stdout, run.stderr]).toEqual([1, '', problems(config)]);
  });

  test('the report, when the config recorded in the assembly is bad', () => {
    const cdkOut = tempDir('cdk.out');
    fs.writeFileSync(path.join(cdkOut, 'org-config.json'), JSON.stringify({ source: 'org.json', digest: 'sha256:0', config: badDocument() }));
    const run = runBin('report.ts', ['--cdk-out', cdkOut, '--plans', tempDir('plans'), '--out', tempDir('reports')]);
    expect([run.status, run.stdout, run.stderr]).toEqual([1, '', problems(`org.json, as recorded in ${path.join(cdkOut, 'org-config.json')}`)]);
  });
});
