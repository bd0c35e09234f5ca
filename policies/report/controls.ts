import type { Control } from './model';

/** The checklist a security reviewer brings, in the order the report shows it. */
export const CONTROLS: readonly Control[] = [
  { id: 'private-path', title: 'Private network path', requirement: 'Model traffic reaches the provider only through private endpoints; no public network access or internet route.' },
  { id: 'sso-no-keys', title: 'SSO, no keys', requirement: 'People sign in with work accounts (groups); no long-lived access keys, local auth or service-account keys.' },
  { id: 'least-privilege', title: 'Least privilege', requirement: 'Model access names the allowlisted models and the narrowest roles; no wildcard or owner-level grants.' },
  { id: 'encryption-cmk', title: 'Encryption at rest with customer keys, rotated', requirement: 'Keys are customer-managed with rotation; stores of prompts, logs and evidence use them.' },
  { id: 'tls-in-transit', title: 'TLS in transit', requirement: 'Stores refuse plain-text access; the TLS floor is enforced where the platform lets it be set.' },
  { id: 'audited', title: 'Every request audited', requirement: 'API and data-access audit logs, including model invocations, are captured.' },
  { id: 'immutable-retention', title: 'Immutable retention', requirement: 'Audit evidence is retained for the configured period and cannot be deleted early; it survives teardown.' },
  { id: 'data-residency', title: 'Data residency', requirement: 'Resources and model calls stay in the allowed regions; guards refuse others.' },
  { id: 'prompt-filters', title: 'Prompt-injection and data-loss filters', requirement: 'Prompt attacks and sensitive data are filtered on every model call.' },
  { id: 'rate-limits', title: 'Rate limits', requirement: 'Callers and models are throttled so one client cannot exhaust capacity.' },
  {
    id: 'misuse-detected',
    title: 'Misuse detected and stoppable',
    requirement: 'Each misuse signal (caller volume, filter interventions, denied calls, tampering with the controls, availability) raises an alert that reaches the security contacts, and a kill switch stops all model access.',
  },
  { id: 'model-pinning', title: 'Model version pinning', requirement: 'Models are pinned to explicit versions; no automatic upgrades.' },
];
