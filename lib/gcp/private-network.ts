import * as pulumi from '@pulumi/pulumi';
import * as compute from '@pulumi/gcp/compute';
import * as dns from '@pulumi/gcp/dns';
import { cidrContains, isAligned, isPrivateIpv4, parseCidr, parseIpv4 } from './cidr';
import { GLOBAL_VERTEX_HOST, isPscEndpointName, pscEndpointName, vertexApiHost } from './naming';

/** Google API bundles a Private Service Connect endpoint can target. */
export type GoogleApiBundle = 'all-apis' | 'vpc-sc';

/** A VPC from which Google APIs, Vertex AI included, are reached only through a private endpoint. */
export interface PrivateNetworkArgs {
  /** Project ID; the endpoint, zones and firewall rules are created here. */
  readonly project: string;
  /** Region of the subnet and of the endpoint's Service Directory registration. */
  readonly region: string;
  /**
   * Use this VPC (`projects/<p>/global/networks/<n>` or its self link) instead of creating one.
   * @default - a new custom-mode VPC with one subnet
   */
  readonly existingNetwork?: string;
  /**
   * A subnet of `existingNetwork` where workloads run; only reported to app teams.
   * @default - none reported
   */
  readonly existingSubnetwork?: string;
  /**
   * CIDR of the subnet of a new VPC; never together with `existingNetwork`.
   * @default '10.50.0.0/24'
   */
  readonly subnetCidr?: string;
  /** Internal IPv4 address of the endpoint; outside every subnet of the VPC. */
  readonly pscEndpointIp: string;
  /**
   * Name of the endpoint's forwarding rule: 1-20 lowercase letters and digits, starting with a letter.
   * @default - the component name without hyphens, truncated, plus `psc`
   */
  readonly pscEndpointName?: string;
  /**
   * `vpc-sc` when a VPC Service Controls perimeter protects the project, so the endpoint only
   * serves APIs the perimeter can protect.
   * @default 'all-apis'
   */
  readonly apiBundle?: GoogleApiBundle;
  /**
   * Create the private `googleapis.com.` zone. Turn off where a central DNS team owns that zone.
   * @default true
   */
  readonly createDnsZones?: boolean;
  /**
   * Google API hosts the zone resolves to the endpoint, one A record each. Nothing else under
   * googleapis.com resolves inside the VPC (the zone answers NXDOMAIN): no wildcard, and never the
   * global Vertex AI host `aiplatform.googleapis.com`, which has no residency guarantee.
   * @default - the regional Vertex AI host of `region` only
   */
  readonly apiHosts?: readonly string[];
  /**
   * Deny egress to the internet and allow HTTPS only to the endpoint.
   * @default - true for a new VPC; false for an existing one, whose owners set its egress policy
   */
  readonly denyInternetEgress?: boolean;
  /** Labels of labelable children (the address and the DNS zone). @default - none */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Default CIDR of the subnet of a new VPC. */
export const DEFAULT_SUBNET_CIDR = '10.50.0.0/24';

/** The private zone whose records send the chosen Google API hosts to the endpoint. */
export const GOOGLEAPIS_ZONE = 'googleapis.com.';

/** A host name under googleapis.com, without wildcards. */
const API_HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.googleapis\.com$/;

/**
 * Problems with a list of Google API hosts for the private zone, each naming the host and why;
 * shared by the component and the stack settings so both refuse the same hosts the same way.
 */
export function apiHostProblems(hosts: readonly string[]): string[] {
  const problems: string[] = [];
  if (hosts.length === 0) problems.push('no Google API host to resolve; list at least the regional Vertex AI host, such as europe-west4-aiplatform.googleapis.com');
  const seen = new Set<string>();
  for (const host of hosts) {
    if (host === GLOBAL_VERTEX_HOST) {
      problems.push(`${host} is the global Vertex AI endpoint, which has no residency guarantee; list the regional hosts (<region>-aiplatform.googleapis.com) instead`);
    } else if (!API_HOST.test(host)) {
      problems.push(`${JSON.stringify(host)} is not a host name under googleapis.com (no wildcards: a wildcard would resolve the global Vertex AI endpoint too)`);
    }
    if (seen.has(host)) problems.push(`${host} is listed twice`);
    seen.add(host);
  }
  return problems;
}

/** A VPC path or self link; group 1 is its project. */
export const NETWORK_PATH = /^(?:https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/global\/networks\/[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
/** A subnet path or self link; group 1 is its project, group 2 its region. */
export const SUBNETWORK_PATH = /^(?:https:\/\/www\.googleapis\.com\/compute\/v1\/)?projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/regions\/([a-z]+-[a-z]+\d+)\/subnetworks\/[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/;

/** The network choices of a deployment, as the component takes them or the stack settings give them. */
export interface NetworkInput {
  /** @default - a new VPC */
  readonly existingNetwork?: string;
  /** @default - none */
  readonly existingSubnetwork?: string;
  /** @default - DEFAULT_SUBNET_CIDR for a new VPC; none for an existing one */
  readonly subnetCidr?: string;
  /** @default - none: reported missing */
  readonly pscEndpointIp?: string;
  /** @default - not checked: the caller derives a valid one */
  readonly pscEndpointName?: string;
  /** Deployment region; an existing subnetwork must be in it. @default - not checked */
  readonly region?: string;
  /** Deployment project; an existing network must belong to it. @default - not checked */
  readonly project?: string;
}

/** A network choice that can be wrong. */
export type NetworkField = 'existingNetwork' | 'existingSubnetwork' | 'subnetCidr' | 'pscEndpointIp' | 'pscEndpointName';

/** One thing wrong with a network choice. */
export interface NetworkProblem {
  readonly field: NetworkField;
  /** The value received; undefined when `kind` is `missing`. */
  readonly value: unknown;
  /**
   * `invalid`: the value breaks a rule, and `message` says what it must be.
   * `missing`: a value is needed, and `message` says how to choose one.
   * `conflict`: the value does not fit the `existingNetwork` choice (`subnetCidr` given together
   * with an existing network, `existingSubnetwork` without one), and `message` says how to choose.
   */
  readonly kind: 'invalid' | 'missing' | 'conflict';
  /** What is wrong and the fix, without the field name or value: each caller frames it. */
  readonly message: string;
}

/**
 * Every problem with a set of network choices, in field order; none when they are usable. The one
 * place the network rules and their fixes are written: the component and the stack settings both
 * call it, so a value is refused the same way, with the same fix, wherever it is given.
 */
export function networkProblems(input: NetworkInput): NetworkProblem[] {
  const problems: NetworkProblem[] = [];
  const invalid = (field: NetworkField, value: unknown, message: string) => problems.push({ field, value, kind: 'invalid', message });
  const { existingNetwork, existingSubnetwork, project, region } = input;

  if (existingNetwork !== undefined) {
    const m = NETWORK_PATH.exec(existingNetwork);
    if (!m) invalid('existingNetwork', existingNetwork, 'must be projects/<project>/global/networks/<name> or its self link');
    else if (project !== undefined && m[1] !== project) {
      invalid('existingNetwork', existingNetwork, `must belong to project ${project}: the endpoint, DNS zone and firewall rules are created there (for a Shared VPC, deploy into the host project)`);
    }
  }
  if (existingSubnetwork !== undefined) {
    const m = SUBNETWORK_PATH.exec(existingSubnetwork);
    if (existingNetwork === undefined) {
      problems.push({ field: 'existingSubnetwork', value: existingSubnetwork, kind: 'conflict', message: 'set existingNetwork too, or remove it: a new VPC gets its own subnet' });
    } else if (!m) invalid('existingSubnetwork', existingSubnetwork, 'must be projects/<project>/regions/<region>/subnetworks/<name> or its self link');
    else if (region !== undefined && m[2] !== region) invalid('existingSubnetwork', existingSubnetwork, `must be in the deployment region ${region}`);
  }

  if (existingNetwork !== undefined && input.subnetCidr !== undefined) {
    problems.push({
      field: 'subnetCidr',
      value: input.subnetCidr,
      kind: 'conflict',
      message: 'give either existingNetwork (use an existing VPC) or subnetCidr (create a new VPC), never both',
    });
  }
  const subnetCidr = input.subnetCidr ?? (existingNetwork === undefined ? DEFAULT_SUBNET_CIDR : undefined);
  let subnet = subnetCidr === undefined ? undefined : parseCidr(subnetCidr);
  if (subnetCidr !== undefined && (!subnet || !isAligned(subnet) || subnet.prefix < 8 || subnet.prefix > 29 || !isPrivateIpv4(subnet.base))) {
    invalid('subnetCidr', subnetCidr, `must be a private IPv4 network address with a prefix between /8 and /29, such as ${DEFAULT_SUBNET_CIDR}`);
    subnet = undefined;
  }

  const { pscEndpointIp } = input;
  if (pscEndpointIp === undefined) {
    problems.push({
      field: 'pscEndpointIp',
      value: undefined,
      kind: 'missing',
      message:
        existingNetwork !== undefined
          ? 'an existing network has its own address plan, so choose a free internal IPv4 address outside its subnets'
          : `choose a private IPv4 address outside the subnet ${subnetCidr}`,
    });
  } else {
    const ip = parseIpv4(pscEndpointIp);
    if (ip === undefined || !isPrivateIpv4(ip)) invalid('pscEndpointIp', pscEndpointIp, 'must be a private IPv4 address (10/8, 172.16/12, 192.168/16 or 100.64/10)');
    // Only a new VPC's subnet is known here; an existing network's owners keep its address plan.
    else if (subnet && existingNetwork === undefined && cidrContains(subnet, ip)) {
      invalid('pscEndpointIp', pscEndpointIp, `must be outside the subnet ${subnetCidr}; an endpoint for Google APIs cannot use a subnet address`);
    }
  }

  if (input.pscEndpointName !== undefined && !isPscEndpointName(input.pscEndpointName)) {
    invalid('pscEndpointName', input.pscEndpointName, 'must be 1-20 lowercase letters and digits, starting with a letter');
  }
  return problems;
}

/** How the component states a problem: the field, the value received, then the message. */
function componentProblem(p: NetworkProblem, existingNetwork: string | undefined): string {
  if (p.kind === 'missing') return `${p.field} is missing; ${p.message}`;
  const value = `${p.field} ${JSON.stringify(p.value)}`;
  if (p.kind === 'invalid') return `${value} ${p.message}`;
  return existingNetwork === undefined
    ? `${value} was given without existingNetwork; ${p.message}`
    : `${value} was given together with existingNetwork ${JSON.stringify(existingNetwork)}; ${p.message}`;
}

/**
 * A custom-mode VPC (or an existing one) with Private Google Access, a Private Service Connect
 * endpoint for Google APIs, a private `googleapis.com.` zone that resolves only the chosen API
 * hosts (the regional Vertex AI hosts, never the global one) to that endpoint, and egress
 * firewall rules that deny the internet and allow HTTPS to the endpoint only. Vertex AI is then
 * reached at its usual regional host name, over an internal address.
 */
export class PrivateNetwork extends pulumi.ComponentResource {
  /** The VPC, as `projects/<p>/global/networks/<n>` or a self link. */
  public readonly networkId: pulumi.Output<string>;
  /** The subnet where workloads run, when known. */
  public readonly subnetworkId: pulumi.Output<string> | undefined;
  /** Internal address of the endpoint. */
  public readonly pscEndpointAddress: string;
  /** Name of the endpoint's forwarding rule. */
  public readonly pscEndpointName: string;
  /** Names that resolve to the endpoint (empty when the zone is managed elsewhere). */
  public readonly dnsNames: readonly string[];
  public readonly forwardingRule: compute.GlobalForwardingRule;

  constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:gcp:PrivateNetwork', name, {}, opts);
    const fail = (message: string): never => {
      throw new Error(`PrivateNetwork ${name}: ${message}`);
    };
    const existing = args.existingNetwork;
    const endpointName = args.pscEndpointName ?? pscEndpointName(name);
    const problems = networkProblems({ ...args, pscEndpointName: endpointName });
    if (problems.length > 0) fail(problems.map((p) => componentProblem(p, existing)).join('; '));
    const subnetCidr = existing ? undefined : (args.subnetCidr ?? DEFAULT_SUBNET_CIDR);
    const apiHosts = [...(args.apiHosts ?? [vertexApiHost(args.region)])];
    const hostProblems = apiHostProblems(apiHosts);
    if (hostProblems.length > 0) fail(`apiHosts: ${hostProblems.join('; ')}`);
    const bundle = args.apiBundle ?? 'all-apis';
    const createDnsZones = args.createDnsZones ?? true;
    const denyEgress = args.denyInternetEgress ?? !existing;
    const labels = args.labels ? { ...args.labels } : undefined;

    let networkId: pulumi.Output<string>;
    if (existing) {
      networkId = pulumi.output(existing);
      this.subnetworkId = args.existingSubnetwork ? pulumi.output(args.existingSubnetwork) : undefined;
    } else {
      const network = new compute.Network(
        `${name}-vpc`,
        {
          project: args.project,
          description: 'Private AI: Google APIs only through Private Service Connect',
          autoCreateSubnetworks: false,
          routingMode: 'REGIONAL',
          // No route to the internet gateway: the endpoint is an internal address and needs none.
          deleteDefaultRoutesOnCreate: true,
        },
        { parent: this },
      );
      networkId = network.id;
      const subnetwork = new compute.Subnetwork(
        `${name}-subnet`,
        {
          project: args.project,
          region: args.region,
          network: network.id,
          ipCidrRange: subnetCidr!,
          // VMs without external addresses need Private Google Access to use the endpoint.
          privateIpGoogleAccess: true,
          logConfig: { aggregationInterval: 'INTERVAL_5_SEC', flowSampling: 0.5, metadata: 'INCLUDE_ALL_METADATA' },
        },
        { parent: this },
      );
      this.subnetworkId = subnetwork.id;
    }
    this.networkId = networkId;

    const address = new compute.GlobalAddress(
      `${name}-psc-ip`,
      {
        project: args.project,
        description: 'Private Service Connect endpoint for Google APIs',
        purpose: 'PRIVATE_SERVICE_CONNECT',
        addressType: 'INTERNAL',
        address: args.pscEndpointIp,
        network: networkId,
        labels,
      },
      { parent: this },
    );
    this.forwardingRule = new compute.GlobalForwardingRule(
      `${name}-psc`,
      {
        project: args.project,
        name: endpointName,
        target: bundle,
        network: networkId,
        ipAddress: address.id,
        loadBalancingScheme: '',
        // The registration defaults to us-central1; keep it in the deployment region.
        serviceDirectoryRegistrations: { serviceDirectoryRegion: args.region },
        // No labels: the API refuses labels when creating a PSC forwarding rule.
      },
      // The name is fixed (Google restricts it), so a replacement must delete the old rule first.
      { parent: this, deleteBeforeReplace: true },
    );

    if (createDnsZones) {
      const zone = new dns.ManagedZone(
        `${name}-googleapis`,
        {
          project: args.project,
          dnsName: GOOGLEAPIS_ZONE,
          description: 'Google APIs through the Private Service Connect endpoint',
          visibility: 'private',
          privateVisibilityConfig: { networks: [{ networkUrl: networkId }] },
          labels,
        },
        { parent: this },
      );
      // One A record per host and nothing else: any other name under googleapis.com is NXDOMAIN
      // inside the VPC, the global Vertex AI host included.
      for (const host of apiHosts) {
        new dns.RecordSet(
          `${name}-${host.slice(0, -'.googleapis.com'.length).replace(/\./g, '-')}`,
          { project: args.project, managedZone: zone.name, name: `${host}.`, type: 'A', ttl: 300, rrdatas: [args.pscEndpointIp] },
          { parent: this },
        );
      }
    }
    this.dnsNames = createDnsZones ? apiHosts : [];

    if (denyEgress) {
      new compute.Firewall(
        `${name}-deny-egress`,
        {
          project: args.project,
          network: networkId,
          description: 'Deny all egress; only higher-priority allow rules open a path',
          direction: 'EGRESS',
          priority: 65534,
          destinationRanges: ['0.0.0.0/0'],
          denies: [{ protocol: 'all' }],
          logConfig: { metadata: 'INCLUDE_ALL_METADATA' },
        },
        { parent: this },
      );
      new compute.Firewall(
        `${name}-allow-psc`,
        {
          project: args.project,
          network: networkId,
          description: 'HTTPS to Google APIs through the Private Service Connect endpoint',
          direction: 'EGRESS',
          priority: 1000,
          destinationRanges: [`${args.pscEndpointIp}/32`],
          allows: [{ protocol: 'tcp', ports: ['443'] }],
        },
        { parent: this },
      );
    }

    this.pscEndpointAddress = args.pscEndpointIp;
    this.pscEndpointName = endpointName;
    this.registerOutputs({
      networkId: this.networkId,
      subnetworkId: this.subnetworkId,
      pscEndpointAddress: this.pscEndpointAddress,
      pscEndpointName: this.pscEndpointName,
      dnsNames: this.dnsNames,
    });
  }
}
