// iproute2 JSON output (`ip -j ...`, iproute2 6.1): links with addresses, routes, policy rules and
// `ip route get`. JSON.parse does the lexing (linear, no regex); this module only checks the shape
// and picks the fields tapdoctor uses, so error text ("Cannot open netlink socket", "RTNETLINK
// answers: ...") or a truncated capture becomes a ParseError, never a TypeError.
import type {IpAddress, Link, Route} from '../facts/types.js';
import {clip, ParseError} from './errors.js';

export interface IpRule {
  priority: number;
  /** 'all' or an address; with srclen the prefix. */
  src?: string;
  srclen?: number;
  dst?: string;
  dstlen?: number;
  /** Routing table name or number ('main', 'local', '100'). */
  table?: string;
  iif?: string;
  oif?: string;
  fwmark?: string;
  /** Rule type when it is not a table lookup: 'prohibit', 'unreachable', 'blackhole', 'goto', 'nop'. */
  action?: string;
  /** `not` rules invert their selector. */
  not: boolean;
  /** `suppress_prefixlength N` (wg-quick's "table main suppress_prefixlength 0"). */
  suppressPrefixlen?: number;
}

export interface RouteGet {
  dst: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  /** Route MTU (`mtu` metric) when the route sets one; the device MTU is in the links. */
  mtu?: number;
}

type Json = null | boolean | number | string | Json[] | {[key: string]: Json};
type JsonObject = {[key: string]: Json};

/** JSON.parse with the failure turned into a ParseError naming the line of the offending byte. */
export function parseJsonDocument(text: string, source: string): Json {
  if (text.trim() === '') throw new ParseError(source, 1, '', 'empty output, expected JSON');
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    const message = (error as Error).message;
    const at = /at position (\d+)/.exec(message);
    const pos = at ? Number(at[1]) : 0;
    const {line, lineText} = lineAt(text, pos);
    throw new ParseError(source, line, lineText, `not JSON (${clip(message, 80)})`);
  }
}

function lineAt(text: string, pos: number): {line: number; lineText: string} {
  let line = 1;
  let start = 0;
  const end = Math.min(pos, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  const nl = text.indexOf('\n', start);
  return {line, lineText: text.slice(start, nl === -1 ? Math.min(text.length, start + 200) : Math.min(nl, start + 200))};
}

/** The top-level array of objects every `ip -j` command prints. */
function objectArray(text: string, source: string): JsonObject[] {
  const doc = parseJsonDocument(text, source);
  if (!Array.isArray(doc)) throw new ParseError(source, 1, text, 'expected a JSON array');
  for (const item of doc) {
    if (!isObject(item)) throw new ParseError(source, 1, JSON.stringify(item) ?? '', 'expected an object in the array');
  }
  return doc as JsonObject[];
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Typed field access: absent (or null) gives undefined, a wrong type is a ParseError. */
class Fields {
  constructor(
    private readonly obj: JsonObject,
    private readonly source: string,
  ) {}

  private bad(key: string, want: string): never {
    throw new ParseError(this.source, 1, JSON.stringify(this.obj), `'${key}' is not ${want}`);
  }

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.obj, key);
  }

  raw(key: string): Json | undefined {
    return this.has(key) ? this.obj[key] : undefined;
  }

  str(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') this.bad(key, 'a string');
    return v;
  }

  num(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.bad(key, 'a number');
    return v;
  }

  /** Strings or numbers, as text (iproute2 prints table ids and marks either way). */
  text(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string') this.bad(key, 'a string');
    return v;
  }

  requiredStr(key: string): string {
    const v = this.str(key);
    if (v === undefined) this.bad(key, 'present');
    return v;
  }

  requiredNum(key: string): number {
    const v = this.num(key);
    if (v === undefined) this.bad(key, 'present');
    return v;
  }

  strings(key: string): string[] {
    const v = this.raw(key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) this.bad(key, 'a list of strings');
    return v as string[];
  }

  objects(key: string): JsonObject[] {
    const v = this.raw(key);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((o) => isObject(o))) this.bad(key, 'a list of objects');
    return v as JsonObject[];
  }

  object(key: string): JsonObject | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) this.bad(key, 'an object');
    return v;
  }
}

/** `ip -j -d addr show`: every link with flags, master, kind and addresses. */
export function parseIpAddr(text: string, source: string): Link[] {
  return objectArray(text, source).map((obj) => toLink(new Fields(obj, source), source));
}

function toLink(f: Fields, source: string): Link {
  const flags = f.strings('flags');
  const info = f.object('linkinfo');
  const infoFields = info ? new Fields(info, source) : undefined;
  const infoData = infoFields?.object('info_data');
  const kind = infoFields?.str('info_kind');
  const link: Link = {
    name: f.requiredStr('ifname'),
    index: f.requiredNum('ifindex'),
    flags,
    up: flags.includes('UP'),
    carrier: flags.includes('LOWER_UP'),
    operstate: f.str('operstate') ?? 'UNKNOWN',
    mtu: f.num('mtu') ?? 0,
    addrs: f.objects('addr_info').flatMap((a) => toAddress(new Fields(a, source))),
  };
  if (kind !== undefined) link.kind = kind;
  if (kind === 'tun' && infoData) {
    const type = new Fields(infoData, source).str('type');
    if (type !== undefined) link.tunType = type;
  }
  const slaveKind = infoFields?.str('info_slave_kind');
  if (slaveKind !== undefined) link.slaveKind = slaveKind;
  const master = f.str('master');
  if (master !== undefined) link.master = master;
  const parent = f.str('link');
  if (parent !== undefined) link.parent = parent;
  const linkType = f.str('link_type');
  if (linkType !== undefined) link.linkType = linkType;
  const mac = f.str('address');
  if (mac !== undefined && linkType !== 'loopback' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) link.mac = mac.toLowerCase();
  return link;
}

/** One address; other families than inet/inet6 carry nothing tapdoctor reads and are dropped. */
function toAddress(f: Fields): IpAddress[] {
  const family = f.requiredStr('family');
  if (family !== 'inet' && family !== 'inet6') return [];
  return [{family, local: f.requiredStr('local'), prefixlen: f.num('prefixlen') ?? (family === 'inet' ? 32 : 128), scope: f.str('scope') ?? 'global'}];
}

/** `ip -j -4|-6 route show table main`. A missing `metric` is 0 (the kernel's default for IPv4). */
export function parseIpRoutes(text: string, source: string, family: 'inet' | 'inet6'): Route[] {
  return objectArray(text, source).map((obj) => {
    const f = new Fields(obj, source);
    const route: Route = {dst: f.requiredStr('dst'), metric: f.num('metric') ?? 0, family};
    const gateway = f.str('gateway');
    if (gateway !== undefined) route.gateway = gateway;
    const dev = f.str('dev');
    if (dev !== undefined) route.dev = dev;
    const protocol = f.text('protocol');
    if (protocol !== undefined) route.protocol = protocol;
    const type = f.str('type');
    if (type !== undefined) route.type = type;
    const table = f.text('table');
    if (table !== undefined) route.table = table;
    const prefsrc = f.str('prefsrc');
    if (prefsrc !== undefined) route.prefsrc = prefsrc;
    const flags = f.strings('flags');
    if (flags.length > 0) route.flags = flags;
    // Multipath routes have no top-level dev: the devices are in nexthops.
    const hops = f.objects('nexthops').map((h) => {
      const hf = new Fields(h, source);
      const hop: {gateway?: string; dev?: string} = {};
      const g = hf.str('gateway');
      if (g !== undefined) hop.gateway = g;
      const d = hf.str('dev');
      if (d !== undefined) hop.dev = d;
      return hop;
    });
    if (hops.length > 0) route.nexthops = hops;
    return route;
  });
}

/** `ip -j -4 rule show`. */
export function parseIpRules(text: string, source: string): IpRule[] {
  return objectArray(text, source).map((obj) => {
    const f = new Fields(obj, source);
    const rule: IpRule = {priority: f.requiredNum('priority'), not: f.has('not')};
    const set = <K extends keyof IpRule>(key: K, value: IpRule[K] | undefined) => {
      if (value !== undefined) rule[key] = value;
    };
    set('src', f.str('src'));
    set('srclen', f.num('srclen'));
    set('dst', f.str('dst'));
    set('dstlen', f.num('dstlen'));
    set('table', f.text('table'));
    set('iif', f.str('iif'));
    set('oif', f.str('oif'));
    set('fwmark', f.text('fwmark'));
    set('action', f.str('action'));
    set('suppressPrefixlen', f.num('suppress_prefixlen'));
    return rule;
  });
}

/** `ip -j -4 route get <addr>`: the route the kernel picks. */
export function parseRouteGet(text: string, source: string): RouteGet {
  const items = objectArray(text, source);
  if (items.length === 0) throw new ParseError(source, 1, text, 'no route in the reply');
  const f = new Fields(items[0]!, source);
  const out: RouteGet = {dst: f.requiredStr('dst')};
  const gateway = f.str('gateway');
  if (gateway !== undefined) out.gateway = gateway;
  const dev = f.str('dev');
  if (dev !== undefined) out.dev = dev;
  const prefsrc = f.str('prefsrc');
  if (prefsrc !== undefined) out.prefsrc = prefsrc;
  // `metrics` is a list of one-key objects: [{"mtu":1400}].
  for (const m of f.objects('metrics')) {
    const mtu = new Fields(m, source).num('mtu');
    if (mtu !== undefined) out.mtu = mtu;
  }
  return out;
}
