// Host facts: mounts and the factory share, qemu file capabilities, tap ownership in sysfs,
// users and groups, forwarding sysctls (runtime and persisted), systemd units, uptime, and the
// persisted interface files (ifcfg, NetworkManager profiles) keyed by interface name.
import {posix} from 'node:path';
import {buildAccountDb, parseGroup, parsePasswd, type AccountDb, type GroupEntry} from '../parsers/accounts.js';
import {modelOrParseError, ParseError} from '../parsers/errors.js';
import {normalizeMountPoint, parseFstab, type Fstab, type FstabEntry} from '../parsers/fstab.js';
import {capsOf, parseGetcap} from '../parsers/getcap.js';
import {effectiveMounts, mountContaining, parseMountInfo, pathWithin, type MountInfoEntry} from '../parsers/mountinfo.js';
import {parseNmKeyfile, type NmProfile} from '../parsers/nm-keyfile.js';
import {parseShellVars, type ShellVar} from '../parsers/shellvars.js';
import {interfaceOfKey, parseProcInt, parseProcValue, parseSysctlConf, procSysPathToKey, type SysctlConf} from '../parsers/sysctl.js';
import {parseListUnits, parseUnitFile, unitNameToPath, unitValue, type UnitState} from '../parsers/systemd.js';
import {FactUnavailable, type Fact, type Facts} from './facts.js';
import type {SourceFile} from '../sources/snapshot.js';
import type {Account, FileCaps, Mount, TapSysfs} from './types.js';

// --- mounts ----------------------------------------------------------------------------------

/** Every /proc/self/mountinfo entry, stacked mounts included. */
export const mountInfo: Fact<MountInfoEntry[]> = (f) => {
  const file = f.file('mountinfo', '/proc/self/mountinfo');
  if (!file) throw new FactUnavailable('/proc/self/mountinfo was not captured');
  return parseMountInfo(file.text, '/proc/self/mountinfo');
};

/** Effective mounts: one per mount point, the last (topmost) entry wins (autofs, then its NFS). */
export const mounts: Fact<Mount[]> = (f) =>
  effectiveMounts(f.get(mountInfo)).map((e) => ({
    mountPoint: e.mountPoint,
    fsType: e.fsType,
    source: e.source,
    options: e.options,
    superOptions: e.superOptions,
  }));

/** The mount a path lives on (longest mount point containing it). */
export function mountFor(all: readonly Mount[], path: string): Mount | undefined {
  return mountContaining(all, path);
}

export const OPENQA_DIR = '/var/lib/openqa';
export const FACTORY_PATH = '/var/lib/openqa/share/factory';

export interface FactoryShare {
  path: string;
  /**
   * The mount holding factory/ when it is a mount of openQA's own tree (/var/lib/openqa or below,
   * usually /var/lib/openqa/share); undefined when factory/ just lies on /, /var, ...
   */
  mount?: Mount;
  /** The mount factory/ lives on, whatever it is (for evidence: "on / (ext4)"). */
  coveringMount?: Mount;
  /** The share's mount is an idle systemd automount (`autofs systemd-1`): configured, not missing. */
  automountOnly: boolean;
  /** The share.stat probe: answered (ok), hung or ESTALE (stale), absent (missing), or no probe. */
  stat: 'ok' | 'stale' | 'missing' | 'not-probed';
  /** The probe's output or error, or why it was not probed. */
  statDetail?: string;
  /** The fstab line that mounts factory/ or an ancestor within /var/lib/openqa. */
  fstab?: FstabEntry;
  /** A unit that mounts it: x.automount preferred over x.mount over var-lib-openqa-share.service. */
  mountUnit?: string;
}

const MOUNT_UNIT_RANK = (name: string) => (name.endsWith('.automount') ? 0 : name.endsWith('.mount') ? 1 : 2);

export const factoryShare: Fact<FactoryShare> = (f) => {
  const all = f.get(mounts);
  const covering = mountFor(all, FACTORY_PATH);
  const own = covering && pathWithin(covering.mountPoint, OPENQA_DIR) ? covering : undefined;
  const share: FactoryShare = {path: FACTORY_PATH, automountOnly: own?.fsType === 'autofs', ...shareStat(f)};
  if (covering) share.coveringMount = covering;
  if (own) share.mount = own;

  const fstab = f.try(fstabFile);
  if (fstab.ok) {
    const candidates = fstab.value.entries.filter((e) => {
      const point = normalizeMountPoint(e.file);
      return pathWithin(point, OPENQA_DIR) && pathWithin(FACTORY_PATH, point);
    });
    const best = candidates.sort((a, b) => normalizeMountPoint(b.file).length - normalizeMountPoint(a.file).length)[0];
    if (best) share.fstab = best;
  }

  const units = f.try(mountUnitFiles);
  if (units.ok) {
    const names: string[] = [];
    for (const e of units.value) {
      const name = posix.basename(e.name);
      if (name === 'var-lib-openqa-share.service') {
        names.push(name);
        continue;
      }
      if (!name.endsWith('.mount') && !name.endsWith('.automount')) continue;
      const where = unitValue(parseUnitFile(e.text, e.name), name.endsWith('.mount') ? 'Mount' : 'Automount', 'Where') ?? unitNameToPath(name);
      if (pathWithin(where, OPENQA_DIR) && pathWithin(FACTORY_PATH, where)) names.push(name);
    }
    names.sort((a, b) => MOUNT_UNIT_RANK(a) - MOUNT_UNIT_RANK(b) || (a < b ? -1 : a > b ? 1 : 0));
    if (names[0]) share.mountUnit = names[0];
  }
  return share;
};

function shareStat(f: Facts): Pick<FactoryShare, 'stat' | 'statDetail'> {
  const unusable = f.view.unusable('share.stat');
  if (unusable) return {stat: 'not-probed', statDetail: unusable};
  const entry = f.view.record('share.stat')!.entries[0];
  if (!entry) return {stat: 'not-probed', statDetail: 'the probe recorded nothing'};
  const output = (f.view.snapshot.contents.get(entry.path)?.toString('utf8') ?? '').trim();
  const said = [entry.error, entry.stderr, output].filter((s): s is string => !!s).join('; ');
  if (/timed out|stale file handle/i.test(said)) return {stat: 'stale', statDetail: said};
  if (entry.absent || /no such file or directory/i.test(said)) return {stat: 'missing', statDetail: said || 'absent'};
  if (entry.error) return {stat: 'not-probed', statDetail: entry.error};
  if (output === 'directory' || output === 'symbolic link') return {stat: 'ok', statDetail: output};
  return {stat: 'missing', statDetail: output ? `factory is a ${output}, not a directory` : 'stat printed nothing'};
}

/** The captured .mount/.automount units and var-lib-openqa-share.service. */
export const mountUnitFiles: Fact<SourceFile[]> = (f) => f.entries('systemd.mount-units');

/** /etc/fstab parsed; a host without fstab has no entries. */
export const fstabFile: Fact<Fstab> = (f) => {
  const file = f.file('fstab', '/etc/fstab');
  return file ? parseFstab(file.text, '/etc/fstab') : {entries: [], problems: []};
};

// --- qemu capabilities, taps -----------------------------------------------------------------

/** File capabilities per captured qemu binary; a binary without capabilities has caps {}. */
export const qemuCaps: Fact<FileCaps[]> = (f) =>
  f.entries('qemu.getcap').map((e) => {
    const line = capsOf(parseGetcap(e.text, `getcap ${e.name}`), e.name);
    const caps: FileCaps = {path: e.name, caps: line?.caps ?? {}};
    if (line?.error) caps.error = line.error;
    return caps;
  });

const TAP_ATTR = /^\/sys\/class\/net\/([^/]+)\/(owner|group|tun_flags)$/;

/** owner/group/tun_flags of every tun/tap device in sysfs (-1 = unset), sorted by name. */
export const tapSysfs: Fact<TapSysfs[]> = (f) => {
  const byDev = new Map<string, TapSysfs>();
  for (const e of f.entries('tap.sysfs')) {
    const m = TAP_ATTR.exec(e.name);
    if (!m) continue;
    const dev = byDev.get(m[1]!) ?? {name: m[1]!};
    const value = parseProcInt(e.text, e.name);
    if (m[2] === 'owner') dev.owner = value;
    else if (m[2] === 'group') dev.group = value;
    else dev.tunFlags = value;
    byDev.set(m[1]!, dev);
  }
  return [...byDev.values()].sort((a, b) => compareNames(a.name, b.name));
};

/** tun_flags bits (include/uapi/linux/if_tun.h). */
export const TUN_FLAGS = {TUN: 0x0001, TAP: 0x0002, NO_PI: 0x1000, ONE_QUEUE: 0x2000, VNET_HDR: 0x4000, MULTI_QUEUE: 0x0100, PERSIST: 0x0800} as const;

// --- accounts --------------------------------------------------------------------------------

/** Users and groups from /etc/passwd and /etc/group (a missing group file: primary groups only). */
export const accounts: Fact<AccountDb> = (f) => {
  const passwd = f.file('accounts', '/etc/passwd');
  if (!passwd) throw new FactUnavailable('/etc/passwd was not captured');
  const group = f.file('accounts', '/etc/group');
  const groups: GroupEntry[] = group ? parseGroup(group.text, '/etc/group') : [];
  return buildAccountDb(parsePasswd(passwd.text, '/etc/passwd'), groups);
};

/** The account of f.config.workerUser, undefined when the host has no such user. */
export const workerAccount: Fact<Account | undefined> = (f) => f.get(accounts).byName.get(f.config.workerUser);

// --- sysctl ----------------------------------------------------------------------------------

/** Runtime values: dotted key → value, from the captured /proc/sys files. */
export const runtimeSysctl: Fact<Record<string, string>> = (f) => {
  const out: Record<string, string> = Object.create(null);
  for (const e of f.entries('sysctl.runtime')) {
    const key = procSysPathToKey(e.name);
    if (key) out[key] = parseProcValue(e.text, e.name);
  }
  return out;
};

export interface Forwarding {
  /** net.ipv4.ip_forward. */
  ipv4: number | undefined;
  /** net.ipv4.conf.<iface>.forwarding, including 'all' and 'default'. */
  perInterface: Record<string, number>;
  /** net.ipv6.conf.all.forwarding. */
  ipv6All?: number;
  /** net.ipv6.conf.<iface>.forwarding. */
  ipv6PerInterface: Record<string, number>;
  /** net.ipv6.conf.<iface>.accept_ra. */
  acceptRa: Record<string, number>;
}

export const forwarding: Fact<Forwarding> = (f) => {
  const runtime = f.get(runtimeSysctl);
  const out: Forwarding = {ipv4: undefined, perInterface: {}, ipv6PerInterface: {}, acceptRa: {}};
  for (const [key, value] of Object.entries(runtime)) {
    const n = Number(value);
    if (!/^-?\d+$/.test(value)) throw new ParseError(`/proc/sys/${key.replaceAll('.', '/')}`, 1, value, 'expected an integer');
    if (key === 'net.ipv4.ip_forward') out.ipv4 = n;
    const v4 = interfaceOfKey(key, 'net.ipv4.conf.', '.forwarding');
    if (v4) out.perInterface[v4] = n;
    const v6 = interfaceOfKey(key, 'net.ipv6.conf.', '.forwarding');
    if (v6) out.ipv6PerInterface[v6] = n;
    const ra = interfaceOfKey(key, 'net.ipv6.conf.', '.accept_ra');
    if (ra) out.acceptRa[ra] = n;
  }
  if (out.ipv6PerInterface.all !== undefined) out.ipv6All = out.ipv6PerInterface.all;
  return out;
};

/** sysctl.d directories, highest precedence first: a file name in an earlier one masks later ones. */
export const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'];

/**
 * Persisted sysctl files in the order systemd-sysctl applies them (sysctl.d(5)): per file name the
 * highest-precedence directory wins, files are applied in file-name order across directories,
 * and /etc/sysctl.conf comes last. A later assignment of a key overrides an earlier one.
 */
export const sysctlFiles: Fact<Array<{path: string; conf: SysctlConf}>> = (f) => {
  const entries = f.entries('sysctl.files');
  const chosen = new Map<string, {path: string; rank: number; text: string}>();
  let main: {path: string; text: string} | undefined;
  for (const e of entries) {
    if (e.name === '/etc/sysctl.conf') {
      main = {path: e.name, text: e.text};
      continue;
    }
    const rank = SYSCTL_DIRS.indexOf(posix.dirname(e.name));
    if (rank < 0 || !e.name.endsWith('.conf')) continue;
    const name = posix.basename(e.name);
    const prev = chosen.get(name);
    if (!prev || rank < prev.rank) chosen.set(name, {path: e.name, rank, text: e.text});
  }
  const ordered = [...chosen.entries()].sort(([a], [b]) => compareNames(a, b)).map(([, v]) => v);
  if (main) ordered.push({...main, rank: -1});
  return ordered.map((v) => ({path: v.path, conf: parseSysctlConf(v.text, v.path)}));
};

export const persistedSysctl: Fact<Record<string, {value: string; file: string; line: number}>> = (f) => {
  const out: Record<string, {value: string; file: string; line: number}> = Object.create(null);
  for (const {path, conf} of f.get(sysctlFiles)) {
    for (const a of conf.assignments) out[a.key] = {value: a.value, file: path, line: a.line};
  }
  return out;
};

// --- systemd ---------------------------------------------------------------------------------

/** Units enabled through a symlink in /etc/systemd/system/*.wants/ (the link's file name). */
export const enabledUnits: Fact<Set<string>> = (f) => new Set(f.entries('systemd.wants').map((e) => posix.basename(e.name)));

/** A `systemctl list-units` row without what identifies it (the unit is the key, the line is of no use). */
export type ActiveUnit = Omit<UnitState, 'unit' | 'line'>;

/** `systemctl list-units --all`: unit → load/active/sub state. */
export const activeUnits: Fact<Record<string, ActiveUnit>> = (f) => {
  const out: Record<string, ActiveUnit> = Object.create(null);
  for (const u of parseListUnits(f.command('systemd.units').text, 'systemd.units')) {
    out[u.unit] = {load: u.load, active: u.active, sub: u.sub, description: u.description};
  }
  return out;
};

// --- uptime ----------------------------------------------------------------------------------

/** Seconds since boot (first field of /proc/uptime). */
export const uptimeSeconds: Fact<number> = (f) => {
  const file = f.file('proc.uptime', '/proc/uptime');
  if (!file) throw new FactUnavailable('/proc/uptime was not captured');
  const first = parseProcValue(file.text, '/proc/uptime').split(/\s+/)[0]!;
  if (!/^\d{1,12}(\.\d{1,9})?$/.test(first)) throw new ParseError('/proc/uptime', 1, first, 'expected seconds since boot');
  return Number(first);
};

// --- persisted interface files ---------------------------------------------------------------

export interface IfcfgFile {
  /** Interface name: DEVICE= when set (network-scripts), else the file name after `ifcfg-`. */
  name: string;
  path: string;
  vars: Record<string, string>;
  entries: ShellVar[];
  /** The file is a symlink (SUSE script: ifcfg-tapN → ifcfg-tap0); vars come from the target. */
  linkTarget?: string;
  /** The file (or its link target) could not be parsed, or the target was not captured. */
  error?: string;
}

/** Editor and package-manager leftovers that wicked and network-scripts skip. */
const IFCFG_IGNORED_SUFFIXES = ['~', '.bak', '.orig', '.old', '.rpmnew', '.rpmsave', '.rpmorig', '.scpmbackup', '.swp'];

/** ifcfg files (wicked /etc/sysconfig/network, network-scripts) by interface name. */
export const ifcfgFiles: Fact<Record<string, IfcfgFile>> = (f) => {
  const entries = f.entries('network.ifcfg');
  const byPath = new Map(entries.map((e) => [e.name, e]));
  const out: Record<string, IfcfgFile> = Object.create(null);
  for (const e of entries) {
    const base = posix.basename(e.name);
    if (!base.startsWith('ifcfg-') || IFCFG_IGNORED_SUFFIXES.some((s) => base.endsWith(s))) continue;
    const fileName = base.slice('ifcfg-'.length);
    const linkTarget = e.entry.linkTarget;
    let text = e.text;
    let error: string | undefined;
    if (linkTarget && text === '') {
      const target = byPath.get(posix.resolve(posix.dirname(e.name), linkTarget));
      if (target) text = target.text;
      else error = `link target ${linkTarget} was not captured`;
    }
    const file: IfcfgFile = {name: fileName, path: e.name, vars: Object.create(null), entries: []};
    if (linkTarget) file.linkTarget = linkTarget;
    const parsed = error ? undefined : modelOrParseError(() => parseShellVars(text, e.name));
    if (parsed instanceof ParseError) {
      error = parsed.message;
    } else if (parsed) {
      file.vars = parsed.values;
      file.entries = parsed.entries;
      // A link shares its target's DEVICE=, so only a real file may rename itself.
      if (!linkTarget && parsed.values.DEVICE) file.name = parsed.values.DEVICE;
    }
    if (error) file.error = error;
    out[file.name] = file;
  }
  return out;
};

export interface NmProfileFile {
  path: string;
  profile?: NmProfile;
  error?: string;
}

const NM_CONNECTIONS_DIR = '/etc/NetworkManager/system-connections/';

/**
 * NetworkManager profiles by interface-name (several per name: an OVS bridge has ovs-bridge,
 * ovs-port and ovs-interface profiles all named br1). Profiles without interface-name are keyed
 * by id; unparsable files by file name (without .nmconnection) with `error`.
 */
export const nmProfiles: Fact<Record<string, NmProfileFile[]>> = (f) => {
  const out: Record<string, NmProfileFile[]> = Object.create(null);
  const files = f.entries('network.nm').filter((e) => e.name.startsWith(NM_CONNECTIONS_DIR));
  files.sort((a, b) => compareNames(a.name, b.name));
  for (const e of files) {
    let key = posix.basename(e.name).replace(/\.nmconnection$/, '');
    const item: NmProfileFile = {path: e.name};
    const profile = modelOrParseError(() => parseNmKeyfile(e.text, e.name));
    if (profile instanceof ParseError) {
      item.error = profile.message;
    } else {
      item.profile = profile;
      key = profile.interfaceName ?? profile.id ?? key;
    }
    (out[key] ??= []).push(item);
  }
  return out;
};

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
