import * as network from '@pulumi/azure-native/network';
import * as resources from '@pulumi/azure-native/resources';
import * as pulumi from '@pulumi/pulumi';
import { cidrContains, cidrsOverlap, parseCidr } from './cidr';
import { assertAllowedLocation } from './residency';

/** Address space of a new virtual network when none is given. */
export const DEFAULT_ADDRESS_SPACE = '10.41.0.0/16';
/** Subnet of the private endpoints in a new virtual network when none is given. */
export const DEFAULT_PRIVATE_ENDPOINT_SUBNET = '10.41.0.0/24';
/** Subnet of the applications that call the models in a new virtual network when none is given. */
export const DEFAULT_APPLICATION_SUBNET = '10.41.1.0/24';
/** Smallest subnet accepted (/28: 16 addresses, of which Azure reserves 5). */
const SMALLEST_SUBNET_PREFIX = 28;

const VNET_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+$/i;

/** Where the private endpoints go: an existing network, or the shape of a new one. */
export interface NetworkInput {
  readonly existingVirtualNetworkId?: string;
  readonly existingPrivateEndpointSubnetId?: string;
  readonly addressSpace?: string;
  readonly privateEndpointSubnetPrefix?: string;
  readonly applicationSubnetPrefix?: string;
}

/** The network decided on, defaults applied. */
export type NetworkChoice =
  | { readonly kind: 'existing'; readonly virtualNetworkId: string; readonly privateEndpointSubnetId: string }
  | { readonly kind: 'new'; readonly addressSpace: string; readonly privateEndpointSubnetPrefix: string; readonly applicationSubnetPrefix: string };

/** A problem with one field of a NetworkInput. */
export interface NetworkIssue {
  readonly field: keyof NetworkInput;
  readonly message: string;
}

const EXISTING_FIELDS = ['existingVirtualNetworkId', 'existingPrivateEndpointSubnetId'] as const;
const NEW_FIELDS = ['addressSpace', 'privateEndpointSubnetPrefix', 'applicationSubnetPrefix'] as const;

/**
 * Decides between an existing network and a new one (never both), validating IDs and CIDRs.
 * Returns every problem found rather than the first, so one run shows them all.
 */
export function chooseNetwork(input: NetworkInput): { choice?: NetworkChoice; issues: NetworkIssue[] } {
  const existingGiven = EXISTING_FIELDS.filter((f) => input[f] !== undefined);
  const newGiven = NEW_FIELDS.filter((f) => input[f] !== undefined);
  if (existingGiven.length > 0 && newGiven.length > 0) {
    return {
      issues: [
        {
          field: newGiven[0],
          message: `give either ${EXISTING_FIELDS.join(' and ')} (use an existing network) or ${NEW_FIELDS.join(', ')} (create a new one), never both; received ${[...existingGiven, ...newGiven].join(', ')}`,
        },
      ],
    };
  }
  return existingGiven.length > 0 ? chooseExisting(input) : chooseNew(input);
}

function chooseExisting(input: NetworkInput): { choice?: NetworkChoice; issues: NetworkIssue[] } {
  const issues: NetworkIssue[] = [];
  const vnet = input.existingVirtualNetworkId;
  const subnet = input.existingPrivateEndpointSubnetId;
  if (vnet === undefined) {
    issues.push({ field: 'existingVirtualNetworkId', message: 'existingVirtualNetworkId is required with existingPrivateEndpointSubnetId: the virtual network the private DNS zones are linked to' });
  } else if (!VNET_ID.test(vnet)) {
    issues.push({
      field: 'existingVirtualNetworkId',
      message: `existingVirtualNetworkId "${vnet}" is not a virtual network resource ID; expected /subscriptions/<subscription GUID>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>`,
    });
  }
  if (subnet === undefined) {
    issues.push({ field: 'existingPrivateEndpointSubnetId', message: 'existingPrivateEndpointSubnetId is required with existingVirtualNetworkId: the subnet of that network that holds the private endpoints' });
  } else if (vnet !== undefined && !new RegExp(`^${escapeRegExp(vnet)}/subnets/[^/]+$`, 'i').test(subnet)) {
    issues.push({
      field: 'existingPrivateEndpointSubnetId',
      message: `existingPrivateEndpointSubnetId "${subnet}" is not a subnet of existingVirtualNetworkId; expected ${vnet}/subnets/<name>`,
    });
  }
  if (issues.length > 0 || vnet === undefined || subnet === undefined) return { issues };
  return { choice: { kind: 'existing', virtualNetworkId: vnet, privateEndpointSubnetId: subnet }, issues };
}

function chooseNew(input: NetworkInput): { choice?: NetworkChoice; issues: NetworkIssue[] } {
  const values = {
    addressSpace: input.addressSpace ?? DEFAULT_ADDRESS_SPACE,
    privateEndpointSubnetPrefix: input.privateEndpointSubnetPrefix ?? DEFAULT_PRIVATE_ENDPOINT_SUBNET,
    applicationSubnetPrefix: input.applicationSubnetPrefix ?? DEFAULT_APPLICATION_SUBNET,
  };
  const issues: NetworkIssue[] = [];
  const parsed = Object.fromEntries(
    NEW_FIELDS.map((field) => {
      const cidr = parseCidr(values[field]);
      if (!cidr) issues.push({ field, message: `${field} "${values[field]}" is not an IPv4 network such as 10.41.0.0/16 (address/prefix, no host bits set)` });
      return [field, cidr];
    }),
  );
  const space = parsed.addressSpace;
  for (const field of ['privateEndpointSubnetPrefix', 'applicationSubnetPrefix'] as const) {
    const subnet = parsed[field];
    if (!subnet) continue;
    if (subnet.prefix > SMALLEST_SUBNET_PREFIX) {
      issues.push({ field, message: `${field} ${values[field]} is smaller than /${SMALLEST_SUBNET_PREFIX}; Azure reserves 5 addresses in every subnet, so use /${SMALLEST_SUBNET_PREFIX} or larger` });
    }
    if (space && !cidrContains(space, subnet)) {
      issues.push({ field, message: `${field} ${values[field]} is not inside addressSpace ${values.addressSpace}` });
    }
  }
  if (parsed.privateEndpointSubnetPrefix && parsed.applicationSubnetPrefix && cidrsOverlap(parsed.privateEndpointSubnetPrefix, parsed.applicationSubnetPrefix)) {
    issues.push({ field: 'applicationSubnetPrefix', message: `applicationSubnetPrefix ${values.applicationSubnetPrefix} overlaps privateEndpointSubnetPrefix ${values.privateEndpointSubnetPrefix}` });
  }
  return issues.length > 0 ? { issues } : { choice: { kind: 'new', ...values }, issues };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A network security rule as the NSG takes it. */
export interface InboundRule {
  readonly name: string;
  readonly priority: number;
  readonly access: 'Allow' | 'Deny';
  readonly direction: 'Inbound';
  readonly protocol: 'Tcp' | '*';
  readonly sourceAddressPrefix: string;
  readonly sourcePortRange: string;
  readonly destinationAddressPrefix: string;
  readonly destinationPortRange: string;
}

const denyInternet: InboundRule = {
  name: 'DenyInternetInbound',
  // Highest precedence, so a later Allow rule cannot reopen the subnet to the internet.
  priority: 100,
  access: 'Deny',
  direction: 'Inbound',
  protocol: '*',
  sourceAddressPrefix: 'Internet',
  sourcePortRange: '*',
  destinationAddressPrefix: '*',
  destinationPortRange: '*',
};

/**
 * Inbound rules of a subnet. Both deny the internet explicitly; the private-endpoint subnet
 * further admits only HTTPS from the virtual network (and peered networks), the one port
 * the model and Key Vault endpoints serve.
 */
export function inboundRules(subnet: 'privateEndpoints' | 'applications'): InboundRule[] {
  if (subnet === 'applications') return [denyInternet];
  return [
    denyInternet,
    { ...denyInternet, name: 'AllowHttpsFromVirtualNetwork', priority: 200, access: 'Allow', protocol: 'Tcp', sourceAddressPrefix: 'VirtualNetwork', destinationPortRange: '443' },
    { ...denyInternet, name: 'DenyAllOtherInbound', priority: 4000, sourceAddressPrefix: '*' },
  ];
}

/** The resource group of a deployment and the network its private endpoints live in. */
export interface PrivateNetworkArgs {
  /** Location of the resource group and of a new virtual network. */
  readonly location: string;
  /** Locations data residency allows; any other `location` is refused. */
  readonly allowedLocations: readonly string[];
  /** Name of the resource group that holds every resource of the deployment. */
  readonly resourceGroupName: string;
  /**
   * An existing virtual network (in `location`) to place the private endpoints in, instead of
   * creating one. Give `existingPrivateEndpointSubnetId` with it, and none of the new-network args.
   * @default - a new virtual network
   */
  readonly existingVirtualNetworkId?: string;
  /**
   * The subnet of `existingVirtualNetworkId` that holds the private endpoints.
   * @default - none; required with `existingVirtualNetworkId`
   */
  readonly existingPrivateEndpointSubnetId?: string;
  /** @default '10.41.0.0/16' */
  readonly addressSpace?: string;
  /** @default '10.41.0.0/24' */
  readonly privateEndpointSubnetPrefix?: string;
  /** @default '10.41.1.0/24' */
  readonly applicationSubnetPrefix?: string;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/**
 * The resource group, in an allowed location, and either an existing network or a new VNet
 * with a private-endpoint subnet and an application subnet, each behind an NSG that denies
 * inbound traffic from the internet. Neither subnet has default outbound internet access.
 */
export class PrivateNetwork extends pulumi.ComponentResource {
  public readonly resourceGroupName: pulumi.Output<string>;
  public readonly resourceGroupId: pulumi.Output<string>;
  public readonly virtualNetworkId: pulumi.Output<string>;
  public readonly privateEndpointSubnetId: pulumi.Output<string>;
  /** The application subnet; undefined for an existing network (its subnets are the owner's). */
  public readonly applicationSubnetId?: pulumi.Output<string>;
  /** Whether the virtual network was created here. */
  public readonly createdNetwork: boolean;

  constructor(name: string, args: PrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:PrivateNetwork', name, {}, opts);
    assertAllowedLocation(args.location, args.allowedLocations, `${name}: location`);
    const { choice, issues } = chooseNetwork(args);
    if (!choice) throw new Error(`${name}: ${issues.map((i) => i.message).join('; ')}`);

    const group = new resources.ResourceGroup(
      `${name}-rg`,
      { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
      { parent: this },
    );
    this.resourceGroupName = group.name;
    this.resourceGroupId = group.id;
    this.createdNetwork = choice.kind === 'new';

    if (choice.kind === 'existing') {
      this.virtualNetworkId = pulumi.output(choice.virtualNetworkId);
      this.privateEndpointSubnetId = pulumi.output(choice.privateEndpointSubnetId);
    } else {
      const vnet = new network.VirtualNetwork(
        `${name}-vnet`,
        { resourceGroupName: group.name, location: args.location, addressSpace: { addressPrefixes: [choice.addressSpace] }, tags: args.tags },
        { parent: this },
      );
      const nsg = (subnet: 'privateEndpoints' | 'applications', suffix: string) =>
        new network.NetworkSecurityGroup(
          `${name}-${suffix}-nsg`,
          { resourceGroupName: group.name, location: args.location, securityRules: inboundRules(subnet), tags: args.tags },
          { parent: this },
        );
      const endpointSubnet = new network.Subnet(
        `${name}-pe-subnet`,
        {
          resourceGroupName: group.name,
          virtualNetworkName: vnet.name,
          subnetName: 'private-endpoints',
          addressPrefix: choice.privateEndpointSubnetPrefix,
          networkSecurityGroup: { id: nsg('privateEndpoints', 'pe').id },
          // Makes the NSG apply to the private endpoints too (it does not by default).
          privateEndpointNetworkPolicies: 'Enabled',
          defaultOutboundAccess: false,
        },
        { parent: this },
      );
      const applicationSubnet = new network.Subnet(
        `${name}-app-subnet`,
        {
          resourceGroupName: group.name,
          virtualNetworkName: vnet.name,
          subnetName: 'applications',
          addressPrefix: choice.applicationSubnetPrefix,
          networkSecurityGroup: { id: nsg('applications', 'app').id },
          defaultOutboundAccess: false,
        },
        // Azure refuses concurrent subnet writes on one virtual network.
        { parent: this, dependsOn: [endpointSubnet] },
      );
      this.virtualNetworkId = vnet.id;
      this.privateEndpointSubnetId = endpointSubnet.id;
      this.applicationSubnetId = applicationSubnet.id;
    }

    this.registerOutputs({
      resourceGroupName: this.resourceGroupName,
      resourceGroupId: this.resourceGroupId,
      virtualNetworkId: this.virtualNetworkId,
      privateEndpointSubnetId: this.privateEndpointSubnetId,
      applicationSubnetId: this.applicationSubnetId,
      createdNetwork: this.createdNetwork,
    });
  }
}
