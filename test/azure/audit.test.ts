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
