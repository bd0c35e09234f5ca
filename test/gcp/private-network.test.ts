import { GLOBAL_VERTEX_HOST, privateApiHosts } from '../../lib/gcp/naming';
import { GOOGLEAPIS_ZONE, networkProblems, PrivateNetwork, type PrivateNetworkArgs } from '../../lib/gcp/private-network';
import { zoneAnswer, type ZoneRecord } from '../../lib/gcp/zone-answer';
import type { Plan } from '../../lib/pulumi/plan';
import { gcpProgram } from '../../stacks/gcp/program';
import { exampleOrg, exampleStackConfig, getter, ofType, plan, resource, T } from './support';

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
      'PrivateNetwork bad: subnetCidr "10.60.0.0/24" was given together with existingNetwork "projects/example-ai-prod/global/networks/shared"; give either existingNetwork (use an existing VPC) or subnetCidr (create a new VPC), never both',
    );
    expect(() => new PrivateNetwork('bad', { ...base, pscEndpointIp: '10.50.0.5' })).toThrow(
      'PrivateNetwork bad: pscEndpointIp "10.50.0.5" must be outside the subnet 10.50.0.0/24; an endpoint for Google APIs cannot use a subnet address',
    );
    expect(() => new PrivateNetwork('bad', { ...base, pscEndpointName: 'psc-endpoint' })).toThrow(
      'PrivateNetwork bad: pscEndpointName "psc-endpoint" must be 1-20 lowercase letters and digits, starting with a letter',
    );
    expect(() => new PrivateNetwork('bad', { ...base, existingSubnetwork: 'projects/example-ai-prod/regions/europe-west4/subnetworks/a' })).toThrow(
      'PrivateNetwork bad: existingSubnetwork "projects/example-ai-prod/regions/europe-west4/subnetworks/a" was given without existingNetwork; set existingNetwork too, or remove it: a new VPC gets its own subnet',
    );
  });

  test('an existing network must be in the project, and its subnetwork in the region', () => {
    expect(() => new PrivateNetwork('bad', { ...base, existingNetwork: 'projects/host-project/global/networks/shared' })).toThrow(
      'PrivateNetwork bad: existingNetwork "projects/host-project/global/networks/shared" must belong to project example-ai-prod',
    );
    const existingSubnetwork = 'projects/example-ai-prod/regions/europe-west1/subnetworks/apps';
    expect(() => new PrivateNetwork('bad', { ...base, existingNetwork: 'projects/example-ai-prod/global/networks/shared', existingSubnetwork })).toThrow(
      `PrivateNetwork bad: existingSubnetwork "${existingSubnetwork}" must be in the deployment region europe-west4`,
    );
  });

  test('every problem is reported at once', () => {
    expect(() => new PrivateNetwork('bad', { ...base, subnetCidr: '10.50.0.1/24', pscEndpointIp: '8.8.8.8' })).toThrow(
      /^PrivateNetwork bad: subnetCidr "10\.50\.0\.1\/24" must be a private IPv4 network address.*; pscEndpointIp "8\.8\.8\.8" must be a private IPv4 address/,
    );
  });
});

describe('networkProblems', () => {
  test('a new VPC with the default subnet and an address outside it, or an existing network in the project, has none', () => {
    expect(networkProblems({ pscEndpointIp: '10.50.255.254', pscEndpointName: 'corppsc', project: 'example-ai-prod', region: 'europe-west4' })).toEqual([]);
    expect(
      networkProblems({
        existingNetwork: 'projects/example-ai-prod/global/networks/shared',
        existingSubnetwork: 'projects/example-ai-prod/regions/europe-west4/subnetworks/apps',
        pscEndpointIp: '10.99.0.2',
        project: 'example-ai-prod',
        region: 'europe-west4',
      }),
    ).toEqual([]);
  });

  test('a missing endpoint address is named with how to choose one, for an existing network and a new one', () => {
    expect(networkProblems({ existingNetwork: 'projects/example-ai-prod/global/networks/shared' })).toEqual([
      { field: 'pscEndpointIp', value: undefined, kind: 'missing', message: 'an existing network has its own address plan, so choose a free internal IPv4 address outside its subnets' },
    ]);
    expect(networkProblems({ subnetCidr: '10.60.0.0/24' })).toEqual([
      { field: 'pscEndpointIp', value: undefined, kind: 'missing', message: 'choose a private IPv4 address outside the subnet 10.60.0.0/24' },
    ]);
  });

  test('the address is checked against the default subnet of a new VPC only', () => {
    expect(networkProblems({ pscEndpointIp: '10.50.0.9' }).map((p) => p.field)).toEqual(['pscEndpointIp']);
    expect(networkProblems({ existingNetwork: 'projects/example-ai-prod/global/networks/shared', pscEndpointIp: '10.50.0.9' })).toEqual([]);
  });
});

/** The message an action fails with. */
function failure(action: () => unknown): string {
  try {
    action();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
}

describe('the stack settings and the component refuse a network choice with the same message', () => {
  const shared = 'projects/example-ai-prod/global/networks/shared';
  const cases: { choice: Partial<PrivateNetworkArgs>; field: string; message: string }[] = [
    { choice: { existingNetwork: 'shared', pscEndpointIp: '10.99.0.2' }, field: 'existingNetwork', message: 'must be projects/<project>/global/networks/<name> or its self link' },
    {
      choice: { existingNetwork: 'projects/host-project/global/networks/shared', pscEndpointIp: '10.99.0.2' },
      field: 'existingNetwork',
      message: 'must belong to project example-ai-prod: the endpoint, DNS zone and firewall rules are created there (for a Shared VPC, deploy into the host project)',
    },
    {
      choice: { existingNetwork: shared, existingSubnetwork: 'apps', pscEndpointIp: '10.99.0.2' },
      field: 'existingSubnetwork',
      message: 'must be projects/<project>/regions/<region>/subnetworks/<name> or its self link',
    },
    {
      choice: { existingNetwork: shared, existingSubnetwork: 'projects/example-ai-prod/regions/europe-west1/subnetworks/apps', pscEndpointIp: '10.99.0.2' },
      field: 'existingSubnetwork',
      message: 'must be in the deployment region europe-west4',
    },
    {
      choice: { existingSubnetwork: 'projects/example-ai-prod/regions/europe-west4/subnetworks/apps' },
      field: 'existingSubnetwork',
      message: 'set existingNetwork too, or remove it: a new VPC gets its own subnet',
    },
    {
      choice: { existingNetwork: shared, subnetCidr: '10.60.0.0/24', pscEndpointIp: '10.99.0.2' },
      field: 'subnetCidr',
      message: 'give either existingNetwork (use an existing VPC) or subnetCidr (create a new VPC), never both',
    },
    { choice: { subnetCidr: '10.50.0.1/24' }, field: 'subnetCidr', message: 'must be a private IPv4 network address with a prefix between /8 and /29, such as 10.50.0.0/24' },
    { choice: { subnetCidr: '8.8.8.0/24' }, field: 'subnetCidr', message: 'must be a private IPv4 network address with a prefix between /8 and /29, such as 10.50.0.0/24' },
    { choice: { pscEndpointIp: '8.8.8.8' }, field: 'pscEndpointIp', message: 'must be a private IPv4 address (10/8, 172.16/12, 192.168/16 or 100.64/10)' },
    { choice: { pscEndpointIp: '10.50.0.10' }, field: 'pscEndpointIp', message: 'must be outside the subnet 10.50.0.0/24; an endpoint for Google APIs cannot use a subnet address' },
    { choice: { pscEndpointName: 'psc-endpoint' }, field: 'pscEndpointName', message: 'must be 1-20 lowercase letters and digits, starting with a letter' },
  ];

  test.each(cases)('$field: $message', ({ choice, field, message }) => {
    const component = failure(() => new PrivateNetwork('bad', { ...base, ...choice }));
    const settings = failure(() => gcpProgram.readSettings(getter({ ...exampleStackConfig, ...choice }), exampleOrg, 'example'));
    // One problem each: the component names the field before the message, the settings its key after it.
    expect(component.startsWith(`PrivateNetwork bad: ${field} `)).toBe(true);
    expect(component).toContain(message);
    const lines = settings.split('\n').filter((line) => line.startsWith('  - '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${message} (config: `);
    expect(lines[0]).toContain(`privateai:${field}`);
  });
});
