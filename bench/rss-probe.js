// Loaded into every Node.js process of a measured command (NODE_OPTIONS=--require), by bench/run.ts:
// on exit, appends the process's peak resident memory (process.resourceUsage().maxRSS, in KiB)
// and what it ran to the file in BENCH_RSS_FILE, one JSON line per process. Plain JavaScript, so
// that it loads before any TypeScript tooling does.
'use strict';
const fs = require('node:fs');

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    const line = { pid: process.pid, argv: process.argv.slice(1).join(' '), maxRssKiB: process.resourceUsage().maxRSS };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}
