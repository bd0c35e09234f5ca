import * as authorization from '@pulumi/azure-native/authorization';
import * as pulumi from '@pulumi/pulumi';
import { deterministicGuid, GUID_PATTERN, roleDefinitionId } from './naming';
import { BUILT_IN_ROLES, type BuiltInRole } from './roles';

/** A role given to a set of Entra ID groups on one resource. */
export interface AccessGrant {
  /** Who, for names and messages, e.g. `model-users`. */
  readonly audience: string;
  readonly role: BuiltInRole;
  /** What the role is granted on, for names and outputs, e.g. `account`. */
  readonly scopeLabel: string;
  readonly groups: readonly string[];
}

/** A role name as a resource-name segment: `Cognitive Services OpenAI User` is `cognitive-services-openai-user`. */
export function roleSlug(role: BuiltInRole): string {
  return role.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** Who may do what, for Entra ID groups. */
export interface ModelAccessArgs {
  /** Subscription of the deployment, for role definition IDs. */
  readonly subscriptionId: string;
  /** Groups whose members call the model deployments (usually `sso.modelUsers.azure`). */
  readonly modelUserGroups: readonly string[];
  /** Groups whose members read the audit logs (usually `sso.auditors.azure`). */
  readonly auditorGroups: readonly string[];
  /** Groups whose members look after the platform (usually `sso.platformAdmins.azure`). */
  readonly platformAdminGroups: readonly string[];
  readonly modelAccountId: pulumi.Input<string>;
  readonly workspaceId: pulumi.Input<string>;
  readonly resourceGroupId: pulumi.Input<string>;
  /**
   * Roles model users get on the account.
   * @default - Cognitive Services OpenAI User
   */
  readonly modelUserRoles?: readonly BuiltInRole[];
  /**
   * The kill switch (`detection.suspendModelAccess`): true creates no model-user role
   * assignment, so `pulumi up` deletes the existing ones and nobody keeps a data-plane role the
   * blueprint gave. The deployments, their content filter and every other grant stay, so
   * turning it off again restores access without redeploying a model. There is no second lock
   * on the network: the account's network rules already deny everything and do not apply to its
   * private endpoint, and cutting the endpoint's connection would leave a path that `pulumi up`
   * cannot restore by flipping the switch back (the connection must be approved again).
   *
   * Faster, without a deployment: delete the assignments directly, e.g.
   * `az role assignment delete --scope <accountId> --role "Cognitive Services OpenAI User"`
   * (and `--role "Cognitive Services User"` where granted), then set the switch so the next
   * `pulumi up` does not restore them. Either way the Activity Log records each deletion and the
   * tampering alert on role assignments fires. Azure documents that removing a role assignment
   * can take minutes to take effect while Resource Manager caches are refreshed.
   * @default false
   */
  readonly suspendModelUsers?: boolean;
}

/**
 * Role assignments for Entra ID groups, each at the narrowest scope that works:
 * - model users: the least role that can call the deployments, on the account;
 * - auditors: Log Analytics Reader on the audit workspace;
 * - platform admins: Reader on the resource group. Changes go through this program (its
 *   deployment identity), so no human group can add a deployment outside the allowlist, read
 *   prompts, or loosen the network; break-glass access belongs in PIM, not here.
 * A role with no groups is skipped with a warning, since nobody could then use it.
 */
export class ModelAccess extends pulumi.ComponentResource {
  /** What was granted to whom; group IDs are not secret, role names help reviewers. */
  public readonly grants: AccessGrant[];
  /** `suspended` when the kill switch withholds the model users' roles. */
  public readonly modelAccess: 'open' | 'suspended';

  constructor(name: string, args: ModelAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:ModelAccess', name, {}, opts);
    if (!GUID_PATTERN.test(args.subscriptionId)) throw new Error(`${name}: subscriptionId "${args.subscriptionId}" is not a subscription ID (a GUID)`);
    const lists = { modelUserGroups: args.modelUserGroups, auditorGroups: args.auditorGroups, platformAdminGroups: args.platformAdminGroups };
    for (const [field, groups] of Object.entries(lists)) {
      groups.forEach((group, i) => {
        if (!GUID_PATTERN.test(group)) throw new Error(`${name}: ${field}[${i}] "${group}" is not an Entra ID group object ID (a GUID)`);
      });
    }

    const modelUserRoles = args.modelUserRoles ?? [BUILT_IN_ROLES.cognitiveServicesOpenAiUser];
    const suspended = args.suspendModelUsers ?? false;
    if (suspended) {
      pulumi.log.warn(
        `${name}: model access is suspended (detection.suspendModelAccess): model users get no ${modelUserRoles.map((r) => r.name).join(' or ')} on the account, and existing assignments are deleted`,
        this,
      );
    }
    const plan: Array<AccessGrant & { scope: pulumi.Input<string>; source: string }> = [
      ...(suspended ? [] : modelUserRoles).map((role) => ({ audience: 'model-users', role, scopeLabel: 'account', scope: args.modelAccountId, groups: args.modelUserGroups, source: 'modelUserGroups, from sso.modelUsers.azure' })),
      { audience: 'auditors', role: BUILT_IN_ROLES.logAnalyticsReader, scopeLabel: 'workspace', scope: args.workspaceId, groups: args.auditorGroups, source: 'auditorGroups, from sso.auditors.azure' },
      { audience: 'platform-admins', role: BUILT_IN_ROLES.reader, scopeLabel: 'resource-group', scope: args.resourceGroupId, groups: args.platformAdminGroups, source: 'platformAdminGroups, from sso.platformAdmins.azure' },
    ];

    for (const grant of plan) {
      if (grant.groups.length === 0) {
        pulumi.log.warn(`${name}: no Entra ID groups for ${grant.audience} (${grant.source}); nobody gets ${grant.role.name} on the ${grant.scopeLabel} until a group is added`, this);
        continue;
      }
      for (const group of grant.groups) {
        new authorization.RoleAssignment(
          `${name}-${grant.audience}-${roleSlug(grant.role)}-${group}`,
          {
            scope: grant.scope,
            roleDefinitionId: roleDefinitionId(args.subscriptionId, grant.role.id),
            principalId: group,
            principalType: 'Group',
            // Azure needs a GUID name; deriving it from scope, role and group keeps plans stable.
            roleAssignmentName: pulumi.output(grant.scope).apply((scope) => deterministicGuid(scope, grant.role.id, group)),
            description: `private-ai-blueprint: ${grant.audience} get ${grant.role.name} on the ${grant.scopeLabel}`,
          },
          { parent: this },
        );
      }
    }

    this.grants = plan.filter((g) => g.groups.length > 0).map(({ audience, role, scopeLabel, groups }) => ({ audience, role, scopeLabel, groups }));
    this.modelAccess = suspended ? 'suspended' : 'open';
    this.registerOutputs({ grants: this.grants, modelAccess: this.modelAccess });
  }
}
