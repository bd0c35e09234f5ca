/**
 * Data-residency checks for Azure: where resources may be created and which deployment SKUs
 * keep prompts and completions in the deployment's location. Pure functions.
 */

/**
 * Deployment SKUs that process data only in the deployment's location. `Global*` SKUs may
 * process it in any Azure location, `DataZone*` SKUs anywhere in the data zone (EU, US).
 */
export const RESIDENT_DEPLOYMENT_SKUS: readonly string[] = ['Standard', 'ProvisionedManaged'];

/**
 * Throws unless `location` is one of `allowed`. `source` says where the location came from,
 * e.g. `config: privateai:location`.
 */
export function assertAllowedLocation(location: string, allowed: readonly string[], source: string): void {
  if (!allowed.includes(location)) {
    throw new Error(`location ${location} is not allowed by data residency policy; allowed: ${allowed.join(', ')} (${source})`);
  }
}

/** Throws when a deployment SKU may move data out of the deployment's location under strict residency. */
export function assertResidentSku(sku: string, strict: boolean, source: string): void {
  if (strict && !RESIDENT_DEPLOYMENT_SKUS.includes(sku)) {
    throw new Error(
      `deployment SKU ${sku} may process data outside the deployment's location, which strict data residency forbids; use ${RESIDENT_DEPLOYMENT_SKUS.join(' or ')} (${source})`,
    );
  }
}
