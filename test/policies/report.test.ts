import { evaluateAws, type AwsInput, type AwsStackInput, type CfnTemplate } from '../../policies/report/aws';
import { buildReport, renderHtml, renderMarkdown, reportFails, type CdkValidationReport } from '../../policies/report';
import { buildRegionPinningScp } from '../../policies/aws/region-pinning-scp';
import { addAwsStacks } from '../../stacks/aws';
import { exampleConfig, newApp } from '../support/aws';

// The example app, synthesized once: the report's evaluators read templates, as in `npm run synth`.
const assembly = (() => {
  const app = newApp();
  addAwsStacks(app, exampleConfig);
  return app.synth();
})();
const stacks: AwsStackInput[] = assembly.stacks.map((s) => ({ name: s.stackName, account: s.environment.account, region: s.environment.region, template: s.template as CfnTemplate }));
const input = (mutate?: (templates: AwsStackInput[]) => void): AwsInput => {
  const copy: AwsStackInput[] = JSON.parse(JSON.stringify(stacks));
  mutate?.(copy);
  return { stacks: copy, allowedRegions: exampleConfig.aws.allowedRegions, scp: buildRegionPinningScp(exampleConfig) as unknown as AwsInput['scp'] };
};
const statusOf = (section: ReturnType<typeof evaluateAws>, control: string) => section.controls.find((c) => c.control === control)?.status;
const platform = (t: AwsStackInput[]) => t.find((s) => s.name === 'PrivateAi-example-corp-prod')!;
const resourcesOf = (s: AwsStackInput, type: string) => Object.values(s.template.Resources ?? {}).filter((r) => r.Type === type);

describe('AWS evidence', () => {
  test('the example passes every control, each with evidence', () => {
    const section = evaluateAws(input());
    for (const c of section.controls) {
      expect([c.control, c.status]).toEqual([c.control, 'pass']);
      expect(c.evidence.length).toBeGreaterThan(0);
    }
    expect(Object.keys(section.outputs)).toEqual(expect.arrayContaining(['PrivateAi-example-corp-prod.PrivateApiUrl']));
  });

  test.each([
    ['private-path', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::EC2::VPCEndpoint').forEach((r) => (r.Properties!.PrivateDnsEnabled = false))],
    ['private-path', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::Lambda::Function').forEach((r) => delete r.Properties!.VpcConfig)],
    ['sso-no-keys', (t: AwsStackInput[]) => (platform(t).template.Resources!.Leaked = { Type: 'AWS::IAM::AccessKey', Properties: {} })],
    ['least-privilege', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::EC2::VPCEndpoint').forEach((r) => (r.Properties!.PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] }))],
    ['encryption-cmk', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::KMS::Key').forEach((r) => (r.Properties!.EnableKeyRotation = false))],
    ['tls-in-transit', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::S3::BucketPolicy').forEach((r) => (r.Properties!.PolicyDocument = { Statement: [] }))],
    ['audited', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::CloudTrail::Trail').forEach((r) => (r.Properties!.IsMultiRegionTrail = false))],
    ['immutable-retention', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::S3::Bucket').forEach((r) => delete r.DeletionPolicy)],
    ['data-residency', (t: AwsStackInput[]) => (t[t.indexOf(platform(t))] = { ...platform(t), region: 'us-east-1' })],
    ['prompt-filters', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::Bedrock::Guardrail').forEach((r) => ((r.Properties!.ContentPolicyConfig as { FiltersConfig: unknown[] }).FiltersConfig = []))],
    ['rate-limits', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::ApiGateway::Stage').forEach((r) => (r.Properties!.MethodSettings = [{}]))],
    ['model-pinning', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::EC2::VPCEndpoint').forEach((r) => (r.Properties!.PolicyDocument = JSON.parse(JSON.stringify(r.Properties!.PolicyDocument).replace(/-v1:0/g, ''))))],
  ])('a regression in %s shows as FAIL', (control, mutate) => {
    const section = evaluateAws(input(mutate));
    expect(statusOf(section, control)).toBe('fail');
    expect(section.controls.find((c) => c.control === control)!.evidence.some((e) => !e.ok)).toBe(true);
  });
});

describe('the assembled report', () => {
  const validation: CdkValidationReport = {
    pluginReports: [{ pluginName: 'AwsSolutions', violations: [], suppressedViolations: [{ ruleName: 'AwsSolutions-COG4', acknowledgedAt: 'S/Api', reason: 'IAM auth by design.' }] }],
  };
  const report = (v = validation, aws = input()) => buildReport({ generatedAt: 'now', aws, cdkValidation: v, cdkPacks: ['AwsSolutions', 'Bedrock'], pulumi: [] });

  test('lists every attached pack, with counts, and every acknowledgement with its construct and reason', () => {
    const r = report();
    expect(r.rulePacks).toEqual([
      { cloud: 'aws', pack: 'AwsSolutions', findings: 0, acknowledged: 1, details: [] },
      { cloud: 'aws', pack: 'Bedrock', findings: 0, acknowledged: 0, details: [] },
    ]);
    expect(r.acknowledgements).toEqual([{ cloud: 'aws', pack: 'AwsSolutions', rule: 'AwsSolutions-COG4', construct: 'S/Api', reason: 'IAM auth by design.' }]);
    expect(reportFails(r)).toBe(false);
  });

  test('an unacknowledged finding or a failed control fails the report', () => {
    const finding = report({ pluginReports: [{ pluginName: 'Bedrock', violations: [{ ruleName: 'Bedrock-InvokeScoped', violatingConstructs: [{ constructPath: 'S/P' }] }] }] });
    expect(reportFails(finding)).toBe(true);
    expect(finding.rulePacks[1].details).toEqual(['Bedrock-InvokeScoped at S/P']);
    const failed = report(validation, input((t) => resourcesOf(platform(t), 'AWS::KMS::Key').forEach((k) => (k.Properties!.EnableKeyRotation = false))));
    expect(reportFails(failed)).toBe(true);
    expect(renderMarkdown(failed)).toMatch(/#### FAIL: Encryption at rest with customer keys, rotated/);
  });

  test('the Markdown shows the private path as Mermaid, the outputs, and each acknowledgement with construct and reason', () => {
    const md = renderMarkdown(report());
    expect(md).toContain('```mermaid\nflowchart LR\n  n0["Caller (SSO, SigV4)"]');
    expect(md).toContain('  n0 --> n1');
    expect(md).toMatch(/\| PrivateAi-example-corp-prod\.PrivateApiUrl \| POST /);
    expect(md).toContain('| AWS | AwsSolutions | AwsSolutions-COG4 | S/Api | IAM auth by design. |');
  });

  test('the HTML page is self-contained: inline styles and SVG, no scripts or external references', () => {
    const html = renderHtml(report());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg role="img"');
    expect(html).not.toMatch(/<script|<link|src=|href=|@import/i);
    expect(html).toContain('AwsSolutions-COG4');
    expect(html).toContain('<td><code>S/Api</code></td><td>IAM auth by design.</td>');
    expect(html).toContain('PrivateAi-example-corp-prod.PrivateApiUrl');
  });
});
