import { AuditLogging, type AuditLoggingArgs } from '../../lib/gcp/audit-logging';
import { ProjectServices } from '../../lib/gcp/project-services';
import { PROJECT_CMEK_SETTINGS } from '../../lib/gcp/plan-answers';
import { ofType, orgWith, plan, resource, T, waitsFor } from './support';

const KEY = 'projects/example-ai-prod/locations/europe-west4/keyRings/ring/cryptoKeys/audit-logs';
const base: AuditLoggingArgs = { project: 'example-ai-prod', region: 'europe-west4', kmsKeyId: KEY, retentionDays: 365, locked: false, bucketId: 'vertex-audit' };

describe('AuditLogging', () => {
  let p: Awaited<ReturnType<typeof plan>>;
  beforeAll(async () => {
    p = await plan(() => {
      const a = new AuditLogging('audit', base);
      return { bucket: a.bucketName };
    });
  });

  test('Data Access audit logs on for Vertex AI, Cloud KMS and Model Armor: admin read, data read, data write', () => {
    for (const [name, service] of [['audit-vertex-data-access', 'aiplatform.googleapis.com'], ['audit-cloudkms-data-access', 'cloudkms.googleapis.com'], ['audit-modelarmor-data-access', 'modelarmor.googleapis.com']]) {
      expect(resource(p, T.auditConfig, name).inputs).toEqual({
        project: 'example-ai-prod',
        service,
        auditLogConfigs: [{ logType: 'ADMIN_READ' }, { logType: 'DATA_READ' }, { logType: 'DATA_WRITE' }],
      });
    }
  });

  test('log bucket in the region, CMEK-encrypted, retention from config, not locked unless asked, protected', () => {
    expect(resource(p, T.bucket, 'audit-bucket').inputs).toMatchObject({
      project: 'example-ai-prod',
      location: 'europe-west4',
      bucketId: 'vertex-audit',
      retentionDays: 365,
      locked: false,
      cmekSettings: { kmsKeyName: KEY },
      deletionPolicy: 'PREVENT',
    });
    expect(resource(p, T.bucket, 'audit-bucket').protect).toBe(true);
  });

  test('the Cloud Logging service agent may use the bucket key', () => {
    expect(resource(p, T.keyMember, 'audit-logging-agent-key').inputs).toEqual({
      cryptoKeyId: KEY,
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: 'serviceAccount:service-123456789012@gcp-sa-logging.iam.gserviceaccount.com',
    });
  });

  test('the agent is the one the project\'s CMEK settings name, read after the Logging API is on; the grant waits for the read', async () => {
    // An older project's agent has another form of address: the grant must follow what Google says.
    const older = 'cmek-p123456789012@gcp-sa-logging.iam.gserviceaccount.com';
    const answers = { [PROJECT_CMEK_SETTINGS]: (args: Record<string, unknown>) => ({ project: args.project, serviceAccountId: older }) };
    const q = await plan(() => {
      const services = new ProjectServices('services', { project: 'example-ai-prod', services: ['logging.googleapis.com'] });
      new AuditLogging('audit', base, { dependsOn: [services] });
    }, answers);
    expect(q.calls).toEqual([{ token: PROJECT_CMEK_SETTINGS, args: { project: 'example-ai-prod' }, answer: { project: 'example-ai-prod', serviceAccountId: older } }]);
    expect(resource(q, T.keyMember, 'audit-logging-agent-key').inputs.member).toBe(`serviceAccount:${older}`);
    // The read carries the component's dependsOn (a component expanded to its resources), so the
    // grant's member depends on the Logging API itself.
    expect(resource(q, T.keyMember, 'audit-logging-agent-key').dependsOn).toContain('services-logging');
    expect(waitsFor(q, 'audit-bucket', 'audit-logging-agent-key')).toBe(true);
  });

  test('the sink routes the audit logs of Vertex AI, Cloud KMS and Model Armor, and Model Armor\'s screenings, into the bucket', () => {
    const sink = resource(p, T.sink, 'audit-sink').inputs;
    expect(sink).toMatchObject({
      project: 'example-ai-prod',
      uniqueWriterIdentity: true,
      destination: 'logging.googleapis.com/projects/example-ai-prod/locations/europe-west4/buckets/vertex-audit',
    });
    expect(sink.filter).toBe(
      '((' +
        ['activity', 'data_access', 'policy', 'system_event'].map((s) => `logName="projects/example-ai-prod/logs/cloudaudit.googleapis.com%2F${s}"`).join(' OR ') +
        ') AND (protoPayload.serviceName="aiplatform.googleapis.com" OR protoPayload.serviceName="cloudkms.googleapis.com" OR protoPayload.serviceName="modelarmor.googleapis.com"))' +
        ' OR logName="projects/example-ai-prod/logs/modelarmor.googleapis.com%2Fsanitize_operations"',
    );
    for (const stream of ['activity', 'data_access', 'policy', 'system_event']) {
      expect(sink.filter).toContain(`logName="projects/example-ai-prod/logs/cloudaudit.googleapis.com%2F${stream}"`);
    }
    expect(p.outputs.bucket).toBe('projects/example-ai-prod/locations/europe-west4/buckets/vertex-audit');
  });

  test('no grant to the sink writer: a sink into its own project\'s log bucket has no writer identity, and a grant to an empty member is refused', () => {
    expect(ofType(p, T.iamMember).filter((m) => m.inputs.role === 'roles/logging.bucketWriter')).toEqual([]);
  });

  test('retention is locked when the organisation says so', async () => {
    const locked = await plan(() => {
      new AuditLogging('audit', { ...base, locked: true, retentionDays: 3650 });
    });
    expect(resource(locked, T.bucket, 'audit-bucket').inputs).toMatchObject({ locked: true, retentionDays: 3650 });
    expect(ofType(locked, T.sink)).toHaveLength(1);
  });

  test('bad retention or bucket IDs fail early', () => {
    const retention = 'must be a whole number of days between 1 and 3650: a Cloud Logging bucket keeps logs at most 3650 days';
    expect(() => new AuditLogging('bad', { ...base, retentionDays: 0 })).toThrow(`AuditLogging bad: retentionDays 0 ${retention}`);
    expect(() => new AuditLogging('bad', { ...base, retentionDays: 365.5 })).toThrow(`AuditLogging bad: retentionDays 365.5 ${retention}`);
    // The organisation config refuses a retention the bucket cannot keep with the same words.
    expect(() => new AuditLogging('bad', { ...base, retentionDays: 3653 })).toThrow(`AuditLogging bad: retentionDays 3653 ${retention}`);
    expect(() => orgWith((raw) => (raw.logging.auditRetentionDays = 3653))).toThrow(`logging.auditRetentionDays: received 3653; ${retention}, and the gcp section keeps its audit logs in one`);
    expect(() => new AuditLogging('bad', { ...base, bucketId: '_Default' })).toThrow(/bucketId "_Default" must be 1-100 letters/);
  });
});
