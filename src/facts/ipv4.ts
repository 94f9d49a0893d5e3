// IPv4 addresses, networks and netmasks as numbers: the arithmetic the facts and checks share
// (SUT range vs. a rule's source net, bridge address vs. the switch's LOCAL_IP/NETMASK).

/** A dotted quad as an unsigned 32-bit number, or undefined when it is not one. */
export function ipv4ToNumber(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export interface Ipv4Net {
  /** Network address (host bits cleared). */
  base: number;
  prefix: number;
}

/** `10.0.2.0/24`, `10.0.2.5` (= /32); undefined for IPv6 or garbage. */
export function parseIpv4Net(text: string): Ipv4Net | undefined {
  const [addr, len, extra] = text.trim().split('/');
  if (extra !== undefined || addr === undefined) return undefined;
  const n = ipv4ToNumber(addr);
  const prefix = len === undefined ? 32 : /^\d{1,2}$/.test(len) ? Number(len) : Number.NaN;
  if (n === undefined || !(prefix >= 0 && prefix <= 32)) return undefined;
  return {base: (n & prefixMask(prefix)) >>> 0, prefix};
}

function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function netContains(net: Ipv4Net, address: number): boolean {
  return ((address & prefixMask(net.prefix)) >>> 0) === net.base;
}

/** Two networks share at least one address. */
export function netsOverlap(a: Ipv4Net, b: Ipv4Net): boolean {
  const shorter = a.prefix <= b.prefix ? a : b;
  const longer = shorter === a ? b : a;
  return netContains(shorter, longer.base);
}

export function formatNet(net: Ipv4Net): string {
  const n = net.base;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${net.prefix}`;
}

/** `255.254.0.0` → 15; undefined for a non-contiguous or malformed mask. */
export function maskToPrefix(mask: string): number | undefined {
  const parts = mask.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  const bits = parts.map((p) => Number(p).toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits)) return undefined;
  const firstZero = bits.indexOf('0');
  return firstZero < 0 ? 32 : firstZero;
}

/** A dotted quad with every octet at most 255. */
export function isIpv4(s: string): boolean {
  return s === s.trim() && ipv4ToNumber(s) !== undefined;
}
