/**
 * Benchmark (a measurement, not a test):
 *   - model invoker: size of the minified bundle; cold init (`node -e "require('<bundle>')"`
 *     against a bare `node -e 0`), both started with a clean environment: only what Lambda would
 *     set for the function (the runtime's variables with dummy names and credentials, and the
 *     function's own variables read from the synthesized template), nothing inherited from the
 *     shell that runs the bench; per-request overhead (the handler against a raw ConverseCommand,
 *     both through the same client settings to the same local Converse server, interleaved in
 *     blocks to share drift);
 *   - synth: `cdk synth --quiet` of this project against a bare one-stack app generated in a temp
 *     dir (same node_modules, cdk.json and ts-node command), interleaved, median of a few runs each;
 *     both write to temp output dirs, never to ./cdk.out;
 *   - the fleet (issue 15): `cdk synth --quiet` for 1, 5 and 20 targets generated from the example
 *     (wall time and the CDK app's peak memory, each process reporting its own through
 *     bench/rss-probe.js; ratios to one target), the permission sets' inline policy sizes for 1
 *     and 50 targets, and the offline plan of each Pulumi program for 1 and 3 stacks (the time of
 *     each further stack of a rollout);
 *   - `npm test` (typecheck + lint + jest): wall time, recorded, not asserted.
 *
 * Run: npx ts-node --transpile-only bench/run.ts   (writes bench/results.json)
 *      ... bench/run.ts --only synth               (re-measures synth alone, keeps the other figures)
 *      ... bench/run.ts --only bundle              (re-measures bundle size and cold init alone)
 *      ... bench/run.ts --only scale               (re-measures the fleet figures alone)
 * Targets: bundle < 300,000 B, cold-init ratio <= 1.8, median overhead < 1 ms, synth ratio <= 2.0,
 * npm test < 120 s, synth of 20 targets <= 4x one target. `before` in the results keeps the bundle figures a change started from.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { App } from 'aws-cdk-lib';
import { ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createBedrockClient } from '../lambda/invoke/client';
import { parseConfig } from '../lambda/invoke/config';
import { createHandler } from '../lambda/invoke/handler';
import { estimatePolicyChars } from '../lib/aws/sso-access';
import { EXAMPLE_CONFIG_PATH, loadOrgConfig } from '../lib/config';
import { IdentityStack } from '../stacks/aws/identity-stack';
import { synthesizedInvokerBundle, type InvokerBundle } from '../test/lambda/support/bundle';
import { startConverseServer } from '../test/lambda/support/converse-server';
import { GUARDRAIL_ID, GUARDRAIL_VERSION, HAIKU, PROMPT_TEXT, SYSTEM_TEXT, invokerEnv, openModelAccess, proxyEvent } from '../test/lambda/support/fixtures';

// Enough starts for a stable median on a shared 2-core machine (about 10 s in all).
const COLD_RUNS = 31;
const REQUESTS = 3000;
const WARMUP = 300;
const BLOCK = 100;
const SYNTH_RUNS = 3;
/** Targets of the fleet synth runs (issue 15); two runs each, as 20 targets take most of a minute here. */
const SCALE_TARGETS = [1, 5, 20];
const SCALE_RUNS = 2;
/** Targets the permission-set sizes are measured for. */
const POLICY_TARGETS = [1, 50] as const;
const TARGETS = { bundleBytes: 300_000, coldInitRatio: 1.8, overheadMedianMs: 1, synthRatio: 2.0, npmTestMs: 120_000, scaleSynthRatio: 4 };
const ROOT = join(__dirname, '..');
const RESULTS = join(__dirname, 'results.json');

const CREDS = { accessKeyId: 'AKIDLOCALBENCHONLY', secretAccessKey: 'local-bench-secret' };
const REGION = 'eu-central-1';

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function stats(samples: number[]): { median: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

function timeSpawn(args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString()}`);
  }
  return ms;
}

/**
 * The environment Lambda starts the function with, and nothing else. The runtime's own variables
 * (as documented for Lambda; names, log group and credentials are dummies; paths that exist only
 * inside Lambda, LD_LIBRARY_PATH and NODE_PATH, are left out), then the function's variables as
 * the construct sets them, read from the synthesized template. A value CloudFormation resolves at
 * deploy time (the guardrail's ID and version) is taken from the test fixtures.
 */
function lambdaEnvironment(bundle: InvokerBundle): Record<string, string> {
  // The assembly holds the asset directory `asset.<hash>` and the template that points at `<hash>.zip`.
  const assembly = dirname(dirname(bundle.file));
  const s3Key = `${basename(dirname(bundle.file)).replace(/^asset\./, '')}.zip`;
  type Fn = { Type: string; Properties: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> }; MemorySize?: number; Handler: string; Runtime: string } };
  const fn = readdirSync(assembly)
    .filter((f) => f.endsWith('.template.json'))
    .flatMap((f) => Object.values<Fn>(JSON.parse(readFileSync(join(assembly, f), 'utf8')).Resources ?? {}))
    .find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Code?.S3Key === s3Key);
  if (!fn) throw new Error(`no AWS::Lambda::Function in ${assembly} uses the asset ${s3Key}`);

  const fixtures = invokerEnv();
  const variables = Object.fromEntries(
    Object.entries(fn.Properties.Environment?.Variables ?? {}).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      if (fixtures[name] !== undefined) return [name, fixtures[name]];
      throw new Error(`${name} is resolved at deploy time (${JSON.stringify(value)}) and the fixtures have no value for it; add one to invokerEnv() in test/lambda/support/fixtures.ts`);
    }),
  );
  const name = 'ModelInvokerFunction';
  return {
    PATH: '/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    _HANDLER: fn.Properties.Handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.Properties.Runtime}`,
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.Properties.MemorySize ?? 128),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/01/01/[$LATEST]00000000000000000000000000000000',
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    LAMBDA_TASK_ROOT: '/var/task',
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    // Active tracing (the construct turns it on) makes Lambda set these two.
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    // The execution role's temporary credentials.
    AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    AWS_SESSION_TOKEN: 'local-bench-session-token',
    ...variables,
  };
}

function coldInit(bundleFile: string, env: NodeJS.ProcessEnv) {
  const bare = ['-e', '0'];
  const load = ['-e', `require(${JSON.stringify(bundleFile)})`];
  // Warm the page cache and the binary before counting.
  for (let i = 0; i < 2; i++) {
    timeSpawn(bare, env);
    timeSpawn(load, env);
  }
  const bareMs: number[] = [];
  const bundleMs: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    bareMs.push(timeSpawn(bare, env));
    bundleMs.push(timeSpawn(load, env));
  }
  const bareMedian = stats(bareMs).median;
  const bundleMedian = stats(bundleMs).median;
  return { runs: COLD_RUNS, bareMedianMs: round(bareMedian, 1), bundleMedianMs: round(bundleMedian, 1), ratio: round(bundleMedian / bareMedian, 2) };
}

/** Sends Powertools' per-request log and EMF lines to /dev/null (a real write, as on Lambda) while measuring. */
function silenceStdout(): () => void {
  const fd = openSync('/dev/null', 'w');
  const original = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    if (typeof chunk === 'string') writeSync(fd, chunk);
    else writeSync(fd, chunk);
    return true;
  }) as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
    closeSync(fd);
  };
}

async function perRequest(bundleFile: string) {
  const server = await startConverseServer({ ...CREDS, region: REGION });
  Object.assign(process.env, invokerEnv(), {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
    // The bundled handler reads the kill switch from the same local server (it answers `open`).
    SSM_ENDPOINT: server.url,
    AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    AWS_REGION: REGION,
  });
  delete process.env.AWS_SESSION_TOKEN;

  const config = parseConfig(process.env);
  const handler = createHandler({
    config,
    client: createBedrockClient(config),
    logger: new Logger({ serviceName: config.serviceName }),
    metrics: new Metrics({ namespace: config.metricsNamespace, serviceName: config.serviceName }),
    modelAccess: openModelAccess,
  });
  // The baseline: what the handler sends, sent directly, through a client with the same settings.
  const raw = createBedrockClient(config);
  const input: ConverseCommandInput = {
    modelId: HAIKU,
    messages: [{ role: 'user', content: [{ text: PROMPT_TEXT }] }],
    system: [{ text: SYSTEM_TEXT }],
    inferenceConfig: { maxTokens: 256, temperature: 0.2 },
    guardrailConfig: { guardrailIdentifier: GUARDRAIL_ID, guardrailVersion: GUARDRAIL_VERSION, trace: 'enabled' },
  };
  // The deployed artefact too, with its own copy of the SDK, for reference.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built file chosen at run time, loaded as CommonJS the way the Lambda runtime loads it
  const bundled = (require(bundleFile) as { handler: (e: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> }).handler;
  const event = proxyEvent();

  const variants: Record<'raw' | 'handler' | 'bundled', () => Promise<unknown>> = {
    raw: () => raw.send(new ConverseCommand(input)),
    handler: async () => {
      const result = await handler(event);
      if (result.statusCode !== 200) throw new Error(`handler answered ${result.statusCode}: ${result.body}`);
    },
    bundled: async () => {
      const result = await bundled(event);
      if (result.statusCode !== 200) throw new Error(`bundled handler answered ${result.statusCode}: ${result.body}`);
    },
  };
  const samples: Record<keyof typeof variants, number[]> = { raw: [], handler: [], bundled: [] };

  const restore = silenceStdout();
  try {
    for (const run of Object.values(variants)) {
      for (let i = 0; i < WARMUP; i++) await run();
    }
    for (let done = 0; done < REQUESTS; done += BLOCK) {
      for (const [name, run] of Object.entries(variants) as Array<[keyof typeof variants, () => Promise<unknown>]>) {
        for (let i = 0; i < BLOCK; i++) {
          const start = process.hrtime.bigint();
          await run();
          samples[name].push(Number(process.hrtime.bigint() - start) / 1e6);
        }
      }
    }
  } finally {
    restore();
    await server.close();
  }

  const s = { raw: stats(samples.raw), handler: stats(samples.handler), bundled: stats(samples.bundled) };
  return {
    requests: REQUESTS,
    rawMs: { median: round(s.raw.median), p99: round(s.raw.p99) },
    handlerMs: { median: round(s.handler.median), p99: round(s.handler.p99) },
    bundledHandlerMs: { median: round(s.bundled.median), p99: round(s.bundled.p99) },
    overheadMs: { median: round(s.handler.median - s.raw.median), p99: round(s.handler.p99 - s.raw.p99) },
    bundledOverheadMs: { median: round(s.bundled.median - s.raw.median), p99: round(s.bundled.p99 - s.raw.p99) },
  };
}

/** Wall time of a command run in `cwd`; throws with its stderr if it fails. */
function timeCommand(command: string, args: string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${result.stderr.toString()}`);
  return ms;
}

/** A one-stack CDK app in a temp dir, run by the project's own cdk.json app command and node_modules. */
function bareApp(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bare-app-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // Same app command, context and feature flags as the project: only the app differs.
  writeFileSync(join(dir, 'cdk.json'), readFileSync(join(ROOT, 'cdk.json')));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.json'), include: ['bin'] }));
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'app.ts'), "import { App, Stack } from 'aws-cdk-lib';\nconst app = new App();\nnew Stack(app, 'Bare');\napp.synth();\n");
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `cdk synth --quiet` of this project against the bare app, interleaved so both share the machine's drift. */
function synthRatio() {
  const cli = require.resolve('aws-cdk/bin/cdk');
  const bare = bareApp();
  const outRoot = mkdtempSync(join(tmpdir(), 'bench-synth-out-'));
  let run = 0;
  const synth = (cwd: string) => {
    const out = join(outRoot, String(run++));
    try {
      return timeCommand(process.execPath, [cli, 'synth', '--quiet', '--output', out], cwd);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  try {
    // One unmeasured run each warms the page cache.
    synth(bare.dir);
    synth(ROOT);
    const bareMs: number[] = [];
    const projectMs: number[] = [];
    for (let i = 0; i < SYNTH_RUNS; i++) {
      bareMs.push(synth(bare.dir));
      projectMs.push(synth(ROOT));
    }
    const bareMedian = stats(bareMs).median;
    const projectMedian = stats(projectMs).median;
    return {
      measuredAt: new Date().toISOString(),
      runs: SYNTH_RUNS,
      bareMedianMs: Math.round(bareMedian),
      projectMedianMs: Math.round(projectMedian),
      ratio: round(projectMedian / bareMedian, 2),
      bareMs: bareMs.map((ms) => Math.round(ms)),
      projectMs: projectMs.map((ms) => Math.round(ms)),
    };
  } finally {
    bare.cleanup();
    rmSync(outRoot, { recursive: true, force: true });
  }
}

/**
 * `n` targets generated from the example's first target, as `-c targets=` takes them: each in an
 * account of its own, spread over the allowed regions, with its own network, endpoint and caller
 * role. What the fleet's size costs, not what a real fleet's differences would.
 */
function syntheticTargets(n: number): Array<Record<string, unknown>> {
  const example = loadOrgConfig(EXAMPLE_CONFIG_PATH);
  const [first] = example.aws.targets;
  return Array.from({ length: n }, (_, i) => {
    const account = String(Number(first.account) + i);
    const octet = 40 + i;
    return {
      ...first,
      name: i === 0 ? first.name : `target-${String(i).padStart(2, '0')}`,
      account,
      region: example.aws.allowedRegions[i % example.aws.allowedRegions.length],
      network: { ...first.network, cidr: `10.${octet}.0.0/16` },
      bedrockRuntimeEndpointIds: [`vpce-0a1b2c3d4e5f6${String(i).padStart(4, '0')}`],
      apiCallerRoleArns: (first.apiCallerRoleArns ?? []).map((arn) => arn.replace(first.account, account)),
      ...(first.dnsResolverAddresses ? { dnsResolverAddresses: [`10.${octet}.0.10`, `10.${octet}.4.10`] } : {}),
    };
  });
}

/** Peak resident memory (MiB) of the processes of a measured command, from bench/rss-probe.js: the CDK app's, and the largest of any. */
function peakMemory(file: string): { appMiB: number; anyMiB: number } {
  const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { argv: string; maxRssKiB: number }) : [];
  const mib = (kib: number) => Math.round(kib / 1024);
  const app = lines.filter((l) => l.argv.includes('bin/app.ts'));
  return { appMiB: mib(Math.max(0, ...app.map((l) => l.maxRssKiB))), anyMiB: mib(Math.max(0, ...lines.map((l) => l.maxRssKiB))) };
}

/** Wall time and peak memory of a command, every Node.js process of it reporting its own peak (bench/rss-probe.js). */
function measureCommand(args: string[], cwd: string): { ms: number; appMiB: number; anyMiB: number } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  const file = join(dir, 'rss.jsonl');
  const probe = `--require ${join(__dirname, 'rss-probe.js')}`;
  const env = { ...process.env, BENCH_RSS_FILE: file, NODE_OPTIONS: [process.env.NODE_OPTIONS, probe].filter(Boolean).join(' ') };
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    const ms = Math.round(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.status !== 0) throw new Error(`node ${args.join(' ').slice(0, 200)} failed: ${result.stderr.toString().slice(-4000)}`);
    return { ms, ...peakMemory(file) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `cdk synth --quiet` of this project for 1, 5 and 20 synthetic targets (the whole app: platform
 * stacks, identity stack, rule packs, access proofs' inputs), each into a temp output dir, with the
 * ratio of each to one target. One warm-up run of one target first; then SCALE_RUNS runs each,
 * interleaved, the median kept (with two runs, their mean).
 */
function synthScale() {
  const cli = require.resolve('aws-cdk/bin/cdk');
  const outRoot = mkdtempSync(join(tmpdir(), 'bench-scale-out-'));
  let run = 0;
  const synth = (n: number) => {
    const out = join(outRoot, String(run++));
    try {
      return measureCommand([cli, 'synth', '--quiet', '-c', `targets=${JSON.stringify(syntheticTargets(n))}`, '--output', out], ROOT);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  try {
    synth(1);
    const samples = new Map<number, Array<ReturnType<typeof synth>>>(SCALE_TARGETS.map((n) => [n, []]));
    for (let i = 0; i < SCALE_RUNS; i++) for (const n of SCALE_TARGETS) samples.get(n)!.push(synth(n));
    // The middle value, or the mean of the middle two.
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
    };
    const byTargets = SCALE_TARGETS.map((n) => {
      const s = samples.get(n)!;
      return { targets: n, medianMs: median(s.map((x) => x.ms)), peakAppMiB: median(s.map((x) => x.appMiB)), peakAnyProcessMiB: median(s.map((x) => x.anyMiB)), ms: s.map((x) => x.ms) };
    });
    const [one] = byTargets;
    return {
      measuredAt: new Date().toISOString(),
      runs: SCALE_RUNS,
      byTargets: byTargets.map((b) => ({ ...b, timeRatio: round(b.medianMs / one.medianMs, 2), memoryRatio: round(b.peakAppMiB / one.peakAppMiB, 2) })),
    };
  } finally {
    rmSync(outRoot, { recursive: true, force: true });
  }
}

/**
 * The inline policy of each permission set, as IAM counts it (estimatePolicyChars), for the example
 * with 1 and with 50 synthetic targets (each listing one bedrock-runtime endpoint), every optional
 * role configured: what the fleet's size does to the one limit Identity Center cannot split.
 */
function policySizes() {
  const sizesFor = (n: number) => {
    const config = loadOrgConfig(EXAMPLE_CONFIG_PATH, { targets: JSON.stringify(syntheticTargets(n)) });
    const withRoles = { ...config, sso: { ...config.sso, securityResponders: { ...config.sso.securityResponders, aws: ['00000000-0000-0000-0000-000000000005'] } } };
    const app = new App();
    const stack = new IdentityStack(app, 'Identity', { config: withRoles, env: { account: config.aws.identityCenter!.account, region: config.aws.identityCenter!.region } });
    const sets = [stack.access.modelUserPermissionSet, stack.access.auditorPermissionSet, stack.access.platformAdminPermissionSet, stack.access.promptReviewerPermissionSet, stack.access.securityResponderPermissionSet];
    return Object.fromEntries(sets.filter((s) => s !== undefined).map((s) => [s.name, estimatePolicyChars(stack.resolve(s.inlinePolicy))]));
  };
  const [one, fifty] = POLICY_TARGETS.map(sizesFor);
  return { measuredAt: new Date().toISOString(), limit: 10240, [`targets${POLICY_TARGETS[0]}`]: one, [`targets${POLICY_TARGETS[1]}`]: fifty };
}

/**
 * The offline plan of each Pulumi program for 1 and for 3 stacks, each count in a fresh process
 * (bench/plan-stacks.ts, as `npm run rollout` plans each stack of its list): the difference over
 * two is what one more stack of a rollout costs; the first plan also loads the provider SDK.
 */
function planPerStack() {
  const tsNode = require.resolve('ts-node/dist/bin.js');
  const out = mkdtempSync(join(tmpdir(), 'bench-plans-'));
  try {
    const plan = (cloud: string, count: number) => measureCommand([tsNode, '--transpile-only', join(__dirname, 'plan-stacks.ts'), cloud, String(count), join(out, `${cloud}-${count}`)], ROOT);
    return Object.fromEntries(
      ['azure', 'gcp'].map((cloud) => {
        plan(cloud, 1);
        const [one, three] = [plan(cloud, 1), plan(cloud, 3)];
        return [cloud, { oneStackMs: one.ms, threeStacksMs: three.ms, perExtraStackMs: Math.round((three.ms - one.ms) / 2), peakMiB: { oneStack: one.anyMiB, threeStacks: three.anyMiB } }];
      }),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

type Scale = { measuredAt: string; node: string; synth: ReturnType<typeof synthScale>; policySizes: ReturnType<typeof policySizes>; plans: ReturnType<typeof planPerStack> };

/**
 * The fleet figures of issue 15: synth for 1, 5 and 20 targets, permission-set sizes for 1 and 50,
 * plan time per extra stack; with when and on which Node.js they were measured (`--only scale`
 * keeps the other figures and their own).
 */
function scale(): Scale {
  return { measuredAt: new Date().toISOString(), node: process.version, policySizes: policySizes(), plans: planPerStack(), synth: synthScale() };
}

function scaleRows(s: Scale): Row[] {
  const twenty = s.synth.byTargets.find((b) => b.targets === SCALE_TARGETS[SCALE_TARGETS.length - 1])!;
  const [few, many] = POLICY_TARGETS.map((n) => s.policySizes[`targets${n}`] as Record<string, number>);
  return [
    ...s.synth.byTargets.map((b): Row => [`synth, ${b.targets} target${b.targets === 1 ? '' : 's'}`, `${b.medianMs} ms (x${b.timeRatio}), app peak ${b.peakAppMiB} MiB (x${b.memoryRatio})`, '', '']),
    ['synth ratio, 20 targets to 1', `${twenty.timeRatio}`, `<= ${TARGETS.scaleSynthRatio}`, verdict(twenty.timeRatio <= TARGETS.scaleSynthRatio)],
    ...Object.keys(many).map((name): Row => [`inline policy ${name}, ${POLICY_TARGETS.join(' / ')} targets`, `${few[name]} / ${many[name]} chars`, `<= ${s.policySizes.limit}`, verdict(many[name] <= s.policySizes.limit)]),
    ...Object.entries(s.plans).map(([cloud, p]): Row => [`${cloud} offline plan, 1 / 3 stacks`, `${p.oneStackMs} / ${p.threeStacksMs} ms, ${p.perExtraStackMs} ms per extra stack`, '', '']),
  ];
}

/** Re-measures the fleet figures alone and merges them into the last full results (for work on scale). */
function scaleOnly(): void {
  const previous = previousResults();
  const s = scale();
  const largest = s.synth.byTargets[s.synth.byTargets.length - 1];
  const results = {
    ...previous,
    scale: s,
    targets: TARGETS,
    met: { ...previous.met, ...scaleMet(s, largest) },
  };
  printTable(`scale benchmark (${process.version}, ${cpus().length} CPUs; ${SCALE_RUNS} synth runs each)`, scaleRows(s));
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${RESULTS}`);
}

function scaleMet(s: Scale, largest: Scale['synth']['byTargets'][number]) {
  const many = s.policySizes[`targets${POLICY_TARGETS[1]}`] as Record<string, number>;
  return { scaleSynthRatio: largest.timeRatio <= TARGETS.scaleSynthRatio, policyChars: Object.values(many).every((n) => n <= s.policySizes.limit) };
}

/** Wall time of `npm test` (typecheck + lint + jest), once; a failing run is recorded, not thrown. */
function npmTest() {
  const start = process.hrtime.bigint();
  const result = spawnSync('npm', ['test'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] });
  return { measuredAt: new Date().toISOString(), wallMs: Math.round(Number(process.hrtime.bigint() - start) / 1e6), passed: result.status === 0 };
}

type Row = [string, string, string, string];
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function synthRows(synth: ReturnType<typeof synthRatio>): Row[] {
  return [
    ['synth, bare one-stack app (median)', `${synth.bareMedianMs} ms`, '', ''],
    ['synth, this project (median)', `${synth.projectMedianMs} ms`, '', ''],
    ['synth ratio', `${synth.ratio}`, `<= ${TARGETS.synthRatio}`, verdict(synth.ratio <= TARGETS.synthRatio)],
  ];
}

function printTable(title: string, rows: Row[]): void {
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length), ['metric', 'measured', 'target', ''][c].length));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  console.log(title);
  console.log(line(['metric', 'measured', 'target', '']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  rows.forEach((r) => console.log(line(r)));
}

function bundleRows(bytes: number, cold: ReturnType<typeof coldInit>): Row[] {
  return [
    ['bundle size', `${bytes} B (${round(bytes / 1024, 1)} KiB)`, `< ${TARGETS.bundleBytes} B`, verdict(bytes < TARGETS.bundleBytes)],
    ['cold init, bare node -e 0', `${cold.bareMedianMs} ms`, '', ''],
    ['cold init, require(bundle)', `${cold.bundleMedianMs} ms`, '', ''],
    ['cold init ratio', `${cold.ratio}`, `<= ${TARGETS.coldInitRatio}`, verdict(cold.ratio <= TARGETS.coldInitRatio)],
  ];
}

/** The last results written, merged into by the partial runs; `before` and `scaleBefore` are carried over by every run. */
function previousResults(): { before?: unknown; scaleBefore?: unknown; met?: Record<string, boolean> } & Record<string, unknown> {
  return existsSync(RESULTS) ? JSON.parse(readFileSync(RESULTS, 'utf8')) : {};
}

/** Re-measures the bundle's size and cold init alone and merges them into the last full results (for work on the bundling). */
function bundleOnly(): void {
  const previous = previousResults();
  const bundle = synthesizedInvokerBundle();
  try {
    const cold = coldInit(bundle.file, lambdaEnvironment(bundle));
    const results = {
      ...previous,
      bundleMeasuredAt: new Date().toISOString(),
      bundleBytes: bundle.bytes,
      coldInit: cold,
      targets: TARGETS,
      met: { ...previous.met, bundleBytes: bundle.bytes < TARGETS.bundleBytes, coldInitRatio: cold.ratio <= TARGETS.coldInitRatio },
    };
    printTable(`bundle benchmark (${process.version}, ${cpus().length} CPUs; ${COLD_RUNS} cold starts)`, bundleRows(bundle.bytes, cold));
    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwritten to ${RESULTS}`);
  } finally {
    bundle.cleanup();
  }
}

/** Re-measures synth alone and merges it into the last full results (for work on synth time). */
function synthOnly(): void {
  const previous = previousResults();
  const synth = synthRatio();
  const results = {
    ...previous,
    synth,
    targets: TARGETS,
    met: { ...previous.met, synthRatio: synth.ratio <= TARGETS.synthRatio },
  };
  printTable(`synth benchmark (${process.version}, ${cpus().length} CPUs; ${SYNTH_RUNS} runs each)`, synthRows(synth));
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${RESULTS}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  if (values.only === 'synth') return synthOnly();
  if (values.only === 'bundle') return bundleOnly();
  if (values.only === 'scale') return scaleOnly();
  if (values.only !== undefined) throw new Error(`--only ${values.only} is not a part of the benchmark; the parts that run alone are: synth, bundle, scale`);

  // The asset exactly as `cdk synth` bundles it for the ModelInvoker function.
  const bundle = synthesizedInvokerBundle();
  try {
    const cold = coldInit(bundle.file, lambdaEnvironment(bundle));
    const request = await perRequest(bundle.file);
    const synth = synthRatio();
    const fleet = scale();
    const test = npmTest();

    const { before, scaleBefore } = previousResults();
    const results = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      bundleBytes: bundle.bytes,
      coldInit: cold,
      perRequest: request,
      synth,
      scale: fleet,
      npmTest: test,
      targets: TARGETS,
      met: {
        bundleBytes: bundle.bytes < TARGETS.bundleBytes,
        coldInitRatio: cold.ratio <= TARGETS.coldInitRatio,
        overheadMedianMs: request.overheadMs.median < TARGETS.overheadMedianMs,
        synthRatio: synth.ratio <= TARGETS.synthRatio,
        npmTestMs: test.passed && test.wallMs < TARGETS.npmTestMs,
        ...scaleMet(fleet, fleet.synth.byTargets[fleet.synth.byTargets.length - 1]),
      },
      before,
      scaleBefore,
    };

    const rows: Row[] = [
      ...bundleRows(bundle.bytes, cold),
      ['raw Converse median / p99', `${request.rawMs.median} / ${request.rawMs.p99} ms`, '', ''],
      ['handler median / p99', `${request.handlerMs.median} / ${request.handlerMs.p99} ms`, '', ''],
      ['bundled handler median / p99', `${request.bundledHandlerMs.median} / ${request.bundledHandlerMs.p99} ms`, '', ''],
      ['overhead median', `${request.overheadMs.median} ms`, `< ${TARGETS.overheadMedianMs} ms`, verdict(results.met.overheadMedianMs)],
      ['overhead p99', `${request.overheadMs.p99} ms`, '', ''],
      ['bundled overhead median / p99', `${request.bundledOverheadMs.median} / ${request.bundledOverheadMs.p99} ms`, '', ''],
      ...synthRows(synth),
      ...scaleRows(fleet),
      ['npm test wall time', `${test.wallMs} ms${test.passed ? '' : ' (FAILED)'}`, `< ${TARGETS.npmTestMs} ms`, verdict(results.met.npmTestMs)],
    ];
    printTable(
      `benchmark (${results.node}, ${results.platform}, ${results.cpus} CPUs; ${COLD_RUNS} cold starts, ${REQUESTS} requests per variant, ${SYNTH_RUNS} synth runs each)`,
      rows,
    );

    writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwritten to ${RESULTS}`);
  } finally {
    bundle.cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
