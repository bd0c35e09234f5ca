import * as pulumi from '@pulumi/pulumi';
import { AuditLogs, type AuditLogsArgs } from '../../lib/azure/audit';
import { exampleTags, plan } from './support';

const args: AuditLogsArgs = {
  resourceGroupName: 'acme-ai-swedencentral',
  location: 'swedencentral',
  retentionDays: 365,
  modelAccountId: 'account-id',
  keyVaultId: 'vault-id',
  tags: exampleTags,
};

function build(overrides: Partial<AuditLogsArgs> = {}) {
  return plan(() => {
    const audit = new AuditLogs('audit', { ...args, ...overrides });
    return { workspaceId: audit.workspaceId, retention: audit.retentionInDays };
  });
}

describe('AuditLogs', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('a Log Analytics workspace with the organisation retention, Entra ID ingestion only', () => {
    expect(result.get('audit').type).toBe('privateai:azure:AuditLogs');
    expect(result.get('audit-workspace')).toMatchObject({
      type: 'azure-native:operationalinsights:Workspace',
      parent: 'audit',
      inputs: {
        location: 'swedencentral',
        sku: { name: 'PerGB2018' },
        retentionInDays: 365,
        features: { disableLocalAuth: true, enableLogAccessUsingOnlyResourcePermissions: false },
        tags: exampleTags,
      },
    });
    expect(result.outputs).toEqual({ workspaceId: 'audit-workspace-id', retention: 365 });
  });

  test('the workspace takes no ingestion or queries from public networks', () => {
    expect(result.get('audit-workspace').inputs).toMatchObject({ publicNetworkAccessForIngestion: 'Disabled', publicNetworkAccessForQuery: 'Disabled' });
  });

  test('the account sends audit, request/response, usage and trace logs and all metrics', () => {
    expect(result.get('audit-account-diagnostics')).toMatchObject({
      type: 'azure-native:monitor:DiagnosticSetting',
      inputs: {
        resourceUri: 'account-id',
        workspaceId: 'audit-workspace-id',
        logs: [
          { category: 'Audit', enabled: true },
          { category: 'RequestResponse', enabled: true },
          { category: 'AzureOpenAIRequestUsage', enabled: true },
          { category: 'Trace', enabled: true },
        ],
        metrics: [{ category: 'AllMetrics', enabled: true }],
      },
    });
    expect(result.get('audit-account-diagnostics').inputs).not.toHaveProperty('storageAccountId');
  });

  test('every setting has the same name and belongs to the component', () => {
    const settings = result.ofType('azure-native:monitor:DiagnosticSetting');
    expect(settings.map((d) => d.name).sort()).toEqual(['audit-account-diagnostics', 'audit-vault-diagnostics']);
    for (const d of settings) expect(d).toMatchObject({ parent: 'audit', inputs: { name: 'privateai-audit' } });
  });

  test('without an archive, nothing watches one', () => {
    expect(result.resources.map((r) => r.name)).not.toContain('audit-archive-blob-diagnostics');
    expect(result.resources.map((r) => r.name)).not.toContain('audit-archive-account-diagnostics');
  });

  test('the Activity Log is not exported by default: one stack per subscription owns that', () => {
    expect(result.ofType('azure-native:monitor:SubscriptionDiagnosticSetting')).toEqual([]);
  });

  test('the Key Vault sends its audit events', () => {
    expect(result.get('audit-vault-diagnostics').inputs).toMatchObject({
      resourceUri: 'vault-id',
      workspaceId: 'audit-workspace-id',
      logs: [{ category: 'AuditEvent', enabled: true }],
      metrics: [{ category: 'AllMetrics', enabled: true }],
    });
  });

  test('a retention below the workspace minimum is raised to 30 days, with a warning', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      const short = await build({ retentionDays: 7 });
      expect(short.get('audit-workspace').inputs.retentionInDays).toBe(30);
      expect(warn).toHaveBeenCalledWith(
        'retention 7 days is below the 30 days a Log Analytics workspace keeps data; the workspace keeps it 30 days (config: logging.retentionDays)',
        expect.anything(),
      );
    } finally {
      warn.mockRestore();
    }
  });

  test('a retention above the workspace maximum is refused', async () => {
    await expect(build({ retentionDays: 3653 })).rejects.toThrow(/retention 3653 days exceeds the 730 days a Log Analytics workspace keeps data/);
  });
});

describe('AuditLogs with the archive', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build({ archiveStorageAccountId: 'archive-id' });
  });

  test('the account and the vault send to the workspace and to the archive', () => {
    for (const name of ['audit-account-diagnostics', 'audit-vault-diagnostics']) {
      expect(result.get(name).inputs).toMatchObject({ workspaceId: 'audit-workspace-id', storageAccountId: 'archive-id' });
    }
  });

  test("the archive's Blob service sends every read, write and delete to the workspace", () => {
    expect(result.get('audit-archive-blob-diagnostics')).toMatchObject({
      type: 'azure-native:monitor:DiagnosticSetting',
      parent: 'audit',
      inputs: {
        name: 'privateai-audit',
        resourceUri: 'archive-id/blobServices/default',
        workspaceId: 'audit-workspace-id',
        logs: [
          { category: 'StorageRead', enabled: true },
          { category: 'StorageWrite', enabled: true },
          { category: 'StorageDelete', enabled: true },
        ],
      },
    });
  });

  test("the archive account sends its transaction metrics to the workspace", () => {
    expect(result.get('audit-archive-account-diagnostics').inputs).toMatchObject({
      name: 'privateai-audit',
      resourceUri: 'archive-id',
      workspaceId: 'audit-workspace-id',
      metrics: [{ category: 'Transaction', enabled: true }],
    });
    expect(result.get('audit-archive-account-diagnostics').inputs).not.toHaveProperty('logs');
  });

  test("the archive's own logs and metrics never go into the archive", () => {
    for (const name of ['audit-archive-blob-diagnostics', 'audit-archive-account-diagnostics']) {
      expect(result.get(name).inputs).not.toHaveProperty('storageAccountId');
    }
    const intoTheArchive = result
      .ofType('azure-native:monitor:DiagnosticSetting')
      .filter((d) => d.inputs.storageAccountId === 'archive-id')
      .map((d) => String(d.inputs.resourceUri));
    expect(intoTheArchive.filter((uri) => uri === 'archive-id' || uri.startsWith('archive-id/'))).toEqual([]);
  });
});

describe('AuditLogs exporting the Activity Log', () => {
  test("the subscription's Activity Log, every category, goes to the workspace and the archive", async () => {
    const result = await build({ activityLog: true, archiveStorageAccountId: 'archive-id' });
    const settings = result.ofType('azure-native:monitor:SubscriptionDiagnosticSetting');
    expect(settings.map((d) => d.name)).toEqual(['audit-activity-log']);
    expect(settings[0]).toMatchObject({
      parent: 'audit',
      inputs: {
        name: 'privateai-audit',
        workspaceId: 'audit-workspace-id',
        storageAccountId: 'archive-id',
        logs: ['Administrative', 'Security', 'ServiceHealth', 'Alert', 'Recommendation', 'Policy', 'Autoscale', 'ResourceHealth'].map((category) => ({ category, enabled: true })),
      },
    });
    expect(result.dependenciesOf('audit-activity-log')).toContain('audit-workspace');
  });

  test('without an archive, to the workspace alone', async () => {
    const result = await build({ activityLog: true });
    expect(result.get('audit-activity-log').inputs).toMatchObject({ workspaceId: 'audit-workspace-id' });
    expect(result.get('audit-activity-log').inputs).not.toHaveProperty('storageAccountId');
  });
});
