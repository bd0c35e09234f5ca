/**
 * The detection-and-response contract every cloud program keeps: which signals raise an alert,
 * which incident playbooks exist, and how the saved query behind each playbook step is named, so
 * the playbooks (docs/playbooks), the programs and the evidence report agree on one list.
 */

/** Misuse signals; each cloud raises at least one alert per signal, sent to the security contacts. */
export const SIGNALS = {
  callerVolume: "one caller's request or token volume far above normal (exfiltration, a leaked session)",
  interventions: 'guardrail / content filter / Model Armor interventions, overall and per caller (prompt injection, data-leak attempts)',
  deniedCalls: 'bursts of access-denied model calls, or calls to models or regions outside the allowlist (probing)',
  tampering: 'a change to the controls themselves: guardrails, filters, logging, audit sinks, trails, endpoint and resource policies, key deletion, policy assignments, org policies, the kill switch (tampering)',
  availability: 'invoker faults, throttling, latency, quota exhaustion (availability)',
} as const;
export type Signal = keyof typeof SIGNALS;

/** Incident playbooks (docs/playbooks/<id>.md), named after the incident types enterprise AI security guidance names. */
export const PLAYBOOKS = {
  'prompt-injection': 'Prompt injection detected',
  'data-leakage': 'Data leakage through the AI',
  'harmful-output': 'Harmful model output',
  'compromised-credentials': 'Compromised credentials or session',
} as const;
export type Playbook = keyof typeof PLAYBOOKS;

/**
 * The name of a saved query a playbook runs, identical on every cloud (CloudWatch Logs Insights
 * query definition, Log Analytics saved search, Cloud Logging saved query): `private-ai/<playbook>/<step>`.
 */
export function savedQueryName(playbook: Playbook, step: string): string {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(step)) throw new Error(`saved query step ${JSON.stringify(step)} must be 1-40 lowercase letters, digits or hyphens, starting with a letter`);
  return `private-ai/${playbook}/${step}`;
}

/** Tag / label key that says which signal an alerting resource watches (AWS tags, Azure tags, Google labels). */
export const SIGNAL_TAG_KEY = 'private-ai-signal';

/**
 * A description that names the signal, for alerting resources that take no tags (EventBridge
 * rules, CloudWatch alarms' descriptions): `[private-ai-signal=<signal>] <text>`.
 */
export function describeSignal(signal: Signal, text: string): string {
  return `[${SIGNAL_TAG_KEY}=${signal}] ${text}`;
}

/** The signal a description, tag value or (kebab-case) Google label value names, or undefined. */
export function signalOf(text: unknown): Signal | undefined {
  if (typeof text !== 'string') return undefined;
  const m = new RegExp(`^\\[${SIGNAL_TAG_KEY}=([a-zA-Z]+)\\]`).exec(text);
  // Google label values are lowercase: `caller-volume` names `callerVolume`.
  const value = (m ? m[1] : text).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return Object.keys(SIGNALS).includes(value) ? (value as Signal) : undefined;
}
