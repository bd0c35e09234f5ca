/**
 * Kusto (KQL) checks for the Azure tests: Microsoft's own KQL parser and semantic analyser
 * (@kusto/language-service-next, the engine behind the Azure Data Explorer and Log Analytics
 * editors) run against the table schemas below, so a query that misspells a column, calls an
 * unknown function or does not parse fails a test instead of a deployment.
 */

/**
 * Columns of the Log Analytics tables the queries read, from Microsoft's table reference
 * (learn.microsoft.com/azure/azure-monitor/reference/tables/azurediagnostics and .../azureactivity).
 * AzureDiagnostics holds the columns of every service that logs in Azure Diagnostics mode; only
 * the common columns and those the Cognitive Services and Key Vault logs fill are declared, so a
 * query may use nothing else.
 */
export const LOG_ANALYTICS_SCHEMA: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  AzureDiagnostics: {
    TimeGenerated: 'datetime',
    TenantId: 'string',
    SourceSystem: 'string',
    Type: 'string',
    _ResourceId: 'string',
    ResourceProvider: 'string',
    ResourceType: 'string',
    ResourceGroup: 'string',
    Resource: 'string',
    ResourceId: 'string',
    Category: 'string',
    OperationName: 'string',
    OperationVersion: 'string',
    ResultType: 'string',
    ResultSignature: 'string',
    ResultDescription: 'string',
    DurationMs: 'long',
    CallerIPAddress: 'string',
    CorrelationId: 'string',
    Level: 'string',
    // Cognitive Services: the request's details as JSON (see REQUEST_RESPONSE_PROPERTIES).
    properties_s: 'string',
    // Key Vault AuditEvent.
    id_s: 'string',
    identity_claim_appid_g: 'guid',
    requestUri_s: 'string',
    httpStatusCode_d: 'real',
    clientInfo_s: 'string',
  },
  AzureActivity: {
    ActivityStatus: 'string',
    ActivityStatusValue: 'string',
    ActivitySubstatus: 'string',
    ActivitySubstatusValue: 'string',
    Authorization: 'string',
    Authorization_d: 'dynamic',
    Caller: 'string',
    CallerIpAddress: 'string',
    Category: 'string',
    CategoryValue: 'string',
    Claims: 'string',
    Claims_d: 'dynamic',
    CorrelationId: 'string',
    EventDataId: 'string',
    EventSubmissionTimestamp: 'datetime',
    Hierarchy: 'string',
    HTTPRequest: 'string',
    Level: 'string',
    OperationId: 'string',
    OperationName: 'string',
    OperationNameValue: 'string',
    Properties: 'string',
    Properties_d: 'dynamic',
    Resource: 'string',
    ResourceGroup: 'string',
    ResourceId: 'string',
    _ResourceId: 'string',
    ResourceProvider: 'string',
    ResourceProviderValue: 'string',
    SourceSystem: 'string',
    SubscriptionId: 'string',
    _SubscriptionId: 'string',
    TenantId: 'string',
    TimeGenerated: 'datetime',
    Type: 'string',
  },
};

/**
 * Keys of the JSON in `properties_s` of an Azure OpenAI / AI Services RequestResponse record, as
 * the service writes them (Microsoft's "Monitor Azure OpenAI" logs, and the records Elastic's
 * Azure OpenAI integration parses): no prompt, completion or token count among them.
 */
export const REQUEST_RESPONSE_PROPERTIES: readonly string[] = [
  'apiName',
  'requestTime',
  'requestLength',
  'responseTime',
  'responseLength',
  'objectId',
  'streamType',
  'modelDeploymentName',
  'modelName',
  'modelVersion',
];

/** The slice of the Bridge.NET-compiled Kusto.Language API the checks use. */
interface KustoLanguage {
  GlobalState: { Default: { WithDatabase(db: unknown): unknown } };
  KustoCode: { ParseAndAnalyze(text: string, globals: unknown): { GetDiagnostics(): { Count: number; getItem(i: number): { Severity: string; Code: string; Message: string; Start: number } } } };
  Symbols: {
    TableSymbol: { $ctor7: new (name: string, schema: string, description: string | null) => unknown };
    DatabaseSymbol: { $ctor1: new (name: string, members: unknown[], isOpen: boolean) => unknown };
  };
}

let globals: unknown;

function kusto(): KustoLanguage {
  /* eslint-disable @typescript-eslint/no-require-imports -- the package is a script that defines globals */
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return (globalThis as unknown as { Kusto: { Language: KustoLanguage } }).Kusto.Language;
}

/** Errors and warnings Kusto reports for `query` against `LOG_ANALYTICS_SCHEMA`, as `CODE message`; empty when it is clean. */
export function kqlProblems(query: string): string[] {
  const k = kusto();
  if (!globals) {
    const tables = Object.entries(LOG_ANALYTICS_SCHEMA).map(
      ([table, columns]) => new k.Symbols.TableSymbol.$ctor7(table, `(${Object.entries(columns).map(([c, t]) => `${c}:${t}`).join(', ')})`, null),
    );
    globals = k.GlobalState.Default.WithDatabase(new k.Symbols.DatabaseSymbol.$ctor1('workspace', tables, false));
  }
  const diagnostics = k.KustoCode.ParseAndAnalyze(query, globals).GetDiagnostics();
  const problems: string[] = [];
  for (let i = 0; i < diagnostics.Count; i++) {
    const d = diagnostics.getItem(i);
    if (d.Severity === 'Error' || d.Severity === 'Warning') problems.push(`${d.Code} ${d.Message} (at ${d.Start})`);
  }
  return problems;
}

/** The tables a query starts from: the first word of the query after any `let` statements. */
export function tablesOf(query: string): string[] {
  const statements = query.split(';').map((s) => s.replace(/\/\/.*$/gm, '').trim());
  const body = statements.filter((s) => !s.startsWith('let ')).join('\n');
  const first = /^\s*([A-Za-z_]\w*)/.exec(body);
  return first ? [first[1]] : [];
}
