import { resourceTags } from '../../lib/azure/naming';
import { cidrContains, isAligned, isPrivateIpv4, parseCidr, parseIpv4 } from '../../lib/gcp/cidr';
import { gcpLabels, labelKey, labelValue } from '../../lib/gcp/labels';
import { exampleOrg } from './support';
import {
  groupMember,
  isPscEndpointName,
  loggingServiceAgent,
  perimeterShortName,
  pscEndpointName,
  publisherModelName,
  vertexEndpoint,
  vertexServiceAgent,
} from '../../lib/gcp/naming';

describe('labels', () => {
  test('tag keys become hyphenated label keys, the keys AWS and Azure tags use', () => {
    expect(labelKey('costCentre')).toBe('cost-centre');
    expect(labelKey('dataClassification')).toBe('data-classification');
    expect(Object.keys(gcpLabels(exampleOrg.tags))).toEqual(Object.keys(resourceTags(exampleOrg.tags)));
    expect(labelKey('owner')).toBe('owner');
  });

  test('keys start with a lowercase letter and keep only [a-z0-9_-]', () => {
    expect(labelKey('1st')).toBe('k_1st');
    expect(labelKey('Team Name')).toBe('team_name');
    expect(() => labelKey('')).toThrow(/must not be empty/);
  });

  test('values are lowercased, unsupported characters replaced, at most 63 characters', () => {
    expect(labelValue('platform-team@example.com')).toBe('platform-team_example_com');
    expect(labelValue('CC-0000')).toBe('cc-0000');
    expect(labelValue('x'.repeat(100))).toHaveLength(63);
    expect(labelKey('K'.repeat(100))).toHaveLength(63);
  });

  test('every label of the example tags satisfies the Google Cloud label rules', () => {
    const labels = gcpLabels({ owner: 'platform-team@example.com', costCentre: 'CC-0000', dataClassification: 'confidential' });
    expect(labels).toEqual({ owner: 'platform-team_example_com', 'cost-centre': 'cc-0000', 'data-classification': 'confidential' });
    for (const [k, v] of Object.entries(labels)) {
      expect(k).toMatch(/^[a-z][a-z0-9_-]{0,62}$/);
      expect(v).toMatch(/^[a-z0-9_-]{0,63}$/);
    }
  });

  test('two tags that map to the same key are refused rather than one being lost', () => {
    expect(() => gcpLabels({ costCentre: 'a', 'cost-centre': 'b' })).toThrow(/tags "costCentre" and "cost-centre" both become the label key "cost-centre"/);
  });
});

describe('naming', () => {
  test('service agents follow the project number', () => {
    expect(vertexServiceAgent('123')).toBe('service-123@gcp-sa-aiplatform.iam.gserviceaccount.com');
    expect(loggingServiceAgent('123')).toBe('service-123@gcp-sa-logging.iam.gserviceaccount.com');
  });

  test('endpoints and model names', () => {
    expect(vertexEndpoint('europe-west4')).toBe('https://europe-west4-aiplatform.googleapis.com');
    expect(publisherModelName('p', 'europe-west4', 'google', 'gemini-2.5-flash')).toBe('projects/p/locations/europe-west4/publishers/google/models/gemini-2.5-flash');
    expect(groupMember('a@example.com')).toBe('group:a@example.com');
  });

  test('PSC endpoint names are 1-20 lowercase letters and digits starting with a letter', () => {
    expect(pscEndpointName('example-corp')).toBe('examplecorppsc');
    expect(pscEndpointName('a-very-long-organisation-name')).toBe('averylongorganisapsc');
    expect(pscEndpointName('a-very-long-organisation-name').length).toBeLessThanOrEqual(20);
    expect(isPscEndpointName('examplecorppsc')).toBe(true);
    expect(isPscEndpointName('example-corp')).toBe(false);
    expect(isPscEndpointName('1abc')).toBe(false);
    expect(isPscEndpointName('a'.repeat(21))).toBe(false);
  });

  test('perimeter short names use letters, digits and underscores', () => {
    expect(perimeterShortName('example-ai-prod')).toBe('example_ai_prod_private_ai');
  });
});

describe('cidr', () => {
  test('parses addresses and blocks', () => {
    expect(parseIpv4('10.0.0.1')).toBe(167772161);
    expect(parseIpv4('10.0.0.256')).toBeUndefined();
    expect(parseIpv4('10.0.0')).toBeUndefined();
    expect(parseCidr('10.50.0.0/24')).toEqual({ base: parseIpv4('10.50.0.0'), prefix: 24 });
    expect(parseCidr('10.50.0.0/33')).toBeUndefined();
    expect(parseCidr('10.50.0.0')).toBeUndefined();
  });

  test('containment, alignment and private ranges', () => {
    const subnet = parseCidr('10.50.0.0/24')!;
    expect(cidrContains(subnet, parseIpv4('10.50.0.200')!)).toBe(true);
    expect(cidrContains(subnet, parseIpv4('10.50.255.254')!)).toBe(false);
    expect(isAligned(subnet)).toBe(true);
    expect(isAligned(parseCidr('10.50.0.1/24')!)).toBe(false);
    expect(isPrivateIpv4(parseIpv4('172.20.1.1')!)).toBe(true);
    expect(isPrivateIpv4(parseIpv4('100.100.100.106')!)).toBe(true);
    expect(isPrivateIpv4(parseIpv4('8.8.8.8')!)).toBe(false);
  });
});
