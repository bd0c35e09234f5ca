import { SIGNALS, type Signal } from '../../lib/config/detection';
import type { Evidence } from './model';

/** An alerting resource found in a template or plan: the signal it watches and where it notifies. */
export interface AlertSeen {
  readonly resource: string;
  readonly type: string;
  readonly signal: Signal;
  /** What the alert notifies (a topic, action group, channels), or undefined when it notifies nobody. */
  readonly notifies: string | undefined;
}

/**
 * The evidence of the "Misuse detected and stoppable" control: for every signal, each alert that
 * watches it and whether it reaches a notification target (a signal without an alert fails), then
 * the kill switch and the notification targets' own evidence, which each cloud's evaluator reads.
 */
export function misuseEvidence(alerts: readonly AlertSeen[], stopAndNotify: readonly Evidence[]): Evidence[] {
  const evidence: Evidence[] = [];
  for (const signal of Object.keys(SIGNALS) as Signal[]) {
    const watching = alerts.filter((a) => a.signal === signal);
    if (watching.length === 0) evidence.push({ resource: '(none)', type: 'alert', property: `signal ${signal}`, value: 'no alert watches it', ok: false });
    for (const a of watching) evidence.push({ resource: a.resource, type: a.type, property: `signal ${signal}`, value: a.notifies ? `notifies ${a.notifies}` : 'notifies nobody', ok: a.notifies !== undefined });
  }
  return [...evidence, ...stopAndNotify];
}

/** The note every cloud's misuse control carries: which signals and where the playbooks are. */
export const MISUSE_NOTE = 'Every signal of lib/config/detection.ts raises an alert to the security contacts; docs/playbooks says what to run when one fires, and detection.suspendModelAccess is the kill switch.';
