import * as pulumi from '@pulumi/pulumi';
import { ModelAccess, type ModelAccessArgs } from '../../lib/azure/access';
import { deterministicGuid } from '../../lib/azure/naming';
import { BUILT_IN_ROLES } from '../../lib/azure/roles';
import { plan } from './support';

const SUBSCRIPTION = '11111111-2222-3333-4444-555555555555';
const USERS = ['aaaaaaaa-0000-0000-0000-000000000001', 'aaaaaaaa-0000-0000-0000-000000000002'];
const AUDITORS = ['bbbbbbbb-0000-0000-0000-000000000001'];
const ADMINS = ['cccccccc-0000-0000-0000-000000000001'];
const args: ModelAccessArgs = {
  subscriptionId: SUBSCRIPTION,
  modelUserGroups: USERS,
  auditorGroups: AUDITORS,
  platformAdminGroups: ADMINS,
  modelAccountId: 'account-id',
  workspaceId: 'workspace-id',
  resourceGroupId: 'rg-id',
};
const role = (guid: string) => `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

function build(overrides: Partial<ModelAccessArgs> = {}) {
  return plan(() => {
    const access = new ModelAccess('access', { ...args, ...overrides });
    return { grants: access.grants.map((g) => `${g.audience}:${g.role.name}@${g.scopeLabel}`) };
  });
}

describe('ModelAccess', () => {
  let result: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    result = await build();
  });

  test('every assignment is for a group, with a GUID name derived from scope, role and group', () => {
    const assignments = result.ofType('azure-native:authorization:RoleAssignment');
    expect(assignments).toHaveLength(4);
    for (const a of assignments) {
      expect(a.parent).toBe('access');
      expect(a.inputs.principalType).toBe('Group');
      const roleGuid = String(a.inputs.roleDefinitionId).split('/').pop()!;
      expect(a.inputs.roleAssignmentName).toBe(deterministicGuid(String(a.inputs.scope), roleGuid, String(a.inputs.principalId)));
    }
  });

  test('model users get Cognitive Services OpenAI User on the account', () => {
    const users = result.ofType('azure-native:authorization:RoleAssignment').filter((a) => USERS.includes(String(a.inputs.principalId)));
    expect(users.map((a) => a.inputs)).toEqual(
      USERS.map((group) =>
        expect.objectContaining({ scope: 'account-id', roleDefinitionId: role('5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'), principalId: group, principalType: 'Group' }),
      ),
    );
  });

  test('auditors get Log Analytics Reader on the workspace; platform admins get Reader on the resource group', () => {
    expect(result.get(`access-auditors-log-analytics-reader-${AUDITORS[0]}`).inputs).toMatchObject({
      scope: 'workspace-id',
      roleDefinitionId: role('73c42c96-874c-492b-b04d-ab87d138a893'),
      principalId: AUDITORS[0],
    });
    expect(result.get(`access-platform-admins-reader-${ADMINS[0]}`).inputs).toMatchObject({
      scope: 'rg-id',
      roleDefinitionId: role('acdd72a7-3b82-4d1f-840a-4dd95d8f1c93'),
      principalId: ADMINS[0],
    });
    expect(result.outputs.grants).toEqual([
      'model-users:Cognitive Services OpenAI User@account',
      'auditors:Log Analytics Reader@workspace',
      'platform-admins:Reader@resource-group',
    ]);
  });

  test('the broader Cognitive Services User is granted when asked for (non-OpenAI models)', async () => {
    const both = await build({ modelUserRoles: [BUILT_IN_ROLES.cognitiveServicesOpenAiUser, BUILT_IN_ROLES.cognitiveServicesUser] });
    const onAccount = both.ofType('azure-native:authorization:RoleAssignment').filter((a) => a.inputs.scope === 'account-id');
    expect(new Set(onAccount.map((a) => a.inputs.roleDefinitionId))).toEqual(
      new Set([role('5e0bd9bd-7b93-4f28-af87-19fc36ad61bd'), role('a97b65f3-24c7-4388-baec-2e87135dc908')]),
    );
  });

  test('no model-user groups: a warning, not an error, and no assignment', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      const none = await build({ modelUserGroups: [] });
      expect(none.ofType('azure-native:authorization:RoleAssignment').filter((a) => a.inputs.scope === 'account-id')).toEqual([]);
      expect(warn).toHaveBeenCalledWith(
        'access: no Entra ID groups for model-users (modelUserGroups, from sso.modelUsers.azure); nobody gets Cognitive Services OpenAI User on the account until a group is added',
        expect.anything(),
      );
    } finally {
      warn.mockRestore();
    }
  });

  test('the kill switch withholds exactly the model users\' roles, with a warning, and says so', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      const roles = [BUILT_IN_ROLES.cognitiveServicesOpenAiUser, BUILT_IN_ROLES.cognitiveServicesUser];
      const open = await build({ modelUserRoles: roles });
      const suspended = await build({ modelUserRoles: roles, suspendModelUsers: true });
      const names = (r: typeof open) => r.ofType('azure-native:authorization:RoleAssignment').map((a) => a.name).sort();
      expect(names(open).filter((n) => !names(suspended).includes(n))).toEqual(
        USERS.flatMap((g) => [`access-model-users-cognitive-services-openai-user-${g}`, `access-model-users-cognitive-services-user-${g}`]).sort(),
      );
      expect(names(suspended)).toEqual([`access-auditors-log-analytics-reader-${AUDITORS[0]}`, `access-platform-admins-reader-${ADMINS[0]}`]);
      expect(suspended.outputs.grants).toEqual(['auditors:Log Analytics Reader@workspace', 'platform-admins:Reader@resource-group']);
      expect(warn).toHaveBeenCalledWith(
        'access: model access is suspended (detection.suspendModelAccess): model users get no Cognitive Services OpenAI User or Cognitive Services User on the account, and existing assignments are deleted',
        expect.anything(),
      );
    } finally {
      warn.mockRestore();
    }
  });

  test('access is open unless suspended', async () => {
    const warn = jest.spyOn(pulumi.log, 'warn').mockImplementation(() => Promise.resolve());
    try {
      const suspended = await plan(() => ({ modelAccess: new ModelAccess('access', { ...args, suspendModelUsers: true }).modelAccess }));
      const open = await plan(() => ({ modelAccess: new ModelAccess('access', args).modelAccess }));
      expect([open.outputs.modelAccess, suspended.outputs.modelAccess]).toEqual(['open', 'suspended']);
    } finally {
      warn.mockRestore();
    }
  });

  test('a group that is not an object ID is refused', async () => {
    await expect(build({ auditorGroups: ['auditors@example.com'] })).rejects.toThrow('access: auditorGroups[0] "auditors@example.com" is not an Entra ID group object ID (a GUID)');
  });
});
