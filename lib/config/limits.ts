/**
 * Limits of the clouds' services that the organisation config must respect, checked with the
 * rest of the config (one pass) and used by the components that create the services.
 */

/** Longest interactive retention of a Log Analytics workspace (PerGB2018), in days. */
export const LOG_ANALYTICS_MAX_RETENTION_DAYS = 730;

/** Longest retention of a Cloud Logging bucket, in days. */
export const CLOUD_LOGGING_MAX_RETENTION_DAYS = 3650;

/** The only model format an Azure OpenAI account (kind `OpenAI`) serves; AI Services serves every format. */
export const AZURE_OPENAI_MODEL_FORMAT = 'OpenAI';
