/**
 * The audit trail: one structured record per request, plus CloudWatch metrics (EMF) flushed per
 * invocation. Records identify the prompt by hash only, so they can be kept, shipped and queried
 * without becoming a second copy of confidential or restricted data.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Classification } from './config';
import type { GuardrailAction } from './guardrail';
import type { TextBlock, ChatMessage } from './validate';

export interface AuditRecord {
  readonly requestId: string;
  /** The API route called, `/invoke` or `/embed` (as API Gateway names the resource). */
  readonly route?: string;
  /** The caller's IAM ARN, or `unknown caller` when the request context carried none. */
  readonly callerArn: string;
  /** For an unknown caller, what the request context did say (role or user ID, account, access key ID). */
  readonly callerIdentity?: Readonly<Record<string, string>>;
  readonly sourceIp?: string;
  /** The model asked for (or defaulted to); present on rejections too, so refused attempts are visible. */
  readonly modelId?: string;
  readonly dataClassification?: Classification;
  readonly status: number;
  readonly errorCode?: string;
  /** Upstream error name (never its message, which may quote the request). */
  readonly upstreamError?: string;
  readonly upstreamRequestId?: string;
  readonly stopReason?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly latencyMs: number;
  readonly modelLatencyMs?: number;
  readonly guardrailId: string;
  readonly guardrailVersion: string;
  readonly guardrailAction?: GuardrailAction;
  /** Texts in a POST /embed. */
  readonly inputCount?: number;
  /**
   * What the invoker sent to Bedrock as request metadata (recorded with the call in the model
   * invocation logs), so log entries and audit records can be joined.
   */
  readonly requestMetadata?: Readonly<Record<string, string>>;
  /** POST /invoke: promptSha256(system, messages); POST /embed: inputSha256(texts). */
  readonly promptSha256?: string;
}

/**
 * JSON with object keys sorted (by UTF-16 code unit, as RFC 8785) and no whitespace, so equal
 * values always serialise to equal bytes. Undefined members are left out, as JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * SHA-256 (hex) of `canonicalJson({ system, messages })`, with `system` normalised to
 * `[{ text }]` and left out when absent. Whoever holds the prompt can recompute it and match the
 * audit record; the record alone reveals nothing about the prompt.
 */
export function promptSha256(system: readonly TextBlock[] | undefined, messages: readonly ChatMessage[]): string {
  return createHash('sha256').update(canonicalJson({ system, messages }), 'utf8').digest('hex');
}

/**
 * SHA-256 (hex) of `canonicalJson({ input })`, the texts of a POST /embed as a list (a single
 * string is a list of one), before any guardrail masking.
 */
export function inputSha256(texts: readonly string[]): string {
  return createHash('sha256').update(canonicalJson({ input: texts }), 'utf8').digest('hex');
}

/**
 * Writes the audit record and the invocation's metrics. `metricsModelId` must be a model from
 * ALLOWED_MODELS (or undefined): dimension values come only from configuration, never from
 * caller input, so a caller cannot create unbounded metric series.
 */
export function emitAudit(logger: Logger, metrics: Metrics, record: AuditRecord, metricsModelId: string | undefined): void {
  // INFO is the floor: the construct must not raise the function's log level above it, or the
  // audit trail goes quiet.
  logger.info('audit', { audit: record });

  metrics.addDimension('modelId', metricsModelId ?? 'none');
  metrics.addMetadata('requestId', record.requestId);
  metrics.addMetric('Latency', MetricUnit.Milliseconds, record.latencyMs);
  if (record.status === 200) {
    metrics.addMetric('InputTokens', MetricUnit.Count, record.inputTokens ?? 0);
    metrics.addMetric('OutputTokens', MetricUnit.Count, record.outputTokens ?? 0);
    if (record.guardrailAction === 'INTERVENED') {
      metrics.addMetric('GuardrailInterventions', MetricUnit.Count, 1);
    }
  } else if (record.status === 429) {
    metrics.addMetric('Throttled', MetricUnit.Count, 1);
  } else if (record.errorCode === 'ModelAccessSuspended' && record.upstreamError === undefined) {
    // Refused by the kill switch as intended: not a fault, and visible on its own while it lasts.
    // A switch that could not be read (upstreamError set) is a fault and counts as one.
    metrics.addMetric('Suspended', MetricUnit.Count, 1);
  } else if (record.status >= 500) {
    metrics.addMetric('Faults', MetricUnit.Count, 1);
  } else {
    metrics.addMetric('Rejected', MetricUnit.Count, 1);
  }
  metrics.publishStoredMetrics();
}
