import { evaluateAws, type AwsInput } from './aws';
import { CONTROLS } from './controls';
import type { Acknowledgement, CloudSection, RulePackResult, SecurityReport } from './model';
import { mandatoryViolations, type PolicyRunResult } from '../pulumi/offline';

export * from './model';
export { renderHtml, renderMarkdown } from './render';

/** CDK's validation report (cdk.out/validation-report.json), the parts the report reads. */
export interface CdkValidationReport {
  readonly pluginReports: Array<{
    readonly pluginName: string;
    /** What the plugin says about its run; `rulesEvaluated`, `rulesSkipped` and `skipReason` are shown. */
    readonly metadata?: Readonly<Record<string, string>>;
    readonly violations: Array<{ readonly ruleName: string; readonly violatingConstructs?: Array<{ constructPath: string }> }>;
    readonly suppressedViolations?: Array<{ readonly ruleName: string; readonly acknowledgedAt: string; readonly reason: string }>;
  }>;
}

/** A Pulumi cloud: its computed section and its policy pack run. */
export interface PulumiCloudInput {
  readonly section: CloudSection;
  readonly policies: PolicyRunResult;
}

export interface ReportInput {
  readonly generatedAt: string;
  readonly aws: AwsInput;
  readonly cdkValidation: CdkValidationReport;
  /** Packs attached to the CDK app; packs absent from CDK's report had nothing to say. */
  readonly cdkPacks: readonly string[];
  readonly pulumi: readonly PulumiCloudInput[];
}

/** The rule counts a plugin reports in its metadata (the Control Tower guard plugin does), if it does. */
function ruleCounts(metadata: Readonly<Record<string, string>> | undefined): RulePackResult['rules'] {
  if (metadata?.rulesEvaluated === undefined || metadata.rulesSkipped === undefined) return undefined;
  return { evaluated: Number(metadata.rulesEvaluated), skipped: Number(metadata.rulesSkipped), skipReason: metadata.skipReason ?? 'reason not given' };
}

/** Assembles the report from computed sections and rule-pack results. */
export function buildReport(input: ReportInput): SecurityReport {
  const rulePacks: RulePackResult[] = [];
  const acknowledgements: Acknowledgement[] = [];
  for (const pack of input.cdkPacks) {
    const r = input.cdkValidation.pluginReports.find((p) => p.pluginName === pack);
    const suppressed = r?.suppressedViolations ?? [];
    const rules = ruleCounts(r?.metadata);
    rulePacks.push({
      cloud: 'aws',
      pack,
      findings: r?.violations.length ?? 0,
      acknowledged: suppressed.length,
      ...(rules && { rules }),
      details: [
        ...(rules ? [`${rules.evaluated} rules evaluated, ${rules.skipped} skipped (${rules.skipReason})`] : []),
        ...(r?.violations ?? []).map((v) => `${v.ruleName} at ${(v.violatingConstructs ?? []).map((c) => c.constructPath).join(', ')}`),
      ],
    });
    for (const s of suppressed) acknowledgements.push({ cloud: 'aws', pack, rule: s.ruleName, construct: s.acknowledgedAt, reason: s.reason });
  }
  for (const p of input.pulumi) {
    rulePacks.push({
      cloud: p.section.cloud,
      pack: p.policies.pack,
      findings: mandatoryViolations(p.policies).length,
      acknowledged: 0,
      passed: p.policies.passed.length,
      details: [
        `${p.policies.passed.length} policies passed: ${p.policies.passed.join(', ')}`,
        ...p.policies.violations.map((v) => `${v.enforcementLevel}: ${v.policy}: ${v.message}${v.resource ? ` (${v.resource})` : ''}`),
        ...p.policies.notApplicable.map((n) => `not applicable: ${n.policy}: ${n.reason}`),
      ],
    });
  }
  return {
    generatedAt: input.generatedAt,
    controls: CONTROLS,
    clouds: [evaluateAws(input.aws), ...input.pulumi.map((p) => p.section)],
    rulePacks,
    acknowledgements,
  };
}
