import * as pulumi from '@pulumi/pulumi';
import type { StackValidationPolicy } from '@pulumi/policy';
import { planProgram, waitsFor } from '../../lib/pulumi/plan';
import { runPoliciesOffline } from '../../policies/pulumi/offline';
import { waitsForResource } from '../../policies/pulumi/props';

class Thing extends pulumi.CustomResource {
  constructor(type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
    super(type, name, props, opts);
  }
}

class Box extends pulumi.ComponentResource {
  public readonly child: pulumi.CustomResource;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super('test:index:Box', name, {}, opts);
    this.child = new Thing('test:index:Thing', `${name}-thing`, { size: 3 }, { parent: this });
    this.registerOutputs({});
  }
}

describe('planProgram', () => {
  test('records every resource with its type, inputs and parent, and resolves the exports', async () => {
    const plan = await planProgram({ cloud: 'test', project: 'p', stack: 'example' }, () => {
      const box = new Box('box');
      const top = new Thing('test:index:Other', 'top', { ref: box.child.id });
      return { boxChildId: box.child.id, topName: 'top', topId: top.id };
    });
    expect(plan.cloud).toBe('test');
    expect(plan.stack).toBe('example');
    expect(plan.resources).toEqual(
      expect.arrayContaining([
        { type: 'test:index:Box', name: 'box', parent: null, inputs: {}, dependsOn: [], protect: false },
        { type: 'test:index:Thing', name: 'box-thing', parent: 'box', inputs: { size: 3 }, dependsOn: [], protect: false },
        { type: 'test:index:Other', name: 'top', parent: null, inputs: { ref: 'box-thing-id' }, propertyDependencies: { ref: ['box-thing'] }, dependsOn: ['box-thing'], protect: false },
      ]),
    );
    expect(plan.outputs).toEqual({ boxChildId: 'box-thing-id', topName: 'top', topId: 'top-id' });
  });
});

describe('planProgram, ordering and protection', () => {
  test('records what each resource waits for (dependsOn on a component means its children) and whether it is protected', async () => {
    const plan = await planProgram({ cloud: 'test', project: 'p', stack: 'order' }, () => {
      const box = new Box('box');
      const first = new Thing('test:index:Other', 'first', {}, { protect: true });
      new Thing('test:index:Other', 'second', { ref: first.id }, { dependsOn: [box] });
      return {};
    });
    const byName = (name: string) => plan.resources.find((r) => r.name === name)!;
    expect(byName('first')).toMatchObject({ dependsOn: [], protect: true });
    expect(byName('second')).toMatchObject({ dependsOn: expect.arrayContaining(['first', 'box-thing']), protect: false, propertyDependencies: { ref: ['first'] } });
    expect(byName('second').dependsOn).toHaveLength(2);
  });

  test('records retainOnDelete only on the resources that ask for it, so other plans keep their shape', async () => {
    const plan = await planProgram({ cloud: 'test', project: 'p', stack: 'retain' }, () => {
      new Thing('test:index:Other', 'kept', {}, { retainOnDelete: true });
      new Thing('test:index:Other', 'plain', {}, { retainOnDelete: false });
      return {};
    });
    expect(plan.resources.find((r) => r.name === 'kept')).toMatchObject({ retainOnDelete: true });
    expect(Object.keys(plan.resources.find((r) => r.name === 'plain')!)).not.toContain('retainOnDelete');
  });
});

/** A component holding a Box: its thing is two parents below it. */
class Shelf extends pulumi.ComponentResource {
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super('test:index:Shelf', name, {}, opts);
    new Box(`${name}-box`, { parent: this });
    this.registerOutputs({});
  }
}

describe('waitsFor and waitsForResource follow the parent chain', () => {
  // The Node SDK registers a child only once its parent's URN resolves, and a component only
  // once everything in its dependsOn exists, so the child waits although its registration
  // names no dependency.
  let plan: Awaited<ReturnType<typeof planProgram>>;
  beforeAll(async () => {
    plan = await planProgram({ cloud: 'test', project: 'p', stack: 'parents' }, () => {
      const first = new Thing('test:index:Other', 'first', {});
      new Shelf('shelf', { dependsOn: [first] });
      new Thing('test:index:Other', 'apart', {});
      return {};
    });
  });

  test('a resource two components deep waits for what the outer component depends on; nothing else does', () => {
    const thing = plan.resources.find((r) => r.name === 'shelf-box-thing')!;
    expect(thing).toMatchObject({ parent: 'shelf-box', dependsOn: [] });
    expect(plan.resources.find((r) => r.name === 'shelf')!.dependsOn).toEqual(['first']);
    expect(waitsFor(plan, 'shelf-box-thing', 'first')).toBe(true);
    expect(waitsFor(plan, 'shelf-box', 'first')).toBe(true);
    expect(waitsFor(plan, 'first', 'shelf-box-thing')).toBe(false);
    expect(waitsFor(plan, 'apart', 'first')).toBe(false);
    expect(waitsFor(plan, 'shelf-box-thing', 'apart')).toBe(false);
  });

  test('the policy packs read the same order from a preview', async () => {
    const order: StackValidationPolicy = {
      name: 'test-order',
      description: 'reports, for each pair, whether the first waits for the second',
      enforcementLevel: 'advisory',
      validateStack: (args, report) => {
        const named = (name: string) => args.resources.find((r) => r.name === name)!;
        for (const [a, b] of [['shelf-box-thing', 'first'], ['first', 'shelf-box-thing'], ['apart', 'first']]) report(`${a} after ${b}: ${waitsForResource(named(a), named(b))}`);
      },
    };
    const result = await runPoliciesOffline('test', [order], plan);
    expect(result.violations.map((v) => v.message)).toEqual(['shelf-box-thing after first: true', 'first after shelf-box-thing: false', 'apart after first: false']);
  });
});

describe('planProgram, twice in one process', () => {
  test('a second plan records only its own resources', async () => {
    const first = await planProgram({ cloud: 'test', project: 'p', stack: 'one' }, () => ({ id: new Box('first').child.id }));
    const second = await planProgram({ cloud: 'test', project: 'p', stack: 'two' }, () => ({ id: new Box('second').child.id }));
    expect(first.resources.map((r) => r.name).sort()).toEqual(['first', 'first-thing']);
    expect(second.resources.map((r) => r.name).sort()).toEqual(['second', 'second-thing']);
    expect(second.stack).toBe('two');
  });
});
