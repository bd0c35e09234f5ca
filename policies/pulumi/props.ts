import type { PolicyResource } from '@pulumi/policy';
import { createdAfter } from '../../lib/pulumi/plan';

/**
 * Small readers shared by the Azure and Google Cloud policy packs. Props come from a preview,
 * so any value may be missing (unknown until apply): readers return undefined, never throw.
 */

/** The value at a dotted path (`properties.encryption.keySource`), or undefined. */
export function valueAt(props: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), props);
}

/** The array at a dotted path, or [] when it is absent or not an array. */
export function arrayAt(props: unknown, path: string): Record<string, unknown>[] {
  const v = valueAt(props, path);
  return Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
}

/** The strings of the array at a dotted path, or [] when it is absent. */
export function stringsAt(props: unknown, path: string): string[] {
  const v = valueAt(props, path);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** A value as reviewers read it in a violation message. */
export function shown(v: unknown): string {
  return v === undefined ? 'absent' : JSON.stringify(v);
}

/** The resources of a stack whose input `property` took an output of `target`. */
export function dependentsThrough(resources: readonly PolicyResource[], target: PolicyResource, type: string, property: string): PolicyResource[] {
  return resources.filter((r) => r.type === type && (r.propertyDependencies[property] ?? []).some((d) => d.urn === target.urn));
}

/** A list of strings from policy configuration, or a clear error naming the missing setting. */
export function configuredList(config: Record<string, unknown>, key: string, policy: string): string[] {
  const value = config[key];
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new Error(`policy ${policy}: config ${key} must be a non-empty list of strings, received ${shown(value)}; set it in the --policy-pack-config file (npm run plan writes one from the organisation config)`);
  }
  return value as string[];
}

/** An input a policy requires: its dotted path, the value it must have, and why. */
export type Expectation = readonly [path: string, wanted: unknown, why: string];

/** Reports each expectation the props do not meet, with the value found and the fix. */
export function reportUnmet(props: unknown, expectations: readonly Expectation[], report: (message: string) => void, label: (path: string) => string = (p) => p): void {
  for (const [path, wanted, why] of expectations) {
    const found = valueAt(props, path);
    if (found !== wanted) report(`${label(path)} is ${shown(found)}; set it to ${JSON.stringify(wanted)} ${why}`);
  }
}

/**
 * Whether the engine creates `resource` only after `target`: `target` is among its dependencies
 * or its parent, directly or through theirs (a child is registered only after its parent, which
 * waits for its own dependencies: see `createdAfter`). Plans record explicit `dependsOn` as well
 * as input dependencies.
 */
export function waitsForResource(resource: PolicyResource, target: PolicyResource): boolean {
  return createdAfter(resource, target, (r) => (r.parent ? [...r.dependencies, r.parent] : r.dependencies), (r) => r.urn);
}
