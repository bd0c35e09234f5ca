/**
 * How an authoritative private zone answers a name, from its record sets: the part of DNS
 * resolution (RFC 1034 4.3.2, wildcards as clarified by RFC 4592) that decides whether a host
 * resolves inside the network. Used by the tests, the policy pack and the evidence report, so
 * "the global Vertex AI host does not resolve" is judged from the records, not from how the
 * program meant to write them.
 */

/** One record set of the zone, as Cloud DNS takes it. */
export interface ZoneRecord {
  /** Fully qualified, with the trailing dot: `europe-west4-aiplatform.googleapis.com.` */
  readonly name: string;
  readonly type: string;
  readonly rrdatas: readonly string[];
}

const fqdn = (name: string) => (name.endsWith('.') ? name : `${name}.`).toLowerCase();
const labels = (name: string) => fqdn(name).slice(0, -1).split('.');

/**
 * The IPv4 addresses the zone gives for `host`, following CNAMEs inside the zone; `[]` when the
 * name is in the zone but resolves to nothing (NXDOMAIN or no A record); undefined when the name
 * is outside the zone (another zone, or public DNS, answers it).
 */
export function zoneAnswer(zone: string, records: readonly ZoneRecord[], host: string, depth = 0): string[] | undefined {
  const apex = fqdn(zone);
  const name = fqdn(host);
  if (name !== apex && !name.endsWith(`.${apex}`)) return undefined;
  if (depth > 8) return [];
  const named = records.filter((r) => fqdn(r.name) === name);
  let matched = named;
  const owners = records.map((r) => labels(r.name));
  const queried = labels(name);
  /** Whether a name exists: the apex, the owner of a record, or an ancestor of one (an empty non-terminal). */
  const exists = (candidate: readonly string[]) =>
    candidate.join('.') === labels(apex).join('.') || owners.some((o) => o.length >= candidate.length && o.slice(o.length - candidate.length).join('.') === candidate.join('.'));
  if (named.length === 0 && !exists(queried)) {
    // No such name: a wildcard applies only at the closest encloser, the longest existing ancestor.
    for (let i = 1; i < queried.length; i++) {
      const ancestor = queried.slice(i);
      if (exists(ancestor)) {
        matched = records.filter((r) => fqdn(r.name) === `*.${ancestor.join('.')}.`);
        break;
      }
    }
  }
  const a = matched.filter((r) => r.type === 'A').flatMap((r) => r.rrdatas);
  const cname = matched.find((r) => r.type === 'CNAME');
  if (cname && cname.rrdatas.length > 0) return zoneAnswer(zone, records, cname.rrdatas[0], depth + 1) ?? [];
  return a;
}
