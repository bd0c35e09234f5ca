import type * as pulumi from '@pulumi/pulumi';
import type { Plan } from '../../lib/pulumi/plan';

/**
 * A transformation that records the `protect` option of every resource a component creates
 * (children inherit the component's transformations).
 */
export function recordProtect(into: Record<string, boolean | undefined>): pulumi.ResourceTransformation {
  return (args) => {
    into[args.name] = args.opts.protect;
    return undefined;
  };
}

/**
 * Whether the engine creates `name` only after `other`: `other` is among what `name` waits for,
 * directly or through what those wait for (a plan's `dependsOn`). This is the order the cloud
 * sees, whatever order the program registered the resources in.
 */
export function waitsFor(plan: Plan, name: string, other: string): boolean {
  const byName = new Map(plan.resources.map((r) => [r.name, r]));
  if (!byName.has(name) || !byName.has(other)) throw new Error(`no resource named ${byName.has(name) ? other : name} in the plan`);
  const seen = new Set<string>();
  const stack = [...byName.get(name)!.dependsOn];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === other) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(byName.get(next)?.dependsOn ?? []));
  }
  return false;
}
