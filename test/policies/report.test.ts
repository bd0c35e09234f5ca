import { evaluateAws, type AwsInput, type AwsStackInput } from '../../policies/report/aws';
import { buildReport, failures, renderHtml, renderMarkdown, reportFails, type AccessProofResult, type CdkValidationReport } from '../../policies/report';
import { buildRegionPinningScp } from '../../policies/aws/region-pinning-scp';
import { modelKindOf } from '../../lib/config';
import { Template } from 'aws-cdk-lib/assertions';
import { OrganizationStack, organizationStackName } from '../../stacks/aws/organization-stack';
import { configWith, exampleConfig, newApp } from '../support/aws';
import { proofsOf, synthesizedStacks } from '../support/proofs';

// The example app, synthesized once: the report's evaluators read templates, as in `npm run synth`.
const stacks = synthesizedStacks(exampleConfig) as AwsStackInput[];
const scp = buildRegionPinningScp(exampleConfig);
let proofs: AccessProofResult[];
beforeAll(async () => {
  proofs = await proofsOf(exampleConfig, stacks);
});
const input = (mutate?: (templates: AwsStackInput[]) => void, options: { proofs?: readonly AccessProofResult[] | null } = {}): AwsInput => {
  const copy: AwsStackInput[] = JSON.parse(JSON.stringify(stacks));
  mutate?.(copy);
  const given = options.proofs === null ? undefined : (options.proofs ?? proofs);
  return {
    stacks: copy,
    allowedRegions: exampleConfig.aws.allowedRegions,
    scp: scp as unknown as AwsInput['scp'],
    proofs: given,
    embeddingModelIds: exampleConfig.aws.models.filter((m) => modelKindOf(m) === 'embedding').map((m) => m.id),
  };
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

  test('least privilege and data residency cite the access proofs, and fail without them', () => {
    const section = evaluateAws(input());
    const cited = (control: string) => section.controls.find((c) => c.control === control)!.evidence.filter((e) => e.type === 'access proofs (policy evaluation)');
    expect(cited('least-privilege')).toEqual([expect.objectContaining({ resource: 'target prod', ok: true, value: expect.stringMatching(/^\d+ of \d+ requests decided as expected/) })]);
    expect(cited('data-residency')).toEqual([expect.objectContaining({ resource: 'target prod', ok: true })]);
    const unproven = evaluateAws(input(undefined, { proofs: null }));
    expect(statusOf(unproven, 'least-privilege')).toBe('fail');
    expect(statusOf(unproven, 'data-residency')).toBe('fail');
  });

  test('a proof decided otherwise fails its control', () => {
    const wrong = proofs.map((p) => (p.scenario === 'model-user-outside-regions' ? { ...p, evaluated: 'Allowed', ok: false } : p));
    const section = evaluateAws(input(undefined, { proofs: wrong }));
    expect(statusOf(section, 'data-residency')).toBe('fail');
    expect(statusOf(section, 'least-privilege')).toBe('pass');
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
    // One signal without an alarm or rule; alarms that notify nobody; the topic e-mails nobody; no kill switch reader.
    ['misuse-detected', (t: AwsStackInput[]) => {
      for (const r of resourcesOf(platform(t), 'AWS::Events::Rule')) r.Properties!.Description = 'no signal';
      for (const r of resourcesOf(platform(t), 'AWS::CloudWatch::Alarm').filter((a) => String(a.Properties!.AlarmDescription).includes('=tampering]'))) r.Properties!.AlarmDescription = 'no signal';
    }],
    ['misuse-detected', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::CloudWatch::Alarm').forEach((r) => (r.Properties!.AlarmActions = []))],
    ['misuse-detected', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::SNS::Subscription').forEach((r) => (r.Properties!.Protocol = 'sqs'))],
    ['misuse-detected', (t: AwsStackInput[]) => resourcesOf(platform(t), 'AWS::Lambda::Function').forEach((r) => delete (r.Properties!.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables?.MODEL_ACCESS_PARAMETER)],
  ])('a regression in %s shows as FAIL', (control, mutate) => {
    const section = evaluateAws(input(mutate));
    expect(statusOf(section, control)).toBe('fail');
    expect(section.controls.find((c) => c.control === control)!.evidence.some((e) => !e.ok)).toBe(true);
  });
});

describe('AWS evidence of the organisation guards (aws.organization)', () => {
  const orgConfig = configWith((r) => (r.aws.organization = { policyAdminAccount: '999999999999', region: 'eu-central-1', attachTo: ['ou-ab12-cdef3456'] }));
  const orgStack = new OrganizationStack(newApp(), organizationStackName(orgConfig), { config: orgConfig });
  const orgInput: AwsStackInput = { name: orgStack.stackName, account: '999999999999', region: 'eu-central-1', template: Template.fromStack(orgStack).toJSON() as AwsStackInput['template'] };
  const withGuards = (mutate?: (guards: NonNullable<AwsStackInput['template']['Resources']>) => void) =>
    input((t) => {
      const copy: AwsStackInput = JSON.parse(JSON.stringify(orgInput));
      mutate?.(copy.template.Resources!);
      t.push(copy);
    });
  const evidenceOf = (section: ReturnType<typeof evaluateAws>, control: string) => section.controls.find((c) => c.control === control)!.evidence.filter((e) => e.type.startsWith('AWS::Organizations::Policy'));
  const rows = (section: ReturnType<typeof evaluateAws>, control: string) => evidenceOf(section, control).map((e) => `${e.resource.split('/')[1].replace(/[0-9A-F]{8}$/, '')} | ${e.type} | ${e.property} | ${e.value} | ${e.ok}`);
  const policies = (resources: NonNullable<AwsStackInput['template']['Resources']>) => Object.values(resources).filter((r) => r.Type === 'AWS::Organizations::Policy');

  test('with the organisation stack, each deployed guard is evidence of its controls, with its type and targets', () => {
    const section = evaluateAws(withGuards());
    for (const control of ['data-residency', 'immutable-retention', 'encryption-cmk']) expect([control, statusOf(section, control)]).toEqual([control, 'pass']);
    expect(rows(section, 'data-residency')).toEqual([
      `GuardsRegionPinning | AWS::Organizations::Policy SERVICE_CONTROL_POLICY | Deny Bedrock outside allowed regions | ${exampleConfig.aws.allowedRegions.join(', ')}; attached to ou-ab12-cdef3456 | true`,
    ]);
    expect(rows(section, 'immutable-retention')).toEqual([
      'GuardsProtection | AWS::Organizations::Policy SERVICE_CONTROL_POLICY | Deny changing the evidence stores but by the change path | attached to ou-ab12-cdef3456 | true',
      'GuardsResourceProtection | AWS::Organizations::Policy RESOURCE_CONTROL_POLICY | Deny changing the evidence stores or deleting evidence but by the change path | attached to ou-ab12-cdef3456 | true',
      'GuardsRegionPinning | AWS::Organizations::Policy | DeletionPolicy | Retain | true',
      'GuardsProtection | AWS::Organizations::Policy | DeletionPolicy | Retain | true',
      'GuardsResourceProtection | AWS::Organizations::Policy | DeletionPolicy | Retain | true',
    ]);
    expect(rows(section, 'encryption-cmk')).toEqual([
      'GuardsProtection | AWS::Organizations::Policy SERVICE_CONTROL_POLICY | Deny changing, disabling or deleting the blueprint keys but by CloudFormation | attached to ou-ab12-cdef3456 | true',
      'GuardsResourceProtection | AWS::Organizations::Policy RESOURCE_CONTROL_POLICY | Deny changing, disabling or deleting the blueprint keys but by CloudFormation | attached to ou-ab12-cdef3456 | true',
    ]);
    // The deployed policy stands for the file.
    const residency = section.controls.find((c) => c.control === 'data-residency')!.evidence;
    expect(residency.some((e) => e.resource.startsWith('org-guards/'))).toBe(false);
  });

  test('without it, the region-pinning SCP file is the evidence, as before', () => {
    const section = evaluateAws(input());
    expect(section.controls.find((c) => c.control === 'data-residency')!.evidence).toEqual(
      expect.arrayContaining([{ resource: 'org-guards/bedrock-region-pinning.scp.json', type: 'AWS Organizations SCP', property: 'Deny outside allowed regions', value: exampleConfig.aws.allowedRegions.join(', '), ok: true }]),
    );
    expect(section.controls.flatMap((c) => evidenceOf(section, c.control))).toEqual([]);
  });

  test.each([
    ['data-residency', 'a guard attached to nothing', (r: NonNullable<AwsStackInput['template']['Resources']>) => policies(r).forEach((p) => (p.Properties!.TargetIds = []))],
    ['data-residency', 'a region-pinning SCP for other regions', (r: NonNullable<AwsStackInput['template']['Resources']>) => policies(r).forEach((p) => (p.Properties!.Content = JSON.parse(JSON.stringify(p.Properties!.Content).replace(/"eu-west-3"/, '"us-east-1"'))))],
    ['data-residency', 'no region-pinning SCP', (r: NonNullable<AwsStackInput['template']['Resources']>) => policies(r).forEach((p) => (p.Properties!.Content = JSON.parse(JSON.stringify(p.Properties!.Content).replace(/aws:RequestedRegion/g, 'aws:SourceVpce'))))],
    ['immutable-retention', 'a guard deleted with its stack', (r: NonNullable<AwsStackInput['template']['Resources']>) => policies(r).forEach((p) => delete p.DeletionPolicy)],
    ['immutable-retention', 'no guard over the evidence stores', (r: NonNullable<AwsStackInput['template']['Resources']>) => policies(r).forEach((p) => (p.Properties!.Content = JSON.parse(JSON.stringify(p.Properties!.Content).replace(/s3:PutBucketPolicy/g, 's3:GetBucketPolicy'))))],
    ['encryption-cmk', 'no guard over the keys', (r: NonNullable<AwsStackInput['template']['Resources']>) => policies(r).forEach((p) => (p.Properties!.Content = JSON.parse(JSON.stringify(p.Properties!.Content).replace(/kms:ScheduleKeyDeletion/g, 'kms:DescribeKey'))))],
  ])('%s fails with %s', (control, _, mutate) => {
    const section = evaluateAws(withGuards(mutate));
    expect(statusOf(section, control)).toBe('fail');
    expect(section.controls.find((c) => c.control === control)!.evidence.filter((e) => !e.ok).every((e) => e.type.startsWith('AWS::Organizations::Policy'))).toBe(true);
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

  test('every proof is in the report, a proof decided otherwise fails the build, and both renderings show it', () => {
    const r = report();
    expect(r.clouds[0].proofs).toHaveLength(proofs.length);
    expect(reportFails(r)).toBe(false);
    const md = renderMarkdown(r);
    expect(md).toContain('### Who can do what, proven');
    expect(md).toMatch(/\| yes \| other-principal-private-api \| accountAdmin \| execute-api:Invoke on POST \/invoke of the private API .*\| denied \| ExplicitlyDenied \| resource policy: .*#DenyOtherPrincipals \|/);
    const wrong = proofs.map((p, i) => (i === 0 ? { ...p, evaluated: 'ExplicitlyDenied', ok: false } : p));
    const failed = report(validation, input(undefined, { proofs: wrong }));
    expect(failures(failed)).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^aws: access proof prod/${proofs[0].scenario} expected allowed, evaluated ExplicitlyDenied`))]));
    expect(renderHtml(failed)).toMatch(/<details open><summary>Target prod: \d+ of \d+ as expected<\/summary>/);
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
