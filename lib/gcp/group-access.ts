import * as pulumi from '@pulumi/pulumi';
import * as projects from '@pulumi/gcp/projects';

/** The people-facing roles of the blueprint. */
export const ACCESS_ROLES = ['modelUsers', 'auditors', 'platformAdmins'] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

/**
 * Project roles per audience:
 * - model users: `roles/aiplatform.user`, which includes calling publisher models;
 * - auditors: read all logs, Data Access logs included (`privateLogViewer`);
 * - platform admins: `roles/aiplatform.viewer` only. They read the Vertex AI configuration to
 *   operate it; every change goes through the Pulumi deployment, not through people.
 */
export const PROJECT_ROLES: { readonly [R in AccessRole]: readonly string[] } = {
  modelUsers: ['roles/aiplatform.user'],
  auditors: ['roles/logging.viewer', 'roles/logging.privateLogViewer'],
  platformAdmins: ['roles/aiplatform.viewer'],
};

/** Project IAM for the organisation's Google groups. */
export interface GroupAccessArgs {
  /** Project ID. */
  readonly project: string;
  /** `group:<e-mail>` members per audience; nothing else is accepted. */
  readonly groups: { readonly [R in AccessRole]: readonly string[] };
  /**
   * The audit bucket's log view, `projects/<p>/locations/<r>/buckets/<b>/views/_AllLogs`, which
   * auditors are granted `roles/logging.viewAccessor` on (logs in a custom bucket are read
   * through its views).
   * @default - no view grant
   */
  readonly auditLogView?: pulumi.Input<string>;
}

const GROUP_MEMBER = /^group:[^@\s:]+@[^@\s]+\.[A-Za-z]{2,}$/;

/** Throws unless every member is a Google group. */
export function assertGroupMembers(component: string, role: AccessRole, members: readonly string[]): void {
  for (const member of members) {
    if (!GROUP_MEMBER.test(member)) {
      throw new Error(
        `GroupAccess ${component}: ${role} received ${JSON.stringify(member)}; only Google groups (group:<e-mail>) are granted access, never individual users, service accounts or domains`,
      );
    }
  }
}

/**
 * Grants the organisation's Google groups their project roles. Only `group:` members are
 * accepted: access follows group membership managed in the identity provider, and nothing is
 * granted to individual users or to service accounts (whose keys the org policy forbids anyway).
 */
export class GroupAccess extends pulumi.ComponentResource {
  /** Every grant as `<role> <member>`. */
  public readonly grants: readonly string[];

  constructor(name: string, args: GroupAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:GroupAccess', name, {}, opts);
    for (const role of ACCESS_ROLES) assertGroupMembers(name, role, args.groups[role]);

    const grants: string[] = [];
    const grant = (role: string, member: string, condition?: projects.IAMMemberArgs['condition']) => {
      grants.push(`${role} ${member}`);
      // Named by role and member, so reordering the config replaces nothing.
      return new projects.IAMMember(
        `${name}-${role.replace(/^roles\//, '').replace(/\./g, '-')}-${member.replace(/^group:/, '')}`,
        { project: args.project, role, member, condition },
        { parent: this },
      );
    };
    for (const audience of ACCESS_ROLES) {
      for (const member of new Set(args.groups[audience])) {
        for (const role of PROJECT_ROLES[audience]) grant(role, member);
      }
    }
    if (args.auditLogView !== undefined) {
      for (const member of new Set(args.groups.auditors)) {
        grant('roles/logging.viewAccessor', member, {
          title: 'audit log view only',
          description: 'Read the Vertex AI audit log bucket and no other log view',
          expression: pulumi.interpolate`resource.name == "${args.auditLogView}"`,
        });
      }
    }

    this.grants = grants;
    this.registerOutputs({ grants });
  }
}
