import * as pulumi from '@pulumi/pulumi';

/**
 * Offline plans of the Pulumi programs: the program runs in-process under Pulumi's mocks (no
 * CLI, no backend, no provider plugins, no credentials), every resource it registers is
 * recorded with its resolved inputs and parent, and its exports are resolved. The plan is what a
 * security reviewer reads and what the policy packs check. Nothing here reads or writes files.
 */

/** One resource the program would create. */
export interface PlanResource {
  /** Pulumi type token, e.g. `azure-native:cognitiveservices:Account`. */
  readonly type: string;
  readonly name: string;
  /** Logical name of the parent component, or null for a top-level resource. */
  readonly parent: string | null;
  /** Inputs as the provider would receive them, outputs of other resources resolved. */
  readonly inputs: Record<string, unknown>;
  /**
   * For each input that took an output of other resources, those resources' logical names, as
   * the engine records them (a private endpoint's `privateLinkServiceConnections` names the
   * account it serves). Policies read it where a preview cannot know ids yet.
   * @default - no input depends on another resource
   */
  readonly propertyDependencies?: Record<string, string[]>;
  /**
   * Logical names of the resources this one's registration names as dependencies: explicit
   * `dependsOn` (a component expanded to its children) and inputs taken from other resources.
   * It also waits for whatever its parent waits for, which is not repeated here: read the order
   * with `waitsFor`. Order matters in the cloud (an endpoint must not be created while its
   * account is still provisioning), so reviewers and tests read it here.
   */
  readonly dependsOn: string[];
  /** Whether `pulumi destroy` refuses to delete the resource (Pulumi's `protect` option). */
  readonly protect: boolean;
  /**
   * Present, and true, when deleting the resource from the stack leaves it in the cloud (Pulumi's
   * `retainOnDelete` option): guards other stacks rely on outlive the stack that made them.
   */
  readonly retainOnDelete?: true;
}

/**
 * Whether the engine creates `node` only after `other`, given what each node waits for directly
 * (`waitsOn`: its dependencies and its parent). `key` identifies a node (a plan's logical name, a
 * policy resource's URN). Shared by the plan reader below and the policy packs, so a test and a
 * rule read the same order the same way.
 *
 * The parent counts because of how the Node SDK registers resources: a child is sent to the
 * engine only once its parent's URN has resolved, and a component is registered only once the
 * URNs of everything in its `dependsOn` (a component there meaning its resources) have resolved,
 * that is once they exist. So a component's `dependsOn` holds for every resource inside it,
 * although the engine records it on the component alone.
 */
export function createdAfter<N>(node: N, other: N, waitsOn: (n: N) => readonly N[], key: (n: N) => string): boolean {
  const goal = key(other);
  const seen = new Set<string>();
  const stack = [...waitsOn(node)];
  while (stack.length > 0) {
    const next = stack.pop()!;
    const k = key(next);
    if (k === goal) return true;
    if (!seen.has(k)) {
      seen.add(k);
      stack.push(...waitsOn(next));
    }
  }
  return false;
}

/**
 * Whether the engine creates `name` only after `other`: `other` is among what `name` waits for
 * (`dependsOn`, and its parent: see `createdAfter`), directly or through what those wait for.
 * This is the order the cloud sees, whatever order the program registered the resources in.
 */
export function waitsFor(plan: Plan, name: string, other: string): boolean {
  const byName = new Map(plan.resources.map((r) => [r.name, r]));
  if (!byName.has(name) || !byName.has(other)) throw new Error(`no resource named ${byName.has(name) ? other : name} in the plan`);
  const waitsOn = (n: string) => {
    const r = byName.get(n);
    return r ? (r.parent === null ? r.dependsOn : [...r.dependsOn, r.parent]) : [];
  };
  return createdAfter(name, other, waitsOn, (n) => n);
}

/** What a plan was made from, so a report never judges it against another organisation. */
export interface PlanProvenance {
  /** Where the organisation config was read from. */
  readonly orgConfig: string;
  /** `configDigest` of that config (lib/config/record.ts). */
  readonly orgConfigDigest: string;
  /** The stack file the settings came from, or `derived` when they were derived from the organisation config. */
  readonly settings: string;
}

export interface Plan {
  readonly cloud: string;
  readonly stack: string;
  readonly resources: PlanResource[];
  readonly outputs: Record<string, unknown>;
  /**
   * The provider function calls the program made and what the plan answered: on a real
   * `pulumi up` these read the cloud, so a reviewer sees which values came from a lookup.
   */
  readonly calls: PlanCall[];
  /**
   * Set by the plan command (bin/plan.ts).
   * @default - unknown provenance; the report refuses such a plan
   */
  readonly provenance?: PlanProvenance;
}

export interface PlanOptions {
  readonly cloud: string;
  readonly project: string;
  readonly stack: string;
  /**
   * Extra state the mock returns for a resource, e.g. computed attributes a program reads.
   * @default - the inputs, plus `name` and a mock `id`
   */
  readonly state?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
  /**
   * Answers to the provider function calls (invokes) the program may make, by token: what the
   * cloud returns for those arguments on the deployment the settings describe. A call without an
   * answer fails the plan.
   * @default - every call fails the plan
   */
  readonly answers?: PlanAnswers;
}

/** Answers to provider function calls, by invoke token. */
export type PlanAnswers = Readonly<Record<string, (args: Record<string, unknown>) => Record<string, unknown>>>;

/** A provider function call the program made during the plan, and the answer it was given. */
export interface PlanCall {
  /** Invoke token, e.g. `gcp:logging/getProjectCmekSettings:getProjectCmekSettings`. */
  readonly token: string;
  readonly args: Record<string, unknown>;
  readonly answer: Record<string, unknown>;
}

/** The slice of the mock monitor's request the recorder reads. */
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(fn: (deps: { getUrnsList(): string[] }, property: string) => void): void };
}
interface RecordingMonitor {
  registerResource(req: RegisterRequest, callback: (...args: unknown[]) => void): unknown;
}

function resolve<T>(value: pulumi.Input<T> | T): Promise<T> {
  return new Promise((done) => pulumi.output(value).apply((v) => done(v as T)));
}

/** Resolves once no new resource has been registered for a while (components register lazily). */
async function settle(count: () => number): Promise<void> {
  let last = -1;
  let quiet = 0;
  for (let i = 0; i < 2000 && quiet < 5; i++) {
    await new Promise((r) => setTimeout(r, 5));
    const now = count();
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
}

/**
 * Runs `program` under mocks and returns its plan. `program` creates resources and returns
 * the stack's exports. A provider function call (invoke) is answered only from
 * `options.answers` and recorded; any other call is refused, so the plan never depends on a
 * cloud lookup nobody stated.
 */
export async function planProgram(options: PlanOptions, program: () => Record<string, unknown>): Promise<Plan> {
  const recorded: Array<{ type: string; name: string; inputs: Record<string, unknown>; custom: boolean }> = [];
  const parents = new Map<string, string>();
  const propertyDependencies = new Map<string, Record<string, string[]>>();
  const waitsFor = new Map<string, { dependsOn: string[]; protect: boolean; retainOnDelete: boolean }>();
  const calls: PlanCall[] = [];
  // A refused call must fail the plan, not leave an export unresolved forever.
  let refuse: (e: Error) => void = () => undefined;
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  refused.catch(() => undefined);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        recorded.push({ type: args.type, name: args.name, inputs: args.inputs, custom: args.custom ?? true });
        const state = options.state?.(args.type, args.name, args.inputs) ?? {};
        return { id: `${args.name}-id`, state: { name: args.name, ...args.inputs, ...state } };
      },
      call: (args) => {
        const answer = options.answers?.[args.token];
        if (answer) {
          const result = answer(args.inputs);
          calls.push({ token: args.token, args: args.inputs, answer: result });
          return result;
        }
        const error = new Error(`the ${options.cloud} program called ${args.token} during an offline plan, which has no answer for it; take the value from config, or give the plan an answer (CloudProgram.answers)`);
        refuse(error);
        throw error;
      },
    },
    options.project,
    options.stack,
    false,
  );
  const monitor = pulumi.runtime.getMonitor() as unknown as RecordingMonitor;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const parentUrn = req.getParent();
    const key = `${req.getType()}::${req.getName()}`;
    waitsFor.set(key, { dependsOn: [...new Set(req.getDependenciesList().map((urn) => urn.split('::').pop()!))], protect: req.getProtect() === true, retainOnDelete: req.getRetainondelete() === true });
    if (parentUrn) parents.set(`${req.getType()}::${req.getName()}`, parentUrn.split('::').pop()!);
    const byProperty: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, property) => {
      const names = deps.getUrnsList().map((urn) => urn.split('::').pop()!);
      if (names.length > 0) byProperty[property] = names;
    });
    if (Object.keys(byProperty).length > 0) propertyDependencies.set(`${req.getType()}::${req.getName()}`, byProperty);
    return register(req, callback);
  };

  const exported = program();
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exported)) outputs[key] = await Promise.race([resolve(value), refused]);
  await Promise.race([settle(() => recorded.length), refused]);

  const resources = recorded
    .filter((r) => r.type !== 'pulumi:pulumi:Stack')
    .map((r) => {
      const key = `${r.type}::${r.name}`;
      const deps = propertyDependencies.get(key);
      const order = waitsFor.get(key) ?? { dependsOn: [], protect: false, retainOnDelete: false };
      return {
        type: r.type,
        name: r.name,
        parent: parents.get(key) ?? null,
        inputs: r.inputs,
        ...(deps ? { propertyDependencies: deps } : {}),
        dependsOn: order.dependsOn,
        protect: order.protect,
        ...(order.retainOnDelete ? { retainOnDelete: true as const } : {}),
      };
    });
  // Component resources are registered too (custom: false); they carry no inputs.
  return { cloud: options.cloud, stack: options.stack, resources, outputs, calls };
}
