/**
 * A small evaluator of Kusto (KQL), for the subset the Azure misuse detection's log search alerts
 * and saved queries use, so tests can run those queries over rows in the shape Azure Monitor
 * writes them (https://learn.microsoft.com/kusto/query/). Parsing is Microsoft's: the syntax tree
 * comes from `Kusto.Language.KustoCode.Parse` (@kusto/language-service-next, the parser of the
 * Log Analytics editor), so the evaluator reads exactly the structure Kusto itself sees, including
 * operator precedence. Only the evaluation is ours:
 *
 * - statements: scalar `let name = <expression>;`, then one tabular expression that starts at a
 *   table given to the evaluator;
 * - operators: `where`, `extend` (later expressions see earlier ones), `project` (columns, or
 *   `name = expression`), `summarize <name> = <aggregate>, ... [by <column>|<name> = <expression>|
 *   bin(<datetime column>, <timespan>), ...]`, `order by`/`sort by` (`asc`, `desc`, default `desc`;
 *   nulls last when descending and first when ascending, as Kusto orders them), `take`/`limit`;
 * - aggregates: `count()`, `sum()`, `min()`, `max()` and `percentile(x, p)`;
 * - scalar operators: `==`, `!=` (case-sensitive), `=~`, `!~` (case-insensitive), `<`, `<=`, `>`,
 *   `>=` (numbers and datetimes), `in`, `!in`, `in~`, `!in~` (against a list of literals),
 *   `startswith` (case-insensitive prefix), `and`, `or`, parentheses;
 * - functions: `not()`, `isempty()`, `isnotempty()`, `parse_json()`, `tostring()` (null and a
 *   missing property give ""), `tolong()` (a string that is not an integer gives null),
 *   `coalesce()` (the first argument that is neither null nor an empty string), `strcat()`,
 *   `bin()` (datetimes only, by a timespan that divides a day, so the bins do not depend on the
 *   epoch they count from);
 * - literals: strings, long and real numbers, `true`/`false`, timespans `<n>d|h|m|s|ms`;
 * - property access on dynamic values (`properties.objectId`).
 *
 * `percentile` is Kusto's estimate of the nearest-rank percentile: its error bound is on the rank,
 * about one percentile point (learn.microsoft.com/kusto/query/percentiles-aggregation-function).
 * The evaluator computes the exact nearest-rank value and refuses data where the values within one
 * percentile point of that rank differ, so a test only ever relies on a result the estimate shares.
 *
 * Everything else is refused with an error saying it is "not in the evaluated subset": other
 * operators and functions (`has`, `dcount`, `toint`, `join`, ...), a comparison involving null
 * (Kusto gives null, which `where` drops; no alert here depends on that), comparing a dynamic value
 * without converting it, case-insensitive comparison of non-ASCII text, sorting by strings, and
 * aggregates over only nulls. A test cannot pass on a query the evaluator did not understand.
 *
 * The order of rows follows the input where Kusto leaves it unspecified (`where`, `take`, the
 * groups of `summarize`, ties of `order by`); tests must not depend on it.
 */

/** A table given to the evaluator: its schema and its rows. */
export interface KqlTable {
  /** Column name to Kusto type: string, guid, long, int, real, bool, datetime or dynamic. */
  readonly columns: Readonly<Record<string, string>>;
  /**
   * The rows, by column name. A column left out is empty, as Log Analytics fills it: `""` for
   * strings and guids, null for the rest. Datetimes are `Date`s or ISO 8601 strings; dynamic
   * values are JSON values. A key the schema does not declare, or a value of the wrong type, is
   * an error.
   */
  readonly rows: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A value in a result row: dynamic values come back as their JSON (a missing property as null). */
export type KqlValue = null | boolean | number | string | Date | Json;

/** One row of a query's result, its columns in Kusto's order. */
export type KqlRow = Record<string, KqlValue>;

/** A dynamic value; `undefined` is a property that is not there, which Kusto treats as null. */
class Dynamic {
  constructor(readonly value: Json | undefined) {}
}

class Timespan {
  constructor(readonly ms: number) {}
}

type Value = null | boolean | number | string | Date | Dynamic | Timespan;

interface Rows {
  columns: string[];
  rows: Array<Map<string, Value>>;
}

// ---------------------------------------------------------------------------------------------
// Microsoft's parser

/** The slice of the Bridge.NET-compiled syntax tree the evaluator reads. */
interface Syntax {
  Kind: number;
  IsToken: boolean;
  Text: string;
  ChildCount: number;
  NameInParent: string | null;
  TextStart: number;
  End: number;
  LiteralValue?: unknown;
  GetChild(index: number): Syntax | null;
}

interface KustoLanguage {
  KustoCode: { Parse(text: string): { Syntax: Syntax; GetDiagnostics(): { Count: number; getItem(i: number): { Message: string; Start: number } } } };
  Syntax: { SyntaxKind: Record<string, number | unknown> };
}

let language: { kusto: KustoLanguage; kinds: Map<number, string> } | undefined;

function kusto() {
  if (!language) {
    /* eslint-disable @typescript-eslint/no-require-imports -- the package is a script that defines globals */
    require('@kusto/language-service-next/bridge.min.js');
    require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const k = (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
    const kinds = new Map<number, string>();
    for (const [name, value] of Object.entries(k.Syntax.SyntaxKind)) if (typeof value === 'number') kinds.set(value, name);
    language = { kusto: k, kinds };
  }
  return language;
}

/** Evaluation of one query: its text (for messages) and its scalar `let` names. */
class Evaluation {
  readonly lets = new Map<string, Value>();
  constructor(
    readonly text: string,
    readonly kinds: Map<number, string>,
  ) {}

  kind(node: Syntax): string {
    return this.kinds.get(node.Kind) ?? `kind ${node.Kind}`;
  }

  /** An error for syntax, or a value, outside the subset, quoting the query text where it happened. */
  refuse(node: Syntax, what = this.kind(node)): Error {
    return new Error(`not in the evaluated subset: ${what} (at ${node.TextStart}: ${JSON.stringify(this.text.slice(node.TextStart, node.End))})`);
  }
}

function children(node: Syntax): Syntax[] {
  const out: Syntax[] = [];
  for (let i = 0; i < node.ChildCount; i++) {
    const child = node.GetChild(i);
    if (child) out.push(child);
  }
  return out;
}

/** Each node's `NameInParent`, read once: Bridge.NET computes it by searching the parent's children. */
const roles = new WeakMap<Syntax, string | null>();
function roleOf(node: Syntax): string | null {
  if (!roles.has(node)) roles.set(node, node.NameInParent);
  return roles.get(node)!;
}

/** The child in the role `name` (Kusto's `NameInParent`), or undefined. */
function part(node: Syntax, name: string): Syntax | undefined {
  return children(node).find((c) => roleOf(c) === name);
}

function required(ev: Evaluation, node: Syntax, name: string): Syntax {
  const found = part(node, name);
  if (!found) throw ev.refuse(node, `${ev.kind(node)} without ${name}`);
  return found;
}

/** The elements of a comma-separated list (a SyntaxList of SeparatedElements). */
function elements(list: Syntax | undefined): Syntax[] {
  if (!list) return [];
  return children(list).map((separated) => children(separated).find((c) => !(c.IsToken && c.Text === ','))!);
}

/** The identifier of a NameReference or NameDeclaration; bracketed names are refused. */
function nameOf(ev: Evaluation, node: Syntax): string {
  const name = required(ev, node, 'Name');
  if (ev.kind(name) !== 'TokenName') throw ev.refuse(node, `the name ${ev.kind(name)}`);
  const token = required(ev, name, 'Name');
  return token.Text;
}

function isEmptyList(list: Syntax | undefined): boolean {
  return !list || list.ChildCount === 0;
}

// ---------------------------------------------------------------------------------------------
// Values

function typeOf(v: Value): string {
  if (v === null) return 'null';
  if (v instanceof Date) return 'datetime';
  if (v instanceof Dynamic) return 'dynamic';
  if (v instanceof Timespan) return 'timespan';
  return typeof v;
}

/** A row value from the caller, checked against the column's declared type. */
function fromInput(table: string, column: string, type: string, raw: unknown): Value {
  const wrong = () => new Error(`table ${table}: column ${column} is ${type}, got ${JSON.stringify(raw)}`);
  if (raw === undefined) return type === 'string' || type === 'guid' ? '' : type === 'dynamic' ? new Dynamic(null) : null;
  if (raw === null) {
    if (type === 'string' || type === 'guid') throw new Error(`table ${table}: column ${column} is ${type}, which Kusto never holds as null; leave it out or give ""`);
    return type === 'dynamic' ? new Dynamic(null) : null;
  }
  switch (type) {
    case 'string':
    case 'guid':
      if (typeof raw !== 'string') throw wrong();
      return raw;
    case 'long':
    case 'int':
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) throw wrong();
      return raw;
    case 'real':
      if (typeof raw !== 'number' || !Number.isFinite(raw)) throw wrong();
      return raw;
    case 'bool':
      if (typeof raw !== 'boolean') throw wrong();
      return raw;
    case 'datetime': {
      const date = raw instanceof Date ? raw : typeof raw === 'string' && /^\d{4}-\d\d-\d\dT/.test(raw) ? new Date(raw) : undefined;
      if (!date || Number.isNaN(date.getTime())) throw wrong();
      return date;
    }
    case 'dynamic':
      return new Dynamic(JSON.parse(JSON.stringify(raw)) as Json);
    default:
      throw new Error(`table ${table}: column ${column} has type ${type}, which is not in the evaluated subset`);
  }
}

function toOutput(v: Value): KqlValue {
  if (v instanceof Dynamic) return v.value === undefined ? null : v.value;
  if (v instanceof Timespan) throw new Error('not in the evaluated subset: a timespan in a result');
  return v;
}

function isNullish(v: Value): boolean {
  return v === null || (v instanceof Dynamic && (v.value === undefined || v.value === null));
}

const isAscii = (s: string) => [...s].every((c) => c.charCodeAt(0) < 0x80);

function foldCase(ev: Evaluation, node: Syntax, s: string): string {
  if (!isAscii(s)) throw ev.refuse(node, `case-insensitive comparison of non-ASCII text ${JSON.stringify(s)}`);
  return s.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Scalar expressions

type Scope = Map<string, Value> | undefined;

const TIMESPAN_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

function literal(ev: Evaluation, node: Syntax): Value {
  const token = required(ev, node, 'Token');
  const text = token.Text;
  switch (ev.kind(node)) {
    case 'StringLiteralExpression':
      if (typeof node.LiteralValue !== 'string') throw ev.refuse(node, 'a string literal Kusto did not decode');
      return node.LiteralValue;
    case 'LongLiteralExpression':
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw ev.refuse(node, 'this long literal');
      return Number(text);
    case 'RealLiteralExpression':
      if (!/^\d+\.\d+$/.test(text)) throw ev.refuse(node, 'this real literal');
      return Number(text);
    case 'BooleanLiteralExpression':
      if (text !== 'true' && text !== 'false') throw ev.refuse(node, 'this boolean literal');
      return text === 'true';
    case 'TimespanLiteralExpression': {
      const m = /^(\d+(?:\.\d+)?)(d|h|m|s|ms)$/.exec(text);
      if (!m) throw ev.refuse(node, 'this timespan literal (only <n>d, h, m, s, ms)');
      return new Timespan(Number(m[1]) * TIMESPAN_UNITS[m[2]]);
    }
    default:
      throw ev.refuse(node);
  }
}

function strings(ev: Evaluation, node: Syntax, a: Value, b: Value, op: string): [string, string] {
  if (typeof a !== 'string' || typeof b !== 'string') throw ev.refuse(node, `${op} between ${typeOf(a)} and ${typeOf(b)} (strings only)`);
  return [a, b];
}

/** The two sides of a comparison: same type, neither null, neither dynamic. */
function comparable(ev: Evaluation, node: Syntax, a: Value, b: Value, op: string): [number | string | boolean, number | string | boolean] {
  if (a === null || b === null) throw ev.refuse(node, `${op} with null (Kusto gives null, which where drops)`);
  if (a instanceof Dynamic || b instanceof Dynamic) throw ev.refuse(node, `${op} on a dynamic value; convert it with tostring() or tolong() first`);
  if (a instanceof Timespan || b instanceof Timespan) throw ev.refuse(node, `${op} on a timespan`);
  if (typeOf(a) !== typeOf(b)) throw ev.refuse(node, `${op} between ${typeOf(a)} and ${typeOf(b)}`);
  return a instanceof Date ? [a.getTime(), (b as Date).getTime()] : [a, b as number | string | boolean];
}

function bool(ev: Evaluation, node: Syntax, v: Value): boolean {
  if (typeof v !== 'boolean') throw ev.refuse(node, `a condition of type ${typeOf(v)}`);
  return v;
}

function scalar(ev: Evaluation, node: Syntax, row: Scope): Value {
  const kind = ev.kind(node);
  if (kind.endsWith('LiteralExpression')) return literal(ev, node);
  switch (kind) {
    case 'NameReference': {
      const name = nameOf(ev, node);
      const inRow = row?.has(name) ?? false;
      const inLets = ev.lets.has(name);
      if (inRow && inLets) throw ev.refuse(node, `the name ${name}, both a column and a let`);
      if (inRow) return row!.get(name)!;
      if (inLets) return ev.lets.get(name)!;
      throw new Error(`unknown name ${name} (at ${node.TextStart})${row ? `; columns: ${[...row.keys()].join(', ')}` : ''}`);
    }
    case 'ParenthesizedExpression':
      return scalar(ev, required(ev, node, 'Expression'), row);
    case 'PathExpression': {
      const target = scalar(ev, required(ev, node, 'Expression'), row);
      const selector = required(ev, node, 'Selector');
      if (ev.kind(selector) !== 'NameReference') throw ev.refuse(selector);
      if (!(target instanceof Dynamic)) throw ev.refuse(node, `property access on ${typeOf(target)}`);
      const v = target.value;
      const key = nameOf(ev, selector);
      const isObject = v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
      return new Dynamic(isObject && Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, Json>)[key] : undefined);
    }
    case 'AndExpression':
    case 'OrExpression': {
      const left = bool(ev, node, scalar(ev, required(ev, node, 'Left'), row));
      // Kusto does not promise short-circuiting, so both sides are evaluated (and checked).
      const right = bool(ev, node, scalar(ev, required(ev, node, 'Right'), row));
      return kind === 'AndExpression' ? left && right : left || right;
    }
    case 'EqualExpression':
    case 'NotEqualExpression':
    case 'LessThanExpression':
    case 'LessThanOrEqualExpression':
    case 'GreaterThanExpression':
    case 'GreaterThanOrEqualExpression': {
      const [a, b] = comparable(ev, node, scalar(ev, required(ev, node, 'Left'), row), scalar(ev, required(ev, node, 'Right'), row), kind);
      if ((typeof a === 'string' || typeof a === 'boolean') && !['EqualExpression', 'NotEqualExpression'].includes(kind)) throw ev.refuse(node, `${kind} on ${typeof a}`);
      switch (kind) {
        case 'EqualExpression':
          return a === b;
        case 'NotEqualExpression':
          return a !== b;
        case 'LessThanExpression':
          return a < b;
        case 'LessThanOrEqualExpression':
          return a <= b;
        case 'GreaterThanExpression':
          return a > b;
        default:
          return a >= b;
      }
    }
    case 'EqualTildeExpression':
    case 'BangTildeExpression':
    case 'StartsWithExpression': {
      const [a, b] = strings(ev, node, scalar(ev, required(ev, node, 'Left'), row), scalar(ev, required(ev, node, 'Right'), row), kind);
      const [fa, fb] = [foldCase(ev, node, a), foldCase(ev, node, b)];
      if (kind === 'StartsWithExpression') return fa.startsWith(fb);
      return kind === 'EqualTildeExpression' ? fa === fb : fa !== fb;
    }
    case 'InExpression':
    case 'NotInExpression':
    case 'InCsExpression':
    case 'NotInCsExpression': {
      // Kusto's names: `in`/`!in` are case-sensitive; `in~`/`!in~` (the "Cs" kinds) are not.
      const caseInsensitive = kind === 'InCsExpression' || kind === 'NotInCsExpression';
      const left = scalar(ev, required(ev, node, 'Left'), row);
      const list = required(ev, node, 'Right');
      if (ev.kind(list) !== 'ExpressionList') throw ev.refuse(list, 'in with anything but a list of literals');
      const values = elements(part(list, 'Expressions')).map((e) => {
        if (!ev.kind(e).endsWith('LiteralExpression')) throw ev.refuse(e, 'in with anything but a list of literals');
        return literal(ev, e);
      });
      const found = values.some((v) => {
        if (caseInsensitive) {
          const [a, b] = strings(ev, node, left, v, kind);
          return foldCase(ev, node, a) === foldCase(ev, node, b);
        }
        const [a, b] = comparable(ev, node, left, v, kind);
        return a === b;
      });
      return kind === 'InExpression' || kind === 'InCsExpression' ? found : !found;
    }
    case 'FunctionCallExpression':
      return call(ev, node, row);
    default:
      throw ev.refuse(node);
  }
}

function functionName(ev: Evaluation, node: Syntax): string {
  const name = required(ev, node, 'Name');
  if (ev.kind(name) !== 'NameReference') throw ev.refuse(name);
  return nameOf(ev, name);
}

function argumentsOf(ev: Evaluation, node: Syntax): Syntax[] {
  return elements(part(required(ev, node, 'ArgumentList'), 'Expressions'));
}

/** `tostring` of the values the subset can print the way Kusto does. */
function toKqlString(ev: Evaluation, node: Syntax, v: Value): string {
  const inner = v instanceof Dynamic ? v.value : v;
  if (inner === null || inner === undefined) return '';
  if (typeof inner === 'string') return inner;
  if (typeof inner === 'number' && Number.isSafeInteger(inner)) return String(inner);
  throw ev.refuse(node, `tostring of ${v instanceof Dynamic ? 'dynamic ' : ''}${JSON.stringify(inner)}`);
}

function call(ev: Evaluation, node: Syntax, row: Scope): Value {
  const name = functionName(ev, node);
  const argNodes = argumentsOf(ev, node);
  const arity = (n: number) => {
    if (argNodes.length !== n) throw ev.refuse(node, `${name} with ${argNodes.length} arguments`);
  };
  const args = () => argNodes.map((a) => scalar(ev, a, row));
  switch (name) {
    case 'not': {
      arity(1);
      return !bool(ev, node, args()[0]);
    }
    case 'isempty':
    case 'isnotempty': {
      arity(1);
      const v = args()[0];
      const inner = v instanceof Dynamic ? v.value : v;
      if (inner !== null && inner !== undefined && typeof inner === 'object' && !(inner instanceof Date)) throw ev.refuse(node, `${name} of a dynamic array or object`);
      const empty = inner === null || inner === undefined || inner === '';
      return name === 'isempty' ? empty : !empty;
    }
    case 'parse_json': {
      arity(1);
      const v = args()[0];
      if (v instanceof Dynamic) return v;
      if (typeof v !== 'string' || v === '') throw ev.refuse(node, `parse_json of ${JSON.stringify(v)}`);
      try {
        return new Dynamic(JSON.parse(v) as Json);
      } catch {
        throw ev.refuse(node, `parse_json of text that is not JSON: ${JSON.stringify(v)}`);
      }
    }
    case 'tostring':
      arity(1);
      return toKqlString(ev, node, args()[0]);
    case 'tolong': {
      arity(1);
      const v = args()[0];
      const inner = v instanceof Dynamic ? v.value : v;
      if (inner === null || inner === undefined) return null;
      if (typeof inner === 'number' && Number.isSafeInteger(inner)) return inner;
      if (typeof inner === 'string') return /^[+-]?\d+$/.test(inner.trim()) && Number.isSafeInteger(Number(inner)) ? Number(inner) : null;
      throw ev.refuse(node, `tolong of ${JSON.stringify(inner)}`);
    }
    case 'coalesce': {
      if (argNodes.length < 2) throw ev.refuse(node, 'coalesce with fewer than 2 arguments');
      const values = args();
      const types = new Set(values.filter((v) => v !== null).map(typeOf));
      if (types.size > 1) throw ev.refuse(node, `coalesce of mixed types ${[...types].join(', ')}`);
      return values.find((v) => !isNullish(v) && v !== '') ?? (types.has('string') ? '' : null);
    }
    case 'strcat':
      if (argNodes.length < 1) throw ev.refuse(node, 'strcat without arguments');
      return args()
        .map((v) => toKqlString(ev, node, v))
        .join('');
    case 'bin': {
      arity(2);
      const [v, size] = args();
      if (!(size instanceof Timespan) || !(v instanceof Date || v === null)) throw ev.refuse(node, `bin of ${typeOf(v)} by ${typeOf(size)} (datetimes by timespans only)`);
      // Kusto counts bins from 0001-01-01; a size that divides a day gives the same bins from 1970.
      if (size.ms <= 0 || 86_400_000 % size.ms !== 0) throw ev.refuse(node, `bin by ${size.ms} ms, which does not divide a day`);
      return v === null ? null : new Date(Math.floor(v.getTime() / size.ms) * size.ms);
    }
    default:
      throw ev.refuse(node, `the function ${name}()`);
  }
}

// ---------------------------------------------------------------------------------------------
// Tabular operators

const AGGREGATES = new Set(['count', 'sum', 'min', 'max', 'percentile']);

/** The nearest-rank percentile, refused where Kusto's estimate could land on another value. */
function nearestRank(ev: Evaluation, node: Syntax, values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  // Kusto's percentiles 0 and 100 are exactly the minimum and the maximum.
  if (p === 0 || p === 100) return sorted[p === 0 ? 0 : sorted.length - 1];
  const rank = (q: number) => Math.max(1, Math.ceil((q / 100) * sorted.length));
  const value = sorted[rank(p) - 1];
  const low = sorted[rank(Math.max(0, p - 1)) - 1];
  const high = sorted[rank(Math.min(100, p + 1)) - 1];
  if (low !== value || high !== value) {
    throw ev.refuse(node, `percentile ${p} of values that are not clear-cut: within one percentile point of its rank lie ${low} to ${high}, and Kusto's estimate may return any of them`);
  }
  return value;
}

function aggregate(ev: Evaluation, node: Syntax, group: Array<Map<string, Value>>): Value {
  if (ev.kind(node) !== 'FunctionCallExpression') throw ev.refuse(node, 'a summarize expression that is not an aggregate call');
  const name = functionName(ev, node);
  if (!AGGREGATES.has(name)) throw ev.refuse(node, `the aggregate ${name}()`);
  const argNodes = argumentsOf(ev, node);
  if (name === 'count') {
    if (argNodes.length !== 0) throw ev.refuse(node, 'count() with an argument');
    return group.length;
  }
  const expected = name === 'percentile' ? 2 : 1;
  if (argNodes.length !== expected) throw ev.refuse(node, `${name} with ${argNodes.length} arguments`);
  const values = group.map((row) => scalar(ev, argNodes[0], row)).filter((v) => !isNullish(v));
  if (values.length === 0) throw ev.refuse(node, `${name} over only nulls`);
  const types = new Set(values.map(typeOf));
  if (name === 'min' || name === 'max') {
    if (types.size !== 1 || !(types.has('number') || types.has('datetime'))) throw ev.refuse(node, `${name} over ${[...types].join(', ')}`);
    const keyed = values.map((v) => [v instanceof Date ? v.getTime() : (v as number), v] as const);
    const pick = keyed.reduce((best, x) => ((name === 'min' ? x[0] < best[0] : x[0] > best[0]) ? x : best));
    return pick[1];
  }
  if (types.size !== 1 || !types.has('number')) throw ev.refuse(node, `${name} over ${[...types].join(', ')}`);
  const numbers = values as number[];
  if (name === 'sum') return numbers.reduce((a, b) => a + b, 0);
  const p = scalar(ev, argNodes[1], undefined);
  if (typeof p !== 'number' || p < 0 || p > 100 || !ev.kind(argNodes[1]).endsWith('LiteralExpression')) throw ev.refuse(argNodes[1], 'a percentile that is not a number literal from 0 to 100');
  return nearestRank(ev, node, numbers, p);
}

/** `name = expression`, or a bare column (which keeps its name); `bin(column, ...)` is named after the column where `binNames`. */
function named(ev: Evaluation, node: Syntax, binNames = false): { name: string; expression: Syntax } {
  const kind = ev.kind(node);
  if (kind === 'SimpleNamedExpression') return { name: nameOf(ev, required(ev, node, 'Name')), expression: required(ev, node, 'Expression') };
  if (kind === 'NameReference') return { name: nameOf(ev, node), expression: node };
  if (binNames && kind === 'FunctionCallExpression' && functionName(ev, node) === 'bin') {
    const first = argumentsOf(ev, node)[0];
    if (first && ev.kind(first) === 'NameReference') return { name: nameOf(ev, first), expression: node };
  }
  throw ev.refuse(node, `an unnamed ${kind} (name it: x = ...)`);
}

function groupKey(v: Value): string {
  if (v instanceof Date) return `d${v.getTime()}`;
  if (v instanceof Dynamic || v instanceof Timespan) throw new Error('not in the evaluated subset: summarize by a dynamic or timespan value');
  return JSON.stringify([typeOf(v), v]);
}

function summarize(ev: Evaluation, node: Syntax, input: Rows): Rows {
  if (!isEmptyList(part(node, 'Parameters'))) throw ev.refuse(node, 'summarize with parameters');
  const aggregates = elements(part(node, 'Aggregates')).map((a) => named(ev, a));
  const byClause = part(node, 'ByClause');
  const by = byClause ? elements(part(byClause, 'Expressions')).map((b) => named(ev, b, true)) : [];
  for (const b of by) {
    const walk = (n: Syntax) => {
      if (ev.kind(n) === 'FunctionCallExpression' && AGGREGATES.has(functionName(ev, n))) throw ev.refuse(n, 'an aggregate in the by clause');
      children(n).forEach(walk);
    };
    walk(b.expression);
  }
  const columns = [...by.map((b) => b.name), ...aggregates.map((a) => a.name)];
  if (new Set(columns).size !== columns.length) throw ev.refuse(node, 'summarize with a repeated column name');
  const groups = new Map<string, { keys: Value[]; rows: Array<Map<string, Value>> }>();
  for (const row of input.rows) {
    const keys = by.map((b) => scalar(ev, b.expression, row));
    const key = keys.map(groupKey).join('|');
    const group = groups.get(key) ?? { keys, rows: [] };
    group.rows.push(row);
    groups.set(key, group);
  }
  if (by.length === 0 && input.rows.length === 0) {
    // Kusto returns one row here; count() of it is 0, and other aggregates of nothing are not in the subset.
    groups.set('', { keys: [], rows: [] });
  }
  const rows = [...groups.values()].map((g) => {
    const out = new Map<string, Value>();
    by.forEach((b, i) => out.set(b.name, g.keys[i]));
    for (const a of aggregates) out.set(a.name, aggregate(ev, a.expression, g.rows));
    return out;
  });
  return { columns, rows };
}

function sortKey(ev: Evaluation, node: Syntax, v: Value): number | null {
  if (v === null) return null;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  throw ev.refuse(node, `order by a ${typeOf(v)} (numbers and datetimes only)`);
}

function sort(ev: Evaluation, node: Syntax, input: Rows): Rows {
  if (!isEmptyList(part(node, 'Parameters'))) throw ev.refuse(node, 'sort with parameters');
  const keys = elements(part(node, 'Expressions')).map((e) => {
    if (ev.kind(e) !== 'OrderedExpression') return { expression: e, descending: true };
    const ordering = part(e, 'Ordering');
    if (ordering && part(ordering, 'NullsClause')) throw ev.refuse(ordering, 'nulls first/last');
    const keyword = ordering && part(ordering, 'AscOrDescKeyword');
    return { expression: required(ev, e, 'Expression'), descending: !keyword || keyword.Text === 'desc' };
  });
  const decorated = input.rows.map((row) => ({ row, values: keys.map((k) => sortKey(ev, k.expression, scalar(ev, k.expression, row))) }));
  decorated.sort((x, y) => {
    for (let i = 0; i < keys.length; i++) {
      const [a, b] = [x.values[i], y.values[i]];
      if (a === b) continue;
      // Kusto's defaults: nulls first when ascending, last when descending, so null is the smallest.
      const order = a === null ? -1 : b === null ? 1 : a < b ? -1 : 1;
      return keys[i].descending ? -order : order;
    }
    return 0;
  });
  return { columns: input.columns, rows: decorated.map((d) => d.row) };
}

function operator(ev: Evaluation, node: Syntax, input: Rows): Rows {
  switch (ev.kind(node)) {
    case 'FilterOperator': {
      if (!isEmptyList(part(node, 'Parameters'))) throw ev.refuse(node, 'where with parameters');
      const condition = required(ev, node, 'Condition');
      return { columns: input.columns, rows: input.rows.filter((row) => bool(ev, condition, scalar(ev, condition, row))) };
    }
    case 'ExtendOperator': {
      const assignments = elements(part(node, 'Expressions')).map((e) => {
        if (ev.kind(e) !== 'SimpleNamedExpression') throw ev.refuse(e, 'an unnamed extend expression (name it: x = ...)');
        return named(ev, e);
      });
      const columns = [...input.columns];
      for (const a of assignments) if (!columns.includes(a.name)) columns.push(a.name);
      const rows = input.rows.map((row) => {
        const out = new Map(row);
        for (const a of assignments) out.set(a.name, scalar(ev, a.expression, out));
        return out;
      });
      return { columns, rows };
    }
    case 'ProjectOperator': {
      const projections = elements(part(node, 'Expressions')).map((e) => named(ev, e));
      const columns = projections.map((p) => p.name);
      if (new Set(columns).size !== columns.length) throw ev.refuse(node, 'project with a repeated column name');
      const rows = input.rows.map((row) => new Map(projections.map((p) => [p.name, scalar(ev, p.expression, row)] as const)));
      return { columns, rows };
    }
    case 'SummarizeOperator':
      return summarize(ev, node, input);
    case 'SortOperator':
      return sort(ev, node, input);
    case 'TakeOperator': {
      if (!isEmptyList(part(node, 'Parameters'))) throw ev.refuse(node, 'take with parameters');
      const count = required(ev, node, 'Expression');
      if (ev.kind(count) !== 'LongLiteralExpression') throw ev.refuse(count, 'take of anything but a number literal');
      return { columns: input.columns, rows: input.rows.slice(0, literal(ev, count) as number) };
    }
    default:
      throw ev.refuse(node, `the operator ${ev.kind(node)}`);
  }
}

function tabular(ev: Evaluation, node: Syntax, tables: Readonly<Record<string, KqlTable>>): Rows {
  const kind = ev.kind(node);
  if (kind === 'PipeExpression') return operator(ev, required(ev, node, 'Operator'), tabular(ev, required(ev, node, 'Expression'), tables));
  if (kind !== 'NameReference') throw ev.refuse(node, `a query that starts with ${kind}`);
  const name = nameOf(ev, node);
  const table = tables[name];
  if (!table) throw new Error(`unknown table ${name}; tables given: ${Object.keys(tables).join(', ')}`);
  const columns = Object.keys(table.columns);
  const rows = table.rows.map((raw, i) => {
    const extra = Object.keys(raw).filter((k) => !(k in table.columns));
    if (extra.length > 0) throw new Error(`table ${name}, row ${i}: ${extra.join(', ')} not in its schema`);
    return new Map(columns.map((c) => [c, fromInput(name, c, table.columns[c], raw[c])] as const));
  });
  return { columns, rows };
}

/**
 * Runs `query` over `tables` and returns its rows. Throws when the query does not parse, names a
 * table or column that is not there, or uses anything outside the subset described above.
 */
export function evaluateKql(query: string, tables: Readonly<Record<string, KqlTable>>): KqlRow[] {
  const { kusto: k, kinds } = kusto();
  const code = k.KustoCode.Parse(query);
  const diagnostics = code.GetDiagnostics();
  if (diagnostics.Count > 0) {
    const d = diagnostics.getItem(0);
    throw new Error(`query does not parse: ${d.Message} (at ${d.Start})`);
  }
  const ev = new Evaluation(query, kinds);
  const root = code.Syntax;
  if (ev.kind(root) !== 'QueryBlock') throw ev.refuse(root);
  if (!isEmptyList(part(root, 'Directives'))) throw ev.refuse(root, 'directives');
  const statements = elements(part(root, 'Statements'));
  const body = statements.pop();
  if (!body || ev.kind(body) !== 'ExpressionStatement') throw ev.refuse(body ?? root, 'a query that does not end in a tabular expression');
  for (const statement of statements) {
    if (ev.kind(statement) !== 'LetStatement') throw ev.refuse(statement, `the statement ${ev.kind(statement)}`);
    const expression = required(ev, statement, 'Expression');
    const kind = ev.kind(expression);
    if (kind === 'PipeExpression' || kind === 'FunctionDeclaration' || (kind === 'NameReference' && tables[nameOf(ev, expression)])) {
      throw ev.refuse(statement, 'a let that is not scalar');
    }
    const name = nameOf(ev, required(ev, statement, 'Name'));
    if (ev.lets.has(name)) throw ev.refuse(statement, `let ${name} twice`);
    ev.lets.set(name, scalar(ev, expression, undefined));
  }
  const result = tabular(ev, required(ev, body, 'Expression'), tables);
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c) => [c, toOutput(row.get(c)!)])));
}
