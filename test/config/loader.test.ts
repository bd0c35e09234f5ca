import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { version as cdkVersion } from 'aws-cdk-lib/package.json';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { ConfigError, EXAMPLE_CONFIG_PATH, INFERENCE_PROFILES_DOC, inferModelKind, loadOrgConfig, modelKindOf, parseOrgConfig, type ConfigIssue } from '../../lib/config';
import { AWS_REGION_PATTERN } from '../../lib/config/aws-regions';
import { rawExample } from '../support/aws';

type Raw = ReturnType<typeof rawExample>;
// Tests poke at fields the types forbid, so they work on a loosely typed copy.
type Loose = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The error a modified example is refused with. */
function refusal(mutate: (raw: Loose) => void): ConfigError {
  const raw = rawExample() as Raw & Loose;
  mutate(raw);
  try {
    parseOrgConfig(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected the config to be refused');
}

const errorFor = (mutate: (raw: Loose) => void): string => refusal(mutate).message;

/** The issues a modified example is refused with. */
const issuesFor = (mutate: (raw: Loose) => void): readonly ConfigIssue[] => refusal(mutate).issues;

const NOT_A_SETTING = 'is not a known setting; check its spelling against lib/config/schema.ts';
/** The example's allowed regions: eu-central-1 and every destination of its EU profile from there. */
const ALLOWED = 'eu-central-1, eu-west-1, eu-north-1, eu-west-3';
const notAllowed = (region: string) =>
  `region ${region} is not allowed by data residency policy; allowed: ${ALLOWED} (add it to aws.allowedRegions or deploy to an allowed region)`;
const GLOBAL_PROFILE =
  'global inference profiles may route requests to any region, which strict data residency forbids; use a geographic profile (eu., us., apac.) or a foundation model ID, or set dataResidency.strict: false';
const GLOBAL_SONNET = 'global.anthropic.claude-sonnet-4-20250514-v1:0';
/** The example's geography profile (aws.models[1]). */
const EU_SONNET = 'eu.anthropic.claude-3-7-sonnet-20250219-v1:0';
/** A well-formed EU profile ID that the blueprint's table does not list. */
const UNLISTED_PROFILE = 'eu.anthropic.claude-unlisted-model-v1:0';
const NOT_A_GEOGRAPHY_PROFILE =
  'must be the ID of a geography inference profile, such as eu.anthropic.claude-3-7-sonnet-20250219-v1:0 (prefix eu., us., apac., jp., au., ca. or us-gov.); global. profiles route to any commercial region and foundation models do not route, so neither takes routes';
const unknownRoutes = (id: string) =>
  `the blueprint does not know where inference profile ${id} routes requests, so it cannot allow its destination regions; add its routes from ${INFERENCE_PROFILES_DOC} as aws.inferenceProfiles["${id}"] (source region -> destination regions, such as {"eu-central-1": ["eu-central-1", "eu-west-1"]}), or use a foundation model ID`;
const routesOutside = (callers: string, id: string, outside: string, allowed: string) =>
  `called from ${callers}, inference profile ${id} routes requests to ${outside}, outside aws.allowedRegions (${allowed}), which strict data residency forbids; add ${outside} to aws.allowedRegions, or use a foundation model ID or another profile whose destinations are all allowed`;

describe('the example config', () => {
  test('is valid and applies defaults', () => {
    const config = loadOrgConfig();
    expect(config.organisation.name).toBe('example-corp');
    expect(config.aws.targets[0].ownsInvocationLogging).toBe(true);
    expect(config.aws.ssmPrefix).toBe('/private-ai');
  });

  test('locks the audit retention on Azure and Google Cloud, as AWS uses compliance-mode object lock', () => {
    const config = loadOrgConfig();
    expect(config.azure?.lockAuditRetention).toBe(true);
    expect(config.gcp?.lockAuditRetention).toBe(true);
  });

  test('a config that says nothing about the lock leaves audit retention unlocked', () => {
    const raw = rawExample() as Loose;
    delete raw.azure.lockAuditRetention;
    delete raw.gcp.lockAuditRetention;
    const config = parseOrgConfig(raw);
    expect(config.azure?.lockAuditRetention).toBe(false);
    expect(config.gcp?.lockAuditRetention).toBe(false);
  });
});

/** Matches a whole error-message line. */
function exactly(line: string): RegExp {
  return new RegExp(`^  - ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');
}

const UPGRADE = 'or upgrade aws-cdk-lib if AWS launched it after this release';
/** `not an AWS region known to aws-cdk-lib <version> (known <area> regions: ...)`, the list read from the installed region facts. */
function notKnown(area: string): string {
  const regions = RegionInfo.regions.map((r) => r.name).filter((name) => name.startsWith(`${area}-`) && AWS_REGION_PATTERN.test(name));
  return `not an AWS region known to aws-cdk-lib ${cdkVersion} (known ${area} regions: ${regions.sort().join(', ')})`;
}

// Each case: what a user got wrong, the mutation, and the message that must name the field,
// the value received and what is allowed.
const cases: Array<[string, (raw: Loose) => void, RegExp]> = [
  ['organisation name with capitals', (r) => (r.organisation.name = 'Example Corp'), /organisation\.name: received "Example Corp"; the organisation name must be 3-32 characters of lowercase letters/],
  ['missing owner tag', (r) => delete r.tags.owner, /tags\.owner: received nothing; is required \(string\)/],
  ['empty cost centre', (r) => (r.tags.costCentre = ''), /tags\.costCentre: received ""; must name the cost centre/],
  ['unknown data classification tag', (r) => (r.tags.dataClassification = 'secret'), /tags\.dataClassification: received "secret"; must be one of public, internal, confidential, restricted/],
  ['strict residency not a boolean', (r) => (r.dataResidency.strict = 'yes'), /dataResidency\.strict: received "yes"; Invalid input: expected boolean/],
  ['log retention CloudWatch does not accept', (r) => (r.logging.retentionDays = 12), /logging\.retentionDays: received 12; must be one of 1, 3, 5, 7, 14, 30/],
  ['audit retention under a year', (r) => (r.logging.auditRetentionDays = 30), /logging\.auditRetentionDays: received 30; must be at least 365 days/],
  ['audit retention over ten years', (r) => (r.logging.auditRetentionDays = 5000), /logging\.auditRetentionDays: received 5000; must be at most 3653/],
  ['infrequent-access transition too early', (r) => (r.logging.transitionToInfrequentAccessDays = 10), /logging\.transitionToInfrequentAccessDays: received 10; must be at least 30/],
  ['archive transition too early', (r) => (r.logging.transitionToArchiveDays = 30), /logging\.transitionToArchiveDays: received 30; must be at least 90/],
  ['Identity Center group that is not a GUID', (r) => (r.sso.modelUsers.aws = ['admins']), /sso\.modelUsers\.aws\[0\]: received "admins"; must be an Identity Center group ID/],
  ['Entra group that is not a GUID', (r) => (r.sso.auditors.azure = ['auditors']), /sso\.auditors\.azure\[0\]: received "auditors"; must be an Entra ID group object ID/],
  ['Google group without a domain', (r) => (r.sso.platformAdmins.gcp = ['admins']), /sso\.platformAdmins\.gcp\[0\]: received "admins"; must be a Google group e-mail address/],
  ['missing SSO role', (r) => delete r.sso.auditors, /sso\.auditors: received nothing; is required \(object\)/],
  ['malformed allowed region', (r) => (r.aws.allowedRegions = ['Frankfurt']), /aws\.allowedRegions\[0\]: received "Frankfurt"; must be an AWS region code such as eu-central-1/],
  ['no allowed region', (r) => (r.aws.allowedRegions = []), /aws\.allowedRegions: received \[\]; must list at least one region/],
  ['repeated allowed region', (r) => (r.aws.allowedRegions = ['eu-central-1', 'eu-central-1']), /aws\.allowedRegions: received \["eu-central-1","eu-central-1"\]; must not repeat a region/],
  ['malformed organisation ID', (r) => (r.aws.organizationId = 'org-1'), /aws\.organizationId: received "org-1"; must be an AWS Organizations ID/],
  ['SSM prefix without a leading slash', (r) => (r.aws.ssmPrefix = 'private-ai/'), /aws\.ssmPrefix: received "private-ai\/"; must be an SSM path such as \/private-ai/],
  ['no deployment target', (r) => (r.aws.targets = []), /aws\.targets: received \[\]; must list at least one deployment target/],
  ['target name with spaces', (r) => (r.aws.targets[0].name = 'prod env'), /aws\.targets\[0\]\.name: received "prod env"; a target name must be 3-32 characters/],
  ['names too long for S3 bucket names', (r) => (r.aws.targets[0].name = 'production-eu-central-primary-xy'), /aws\.targets\[0\]\.name: received "production-eu-central-primary-xy"; together with organisation\.name \("example-corp"\) it must be at most 43 characters/],
  ['account ID as a number', (r) => (r.aws.targets[0].account = 111111111111), /aws\.targets\[0\]\.account: received 111111111111; must be a 12-digit AWS account ID written as a string, not a number \(quote it as a string: "111111111111"\)$/m],
  ['Identity Center account as a number', (r) => (r.aws.identityCenter.account = 999999999999), /aws\.identityCenter\.account: received 999999999999; must be a 12-digit AWS account ID written as a string, not a number \(quote it as a string: "999999999999"\)$/m],
  ['account ID as a boolean', (r) => (r.aws.targets[0].account = true), /aws\.targets\[0\]\.account: received true; must be a 12-digit AWS account ID written as a string, such as "123456789012"$/m],
  ['organisation ID as a number', (r) => (r.aws.organizationId = 1234567890), /aws\.organizationId: received 1234567890; must be an AWS Organizations ID written as a string, such as "o-a1b2c3d4e5"$/m],
  ['Identity Center ARN as a list', (r) => (r.aws.identityCenter.instanceArn = ['ssoins-1']), /aws\.identityCenter\.instanceArn: received \["ssoins-1"\]; must be an Identity Center instance ARN written as a string, such as "arn:<partition>:sso:::instance\/ssoins-<16 hex digits>"$/m],
  ['VPC ID as a number', (r) => (r.aws.targets[0].network = { existingVpcId: 123 }), /aws\.targets\[0\]\.network\.existingVpcId: received 123; must be a VPC ID written as a string, such as "vpc-0123456789abcdef0"$/m],
  ['Identity Center group ID as a number', (r) => (r.sso.modelUsers.aws = [42]), /sso\.modelUsers\.aws\[0\]: received 42; must be an Identity Center group ID written as a string, such as "00000000-0000-0000-0000-000000000001"$/m],
  ['Entra group ID outside a list', (r) => (r.sso.auditors.azure = '00000000-0000-0000-0000-000000000002'), /sso\.auditors\.azure: received "00000000-0000-0000-0000-000000000002"; must be a list of Entra ID group object IDs, such as \["00000000-0000-0000-0000-000000000001"\], even for a single one$/m],
  ['Google group outside a list', (r) => (r.sso.auditors.gcp = 'ai-auditors@example.com'), /sso\.auditors\.gcp: received "ai-auditors@example\.com"; must be a list of Google group e-mail addresses, such as \["ai-model-users@example\.com"\], even for a single one$/m],
  ['account ID too short', (r) => (r.aws.targets[0].account = '1234'), /aws\.targets\[0\]\.account: received "1234"; must be a 12-digit AWS account ID/],
  ['target region AWS does not have', (r) => (r.aws.targets[0].region = 'eu-central-9'), exactly(`aws.targets[0].region: received "eu-central-9"; eu-central-9 is ${notKnown('eu-central')}; use a region code such as eu-central-1, ${UPGRADE}`)],
  ['allowed region AWS does not have', (r) => r.aws.allowedRegions.push('eu-west-9'), exactly(`aws.allowedRegions[4]: received "eu-west-9"; eu-west-9 is ${notKnown('eu-west')}; use a region code such as eu-west-1, ${UPGRADE}`)],
  ['Identity Center region of an unknown area', (r) => (r.aws.identityCenter.region = 'us-middle-1'), exactly(`aws.identityCenter.region: received "us-middle-1"; us-middle-1 is ${notKnown('us')}; use a region code such as us-east-1, ${UPGRADE}`)],
  ['zone of a region AWS does not have', (r) => (r.aws.targets[0].network.availabilityZones = ['eu-central-1a', 'eu-central-9b']), exactly(`aws.targets[0].network.availabilityZones[1]: received "eu-central-9b"; eu-central-9b is in eu-central-9, which is ${notKnown('eu-central')}; use a zone of a known region such as eu-central-1a, ${UPGRADE}`)],
  ['target region outside the allowlist', (r) => (r.aws.targets[0].region = 'us-east-1'), exactly(`aws.targets[0].region: received "us-east-1"; ${notAllowed('us-east-1')}`)],
  ['VPC CIDR too large', (r) => (r.aws.targets[0].network.cidr = '10.0.0.0/8'), /aws\.targets\[0\]\.network\.cidr: received "10\.0\.0\.0\/8"; must be an IPv4 CIDR with a prefix between \/16 and \/24/],
  ['a single availability zone', (r) => { r.aws.targets[0].network = { maxAzs: 1 }; }, /aws\.targets\[0\]\.network\.maxAzs: received 1; must be at least 2/],
  ['malformed zone name', (r) => (r.aws.targets[0].network.availabilityZones = ['a', 'b']), /aws\.targets\[0\]\.network\.availabilityZones\[0\]: received "a"; must be an availability zone name/],
  ['zone of another region', (r) => (r.aws.targets[0].network.availabilityZones = ['eu-central-1a', 'eu-west-1b']), /aws\.targets\[0\]\.network\.availabilityZones\[1\]: received "eu-west-1b"; must be a zone of the target region eu-central-1/],
  ['existing VPC and a new CIDR', (r) => (r.aws.targets[0].network = { existingVpcId: 'vpc-0123456789abcdef0', cidr: '10.1.0.0/16' }), /aws\.targets\[0\]\.network: received .*vpc-0123456789abcdef0.*; give either existingVpcId .* never both/],
  ['malformed VPC ID', (r) => (r.aws.targets[0].network = { existingVpcId: 'my-vpc' }), /aws\.targets\[0\]\.network\.existingVpcId: received "my-vpc"; must be a VPC ID/],
  ['repeated target name', (r) => r.aws.targets.push({ ...r.aws.targets[0], region: 'eu-west-1', network: undefined }), /aws\.targets\[1\]\.name: received "prod"; target names must be unique/],
  ['two invocation-logging owners', (r) => r.aws.targets.push({ ...r.aws.targets[0], name: 'prod-two' }), /aws\.targets\[1\]\.ownsInvocationLogging: received true; model invocation logging is one setting per account and region, and aws\.targets\[0\] already owns it for 111111111111\/eu-central-1/],
  ['no allowed model', (r) => (r.aws.models = []), /aws\.models: received \[\]; must list at least one allowed model/],
  ['malformed model ID', (r) => (r.aws.models[0].id = 'claude'), /aws\.models\[0\]\.id: received "claude"; must be a Bedrock model ID/],
  ['model without classifications', (r) => (r.aws.models[0].classifications = []), /aws\.models\[0\]\.classifications: received \[\]; must list at least one data classification/],
  ['unknown model classification', (r) => (r.aws.models[0].classifications = ['secret']), /aws\.models\[0\]\.classifications\[0\]: received "secret"; must be one of public, internal/],
  ['repeated model', (r) => r.aws.models.push({ ...r.aws.models[0] }), /aws\.models\[3\]\.id: received "anthropic\.claude-3-haiku-20240307-v1:0"; model IDs must be unique/],
  ['global profile under strict residency', (r) => (r.aws.models[0].id = 'global.anthropic.claude-sonnet-4-20250514-v1:0'), /aws\.models\[0\]\.id: received "global\.anthropic\.claude-sonnet-4-20250514-v1:0"; global inference profiles may route requests to any region/],
  ['profile of another geography', (r) => (r.aws.models[0].id = 'us.anthropic.claude-3-haiku-20240307-v1:0'), /aws\.models\[0\]\.id: received "us\.anthropic\.claude-3-haiku-20240307-v1:0"; inference profile us\. routes requests within the us geography, outside the allowed regions \(eu-central-1, eu-west-1, eu-north-1, eu-west-3\)/],
  ['malformed Identity Center ARN', (r) => (r.aws.identityCenter.instanceArn = 'ssoins-1'), /aws\.identityCenter\.instanceArn: received "ssoins-1"; must be an Identity Center instance ARN/],
  ['Identity Center in a non-allowed region', (r) => (r.aws.identityCenter.region = 'us-east-1'), /aws\.identityCenter\.region: received "us-east-1"; region us-east-1 is not allowed by data residency policy/],
  ['session longer than 12 hours', (r) => (r.aws.identityCenter.sessionDurations.auditors = 'PT24H'), /aws\.identityCenter\.sessionDurations\.auditors: received "PT24H"; must be an ISO-8601 duration between PT1H and PT12H/],
  ['unknown PII action', (r) => (r.aws.guardrail.piiAction = 'MASK'), /aws\.guardrail\.piiAction: received "MASK"; must be ANONYMIZE or BLOCK/],
  ['malformed PII entity', (r) => (r.aws.guardrail.piiEntities = ['e-mail']), /aws\.guardrail\.piiEntities\[0\]: received "e-mail"; must be a Bedrock PII entity type/],
  ['unknown filter strength', (r) => (r.aws.guardrail.promptAttackStrength = 'MAX'), /aws\.guardrail\.promptAttackStrength: received "MAX"; must be one of LOW, MEDIUM, HIGH/],
  ['blocked message too long', (r) => (r.aws.guardrail.blockedInputMessage = 'x'.repeat(501)), /aws\.guardrail\.blockedInputMessage: received "x+"; must be at most 500 characters/],
  ['empty blocked output message', (r) => (r.aws.guardrail.blockedOutputMessage = ''), /aws\.guardrail\.blockedOutputMessage: received ""; must not be empty/],
  ['enforcement switch not a boolean', (r) => (r.aws.guardrail.enforceAccountWide = 'true'), /aws\.guardrail\.enforceAccountWide: received "true"; Invalid input: expected boolean/],
  ['no reserved concurrency', (r) => (r.aws.modelInvoker.reservedConcurrency = 0), /aws\.modelInvoker\.reservedConcurrency: received 0; must be at least 1/],
  ['function timeout too long', (r) => (r.aws.modelInvoker.timeoutSeconds = 900), /aws\.modelInvoker\.timeoutSeconds: received 900; must be at most 300 seconds/],
  ['too little memory', (r) => (r.aws.modelInvoker.memoryMb = 128), /aws\.modelInvoker\.memoryMb: received 128; must be at least 256 MB/],
  ['negative throttle rate', (r) => (r.aws.modelInvoker.throttleRateLimit = -1), /aws\.modelInvoker\.throttleRateLimit: received -1; must be a positive number/],
  ['zero burst', (r) => (r.aws.modelInvoker.throttleBurstLimit = 0), /aws\.modelInvoker\.throttleBurstLimit: received 0; must be at least 1/],
  ['message cap too high', (r) => (r.aws.modelInvoker.maxMessages = 5000), /aws\.modelInvoker\.maxMessages: received 5000; must be at most 1000/],
  ['text cap zero', (r) => (r.aws.modelInvoker.maxTextChars = 0), /aws\.modelInvoker\.maxTextChars: received 0; must be at least 1/],
  ['token cap too high', (r) => (r.aws.modelInvoker.maxTokensCap = 100000), /aws\.modelInvoker\.maxTokensCap: received 100000; must be at most 64000/],
  ['misspelt setting', (r) => (r.aws.allowedRegion = ['eu-central-1']), /aws\.allowedRegion: received \["eu-central-1"\]; is not a known setting/],
  ['malformed Azure location', (r) => (r.azure.allowedLocations = ['West Europe']), /azure\.allowedLocations\[0\]: received "West Europe"; must be an Azure location name such as westeurope/],
  ['unknown Azure account kind', (r) => (r.azure.accountKind = 'Foundry'), /azure\.accountKind: received "Foundry"; must be AIServices \(Azure AI Foundry\) or OpenAI/],
  ['no Azure deployment', (r) => (r.azure.models = []), /azure\.models: received \[\]; must list at least one model deployment/],
  ['Azure deployment name with spaces', (r) => (r.azure.models[0].deployment = 'my model'), /azure\.models\[0\]\.deployment: received "my model"; must be 2-64 letters/],
  ['unpinned Azure model version', (r) => (r.azure.models[0].version = ''), /azure\.models\[0\]\.version: received ""; must pin a model version/],
  ['unknown Azure SKU', (r) => (r.azure.models[0].sku = 'Premium'), /azure\.models\[0\]\.sku: received "Premium"; must be one of Standard, ProvisionedManaged/],
  ['global Azure deployment under strict residency', (r) => (r.azure.models[0].sku = 'GlobalStandard'), /azure\.models\[0\]\.sku: received "GlobalStandard"; GlobalStandard deployments may process data outside the deployment's location/],
  ['zero Azure capacity', (r) => (r.azure.models[0].capacity = 0), /azure\.models\[0\]\.capacity: received 0; must be at least 1/],
  ['repeated Azure deployment', (r) => r.azure.models.push({ ...r.azure.models[0] }), /azure\.models\[2\]\.deployment: received "gpt-4o"; deployment names must be unique/],
  ['unknown content filter severity', (r) => (r.azure.contentFilterSeverity = 'None'), /azure\.contentFilterSeverity: received "None"; must be Low, Medium or High/],
  ['malformed Vertex model', (r) => (r.gcp.models[0].id = 'Gemini Pro'), /gcp\.models\[0\]\.id: received "Gemini Pro"; must be a Vertex AI model ID/],
  ['no Vertex model', (r) => (r.gcp.models = []), /gcp\.models: received \[\]; must list at least one Vertex AI model/],
  ['repeated Vertex model', (r) => r.gcp.models.push({ ...r.gcp.models[0] }), /gcp\.models\[2\]\.id: received "gemini-2\.5-flash"; models must be unique per publisher/],
  ['unknown VPC-SC mode', (r) => (r.gcp.vpcServiceControls = 'on'), /gcp\.vpcServiceControls: received "on"; must be off, dryRun or enforced/],
  ['Azure audit lock not a boolean', (r) => (r.azure.lockAuditRetention = 'yes'), /azure\.lockAuditRetention: received "yes"; Invalid input: expected boolean/],
  ['malformed Google region', (r) => (r.gcp.allowedRegions = ['europe']), /gcp\.allowedRegions\[0\]: received "europe"; must be a Google Cloud region such as europe-west4/],
  ['malformed runtime endpoint ID', (r) => (r.aws.targets[0].bedrockRuntimeEndpointIds = ['vpce-xyz']), exactly('aws.targets[0].bedrockRuntimeEndpointIds[0]: received "vpce-xyz"; must be a VPC endpoint ID: vpce- and 8-17 hexadecimal digits, such as vpce-0a1b2c3d4e5f60718')],
  ['runtime endpoint ID given as an interface ID', (r) => (r.aws.targets[0].bedrockRuntimeEndpointIds = ['eni-0a1b2c3d4e5f60718']), /aws\.targets\[0\]\.bedrockRuntimeEndpointIds\[0\]: received "eni-0a1b2c3d4e5f60718"; must be a VPC endpoint ID/],
  ['runtime endpoint ID outside a list', (r) => (r.aws.targets[0].bedrockRuntimeEndpointIds = 'vpce-0a1b2c3d4e5f60718'), exactly('aws.targets[0].bedrockRuntimeEndpointIds: received "vpce-0a1b2c3d4e5f60718"; must be a list of VPC endpoint IDs, such as ["vpce-0a1b2c3d4e5f60718"], even for a single one')],
  ['empty list of runtime endpoints', (r) => (r.aws.targets[0].bedrockRuntimeEndpointIds = []), exactly('aws.targets[0].bedrockRuntimeEndpointIds: received []; must list at least one endpoint ID, or be left out')],
  ['repeated runtime endpoint', (r) => (r.aws.targets[0].bedrockRuntimeEndpointIds = ['vpce-0a1b2c3d4e5f60718', 'vpce-0a1b2c3d4e5f60718']), exactly('aws.targets[0].bedrockRuntimeEndpointIds: received ["vpce-0a1b2c3d4e5f60718","vpce-0a1b2c3d4e5f60718"]; must not list the same endpoint ID twice')],
  ['API caller that is a user, not a role', (r) => (r.aws.targets[0].apiCallerRoleArns = ['arn:aws:iam::111111111111:user/alice']), exactly('aws.targets[0].apiCallerRoleArns[0]: received "arn:aws:iam::111111111111:user/alice"; must be an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<optional path/>name), such as arn:<partition>:iam::123456789012:role/chat-app')],
  ['API caller given as a role name', (r) => (r.aws.targets[0].apiCallerRoleArns = ['chat-app']), /aws\.targets\[0\]\.apiCallerRoleArns\[0\]: received "chat-app"; must be an IAM role ARN/],
  ['empty list of API callers', (r) => (r.aws.targets[0].apiCallerRoleArns = []), exactly('aws.targets[0].apiCallerRoleArns: received []; must list at least one role ARN, or be left out')],
  ['repeated API caller', (r) => r.aws.targets[0].apiCallerRoleArns.push(r.aws.targets[0].apiCallerRoleArns[0]), /aws\.targets\[0\]\.apiCallerRoleArns: received .*; must not list the same role ARN twice$/m],
  ['API caller of another account', (r) => (r.aws.targets[0].apiCallerRoleArns = ['arn:aws:iam::222222222222:role/apps/chat']), exactly('aws.targets[0].apiCallerRoleArns[0]: received "arn:aws:iam::222222222222:role/apps/chat"; the role is in account 222222222222, but aws.targets[0] deploys to account 111111111111, and its private model API admits roles of its own account only; use a role of account 111111111111, or list this role under a target in account 222222222222')],
  ['inference profile routes that are not an object', (r) => (r.aws.inferenceProfiles = ['eu.anthropic.claude-3-7-sonnet-20250219-v1:0']), exactly('aws.inferenceProfiles: received ["eu.anthropic.claude-3-7-sonnet-20250219-v1:0"]; must map geography inference profile IDs to their routes, such as {"eu.anthropic.claude-3-7-sonnet-20250219-v1:0": {"eu-central-1": ["eu-central-1", "eu-west-1"]}}')],
  ['routes for a global profile', (r) => (r.aws.inferenceProfiles = { [GLOBAL_SONNET]: { 'eu-west-1': ['eu-west-1'] } }), exactly(`aws.inferenceProfiles.${GLOBAL_SONNET}: received "${GLOBAL_SONNET}"; ${NOT_A_GEOGRAPHY_PROFILE}`)],
  ['routes for a foundation model', (r) => (r.aws.inferenceProfiles = { 'anthropic.claude-3-haiku-20240307-v1:0': { 'eu-west-1': ['eu-west-1'] } }), exactly(`aws.inferenceProfiles.anthropic.claude-3-haiku-20240307-v1:0: received "anthropic.claude-3-haiku-20240307-v1:0"; ${NOT_A_GEOGRAPHY_PROFILE}`)],
  ['routes given as a list of regions', (r) => (r.aws.inferenceProfiles = { [EU_SONNET]: ['eu-central-1'] }), exactly(`aws.inferenceProfiles.${EU_SONNET}: received ["eu-central-1"]; must map each source region to its destination regions, such as {"eu-central-1": ["eu-central-1", "eu-west-1"]}`)],
  ['routes with no source region', (r) => (r.aws.inferenceProfiles = { [EU_SONNET]: {} }), exactly(`aws.inferenceProfiles.${EU_SONNET}: received {}; must map at least one source region to its destination regions, such as {"eu-central-1": ["eu-central-1", "eu-west-1"]}`)],
  ['routes from a malformed source region', (r) => (r.aws.inferenceProfiles = { [EU_SONNET]: { Frankfurt: ['eu-central-1'] } }), exactly(`aws.inferenceProfiles.${EU_SONNET}.Frankfurt: received "Frankfurt"; source region must be an AWS region code such as eu-central-1`)],
  ['routes from a region AWS does not have', (r) => (r.aws.inferenceProfiles = { [EU_SONNET]: { 'eu-central-9': ['eu-central-1'] } }), exactly(`aws.inferenceProfiles.${EU_SONNET}.eu-central-9: received "eu-central-9"; source region eu-central-9 is ${notKnown('eu-central')}; use a region code such as eu-central-1, ${UPGRADE}`)],
  ['routes to no destination', (r) => (r.aws.inferenceProfiles = { [EU_SONNET]: { 'eu-central-1': [] } }), exactly(`aws.inferenceProfiles.${EU_SONNET}.eu-central-1: received []; must list at least one destination region`)],
  ['routes to a repeated destination', (r) => (r.aws.inferenceProfiles = { [EU_SONNET]: { 'eu-central-1': ['eu-central-1', 'eu-central-1'] } }), exactly(`aws.inferenceProfiles.${EU_SONNET}.eu-central-1: received ["eu-central-1","eu-central-1"]; must not repeat a destination region`)],
  ['routes to a malformed destination', (r) => (r.aws.inferenceProfiles = { [EU_SONNET]: { 'eu-central-1': ['Paris'] } }), exactly(`aws.inferenceProfiles.${EU_SONNET}.eu-central-1[0]: received "Paris"; must be an AWS region code such as eu-central-1`)],
  ['profile the blueprint does not know', (r) => (r.aws.models[1].id = UNLISTED_PROFILE), exactly(`aws.models[1].id: received "${UNLISTED_PROFILE}"; ${unknownRoutes(UNLISTED_PROFILE)}`)],
  ['profile that cannot be called from the target region', (r) => {
    r.aws.allowedRegions.push('eu-central-2');
    r.aws.targets[0].region = 'eu-central-2';
    delete r.aws.targets[0].network;
  }, exactly(`aws.models[1].id: received "${EU_SONNET}"; inference profile ${EU_SONNET} cannot be called from eu-central-2 (aws.targets[0]); its source regions are eu-central-1, eu-north-1, eu-west-1, eu-west-3: deploy the target to one of them, or use a foundation model ID or another profile`)],
  ['profile routing outside the allowed regions under strict residency', (r) => (r.aws.allowedRegions = ['eu-central-1', 'eu-west-1']), exactly(`aws.models[1].id: received "${EU_SONNET}"; ${routesOutside('eu-central-1 (aws.targets[0])', EU_SONNET, 'eu-north-1, eu-west-3', 'eu-central-1, eu-west-1')}`)],
];

describe('a bad config is refused with the field, the value and what is allowed', () => {
  test.each(cases)('%s', (_name, mutate, expected) => {
    expect(errorFor(mutate)).toMatch(expected);
  });

  test('every problem is reported at once', () => {
    const message = errorFor((r) => {
      r.tags.dataClassification = 'secret';
      r.logging.retentionDays = 12;
    });
    expect(message).toMatch(/tags\.dataClassification/);
    expect(message).toMatch(/logging\.retentionDays/);
  });

  test('global profiles are accepted when residency is not strict', () => {
    const raw = rawExample() as Loose;
    raw.dataResidency.strict = false;
    raw.aws.models[0].id = 'global.anthropic.claude-sonnet-4-20250514-v1:0';
    expect(parseOrgConfig(raw).aws.models[0].id).toMatch(/^global\./);
  });
});

describe('schema and cross-field problems are reported in one pass', () => {
  test('a misspelt setting and a target region outside the allowlist: exactly both, the schema issue first', () => {
    const mutate = (r: Loose) => {
      r.aws.ssmPrefx = r.aws.ssmPrefix;
      delete r.aws.ssmPrefix;
      r.aws.targets[0].region = 'us-east-1';
    };
    expect(issuesFor(mutate)).toEqual([
      { path: 'aws.ssmPrefx', received: '/private-ai', message: NOT_A_SETTING },
      { path: 'aws.targets[0].region', received: 'us-east-1', message: notAllowed('us-east-1') },
    ]);
    expect(errorFor(mutate)).toBe(
      [
        'invalid organisation config (inline config):',
        `  - aws.ssmPrefx: received "/private-ai"; ${NOT_A_SETTING}`,
        `  - aws.targets[0].region: received "us-east-1"; ${notAllowed('us-east-1')}`,
      ].join('\n'),
    );
  });

  // The cross-field rules read only their own inputs, so a problem anywhere else does not hide them.
  test.each<[string, (raw: Loose) => void, ConfigIssue[]]>([
    [
      'a bad account on the same target',
      (r) => {
        r.aws.targets[0].account = '1234';
        r.aws.targets[0].region = 'us-east-1';
      },
      [
        { path: 'aws.targets[0].account', received: '1234', message: 'must be a 12-digit AWS account ID (quote it as a string)' },
        { path: 'aws.targets[0].region', received: 'us-east-1', message: notAllowed('us-east-1') },
      ],
    ],
    [
      'a misspelt setting in the same target',
      (r) => {
        r.aws.targets[0].ownsInvocationLoging = false;
        r.aws.targets[0].region = 'us-east-1';
      },
      [
        { path: 'aws.targets[0].ownsInvocationLoging', received: false, message: NOT_A_SETTING },
        { path: 'aws.targets[0].region', received: 'us-east-1', message: notAllowed('us-east-1') },
      ],
    ],
    [
      'a malformed model ID next to a global profile',
      (r) => {
        r.aws.models[0].id = 'claude';
        r.aws.models[1].id = GLOBAL_SONNET;
      },
      [
        { path: 'aws.models[0].id', received: 'claude', message: expect.stringMatching(/^must be a Bedrock model ID/) },
        { path: 'aws.models[1].id', received: GLOBAL_SONNET, message: GLOBAL_PROFILE },
      ],
    ],
    [
      'a defaulted logging owner (ownsInvocationLogging left out) beside a broken Azure model',
      (r) => {
        r.aws.targets.push({ name: 'prod-two', account: '111111111111', region: 'eu-central-1' });
        r.azure.models[0].capacity = 0;
      },
      [
        { path: 'azure.models[0].capacity', received: 0, message: 'must be at least 1' },
        {
          path: 'aws.targets[1].ownsInvocationLogging',
          received: true,
          message:
            'model invocation logging is one setting per account and region, and aws.targets[0] already owns it for 111111111111/eu-central-1; set ownsInvocationLogging: false on one of them',
        },
      ],
    ],
    [
      'a defaulted strict residency (strict left out) beside a misspelt setting',
      (r) => {
        r.dataResidency = { stict: false };
        r.azure.models[1].sku = 'GlobalStandard';
      },
      [
        { path: 'dataResidency.stict', received: false, message: NOT_A_SETTING },
        {
          path: 'azure.models[1].sku',
          received: 'GlobalStandard',
          message:
            "GlobalStandard deployments may process data outside the deployment's location, which strict data residency forbids; use Standard or ProvisionedManaged, or set dataResidency.strict: false",
        },
      ],
    ],
    [
      'a defaulted Vertex publisher beside a malformed Google region',
      (r) => {
        r.gcp.allowedRegions[1] = 'europe';
        r.gcp.models.push({ id: 'gemini-2.5-flash', classifications: ['public'] });
      },
      [
        { path: 'gcp.allowedRegions[1]', received: 'europe', message: 'must be a Google Cloud region such as europe-west4' },
        { path: 'gcp.models[2].id', received: 'gemini-2.5-flash', message: 'models must be unique per publisher' },
      ],
    ],
  ])('cross-field rules still run beside %s', (_name, mutate, expected) => {
    expect(issuesFor(mutate)).toEqual(expected);
  });

  // A rule whose input the schema refuses is skipped: no consequence of a bad value, no path twice.
  test.each<[string, (raw: Loose) => void, string[]]>([
    ['a target region AWS does not have (and so not allowed)', (r) => (r.aws.targets[0].region = 'eu-central-9'), ['aws.targets[0].region']],
    ['a malformed target region', (r) => (r.aws.targets[0].region = 'Frankfurt'), ['aws.targets[0].region']],
    ['an allowlist with an unknown region, which might be the fix for a target', (r) => {
      r.aws.allowedRegions = ['eu-central-1', 'us-east-9'];
      r.aws.targets[0].region = 'us-east-1';
    }, ['aws.allowedRegions[1]']],
    ['zones of a target whose region is unknown', (r) => {
      r.aws.targets[0].region = 'eu-central-9';
      r.aws.targets[0].network = { availabilityZones: ['eu-central-1a', 'eu-central-1b'] };
    }, ['aws.targets[0].region']],
    ['a zone of an unknown region in another region\'s target', (r) => (r.aws.targets[0].network = { availabilityZones: ['eu-central-1a', 'eu-west-9b'] }), ['aws.targets[0].network.availabilityZones[1]']],
    ['a missing dataResidency beside a global profile and a GlobalStandard deployment', (r) => {
      delete r.dataResidency;
      r.aws.models[0].id = GLOBAL_SONNET;
      r.azure.models[0].sku = 'GlobalStandard';
    }, ['dataResidency']],
    ['strict residency that is not a boolean beside a global profile', (r) => {
      r.dataResidency.strict = 'yes';
      r.aws.models[0].id = GLOBAL_SONNET;
    }, ['dataResidency.strict']],
    ['an invalid organisation name beside a long target name', (r) => {
      r.organisation.name = 'Example Corp';
      r.aws.targets[0].name = 'production-eu-central-primary-xy';
    }, ['organisation.name']],
    ['two targets with the same invalid name', (r) => {
      r.aws.targets[0].name = 'prod env';
      r.aws.targets.push({ name: 'prod env', account: '222222222222', region: 'eu-west-1' });
    }, ['aws.targets[0].name', 'aws.targets[1].name']],
    ['an ownsInvocationLogging that is not a boolean on a second target of the same account and region', (r) => {
      r.aws.targets.push({ name: 'prod-two', account: '111111111111', region: 'eu-central-1', ownsInvocationLogging: 'no' });
    }, ['aws.targets[1].ownsInvocationLogging']],
    ['two Azure deployments with the same invalid name', (r) => {
      r.azure.models[0].deployment = 'my model';
      r.azure.models[1].deployment = 'my model';
    }, ['azure.models[0].deployment', 'azure.models[1].deployment']],
    ['an Identity Center region AWS does not have', (r) => (r.aws.identityCenter.region = 'eu-central-9'), ['aws.identityCenter.region']],
  ])('an invalid field raises no cross-field issue: %s', (_name, mutate, paths) => {
    expect(issuesFor(mutate).map((i) => i.path)).toEqual(paths);
  });

  // Independent problems, each alone and in every pair: a pair reports exactly the union of its
  // two problems, and every schema issue comes before every cross-field issue.
  const schemaProblems: Array<[string, (raw: Loose) => void]> = [
    ['misspelt setting', (r) => (r.aws.modelInvokr = {})],
    ['unknown classification', (r) => (r.aws.models[1].classifications = ['secret'])],
    ['log retention CloudWatch does not accept', (r) => (r.logging.retentionDays = 12)],
    ['account ID as a number', (r) => (r.aws.targets[0].account = 111111111111)],
    ['zero Azure capacity', (r) => (r.azure.models[1].capacity = 0)],
    ['zone of an unknown AWS region', (r) => r.aws.targets.push({ name: 'dev', account: '222222222222', region: 'eu-west-1', network: { availabilityZones: ['eu-west-1a', 'eu-west-9b'] } })],
    ['malformed runtime endpoint ID', (r) => (r.aws.targets[0].bedrockRuntimeEndpointIds = ['vpce-xyz'])],
  ];
  const crossFieldProblems: Array<[string, (raw: Loose) => void]> = [
    ['target region outside the allowlist', (r) => (r.aws.targets[0].region = 'us-east-1')],
    ['global profile', (r) => (r.aws.models[0].id = GLOBAL_SONNET)],
    ['GlobalStandard deployment', (r) => (r.azure.models[0].sku = 'GlobalStandard')],
    ['repeated Vertex model', (r) => r.gcp.models.push({ id: 'gemini-2.5-flash', publisher: 'google', classifications: ['public'] })],
    ['Identity Center region outside the allowlist', (r) => (r.aws.identityCenter.region = 'eu-west-2')],
    ['profile the blueprint does not know', (r) => (r.aws.models[1].id = UNLISTED_PROFILE)],
  ];
  const problems = [...schemaProblems.map(([name, mutate]) => ({ name, mutate, kind: 'schema' })), ...crossFieldProblems.map(([name, mutate]) => ({ name, mutate, kind: 'cross-field' }))];
  const alone = new Map<string, readonly ConfigIssue[]>();
  beforeAll(() => problems.forEach((p) => alone.set(p.name, issuesFor(p.mutate))));
  const pairs = problems.flatMap((a, i) => problems.slice(i + 1).map((b) => [a, b] as const));

  test.each(problems.map((p) => [p.name, p.kind]))('%s alone is one %s issue', (name) => {
    expect(alone.get(name)).toHaveLength(1);
  });

  test.each(pairs.map(([a, b]) => [a.name, b.name, a, b]))('%s with %s', (_a, _b, a, b) => {
    const issues = issuesFor((r) => {
      a.mutate(r);
      b.mutate(r);
    });
    expect(issues).toEqual(expect.arrayContaining([...alone.get(a.name)!, ...alone.get(b.name)!]));
    expect(issues).toHaveLength(2);
    const kinds = issues.map((issue) => problems.find((p) => alone.get(p.name)![0].path === issue.path)!.kind);
    expect(kinds).toEqual([...kinds].sort((x, y) => (x === y ? 0 : x === 'schema' ? -1 : 1)));
  });

  test('all of them at once', () => {
    const issues = issuesFor((r) => problems.forEach((p) => p.mutate(r)));
    expect(issues).toHaveLength(problems.length);
    expect(new Set(issues.map((i) => JSON.stringify(i)))).toEqual(new Set([...alone.values()].flat().map((i) => JSON.stringify(i))));
    expect(issues.slice(0, schemaProblems.length).map((i) => i.path).sort()).toEqual(schemaProblems.map(([name]) => alone.get(name)![0].path).sort());
  });
});

describe('cross-region inference profiles are checked against the targets and the allowed regions', () => {
  test('under relaxed residency a profile may route outside the allowed regions (policies admit those only through the profile)', () => {
    const raw = rawExample() as Loose;
    raw.dataResidency.strict = false;
    raw.aws.allowedRegions = ['eu-central-1'];
    expect(parseOrgConfig(raw).aws.models[1].id).toBe(EU_SONNET);
  });

  test('routes in the config replace the table, so a narrower override admits a narrower allowlist', () => {
    const raw = rawExample() as Loose;
    raw.aws.allowedRegions = ['eu-central-1', 'eu-west-1'];
    raw.aws.inferenceProfiles = { [EU_SONNET]: { 'eu-central-1': ['eu-central-1', 'eu-west-1'] } };
    expect(parseOrgConfig(raw).aws.inferenceProfiles).toEqual({ [EU_SONNET]: { 'eu-central-1': ['eu-central-1', 'eu-west-1'] } });
  });

  test('routes in the config make a profile the table does not list usable, and are checked like the table', () => {
    const withUnlisted = (routes: Record<string, string[]>) => (r: Loose) => {
      r.aws.models[1].id = UNLISTED_PROFILE;
      r.aws.inferenceProfiles = { [UNLISTED_PROFILE]: routes };
    };
    const raw = rawExample() as Loose;
    withUnlisted({ 'eu-central-1': ['eu-central-1', 'eu-west-1'] })(raw);
    expect(parseOrgConfig(raw).aws.models[1].id).toBe(UNLISTED_PROFILE);
    expect(issuesFor(withUnlisted({ 'eu-central-1': ['eu-central-1', 'eu-south-1'] }))).toEqual([
      { path: 'aws.models[1].id', received: UNLISTED_PROFILE, message: routesOutside('eu-central-1 (aws.targets[0])', UNLISTED_PROFILE, 'eu-south-1', ALLOWED) },
    ]);
  });

  test('routes the schema refuses leave the profile unchecked, so only the schema issue is reported', () => {
    expect(
      issuesFor((r) => {
        r.aws.models[1].id = UNLISTED_PROFILE;
        r.aws.inferenceProfiles = { [UNLISTED_PROFILE]: { 'eu-central-1': [] } };
      }).map((i) => i.path),
    ).toEqual([`aws.inferenceProfiles.${UNLISTED_PROFILE}.eu-central-1`]);
    expect(
      issuesFor((r) => {
        r.aws.models[1].id = UNLISTED_PROFILE;
        r.aws.inferenceProfiles = 'none';
      }).map((i) => i.path),
    ).toEqual(['aws.inferenceProfiles']);
  });

  test('targets in one region are named together; each source region is checked with its own destinations', () => {
    // us.anthropic.claude-3-haiku routes from us-east-2 to three regions, from us-west-2 to two.
    const haiku = 'us.anthropic.claude-3-haiku-20240307-v1:0';
    const issues = issuesFor((r) => {
      r.aws.allowedRegions = ['us-east-1', 'us-west-2', 'us-west-1'];
      r.aws.identityCenter.region = 'us-east-1';
      r.aws.models = [{ id: haiku, classifications: ['public'] }];
      r.aws.targets = [
        { name: 'east', account: '111111111111', region: 'us-east-2' },
        { name: 'east-two', account: '222222222222', region: 'us-east-2' },
        { name: 'west', account: '111111111111', region: 'us-west-2' },
        { name: 'north', account: '111111111111', region: 'us-west-1' },
      ];
    });
    expect(issues).toEqual([
      { path: 'aws.targets[0].region', received: 'us-east-2', message: expect.stringMatching(/^region us-east-2 is not allowed/) },
      { path: 'aws.targets[1].region', received: 'us-east-2', message: expect.stringMatching(/^region us-east-2 is not allowed/) },
      { path: 'aws.models[0].id', received: haiku, message: routesOutside('us-east-2 (aws.targets[0], aws.targets[1])', haiku, 'us-east-2', 'us-east-1, us-west-2, us-west-1') },
      {
        path: 'aws.models[0].id',
        received: haiku,
        message: `inference profile ${haiku} cannot be called from us-west-1 (aws.targets[3]); its source regions are us-east-1, us-east-2, us-west-2: deploy the target to one of them, or use a foundation model ID or another profile`,
      },
    ]);
  });

  test('a target outside the profile\'s geography does not call it, so its region is not checked against the routes', () => {
    const raw = rawExample() as Loose;
    raw.aws.allowedRegions.push('ca-central-1');
    raw.aws.targets.push({ name: 'canada', account: '222222222222', region: 'ca-central-1' });
    expect(parseOrgConfig(raw).aws.targets).toHaveLength(2);
  });

  test('an API caller of another account is not checked while the target account is invalid', () => {
    expect(
      issuesFor((r) => {
        r.aws.targets[0].account = '1234';
        r.aws.targets[0].apiCallerRoleArns = ['arn:aws:iam::222222222222:role/chat'];
      }).map((i) => i.path),
    ).toEqual(['aws.targets[0].account']);
  });

  test('roles with a path and of other partitions are accepted', () => {
    const raw = rawExample() as Loose;
    raw.aws.targets[0].apiCallerRoleArns = ['arn:aws:iam::111111111111:role/apps/chat/backend-1', 'arn:aws-us-gov:iam::111111111111:role/chat@ops'];
    expect(parseOrgConfig(raw).aws.targets[0].apiCallerRoleArns).toHaveLength(2);
  });

  test('the second organisation fixture validates, with its US profile routing inside its allowed regions', () => {
    const config = loadOrgConfig(path.join(__dirname, '..', 'fixtures', 'second-org.json'));
    expect(config.aws.allowedRegions).toEqual(['us-east-1', 'us-west-2', 'us-east-2']);
    expect(config.aws.targets.map((t) => t.bedrockRuntimeEndpointIds)).toEqual([['vpce-0b1c2d3e4f5a60718'], ['vpce-0c1d2e3f4a5b60718']]);
  });
});

describe('loading from a file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'org-config-'));

  test('an unreadable file names the path', () => {
    expect(() => loadOrgConfig(path.join(dir, 'missing.json'))).toThrow(/missing\.json.*cannot read the config file/s);
  });

  test('invalid JSON names the file, the line and the column', () => {
    const file = path.join(dir, 'broken.json');
    // The comma after the "tags" line is missing.
    fs.writeFileSync(file, ['{', '  "organisation": { "name": "example-corp" },', '  "tags": { "owner": "platform-team@example.com" }', '  "dataResidency": { "strict": true }', '}'].join('\n'));
    expect(() => loadOrgConfig(file)).toThrow(
      new ConfigError(file, [{ path: '', received: undefined, message: "is not valid JSON: Expected ',' or '}' after property value at line 4, column 3" }]),
    );
    expect(() => loadOrgConfig(file)).toThrow(
      `invalid organisation config (${file}):\n  - (root): received nothing; is not valid JSON: Expected ',' or '}' after property value at line 4, column 3`,
    );
  });

  test('a truncated file names where the input ends', () => {
    const file = path.join(dir, 'truncated.json');
    fs.writeFileSync(file, '{ "organisation": ');
    expect(() => loadOrgConfig(file)).toThrow(/truncated\.json.*is not valid JSON: Unexpected end of JSON input at line 1, column 19$/s);
  });

  test('target overrides from CDK context are validated like the file', () => {
    expect(() => loadOrgConfig(undefined, { targets: [{ name: 'dev', account: '222222222222', region: 'us-west-2' }] })).toThrow(
      /aws\.targets\[0\]\.region: received "us-west-2"; region us-west-2 is not allowed by data residency policy/,
    );
    const config = loadOrgConfig(undefined, { targets: [{ name: 'dev', account: '222222222222', region: 'eu-west-1' }] });
    expect(config.aws.targets).toEqual([{ name: 'dev', account: '222222222222', region: 'eu-west-1', ownsInvocationLogging: true, takeOverInvocationLogging: false, dnsResolver: false }]);
  });

  test('a targets context given as JSON text is parsed and validated like a list', () => {
    const config = loadOrgConfig(undefined, { targets: '[{"name":"dev","account":"222222222222","region":"eu-west-1"}]' });
    expect(config.aws.targets).toEqual([{ name: 'dev', account: '222222222222', region: 'eu-west-1', ownsInvocationLogging: true, takeOverInvocationLogging: false, dnsResolver: false }]);
    expect(() => loadOrgConfig(undefined, { targets: '[{"name":"dev","account":"222222222222","region":"us-west-2"}]' })).toThrow(
      /aws\.targets\[0\]\.region: received "us-west-2"; region us-west-2 is not allowed by data residency policy/,
    );
  });

  const HOW_TO_PASS_TARGETS = `pass a JSON list of targets, e.g. -c targets='[{"name":"prod","account":"123456789012","region":"eu-central-1"}]'`;

  test('a targets context that is not valid JSON is one issue at aws.targets, saying where and how to pass it', () => {
    const targets = '[{"name":"dev",}]';
    expect(() => loadOrgConfig(undefined, { targets })).toThrow(
      new ConfigError(EXAMPLE_CONFIG_PATH, [
        { path: 'aws.targets', received: targets, message: `the targets context is not valid JSON: Expected double-quoted property name at line 1, column 16; ${HOW_TO_PASS_TARGETS}` },
      ]),
    );
    expect(() => loadOrgConfig(undefined, { targets: "[{name: 'dev'}]" })).toThrow(
      `  - aws.targets: received "[{name: 'dev'}]"; the targets context is not valid JSON: Expected property name or '}' at line 1, column 3; ${HOW_TO_PASS_TARGETS}`,
    );
  });

  test('a malformed targets context is reported with the problems of the file', () => {
    const file = path.join(dir, 'misspelt.json');
    const raw = rawExample() as Loose;
    raw.aws.targets[0].regoin = raw.aws.targets[0].region; // file targets are replaced, so not reported
    raw.logging.retentionDay = 365;
    fs.writeFileSync(file, JSON.stringify(raw, null, 2));
    const targets = '[{"name":"dev","account":"222222222222","region":"eu-west-1"},]';
    expect(() => loadOrgConfig(file, { targets })).toThrow(
      new ConfigError(file, [
        { path: 'aws.targets', received: targets, message: `the targets context is not valid JSON: Unexpected token ']' at line 1, column 63; ${HOW_TO_PASS_TARGETS}` },
        { path: 'logging.retentionDay', received: 365, message: NOT_A_SETTING },
      ]),
    );
  });

  test('a malformed targets context is reported with a file that is not valid JSON', () => {
    const file = path.join(dir, 'broken-too.json');
    fs.writeFileSync(file, '{\n  "organisation": ');
    expect(() => loadOrgConfig(file, { targets: '[' })).toThrow(
      new ConfigError(file, [
        { path: '', received: undefined, message: 'is not valid JSON: Unexpected end of JSON input at line 2, column 19' },
        { path: 'aws.targets', received: '[', message: `the targets context is not valid JSON: Unexpected end of JSON input at line 1, column 2; ${HOW_TO_PASS_TARGETS}` },
      ]),
    );
  });
});

describe('limits of the services a cloud section uses are checked with the rest of the config', () => {
  test('a log retention a Log Analytics workspace cannot keep is refused while the azure section is there, and not without it', () => {
    expect(issuesFor((r) => (r.logging.retentionDays = 1096))).toEqual([
      {
        path: 'logging.retentionDays',
        received: 1096,
        message:
          'a Log Analytics workspace keeps data at most 730 days, and the azure section sends its logs to one; use 730 or less (the audit archive keeps logging.auditRetentionDays regardless)',
      },
    ]);
    const raw = rawExample() as Loose;
    raw.logging.retentionDays = 1096;
    delete raw.azure;
    expect(parseOrgConfig(raw).logging.retentionDays).toBe(1096);
  });

  test('an audit retention a Cloud Logging bucket cannot keep is refused while the gcp section is there, and not without it', () => {
    expect(issuesFor((r) => (r.logging.auditRetentionDays = 3653))).toEqual([
      {
        path: 'logging.auditRetentionDays',
        received: 3653,
        message: 'must be a whole number of days between 1 and 3650: a Cloud Logging bucket keeps logs at most 3650 days, and the gcp section keeps its audit logs in one',
      },
    ]);
    const raw = rawExample() as Loose;
    raw.logging.auditRetentionDays = 3653;
    delete raw.gcp;
    expect(parseOrgConfig(raw).logging.auditRetentionDays).toBe(3653);
  });

  test('an OpenAI account serves only OpenAI models; AI Services serves them all', () => {
    const withLlama = (kind: string) => (r: Loose) => {
      r.azure.accountKind = kind;
      r.azure.models.push({ deployment: 'llama', model: 'Llama-3.3-70B-Instruct', version: '1', format: 'Meta', capacity: 1, classifications: ['public'] });
    };
    expect(issuesFor(withLlama('OpenAI'))).toEqual([
      {
        path: 'azure.models[2].format',
        received: 'Meta',
        message: 'an OpenAI account serves only OpenAI models; set azure.accountKind to AIServices (Azure AI Foundry) to deploy Meta models, or remove this deployment',
      },
    ]);
    const raw = rawExample() as Loose;
    withLlama('AIServices')(raw);
    expect(parseOrgConfig(raw).azure!.models).toHaveLength(3);
  });

  test('these limits are reported in the same pass as a schema problem', () => {
    const paths = issuesFor((r) => {
      r.logging.retentionDays = 1096;
      r.logging.auditRetentionDays = 3653;
      r.tags.owner = '';
    }).map((i) => i.path);
    expect(paths).toEqual(['tags.owner', 'logging.retentionDays', 'logging.auditRetentionDays']);
  });
});

describe('how the stacks are deployed (aws.deployment)', () => {
  test("defaults to cdk bootstrap's qualifier and the organisation's usual bootstrap roles", () => {
    expect(loadOrgConfig().aws.deployment).toEqual({ cdkQualifier: 'hnb659fds', bootstrapRoleNames: ['OrganizationAccountAccessRole', 'AWSControlTowerExecution'] });
  });

  test('a qualifier cdk bootstrap would refuse, or a role given as an ARN, is named with the fix', () => {
    expect(
      issuesFor((r) => {
        (r.aws as Loose).deployment = { cdkQualifier: 'far-too-long-qualifier', bootstrapRoleNames: ['arn:aws:iam::111111111111:role/Admin'] };
      }),
    ).toEqual([
      { path: 'aws.deployment.cdkQualifier', received: 'far-too-long-qualifier', message: 'must be a CDK bootstrap qualifier: 1 to 10 letters, digits, hyphens or underscores' },
      { path: 'aws.deployment.bootstrapRoleNames[0]', received: 'arn:aws:iam::111111111111:role/Admin', message: 'must be an IAM role name (1 to 64 letters, digits and +=,.@_-), without a path' },
    ]);
  });
});

describe('the kind of an allowlisted model (chat or embedding)', () => {
  test('is known from the ID of the example models, and can be given', () => {
    expect(loadOrgConfig().aws.models.map((m) => [m.id, modelKindOf(m)])).toEqual([
      ['anthropic.claude-3-haiku-20240307-v1:0', 'chat'],
      ['eu.anthropic.claude-3-7-sonnet-20250219-v1:0', 'chat'],
      ['amazon.titan-embed-text-v2:0', 'embedding'],
    ]);
    expect(inferModelKind('cohere.embed-multilingual-v3')).toBe('embedding');
    expect(inferModelKind('eu.amazon.nova-pro-v1:0')).toBe('chat');
  });

  test('a model the blueprint cannot classify is refused until its kind is given', () => {
    expect(
      issuesFor((r) => {
        r.aws.models[0].id = 'acme.brand-new-model-v1:0';
      }),
    ).toEqual([
      {
        path: 'aws.models[0].kind',
        received: undefined,
        message:
          "the blueprint cannot tell from its ID whether acme.brand-new-model-v1:0 is a chat model (Converse, the private API's /invoke) or an embedding model (InvokeModel, /embed); set kind to chat or embedding",
      },
    ]);
    const raw = rawExample();
    raw.aws.models[0] = { id: 'acme.brand-new-model-v1:0', classifications: ['public'], kind: 'embedding' };
    expect(modelKindOf(parseOrgConfig(raw).aws.models[0])).toBe('embedding');
  });
});

describe('corporate network reach', () => {
  test('an inbound resolver without corporate networks to admit is refused, naming the fix', () => {
    expect(
      issuesFor((r) => {
        r.aws.targets[0].dnsResolver = true;
        delete r.aws.targets[0].clientCidrs;
      }),
    ).toEqual([
      {
        path: 'aws.targets[0].dnsResolver',
        received: true,
        message: 'the inbound resolver admits DNS queries from aws.targets[].clientCidrs only, and none are given; list the corporate networks that forward DNS to it, or set dnsResolver: false',
      },
    ]);
    const raw = rawExample();
    raw.aws.targets[0] = { ...raw.aws.targets[0], dnsResolver: true, clientCidrs: ['10.0.0.0/8'] };
    expect(parseOrgConfig(raw).aws.targets[0].clientCidrs).toEqual(['10.0.0.0/8']);
  });
});

describe('fixed resolver addresses', () => {
  test('addresses for a resolver that is not created are refused', () => {
    expect(
      issuesFor((r) => {
        r.aws.targets[0].dnsResolver = false;
      }),
    ).toEqual([
      {
        path: 'aws.targets[0].dnsResolverAddresses',
        received: ['10.40.0.10', '10.40.4.10'],
        message: 'addresses the inbound resolver that dnsResolver does not create; set dnsResolver: true, or remove them',
      },
    ]);
  });
});

describe('detection', () => {
  test('thresholds and the kill switch default when the section is absent', () => {
    const raw = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
    delete raw.detection;
    expect(parseOrgConfig(raw).detection).toEqual({
      thresholds: {
        callerRequestsPer5Minutes: 300,
        callerTokensPer5Minutes: 500000,
        interventionsPer5Minutes: 20,
        callerInterventionsPer5Minutes: 5,
        deniedCallsPer5Minutes: 10,
        invokerErrorsPer5Minutes: 5,
        throttlesPer5Minutes: 10,
        latencyP99Milliseconds: 30000,
      },
      suspendModelAccess: false,
    });
  });

  test('a threshold must be a positive whole number, and unknown thresholds are refused', () => {
    const raw = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as { detection: { thresholds: Record<string, unknown> } };
    raw.detection.thresholds.deniedCallsPer5Minutes = 0;
    expect(() => parseOrgConfig(raw)).toThrow(/detection\.thresholds\.deniedCallsPer5Minutes.*must be at least 1/s);
    raw.detection.thresholds.deniedCallsPer5Minutes = 2.5;
    expect(() => parseOrgConfig(raw)).toThrow(/must be a whole number/);
    raw.detection.thresholds = { deniedCallsPerMinute: 3 };
    expect(() => parseOrgConfig(raw)).toThrow(/deniedCallsPerMinute/);
  });
});

describe('security contacts', () => {
  test('every organisation must name at least one: the misuse and tampering alerts of every cloud go there', () => {
    const raw = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
    delete raw.securityContacts;
    expect(() => parseOrgConfig(raw)).toThrow('securityContacts.emails');
    expect(() => parseOrgConfig(raw)).toThrow('must list at least one address: the misuse and tampering alerts of every cloud');
    // Without Azure too: the AWS and Google Cloud alerts need someone as well.
    delete raw.azure;
    expect(() => parseOrgConfig(raw)).toThrow('must list at least one address');
  });

  test('an empty list is refused too', () => {
    const raw = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
    raw.securityContacts = { emails: [] };
    expect(() => parseOrgConfig(raw)).toThrow('securityContacts.emails');
  });

  test('addresses are validated', () => {
    const raw = JSON.parse(fs.readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
    raw.securityContacts = { emails: ['soc'] };
    expect(() => parseOrgConfig(raw)).toThrow('must be an e-mail address such as security@example.com');
  });
});

describe('suspending one person (detection.suspendedUsers)', () => {
  test('nobody by default; the example lists nobody', () => {
    const raw = rawExample() as Loose;
    delete raw.detection.suspendedUsers;
    expect(parseOrgConfig(raw).detection.suspendedUsers).toBeUndefined();
    expect(loadOrgConfig().detection.suspendedUsers).toEqual([]);
  });

  test('Identity Center user names are kept as written', () => {
    const raw = rawExample() as Loose;
    raw.detection.suspendedUsers = ['jane.doe@example.com', 'j_doe+ai'];
    expect(parseOrgConfig(raw).detection.suspendedUsers).toEqual(['jane.doe@example.com', 'j_doe+ai']);
  });

  test('a name no role session can carry, a wildcard or a repeat is refused with the field and the value', () => {
    const SESSION_NAME = 'must be an Identity Center user name as its role sessions are named (2 to 64 letters, digits and +=,.@_-), such as jane.doe@example.com';
    expect(issuesFor((r) => (r.detection.suspendedUsers = ['jane doe']))).toEqual([{ path: 'detection.suspendedUsers[0]', received: 'jane doe', message: SESSION_NAME }]);
    expect(issuesFor((r) => (r.detection.suspendedUsers = ['ok@example.com', '*']))).toEqual([{ path: 'detection.suspendedUsers[1]', received: '*', message: SESSION_NAME }]);
    expect(issuesFor((r) => (r.detection.suspendedUsers = ['a'.repeat(65)]))).toEqual([{ path: 'detection.suspendedUsers[0]', received: 'a'.repeat(65), message: SESSION_NAME }]);
    expect(issuesFor((r) => (r.detection.suspendedUsers = ['jane@example.com', 'jane@example.com']))).toEqual([
      { path: 'detection.suspendedUsers', received: ['jane@example.com', 'jane@example.com'], message: 'must not list the same user twice' },
    ]);
    expect(errorFor((r) => (r.detection.suspendedUsers = 'jane@example.com'))).toMatch(
      /detection\.suspendedUsers: received "jane@example\.com"; must be a list of Identity Center user names, such as \["jane\.doe@example\.com"\], even for a single one/,
    );
  });

  test('without Identity Center no permission set would carry the deny, so naming users is refused', () => {
    expect(
      issuesFor((r) => {
        delete r.aws.identityCenter;
        r.detection.suspendedUsers = ['jane@example.com'];
      }),
    ).toEqual([
      {
        path: 'detection.suspendedUsers',
        received: ['jane@example.com'],
        message:
          'suspends users through the IAM Identity Center permission sets, and aws.identityCenter is not configured, so no permission set would deny them anything; configure aws.identityCenter, or suspend them in the identity provider (docs/playbooks/compromised-credentials.md)',
      },
    ]);
    // An empty list asks for nothing.
    const raw = rawExample() as Loose;
    delete raw.aws.identityCenter;
    raw.detection.suspendedUsers = [];
    expect(() => parseOrgConfig(raw)).not.toThrow();
  });
});

describe('security responders (sso.securityResponders)', () => {
  test('none by default, on every cloud', () => {
    const raw = rawExample() as Loose;
    delete raw.sso.securityResponders;
    expect(parseOrgConfig(raw).sso.securityResponders).toEqual({ aws: [], azure: [], gcp: [] });
  });

  test('AWS groups are Identity Center group IDs, checked like the other roles', () => {
    const raw = rawExample() as Loose;
    raw.sso.securityResponders = { aws: ['00000000-0000-0000-0000-000000000005'] };
    expect(parseOrgConfig(raw).sso.securityResponders.aws).toEqual(['00000000-0000-0000-0000-000000000005']);
    expect(errorFor((r) => (r.sso.securityResponders = { aws: ['soc'] }))).toMatch(/sso\.securityResponders\.aws\[0\]: received "soc"; must be an Identity Center group ID \(a GUID\)/);
  });

  test('Azure and Google Cloud groups are refused: those programs have no responder role, so they would be granted nothing', () => {
    expect(
      issuesFor((r) => {
        r.sso.securityResponders = { azure: ['00000000-0000-0000-0000-000000000005'], gcp: ['ai-responders@example.com'] };
      }),
    ).toEqual([
      {
        path: 'sso.securityResponders.azure',
        received: ['00000000-0000-0000-0000-000000000005'],
        message:
          'the Azure program has no security-responder role, so these groups would be granted nothing; leave the list empty (the kill switch there is detection.suspendModelAccess, or the faster path in docs/playbooks)',
      },
      {
        path: 'sso.securityResponders.gcp',
        received: ['ai-responders@example.com'],
        message:
          'the Google Cloud program has no security-responder role, so these groups would be granted nothing; leave the list empty (the kill switch there is detection.suspendModelAccess, or the faster path in docs/playbooks)',
      },
    ]);
  });
});

describe('the delivery pipeline (aws.pipeline) and the targets it rolls out', () => {
  const CONNECTION = 'arn:aws:codeconnections:eu-central-1:222222222222:connection/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d';
  /** The example with a dev target beside prod, rolled out dev first, then prod after an approval. */
  const withPipeline = (r: Loose) => {
    r.aws.targets.push({ name: 'dev', account: '333333333333', region: 'eu-central-1' });
    r.aws.pipeline = {
      account: '222222222222',
      region: 'eu-central-1',
      connectionArn: CONNECTION,
      repository: 'example-corp/private-ai-blueprint',
      waves: [
        { name: 'dev', targets: ['dev'] },
        { name: 'prod', targets: ['prod'], approval: true },
      ],
    };
  };

  test('a pipeline whose waves hold every target once is accepted, the branch and approvals defaulted', () => {
    const raw = rawExample() as Loose;
    withPipeline(raw);
    expect(parseOrgConfig(raw).aws.pipeline).toEqual({
      account: '222222222222',
      region: 'eu-central-1',
      connectionArn: CONNECTION,
      repository: 'example-corp/private-ai-blueprint',
      branch: 'main',
      waves: [
        { name: 'dev', targets: ['dev'], approval: false },
        { name: 'prod', targets: ['prod'], approval: true },
      ],
    });
  });

  test('a wave target that is not in aws.targets is named, with the targets there are', () => {
    expect(
      issuesFor((r) => {
        withPipeline(r);
        r.aws.pipeline.waves[1].targets.push('prod-us');
      }),
    ).toEqual([{ path: 'aws.pipeline.waves[1].targets[1]', received: 'prod-us', message: 'names no target of aws.targets (prod, dev); add the target to aws.targets, or remove it from the wave' }]);
  });

  test('a target in no wave would never be deployed, and is refused with the waves it could join', () => {
    expect(
      issuesFor((r) => {
        withPipeline(r);
        r.aws.pipeline.waves[0].targets = ['prod'];
        r.aws.pipeline.waves.pop();
      }),
    ).toEqual([
      {
        path: 'aws.targets[1].name',
        received: 'dev',
        message: 'target dev is in no wave of aws.pipeline.waves, so the pipeline would never deploy it; add it to one wave (dev)',
      },
    ]);
  });

  test('a target in two waves is refused where it appears the second time', () => {
    expect(
      issuesFor((r) => {
        withPipeline(r);
        r.aws.pipeline.waves[1].targets.push('dev');
      }),
    ).toEqual([
      { path: 'aws.pipeline.waves[1].targets[1]', received: 'dev', message: 'target dev is already in wave aws.pipeline.waves[0]; a target deploys in exactly one wave, so remove it from one of them' },
    ]);
  });

  test('wave names must be unique: each names a stage of the pipeline', () => {
    expect(
      issuesFor((r) => {
        withPipeline(r);
        r.aws.pipeline.waves[1].name = 'dev';
      }),
    ).toEqual([
      { path: 'aws.pipeline.waves[1].name', received: 'dev', message: 'wave names must be unique (each names a stage of the pipeline); aws.pipeline.waves[0] already uses it: rename one of them' },
    ]);
  });

  test('the pipeline region must be allowed by data residency, as its artifact bucket keeps the templates there', () => {
    expect(
      issuesFor((r) => {
        withPipeline(r);
        r.aws.pipeline.region = 'us-east-1';
        r.aws.pipeline.connectionArn = CONNECTION.replace('eu-central-1', 'us-east-1');
      }),
    ).toEqual([
      {
        path: 'aws.pipeline.region',
        received: 'us-east-1',
        message: `region us-east-1 is not allowed by data residency policy; allowed: ${ALLOWED} (the pipeline keeps the templates and the config in its artifact bucket there: put it in an allowed region, or add us-east-1 to aws.allowedRegions)`,
      },
    ]);
  });

  test('a wave the schema refuses is reported once: no target is said to be missing from it', () => {
    expect(
      issuesFor((r) => {
        withPipeline(r);
        r.aws.pipeline.waves[0].targets = 'dev';
      }).map((i) => i.path),
    ).toEqual(['aws.pipeline.waves[0].targets']);
  });

  test('every wave problem is reported in one pass, after the schema issues', () => {
    expect(
      issuesFor((r) => {
        withPipeline(r);
        r.aws.pipeline.branch = '';
        r.aws.pipeline.waves[1].name = 'dev';
        r.aws.pipeline.waves[1].targets = ['prod', 'dev', 'staging'];
      }).map((i) => i.path),
    ).toEqual(['aws.pipeline.branch', 'aws.pipeline.waves[1].name', 'aws.pipeline.waves[1].targets[1]', 'aws.pipeline.waves[1].targets[2]']);
  });
});

describe('fleet guards owned by one stack (azure.managementGroup, gcp.orgPolicyParent)', () => {
  test('accepted with the owner first in the rollout list, and absent by default', () => {
    expect(parseOrgConfig(rawExample()).azure?.managementGroup).toBeUndefined();
    expect(parseOrgConfig(rawExample()).gcp?.orgPolicyParent).toBeUndefined();
    const raw = rawExample() as Loose;
    raw.azure.rollout = ['hub', 'prod-weu'];
    raw.azure.managementGroup = { id: 'mg-ai_workloads(prod)', ownerStack: 'hub' };
    raw.gcp.orgPolicyParent = { parent: 'folders/123456789012', ownerStack: 'prod-ew4' };
    const config = parseOrgConfig(raw);
    expect(config.azure?.managementGroup).toEqual({ id: 'mg-ai_workloads(prod)', ownerStack: 'hub' });
    expect(config.gcp?.orgPolicyParent).toEqual({ parent: 'folders/123456789012', ownerStack: 'prod-ew4' });
  });

  test('an owner listed after another stack is refused: the others would roll out before the guards they rely on', () => {
    expect(
      issuesFor((r) => {
        r.azure.rollout = ['prod-weu', 'hub'];
        r.azure.managementGroup = { id: 'mg-ai', ownerStack: 'hub' };
      }),
    ).toEqual([
      {
        path: 'azure.managementGroup.ownerStack',
        received: 'hub',
        message: 'stack hub sets the guards every other stack relies on, but azure.rollout lists it at position 2, after prod-weu; move it to the front of azure.rollout',
      },
    ]);
  });

  test('an owner missing from the rollout list is refused: no rollout would set the guards', () => {
    expect(
      issuesFor((r) => {
        r.gcp.rollout = ['prod-ew4', 'prod-ew1'];
        r.gcp.orgPolicyParent = { parent: 'organizations/1234567890', ownerStack: 'hub' };
      }),
    ).toEqual([
      {
        path: 'gcp.orgPolicyParent.ownerStack',
        received: 'hub',
        message: 'stack hub sets the guards every other stack relies on, but gcp.rollout (prod-ew4, prod-ew1) does not list it, so a rollout would never set them; put it first in gcp.rollout, or name a listed stack',
      },
    ]);
  });

  test('a management group given by its resource ID, or a project as the org-policy parent, is refused with the form expected', () => {
    expect(
      issuesFor((r) => {
        r.azure.managementGroup = { id: '/providers/Microsoft.Management/managementGroups/mg-ai', ownerStack: 'hub' };
        r.gcp.orgPolicyParent = { parent: 'projects/123456789012', ownerStack: 'hub' };
      }).map((i) => [i.path, i.message]),
    ).toEqual([
      ['azure.managementGroup.id', expect.stringMatching(/^must be a management group ID .*such as mg-ai-workloads/)],
      ['gcp.orgPolicyParent.parent', expect.stringMatching(/^must be organizations\/<numeric ID> or folders\/<numeric ID>/)],
    ]);
  });
});
