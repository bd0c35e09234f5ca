import * as security from '@pulumi/azure-native/security';
import * as pulumi from '@pulumi/pulumi';
import { GUID_PATTERN } from './naming';

/** Defender for Cloud plan (pricing name) of threat protection for AI services. */
export const DEFENDER_AI_PLAN = 'AI';

/** Extension of the AI plan that puts prompt and response segments into alerts as evidence. */
export const AI_PROMPT_EVIDENCE_EXTENSION = 'AIPromptEvidence';

/** The subscription whose AI services Defender for Cloud watches. */
export interface DefenderForAiArgs {
  /** The subscription the plan covers: every Azure OpenAI / AI Services account in it. */
  readonly subscriptionId: string;
  /**
   * Include user prompt evidence in alerts: the segments of a prompt or model response that
   * Defender judged suspicious (a jailbreak attempt, leaked credentials, sensitive data), shown
   * with the alert in the Azure portal, the Defender portal and every partner integration that
   * receives alerts. It makes alerts much faster to triage, but copies user conversations out of
   * the model service into the security tooling, to everyone who reads alerts, for as long as
   * alerts are kept; Microsoft redacts secrets but the conversations may still be sensitive. Turn
   * it on only when the organisation's privacy assessment allows security staff to read prompts.
   * @default false
   */
  readonly promptEvidence?: boolean;
}

/**
 * Microsoft Defender for Cloud threat protection for AI services on a subscription (the `AI`
 * plan at the Standard tier): alerts for jailbreak and prompt-injection attempts, credential
 * theft, sensitive data leakage and suspicious use of the model accounts, from Azure AI Content
 * Safety Prompt Shields and Microsoft threat intelligence. Billed per subscription; prompt
 * evidence off unless asked for.
 *
 * A plan is one setting per subscription: exactly one stack per subscription should own it, or
 * stacks overwrite each other's choice of prompt evidence.
 */
export class DefenderForAi extends pulumi.ComponentResource {
  public readonly pricingId: pulumi.Output<string>;
  /** Whether alerts carry prompt and response segments. */
  public readonly promptEvidence: boolean;

  constructor(name: string, args: DefenderForAiArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:DefenderForAi', name, {}, opts);
    if (!GUID_PATTERN.test(args.subscriptionId)) {
      throw new Error(`${name}: subscriptionId "${args.subscriptionId}" is not a subscription ID; pass the GUID of the subscription that holds the model accounts`);
    }
    const promptEvidence = args.promptEvidence ?? false;

    const plan = new security.Pricing(
      `${name}-plan`,
      {
        // The API addresses the plan as /{scopeId}/providers/Microsoft.Security/pricings/AI: no leading slash.
        scopeId: `subscriptions/${args.subscriptionId}`,
        pricingName: DEFENDER_AI_PLAN,
        pricingTier: 'Standard',
        // Stated either way, so a change made in the portal shows up as drift.
        extensions: [{ name: AI_PROMPT_EVIDENCE_EXTENSION, isEnabled: promptEvidence ? 'True' : 'False' }],
      },
      { parent: this },
    );

    this.pricingId = plan.id;
    this.promptEvidence = promptEvidence;
    this.registerOutputs({ pricingId: this.pricingId, promptEvidence: this.promptEvidence });
  }
}
