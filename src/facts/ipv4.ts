// IPv4 addresses, networks and netmasks as numbers: the arithmetic the facts and checks share
// (SUT range vs. a rule's source net, bridge address vs. the switch's LOCAL_IP/NETMASK).

/** A dotted quad as an unsigned 32-bit number, or undefined when it is not one. */
export function ipv4ToNumber(text: string): number | undefined {
  const t = text.trim();
  return dottedQuad(t, 0, t.length);
}

// Scanned by hand, not by a regular expression: TD008 reads the source net of every NAT rule, and a
// host may hold thousands.
/** `text[start, end)` as four decimal octets of 1 to 3 digits, each at most 255, joined by dots. */
function dottedQuad(text: string, start: number, end: number): number | undefined {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits > 3) return undefined;
      octet = octet * 10 + (c - 48);
    } else if (c === 46 && digits > 0 && dots < 3 && octet <= 255) {
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  return dots === 3 && digits > 0 && octet <= 255 ? n * 256 + octet : undefined;
}

export interface Ipv4Net {
  /** Network address (host bits cleared). */
  base: number;
  prefix: number;
}

/** `10.0.2.0/24`, `10.0.2.5` (= /32); undefined for IPv6 or garbage. */
export function parseIpv4Net(text: string): Ipv4Net | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  if (slash < 0) {
    const n = dottedQuad(t, 0, t.length);
    return n === undefined ? undefined : {base: n, prefix: 32};
  }
  // The address as it stands, else trimmed (`10.0.2.2 /24`): the usual case copies nothing.
  const n = dottedQuad(t, 0, slash) ?? ipv4ToNumber(t.slice(0, slash));
  const prefix = prefixLength(t, slash + 1);
  if (n === undefined || prefix === undefined) return undefined;
  return {base: (n & prefixMask(prefix)) >>> 0, prefix};
}

/** The rest of `text` from `start` as a prefix length: one or two digits, at most 32. */
function prefixLength(text: string, start: number): number | undefined {
  const len = text.length - start;
  if (len < 1 || len > 2) return undefined;
  let prefix = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    prefix = prefix * 10 + (c - 48);
  }
  return prefix <= 32 ? prefix : undefined;
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
