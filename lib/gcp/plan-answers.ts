import type { PlanAnswers } from '../pulumi/plan';
import { PROJECT_ANCESTRY, type ProjectAncestor } from './fleet-ancestry';
import { loggingServiceAgent } from './naming';

export { PROJECT_ANCESTRY } from './fleet-ancestry';

/** Invoke token of the read of a project's Cloud Logging CMEK settings. */
export const PROJECT_CMEK_SETTINGS = 'gcp:logging/getProjectCmekSettings:getProjectCmekSettings';

/**
 * What Google answers to the provider calls the program makes, for a project of this number, as
 * the offline plan should show it. The project's Cloud Logging CMEK settings name the service
 * account that uses the key: for projects created now, `service-<number>@gcp-sa-logging`
 * (Google's documented form; older projects may have another, which a real `pulumi up` reads).
 *
 * In a fleet (`orgPolicyParent`, gcp.orgPolicyParent's parent) the project's ancestry is the
 * plan's assumption, not a fact: the project directly below that folder or organisation. The
 * plan records it; `pulumi preview` and `pulumi up` read the real ancestry and fail when the
 * parent is not in it.
 */
export function gcpPlanAnswers(projectNumber: string, orgPolicyParent?: string): PlanAnswers {
  return {
    [PROJECT_ANCESTRY]: (args) => {
      const project = String(args.project);
      const parent = orgPolicyParent?.match(/^(folders|organizations)\/(\d+)$/);
      const above: ProjectAncestor[] = parent ? [{ id: parent[2], type: parent[1] === 'folders' ? 'folder' : 'organization' }] : [];
      return {
        id: `projects/${project}`,
        project,
        ancestors: [{ id: project, type: 'project' }, ...above],
        ...(above.length > 0 ? { parentId: above[0].id, parentType: above[0].type } : {}),
        ...(above[0]?.type === 'organization' ? { orgId: above[0].id } : {}),
      };
    },
    [PROJECT_CMEK_SETTINGS]: (args) => ({
      id: `projects/${String(args.project)}/cmekSettings`,
      name: `projects/${String(args.project)}/cmekSettings`,
      project: args.project,
      serviceAccountId: loggingServiceAgent(projectNumber),
      kmsKeyVersionName: '',
    }),
  };
}
