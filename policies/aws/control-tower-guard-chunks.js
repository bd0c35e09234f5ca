'use strict';
// Runs CfnGuardValidator over chunks of templates in concurrent processes, for
// control-tower-guard.ts. CDK calls a validation plugin synchronously and the plugin runs cfn-guard
// synchronously, so the plugin starts this one process (spawnSync) and it runs the chunks at once.
// Plain JavaScript because it runs in a bare `node`, outside ts-node and jest.
//
//   node control-tower-guard-chunks.js          stdin: { plugin, rules, maxBuffer, chunks: string[][] }
//     stdout: one { status, signal, stdout, stderr } per chunk, in chunk order, whatever each run did;
//     the caller judges them.
//   node control-tower-guard-chunks.js chunk    stdin: { plugin, rules, maxBuffer, templatePaths }
//     stdout: the report of CfnGuardValidator over those templates; a failure exits non-zero.
const { spawn } = require('child_process');
const fs = require('fs');

const spec = JSON.parse(fs.readFileSync(0, 'utf8'));

if (process.argv[2] === 'chunk') {
  const { CfnGuardValidator } = require(spec.plugin);
  const validator = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: spec.rules, maxBuffer: spec.maxBuffer });
  // CfnGuardValidator.validate reads only the template paths of its context.
  process.stdout.write(JSON.stringify(validator.validate({ templatePaths: spec.templatePaths })));
} else {
  const runs = spec.chunks.map(
    (templatePaths) =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [__filename, 'chunk'], { stdio: ['pipe', 'pipe', 'pipe'] });
        const stdout = [];
        const stderr = [];
        child.stdout.on('data', (c) => stdout.push(c));
        child.stderr.on('data', (c) => stderr.push(c));
        child.on('error', (e) => resolve({ status: null, signal: null, stdout: '', stderr: String(e) }));
        child.on('close', (status, signal) => resolve({ status, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
        child.stdin.end(JSON.stringify({ plugin: spec.plugin, rules: spec.rules, maxBuffer: spec.maxBuffer, templatePaths }));
      }),
  );
  Promise.all(runs).then((results) => process.stdout.write(JSON.stringify(results)));
}
