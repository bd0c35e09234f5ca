/**
 * Small evaluators of the pattern languages the AWS misuse detection writes, so tests can run its
 * patterns over log lines and events in the exact shape the cloud produces them:
 *
 * - CloudWatch Logs JSON filter patterns (metric filters), the subset the blueprint uses:
 *   `{ $.a.b = "x" }`, `!=`, `*` wildcards in strings, numeric `= != < <= > >=`, `&&`, `||`,
 *   parentheses, `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`;
 * - CloudWatch Contributor Insights rules on JSON logs (Keys, Filters, ValueOf, AggregateOn);
 * - EventBridge event patterns: exact values, `prefix`, `suffix`, `anything-but`, `exists`,
 *   `equals-ignore-case`, `$or`, arrays (any element matches);
 * - the fields a CloudWatch Logs Insights query reads.
 *
 * Each follows the service's documented semantics; where the documentation is silent, the choice
 * is stated. A construct it does not know is an error, never a silent match.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `$.a.b[0].c` as a list of keys and indices; throws on anything else. */
function parseSelector(selector: string): Array<string | number> {
  if (!selector.startsWith('$')) throw new Error(`selector ${selector} must start with $`);
  const parts: Array<string | number> = [];
  const re = /\.([A-Za-z_][\w-]*)|\[(\d+)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < selector.length) {
    const at = re.lastIndex;
    const m = re.exec(selector);
    if (!m || m.index !== at) throw new Error(`selector ${selector}: cannot read from ${selector.slice(at)}`);
    parts.push(m[1] !== undefined ? m[1] : Number(m[2]));
  }
  return parts;
}

/** The value at a selector, or `undefined` when the path does not exist. */
function select(doc: Json, selector: string): Json | undefined {
  let at: Json | undefined = doc;
  for (const part of parseSelector(selector)) {
    if (at === null || typeof at !== 'object') return undefined;
    if (typeof part === 'number') {
      if (!Array.isArray(at)) return undefined;
      at = at[part];
    } else {
      if (Array.isArray(at) || !Object.prototype.hasOwnProperty.call(at, part)) return undefined;
      at = (at as Record<string, Json>)[part];
    }
  }
  return at;
}

function parseJsonObject(line: string): Json | undefined {
  try {
    const doc = JSON.parse(line) as Json;
    return typeof doc === 'object' && doc !== null ? doc : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs JSON filter patterns

type Token = { kind: 'punct'; value: string } | { kind: 'string'; value: string } | { kind: 'word'; value: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let value = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (text[i] !== '"') throw new Error(`filter pattern ${text}: unterminated string`);
      i++;
      tokens.push({ kind: 'string', value });
    } else {
      const punct = ['&&', '||', '!=', '<=', '>=', '=', '<', '>', '(', ')', '{', '}'].find((p) => text.startsWith(p, i));
      if (punct) {
        tokens.push({ kind: 'punct', value: punct });
        i += punct.length;
      } else {
        const m = /^[^\s"&|!=<>(){}]+/.exec(text.slice(i));
        if (!m) throw new Error(`filter pattern ${text}: unexpected ${c}`);
        tokens.push({ kind: 'word', value: m[0] });
        i += m[0].length;
      }
    }
  }
  return tokens;
}

type Condition = (doc: Json) => boolean;

/** `*` matches any run of characters; everything else literally (filter patterns are case sensitive). */
function globMatches(glob: string, value: string): boolean {
  const re = new RegExp(`^${glob.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(value);
}

function comparison(selector: string, op: string, operand: Token): Condition {
  const numeric = operand.kind === 'word' && /^-?\d+(\.\d+)?$/.test(operand.value);
  if (numeric) {
    const n = Number(operand.value);
    const test = { '=': (v: number) => v === n, '!=': (v: number) => v !== n, '<': (v: number) => v < n, '<=': (v: number) => v <= n, '>': (v: number) => v > n, '>=': (v: number) => v >= n }[op];
    if (!test) throw new Error(`unknown operator ${op}`);
    // A numeric comparison reads numbers; a string that looks like one is not taken for one.
    return (doc) => {
      const v = select(doc, selector);
      return typeof v === 'number' && test(v);
    };
  }
  if (op !== '=' && op !== '!=') throw new Error(`operator ${op} compares numbers, not ${JSON.stringify(operand.value)}`);
  const glob = operand.value;
  // A missing field (or one of another type) matches neither = nor != (the documentation names no other behaviour).
  return (doc) => {
    const v = select(doc, selector);
    if (typeof v !== 'string') return false;
    return op === '=' ? globMatches(glob, v) : !globMatches(glob, v);
  };
}

/** Parses a JSON filter pattern into a predicate over a log event's message. */
export function compileFilterPattern(pattern: string): (message: string) => boolean {
  const tokens = tokenize(pattern);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (value?: string): Token => {
    const t = tokens[pos++];
    if (!t || (value !== undefined && t.value !== value)) throw new Error(`filter pattern ${pattern}: expected ${value ?? 'more'} at token ${pos}`);
    return t;
  };

  const primary = (): Condition => {
    if (peek()?.kind === 'punct' && peek().value === '(') {
      take('(');
      const inner = or();
      take(')');
      return inner;
    }
    const selector = take();
    if (selector.kind !== 'word' || !selector.value.startsWith('$')) throw new Error(`filter pattern ${pattern}: expected a selector, got ${selector.value}`);
    const next = take();
    if (next.kind === 'word' && next.value === 'IS') {
      const what = take().value;
      const expected = { NULL: null, TRUE: true, FALSE: false }[what];
      if (expected === undefined) throw new Error(`filter pattern ${pattern}: IS ${what} is not supported`);
      return (doc) => select(doc, selector.value) === expected;
    }
    if (next.kind === 'word' && next.value === 'NOT') {
      take('EXISTS');
      return (doc) => select(doc, selector.value) === undefined;
    }
    if (next.kind !== 'punct' || !['=', '!=', '<', '<=', '>', '>='].includes(next.value)) throw new Error(`filter pattern ${pattern}: expected an operator after ${selector.value}`);
    return comparison(selector.value, next.value, take());
  };
  const and = (): Condition => {
    const parts = [primary()];
    while (peek()?.value === '&&') {
      take('&&');
      parts.push(primary());
    }
    return (doc) => parts.every((p) => p(doc));
  };
  const or = (): Condition => {
    const parts = [and()];
    while (peek()?.value === '||') {
      take('||');
      parts.push(and());
    }
    return (doc) => parts.some((p) => p(doc));
  };

  take('{');
  const condition = or();
  take('}');
  if (pos !== tokens.length) throw new Error(`filter pattern ${pattern}: unexpected ${tokens[pos].value} after the closing brace`);
  // A JSON pattern never matches a log event that is not a JSON object.
  return (message) => {
    const doc = parseJsonObject(message);
    return doc !== undefined && condition(doc);
  };
}

/** Whether a JSON filter pattern matches a log event's message. */
export function matchesFilterPattern(pattern: string, message: string): boolean {
  return compileFilterPattern(pattern)(message);
}

// ---------------------------------------------------------------------------------------------
// Contributor Insights rules

/** The `CloudWatchLogRule` body of a Contributor Insights rule on JSON logs. */
export interface InsightRuleBody {
  readonly Schema: { readonly Name: string; readonly Version: number };
  readonly LogGroupNames: readonly string[];
  readonly LogFormat: string;
  readonly Contribution: {
    readonly Keys: readonly string[];
    readonly ValueOf?: string;
    readonly Filters?: ReadonlyArray<Record<string, Json>>;
  };
  readonly AggregateOn: 'Count' | 'Sum';
}

const FILTER_OPERATORS: Record<string, (value: Json | undefined, operand: Json) => boolean> = {
  In: (v, list) => v !== undefined && (list as Json[]).some((x) => x === v),
  NotIn: (v, list) => v !== undefined && !(list as Json[]).some((x) => x === v),
  StartsWith: (v, list) => typeof v === 'string' && (list as Json[]).some((x) => typeof x === 'string' && v.startsWith(x)),
  GreaterThan: (v, n) => typeof v === 'number' && v > (n as number),
  LessThan: (v, n) => typeof v === 'number' && v < (n as number),
  EqualTo: (v, n) => typeof v === 'number' && v === n,
  NotEqualTo: (v, n) => typeof v === 'number' && v !== n,
  IsPresent: (v, present) => (v !== undefined) === present,
};

/**
 * What a rule attributes to each contributor over a set of log events: the number of matching
 * events (Count) or the sum of ValueOf (Sum). Every filter must hold; an event without one of the
 * keys, or (for Sum) without a numeric ValueOf, contributes nothing. Multiple keys are joined
 * with ` | ` for display only.
 */
export function contributions(body: InsightRuleBody, messages: readonly string[]): Map<string, number> {
  if (body.Schema.Name !== 'CloudWatchLogRule' || body.Schema.Version !== 1) throw new Error(`unknown rule schema ${JSON.stringify(body.Schema)}`);
  if (body.LogFormat !== 'JSON') throw new Error(`only JSON rules are evaluated, not ${body.LogFormat}`);
  if (body.AggregateOn === 'Sum' && !body.Contribution.ValueOf) throw new Error('a Sum rule needs ValueOf');
  const filters = (body.Contribution.Filters ?? []).map((f) => {
    const { Match, ...rest } = f;
    const ops = Object.entries(rest);
    if (typeof Match !== 'string' || ops.length !== 1 || !FILTER_OPERATORS[ops[0][0]]) throw new Error(`unknown Contributor Insights filter ${JSON.stringify(f)}`);
    const [op, operand] = ops[0];
    return (doc: Json) => FILTER_OPERATORS[op](select(doc, Match), operand);
  });
  const totals = new Map<string, number>();
  for (const message of messages) {
    const doc = parseJsonObject(message);
    if (doc === undefined || !filters.every((f) => f(doc))) continue;
    const keys = body.Contribution.Keys.map((k) => select(doc, k));
    if (keys.some((k) => k === undefined || k === null || typeof k === 'object')) continue;
    let value = 1;
    if (body.AggregateOn === 'Sum') {
      const v = select(doc, body.Contribution.ValueOf!);
      if (typeof v !== 'number') continue;
      value = v;
    }
    const key = keys.map(String).join(' | ');
    totals.set(key, (totals.get(key) ?? 0) + value);
  }
  return totals;
}

/** `MaxContributorValue` of a window: the largest single contributor's value, 0 when there is none. */
export function maxContributorValue(body: InsightRuleBody, messages: readonly string[]): number {
  return Math.max(0, ...contributions(body, messages).values());
}

// ---------------------------------------------------------------------------------------------
// EventBridge event patterns

function leafMatches(matcher: Json, value: Json | undefined): boolean {
  if (matcher === null || typeof matcher !== 'object') {
    return value !== undefined && (Array.isArray(value) ? value.some((v) => v === matcher) : value === matcher);
  }
  if (Array.isArray(matcher)) throw new Error(`a pattern value must be a list of matchers, not nested lists: ${JSON.stringify(matcher)}`);
  const entries = Object.entries(matcher);
  if (entries.length !== 1) throw new Error(`unknown matcher ${JSON.stringify(matcher)}`);
  const [kind, operand] = entries[0];
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  switch (kind) {
    case 'exists':
      return (value !== undefined) === operand;
    case 'prefix':
      return values.some((v) => typeof v === 'string' && typeof operand === 'string' && v.startsWith(operand));
    case 'suffix':
      return values.some((v) => typeof v === 'string' && typeof operand === 'string' && v.endsWith(operand));
    case 'equals-ignore-case':
      return values.some((v) => typeof v === 'string' && typeof operand === 'string' && v.toLowerCase() === operand.toLowerCase());
    case 'anything-but': {
      // Matches a present value that none of the listed values (or the prefix) matches.
      if (value === undefined) return false;
      const excluded = (v: Json) =>
        operand !== null && typeof operand === 'object' && !Array.isArray(operand)
          ? leafMatches(operand, v)
          : (Array.isArray(operand) ? operand : [operand]).some((x) => x === v);
      return values.some((v) => !excluded(v));
    }
    default:
      throw new Error(`matcher ${kind} is not supported`);
  }
}

/**
 * Whether an event matches an EventBridge event pattern. Every field of the pattern must match;
 * a list of matchers matches when any matches; an event array matches when any element does;
 * `$or` takes a list of sub-patterns at its level, any of which may match.
 */
export function matchesEventPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern as Record<string, Json>).every(([key, matcher]) => {
    if (key === '$or') {
      if (!Array.isArray(matcher)) throw new Error('$or takes a list of patterns');
      return matcher.some((p) => matchesEventPattern(p as Record<string, unknown>, event));
    }
    const value = event !== null && typeof event === 'object' && !Array.isArray(event) ? (event as Record<string, Json>)[key] : undefined;
    if (Array.isArray(matcher)) return matcher.some((m) => leafMatches(m, value));
    if (matcher !== null && typeof matcher === 'object') {
      if (Array.isArray(value)) return value.some((v) => matchesEventPattern(matcher, v));
      return value !== null && typeof value === 'object' && matchesEventPattern(matcher, value);
    }
    throw new Error(`pattern field ${key} must hold a list of matchers or a nested pattern, not ${JSON.stringify(matcher)}`);
  });
}

// ---------------------------------------------------------------------------------------------
// CloudWatch Logs Insights

const INSIGHTS_KEYWORDS = new Set(['fields', 'filter', 'stats', 'sort', 'limit', 'display', 'dedup', 'parse', 'as', 'by', 'and', 'or', 'not', 'like', 'in', 'asc', 'desc']);

/**
 * The log fields a Logs Insights query reads: every identifier that is not a command, keyword,
 * function name, alias defined with `as`, number, string or regular expression. `@` fields (such
 * as `@timestamp`) are the service's own and are returned too.
 */
export function queryFields(query: string): Set<string> {
  const stripped = query.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, ' ').replace(/(like\s+)\/(?:[^/\\]|\\.)*\//g, '$1 ');
  const aliases = new Set([...stripped.matchAll(/\bas\s+([A-Za-z_][\w]*)/g)].map((m) => m[1]));
  const fields = new Set<string>();
  for (const m of stripped.matchAll(/[@A-Za-z_][\w.@]*/g)) {
    const name = m[0];
    const after = stripped.slice(m.index! + name.length);
    if (INSIGHTS_KEYWORDS.has(name) || aliases.has(name) || /^\s*\(/.test(after)) continue;
    fields.add(name);
  }
  return fields;
}

/** Whether a dotted field path (`audit.callerArn`) exists in a record. */
export function hasField(record: unknown, path: string): boolean {
  return select(record as Json, `$.${path}`) !== undefined;
}
