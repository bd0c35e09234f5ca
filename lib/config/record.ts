import { createHash } from 'crypto';
import type { OrgConfig } from './schema';

/**
 * The organisation config an artefact was made from. `cdk synth` records it in the cloud
 * assembly and each offline plan carries its digest, so the evidence report judges the
 * templates and plans against the config they were made from, never against another one.
 */
export interface RecordedConfig {
  /** Where the config was read from, as the user named it. */
  readonly source: string;
  /** `configDigest` of `config`. */
  readonly digest: string;
  /** The validated config, defaults applied. */
  readonly config: OrgConfig;
}

/** File name of the recorded config inside the cloud assembly (cdk.out). */
export const RECORDED_CONFIG_FILE = 'org-config.json';

/** A stable digest of a validated config (the schema fixes the key order). */
export function configDigest(config: OrgConfig): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(config)).digest('hex')}`;
}

/** The record of `config`, read from `source`. */
export function recordConfig(source: string, config: OrgConfig): RecordedConfig {
  return { source, digest: configDigest(config), config };
}
