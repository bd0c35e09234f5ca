/**
 * Lambda entry point of the model invoker (API Gateway REST API, proxy integration, IAM auth).
 *
 * Environment (set by the construct that deploys it):
 *   ALLOWED_MODELS              JSON [{ "id": "<model or profile id>", "classifications": ["public"|"internal"|"confidential"|"restricted", ...] }]
 *   DEFAULT_MODEL_ID            used when a request names no model; must be on ALLOWED_MODELS
 *   GUARDRAIL_ID                guardrail ID or ARN applied to every call
 *   GUARDRAIL_VERSION           published guardrail version (DRAFT is refused)
 *   UPSTREAM_TIMEOUT_MS         budget for the Bedrock call, retries included (default 20000); keep it below the function timeout
 *   MAX_MESSAGES                (default 50)
 *   MAX_TEXT_CHARS              total characters of system + message text (default 100000)
 *   MAX_TOKENS_CAP              upper bound and default for maxTokens (default 4096)
 *   POWERTOOLS_SERVICE_NAME     (default model-invoker)
 *   POWERTOOLS_METRICS_NAMESPACE (default PrivateAI)
 *
 * Everything is built once per execution environment, at init: a misconfigured function fails
 * its init with a message naming the variable, instead of failing every request.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createBedrockClient } from './client';
import { parseConfig } from './config';
import { createHandler } from './handler';

const config = parseConfig(process.env);

export const handler = createHandler({
  config,
  client: createBedrockClient(config),
  logger: new Logger({ serviceName: config.serviceName }),
  metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
});
