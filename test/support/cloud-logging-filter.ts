/**
 * A small evaluator of the Cloud Logging query language, for the subset the blueprint's log
 * filters use, so tests can run a filter against log entries in the shape Google writes them
 * (https://cloud.google.com/logging/docs/view/logging-query-language):
 *
 * - comparisons `<field path> <op> <value>` with `=`, `!=` and `:` (has: the field contains the
 *   value; `:*` tests that the field exists); string comparisons are not case sensitive;
 * - field paths of dotted names, a segment may be quoted (`labels."k8s-pod/app"`); a repeated
 *   field matches when any element does;
 * - values are quoted strings (with `\"` and `\\` escapes) or bare words and numbers;
 * - `NOT` (also `-` before a comparison), `AND`, `OR`, parentheses, and juxtaposition as AND;
 *   as Google documents, NOT binds tightest, then OR, then AND: `a AND b OR c` is `a AND (b OR c)`;
 * - `logName` is compared as the literal string Google stores, whose log ID is URL-encoded
 *   (`cloudaudit.googleapis.com%2Fdata_access`): a filter that spells it with `/` matches nothing.
 *
 * Anything outside the subset (`<`, `>`, `=~`, functions such as `log_id()`, global restrictions
 * without a field) is refused with an error rather than guessed, so a test cannot pass on a
 * filter the evaluator did not understand.
 */

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'op'; text: '=' | '!=' | ':' }
  | { kind: 'paren'; text: '(' | ')' }
  | { kind: 'dot' }
  | { kind: 'minus' };

/** A parsed filter. */
export type FilterNode =
  | { kind: 'and'; parts: FilterNode[] }
  | { kind: 'or'; parts: FilterNode[] }
  | { kind: 'not'; part: FilterNode }
  | { kind: 'compare'; path: string[]; op: '=' | '!=' | ':'; value: string };

const WORD = /[A-Za-z0-9_@*$/%+-]/;

function tokenize(filter: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < filter.length) {
    const c = filter[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"') {
      let text = '';
      i++;
      for (;;) {
        if (i >= filter.length) throw new Error(`unterminated string in filter: ${filter}`);
        const d = filter[i];
        if (d === '\\') {
          text += filter[i + 1] ?? '';
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else {
          text += d;
          i++;
        }
      }
      tokens.push({ kind: 'string', text });
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: 'paren', text: c });
      i++;
    } else if (c === '!' && filter[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (c === '=' && filter[i + 1] === '~') {
      throw new Error(`the regular expression operator =~ is outside the evaluator's subset: ${filter}`);
    } else if (c === '=' || c === ':') {
      tokens.push({ kind: 'op', text: c });
      i++;
    } else if (c === '<' || c === '>') {
      throw new Error(`ordering comparisons (<, >) are outside the evaluator's subset: ${filter}`);
    } else if (c === '.') {
      tokens.push({ kind: 'dot' });
      i++;
    } else if (c === '-' && (tokens.length === 0 || tokens[tokens.length - 1].kind === 'paren' || isKeyword(tokens[tokens.length - 1]))) {
      tokens.push({ kind: 'minus' });
      i++;
    } else if (WORD.test(c)) {
      let text = '';
      while (i < filter.length && (WORD.test(filter[i]) || (filter[i] === '.' && /[0-9]/.test(filter[i + 1] ?? '') && /^[0-9]+$/.test(text)))) text += filter[i++];
      tokens.push({ kind: 'word', text });
    } else {
      throw new Error(`unexpected character ${JSON.stringify(c)} at ${i} in filter: ${filter}`);
    }
  }
  return tokens;
}

function isKeyword(t: Token): boolean {
  return t.kind === 'word' && (t.text === 'AND' || t.text === 'OR' || t.text === 'NOT');
}

/** Parses a filter of the supported subset; throws on anything else. */
export function parseFilter(filter: string): FilterNode {
  const tokens = tokenize(filter);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = () => tokens[pos++];
  const atKeyword = (k: string) => peek()?.kind === 'word' && (peek() as { text: string }).text === k;

  // expression = disjunction { ["AND"] disjunction }: juxtaposition is AND, and AND binds loosest.
  const expression = (): FilterNode => {
    const parts = [disjunction()];
    for (;;) {
      if (atKeyword('AND')) {
        take();
        parts.push(disjunction());
      } else if (peek() && !(peek().kind === 'paren' && (peek() as { text: string }).text === ')') && !atKeyword('OR')) {
        parts.push(disjunction());
      } else {
        break;
      }
    }
    return parts.length === 1 ? parts[0] : { kind: 'and', parts };
  };
  const disjunction = (): FilterNode => {
    const parts = [negation()];
    while (atKeyword('OR')) {
      take();
      parts.push(negation());
    }
    return parts.length === 1 ? parts[0] : { kind: 'or', parts };
  };
  const negation = (): FilterNode => {
    if (atKeyword('NOT') || peek()?.kind === 'minus') {
      take();
      return { kind: 'not', part: negation() };
    }
    return primary();
  };
  const primary = (): FilterNode => {
    const t = take();
    if (!t) throw new Error(`filter ends where a comparison was expected: ${filter}`);
    if (t.kind === 'paren' && t.text === '(') {
      const inner = expression();
      const close = take();
      if (!close || close.kind !== 'paren' || close.text !== ')') throw new Error(`missing ) in filter: ${filter}`);
      return inner;
    }
    if (t.kind !== 'word' && t.kind !== 'string') throw new Error(`expected a field name, found ${JSON.stringify(t)} in filter: ${filter}`);
    const path = [t.text];
    while (peek()?.kind === 'dot') {
      take();
      const segment = take();
      if (!segment || (segment.kind !== 'word' && segment.kind !== 'string')) throw new Error(`a field path ends with a dot in filter: ${filter}`);
      path.push(segment.text);
    }
    if (peek()?.kind === 'paren' && (peek() as { text: string }).text === '(') throw new Error(`functions (${path.join('.')}(...)) are outside the evaluator's subset: ${filter}`);
    const op = take();
    if (!op || op.kind !== 'op') throw new Error(`a bare value (${path.join('.')}) is a global restriction, outside the evaluator's subset: ${filter}`);
    const value = take();
    if (!value || (value.kind !== 'word' && value.kind !== 'string')) {
      throw new Error(`expected a value after ${path.join('.')} ${op.text} (value lists such as f=("a" OR "b") are outside the subset): ${filter}`);
    }
    return { kind: 'compare', path, op: op.text, value: value.kind === 'word' && value.text === '*' && op.text === ':' ? '\u0000*' : value.text };
  };

  const tree = expression();
  if (pos !== tokens.length) throw new Error(`unexpected ${JSON.stringify(tokens[pos])} in filter: ${filter}`);
  return tree;
}

/** The values at a field path; arrays along the way fan out, as repeated fields do in Cloud Logging. */
function valuesAt(entry: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [entry];
  for (const key of path) {
    const next: unknown[] = [];
    for (const v of current) {
      const items = Array.isArray(v) ? v : [v];
      for (const item of items) {
        if (item !== null && typeof item === 'object' && key in item) next.push((item as Record<string, unknown>)[key]);
      }
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v) => v !== undefined && v !== null);
}

function leaves(v: unknown): string[] {
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(leaves);
  return [String(v)];
}

function compare(node: Extract<FilterNode, { kind: 'compare' }>, entry: unknown): boolean {
  const values = valuesAt(entry, node.path);
  if (node.op === ':' && node.value === '\u0000*') return values.length > 0;
  const wanted = node.value.toLowerCase();
  switch (node.op) {
    case '=':
      return values.some((v) => (typeof v === 'object' ? false : String(v).toLowerCase() === wanted));
    case '!=':
      // Google: a missing field is "not equal"; NOT (f = v) and f != v agree here.
      return !values.some((v) => (typeof v === 'object' ? false : String(v).toLowerCase() === wanted));
    case ':':
      return values.some((v) => leaves(v).some((leaf) => leaf.toLowerCase().includes(wanted)));
  }
}

/** Evaluates a parsed filter against one log entry (the LogEntry JSON Cloud Logging stores). */
export function evaluate(node: FilterNode, entry: unknown): boolean {
  switch (node.kind) {
    case 'and':
      return node.parts.every((p) => evaluate(p, entry));
    case 'or':
      return node.parts.some((p) => evaluate(p, entry));
    case 'not':
      return !evaluate(node.part, entry);
    case 'compare':
      return compare(node, entry);
  }
}

/** Whether `entry` matches `filter`. */
export function matches(filter: string, entry: unknown): boolean {
  return evaluate(parseFilter(filter), entry);
}
