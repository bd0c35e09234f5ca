import { GLOBAL_VERTEX_HOST, privateApiHosts } from '../../lib/gcp/naming';
import { GOOGLEAPIS_ZONE, PrivateNetwork, type PrivateNetworkArgs } from '../../lib/gcp/private-network';
import { zoneAnswer, type ZoneRecord } from '../../lib/gcp/zone-answer';
import type { Plan } from '../../lib/pulumi/plan';
import { ofType, plan, resource, T } from './support';

/** The record sets of the plan, as the zone holds them. */
const recordsOf = (p: Plan): ZoneRecord[] => ofType(p, T.recordSet).map((r) => r.inputs as unknown as ZoneRecord);

const base: PrivateNetworkArgs = { project: 'example-ai-prod', region: 'europe-west4', pscEndpointIp: '10.50.255.254', labels: { owner: 'team' } };
const planNetwork = (args: Partial<PrivateNetworkArgs> = {}) =>
  plan(() => {
    const n = new PrivateNetwork('net', { ...base, ...args });
    return { dnsNames: n.dnsNames, address: n.pscEndpointAddress, name: n.pscEndpointName, networkId: n.networkId };
  });

describe('PrivateNetwork, new VPC', () => {
  let p: Awaited<ReturnType<typeof planNetwork>>;
  beforeAll(async () => {
    p = await planNetwork();
  });

  test('is a component with its children under it', () => {
    expect(resource(p, 'privateai:gcp:PrivateNetwork', 'net').parent).toBeNull();
    expect(p.resources.filter((r) => r.type.startsWith('gcp:')).every((r) => r.parent === 'net')).toBe(true);
  });

  test('custom-mode VPC without a default internet route', () => {
    expect(resource(p, T.network, 'net-vpc').inputs).toMatchObject({ project: 'example-ai-prod', autoCreateSubnetworks: false, deleteDefaultRoutesOnCreate: true });
  });

  test('subnet in the region with Private Google Access and flow logs', () => {
    expect(resource(p, T.subnetwork, 'net-subnet').inputs).toMatchObject({
      region: 'europe-west4',
      ipCidrRange: '10.50.0.0/24',
      privateIpGoogleAccess: true,
      network: 'net-vpc-id',
      logConfig: { metadata: 'INCLUDE_ALL_METADATA' },
    });
  });

  test('Private Service Connect endpoint for Google APIs at a fixed internal address', () => {
    expect(resource(p, T.globalAddress, 'net-psc-ip').inputs).toMatchObject({
      purpose: 'PRIVATE_SERVICE_CONNECT',
      addressType: 'INTERNAL',
      address: '10.50.255.254',
      network: 'net-vpc-id',
      labels: { owner: 'team' },
    });
    const rule = resource(p, T.forwardingRule, 'net-psc').inputs;
    expect(rule).toMatchObject({
      name: 'netpsc',
      target: 'all-apis',
      loadBalancingScheme: '',
      network: 'net-vpc-id',
      ipAddress: 'net-psc-ip-id',
      serviceDirectoryRegistrations: { serviceDirectoryRegion: 'europe-west4' },
    });
    expect(rule.name).toMatch(/^[a-z][a-z0-9]{0,19}$/);
    expect(rule.labels).toBeUndefined();
  });

  test('private googleapis.com zone bound to the VPC: one A record to the endpoint for the regional Vertex AI host, nothing else', () => {
    const zone = resource(p, T.zone, 'net-googleapis').inputs;
    expect(zone).toMatchObject({ dnsName: 'googleapis.com.', visibility: 'private', privateVisibilityConfig: { networks: [{ networkUrl: 'net-vpc-id' }] } });
    expect(ofType(p, T.recordSet).map((r) => r.inputs)).toEqual([
      { project: 'example-ai-prod', managedZone: 'net-googleapis', name: 'europe-west4-aiplatform.googleapis.com.', type: 'A', ttl: 300, rrdatas: ['10.50.255.254'] },
    ]);
    expect(p.outputs.dnsNames).toEqual(['europe-west4-aiplatform.googleapis.com']);
  });

  test('inside the VPC the regional Vertex AI host resolves to the endpoint; the global host and other Google APIs do not resolve', () => {
    const records = recordsOf(p);
    expect(zoneAnswer(GOOGLEAPIS_ZONE, records, 'europe-west4-aiplatform.googleapis.com')).toEqual(['10.50.255.254']);
    expect(zoneAnswer(GOOGLEAPIS_ZONE, records, GLOBAL_VERTEX_HOST)).toEqual([]);
    expect(zoneAnswer(GOOGLEAPIS_ZONE, records, 'us-central1-aiplatform.googleapis.com')).toEqual([]);
    expect(zoneAnswer(GOOGLEAPIS_ZONE, records, 'storage.googleapis.com')).toEqual([]);
  });

  test('egress to the internet denied at low priority; HTTPS to the endpoint allowed above it', () => {
    const deny = resource(p, T.firewall, 'net-deny-egress').inputs;
    const allow = resource(p, T.firewall, 'net-allow-psc').inputs;
    expect(deny).toMatchObject({ direction: 'EGRESS', destinationRanges: ['0.0.0.0/0'], denies: [{ protocol: 'all' }], priority: 65534 });
    expect(allow).toMatchObject({ direction: 'EGRESS', destinationRanges: ['10.50.255.254/32'], allows: [{ protocol: 'tcp', ports: ['443'] }] });
    expect(allow.priority as number).toBeLessThan(deny.priority as number);
  });
});

describe('PrivateNetwork options', () => {
  test('the vpc-sc bundle when a perimeter protects the project', async () => {
    const p = await planNetwork({ apiBundle: 'vpc-sc', pscEndpointName: 'corppsc' });
    expect(resource(p, T.forwardingRule, 'net-psc').inputs).toMatchObject({ target: 'vpc-sc', name: 'corppsc' });
  });

  test('an existing network: no VPC or subnet created, endpoint and zone bound to it, egress left to its owners', async () => {
    const existingNetwork = 'projects/example-ai-prod/global/networks/shared';
    const p = await planNetwork({ existingNetwork });
    expect(ofType(p, T.network)).toHaveLength(0);
    expect(ofType(p, T.subnetwork)).toHaveLength(0);
    expect(ofType(p, T.firewall)).toHaveLength(0);
    expect(resource(p, T.globalAddress, 'net-psc-ip').inputs.network).toBe(existingNetwork);
    expect(resource(p, T.zone, 'net-googleapis').inputs).toMatchObject({ privateVisibilityConfig: { networks: [{ networkUrl: existingNetwork }] } });
    expect(p.outputs.networkId).toBe(existingNetwork);
  });

  test('an existing network can still get the egress rules on request', async () => {
    const p = await planNetwork({ existingNetwork: 'projects/example-ai-prod/global/networks/shared', denyInternetEgress: true });
    expect(ofType(p, T.firewall)).toHaveLength(2);
  });

  test('the hosts of every allowed region and the sign-in hosts resolve; the global Vertex AI host still does not', async () => {
    const apiHosts = privateApiHosts(['europe-west4', 'europe-west1']);
    const q = await planNetwork({ apiHosts });
    const records = recordsOf(q);
    for (const host of apiHosts) expect([host, zoneAnswer(GOOGLEAPIS_ZONE, records, host)]).toEqual([host, ['10.50.255.254']]);
    expect(apiHosts).toEqual([
      'europe-west4-aiplatform.googleapis.com',
      'europe-west1-aiplatform.googleapis.com',
      'oauth2.googleapis.com',
      'sts.googleapis.com',
      'iamcredentials.googleapis.com',
    ]);
    expect(zoneAnswer(GOOGLEAPIS_ZONE, records, GLOBAL_VERTEX_HOST)).toEqual([]);
    expect(q.outputs.dnsNames).toEqual(apiHosts);
  });

  test('hosts that would resolve the global endpoint, or are not Google API hosts, are refused', () => {
    expect(() => new PrivateNetwork('bad', { ...base, apiHosts: [GLOBAL_VERTEX_HOST] })).toThrow(
      'PrivateNetwork bad: apiHosts: aiplatform.googleapis.com is the global Vertex AI endpoint, which has no residency guarantee; list the regional hosts (<region>-aiplatform.googleapis.com) instead',
    );
    expect(() => new PrivateNetwork('bad', { ...base, apiHosts: ['*.googleapis.com'] })).toThrow(/"\*\.googleapis\.com" is not a host name under googleapis\.com \(no wildcards/);
    expect(() => new PrivateNetwork('bad', { ...base, apiHosts: ['example.com'] })).toThrow(/"example\.com" is not a host name under googleapis\.com/);
    expect(() => new PrivateNetwork('bad', { ...base, apiHosts: [] })).toThrow(/no Google API host to resolve/);
  });

  test('no zone when DNS is owned centrally', async () => {
    const p = await planNetwork({ createDnsZones: false });
    expect(ofType(p, T.zone)).toHaveLength(0);
    expect(ofType(p, T.recordSet)).toHaveLength(0);
    expect(p.outputs.dnsNames).toEqual([]);
  });

  test('invalid combinations fail with what was wrong', () => {
    expect(() => new PrivateNetwork('bad', { ...base, existingNetwork: 'projects/example-ai-prod/global/networks/shared', subnetCidr: '10.60.0.0/24' })).toThrow(
      'PrivateNetwork bad: give either existingNetwork (use an existing VPC) or subnetCidr (create a new VPC), never both; received existingNetwork projects/example-ai-prod/global/networks/shared and subnetCidr 10.60.0.0/24',
    );
    expect(() => new PrivateNetwork('bad', { ...base, pscEndpointIp: '10.50.0.5' })).toThrow(/pscEndpointIp 10.50.0.5 is inside the subnet 10.50.0.0\/24/);
    expect(() => new PrivateNetwork('bad', { ...base, pscEndpointName: 'psc-endpoint' })).toThrow(/pscEndpointName "psc-endpoint" must be 1-20 lowercase letters and digits/);
    expect(() => new PrivateNetwork('bad', { ...base, existingSubnetwork: 'projects/example-ai-prod/regions/europe-west4/subnetworks/a' })).toThrow(/existingSubnetwork needs existingNetwork/);
  });
});
