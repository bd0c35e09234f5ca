/**
 * The content filters of the blueprint's RAI policy: harm categories at the organisation's
 * severity on prompts and completions, and the prompt-attack shields, all blocking. Pure data,
 * shaped like `cognitiveservices.RaiPolicy` content filters.
 */

/** Severity from which a harm filter blocks; Low blocks the most. */
export type FilterSeverity = 'Low' | 'Medium' | 'High';

/** Where a filter looks: the caller's prompt or the model's completion. */
export type FilterSource = 'Prompt' | 'Completion';

/** One content filter of an RAI policy. */
export interface ContentFilter {
  readonly name: string;
  readonly enabled: boolean;
  readonly blocking: boolean;
  /** Only for the harm categories; the shields have no severity. */
  readonly severityThreshold?: FilterSeverity;
  readonly source: FilterSource;
}

/** Harm categories as the service names them. */
export const HARM_CATEGORIES = ['Hate', 'Sexual', 'Violence', 'Selfharm'] as const;

/** Prompt Shields: direct jailbreak attempts and attacks hidden in documents or tool output. */
export const PROMPT_SHIELDS = ['Jailbreak', 'Indirect Attack'] as const;

/** The Microsoft-managed policy the blueprint's policy starts from. */
export const BASE_RAI_POLICY = 'Microsoft.DefaultV2';

/** Every filter of the policy, for harm categories blocking from `severity` up. */
export function contentFilters(severity: FilterSeverity): ContentFilter[] {
  const harm = (['Prompt', 'Completion'] as const).flatMap((source) =>
    HARM_CATEGORIES.map((name) => ({ name, enabled: true, blocking: true, severityThreshold: severity, source })),
  );
  const shields = PROMPT_SHIELDS.map((name) => ({ name, enabled: true, blocking: true, source: 'Prompt' as const }));
  return [
    ...harm,
    ...shields,
    { name: 'Protected Material Text', enabled: true, blocking: true, source: 'Completion' },
    // Blocking code that resembles public repositories would break coding assistants; the
    // detection still runs and is annotated in the response and in the request logs.
    { name: 'Protected Material Code', enabled: true, blocking: false, source: 'Completion' },
  ];
}
