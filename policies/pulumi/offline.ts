import type {
  Policies,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from '@pulumi/policy';
import type { Plan, PlanResource } from '../../lib/pulumi/plan';

/**
 * Runs CrossGuard policies over an offline plan (plans/<cloud>.json) the way `pulumi preview
 * --policy-pack` runs them over a real preview: each resource policy sees every resource, each
 * stack policy sees them all. Lets `npm run synth` enforce the packs without a Pulumi backend.
 */

export interface PolicyFinding {
  readonly policy: string;
  readonly enforcementLevel: string;
  readonly message: string;
  /** `type::name` of the resource, when the policy reported one. */
  readonly resource?: string;
}

export interface PolicyRunResult {
  readonly pack: string;
  /** Policies that ran and reported nothing. */
  readonly passed: string[];
  readonly violations: PolicyFinding[];
  /** Policies that declared themselves not applicable, with the reason. */
  readonly notApplicable: Array<{ policy: string; reason: string }>;
}

class NotApplicable extends Error {}

const OPTS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function toPolicyResources(plan: Plan, project: string): PolicyResource[] {
  const urnOf = (r: PlanResource) => `urn:pulumi:${plan.stack}::${project}::${r.type}::${r.name}`;
  const byName = new Map(plan.resources.map((r) => [r.name, r]));
  const resources: PolicyResource[] = plan.resources.map((r) => ({
    type: r.type,
    props: r.inputs,
    urn: urnOf(r),
    name: r.name,
    opts: { ...OPTS, protect: (r as Partial<PlanResource>).protect === true, parent: r.parent && byName.has(r.parent) ? urnOf(byName.get(r.parent)!) : undefined },
    dependencies: [],
    propertyDependencies: {},
    isType: (cls) => (cls as unknown as { __pulumiType?: string }).__pulumiType === r.type,
    asType: (cls) => ((cls as unknown as { __pulumiType?: string }).__pulumiType === r.type ? r.inputs : undefined) as never,
  }));
  // Dependencies as the engine hands them to stack policies: by property, and all of them.
  const byResourceName = new Map(resources.map((r) => [r.name, r]));
  plan.resources.forEach((r, i) => {
    const byProperty = Object.entries(r.propertyDependencies ?? {}).map(([property, names]) => [property, names.flatMap((n) => byResourceName.get(n) ?? [])] as const);
    resources[i].propertyDependencies = Object.fromEntries(byProperty);
    // A plan written by hand or by an earlier version may lack dependsOn: its inputs' dependencies are then all it has.
    const all = (r as Partial<PlanResource>).dependsOn?.flatMap((n) => byResourceName.get(n) ?? []) ?? byProperty.flatMap(([, deps]) => deps);
    resources[i].dependencies = [...new Set(all)];
    if (r.parent) resources[i].parent = byResourceName.get(r.parent);
  });
  return resources;
}

const isResourcePolicy = (p: ResourceValidationPolicy | StackValidationPolicy): p is ResourceValidationPolicy => 'validateResource' in p && p.validateResource !== undefined;

export interface OfflineRunOptions {
  /**
   * Pulumi project name used in the URNs.
   * @default 'offline'
   */
  readonly project?: string;
  /**
   * Policy configuration keyed by policy name, in the shape of a `--policy-pack-config` file.
   * @default - no configuration; policies read `{}`
   */
  readonly config?: Readonly<Record<string, Record<string, unknown>>>;
}

/** Runs a pack's policies over a plan. */
export async function runPoliciesOffline(pack: string, policies: Policies, plan: Plan, options: OfflineRunOptions = {}): Promise<PolicyRunResult> {
  const resources = toPolicyResources(plan, options.project ?? 'offline');
  const violations: PolicyFinding[] = [];
  const passed: string[] = [];
  const notApplicable: Array<{ policy: string; reason: string }> = [];
  const stackTags = new Map<string, string>();
  const notApplicableFn = (reason?: string): never => {
    throw new NotApplicable(reason ?? 'not applicable');
  };

  for (const policy of policies) {
    const level = policy.enforcementLevel ?? 'advisory';
    if (level === 'disabled') continue;
    const before = violations.length;
    const getConfig = <T extends object>(): T => ({ ...(options.config?.[policy.name] ?? {}) }) as T;
    const report = (resource?: PolicyResource) => (message: string, urn?: string) => {
      const target = urn ? resources.find((r) => r.urn === urn) : resource;
      violations.push({ policy: policy.name, enforcementLevel: level, message, resource: target ? `${target.type}::${target.name}` : undefined });
    };
    try {
      if (isResourcePolicy(policy)) {
        const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
        for (const r of resources) {
          const args: ResourceValidationArgs = {
            type: r.type,
            props: r.props,
            urn: r.urn,
            name: r.name,
            opts: r.opts,
            stackTags,
            isType: r.isType,
            asType: (cls) => (r.isType(cls) ? r.props : undefined) as never,
            getConfig,
            notApplicable: notApplicableFn,
          };
          for (const validate of validations) await validate(args, report(r));
        }
      } else {
        const args: StackValidationArgs = { resources, stackTags, getConfig, notApplicable: notApplicableFn };
        await policy.validateStack(args, report());
      }
      if (violations.length === before) passed.push(policy.name);
    } catch (e) {
      if (e instanceof NotApplicable) notApplicable.push({ policy: policy.name, reason: e.message });
      else throw e;
    }
  }
  return { pack, passed, violations, notApplicable };
}

/** Findings that must fail the build. */
export const mandatoryViolations = (result: PolicyRunResult) => result.violations.filter((v) => v.enforcementLevel === 'mandatory');
