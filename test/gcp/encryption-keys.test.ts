import { EncryptionKeys, rotationSeconds } from '../../lib/gcp/encryption-keys';
import { kmsKeyRotation } from '../../policies/gcp/policies';
import { runPoliciesOffline } from '../../policies/pulumi/offline';
import { ofType, plan, resource, T } from './support';

describe('EncryptionKeys', () => {
  let p: Awaited<ReturnType<typeof plan>>;
  beforeAll(async () => {
    p = await plan(() => {
      const k = new EncryptionKeys('keys', { project: 'example-ai-prod', projectNumber: '123456789012', region: 'europe-west4', labels: { owner: 'team' } });
      return { vertexKeyId: k.vertexKeyId, auditKeyId: k.auditKeyId, agent: k.vertexServiceAgent.member };
    });
  });

  test('key ring in the Vertex AI region', () => {
    expect(resource(p, T.keyRing, 'keys-ring').inputs).toEqual({ project: 'example-ai-prod', location: 'europe-west4', name: 'keys' });
  });

  test('two rotating keys in the ring, protected from deletion twice over', () => {
    for (const [logical, name] of [['keys-vertex', 'vertex'], ['keys-audit', 'audit-logs']]) {
      expect(resource(p, T.cryptoKey, logical).inputs).toEqual({
        name,
        keyRing: 'projects/example-ai-prod/locations/europe-west4/keyRings/keys',
        purpose: 'ENCRYPT_DECRYPT',
        rotationPeriod: '7776000s',
        deletionPolicy: 'PREVENT',
        labels: { owner: 'team' },
      });
      expect(resource(p, T.cryptoKey, logical).protect).toBe(true);
    }
    expect(ofType(p, T.cryptoKey)).toHaveLength(2);
    expect(p.outputs.vertexKeyId).toBe('projects/example-ai-prod/locations/europe-west4/keyRings/keys/cryptoKeys/vertex');
    expect(p.outputs.auditKeyId).toBe('projects/example-ai-prod/locations/europe-west4/keyRings/keys/cryptoKeys/audit-logs');
  });

  test('the Vertex AI service agent is created and may use the Vertex key only', () => {
    expect(resource(p, T.serviceIdentity, 'keys-vertex-agent').inputs).toEqual({ project: 'example-ai-prod', service: 'aiplatform.googleapis.com' });
    const grants = ofType(p, T.keyMember);
    expect(grants).toHaveLength(1);
    expect(grants[0].inputs).toEqual({
      cryptoKeyId: 'projects/example-ai-prod/locations/europe-west4/keyRings/keys/cryptoKeys/vertex',
      role: 'roles/cloudkms.cryptoKeyEncrypterDecrypter',
      member: 'serviceAccount:service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com',
    });
  });

  test('rotation periods: above one day (Cloud KMS) and at most 90 days (the policy pack refuses longer)', () => {
    expect(rotationSeconds('7776000s')).toBe(7776000);
    expect(rotationSeconds('90d')).toBeUndefined();
    for (const rotationPeriod of ['3600s', '7776001s', '31536000s']) {
      expect(() => new EncryptionKeys('bad', { project: 'p-123456', projectNumber: '1', region: 'europe-west4', rotationPeriod })).toThrow(
        `EncryptionKeys bad: rotationPeriod "${rotationPeriod}" must be more than 86400s (one day) and at most 7776000s (90 days), written in seconds followed by s, such as 7776000s`,
      );
    }
  });

  test('every period the component accepts, the pack accepts: the bounds are one constant', async () => {
    const p = await plan(() => {
      new EncryptionKeys('edge', { project: 'p-123456', projectNumber: '1', region: 'europe-west4', rotationPeriod: '7776000s' });
    });
    const result = await runPoliciesOffline('private-ai-gcp', [kmsKeyRotation], p);
    expect(result.violations).toEqual([]);
  });
});
