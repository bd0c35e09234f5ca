/**
 * CloudFormation custom resource: owns the account-region's Bedrock model invocation logging
 * setting, which is one per account and region and may already be someone else's.
 *
 * - Create reads the setting first. None, or one equal to this resource's: put it. A different
 *   one: refuse, naming its destinations, unless the `TakeOver` property is true; then put it and
 *   remember the one found in the physical resource ID (CloudFormation hands that ID back on
 *   every later event, so no other store is needed).
 * - Update puts the new configuration: the resource owns the setting by then.
 * - Delete acts only while the setting is still the one this resource put (a later owner, or a
 *   create that never applied, is left alone). It then restores the remembered setting, or
 *   deletes the setting when there was none before: logging is never switched off in an account
 *   the blueprint did not own it in.
 *
 * It answers CloudFormation itself (no provider framework), through the S3 gateway endpoint.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
} from '@aws-sdk/client-bedrock';

/** The CloudFormation custom-resource request fields this handler uses. */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: {
    readonly LoggingConfig: LoggingConfig;
    /** Replace a different setting found at create (`'true'`: CloudFormation sends strings). */
    readonly TakeOver?: boolean | string;
    readonly ServiceToken?: string;
  };
}

const client = new BedrockClient({ retryMode: 'adaptive', maxAttempts: 5 });

/** CloudFormation limits a physical resource ID to 1 KB. */
export const MAX_PHYSICAL_ID_CHARS = 1024;
const ID_PREFIX = 'model-invocation-logging-';
/** Separates the base ID from the remembered setting (compressed JSON, base64url). */
const PREVIOUS_MARK = '/previous/';

const bool = (v: unknown) => v === true || v === 'true';
const FLAGS = ['textDataDeliveryEnabled', 'imageDataDeliveryEnabled', 'embeddingDataDeliveryEnabled', 'videoDataDeliveryEnabled', 'audioDataDeliveryEnabled'] as const;

/** Resource properties arrive as strings; Bedrock wants booleans. */
export function normaliseLoggingConfig(config: LoggingConfig): LoggingConfig {
  return { ...config, ...Object.fromEntries(FLAGS.map((f) => [f, bool(config[f])])) };
}

/** Whether a configuration read from Bedrock logs anywhere (a response may carry an empty one). */
function isConfigured(config: LoggingConfig | undefined): config is LoggingConfig {
  return config !== undefined && (config.s3Config?.bucketName !== undefined || config.cloudWatchConfig?.logGroupName !== undefined);
}

/** A comparable form: booleans normalised, empty values dropped, keys sorted. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined && v !== '')
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** Whether two configurations send the same data to the same places. */
export function sameLoggingConfig(a: LoggingConfig, b: LoggingConfig): boolean {
  return JSON.stringify(canonical(normaliseLoggingConfig(a))) === JSON.stringify(canonical(normaliseLoggingConfig(b)));
}

/** Where a configuration sends the logs, for messages. */
export function describeDestinations(config: LoggingConfig): string {
  const s3 = (c: { bucketName?: string; keyPrefix?: string }) => `s3://${c.bucketName}/${c.keyPrefix ?? ''}`;
  const parts: string[] = [];
  if (config.s3Config?.bucketName) parts.push(s3(config.s3Config));
  const cw = config.cloudWatchConfig;
  if (cw?.logGroupName) {
    parts.push(`CloudWatch Logs group ${cw.logGroupName} (delivery role ${cw.roleArn})`);
    if (cw.largeDataDeliveryS3Config?.bucketName) parts.push(`large data to ${s3(cw.largeDataDeliveryS3Config)}`);
  }
  return parts.join(', ');
}

/** The physical resource ID: the region, and the setting found at create when there was one to restore. */
export function physicalIdFor(region: string, previous?: LoggingConfig): string {
  const base = `${ID_PREFIX}${region}`;
  if (!previous) return base;
  const id = `${base}${PREVIOUS_MARK}${deflateRawSync(JSON.stringify(canonical(previous))).toString('base64url')}`;
  if (id.length > MAX_PHYSICAL_ID_CHARS) {
    throw new InvocationLoggingRefusal(
      `the setting in place is too large to remember for restoring later (${id.length} characters of physical resource ID, CloudFormation allows ${MAX_PHYSICAL_ID_CHARS}); nothing was changed. Remove or shorten that setting by hand, then deploy again. It sends logs to ${describeDestinations(previous)}`,
    );
  }
  return id;
}

/** The setting remembered in a physical resource ID, if any. */
export function previousFrom(physicalId: string | undefined): LoggingConfig | undefined {
  const at = physicalId?.indexOf(PREVIOUS_MARK) ?? -1;
  if (!physicalId || at < 0) return undefined;
  return JSON.parse(inflateRawSync(Buffer.from(physicalId.slice(at + PREVIOUS_MARK.length), 'base64url')).toString('utf8')) as LoggingConfig;
}

/** A refusal this handler decides on (not an AWS error); its message is the whole reason. */
export class InvocationLoggingRefusal extends Error {
  override readonly name = 'InvocationLoggingRefusal';
}

async function respond(event: CustomResourceEvent, status: 'SUCCESS' | 'FAILED', physicalId: string, reason?: string): Promise<void> {
  const body = JSON.stringify({
    Status: status,
    Reason: reason ?? 'See the function log group',
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const res = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!res.ok) throw new Error(`CloudFormation response was refused: HTTP ${res.status}`);
}

const log = (level: 'INFO' | 'ERROR', requestType: string, message: string) => (level === 'ERROR' ? console.error : console.log)(JSON.stringify({ level, requestType, message }));

async function current(bedrock: Pick<BedrockClient, 'send'>): Promise<LoggingConfig | undefined> {
  const { loggingConfig } = await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
  return isConfigured(loggingConfig) ? loggingConfig : undefined;
}

const put = (bedrock: Pick<BedrockClient, 'send'>, config: LoggingConfig) => bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: normaliseLoggingConfig(config) }));

/** Create: the physical ID to answer with, after putting the setting or refusing to. */
async function create(event: CustomResourceEvent, bedrock: Pick<BedrockClient, 'send'>, region: string): Promise<string> {
  const desired = event.ResourceProperties.LoggingConfig;
  const found = await current(bedrock);
  // Equal to ours: a blueprint stack set it before; nothing of anyone else's to remember.
  const previous = found && !sameLoggingConfig(found, desired) ? found : undefined;
  if (previous && !bool(event.ResourceProperties.TakeOver)) {
    throw new InvocationLoggingRefusal(
      `model invocation logging of this account and region is already set, to ${describeDestinations(previous)}, by something other than this stack; it was left alone. ` +
        'To replace it with this stack\'s destinations (and restore it when the stack is deleted), set aws.targets[].takeOverInvocationLogging: true; to leave it to its owner, set aws.targets[].ownsInvocationLogging: false',
    );
  }
  const physicalId = physicalIdFor(region, previous);
  await put(bedrock, desired);
  log('INFO', 'Create', previous ? `took over the setting; will restore ${describeDestinations(previous)} on delete` : 'put the setting; none was in place');
  return physicalId;
}

async function remove(event: CustomResourceEvent, bedrock: Pick<BedrockClient, 'send'>): Promise<void> {
  const found = await current(bedrock);
  if (!found || !sameLoggingConfig(found, event.ResourceProperties.LoggingConfig)) {
    log('INFO', 'Delete', found ? `left alone: the setting is no longer this stack's (${describeDestinations(found)})` : 'nothing to do: no setting in place');
    return;
  }
  const previous = previousFrom(event.PhysicalResourceId);
  if (!previous) {
    await bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    log('INFO', 'Delete', 'deleted the setting; none was in place before this stack');
    return;
  }
  try {
    await put(bedrock, previous);
  } catch (e) {
    // Never fall back to deleting: the account logged before this stack took over.
    const cause = e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';
    throw new InvocationLoggingRefusal(
      `could not restore the setting in place before this stack (${describeDestinations(previous)}): ${cause}. Logging still goes to this stack's destinations; make the old ones valid again, or delete the stack retaining this resource`,
    );
  }
  log('INFO', 'Delete', `restored the setting in place before this stack: ${describeDestinations(previous)}`);
}

/**
 * Does the work, then answers CloudFormation once. It never throws: CloudFormation invokes the
 * function asynchronously, so a throw would make Lambda retry the whole request, and a repeated
 * takeover Create would find its own setting in place and forget the one it must restore. A reply
 * that cannot be delivered is logged; CloudFormation then times the resource out.
 */
export async function handler(event: CustomResourceEvent, bedrock: Pick<BedrockClient, 'send'> = client): Promise<void> {
  const region = process.env.AWS_REGION ?? 'region';
  let physicalId = event.PhysicalResourceId ?? physicalIdFor(region);
  let failure: string | undefined;
  try {
    if (event.RequestType === 'Create') physicalId = await create(event, bedrock, region);
    else if (event.RequestType === 'Update') await put(bedrock, event.ResourceProperties.LoggingConfig);
    else await remove(event, bedrock);
  } catch (e) {
    failure = e instanceof InvocationLoggingRefusal ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';
    log('ERROR', event.RequestType, failure);
  }
  try {
    await respond(event, failure === undefined ? 'SUCCESS' : 'FAILED', physicalId, failure?.slice(0, 2000));
  } catch (e) {
    log('ERROR', event.RequestType, `could not answer CloudFormation (${e instanceof Error ? e.message : 'unknown error'}); not retried, as that would repeat the work`);
  }
}
