import * as network from '@pulumi/azure-native/network';
import * as privatedns from '@pulumi/azure-native/privatedns';
import * as pulumi from '@pulumi/pulumi';

/** Private DNS zones of a Key Vault's `vault` endpoint (Azure public cloud). */
export const KEY_VAULT_PRIVATE_DNS_ZONES: readonly string[] = ['privatelink.vaultcore.azure.net'];

/**
 * Private DNS zones of an AI Services / Azure OpenAI account's `account` endpoint: the OpenAI
 * API, the Cognitive Services API and the Foundry (`services.ai`) API (Azure public cloud).
 */
export const MODEL_ACCOUNT_PRIVATE_DNS_ZONES: readonly string[] = [
  'privatelink.openai.azure.com',
  'privatelink.cognitiveservices.azure.com',
  'privatelink.services.ai.azure.com',
];

/** A short label of a zone for resource names: `privatelink.services.ai.azure.com` is `services-ai`. */
export function zoneLabel(zoneName: string): string {
  return zoneName
    .replace(/^privatelink\./, '')
    .replace(/\.azure\.(com|net)$/, '')
    .replace(/\./g, '-');
}

/** Where a component puts a service's private endpoint, and whether it creates the private DNS. */
export interface PrivateEndpointPlacement {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Subnet that holds the service's private endpoint. */
  readonly privateEndpointSubnetId: pulumi.Input<string>;
  /**
   * Create the service's private DNS zones, link them to `virtualNetworkId` and register the
   * endpoint in them.
   * @default true
   */
  readonly createPrivateDnsZones?: boolean;
  /** @default - none; required when `createPrivateDnsZones` is true */
  readonly virtualNetworkId?: pulumi.Input<string>;
  /**
   * With `createPrivateDnsZones` false: the resource group of the central zones the endpoints
   * register in (see `PrivateServiceEndpointArgs.centralDnsZoneResourceGroupId`).
   * @default - no records are registered; central DNS must register them
   */
  readonly centralDnsZoneResourceGroupId?: pulumi.Input<string>;
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/** A private endpoint to one Azure service, with or without the private DNS that resolves it. */
export interface PrivateServiceEndpointArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** Subnet that holds the endpoint's network interface. */
  readonly subnetId: pulumi.Input<string>;
  /** ID of the resource the endpoint connects to. */
  readonly serviceResourceId: pulumi.Input<string>;
  /** Private-link sub-resource of the service, e.g. `account` or `vault`. */
  readonly groupId: string;
  /** Private DNS zones the service's names resolve through. */
  readonly dnsZoneNames: readonly string[];
  /**
   * Create the zones, link them to `virtualNetworkId` (no auto-registration) and register the
   * endpoint in them with a zone group. Many enterprises own these zones centrally and register
   * records by policy; they turn this off.
   * @default true
   */
  readonly createDnsZones?: boolean;
  /**
   * The virtual network the zones are linked to.
   * @default - none; required when `createDnsZones` is true
   */
  readonly virtualNetworkId?: pulumi.Input<string>;
  /**
   * When the zones are owned centrally (`createDnsZones` false): the resource group that holds
   * all of `dnsZoneNames`. The endpoint registers its records there with a zone group, in every
   * zone the service needs (Microsoft's built-in DNS policy registers a Foundry endpoint in one
   * zone only). The deployer needs Private DNS Zone Contributor on it.
   * @default - no records are registered; central DNS must register them in every zone
   */
  readonly centralDnsZoneResourceGroupId?: pulumi.Input<string>;
  /**
   * Resources the endpoint must wait for beyond the service itself, e.g. work that gives a new
   * service time to settle before the network resource provider accepts an endpoint to it.
   * @default - only the service (through `serviceResourceId`)
   */
  readonly dependsOn?: pulumi.Resource[];
  /** @default - no tags */
  readonly tags?: Record<string, string>;
}

/** The arguments of a service's endpoint that come from where its component is placed. */
export function endpointPlacement(
  placement: PrivateEndpointPlacement,
): Pick<PrivateServiceEndpointArgs, 'resourceGroupName' | 'location' | 'subnetId' | 'createDnsZones' | 'centralDnsZoneResourceGroupId' | 'virtualNetworkId' | 'tags'> {
  return {
    resourceGroupName: placement.resourceGroupName,
    location: placement.location,
    subnetId: placement.privateEndpointSubnetId,
    createDnsZones: placement.createPrivateDnsZones,
    centralDnsZoneResourceGroupId: placement.centralDnsZoneResourceGroupId,
    virtualNetworkId: placement.virtualNetworkId,
    tags: placement.tags,
  };
}

/**
 * A private endpoint and, optionally, its private DNS zones, VNet links and zone group, so the
 * service's public host names resolve to the endpoint's private address inside the VNet.
 */
export class PrivateServiceEndpoint extends pulumi.ComponentResource {
  public readonly privateEndpointId: pulumi.Output<string>;
  /** Whether this component created the zones (false: DNS is registered elsewhere). */
  public readonly dnsZonesCreated: boolean;
  /** IDs of the zones created; empty when none were. */
  public readonly dnsZoneIds: pulumi.Output<string>[];

  constructor(name: string, args: PrivateServiceEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:PrivateServiceEndpoint', name, {}, opts);
    const createDnsZones = args.createDnsZones ?? true;
    if (createDnsZones && args.centralDnsZoneResourceGroupId !== undefined) {
      throw new Error(`${name}: give createDnsZones or centralDnsZoneResourceGroupId, not both: the endpoint registers in the zones it creates or in the central ones`);
    }
    if (createDnsZones && args.virtualNetworkId === undefined) {
      throw new Error(`${name}: virtualNetworkId is required when createDnsZones is true, to link the private DNS zones to it`);
    }

    const endpoint = new network.PrivateEndpoint(
      `${name}-endpoint`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        subnet: { id: args.subnetId },
        privateLinkServiceConnections: [{ name, privateLinkServiceId: args.serviceResourceId, groupIds: [args.groupId] }],
        tags: args.tags,
      },
      { parent: this, dependsOn: args.dependsOn ?? [] },
    );
    this.privateEndpointId = endpoint.id;
    this.dnsZonesCreated = createDnsZones;

    const zones = createDnsZones
      ? args.dnsZoneNames.map((zoneName) => {
          const label = zoneLabel(zoneName);
          const zone = new privatedns.PrivateZone(
            `${name}-${label}`,
            { resourceGroupName: args.resourceGroupName, privateZoneName: zoneName, location: 'global', tags: args.tags },
            { parent: this },
          );
          new privatedns.VirtualNetworkLink(
            `${name}-${label}-link`,
            {
              resourceGroupName: args.resourceGroupName,
              privateZoneName: zone.name,
              location: 'global',
              virtualNetwork: { id: args.virtualNetworkId },
              // The zones hold only endpoint records; VMs must not register themselves in them.
              registrationEnabled: false,
              tags: args.tags,
            },
            { parent: this },
          );
          return { label, zone };
        })
      : [];
    this.dnsZoneIds = zones.map((z) => z.zone.id);

    const central = args.centralDnsZoneResourceGroupId;
    const zoneConfigs = central !== undefined
      ? args.dnsZoneNames.map((zoneName) => ({ name: zoneLabel(zoneName), privateDnsZoneId: pulumi.interpolate`${central}/providers/Microsoft.Network/privateDnsZones/${zoneName}` }))
      : zones.map((z) => ({ name: z.label, privateDnsZoneId: z.zone.id }));
    if (zoneConfigs.length > 0) {
      new network.PrivateDnsZoneGroup(
        `${name}-dns`,
        { resourceGroupName: args.resourceGroupName, privateEndpointName: endpoint.name, privateDnsZoneGroupName: 'default', privateDnsZoneConfigs: zoneConfigs },
        { parent: this },
      );
    }

    this.registerOutputs({ privateEndpointId: this.privateEndpointId, dnsZonesCreated: this.dnsZonesCreated, dnsZoneIds: this.dnsZoneIds });
  }
}
