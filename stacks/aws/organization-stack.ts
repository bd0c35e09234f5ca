import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { organisationTags, platformStackName, STACK_NAME_PREFIX, type OrgConfig } from '../../lib/config';
import { OrganizationGuards } from '../../lib/aws/organization-guards';
import { buildOrgGuards } from '../../policies/aws/org-guards';

/** Stack name of the organisation guards (`aws.organization`): stable, like the other stacks'. */
export function organizationStackName(config: OrgConfig): string {
  return `${STACK_NAME_PREFIX}-${config.organisation.name}-organization`;
}

export interface OrganizationStackProps extends StackProps {
  /** The organisation config; `aws.organization` must be set. */
  readonly config: OrgConfig;
  /** @default - the account and region of `aws.organization` */
  readonly env?: StackProps['env'];
  /** @default true: deleting the stack would not remove the retained guards, but it is still refused */
  readonly terminationProtection?: boolean;
}

/**
 * The organisation guards deployed as AWS Organizations policies, in the management account or
 * the account delegated to administer them (`aws.organization.policyAdminAccount`), attached to
 * `aws.organization.attachTo`. The documents are the ones the app writes to `cdk.out/org-guards/`
 * (buildOrgGuards), so the reviewable files and the deployed policies cannot differ. Wiring only.
 */
export class OrganizationStack extends Stack {
  public readonly guards: OrganizationGuards;

  constructor(scope: Construct, id: string, props: OrganizationStackProps) {
    const { config, ...stackProps } = props;
    const organization = config.aws.organization;
    if (!organization) {
      throw new Error('OrganizationStack: aws.organization is not configured; give the policy admin account, its region and the roots, OUs or accounts to attach to, or do not create this stack');
    }
    const env = stackProps.env ?? { account: organization.policyAdminAccount, region: organization.region };
    if (env.account !== undefined && env.account !== organization.policyAdminAccount) {
      throw new Error(`OrganizationStack: env.account ${env.account} is not the policy admin account ${organization.policyAdminAccount}; AWS Organizations policies can only be created there (config: aws.organization.policyAdminAccount)`);
    }
    const clash = config.aws.targets.findIndex((t) => platformStackName(config.organisation.name, t.name) === organizationStackName(config));
    if (clash >= 0) {
      throw new Error(`target name "${config.aws.targets[clash].name}" is reserved for the organisation stack (${organizationStackName(config)}); rename the target (config: aws.targets[${clash}].name)`);
    }
    super(scope, id, {
      description: `private-ai-blueprint: organisation guards (SCPs${organization.resourceControlPolicies ? ', RCPs' : ''}) for ${config.organisation.name}`,
      ...stackProps,
      env,
      terminationProtection: stackProps.terminationProtection ?? true,
    });

    for (const [key, value] of Object.entries(organisationTags(config.tags))) Tags.of(this).add(key, value);

    const guards = buildOrgGuards(config);
    this.guards = new OrganizationGuards(this, 'Guards', {
      policies: guards.map((g) => ({ id: g.id, type: g.type, name: g.name, description: g.description, document: g.policy })),
      targetIds: organization.attachTo,
    });
    for (const g of guards) {
      new CfnOutput(this, `${g.id}PolicyId`, {
        value: this.guards.policies[g.id].attrId,
        description: `${g.type === 'SERVICE_CONTROL_POLICY' ? 'Service' : 'Resource'} control policy ${g.name} (org-guards/${g.file}), attached to ${organization.attachTo.join(', ')}`,
      });
    }
  }
}
