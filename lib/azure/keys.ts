import * as authorization from '@pulumi/azure-native/authorization';
import * as keyvault from '@pulumi/azure-native/keyvault';
import * as managedidentity from '@pulumi/azure-native/managedidentity';
import * as pulumi from '@pulumi/pulumi';
import { deterministicGuid, KEY_VAULT_NAME_PATTERN, roleDefinitionId } from './naming';
import { KEY_VAULT_PRIVATE_DNS_ZONES, endpointPlacement, PrivateServiceEndpoint, type PrivateEndpointPlacement } from './private-endpoint';
import { BUILT_IN_ROLES } from './roles';

/** RSA key sizes Key Vault creates. */
export type RsaKeySize = 2048 | 3072 | 4096;

/** Name of the customer-managed key in the vault. */
export const ACCOUNT_KEY_NAME = 'model-account-cmk';

/**
 * Days in a simple ISO-8601 duration (`P90D`, `P18M`, `P1Y`), counting a month as 30 days and
 * a year as 365; undefined for anything else. Key Vault rotation policies use these forms.
 */
export function isoDurationDays(duration: string): number | undefined {
  const match = /^P(\d+)([DMY])$/.exec(duration);
  if (!match) return undefined;
  return Number(match[1]) * { D: 1, M: 30, Y: 365 }[match[2] as 'D' | 'M' | 'Y'];
}

/** Days before expiry at which Key Vault notifies (Event Grid) that a key is about to expire. */
export const NOTIFY_BEFORE_EXPIRY = 'P30D';

/**
 * Checks a rotation policy before Key Vault does: durations it accepts, rotation at least 7
 * days after creation, and rotation before the notice that precedes expiry, so a key version
 * never expires while the service still uses it.
 */
export function checkRotation(rotateAfter: string, expiresAfter: string): string[] {
  const rotate = isoDurationDays(rotateAfter);
  const expire = isoDurationDays(expiresAfter);
  const problems: string[] = [];
  if (rotate === undefined) problems.push(`rotateAfter "${rotateAfter}" is not a duration such as P90D, P6M or P1Y`);
  else if (rotate < 7) problems.push(`rotateAfter ${rotateAfter} is shorter than the 7 days Key Vault allows`);
  if (expire === undefined) problems.push(`expiresAfter "${expiresAfter}" is not a duration such as P90D, P6M or P2Y`);
  else if (expire < 28) problems.push(`expiresAfter ${expiresAfter} is shorter than the 28 days Key Vault allows`);
  if (rotate !== undefined && expire !== undefined && rotate > expire - 30) {
    problems.push(`rotateAfter ${rotateAfter} must come at least 30 days before expiresAfter ${expiresAfter}, so a new key version exists before the old one expires`);
  }
  return problems;
}

/**
 * The version of a Key Vault key from its versioned URI (`https://<vault>.vault.azure.net/keys/<name>/<version>`).
 * Throws on anything else: an account pinned to an empty version would not encrypt with the key.
 */
export function keyVersionOf(keyUriWithVersion: string): string {
  const match = /^https:\/\/[^/]+\/keys\/[^/]+\/([0-9a-f]{32})$/i.exec(keyUriWithVersion);
  if (!match) throw new Error(`"${keyUriWithVersion}" is not a versioned Key Vault key URI (https://<vault>.vault.azure.net/keys/<name>/<32 hex digits>)`);
  return match[1];
}

/** How a service finds and uses the customer-managed key (what EncryptionKeys hands its consumers). */
export interface CustomerManagedKey {
  /** URI of the vault holding the key. */
  readonly keyVaultUri: pulumi.Input<string>;
  readonly keyName: pulumi.Input<string>;
  /**
   * The key's current version as Pulumi last read it. Services that do not follow a rotated key
   * by themselves (Azure OpenAI / AI Services) pin it; Azure Storage omits it and follows.
   */
  readonly keyVersion: pulumi.Input<string>;
  /** Resource ID of the user-assigned identity that may use the key. */
  readonly identityId: pulumi.Input<string>;
  readonly identityClientId: pulumi.Input<string>;
  /** Resources that must exist before the key is used (the identity's role assignment). */
  readonly grants: readonly pulumi.Resource[];
}

/** The customer-managed key of the model account and the identity that uses it. */
export interface EncryptionKeysArgs extends PrivateEndpointPlacement {
  /** Location of the vault; Azure AI services require the vault in the account's location. */
  readonly location: string;
  /** Entra ID tenant that authenticates requests to the vault. */
  readonly tenantId: string;
  /** Subscription of the deployment, for role definition IDs. */
  readonly subscriptionId: string;
  /** Globally unique vault name: 3-24 letters, digits and single hyphens, starting with a letter. */
  readonly vaultName: string;
  /**
   * Size of the HSM-protected RSA key. Azure AI services document customer-managed keys as
   * RSA 2048 only; larger sizes are for other consumers.
   * @default 2048
   */
  readonly keySize?: RsaKeySize;
  /** How long after creation Key Vault rotates the key (ISO-8601). @default 'P1Y' */
  readonly rotateAfter?: string;
  /** How long a key version stays valid (ISO-8601). @default 'P2Y' */
  readonly expiresAfter?: string;
  /** Days a deleted vault or key can be recovered (7-90). @default 90 */
  readonly softDeleteRetentionDays?: number;
}

/**
 * A Key Vault (RBAC authorization, purge protection, soft delete, no public network access,
 * its own private endpoint) holding an HSM-protected RSA key with a rotation policy, and a
 * user-assigned identity granted "Key Vault Crypto Service Encryption User" on the vault.
 * Consumers of the key depend on `grants`, so the role exists before the key is first used.
 */
export class EncryptionKeys extends pulumi.ComponentResource {
  public readonly vaultId: pulumi.Output<string>;
  public readonly vaultName: pulumi.Output<string>;
  /** The vault's URI, e.g. `https://<name>.vault.azure.net/`. */
  public readonly vaultUri: pulumi.Output<string>;
  public readonly keyName: pulumi.Output<string>;
  public readonly keyId: pulumi.Output<string>;
  /** The key's current version (the last segment of its versioned URI). */
  public readonly keyVersion: pulumi.Output<string>;
  /** Resource ID of the identity that uses the key. */
  public readonly identityId: pulumi.Output<string>;
  public readonly identityClientId: pulumi.Output<string>;
  public readonly identityPrincipalId: pulumi.Output<string>;
  /** What a consumer of the key must depend on: the identity's role assignment on the vault. */
  public readonly grants: pulumi.Resource[];
  public readonly privateEndpoint: PrivateServiceEndpoint;
  /** The key as its consumers (model account, audit archive) take it. */
  public readonly encryption: CustomerManagedKey;

  constructor(name: string, args: EncryptionKeysArgs, opts?: pulumi.ComponentResourceOptions) {
    super('privateai:azure:EncryptionKeys', name, {}, opts);
    const keySize = args.keySize ?? 2048;
    const rotateAfter = args.rotateAfter ?? 'P1Y';
    const expiresAfter = args.expiresAfter ?? 'P2Y';
    const softDeleteRetentionDays = args.softDeleteRetentionDays ?? 90;
    if (!KEY_VAULT_NAME_PATTERN.test(args.vaultName)) {
      throw new Error(`${name}: vaultName "${args.vaultName}" is not a Key Vault name; use 3-24 letters, digits and single hyphens, starting with a letter and ending with a letter or digit`);
    }
    if (!Number.isInteger(softDeleteRetentionDays) || softDeleteRetentionDays < 7 || softDeleteRetentionDays > 90) {
      throw new Error(`${name}: softDeleteRetentionDays ${softDeleteRetentionDays} is outside the 7-90 days Key Vault accepts`);
    }
    const rotationProblems = checkRotation(rotateAfter, expiresAfter);
    if (rotationProblems.length > 0) throw new Error(`${name}: ${rotationProblems.join('; ')}`);

    const vault = new keyvault.Vault(
      `${name}-vault`,
      {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        vaultName: args.vaultName,
        properties: {
          tenantId: args.tenantId,
          // Premium: the key lives in an HSM (RSA-HSM).
          sku: { family: 'A', name: 'premium' },
          enableRbacAuthorization: true,
          enableSoftDelete: true,
          softDeleteRetentionInDays: softDeleteRetentionDays,
          enablePurgeProtection: true,
          publicNetworkAccess: 'Disabled',
          // The model service reaches the vault as a trusted Microsoft service, not through the
          // VNet, so the firewall admits trusted services; everything else needs the endpoint.
          networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [], virtualNetworkRules: [] },
          enabledForDeployment: false,
          enabledForDiskEncryption: false,
          enabledForTemplateDeployment: false,
        },
        tags: args.tags,
      },
      { parent: this },
    );

    this.privateEndpoint = new PrivateServiceEndpoint(
      `${name}-pe`,
      {
        ...endpointPlacement(args),
        serviceResourceId: vault.id,
        groupId: 'vault',
        dnsZoneNames: KEY_VAULT_PRIVATE_DNS_ZONES,
      },
      { parent: this },
    );

    const key = new keyvault.Key(
      `${name}-key`,
      {
        resourceGroupName: args.resourceGroupName,
        vaultName: vault.name,
        keyName: ACCOUNT_KEY_NAME,
        properties: {
          kty: 'RSA-HSM',
          keySize,
          keyOps: ['wrapKey', 'unwrapKey'],
          attributes: { enabled: true },
          rotationPolicy: {
            attributes: { expiryTime: expiresAfter },
            lifetimeActions: [
              { trigger: { timeAfterCreate: rotateAfter }, action: { type: 'rotate' } },
              { trigger: { timeBeforeExpiry: NOTIFY_BEFORE_EXPIRY }, action: { type: 'notify' } },
            ],
          },
        },
        tags: args.tags,
      },
      { parent: this },
    );

    const identity = new managedidentity.UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
      { parent: this },
    );

    const role = BUILT_IN_ROLES.keyVaultCryptoServiceEncryptionUser;
    const grant = new authorization.RoleAssignment(
      `${name}-cmk-grant`,
      {
        scope: vault.id,
        roleDefinitionId: roleDefinitionId(args.subscriptionId, role.id),
        principalId: identity.principalId,
        principalType: 'ServicePrincipal',
        roleAssignmentName: pulumi.all([vault.id, identity.id]).apply(([scope, principal]) => deterministicGuid(scope, role.id, principal)),
        description: 'The model account and the audit archive read, wrap and unwrap the customer-managed key with this identity.',
      },
      { parent: this },
    );

    this.vaultId = vault.id;
    this.vaultName = vault.name;
    this.vaultUri = vault.properties.apply((p) => p.vaultUri);
    this.keyName = key.name;
    this.keyId = key.id;
    this.keyVersion = key.keyUriWithVersion.apply((uri) => keyVersionOf(uri));
    this.identityId = identity.id;
    this.identityClientId = identity.clientId;
    this.identityPrincipalId = identity.principalId;
    this.grants = [grant];
    this.encryption = { keyVaultUri: this.vaultUri, keyName: this.keyName, keyVersion: this.keyVersion, identityId: this.identityId, identityClientId: this.identityClientId, grants: this.grants };

    this.registerOutputs({
      vaultId: this.vaultId,
      vaultName: this.vaultName,
      vaultUri: this.vaultUri,
      keyName: this.keyName,
      keyId: this.keyId,
      keyVersion: this.keyVersion,
      identityId: this.identityId,
      identityClientId: this.identityClientId,
      identityPrincipalId: this.identityPrincipalId,
    });
  }
}
