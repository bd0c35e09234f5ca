import { RemovalPolicy } from 'aws-cdk-lib';
import * as organizations from 'aws-cdk-lib/aws-organizations';
import { Construct } from 'constructs';

/** The AWS Organizations policy types a guard can be. */
export type GuardPolicyType = 'SERVICE_CONTROL_POLICY' | 'RESOURCE_CONTROL_POLICY';

/** AWS Organizations' size limit for service and resource control policies, every character counted. */
export const GUARD_POLICY_MAX_CHARS = 5120;

/**
 * Policies of one type a root, OU or account can hold. The default (FullAWSAccess,
 * RCPFullAWSAccess) takes one place, so at most four guards of a type fit beside it.
 */
export const POLICIES_PER_TARGET = 5;

/** An IAM-language policy document as JSON. */
export interface GuardPolicyDocument {
  readonly Version: string;
  readonly Statement: ReadonlyArray<Record<string, unknown>>;
}

/** One guard policy: its document and how AWS Organizations names it. */
export interface GuardPolicy {
  /** Construct ID of the policy: a public contract, since renaming it orphans the retained policy and creates another. */
  readonly id: string;
  readonly type: GuardPolicyType;
  /** Name in AWS Organizations (ASCII, at most 128 characters), unique in the organisation. */
  readonly name: string;
  /** At most 512 characters. */
  readonly description: string;
  readonly document: GuardPolicyDocument;
}

/** Service and resource control policies, attached where the organisation says. */
export interface OrganizationGuardsProps {
  /** The guards; each becomes one `AWS::Organizations::Policy`. */
  readonly policies: readonly GuardPolicy[];
  /** Roots (`r-...`), OUs (`ou-...`) or account IDs every guard is attached to. */
  readonly targetIds: readonly string[];
}

/**
 * The organisation guards as `AWS::Organizations::Policy` resources, in the management account or
 * the account delegated to administer Organizations policies. Each policy is retained when it
 * leaves the template or the stack is deleted: a guard taken away by a stack deletion, or by a
 * change that drops it, is the tampering the guards exist to prevent, so removing one takes an
 * organisation administrator detaching and deleting it by hand, which CloudTrail records. The
 * documents are checked here against the rules Organizations enforces only at deployment.
 */
export class OrganizationGuards extends Construct {
  /** The deployed policies, by guard ID. */
  public readonly policies: Readonly<Record<string, organizations.CfnPolicy>>;

  constructor(scope: Construct, id: string, props: OrganizationGuardsProps) {
    super(scope, id);
    if (props.targetIds.length === 0) {
      throw new Error('OrganizationGuards: targetIds is empty; a guard attached to nothing protects nothing. Give the roots, OUs or accounts to attach to (config: aws.organization.attachTo)');
    }
    for (const type of ['SERVICE_CONTROL_POLICY', 'RESOURCE_CONTROL_POLICY'] as const) {
      const count = props.policies.filter((p) => p.type === type).length;
      if (count > POLICIES_PER_TARGET - 1) {
        throw new Error(`OrganizationGuards: ${count} policies of type ${type}, but a target holds ${POLICIES_PER_TARGET} including the default one; merge guards into fewer documents`);
      }
    }
    const seen = new Set<string>();
    for (const p of props.policies) {
      if (seen.has(p.name)) throw new Error(`OrganizationGuards: two guards are named ${p.name}; AWS Organizations needs policy names unique in the organisation`);
      seen.add(p.name);
      const problems = guardProblems(p);
      if (problems.length > 0) throw new Error(`OrganizationGuards: guard ${p.id} (${p.name}) ${problems.join('; it ')}`);
    }

    const policies: Record<string, organizations.CfnPolicy> = {};
    for (const p of props.policies) {
      const policy = new organizations.CfnPolicy(this, p.id, {
        name: p.name,
        description: p.description,
        type: p.type,
        // An object, not a string: CloudFormation detects drift only on JSON content.
        content: JSON.parse(JSON.stringify(p.document)),
        targetIds: [...props.targetIds],
      });
      policy.applyRemovalPolicy(RemovalPolicy.RETAIN);
      policies[p.id] = policy;
    }
    this.policies = policies;
  }
}

/** What AWS Organizations would refuse in a guard, as sentences completing "guard X ..."; none when it is valid. */
export function guardProblems(guard: GuardPolicy): string[] {
  const problems: string[] = [];
  const size = JSON.stringify(guard.document).length;
  if (size > GUARD_POLICY_MAX_CHARS) problems.push(`is ${size} characters, over the ${GUARD_POLICY_MAX_CHARS} limit of AWS Organizations; split it or shorten it`);
  if (!/^[\x20-\x7e]{1,128}$/.test(guard.name)) problems.push(`has a name that is not 1 to 128 printable ASCII characters: "${guard.name}"`);
  if (guard.description.length > 512) problems.push(`has a description of ${guard.description.length} characters, over the 512 AWS Organizations accepts`);
  guard.document.Statement.forEach((s, i) => {
    const where = `statement ${String(s.Sid ?? i)}`;
    if ('NotPrincipal' in s) problems.push(`${where} uses NotPrincipal, which ${guard.type === 'RESOURCE_CONTROL_POLICY' ? 'RCPs' : 'SCPs'} do not support; exempt principals with an aws:PrincipalArn condition`);
    if (guard.type === 'SERVICE_CONTROL_POLICY' && 'Principal' in s) problems.push(`${where} names a Principal, which SCPs do not support: they bind the principals of the accounts they are attached to`);
    if (guard.type === 'RESOURCE_CONTROL_POLICY') {
      if (s.Effect !== 'Deny') problems.push(`${where} has Effect ${String(s.Effect)}; RCPs other than RCPFullAWSAccess may only deny`);
      if (s.Principal !== '*') problems.push(`${where} has Principal ${JSON.stringify(s.Principal)}; RCPs take "*" only, with conditions to narrow it`);
    }
  });
  return problems;
}
