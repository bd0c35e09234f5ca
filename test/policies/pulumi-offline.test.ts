import type { Policies } from '@pulumi/policy';
import { mandatoryViolations, runPoliciesOffline } from '../../policies/pulumi/offline';
import type { Plan } from '../../lib/pulumi/plan';

const plan: Plan = {
  cloud: 'test',
  stack: 'example',
  outputs: {},
  calls: [],
  resources: [
    { type: 'test:index:Box', name: 'box', parent: null, inputs: {}, dependsOn: [], protect: false },
    { type: 'test:index:Thing', name: 'open', parent: 'box', inputs: { public: true }, dependsOn: [], protect: false },
    { type: 'test:index:Thing', name: 'closed', parent: 'box', inputs: { public: false }, dependsOn: [], protect: true },
  ],
};

const policies: Policies = [
  {
    name: 'no-public-things',
    description: 'things are private',
    enforcementLevel: 'mandatory',
    validateResource: (args, report) => {
      if (args.type === 'test:index:Thing' && args.props.public) report(`${args.name} is public`);
    },
  },
  {
    name: 'at-least-one-box',
    description: 'a box exists',
    enforcementLevel: 'advisory',
    validateStack: (args, report) => {
      if (!args.resources.some((r) => r.type === 'test:index:Box')) report('no box');
    },
  },
  {
    name: 'only-for-widgets',
    description: 'applies to widgets',
    enforcementLevel: 'mandatory',
    validateStack: (args) => {
      if (!args.resources.some((r) => r.type === 'test:index:Widget')) args.notApplicable('no widgets in this stack');
    },
  },
];

describe('runPoliciesOffline', () => {
  test('resource and stack policies run over the plan; findings name the policy, level and resource', async () => {
    const result = await runPoliciesOffline('test-pack', policies, plan);
    expect(result.violations).toEqual([{ policy: 'no-public-things', enforcementLevel: 'mandatory', message: 'open is public', resource: 'test:index:Thing::open' }]);
    expect(result.passed).toEqual(['at-least-one-box']);
    expect(result.notApplicable).toEqual([{ policy: 'only-for-widgets', reason: 'no widgets in this stack' }]);
    expect(mandatoryViolations(result)).toHaveLength(1);
  });

  test('a stack policy sees every resource with its parent', async () => {
    const parents: Array<string | undefined> = [];
    await runPoliciesOffline('p', [{ name: 'x', description: 'x', validateStack: (args) => void parents.push(...args.resources.map((r) => r.opts.parent)) }], plan, { project: 'proj' });
    expect(parents).toEqual([undefined, 'urn:pulumi:example::proj::test:index:Box::box', 'urn:pulumi:example::proj::test:index:Box::box']);
  });

  test('a stack policy sees which resources each property depends on, every resource it waits for, and which are protected, as the engine reports them', async () => {
    const linked: Plan = {
      ...plan,
      resources: [...plan.resources, { type: 'test:index:Link', name: 'link', parent: null, inputs: { target: 'closed-id' }, propertyDependencies: { target: ['closed'] }, dependsOn: ['closed', 'open'], protect: false }],
    };
    const seen: Record<string, unknown> = {};
    await runPoliciesOffline('p', [{
      name: 'x',
      description: 'x',
      validateStack: (args) => {
        const link = args.resources.find((r) => r.name === 'link')!;
        seen.target = link.propertyDependencies.target.map((r) => r.name);
        seen.all = link.dependencies.map((r) => r.name);
        seen.parentOfOpen = args.resources.find((r) => r.name === 'open')!.parent?.name;
        seen.protected = args.resources.filter((r) => r.opts.protect).map((r) => r.name);
      },
    }], linked);
    expect(seen).toEqual({ target: ['closed'], all: ['closed', 'open'], parentOfOpen: 'box', protected: ['closed'] });
  });

  test('each policy reads its own configuration, as from a --policy-pack-config file', async () => {
    const seen: Record<string, unknown> = {};
    const configured: Policies = ['a', 'b'].map((name) => ({ name, description: name, validateStack: (args) => void (seen[name] = args.getConfig()) }));
    await runPoliciesOffline('p', configured, plan, { config: { a: { allowed: ['x'] } } });
    expect(seen).toEqual({ a: { allowed: ['x'] }, b: {} });
  });
});
