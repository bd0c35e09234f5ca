import type { PlanAnswers } from '../pulumi/plan';
import { loggingServiceAgent } from './naming';

/** Invoke token of the read of a project's Cloud Logging CMEK settings. */
export const PROJECT_CMEK_SETTINGS = 'gcp:logging/getProjectCmekSettings:getProjectCmekSettings';

/**
 * What Google answers to the provider calls the program makes, for a project of this number, as
 * the offline plan should show it. The project's Cloud Logging CMEK settings name the service
 * account that uses the key: for projects created now, `service-<number>@gcp-sa-logging`
 * (Google's documented form; older projects may have another, which a real `pulumi up` reads).
 */
export function gcpPlanAnswers(projectNumber: string): PlanAnswers {
  return {
    [PROJECT_CMEK_SETTINGS]: (args) => ({
      id: `projects/${String(args.project)}/cmekSettings`,
      name: `projects/${String(args.project)}/cmekSettings`,
      project: args.project,
      serviceAccountId: loggingServiceAgent(projectNumber),
      kmsKeyVersionName: '',
    }),
  };
}
