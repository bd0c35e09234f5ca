import type { OrgConfig } from '../lib/config';

/**
 * What each Pulumi project under stacks/ exposes, so the same program serves a real
 * `pulumi up` (index.ts reads pulumi.Config) and the offline plan (bin/plan.ts reads the
 * example stack file).
 */
export interface CloudProgram<S> {
  /** Pulumi project name (Pulumi.yaml `name`). */
  readonly project: string;
  /** Config namespace of the deployment-specific settings, e.g. `privateai`. */
  readonly namespace: string;
  /**
   * Validates the deployment-specific stack settings; errors name the key, the value and the fix.
   * `get` returns the raw value of `<namespace>:<key>`.
   */
  readSettings(get: (key: string) => unknown, org: OrgConfig): S;
  /**
   * Values the cloud computes at deploy time, as the offline plan should show them.
   * @default - inputs only
   */
  readonly mockState?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
  /** Creates the resources; returns the stack exports. */
  run(org: OrgConfig, settings: S): Record<string, unknown>;
}
