import { createHash } from 'node:crypto';
import { organisationTags } from '../config/naming';
import type { OrgConfig } from '../config';

/**
 * Names, identifiers and tags of the Azure program. Pure functions of their inputs, so a plan
 * made twice from the same config is the same plan, and a real deployment keeps its names.
 */

/** A GUID as Azure writes subscription, tenant, object and role definition IDs. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 name-space for URLs; the names hashed below are `privateai:` URIs. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** A version-5 (SHA-1, name-based) UUID of `name` in `namespace` (RFC 4122 section 4.3). */
export function uuidV5(namespace: string, name: string): string {
  if (!GUID_PATTERN.test(namespace)) throw new Error(`namespace ${namespace} is not a UUID`);
  const digest = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const bytes = Buffer.from(digest.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A stable GUID for a set of strings, e.g. a role assignment's scope, role and principal (the
 * name Azure requires for a role assignment). ARM IDs are case-insensitive, so case is ignored.
 */
export function deterministicGuid(...parts: readonly string[]): string {
  return uuidV5(URL_NAMESPACE, `privateai:${parts.map((p) => p.toLowerCase()).join('|')}`);
}

/** A short lowercase hex digest of `parts`, for globally unique names that must stay stable. */
export function shortHash(length: number, ...parts: readonly string[]): string {
  return createHash('sha256').update(parts.map((p) => p.toLowerCase()).join('|')).digest('hex').slice(0, length);
}

/** Full ID of a built-in role definition in the deployment's subscription. */
export function roleDefinitionId(subscriptionId: string, roleGuid: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

/** The resource group of a deployment: one per location, so two locations never share one. */
export function resourceGroupName(prefix: string, location: string): string {
  return `${prefix}-${location}`;
}

/**
 * The account's custom subdomain (also its name): globally unique across Azure, so it carries a
 * hash of the subscription; stable, because the subdomain is the endpoint app teams call.
 */
export function defaultCustomSubDomainName(prefix: string, location: string, subscriptionId: string): string {
  return `${prefix}-${shortHash(8, 'account', subscriptionId, prefix, location)}`;
}

/**
 * A Key Vault name: 3-24 letters, digits and single hyphens, globally unique. The prefix is cut
 * to fit and a hash of subscription, prefix and location keeps it unique and stable.
 */
export function defaultKeyVaultName(prefix: string, location: string, subscriptionId: string): string {
  const head = prefix.slice(0, 11).replace(/-+$/, '');
  return `${head}-kv-${shortHash(8, 'vault', subscriptionId, prefix, location)}`;
}

/**
 * The audit archive's storage account name: 3-24 lowercase letters and digits, globally unique.
 * The prefix loses its hyphens and is cut to fit; a hash of subscription, prefix and location
 * keeps the name unique and stable (a new name would be a new, empty archive).
 */
export function defaultAuditArchiveAccountName(prefix: string, location: string, subscriptionId: string): string {
  const head = prefix.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 11);
  return `${head}audit${shortHash(8, 'audit-archive', subscriptionId, prefix, location)}`;
}

/** Storage account naming rule (Microsoft.Storage/storageAccounts). */
export const STORAGE_ACCOUNT_NAME_PATTERN = /^[a-z0-9]{3,24}$/;

/** Key Vault naming rule (Microsoft.KeyVault/vaults). */
export const KEY_VAULT_NAME_PATTERN = /^[a-zA-Z](?:[a-zA-Z0-9]|-(?=[a-zA-Z0-9])){2,23}$/;

/** Cognitive Services custom subdomain rule: 2-64 lowercase letters, digits, hyphens, alphanumeric at both ends. */
export const CUSTOM_SUBDOMAIN_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/;

/** Azure tags from the organisation's tags; the same keys the AWS stacks use. */
export function resourceTags(tags: OrgConfig['tags']): Record<string, string> {
  return organisationTags(tags);
}
