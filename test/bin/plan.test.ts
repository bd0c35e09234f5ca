import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { planClouds } from '../../bin/plan';
import { EXAMPLE_CONFIG_PATH, loadOrgConfig } from '../../lib/config';
import { configDigest } from '../../lib/config/record';
import type { Plan } from '../../lib/pulumi/plan';
import { azurePolicyConfig } from '../../policies/azure/policies';
import { gcpPolicyConfig } from '../../policies/gcp/policies';
import { chooseStackSettings } from '../../stacks/stack-settings';
import { exampleDocument, ROOT, runBin, tempDir, writeConfig } from './support';

const example = loadOrgConfig();

describe('bin/plan.ts, as npm run plan runs it', () => {
  let out: string;
  let stdout: string;
  const plans: Record<string, Plan> = {};
  beforeAll(() => {
    // Both clouds of the example, written to a temporary folder, never into the working tree.
    out = tempDir('plans');
    const run = runBin('plan.ts', ['--out', out]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    stdout = run.stdout;
    for (const cloud of ['azure', 'gcp']) plans[cloud] = JSON.parse(fs.readFileSync(path.join(out, `${cloud}.json`), 'utf8')) as Plan;
  });

  test.each(['azure', 'gcp'])('%s: { cloud, stack, resources: [{ type, name, parent, inputs, propertyDependencies?, dependsOn, protect }], outputs, calls, provenance }', (cloud) => {
    const plan = plans[cloud];
    expect(Object.keys(plan).sort()).toEqual(['calls', 'cloud', 'outputs', 'provenance', 'resources', 'stack']);
    expect(plan.cloud).toBe(cloud);
    expect(plan.stack).toBe('example');
    expect(stdout).toContain(`${cloud}: ${plan.resources.length} resources planned offline from stacks/${cloud}/Pulumi.example.yaml -> ${path.join(out, `${cloud}.json`)}`);
    for (const r of plan.resources) {
      expect(['dependsOn', 'inputs', 'name', 'parent', 'propertyDependencies', 'protect', 'type']).toEqual(expect.arrayContaining(Object.keys(r)));
      expect(typeof r.protect).toBe('boolean');
      for (const names of [...Object.values(r.propertyDependencies ?? {}), r.dependsOn]) for (const n of names) expect(plan.resources.map((x) => x.name)).toContain(n);
      expect(typeof r.type).toBe('string');
      expect(r.parent === null || plan.resources.some((p) => p.name === r.parent)).toBe(true);
    }
    // The one lookup the Google Cloud program makes (the Cloud Logging CMEK agent), with the plan's answer.
    expect(plan.calls.map((c) => c.token)).toEqual(cloud === 'gcp' ? ['gcp:logging/getProjectCmekSettings:getProjectCmekSettings'] : []);
    // The example stack files name the embedded example config, so the plan records its digest.
    expect(plan.provenance).toEqual({ orgConfig: 'lib/config/example.org.json', orgConfigDigest: configDigest(example), settings: `stacks/${cloud}/Pulumi.example.yaml` });
  });

  test('the Azure plan holds the security-relevant resources with their resolved inputs', () => {
    const plan = plans.azure;
    const account = plan.resources.find((r) => r.type === 'azure-native:cognitiveservices:Account');
    expect(account?.inputs).toMatchObject({ kind: 'AIServices', location: 'swedencentral', properties: { publicNetworkAccess: 'Disabled', disableLocalAuth: true } });
    expect(plan.resources.filter((r) => r.type === 'azure-native:cognitiveservices:Deployment')).toHaveLength(2);
    expect(plan.resources.filter((r) => r.type === 'azure-native:privatedns:PrivateZone')).toHaveLength(9);
    expect(plan.outputs).toMatchObject({ location: 'swedencentral', deploymentNames: ['gpt-4o', 'text-embedding-3-large'], privateDnsZonesCreated: true });
  });

  test('the Google plan uses the stack file settings, and each policy pack config comes from the organisation config', () => {
    const stackFile = yaml.load(fs.readFileSync(path.join(ROOT, 'stacks', 'gcp', 'Pulumi.example.yaml'), 'utf8')) as { config: Record<string, unknown> };
    expect(plans.gcp.resources.some((r) => r.type === 'gcp:compute/globalForwardingRule:GlobalForwardingRule' && r.inputs.name === stackFile.config['privateai:pscEndpointName'])).toBe(true);
    expect(plans.gcp.outputs).toMatchObject({ project: 'example-ai-prod', region: 'europe-west4', vpcServiceControls: 'enforced' });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'gcp.policy-config.json'), 'utf8'))).toEqual(gcpPolicyConfig(example.gcp!.allowedRegions));
    expect(JSON.parse(fs.readFileSync(path.join(out, 'azure.policy-config.json'), 'utf8'))).toEqual(azurePolicyConfig(example.azure!, 'example'));
  });

  test('a cloud the organisation config has no section for is not planned, and a plan left from another organisation is removed', () => {
    const doc = exampleDocument();
    delete doc.azure;
    delete doc.gcp;
    const config = writeConfig(doc);
    const dir = tempDir('plans');
    for (const file of ['azure.json', 'azure.policy-config.json', 'gcp.json']) fs.writeFileSync(path.join(dir, file), '{}');
    const run = runBin('plan.ts', ['--config', config, '--out', dir]);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toBe(
      `azure: not planned, the organisation config ${config} has no azure section\ngcp: not planned, the organisation config ${config} has no gcp section\n`,
    );
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('bin/plan.ts refuses what it cannot plan, naming the fix', () => {
  test('a stack file that uses another organisation config than --config', () => {
    const config = writeConfig(exampleDocument());
    const run = runBin('plan.ts', ['azure', '--stack', 'example', '--config', config, '--out', tempDir('plans')]);
    expect([run.status, run.stderr]).toEqual([1, `stacks/azure/Pulumi.example.yaml uses the organisation config lib/config/example.org.json, not ${config}; drop --config (and PRIVATEAI_CONFIG) or choose the stack that names it\n`]);
  });

  test('--stack without exactly one cloud, and an unknown cloud', async () => {
    await expect(planClouds({ stack: 'example' })).rejects.toThrow('--stack names one stack file: give exactly one cloud with it, e.g. bin/plan.ts azure --stack prod');
    await expect(planClouds({ clouds: ['aws'] })).rejects.toThrow('unknown cloud "aws"; use one or more of azure, gcp');
  });
});

describe('chooseStackSettings: where an offline plan takes stack settings from', () => {
  const program = { namespace: 'privateai', settingKeys: ['orgConfig', 'location', 'addressSpace'] };
  const derive = () => ({ location: 'derived-location' });

  function project(files: Record<string, Record<string, unknown>>): string {
    const dir = tempDir('project');
    for (const [stack, config] of Object.entries(files)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), yaml.dump({ config }));
    fs.writeFileSync(path.join(dir, 'Pulumi.yaml'), 'name: test\n');
    fs.writeFileSync(path.join(dir, 'org.json'), '{}');
    return dir;
  }

  test('the stack file that names the organisation config, the first by name when several do', () => {
    const dir = project({
      prod: { 'privateai:orgConfig': 'org.json', 'privateai:location': 'westeurope' },
      dev: { 'privateai:orgConfig': './org.json', 'privateai:location': 'swedencentral' },
      other: { 'privateai:orgConfig': 'other.json', 'privateai:location': 'eastus' },
    });
    const chosen = chooseStackSettings(program, dir, { orgConfigFile: path.join(dir, 'org.json'), derive, root: dir });
    expect(chosen).toMatchObject({ stack: 'dev', source: 'Pulumi.dev.yaml', orgConfigFile: path.join(dir, 'org.json'), alsoMatching: ['Pulumi.prod.yaml'] });
    expect(chosen.get('location')).toBe('swedencentral');
  });

  test('settings derived from the config when no stack file names it', () => {
    const dir = project({ other: { 'privateai:orgConfig': 'other.json' } });
    const chosen = chooseStackSettings(program, dir, { orgConfigFile: path.join(dir, 'org.json'), derive, root: dir });
    expect(chosen).toMatchObject({ stack: 'derived', source: 'derived', alsoMatching: [] });
    expect(chosen.get('location')).toBe('derived-location');
  });

  test('a misspelt key of the namespace is refused, as the pulumi up entry points refuse it; other namespaces are left alone', () => {
    const dir = project({ prod: { 'privateai:orgConfig': 'org.json', 'privateai:adressSpace': '10.0.0.0/16', 'azure-native:location': 'westeurope' } });
    expect(() => chooseStackSettings(program, dir, { orgConfigFile: path.join(dir, 'org.json'), derive, root: dir })).toThrow(
      'Pulumi.prod.yaml: unknown settings privateai:adressSpace; known: privateai:orgConfig, privateai:location, privateai:addressSpace',
    );
  });

  test('a stack file that would not be chosen is checked too: a misspelt orgConfig key must not leave the plan on derived settings unnoticed', () => {
    const dir = project({ prod: { 'privateai:orgconfig': 'org.json' } });
    expect(() => chooseStackSettings(program, dir, { orgConfigFile: path.join(dir, 'org.json'), derive, root: dir })).toThrow(
      'Pulumi.prod.yaml: unknown settings privateai:orgconfig; known: privateai:orgConfig, privateai:location, privateai:addressSpace',
    );
  });

  test('a stack file that names no organisation config uses the embedded example, as pulumi up does', () => {
    const dir = project({ plain: { 'privateai:location': 'westeurope' } });
    const chosen = chooseStackSettings(program, dir, { orgConfigFile: EXAMPLE_CONFIG_PATH, derive, root: dir });
    expect(chosen).toMatchObject({ stack: 'plain', orgConfigFile: EXAMPLE_CONFIG_PATH });
  });

  test('a YAML error names the stack file', () => {
    const dir = project({});
    fs.writeFileSync(path.join(dir, 'Pulumi.broken.yaml'), 'config:\n  privateai:location: [westeurope\n');
    expect(() => chooseStackSettings(program, dir, { orgConfigFile: EXAMPLE_CONFIG_PATH, derive, root: dir })).toThrow(/in ".*Pulumi\.broken\.yaml"/);
  });

  test('a stack chosen by name must exist', () => {
    const dir = project({ prod: {} });
    expect(() => chooseStackSettings(program, dir, { stack: 'test', derive, root: ROOT })).toThrow(`no stack file Pulumi.test.yaml in ${path.relative(ROOT, dir)}; stacks there: prod`);
  });
});
