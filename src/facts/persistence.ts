// Persistence facts for the pre-reboot gate: what the next boot will build, read from the persisted
// configuration (ifcfg files, NetworkManager profiles, enabled units, firewall files), so the gate
// checks (TD1nn) can compare it with the runtime state. README "Pre-reboot gate"; os-autoinst script/os-autoinst-setup-multi-machine and salt-states-openqa openqa/openvswitch.sls; fedora-infra/ansible roles/openqa/worker/tasks/tap-setup.yml.
//
// The persisted network configuration of interfaces (ifcfg files, NetworkManager profiles) is
// network-config/; this module holds the rest: enabled units, the NAT the next boot loads, and
// the GRE pre-up scripts.
import {posix} from 'node:path';
import {modelOrParseError, ParseError, splitLines} from '../parsers/errors.js';
import {parseNftText} from '../parsers/nft/index.js';
import type {Fact, Facts} from './facts.js';
import {fileText} from './file-evidence.js';
import {persistedFirewall, type LoadError, type PersistedRuleFile, matchesInterface} from './firewall/index.js';
import {ifcfgFiles, nmConnections} from './network-config/index.js';
import {enabledUnits, readUnitFile} from './host/units.js';
import {SUSEFIREWALL2_PATH, suseFirewall2, suseFirewall2Masquerades} from './firewall/susefirewall2.js';

// --- enabled units and network setups ----------------------------------------------------------

/** The first of the alternatives that is enabled, or undefined. */
export function enabledOneOf(enabled: ReadonlySet<string>, alternatives: readonly string[]): string | undefined {
  return alternatives.find((u) => enabled.has(u));
}

// --- the persisted firewall's NAT ---------------------------------------------------------------

/** Firewall units and the files their stock (or os-autoinst/salt) units load at boot. */
export const FIREWALL_UNITS: ReadonlyArray<{unit: string; kind: 'firewalld' | 'nft' | 'iptables' | 'susefirewall2'; mainFiles: string[]}> = [
  {unit: 'firewalld.service', kind: 'firewalld', mainFiles: []},
  // os-autoinst-setup-multi-machine and salt: a custom oneshot loading /etc/firewall.nft; Fedora/RHEL:
  // /etc/sysconfig/nftables.conf; Debian, Arch: /etc/nftables.conf.
  {unit: 'nftables.service', kind: 'nft', mainFiles: ['/etc/firewall.nft', '/etc/sysconfig/nftables.conf', '/etc/nftables.conf']},
  {unit: 'iptables.service', kind: 'iptables', mainFiles: ['/etc/sysconfig/iptables']},
  {unit: 'netfilter-persistent.service', kind: 'iptables', mainFiles: ['/etc/iptables/rules.v4']},
  // Older SUSE workers: SuSEfirewall2 generates its rules from the sysconfig file at start.
  {unit: 'SuSEfirewall2.service', kind: 'susefirewall2', mainFiles: [SUSEFIREWALL2_PATH]},
];

export interface PersistedNatRule {
  unit: string;
  origin: string;
  line?: number;
  text: string;
}

export interface PersistedNat {
  uplink: string;
  /** Enabled firewall units. */
  units: string[];
  /** Legal masquerade/SNAT rules for the uplink that an enabled unit loads at boot. */
  rules: PersistedNatRule[];
  /** Legal rules for the uplink in files that would fail to load as a whole. */
  lostRules: PersistedNatRule[];
  /** Files an enabled unit loads that would fail to load as a whole. */
  loadFailures: Array<{unit: string; path: string; errors: LoadError[]}>;
  /** Files an enabled unit loads (for messages). */
  files: Array<{unit: string; path: string}>;
  /** Unit → the ExecStart lines that name its files (when the unit file was captured). */
  loadedBy: Record<string, string>;
  /** SuSEfirewall2: whether its sysconfig masquerades for the uplink and the line that says so or why not. */
  suseFirewall2?: {masquerades: boolean; why: string};
  /** firewalld: the zone the uplink lands in at boot and why. */
  firewalldZone?: {zone?: string; masquerade: boolean; boundBy: string};
  /** What could not be read (a pass on this data would be a guess). */
  problems: string[];
  /** nft includes of loaded files that name no captured file ("/etc/sysconfig/nftables.conf: include …"). */
  unresolvedIncludes: string[];
}

const UNIT_DIRS = ['/etc/systemd/system/', '/usr/lib/systemd/system/', '/lib/systemd/system/'];

const firewallUnitFiles: Fact<Array<{name: string; text: string}>> = (f) => f.entries('systemd.firewall-units');

/**
 * The rule files a firewall unit's effective ExecStart loads at boot (`nft -f FILE`,
 * `iptables-restore FILE`): the /etc unit over the packaged one, then its drop-ins in name order
 * (an empty `ExecStart=` resets the list). Undefined when no unit file was captured or ExecStart
 * names no file (a wrapper script such as RHEL's iptables.init): then the stock files are assumed.
 */
export function unitLoadedFiles(f: Facts, unit: string): {files: string[]; origin: string} | undefined {
  const got = f.try(firewallUnitFiles);
  if (!got.ok) return undefined;
  const byPath = new Map(got.value.map((e) => [e.name, e.text]));
  const main = UNIT_DIRS.map((d) => `${d}${unit}`).find((p) => byPath.has(p));
  if (!main) return undefined;
  const dropIns = [...byPath.keys()].filter((p) => p.startsWith(`/etc/systemd/system/${unit}.d/`)).sort();
  let execStarts: Array<{value: string; origin: string}> = [];
  for (const path of [main, ...dropIns]) {
    for (const e of readUnitFile(f, 'systemd.firewall-units', {name: path, text: byPath.get(path)!}).entries) {
      if (e.section !== 'Service' || e.key !== 'ExecStart') continue;
      execStarts = e.value.trim() === '' ? [] : [...execStarts, {value: e.value, origin: `${path}:${e.line}`}];
    }
  }
  const files: string[] = [];
  for (const {value} of execStarts) {
    const words = value.replace(/^[-@:+!]+/, '').split(/\s+/);
    const tool = posix.basename(words[0] ?? '');
    for (let i = 1; i < words.length; i++) {
      const w = words[i]!;
      if (tool === 'nft' && (w === '-f' || w === '--file') && words[i + 1]?.startsWith('/')) files.push(words[++i]!);
      else if (/^ip6?tables-restore$/.test(tool) && w.startsWith('/')) files.push(w);
    }
  }
  if (files.length === 0) return undefined;
  return {files, origin: execStarts.map((x) => `${x.origin}: ExecStart=${x.value}`).join('; ')};
}

/**
 * Files reachable from the unit's main files through nft `include` (relative to /etc). Includes
 * that name no captured file go to `unresolved`: the file may lie outside what the snapshot
 * captures, so what it holds is unknown.
 */
function reachableNftFiles(files: readonly PersistedRuleFile[], texts: ReadonlyMap<string, string>, mains: readonly string[], unresolved: string[]): PersistedRuleFile[] {
  const byPath = new Map(files.map((x) => [x.path, x]));
  const seen = new Set<string>();
  const queue = mains.filter((m) => byPath.has(m));
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const ruleset = modelOrParseError(() => parseNftText(texts.get(path) ?? '', path));
    const includes = ruleset instanceof ParseError ? [] : ruleset.includes.map((i) => (i.path.startsWith('/') ? i.path : `/etc/${i.path}`));
    for (const inc of includes) {
      const re = new RegExp(`^${inc.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`);
      const hits = [...byPath.keys()].filter((candidate) => re.test(candidate));
      if (hits.length === 0) unresolved.push(`${path}: include "${inc}"`);
      for (const candidate of hits) if (!seen.has(candidate)) queue.push(candidate);
    }
  }
  return [...seen].map((p) => byPath.get(p)!);
}

/**
 * The zone an interface lands in when firewalld starts at boot: the ZONE= of its ifcfg file or
 * the connection.zone of its NetworkManager profile (both re-bind it on ifup), else its binding
 * in the permanent configuration, else the permanent default zone.
 */
export function bootZoneOf(f: Facts, ifname: string, permanent: {zonesOf(i: string): string[]; defaultZone?: string}): {zone?: string; boundBy: string} {
  const ifcfg = f.try(ifcfgFiles);
  const file = ifcfg.ok ? ifcfg.value[ifname] : undefined;
  const zoneVar = file?.vars.ZONE?.trim();
  if (file && zoneVar) return {zone: zoneVar, boundBy: `${file.path}: ZONE=${file.vars.ZONE}`};
  const nm = f.try(nmConnections);
  const profile = nm.ok ? nm.value.find((c) => c.profile.interfaceName === ifname && c.profile.zone) : undefined;
  if (profile) return {zone: profile.profile.zone, boundBy: `${profile.path}: zone=${profile.profile.zone}`};
  const bound = permanent.zonesOf(ifname)[0];
  if (bound) return {zone: bound, boundBy: `permanent binding of ${ifname} to zone ${bound}`};
  return {zone: permanent.defaultZone, boundBy: permanent.defaultZone ? `permanent default zone ${permanent.defaultZone}` : 'no zone binding and no default zone'};
}

/**
 * The rule files an enabled firewall unit (nft or iptables kind) loads at boot: what its ExecStart
 * loads when its unit file was captured, else the stock files; for nft, with the files they include.
 */
export function bootRuleFiles(
  f: Facts,
  u: (typeof FIREWALL_UNITS)[number],
  persisted: readonly PersistedRuleFile[],
  texts: ReadonlyMap<string, string>,
  unresolved: string[],
): {files: PersistedRuleFile[]; loadedBy?: string} {
  const loaded = unitLoadedFiles(f, u.unit);
  const mains = loaded?.files ?? u.mainFiles;
  const files =
    u.kind === 'nft' ? reachableNftFiles(persisted.filter((x) => x.format === 'nft'), texts, mains, unresolved) : persisted.filter((x) => x.format === 'iptables-save' && mains.includes(x.path));
  return loaded ? {files, loadedBy: loaded.origin} : {files};
}

/**
 * What NAT for `uplink` the next boot loads: the legal masquerade rules of every enabled firewall
 * unit's persisted configuration, and the files that would not load as a whole.
 */
export function persistedNatFor(f: Facts, uplink: string): PersistedNat {
  const enabled = f.get(enabledUnits);
  const units = FIREWALL_UNITS.filter((u) => enabled.has(u.unit));
  const out: PersistedNat = {uplink, units: units.map((u) => u.unit), rules: [], lostRules: [], loadFailures: [], files: [], loadedBy: {}, problems: [], unresolvedIncludes: []};
  if (units.length === 0) return out;
  // SuSEfirewall2 needs only its sysconfig file, not the rule-file sources.
  const sf2 = units.find((u) => u.kind === 'susefirewall2');
  if (sf2) {
    const setup = f.try(suseFirewall2);
    if (!setup.ok) out.problems.push(`${sf2.unit} is enabled but ${SUSEFIREWALL2_PATH} could not be read: ${setup.reason}`);
    else if (!setup.value) out.problems.push(`${sf2.unit} is enabled but ${SUSEFIREWALL2_PATH} was not captured`);
    else {
      const c = setup.value.config;
      out.files.push({unit: sf2.unit, path: c.path});
      out.suseFirewall2 = suseFirewall2Masquerades(c, uplink);
      if (out.suseFirewall2.masquerades) out.rules.push({unit: sf2.unit, origin: c.path, text: out.suseFirewall2.why, line: c.lines.FW_MASQUERADE!});
    }
    if (units.length === 1) return out;
  }
  const persisted = f.get(persistedFirewall);
  out.problems.push(...persisted.problems);
  const texts = new Map<string, string>();
  for (const file of persisted.files) texts.set(file.path, fileText(f, 'firewall.files', file.path));

  for (const u of units) {
    if (u.kind === 'susefirewall2') continue;
    if (u.kind === 'firewalld') {
      const zones = persisted.zones;
      if (!zones) {
        out.problems.push('firewalld.service is enabled but its permanent configuration was not captured');
        continue;
      }
      const bz = bootZoneOf(f, uplink, zones);
      const zone = bz.zone ? zones.zones.find((z) => z.name === bz.zone) : undefined;
      const masquerade = zone?.masquerade === true;
      out.firewalldZone = {...(bz.zone ? {zone: bz.zone} : {}), masquerade, boundBy: bz.boundBy};
      if (masquerade) out.rules.push({unit: u.unit, origin: 'firewalld permanent', text: `zone ${bz.zone}: masquerade: yes (${bz.boundBy})`, ...(zone!.line ? {line: zone!.line} : {})});
      continue;
    }
    const {files, loadedBy} = bootRuleFiles(f, u, persisted.files, texts, out.unresolvedIncludes);
    if (loadedBy) out.loadedBy[u.unit] = loadedBy;
    for (const file of files) {
      out.files.push({unit: u.unit, path: file.path});
      if (file.loadErrors.length > 0) out.loadFailures.push({unit: u.unit, path: file.path, errors: file.loadErrors});
      for (const r of file.view.nat) {
        if (!r.legal || (r.action !== 'masquerade' && r.action !== 'snat') || r.family === 'ip6') continue;
        if (!matchesInterface(r.out, uplink)) continue;
        const rule = {unit: u.unit, origin: file.path, text: r.text, ...(r.line !== undefined ? {line: r.line} : {})};
        // `nft -f` and `iptables-restore` load all or nothing: a rule in a refused file is lost.
        (file.loadErrors.length > 0 ? out.lostRules : out.rules).push(rule);
      }
    }
  }
  return out;
}

// --- GRE pre-up scripts -------------------------------------------------------------------------

export interface PreupScript {
  path: string;
  mode?: number;
  text: string;
  /** wicked: named by the bridge's PRE_UP_SCRIPT; NetworkManager: a dispatcher script. */
  via: string;
}

export const NM_DISPATCHER_DIRS = ['/etc/NetworkManager/dispatcher.d/', '/etc/NetworkManager/dispatcher.d/pre-up.d/'];


/** Executable for its owner (wicked, NetworkManager run scripts as root). */
export function isExecutable(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o100) !== 0;
}

/** NetworkManager skips dispatcher scripts writable by group or others (NetworkManager-dispatcher(8)). */
export function nmRefusesScript(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o022) !== 0;
}

/**
 * Whether `text` names the address `addr` as a whole: 192.0.2.2 is not named by
 * `remote_ip=192.0.2.20` (peers in one subnet share prefixes).
 */
export function mentionsAddress(text: string, addr: string): boolean {
  const partOfAddress = (c: string | undefined) => c !== undefined && /[0-9A-Za-z.:]/.test(c);
  for (let at = text.indexOf(addr); at >= 0; at = text.indexOf(addr, at + 1)) {
    if (!partOfAddress(text[at - 1]) && !partOfAddress(text[at + addr.length])) return true;
  }
  return false;
}

/** Uncommented lines of a shell script that mention `needle`. */
export function activeLinesWith(text: string, needle: string): string[] {
  return splitLines(text).filter((l) => {
    const t = l.trim();
    return t !== '' && !t.startsWith('#') && l.split('#', 1)[0]!.includes(needle);
  });
}
