import { GroupAccess } from '../../lib/gcp/group-access';
import { ofType, plan, T } from './support';

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
        'roles/aiplatform.user group:users@example.com',
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

  test.each(['user:alice@example.com', 'serviceAccount:ci@example-ai-prod.iam.gserviceaccount.com', 'domain:example.com', 'alice@example.com'])(
    'refuses %s',
    (member) => {
      expect(() => new GroupAccess('access', { project: 'example-ai-prod', groups: { ...groups, modelUsers: [member] } })).toThrow(
        `GroupAccess access: modelUsers received ${JSON.stringify(member)}; only Google groups (group:<e-mail>) are granted access, never individual users, service accounts or domains`,
      );
    },
  );
});
