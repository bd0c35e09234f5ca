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
 *   - `npm test` (typecheck + lint + jest): wall time, recorded, not asserted.
 *
 * Run: npx ts-node --transpile-only bench/run.ts   (writes bench/results.json)
 *      ... bench/run.ts --only synth               (re-measures synth alone, keeps the other figures)
 *      ... bench/run.ts --only bundle              (re-measures bundle size and cold init alone)
 * Targets: bundle < 300,000 B, cold-init ratio <= 1.8, median overhead < 1 ms, synth ratio <= 2.0,
 * npm test < 120 s. `before` in the results keeps the bundle figures a change started from.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConverseCommand, type ConverseCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createBedrockClient } from '../lambda/invoke/client';
import { parseConfig } from '../lambda/invoke/config';
import { createHandler } from '../lambda/invoke/handler';
import { synthesizedInvokerBundle, type InvokerBundle } from '../test/lambda/support/bundle';
import { startConverseServer } from '../test/lambda/support/converse-server';
import { GUARDRAIL_ID, GUARDRAIL_VERSION, HAIKU, PROMPT_TEXT, SYSTEM_TEXT, invokerEnv, openModelAccess, proxyEvent } from '../test/lambda/support/fixtures';

// Enough starts for a stable median on a shared 2-core machine (about 10 s in all).
const COLD_RUNS = 31;
const REQUESTS = 3000;
const WARMUP = 300;
const BLOCK = 100;
const SYNTH_RUNS = 3;
const TARGETS = { bundleBytes: 300_000, coldInitRatio: 1.8, overheadMedianMs: 1, synthRatio: 2.0, npmTestMs: 120_000 };
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

/** The last results written, merged into by the partial runs; `before` is carried over by every run. */
function previousResults(): { before?: unknown; met?: Record<string, boolean> } & Record<string, unknown> {
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
  if (values.only !== undefined) throw new Error(`--only ${values.only} is not a part of the benchmark; the parts that run alone are: synth, bundle`);

  // The asset exactly as `cdk synth` bundles it for the ModelInvoker function.
  const bundle = synthesizedInvokerBundle();
  try {
    const cold = coldInit(bundle.file, lambdaEnvironment(bundle));
    const request = await perRequest(bundle.file);
    const synth = synthRatio();
    const test = npmTest();

    const { before } = previousResults();
    const results = {
      measuredAt: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
      bundleBytes: bundle.bytes,
      coldInit: cold,
      perRequest: request,
      synth,
      npmTest: test,
      targets: TARGETS,
      met: {
        bundleBytes: bundle.bytes < TARGETS.bundleBytes,
        coldInitRatio: cold.ratio <= TARGETS.coldInitRatio,
        overheadMedianMs: request.overheadMs.median < TARGETS.overheadMedianMs,
        synthRatio: synth.ratio <= TARGETS.synthRatio,
        npmTestMs: test.passed && test.wallMs < TARGETS.npmTestMs,
      },
      before,
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
