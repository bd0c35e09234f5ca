import { version as AWS_CDK_LIB_VERSION } from 'aws-cdk-lib/package.json';
import { RegionInfo } from 'aws-cdk-lib/region-info';

/**
 * Which AWS region codes exist, from aws-cdk-lib's region facts: the format alone lets
 * `eu-central-9` through, and a stack for a region that does not exist fails only at deploy time.
 */

/** The form of a region code the blueprint deploys to (commercial and GovCloud partitions). */
export const AWS_REGION_PATTERN = /^(us-gov|us|eu|ap|ca|sa|me|af|il|mx)-[a-z]+-\d$/;

/** The form of an availability zone name: its region code and one letter. */
export const AVAILABILITY_ZONE_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/;

const KNOWN_REGIONS: readonly string[] = RegionInfo.regions
  .map((r) => r.name)
  .filter((name) => AWS_REGION_PATTERN.test(name))
  .sort();
const KNOWN_REGION_SET: ReadonlySet<string> = new Set(KNOWN_REGIONS);

/** Whether aws-cdk-lib knows `region` as a region of the commercial or GovCloud partitions. */
export function isKnownAwsRegion(region: string): boolean {
  return KNOWN_REGION_SET.has(region);
}

/** The region of a well-formed availability zone name: `eu-central-1a` is in `eu-central-1`. */
export function regionOfZone(zone: string): string {
  return zone.slice(0, -1);
}

/** Known regions of the same area (`eu-central-`), else of the same geography (`eu-`). */
function knownRegionsNear(region: string): { readonly label: string; readonly regions: readonly string[] } {
  const area = region.replace(/-\d+$/, '');
  const sameArea = KNOWN_REGIONS.filter((r) => r.startsWith(`${area}-`));
  if (sameArea.length > 0) return { label: area, regions: sameArea };
  const geography = region.split('-')[0];
  return { label: geography, regions: KNOWN_REGIONS.filter((r) => r.startsWith(`${geography}-`)) };
}

/** `not an AWS region known to aws-cdk-lib <version> (<the known regions nearest to it>)`, and the nearest one. */
function notKnown(region: string): { readonly text: string; readonly nearest: string } {
  const near = knownRegionsNear(region);
  const known = near.regions.length > 0 ? `known ${near.label} regions: ${near.regions.join(', ')}` : `it knows no ${near.label} region`;
  return { text: `not an AWS region known to aws-cdk-lib ${AWS_CDK_LIB_VERSION} (${known})`, nearest: near.regions[0] ?? 'eu-central-1' };
}

const UPGRADE_HINT = 'or upgrade aws-cdk-lib if AWS launched it after this release';

/** Why a well-formed region code is refused, and the two ways to fix it. */
export function unknownAwsRegionMessage(region: string): string {
  const { text, nearest } = notKnown(region);
  return `${region} is ${text}; use a region code such as ${nearest}, ${UPGRADE_HINT}`;
}

/** Why a well-formed zone name of an unknown region is refused, and the two ways to fix it. */
export function unknownAvailabilityZoneMessage(zone: string): string {
  const region = regionOfZone(zone);
  const { text, nearest } = notKnown(region);
  return `${zone} is in ${region}, which is ${text}; use a zone of a known region such as ${nearest}a, ${UPGRADE_HINT}`;
}
