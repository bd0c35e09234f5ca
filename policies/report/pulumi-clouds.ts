import type { OrgConfig } from '../../lib/config';
import type { Plan } from '../../lib/pulumi/plan';
import type { PulumiCloudInput } from './index';

/** A Pulumi cloud the report covers: where its plan is and how its section and policies are computed. */
export interface PulumiCloud {
  readonly cloud: 'azure' | 'gcp';
  evaluate(plan: Plan, config: OrgConfig): Promise<PulumiCloudInput>;
}

/** Filled in as the Azure and Google Cloud programs land. */
export const PULUMI_CLOUDS: readonly PulumiCloud[] = [];
