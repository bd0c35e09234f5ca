import type { OrgConfig } from '../../lib/config';
import { proveAccess, type AccessProof, type AccessStack } from '../../policies/aws/access-proofs';
import { SCENARIOS } from '../../policies/aws/access-scenarios';
import { buildCdkExecutionPolicies } from '../../policies/aws/cdk-execution-policy';
import { buildOrgGuards, type OrgGuard } from '../../policies/aws/org-guards';
import { addAwsStacks } from '../../stacks/aws';
import { newApp } from './aws';

/**
 * The synthesized AWS stacks of a config (platform and identity), as the access proofs read them
 * from cdk.out: with the construct-path metadata `cdk synth` writes.
 */
export function synthesizedStacks(config: OrgConfig): AccessStack[] {
  const app = newApp();
  app.node.setContext('aws:cdk:enable-path-metadata', true);
  addAwsStacks(app, config);
  return app.synth().stacks.map((s) => ({ name: s.stackName, account: s.environment.account, region: s.environment.region, template: s.template }));
}

/** A deep copy, for mutation tests. */
export const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * The proofs of a config, or of its stacks and organisation guards after a mutation; of every
 * scenario, or of the ones named.
 */
export async function proofsOf(
  config: OrgConfig,
  stacks = synthesizedStacks(config),
  guards: readonly OrgGuard[] = buildOrgGuards(config),
  only?: readonly string[],
): Promise<AccessProof[]> {
  const scenarios = only ? SCENARIOS.filter((s) => only.includes(s.id)) : SCENARIOS;
  if (only && scenarios.length !== only.length) throw new Error(`unknown scenario among ${only.join(', ')}`);
  // The execution policies as bin/app.ts writes them to org-guards/.
  return proveAccess({ config, stacks, guards, executionPolicies: buildCdkExecutionPolicies(stacks) }, scenarios);
}

/** The proofs that came out otherwise than expected, readable. */
export const failed = (proofs: readonly AccessProof[]) =>
  proofs.filter((p) => !p.ok).map((p) => `${p.target}/${p.scenario}: expected ${p.expected}, evaluated ${p.evaluated}: ${p.request} [${p.deciding.join('; ')}]`);
