import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Plan } from '../../lib/pulumi/plan';

const root = path.join(__dirname, '..', '..');

describe('bin/plan.ts azure', () => {
  let plan: Plan;
  let stdout: string;
  beforeAll(() => {
    // The CLI as `npm run plan` runs it: the example stack file, no credentials, no Pulumi CLI.
    stdout = execFileSync(path.join(root, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', 'bin/plan.ts', 'azure'], { cwd: root, encoding: 'utf8' });
    plan = JSON.parse(fs.readFileSync(path.join(root, 'plans', 'azure.json'), 'utf8')) as Plan;
  }, 60_000);

  test('writes { cloud, stack, resources: [{ type, name, parent, inputs, propertyDependencies? }], outputs }', () => {
    expect(Object.keys(plan).sort()).toEqual(['cloud', 'outputs', 'resources', 'stack']);
    expect(plan.cloud).toBe('azure');
    expect(plan.stack).toBe('example');
    expect(stdout).toContain(`azure: ${plan.resources.length} resources planned offline`);
    for (const r of plan.resources) {
      expect(['inputs', 'name', 'parent', 'propertyDependencies', 'type']).toEqual(expect.arrayContaining(Object.keys(r)));
      for (const names of Object.values(r.propertyDependencies ?? {})) for (const n of names) expect(plan.resources.map((x) => x.name)).toContain(n);
      expect(typeof r.type).toBe('string');
      expect(r.parent === null || plan.resources.some((p) => p.name === r.parent)).toBe(true);
    }
  });

  test('holds the security-relevant resources with their resolved inputs', () => {
    const account = plan.resources.find((r) => r.type === 'azure-native:cognitiveservices:Account');
    expect(account?.inputs).toMatchObject({ kind: 'AIServices', location: 'swedencentral', properties: { publicNetworkAccess: 'Disabled', disableLocalAuth: true } });
    expect(plan.resources.filter((r) => r.type === 'azure-native:cognitiveservices:Deployment')).toHaveLength(2);
    expect(plan.resources.filter((r) => r.type === 'azure-native:privatedns:PrivateZone')).toHaveLength(4);
    expect(plan.outputs).toMatchObject({ location: 'swedencentral', deploymentNames: ['gpt-4o', 'text-embedding-3-large'], privateDnsZonesCreated: true });
  });
});
