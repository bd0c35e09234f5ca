import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { BedrockClient, DeleteModelInvocationLoggingConfigurationCommand, PutModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { mockClient } from 'aws-sdk-client-mock';
import { handler, normaliseLoggingConfig, type CustomResourceEvent } from '../../lambda/invocation-logging';

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
beforeEach(() => (replies.length = 0));

const bedrock = mockClient(BedrockClient);
afterEach(() => bedrock.reset());

function event(type: CustomResourceEvent['RequestType'], physicalId?: string): CustomResourceEvent {
  return {
    RequestType: type,
    ResponseURL: url,
    StackId: 'stack',
    RequestId: 'req-1',
    LogicalResourceId: 'InvocationLogging',
    PhysicalResourceId: physicalId,
    ResourceProperties: {
      LoggingConfig: {
        s3Config: { bucketName: 'audit', keyPrefix: 'model-invocations' },
        textDataDeliveryEnabled: 'true' as unknown as boolean,
        imageDataDeliveryEnabled: 'false' as unknown as boolean,
      },
    },
  };
}

const client = () => new BedrockClient({ region: 'eu-central-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe('the invocation-logging custom resource', () => {
  test('create puts the configuration, with CloudFormation strings turned back into booleans, and reports success', async () => {
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).resolves({});
    await handler(event('Create'), client());
    const [call] = bedrock.commandCalls(PutModelInvocationLoggingConfigurationCommand);
    expect(call.args[0].input.loggingConfig).toMatchObject({ s3Config: { bucketName: 'audit' }, textDataDeliveryEnabled: true, imageDataDeliveryEnabled: false });
    expect(replies).toEqual([expect.objectContaining({ method: 'PUT', Status: 'SUCCESS', RequestId: 'req-1', LogicalResourceId: 'InvocationLogging' })]);
  });

  test('delete removes the setting and keeps the physical ID', async () => {
    bedrock.on(DeleteModelInvocationLoggingConfigurationCommand).resolves({});
    await handler(event('Delete', 'model-invocation-logging-eu-central-1'), client());
    expect(bedrock.commandCalls(DeleteModelInvocationLoggingConfigurationCommand)).toHaveLength(1);
    expect(bedrock.commandCalls(PutModelInvocationLoggingConfigurationCommand)).toHaveLength(0);
    expect(replies[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'model-invocation-logging-eu-central-1' });
  });

  test('a refused call is reported as FAILED with the reason, so the stack rolls back instead of hanging', async () => {
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).rejects(Object.assign(new Error('bucket policy does not allow bedrock'), { name: 'ValidationException' }));
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await handler(event('Update', 'model-invocation-logging-eu-central-1'), client());
    expect(replies[0]).toMatchObject({ Status: 'FAILED', Reason: 'ValidationException: bucket policy does not allow bedrock' });
  });

  test('normaliseLoggingConfig accepts real booleans too', () => {
    expect(normaliseLoggingConfig({ textDataDeliveryEnabled: true, embeddingDataDeliveryEnabled: false })).toMatchObject({ textDataDeliveryEnabled: true, embeddingDataDeliveryEnabled: false });
  });
});
