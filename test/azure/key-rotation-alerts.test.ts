import { KEY_ROTATION_EVENTS, KeyRotationAlerts } from '../../lib/azure/key-rotation-alerts';
import { SecurityContacts } from '../../lib/azure/security-contacts';
import { exampleTags, plan } from './support';

function build(emails: string[] = ['soc@example.com', 'ciso@example.com']) {
  return plan(() => {
    const contacts = new SecurityContacts('contacts', { resourceGroupName: 'rg', emails, tags: exampleTags });
    const alerts = new KeyRotationAlerts('key-alerts', { resourceGroupName: 'rg', location: 'swedencentral', vaultId: 'vault-id', actionGroupIds: [contacts.actionGroupId], tags: exampleTags });
    return { events: alerts.eventTypes, topic: alerts.systemTopicName };
  });
}

describe('SecurityContacts and KeyRotationAlerts', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('an action group e-mails every security contact in the common alert schema', () => {
    expect(result.get('contacts-action-group').inputs).toMatchObject({
      location: 'global',
      enabled: true,
      groupShortName: 'privateai',
      emailReceivers: [
        { name: 'security-contact-1', emailAddress: 'soc@example.com', useCommonAlertSchema: true },
        { name: 'security-contact-2', emailAddress: 'ciso@example.com', useCommonAlertSchema: true },
      ],
    });
    expect(String(result.get('contacts-action-group').inputs.groupShortName).length).toBeLessThanOrEqual(12);
  });

  test("a system topic on the vault, in the vault's location", () => {
    expect(result.get('key-alerts-topic')).toMatchObject({
      type: 'azure-native:eventgrid:SystemTopic',
      inputs: { source: 'vault-id', topicType: 'Microsoft.KeyVault.vaults', location: 'swedencentral', tags: exampleTags },
    });
  });

  test('each key event becomes an Azure Monitor alert to the action group, in the CloudEvents schema that destination takes', () => {
    const subscriptions = result.ofType('azure-native:eventgrid:SystemTopicEventSubscription');
    expect(subscriptions.map((s) => (s.inputs.filter as { includedEventTypes: string[] }).includedEventTypes)).toEqual([
      ['Microsoft.KeyVault.KeyNewVersionCreated'],
      ['Microsoft.KeyVault.KeyNearExpiry'],
      ['Microsoft.KeyVault.KeyExpired'],
    ]);
    for (const s of subscriptions) {
      expect(s.inputs).toMatchObject({ systemTopicName: 'key-alerts-topic', eventDeliverySchema: 'CloudEventSchemaV1_0', destination: { endpointType: 'MonitorAlert', actionGroups: ['contacts-action-group-id'] } });
      expect(s.dependsOn).toContain('contacts-action-group');
    }
    expect(result.outputs.events).toEqual(KEY_ROTATION_EVENTS.map((e) => e.eventType));
  });

  test('the new-version alert tells the operator what to do; the expiry ones are more severe', () => {
    const bySeverity = Object.fromEntries(KEY_ROTATION_EVENTS.map((e) => [e.key, e.severity]));
    expect(bySeverity).toEqual({ 'new-version': 'Sev2', 'near-expiry': 'Sev1', expired: 'Sev0' });
    expect(KEY_ROTATION_EVENTS[0].description).toContain('Run pulumi up');
  });

  test('no contacts is refused: an alert must reach someone', async () => {
    await expect(build([])).rejects.toThrow('contacts: emails is empty; list at least one address in securityContacts.emails');
  });
});
