import type { OrgConfig } from '../lib/config';
import type { PlanAnswers } from '../lib/pulumi/plan';

/**
 * What each Pulumi project under stacks/ exposes, so the same program serves a real
 * `pulumi up` (index.ts reads pulumi.Config) and the offline plan (bin/plan.ts reads a stack
 * file, or settings derived from the organisation config).
 */
export interface CloudProgram<S> {
  /** Pulumi project name (Pulumi.yaml `name`). */
  readonly project: string;
  /** Config namespace of the deployment-specific settings, e.g. `privateai`. */
  readonly namespace: string;
  /** Every setting key the program reads (without the namespace); any other key in the namespace is refused. */
  readonly settingKeys: readonly string[];
  /**
   * Validates the deployment-specific stack settings; errors name the key, the value and the fix.
   * `get` returns the raw value of `<namespace>:<key>`; `stack` is the Pulumi stack's name (an
   * organisation config may name the one stack that sets a fleet's guards).
   */
  readSettings(get: (key: string) => unknown, org: OrgConfig, stack: string): S;
  /**
   * Settings for an offline plan of an organisation that has no stack file yet: the first allowed
   * location or region, placeholder IDs, defaults for the rest. Never for a real deployment.
   */
  derivedSettings(org: OrgConfig): Record<string, unknown>;
  /**
   * Values the cloud computes at deploy time, as the offline plan should show them.
   * @default - inputs only
   */
  readonly mockState?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
  /**
   * What the offline plan answers to the provider function calls the program makes, given the
   * validated settings (the cloud's documented answer for that deployment).
   * @default - the program makes no calls
   */
  readonly answers?: (settings: S) => PlanAnswers;
  /** Creates the resources; returns the stack exports. */
  run(org: OrgConfig, settings: S): Record<string, unknown>;
}

/**
 * Refuses stack config keys of the program's namespace that it does not read: a misspelt key
 * would otherwise fall back silently to a default (a new network, new DNS zones). `configKeys`
 * are full keys (`privateai:location`, `azure-native:location`); other namespaces are ignored.
 * Shared by the `pulumi up` entry points and the offline plan, so both refuse the same keys.
 */
export function assertKnownSettings(program: Pick<CloudProgram<unknown>, 'namespace' | 'settingKeys'>, configKeys: Iterable<string>): void {
  const prefix = `${program.namespace}:`;
  const unknown = [...configKeys].filter((key) => key.startsWith(prefix) && !program.settingKeys.includes(key.slice(prefix.length)));
  if (unknown.length > 0) {
    throw new Error(`unknown settings ${unknown.join(', ')}; known: ${program.settingKeys.map((k) => `${prefix}${k}`).join(', ')}`);
  }
}

/** One deployment target the settings name and the provider must use too. */
export interface ProviderTarget {
  /** The provider's config key, e.g. `location` (read as `<provider>:<key>`). */
  readonly key: string;
  /** The setting that names it, e.g. `location` (`<namespace>:<setting>`). */
  readonly setting: string;
  /** The value the settings give. */
  readonly expected: string;
  /** What the provider will use: its config, else its environment variable; undefined when neither is set. */
  readonly actual: string | undefined;
}

/**
 * Checks that the provider deploys where the settings say: names, residency checks and role IDs
 * come from the settings, so a provider pointed at another project, subscription or region would
 * deploy a stack that contradicts its own plan. A mismatch throws, naming both keys and values; a
 * provider value that is not set returns a warning to log (the provider then uses its own
 * default, which this cannot see). Compared case-insensitively. Shared by the `pulumi up` entry
 * points of Azure and Google Cloud.
 */
export function providerTargetWarnings(namespace: string, provider: string, targets: readonly ProviderTarget[]): string[] {
  const warnings: string[] = [];
  for (const t of targets) {
    if (t.actual === undefined || t.actual === '') {
      warnings.push(`${provider}:${t.key} is not set; make sure the provider's default ${t.key} is ${t.expected} (${namespace}:${t.setting})`);
    } else if (t.actual.toLowerCase() !== t.expected.toLowerCase()) {
      throw new Error(`${provider}:${t.key} ${t.actual} differs from ${namespace}:${t.setting} ${t.expected}; set both to the same value`);
    }
  }
  return warnings;
}
