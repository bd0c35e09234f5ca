/**
 * Limits of the clouds' services that the organisation config must respect, checked with the
 * rest of the config (one pass) and used by the components that create the services.
 */

/** Longest interactive retention of a Log Analytics workspace (PerGB2018), in days. */
export const LOG_ANALYTICS_MAX_RETENTION_DAYS = 730;

/** Longest retention of a Cloud Logging bucket, in days. */
export const CLOUD_LOGGING_MAX_RETENTION_DAYS = 3650;

/**
 * What is wrong with keeping logs `days` days in a Cloud Logging bucket, and the fix; undefined
 * when a bucket accepts it. The config check and the component that creates the bucket both call
 * it, so the limit is stated once.
 */
export function logRetentionProblem(days: number): string | undefined {
  if (Number.isInteger(days) && days >= 1 && days <= CLOUD_LOGGING_MAX_RETENTION_DAYS) return undefined;
  return `must be a whole number of days between 1 and ${CLOUD_LOGGING_MAX_RETENTION_DAYS}: a Cloud Logging bucket keeps logs at most ${CLOUD_LOGGING_MAX_RETENTION_DAYS} days`;
}

/** The only model format an Azure OpenAI account (kind `OpenAI`) serves; AI Services serves every format. */
export const AZURE_OPENAI_MODEL_FORMAT = 'OpenAI';
