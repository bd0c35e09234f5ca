/**
 * Reads the guardrail outcome from a Converse reply, or from ApplyGuardrail when the invoker
 * screens embedding input itself. The trace names the policies that acted; it also quotes the
 * matched text (`match` on words, PII and regexes), which this module never copies.
 */
import type { ApplyGuardrailCommandOutput, ConverseTrace, GuardrailAssessment } from '@aws-sdk/client-bedrock-runtime';
import { malformedUpstreamReply } from './errors';

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
        if (typeof action !== 'string' || action === 'NONE') {
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
  return { action: intervened ? 'INTERVENED' : 'NONE', interventions: interventions.slice(0, MAX_INTERVENTIONS) };
}

/** What ApplyGuardrail made of the texts to embed. */
export interface InputScreening {
  readonly summary: GuardrailSummary;
  /** The texts to embed: the caller's, or the guardrail's masked copies when it only anonymized. */
  readonly texts: readonly string[];
  /** The guardrail's answer in place of blocked input (its blocked-input message); undefined when nothing was blocked. */
  readonly blockedMessage?: string;
}

/**
 * Reads an ApplyGuardrail (source INPUT) reply for `texts`, sent one content block per text.
 * A policy that blocked means nothing is embedded, as Converse answers blocked input with the
 * guardrail's message instead of calling the model. A guardrail that only anonymized (PII masked)
 * lets the request through with the masked texts, which its outputs give one per content block;
 * if they do not line up with the texts the reply is malformed, because embedding the originals
 * would let through exactly what the guardrail masked. An intervention that names no policy is
 * treated as a block.
 */
export function readScreening(out: Pick<ApplyGuardrailCommandOutput, 'action' | 'assessments' | 'outputs' | '$metadata'>, texts: readonly string[]): InputScreening {
  const upstreamRequestId = out?.$metadata?.requestId;
  if (out?.action !== 'NONE' && out?.action !== 'GUARDRAIL_INTERVENED') {
    throw malformedUpstreamReply('action', upstreamRequestId);
  }
  const interventions: GuardrailIntervention[] = [];
  for (const assessment of Array.isArray(out.assessments) ? out.assessments : []) {
    collect('input', assessment, interventions);
  }
  const summary: GuardrailSummary = {
    action: out.action === 'GUARDRAIL_INTERVENED' || interventions.length > 0 ? 'INTERVENED' : 'NONE',
    interventions: interventions.slice(0, MAX_INTERVENTIONS),
  };
  if (out.action === 'NONE') {
    return { summary, texts };
  }
  const outputs = (Array.isArray(out.outputs) ? out.outputs : []).map((o) => o?.text);
  const onlyMasked = interventions.length > 0 && interventions.every((i) => i.action === 'ANONYMIZED');
  if (!onlyMasked) {
    const message = outputs.filter((t): t is string => typeof t === 'string').join('\n');
    return { summary, texts: [], blockedMessage: message };
  }
  if (outputs.length !== texts.length || !outputs.every((t): t is string => typeof t === 'string')) {
    throw malformedUpstreamReply('outputs', upstreamRequestId);
  }
  return { summary, texts: outputs };
}
