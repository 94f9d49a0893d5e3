// Persistence facts for the pre-reboot gate: what the next boot will build, read from the persisted
// configuration (ifcfg files, NetworkManager profiles, enabled units, firewall files), so the gate
// checks (TD1nn) can compare it with the runtime state. README "Pre-reboot gate"; os-autoinst script/os-autoinst-setup-multi-machine and salt-states-openqa openqa/openvswitch.sls; fedora-infra/ansible roles/openqa/worker/tasks/tap-setup.yml.
//
// Three network setups are understood:
//  - wicked:          /etc/sysconfig/network/ifcfg-* (SUSE), run by wicked.service;
//  - NetworkManager:  keyfiles in /etc/NetworkManager/system-connections/, and the ifcfg-rh files in
//                     /etc/sysconfig/network-scripts/ it reads too (Fedora/RHEL);
//  - network-scripts: the same ifcfg-rh files run by the legacy SysV `network` service (pre-2024
//                     Fedora); its enablement lives in /etc/rc.d, which tapdoctor does not read.
import {posix} from 'node:path';
import {parseKeyfileGroups, type NmProfile} from '../parsers/nm-keyfile.js';
import {modelOrParseError, ParseError, splitLines} from '../parsers/errors.js';
import {parseNftText} from '../parsers/nft/index.js';
import {parseUnitFile} from '../parsers/systemd.js';
import type {Evidence} from '../model.js';
import type {Fact, Facts} from './facts.js';
import {persistedFirewall, type LoadError, type PersistedRuleFile, matchesInterface} from './firewall/index.js';
import {ifcfgFiles, nmProfiles, type IfcfgFile, type NmProfileFile} from './host/interface-files.js';
import {enabledUnits} from './host/units.js';
import {SUSEFIREWALL2_PATH, suseFirewall2, suseFirewall2Masquerades} from './firewall/susefirewall2.js';
import {isIpv4, maskToPrefix} from './ipv4.js';
import {ifcfgStack, networkSetup, type NetworkStack} from './network-stack.js';

// --- small helpers -----------------------------------------------------------------------------

/** The verbatim text of 1-based lines of a text (for evidence). */
export function linesOf(text: string, lineNumbers: readonly number[]): string[] {
  const all = splitLines(text);
  return [...new Set(lineNumbers)].sort((a, b) => a - b).flatMap((n) => (n >= 1 && n <= all.length ? [all[n - 1]!] : []));
}

/** The text of a captured file, '' when it is not in the snapshot. */
export function fileText(f: Facts, source: string, path: string): string {
  const got = f.view.file(source, path);
  return got.ok && got.value ? got.value.text : '';
}

/** Evidence from a file: its path and the given lines (every non-comment line when none are given). */
export function fileEvidence(f: Facts, source: string, path: string, lineNumbers?: readonly number[]): Evidence {
  const text = fileText(f, source, path);
  const lines = lineNumbers ? linesOf(text, lineNumbers) : splitLines(text).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return {source: path, lines};
}


// --- enabled units and network setups ----------------------------------------------------------

/** The first of the alternatives that is enabled, or undefined. */
export function enabledOneOf(enabled: ReadonlySet<string>, alternatives: readonly string[]): string | undefined {
  return alternatives.find((u) => enabled.has(u));
}

// --- ifcfg files -------------------------------------------------------------------------------

const WICKED_BOOT_MODES = new Set(['auto', 'onboot', 'on', 'boot', 'hotplug', 'nfsroot', 'ifplugd']);

/** How an ifcfg file's interface comes up at boot, whichever flavour it is. */
export interface IfcfgBoot {
  flavour: 'wicked' | 'ifcfg-rh';
  startsAtBoot: boolean;
  /** The setting that decides it, as written ("STARTMODE='auto'", "ONBOOT=no", "STARTMODE unset (wicked default: manual)"). */
  startReason: string;
  /** IPv4 addresses as CIDR. */
  ipv4: string[];
  dhcp4: boolean;
  /** Lines that set the above (1-based). */
  lines: number[];
}

export function ifcfgFlavour(file: IfcfgFile): 'wicked' | 'ifcfg-rh' {
  return ifcfgStack(file.path) === 'network-scripts' ? 'ifcfg-rh' : 'wicked';
}

function varLine(file: IfcfgFile, name: string): number | undefined {
  let line: number | undefined;
  for (const e of file.entries) if (e.name === name) line = e.line;
  return line;
}

/** Interpret an ifcfg file (wicked: ifcfg(5); ifcfg-rh: nm-settings-ifcfg-rh(5)). */
export function ifcfgBoot(file: IfcfgFile): IfcfgBoot {
  const v = file.vars;
  const flavour = ifcfgFlavour(file);
  const lines: number[] = [];
  const note = (name: string) => {
    const l = varLine(file, name);
    if (l !== undefined) lines.push(l);
  };
  let startsAtBoot: boolean;
  let startReason: string;
  if (flavour === 'wicked') {
    const mode = (v.STARTMODE ?? '').toLowerCase();
    note('STARTMODE');
    startsAtBoot = WICKED_BOOT_MODES.has(mode);
    startReason = v.STARTMODE === undefined || v.STARTMODE === '' ? "STARTMODE unset (wicked's default is manual)" : `STARTMODE='${v.STARTMODE}'`;
  } else {
    const onboot = (v.ONBOOT ?? 'yes').toLowerCase();
    note('ONBOOT');
    startsAtBoot = !['no', 'false', '0', 'n'].includes(onboot);
    startReason = v.ONBOOT === undefined ? 'ONBOOT unset (default yes)' : `ONBOOT=${v.ONBOOT}`;
    if ((v.NM_CONTROLLED ?? '').toLowerCase() === 'no') note('NM_CONTROLLED');
  }
  const bootproto = (v.BOOTPROTO ?? '').toLowerCase();
  if (v.BOOTPROTO !== undefined) note('BOOTPROTO');
  const dhcp4 = flavour === 'wicked' ? bootproto === 'dhcp' || bootproto === 'dhcp4' || bootproto.startsWith('dhcp+') : bootproto === 'dhcp' || bootproto === 'bootp';
  const ipv4: string[] = [];
  for (const [name, value] of Object.entries(v)) {
    const m = /^IPADDR(_?[A-Za-z0-9]*)$/.exec(name);
    if (!m || value.trim() === '') continue;
    const suffix = m[1]!;
    const [addr, inlinePrefix] = value.trim().split('/', 2) as [string, string?];
    if (!isIpv4(addr)) continue;
    let prefix: number | undefined = inlinePrefix !== undefined && /^\d{1,2}$/.test(inlinePrefix) ? Number(inlinePrefix) : undefined;
    const prefixVar = flavour === 'wicked' ? `PREFIXLEN${suffix}` : `PREFIX${suffix}`;
    if (prefix === undefined && v[prefixVar] !== undefined && /^\d{1,2}$/.test(v[prefixVar]!.trim())) {
      prefix = Number(v[prefixVar]!.trim());
      note(prefixVar);
    }
    if (prefix === undefined && v[`NETMASK${suffix}`]) {
      prefix = maskToPrefix(v[`NETMASK${suffix}`]!.trim());
      note(`NETMASK${suffix}`);
    }
    note(name);
    ipv4.push(prefix === undefined ? addr : `${addr}/${prefix}`);
  }
  return {flavour, startsAtBoot, startReason, ipv4, dhcp4, lines};
}

/** Values of wicked's OVS_BRIDGE_PORT_DEVICE[_suffix] list, with their lines. */
export function ovsBridgePortDevices(file: IfcfgFile): Array<{device: string; name: string; line: number}> {
  return file.entries
    .filter((e) => /^OVS_BRIDGE_PORT_DEVICE(_[A-Za-z0-9]+)?$/.test(e.name) && file.vars[e.name] === e.value && e.value.trim() !== '')
    .map((e) => ({device: e.value.trim(), name: e.name, line: e.line}));
}

export function isYes(value: string | undefined): boolean {
  return ['yes', 'y', 'true', '1', 'on'].includes((value ?? '').trim().toLowerCase());
}

// --- NetworkManager ----------------------------------------------------------------------------

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

// --- what the next boot does with one interface ------------------------------------------------

/** An Ethernet profile whose `[ethernet] mac-address` is this MAC. */
function boundToMac(profile: NmProfile, mac: string | undefined): boolean {
  const bound = profile.sections.ethernet?.['mac-address'] ?? profile.sections['802-3-ethernet']?.['mac-address'];
  return mac !== undefined && bound !== undefined && bound.trim().toLowerCase() === mac.toLowerCase();
}

export interface IfaceBoot {
  setup: NetworkStack;
  /** The file that decides it ('' for NetworkManager's automatic profile). */
  path: string;
  startsAtBoot: boolean;
  startReason: string;
  ipv4: string[];
  dhcp4: boolean;
  evidence: Evidence;
  /** The file exists but could not be read; nothing else is known about it. */
  error?: string;
}

/**
 * Every persisted configuration of interface `ifname` in the setups the next boot runs, and, for
 * NetworkManager without any profile for a plain Ethernet device, its automatic DHCP profile.
 */
export function interfaceBoot(f: Facts, ifname: string, opts: {plainEthernet: boolean; mac?: string}): IfaceBoot[] {
  const setup = f.get(networkSetup);
  const out: IfaceBoot[] = [];
  const ifcfg = f.get(ifcfgFiles)[ifname];
  const nmOn = setup.enabled.includes('NetworkManager');
  if (ifcfg) {
    const flavour = ifcfgFlavour(ifcfg);
    const runs: NetworkStack | undefined =
      flavour === 'wicked' ? (setup.enabled.includes('wicked') ? 'wicked' : undefined) : nmOn ? 'NetworkManager' : setup.enabled.includes('network-scripts') ? 'network-scripts' : undefined;
    if (runs) {
      if (ifcfg.error) {
        out.push({setup: runs, path: ifcfg.path, startsAtBoot: false, startReason: 'unreadable', ipv4: [], dhcp4: false, evidence: {source: ifcfg.path, lines: []}, error: ifcfg.error});
      } else {
        const b = ifcfgBoot(ifcfg);
        // NetworkManager ignores ifcfg-rh files that say NM_CONTROLLED=no.
        const nmIgnores = runs === 'NetworkManager' && (ifcfg.vars.NM_CONTROLLED ?? '').toLowerCase() === 'no';
        if (!nmIgnores) {
          out.push({
            setup: runs,
            path: ifcfg.path,
            startsAtBoot: b.startsAtBoot,
            startReason: b.startReason,
            ipv4: b.ipv4,
            dhcp4: b.dhcp4,
            evidence: fileEvidence(f, 'network.ifcfg', ifcfg.linkTarget ? posix.resolve(posix.dirname(ifcfg.path), ifcfg.linkTarget) : ifcfg.path, b.lines),
          });
        }
      }
    }
  }
  if (!nmOn) return out;
  // A profile names its device by interface-name, or (cloud-init, some installers) only by MAC.
  const profiles = f.get(nmConnections).filter((c) => c.profile.interfaceName === ifname || (c.profile.interfaceName === undefined && boundToMac(c.profile, opts.mac)));
  for (const c of profiles) {
    const ip = nmIpv4(c.profile);
    out.push({
      setup: 'NetworkManager',
      path: c.path,
      startsAtBoot: c.profile.autoconnect,
      startReason: `autoconnect=${c.profile.autoconnect ? 'true' : 'false'}${c.profile.sections.connection?.autoconnect === undefined ? ' (default)' : ''}`,
      ipv4: ip.ipv4,
      dhcp4: ip.dhcp4,
      evidence: fileEvidence(f, 'network.nm', c.path),
    });
  }
  const anyNmConfig = profiles.length > 0 || (ifcfg !== undefined && ifcfgFlavour(ifcfg) === 'ifcfg-rh');
  if (!anyNmConfig && opts.plainEthernet) {
    const conf = f.get(nmConf);
    const unmanaged = conf.unmanaged.find((s) => nmSpecMatches(s.spec, ifname, opts.mac));
    const noAuto = conf.noAutoDefault.find((s) => nmSpecMatches(s.spec, ifname, opts.mac));
    if (!unmanaged && !noAuto) {
      out.push({
        setup: 'NetworkManager',
        path: '',
        startsAtBoot: true,
        startReason: `no profile for ${ifname}, no matching no-auto-default or unmanaged-devices`,
        ipv4: [],
        dhcp4: true,
        evidence: {source: 'network.nm', lines: [`no profile with interface-name=${ifname} in /etc/NetworkManager/system-connections/`, 'no [main] no-auto-default matching it in NetworkManager.conf or conf.d/']},
      });
    }
  }
  return out;
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
    for (const e of parseUnitFile(byPath.get(path)!, path).entries) {
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
    // What the unit's ExecStart loads, when its unit file was captured; else the stock files.
    const loaded = unitLoadedFiles(f, u.unit);
    const mains = loaded?.files ?? u.mainFiles;
    if (loaded) out.loadedBy[u.unit] = loaded.origin;
    const files =
      u.kind === 'nft'
        ? reachableNftFiles(persisted.files.filter((x) => x.format === 'nft'), texts, mains, out.unresolvedIncludes)
        : persisted.files.filter((x) => x.format === 'iptables-save' && mains.includes(x.path));
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

export const WICKED_SCRIPTS_DIR = '/etc/wicked/scripts/';
export const NM_DISPATCHER_DIRS = ['/etc/NetworkManager/dispatcher.d/', '/etc/NetworkManager/dispatcher.d/pre-up.d/'];

/** wicked PRE_UP_SCRIPT entries (`wicked:name`, `compat:suse:name`, or an absolute path) → host paths. */
export function wickedScriptPaths(value: string): Array<{entry: string; path?: string}> {
  return value
    .split(/\s+/)
    .filter((e) => e !== '')
    .map((entry) => {
      if (entry.startsWith('wicked:')) return {entry, path: `${WICKED_SCRIPTS_DIR}${entry.slice('wicked:'.length)}`};
      if (entry.startsWith('/')) return {entry, path: entry};
      return {entry};
    });
}

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

// --- where the bridge is configured -------------------------------------------------------------

export interface BridgeHome {
  setup: NetworkStack;
  /** The file(s) that configure the bridge. */
  paths: string[];
}

/**
 * Where the persisted configuration of OVS bridge `bridge` lives: a wicked ifcfg file with
 * OVS_BRIDGE=yes, NetworkManager ovs-bridge/ovs-interface profiles, or an ifcfg-rh
 * TYPE=OVSBridge file. Empty when nothing configures it.
 */
export function bridgeHomes(f: Facts, bridge: string): BridgeHome[] {
  const out: BridgeHome[] = [];
  const ifcfg = f.try(ifcfgFiles);
  const file = ifcfg.ok ? ifcfg.value[bridge] : undefined;
  if (file && ifcfgFlavour(file) === 'wicked') out.push({setup: 'wicked', paths: [file.path]});
  if (file && ifcfgFlavour(file) === 'ifcfg-rh') out.push({setup: 'network-scripts', paths: [file.path]});
  const nm = f.try(nmConnections);
  if (nm.ok) {
    const mine = nm.value.filter((c) => c.profile.interfaceName === bridge && (c.profile.type ?? '').startsWith('ovs-'));
    if (mine.length > 0) out.push({setup: 'NetworkManager', paths: mine.map((c) => c.path)});
  }
  return out;
}

