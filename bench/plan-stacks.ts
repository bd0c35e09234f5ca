/**
 * Plans one Pulumi stack offline `count` times in this process, as `npm run rollout` plans each
 * stack of a rollout before previewing it (bin/rollout.ts: offlinePolicyConfig), and prints the
 * time of each plan as JSON. bench/run.ts runs it in a fresh process for 1 and for 3 stacks: the
 * difference is what each further stack of a rollout costs, the provider SDK being loaded once.
 *
 * Run: npx ts-node --transpile-only bench/plan-stacks.ts <azure|gcp> <count> <out dir>
 */
import { planClouds } from '../bin/plan';

async function main(): Promise<void> {
  const [cloud, count, out] = process.argv.slice(2);
  if (!['azure', 'gcp'].includes(cloud) || !(Number(count) >= 1) || !out) throw new Error('usage: bench/plan-stacks.ts <azure|gcp> <count> <out dir>');
  const planMs: number[] = [];
  for (let i = 0; i < Number(count); i++) {
    const start = process.hrtime.bigint();
    // The example stack file each time: each plan runs the program under fresh mocks, as for another stack.
    await planClouds({ clouds: [cloud], stack: 'example', out: `${out}/${i}` });
    planMs.push(Math.round(Number(process.hrtime.bigint() - start) / 1e6));
  }
  console.log(JSON.stringify({ cloud, planMs }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
