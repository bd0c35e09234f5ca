import { evaluateKql, type KqlTable } from './kql-subset';

const COLUMNS = { TimeGenerated: 'datetime', Name: 'string', Status: 'string', Duration: 'long', Ratio: 'real', Json: 'string', Bag: 'dynamic' };
const T: KqlTable = {
  columns: COLUMNS,
  rows: [
    { TimeGenerated: '2025-03-04T10:01:00Z', Name: 'Alice', Status: '200', Duration: 10, Ratio: 0.5, Json: '{"id":"a1","size":12,"text":"7","nested":{"k":"v"}}', Bag: { n: 1 } },
    { TimeGenerated: '2025-03-04T10:02:00Z', Name: 'bob', Status: '403', Duration: 20, Json: '{"id":"","size":30}' },
    { TimeGenerated: '2025-03-04T10:07:00Z', Name: 'ALICE', Status: '404', Duration: 30, Json: '{"size":null}' },
  ],
};
const run = (query: string, table: KqlTable = T) => evaluateKql(query, { T: table });
const names = (query: string) => run(query).map((r) => r.Name);

describe('KQL subset: tables and rows', () => {
  test('a table reference returns its rows with every schema column, missing strings as "" and other missing values as null', () => {
    const [, bob] = run('T');
    expect(bob).toEqual({ TimeGenerated: new Date('2025-03-04T10:02:00Z'), Name: 'bob', Status: '403', Duration: 20, Ratio: null, Json: '{"id":"","size":30}', Bag: null });
    expect(Object.keys(bob)).toEqual(Object.keys(COLUMNS));
  });

  test('unknown tables and columns, undeclared row keys and values of the wrong type are errors', () => {
    expect(() => evaluateKql('U', { T })).toThrow('unknown table U; tables given: T');
    expect(() => run('T | where Nme == "x"')).toThrow(/^unknown name Nme \(at \d+\); columns: TimeGenerated, Name/);
    expect(() => run('T', { columns: COLUMNS, rows: [{ Nme: 'x' }] })).toThrow('table T, row 0: Nme not in its schema');
    expect(() => run('T', { columns: COLUMNS, rows: [{ Duration: '10' }] })).toThrow('table T: column Duration is long, got "10"');
    expect(() => run('T', { columns: COLUMNS, rows: [{ TimeGenerated: 'yesterday' }] })).toThrow('column TimeGenerated is datetime');
    expect(() => run('T', { columns: COLUMNS, rows: [{ Name: null }] })).toThrow(/Kusto never holds as null/);
  });

  test('a query that does not parse is an error, with Kusto\'s message', () => {
    expect(() => run('T | where')).toThrow('query does not parse: Missing expression (at 9)');
  });
});

describe('KQL subset: where', () => {
  test('== and != are case-sensitive; =~ and !~ are not', () => {
    expect(names('T | where Name == "Alice"')).toEqual(['Alice']);
    expect(names('T | where Name != "Alice"')).toEqual(['bob', 'ALICE']);
    expect(names('T | where Name =~ "alice"')).toEqual(['Alice', 'ALICE']);
    expect(names('T | where Name !~ "alice"')).toEqual(['bob']);
  });

  test('in and !in are case-sensitive; in~ and !in~ are not', () => {
    expect(names('T | where Name in ("Alice", "bob")')).toEqual(['Alice', 'bob']);
    expect(names('T | where Name !in ("Alice", "bob")')).toEqual(['ALICE']);
    expect(names('T | where Name in~ ("alice")')).toEqual(['Alice', 'ALICE']);
    expect(names('T | where Name !in~ ("alice")')).toEqual(['bob']);
    expect(names('T | where Duration in (10, 30)')).toEqual(['Alice', 'ALICE']);
  });

  test('startswith is a case-insensitive prefix', () => {
    expect(names('T | where Status startswith "4"')).toEqual(['bob', 'ALICE']);
    expect(names('T | where Name startswith "al"')).toEqual(['Alice', 'ALICE']);
    expect(names('T | where Name startswith "lice"')).toEqual([]);
  });

  test('numbers and datetimes compare with < <= > >=', () => {
    expect(names('T | where Duration > 10')).toEqual(['bob', 'ALICE']);
    expect(names('T | where Duration >= 20 and Duration <= 20')).toEqual(['bob']);
    expect(names('T | where Duration < 20')).toEqual(['Alice']);
    expect(names('T | take 1 | where Ratio > 0.25')).toEqual(['Alice']);
    expect(names('T | where bin(TimeGenerated, 5m) > bin(TimeGenerated, 1h)')).toEqual(['ALICE']);
  });

  test('and binds tighter than or, as Kusto parses it; parentheses and not() regroup', () => {
    expect(names('T | where Name == "Alice" or Name == "bob" and Duration > 20')).toEqual(['Alice']);
    expect(names('T | where (Name == "Alice" or Name == "bob") and Duration > 20')).toEqual([]);
    expect(names('T | where (Name == "Alice" or Name == "bob") and Duration >= 10')).toEqual(['Alice', 'bob']);
    expect(names('T | where not(Name == "bob")')).toEqual(['Alice', 'ALICE']);
  });

  test('isempty and isnotempty treat "", null and a missing property as empty', () => {
    expect(names('T | where isnotempty(tostring(parse_json(Json).id))')).toEqual(['Alice']);
    expect(names('T | where isempty(parse_json(Json).id)')).toEqual(['bob', 'ALICE']);
    expect(names('T | where isnotempty(Ratio)')).toEqual(['Alice']);
  });
});

describe('KQL subset: extend and project', () => {
  test('parse_json and property access; tostring of a missing or null property is ""; tolong reads numbers and integer text', () => {
    const rows = run('T | extend p = parse_json(Json) | project id = tostring(p.id), size = tolong(p.size), text = tolong(p.text), inner = tostring(p.nested.k), gone = tostring(p.nested.none), bag = Bag.n');
    expect(rows).toEqual([
      { id: 'a1', size: 12, text: 7, inner: 'v', gone: '', bag: 1 },
      { id: '', size: 30, text: null, inner: '', gone: '', bag: null },
      { id: '', size: null, text: null, inner: '', gone: '', bag: null },
    ]);
  });

  test('coalesce skips null and empty strings; strcat joins strings and integers', () => {
    const rows = run('T | extend p = parse_json(Json) | project who = coalesce(tostring(p.id), strcat("name:", Name, "/", Duration))');
    expect(rows.map((r) => r.who)).toEqual(['a1', 'name:bob/20', 'name:ALICE/30']);
    expect(run('T | take 1 | project r = coalesce(Ratio, 1.5), s = coalesce(Duration, 0)')).toEqual([{ r: 0.5, s: 10 }]);
  });

  test('extend adds columns in order, later expressions see earlier ones, and an existing column is replaced in place', () => {
    const [row] = run('T | take 1 | extend Name = "x", a = strcat(Name, "!"), b = strcat(a, "?")');
    expect(Object.keys(row)).toEqual([...Object.keys(COLUMNS), 'a', 'b']);
    expect([row.Name, row.a, row.b]).toEqual(['x', 'x!', 'x!?']);
  });

  test('project keeps, renames and computes columns, in its order', () => {
    expect(run('T | take 1 | project Status, who = Name, twice = strcat(Name, Name)')).toEqual([{ Status: '200', who: 'Alice', twice: 'AliceAlice' }]);
  });

  test('a scalar let is visible to the query', () => {
    expect(names('let who = "bob"; // a comment\nT | where Name == who')).toEqual(['bob']);
  });
});

describe('KQL subset: summarize, order and take', () => {
  const many: KqlTable = {
    columns: COLUMNS,
    rows: [
      ...Array.from({ length: 97 }, (_, i) => ({ TimeGenerated: `2025-03-04T10:0${i % 5}:00Z`, Name: 'a', Duration: 100 })),
      ...Array.from({ length: 3 }, () => ({ TimeGenerated: '2025-03-04T10:06:00Z', Name: 'a', Duration: 5000 })),
      { TimeGenerated: '2025-03-04T10:06:00Z', Name: 'b', Duration: 7 },
    ],
  };

  test('count, sum, min and max by columns: the by columns first, one row per group', () => {
    const rows = run('T | summarize n = count(), total = sum(Duration), firstSeen = min(TimeGenerated), lastSeen = max(TimeGenerated), longest = max(Duration) by Status');
    expect(rows).toEqual([
      { Status: '200', n: 1, total: 10, firstSeen: new Date('2025-03-04T10:01:00Z'), lastSeen: new Date('2025-03-04T10:01:00Z'), longest: 10 },
      { Status: '403', n: 1, total: 20, firstSeen: new Date('2025-03-04T10:02:00Z'), lastSeen: new Date('2025-03-04T10:02:00Z'), longest: 20 },
      { Status: '404', n: 1, total: 30, firstSeen: new Date('2025-03-04T10:07:00Z'), lastSeen: new Date('2025-03-04T10:07:00Z'), longest: 30 },
    ]);
    expect(run('T | summarize n = count(), total = sum(Duration) by folded = tostring(Name) | order by n desc')).toHaveLength(3);
  });

  test('bin(TimeGenerated, 5m) groups by 5-minute bins from the hour and names the column after the column it bins', () => {
    expect(run('T | summarize n = count() by bin(TimeGenerated, 5m)')).toEqual([
      { TimeGenerated: new Date('2025-03-04T10:00:00Z'), n: 2 },
      { TimeGenerated: new Date('2025-03-04T10:05:00Z'), n: 1 },
    ]);
    expect(run('T | summarize n = count() by bin(TimeGenerated, 1h)')).toEqual([{ TimeGenerated: new Date('2025-03-04T10:00:00Z'), n: 3 }]);
  });

  test('summarize by a column over no rows gives no rows; without by, count() of no rows is 0', () => {
    expect(run('T | where Name == "nobody" | summarize n = count() by Name')).toEqual([]);
    expect(run('T | where Name == "nobody" | summarize n = count()')).toEqual([{ n: 0 }]);
  });

  test('percentile is the nearest-rank value when the values around its rank agree', () => {
    // 101 values: rank ceil(0.99 * 101) = 100 lies among the three slow calls, and so do ranks 99 to 101.
    expect(run('T | summarize p99 = percentile(Duration, 99), p50 = percentile(Duration, 50)', many)).toEqual([{ p99: 5000, p50: 100 }]);
    expect(run('T | summarize p99 = percentile(Duration, 99) by Name', many)).toEqual([
      { Name: 'a', p99: 5000 },
      { Name: 'b', p99: 7 },
    ]);
    expect(run('T | summarize p100 = percentile(Duration, 100), p0 = percentile(Duration, 0)', many)).toEqual([{ p100: 5000, p0: 7 }]);
  });

  test('percentile refuses values that are not clear-cut, where Kusto\'s estimate may differ from the nearest rank', () => {
    // Rank ceil(0.98 * 101) = 99 is the first slow call, but rank 98 (one point lower) is a fast one.
    expect(() => run('T | summarize p = percentile(Duration, 98)', many)).toThrow(/percentile 98 of values that are not clear-cut: within one percentile point of its rank lie 100 to 5000/);
    expect(() => run('T | summarize p = percentile(Duration, 97)', many)).toThrow(/not clear-cut/);
  });

  test('order by sorts descending by default, asc when asked, by several keys, nulls smallest; take keeps the first rows', () => {
    expect(names('T | order by Duration')).toEqual(['ALICE', 'bob', 'Alice']);
    expect(names('T | sort by Duration asc')).toEqual(['Alice', 'bob', 'ALICE']);
    expect(names('T | order by TimeGenerated desc | take 2')).toEqual(['ALICE', 'bob']);
    expect(names('T | order by Ratio desc')).toEqual(['Alice', 'bob', 'ALICE']);
    expect(names('T | order by Ratio asc, Duration desc')).toEqual(['ALICE', 'bob', 'Alice']);
    expect(names('T | limit 1')).toEqual(['Alice']);
  });
});

describe('KQL subset: what it refuses', () => {
  test.each([
    ['has', 'T | where Name has "alice"', /HasExpression/],
    ['contains', 'T | where Name contains "lic"', /ContainsExpression/],
    ['dcount', 'T | summarize n = dcount(Name)', /the aggregate dcount\(\)/],
    ['toint', 'T | extend n = toint(Duration)', /the function toint\(\)/],
    ['an unnamed aggregate', 'T | summarize count()', /an unnamed FunctionCallExpression/],
    ['arithmetic', 'T | extend n = Duration + 1', /AddExpression/],
    ['project-away', 'T | project-away Name', /ProjectAwayOperator/],
    ['join', 'T | join (T) on Name', /JoinOperator/],
    ['a tabular let', 'let x = T | where Name == "a"; x', /a let that is not scalar/],
    ['nulls first', 'T | order by Duration asc nulls first', /nulls first\/last/],
    ['a bin that does not divide a day', 'T | summarize n = count() by bin(TimeGenerated, 7d)', /does not divide a day/],
    ['a datetime literal', 'T | where TimeGenerated > datetime(2025-03-04)', /DateTimeLiteralExpression/],
    ['a dynamic value compared without conversion', 'T | where parse_json(Json).id == "a1"', /convert it with tostring\(\) or tolong\(\) first/],
    ['a comparison with null', 'T | where Ratio > 0.1', /with null/],
    ['a string compared with a number', 'T | where Status == 200', /between string and number/],
    ['ordering by strings', 'T | order by Name', /order by a string/],
    ['a sum over only nulls', 'T | summarize s = sum(Ratio) by Name', /sum over only nulls/],
    ['non-ASCII case folding', 'T | where Name =~ "ÄLICE"', /non-ASCII/],
    ['text that is not JSON', 'T | extend p = parse_json(Name)', /not JSON/],
    ['tostring of a real', 'T | extend s = tostring(Ratio)', /tostring of 0.5/],
  ])('%s', (_, query, message) => {
    expect(() => run(query)).toThrow(/not in the evaluated subset/);
    expect(() => run(query)).toThrow(message);
  });
});
