import { z } from 'zod';
import { MODEL_KINDS } from './model-kinds';
import {
  AVAILABILITY_ZONE_PATTERN,
  AWS_REGION_PATTERN,
  isKnownAwsRegion,
  regionOfZone,
  unknownAvailabilityZoneMessage,
  unknownAwsRegionMessage,
} from './aws-regions';

/**
 * The organisation config: one typed, validated document that the AWS (CDK), Azure and
 * Google Cloud (Pulumi) programs all read. Every constraint a user can get wrong has a
 * message that says what is allowed; the loader adds the field path and the value received.
 */

/** Data classifications, from least to most sensitive. */
export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy); other clouds accept any of them too. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const slug = (what: string) =>
  z
    .string()
    .regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/, {
      message: `${what} must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter`,
    });

const classification = z.enum(DATA_CLASSIFICATIONS, {
  message: `must be one of ${DATA_CLASSIFICATIONS.join(', ')}`,
});

const classifications = z
  .array(classification)
  .min(1, { message: 'must list at least one data classification the model may handle' });

const nonEmptyUnique = <T extends z.ZodType<string>>(item: T, what: string) =>
  z
    .array(item)
    .min(1, { message: `must list at least one ${what}` })
    .refine((xs) => new Set(xs).size === xs.length, { message: `must not repeat a ${what}` });

/**
 * A string that identifies something (account, organisation, group...). A JSON number or
 * another type gets a message saying what belongs there and how to write it, instead of
 * zod's bare `expected string`; a numeric ID written as a number is told to quote it.
 */
const idString = (what: string, example: string) =>
  z.string({
    error: (issue) =>
      typeof issue.input === 'number' && /^\d+$/.test(example)
        ? `must be ${what} written as a string, not a number (quote it as a string: ${JSON.stringify(String(issue.input))})`
        : `must be ${what} written as a string, such as ${JSON.stringify(example)}`,
  });

/** A list of identifiers; a single bare ID gets a message saying to wrap it in a list. */
const idList = <T extends z.ZodType<string>>(item: T, what: string, example: string) =>
  z.array(item, { error: `must be a list of ${what}, such as [${JSON.stringify(example)}], even for a single one` });

/** An optional list of identifiers: when given, at least one and none twice. */
const nonEmptyUniqueIdList = <T extends z.ZodType<string>>(item: T, what: string, one: string, example: string) =>
  idList(item, what, example)
    .min(1, { message: `must list at least one ${one}, or be left out` })
    .refine((xs) => new Set(xs).size === xs.length, { message: `must not list the same ${one} twice` });

// The format check aborts so a malformed code gets one message, not also the unknown-region one.
export const awsRegion = z
  .string()
  .regex(AWS_REGION_PATTERN, { message: 'must be an AWS region code such as eu-central-1', abort: true })
  .refine(isKnownAwsRegion, { error: (issue) => unknownAwsRegionMessage(String(issue.input)) });

const awsAccount = idString('a 12-digit AWS account ID', '123456789012').regex(/^\d{12}$/, {
  message: 'must be a 12-digit AWS account ID (quote it as a string)',
});

/**
 * A Bedrock model ID: a foundation model (`anthropic.claude-...`) or a cross-region inference
 * profile (`eu.anthropic.claude-...`, `global.anthropic...`).
 */
export const bedrockModelId = z
  .string()
  .regex(/^([a-z-]+\.)?[a-z0-9-]+\.[A-Za-z0-9._:-]+$/, {
    message: 'must be a Bedrock model ID such as anthropic.claude-3-haiku-20240307-v1:0 or eu.anthropic.claude-3-7-sonnet-20250219-v1:0',
  });

const awsModel = z.strictObject({
  /** Bedrock model or inference-profile ID. */
  id: bedrockModelId,
  /** Data classifications this model may process. */
  classifications,
  /**
   * `chat` (served by Converse, the private API's /invoke) or `embedding` (InvokeModel, /embed).
   * @default - inferred from the model ID (lib/config/model-kinds.ts); a model it does not know is refused until given
   */
  kind: z.enum(MODEL_KINDS, { message: `must be one of ${MODEL_KINDS.join(', ')}` }).optional(),
});

/** Azure OpenAI deployment SKUs and whether each keeps data in the deployment's location. */
export const AZURE_SKUS = ['Standard', 'ProvisionedManaged', 'DataZoneStandard', 'DataZoneProvisionedManaged', 'GlobalStandard', 'GlobalProvisionedManaged'] as const;

const azureModel = z.strictObject({
  /** Deployment name callers use. */
  deployment: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,63}$/, { message: 'must be 2-64 letters, digits, dots, underscores or hyphens' }),
  /** Model name, e.g. gpt-4o. */
  model: z.string().min(1, { message: 'must name the model, such as gpt-4o' }),
  /** Pinned model version, e.g. 2024-11-20 (no auto-upgrade). */
  version: z.string().min(1, { message: 'must pin a model version, such as 2024-11-20' }),
  format: z.string().min(1).default('OpenAI'),
  sku: z.enum(AZURE_SKUS, { message: `must be one of ${AZURE_SKUS.join(', ')}` }).default('Standard'),
  /** Capacity in thousands of tokens per minute (or PTUs for provisioned SKUs). */
  capacity: z.number().int().min(1, { message: 'must be at least 1' }).max(100000, { message: 'must be at most 100000' }),
  classifications,
});

const gcpModel = z.strictObject({
  /** Vertex AI publisher model ID, e.g. gemini-2.5-flash. */
  id: z.string().regex(/^[a-z0-9][a-z0-9.@-]*$/, { message: 'must be a Vertex AI model ID such as gemini-2.5-flash' }),
  /** Model publisher. */
  publisher: z.string().regex(/^[a-z0-9-]+$/, { message: 'must be a Vertex AI publisher such as google or anthropic' }).default('google'),
  classifications,
});

const USER_NAME_EXAMPLE = 'jane.doe@example.com';

/**
 * An Identity Center user name as it appears in the user's role sessions: Identity Center names
 * each session after the user, and IAM allows a role session name only 2-64 of these characters.
 * A name outside them could never be a session name, and `*` or `?` would be wildcards in the
 * deny's StringLike, so both are refused.
 */
export const IDENTITY_CENTER_USER_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;

const identityCenterUserName = idString('an Identity Center user name', USER_NAME_EXAMPLE).regex(IDENTITY_CENTER_USER_NAME_PATTERN, {
  message: `must be an Identity Center user name as its role sessions are named (2 to 64 letters, digits and +=,.@_-), such as ${USER_NAME_EXAMPLE}`,
});

/** An alert threshold: a positive whole number. */
const threshold = z.number().int({ message: 'must be a whole number' }).min(1, { message: 'must be at least 1' });

/** Alert thresholds when the organisation config gives none. */
export const DEFAULT_THRESHOLDS = {
  callerRequestsPer5Minutes: 300,
  callerTokensPer5Minutes: 500000,
  interventionsPer5Minutes: 20,
  callerInterventionsPer5Minutes: 5,
  deniedCallsPer5Minutes: 10,
  invokerErrorsPer5Minutes: 5,
  throttlesPer5Minutes: 10,
  latencyP99Milliseconds: 30000,
} as const;

/** A short access level name in an Access Context Manager policy. */
const accessLevelName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,49}$/, { message: 'must be the short name of an access level (letters, digits, underscores; at most 50), such as corp_network' });

const perimeterIngress = z
  .strictObject({
    /** What the rule is for, e.g. "deployer pipeline". */
    title: z.string().min(1, { message: 'must say what the rule is for, such as deployer pipeline' }).max(100),
    /** serviceAccount:, user: or group: principals admitted. */
    identities: z.array(z.string().regex(/^(serviceAccount|user|group):[^@\s]+@[^@\s]+$/, { message: 'must be serviceAccount:<e-mail>, user:<e-mail> or group:<e-mail>' })).default([]),
    /** Short access level names whose callers are admitted. */
    accessLevels: z.array(accessLevelName).default([]),
    /** Restricted services the rule opens. @default - all of them */
    services: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.googleapis\.com$/, { message: 'must be a service name such as aiplatform.googleapis.com' })).optional(),
  })
  .refine((r) => r.identities.length + r.accessLevels.length > 0, { message: 'must name identities or accessLevels: a rule with neither would admit anyone' });

const vpcNetwork = z
  .strictObject({
    /** Use this existing VPC (its isolated subnets) instead of creating one. */
    existingVpcId: idString('a VPC ID', 'vpc-0123456789abcdef0').regex(/^vpc-[0-9a-f]{8,17}$/, { message: 'must be a VPC ID such as vpc-0123456789abcdef0' }).optional(),
    /** CIDR of a new VPC. */
    cidr: z
      .string()
      .regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/, { message: 'must be an IPv4 CIDR with a prefix between /16 and /24, such as 10.40.0.0/16' })
      .optional(),
    /** Availability zones of a new VPC. */
    maxAzs: z.number().int().min(2, { message: 'must be at least 2 so the endpoints survive the loss of one zone' }).max(6, { message: 'must be at most 6' }).optional(),
    /** Zone names of a new VPC; lets synthesis run offline (no zone lookup). */
    availabilityZones: z
      .array(
        z
          .string()
          .regex(AVAILABILITY_ZONE_PATTERN, { message: 'must be an availability zone name such as eu-central-1a', abort: true })
          .refine((zone) => isKnownAwsRegion(regionOfZone(zone)), { error: (issue) => unknownAvailabilityZoneMessage(String(issue.input)) }),
      )
      .min(2, { message: 'must list at least 2 zones so the endpoints survive the loss of one' })
      .optional(),
  })
  .refine((n) => !(n.existingVpcId && (n.cidr || n.maxAzs || n.availabilityZones)), {
    message: 'give either existingVpcId (use an existing VPC) or cidr/maxAzs/availabilityZones (create a new VPC), never both',
  });

const VPC_ENDPOINT_EXAMPLE = 'vpce-0a1b2c3d4e5f60718';

const vpcEndpointId = idString('a VPC endpoint ID', VPC_ENDPOINT_EXAMPLE).regex(/^vpce-[0-9a-f]{8,17}$/, {
  message: `must be a VPC endpoint ID: vpce- and 8-17 hexadecimal digits, such as ${VPC_ENDPOINT_EXAMPLE}`,
});

/**
 * An IAM role ARN: `arn:<partition>:iam::<account>:role/<optional path/>name`; the fifth field is
 * the account. Paths are printable ASCII between slashes, names the characters IAM allows.
 */
export const IAM_ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\x21-\x7e]+\/)?[\w+=,.@-]{1,64}$/;

const ROLE_ARN_EXAMPLE = 'arn:<partition>:iam::123456789012:role/chat-app';

const iamRoleArn = idString('an IAM role ARN', ROLE_ARN_EXAMPLE).regex(IAM_ROLE_ARN_PATTERN, {
  message: `must be an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<optional path/>name), such as ${ROLE_ARN_EXAMPLE}`,
});

const awsTarget = z.strictObject({
  /** Short name of the environment; becomes part of the stack name. */
  name: slug('a target name'),
  account: awsAccount,
  region: awsRegion,
  /** @default - a new VPC with 2 AZs and 10.40.0.0/16 */
  network: vpcNetwork.optional(),
  /**
   * Whether this stack owns the account-region's Bedrock model invocation logging setting
   * (one owner per account and region).
   */
  ownsInvocationLogging: z.boolean().default(true),
  /**
   * Whether the stack that owns invocation logging may replace a setting it finds in place (one it
   * did not make). Off, creating the stack fails instead of silently redirecting another team's logs.
   */
  takeOverInvocationLogging: z.boolean().default(false),
  /**
   * Corporate networks (VPN, Direct Connect) admitted to the execute-api endpoint, besides the VPC.
   * @default - none: only the VPC reaches the private API
   */
  clientCidrs: z
    .array(z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/([0-9]|[12]\d|3[0-2])$/, { message: 'must be an IPv4 CIDR such as 10.0.0.0/8' }))
    .min(1, { message: 'must list at least one CIDR when given' })
    .optional(),
  /**
   * A Route 53 Resolver inbound endpoint in the isolated subnets, so corporate DNS can forward the
   * private names (the API and the endpoints) into the VPC.
   */
  dnsResolver: z.boolean().default(false),
  /**
   * Fixed addresses of the inbound resolver, one per isolated subnet in subnet order (corporate DNS
   * forwarders are configured with addresses, and CloudFormation cannot report ones AWS picks).
   * @default - AWS picks them; read them with `aws route53resolver list-resolver-endpoint-ip-addresses`
   */
  dnsResolverAddresses: z
    .array(z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$/, { message: 'must be an IPv4 address in an isolated subnet of the target, such as 10.40.0.10' }))
    .min(2, { message: 'must give one address per isolated subnet (at least 2)' })
    .optional(),
  /**
   * The organisation's own bedrock-runtime interface endpoints that model users may call Bedrock
   * through directly (SDK) in this target: its own endpoint (stack output `BedrockRuntimeEndpointId`,
   * known after the first deployment) and any other endpoint of the organisation.
   * @default - the direct SDK path is closed in this target; model users call the private model API only
   */
  bedrockRuntimeEndpointIds: nonEmptyUniqueIdList(vpcEndpointId, 'VPC endpoint IDs', 'endpoint ID', VPC_ENDPOINT_EXAMPLE).optional(),
  /**
   * IAM roles of applications (besides the ModelUser permission set) that may call this target's
   * private model API. Each must be a role of the target's own account.
   * @default - only the ModelUser permission set may call the private model API
   */
  apiCallerRoleArns: nonEmptyUniqueIdList(iamRoleArn, 'IAM role ARNs', 'role ARN', ROLE_ARN_EXAMPLE).optional(),
});

const ROUTES_EXAMPLE = '{"eu-central-1": ["eu-central-1", "eu-west-1"]}';

/** Source region -> destination regions of one geography inference profile, as AWS documents them. */
export const inferenceProfileRoutes = z
  .record(awsRegion, nonEmptyUnique(awsRegion, 'destination region'), {
    error: (issue) =>
      issue.code === 'invalid_key'
        ? `source region ${issue.issues.map((i) => i.message).join('; ')}`
        : issue.code === 'invalid_type'
          ? `must map each source region to its destination regions, such as ${ROUTES_EXAMPLE}`
          : undefined,
  })
  .refine((routes) => Object.keys(routes).length > 0, { message: `must map at least one source region to its destination regions, such as ${ROUTES_EXAMPLE}` });

/** Identity Center session durations: whole hours from PT1H to PT12H. */
export const SESSION_DURATION_PATTERN = /^PT([1-9]|1[0-2])H$/;
/** An IAM Identity Center instance ARN. */
export const IDENTITY_CENTER_INSTANCE_ARN_PATTERN = /^arn:aws[a-z-]*:sso:::instance\/ssoins-[0-9a-f]{16}$/;

const sessionDuration = z.string().regex(SESSION_DURATION_PATTERN, { message: 'must be an ISO-8601 duration between PT1H and PT12H' });

/** A Pulumi stack name (the part after Pulumi.<name>.yaml). */
const stackName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, { message: 'must be a Pulumi stack name (letters, digits, _ . -), such as prod-weu' });

/** An Azure management group ID (the name in its resource ID, not the display name). */
const managementGroupId = z.string().regex(/^[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]$/, {
  message: 'must be a management group ID (up to 90 letters, digits, -, _, ( ) and ., not ending with a period), such as mg-ai-workloads; az account management-group list shows it as name',
});

/** Where a fleet's org-wide Google Cloud organisation policies are set. */
const orgPolicyParent = z.string().regex(/^(organizations|folders)\/\d{1,20}$/, {
  message: 'must be organizations/<numeric ID> or folders/<numeric ID>, such as folders/123456789012 (gcloud resource-manager folders list shows the ID)',
});

/** Where AWS Organizations policies attach: the root, an OU or an account. */
const policyTarget = z.string().regex(/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|\d{12})$/, {
  message: 'must be an organisation root (r-ab12), an OU (ou-ab12-cdef3456) or a 12-digit account ID',
});

/** The organisation guards as a stack of their own, in the account that administers Organizations policies. */
const awsOrganization = z.strictObject({
  /** The management account, or the account delegated to administer Organizations policies. */
  policyAdminAccount: awsAccount,
  /** Region of the organisation stack (Organizations itself is global). */
  region: awsRegion,
  /** Roots, OUs or accounts the guard policies attach to. */
  attachTo: nonEmptyUnique(policyTarget, 'policy target'),
  /** Also resource control policies protecting the evidence buckets and keys (where RCPs are enabled). */
  resourceControlPolicies: z.boolean().default(true),
});

/** A set of targets rolled out together; waves go one after another. */
const awsWave = z.strictObject({
  /** Name of the wave, e.g. dev, prod. */
  name: slug('a wave name'),
  /** Target names (aws.targets[].name) in this wave; its regions and accounts deploy in parallel. */
  targets: nonEmptyUnique(slug('a target name'), 'target'),
  /** A person approves before the wave deploys (production). */
  approval: z.boolean().default(false),
});

/** The delivery pipeline (CDK Pipelines) that rolls the config out to every target. */
const awsPipeline = z.strictObject({
  /** Tooling account that hosts the pipeline. */
  account: awsAccount,
  region: awsRegion,
  /** CodeStar / CodeConnections connection to the repository. */
  connectionArn: z.string().regex(/^arn:[a-z-]+:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/, {
    message: 'must be a CodeConnections connection ARN such as arn:<partition>:codeconnections:eu-central-1:123456789012:connection/<uuid>',
  }),
  /** Repository as owner/name. */
  repository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { message: 'must be owner/name, such as example-corp/private-ai-blueprint' }),
  branch: z.string().min(1).default('main'),
  /** Waves in rollout order; every target in exactly one. */
  waves: z.array(awsWave).min(1, { message: 'must list at least one wave' }),
});

const identityCenter = z.strictObject({
  /** ARN of the IAM Identity Center instance. */
  instanceArn: idString('an Identity Center instance ARN', 'arn:<partition>:sso:::instance/ssoins-<16 hex digits>').regex(IDENTITY_CENTER_INSTANCE_ARN_PATTERN, {
    message: 'must be an Identity Center instance ARN (arn:<partition>:sso:::instance/ssoins-<16 hex digits>)',
  }),
  /** Account that hosts Identity Center (management or delegated administrator). */
  account: awsAccount,
  region: awsRegion,
  /** Maximum session length per permission set, ISO-8601 durations between PT1H and PT12H. */
  sessionDurations: z
    .strictObject({
      modelUsers: sessionDuration.default('PT8H'),
      auditors: sessionDuration.default('PT4H'),
      platformAdmins: sessionDuration.default('PT1H'),
      promptReviewers: sessionDuration.default('PT1H'),
    })
    .default({ modelUsers: 'PT8H', auditors: 'PT4H', platformAdmins: 'PT1H', promptReviewers: 'PT1H' }),
});

/** Guardrail strengths of Bedrock content filters. */
export const FILTER_STRENGTHS = ['LOW', 'MEDIUM', 'HIGH'] as const;

const guardrail = z.strictObject({
  /** What happens to personal data in prompts and responses. */
  piiAction: z.enum(['ANONYMIZE', 'BLOCK'], { message: 'must be ANONYMIZE or BLOCK' }).default('ANONYMIZE'),
  /** Bedrock PII entity types to detect. */
  piiEntities: z
    .array(z.string().regex(/^[A-Z][A-Z_]+$/, { message: 'must be a Bedrock PII entity type such as EMAIL or US_SOCIAL_SECURITY_NUMBER' }))
    .min(1, { message: 'must list at least one PII entity type' })
    .default(['EMAIL', 'PHONE', 'NAME', 'ADDRESS', 'CREDIT_DEBIT_CARD_NUMBER', 'INTERNATIONAL_BANK_ACCOUNT_NUMBER', 'US_SOCIAL_SECURITY_NUMBER', 'PASSWORD', 'AWS_ACCESS_KEY', 'AWS_SECRET_KEY']),
  /** Strength of the hate, insults, sexual, violence and misconduct filters. */
  contentFilterStrength: z.enum(FILTER_STRENGTHS, { message: `must be one of ${FILTER_STRENGTHS.join(', ')}` }).default('HIGH'),
  /** Strength of the prompt-attack (jailbreak, injection) filter on input. */
  promptAttackStrength: z.enum(FILTER_STRENGTHS, { message: `must be one of ${FILTER_STRENGTHS.join(', ')}` }).default('HIGH'),
  blockedInputMessage: z.string().min(1, { message: 'must not be empty' }).max(500, { message: 'must be at most 500 characters' })
    .default('This request was blocked by the organisation\'s AI usage policy.'),
  blockedOutputMessage: z.string().min(1, { message: 'must not be empty' }).max(500, { message: 'must be at most 500 characters' })
    .default('The response was blocked by the organisation\'s AI usage policy.'),
  /** Apply the guardrail to every model call in the account (AWS::Bedrock::EnforcedGuardrailConfiguration). */
  enforceAccountWide: z.boolean().default(false),
});

const modelInvoker = z.strictObject({
  reservedConcurrency: z.number().int().min(1, { message: 'must be at least 1' }).max(1000, { message: 'must be at most 1000' }).default(10),
  timeoutSeconds: z.number().int().min(10, { message: 'must be at least 10 seconds' }).max(300, { message: 'must be at most 300 seconds' }).default(30),
  memoryMb: z.number().int().min(256, { message: 'must be at least 256 MB' }).max(10240, { message: 'must be at most 10240 MB' }).default(512),
  /** Steady-state requests per second the API accepts. */
  throttleRateLimit: z.number().positive({ message: 'must be a positive number of requests per second' }).max(10000, { message: 'must be at most 10000' }).default(20),
  throttleBurstLimit: z.number().int().min(1, { message: 'must be at least 1' }).max(5000, { message: 'must be at most 5000' }).default(40),
  maxMessages: z.number().int().min(1, { message: 'must be at least 1' }).max(1000, { message: 'must be at most 1000' }).default(50),
  maxTextChars: z.number().int().min(1, { message: 'must be at least 1' }).max(1000000, { message: 'must be at most 1000000' }).default(100000),
  maxTokensCap: z.number().int().min(1, { message: 'must be at least 1' }).max(64000, { message: 'must be at most 64000' }).default(4096),
});

/** The qualifier `cdk bootstrap` uses unless told otherwise. */
export const DEFAULT_CDK_QUALIFIER = 'hnb659fds';

const deployment = z.strictObject({
  /**
   * The CDK bootstrap qualifier of the target accounts (`cdk bootstrap --qualifier`): the stacks
   * deploy through its roles, and the organisation guard trusts only its CloudFormation execution role.
   */
  cdkQualifier: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,10}$/, { message: 'must be a CDK bootstrap qualifier: 1 to 10 letters, digits, hyphens or underscores' })
    .default(DEFAULT_CDK_QUALIFIER),
  /**
   * Names of the roles that run `cdk bootstrap` in the target accounts; the organisation guard lets
   * only them create or change the `cdk-<qualifier>-*` roles and policies.
   */
  bootstrapRoleNames: z
    .array(z.string().regex(/^[\w+=,.@-]{1,64}$/, { message: 'must be an IAM role name (1 to 64 letters, digits and +=,.@_-), without a path' }))
    .min(1, { message: 'must name at least one role that may bootstrap the accounts' })
    .default(['OrganizationAccountAccessRole', 'AWSControlTowerExecution']),
});

const GUID_EXAMPLE = '00000000-0000-0000-0000-000000000001';

const ssoGroups = z.strictObject({
  /** IAM Identity Center group IDs (identity store GUIDs). */
  aws: idList(
    idString('an Identity Center group ID', GUID_EXAMPLE).regex(/^([0-9a-f]{10}-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
      message: 'must be an Identity Center group ID (a GUID)',
    }),
    'Identity Center group IDs',
    GUID_EXAMPLE,
  ).default([]),
  /** Entra ID group object IDs. */
  azure: idList(
    idString('an Entra ID group object ID', GUID_EXAMPLE).regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
      message: 'must be an Entra ID group object ID (a GUID)',
    }),
    'Entra ID group object IDs',
    GUID_EXAMPLE,
  ).default([]),
  /** Google group e-mail addresses. */
  gcp: idList(
    idString('a Google group e-mail address', 'ai-model-users@example.com').regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/, { message: 'must be a Google group e-mail address' }),
    'Google group e-mail addresses',
    'ai-model-users@example.com',
  ).default([]),
});

export const orgConfigSchema = z.strictObject({
  organisation: z.strictObject({
    /** Short name; prefixes resource names. */
    name: slug('the organisation name'),
  }),
  tags: z.strictObject({
    owner: z.string().min(1, { message: 'must name the owning team or a contact address' }),
    costCentre: z.string().min(1, { message: 'must name the cost centre to charge' }),
    dataClassification: classification,
  }),
  dataResidency: z.strictObject({
    /** Refuse `global.` inference profiles and anything that could leave the allowed regions. */
    strict: z.boolean().default(true),
  }),
  logging: z.strictObject({
    /** Retention of CloudWatch / Log Analytics / Cloud Logging logs, in days. */
    retentionDays: z.number().refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
    }),
    /** Days audit objects are locked (compliance mode) and kept before expiry. */
    auditRetentionDays: z.number().int().min(365, { message: 'must be at least 365 days so a year of evidence is kept' }).max(3653, { message: 'must be at most 3653 days (10 years)' }),
    /** Days after which audit objects move to infrequent-access storage. */
    transitionToInfrequentAccessDays: z.number().int().min(30, { message: 'must be at least 30 (the storage class minimum)' }).default(90),
    /** Days after which audit objects move to archive storage. */
    transitionToArchiveDays: z.number().int().min(90, { message: 'must be at least 90' }).default(365),
  }),
  /** Misuse detection and response on every cloud: alert thresholds and the kill switch. */
  detection: z
    .strictObject({
      /** Alert thresholds; an alert fires when a 5-minute window goes above its threshold. */
      thresholds: z
        .strictObject({
          /** Model calls of one caller (person or application). */
          callerRequestsPer5Minutes: threshold.default(300),
          /** Tokens (input plus output) of one caller. */
          callerTokensPer5Minutes: threshold.default(500000),
          /** Guardrail / content filter / Model Armor interventions, all callers together. */
          interventionsPer5Minutes: threshold.default(20),
          /** Interventions on one caller's calls. */
          callerInterventionsPer5Minutes: threshold.default(5),
          /** Model calls refused for lack of permission, or for a model or region outside the allowlist. */
          deniedCallsPer5Minutes: threshold.default(10),
          /** Faults of the model invoker (AWS) or server errors of the model service. */
          invokerErrorsPer5Minutes: threshold.default(5),
          /** Calls throttled by quota. */
          throttlesPer5Minutes: threshold.default(10),
          /** 99th percentile latency of the model invoker (AWS), in milliseconds. */
          latencyP99Milliseconds: threshold.default(30000),
        })
        .default(DEFAULT_THRESHOLDS),
      /**
       * The kill switch: true stops all model access through the blueprint on every cloud (model
       * users lose their grants; on AWS also a deny on every path). Each cloud's faster path is in
       * the README and the playbooks.
       */
      suspendModelAccess: z.boolean().default(false),
      /**
       * People whose AWS model access is revoked at once, while the rest keep theirs: Identity
       * Center user names, exactly as Identity Center spells them (usually the e-mail address).
       * The ModelUser and PlatformAdmin permission sets deny these users' sessions every model
       * call and the private API (`aws:userid` is `<role ID>:<user name>`). AWS only: on Azure and
       * Google Cloud, disable the user in Entra ID or Cloud Identity (docs/playbooks).
       * @default - nobody
       */
      suspendedUsers: idList(identityCenterUserName, 'Identity Center user names', USER_NAME_EXAMPLE)
        .refine((xs) => new Set(xs).size === xs.length, { message: 'must not list the same user twice' })
        .optional(),
    })
    .default({ thresholds: DEFAULT_THRESHOLDS, suspendModelAccess: false }),
  /** Who is notified when an alert of the blueprint fires: misuse, tampering, key rotation. */
  securityContacts: z
    .strictObject({
      /** Addresses that receive every alert. */
      emails: z.array(z.email({ message: 'must be an e-mail address such as security@example.com' })).default([]),
    })
    .default({ emails: [] }),
  sso: z.strictObject({
    modelUsers: ssoGroups,
    auditors: ssoGroups,
    platformAdmins: ssoGroups,
    /** Who may read prompts and responses (the invocation logs); auditors read the trail and audit records only. */
    promptReviewers: ssoGroups.default(ssoGroups.parse({})),
    /**
     * Who may pull the AWS kill switch by hand (its SSM parameter), test the detection's alarms
     * and run the playbooks' saved queries over the audit records, the trail and the API access
     * log, without using models or reading prompts. Only `aws` is used: the other programs have
     * no responder role, and the config refuses groups for them.
     */
    securityResponders: ssoGroups.default(ssoGroups.parse({})),
  }),
  aws: z.strictObject({
    /** Regions where AWS resources and model calls are allowed (data residency). */
    allowedRegions: nonEmptyUnique(awsRegion, 'region'),
    /** The AWS Organizations ID; endpoint policies then admit principals of the organisation. */
    organizationId: idString('an AWS Organizations ID', 'o-a1b2c3d4e5').regex(/^o-[a-z0-9]{10,32}$/, { message: 'must be an AWS Organizations ID such as o-a1b2c3d4e5' }).optional(),
    /** SSM parameter path prefix for the outputs app teams read. */
    ssmPrefix: z.string().regex(/^(\/[A-Za-z0-9_.-]+)+$/, { message: 'must be an SSM path such as /private-ai (leading slash, no trailing slash)' }).default('/private-ai'),
    /** Accounts and regions to deploy to: one stack each. */
    targets: z.array(awsTarget).min(1, { message: 'must list at least one deployment target' }),
    /** Allowlisted Bedrock models. */
    models: z.array(awsModel).min(1, { message: 'must list at least one allowed model' }),
    /**
     * Routes of geography inference profiles (eu., us., apac., jp., au., ca., us-gov.): profile ID ->
     * source region -> destination regions, from the AWS page "Supported Regions and models for
     * inference profiles". An entry replaces the blueprint's table (lib/config/inference-profiles.ts)
     * for that profile, or adds a profile the table does not know.
     * @default - the blueprint's table only
     */
    inferenceProfiles: z
      .record(z.string(), inferenceProfileRoutes, {
        error: (issue) =>
          issue.code === 'invalid_type'
            ? `must map geography inference profile IDs to their routes, such as {"eu.anthropic.claude-3-7-sonnet-20250219-v1:0": ${ROUTES_EXAMPLE}}`
            : undefined,
      })
      .optional(),
    /** IAM Identity Center; without it the permission sets are skipped with a warning. */
    identityCenter: identityCenter.optional(),
    /** Prompt-attack, content and PII filtering for every call through the blueprint. */
    guardrail: guardrail.default(guardrail.parse({})),
    /** The model-invoker function and its private API. */
    modelInvoker: modelInvoker.default(modelInvoker.parse({})),
    /** How the stacks are deployed: the CDK bootstrap qualifier and who may bootstrap. */
    deployment: deployment.default(deployment.parse({})),
    /** The organisation guards deployed as a stack (SCPs, RCPs). @default - the guards are files for the organisation's admins */
    organization: awsOrganization.optional(),
    /** A CDK Pipelines pipeline rolling the targets out in waves. @default - targets are deployed with cdk deploy */
    pipeline: awsPipeline.optional(),
  }),
  azure: z
    .strictObject({
      /** Azure locations where resources and model deployments may be (data residency). */
      allowedLocations: nonEmptyUnique(z.string().regex(/^[a-z]+[a-z0-9]*$/, { message: 'must be an Azure location name such as westeurope' }), 'location'),
      /** `AIServices` (Azure AI Foundry) or `OpenAI` (Azure OpenAI). */
      accountKind: z.enum(['AIServices', 'OpenAI'], { message: 'must be AIServices (Azure AI Foundry) or OpenAI' }).default('AIServices'),
      /** Model deployments: the Azure allowlist. */
      models: z.array(azureModel).min(1, { message: 'must list at least one model deployment' }),
      /** Severity from which content filters block (lower blocks more). */
      contentFilterSeverity: z.enum(['Low', 'Medium', 'High'], { message: 'must be Low, Medium or High' }).default('Medium'),
      /**
       * Lock the audit archive's immutability policy (irreversible: no log, nor the storage account,
       * can be deleted, nor the retention shortened, before it expires). Azure creates the policy
       * unlocked only: the first deployment of a new archive must run with this false.
       */
      lockAuditRetention: z.boolean().default(false),
      /**
       * Azure Policy assignments of Microsoft's built-in definitions that keep the controls in place
       * outside Pulumi: `enforced` denies non-compliant changes where a definition can, `auditOnly`
       * assigns them without enforcement (compliance reports only), for a staged rollout.
       */
      policyEnforcement: z.enum(['enforced', 'auditOnly'], { message: 'must be enforced or auditOnly' }).default('enforced'),
      /**
       * Pulumi stacks of stacks/azure (one per subscription), in rollout order: `npm run rollout
       * azure` previews or updates each with the policy pack, stopping at the first failure.
       * @default - one stack at a time with pulumi up
       */
      rollout: z.array(stackName).min(1, { message: 'must list at least one stack when given' }).optional(),
      /**
       * The fleet's Azure Policy assignments at one management group above every subscription of
       * the fleet, made by one stack (`ownerStack`) instead of by each stack at its resource group.
       * The other stacks assign nothing and rely on these (their plans and reports say so).
       * @default - each stack assigns at `privateai:policyAssignmentScope` (its resource group)
       */
      managementGroup: z
        .strictObject({
          /** The management group's ID. */
          id: managementGroupId,
          /** The stack of stacks/azure that makes the assignments; first in azure.rollout when that is given. */
          ownerStack: stackName,
        })
        .optional(),
      /** Microsoft Defender for Cloud's AI workloads plan on the subscription (threat protection for AI). */
      defenderForAi: z
        .strictObject({
          enabled: z.boolean().default(true),
          /**
           * Let Defender attach prompt and response excerpts to its alerts as evidence. Off by default:
           * it copies prompt text out of the audit boundary into Defender for Cloud.
           */
          promptEvidence: z.boolean().default(false),
        })
        .default({ enabled: true, promptEvidence: false }),
    })
    .optional(),
  gcp: z
    .strictObject({
      /** Google Cloud regions where resources and Vertex AI calls may be (data residency). */
      allowedRegions: nonEmptyUnique(z.string().regex(/^[a-z]+-[a-z]+\d+$/, { message: 'must be a Google Cloud region such as europe-west4' }), 'region'),
      /** Vertex AI publisher models: the Google Cloud allowlist. */
      models: z.array(gcpModel).min(1, { message: 'must list at least one Vertex AI model' }),
      /** VPC Service Controls around the project: off, dry run (logs violations) or enforced. */
      vpcServiceControls: z.enum(['off', 'dryRun', 'enforced'], { message: 'must be off, dryRun or enforced' }).default('dryRun'),
      /** Lock the audit log bucket's retention (irreversible: the bucket cannot be deleted before it expires). */
      lockAuditRetention: z.boolean().default(false),
      /** Who may reach the perimeter's restricted services from outside it (ignored while vpcServiceControls is off). */
      perimeter: z
        .strictObject({
          /**
           * Access levels (short names in the stack's access policy, e.g. corp_network) whose callers
           * may reach the restricted services from outside the perimeter.
           */
          accessLevels: z.array(accessLevelName).default([]),
          /** Ingress rules: identities and/or access levels admitted to some or all restricted services. */
          ingress: z.array(perimeterIngress).default([]),
        })
        .default({ accessLevels: [], ingress: [] }),
      /**
       * Pulumi stacks of stacks/gcp (one per project), in rollout order: `npm run rollout gcp`
       * previews or updates each with the policy pack, stopping at the first failure.
       * @default - one stack at a time with pulumi up
       */
      rollout: z.array(stackName).min(1, { message: 'must list at least one stack when given' }).optional(),
      /**
       * The fleet's organisation policies at one folder or the organisation above every project of
       * the fleet, set by one stack (`ownerStack`) instead of by each stack at its project. Policies
       * that name a project (CMEK key projects) or must follow its own grants to service agents
       * (domain restricted sharing) stay with each project.
       * @default - each stack sets them at `privateai:organizationId`, `folderId` or its project
       */
      orgPolicyParent: z
        .strictObject({
          /** `organizations/<id>` or `folders/<id>`. */
          parent: orgPolicyParent,
          /** The stack of stacks/gcp that sets the policies; first in gcp.rollout when that is given. */
          ownerStack: stackName,
        })
        .optional(),
      /** Organisation policies beyond the always-on set (locations, CMEK, no service account keys, TLS, models). */
      orgPolicies: z
        .strictObject({
          /** Refuse calls to the global Vertex AI endpoint (gcp.restrictEndpointUsage): it has no residency guarantee. */
          denyGlobalVertexEndpoint: z.boolean().default(true),
          /** CMEK keys only from the deployment project (gcp.restrictCmekCryptoKeyProjects). */
          restrictCmekKeyProjects: z.boolean().default(true),
          /**
           * Workspace / Cloud Identity customer IDs (C0...) whose members may be granted roles
           * (iam.allowedPolicyMemberDomains); empty leaves the constraint unset.
           */
          allowedMemberCustomerIds: z.array(z.string().regex(/^C[0-9a-z]{5,}$/, { message: 'must be a Workspace or Cloud Identity customer ID such as C0abc1234 (gcloud organizations list shows it as DIRECTORY_CUSTOMER_ID)' })).default([]),
          /** Vertex AI Workbench: no file downloads, no root, no public IP (ainotebooks constraints). */
          workbenchHardening: z.boolean().default(true),
        })
        .default({ denyGlobalVertexEndpoint: true, restrictCmekKeyProjects: true, allowedMemberCustomerIds: [], workbenchHardening: true }),
    })
    .optional(),
});

/** The config as written by a user (defaults not yet applied). */
export type OrgConfigInput = z.input<typeof orgConfigSchema>;
/** The validated config, defaults applied. */
export type OrgConfig = z.output<typeof orgConfigSchema>;
export type AwsTarget = OrgConfig['aws']['targets'][number];
export type AwsModel = OrgConfig['aws']['models'][number];
