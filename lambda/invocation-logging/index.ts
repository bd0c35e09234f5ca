/**
 * CloudFormation custom resource: owns the account-region's Bedrock model invocation logging
 * setting. Create/Update put the configuration given in the resource properties; Delete removes
 * it. It answers CloudFormation itself (no provider framework), through the S3 gateway endpoint.
 */
import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
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
  readonly ResourceProperties: { readonly LoggingConfig: LoggingConfig; readonly ServiceToken?: string };
}

const client = new BedrockClient({ retryMode: 'adaptive', maxAttempts: 5 });

/** Resource properties arrive as strings; Bedrock wants booleans. */
export function normaliseLoggingConfig(config: LoggingConfig): LoggingConfig {
  const bool = (v: unknown) => v === true || v === 'true';
  return {
    ...config,
    textDataDeliveryEnabled: bool(config.textDataDeliveryEnabled),
    imageDataDeliveryEnabled: bool(config.imageDataDeliveryEnabled),
    embeddingDataDeliveryEnabled: bool(config.embeddingDataDeliveryEnabled),
    videoDataDeliveryEnabled: bool(config.videoDataDeliveryEnabled),
    audioDataDeliveryEnabled: bool(config.audioDataDeliveryEnabled),
  };
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

export async function handler(event: CustomResourceEvent, bedrock: Pick<BedrockClient, 'send'> = client): Promise<void> {
  const physicalId = event.PhysicalResourceId ?? `model-invocation-logging-${process.env.AWS_REGION ?? 'region'}`;
  try {
    if (event.RequestType === 'Delete') {
      await bedrock.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
    } else {
      await bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: normaliseLoggingConfig(event.ResourceProperties.LoggingConfig) }));
    }
    await respond(event, 'SUCCESS', physicalId);
  } catch (e) {
    const message = e instanceof Error ? `${e.name}: ${e.message}` : 'unknown error';
    console.error(JSON.stringify({ level: 'ERROR', requestType: event.RequestType, message }));
    await respond(event, 'FAILED', physicalId, message.slice(0, 500));
  }
}
