import { ArnFormat, Aws, Duration, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { describeSignal, PLAYBOOKS, savedQueryName, SIGNAL_TAG_KEY, SIGNALS, type Playbook, type Signal } from '../config/detection';
import type { OrgConfig } from '../config/schema';

/** Alert thresholds of the organisation config (`detection.thresholds`), each per 5-minute window. */
export type DetectionThresholds = OrgConfig['detection']['thresholds'];

/** The log groups a saved query runs over. */
export type SavedQueryLogGroup = 'audit' | 'trail' | 'invocations' | 'apiAccess';

/** A CloudWatch Logs Insights query a playbook step runs, saved under {@link savedQueryName}. */
export interface SavedQuery {
  readonly playbook: Playbook;
  readonly step: string;
  /** `audit`: the invoker's audit records; `trail`: CloudTrail; `invocations`: prompts and responses; `apiAccess`: the private API's access log. */
  readonly logGroups: readonly SavedQueryLogGroup[];
  readonly query: string;
}

/** Output tokens from which an answer counts as large when looking for data leaving through the model. */
export const LARGE_OUTPUT_TOKENS = 2000;

/**
 * The saved queries of the AWS program, verbatim, so the playbooks (docs/playbooks) quote exactly
 * what is deployed. Field names are those the cloud writes: Powertools puts the audit record under
 * `audit` beside `message: "audit"` (lambda/invoke/audit.ts); CloudTrail writes one event per log
 * event; Bedrock's invocation logs carry the invoker's request metadata (`caller`, `apiRequestId`).
 */
export const AWS_SAVED_QUERIES: readonly SavedQuery[] = [
  {
    playbook: 'prompt-injection',
    step: 'interventions-by-caller',
    logGroups: ['audit'],
    query: [
      'filter message = "audit" and audit.guardrailAction = "INTERVENED"',
      '| stats count(*) as interventions, count_distinct(audit.promptSha256) as distinctPrompts, latest(audit.sourceIp) as lastSourceIp, max(@timestamp) as lastSeen by audit.callerArn',
      '| sort interventions desc',
    ].join('\n'),
  },
  {
    playbook: 'data-leakage',
    step: 'sensitive-filter-hits-and-large-outputs',
    logGroups: ['audit'],
    query: [
      'fields @timestamp, audit.requestId, audit.callerArn, audit.modelId, audit.dataClassification, audit.guardrailAction, audit.stopReason, audit.outputTokens',
      `| filter message = "audit" and (audit.guardrailAction = "INTERVENED" or audit.outputTokens >= ${LARGE_OUTPUT_TOKENS})`,
      '| sort audit.outputTokens desc',
    ].join('\n'),
  },
  {
    playbook: 'data-leakage',
    step: 'invocations-by-output-size',
    logGroups: ['invocations'],
    query: [
      'fields @timestamp, requestMetadata.apiRequestId, requestMetadata.caller, requestMetadata.dataClassification, modelId, input.inputTokenCount, output.outputTokenCount',
      `| filter output.outputTokenCount >= ${LARGE_OUTPUT_TOKENS}`,
      '| sort output.outputTokenCount desc',
    ].join('\n'),
  },
  {
    playbook: 'harmful-output',
    step: 'blocked-outputs',
    logGroups: ['audit'],
    query: [
      'fields @timestamp, audit.requestId, audit.callerArn, audit.modelId, audit.route, audit.stopReason, audit.outputTokens, audit.promptSha256',
      '| filter message = "audit" and audit.guardrailAction = "INTERVENED" and audit.outputTokens > 0',
      '| sort @timestamp desc',
    ].join('\n'),
  },
  {
    playbook: 'harmful-output',
    step: 'answers-of-requests',
    logGroups: ['invocations'],
    query: [
      'fields @timestamp, requestMetadata.apiRequestId, requestMetadata.caller, modelId, output.outputBodyJson',
      '| sort @timestamp desc',
      '| limit 100',
    ].join('\n'),
  },
  {
    playbook: 'compromised-credentials',
    step: 'caller-timeline',
    logGroups: ['audit', 'trail'],
    query: [
      'fields @timestamp, coalesce(audit.callerArn, userIdentity.arn) as caller, coalesce(audit.sourceIp, sourceIPAddress) as ip, coalesce(audit.route, eventName) as action, coalesce(audit.modelId, requestParameters.modelId) as model, coalesce(audit.errorCode, errorCode) as error',
      '| filter message = "audit" or eventSource like /^bedrock/',
      '| sort @timestamp desc',
    ].join('\n'),
  },
  {
    playbook: 'compromised-credentials',
    step: 'denied-calls',
    logGroups: ['audit', 'trail'],
    query: [
      'fields coalesce(audit.callerArn, userIdentity.arn) as caller, coalesce(audit.sourceIp, sourceIPAddress) as ip, coalesce(audit.route, eventName) as action',
      '| filter audit.status = 403 or errorCode like /^AccessDenied/',
      '| stats count(*) as denied, max(@timestamp) as lastSeen by caller, ip, action',
      '| sort denied desc',
    ].join('\n'),
  },
  {
    playbook: 'compromised-credentials',
    step: 'api-denied-callers',
    logGroups: ['apiAccess'],
    query: ['filter status = "403"', '| stats count(*) as denied, max(requestTime) as lastSeen by caller, user, ip, resourcePath', '| sort denied desc'].join('\n'),
  },
];

/** Who may use the alert key: CloudWatch alarms, EventBridge rules and SNS (for undelivered alerts). */
function admitAlertPublishers(key: kms.IKey, topicArn: string, rulePattern: string): void {
  const stack = Stack.of(key);
  const publish = ['kms:Decrypt', 'kms:GenerateDataKey*'];
  const ofThisAccount = { 'aws:SourceAccount': Aws.ACCOUNT_ID };
  const statements = [
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublishAlerts',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: publish,
      resources: ['*'],
      conditions: {
        StringEquals: ofThisAccount,
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
      },
    }),
    // Amazon SNS does not support aws:SourceAccount or aws:SourceArn in the key policy for
    // EventBridge publishing to an encrypted topic ("Key management", Amazon SNS Developer Guide):
    // with them every event would be dropped. The topic's encryption context binds the grant to
    // the alert topic instead.
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeToPublishAlerts',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: publish,
      resources: ['*'],
      conditions: { StringEquals: { 'kms:EncryptionContext:aws:sns:topicArn': topicArn } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowEventBridgeToKeepUndeliveredAlerts',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: publish,
      resources: ['*'],
      conditions: { StringEquals: ofThisAccount, ArnLike: { 'aws:SourceArn': rulePattern } },
    }),
    new iam.PolicyStatement({
      sid: 'AllowSnsToKeepUndeliveredAlerts',
      principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
      actions: publish,
      resources: ['*'],
      conditions: { StringEquals: ofThisAccount, ArnEquals: { 'aws:SourceArn': topicArn } },
    }),
  ];
  for (const statement of statements) {
    if (!key.addToResourcePolicy(statement, true).statementAdded) {
      throw new Error(
        `MisuseDetection: key ${key.node.path} is imported, so its key policy cannot admit CloudWatch and EventBridge, and every alert would be dropped; pass a kms.Key defined in this app`,
      );
    }
  }
}

/** What the tampering rules watch besides the account-wide controls (guardrails, logging setting, trails, endpoints). */
export interface ProtectedResources {
  /** Keys whose deletion, disabling, policy or rotation change raises an alert. */
  readonly keys: readonly kms.IKey[];
  /** Log groups whose deletion, retention, filters or key change raises an alert. */
  readonly logGroups: readonly logs.ILogGroup[];
  /** Buckets whose policy, lifecycle, versioning, logging, encryption or public access change raises an alert. */
  readonly buckets: readonly s3.IBucket[];
  /**
   * Roles of this stack whose policies, permissions boundary or trust policy changing (or the
   * role being deleted) raises an alert. The invoker's role is always watched.
   * @default - the invoker's role only
   */
  readonly roles?: readonly iam.IRole[];
  /**
   * Names (`*` matches any run of characters) of roles this stack does not create whose changes
   * raise an alert too, such as the permission sets' `AWSReservedSSO_<permission set>_*` roles,
   * which Identity Center rewrites in this account whenever it provisions a changed permission set.
   * @default - none
   */
  readonly roleNamePatterns?: readonly string[];
}

/** Misuse detection for one platform stack: what to watch, the thresholds, and whom to tell. */
export interface MisuseDetectionProps {
  /** Addresses that receive every alert (`securityContacts.emails`); one e-mail subscription each. */
  readonly emails: readonly string[];
  readonly thresholds: DetectionThresholds;
  /**
   * Encrypts the alert topic and the queue of undelivered alerts. Its policy is extended here to
   * admit CloudWatch alarms and EventBridge (without them alerts are dropped), so it must be a key
   * of this app.
   */
  readonly key: kms.IKey;
  /**
   * Prefix of the names that must be unique in the account and region (topic, alarms,
   * Contributor Insights rules, EventBridge rules, metric namespace), e.g. `acme-prod`.
   */
  readonly namePrefix: string;
  /** The model invoker's log group, which holds its audit records (`message: "audit"`). */
  readonly auditLogGroup: logs.ILogGroup;
  /** The trail's log group (management events and Bedrock data events). */
  readonly trailLogGroup: logs.ILogGroup;
  /**
   * The model invocation log group (prompts and responses), for the playbooks' saved queries.
   * @default - no saved queries over prompts and responses
   */
  readonly invocationLogGroup?: logs.ILogGroup;
  /** The private API's access log group (JSON, with `status` and `caller`). */
  readonly apiAccessLogGroup: logs.ILogGroup;
  /** The model invoker's function. */
  readonly invokerFunction: lambda.IFunction;
  /** The private model API. */
  readonly api: apigw.RestApiBase;
  /** Keys, log groups and buckets whose changes are tampering. */
  readonly protectedResources: ProtectedResources;
  /**
   * The parameter that suspends model access through the API (the kill switch, ModelInvoker.killSwitch);
   * writing or deleting it raises an alert.
   * @default - no kill-switch rule
   */
  readonly killSwitch?: ssm.IStringParameter;
}

/** The window every threshold is counted over. */
const WINDOW = Duration.minutes(5);
/** EventBridge's detail type for management events recorded by CloudTrail. */
const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';
/** Longest name prefix that leaves room for the longest rule suffix within EventBridge's 64 characters. */
const MAX_NAME_PREFIX = 45;
/** CloudWatch Logs' limit on a filter pattern (PutMetricFilter's filterPattern). */
const MAX_FILTER_PATTERN_CHARS = 1024;
/** IAM's limit on a role name: what a role name known only at deployment is counted as. */
const MAX_ROLE_NAME_CHARS = 64;
/** A role name, or a pattern of role names with `*` (IAM's characters: no quote can end the filter's string). */
const ROLE_NAME_PATTERN = /^[\w+=,.@*-]{1,64}$/;

/** IAM calls that change what a role may do or who may assume it, or delete it. */
const ROLE_CHANGES = [
  'PutRolePolicy',
  'DeleteRolePolicy',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'PutRolePermissionsBoundary',
  'DeleteRolePermissionsBoundary',
  'UpdateAssumeRolePolicy',
  'DeleteRole',
] as const;
/** Identity Center calls that change what a permission set grants, or push the change to the accounts. */
const PERMISSION_SET_CHANGES = [
  'PutInlinePolicyToPermissionSet',
  'DeleteInlinePolicyFromPermissionSet',
  'AttachManagedPolicyToPermissionSet',
  'DetachManagedPolicyFromPermissionSet',
  'AttachCustomerManagedPolicyReferenceToPermissionSet',
  'DetachCustomerManagedPolicyReferenceFromPermissionSet',
  'PutPermissionsBoundaryToPermissionSet',
  'DeletePermissionsBoundaryFromPermissionSet',
  'DeletePermissionSet',
  'ProvisionPermissionSet',
] as const;
/** Organizations calls that weaken or remove an organisation policy (the region and protection guards are SCPs). */
const ORGANISATION_POLICY_CHANGES = ['DetachPolicy', 'UpdatePolicy', 'DeletePolicy', 'DisablePolicyType'] as const;

/**
 * A JSON filter pattern over CloudTrail records: the event source, one of the event names, and,
 * when given, a request parameter equal to one of the values (`*` matches any run of characters).
 */
export function trailEventPattern(eventSource: string, eventNames: readonly string[], where?: { readonly selector: string; readonly values: readonly string[] }): string {
  const oneOf = (selector: string, values: readonly string[]) => `(${values.map((v) => `${selector} = "${v}"`).join(' || ')})`;
  const parts = [`$.eventSource = "${eventSource}"`, oneOf('$.eventName', eventNames), ...(where ? [oneOf(where.selector, where.values)] : [])];
  return `{ ${parts.join(' && ')} }`;
}

/** Filter patterns (CloudWatch Logs JSON patterns) of the metric filters. */
const PATTERNS = {
  interventions: '{ $.message = "audit" && $.audit.guardrailAction = "INTERVENED" }',
  // 403s, and 400 ModelNotAllowed: a caller asking for a model outside the allowlist (probing).
  invokerDenied: '{ $.message = "audit" && ($.audit.status = 403 || $.audit.errorCode = "ModelNotAllowed") }',
  // A refusal by the kill switch (503 ModelAccessSuspended) is access suspended on purpose, not a
  // fault; but a switch that could not be read refuses with the same code (fail closed) and names
  // the failure in upstreamError (`ModelAccessSwitch: <what>`), and that is a fault.
  invokerFaults:
    '{ $.message = "audit" && $.audit.status >= 500 && ($.audit.errorCode != "ModelAccessSuspended" || $.audit.upstreamError = "ModelAccessSwitch*") }',
  // Bedrock's own calls (bedrock, bedrock-runtime, bedrock-agent..., bedrock-mantle) and the
  // Anthropic endpoint's; CloudTrail spells the denial AccessDenied or AccessDeniedException.
  trailDenied: '{ ($.eventSource = "bedrock*" || $.eventSource = "aws-external-anthropic*") && $.errorCode = "AccessDenied*" }',
  // API Gateway writes the status as a string; 403 is a caller refused by the resource policy, IAM or WAF.
  apiDenied: '{ $.status = "403" }',
} as const;

/** A tampering rule: the calls it watches, and which of their request parameters must name a protected resource. */
interface TamperingWatch {
  /** Suffix of the rule's name and its construct ID. */
  readonly id: string;
  readonly what: string;
  readonly eventSource: string;
  readonly eventNames: ReadonlyArray<string | { prefix: string }>;
  /** `detail.requestParameters` pattern; absent when any resource of the account and region counts. */
  readonly requestParameters?: Record<string, unknown>;
}

/** Sends a rule's events to the alert topic, keeping undelivered ones; the topic policy admits the rules. */
class AlertTopicTarget implements events.IRuleTarget {
  constructor(
    private readonly topic: sns.ITopic,
    private readonly undelivered: sqs.IQueue,
    private readonly input: events.RuleTargetInput,
  ) {}

  bind(): events.RuleTargetConfig {
    return {
      arn: this.topic.topicArn,
      input: this.input,
      deadLetterConfig: { arn: this.undelivered.queueArn },
      retryPolicy: { maximumEventAgeInSeconds: Duration.hours(24).toSeconds(), maximumRetryAttempts: 185 },
    };
  }
}

/**
 * Raises an alert for every misuse signal of lib/config/detection.ts and sends it to the security
 * contacts: per-caller volume and interventions (Contributor Insights on the invoker's audit
 * records), interventions and denied calls (metric filters on the audit records, the trail and
 * the API's access log), tampering with the controls (EventBridge rules on CloudTrail management
 * events, and metric filters on the trail's log group for the IAM, Identity Center and
 * Organizations events EventBridge in this region never receives), and the invoker's availability (Lambda, API Gateway and Bedrock metrics). Alerts go to
 * one KMS-encrypted SNS topic with an e-mail subscription per contact; alerts that cannot be
 * delivered are kept in a queue, itself watched by an alarm. Every alerting resource names its
 * signal (tag `private-ai-signal` and a description prefix). The playbooks' saved queries are
 * saved as Logs Insights query definitions.
 */
export class MisuseDetection extends Construct {
  /** The topic every alarm and rule publishes to. */
  public readonly topic: sns.ITopic;
  /** Alerts the topic could not take (EventBridge) or could not deliver (e-mail); kept 14 days. */
  public readonly undeliveredAlerts: sqs.IQueue;
  /** The alarms of each signal. */
  public readonly alarms: Readonly<Record<Signal, readonly cloudwatch.IAlarm[]>>;
  /** The EventBridge rules that watch for tampering. */
  public readonly tamperingRules: readonly events.IRule[];
  /** The Contributor Insights rules (per-caller volume and interventions). */
  public readonly insightRules: readonly cloudwatch.CfnInsightRule[];
  /** The saved Logs Insights queries, by `private-ai/<playbook>/<step>` name. */
  public readonly savedQueries: Readonly<Record<string, logs.CfnQueryDefinition>>;

  private readonly alarmsBySignal: Record<Signal, cloudwatch.Alarm[]> = { callerVolume: [], interventions: [], deniedCalls: [], tampering: [], availability: [] };
  private readonly namespace: string;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: MisuseDetectionProps) {
    super(scope, id);
    if (props.emails.length === 0) {
      throw new Error('MisuseDetection: emails is empty, so alerts would reach nobody; list at least one address in securityContacts.emails');
    }
    const prefix = props.namePrefix;
    if (Token.isUnresolved(prefix) || !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(prefix) || prefix.length > MAX_NAME_PREFIX) {
      throw new Error(
        `MisuseDetection: namePrefix must be 1-${MAX_NAME_PREFIX} letters, digits, hyphens or underscores known at synthesis (it names the topic, alarms and rules); received ${JSON.stringify(prefix)}`,
      );
    }
    this.prefix = prefix;
    this.namespace = `PrivateAI/Detection/${prefix}`;
    const stack = Stack.of(this);
    const t = props.thresholds;

    // Names known at synthesis let the key policy name the topic and rules without referring to them
    // (the topic refers to the key, so a reference back would be a cycle).
    const topicName = `${prefix}-security-alerts`;
    const topicArn = stack.formatArn({ service: 'sns', resource: topicName, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    const ruleArnPattern = stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${prefix}-*` });
    admitAlertPublishers(props.key, topicArn, ruleArnPattern);

    const undelivered = new sqs.Queue(this, 'UndeliveredAlerts', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Declares the queue a dead-letter queue (CT.SQS.PR.1).
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const deadLetterReason =
      'This queue is itself the dead-letter queue of the alert path (EventBridge targets and the e-mail subscriptions), the end of the failure path; undelivered alerts stay here, CMK-encrypted, for 14 days, and an alarm on its depth tells the security contacts.';
    Validations.of(undelivered.node.defaultChild!).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-SQS3', reason: deadLetterReason },
      { id: 'Serverless::Serverless-SQSRedrivePolicy', reason: deadLetterReason },
    );
    undelivered.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'KeepAlertsTheRulesCouldNotDeliver',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [undelivered.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': ruleArnPattern } },
      }),
    );

    const topic = new sns.Topic(this, 'Topic', {
      topicName,
      displayName: 'Private AI security alerts',
      masterKey: props.key,
      enforceSSL: true,
    });
    // Only this account's alarms and rules publish (the topic policy replaces SNS's default one).
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
        },
      }),
    );
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'TamperingRulesPublish',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { ArnLike: { 'aws:SourceArn': ruleArnPattern } },
      }),
    );
    for (const email of props.emails) {
      topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue: undelivered }));
    }
    this.topic = topic;
    this.undeliveredAlerts = undelivered;

    // callerVolume: the busiest caller of each window, by requests and by tokens.
    const audit = props.auditLogGroup;
    const callerRequests = this.insightRule('CallerRequests', 'callerVolume', audit, {});
    this.alarm('CallerRequests', 'callerVolume', `one caller made more than ${t.callerRequestsPer5Minutes} model calls in 5 minutes`, {
      metric: this.maxContributor(callerRequests),
      threshold: t.callerRequestsPer5Minutes,
      dependsOn: [callerRequests],
    });
    // Contributor Insights sums one field per rule, so input and output tokens are two rules. The
    // sum of their busiest callers is at least any one caller's total: the alarm never misses a
    // caller above the threshold (two different callers may also add up to it).
    const inputTokens = this.insightRule('CallerInputTokens', 'callerVolume', audit, { sumOf: '$.audit.inputTokens' });
    const outputTokens = this.insightRule('CallerOutputTokens', 'callerVolume', audit, { sumOf: '$.audit.outputTokens' });
    this.alarm('CallerTokens', 'callerVolume', `one caller used more than ${t.callerTokensPer5Minutes} tokens (input plus output) in 5 minutes`, {
      metric: new cloudwatch.MathExpression({
        expression: 'inputTokens + outputTokens',
        usingMetrics: { inputTokens: this.maxContributor(inputTokens), outputTokens: this.maxContributor(outputTokens) },
        period: WINDOW,
        label: 'Busiest caller input tokens + busiest caller output tokens',
      }),
      threshold: t.callerTokensPer5Minutes,
      dependsOn: [inputTokens, outputTokens],
    });

    // interventions: overall, and on one caller's calls.
    this.alarm('Interventions', 'interventions', `the guardrail intervened on more than ${t.interventionsPer5Minutes} calls in 5 minutes`, {
      metric: this.metricFilter('GuardrailInterventions', audit, PATTERNS.interventions),
      threshold: t.interventionsPer5Minutes,
    });
    const callerInterventions = this.insightRule('CallerInterventions', 'interventions', audit, {
      filters: [{ Match: '$.audit.guardrailAction', In: ['INTERVENED'] }],
    });
    this.alarm('CallerInterventions', 'interventions', `the guardrail intervened on more than ${t.callerInterventionsPer5Minutes} calls of one caller in 5 minutes`, {
      metric: this.maxContributor(callerInterventions),
      threshold: t.callerInterventionsPer5Minutes,
      dependsOn: [callerInterventions],
    });

    // deniedCalls: at Bedrock (any path, the trail), at the invoker, and at the API's front door.
    this.alarm('DeniedModelCalls', 'deniedCalls', `more than ${t.deniedCallsPer5Minutes} model calls were denied (AccessDenied in CloudTrail) in 5 minutes`, {
      metric: this.metricFilter('DeniedModelCalls', props.trailLogGroup, PATTERNS.trailDenied),
      threshold: t.deniedCallsPer5Minutes,
    });
    this.alarm('InvokerDeniedCalls', 'deniedCalls', `the model invoker refused more than ${t.deniedCallsPer5Minutes} calls in 5 minutes as denied (403) or for a model outside the allowlist (400 ModelNotAllowed)`, {
      metric: this.metricFilter('InvokerDeniedCalls', audit, PATTERNS.invokerDenied),
      threshold: t.deniedCallsPer5Minutes,
    });
    this.alarm('ApiDeniedCalls', 'deniedCalls', `the private API refused more than ${t.deniedCallsPer5Minutes} requests with 403 in 5 minutes`, {
      metric: this.metricFilter('ApiDeniedCalls', props.apiAccessLogGroup, PATTERNS.apiDenied),
      threshold: t.deniedCallsPer5Minutes,
    });

    // availability.
    const fn = props.invokerFunction;
    this.alarm('InvokerErrors', 'availability', `the model invoker failed more than ${t.invokerErrorsPer5Minutes} invocations in 5 minutes`, {
      metric: fn.metricErrors({ period: WINDOW, statistic: cloudwatch.Stats.SUM }),
      threshold: t.invokerErrorsPer5Minutes,
    });
    this.alarm('InvokerFaults', 'availability', `the model invoker answered more than ${t.invokerErrorsPer5Minutes} calls with a server error in 5 minutes`, {
      metric: this.metricFilter('InvokerFaults', audit, PATTERNS.invokerFaults),
      threshold: t.invokerErrorsPer5Minutes,
    });
    // Also counts the kill switch's 503s, which the API returns by design while access is suspended.
    this.alarm('ApiServerErrors', 'availability', `the private API answered more than ${t.invokerErrorsPer5Minutes} requests with 5XX in 5 minutes`, {
      metric: props.api.metricServerError({ period: WINDOW, statistic: cloudwatch.Stats.SUM }),
      threshold: t.invokerErrorsPer5Minutes,
    });
    this.alarm('InvokerThrottles', 'availability', `more than ${t.throttlesPer5Minutes} invocations of the model invoker were throttled in 5 minutes`, {
      metric: fn.metricThrottles({ period: WINDOW, statistic: cloudwatch.Stats.SUM }),
      threshold: t.throttlesPer5Minutes,
    });
    // Every model of the account and region, whatever its ModelId (a Metrics Insights query).
    this.alarm('ModelThrottles', 'availability', `Bedrock throttled more than ${t.throttlesPer5Minutes} model calls in 5 minutes`, {
      metric: new cloudwatch.MathExpression({ expression: 'SELECT SUM(InvocationThrottles) FROM SCHEMA("AWS/Bedrock", ModelId)', period: WINDOW, label: 'Bedrock InvocationThrottles' }),
      threshold: t.throttlesPer5Minutes,
    });
    this.alarm('InvokerLatencyP99', 'availability', `the model invoker's p99 duration was above ${t.latencyP99Milliseconds} ms over 5 minutes`, {
      metric: fn.metricDuration({ period: WINDOW, statistic: cloudwatch.Stats.p(99) }),
      threshold: t.latencyP99Milliseconds,
    });

    // tampering: a change to the controls, as CloudTrail records it.
    const input = (what: string) =>
      events.RuleTargetInput.fromText(
        `${describeSignal('tampering', what)}: ${events.EventField.fromPath('$.detail.eventName')} (${events.EventField.fromPath('$.detail.eventSource')}) ` +
          `by ${events.EventField.fromPath('$.detail.userIdentity.arn')} from ${events.EventField.fromPath('$.detail.sourceIPAddress')} ` +
          `at ${events.EventField.fromPath('$.time')} in account ${events.EventField.fromPath('$.account')}, region ${events.EventField.fromPath('$.region')}. ` +
          `Error (empty when it succeeded): ${events.EventField.fromPath('$.detail.errorCode')}. Request: ${events.EventField.fromPath('$.detail.requestParameters')}`,
      );
    this.savedQueries = this.saveQueries(props);
    const watches = tamperingWatches(props, prefix, topicArn, Object.values(this.savedQueries));
    this.tamperingRules = watches.map((w) => {
      const rule = new events.Rule(this, `Tampering${w.id.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`, {
        ruleName: `${prefix}-${w.id}`,
        description: describeSignal('tampering', w.what),
        eventPattern: {
          detailType: [CLOUDTRAIL_API_CALL],
          detail: {
            eventSource: [w.eventSource],
            eventName: [...w.eventNames],
            ...(w.requestParameters ? { requestParameters: w.requestParameters } : {}),
          },
        },
        targets: [new AlertTopicTarget(topic, undelivered, input(w.what))],
      });
      Tags.of(rule).add(SIGNAL_TAG_KEY, 'tampering');
      return rule;
    });
    this.alarm('UndeliveredAlerts', 'tampering', 'an alert could not be delivered (the alert topic, its key or its policy changed, or a subscription fails); read the queue of undelivered alerts', {
      metric: undelivered.metricApproximateNumberOfMessagesVisible({ period: WINDOW, statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 0,
    });
    this.watchTrailForTampering(props);
    this.alarms = this.alarmsBySignal;
    this.insightRules = [callerRequests, inputTokens, outputTokens, callerInterventions];
    // Every signal has an alert: a change to SIGNALS must be answered here.
    for (const signal of Object.keys(SIGNALS) as Signal[]) {
      if (this.alarmsBySignal[signal].length === 0 && !(signal === 'tampering' && this.tamperingRules.length > 0)) {
        throw new Error(`MisuseDetection: signal ${signal} has no alert`);
      }
    }
  }

  /** An alarm on a 5-minute window above the threshold, notifying the topic on alarm and on recovery. */
  private alarm(
    id: string,
    signal: Signal,
    text: string,
    options: { metric: cloudwatch.IMetric; threshold: number; dependsOn?: Construct[] },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, `${id}Alarm`, {
      alarmName: `${this.prefix}/${signal}/${id}`,
      alarmDescription: describeSignal(signal, text),
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No data is a quiet window, not an incident (metric filters and Contributor Insights report nothing then).
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new cloudwatchActions.SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    for (const d of options.dependsOn ?? []) alarm.node.addDependency(d);
    Tags.of(alarm).add(SIGNAL_TAG_KEY, signal);
    this.alarmsBySignal[signal].push(alarm);
    return alarm;
  }

  /**
   * Tampering that EventBridge in this region cannot see, read from the trail's log group instead:
   * the multi-region trail with global service events (AuditTrail) delivers every region's
   * management events there, IAM's (recorded in us-east-1, the only region whose EventBridge
   * receives them) and Identity Center's (recorded in its home region) included. Each filter
   * counts successful and failed attempts alike, as the EventBridge rules do; the alarm says what
   * changed, and the trail's log group holds who did it.
   */
  private watchTrailForTampering(props: MisuseDetectionProps): void {
    const trail = props.trailLogGroup;
    const { roles = [], roleNamePatterns = [] } = props.protectedResources;
    const invokerRole = props.invokerFunction.role;
    const roleNames = [...new Set([...(invokerRole ? [invokerRole] : []), ...roles].map((r) => r.roleName))];
    for (const pattern of roleNamePatterns) {
      if (Token.isUnresolved(pattern) || !ROLE_NAME_PATTERN.test(pattern)) {
        throw new Error(
          `MisuseDetection: role name pattern ${JSON.stringify(pattern)} must be 1-64 of IAM's role-name characters (letters, digits, +=,.@_-) or *, known at synthesis; e.g. AWSReservedSSO_AcmeAiModelUser_*`,
        );
      }
    }
    const iamFilter = (id: string, names: readonly string[], what: string) => {
      const pattern = trailEventPattern('iam.amazonaws.com', ROLE_CHANGES, { selector: '$.requestParameters.roleName', values: names });
      // Role names known only at deployment count at IAM's maximum, so the deployed pattern fits too.
      const longest = trailEventPattern('iam.amazonaws.com', ROLE_CHANGES, {
        selector: '$.requestParameters.roleName',
        values: names.map((n) => (Token.isUnresolved(n) ? 'x'.repeat(MAX_ROLE_NAME_CHARS) : n)),
      });
      if (longest.length > MAX_FILTER_PATTERN_CHARS) {
        throw new Error(
          `MisuseDetection: watching ${names.length} roles in one filter (${id}) takes up to ${longest.length} characters, above CloudWatch Logs' ${MAX_FILTER_PATTERN_CHARS} per filter pattern; watch fewer roles (protectedResources.roles, roleNamePatterns)`,
        );
      }
      this.alarm(id, 'tampering', `${what} (the trail's log group holds who and how: eventSource iam.amazonaws.com)`, { metric: this.metricFilter(id, trail, pattern), threshold: 0 });
    };
    iamFilter('RoleChanges', roleNames, "an IAM policy, permissions boundary or trust policy of a role of the platform (the model invoker's among them) changed, or the role was deleted");
    if (roleNamePatterns.length > 0) {
      iamFilter('PermissionSetRoleChanges', roleNamePatterns, `Identity Center rewrote, or someone changed, the policies or trust of a role of the blueprint's permission sets in this account (${roleNamePatterns.join(', ')})`);
    }
    // Identity Center's own calls are recorded only in the account that holds the instance (the
    // management or a delegated administrator account), in its home region: this filter sees
    // them where the stack is deployed to that account. In every other account the same change
    // reaches the permission sets' roles when it is provisioned, which PermissionSetRoleChanges watches.
    this.alarm(
      'PermissionSetChanges',
      'tampering',
      "an Identity Center permission set's policies or boundary changed, a permission set was deleted, or one was provisioned to the accounts (the trail's log group holds who: eventSource sso.amazonaws.com)",
      { metric: this.metricFilter('PermissionSetChanges', trail, trailEventPattern('sso.amazonaws.com', PERMISSION_SET_CHANGES)), threshold: 0 },
    );
    // Organizations records policy changes only in the management account (and its organisation
    // trail): in a workload account this filter never counts anything, and the organisation
    // guards (SCPs) must be watched from the management account. It is here for a stack deployed
    // there, at no cost elsewhere.
    this.alarm(
      'OrganisationPolicyChanges',
      'tampering',
      "an organisation policy (such as the region or protection guard SCP) was detached, changed or deleted, or a policy type disabled; recorded only in the management account (the trail's log group holds who: eventSource organizations.amazonaws.com)",
      { metric: this.metricFilter('OrganisationPolicyChanges', trail, trailEventPattern('organizations.amazonaws.com', ORGANISATION_POLICY_CHANGES)), threshold: 0 },
    );
  }

  /** A metric counting the log events that match a JSON filter pattern. */
  private metricFilter(metricName: string, logGroup: logs.ILogGroup, filterPattern: string): cloudwatch.IMetric {
    const filter = new logs.MetricFilter(this, `${metricName}Filter`, {
      logGroup,
      filterPattern: logs.FilterPattern.literal(filterPattern),
      metricNamespace: this.namespace,
      metricName,
      metricValue: '1',
      unit: cloudwatch.Unit.COUNT,
    });
    return filter.metric({ period: WINDOW, statistic: cloudwatch.Stats.SUM });
  }

  /** A Contributor Insights rule over audit records, keyed by the caller's ARN: a count of records, or a sum of one field. */
  private insightRule(
    id: string,
    signal: Signal,
    logGroup: logs.ILogGroup,
    contribution: { readonly sumOf?: string; readonly filters?: Array<Record<string, unknown>> },
  ): cloudwatch.CfnInsightRule {
    const rule = new cloudwatch.CfnInsightRule(this, `${id}Rule`, {
      ruleName: `${this.prefix}-${id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
      ruleState: 'ENABLED',
      ruleBody: Stack.of(this).toJsonString({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: [logGroup.logGroupName],
        LogFormat: 'JSON',
        Contribution: {
          Keys: ['$.audit.callerArn'],
          ...(contribution.sumOf ? { ValueOf: contribution.sumOf } : {}),
          Filters: [{ Match: '$.message', In: ['audit'] }, ...(contribution.filters ?? [])],
        },
        AggregateOn: contribution.sumOf ? 'Sum' : 'Count',
      }),
    });
    Tags.of(rule).add(SIGNAL_TAG_KEY, signal);
    return rule;
  }

  /** The largest single caller's value in a window of a Contributor Insights rule. */
  private maxContributor(rule: cloudwatch.CfnInsightRule): cloudwatch.IMetric {
    return new cloudwatch.MathExpression({ expression: `INSIGHT_RULE_METRIC('${rule.attrRuleName}', 'MaxContributorValue')`, period: WINDOW, label: `${rule.node.id} busiest caller` });
  }

  private saveQueries(props: MisuseDetectionProps): Record<string, logs.CfnQueryDefinition> {
    const groups: Partial<Record<SavedQueryLogGroup, logs.ILogGroup>> = {
      audit: props.auditLogGroup,
      trail: props.trailLogGroup,
      invocations: props.invocationLogGroup,
      apiAccess: props.apiAccessLogGroup,
    };
    const saved: Record<string, logs.CfnQueryDefinition> = {};
    for (const q of AWS_SAVED_QUERIES) {
      const logGroups = q.logGroups.map((g) => groups[g]);
      // A stack without the invocation logs saves no query over them.
      if (logGroups.some((g) => g === undefined)) continue;
      const name = savedQueryName(q.playbook, q.step);
      saved[name] = new logs.CfnQueryDefinition(this, `Query-${q.playbook}-${q.step}`, {
        name,
        queryString: q.query,
        logGroupNames: logGroups.map((g) => g!.logGroupName),
      });
    }
    for (const playbook of Object.keys(PLAYBOOKS) as Playbook[]) {
      if (!AWS_SAVED_QUERIES.some((q) => q.playbook === playbook)) throw new Error(`MisuseDetection: playbook ${playbook} has no saved query`);
    }
    return saved;
  }
}

/** The tampering rules, one per kind of control. */
function tamperingWatches(props: MisuseDetectionProps, prefix: string, topicArn: string, queries: readonly logs.CfnQueryDefinition[]): TamperingWatch[] {
  const { keys, buckets } = props.protectedResources;
  // The detection's own metric filters and Contributor Insights rules read these groups too.
  const detectionGroups = [props.auditLogGroup, props.trailLogGroup, props.apiAccessLogGroup];
  const logGroupNames = [...new Set([...props.protectedResources.logGroups, ...detectionGroups].map((g) => g.logGroupName))];
  const fnName = props.invokerFunction.functionName;
  const watches: TamperingWatch[] = [
    {
      id: 'guardrails',
      // Creating one too: model users accept any published guardrail of their account.
      what: 'a guardrail, a guardrail version or the enforced guardrail configuration was created, changed or deleted',
      eventSource: 'bedrock.amazonaws.com',
      eventNames: ['CreateGuardrail', 'CreateGuardrailVersion', 'UpdateGuardrail', 'DeleteGuardrail', 'PutEnforcedGuardrailConfiguration', 'DeleteEnforcedGuardrailConfiguration'],
    },
    {
      id: 'invocation-logging',
      what: 'model invocation logging (prompt and response capture) was changed or removed',
      eventSource: 'bedrock.amazonaws.com',
      eventNames: ['PutModelInvocationLoggingConfiguration', 'DeleteModelInvocationLoggingConfiguration'],
    },
    {
      id: 'trails',
      what: 'a CloudTrail trail was stopped, deleted or changed',
      eventSource: 'cloudtrail.amazonaws.com',
      eventNames: ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'],
    },
    {
      id: 'endpoints',
      what: 'a VPC endpoint (and with it its endpoint policy) was modified or deleted',
      eventSource: 'ec2.amazonaws.com',
      eventNames: ['ModifyVpcEndpoint', 'DeleteVpcEndpoints'],
    },
    {
      id: 'keys',
      what: 'a key of the platform was scheduled for deletion, disabled, or its policy or rotation changed',
      eventSource: 'kms.amazonaws.com',
      eventNames: ['ScheduleKeyDeletion', 'DisableKey', 'PutKeyPolicy', 'DisableKeyRotation'],
      // Callers may name a key by ID or ARN.
      requestParameters: { keyId: keys.flatMap((k) => [k.keyId, k.keyArn]) },
    },
    {
      id: 'log-groups',
      what: "a log group of the platform was deleted, or its retention, key, subscription or metric filters (misuse detection's among them) changed",
      eventSource: 'logs.amazonaws.com',
      eventNames: ['DeleteLogGroup', 'PutRetentionPolicy', 'DeleteRetentionPolicy', 'DisassociateKmsKey', 'DeleteSubscriptionFilter', 'DeleteMetricFilter', 'PutMetricFilter'],
      requestParameters: { logGroupName: logGroupNames },
    },
    {
      id: 'saved-queries',
      what: "a playbook's saved query (Logs Insights query definition) was changed or deleted",
      eventSource: 'logs.amazonaws.com',
      eventNames: ['PutQueryDefinition', 'DeleteQueryDefinition'],
      // DeleteQueryDefinition names only the ID; PutQueryDefinition the name, and the ID when it replaces one.
      requestParameters: { $or: [{ queryDefinitionId: queries.map((q) => q.attrQueryDefinitionId) }, { name: queries.map((q) => q.name) }] },
    },
    {
      id: 'buckets',
      what: 'an audit bucket was deleted, or its policy, lifecycle, versioning, logging, object lock, encryption, ownership or public access setting changed',
      eventSource: 's3.amazonaws.com',
      eventNames: [
        'PutBucketPolicy',
        'DeleteBucketPolicy',
        'PutBucketLifecycle',
        'DeleteBucketLifecycle',
        'PutBucketVersioning',
        'PutBucketLogging',
        'PutObjectLockConfiguration',
        'PutBucketEncryption',
        'DeleteBucketEncryption',
        'PutBucketPublicAccessBlock',
        'DeleteBucketPublicAccessBlock',
        'PutBucketOwnershipControls',
        'DeleteBucket',
      ],
      requestParameters: { bucketName: buckets.map((b) => b.bucketName) },
    },
    {
      id: 'api',
      what: "the private API's resource policy, stages, methods or deployment changed",
      eventSource: 'apigateway.amazonaws.com',
      eventNames: ['UpdateRestApi', 'PutRestApi', 'DeleteRestApi', 'UpdateStage', 'DeleteStage', 'UpdateMethod', 'DeleteMethod', 'CreateDeployment'],
      requestParameters: { restApiId: [props.api.restApiId] },
    },
    {
      id: 'web-acl',
      what: 'a web ACL (WAF) or its logging was changed, deleted or disassociated',
      eventSource: 'wafv2.amazonaws.com',
      eventNames: ['UpdateWebACL', 'DeleteWebACL', 'DisassociateWebACL', 'DeleteLoggingConfiguration', 'PutLoggingConfiguration'],
    },
    {
      id: 'invoker',
      what: "the model invoker's code, configuration (guardrail, allowed models), concurrency or resource policy (who may invoke it) changed",
      eventSource: 'lambda.amazonaws.com',
      // Lambda's CloudTrail event names carry an API version suffix (UpdateFunctionConfiguration20150331v2, AddPermission20150331v2).
      eventNames: [
        { prefix: 'UpdateFunctionConfiguration' },
        { prefix: 'UpdateFunctionCode' },
        { prefix: 'DeleteFunction' },
        { prefix: 'PutFunctionConcurrency' },
        { prefix: 'AddPermission' },
        { prefix: 'RemovePermission' },
      ],
      // Callers may name the function by name, ARN or partial ARN.
      requestParameters: { functionName: [fnName, { suffix: `:function:${fnName}` }] },
    },
    {
      id: 'alarms',
      what: 'an alarm or Contributor Insights rule of misuse detection was changed, set to a state by hand, disabled or deleted',
      eventSource: 'monitoring.amazonaws.com',
      // SetAlarmState too: an alarm set to OK by hand stays quiet until its next breaching evaluation.
      eventNames: ['PutMetricAlarm', 'SetAlarmState', 'DeleteAlarms', 'DisableAlarmActions', 'PutInsightRule', 'DeleteInsightRules', 'DisableInsightRules'],
      // PutMetricAlarm, SetAlarmState and PutInsightRule name one alarm or rule; the others take
      // lists, and a list matches when any of its names does.
      requestParameters: {
        $or: [{ alarmName: [{ prefix: `${prefix}/` }] }, { alarmNames: [{ prefix: `${prefix}/` }] }, { ruleName: [{ prefix: `${prefix}-` }] }, { ruleNames: [{ prefix: `${prefix}-` }] }],
      },
    },
    {
      id: 'alert-routing',
      what: 'a tampering rule of misuse detection was changed, deleted, disabled or retargeted',
      eventSource: 'events.amazonaws.com',
      // PutRule too: a rule whose pattern no longer matches is as silent as a deleted one.
      eventNames: ['PutRule', 'DeleteRule', 'DisableRule', 'RemoveTargets', 'PutTargets'],
      // PutRule, DeleteRule and DisableRule name the rule `name`; RemoveTargets and PutTargets `rule`.
      requestParameters: { $or: [{ name: [{ prefix: `${prefix}-` }] }, { rule: [{ prefix: `${prefix}-` }] }] },
    },
    {
      id: 'alert-topic',
      what: "the alert topic was deleted, its attributes (key, policy) or permissions changed, or a subscription added, changed (filter, redrive) or removed",
      eventSource: 'sns.amazonaws.com',
      eventNames: ['DeleteTopic', 'SetTopicAttributes', 'AddPermission', 'RemovePermission', 'Subscribe', 'Unsubscribe', 'SetSubscriptionAttributes'],
      // A subscription's ARN is the topic's followed by `:<id>`.
      requestParameters: { $or: [{ topicArn: [topicArn] }, { subscriptionArn: [{ prefix: `${topicArn}:` }] }] },
    },
  ];
  if (props.killSwitch) {
    const byNameOrArn = [props.killSwitch.parameterName, props.killSwitch.parameterArn];
    watches.push({
      id: 'kill-switch',
      what: 'the kill switch (the SSM parameter that suspends model access) was written or deleted',
      eventSource: 'ssm.amazonaws.com',
      eventNames: ['PutParameter', 'DeleteParameter', 'DeleteParameters', 'LabelParameterVersion'],
      // By name or ARN; DeleteParameters takes a list of them as `names`.
      requestParameters: { $or: [{ name: byNameOrArn }, { names: byNameOrArn }] },
    });
  }
  return watches;
}
