/**
 * The security report's data model. Every status is computed from synthesized templates and
 * offline plans by the evaluators; nothing here is written by hand.
 */

export type Cloud = 'aws' | 'azure' | 'gcp';
export type Status = 'pass' | 'fail' | 'not applicable';

/** A control a security checklist asks for. */
export interface Control {
  readonly id: string;
  readonly title: string;
  /** What must be true for the control to pass. */
  readonly requirement: string;
}

/** The resource and property that prove (or disprove) a control. */
export interface Evidence {
  readonly resource: string;
  readonly type: string;
  readonly property: string;
  /** The value found, short. */
  readonly value: string;
  readonly ok: boolean;
}

export interface ControlResult {
  readonly control: string;
  readonly status: Status;
  readonly evidence: Evidence[];
  /** Why the status is what it is, when evidence alone does not say (e.g. not applicable). */
  readonly note?: string;
}

export interface RulePackResult {
  readonly cloud: Cloud;
  readonly pack: string;
  readonly findings: number;
  readonly acknowledged: number;
  readonly passed?: number;
  /** Rules the pack evaluated and skipped, when it says (the Control Tower guard plugin skips rules for absent resource types). */
  readonly rules?: { readonly evaluated: number; readonly skipped: number; readonly skipReason: string };
  readonly details: string[];
}

export interface Acknowledgement {
  readonly cloud: Cloud;
  readonly pack: string;
  readonly rule: string;
  readonly construct: string;
  readonly reason: string;
}

/** One request evaluated by the access proofs: who, what, the decision expected and the one evaluated. */
export interface AccessProofResult {
  readonly target: string;
  readonly scenario: string;
  readonly who: string;
  readonly request: string;
  readonly expected: 'allowed' | 'denied';
  readonly evaluated: string;
  /** The statements that decided, by policy layer, policy and Sid. */
  readonly deciding: readonly string[];
  readonly why: string;
  readonly ok: boolean;
}

export interface CloudSection {
  readonly cloud: Cloud;
  /** Stacks (AWS) or Pulumi stacks the section was computed from. */
  readonly sources: string[];
  readonly controls: ControlResult[];
  /** What application teams consume: output name to value or description. */
  readonly outputs: Record<string, string>;
  /** Who can do what, proven by policy evaluation (AWS). */
  readonly proofs?: readonly AccessProofResult[];
}

export interface SecurityReport {
  readonly generatedAt: string;
  readonly controls: readonly Control[];
  readonly clouds: CloudSection[];
  readonly rulePacks: RulePackResult[];
  readonly acknowledgements: Acknowledgement[];
}

/** A control passes when it has evidence and all of it holds. */
export function statusOf(evidence: Evidence[]): Status {
  return evidence.length > 0 && evidence.every((e) => e.ok) ? 'pass' : 'fail';
}

/** What fails the build: each failed control and each pack with unacknowledged (mandatory) findings. */
export function failures(report: SecurityReport): string[] {
  return [
    ...report.clouds.flatMap((c) => c.controls.filter((r) => r.status === 'fail').map((r) => `${c.cloud}: ${r.control}`)),
    ...report.clouds.flatMap((c) =>
      (c.proofs ?? []).filter((p) => !p.ok).map((p) => `${c.cloud}: access proof ${p.target}/${p.scenario} expected ${p.expected}, evaluated ${p.evaluated}: ${p.request}`),
    ),
    ...report.rulePacks.filter((p) => p.findings > 0).map((p) => `${p.cloud}: ${p.pack} (${p.findings})`),
  ];
}

/** Whether the report must fail the build: a failed control or an unacknowledged finding. */
export function reportFails(report: SecurityReport): boolean {
  return failures(report).length > 0;
}
