// NetworkManager keyfiles (/etc/NetworkManager/system-connections/*.nmconnection, nm-settings-keyfile(5)).
// GKeyFile syntax: `[group]`, `key=value`, `#` comment lines, escapes \s \n \t \r \\ in values.
// Like GKeyFile, a key before the first group or a line without `=` is an error. A group that
// repeats is merged (later keys win).
//
// The profile fields tapdoctor needs are lifted into NmProfile: the OVS profiles of the bridge
// (ovs-bridge / ovs-port / ovs-interface share one interface-name), tun profiles of the taps
// (mode 1 = tun, 2 = tap; owner/group as written, uid/gid or name), zone and addresses.
import {ParseError, splitLines} from './errors.js';

export interface NmProfile {
  id?: string;
  uuid?: string;
  /** connection.type: 'ovs-bridge', 'ovs-port', 'ovs-interface', 'tun', 'ethernet', 'bond', ... */
  type?: string;
  interfaceName?: string;
  /** connection.autoconnect (default true). */
  autoconnect: boolean;
  zone?: string;
  /** connection.master / connection.controller. */
  master?: string;
  /** connection.slave-type / connection.port-type. */
  slaveType?: string;
  /** [ovs-interface] type: 'internal', 'system', 'patch', 'dpdk'. */
  ovsInterfaceType?: string;
  tun?: {mode?: 'tun' | 'tap' | string; owner?: string; group?: string; multiQueue?: boolean};
  ipv4: NmIpConfig;
  ipv6: NmIpConfig;
  /** [ethernet] mtu. */
  mtu?: number;
  /** Every group as read: group → key → value (unescaped). */
  sections: Record<string, Record<string, string>>;
}

export interface NmIpConfig {
  method?: string;
  /** `address/prefix` in key order (address1, address2, ...), gateway parts dropped. */
  addresses: string[];
}

export function parseNmKeyfile(text: string, source: string): NmProfile {
  return toProfile(parseKeyfileGroups(text, source));
}

/** The raw groups of a GKeyFile. */
export function parseKeyfileGroups(text: string, source: string): Record<string, Record<string, string>> {
  const groups: Record<string, Record<string, string>> = Object.create(null);
  let current: Record<string, string> | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      if (!line.endsWith(']') || line.length < 3) throw new ParseError(source, i + 1, raw, 'invalid group header');
      const name = line.slice(1, -1);
      current = groups[name] ??= Object.create(null);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new ParseError(source, i + 1, raw, 'neither a group, a comment nor key=value');
    if (!current) throw new ParseError(source, i + 1, raw, 'key file does not start with a group');
    const key = line.slice(0, eq).trim();
    if (!key) throw new ParseError(source, i + 1, raw, 'empty key');
    current[key] = unescapeValue(line.slice(eq + 1).trim());
  }
  return groups;
}

function unescapeValue(v: string): string {
  if (!v.includes('\\')) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c !== '\\' || i + 1 >= v.length) {
      out += c;
      continue;
    }
    const n = v[++i]!;
    out += n === 's' ? ' ' : n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === '\\' ? '\\' : `\\${n}`;
  }
  return out;
}

function toProfile(groups: Record<string, Record<string, string>>): NmProfile {
  const con = groups.connection ?? {};
  const tun = groups.tun;
  const profile: NmProfile = {
    autoconnect: (con.autoconnect ?? 'true').toLowerCase() !== 'false',
    ipv4: ipConfig(groups.ipv4),
    ipv6: ipConfig(groups.ipv6),
    sections: groups,
  };
  setIf(profile, 'id', con.id);
  setIf(profile, 'uuid', con.uuid);
  setIf(profile, 'type', con.type);
  setIf(profile, 'interfaceName', con['interface-name']);
  setIf(profile, 'zone', con.zone);
  setIf(profile, 'master', con.controller ?? con.master);
  setIf(profile, 'slaveType', con['port-type'] ?? con['slave-type']);
  setIf(profile, 'ovsInterfaceType', groups['ovs-interface']?.type);
  const mtu = Number(groups.ethernet?.mtu);
  if (groups.ethernet?.mtu !== undefined && Number.isInteger(mtu)) profile.mtu = mtu;
  if (tun) {
    const mode = tun.mode === '1' ? 'tun' : tun.mode === '2' ? 'tap' : tun.mode;
    profile.tun = {};
    setIf(profile.tun, 'mode', mode);
    setIf(profile.tun, 'owner', tun.owner);
    setIf(profile.tun, 'group', tun.group);
    if (tun['multi-queue'] !== undefined) profile.tun.multiQueue = tun['multi-queue'] === 'true';
  }
  return profile;
}

function ipConfig(group: Record<string, string> | undefined): NmIpConfig {
  const out: NmIpConfig = {addresses: []};
  if (!group) return out;
  setIf(out, 'method', group.method);
  // address1=10.0.2.2/15,10.0.2.1 (gateway after the comma); legacy addresses1=a;b;
  const numbered: Array<[number, string[]]> = [];
  for (const [key, value] of Object.entries(group)) {
    const m = /^address(?:es)?(\d*)$/.exec(key);
    if (!m) continue;
    const addrs = value
      .split(';')
      .map((a) => a.split(',')[0]!.trim())
      .filter((a) => a !== '');
    numbered.push([m[1] ? Number(m[1]) : 0, addrs]);
  }
  numbered.sort((a, b) => a[0] - b[0]);
  for (const [, addrs] of numbered) for (const a of addrs) out.addresses.push(a);
  return out;
}

function setIf<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
