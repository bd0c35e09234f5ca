import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { automationEngine, offlinePolicyConfig, parseRolloutArgs, rollout, ROLLOUT_PROGRAMS, type AutomationWorkspace, type RolloutDeps } from '../../bin/rollout';
import { loadOrgConfig } from '../../lib/config';
import type { Plan } from '../../lib/pulumi/plan';
import type { ChangeCounts, RolloutEngine, StackRun } from '../../lib/pulumi/rollout';
import { PULUMI_CLOUDS } from '../../policies/report/pulumi-clouds';
import { exampleDocument, ROOT, runBin, tempDir } from './support';

describe('parseRolloutArgs', () => {
  test('a preview unless --up is given', () => {
    expect(parseRolloutArgs(['azure'])).toEqual({ cloud: 'azure', mode: 'preview', config: undefined, stopAfter: undefined });
    expect(parseRolloutArgs(['gcp', '--preview', '--config', 'org.json'])).toMatchObject({ cloud: 'gcp', mode: 'preview', config: 'org.json' });
    expect(parseRolloutArgs(['gcp', '--up', '--stop-after', 'canary'])).toMatchObject({ mode: 'up', stopAfter: 'canary' });
  });

  test('refusals say what was wrong and how to call it', () => {
    expect(() => parseRolloutArgs([])).toThrow('name one cloud to roll out (got none); usage: npm run rollout -- <azure|gcp> [--preview|--up] [--config FILE] [--stop-after STACK]');
    expect(() => parseRolloutArgs(['aws'])).toThrow('unknown cloud "aws"; use azure or gcp');
    expect(() => parseRolloutArgs(['azure', 'gcp'])).toThrow(/name one cloud to roll out \(got azure gcp\)/);
    expect(() => parseRolloutArgs(['azure', '--up', '--preview'])).toThrow('give --preview or --up, not both');
    // Not parseArgs' TypeError, which the command would print as a bug with its stack.
    let error: unknown;
    try {
      parseRolloutArgs(['azure', '--yes']);
    } catch (e) {
      error = e;
    }
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/Unknown option '--yes'.*; usage: npm run rollout/);
  });
});

describe('the validation is the one pulumi up runs', () => {
  test('ROLLOUT_PROGRAMS read the settings with the programs’ own functions and keys', async () => {
    const { azureProgram } = await import('../../stacks/azure/program');
    const { gcpProgram } = await import('../../stacks/gcp/program');
    const { readAzureSettings, SETTING_KEYS: azureKeys } = await import('../../stacks/azure/settings');
    const { readGcpSettings, SETTING_KEYS: gcpKeys } = await import('../../stacks/gcp/settings');
    expect([azureProgram.readSettings, azureProgram.namespace, azureProgram.settingKeys]).toEqual([readAzureSettings, ROLLOUT_PROGRAMS.azure.namespace, Object.keys(azureKeys)]);
    expect([gcpProgram.readSettings, gcpProgram.namespace, gcpProgram.settingKeys]).toEqual([readGcpSettings, ROLLOUT_PROGRAMS.gcp.namespace, Object.keys(gcpKeys)]);
  });
});

const SUB = (n: number) => `${n}${n}${n}${n}${n}${n}${n}${n}-0000-0000-0000-000000000000`;

/** An organisation config with azure.rollout and a project directory with a stack file per entry of `stacks`. */
function azureFleet(rolloutList: string[], stacks: Record<string, { subscription: string; location: string }>) {
  const dir = tempDir('rollout-bin');
  const doc = exampleDocument();
  doc.azure!.rollout = rolloutList;
  const orgFile = path.join(dir, 'org.json');
  fs.writeFileSync(orgFile, JSON.stringify(doc));
  const projectDir = path.join(dir, 'project');
  fs.mkdirSync(projectDir);
  const example = (yaml.load(fs.readFileSync(path.join(ROOT, 'stacks', 'azure', 'Pulumi.example.yaml'), 'utf8')) as { config: Record<string, unknown> }).config;
  for (const [stack, t] of Object.entries(stacks)) {
    const config = { ...example, 'privateai:orgConfig': '../org.json', 'privateai:subscriptionId': t.subscription, 'privateai:location': t.location };
    fs.writeFileSync(path.join(projectDir, `Pulumi.${stack}.yaml`), yaml.dump({ config }));
  }
  return { orgFile, projectDir, outDir: path.join(dir, 'out') };
}

/** A fake engine and policy-config writer that record what they were given. */
function fakes(failing: readonly string[] = []) {
  const runs: StackRun[] = [];
  const calls: string[] = [];
  const op = (name: 'preview' | 'up') => async (r: StackRun): Promise<ChangeCounts> => {
    runs.push(r);
    calls.push(`${name} ${r.stack}`);
    if (failing.includes(r.stack)) throw new Error(`pulumi ${name} failed (exit code 255); its output is above`);
    return { create: 2, same: 5 };
  };
  const engine: RolloutEngine = { preview: op('preview'), up: op('up') };
  const configs: string[][] = [];
  const policyPackConfig: RolloutDeps['policyPackConfig'] = async (cloud, stack, config, outDir) => {
    configs.push([cloud, stack, String(config), outDir]);
    return path.join(outDir, `${cloud}.policy-config.json`);
  };
  const log: string[] = [];
  let t = 0;
  const deps = (f: { projectDir: string; outDir: string }): RolloutDeps => ({
    engine,
    policyPackConfig,
    projectDir: f.projectDir,
    outDir: f.outDir,
    log: (l) => log.push(l),
    write: { out: () => undefined, err: () => undefined },
    now: () => (t += 3000),
  });
  return { runs, calls, configs, log, deps };
}

describe('rollout: the command with a fake engine', () => {
  const stacks = { canary: { subscription: SUB(1), location: 'swedencentral' }, weu: { subscription: SUB(2), location: 'westeurope' }, sec: { subscription: SUB(2), location: 'swedencentral' } };

  test('plans every stack before the first preview, then previews them in the listed order with the pack and each stack’s configuration', async () => {
    const f = azureFleet(['canary', 'weu', 'sec'], stacks);
    const fake = fakes();
    const { rows, summary } = await rollout({ cloud: 'azure', mode: 'preview', config: f.orgFile }, fake.deps(f));
    expect(fake.configs).toEqual(['canary', 'weu', 'sec'].map((s) => ['azure', s, f.orgFile, path.join(f.outDir, s)]));
    expect(fake.calls).toEqual(['preview canary', 'preview weu', 'preview sec']);
    expect(fake.runs[1]).toEqual({
      stack: 'weu',
      file: path.join(f.projectDir, 'Pulumi.weu.yaml'),
      target: { scope: SUB(2), region: 'westeurope' },
      workDir: f.projectDir,
      policyPack: path.join(ROOT, 'policies', 'azure'),
      policyPackConfig: path.join(f.outDir, 'weu', 'azure.policy-config.json'),
    });
    expect(rows.map((r) => r.result)).toEqual(['previewed', 'previewed', 'previewed']);
    expect(summary.slice(0, 3)).toEqual([
      'stack   subscription                          location       result     changes                 duration',
      '------  ------------------------------------  -------------  ---------  ----------------------  --------',
      `canary  ${SUB(1)}  swedencentral  previewed  create 2 (5 unchanged)  3 s`,
    ]);
    expect(fake.log[0]).toBe(`azure.rollout of ${f.orgFile}: canary, weu, sec; offline plans and policy pack configs in ${f.outDir}`);
  });

  test('--up stops at the first failure and --stop-after ends the run early; the summary says why the rest did not run', async () => {
    const f = azureFleet(['canary', 'weu', 'sec'], stacks);
    const failed = fakes(['weu']);
    const { rows, summary } = await rollout({ cloud: 'azure', mode: 'up', config: f.orgFile }, failed.deps(f));
    expect(failed.calls).toEqual(['preview canary', 'up canary', 'preview weu']);
    expect(rows.map((r) => r.result)).toEqual(['updated', 'failed', 'not run']);
    expect(summary.slice(-2)).toEqual(['weu: failed, pulumi preview failed (exit code 255); its output is above', 'sec: not run, weu failed']);

    const stopped = fakes();
    await rollout({ cloud: 'azure', mode: 'up', config: f.orgFile, stopAfter: 'canary' }, stopped.deps(f));
    expect(stopped.calls).toEqual(['preview canary', 'up canary']);
  });

  test('bad input is refused before any stack is planned or previewed', async () => {
    const f = azureFleet(['canary', 'missing'], stacks);
    const fake = fakes();
    await expect(rollout({ cloud: 'azure', mode: 'up', config: f.orgFile }, fake.deps(f))).rejects.toThrow(/missing: no stack file .*Pulumi\.missing\.yaml/);
    expect([fake.configs, fake.calls]).toEqual([[], []]);
  });
});

describe('automationEngine: the Automation API calls it makes (no Pulumi CLI)', () => {
  const run: StackRun = {
    stack: 'prod-ew4',
    file: 'stacks/gcp/Pulumi.prod-ew4.yaml',
    target: { scope: 'acme-ai-prod', region: 'europe-west4' },
    workDir: path.join(ROOT, 'stacks', 'gcp'),
    policyPack: path.join(ROOT, 'policies', 'gcp'),
    policyPackConfig: '/tmp/rollout/prod-ew4/gcp.policy-config.json',
  };

  function workspace(fail?: { select?: Error; op?: Error }) {
    const calls: { method: string; args: Record<string, unknown> }[] = [];
    const ws: AutomationWorkspace = {
      createOrSelectStack: async (args) => {
        calls.push({ method: 'createOrSelectStack', args });
        if (fail?.select) throw fail.select;
        return {
          preview: async (opts) => {
            calls.push({ method: 'preview', args: opts });
            opts.onOutput('Previewing update (prod-ew4)\n');
            if (fail?.op) throw fail.op;
            return { changeSummary: { create: 83 } };
          },
          up: async (opts) => {
            calls.push({ method: 'up', args: opts });
            return { summary: { resourceChanges: { create: 80, same: 3 } } };
          },
        };
      },
    };
    return { ws, calls };
  }

  test('selects the stack in its project directory and runs preview / up with the policy pack, its configuration and the output streamed', async () => {
    const { ws, calls } = workspace();
    const output = { out: jest.fn(), err: jest.fn() };
    const engine = automationEngine(ws);
    expect(await engine.preview(run, output)).toEqual({ create: 83 });
    expect(await engine.up(run, output)).toEqual({ create: 80, same: 3 });
    const operation = { policyPacks: [path.join(ROOT, 'policies', 'gcp')], policyPackConfigs: ['/tmp/rollout/prod-ew4/gcp.policy-config.json'], onOutput: output.out, onError: output.err };
    expect(calls).toEqual([
      { method: 'createOrSelectStack', args: { stackName: 'prod-ew4', workDir: path.join(ROOT, 'stacks', 'gcp') } },
      { method: 'preview', args: operation },
      { method: 'createOrSelectStack', args: { stackName: 'prod-ew4', workDir: path.join(ROOT, 'stacks', 'gcp') } },
      { method: 'up', args: operation },
    ]);
    expect(output.out).toHaveBeenCalledWith('Previewing update (prod-ew4)\n');
    // The pack and the project the options name exist in this repository.
    expect(fs.existsSync(path.join(ROOT, 'policies', 'gcp', 'PulumiPolicy.yaml'))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'stacks', 'gcp', 'Pulumi.yaml'))).toBe(true);
  });

  test('a failed operation says so briefly (its output was streamed); a failed selection gives the CLI’s error', async () => {
    // Automation API's CommandError message: code, stdout, stderr, err.
    const commandError = (stderr: string) => new Error(`code: 255\n stdout: Previewing update\n    + 3 to create\n stderr: ${stderr}\n err?: \n`);
    await expect(automationEngine(workspace({ op: commandError('error: preview failed') }).ws).preview(run, { out: jest.fn(), err: jest.fn() })).rejects.toThrow(
      'pulumi preview failed (exit code 255); its output is above',
    );
    await expect(automationEngine(workspace({ select: commandError('error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions') }).ws).up(run, { out: jest.fn(), err: jest.fn() })).rejects.toThrow(
      'cannot select stack prod-ew4 in stacks/gcp: error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions',
    );
    await expect(automationEngine(workspace({ select: new Error('Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT') }).ws).preview(run, { out: jest.fn(), err: jest.fn() })).rejects.toThrow(
      'cannot select stack prod-ew4 in stacks/gcp: the Pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/install/) and run pulumi login',
    );
  });
});

describe('offlinePolicyConfig: the pack configuration comes from the offline plan of the stack', () => {
  test('the example Google stack gets what PULUMI_CLOUDS gives for its plan (central DNS read from the plan)', async () => {
    const out = tempDir('rollout-plan');
    const file = await offlinePolicyConfig('gcp', 'example', undefined, out);
    const org = loadOrgConfig();
    const plan = JSON.parse(fs.readFileSync(path.join(out, 'gcp.json'), 'utf8')) as Plan;
    expect(plan.provenance?.settings).toBe('stacks/gcp/Pulumi.example.yaml');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual(PULUMI_CLOUDS.find((c) => c.cloud === 'gcp')!.policyConfig(org, plan));
  });

  test('a stack of another organisation config is refused there too', async () => {
    await expect(offlinePolicyConfig('gcp', 'example', 'test/fixtures/second-org.json', tempDir('rollout-plan'))).rejects.toThrow(/uses the organisation config .*example\.org\.json, not test\/fixtures\/second-org\.json/);
  });
});

describe('npm run rollout', () => {
  test('without gcp.rollout in the config: the message alone, exit 1', () => {
    const run = runBin('rollout.ts', ['gcp', '--up']);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'the organisation config lib/config/example.org.json has no gcp.rollout; list the stacks of stacks/gcp to roll out, in order, e.g. "rollout": ["prod-weu"] (stack files there: example)\n',
    );
    expect(run.status).toBe(1);
  });
});
