/**
 * Where a JSON document breaks, as a line and column a person can go to. Node reports a
 * character offset (Node 20: `... in JSON at position 7`; Node 22 adds `(line 1 column 8)`),
 * or no position at all for an unexpected token or the end of input; then the offset is found
 * by scanning the text.
 */

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, offset: number): { readonly line: number; readonly column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/**
 * The reason JSON.parse gave for refusing `text`, with its location as `at line L, column C`
 * in place of any character offset, e.g. `Expected ',' or '}' after property value at line 12, column 5`.
 */
export function describeJsonSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  let reason = message;
  let offset: number | undefined;
  const positioned = /^(.*?)(?: in JSON)? at position (\d+)(?: \(line \d+ column \d+\))?$/s.exec(message);
  if (positioned) {
    reason = positioned[1];
    offset = Number(positioned[2]);
  } else {
    // The other messages quote the text around the token (possibly all of it); drop the quote.
    const token = /^(Unexpected token '.+?'), .*is not valid JSON$/s.exec(message);
    if (token) reason = token[1];
    else if (/ is not valid JSON$/s.test(message)) reason = 'Unexpected input';
    offset = firstSyntaxErrorOffset(text);
  }
  if (offset === undefined) return reason;
  const { line, column } = lineAndColumn(text, offset);
  return `${reason} at line ${line}, column ${column}`;
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

class SyntaxErrorAt {
  constructor(readonly offset: number) {}
}

/** The offset of the first character a strict JSON parser refuses, or undefined when the text is valid JSON. */
export function firstSyntaxErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxErrorAt(i);
  };
  const skipWhitespace = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const expect = (word: string) => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < ' ') fail();
      i++;
      if (ch === '"') return;
      if (ch === '\\') {
        if (text[i] === 'u') {
          i++;
          for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) fail();
        } else if (text[i] !== undefined && '"\\/bfnrt'.includes(text[i])) i++;
        else fail();
      }
    }
  };
  const digits = () => {
    if (!isDigit(text[i])) fail();
    while (isDigit(text[i])) i++;
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  const value = (): void => {
    skipWhitespace();
    const ch = text[i];
    if (ch === '{') {
      i++;
      skipWhitespace();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skipWhitespace();
        if (text[i] !== '"') fail();
        string();
        skipWhitespace();
        expect(':');
        value();
        skipWhitespace();
        if (text[i] === ',') i++;
        else return expect('}');
      }
    }
    if (ch === '[') {
      i++;
      skipWhitespace();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        skipWhitespace();
        if (text[i] === ',') i++;
        else return expect(']');
      }
    }
    if (ch === '"') return string();
    if (ch === '-' || isDigit(ch)) return number();
    if (ch === 't') return expect('true');
    if (ch === 'f') return expect('false');
    if (ch === 'n') return expect('null');
    fail();
  };
  try {
    value();
    skipWhitespace();
    if (i < text.length) fail();
    return undefined;
  } catch (e) {
    if (e instanceof SyntaxErrorAt) return e.offset;
    throw e;
  }
}
