import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { regionDenyStatement } from './bedrock-policies';

/** The in-account half of region pinning. */
export interface RegionPinningPolicyProps {
  /** Regions where Bedrock may be called. */
  readonly allowedRegions: readonly string[];
  /**
   * Inference profiles through which destinations outside the allowed regions may be reached
   * (relaxed residency only; strict residency refuses such profiles in the config).
   * @default - none
   */
  readonly throughProfiles?: readonly string[];
  /**
   * IAM path of the policy (the organisation guard protects the policies of the trusted path,
   * and this one is attached to the invocation-logging setter).
   * @default '/'
   */
  readonly path?: string;
}

/**
 * A customer-managed policy that denies every call of Bedrock and of the other model-serving
 * services (`bedrock-mantle`, `aws-external-anthropic`) outside the allowed regions. Every role
 * of the blueprint that can call Bedrock gets it attached, so a broader grant elsewhere cannot
 * reach a non-allowed region. (Its description still says Bedrock only: changing a managed
 * policy's description replaces the policy.)
 */
export class RegionPinningPolicy extends Construct {
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: RegionPinningPolicyProps) {
    super(scope, id);
    if (props.allowedRegions.length === 0) {
      throw new Error('RegionPinningPolicy: allowedRegions is empty; list at least one region (config: aws.allowedRegions)');
    }
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      path: props.path,
      description: `Denies Amazon Bedrock outside ${props.allowedRegions.join(', ')} (data residency)`,
      statements: [regionDenyStatement(props.allowedRegions, props.throughProfiles)],
    });
  }

  /** Attaches the deny policy to a role. */
  public attachTo(role: iam.IRole): void {
    role.addManagedPolicy(this.policy);
  }
}
