import * as pulumi from '@pulumi/pulumi';
import { planProgram } from '../../lib/pulumi/plan';

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
