import * as eventgrid from '@pulumi/azure-native/eventgrid';
import * as pulumi from '@pulumi/pulumi';
import { isoDurationDays, NOTIFY_BEFORE_EXPIRY } from './keys';

/** Severities Azure Monitor gives an alert (Sev0 is the most severe). */
export type AlertSeverity = 'Sev0' | 'Sev1' | 'Sev2' | 'Sev3' | 'Sev4';

/**
 * The Key Vault events someone must act on, as Azure Monitor alerts. Key Vault raises the expiry
 * events for a key's current version only. A rotation (`rotateAfter`) makes a new version; Azure
 * Storage follows it by itself, but the model account stays pinned to the old version until the
 * next `pulumi up`, and the old version expires `expiresAfter` after it was made: the new-version
 * alert comes at least 30 days before that (`checkRotation`). The expiry events mean the rotation
 * itself did not happen.
 */
export const KEY_ROTATION_EVENTS: ReadonlyArray<{ key: string; eventType: string; severity: AlertSeverity; description: string }> = [
  {
    key: 'new-version',
    eventType: 'Microsoft.KeyVault.KeyNewVersionCreated',
    severity: 'Sev2',
    description:
      'The customer-managed key has a new version. Run pulumi up for the Azure stack (it refreshes first) so the model account moves to it before the previous version expires.',
  },
  {
    key: 'near-expiry',
    eventType: 'Microsoft.KeyVault.KeyNearExpiry',
    severity: 'Sev1',
    description:
      `The current version of the customer-managed key expires within ${isoDurationDays(NOTIFY_BEFORE_EXPIRY)} days and has not been rotated: check the key rotation policy, rotate the key, then run pulumi up for the Azure stack.`,
  },
  {
    key: 'expired',
    eventType: 'Microsoft.KeyVault.KeyExpired',
    severity: 'Sev0',
    description:
      'The current version of the customer-managed key has expired without being rotated: rotate the key now, then run pulumi up for the Azure stack so the model account uses the new version.',
  },
];

/** Alerts on the lifecycle of the customer-managed key. */
export interface KeyRotationAlertsArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  /** Location of the vault; a system topic lives where its source does. */
  readonly location: string;
  /** The Key Vault whose key events raise the alerts. */
  readonly vaultId: pulumi.Input<string>;
  /**
   * Action groups notified for every alert.
   * @default - none: the alerts show in Azure Monitor but notify nobody
   */
  readonly actionGroupIds?: pulumi.Input<string>[];
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * An Event Grid system topic on the vault and one subscription per key event in
 * `KEY_ROTATION_EVENTS`, delivered as Azure Monitor alerts (Event Grid's `MonitorAlert`
 * destination, which takes Key Vault events in the CloudEvents schema) to the action groups.
 */
export class KeyRotationAlerts extends pulumi.ComponentResource {
  public readonly systemTopicName: pulumi.Output<string>;
  /** The event types that raise an alert. */
  public readonly eventTypes: string[];

  constructor(name: string, args: KeyRotationAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:KeyRotationAlerts', name, {}, opts);
    const topic = new eventgrid.SystemTopic(
      `${name}-topic`,
      { resourceGroupName: args.resourceGroupName, location: args.location, source: args.vaultId, topicType: 'Microsoft.KeyVault.vaults', tags: args.tags },
      { parent: this },
    );
    for (const event of KEY_ROTATION_EVENTS) {
      new eventgrid.SystemTopicEventSubscription(
        `${name}-${event.key}`,
        {
          resourceGroupName: args.resourceGroupName,
          systemTopicName: topic.name,
          eventSubscriptionName: `privateai-key-${event.key}`,
          // The only schema the Azure Monitor alert destination accepts.
          eventDeliverySchema: 'CloudEventSchemaV1_0',
          filter: { includedEventTypes: [event.eventType] },
          destination: { endpointType: 'MonitorAlert', severity: event.severity, description: event.description, actionGroups: args.actionGroupIds ?? [] },
        },
        { parent: this },
      );
    }
    this.systemTopicName = topic.name;
    this.eventTypes = KEY_ROTATION_EVENTS.map((e) => e.eventType);
    this.registerOutputs({ systemTopicName: this.systemTopicName, eventTypes: this.eventTypes });
  }
}
