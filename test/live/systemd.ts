// The systemd of a namespace host, as the commands run in it see it. The host runs no systemd
// (`systemctl` there says "System has not been booted with systemd"), so:
//
//   - the builder writes the host's unit files below the root dir (usr/lib/systemd/system, the
//     firewall unit where salt or the package puts it) and their `systemctl enable` links
//     (rootfs.ts), from hostUnits() below: one list of what the host has;
//   - it writes the units' runtime states to <workdir>/systemd/units.tsv, in list-units order;
//   - a `systemctl` stand-in, first on PATH of every host.exec, answers `list-units` from those
//     files in systemd 252's exact layout (columns padded to the widest cell, the ● mark without
//     --plain, header and legend without --no-legend; real output in
//     test/samples/systemctl-list-units/). A unit run by a daemon this harness started
//     (ovsdb-server, ovs-vswitchd) reads `failed failed` once that process is gone, as systemd
//     says after a SIGKILL of a unit without Restart=. Every other use of systemctl exits 1.
//
// tapdoctor runs unchanged: it calls `systemctl list-units --all --no-legend --plain --no-pager`
// and gets what systemd would print for this host.
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import type {ScenarioSpec} from './spec.js';

/** A unit the host has: its file, whether it is enabled for boot, and its state now. */
export interface HostUnit {
  /** As systemctl lists it (an instance for templates: openqa-worker@1.service). */
  unit: string;
  /** Unit file path relative to the root dir (the template for an instance). */
  file: string;
  fileText: string;
  enabled: boolean;
  active: 'active' | 'failed' | 'inactive';
  sub: 'running' | 'exited' | 'failed' | 'dead';
  /** The daemon whose process decides the state: gone = failed. */
  daemon?: 'ovsdb' | 'vswitchd';
}

const UNIT_DIR = 'usr/lib/systemd/system';

/** `[Unit] Description=` only: the packaged units whose other lines nothing here reads. */
const described = (description: string) => `[Unit]\nDescription=${description}\n`;

/** os-autoinst systemd/os-autoinst-openvswitch.service.in, @pkglibexecdir@ as the packages install it. */
const SWITCH_UNIT_TEXT = [
  '# unit description file for os-autoinst openvswitch helper',
  '[Unit]',
  'Description=os-autoinst openvswitch helper',
  'BindsTo=openvswitch.service',
  'After=openvswitch.service network.target',
  'Before=openqa-worker.target',
  '',
  '[Service]',
  'Type=dbus',
  'BusName=org.opensuse.os_autoinst.switch',
  'Environment=OS_AUTOINST_USE_BRIDGE=br0',
  'EnvironmentFile=-/etc/sysconfig/os-autoinst-openvswitch',
  'ExecStart=/usr/lib/os-autoinst/script/os-autoinst-openvswitch',
  '',
  '[Install]',
  'WantedBy=multi-user.target',
  '',
].join('\n');

/**
 * The firewall unit: SUSE's loads salt's /etc/firewall.nft (in /etc/systemd/system, as in
 * fixtures/healthy-suse), Fedora's is iptables-services' iptables.service (fixtures/healthy-fedora).
 */
function firewallUnitFile(unit: string): {file: string; text: string} {
  if (unit === 'nftables.service') {
    return {
      file: 'etc/systemd/system/nftables.service',
      text: [
        '[Unit]',
        'Description=nftables firewall for openQA multi-machine NAT',
        'Conflicts=firewalld.service',
        'Wants=network-pre.target',
        'Before=network-pre.target',
        '',
        '[Service]',
        'Type=oneshot',
        'RemainAfterExit=yes',
        'ExecStart=/usr/sbin/nft -f /etc/firewall.nft',
        'ExecReload=/usr/sbin/nft -f /etc/firewall.nft',
        'ExecStop=/usr/sbin/nft flush ruleset',
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    };
  }
  return {
    file: `${UNIT_DIR}/iptables.service`,
    text: [
      '[Unit]',
      'Description=IPv4 firewall with iptables',
      'AssertPathExists=/etc/sysconfig/iptables',
      'Before=network-pre.target',
      'Wants=network-pre.target',
      '',
      '[Service]',
      'Type=oneshot',
      'RemainAfterExit=yes',
      'ExecStart=/usr/libexec/iptables/iptables.init start',
      'ExecReload=/usr/libexec/iptables/iptables.init reload',
      'ExecStop=/usr/libexec/iptables/iptables.init stop',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  };
}

/**
 * Every unit of the host, in `systemctl list-units` order (by type suffix, then name, ignoring case).
 * The builder plays the services it does not run (the switch service installed its rules, the
 * workers and the web UI answer), so those are active; the firewall unit failed if the kernel
 * refused its rule file at boot (the builder loaded nothing).
 */
export function hostUnits(spec: ScenarioSpec): HostUnit[] {
  const units: HostUnit[] = [];
  const add = (unit: string, file: string, fileText: string, state: Pick<HostUnit, 'active' | 'sub'>, extra: Partial<HostUnit> = {}) =>
    units.push({unit, file, fileText, enabled: true, ...state, ...extra});
  const running = {active: 'active', sub: 'running'} as const;
  const exited = {active: 'active', sub: 'exited'} as const;

  add('openvswitch.service', `${UNIT_DIR}/openvswitch.service`, described('Open vSwitch'), exited);
  add('ovsdb-server.service', `${UNIT_DIR}/ovsdb-server.service`, described('Open vSwitch Database Unit'), running, {enabled: false, daemon: 'ovsdb'});
  add('ovs-vswitchd.service', `${UNIT_DIR}/ovs-vswitchd.service`, described('Open vSwitch Forwarding Unit'), running, {enabled: false, daemon: 'vswitchd'});
  // The switch service on tap workers only (an overlay node runs none). Type=dbus: active once it
  // holds its bus name, also while it waits for a missing bridge.
  if (isTapWorker(spec)) add('os-autoinst-openvswitch.service', `${UNIT_DIR}/os-autoinst-openvswitch.service`, SWITCH_UNIT_TEXT, running);
  if (spec.networkConfig === 'wicked') add('wicked.service', `${UNIT_DIR}/wicked.service`, described('wicked managed network interfaces'), exited);
  if (spec.networkConfig === 'nm') add('NetworkManager.service', `${UNIT_DIR}/NetworkManager.service`, described('Network Manager'), running);
  const firewall = firewallUnit(spec);
  if (firewall) {
    const {file, text} = firewallUnitFile(firewall);
    add(firewall, file, text, spec.firewall.kind === 'none' ? {active: 'failed', sub: 'failed'} : exited);
  }
  // openQA's units (openQA systemd/*.service): salt enables openqa-worker-auto-restart@N, ansible openqa-worker@N.
  const template = spec.flavour === 'suse' ? 'openqa-worker-auto-restart' : 'openqa-worker';
  for (const {instance} of spec.workers.instances) add(`${template}@${instance}.service`, `${UNIT_DIR}/${template}@.service`, described('openQA Worker #%i'), running);
  if (spec.workers.cacheDirectory && spec.workers.instances.length > 0) {
    add('openqa-worker-cacheservice.service', `${UNIT_DIR}/openqa-worker-cacheservice.service`, described('openQA Worker Cache Service'), running);
    add('openqa-worker-cacheservice-minion.service', `${UNIT_DIR}/openqa-worker-cacheservice-minion.service`, described('openQA Worker Cache Service Minion'), running);
  }
  if (spec.webui === 'here') {
    add('openqa-webui.service', `${UNIT_DIR}/openqa-webui.service`, described('The openQA web UI'), running);
    add('openqa-gru.service', `${UNIT_DIR}/openqa-gru.service`, described('The openQA GRU daemon for various background tasks'), running);
    add('openqa-scheduler.service', `${UNIT_DIR}/openqa-scheduler.service`, described('The openQA Scheduler'), running);
    add('openqa-websockets.service', `${UNIT_DIR}/openqa-websockets.service`, described('The openQA WebSockets server'), running);
  }
  for (const u of units) Object.assign(u, spec.unitStates?.[u.unit]);
  return units.sort((a, b) => listOrder(a.unit, b.unit));
}

/** The unit that loads the host's rule file at boot (also when the builder could not load it). */
function firewallUnit(spec: ScenarioSpec): string | undefined {
  if (spec.firewall.kind === 'suse-nft' || typeof spec.files['etc/firewall.nft'] === 'string') return 'nftables.service';
  if (spec.firewall.kind === 'fedora-iptables' || typeof spec.files['etc/sysconfig/iptables'] === 'string') return 'iptables.service';
  return undefined;
}

/** The switch service runs on openQA tap workers only. */
function isTapWorker(spec: ScenarioSpec): boolean {
  return spec.switchConfig !== null || spec.workers.instances.length > 0;
}

/** systemctl's order: by the type suffix, then by name, both ignoring case (strcasecmp). */
function listOrder(a: string, b: string): number {
  const key = (u: string) => [u.slice(u.lastIndexOf('.')).toLowerCase(), u.toLowerCase()] as const;
  const [sa, na] = key(a);
  const [sb, nb] = key(b);
  return sa < sb ? -1 : sa > sb ? 1 : na < nb ? -1 : na > nb ? 1 : 0;
}

/** The unit states the stand-in in binDir reads: unit TAB active TAB sub TAB daemon pid or -. */
export function unitStatesFile(binDir: string): string {
  return join(binDir, '..', 'units.tsv');
}

/**
 * Writes <dir>/units.tsv (unitStatesFile) and <dir>/bin/systemctl, and returns the bin directory
 * (to put first on PATH).
 */
export function writeSystemctlStandIn(dir: string, rootDir: string, units: HostUnit[], pids: {ovsdb: number; vswitchd: number} | null): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, {recursive: true});
  const states = unitStatesFile(bin);
  writeFileSync(states, units.map((u) => [u.unit, u.active, u.sub, u.daemon && pids ? pids[u.daemon] : '-'].join('\t') + '\n').join(''));
  writeFileSync(join(dir, 'list-units.awk'), LIST_UNITS_AWK);
  const script = [
    '#!/bin/sh',
    '# systemctl stand-in of a tapdoctor live-test host (test/live/systemd.ts): `list-units` only.',
    'verb= all= plain= legend=1',
    'for arg in "$@"; do',
    '  case "$arg" in',
    '    list-units) verb=list-units ;;',
    '    --all|-a) all=1 ;;',
    '    --plain) plain=1 ;;',
    '    --no-legend) legend= ;;',
    '    --no-pager|--full|-l) ;;',
    '    *) echo "systemctl stand-in: \'$*\' is not modelled (only list-units)" >&2; exit 1 ;;',
    '  esac',
    'done',
    '[ "$verb" = list-units ] || { echo "systemctl stand-in: \'$*\' is not modelled (only list-units)" >&2; exit 1; }',
    `exec awk -v root='${rootDir}' -v all="$all" -v plain="$plain" -v legend="$legend" -f '${join(dir, 'list-units.awk')}' '${states}'`,
    '',
  ].join('\n');
  writeFileSync(join(bin, 'systemctl'), script);
  chmodSync(join(bin, 'systemctl'), 0o755);
  return bin;
}

// mawk and gawk alike. Input: unit TAB active TAB sub TAB daemon-pid-or-dash, in list order.
const LIST_UNITS_AWK = String.raw`
BEGIN { FS = "\t" }
# A process that exited (or is a zombie nobody reaped yet) no longer runs its unit.
function alive(pid,   f, line, ok) {
  f = "/proc/" pid "/stat"
  ok = (getline line < f) > 0
  close(f)
  if (!ok) return 0
  sub(/^.*\) /, "", line)
  return substr(line, 1, 1) != "Z"
}
function readable(path,   line, ok) {
  ok = (getline line < path) >= 0
  close(path)
  return ok
}
# /etc/systemd/system before /usr/lib/systemd/system; an instance falls back to its template.
function unitfile(unit,   template, dirs, i, p) {
  template = unit
  if (match(unit, /@[^.]*\./)) template = substr(unit, 1, RSTART) substr(unit, RSTART + RLENGTH - 1)
  split("etc/systemd/system usr/lib/systemd/system", dirs, " ")
  for (i = 1; i <= 2; i++) {
    p = root "/" dirs[i] "/" unit
    if (readable(p)) return p
    p = root "/" dirs[i] "/" template
    if (readable(p)) return p
  }
  return ""
}
function description(unit, path,   line, d, inst) {
  d = unit
  while ((getline line < path) > 0) if (line ~ /^Description=/) d = substr(line, 13)
  close(path)
  if (match(unit, /@[^.]*\./)) { inst = substr(unit, RSTART + 1, RLENGTH - 2); gsub(/%i/, inst, d) }
  return d
}
{
  unit = $1; active = $2; state = $3
  if ($4 != "-" && !alive($4)) { active = "failed"; state = "failed" }
  path = unitfile(unit)
  load = path == "" ? "not-found" : "loaded"
  if (load == "not-found") { active = "inactive"; state = "dead" }
  if (!all && active == "inactive") next
  n++; U[n] = unit; L[n] = load; A[n] = active; S[n] = state; D[n] = path == "" ? unit : description(unit, path)
}
END {
  w1 = 4; w2 = 4; w3 = 6; w4 = 3
  for (i = 1; i <= n; i++) {
    if (length(U[i]) > w1) w1 = length(U[i])
    if (length(L[i]) > w2) w2 = length(L[i])
    if (length(A[i]) > w3) w3 = length(A[i])
    if (length(S[i]) > w4) w4 = length(S[i])
  }
  fmt = "%s%-" w1 "s %-" w2 "s %-" w3 "s %-" w4 "s %s\n"
  if (legend) printf fmt, (plain ? "" : "  "), "UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION"
  for (i = 1; i <= n; i++) printf fmt, (plain ? "" : (A[i] == "failed" || L[i] != "loaded") ? "\342\227\217 " : "  "), U[i], L[i], A[i], S[i], D[i]
  if (!legend) exit
  if (n > 0) {
    print ""
    print "LOAD   = Reflects whether the unit definition was properly loaded."
    print "ACTIVE = The high-level unit activation state, i.e. generalization of SUB."
    print "SUB    = The low-level unit activation state, values depend on unit type."
  }
  printf "%d loaded units listed.%s\n", n, all ? "" : " Pass --all to see loaded but inactive units, too."
  print "To show all installed unit files use 'systemctl list-unit-files'."
}
`;
