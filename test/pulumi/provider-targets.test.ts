import { providerTargetWarnings } from '../../stacks/cloud-program';

describe('providerTargetWarnings (shared by the Azure and Google Cloud entry points)', () => {
  const target = { key: 'region', setting: 'region', expected: 'europe-west4' };

  test('the same value passes, compared case-insensitively', () => {
    expect(providerTargetWarnings('privateai', 'gcp', [{ ...target, actual: 'Europe-West4' }])).toEqual([]);
  });

  test('an unset provider value is a warning that names both keys and the expected value', () => {
    expect(providerTargetWarnings('privateai', 'gcp', [{ ...target, actual: undefined }])).toEqual([
      "gcp:region is not set; make sure the provider's default region is europe-west4 (privateai:region)",
    ]);
  });

  test('another value throws, naming both keys and values', () => {
    expect(() => providerTargetWarnings('privateai', 'gcp', [{ ...target, actual: 'us-central1' }])).toThrow('gcp:region us-central1 differs from privateai:region europe-west4; set both to the same value');
  });
});
