import { PrivateNetwork, type PrivateNetworkArgs } from '../../lib/gcp/private-network';
import { ofType, plan, resource, T } from './support';

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

  test('private googleapis.com zone bound to the VPC: A record to the endpoint, wildcard CNAME', () => {
    const zone = resource(p, T.zone, 'net-googleapis').inputs;
    expect(zone).toMatchObject({ dnsName: 'googleapis.com.', visibility: 'private', privateVisibilityConfig: { networks: [{ networkUrl: 'net-vpc-id' }] } });
    expect(resource(p, T.recordSet, 'net-googleapis-a').inputs).toMatchObject({ managedZone: 'net-googleapis', name: 'googleapis.com.', type: 'A', rrdatas: ['10.50.255.254'] });
    expect(resource(p, T.recordSet, 'net-googleapis-wildcard').inputs).toMatchObject({ name: '*.googleapis.com.', type: 'CNAME', rrdatas: ['googleapis.com.'] });
    // The regional Vertex AI host is one label below googleapis.com: the wildcard covers it.
    expect(ofType(p, T.recordSet)).toHaveLength(2);
    expect(p.outputs.dnsNames).toEqual(['googleapis.com', '*.googleapis.com', 'europe-west4-aiplatform.googleapis.com']);
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
