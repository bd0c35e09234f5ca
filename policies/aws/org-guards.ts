import type { OrgConfig } from '../../lib/config';
import { buildProtectionScp } from './protection-scp';
import { buildRegionPinningScp } from './region-pinning-scp';

/** An organisation guard: a Service Control Policy the app writes to `cdk.out/org-guards/`. */
export interface OrgGuard {
  /** Its file name in `cdk.out/org-guards/`. */
  readonly file: string;
  /** The document; undefined when a reader did not find the file. */
  readonly policy?: unknown;
}

/** The file names of the organisation guards, in the order the app writes them. */
export const ORG_GUARD_FILES = ['bedrock-region-pinning.scp.json', 'blueprint-protection.scp.json'] as const;

/** The organisation guards of a config: region and model pinning, and the protection of the audit and controls. */
export function buildOrgGuards(config: OrgConfig): OrgGuard[] {
  return [
    { file: ORG_GUARD_FILES[0], policy: buildRegionPinningScp(config) },
    { file: ORG_GUARD_FILES[1], policy: buildProtectionScp(config) },
  ];
}
