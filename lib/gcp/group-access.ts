import * as pulumi from '@pulumi/pulumi';
import * as projects from '@pulumi/gcp/projects';

/** The people-facing roles of the blueprint. */
export const ACCESS_ROLES = ['modelUsers', 'auditors', 'platformAdmins'] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];

/**
 * What calling a publisher model needs, and nothing else: `generateContent`,
 * `streamGenerateContent`, `predict` (embeddings) and `rawPredict` of partner models all check
 * `aiplatform.endpoints.predict` on the model's resource name. `roles/aiplatform.user` would also
 * let model users create jobs, endpoints, datasets and models.
 */
export const MODEL_USER_PERMISSIONS: readonly string[] = ['aiplatform.endpoints.predict'];

/** Custom role IDs: letters, digits, underscores and periods, 3-64 characters. */
const ROLE_ID = /^[a-zA-Z0-9_.]{3,64}$/;

/**
 * Predefined project roles per audience (model users get the custom role instead):
 * - model users: none predefined; the custom model-user role (`MODEL_USER_PERMISSIONS`);
 * - auditors: read all logs, Data Access logs included (`privateLogViewer`);
 * - platform admins: `roles/aiplatform.viewer` only. They read the Vertex AI configuration to
 *   operate it; every change goes through the Pulumi deployment, not through people.
 */
export const PROJECT_ROLES: { readonly [R in AccessRole]: readonly string[] } = {
  modelUsers: [],
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
  /**
   * ID of the custom project role model users are granted (`MODEL_USER_PERMISSIONS`). A deleted
   * custom role's ID cannot be reused for 37 days, so choose it once.
   * @default 'privateAiModelUser'
   */
  readonly modelUserRoleId?: string;
  /**
   * Whether model users may call models. `'suspended'` is the kill switch (config:
   * `detection.suspendModelAccess`): the model users' grants are not made, so `pulumi up` removes
   * the existing ones, and nothing else changes. The custom role stays: a deleted custom role's
   * ID cannot be reused for 37 days, and the role grants nothing on its own.
   *
   * The faster path, without a deployment (IAM changes take effect within minutes):
   *
   *   gcloud projects remove-iam-policy-binding PROJECT_ID \
   *     --member=group:MODEL_USERS_GROUP --role=projects/PROJECT_ID/roles/privateAiModelUser --all
   *
   * then set `detection.suspendModelAccess: true` so the next `pulumi up --refresh` does not grant
   * it again. Either path is a SetIamPolicy call in the project's Admin Activity audit log, which
   * the tampering alert (MisuseDetection) reports.
   * @default 'open'
   */
  readonly modelAccess?: ModelAccess;
}

/** Whether model users hold their grants (`'open'`) or the kill switch withholds them (`'suspended'`). */
export type ModelAccess = 'open' | 'suspended';

/** Default ID of the model users' custom role. */
export const DEFAULT_MODEL_USER_ROLE_ID = 'privateAiModelUser';

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
 * Grants the organisation's Google groups their project roles (model users a custom role that
 * can only call models). Only `group:` members are
 * accepted: access follows group membership managed in the identity provider, and nothing is
 * granted to individual users or to service accounts (whose keys the org policy forbids anyway).
 */
export class GroupAccess extends pulumi.ComponentResource {
  /** Every grant as `<role> <member>`. */
  public readonly grants: readonly string[];
  /** Whether model users hold their grants. */
  public readonly modelAccess: ModelAccess;

  constructor(name: string, args: GroupAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:GroupAccess', name, {}, opts);
    for (const role of ACCESS_ROLES) assertGroupMembers(name, role, args.groups[role]);
    const roleId = args.modelUserRoleId ?? DEFAULT_MODEL_USER_ROLE_ID;
    if (!ROLE_ID.test(roleId)) throw new Error(`GroupAccess ${name}: modelUserRoleId ${JSON.stringify(roleId)} must be 3-64 letters, digits, underscores or periods`);

    const grants: string[] = [];
    const grant = (role: string, member: string, condition?: projects.IAMMemberArgs['condition'], after?: pulumi.Resource) => {
      grants.push(`${role} ${member}`);
      // Named by role and member, so reordering the config replaces nothing.
      return new projects.IAMMember(
        `${name}-${role.replace(/^(roles|projects\/[^/]+\/roles)\//, '').replace(/\./g, '-')}-${member.replace(/^group:/, '')}`,
        { project: args.project, role, member, condition },
        { parent: this, ...(after ? { dependsOn: [after] } : {}) },
      );
    };
    const modelAccess = args.modelAccess ?? 'open';
    if (modelAccess !== 'open' && modelAccess !== 'suspended') throw new Error(`GroupAccess ${name}: modelAccess ${JSON.stringify(modelAccess)} must be 'open' or 'suspended'`);
    const modelUsers = [...new Set(args.groups.modelUsers)];
    if (modelUsers.length > 0) {
      const modelUserRole = new projects.IAMCustomRole(
        `${name}-model-user`,
        {
          project: args.project,
          roleId,
          title: 'Private AI model user',
          description: 'Call the allowed Vertex AI publisher models; nothing else',
          permissions: [...MODEL_USER_PERMISSIONS],
          stage: 'GA',
        },
        { parent: this },
      );
      // The role's full name is fixed by project and ID; the grants wait for the role to exist.
      // Suspended: no grant, so the deployment deletes the ones that exist (the kill switch).
      if (modelAccess === 'open') {
        for (const member of modelUsers) grant(`projects/${args.project}/roles/${roleId}`, member, undefined, modelUserRole);
      }
    }
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
    this.modelAccess = modelAccess;
    this.registerOutputs({ grants, modelAccess });
  }
}
