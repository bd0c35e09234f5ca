import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { NagMessageLevel, NagPack, type NagPackProps, type NagRuleResult } from 'cdk-nag';
import {
  BedrockEndpointPolicyRestricted,
  BedrockGuardrailHardened,
  BedrockInvocationLogging,
  BedrockInvokeScoped,
  BedrockInvokerInVpc,
  BedrockModelApiPrivate,
  bedrockRegionPinningRule,
  type PinningPolicy,
} from './bedrock-rules';

export interface BedrockChecksProps extends NagPackProps {
  /** The organisation's data-residency policy, for the geography rule. */
  readonly pinning: PinningPolicy;
}

export interface RuleSpec {
  readonly rule: (node: CfnResource) => NagRuleResult;
  readonly info: string;
  readonly explanation: string;
}

/** Every rule of the pack, with its message, for the organisation's data-residency policy. */
export function bedrockRules(pinning: PinningPolicy): RuleSpec[] {
  return [
    {
      rule: BedrockEndpointPolicyRestricted,
      info: 'The Bedrock interface endpoint policy admits any principal, any action, or model invocation on any resource.',
      explanation: 'An endpoint policy is the network-level allowlist: it should admit only principals of the account or organisation, only the needed Bedrock actions, and only named models.',
    },
    {
      rule: BedrockInvokeScoped,
      info: 'An IAM policy allows bedrock:InvokeModel* on * (or wildcard models), or a human-facing permission set does not require the VPC endpoint.',
      explanation: 'Model access must name the allowlisted model and inference-profile ARNs; people must reach models only through the private endpoint (aws:SourceVpce).',
    },
    {
      rule: BedrockGuardrailHardened,
      info: 'The guardrail lacks an input prompt-attack filter, PII handling, or a customer-managed key.',
      explanation: 'Prompt injection and data loss are filtered by the guardrail; its configuration is sensitive and is encrypted with a customer-managed key.',
    },
    {
      rule: BedrockInvokerInVpc,
      info: 'A Lambda function that may invoke Bedrock does not run in a VPC.',
      explanation: 'Functions outside a VPC reach Bedrock over its public endpoint; inside the isolated VPC they use the private interface endpoint.',
    },
    {
      rule: BedrockInvocationLogging,
      info: 'Model invocation logging is missing, configured more than once for an account and region, or not delivered to KMS-encrypted destinations.',
      explanation: 'Prompts and responses must be logged for audit, exactly once per account-region (it is one setting), to encrypted storage.',
    },
    {
      rule: bedrockRegionPinningRule(pinning),
      info: 'A policy names a model or inference profile outside the allowed regions or its geography, or a global profile under strict residency.',
      explanation: 'Data residency: cross-region inference may only route within allowed regions; global profiles can route anywhere.',
    },
    {
      rule: BedrockModelApiPrivate,
      info: 'A REST API in front of a Bedrock-invoking function is not PRIVATE or its resource policy does not pin the execute-api VPC endpoint.',
      explanation: 'The model-access API must be reachable only from inside the network, through the execute-api endpoint.',
    },
  ];
}

/**
 * Bedrock checks for private, audited model access: a flat list giving each rule its message.
 * Every rule is an error: a finding fails synthesis like the other packs.
 */
export class BedrockChecks extends NagPack {
  readonly name = 'Bedrock';
  private readonly rules: RuleSpec[];

  constructor(scope: IConstruct | undefined, props: BedrockChecksProps) {
    super(scope, props);
    this.packName = 'Bedrock';
    this.rules = bedrockRules(props.pinning);
  }

  protected checkResource(node: CfnResource): void {
    for (const spec of this.rules) {
      this.applyRule({
        ruleSuffixOverride: spec.rule.name.replace(/^Bedrock/, ''),
        info: spec.info,
        explanation: spec.explanation,
        level: NagMessageLevel.ERROR,
        rule: spec.rule,
        node,
      });
    }
  }
}
