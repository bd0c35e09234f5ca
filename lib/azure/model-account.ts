import * as cognitiveservices from '@pulumi/azure-native/cognitiveservices';
import * as pulumi from '@pulumi/pulumi';
import { BASE_RAI_POLICY, contentFilters, type FilterSeverity } from './content-filter';
import type { CustomerManagedKey } from './keys';
import { CUSTOM_SUBDOMAIN_PATTERN } from './naming';
import { MODEL_ACCOUNT_PRIVATE_DNS_ZONES, endpointPlacement, PrivateServiceEndpoint, type PrivateEndpointPlacement } from './private-endpoint';
import { assertResidentSku } from './residency';
import { OPENAI_MODEL_FORMAT } from './roles';

/** `AIServices` (Azure AI Foundry) or `OpenAI` (Azure OpenAI). */
export type ModelAccountKind = 'AIServices' | 'OpenAI';

/** One model deployment: what callers name, which model and version, and its capacity. */
export interface ModelDeploymentSpec {
  /** Deployment name callers use. */
  readonly deployment: string;
  /** Model name, e.g. gpt-4o. */
  readonly model: string;
  /** Pinned model version; never upgraded automatically. */
  readonly version: string;
  /** Model format, e.g. OpenAI. */
  readonly format: string;
  /** Deployment SKU, e.g. Standard. */
  readonly sku: string;
  /** Thousands of tokens per minute (or PTUs for provisioned SKUs). */
  readonly capacity: number;
}

/** Name of the blueprint's content filter policy on the account. */
export const RAI_POLICY_NAME = 'privateai-content-filter';

/**
 * Problems with a list of deployments: residency of the SKU, formats the account kind cannot
 * serve, unpinned versions and repeated names. `source(i)` says where deployment i came from.
 */
export function checkDeployments(
  kind: ModelAccountKind,
  strictResidency: boolean,
  deployments: readonly ModelDeploymentSpec[],
  source: (index: number) => string,
): string[] {
  const problems: string[] = [];
  if (deployments.length === 0) problems.push('at least one model deployment is required');
  const seen = new Set<string>();
  deployments.forEach((d, i) => {
    try {
      assertResidentSku(d.sku, strictResidency, source(i));
    } catch (e) {
      problems.push((e as Error).message);
    }
    if (kind === 'OpenAI' && d.format !== OPENAI_MODEL_FORMAT) {
      problems.push(`deployment ${d.deployment}: format ${d.format} cannot be deployed on an OpenAI account, only on AIServices (${source(i)})`);
    }
    if (d.version.trim() === '') problems.push(`deployment ${d.deployment}: the model version must be pinned (${source(i)})`);
    if (seen.has(d.deployment)) problems.push(`deployment ${d.deployment} is listed twice; deployment names must be unique (${source(i)})`);
    seen.add(d.deployment);
  });
  return problems;
}

/** The public host names of an account's APIs; inside the VNet they resolve to the private endpoint. */
export function accountEndpoints(kind: ModelAccountKind, customSubDomainName: string): { openAi: string; cognitiveServices: string; aiServices?: string } {
  return {
    openAi: `https://${customSubDomainName}.openai.azure.com/`,
    cognitiveServices: `https://${customSubDomainName}.cognitiveservices.azure.com/`,
    ...(kind === 'AIServices' ? { aiServices: `https://${customSubDomainName}.services.ai.azure.com/` } : {}),
  };
}

/** A private model account with its deployments. */
export interface PrivateModelAccountArgs extends PrivateEndpointPlacement {
  readonly kind: ModelAccountKind;
  /** Globally unique subdomain (also the account name); required for private endpoints and Entra ID tokens. */
  readonly customSubDomainName: string;
  readonly encryption: CustomerManagedKey;
  /** The model allowlist: the only deployments the account gets. */
  readonly deployments: readonly ModelDeploymentSpec[];
  /** Severity from which hate, sexual, violence and self-harm content is blocked. @default 'Medium' */
  readonly contentFilterSeverity?: FilterSeverity;
  /** Refuse deployment SKUs that may process data outside the location. @default true */
  readonly strictResidency?: boolean;
  /**
   * Where each deployment came from, for error messages.
   * @default - `deployments[i]`
   */
  readonly deploymentSource?: (index: number) => string;
}

/**
 * An AI Services or Azure OpenAI account reachable only through its private endpoint:
 * Entra ID sign-in only (no keys), network ACLs deny with no bypass, outbound access
 * restricted, encrypted with the customer-managed key. Its deployments come only from the
 * allowlist, with pinned versions and the blueprint's content filter (prompt shields blocking).
 */
export class PrivateModelAccount extends pulumi.ComponentResource {
  public readonly accountId: pulumi.Output<string>;
  public readonly accountName: pulumi.Output<string>;
  public readonly endpoints: { openAi: string; cognitiveServices: string; aiServices?: string };
  public readonly deploymentNames: string[];
  public readonly deployments: cognitiveservices.Deployment[];
  public readonly raiPolicyName: pulumi.Output<string>;
  public readonly privateEndpoint: PrivateServiceEndpoint;

  constructor(name: string, args: PrivateModelAccountArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:PrivateModelAccount', name, {}, opts);
    const severity = args.contentFilterSeverity ?? 'Medium';
    const source = args.deploymentSource ?? ((i: number) => `deployments[${i}]`);
    if (!CUSTOM_SUBDOMAIN_PATTERN.test(args.customSubDomainName)) {
      throw new Error(`${name}: customSubDomainName "${args.customSubDomainName}" must be 2-64 lowercase letters, digits and hyphens, starting and ending with a letter or digit`);
    }
    const problems = checkDeployments(args.kind, args.strictResidency ?? true, args.deployments, source);
    if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);

    const account = new cognitiveservices.Account(
      `${name}-account`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        accountName: args.customSubDomainName,
        kind: args.kind,
        sku: { name: 'S0' },
        identity: { type: 'UserAssigned', userAssignedIdentities: [args.encryption.identityId] },
        properties: {
          customSubDomainName: args.customSubDomainName,
          publicNetworkAccess: 'Disabled',
          disableLocalAuth: true,
          networkAcls: { defaultAction: 'Deny', bypass: 'None', ipRules: [], virtualNetworkRules: [] },
          restrictOutboundNetworkAccess: true,
          // Foundry projects would bring their own agents, connections and storage that nothing here
          // governs (network injection, keys, audit); the account serves model deployments only.
          ...(args.kind === 'AIServices' ? { allowProjectManagement: false } : {}),
          encryption: {
            keySource: 'Microsoft.KeyVault',
            // Pinned: an Azure OpenAI / Foundry account does not follow a rotated key by itself. The
            // version is the key's current one as Pulumi last read it; the project refreshes before
            // every update (Pulumi.yaml), so the next `pulumi up` after a rotation moves the account on.
            keyVaultProperties: {
              keyVaultUri: args.encryption.keyVaultUri,
              keyName: args.encryption.keyName,
              keyVersion: args.encryption.keyVersion,
              identityClientId: args.encryption.identityClientId,
            },
          },
        },
        tags: args.tags,
      },
      // The account checks the key when it is created: the identity's role must exist first.
      { parent: this, dependsOn: [...args.encryption.grants] },
    );

    const policy = new cognitiveservices.RaiPolicy(
      `${name}-content-filter`,
      {
        resourceGroupName: args.resourceGroupName,
        accountName: account.name,
        raiPolicyName: RAI_POLICY_NAME,
        properties: {
          basePolicyName: BASE_RAI_POLICY,
          // Default filters synchronously; Asynchronous_filter would stream text before it is checked.
          mode: 'Default',
          contentFilters: contentFilters(severity),
        },
        tags: args.tags,
      },
      { parent: this },
    );

    // Azure refuses concurrent deployment writes on one account: each waits for the previous one.
    const deployments: cognitiveservices.Deployment[] = [];
    for (const spec of args.deployments) {
      const previous = deployments[deployments.length - 1];
      deployments.push(
        new cognitiveservices.Deployment(
          `${name}-deployment-${spec.deployment}`,
          {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            deploymentName: spec.deployment,
            sku: { name: spec.sku, capacity: spec.capacity },
            properties: {
              model: { format: spec.format, name: spec.model, version: spec.version },
              versionUpgradeOption: 'NoAutoUpgrade',
              raiPolicyName: policy.name,
            },
            tags: args.tags,
          },
          { parent: this, dependsOn: previous ? [previous] : [] },
        ),
      );
    }

    this.privateEndpoint = new PrivateServiceEndpoint(
      `${name}-pe`,
      {
        ...endpointPlacement(args),
        serviceResourceId: account.id,
        groupId: 'account',
        dnsZoneNames: MODEL_ACCOUNT_PRIVATE_DNS_ZONES,
        // The network resource provider refuses an endpoint to an account it still sees as
        // provisioning (AccountProvisioningStateInvalid ... Accepted), even after the Cognitive
        // Services provider reports it Succeeded; Microsoft's baseline creates the endpoint after the
        // model deployments, which take minutes, by which time both agree.
        dependsOn: [deployments[deployments.length - 1]],
      },
      { parent: this },
    );

    this.accountId = account.id;
    this.accountName = account.name;
    this.endpoints = accountEndpoints(args.kind, args.customSubDomainName);
    this.deploymentNames = args.deployments.map((d) => d.deployment);
    this.deployments = deployments;
    this.raiPolicyName = policy.name;

    this.registerOutputs({
      accountId: this.accountId,
      accountName: this.accountName,
      endpoints: this.endpoints,
      deploymentNames: this.deploymentNames,
      raiPolicyName: this.raiPolicyName,
    });
  }
}
