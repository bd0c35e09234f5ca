import * as path from 'path';
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { BEDROCK_INVOKE_ACTIONS, principalConditions, suspendedModelAccessStatement } from './bedrock-policies';
// The handler's own constants, so the API validates what the handler accepts; these modules are the handler's leaves (no AWS SDK).
import { DEFAULTS as HANDLER_DEFAULTS, MODEL_ACCESS_MAX_AGE_SECONDS, MODEL_ACCESS_VALUES } from '../../lambda/invoke/config';
import { EMBEDDING_DIMENSIONS, embeddingFamilyOf, KNOWN_EMBEDDING_MODELS } from '../../lambda/invoke/embeddings';
import { ROUTES } from '../../lambda/invoke/validate';
import type { ModelKind } from '../config/model-kinds';
import { IsolatedFunction } from './isolated-function';
import { retainedLogGroup } from './retained-log-group';

/** A model the API may call, the data classifications it is cleared for, and what it serves. */
export interface InvokableModel {
  readonly id: string;
  readonly classifications: readonly string[];
  /** `chat` (Converse, POST /invoke) or `embedding` (InvokeModel, POST /embed). */
  readonly kind: ModelKind;
}

/** The model-invoker function and its private API. */
export interface ModelInvokerProps {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Security group of the interface endpoints: the function's only egress. */
  readonly endpointSecurityGroup: ec2.ISecurityGroup;
  /** The `execute-api` interface endpoint the API is reachable through, and only through. */
  readonly executeApiEndpoint: ec2.IInterfaceVpcEndpoint;
  /** Allowlisted models usable from this region; the first is the default. */
  readonly models: readonly InvokableModel[];
  /** Resource ARNs that admit exactly the chat models (foundation models and profiles). */
  readonly modelArns: readonly string[];
  /**
   * Resource ARNs that admit exactly the embedding models. Bedrock takes no guardrail with them, so
   * the function screens their input with ApplyGuardrail first and may invoke them without one.
   * @default - none
   */
  readonly embeddingModelArns?: readonly string[];
  readonly guardrailId: string;
  readonly guardrailArn: string;
  readonly guardrailVersion: string;
  /**
   * Name of the WAF log group (WAF requires the `aws-waf-logs-` prefix); auditors are granted it by name.
   * @default - `aws-waf-logs-<stack name>`
   */
  readonly wafLogGroupName?: string;
  /** The guardrail's key: Bedrock decrypts the guardrail with the caller's permissions. */
  readonly guardrailKey: kms.IKey;
  /**
   * `aws:PrincipalArn` patterns of the principals the private API admits (ArnLike), e.g. the
   * ModelUser permission set's roles and application roles. In the same account a resource-policy
   * Allow is enough on its own, so the API admits these and denies every other principal.
   */
  readonly apiCallers: readonly string[];
  readonly environmentKey: kms.IKey;
  readonly logsKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** Prefix of the function and API log-group names, e.g. `/acme/prod/`. */
  readonly logGroupPrefix: string;
  /**
   * AWS Organizations ID; callers of the whole organisation are then admitted.
   * @default - callers of this account only
   */
  readonly organizationId?: string;
  readonly reservedConcurrency: number;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly maxMessages: number;
  readonly maxTextChars: number;
  readonly maxTokensCap: number;
  /**
   * The kill switch (config: detection.suspendModelAccess): the parameter's value at each
   * deployment, and, when true, an explicit Deny of every model call on the function's role.
   * @default false - model access open
   */
  readonly suspendModelAccess?: boolean;
  /**
   * Name of the kill-switch parameter, e.g. `<aws.ssmPrefix>/<target>/model-access`.
   * @default - `/private-ai/<stack name>/model-access`
   */
  readonly modelAccessParameterName?: string;
  /**
   * Endpoint-specific DNS name of the SSM interface endpoint the function reads the kill switch
   * through (PrivateNetwork.endpointDnsName), e.g. `vpce-0abc-1def.ssm.eu-central-1.vpce.amazonaws.com`:
   * it resolves in the VPC whether or not the endpoint has private DNS, so the function needs no
   * endpoint that answers for `ssm.<region>` VPC-wide.
   */
  readonly ssmEndpointDnsName: string;
}

/** The most texts one embeddings request may carry: the handler's bound (Cohere Embed takes at most 96 per call). */
const MAX_EMBED_TEXTS = HANDLER_DEFAULTS.maxEmbedTexts;

/** The API resource (path part) of each route the handler serves: `invoke`, `embed`. */
const routePart = (kind: ModelKind) => ROUTES[kind].replace(/^\//, '');

/** SSM parameter names: a path of these characters, at most 1011 with the path (as the handler checks). */
const PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;

/** Longest model or inference-profile ID a request may name (Bedrock's IDs and ARNs are shorter). */
const MODEL_ID_MAX_LENGTH = 256;

/** API Gateway's own limit on a synchronous integration. */
const API_INTEGRATION_LIMIT_SECONDS = 29;

/** Validation of POST /embed before the function runs (the handler validates fully again). */
function embedModelSchema(props: ModelInvokerProps): apigw.JsonSchema {
  return {
    schema: apigw.JsonSchemaVersion.DRAFT4,
    type: apigw.JsonSchemaType.OBJECT,
    required: ['input'],
    additionalProperties: false,
    properties: {
      // Not an enum of the allowlist: the handler refuses other models (400 ModelNotAllowed) and
      // audits the attempt, so probing is counted (deniedCalls); API Gateway would refuse it unseen.
      modelId: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: MODEL_ID_MAX_LENGTH },
      dataClassification: { type: apigw.JsonSchemaType.STRING },
      input: { type: [apigw.JsonSchemaType.STRING, apigw.JsonSchemaType.ARRAY], maxItems: Math.min(props.maxMessages, MAX_EMBED_TEXTS) },
      dimensions: { type: apigw.JsonSchemaType.INTEGER, enum: [...EMBEDDING_DIMENSIONS] },
    },
  };
}

/** Validation API Gateway applies before the function runs (the handler validates fully again). */
function requestModelSchema(props: ModelInvokerProps): apigw.JsonSchema {
  return {
    schema: apigw.JsonSchemaVersion.DRAFT4,
    type: apigw.JsonSchemaType.OBJECT,
    required: ['messages'],
    additionalProperties: false,
    properties: {
      // Not an enum: see embedModelSchema; the role's policy allows the allowlisted models only anyway.
      modelId: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: MODEL_ID_MAX_LENGTH },
      dataClassification: { type: apigw.JsonSchemaType.STRING },
      system: {},
      messages: { type: apigw.JsonSchemaType.ARRAY, minItems: 1, maxItems: props.maxMessages },
      maxTokens: { type: apigw.JsonSchemaType.INTEGER, minimum: 1, maximum: props.maxTokensCap },
      temperature: { type: apigw.JsonSchemaType.NUMBER, minimum: 0, maximum: 1 },
    },
  };
}

/**
 * The model-invoker Lambda in the isolated subnets behind a private REST API: reachable only
 * through the `execute-api` interface endpoint (resource policy pinned to it), IAM (SigV4)
 * authorization so callers are SSO principals, request validation, throttling, tracing,
 * CMK-encrypted access and execution logs. The function may invoke only the allowlisted models,
 * and only with the guardrail.
 *
 * Kill switch (issue 14): two paths stop model access through the blueprint.
 *
 * - Fast path, seconds, no deployment: the String parameter `killSwitch` (`open` or `suspended`).
 *   The function reads it before any Bedrock call, through Powertools Parameters with a 30 s cache
 *   (lambda/invoke/model-access.ts), and while it says `suspended` answers every request
 *   503 `{"error":{"code":"ModelAccessSuspended","message":...,"requestId":...}}` with
 *   `Retry-After: 300`, writing the refusal to the audit record. A change takes effect in every
 *   execution environment within 30 s:
 *     aws ssm put-parameter --name <name> --value suspended --overwrite   (and --value open to restore)
 *   The parameter's allowed pattern refuses any other value. A parameter that is missing,
 *   unreadable or holds another value also answers 503 (fail closed), audited with the failure.
 *   This path covers the private API only: direct SDK calls of model users do not read it.
 * - Slow path, minutes, a deployment: `detection.suspendModelAccess: true`, then `cdk deploy`.
 *   The parameter is set to `suspended`, this function's role gets an explicit Deny of every
 *   model call (so the API stays shut even if the parameter is flipped back), the identity stack's
 *   permission sets get the same Deny, and the organisation guard (cdk.out/org-guards) carries it
 *   once an org admin applies it. IAM evaluates a role's policies at each request, not at sign-in,
 *   so the Deny stops sessions already signed in too (and the function's current credentials) as
 *   soon as it has propagated, within seconds to minutes; for a permission set, once Identity
 *   Center has reprovisioned it to the accounts (its AWSReservedSSO_ roles there).
 *
 * CloudFormation writes the parameter only when it updates the parameter resource, that is when
 * its template value (detection.suspendModelAccess) or another of its properties changes, not at
 * every deployment: a value set by hand stays until it is set back by hand or the config value
 * changes. Changes of the parameter are themselves management events in CloudTrail
 * (PutParameter), for the tampering alert to watch, and each refusal is counted in the
 * `Suspended` metric.
 */
export class ModelInvoker extends Construct {
  public readonly handler: IsolatedFunction;
  public readonly api: apigw.RestApi;
  /** The URL app teams POST to. */
  public readonly invokeUrl: string;
  /** The URL app teams POST embedding requests to, when an embedding model is allowlisted. */
  public readonly embedUrl?: string;
  public readonly accessLogGroup: logs.ILogGroup;
  public readonly webAcl: wafv2.CfnWebACL;
  /** The kill switch: `open` or `suspended`, read by the function at most every 30 seconds. */
  public readonly killSwitch: ssm.IStringParameter;

  constructor(scope: Construct, id: string, props: ModelInvokerProps) {
    super(scope, id);
    if (props.models.length === 0) {
      throw new Error('ModelInvoker: no allowlisted model is usable in this region; add one to aws.models (a foundation model or a profile of this geography)');
    }
    // The handler refuses at every cold start an embedding model it cannot call: refuse it here instead.
    for (const m of props.models.filter((x) => x.kind === 'embedding' && !embeddingFamilyOf(x.id))) {
      throw new Error(`ModelInvoker: the model invoker cannot call embedding model ${m.id}; it calls ${KNOWN_EMBEDDING_MODELS} (config: aws.models)`);
    }
    if (props.apiCallers.length === 0) {
      throw new Error('ModelInvoker: apiCallers is empty, so the private API would admit nobody; give the ModelUser role pattern and any application roles (config: aws.targets[].apiCallerRoleArns)');
    }
    const timeoutSeconds = props.timeout.toSeconds();
    // The upstream call must end before API Gateway gives up on the integration, and before the function does.
    const upstreamTimeoutMs = (Math.min(timeoutSeconds, API_INTEGRATION_LIMIT_SECONDS) - 3) * 1000;
    if (upstreamTimeoutMs < 5000) {
      throw new Error(`ModelInvoker: a timeout of ${timeoutSeconds}s leaves under 5s for the model call; use at least 10s (config: aws.modelInvoker.timeoutSeconds)`);
    }

    const suspended = props.suspendModelAccess ?? false;
    const parameterName = props.modelAccessParameterName ?? `/private-ai/${Stack.of(this).stackName}/model-access`;
    if (!Token.isUnresolved(parameterName) && !PARAMETER_NAME.test(parameterName)) {
      throw new Error(`ModelInvoker: modelAccessParameterName ${parameterName} is not an SSM parameter path such as /private-ai/prod/model-access (config: aws.ssmPrefix)`);
    }
    // A String parameter, not a SecureString: the value is not secret, and the function then needs no key to read it.
    const killSwitch = new ssm.StringParameter(this, 'ModelAccess', {
      parameterName,
      stringValue: suspended ? 'suspended' : 'open',
      allowedPattern: `^(${MODEL_ACCESS_VALUES.join('|')})$`,
      description: `Kill switch of the model-invoker API: open or suspended (read within ${MODEL_ACCESS_MAX_AGE_SECONDS} s); a deployment writes it only when detection.suspendModelAccess changes`,
      tier: ssm.ParameterTier.STANDARD,
    });
    this.killSwitch = killSwitch;

    const chatModel = props.models.find((m) => m.kind === 'chat');
    this.handler = new IsolatedFunction(this, 'Function', {
      entry: path.join(__dirname, '../../lambda/invoke/index.ts'),
      description: 'Invokes allowlisted Bedrock models with the guardrail, through the private endpoint',
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      egress: [{ peer: ec2.Peer.securityGroupId(props.endpointSecurityGroup.securityGroupId), description: 'HTTPS to the VPC interface endpoints only' }],
      environment: {
        ALLOWED_MODELS: JSON.stringify(props.models.map((m) => ({ id: m.id, classifications: m.classifications, kind: m.kind }))),
        // The default of POST /invoke is the first chat model (POST /embed defaults to the first embedding model).
        ...(chatModel ? { DEFAULT_MODEL_ID: chatModel.id } : {}),
        GUARDRAIL_ID: props.guardrailId,
        GUARDRAIL_VERSION: props.guardrailVersion,
        UPSTREAM_TIMEOUT_MS: String(upstreamTimeoutMs),
        MAX_MESSAGES: String(props.maxMessages),
        // The texts of one POST /embed, bounded like the messages of one POST /invoke (and by the API's validation).
        MAX_EMBED_TEXTS: String(Math.min(props.maxMessages, MAX_EMBED_TEXTS)),
        MAX_TEXT_CHARS: String(props.maxTextChars),
        MAX_TOKENS_CAP: String(props.maxTokensCap),
        MODEL_ACCESS_PARAMETER: killSwitch.parameterName,
        // The SSM endpoint by its own name: nothing else in the VPC is pointed at it.
        SSM_ENDPOINT: `https://${props.ssmEndpointDnsName}`,
        POWERTOOLS_SERVICE_NAME: 'model-invoker',
        POWERTOOLS_METRICS_NAMESPACE: 'PrivateAI',
      },
      environmentKey: props.environmentKey,
      logsKey: props.logsKey,
      logRetention: props.logRetention,
      logGroupName: `${props.logGroupPrefix}model-invoker`,
      reservedConcurrency: props.reservedConcurrency,
      timeout: props.timeout,
      memorySize: props.memorySize,
      statements: [
        ...(props.modelArns.length > 0
          ? [
              new iam.PolicyStatement({
                sid: 'InvokeAllowlistedModelsWithGuardrail',
                actions: [...BEDROCK_INVOKE_ACTIONS],
                resources: [...props.modelArns],
                conditions: { StringEquals: { 'bedrock:GuardrailIdentifier': `${props.guardrailArn}:${props.guardrailVersion}` } },
              }),
            ]
          : []),
        ...(props.embeddingModelArns?.length
          ? [
              new iam.PolicyStatement({
                sid: 'InvokeEmbeddingModelsScreenedByTheGuardrail',
                actions: ['bedrock:InvokeModel'],
                resources: [...props.embeddingModelArns],
              }),
            ]
          : []),
        new iam.PolicyStatement({ sid: 'ApplyTheGuardrail', actions: ['bedrock:ApplyGuardrail'], resources: [props.guardrailArn] }),
        new iam.PolicyStatement({
          sid: 'DecryptTheGuardrailThroughBedrock',
          actions: ['kms:Decrypt'],
          resources: [props.guardrailKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `bedrock.${Stack.of(this).region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({ sid: 'ReadTheKillSwitch', actions: ['ssm:GetParameter'], resources: [killSwitch.parameterArn] }),
        // The slow path: denied on every resource whatever the parameter says, until the config opens access again.
        ...(suspended ? [suspendedModelAccessStatement()] : []),
      ],
    });

    const endpointId = props.executeApiEndpoint.vpcEndpointId;
    this.accessLogGroup = retainedLogGroup(this, 'AccessLogs', {
      logGroupName: `${props.logGroupPrefix}model-api-access`,
      encryptionKey: props.logsKey,
      retention: props.logRetention,
    });

    const api = new apigw.RestApi(this, 'Api', {
      description: 'Private model-access API: reachable only through the execute-api VPC endpoint, SigV4 (IAM) callers only',
      endpointConfiguration: { types: [apigw.EndpointType.PRIVATE], vpcEndpoints: [props.executeApiEndpoint] },
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            sid: 'InvokeThroughThePrivateEndpoint',
            principals: [new iam.AnyPrincipal()],
            actions: ['execute-api:Invoke'],
            resources: ['execute-api:/*'],
            conditions: {
              ...principalConditions(props.organizationId),
              StringEqualsIgnoreCase: { 'aws:SourceVpce': endpointId },
              ArnLike: { 'aws:PrincipalArn': [...props.apiCallers] },
            },
          }),
          new iam.PolicyStatement({
            sid: 'DenyOtherPrincipals',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['execute-api:Invoke'],
            resources: ['execute-api:/*'],
            conditions: { ArnNotLike: { 'aws:PrincipalArn': [...props.apiCallers] } },
          }),
          new iam.PolicyStatement({
            sid: 'DenyAnyOtherPath',
            effect: iam.Effect.DENY,
            principals: [new iam.AnyPrincipal()],
            actions: ['execute-api:Invoke'],
            resources: ['execute-api:/*'],
            conditions: { StringNotEquals: { 'aws:SourceVpce': endpointId } },
          }),
        ],
      }),
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        metricsEnabled: true,
        // Errors only, and never request or response bodies: prompts live only in the invocation logs.
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields({
          caller: true,
          httpMethod: true,
          ip: true,
          protocol: true,
          requestTime: true,
          resourcePath: true,
          responseLength: true,
          status: true,
          user: true,
        }),
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    this.api = api;
    // RestApi always adds an `Endpoint` output with the stage's root URL; app teams get the one
    // URL they call (PrivateApiUrl, with its path) from AppTeamOutputs instead.
    api.node.tryRemoveChild('Endpoint');

    // Execution logs go to a log group created here, so they are CMK-encrypted with a retention.
    retainedLogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${api.restApiId}/v1`,
      encryptionKey: props.logsKey,
      retention: props.logRetention,
    });
    // Execution logging needs the region's API Gateway CloudWatch role (an account setting).
    const cloudWatchRole = new iam.Role(this, 'ApiGatewayCloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
      description: "API Gateway's account-level role for writing execution logs",
    });
    Validations.of(cloudWatchRole.node.defaultChild!).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        "API Gateway's CloudWatch role is one setting per account and region, shared by every API there; the AWS managed policy is the documented role for it, and narrowing it to this API would break execution logging of the account's other APIs.",
    });
    const account = new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: cloudWatchRole.roleArn });
    api.deploymentStage.node.addDependency(account);

    const validator = api.addRequestValidator('RequestValidator', { validateRequestBody: true, validateRequestParameters: true });
    const integration = new apigw.LambdaIntegration(this.handler.function, { proxy: true, allowTestInvoke: false, timeout: Duration.seconds(API_INTEGRATION_LIMIT_SECONDS) });
    const route = (path: string, modelName: string, schema: apigw.JsonSchema) => {
      const method = api.root.addResource(path).addMethod('POST', integration, {
        authorizationType: apigw.AuthorizationType.IAM,
        requestValidator: validator,
        requestModels: { 'application/json': api.addModel(modelName, { contentType: 'application/json', schema }) },
      });
      // The invoke permission names the source account as well as the API's ARN (CT.LAMBDA.PR.2).
      for (const child of method.node.children) {
        if (child instanceof lambda.CfnPermission) child.sourceAccount = Stack.of(this).account;
      }
      Validations.of(method.node.defaultChild!).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG4',
        reason: 'Callers are IAM Identity Center (SSO) principals signing with SigV4, so the method uses IAM authorization by design instead of a Cognito user pool.',
      });
      return api.urlForPath(`/${path}`);
    };
    this.invokeUrl = route(routePart('chat'), 'InvokeRequest', requestModelSchema(props));
    const embeddingModels = props.models.filter((m) => m.kind === 'embedding');
    if (embeddingModels.length > 0) this.embedUrl = route(routePart('embedding'), 'EmbedRequest', embedModelSchema(props));

    // Errors API Gateway answers itself (bad body, denied, throttled) take the handler's shape.
    const errorTemplate = '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}}';
    api.addGatewayResponse('Default4xx', { type: apigw.ResponseType.DEFAULT_4XX, templates: { 'application/json': errorTemplate } });
    api.addGatewayResponse('Default5xx', { type: apigw.ResponseType.DEFAULT_5XX, templates: { 'application/json': errorTemplate } });

    this.webAcl = this.protectWithWaf(api, props);

    const stage = api.deploymentStage.node.defaultChild!;
    const noCacheReason =
      'Model calls are POST requests, which API Gateway does not cache, and caching prompts or answers would keep sensitive data outside the audited, CMK-encrypted path; no cache cluster is provisioned.';
    const noClientCertReason =
      'The only integration is a Lambda proxy invoked inside AWS; a client certificate authenticates API Gateway to HTTP backends and would protect nothing here.';
    Validations.of(stage).acknowledge(
      { id: 'HIPAA.Security::HIPAA.Security-APIGWCacheEnabledAndEncrypted', reason: noCacheReason },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', reason: noCacheReason },
      { id: 'PCI.DSS.321::PCI.DSS.321-APIGWCacheEnabledAndEncrypted', reason: noCacheReason },
      { id: 'HIPAA.Security::HIPAA.Security-APIGWSSLEnabled', reason: noClientCertReason },
      { id: 'NIST.800.53.R5::NIST.800.53.R5-APIGWSSLEnabled', reason: noClientCertReason },
      { id: 'PCI.DSS.321::PCI.DSS.321-APIGWSSLEnabled', reason: noClientCertReason },
    );
  }

  /**
   * A regional web ACL on the stage: AWS managed rules for known-bad inputs and common
   * exploits (body-size rule counted only, since prompts are large and capped by the handler),
   * a per-caller rate limit, and CMK-encrypted WAF logs with the Authorization header redacted.
   */
  private protectWithWaf(api: apigw.RestApi, props: ModelInvokerProps): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: false });
    const managed = (priority: number, name: string, countOnly: string[] = []) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          ruleActionOverrides: countOnly.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
        },
      },
      visibilityConfig: visibility(name),
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'Protects the private model-access API',
      visibilityConfig: visibility('model-api'),
      rules: [
        managed(0, 'AWSManagedRulesKnownBadInputsRuleSet'),
        managed(1, 'AWSManagedRulesCommonRuleSet', ['SizeRestrictions_BODY']),
        {
          name: 'RateLimitPerSource',
          priority: 2,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: Math.max(100, Math.ceil(props.throttleRateLimit * 300)) } },
          visibilityConfig: visibility('RateLimitPerSource'),
        },
      ],
    });
    const association = new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn: webAcl.attrArn,
    });
    association.node.addDependency(api.deploymentStage);
    // WAF requires log groups named aws-waf-logs-*.
    const wafLogs = retainedLogGroup(this, 'WafLogs', {
      logGroupName: props.wafLogGroupName ?? `aws-waf-logs-${Stack.of(this).stackName}`.slice(0, 512),
      encryptionKey: props.logsKey,
      retention: props.logRetention,
    });
    new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: webAcl.attrArn,
      // WAF wants the log group's ARN without the trailing ":*" that Fn::GetAtt returns.
      logDestinationConfigs: [
        Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: wafLogs.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    return webAcl;
  }
}
