import * as pulumi from '@pulumi/pulumi';
import * as projects from '@pulumi/gcp/projects';
import type { FleetOrgPolicies } from './org-policies';

/**
 * Whether a project is below the folder or organisation where a fleet's org-wide organisation
 * policies are set (gcp.orgPolicyParent): a stack relies on them only if they bind its project.
 * Read from Resource Manager's ancestry of the project, which every `pulumi preview` and `pulumi
 * up` reads again; the offline plan states the answer it assumed (lib/gcp/plan-answers.ts).
 */

/** Invoke token of the read of a project's ancestry (Resource Manager `projects.getAncestry`). */
export const PROJECT_ANCESTRY = 'gcp:projects/getAncestry:getAncestry';

/** One ancestor of a project, the project itself first, as `projects.getAncestry` returns it. */
export interface ProjectAncestor {
  /** The project ID for the project, else the numeric folder or organisation ID. */
  readonly id: string;
  /** `project`, `folder` or `organization`. */
  readonly type: string;
}

/** The ancestors of a project read from a call's answer (`ancestors`); none when it has none. */
export function ancestorsIn(answer: Record<string, unknown> | undefined): ProjectAncestor[] {
  const list = answer?.ancestors;
  if (!Array.isArray(list)) return [];
  return list.filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null).map((a) => ({ id: String(a.id), type: String(a.type) }));
}

/** An ancestor as an org-policy parent names it: `projects/<id>`, `folders/<id>`, `organizations/<id>`. */
export const ancestorName = (a: ProjectAncestor): string => `${a.type === 'organization' ? 'organizations' : a.type === 'folder' ? 'folders' : 'projects'}/${a.id}`;

/** Whether `parent` (`folders/<id>`, `organizations/<id>`) is among the ancestors. */
export const isUnderParent = (ancestors: readonly ProjectAncestor[], parent: string): boolean => ancestors.some((a) => ancestorName(a) === parent);

/** The ancestry as messages and evidence show it: `project a > folder 1 > organization 2`, or `none`. */
export const describeAncestry = (ancestors: readonly ProjectAncestor[]): string => (ancestors.length === 0 ? 'none' : ancestors.map((a) => `${a.type} ${a.id}`).join(' > '));

/**
 * Why a stack of a fleet must not be deployed to `project`, or undefined when `fleet.parent` is
 * among its ancestors: the message names the project, the parent, the ancestry found and the fix.
 */
export function notUnderParentProblem(project: string, fleet: FleetOrgPolicies, ancestors: readonly ProjectAncestor[]): string | undefined {
  if (isUnderParent(ancestors, fleet.parent)) return undefined;
  const setter = fleet.owner ? 'this stack sets' : `stack ${fleet.ownerStack} sets`;
  const [kind, id] = fleet.parent.split('/');
  const move = kind === 'folders' ? `gcloud beta projects move ${project} --folder=${id}` : `gcloud beta projects move ${project} --organization=${id}`;
  return (
    `project ${project} is not under ${fleet.parent}, where ${setter} the fleet's organisation policies (gcp.orgPolicyParent): ` +
    `its ancestry is ${describeAncestry(ancestors)}, so the org-wide constraints (resource locations, CMEK, models, service account keys, TLS, the global endpoint, Workbench) would not bind it; ` +
    `move the project below ${fleet.parent} (${move}), or deploy it with an organisation config whose gcp.orgPolicyParent is one of its ancestors`
  );
}

/**
 * The project ID once its ancestry, read from Google Cloud, shows it below `fleet.parent`; the
 * output fails, with `notUnderParentProblem`'s message, when it is not. Give it to the first
 * resources of the stack (the APIs it enables) so a wrong project fails `pulumi preview`, and
 * `pulumi up` before anything is created.
 */
export function projectUnderFleetParent(project: string, fleet: FleetOrgPolicies, opts?: pulumi.InvokeOutputOptions): pulumi.Output<string> {
  return projects.getAncestryOutput({ project }, opts).apply((result) => {
    const problem = notUnderParentProblem(project, fleet, ancestorsIn(result as unknown as Record<string, unknown>));
    // RunError: Pulumi reports the message alone, without a stack trace.
    if (problem) throw new pulumi.RunError(problem);
    return project;
  });
}
