/**
 * Reads the guardrail outcome from a Converse reply. The trace names the policies that acted; it
 * also quotes the matched text (`match` on words, PII and regexes), which this module never copies.
 */
import type { ConverseTrace, GuardrailAssessment } from '@aws-sdk/client-bedrock-runtime';

export type GuardrailAction = 'NONE' | 'INTERVENED';

/** One policy that blocked, masked or otherwise acted on the input or the output. */
export interface GuardrailIntervention {
  readonly source: 'input' | 'output';
  /** Policy family, e.g. `contentPolicy`, `sensitiveInformationPolicy`. */
  readonly policy: string;
  /** Filter type, PII entity type, topic or regex name, when the trace gives one. */
  readonly type?: string;
  /** What the guardrail did, e.g. `BLOCKED`, `ANONYMIZED`. */
  readonly action: string;
}

export interface GuardrailSummary {
  readonly action: GuardrailAction;
  readonly interventions: readonly GuardrailIntervention[];
}

// Keeps replies and audit records small whatever the trace holds.
const MAX_INTERVENTIONS = 20;
// Assessment members that are bookkeeping, not policies.
const NOT_POLICIES = new Set(['invocationMetrics', 'appliedGuardrailDetails']);

function collect(source: 'input' | 'output', assessment: GuardrailAssessment | undefined, into: GuardrailIntervention[]): void {
  if (typeof assessment !== 'object' || assessment === null) {
    return;
  }
  for (const [policy, detail] of Object.entries(assessment)) {
    if (NOT_POLICIES.has(policy) || typeof detail !== 'object' || detail === null) {
      continue;
    }
    // Each policy holds lists of findings (filters, topics, customWords, piiEntities, regexes...).
    for (const findings of Object.values(detail as Record<string, unknown>)) {
      if (!Array.isArray(findings)) {
        continue;
      }
      for (const finding of findings as unknown[]) {
        const { action, type: findingType, name } = (typeof finding === 'object' && finding !== null ? finding : {}) as Record<string, unknown>;
        if (typeof action !== 'string' || action === 'NONE' || into.length >= MAX_INTERVENTIONS) {
          continue;
        }
        // Topics and regexes are known by their configured name; filters and PII by their type.
        const type = typeof name === 'string' ? name : typeof findingType === 'string' ? findingType : undefined;
        into.push(type === undefined ? { source, policy, action } : { source, policy, type, action });
      }
    }
  }
}

/**
 * The guardrail intervened when Converse says so in `stopReason`, or when any policy in the trace
 * took an action other than NONE (output masking does not always change the stop reason).
 */
export function summarizeGuardrail(stopReason: string | undefined, trace: ConverseTrace | undefined): GuardrailSummary {
  const interventions: GuardrailIntervention[] = [];
  const assessment = trace?.guardrail;
  for (const input of Object.values(assessment?.inputAssessment ?? {})) {
    collect('input', input, interventions);
  }
  for (const outputs of Object.values(assessment?.outputAssessments ?? {})) {
    for (const output of Array.isArray(outputs) ? outputs : []) {
      collect('output', output, interventions);
    }
  }
  const intervened = stopReason === 'guardrail_intervened' || interventions.length > 0;
  return { action: intervened ? 'INTERVENED' : 'NONE', interventions };
}
