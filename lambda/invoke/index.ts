/**
 * Lambda entry point of the model invoker (API Gateway REST API, proxy integration, IAM auth).
 *
 * Routes (API Gateway proxy integration, told apart by the event's `resource`): POST /invoke for
 * chat models (Converse), POST /embed for embedding models (ApplyGuardrail, then InvokeModel).
 *
 * Environment (set by the construct that deploys it; config.ts ENVIRONMENT lists the names):
 *   ALLOWED_MODELS              JSON [{ "id": "<model or profile id>", "classifications": ["public"|"internal"|"confidential"|"restricted", ...], "kind": "chat"|"embedding" }];
 *                               an entry without a kind, or an embedding model the invoker cannot call, fails init
 *   DEFAULT_MODEL_ID            chat model of a POST /invoke that names none (default: the first chat model); POST /embed defaults to the first embedding model
 *   GUARDRAIL_ID                guardrail ID or ARN applied to every call
 *   GUARDRAIL_VERSION           published guardrail version (DRAFT is refused)
 *   UPSTREAM_TIMEOUT_MS         budget for all Bedrock calls of a request, retries included (default 20000); keep it below the function timeout
 *   MAX_MESSAGES                (default 50)
 *   MAX_TEXT_CHARS              total characters of system + message text, or of the texts of a POST /embed (default 100000)
 *   MAX_TOKENS_CAP              upper bound and default for maxTokens (default 4096)
 *   MAX_EMBED_TEXTS             texts in one POST /embed, 1 to 96 (default 96)
 *   MODEL_ACCESS_PARAMETER      name of the SSM String parameter that is the kill switch: `open` serves requests,
 *                               `suspended` answers every request 503 ModelAccessSuspended (read at most every 30 s);
 *                               a missing or unreadable parameter also answers 503 (fail closed)
 *   SSM_ENDPOINT                SSM's endpoint URL in the function's region (https://ssm.<region>.<URL suffix>), reached
 *                               through the VPC's SSM interface endpoint
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
import { createModelAccessReader, ssmGetParameter } from './model-access';

const config = parseConfig(process.env);
const client = createBedrockClient(config);
// SSM is signed for with the Bedrock client's resolved region, credentials and hash.
const ssm = { endpoint: config.ssmEndpoint, region: client.config.region, credentials: client.config.credentials, sha256: client.config.sha256 };

export const handler = createHandler({
  config,
  client,
  logger: new Logger({ serviceName: config.serviceName }),
  metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
  modelAccess: createModelAccessReader(config.modelAccessParameter, ssmGetParameter(ssm)),
});
