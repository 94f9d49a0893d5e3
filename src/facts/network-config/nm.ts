// What NetworkManager's persisted configuration says: keyfile profiles (nm-settings-keyfile(5)),
// how a controller reference resolves, IPv4 setup, and NetworkManager.conf device specs
// (no-auto-default, unmanaged-devices). Profiles are read once, by read.ts.
import {posix} from 'node:path';
import {parseKeyfileGroups, type NmProfile} from '../../parsers/nm-keyfile.js';
import {modelOrParseError, ParseError, splitLines} from '../../parsers/errors.js';
import type {Fact} from '../facts.js';
import {isIpv4} from '../ipv4.js';
import {nmProfiles, type NmProfileFile} from './read.js';

export interface NmConnection {
  path: string;
  profile: NmProfile;
}

/** Every parsed NetworkManager keyfile profile (an unparsable file configures nothing: NetworkManager skips it too). */
export const nmConnections: Fact<NmConnection[]> = (f) =>
  Object.values(f.get(nmProfiles))
    .flat()
    .filter((p): p is NmProfileFile & {profile: NmProfile} => p.profile !== undefined)
    .map((p) => ({path: p.path, profile: p.profile}));

/**
 * The profile a `master`/`controller` reference names: NetworkManager accepts a UUID, a
 * connection id or an interface name; the candidate must be of the expected type.
 */
export function nmControllerOf(all: readonly NmConnection[], ref: string | undefined, type: string): NmConnection | undefined {
  if (ref === undefined) return undefined;
  const ofType = all.filter((c) => c.profile.type === type);
  return ofType.find((c) => c.profile.uuid === ref) ?? ofType.find((c) => c.profile.id === ref) ?? ofType.find((c) => c.profile.interfaceName === ref);
}

/** NetworkManager's IPv4 setup of a profile: method `auto` (the keyfile default) means DHCP. */
export function nmIpv4(profile: NmProfile): {dhcp4: boolean; ipv4: string[]} {
  const method = profile.ipv4.method ?? 'auto';
  return {dhcp4: method === 'auto', ipv4: method === 'manual' ? profile.ipv4.addresses.filter((a) => isIpv4(a.split('/')[0]!)) : []};
}

export interface NmDeviceSpec {
  /** Raw spec as written (`interface-name:eth1`, `mac:52:54:…`, `*`). */
  spec: string;
  file: string;
  line: number;
}

export interface NmConf {
  /** [main] no-auto-default: devices that never get the automatic "Wired connection". */
  noAutoDefault: NmDeviceSpec[];
  /** [keyfile] unmanaged-devices and [device*] managed=false match-device specs. */
  unmanaged: NmDeviceSpec[];
  problems: string[];
}

const NM_CONF_MAIN = '/etc/NetworkManager/NetworkManager.conf';
/** conf.d directories, highest precedence first: an /etc file masks a packaged one of the same name. */
const NM_CONF_DIRS = ['/etc/NetworkManager/conf.d/', '/usr/lib/NetworkManager/conf.d/'];

/**
 * NetworkManager.conf, then the conf.d/*.conf of /usr/lib and /etc merged in file-name order
 * (NetworkManager.conf(5); later files win key by key). The packaged ones matter: Fedora's and
 * RHEL's NetworkManager-config-server ships /usr/lib/NetworkManager/conf.d/00-server.conf with
 * `no-auto-default=*`.
 */
export const nmConf: Fact<NmConf> = (f) => {
  const entries = f.entries('network.nm');
  const byName = new Map<string, (typeof entries)[number]>();
  for (const dir of [...NM_CONF_DIRS].reverse()) {
    for (const e of entries) if (e.name.startsWith(dir) && e.name.endsWith('.conf') && !e.name.slice(dir.length).includes('/')) byName.set(posix.basename(e.name), e);
  }
  const main = entries.find((e) => e.name === NM_CONF_MAIN);
  const files = [...(main ? [main] : []), ...[...byName.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e)];
  const out: NmConf = {noAutoDefault: [], unmanaged: [], problems: []};
  for (const file of files) {
    const groups = modelOrParseError(() => parseKeyfileGroups(file.text, file.name));
    if (groups instanceof ParseError) {
      out.problems.push(`cannot parse ${groups.message}`);
      continue;
    }
    const lineOf = (key: string) => splitLines(file.text).findIndex((l) => l.trim().startsWith(`${key}`)) + 1;
    const specs = (value: string, key: string): NmDeviceSpec[] =>
      value
        .split(/[,;]/)
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map((spec) => ({spec, file: file.name, line: lineOf(key)}));
    const main = groups.main ?? {};
    if (main['no-auto-default'] !== undefined) out.noAutoDefault = specs(main['no-auto-default'], 'no-auto-default');
    const keyfile = groups.keyfile ?? {};
    if (keyfile['unmanaged-devices'] !== undefined) out.unmanaged = specs(keyfile['unmanaged-devices'], 'unmanaged-devices');
    for (const [name, group] of Object.entries(groups)) {
      if (!/^device(-.*)?$/.test(name) || group['match-device'] === undefined) continue;
      if (['false', '0', 'no'].includes((group.managed ?? '').toLowerCase())) out.unmanaged.push(...specs(group['match-device'], 'match-device'));
    }
  }
  return out;
};

/** Whether an NM device spec matches a device (`*`, `interface-name:eth*`, `mac:…`, a bare MAC). */
export function nmSpecMatches(spec: string, ifname: string, mac?: string): boolean {
  const s = spec.trim();
  if (s === '*') return true;
  const except = s.startsWith('except:');
  const body = except ? s.slice('except:'.length) : s;
  let hit: boolean;
  if (body.startsWith('interface-name:')) {
    const pattern = body.slice('interface-name:'.length).replace(/^[=~]/, '');
    hit = pattern.endsWith('*') ? ifname.startsWith(pattern.slice(0, -1)) : ifname === pattern;
  } else {
    const m = body.startsWith('mac:') ? body.slice(4) : body;
    hit = mac !== undefined && m.toLowerCase() === mac.toLowerCase();
  }
  return except ? !hit : hit;
}
