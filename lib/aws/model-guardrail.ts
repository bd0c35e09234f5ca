import { createHash } from 'crypto';
import { Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Content-filter strengths Bedrock accepts. */
export type FilterStrength = 'LOW' | 'MEDIUM' | 'HIGH';

/** Regular expressions for secrets that must never reach a model. */
export const SECRET_PATTERNS: ReadonlyArray<{ readonly name: string; readonly pattern: string; readonly description: string }> = [
  { name: 'aws-access-key-id', pattern: '\\b(AKIA|ASIA)[0-9A-Z]{16}\\b', description: 'AWS access key ID' },
  { name: 'aws-secret-access-key', pattern: '(?i)aws_?secret_?access_?key\\s*[:=]\\s*[A-Za-z0-9/+=]{40}', description: 'AWS secret access key in an assignment' },
  { name: 'private-key', pattern: '-----BEGIN ([A-Z]+ )?PRIVATE KEY-----', description: 'PEM private key' },
  { name: 'github-token', pattern: '\\bgh[pousr]_[A-Za-z0-9]{36,}\\b', description: 'GitHub token' },
  { name: 'slack-token', pattern: '\\bxox[abprs]-[A-Za-z0-9-]{10,}\\b', description: 'Slack token' },
];

/** The content and data-loss filters every model call goes through. */
export interface ModelGuardrailProps {
  /** Guardrail name, unique in the account and region. */
  readonly name: string;
  /** Encrypts the guardrail's configuration. */
  readonly key: kms.IKey;
  /** Personal data is anonymized in responses or the request is blocked. */
  readonly piiAction: 'ANONYMIZE' | 'BLOCK';
  /** Bedrock PII entity types to detect. */
  readonly piiEntities: readonly string[];
  /** Strength of the hate, insults, sexual, violence and misconduct filters. */
  readonly contentFilterStrength: FilterStrength;
  /** Strength of the prompt-attack filter on input. */
  readonly promptAttackStrength: FilterStrength;
  readonly blockedInputMessage: string;
  readonly blockedOutputMessage: string;
  /**
   * Apply the guardrail to every model call in the account (AWS::Bedrock::EnforcedGuardrailConfiguration).
   * @default false
   */
  readonly enforceAccountWide?: boolean;
}

/**
 * An AWS::Bedrock::Guardrail encrypted with the CMK: a prompt-attack filter on input, content
 * filters, PII anonymization or blocking, regexes for secrets, and the organisation's blocked
 * messages; a published version that callers pin; optionally enforced account-wide.
 */
export class ModelGuardrail extends Construct {
  public readonly guardrail: bedrock.CfnGuardrail;
  public readonly version: bedrock.CfnGuardrailVersion;
  public readonly guardrailId: string;
  public readonly guardrailArn: string;
  /** The published version number callers pin. */
  public readonly guardrailVersion: string;

  constructor(scope: Construct, id: string, props: ModelGuardrailProps) {
    super(scope, id);
    if (props.piiEntities.length === 0) {
      throw new Error('ModelGuardrail: piiEntities is empty; list at least one PII entity type (config: aws.guardrail.piiEntities)');
    }
    const strength = props.contentFilterStrength;
    const contentFilters = ['HATE', 'INSULTS', 'SEXUAL', 'VIOLENCE', 'MISCONDUCT'].map((type) => ({ type, inputStrength: strength, outputStrength: strength }));

    const configuration: bedrock.CfnGuardrailProps = {
      name: props.name,
      description: 'Prompt-attack, content and data-loss filtering for every model call of the private AI platform',
      kmsKeyArn: props.key.keyArn,
      blockedInputMessaging: props.blockedInputMessage,
      blockedOutputsMessaging: props.blockedOutputMessage,
      contentPolicyConfig: {
        filtersConfig: [
          ...contentFilters,
          // Prompt attacks (jailbreaks, injection) are judged on input only; output strength must be NONE.
          { type: 'PROMPT_ATTACK', inputStrength: props.promptAttackStrength, outputStrength: 'NONE' },
        ],
      },
      sensitiveInformationPolicyConfig: {
        piiEntitiesConfig: props.piiEntities.map((type) => ({ type, action: props.piiAction })),
        regexesConfig: SECRET_PATTERNS.map((p) => ({ name: p.name, pattern: p.pattern, description: p.description, action: 'BLOCK' })),
      },
    };
    this.guardrail = new bedrock.CfnGuardrail(this, 'Resource', configuration);
    // A version is an immutable snapshot, published when the resource is created: its description
    // carries a hash of the guardrail's configuration, so a changed configuration replaces the
    // resource, publishing a new version that the invoker and the policies (which read its number) follow.
    const hash = createHash('sha256').update(JSON.stringify(Stack.of(this).resolve(configuration))).digest('hex').slice(0, 16);
    this.version = new bedrock.CfnGuardrailVersion(this, 'Version', {
      guardrailIdentifier: this.guardrail.attrGuardrailId,
      description: `Published version pinned by callers (configuration ${hash})`,
    });
    this.guardrailId = this.guardrail.attrGuardrailId;
    this.guardrailArn = this.guardrail.attrGuardrailArn;
    this.guardrailVersion = this.version.attrVersion;

    if (props.enforceAccountWide) {
      new bedrock.CfnEnforcedGuardrailConfiguration(this, 'AccountEnforcement', {
        guardrailIdentifier: this.guardrail.attrGuardrailArn,
        guardrailVersion: this.version.attrVersion,
      });
    }
  }
}
