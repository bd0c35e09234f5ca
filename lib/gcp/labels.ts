/**
 * Google Cloud labels from the organisation's tags. Label keys and values allow only lowercase
 * letters, digits, underscores and hyphens, at most 63 characters, and keys start with a letter
 * (https://cloud.google.com/resource-manager/docs/labels-overview#requirements), so tags such
 * as `costCentre: CC-0000` or `owner: platform-team@example.com` are rewritten, never dropped.
 */

import { tagKey } from '../config/naming';

/** Most labels a resource may carry. */
export const MAX_LABELS = 64;
const MAX_LABEL_CHARS = 63;

/** A tag key as a label key, hyphenated as AWS and Azure tag keys are: `costCentre` becomes `cost-centre`. */
export function labelKey(key: string): string {
  const allowed = tagKey(key).replace(/[^a-z0-9_-]/g, '_');
  if (allowed.length === 0) throw new Error('a label key must not be empty; rename the tag');
  // Keys must start with a lowercase letter; a digit or symbol first gets a neutral prefix.
  const keyed = /^[a-z]/.test(allowed) ? allowed : `k_${allowed}`;
  return keyed.slice(0, MAX_LABEL_CHARS);
}

/** A tag value as a label value: `platform-team@example.com` becomes `platform-team_example_com`. */
export function labelValue(value: string): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, MAX_LABEL_CHARS);
}

/**
 * Labels for every labelable resource of the blueprint. Throws when two tags map to the same
 * label key, because one of them would otherwise be lost silently.
 */
export function gcpLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  const sources: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    const k = labelKey(key);
    if (k in sources) {
      throw new Error(`tags ${JSON.stringify(sources[k])} and ${JSON.stringify(key)} both become the label key ${JSON.stringify(k)}; rename one of them`);
    }
    sources[k] = key;
    labels[k] = labelValue(value);
  }
  if (Object.keys(labels).length > MAX_LABELS) {
    throw new Error(`${Object.keys(labels).length} labels given; Google Cloud allows at most ${MAX_LABELS} per resource`);
  }
  return labels;
}
