// Interface-level helpers for checks: which network stack owns the host's interfaces (wicked,
// NetworkManager, network-scripts), where one interface is configured persistently (its ifcfg file
// and NetworkManager profiles), and the raw `ip -j` records of a link or route as evidence lines.
//
// Why a separate module: a fix that edits "the ifcfg file" of a device is only right when that file
// exists and the stack in use reads it. An ifcfg file that does not exist disables nothing.
import {parseJsonDocument} from '../parsers/ip.js';
import type {Fact, Facts} from './facts.js';
import {ifcfgFiles, nmProfiles, type IfcfgFile, type NmProfileFile} from './host/interface-files.js';
import {ifcfgStack} from './network-stack.js';

export interface PersistedInterface {
  name: string;
  /** The ifcfg file configuring the interface (DEVICE= or file name). */
  ifcfg?: IfcfgFile;
  /** NetworkManager profiles bound to the interface by interface-name (parsed ones only). */
  nm: NmProfileFile[];
  /** Sources that could not be read: the answer may be incomplete ("network.nm: needs root"). */
  unknown: string[];
}

/** Where `name` is configured persistently. */
export function persistedInterface(f: Facts, name: string): PersistedInterface {
  const out: PersistedInterface = {name, nm: [], unknown: []};
  const ifcfg = f.try(ifcfgFiles);
  if (ifcfg.ok) {
    const file = ifcfg.value[name];
    if (file) out.ifcfg = file;
  } else out.unknown.push(`network.ifcfg: ${ifcfg.reason}`);
  const nm = f.try(nmProfiles);
  if (nm.ok) out.nm = (nm.value[name] ?? []).filter((p) => p.profile !== undefined);
  else out.unknown.push(`network.nm: ${nm.reason}`);
  return out;
}

/** The 1-based line and text of a variable's last assignment in an ifcfg file, for "change line N". */
export function ifcfgLine(file: IfcfgFile, variable: string): {line: number; text: string} | undefined {
  const entry = [...file.entries].reverse().find((e) => e.name === variable);
  if (!entry) return undefined;
  // Rendered in each stack's own convention (wicked quotes, network-scripts mostly does not).
  const quoted = ifcfgStack(file.path) === 'wicked' || /[\s'"$`]/.test(entry.value);
  return {line: entry.line, text: quoted ? `${entry.name}='${entry.value}'` : `${entry.name}=${entry.value}`};
}

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
