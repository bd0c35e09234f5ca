/**
 * Runs one invocation of a bundled handler in a separate Node.js process, as the Lambda runtime
 * would: a plain Node realm. Inside jest's sandbox, errors that Node's own modules throw (a reset
 * socket) are not `instanceof Error` of the sandbox, so the SDK wraps them and their name and code
 * are lost; what the caller gets for such faults can only be seen outside it.
 */
import { execFile } from 'node:child_process';
import type { APIGatewayProxyResult } from 'aws-lambda';

export interface ChildInvocation {
  readonly result: APIGatewayProxyResult;
  /** The `audit` objects the handler logged. */
  readonly audits: Array<Record<string, unknown>>;
}

const SCRIPT = `
const [file, event] = process.argv.slice(1);
require(file).handler(JSON.parse(event)).then((result) => process.stdout.write('\\nRESULT ' + JSON.stringify(result) + '\\n'));
`;

/** Loads `bundleFile` in a fresh process with exactly `env` (plus PATH) and invokes it with `event`. */
export function invokeInChild(bundleFile: string, env: Record<string, string>, event: unknown): Promise<ChildInvocation> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', SCRIPT, bundleFile, JSON.stringify(event)],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const lines = stdout.split('\n');
        const resultLine = lines.find((l) => l.startsWith('RESULT '));
        if (err || !resultLine) {
          reject(new Error(`the bundle did not answer: ${err?.message ?? 'no result'}\n${stderr}`));
          return;
        }
        const audits = lines
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .filter((r) => r.message === 'audit')
          .map((r) => r.audit as Record<string, unknown>);
        resolve({ result: JSON.parse(resultLine.slice('RESULT '.length)) as APIGatewayProxyResult, audits });
      },
    );
  });
}
