import { GroupAccess } from '../../lib/gcp/group-access';
import { ofType, plan, resource, T, waitsFor } from './support';

const groups = {
  modelUsers: ['group:users@example.com'],
  auditors: ['group:auditors@example.com'],
  platformAdmins: ['group:admins@example.com'],
};

describe('GroupAccess', () => {
  test('each audience gets its roles, through its group only', async () => {
    const p = await plan(() => {
      new GroupAccess('access', { project: 'example-ai-prod', groups, auditLogView: 'projects/example-ai-prod/locations/europe-west4/buckets/b/views/_AllLogs' });
    });
    const grants = ofType(p, T.iamMember).map((r) => r.inputs);
    expect(grants.map((g) => `${g.role} ${g.member}`).sort()).toEqual(
      [
        'projects/example-ai-prod/roles/privateAiModelUser group:users@example.com',
        'roles/logging.viewer group:auditors@example.com',
        'roles/logging.privateLogViewer group:auditors@example.com',
        'roles/logging.viewAccessor group:auditors@example.com',
        'roles/aiplatform.viewer group:admins@example.com',
      ].sort(),
    );
    expect(grants.every((g) => g.project === 'example-ai-prod' && String(g.member).startsWith('group:'))).toBe(true);
    const view = grants.find((g) => g.role === 'roles/logging.viewAccessor')!;
    expect(view.condition).toMatchObject({ expression: 'resource.name == "projects/example-ai-prod/locations/europe-west4/buckets/b/views/_AllLogs"' });
  });

  test('model users hold a custom role that can only call models, created before the grant', async () => {
    const p = await plan(() => {
      new GroupAccess('access', { project: 'example-ai-prod', groups });
    });
    expect(resource(p, 'gcp:projects/iAMCustomRole:IAMCustomRole', 'access-model-user').inputs).toEqual({
      project: 'example-ai-prod',
      roleId: 'privateAiModelUser',
      title: 'Private AI model user',
      description: 'Call the allowed Vertex AI publisher models; nothing else',
      permissions: ['aiplatform.endpoints.predict'],
      stage: 'GA',
    });
    const modelUserGrant = ofType(p, T.iamMember).find((g) => g.inputs.member === 'group:users@example.com')!;
    expect(modelUserGrant.inputs.role).toBe('projects/example-ai-prod/roles/privateAiModelUser');
    expect(waitsFor(p, modelUserGrant.name, 'access-model-user')).toBe(true);
    // No predefined Vertex AI role that could create jobs, endpoints or models.
    expect(ofType(p, T.iamMember).map((g) => g.inputs.role)).not.toContain('roles/aiplatform.user');
  });

  test('the kill switch (suspended) withholds exactly the model users\' grants; the role and every other grant stay', async () => {
    const open = await plan(() => {
      new GroupAccess('access', { project: 'example-ai-prod', groups, auditLogView: 'projects/example-ai-prod/locations/europe-west4/buckets/b/views/_AllLogs' });
    });
    let component: GroupAccess | undefined;
    const suspended = await plan(() => {
      component = new GroupAccess('access', { project: 'example-ai-prod', groups, auditLogView: 'projects/example-ai-prod/locations/europe-west4/buckets/b/views/_AllLogs', modelAccess: 'suspended' });
    });
    const names = (p: Awaited<ReturnType<typeof plan>>) => p.resources.map((r) => r.name).sort();
    expect(names(open).filter((n) => !names(suspended).includes(n))).toEqual(['access-privateAiModelUser-users@example.com']);
    expect(names(suspended).filter((n) => !names(open).includes(n))).toEqual([]);
    expect(ofType(suspended, T.iamMember).map((g) => g.inputs.member)).not.toContain('group:users@example.com');
    // Unchanged otherwise: the same inputs for every resource both plans share.
    for (const r of suspended.resources) expect([r.name, r.inputs]).toEqual([r.name, open.resources.find((o) => o.name === r.name)!.inputs]);
    expect(resource(suspended, 'gcp:projects/iAMCustomRole:IAMCustomRole', 'access-model-user')).toBeDefined();
    expect(component!.modelAccess).toBe('suspended');
    expect(component!.grants.some((g) => g.includes('privateAiModelUser'))).toBe(false);
  });

  test('model access is open by default', () => {
    expect(new GroupAccess('default', { project: 'example-ai-prod', groups }).modelAccess).toBe('open');
    expect(() => new GroupAccess('bad', { project: 'example-ai-prod', groups, modelAccess: 'closed' as 'open' })).toThrow(`GroupAccess bad: modelAccess "closed" must be 'open' or 'suspended'`);
  });

  test('no custom role without model users; a bad role ID is refused', async () => {
    const p = await plan(() => {
      new GroupAccess('access', { project: 'example-ai-prod', groups: { ...groups, modelUsers: [] } });
    });
    expect(p.resources.filter((r) => r.type === 'gcp:projects/iAMCustomRole:IAMCustomRole')).toHaveLength(0);
    expect(() => new GroupAccess('bad', { project: 'example-ai-prod', groups, modelUserRoleId: 'ai-user' })).toThrow(
      'GroupAccess bad: modelUserRoleId "ai-user" must be 3-64 letters, digits, underscores or periods',
    );
  });

  test.each(['user:alice@example.com', 'serviceAccount:ci@example-ai-prod.iam.gserviceaccount.com', 'domain:example.com', 'alice@example.com'])(
    'refuses %s',
    (member) => {
      expect(() => new GroupAccess('access', { project: 'example-ai-prod', groups: { ...groups, modelUsers: [member] } })).toThrow(
        `GroupAccess access: modelUsers received ${JSON.stringify(member)}; only Google groups (group:<e-mail>) are granted access, never individual users, service accounts or domains`,
      );
    },
  );
});
