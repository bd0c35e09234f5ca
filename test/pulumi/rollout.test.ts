import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { ROLLOUT_PROGRAMS, readStackFiles } from '../../bin/rollout';
import { EXAMPLE_CONFIG_PATH, loadOrgConfig, type OrgConfigInput } from '../../lib/config';
import {
  automationArgs,
  describeChanges,
  formatSummary,
  planRollout,
  prefixLines,
  runRollout,
  type ChangeCounts,
  type RolloutCloud,
  type RolloutEngine,
  type RolloutRunOptions,
  type StackRun,
} from '../../lib/pulumi/rollout';
import { exampleDocument, ROOT, tempDir } from '../bin/support';

// Planning without the Pulumi CLI: an organisation config and stack files in a temporary
// directory, validated by the settings code the `pulumi up` entry points run.

const exampleStack = (cloud: RolloutCloud) =>
  (yaml.load(fs.readFileSync(path.join(ROOT, 'stacks', cloud, 'Pulumi.example.yaml'), 'utf8')) as { config: Record<string, unknown> }).config;

const SUB_A = '11111111-1111-1111-1111-111111111111';
const SUB_B = '22222222-2222-2222-2222-222222222222';

/** Settings of an Azure stack in `subscription` and `location`, otherwise the example's. */
const azureStack = (subscription: string, location: string): Record<string, unknown> => ({
  'azure-native:subscriptionId': subscription,
  'azure-native:location': location,
  'privateai:subscriptionId': subscription,
  'privateai:location': location,
});
const gcpStack = (project: string, region: string): Record<string, unknown> => ({ 'gcp:project': project, 'gcp:region': region, 'privateai:projectId': project, 'privateai:region': region });

interface Fleet {
  readonly orgFile: string;
  readonly projectDir: string;
}

/**
 * An organisation config with `<cloud>.rollout` (left out when undefined) and a project directory
 * of stack files: each the example stack's settings with `overrides` (undefined removes a key),
 * naming that config unless an override says otherwise.
 */
function fleet(cloud: RolloutCloud, rollout: string[] | undefined, stacks: Record<string, Record<string, unknown>>, edit?: (doc: OrgConfigInput) => void): Fleet {
  const dir = tempDir('rollout');
  const doc = exampleDocument();
  if (rollout) doc[cloud]!.rollout = rollout;
  edit?.(doc);
  const orgFile = path.join(dir, 'org.json');
  fs.writeFileSync(orgFile, JSON.stringify(doc));
  const projectDir = path.join(dir, 'stacks', cloud);
  fs.mkdirSync(projectDir, { recursive: true });
  for (const [stack, overrides] of Object.entries(stacks)) {
    const config: Record<string, unknown> = { ...exampleStack(cloud), 'privateai:orgConfig': '../../org.json', ...overrides };
    for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete config[k];
    fs.writeFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), yaml.dump({ config }));
  }
  return { orgFile, projectDir };
}

const plan = (cloud: RolloutCloud, f: Fleet, stopAfter?: string) =>
  planRollout({
    cloud,
    org: loadOrgConfig(f.orgFile),
    orgConfig: f.orgFile,
    program: ROLLOUT_PROGRAMS[cloud],
    projectDir: `stacks/${cloud}`,
    stackFiles: readStackFiles(f.projectDir, 'privateai', f.orgFile),
    stopAfter,
  });

describe('planRollout: which stacks, in what order, deploying where', () => {
  test('Azure: the stacks of azure.rollout in its order, each with its subscription and location; stack files not listed are left alone', () => {
    const f = fleet('azure', ['weu', 'sec'], {
      sec: azureStack(SUB_A, 'swedencentral'),
      weu: azureStack(SUB_A.toUpperCase(), 'westeurope'),
      // Another organisation's stack and one with settings nobody checks: not in the list, not read.
      sandbox: { ...azureStack(SUB_B, 'eastus'), 'privateai:orgConfig': EXAMPLE_CONFIG_PATH },
    });
    expect(plan('azure', f)).toEqual([
      // Subscription IDs are case-insensitive; the settings lower-case them, as the program does.
      { stack: 'weu', file: path.join(f.projectDir, 'Pulumi.weu.yaml'), target: { scope: SUB_A, region: 'westeurope' } },
      { stack: 'sec', file: path.join(f.projectDir, 'Pulumi.sec.yaml'), target: { scope: SUB_A, region: 'swedencentral' } },
    ]);
  });

  test('Google Cloud: the stacks of gcp.rollout in its order, each with its project and region', () => {
    const f = fleet('gcp', ['prod-ew4', 'prod-ew1'], { 'prod-ew1': gcpStack('acme-ai-prod', 'europe-west1'), 'prod-ew4': gcpStack('acme-ai-prod', 'europe-west4') });
    expect(plan('gcp', f).map((s) => [s.stack, s.target])).toEqual([
      ['prod-ew4', { scope: 'acme-ai-prod', region: 'europe-west4' }],
      ['prod-ew1', { scope: 'acme-ai-prod', region: 'europe-west1' }],
    ]);
  });

  test('a stack without orgConfig names the embedded example: rolled out from the example config itself', () => {
    // readStackFiles resolves the missing key as the entry points do; only the example config matches it.
    const f = fleet('gcp', ['prod'], { prod: { ...gcpStack('acme-ai-prod', 'europe-west4'), 'privateai:orgConfig': undefined } });
    const [file] = readStackFiles(f.projectDir, 'privateai', EXAMPLE_CONFIG_PATH);
    expect([file.namesRolloutConfig, file.orgConfig]).toEqual([true, path.relative(process.cwd(), EXAMPLE_CONFIG_PATH)]);
    expect(readStackFiles(f.projectDir, 'privateai', f.orgFile)[0].namesRolloutConfig).toBe(false);
  });
});

describe('planRollout: refusals name the field or file and the fix', () => {
  test('no azure.rollout: names the field, the fix and the stack files there', () => {
    const f = fleet('azure', undefined, { prod: azureStack(SUB_A, 'westeurope') });
    expect(() => plan('azure', f)).toThrow(
      `the organisation config ${f.orgFile} has no azure.rollout; list the stacks of stacks/azure to roll out, in order, e.g. "rollout": ["prod-weu"] (stack files there: prod)`,
    );
  });

  test('no gcp section at all', () => {
    const f = fleet('gcp', undefined, {}, (doc) => delete doc.gcp);
    expect(() => plan('gcp', f)).toThrow(/has no gcp section; add one with gcp.rollout \(the stacks of stacks\/gcp in rollout order\) to roll out gcp$/);
  });

  test('a listed stack without a stack file', () => {
    const f = fleet('azure', ['prod', 'dr'], { prod: azureStack(SUB_A, 'westeurope') });
    expect(() => plan('azure', f)).toThrow(/ {2}- dr: no stack file stacks\/azure\/Pulumi\.dr\.yaml; create it from Pulumi\.example\.yaml, or remove dr from azure\.rollout \(stack files there: prod\)$/);
  });

  test('settings pulumi up would refuse: a location outside the allowlist, an unknown key', () => {
    const f = fleet('azure', ['us', 'typo'], { us: azureStack(SUB_A, 'eastus'), typo: { ...azureStack(SUB_B, 'westeurope'), 'privateai:locaton': 'westeurope' } });
    let message = '';
    try {
      plan('azure', f);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`  - ${path.join(f.projectDir, 'Pulumi.us.yaml')}: `);
    expect(message).toMatch(/location eastus is not allowed by data residency policy; allowed: swedencentral, westeurope \(config: privateai:location\)/);
    expect(message).toContain(`  - ${path.join(f.projectDir, 'Pulumi.typo.yaml')}: unknown settings privateai:locaton; known: privateai:orgConfig, `);
  });

  test('Google settings are validated too: a region outside gcp.allowedRegions', () => {
    const f = fleet('gcp', ['us'], { us: gcpStack('acme-ai-prod', 'us-central1') });
    expect(() => plan('gcp', f)).toThrow(/Pulumi\.us\.yaml: .*us-central1/s);
  });

  test('a stack listed twice', () => {
    const f = fleet('gcp', ['a', 'b', 'a'], { a: gcpStack('acme-a', 'europe-west4'), b: gcpStack('acme-b', 'europe-west4') });
    expect(() => plan('gcp', f)).toThrow(/gcp\.rollout lists a twice \(positions 1 and 3\); list each stack once/);
  });

  test('a stack file that names another organisation config: refused, not validated against this one', () => {
    const f = fleet('azure', ['prod'], { prod: { ...azureStack(SUB_A, 'westeurope'), 'privateai:orgConfig': '../../other-org.json' } });
    const other = path.join(path.dirname(f.orgFile), 'other-org.json');
    expect(() => plan('azure', f)).toThrow(
      `  - ${path.join(f.projectDir, 'Pulumi.prod.yaml')} names the organisation config ${other} (privateai:orgConfig), not ${f.orgFile}: it belongs to another organisation; remove prod from azure.rollout, or point the stack at ${f.orgFile}`,
    );
  });

  test('two stacks in the same subscription and location (IDs compared case-insensitively)', () => {
    const f = fleet('azure', ['a', 'b'], { a: azureStack(SUB_A, 'westeurope'), b: azureStack(SUB_A.toUpperCase(), 'westeurope') });
    expect(() => plan('azure', f)).toThrow(
      `a and b both deploy to subscription ${SUB_A} in location westeurope; two stacks there would manage the same resources: give each its own subscription or location, or list one of them`,
    );
  });

  test('two stacks in the same project and region', () => {
    const f = fleet('gcp', ['a', 'b'], { a: gcpStack('acme-ai', 'europe-west4'), b: gcpStack('acme-ai', 'europe-west4') });
    expect(() => plan('gcp', f)).toThrow(/a and b both deploy to project acme-ai in region europe-west4/);
  });

  test('--stop-after a stack not in the list', () => {
    const f = fleet('gcp', ['a'], { a: gcpStack('acme-a', 'europe-west4') });
    expect(() => plan('gcp', f, 'b')).toThrow(/--stop-after b is not in gcp\.rollout \(a\)/);
    expect(plan('gcp', f, 'a')).toHaveLength(1);
  });

  test('every problem is listed at once, before anything runs', () => {
    const f = fleet('azure', ['a', 'a', 'missing', 'us'], { a: azureStack(SUB_A, 'westeurope'), us: azureStack(SUB_B, 'eastus') });
    let message = '';
    try {
      plan('azure', f);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')[0]).toBe(`rollout of azure.rollout (${f.orgFile}) refused, nothing was previewed or updated:`);
    expect(message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(3);
    // The settings' own list of problems stays under its file.
    expect(message).toContain(`Pulumi.us.yaml: invalid Azure stack settings:\n      - location eastus is not allowed`);
  });
});

const TARGET = { scope: SUB_A, region: 'westeurope' };
const run = (stack: string): StackRun => ({
  stack,
  file: `stacks/azure/Pulumi.${stack}.yaml`,
  target: TARGET,
  workDir: '/repo/stacks/azure',
  policyPack: '/repo/policies/azure',
  policyPackConfig: `/tmp/rollout/${stack}/azure.policy-config.json`,
});

/** An engine that records its calls, writes some output and fails the stacks named in `failing`. */
function fakeEngine(failing: readonly string[] = []): RolloutEngine & { calls: string[] } {
  const calls: string[] = [];
  const op = (name: 'preview' | 'up') => async (r: StackRun, output: { out: (c: string) => void; err: (c: string) => void }): Promise<ChangeCounts> => {
    calls.push(`${name} ${r.stack}`);
    output.out(`${name}ing ${r.stack}\nResources:\n    + 3 to cr`);
    output.out('eate\n');
    if (failing.includes(r.stack)) {
      output.err('error: policy violation');
      throw new Error(`pulumi ${name} failed (exit code 255); its output is above`);
    }
    return name === 'preview' ? { create: 3, same: 1 } : { create: 3 };
  };
  return { calls, preview: op('preview'), up: op('up') };
}

function loop(mode: 'preview' | 'up', stopAfter?: string) {
  const lines: { log: string[]; out: string[]; err: string[] } = { log: [], out: [], err: [] };
  let t = 0;
  const options: RolloutRunOptions = {
    mode,
    stopAfter,
    log: (l) => lines.log.push(l),
    write: { out: (l) => lines.out.push(l), err: (l) => lines.err.push(l) },
    // Each stack takes 2 s.
    now: () => (t += 1000),
  };
  return { lines, options };
}

describe('runRollout: the loop, with a fake engine', () => {
  test('--preview previews every stack in order and never updates; output is streamed line by line with the stack prefix', async () => {
    const engine = fakeEngine();
    const { lines, options } = loop('preview');
    const rows = await runRollout([run('a'), run('b')], engine, options);
    expect(engine.calls).toEqual(['preview a', 'preview b']);
    expect(rows).toEqual([
      { stack: 'a', target: TARGET, result: 'previewed', changes: { create: 3, same: 1 }, durationMs: 1000 },
      { stack: 'b', target: TARGET, result: 'previewed', changes: { create: 3, same: 1 }, durationMs: 1000 },
    ]);
    expect(lines.out.slice(0, 3)).toEqual(['[a] previewing a', '[a] Resources:', '[a]     + 3 to create']);
    expect(lines.log[0]).toBe('a: pulumi preview of stacks/azure/Pulumi.a.yaml with policy pack /repo/policies/azure');
  });

  test('--up previews, then updates, each stack before the next', async () => {
    const engine = fakeEngine();
    const { options } = loop('up');
    const rows = await runRollout([run('a'), run('b')], engine, options);
    expect(engine.calls).toEqual(['preview a', 'up a', 'preview b', 'up b']);
    expect(rows.map((r) => [r.result, r.changes])).toEqual([
      ['updated', { create: 3 }],
      ['updated', { create: 3 }],
    ]);
  });

  test('stops at the first failure: a failed preview is never followed by its update, and later stacks do not run', async () => {
    const engine = fakeEngine(['b']);
    const { lines, options } = loop('up');
    const rows = await runRollout([run('a'), run('b'), run('c')], engine, options);
    expect(engine.calls).toEqual(['preview a', 'up a', 'preview b']);
    expect(rows.map((r) => [r.stack, r.result, r.note])).toEqual([
      ['a', 'updated', undefined],
      ['b', 'failed', 'pulumi preview failed (exit code 255); its output is above'],
      ['c', 'not run', 'b failed'],
    ]);
    // stderr without a trailing newline is flushed when the stack ends.
    expect(lines.err).toEqual(['[b] error: policy violation']);
  });

  test('--stop-after runs the list up to that stack', async () => {
    const engine = fakeEngine();
    const { options } = loop('preview', 'b');
    const rows = await runRollout([run('a'), run('b'), run('c')], engine, options);
    expect(engine.calls).toEqual(['preview a', 'preview b']);
    expect(rows[2]).toEqual({ stack: 'c', target: TARGET, result: 'not run', note: '--stop-after b' });
  });
});

describe('what each stack runs with, and the summary', () => {
  test('Automation API arguments: the stack in its project directory, the pack and its configuration, output streamed', () => {
    const output = { out: jest.fn(), err: jest.fn() };
    expect(automationArgs(run('prod'), output)).toEqual({
      stack: { stackName: 'prod', workDir: '/repo/stacks/azure' },
      operation: { policyPacks: ['/repo/policies/azure'], policyPackConfigs: ['/tmp/rollout/prod/azure.policy-config.json'], onOutput: output.out, onError: output.err },
    });
  });

  test('prefixLines joins chunks split mid-line and keeps empty lines', () => {
    const out: string[] = [];
    const p = prefixLines('[x] ', (l) => out.push(l));
    p.write('one\r\ntw');
    p.write('o\n\nthr');
    expect(out).toEqual(['[x] one', '[x] two', '[x] ']);
    p.flush();
    p.flush();
    expect(out).toEqual(['[x] one', '[x] two', '[x] ', '[x] thr']);
  });

  test('changes: operations in a fixed order, unchanged resources apart', () => {
    expect(describeChanges({ same: 40, delete: 1, update: 2, create: 3, replace: 0 })).toBe('create 3, update 2, delete 1 (40 unchanged)');
    expect(describeChanges({ same: 107 })).toBe('none (107 unchanged)');
    expect(describeChanges({})).toBe('none');
  });

  test('the summary table: stack, subscription, location, result, changes, duration; then why stacks failed or did not run', () => {
    const lines = formatSummary(
      [
        { stack: 'prod-weu', target: TARGET, result: 'updated', changes: { create: 107 }, durationMs: 312_400 },
        { stack: 'dr', target: { scope: SUB_B, region: 'swedencentral' }, result: 'failed', durationMs: 9_600, note: 'pulumi preview failed (exit code 255); its output is above' },
        { stack: 'test', target: TARGET, result: 'not run', note: 'dr failed' },
      ],
      ROLLOUT_PROGRAMS.azure.labels,
    );
    expect(lines).toEqual([
      'stack     subscription                          location       result   changes     duration',
      '--------  ------------------------------------  -------------  -------  ----------  ----------',
      `prod-weu  ${SUB_A}  westeurope     updated  create 107  5 min 12 s`,
      `dr        ${SUB_B}  swedencentral  failed   -           10 s`,
      `test      ${SUB_A}  westeurope     not run  -           -`,
      'dr: failed, pulumi preview failed (exit code 255); its output is above',
      'test: not run, dr failed',
    ]);
  });
});
