// The raw `ip -j` records of a link or route as evidence lines. What the persisted configuration
// says about an interface is network-config/.
import {parseJsonDocument} from '../parsers/ip.js';
import type {Fact, Facts} from './facts.js';

// --- raw ip -j records as evidence --------------------------------------------------------------

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function records(f: Facts, source: string): JsonObject[] {
  const doc: unknown = parseJsonDocument(f.command(source).text, source);
  return Array.isArray(doc) ? (doc as unknown[]).filter(isObject) : [];
}

const ipAddrRecords: Fact<JsonObject[]> = (f) => records(f, 'ip.addr');
const ipRoute4Records: Fact<JsonObject[]> = (f) => records(f, 'ip.route4');

/** Keys of an `ip -j -d addr` record that prove a link's state; the rest (queues, gso sizes) is noise. */
const LINK_KEYS = ['ifindex', 'ifname', 'flags', 'mtu', 'master', 'operstate', 'link_type', 'address'];
const ADDR_KEYS = ['family', 'local', 'prefixlen', 'scope', 'label'];

/**
 * The link's `ip -j -d addr show` record cut to the proving keys, values as captured (one JSON line),
 * or undefined when ip.addr is missing or has no such link.
 */
export function ipLinkEvidence(f: Facts, name: string): string | undefined {
  const all = f.try(ipAddrRecords);
  if (!all.ok) return undefined;
  const rec = all.value.find((r) => r.ifname === name);
  if (!rec) return undefined;
  const out: JsonObject = {};
  for (const k of LINK_KEYS) if (k in rec) out[k] = rec[k];
  if (isObject(rec.linkinfo)) {
    const info: JsonObject = {};
    for (const k of ['info_kind', 'info_slave_kind']) if (k in rec.linkinfo) info[k] = rec.linkinfo[k];
    if (Object.keys(info).length > 0) out.linkinfo = info;
  }
  if (Array.isArray(rec.addr_info)) {
    out.addr_info = rec.addr_info.filter(isObject).map((a) => {
      const cut: JsonObject = {};
      for (const k of ADDR_KEYS) if (k in a) cut[k] = a[k];
      return cut;
    });
  }
  return JSON.stringify(out);
}

/** IPv4 routes of ip.route4 that pass `keep`, each as its captured JSON object (one line each). */
export function ipRoute4Evidence(f: Facts, keep: (route: JsonObject) => boolean): string[] {
  const all = f.try(ipRoute4Records);
  return all.ok ? all.value.filter(keep).map((r) => JSON.stringify(r)) : [];
}
