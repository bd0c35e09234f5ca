import type { Policies } from '@pulumi/policy';
import type { OrgConfig } from '../../lib/config';
import { fleetOrgPolicies } from '../../lib/gcp/org-policies';
import type { Plan } from '../../lib/pulumi/plan';
import { azurePolicies, azurePolicyConfig } from '../azure/policies';
import { gcpPolicies, gcpPolicyConfig } from '../gcp/policies';
import { runPoliciesOffline } from '../pulumi/offline';
import { evaluateAzure } from './azure';
import { evaluateGcp, usesCentralDns } from './gcp';
import type { CloudSection } from './model';
import type { PulumiCloudInput } from './index';

/** A Pulumi cloud the report covers: its policy pack, the pack's configuration, and its control evaluator. */
export interface PulumiCloud {
  readonly cloud: 'azure' | 'gcp';
  /** Name of the CrossGuard pack (policies/<cloud>/index.ts). */
  readonly pack: string;
  readonly policies: Policies;
  /** The `--policy-pack-config` content for this organisation and stack, or undefined if the cloud is not configured. */
  policyConfig(config: OrgConfig, plan: Plan): Record<string, Record<string, unknown>> | undefined;
  section(plan: Plan, config: OrgConfig): CloudSection;
}

export const PULUMI_CLOUDS: readonly PulumiCloud[] = [
  {
    cloud: 'azure',
    pack: 'private-ai-azure',
    policies: azurePolicies,
    policyConfig: (config, plan) => (config.azure ? azurePolicyConfig(config.azure, plan.stack) : undefined),
    section: evaluateAzure,
  },
  {
    cloud: 'gcp',
    pack: 'private-ai-gcp',
    policies: gcpPolicies,
    // A stack that creates no DNS zone (privateai:createDnsZones false) relies on central DNS; in a
    // fleet (gcp.orgPolicyParent) only the owner stack sets the org-wide policies.
    policyConfig: (config, plan) =>
      config.gcp
        ? gcpPolicyConfig(config.gcp.allowedRegions, {
            centralDns: usesCentralDns(plan),
            denyGlobalVertexEndpoint: config.gcp.orgPolicies.denyGlobalVertexEndpoint,
            fleet: fleetOrgPolicies(config.gcp.orgPolicyParent, plan.stack),
          })
        : undefined,
    section: evaluateGcp,
  },
];

/** Computes a cloud's section and runs its pack over the plan, as `npm run synth` does. */
export async function evaluatePulumiCloud(cloud: PulumiCloud, plan: Plan, config: OrgConfig): Promise<PulumiCloudInput> {
  const policyConfig = cloud.policyConfig(config, plan);
  if (!policyConfig) throw new Error(`the organisation config has no ${cloud.cloud} section, but plans/${cloud.cloud}.json exists; add the section or delete the plan`);
  return {
    section: cloud.section(plan, config),
    policies: await runPoliciesOffline(cloud.pack, cloud.policies, plan, { project: `private-ai-${cloud.cloud}`, config: policyConfig }),
  };
}
