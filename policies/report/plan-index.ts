import type { Plan, PlanResource } from '../../lib/pulumi/plan';
import { valueAt } from '../pulumi/props';
import type { Evidence } from './model';

/** Reads an offline plan for the report: resources by type, and who depends on whom. */
export class PlanIndex {
  constructor(public readonly plan: Plan) {}

  ofType(type: string): PlanResource[] {
    return this.plan.resources.filter((r) => r.type === type);
  }

  /** Resources of `type` whose input `property` took an output of `target`. */
  dependents(target: PlanResource, type: string, property: string): PlanResource[] {
    return this.ofType(type).filter((r) => (r.propertyDependencies?.[property] ?? []).includes(target.name));
  }

  /** Resources of `type` that `r`'s input `property` took an output of. */
  dependencies(r: PlanResource, type: string, property: string): PlanResource[] {
    const names = r.propertyDependencies?.[property] ?? [];
    return this.ofType(type).filter((x) => names.includes(x.name));
  }

  /** Evidence about one property of one resource. */
  evidence(r: PlanResource, property: string, value: unknown, ok: boolean): Evidence {
    return { resource: `${this.plan.stack}/${r.name}`, type: r.type, property, value: short(value), ok };
  }

  /** Evidence about one property, read from the resource's inputs at `path`, judged by `ok`. */
  check(r: PlanResource, path: string, ok: (v: unknown) => boolean): Evidence {
    const v = valueAt(r.inputs, path);
    return this.evidence(r, path, v, ok(v));
  }

  /** The stack outputs as the report lists them: strings as they are, anything else as JSON. */
  outputs(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.plan.outputs).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  }

  /** Evidence that a resource type the control relies on is absent from the plan. */
  missing(type: string, what: string): Evidence {
    return { resource: this.plan.stack, type, property: 'count', value: `0 (${what})`, ok: false };
  }
}

/** A value as the report shows it: JSON, at most 80 characters. */
export function short(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text === undefined ? 'absent' : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
