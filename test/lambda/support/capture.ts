/**
 * Captures what Powertools writes. Outside dev mode its Logger and Metrics write through their
 * own Console bound to process.stdout and process.stderr (errors), as Lambda expects; both end up
 * in CloudWatch Logs, so both are captured.
 */
export interface LogCapture {
  /** Everything written since the last clear. */
  text(): string;
  /** Every line that parses as a JSON object. */
  records(): Array<Record<string, unknown>>;
  /** The `audit` objects of audit log lines. */
  audits(): Array<Record<string, unknown>>;
  clear(): void;
  restore(): void;
}

export function captureLogs(): LogCapture {
  let chunks: string[] = [];
  const record = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(record), jest.spyOn(process.stderr, 'write').mockImplementation(record)];

  const records = (): Array<Record<string, unknown>> =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line.trim().startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  return {
    text: () => chunks.join(''),
    records,
    audits: () => records().filter((r) => r.message === 'audit').map((r) => r.audit as Record<string, unknown>),
    clear: () => {
      chunks = [];
    },
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}
