import { zoneAnswer, type ZoneRecord } from '../../lib/gcp/zone-answer';

const ZONE = 'googleapis.com.';
const a = (name: string, ip = '10.0.0.1'): ZoneRecord => ({ name, type: 'A', rrdatas: [ip] });

describe('zoneAnswer: how a private zone answers a name', () => {
  test('an exact A record answers; a name without a record is NXDOMAIN (the zone is authoritative)', () => {
    const records = [a('europe-west4-aiplatform.googleapis.com.')];
    expect(zoneAnswer(ZONE, records, 'europe-west4-aiplatform.googleapis.com')).toEqual(['10.0.0.1']);
    expect(zoneAnswer(ZONE, records, 'aiplatform.googleapis.com')).toEqual([]);
  });

  test('names outside the zone are not answered by it', () => {
    expect(zoneAnswer(ZONE, [a('googleapis.com.')], 'example.com')).toBeUndefined();
    expect(zoneAnswer(ZONE, [a('googleapis.com.')], 'notgoogleapis.com')).toBeUndefined();
  });

  test('a wildcard CNAME to the apex resolves every name below it, the global Vertex AI host included', () => {
    const records = [a('googleapis.com.'), { name: '*.googleapis.com.', type: 'CNAME', rrdatas: ['googleapis.com.'] }];
    expect(zoneAnswer(ZONE, records, 'aiplatform.googleapis.com')).toEqual(['10.0.0.1']);
    expect(zoneAnswer(ZONE, records, 'europe-west4-aiplatform.googleapis.com')).toEqual(['10.0.0.1']);
  });

  test('a wildcard applies only at the closest encloser: an existing name below the apex blocks it', () => {
    const records = [{ name: '*.googleapis.com.', type: 'A', rrdatas: ['10.0.0.2'] }, a('x.aiplatform.googleapis.com.')];
    // aiplatform.googleapis.com exists as an empty non-terminal, so the wildcard does not answer for it.
    expect(zoneAnswer(ZONE, records, 'aiplatform.googleapis.com')).toEqual([]);
    expect(zoneAnswer(ZONE, records, 'y.aiplatform.googleapis.com')).toEqual([]);
    expect(zoneAnswer(ZONE, records, 'storage.googleapis.com')).toEqual(['10.0.0.2']);
  });

  test('names and zones compare case-insensitively, with or without the trailing dot', () => {
    expect(zoneAnswer('GoogleAPIs.com', [a('Europe-West4-AIplatform.googleapis.com')], 'europe-west4-aiplatform.googleapis.com.')).toEqual(['10.0.0.1']);
  });

  test('a CNAME loop answers nothing', () => {
    const records = [{ name: 'a.googleapis.com.', type: 'CNAME', rrdatas: ['b.googleapis.com.'] }, { name: 'b.googleapis.com.', type: 'CNAME', rrdatas: ['a.googleapis.com.'] }];
    expect(zoneAnswer(ZONE, records, 'a.googleapis.com')).toEqual([]);
  });
});
