import { describeJsonSyntaxError, firstSyntaxErrorOffset, lineAndColumn } from '../../lib/config/json-syntax';

/** What JSON.parse throws for `text` on the Node running the tests. */
function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

const describeParse = (text: string) => describeJsonSyntaxError(text, parseError(text));

describe('describeJsonSyntaxError', () => {
  const text = '{\n  "a": 1\n  "b": 2\n}';
  const offset = text.indexOf('"b"');

  test.each([
    ['Node 20', `Expected ',' or '}' after property value in JSON at position ${offset}`],
    ['Node 22', `Expected ',' or '}' after property value in JSON at position ${offset} (line 3 column 3)`],
  ])('turns the %s position into a line and column', (_node, message) => {
    expect(describeJsonSyntaxError(text, new SyntaxError(message))).toBe("Expected ',' or '}' after property value at line 3, column 3");
  });

  test('keeps "after JSON" in the reason of trailing text', () => {
    expect(describeJsonSyntaxError('{}\n x', new SyntaxError('Unexpected non-whitespace character after JSON at position 4 (line 2 column 2)'))).toBe(
      'Unexpected non-whitespace character after JSON at line 2, column 2',
    );
  });

  test.each<[string, string, string]>([
    ['a missing comma', text, "Expected ',' or '}' after property value at line 3, column 3"],
    ['a trailing comma in a list (no position from Node)', '{\n  "a": [1,\n  ]\n}', "Unexpected token ']' at line 3, column 3"],
    ['a trailing comma in an object', '{\n  "a": 1,\n}', 'Expected double-quoted property name at line 3, column 1'],
    ['a comment (no position from Node)', '[\n  1, // one\n  2\n]', "Unexpected token '/' at line 2, column 6"],
    ['an unquoted value (no position from Node)', '{\n  "region": eu-central-1\n}', "Unexpected token 'e' at line 2, column 13"],
    ['the end of the input', '{\n  "organisation": ', 'Unexpected end of JSON input at line 2, column 19'],
    ['an unterminated string', '{\n  "a": "b', 'Unterminated string at line 2, column 10'],
    ['Windows line ends', '{\r\n  "a": 1\r\n  "b": 2\r\n}', "Expected ',' or '}' after property value at line 3, column 3"],
  ])('%s', (_name, broken, expected) => {
    expect(describeParse(broken)).toBe(expected);
  });

  test('never prints a character offset, and drops the quoted text of the document', () => {
    const broken = ['[1,]', '{"a": x}', '{"a":1,}', 'x', '', '{"a":"b', '{"a":1} x', '{"a": tru}', '{"a": -}', '{"a": 1e}', '{"a":"\\q"}', '\u{feff}{}', `{"${'k'.repeat(80)}": [1,2,3,], "more": 1}`];
    for (const b of broken) {
      const message = describeParse(b);
      expect(message).not.toMatch(/position|is not valid JSON|"/);
      expect(message).toMatch(/ at line 1, column \d+$/);
    }
  });
});

describe('firstSyntaxErrorOffset', () => {
  test('finds nothing wrong in valid JSON', () => {
    for (const valid of ['{}', '[]', '0', '-1.5e+3', '"\\u00e9\\n"', ' { "a" : [ true , false , null , { } ] } ', '\r\n[1]\t']) {
      expect(JSON.parse(valid)).toBeDefined();
      expect(firstSyntaxErrorOffset(valid)).toBeUndefined();
    }
  });

  // Where Node gives a position, the scanner finds the same one; it is used only where Node gives none.
  test.each(['{"a":1 "b":2}', '{"a":1,}', '{"a":"b', '{"a":1} x', '{// c\n}', '{"a": -}', '"abc', '{"a":"\\q"}', '{"a" 1}', '[1 2]', '{"a": 1.}', '{"a": 01}', '{"a":"\t"}'])(
    'agrees with Node on %j',
    (broken) => {
      const position = /at position (\d+)/.exec((parseError(broken) as Error).message)?.[1];
      expect(position).toBeDefined();
      expect(firstSyntaxErrorOffset(broken)).toBe(Number(position));
    },
  );
});

describe('lineAndColumn', () => {
  test('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab\n', 3)).toEqual({ line: 2, column: 1 });
  });
});
