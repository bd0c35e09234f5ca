import { DefenderForAi, type DefenderForAiArgs } from '../../lib/azure/defender';
import { plan } from './support';

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';

function build(overrides: Partial<DefenderForAiArgs> = {}) {
  return plan(() => {
    const defender = new DefenderForAi('defender', { subscriptionId: SUBSCRIPTION, ...overrides });
    return { pricingId: defender.pricingId, promptEvidence: defender.promptEvidence };
  });
}

describe('DefenderForAi', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('the AI plan at the Standard tier on the subscription', () => {
    expect(result.get('defender').type).toBe('privateai:azure:DefenderForAi');
    expect(result.get('defender-plan')).toMatchObject({
      type: 'azure-native:security:Pricing',
      parent: 'defender',
      inputs: { scopeId: `subscriptions/${SUBSCRIPTION}`, pricingName: 'AI', pricingTier: 'Standard' },
    });
    expect(result.get('defender-plan').inputs).not.toHaveProperty('subPlan');
    expect(result.outputs).toEqual({ pricingId: 'defender-plan-id', promptEvidence: false });
  });

  test('prompt evidence is stated off by default', () => {
    expect(result.get('defender-plan').inputs.extensions).toEqual([{ name: 'AIPromptEvidence', isEnabled: 'False' }]);
  });

  test('prompt evidence on when asked for', async () => {
    const withEvidence = await build({ promptEvidence: true });
    expect(withEvidence.get('defender-plan').inputs.extensions).toEqual([{ name: 'AIPromptEvidence', isEnabled: 'True' }]);
    expect(withEvidence.outputs.promptEvidence).toBe(true);
  });

  test('a subscription that is not a GUID is refused', async () => {
    await expect(build({ subscriptionId: '/subscriptions/x' })).rejects.toThrow(
      'defender: subscriptionId "/subscriptions/x" is not a subscription ID; pass the GUID of the subscription that holds the model accounts',
    );
  });
});
