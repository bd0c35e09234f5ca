/** IPv4 address and CIDR arithmetic for the network settings. Pure functions only. */

/** The address as a 32-bit unsigned number, or undefined when it is not dotted-quad IPv4. */
export function parseIpv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return octets.reduce((acc, o) => acc * 256 + o, 0);
}

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

/** A CIDR block, or undefined when it is not `a.b.c.d/n` with n in 0-32. */
export function parseCidr(cidr: string): Cidr | undefined {
  const [ip, bits, ...rest] = cidr.split('/');
  if (rest.length > 0 || bits === undefined || !/^\d{1,2}$/.test(bits)) return undefined;
  const base = parseIpv4(ip);
  const prefix = Number(bits);
  if (base === undefined || prefix > 32) return undefined;
  return { base, prefix };
}

function size(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** Whether the block's address is its network address (no host bits set). */
export function isAligned(cidr: Cidr): boolean {
  return cidr.base % size(cidr.prefix) === 0;
}

/** Whether `ip` lies inside `cidr`. */
export function cidrContains(cidr: Cidr, ip: number): boolean {
  const start = cidr.base - (cidr.base % size(cidr.prefix));
  return ip >= start && ip < start + size(cidr.prefix);
}

/**
 * Ranges Google Cloud accepts for internal addresses and private subnets:
 * RFC 1918 and the shared address space (RFC 6598).
 */
export const PRIVATE_RANGES: readonly string[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

/** Whether the address is in one of the private ranges. */
export function isPrivateIpv4(ip: number): boolean {
  return PRIVATE_RANGES.some((r) => cidrContains(parseCidr(r)!, ip));
}
