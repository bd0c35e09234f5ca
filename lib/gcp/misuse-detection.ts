import * as pulumi from '@pulumi/pulumi';
import * as logging from '@pulumi/gcp/logging';
import * as monitoring from '@pulumi/gcp/monitoring';
import type * as inputs from '@pulumi/gcp/types/input';
import type { OrgConfig } from '../config';
import { describeSignal, PLAYBOOKS, savedQueryName, SIGNAL_TAG_KEY, SIGNALS, type Playbook, type Signal } from '../config/detection';
import { MODEL_ARMOR_SANITIZE_LOG, VERTEX_SERVICE } from './audit-logging';
import { labelKey } from './labels';

/*
 * What the detection reads, as Google writes it (checked against Google's documentation and
 * log samples; see the tests, which run every filter over entries of that shape):
 *
 * - Vertex AI model calls are Data Access audit entries (`cloudaudit.googleapis.com%2Fdata_access`,
 *   serviceName aiplatform.googleapis.com) with methodName
 *   `google.cloud.aiplatform.<version>.PredictionService.<Method>`; the caller is
 *   `protoPayload.authenticationInfo.principalEmail`. They carry no token counts (no prompt,
 *   response or usage metadata), so tokens are read from Vertex AI's own metric
 *   `aiplatform.googleapis.com/publisher/online_serving/token_count`, which is per model and
 *   has no caller label: per-caller tokens are not available on Google Cloud.
 * - Refused calls are audit entries with `protoPayload.status.code=7` (PERMISSION_DENIED; VPC
 *   Service Controls refusals land in the `policy` log with the same code). Google documents a
 *   call to a model the organisation policy disallows as 400 INVALID_ARGUMENT / FAILED_PRECONDITION;
 *   FAILED_PRECONDITION (9) on a model call is counted, INVALID_ARGUMENT (3) is not (it is mostly
 *   malformed requests, such as too many tokens); the `caller-activity` saved queries show it.
 * - Model Armor writes one `modelarmor.googleapis.com%2Fsanitize_operations` entry per screening
 *   (the floor setting's `enableCloudLogging`), with `jsonPayload.sanitizationResult.filterMatchState`
 *   `MATCH_FOUND` when a filter matched. The entry names the template and operation, not the
 *   caller; a call Model Armor blocks gets a response with `promptFeedback.blockReason`
 *   `MODEL_ARMOR` (Vertex AI's API reference), and the Data Access entry records no response. So
 *   interventions are alerted overall only: per-caller interventions are not available on Google
 *   Cloud (`callerInterventionsPer5Minutes` has no alert here).
 * - User-defined log-based metrics count every entry the Logging API receives for the project,
 *   before sinks and exclusions (Google: "regardless of any inclusion filters or exclusion
 *   filters"), so an exclusion added on _Default hides nothing from them. They exist only per
 *   project or per log bucket, never per organisation or folder.
 * - Admin Activity entries (`cloudaudit.googleapis.com%2Factivity`) cannot be turned off. Changes
 *   to the VPC Service Controls perimeter (accesscontextmanager.googleapis.com) are logged in the
 *   organisation's audit log, and org policies set at a folder or the organisation in theirs: a
 *   project metric never sees them. Their alert must live on a bucket-scoped log-based metric over
 *   a log bucket that an organisation-level aggregated sink (filter `PERIMETER_CHANGES_FILTER`)
 *   routes them into; that sink needs organisation rights and belongs to the organisation's
 *   central logging, not to this project.
 * - Vertex AI's publisher metrics: `model_invocation_count` (DELTA INT64, label `response_code`
 *   an HTTP status such as "429", as Google's own Model Garden dashboard filters it) and
 *   `model_invocation_latencies` (DELTA DISTRIBUTION, ms), on `aiplatform.googleapis.com/PublisherModel`
 *   with the model in `resource.label.model_user_id`.
 */

/** Alert thresholds, from the organisation config's `detection.thresholds`. */
export type DetectionThresholds = OrgConfig['detection']['thresholds'];

/** The PredictionService methods that call a model (v1 and v1beta1 alike: matched by suffix). */
export const MODEL_CALL_METHODS = ['GenerateContent', 'StreamGenerateContent', 'Predict', 'RawPredict', 'StreamRawPredict', 'ServerStreamingPredict', 'CountTokens'] as const;

/** The Monitoring metric type of a user-defined log-based metric. */
export function logMetricType(metricName: string): string {
  return `logging.googleapis.com/user/${metricName}`;
}

/** A logName restriction: exact in a project, or any project's log of that ID when `project` is undefined. */
function logIs(project: string | undefined, logId: string): string {
  return project === undefined ? `logName:"/logs/${logId}"` : `logName="projects/${project}/logs/${logId}"`;
}

const DATA_ACCESS_LOG = 'cloudaudit.googleapis.com%2Fdata_access';
const ACTIVITY_LOG = 'cloudaudit.googleapis.com%2Factivity';
const anyOf = (clauses: readonly string[]) => `(${clauses.join(' OR ')})`;
const methodsWithSuffix = (suffixes: readonly string[]) => anyOf(suffixes.map((s) => `protoPayload.methodName:"${s}"`));
const methodsNamed = (names: readonly string[]) => anyOf(names.map((n) => `protoPayload.methodName="${n}"`));
const modelCallMethods = methodsWithSuffix(MODEL_CALL_METHODS.map((m) => `PredictionService.${m}`));

/** Vertex AI model calls (Data Access audit log), successful or not. @param project - undefined for any project's log. */
export function modelCallsFilter(project?: string): string {
  return `${logIs(project, DATA_ACCESS_LOG)} AND protoPayload.serviceName="${VERTEX_SERVICE}" AND ${modelCallMethods}`;
}

/** Vertex AI calls refused: PERMISSION_DENIED on any method, FAILED_PRECONDITION (model outside the allowlist) on a model call. */
export function deniedCallsFilter(project?: string): string {
  const auditLogs = project === undefined ? 'logName:"/logs/cloudaudit.googleapis.com%2F"' : `logName:"projects/${project}/logs/cloudaudit.googleapis.com%2F"`;
  return `${auditLogs} AND protoPayload.serviceName="${VERTEX_SERVICE}" AND (protoPayload.status.code=7 OR (protoPayload.status.code=9 AND ${modelCallMethods}))`;
}

/** Model Armor screenings where a filter matched (prompt or response). */
export function interventionsFilter(project?: string): string {
  return `${logIs(project, MODEL_ARMOR_SANITIZE_LOG)} AND jsonPayload.sanitizationResult.filterMatchState="MATCH_FOUND"`;
}

/**
 * Changes to the controls themselves, by method, as their Admin Activity entries name them:
 * IAM policies of the project and of any resource in it (which also carry audit-config changes,
 * and every use of the kill switch's gcloud path), custom roles (the model-user role widened),
 * org policies (v2 and the legacy v1 calls), log sinks, buckets, exclusions and settings,
 * log-based metrics, alert policies and notification channels, key versions destroyed, disabled
 * or rotated away, Model Armor templates and floor setting, the perimeter (logged at the
 * organisation: see `PERIMETER_CHANGES_FILTER`), DNS, firewalls and disabled APIs.
 */
export const TAMPERING_METHODS = {
  iamPolicy: ['SetIamPolicy'],
  customRoles: ['google.iam.admin.v1.UpdateRole', 'google.iam.admin.v1.DeleteRole'],
  orgPolicies: ['OrgPolicy.CreatePolicy', 'OrgPolicy.UpdatePolicy', 'OrgPolicy.DeletePolicy', 'SetOrgPolicy', 'ClearOrgPolicy'],
  logRouting: [
    'ConfigServiceV2.UpdateSink',
    'ConfigServiceV2.DeleteSink',
    'ConfigServiceV2.UpdateBucket',
    'ConfigServiceV2.DeleteBucket',
    'ConfigServiceV2.CreateExclusion',
    'ConfigServiceV2.UpdateExclusion',
    'ConfigServiceV2.UpdateCmekSettings',
    'ConfigServiceV2.UpdateSettings',
    'MetricsServiceV2.UpdateLogMetric',
    'MetricsServiceV2.DeleteLogMetric',
  ],
  alerting: [
    'AlertPolicyService.UpdateAlertPolicy',
    'AlertPolicyService.DeleteAlertPolicy',
    'NotificationChannelService.UpdateNotificationChannel',
    'NotificationChannelService.DeleteNotificationChannel',
  ],
  keys: ['DestroyCryptoKeyVersion', 'UpdateCryptoKeyVersion', 'UpdateCryptoKeyPrimaryVersion', 'UpdateCryptoKey'],
  modelArmor: ['ModelArmor.UpdateTemplate', 'ModelArmor.DeleteTemplate', 'ModelArmor.UpdateFloorSetting'],
  perimeter: [
    'AccessContextManager.UpdateServicePerimeter',
    'AccessContextManager.DeleteServicePerimeter',
    'AccessContextManager.ReplaceServicePerimeters',
    'AccessContextManager.CommitServicePerimeters',
  ],
  network: ['compute.firewalls.', 'compute.networkFirewallPolicies.', 'ServiceUsage.DisableService'],
} as const;

/**
 * Admin Activity entries of a change to a control (see `TAMPERING_METHODS`). Cloud KMS names its
 * methods bare (`DestroyCryptoKeyVersion`), so they are matched exactly; the others by suffix,
 * which also catches every service's `SetIamPolicy` (bare, or `google.iam.v1.IAMPolicy.SetIamPolicy`)
 * and every API version. DNS counts whole: each of its writes is a zone, record or policy change.
 */
export function tamperingFilter(project?: string): string {
  const bySuffix = Object.entries(TAMPERING_METHODS)
    .filter(([group]) => group !== 'keys')
    .flatMap(([, methods]) => methods as readonly string[]);
  return `${logIs(project, ACTIVITY_LOG)} AND (${methodsNamed(TAMPERING_METHODS.keys)} OR ${methodsWithSuffix(bySuffix)} OR protoPayload.serviceName="dns.googleapis.com")`;
}

/**
 * What an organisation-level aggregated sink must route into a log bucket for the perimeter's
 * changes to be alerted (a bucket-scoped log-based metric over that bucket): project metrics
 * never see them, because Access Context Manager writes them to the organisation's audit log.
 */
export const PERIMETER_CHANGES_FILTER = `logName:"/logs/${ACTIVITY_LOG}" AND protoPayload.serviceName="accesscontextmanager.googleapis.com" AND ${methodsWithSuffix(TAMPERING_METHODS.perimeter)}`;

/** Model Armor's screening log of any project, for the saved queries. */
const SANITIZE_ANY = logIs(undefined, MODEL_ARMOR_SANITIZE_LOG);

/**
 * The saved queries behind the playbooks (docs/playbooks/<playbook>.md), each named
 * `savedQueryName(playbook, step)` in Cloud Logging. The filters are project-independent (a saved
 * query runs in the project it is saved in); add `AND protoPayload.authenticationInfo.principalEmail="<caller>"`
 * or a time range while investigating.
 */
export const GCP_SAVED_QUERIES: ReadonlyArray<{ readonly playbook: Playbook; readonly step: string; readonly filter: string }> = [
  {
    playbook: 'prompt-injection',
    step: 'interventions',
    filter: `${SANITIZE_ANY} AND jsonPayload.sanitizationResult.filterResults.pi_and_jailbreak.piAndJailbreakFilterResult.matchState="MATCH_FOUND"`,
  },
  { playbook: 'prompt-injection', step: 'caller-activity', filter: modelCallsFilter() },
  {
    playbook: 'data-leakage',
    step: 'interventions',
    filter: `${SANITIZE_ANY} AND jsonPayload.sanitizationResult.filterResults.sdp.sdpFilterResult.inspectResult.matchState="MATCH_FOUND"`,
  },
  { playbook: 'data-leakage', step: 'caller-activity', filter: modelCallsFilter() },
  {
    playbook: 'harmful-output',
    step: 'interventions',
    filter: `${SANITIZE_ANY} AND jsonPayload.operationType="SANITIZE_MODEL_RESPONSE" AND jsonPayload.sanitizationResult.filterMatchState="MATCH_FOUND"`,
  },
  { playbook: 'harmful-output', step: 'caller-activity', filter: modelCallsFilter() },
  { playbook: 'compromised-credentials', step: 'caller-activity', filter: modelCallsFilter() },
  { playbook: 'compromised-credentials', step: 'denied-calls', filter: deniedCallsFilter() },
  { playbook: 'compromised-credentials', step: 'control-changes', filter: tamperingFilter() },
];

/**
 * The value of the `private-ai-signal` label on a Google resource: Google label values allow only
 * lowercase letters, digits, `_` and `-`, so `callerVolume` is `caller-volume`. The signal's own
 * name is in the display name and the notification subject, `[private-ai-signal=callerVolume] ...`
 * (`describeSignal`); `signalOf` (lib/config/detection.ts) reads either form.
 */
export function signalLabel(signal: Signal): string {
  return labelKey(signal);
}


/** The playbooks a responder runs when a signal's alert fires. */
export const SIGNAL_PLAYBOOKS: { readonly [S in Signal]: readonly Playbook[] } = {
  callerVolume: ['compromised-credentials', 'data-leakage'],
  interventions: ['prompt-injection', 'data-leakage', 'harmful-output'],
  deniedCalls: ['compromised-credentials'],
  tampering: ['compromised-credentials'],
  availability: ['compromised-credentials'],
};

/** The notification text of a signal's alert: what fired, and which playbooks and saved queries to run. */
export function alertDocumentation(signal: Signal, what: string): string {
  const playbooks = SIGNAL_PLAYBOOKS[signal].map((p) => {
    const queries = GCP_SAVED_QUERIES.filter((q) => q.playbook === p).map((q) => `\`${savedQueryName(q.playbook, q.step)}\``);
    return `- ${PLAYBOOKS[p]}: playbook \`docs/playbooks/${p}.md\`; saved queries ${queries.join(', ')}`;
  });
  return [`**${SIGNALS[signal]}**`, '', what, '', 'Respond with:', ...playbooks].join('\n');
}

/** Every alert compares a 5-minute window with its threshold, as the thresholds are defined. */
export const ALIGNMENT_PERIOD = '300s';
const VERTEX_PUBLISHER_MODEL = 'resource.type="aiplatform.googleapis.com/PublisherModel"';
const BY_MODEL = ['resource.label."model_user_id"'];
const BY_PRINCIPAL = ['metric.label."principal"'];
const PRINCIPAL_EXTRACTOR = 'EXTRACT(protoPayload.authenticationInfo.principalEmail)';

type Condition = inputs.monitoring.AlertPolicyCondition;

/** A threshold condition: the 5-minute sum (or, for a distribution, the percentile `reducer`) above `threshold`. */
function thresholdCondition(displayName: string, filter: pulumi.Input<string>, threshold: number, groupBy: readonly string[], distribution?: 'REDUCE_PERCENTILE_99'): Condition {
  return {
    displayName,
    conditionThreshold: {
      filter,
      aggregations: [
        {
          alignmentPeriod: ALIGNMENT_PERIOD,
          // A DELTA counter summed over the window; a DELTA distribution kept whole (ALIGN_DELTA)
          // so the reducer takes the percentile across the window's calls.
          perSeriesAligner: distribution ? 'ALIGN_DELTA' : 'ALIGN_SUM',
          crossSeriesReducer: distribution ?? 'REDUCE_SUM',
          groupByFields: [...groupBy],
        },
      ],
      comparison: 'COMPARISON_GT',
      thresholdValue: threshold,
      duration: '0s',
      trigger: { count: 1 },
    },
  };
}

/** Log-based misuse alerts, token and availability alerts from Vertex AI's metrics, and the playbooks' saved queries. */
export interface MisuseDetectionArgs {
  /** Project ID; metrics, alerts, channels and saved queries live in it. */
  readonly project: string;
  /**
   * Location of the saved queries: the stack's region, one `gcp.resourceLocations` allows (a
   * fleet's folder allows only `in:<region>-locations`).
   */
  readonly region: string;
  /** Alert thresholds (config: detection.thresholds). */
  readonly thresholds: DetectionThresholds;
  /** Addresses notified of every alert, one e-mail channel each (config: securityContacts.emails). */
  readonly securityContacts: readonly string[];
  /** Labels of the alert policies and notification channels (Google label rules). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * First part of the log-based metric names, `<prefix>/<metric>`; the metric names are the
   * Monitoring metric types alerts refer to, so choose it once.
   * @default - the component name
   */
  readonly metricPrefix?: string;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$/;
const THRESHOLD_KEYS: ReadonlyArray<keyof DetectionThresholds> = [
  'callerRequestsPer5Minutes',
  'callerTokensPer5Minutes',
  'interventionsPer5Minutes',
  'callerInterventionsPer5Minutes',
  'deniedCallsPer5Minutes',
  'invokerErrorsPer5Minutes',
  'throttlesPer5Minutes',
  'latencyP99Milliseconds',
];

/**
 * Misuse detection for Vertex AI in one project: every signal of `SIGNALS` raises an alert
 * policy, labelled with its signal, that notifies every security contact by e-mail.
 *
 * - callerVolume: model calls per caller (log-based metric over the Data Access log, label
 *   `principal`) and tokens per model (Vertex AI's token metric; Google offers no per-caller tokens).
 * - interventions: Model Armor matches, all callers together (the screening log names no caller).
 * - deniedCalls: Vertex AI calls refused for permission or by the allowed-models policy.
 * - tampering: any change to IAM, org policies, log routing, alerting, keys, Model Armor, DNS,
 *   firewalls, per caller; threshold 0. The kill switch's gcloud path (SetIamPolicy) is one.
 * - availability: throttled (429) and failed (5xx) model calls and p99 latency per model.
 *
 * Nothing here can be encrypted with a customer-managed key: Cloud Monitoring (alert policies,
 * channels, metric data) supports no CMEK, log-based metrics are definitions evaluated at
 * ingestion, and a saved query holds a filter, no log data. The logs themselves stay in the
 * CMEK audit bucket (AuditLogging). Metric labels keep callers' e-mail addresses in Monitoring,
 * under Google-managed keys; that is the price of per-caller alerts.
 */
export class MisuseDetection extends pulumi.ComponentResource {
  /** Alert policy resource names per signal. */
  public readonly alertPolicies: { readonly [S in Signal]: pulumi.Output<string> };
  /** Notification channel resource names, one per security contact. */
  public readonly notificationChannels: pulumi.Output<string>[];
  /** Monitoring metric types of the log-based metrics, by purpose. */
  public readonly logMetricTypes: Readonly<Record<'modelCalls' | 'deniedCalls' | 'interventions' | 'tampering', string>>;
  /** Display names of the saved queries, `private-ai/<playbook>/<step>`. */
  public readonly savedQueries: readonly string[];

  constructor(name: string, args: MisuseDetectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:MisuseDetection', name, {}, opts);
    const contacts = [...new Set(args.securityContacts)];
    if (contacts.length === 0) {
      throw new Error(`MisuseDetection ${name}: securityContacts is empty; an alert nobody receives is no alert, so give at least one address (config: securityContacts.emails)`);
    }
    for (const email of contacts) {
      if (!EMAIL.test(email)) throw new Error(`MisuseDetection ${name}: security contact ${JSON.stringify(email)} is not an e-mail address such as security@example.com (config: securityContacts.emails)`);
    }
    for (const key of THRESHOLD_KEYS) {
      const value = args.thresholds[key];
      if (!Number.isInteger(value) || value < 1) throw new Error(`MisuseDetection ${name}: thresholds.${key} is ${JSON.stringify(value)}; it must be a whole number of at least 1 (config: detection.thresholds.${key})`);
    }
    const prefix = args.metricPrefix ?? name;
    if (!/^[A-Za-z0-9_.,+!*'()%-][A-Za-z0-9_.,+!*'()%/-]{0,60}$/.test(prefix)) {
      throw new Error(`MisuseDetection ${name}: metricPrefix ${JSON.stringify(prefix)} must be 1-61 of A-Z a-z 0-9 _-.,+!*'()%/ and not start with /, so every metric name stays within Cloud Logging's 100 characters`);
    }
    const t = args.thresholds;
    const labels = { ...(args.labels ?? {}) };

    const channels = contacts.map(
      (email) =>
        new monitoring.NotificationChannel(
          `${name}-email-${email}`,
          {
            project: args.project,
            type: 'email',
            displayName: `Private AI security contact ${email}`,
            description: 'Receives every misuse, tampering and availability alert of the private AI platform',
            labels: { email_address: email },
            userLabels: labels,
          },
          { parent: this },
        ),
    );
    const channelNames = channels.map((c) => c.name);

    const principalLabel = { key: 'principal', valueType: 'STRING', description: 'The caller: protoPayload.authenticationInfo.principalEmail' };
    const logMetric = (key: string, description: string, filter: string, label: { key: string; valueType: string; description: string }, extractor: string) =>
      new logging.Metric(
        `${name}-${key}`,
        {
          project: args.project,
          name: `${prefix}/${key}`,
          description,
          filter,
          metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1', displayName: description, labels: [label] },
          labelExtractors: { [label.key]: extractor },
        },
        { parent: this },
      );
    const modelCalls = logMetric('model-calls', 'Vertex AI model calls per caller', modelCallsFilter(args.project), principalLabel, PRINCIPAL_EXTRACTOR);
    const denied = logMetric('denied-calls', 'Vertex AI calls refused (permission denied, model not allowed)', deniedCallsFilter(args.project), principalLabel, PRINCIPAL_EXTRACTOR);
    const interventions = logMetric(
      'interventions',
      'Model Armor screenings with a filter match',
      interventionsFilter(args.project),
      { key: 'operation', valueType: 'STRING', description: 'SANITIZE_USER_PROMPT or SANITIZE_MODEL_RESPONSE' },
      'EXTRACT(jsonPayload.operationType)',
    );
    const tampering = logMetric('tampering', 'Changes to the controls of the private AI platform', tamperingFilter(args.project), principalLabel, PRINCIPAL_EXTRACTOR);
    // The metric's name output makes each alert wait for its metric: Monitoring refuses an alert on a metric type that does not exist yet.
    const typeOf = (m: logging.Metric) => pulumi.interpolate`metric.type="logging.googleapis.com/user/${m.name}"`;
    const vertexMetric = (metric: string, extra = '') => `metric.type="aiplatform.googleapis.com/publisher/online_serving/${metric}" AND ${VERTEX_PUBLISHER_MODEL}${extra}`;

    const conditions: { readonly [S in Signal]: { readonly what: string; readonly severity: string; readonly conditions: Condition[] } } = {
      callerVolume: {
        what: `One caller made more than ${t.callerRequestsPer5Minutes} model calls in 5 minutes, or one model served more than ${t.callerTokensPer5Minutes} tokens in 5 minutes (Google Cloud reports tokens per model, not per caller).`,
        severity: 'ERROR',
        conditions: [
          thresholdCondition(`Model calls per caller above ${t.callerRequestsPer5Minutes} in 5 minutes`, typeOf(modelCalls), t.callerRequestsPer5Minutes, BY_PRINCIPAL),
          thresholdCondition(`Tokens per model above ${t.callerTokensPer5Minutes} in 5 minutes`, vertexMetric('token_count'), t.callerTokensPer5Minutes, BY_MODEL),
        ],
      },
      interventions: {
        what: `Model Armor matched more than ${t.interventionsPer5Minutes} prompts or responses in 5 minutes. Google's screening log names no caller, so there is no per-caller alert on Google Cloud; find the callers with the caller-activity saved query at the same time.`,
        severity: 'WARNING',
        conditions: [thresholdCondition(`Model Armor matches above ${t.interventionsPer5Minutes} in 5 minutes`, typeOf(interventions), t.interventionsPer5Minutes, [])],
      },
      deniedCalls: {
        what: `More than ${t.deniedCallsPer5Minutes} Vertex AI calls were refused in 5 minutes (permission denied, the perimeter, or a model outside the allowlist).`,
        severity: 'WARNING',
        conditions: [thresholdCondition(`Refused Vertex AI calls above ${t.deniedCallsPer5Minutes} in 5 minutes`, typeOf(denied), t.deniedCallsPer5Minutes, [])],
      },
      tampering: {
        what:
          'A control changed: IAM (including the kill switch), org policies, log routing, alerting, keys, Model Armor, DNS or firewalls. A deployment by the pipeline raises it too: check the principal and time against the deployment record. Perimeter changes are logged at the organisation and are not seen here.',
        severity: 'CRITICAL',
        conditions: [thresholdCondition('Any change to a control', typeOf(tampering), 0, BY_PRINCIPAL)],
      },
      availability: {
        what: `Vertex AI throttled more than ${t.throttlesPer5Minutes} calls (429) or failed more than ${t.invokerErrorsPer5Minutes} (5xx) of one model in 5 minutes, or the model's p99 latency exceeded ${t.latencyP99Milliseconds} ms.`,
        severity: 'WARNING',
        conditions: [
          thresholdCondition(`Throttled (429) calls per model above ${t.throttlesPer5Minutes}`, vertexMetric('model_invocation_count', ' AND metric.label."response_code"="429"'), t.throttlesPer5Minutes, BY_MODEL),
          thresholdCondition(
            `Server errors (5xx) per model above ${t.invokerErrorsPer5Minutes}`,
            vertexMetric('model_invocation_count', ' AND metric.label."response_code"=monitoring.regex.full_match("5[0-9][0-9]")'),
            t.invokerErrorsPer5Minutes,
            BY_MODEL,
          ),
          thresholdCondition(`p99 latency per model above ${t.latencyP99Milliseconds} ms`, vertexMetric('model_invocation_latencies'), t.latencyP99Milliseconds, BY_MODEL, 'REDUCE_PERCENTILE_99'),
        ],
      },
    };

    const policies = {} as Record<Signal, pulumi.Output<string>>;
    for (const signal of Object.keys(SIGNALS) as Signal[]) {
      const spec = conditions[signal];
      const policy = new monitoring.AlertPolicy(
        `${name}-${signalLabel(signal)}`,
        {
          project: args.project,
          displayName: describeSignal(signal, `Private AI on Vertex AI: ${SIGNALS[signal]}`).slice(0, 512),
          combiner: 'OR',
          conditions: spec.conditions,
          notificationChannels: channelNames,
          severity: spec.severity,
          documentation: { mimeType: 'text/markdown', subject: describeSignal(signal, 'Private AI alert').slice(0, 255), content: alertDocumentation(signal, spec.what) },
          // Log-based metrics are sparse: an incident closes half an hour after its last match.
          alertStrategy: { autoClose: '1800s' },
          userLabels: { ...labels, [SIGNAL_TAG_KEY]: signalLabel(signal) },
        },
        { parent: this },
      );
      policies[signal] = policy.name;
    }

    // A saved query holds a filter and no log data. Logging's API takes any of its regions
    // (projects/<p>/locations/<region>/savedQueries), so the queries sit in the stack's region:
    // `global`, as in the provider's examples, is not among the locations a folder's
    // gcp.resourceLocations allows (in:<region>-locations).
    const savedQueries = GCP_SAVED_QUERIES.map((q) => {
      const displayName = savedQueryName(q.playbook, q.step);
      new logging.SavedQuery(
        `${name}-${q.playbook}-${q.step}`,
        {
          parent: `projects/${args.project}`,
          location: args.region,
          name: `${q.playbook}-${q.step}`,
          displayName,
          description: `${PLAYBOOKS[q.playbook]}: step ${q.step} (docs/playbooks/${q.playbook}.md)`,
          loggingQuery: { filter: q.filter },
          visibility: 'SHARED',
        },
        { parent: this },
      );
      return displayName;
    });

    this.alertPolicies = policies;
    this.notificationChannels = channelNames;
    this.logMetricTypes = {
      modelCalls: logMetricType(`${prefix}/model-calls`),
      deniedCalls: logMetricType(`${prefix}/denied-calls`),
      interventions: logMetricType(`${prefix}/interventions`),
      tampering: logMetricType(`${prefix}/tampering`),
    };
    this.savedQueries = savedQueries;
    this.registerOutputs({ alertPolicies: policies, notificationChannels: channelNames, logMetricTypes: this.logMetricTypes, savedQueries });
  }
}
