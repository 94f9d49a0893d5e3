// iproute2 TEXT output as sos stores it (`ip -d address`, `ip route show table all`,
// `ip -6 route show table all`), parsed into the same Link / Route models `ip -j` gives, and
// serialized back to `ip -j`-shaped JSON so the facts read a sosreport unchanged.
//
// Only what the models carry is read; everything else on a line (qdisc, queue counts, bridge
// timers) is skipped. Lines are split on blanks only (no backtracking regex). Text that is not
// ip output ("Cannot open netlink socket", "command not found") is a ParseError.
import type {IpAddress, Link, Route} from '../../facts/types.js';
import {ParseError, splitLines} from '../../parsers/errors.js';
import type {JunkFormat} from '../../parsers/junk.js';

const words = (line: string): string[] => line.split(/[ \t]+/).filter((w) => w !== '');

// --- ip -d address ---------------------------------------------------------------------------

/** `N: name[@parent]: <FLAGS> mtu M ... [master X] state S ...` */
function parseLinkHeader(line: string, lineNo: number, source: string): Link {
  const w = words(line);
  const index = Number(w[0]?.slice(0, -1));
  const bad = () => new ParseError(source, lineNo, line, 'expected "N: name: <FLAGS> mtu M ..."');
  if (!w[0]?.endsWith(':') || !Number.isInteger(index) || index < 0 || !w[1]?.endsWith(':') || !w[2]?.startsWith('<') || !w[2].endsWith('>')) throw bad();
  const fullName = w[1].slice(0, -1);
  const at = fullName.indexOf('@');
  const name = at > 0 ? fullName.slice(0, at) : fullName;
  if (name === '') throw bad();
  const flags = w[2].slice(1, -1).split(',').filter((f) => f !== '');
  const link: Link = {name, index, flags, up: flags.includes('UP'), carrier: flags.includes('LOWER_UP'), operstate: 'UNKNOWN', mtu: 0, addrs: []};
  // `vlan57@eth0` names its lower device; `veth0@if16` names an interface index in another netns.
  const parent = at > 0 ? fullName.slice(at + 1) : '';
  if (parent !== '' && !(parent.startsWith('if') && /^\d+$/.test(parent.slice(2))) && parent !== 'NONE') link.parent = parent;
  for (let i = 3; i + 1 < w.length; i++) {
    const value = w[i + 1]!;
    if (w[i] === 'mtu' && /^\d+$/.test(value)) link.mtu = Number(value);
    else if (w[i] === 'master') link.master = value;
    else if (w[i] === 'state') link.operstate = value;
  }
  return link;
}

/** Kinds `ip -d` prints as the first word of a detail line (linkinfo info_kind in JSON). */
const DETAIL_SKIP = new Set(['numtxqueues', 'altname', 'prop', 'vf', 'alias']);

function parseAddress(w: string[]): IpAddress | undefined {
  const family = w[0] === 'inet' ? 'inet' : 'inet6';
  const [local, len] = (w[1] ?? '').split('/');
  if (!local) return undefined;
  const scopeAt = w.indexOf('scope');
  const prefixlen = len !== undefined && /^\d+$/.test(len) ? Number(len) : family === 'inet' ? 32 : 128;
  return {family, local, prefixlen, scope: scopeAt > 0 && w[scopeAt + 1] ? w[scopeAt + 1]! : 'global'};
}

/** Where `ip address` text starts (`1: lo: <LOOPBACK,UP,...>`) and what belongs to it (indented lines). */
export const IP_ADDRESS_TEXT: JunkFormat = {
  what: '`ip address` output',
  start: (line) => /^\d+: \S+: <[^>]*>/.test(line),
  body: (line) => line[0] === ' ' || line[0] === '\t',
};

/** `ip -d address` (sos: networking/ip_-d_address) as links with addresses. */
export function parseIpDAddressText(text: string, source: string): Link[] {
  const out: Link[] = [];
  let current: Link | undefined;
  let sawDetail = false;
  splitLines(text).forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    if (line[0] !== ' ' && line[0] !== '\t') {
      current = parseLinkHeader(line, i + 1, source);
      sawDetail = false;
      out.push(current);
      return;
    }
    if (!current) throw new ParseError(source, i + 1, line, 'indented line before the first link');
    const w = words(line);
    const first = w[0]!;
    if (first.startsWith('link/')) {
      current.linkType = first.slice('link/'.length);
      const mac = w[1];
      if (mac && current.linkType !== 'loopback' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) current.mac = mac.toLowerCase();
    } else if (first === 'inet' || first === 'inet6') {
      const addr = parseAddress(w);
      if (addr) current.addrs.push(addr);
    } else if (first === 'valid_lft' || DETAIL_SKIP.has(first)) {
      // lifetimes and queue details: nothing the model carries
    } else if (first.endsWith('_slave')) {
      current.slaveKind = first.slice(0, -'_slave'.length);
    } else if (!sawDetail) {
      // The first detail line after link/ names the kind: `tun type tap ...`, `openvswitch`, `bridge ...`.
      sawDetail = true;
      current.kind = first;
      if (first === 'tun') {
        const t = w.indexOf('type');
        if (t > 0 && w[t + 1]) current.tunType = w[t + 1]!;
      }
    }
  });
  return out;
}

/** A Link as the `ip -j -d addr show` record parseIpAddr reads back to the same Link. */
export function linkToIpJson(link: Link): Record<string, unknown> {
  const rec: Record<string, unknown> = {ifindex: link.index, ifname: link.name, flags: link.flags, mtu: link.mtu};
  if (link.master !== undefined) rec.master = link.master;
  rec.operstate = link.operstate;
  if (link.parent !== undefined) rec.link = link.parent;
  if (link.linkType !== undefined) rec.link_type = link.linkType;
  if (link.mac !== undefined) rec.address = link.mac;
  const info: Record<string, unknown> = {};
  if (link.kind !== undefined) info.info_kind = link.kind;
  if (link.tunType !== undefined) info.info_data = {type: link.tunType};
  if (link.slaveKind !== undefined) info.info_slave_kind = link.slaveKind;
  if (Object.keys(info).length > 0) rec.linkinfo = info;
  rec.addr_info = link.addrs.map((a) => ({family: a.family, local: a.local, prefixlen: a.prefixlen, scope: a.scope, label: link.name}));
  return rec;
}

// --- ip route show table all -----------------------------------------------------------------

const ROUTE_TYPES = new Set(['unicast', 'local', 'broadcast', 'multicast', 'unreachable', 'blackhole', 'prohibit', 'throw', 'anycast', 'nat']);
/** Route keywords followed by one value; anything else is a bare flag (onlink, linkdown, dead) or `lock`. */
const VALUED = new Set([
  'via', 'dev', 'proto', 'scope', 'src', 'metric', 'table', 'pref', 'expires', 'mtu', 'advmss', 'hoplimit', 'weight', 'realm', 'realms',
  'from', 'tos', 'dsfield', 'rtt', 'rttvar', 'rto_min', 'window', 'cwnd', 'initcwnd', 'initrwnd', 'features', 'quickack', 'congctl',
  'ssthresh', 'reordering', 'nhid', 'error', 'iif', 'oif', 'fastopen_no_cookie', 'ttl-propagate', 'encap', 'age', 'users', 'used',
]);
const BARE_FLAGS = new Set(['onlink', 'linkdown', 'dead', 'pervasive', 'offload', 'trap', 'rt_offload', 'rt_trap', 'notify']);

/**
 * `ip route show table all` / `ip -6 route show table all` text: the routes of the MAIN table
 * only (what `ip -j -4|-6 route show table main` lists), split by family. Multipath `nexthop`
 * continuation lines belong to the route above; `cache` lines are skipped.
 */
export function parseIpRouteText(text: string, source: string): {inet: Route[]; inet6: Route[]} {
  const out = {inet: [] as Route[], inet6: [] as Route[]};
  let last: {route: Route; main: boolean} | undefined;
  splitLines(text).forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const w = words(line);
    if (line[0] === ' ' || line[0] === '\t') {
      if (w[0] === 'nexthop' && last) {
        const hop: {gateway?: string; dev?: string} = {};
        for (let k = 1; k + 1 < w.length; k++) {
          if (w[k] === 'via') hop.gateway = w[k + 1] === 'inet' || w[k + 1] === 'inet6' ? w[k + 2] : w[k + 1];
          if (w[k] === 'dev') hop.dev = w[k + 1];
        }
        (last.route.nexthops ??= []).push(hop);
      }
      return; // cache / metrics continuation lines
    }
    let k = 0;
    let type: string | undefined;
    if (ROUTE_TYPES.has(w[0]!)) type = w[k++];
    const dst = w[k++];
    if (dst === undefined || !looksLikeDestination(dst)) throw new ParseError(source, i + 1, line, 'expected "destination [via G] dev D ..."');
    const route: Route = {dst, metric: 0, family: 'inet'};
    let table: string | undefined;
    const flags: string[] = [];
    while (k < w.length) {
      const key = w[k]!;
      if (VALUED.has(key) && k + 1 < w.length) {
        let value = w[k + 1]!;
        k += 2;
        // `via inet6 fe80::1` (IPv4 route with an IPv6 gateway) names the family first.
        if (key === 'via' && (value === 'inet' || value === 'inet6') && k < w.length) value = w[k++]!;
        if (key === 'mtu' && value === 'lock' && k < w.length) k++;
        if (key === 'via') route.gateway = value;
        else if (key === 'dev') route.dev = value;
        else if (key === 'proto') route.protocol = value;
        else if (key === 'src') route.prefsrc = value;
        else if (key === 'metric' && /^\d+$/.test(value)) route.metric = Number(value);
        else if (key === 'table') table = value;
      } else {
        if (BARE_FLAGS.has(key)) flags.push(key);
        k++;
      }
    }
    if (type !== undefined && type !== 'unicast') route.type = type;
    if (flags.length > 0) route.flags = flags;
    const v6 = dst.includes(':') || (dst === 'default' && (route.gateway ?? route.prefsrc ?? '').includes(':'));
    route.family = v6 ? 'inet6' : 'inet';
    const main = table === undefined || table === 'main' || table === '254';
    last = {route, main};
    if (main) out[route.family].push(route);
  });
  return out;
}

function looksLikeDestination(dst: string): boolean {
  if (dst === 'default') return true;
  const c = dst.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || c === 0x3a; // digit, hex letter, ':'
}

/** A Route as the `ip -j route` record parseIpRoutes reads back to the same Route. */
export function routeToIpJson(route: Route): Record<string, unknown> {
  const rec: Record<string, unknown> = {};
  if (route.type !== undefined) rec.type = route.type;
  rec.dst = route.dst;
  if (route.gateway !== undefined) rec.gateway = route.gateway;
  if (route.dev !== undefined) rec.dev = route.dev;
  if (route.protocol !== undefined) rec.protocol = route.protocol;
  if (route.metric !== 0) rec.metric = route.metric;
  if (route.prefsrc !== undefined) rec.prefsrc = route.prefsrc;
  rec.flags = route.flags ?? [];
  if (route.nexthops !== undefined) rec.nexthops = route.nexthops.map((h) => ({...h}));
  return rec;
}
