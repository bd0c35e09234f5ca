import { DEFAULT_THRESHOLDS } from '../../lib/config';
import { PLAYBOOKS, savedQueryName, SIGNAL_TAG_KEY, SIGNALS, signalOf, type Signal } from '../../lib/config/detection';
import {
  deniedCallsFilter,
  GCP_SAVED_QUERIES,
  interventionsFilter,
  MisuseDetection,
  modelCallsFilter,
  PERIMETER_CHANGES_FILTER,
  signalLabel,
  tamperingFilter,
  type DetectionThresholds,
} from '../../lib/gcp/misuse-detection';
import type { Plan, PlanResource } from '../../lib/pulumi/plan';
import { matches } from '../support/cloud-logging-filter';
import { ofType, plan, resource, waitsFor } from './support';

const PROJECT = 'example-ai-prod';
const MODEL = `projects/${PROJECT}/locations/europe-west4/publishers/google/models/gemini-2.5-flash`;
const TYPES = {
  metric: 'gcp:logging/metric:Metric',
  policy: 'gcp:monitoring/alertPolicy:AlertPolicy',
  channel: 'gcp:monitoring/notificationChannel:NotificationChannel',
  savedQuery: 'gcp:logging/savedQuery:SavedQuery',
} as const;

// ---------------------------------------------------------------------------------------------
// Log entries in the shape Cloud Logging stores them (LogEntry JSON as `gcloud logging read
// --format=json` prints it): audit entries carry an AuditLog protoPayload, logName has the
// URL-encoded log ID, Model Armor's screenings carry a SanitizeOperationLogEntry jsonPayload.
// ---------------------------------------------------------------------------------------------

function auditEntry(log: 'data_access' | 'activity' | 'policy', payload: Record<string, unknown>, resourceType = 'audited_resource', project = PROJECT): Record<string, unknown> {
  return {
    insertId: '1x2y3z4a5b6c',
    logName: `projects/${project}/logs/cloudaudit.googleapis.com%2F${log}`,
    resource: { type: resourceType, labels: { project_id: project, service: payload.serviceName, method: payload.methodName } },
    timestamp: '2025-06-02T09:14:07.123456Z',
    receiveTimestamp: '2025-06-02T09:14:07.811238901Z',
    severity: payload.status && (payload.status as { code?: number }).code ? 'ERROR' : log === 'activity' ? 'NOTICE' : 'INFO',
    protoPayload: {
      '@type': 'type.googleapis.com/google.cloud.audit.AuditLog',
      status: {},
      authenticationInfo: { principalEmail: 'alice@example.com' },
      requestMetadata: {
        callerIp: '10.50.0.12',
        callerSuppliedUserAgent: 'google-genai-sdk/1.20.0 gl-python/3.12.3,gzip(gfe)',
        requestAttributes: { time: '2025-06-02T09:14:06.981Z', auth: {} },
        destinationAttributes: {},
      },
      ...payload,
    },
  };
}

/** A Gemini call: Data Access (DATA_READ), no prompt, response or token counts in the entry. */
const generateContent = auditEntry('data_access', {
  serviceName: 'aiplatform.googleapis.com',
  methodName: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
  authorizationInfo: [{ resource: MODEL, permission: 'aiplatform.endpoints.predict', granted: true, resourceAttributes: {}, permissionType: 'DATA_READ' }],
  resourceName: MODEL,
});

const streamGenerateContentBeta = auditEntry('data_access', {
  serviceName: 'aiplatform.googleapis.com',
  methodName: 'google.cloud.aiplatform.v1beta1.PredictionService.StreamGenerateContent',
  authorizationInfo: [{ resource: MODEL, permission: 'aiplatform.endpoints.predict', granted: true, resourceAttributes: {}, permissionType: 'DATA_READ' }],
  resourceName: MODEL,
});

const permissionDenied = auditEntry('data_access', {
  serviceName: 'aiplatform.googleapis.com',
  methodName: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
  status: {
    code: 7,
    message: `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${MODEL}' (or it may not exist).`,
    details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: 'aiplatform.googleapis.com', metadata: { permission: 'aiplatform.endpoints.predict', resource: MODEL } }],
  },
  authenticationInfo: { principalEmail: 'mallory@example.com' },
  authorizationInfo: [{ resource: MODEL, permission: 'aiplatform.endpoints.predict', resourceAttributes: {}, permissionType: 'DATA_READ' }],
  resourceName: MODEL,
});

/** A model outside the vertexai.allowedModels policy: Google documents 400 FAILED_PRECONDITION. */
const modelNotAllowed = auditEntry('data_access', {
  serviceName: 'aiplatform.googleapis.com',
  methodName: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
  status: { code: 9, message: 'Model publishers/google/models/gemini-2.5-pro is not allowed by the organization policy constraint vertexai.allowedModels.' },
  resourceName: `projects/${PROJECT}/locations/europe-west4/publishers/google/models/gemini-2.5-pro`,
});

/** A malformed request: INVALID_ARGUMENT is not counted as refused. */
const invalidArgument = auditEntry('data_access', {
  serviceName: 'aiplatform.googleapis.com',
  methodName: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent',
  status: { code: 3, message: 'The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).' },
  resourceName: MODEL,
});

/** An admin read on Vertex AI, in the Data Access log too: not a model call. */
const listEndpoints = auditEntry('data_access', {
  serviceName: 'aiplatform.googleapis.com',
  methodName: 'google.cloud.aiplatform.v1.EndpointService.ListEndpoints',
  authorizationInfo: [{ resource: `projects/${PROJECT}/locations/europe-west4`, permission: 'aiplatform.endpoints.list', granted: true, resourceAttributes: {}, permissionType: 'ADMIN_READ' }],
  resourceName: `projects/${PROJECT}/locations/europe-west4`,
});

function sanitizeEntry(matchState: 'MATCH_FOUND' | 'NO_MATCH_FOUND', operationType = 'SANITIZE_USER_PROMPT', filterResults?: Record<string, unknown>): Record<string, unknown> {
  return {
    insertId: 'f1a2b3c4d5e6',
    logName: `projects/${PROJECT}/logs/modelarmor.googleapis.com%2Fsanitize_operations`,
    resource: { type: 'modelarmor.googleapis.com/SanitizeOperation', labels: { location: 'europe-west4', template_id: 'example-corp-vertex', resource_container: 'projects/123456789012' } },
    timestamp: '2025-06-02T09:14:07.020Z',
    receiveTimestamp: '2025-06-02T09:14:07.300Z',
    severity: 'INFO',
    labels: { 'modelarmor.googleapis.com/api_version': 'v1', 'modelarmor.googleapis.com/operation_type': operationType },
    jsonPayload: {
      '@type': 'type.googleapis.com/google.cloud.modelarmor.logging.v1.SanitizeOperationLogEntry',
      operationType,
      sanitizationResult: {
        filterMatchState: matchState,
        invocationResult: 'SUCCESS',
        filterResults: filterResults ?? {
          pi_and_jailbreak: { piAndJailbreakFilterResult: { executionState: 'EXECUTION_SUCCESS', matchState, confidenceLevel: 'HIGH' } },
          malicious_uris: { maliciousUriFilterResult: { executionState: 'EXECUTION_SUCCESS', matchState: 'NO_MATCH_FOUND' } },
        },
        sanitizationVerdict: matchState === 'MATCH_FOUND' ? 'MODEL_ARMOR_SANITIZATION_VERDICT_BLOCK' : 'MODEL_ARMOR_SANITIZATION_VERDICT_ALLOW',
      },
    },
  };
}
const promptInjection = sanitizeEntry('MATCH_FOUND');
const cleanPrompt = sanitizeEntry('NO_MATCH_FOUND');
const sensitiveData = sanitizeEntry('MATCH_FOUND', 'SANITIZE_USER_PROMPT', {
  sdp: { sdpFilterResult: { inspectResult: { executionState: 'EXECUTION_SUCCESS', matchState: 'MATCH_FOUND', findings: [{ infoType: 'CREDIT_CARD_NUMBER', likelihood: 'VERY_LIKELY' }] } } },
  pi_and_jailbreak: { piAndJailbreakFilterResult: { executionState: 'EXECUTION_SUCCESS', matchState: 'NO_MATCH_FOUND' } },
});
const harmfulResponse = sanitizeEntry('MATCH_FOUND', 'SANITIZE_MODEL_RESPONSE', {
  rai: { raiFilterResult: { executionState: 'EXECUTION_SUCCESS', matchState: 'MATCH_FOUND', raiFilterTypeResults: { dangerous: { matchState: 'MATCH_FOUND', confidenceLevel: 'HIGH' } } } },
});

/** The kill switch's gcloud path, as Resource Manager logs it: SetIamPolicy with the binding delta. */
const setIamPolicy = auditEntry(
  'activity',
  {
    serviceName: 'cloudresourcemanager.googleapis.com',
    methodName: 'SetIamPolicy',
    authenticationInfo: { principalEmail: 'oncall@example.com' },
    authorizationInfo: [{ resource: `projects/${PROJECT}`, permission: 'resourcemanager.projects.setIamPolicy', granted: true, resourceAttributes: {} }],
    resourceName: `projects/${PROJECT}`,
    serviceData: {
      '@type': 'type.googleapis.com/google.iam.v1.logging.AuditData',
      policyDelta: { bindingDeltas: [{ action: 'REMOVE', role: `projects/${PROJECT}/roles/privateAiModelUser`, member: 'group:ai-model-users@example.com' }] },
    },
    request: { '@type': 'type.googleapis.com/google.iam.v1.SetIamPolicyRequest', resource: PROJECT, policy: { bindings: [] } },
    response: { '@type': 'type.googleapis.com/google.iam.v1.Policy', etag: 'BwYb1a2b3c4=' },
  },
  'project',
);

const adminChange = (serviceName: string, methodName: string, resourceType: string) => auditEntry('activity', { serviceName, methodName, resourceName: `projects/${PROJECT}/x` }, resourceType);
const tamperingSamples: Record<string, Record<string, unknown>> = {
  'destroy a key version': adminChange('cloudkms.googleapis.com', 'DestroyCryptoKeyVersion', 'cloudkms_cryptokeyversion'),
  'disable a key version': adminChange('cloudkms.googleapis.com', 'UpdateCryptoKeyVersion', 'cloudkms_cryptokeyversion'),
  'delete the audit sink': adminChange('logging.googleapis.com', 'google.logging.v2.ConfigServiceV2.DeleteSink', 'logging_sink'),
  'shorten the audit bucket': adminChange('logging.googleapis.com', 'google.logging.v2.ConfigServiceV2.UpdateBucket', 'logging_bucket'),
  'grant on a key (IAMPolicy form)': adminChange('cloudkms.googleapis.com', 'google.iam.v1.IAMPolicy.SetIamPolicy', 'cloudkms_cryptokey'),
  'widen the model-user role': adminChange('iam.googleapis.com', 'google.iam.admin.v1.UpdateRole', 'iam_role'),
  'delete an org policy': adminChange('orgpolicy.googleapis.com', 'google.cloud.orgpolicy.v2.OrgPolicy.DeletePolicy', 'audited_resource'),
  'loosen Model Armor': adminChange('modelarmor.googleapis.com', 'google.cloud.modelarmor.v1.ModelArmor.UpdateFloorSetting', 'audited_resource'),
  'delete an alert policy': adminChange('monitoring.googleapis.com', 'google.monitoring.v3.AlertPolicyService.DeleteAlertPolicy', 'audited_resource'),
  'change a DNS record': adminChange('dns.googleapis.com', 'dns.changes.create', 'dns_managed_zone'),
  'open a firewall': adminChange('compute.googleapis.com', 'v1.compute.firewalls.patch', 'gce_firewall_rule'),
  'disable an API': adminChange('serviceusage.googleapis.com', 'google.api.serviceusage.v1.ServiceUsage.DisableService', 'audited_resource'),
};

/** Unrelated: a VM started (Admin Activity), and a Gemini call in another project. */
const unrelated = [
  adminChange('compute.googleapis.com', 'v1.compute.instances.start', 'gce_instance'),
  auditEntry(
    'data_access',
    { serviceName: 'aiplatform.googleapis.com', methodName: 'google.cloud.aiplatform.v1.PredictionService.GenerateContent', resourceName: MODEL },
    'audited_resource',
    'some-other-project',
  ),
];

// ---------------------------------------------------------------------------------------------

const CONTACTS = ['security-operations@example.com', 'ciso@example.com'];
const THRESHOLDS: DetectionThresholds = {
  callerRequestsPer5Minutes: 111,
  callerTokensPer5Minutes: 222222,
  interventionsPer5Minutes: 33,
  callerInterventionsPer5Minutes: 4,
  deniedCallsPer5Minutes: 55,
  invokerErrorsPer5Minutes: 6,
  throttlesPer5Minutes: 77,
  latencyP99Milliseconds: 8888,
};

type ThresholdCondition = { displayName: string; conditionThreshold: { filter: string; thresholdValue: number; comparison: string; aggregations: Array<Record<string, unknown>> } };
const conditionsOf = (r: PlanResource) => r.inputs.conditions as ThresholdCondition[];

describe('MisuseDetection', () => {
  let p: Plan;
  beforeAll(async () => {
    p = await plan(() => {
      new MisuseDetection('detect', { project: PROJECT, region: 'europe-west4', thresholds: THRESHOLDS, securityContacts: CONTACTS, labels: { owner: 'platform' } });
    });
  });
  const policies = () => ofType(p, TYPES.policy);
  const policyOf = (signal: Signal) => {
    const found = policies().filter((r) => (r.inputs.userLabels as Record<string, string>)[SIGNAL_TAG_KEY] === signalLabel(signal));
    expect(found).toHaveLength(1);
    return found[0];
  };
  const metric = (key: string) => resource(p, TYPES.metric, `detect-${key}`);

  test('one e-mail notification channel per security contact', () => {
    const channels = ofType(p, TYPES.channel);
    expect(channels.map((c) => c.inputs)).toEqual(
      CONTACTS.map((email) => ({
        project: PROJECT,
        type: 'email',
        displayName: `Private AI security contact ${email}`,
        description: 'Receives every misuse, tampering and availability alert of the private AI platform',
        labels: { email_address: email },
        userLabels: { owner: 'platform' },
      })),
    );
  });

  test.each(Object.keys(SIGNALS) as Signal[])('%s raises an alert policy to every contact, labelled and titled with its signal, naming its playbooks', (signal) => {
    const policy = policyOf(signal);
    const channels = ofType(p, TYPES.channel).map((c) => c.name);
    // Under the mocks a channel's name output is its logical name.
    expect([...(policy.inputs.notificationChannels as string[])].sort()).toEqual([...channels].sort());
    expect(policy.propertyDependencies?.notificationChannels?.sort()).toEqual([...channels].sort());
    expect(signalOf((policy.inputs.userLabels as Record<string, string>)[SIGNAL_TAG_KEY])).toBe(signal);
    expect(signalOf(policy.inputs.displayName)).toBe(signal);
    const doc = policy.inputs.documentation as { subject: string; content: string; mimeType: string };
    expect(signalOf(doc.subject)).toBe(signal);
    expect(doc.content).toMatch(/docs\/playbooks\/[a-z-]+\.md/);
    expect(doc.content).toContain(SIGNALS[signal]);
    expect(policy.inputs).toMatchObject({ project: PROJECT, combiner: 'OR', alertStrategy: { autoClose: '1800s' } });
    for (const c of conditionsOf(policy)) {
      expect(c.conditionThreshold).toMatchObject({ comparison: 'COMPARISON_GT', duration: '0s' });
      expect(c.conditionThreshold.aggregations).toEqual([expect.objectContaining({ alignmentPeriod: '300s' })]);
    }
  });

  test('Google label values are lowercase: the signal label is kebab-case, and maps back', () => {
    expect(policies().map((r) => (r.inputs.userLabels as Record<string, string>)[SIGNAL_TAG_KEY]).sort()).toEqual(['availability', 'caller-volume', 'denied-calls', 'interventions', 'tampering']);
    for (const r of [...policies(), ...ofType(p, TYPES.channel)]) {
      for (const [k, v] of Object.entries(r.inputs.userLabels as Record<string, string>)) expect(`${k}=${v}`).toMatch(/^[a-z][a-z0-9_-]*=[a-z0-9_-]*$/);
    }
  });

  test('thresholds come from the config, one per condition', () => {
    const thresholds = (signal: Signal) => Object.fromEntries(conditionsOf(policyOf(signal)).map((c) => [c.displayName, c.conditionThreshold.thresholdValue]));
    expect(thresholds('callerVolume')).toEqual({ 'Model calls per caller above 111 in 5 minutes': 111, 'Tokens per model above 222222 in 5 minutes': 222222 });
    expect(thresholds('interventions')).toEqual({ 'Model Armor matches above 33 in 5 minutes': 33 });
    expect(thresholds('deniedCalls')).toEqual({ 'Refused Vertex AI calls above 55 in 5 minutes': 55 });
    expect(thresholds('tampering')).toEqual({ 'Any change to a control': 0 });
    expect(thresholds('availability')).toEqual({
      'Throttled (429) calls per model above 77': 77,
      'Server errors (5xx) per model above 6': 6,
      'p99 latency per model above 8888 ms': 8888,
    });
  });

  test('each log-based alert names its metric\'s type and is created after it; per-caller conditions group by the principal label', () => {
    const bySignal: Array<[Signal, string, string[]]> = [
      ['callerVolume', 'model-calls', ['metric.label."principal"']],
      ['interventions', 'interventions', []],
      ['deniedCalls', 'denied-calls', []],
      ['tampering', 'tampering', ['metric.label."principal"']],
    ];
    for (const [signal, key, groupBy] of bySignal) {
      const m = metric(key);
      expect(m.inputs.name).toBe(`detect/${key}`);
      const policy = policyOf(signal);
      const condition = conditionsOf(policy).find((c) => c.conditionThreshold.filter.startsWith('metric.type="logging.googleapis.com/user/'))!;
      expect(condition.conditionThreshold.filter).toBe(`metric.type="logging.googleapis.com/user/detect/${key}"`);
      expect(condition.conditionThreshold.aggregations).toEqual([{ alignmentPeriod: '300s', perSeriesAligner: 'ALIGN_SUM', crossSeriesReducer: 'REDUCE_SUM', groupByFields: groupBy }]);
      expect([key, waitsFor(p, policy.name, m.name)]).toEqual([key, true]);
    }
  });

  test('log-based metrics are DELTA INT64 counters; the principal comes from the audit entry\'s authenticationInfo', () => {
    for (const key of ['model-calls', 'denied-calls', 'tampering']) {
      expect(metric(key).inputs).toMatchObject({
        project: PROJECT,
        metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1', labels: [{ key: 'principal', valueType: 'STRING' }] },
        labelExtractors: { principal: 'EXTRACT(protoPayload.authenticationInfo.principalEmail)' },
      });
    }
    // The extractor's field is where Google writes the caller.
    expect((generateContent.protoPayload as { authenticationInfo: { principalEmail: string } }).authenticationInfo.principalEmail).toBe('alice@example.com');
    expect(metric('interventions').inputs).toMatchObject({ labelExtractors: { operation: 'EXTRACT(jsonPayload.operationType)' } });
  });

  test('the metrics carry the filters the samples are checked against', () => {
    expect(metric('model-calls').inputs.filter).toBe(modelCallsFilter(PROJECT));
    expect(metric('denied-calls').inputs.filter).toBe(deniedCallsFilter(PROJECT));
    expect(metric('interventions').inputs.filter).toBe(interventionsFilter(PROJECT));
    expect(metric('tampering').inputs.filter).toBe(tamperingFilter(PROJECT));
  });

  test('tokens, throttles, server errors and latency come from Vertex AI\'s publisher-model metrics, per model', () => {
    const [, tokens] = conditionsOf(policyOf('callerVolume'));
    expect(tokens.conditionThreshold).toMatchObject({
      filter: 'metric.type="aiplatform.googleapis.com/publisher/online_serving/token_count" AND resource.type="aiplatform.googleapis.com/PublisherModel"',
      aggregations: [{ alignmentPeriod: '300s', perSeriesAligner: 'ALIGN_SUM', crossSeriesReducer: 'REDUCE_SUM', groupByFields: ['resource.label."model_user_id"'] }],
    });
    const [throttles, errors, latency] = conditionsOf(policyOf('availability'));
    expect(throttles.conditionThreshold.filter).toBe(
      'metric.type="aiplatform.googleapis.com/publisher/online_serving/model_invocation_count" AND resource.type="aiplatform.googleapis.com/PublisherModel" AND metric.label."response_code"="429"',
    );
    expect(errors.conditionThreshold.filter).toContain('metric.label."response_code"=monitoring.regex.full_match("5[0-9][0-9]")');
    expect(latency.conditionThreshold).toMatchObject({
      filter: 'metric.type="aiplatform.googleapis.com/publisher/online_serving/model_invocation_latencies" AND resource.type="aiplatform.googleapis.com/PublisherModel"',
      aggregations: [{ alignmentPeriod: '300s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_PERCENTILE_99', groupByFields: ['resource.label."model_user_id"'] }],
    });
    // Monitoring refuses condition filters over 2048 characters.
    for (const r of policies()) for (const c of conditionsOf(r)) expect(c.conditionThreshold.filter.length).toBeLessThanOrEqual(2048);
  });

  test('one saved query per playbook step, named private-ai/<playbook>/<step>, shared, with the exported filter, in the given region (not global)', () => {
    const queries = ofType(p, TYPES.savedQuery);
    expect(queries.map((q) => q.inputs.displayName).sort()).toEqual(GCP_SAVED_QUERIES.map((q) => savedQueryName(q.playbook, q.step)).sort());
    for (const q of GCP_SAVED_QUERIES) {
      const r = resource(p, TYPES.savedQuery, `detect-${q.playbook}-${q.step}`);
      expect(r.inputs).toMatchObject({ parent: `projects/${PROJECT}`, location: 'europe-west4', visibility: 'SHARED', loggingQuery: { filter: q.filter } });
    }
    for (const playbook of Object.keys(PLAYBOOKS)) expect(GCP_SAVED_QUERIES.some((q) => q.playbook === playbook)).toBe(true);
  });

  test('refuses an empty or malformed contact list and a threshold below 1, saying where to fix it', () => {
    const base = { project: PROJECT, region: 'europe-west4', thresholds: THRESHOLDS, securityContacts: CONTACTS };
    expect(() => new MisuseDetection('a', { ...base, securityContacts: [] })).toThrow(
      'MisuseDetection a: securityContacts is empty; an alert nobody receives is no alert, so give at least one address (config: securityContacts.emails)',
    );
    expect(() => new MisuseDetection('b', { ...base, securityContacts: ['security'] })).toThrow(
      'MisuseDetection b: security contact "security" is not an e-mail address such as security@example.com (config: securityContacts.emails)',
    );
    expect(() => new MisuseDetection('c', { ...base, thresholds: { ...THRESHOLDS, deniedCallsPer5Minutes: 0 } })).toThrow(
      'MisuseDetection c: thresholds.deniedCallsPer5Minutes is 0; it must be a whole number of at least 1 (config: detection.thresholds.deniedCallsPer5Minutes)',
    );
    expect(() => new MisuseDetection('d', { ...base, metricPrefix: '/lead' })).toThrow(/metricPrefix "\/lead" must be/);
  });

  test('the default thresholds are accepted', async () => {
    const q = await plan(() => {
      new MisuseDetection('defaults', { project: PROJECT, region: 'europe-west4', thresholds: { ...DEFAULT_THRESHOLDS }, securityContacts: CONTACTS });
    });
    expect(ofType(q, TYPES.policy)).toHaveLength(Object.keys(SIGNALS).length);
  });
});

describe('the log filters, run over entries as Google writes them', () => {
  const all = {
    generateContent,
    streamGenerateContentBeta,
    permissionDenied,
    modelNotAllowed,
    invalidArgument,
    listEndpoints,
    promptInjection,
    cleanPrompt,
    sensitiveData,
    harmfulResponse,
    setIamPolicy,
    ...tamperingSamples,
    unrelatedVmStart: unrelated[0],
    otherProjectCall: unrelated[1],
  };
  const matching = (filter: string) =>
    Object.entries(all)
      .filter(([, e]) => matches(filter, e))
      .map(([k]) => k)
      .sort();

  test('model calls: every Gemini call of the project, v1 and v1beta1, refused or not; no admin read, no other project', () => {
    expect(matching(modelCallsFilter(PROJECT))).toEqual(['generateContent', 'invalidArgument', 'modelNotAllowed', 'permissionDenied', 'streamGenerateContentBeta'].sort());
  });

  test('refused calls: PERMISSION_DENIED, and FAILED_PRECONDITION from the allowed-models policy; not a malformed request', () => {
    expect(matching(deniedCallsFilter(PROJECT))).toEqual(['modelNotAllowed', 'permissionDenied']);
  });

  test('interventions: Model Armor screenings with a match, prompt or response; not a clean one', () => {
    expect(matching(interventionsFilter(PROJECT))).toEqual(['harmfulResponse', 'promptInjection', 'sensitiveData']);
  });

  test('tampering: the kill switch\'s SetIamPolicy and every control change; not a VM start or a model call', () => {
    expect(matching(tamperingFilter(PROJECT))).toEqual([...Object.keys(tamperingSamples), 'setIamPolicy'].sort());
  });

  test('the unrelated entries match no alert filter', () => {
    for (const filter of [modelCallsFilter(PROJECT), deniedCallsFilter(PROJECT), interventionsFilter(PROJECT), tamperingFilter(PROJECT)]) {
      expect(matches(filter, unrelated[0]) || matches(filter, unrelated[1])).toBe(false);
    }
  });

  test('the saved queries find what their step is about, in any project', () => {
    const found = Object.fromEntries(GCP_SAVED_QUERIES.map((q) => [savedQueryName(q.playbook, q.step), matching(q.filter)]));
    const calls = ['generateContent', 'invalidArgument', 'modelNotAllowed', 'otherProjectCall', 'permissionDenied', 'streamGenerateContentBeta'];
    expect(found).toEqual({
      'private-ai/prompt-injection/interventions': ['promptInjection'],
      'private-ai/prompt-injection/caller-activity': calls,
      'private-ai/data-leakage/interventions': ['sensitiveData'],
      'private-ai/data-leakage/caller-activity': calls,
      'private-ai/harmful-output/interventions': ['harmfulResponse'],
      'private-ai/harmful-output/caller-activity': calls,
      'private-ai/compromised-credentials/caller-activity': calls,
      'private-ai/compromised-credentials/denied-calls': ['modelNotAllowed', 'permissionDenied'],
      'private-ai/compromised-credentials/control-changes': [...Object.keys(tamperingSamples), 'setIamPolicy'].sort(),
    });
  });

  test('perimeter changes, logged in the organisation\'s audit log, are matched by the filter an organisation sink must route', () => {
    const perimeterChange = {
      ...adminChange('accesscontextmanager.googleapis.com', 'google.identity.accesscontextmanager.v1.AccessContextManager.UpdateServicePerimeter', 'audited_resource'),
      logName: 'organizations/123456789/logs/cloudaudit.googleapis.com%2Factivity',
    };
    expect(matches(PERIMETER_CHANGES_FILTER, perimeterChange)).toBe(true);
    // A project metric never sees it: its logName is the organisation's.
    expect(matches(tamperingFilter(PROJECT), perimeterChange)).toBe(false);
    expect(matches(PERIMETER_CHANGES_FILTER, setIamPolicy)).toBe(false);
  });
});
