/** IPv4 CIDR arithmetic for address-space and subnet checks. Pure functions. */

/** An IPv4 network: its first address as an unsigned 32-bit number, and its prefix length. */
export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
}

/**
 * Parses `a.b.c.d/n`. Returns undefined for anything else, including a network address with
 * host bits set (`10.0.0.1/24`), which Azure refuses.
 */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const network = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (network % 2 ** (32 - prefix) !== 0) return undefined;
  return { network, prefix };
}

function lastAddress(cidr: Ipv4Cidr): number {
  return cidr.network + 2 ** (32 - cidr.prefix) - 1;
}

/** Whether `inner` lies wholly inside `outer`. */
export function cidrContains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.network >= outer.network && lastAddress(inner) <= lastAddress(outer);
}

/** Whether two networks share any address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}
