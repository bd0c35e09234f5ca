import { buildReport, renderHtml, renderMarkdown, type CdkValidationReport } from '../../policies/report';

// The rule-pack section shows what the Control Tower guard plugin says in its metadata.
const validation: CdkValidationReport = {
  pluginReports: [
    {
      pluginName: 'cdk-validator-cfnguard',
      metadata: { rulesEvaluated: '55', rulesEvaluatedWithoutType: '1', rulesSkipped: '182', skipReason: 'no resource of the types the rule checks occurs in the synthesized templates', skippedRules: 'ct-rds-pr-1, ct-dynamodb-pr-1' },
      violations: [],
      suppressedViolations: [{ ruleName: 's3_bucket_logging_enabled_check', acknowledgedAt: 'S/Logs', reason: 'Access logs of the access-log bucket would loop.' }],
    },
    { pluginName: 'AwsSolutions', violations: [] },
  ],
};
const report = () => buildReport({ generatedAt: 'now', aws: { stacks: [], allowedRegions: ['eu-central-1'] }, cdkValidation: validation, cdkPacks: ['AwsSolutions', 'cdk-validator-cfnguard'], pulumi: [] });
const line = '55 rules evaluated, 182 skipped (no resource of the types the rule checks occurs in the synthesized templates)';

test('the rule-pack section says how many Control Tower rules were evaluated and skipped, and why', () => {
  const r = report();
  expect(r.rulePacks.find((p) => p.pack === 'cdk-validator-cfnguard')).toEqual({
    cloud: 'aws',
    pack: 'cdk-validator-cfnguard',
    findings: 0,
    acknowledged: 1,
    rules: { evaluated: 55, skipped: 182, skipReason: 'no resource of the types the rule checks occurs in the synthesized templates' },
    details: [line],
  });
  expect(renderMarkdown(r)).toContain(`| AWS | cdk-validator-cfnguard | 0 | 1 | ${line} |`);
  expect(renderHtml(r)).toContain(`<td>cdk-validator-cfnguard</td><td>0</td><td>1</td><td>${line}</td>`);
});

test('a pack that reports no rule counts gets none', () => {
  const pack = report().rulePacks.find((p) => p.pack === 'AwsSolutions')!;
  expect(pack.rules).toBeUndefined();
  expect(pack.details).toEqual([]);
});
