import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
  type LoggingConfig,
} from '@aws-sdk/client-bedrock';
import { mockClient } from 'aws-sdk-client-mock';
import {
  describeDestinations,
  handler,
  MAX_PHYSICAL_ID_CHARS,
  normaliseLoggingConfig,
  physicalIdFor,
  previousFrom,
  sameLoggingConfig,
  type CustomResourceEvent,
} from '../../lambda/invocation-logging';

// CloudFormation's response URL, played by a server on loopback that records each PUT.
let server: http.Server;
let url: string;
const replies: Array<Record<string, string>> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      replies.push({ method: req.method ?? '', ...JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  replies.length = 0;
  process.env.AWS_REGION = 'eu-central-1';
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

const bedrock = mockClient(BedrockClient);
afterEach(() => {
  bedrock.reset();
  jest.restoreAllMocks();
});

const BASE_ID = 'model-invocation-logging-eu-central-1';

/** This stack's configuration, as CloudFormation sends it: booleans as strings. */
const OURS = {
  cloudWatchConfig: { logGroupName: '/example-corp/prod/model-invocations', roleArn: 'arn:aws:iam::111111111111:role/privateai/Delivery' },
  s3Config: { bucketName: 'example-corp-prod-prompts-111111111111', keyPrefix: 'model-invocations' },
  textDataDeliveryEnabled: 'true' as unknown as boolean,
  imageDataDeliveryEnabled: 'false' as unknown as boolean,
} satisfies LoggingConfig;

/** Another team's setting, as Bedrock returns it. */
const THEIRS: LoggingConfig = {
  s3Config: { bucketName: 'security-team-bedrock-logs', keyPrefix: 'all' },
  textDataDeliveryEnabled: true,
  imageDataDeliveryEnabled: true,
  embeddingDataDeliveryEnabled: false,
};

function event(type: CustomResourceEvent['RequestType'], options: { physicalId?: string; takeOver?: string; config?: LoggingConfig } = {}): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: url,
    StackId: 'stack',
    RequestId: 'req-1',
    LogicalResourceId: 'InvocationLogging',
    PhysicalResourceId: options.physicalId,
    ResourceProperties: { LoggingConfig: options.config ?? OURS, ...(options.takeOver !== undefined ? { TakeOver: options.takeOver } : {}) },
  };
}

const client = () => new BedrockClient({ region: 'eu-central-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const inPlace = (config: LoggingConfig | undefined) => bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({ loggingConfig: config });
const puts = () => bedrock.commandCalls(PutModelInvocationLoggingConfigurationCommand).map((c) => c.args[0].input.loggingConfig);
const deletes = () => bedrock.commandCalls(DeleteModelInvocationLoggingConfigurationCommand).length;

describe('create', () => {
  test('with no setting in place: puts ours, with CloudFormation strings turned back into booleans, and remembers nothing', async () => {
    inPlace(undefined);
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    await handler(event('Create'), client());
    expect(puts()).toEqual([expect.objectContaining({ s3Config: OURS.s3Config, textDataDeliveryEnabled: true, imageDataDeliveryEnabled: false, audioDataDeliveryEnabled: false })]);
    expect(replies).toEqual([expect.objectContaining({ method: 'PUT', Status: 'SUCCESS', PhysicalResourceId: BASE_ID, RequestId: 'req-1', LogicalResourceId: 'InvocationLogging' })]);
  });

  test('an empty configuration read back counts as none', async () => {
    inPlace({});
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    await handler(event('Create'), client());
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: BASE_ID });
  });

  test('with the same setting in place (a blueprint stack made it): puts it again and remembers nothing', async () => {
    inPlace(normaliseLoggingConfig(OURS));
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    await handler(event('Create'), client());
    expect(puts()).toHaveLength(1);
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: BASE_ID });
  });

  test('with a different setting in place and no takeover: changes nothing and fails, naming the destinations in place and the config field', async () => {
    inPlace(THEIRS);
    await handler(event('Create', { takeOver: 'false' }), client());
    expect(puts()).toEqual([]);
    expect(replies[0].Status).toBe('FAILED');
    expect(replies[0].Reason).toMatch(/^model invocation logging of this account and region is already set, to s3:\/\/security-team-bedrock-logs\/all, by something other than this stack; it was left alone\./);
    expect(replies[0].Reason).toMatch(/set aws\.targets\[\]\.takeOverInvocationLogging: true/);
    // The rollback's Delete then finds the setting is not ours and leaves it alone (see delete).
    expect(replies[0].PhysicalResourceId).toBe(BASE_ID);
  });

  test('with a different setting in place and takeover: puts ours and remembers theirs in the physical ID', async () => {
    inPlace(THEIRS);
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    await handler(event('Create', { takeOver: 'true' }), client());
    expect(puts()).toEqual([expect.objectContaining({ s3Config: OURS.s3Config })]);
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS' });
    expect(replies[0].PhysicalResourceId.startsWith(`${BASE_ID}/previous/`)).toBe(true);
    expect(replies[0].PhysicalResourceId.length).toBeLessThanOrEqual(MAX_PHYSICAL_ID_CHARS);
    expect(sameLoggingConfig(previousFrom(replies[0].PhysicalResourceId)!, THEIRS)).toBe(true);
  });

  test('a setting in place too large to remember is refused, even with takeover, before anything changes', async () => {
    inPlace({ s3Config: { bucketName: 'b', keyPrefix: Array.from({ length: 400 }, (_, i) => `p${i * 7919}`).join('/') } });
    await handler(event('Create', { takeOver: 'true' }), client());
    expect(puts()).toEqual([]);
    expect(replies[0]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: BASE_ID });
    expect(replies[0].Reason).toMatch(/too large to remember for restoring later \(\d+ characters of physical resource ID, CloudFormation allows 1024\); nothing was changed/);
  });
});

describe('update', () => {
  test('puts the new configuration without reading first, and keeps the physical ID (and what it remembers)', async () => {
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const remembered = physicalIdFor('eu-central-1', THEIRS);
    const changed = { ...OURS, s3Config: { ...OURS.s3Config, keyPrefix: 'prompts' } };
    await handler(event('Update', { physicalId: remembered, config: changed }), client());
    expect(puts()).toEqual([expect.objectContaining({ s3Config: changed.s3Config })]);
    expect(bedrock.commandCalls(GetModelInvocationLoggingConfigurationCommand)).toHaveLength(0);
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: remembered });
  });

  test('a refused call is reported as FAILED with the reason, so the stack rolls back instead of hanging', async () => {
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).rejects(Object.assign(new Error('bucket policy does not allow bedrock'), { name: 'ValidationException' }));
    await handler(event('Update', { physicalId: BASE_ID }), client());
    expect(replies[0]).toMatchObject({ Status: 'FAILED', Reason: 'ValidationException: bucket policy does not allow bedrock', PhysicalResourceId: BASE_ID });
  });
});

describe('delete', () => {
  test('with nothing remembered: deletes our setting', async () => {
    inPlace(normaliseLoggingConfig(OURS));
    bedrock.on(DeleteModelInvocationLoggingConfigurationCommand).resolves({});
    await handler(event('Delete', { physicalId: BASE_ID }), client());
    expect(deletes()).toBe(1);
    expect(puts()).toEqual([]);
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: BASE_ID });
  });

  test('with a setting remembered: restores it and never deletes', async () => {
    inPlace(normaliseLoggingConfig(OURS));
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const remembered = physicalIdFor('eu-central-1', THEIRS);
    await handler(event('Delete', { physicalId: remembered }), client());
    expect(deletes()).toBe(0);
    expect(puts()).toHaveLength(1);
    expect(sameLoggingConfig(puts()[0]!, THEIRS)).toBe(true);
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: remembered });
  });

  test('a remembered setting that can no longer be restored fails the delete rather than switching logging off', async () => {
    inPlace(normaliseLoggingConfig(OURS));
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).rejects(Object.assign(new Error('bucket does not exist'), { name: 'ValidationException' }));
    await handler(event('Delete', { physicalId: physicalIdFor('eu-central-1', THEIRS) }), client());
    expect(deletes()).toBe(0);
    expect(replies[0].Status).toBe('FAILED');
    expect(replies[0].Reason).toMatch(/^could not restore the setting in place before this stack \(s3:\/\/security-team-bedrock-logs\/all\): ValidationException: bucket does not exist\./);
  });

  test('a setting that is no longer ours (a failed create, or a later owner) is left alone', async () => {
    inPlace(THEIRS);
    await handler(event('Delete', { physicalId: BASE_ID }), client());
    expect(deletes()).toBe(0);
    expect(puts()).toEqual([]);
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: BASE_ID });
  });

  test('with no setting in place there is nothing to do', async () => {
    inPlace(undefined);
    await handler(event('Delete', { physicalId: physicalIdFor('eu-central-1', THEIRS) }), client());
    expect(deletes()).toBe(0);
    expect(puts()).toEqual([]);
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS' });
  });
});

describe('answering CloudFormation', () => {
  test('a reply that cannot be delivered is logged, never thrown: a throw would make Lambda retry, and a repeated takeover would forget what it must restore', async () => {
    inPlace(THEIRS);
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    const unreachable = { ...event('Create', { takeOver: 'true' }), ResponseURL: 'http://127.0.0.1:9/response' };
    await expect(handler(unreachable, client())).resolves.toBeUndefined();
    expect(puts()).toHaveLength(1);
    expect(console.error).toHaveBeenCalledWith(expect.stringContaining('could not answer CloudFormation'));
  });

  test('a failure of the work is answered as FAILED once, with its reason', async () => {
    inPlace(THEIRS);
    await handler(event('Create'), client());
    expect(replies).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringContaining('already set') })]);
  });

  test('a physical ID CloudFormation stored from an earlier deployment still decodes to the setting to restore', () => {
    // Written out once from a takeover of THEIRS: the format CloudFormation keeps must not drift.
    const stored =
      'model-invocation-logging-eu-central-1/previous/dc0xDsMgEATAv2yNq3S0cdooXzjMgpDBSHBEtiz_3R9I-pHmBIuj92mLs6jMzOnLdrw2cZkeNkjuNEhFIn8CbYMG_fGsW0gR9oQby0p9SyEsOpfRkh6TUsrk6Ftd1inX2GGw8vg0hrTDQnLGZaDc9e9z3Q';
    expect(previousFrom(stored)).toEqual(THEIRS);
  });
});

describe('pure helpers', () => {
  test('normaliseLoggingConfig accepts real booleans too', () => {
    expect(normaliseLoggingConfig({ textDataDeliveryEnabled: true, embeddingDataDeliveryEnabled: false })).toMatchObject({ textDataDeliveryEnabled: true, embeddingDataDeliveryEnabled: false });
  });

  test('sameLoggingConfig ignores string booleans, missing flags, empty values and key order; not destinations', () => {
    expect(sameLoggingConfig(OURS, { imageDataDeliveryEnabled: false, s3Config: { keyPrefix: 'model-invocations', bucketName: OURS.s3Config.bucketName }, cloudWatchConfig: OURS.cloudWatchConfig, textDataDeliveryEnabled: true, videoDataDeliveryEnabled: false })).toBe(true);
    expect(sameLoggingConfig(OURS, { ...OURS, s3Config: { ...OURS.s3Config, keyPrefix: 'other' } })).toBe(false);
    expect(sameLoggingConfig(OURS, { ...OURS, imageDataDeliveryEnabled: true })).toBe(false);
  });

  test('describeDestinations names every destination', () => {
    expect(describeDestinations({ ...OURS, cloudWatchConfig: { ...OURS.cloudWatchConfig, largeDataDeliveryS3Config: { bucketName: 'big', keyPrefix: 'x' } } })).toBe(
      's3://example-corp-prod-prompts-111111111111/model-invocations, CloudWatch Logs group /example-corp/prod/model-invocations (delivery role arn:aws:iam::111111111111:role/privateai/Delivery), large data to s3://big/x',
    );
  });

  test('a remembered setting survives the round trip through the physical ID; a plain ID remembers none', () => {
    expect(previousFrom(physicalIdFor('eu-central-1', THEIRS))).toEqual(THEIRS);
    expect(previousFrom(BASE_ID)).toBeUndefined();
    expect(previousFrom(undefined)).toBeUndefined();
  });
});
