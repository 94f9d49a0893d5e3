// TD011: the effective bridge (OS_AUTOINST_USE_BRIDGE, default br0) must exist, be an Open vSwitch
// bridge, and carry exactly LOCAL_IP/NETMASK as its first IPv4 address: os-autoinst-openvswitch
// compares "<ip>/<netmask>" with it at start and dies otherwise ("bridge local port IP is expected
// to be 10.0.2.2/15"). REWRITE_TARGET must lie inside LOCAL_IP/NETMASK so replies to the rewritten
// SUT sources route back through the bridge.
import type {Facts} from '../facts/facts.js';
import {ifcfgLine, persistedInterface} from '../facts/network-config/index.js';
import {ipLinkEvidence} from '../facts/interfaces.js';
import {ifcfgStack, networkStacks} from '../facts/network-stack.js';
import {formatNet, ipv4ToNumber, netContains, parseIpv4Net} from '../facts/ipv4.js';
import {links} from '../facts/network.js';
import {SWITCH_SYSCONFIG, SWITCH_UNIT, switchConfig, tapInstances} from '../facts/openqa.js';
import {ovsBridgeNames} from '../facts/ovs.js';
import {bridgesWithoutDevice, ovsDaemonsDown} from '../facts/ovs-daemons.js';
import type {Link, SwitchConfig} from '../facts/types.js';
import type {Evidence} from '../model.js';
import {deleteVars, editLinePattern, replaceLine, setVar, writeFile} from '../remedies/files.js';
import {WICKED_DIR} from '../remedies/network.js';
import {nmAdd, nmModify} from '../remedies/nm.js';
import {q} from '../remedies/shell.js';
import {manual, step, type Step} from '../remedies/step.js';
import {look, restartSwitch, restartUnit, systemdReload} from '../remedies/system.js';
import {defineCheck, evidence, notApplicable, pass, skip, type FindingDraft} from './define.js';
import meta from './TD011-bridge-address.meta.js';

const RESTART = restartSwitch;

export default defineCheck(meta, (f) => {
  const sw = f.get(switchConfig);
  const all = f.get(links);
  const ovs = f.try(ovsBridgeNames);
  const notes: string[] = [];
  if (!ovs.ok) notes.push(`whether ${sw.bridge} is an Open vSwitch bridge could not be read (${ovs.reason})`);
  const findings: FindingDraft[] = [...configFindings(sw)];
  const expected = Number.isInteger(sw.netmask) ? `${sw.localIp}/${sw.netmask}` : undefined;

  const link = all.find((l) => l.name === sw.bridge);
  const isOvs = ovs.ok ? ovs.value.includes(sw.bridge) : undefined;
  // A dead switch takes the bridge's kernel device with it: TD010 reports the daemon, the cause.
  const dead = f.get(ovsDaemonsDown);
  if (!link && (dead.length > 0 || (isOvs && bridgesWithoutDevice(f, [sw.bridge]).length > 0))) {
    if (findings.length > 0) return findings;
    const who = dead[0]?.daemon ?? 'ovs-vswitchd';
    return skip(`${sw.bridge} has no kernel device because ${who} is not running (TD010 reports it): its address cannot be judged until the switch runs`);
  }
  if (link && !link.up && (isOvs ?? true)) findings.push(bridgeDown(f, sw, link));
  if (!link && !isOvs) {
    if (ovs.ok && ovs.value.length === 0 && !hasTapInstances(f)) return notApplicable('not a tap worker: no Open vSwitch bridge and no tap-class worker instance');
    findings.push(missingBridge(f, sw, all, ovs.ok ? ovs.value : [], expected));
  } else if (link && isOvs === false) {
    findings.push(notOvs(f, sw, link, all, ovs.ok ? ovs.value : [], expected));
  } else if (link && expected !== undefined) {
    const wrong = addressFinding(f, sw, link, expected);
    if (wrong) findings.push(wrong);
  }
  if (findings.length > 0) return findings;
  return notes.length > 0 ? pass(notes.join('; ')) : [];
});

/** The bridge exists but is administratively down: its address answers no SUT. */
function bridgeDown(f: Facts, sw: SwitchConfig, link: Link): FindingDraft {
  const inet = link.addrs.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
  return {
    kind: 'bridge-down',
    subject: sw.bridge,
    message: `${sw.bridge} is down (no UP flag, state ${link.operstate})${inet.length ? `: its address ${inet.join(', ')} answers no SUT` : ''}, expected up`,
    explanation:
      'The bridge\'s own interface is the SUTs\' gateway and the host\'s side of the switch: while it is down the kernel has no route to the SUT network, so SUTs reach neither the host (DNS, the openQA web UI) nor anything behind its NAT.',
    fix: [
      step('runtime', `link-up:${sw.bridge}`, [`ip link set dev ${sw.bridge} up`]),
      look(`addr:${sw.bridge}`, `ip -br address show dev ${sw.bridge}   # expect UP and ${Number.isInteger(sw.netmask) ? `${sw.localIp}/${sw.netmask}` : sw.localIp}; if it goes down again at boot, check its persisted config (gate: TD102)`),
    ],
    evidence: [evidence('ip.addr', ipLinkEvidence(f, sw.bridge) ?? `${sw.bridge}: flags ${link.flags.join(',')}`)],
  };
}

function hasTapInstances(f: Facts): boolean {
  const taps = f.try(tapInstances);
  return !taps.ok || taps.value.length > 0;
}

// --- configuration ----------------------------------------------------------------------------

/** `path:line` of a switch setting, split; 'default' has no file. */
function originOf(sw: SwitchConfig, key: string): {path: string; line: number} | undefined {
  const o = sw.origin[key];
  if (!o || o === 'default') return undefined;
  const at = o.lastIndexOf(':');
  return at > 0 ? {path: o.slice(0, at), line: Number(o.slice(at + 1))} : {path: o, line: 0};
}

const VAR_NAMES: Record<string, string> = {
  bridge: 'OS_AUTOINST_USE_BRIDGE',
  localIp: 'OS_AUTOINST_BRIDGE_LOCAL_IP',
  netmask: 'OS_AUTOINST_BRIDGE_NETMASK',
  rewriteTarget: 'OS_AUTOINST_BRIDGE_REWRITE_TARGET',
};

function settingLine(sw: SwitchConfig, key: string, value: string): string {
  const o = originOf(sw, key);
  return o ? `${o.path}:${o.line}: ${VAR_NAMES[key]}=${value}` : `${VAR_NAMES[key]}=${value} (default)`;
}

/** Set a switch variable where it is set now (or in the sysconfig file), then restart the service. */
function setVariable(sw: SwitchConfig, key: string, value: string): Step[] {
  const name = VAR_NAMES[key]!;
  const o = originOf(sw, key);
  if (o && o.path.endsWith('.conf')) {
    return [editLinePattern(o.path, o.line, `${name}=[^" ]*`, `${name}=${value}`, {note: `${o.path} line ${o.line}: Environment=${name}=... -> ${name}=${value}`}), systemdReload(), RESTART(sw.bridge)];
  }
  // An EnvironmentFile line: replace it. The packaged unit's own Environment= is never edited:
  // the EnvironmentFile overrides it.
  if (o && !o.path.endsWith('.service')) return [replaceLine(o.path, o.line, `${name}=${value}`, {note: `${o.path} line ${o.line} -> ${name}=${value}`}), RESTART(sw.bridge)];
  return [setVar(SWITCH_SYSCONFIG, name, value, {style: 'bare'}), RESTART(sw.bridge)];
}

function configFindings(sw: SwitchConfig): FindingDraft[] {
  const out: FindingDraft[] = [];
  const subjectFor = (key: string) => originOf(sw, key)?.path ?? SWITCH_SYSCONFIG;
  const local = ipv4ToNumber(sw.localIp);
  if (local === undefined) {
    out.push({
      kind: 'switch-config-invalid',
      subject: subjectFor('localIp'),
      message: `OS_AUTOINST_BRIDGE_LOCAL_IP='${sw.localIp}' is not an IPv4 address: the service cannot match any bridge address`,
      fix: setVariable(sw, 'localIp', '10.0.2.2'),
      evidence: [evidence('openqa.switch-config', settingLine(sw, 'localIp', sw.localIp))],
    });
  }
  if (!Number.isInteger(sw.netmask) || sw.netmask < 0 || sw.netmask > 32) {
    const raw = sw.environment?.OS_AUTOINST_BRIDGE_NETMASK ?? String(sw.netmask);
    out.push({
      kind: 'switch-config-invalid',
      subject: subjectFor('netmask'),
      message: `OS_AUTOINST_BRIDGE_NETMASK='${raw}' is not a prefix length (expected e.g. 15): the service compares "<ip>/<netmask>" and never matches`,
      fix: setVariable(sw, 'netmask', '15'),
      evidence: [evidence('openqa.switch-config', settingLine(sw, 'netmask', raw))],
    });
    return out;
  }
  const net = local === undefined ? undefined : parseIpv4Net(`${sw.localIp}/${sw.netmask}`);
  const target = ipv4ToNumber(sw.rewriteTarget);
  if (net && (target === undefined || !netContains(net, target))) {
    out.push({
      kind: 'switch-config-invalid',
      subject: subjectFor('rewriteTarget'),
      message: `OS_AUTOINST_BRIDGE_REWRITE_TARGET=${sw.rewriteTarget} lies outside LOCAL_IP/NETMASK ${formatNet(net)}: replies to the rewritten SUT sources are not routed back through the bridge`,
      fix: [look(`rewrite-target:${sw.bridge}`, `pick a /16 inside ${formatNet(net)} that the SUTs do not use (SUSE: 10.1.0.0 in 10.0.0.0/15; Fedora: 172.17.0.0 in 172.16.0.0/15)`), ...setVariable(sw, 'rewriteTarget', suggestTarget(net))],
      evidence: [evidence('openqa.switch-config', settingLine(sw, 'rewriteTarget', sw.rewriteTarget), settingLine(sw, 'localIp', sw.localIp), settingLine(sw, 'netmask', String(sw.netmask)))],
    });
  }
  return out;
}

/** The upper /16 of a /15 (10.0.0.0/15 -> 10.1.0.0), else the network address itself. */
function suggestTarget(net: {base: number; prefix: number}): string {
  const n = net.prefix === 15 ? net.base + 0x10000 : net.base;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

// --- the bridge -------------------------------------------------------------------------------

const firstInet = (l: Link) => l.addrs.find((a) => a.family === 'inet');

/** Another OVS bridge that carries the expected address: the one the config probably meant. */
function rightfulBridge(all: Link[], ovsBridges: string[], bridge: string, expected: string | undefined): Link | undefined {
  if (!expected) return undefined;
  return all.find((l) => l.name !== bridge && ovsBridges.includes(l.name) && firstInet(l) && `${firstInet(l)!.local}/${firstInet(l)!.prefixlen}` === expected);
}

function switchEvidence(sw: SwitchConfig): Evidence {
  return evidence('openqa.switch-config', settingLine(sw, 'bridge', sw.bridge));
}

function missingBridge(f: Facts, sw: SwitchConfig, all: Link[], ovsBridges: string[], expected: string | undefined): FindingDraft {
  const other = rightfulBridge(all, ovsBridges, sw.bridge, expected);
  const ev: Evidence[] = [switchEvidence(sw)];
  if (ovsBridges.length > 0) ev.push(evidence('ovs.bridges', `Open vSwitch bridges: ${ovsBridges.join(', ')}`));
  if (other) ev.push(evidence('ip.addr', ipLinkEvidence(f, other.name) ?? other.name));
  const placeholder = /^(bridge_name|<.*>|\$\{?\w+\}?|)$/.test(sw.bridge) ? ' (a placeholder from the docs, not a bridge name)' : '';
  const message = other
    ? `bridge ${sw.bridge}${placeholder} does not exist; Open vSwitch bridge ${other.name} carries ${expected}: ${VAR_NAMES.bridge} names the wrong bridge`
    : `bridge ${sw.bridge}${placeholder} does not exist (${VAR_NAMES.bridge}${originOf(sw, 'bridge') ? '' : ' default'}); expected an Open vSwitch bridge ${sw.bridge} with ${expected ?? 'LOCAL_IP/NETMASK'}`;
  const fix = other ? setVariable(sw, 'bridge', other.name) : createBridgeFix(f, sw.bridge, expected ?? '10.0.2.2/15');
  return {kind: 'bridge-missing', subject: sw.bridge, message, fix, evidence: ev};
}

/**
 * A bridge that is missing now. Bringing its configuration up (wicked ifup, nmcli connection up)
 * is safe here: with no bridge there are no flows to lose, and the switch service is restarted
 * after it to install them. (On a bridge that exists, re-applying its config re-creates it and
 * drops the flows: TD012 and TD102 never do that.)
 */
function createBridgeFix(f: Facts, bridge: string, address: string): Step[] {
  const persisted = persistedInterface(f, bridge);
  // Writing a new ifcfg file would wipe its OVS_BRIDGE_PORT_DEVICE_N, PRE_UP_SCRIPT (GRE) and
  // ZONE lines; adding NM profiles would duplicate the existing ones.
  if (persisted.nm.length > 0) {
    const ids = persisted.nm.map((p) => p.profile?.id ?? bridge);
    return [step('runtime', `bridge-up:${bridge}`, [`# ${bridge} is configured in ${persisted.nm.map((p) => p.path).join(', ')} but not up: bring those profiles up`, ...ids.map((id) => `nmcli connection up ${q(id)}`)]), RESTART(bridge)];
  }
  if (persisted.ifcfg && !persisted.ifcfg.error) {
    const file = persisted.ifcfg.path;
    const wicked = ifcfgStack(file) === 'wicked';
    return [
      step('runtime', `bridge-up:${bridge}`, [`# ${file} configures ${bridge} but it is not up: bring it up (keep the file: it lists the tap ports)`, wicked ? `wicked ifup ${bridge}` : `ifup ${bridge}`]),
      RESTART(bridge),
      ...(wicked ? [look(`ifstatus:${bridge}`, `wicked ifstatus ${bridge}   # why it did not come up`)] : []),
    ];
  }
  const stack = stackFor(f, bridge);
  if (stack === 'NetworkManager') {
    return [
      nmAdd(`ovs-${bridge}`, `type ovs-bridge conn.interface ${bridge}`),
      nmAdd(`ovs-${bridge}-port`, `type ovs-port conn.interface ${bridge} master ovs-${bridge}`),
      nmAdd(`ovs-${bridge}-if`, `type ovs-interface slave-type ovs-port conn.interface ${bridge} master ovs-${bridge}-port ipv4.method manual ipv4.addresses ${address} ipv4.dad-timeout 0`),
      step('reload', `bridge-up:${bridge}`, [`nmcli connection up ovs-${bridge}-if`]),
      RESTART(bridge),
    ];
  }
  if (stack === 'wicked') {
    return [
      writeFile(`${WICKED_DIR}ifcfg-${bridge}`, ["BOOTPROTO='static'", "STARTMODE='auto'", "OVS_BRIDGE='yes'", `IPADDR='${address}'`]),
      manual(`bridge-ports:${bridge}`, 'which taps belong on the bridge is the admin\'s', [`# add OVS_BRIDGE_PORT_DEVICE_N='tapN' per tap to ${WICKED_DIR}ifcfg-${bridge}`]),
      step('reload', `bridge-up:${bridge}`, [`wicked ifup ${bridge}`]),
      RESTART(bridge),
    ];
  }
  return [
    step('runtime', `bridge-up:${bridge}`, [`ovs-vsctl --may-exist add-br ${bridge}`, `ip address add ${address} dev ${bridge}`, `ip link set ${bridge} up`]),
    manual(`bridge-persist:${bridge}`, 'the network stack is unknown', [`# persist ${bridge} and its address in the network configuration`]),
    RESTART(bridge),
  ];
}

function stackFor(f: Facts, iface: string): 'NetworkManager' | 'wicked' | 'network-scripts' | undefined {
  const p = persistedInterface(f, iface);
  if (p.nm.length > 0) return 'NetworkManager';
  if (p.ifcfg) return ifcfgStack(p.ifcfg.path);
  // Nothing configures the bridge yet: whichever stack runs.
  const stacks = f.try(networkStacks);
  return stacks.ok ? stacks.value.stacks[0] : undefined;
}

function notOvs(f: Facts, sw: SwitchConfig, link: Link, all: Link[], ovsBridges: string[], expected: string | undefined): FindingDraft {
  const what = link.kind === 'bridge' ? 'a Linux bridge' : link.kind ? `a ${link.kind} device` : 'a plain network interface';
  const slaves = all.filter((l) => l.master === link.name).map((l) => l.name);
  const other = rightfulBridge(all, ovsBridges, sw.bridge, expected) ?? all.find((l) => ovsBridges.includes(l.name));
  const ev: Evidence[] = [switchEvidence(sw), evidence('ip.addr', ipLinkEvidence(f, link.name) ?? link.name)];
  ev.push(evidence('ovs.bridges', ovsBridges.length > 0 ? `Open vSwitch bridges: ${ovsBridges.join(', ')}` : 'Open vSwitch has no bridge'));
  const message = `${sw.bridge} is ${what}${slaves.length ? ` over ${slaves.join(', ')}` : ''}, not an Open vSwitch bridge${other ? `; the Open vSwitch bridge is ${other.name}` : ''}: os-autoinst-openvswitch cannot tag taps on it`;
  const fix = other
    ? setVariable(sw, 'bridge', other.name)
    : [look(`bridge-name:${sw.bridge}`, `${sw.bridge} is taken by ${what}; create the Open vSwitch bridge under another name (e.g. br1) and point ${VAR_NAMES.bridge} at it`), ...createBridgeFix(f, 'br1', expected ?? '10.0.2.2/15'), ...setVariable(sw, 'bridge', 'br1')];
  return {kind: 'not-ovs-bridge', subject: sw.bridge, message, fix, evidence: ev};
}

function addressFinding(f: Facts, sw: SwitchConfig, link: Link, expected: string): FindingDraft | undefined {
  const inet = link.addrs.filter((a) => a.family === 'inet');
  const first = inet[0];
  const actual = first ? `${first.local}/${first.prefixlen}` : undefined;
  if (actual === expected) return undefined;
  const elsewhere = inet.slice(1).some((a) => `${a.local}/${a.prefixlen}` === expected);
  const message = !first
    ? `${sw.bridge} has no IPv4 address, expected ${expected}: os-autoinst-openvswitch logs "Waiting for IP on bridge '${sw.bridge}'" for OS_AUTOINST_OPENVSWITCH_INIT_TIMEOUT seconds, then dies with "can't parse bridge local port IP"`
    : `${sw.bridge}'s first IPv4 address is ${actual}, expected ${expected}${elsewhere ? ` (${expected} is there, but not first)` : ''}: os-autoinst-openvswitch refuses to start ("bridge local port IP is expected to be ${expected}")`;
  const now: string[] = [];
  // Idempotent: each change only while the bridge still has (or lacks) that address.
  const has = (cidr: string) => `ip -4 -o address show dev ${sw.bridge} | grep -qF ' ${cidr} '`;
  for (const a of inet) if (`${a.local}/${a.prefixlen}` !== expected) now.push(`! ${has(`${a.local}/${a.prefixlen}`)} || ip address del ${a.local}/${a.prefixlen} dev ${sw.bridge}`);
  if (!elsewhere) now.push(`${has(expected)} || ip address add ${expected} dev ${sw.bridge}`);
  return {
    kind: first ? 'address-wrong' : 'no-address',
    subject: sw.bridge,
    message,
    fix: [step('runtime', `bridge-address:${sw.bridge}`, now), ...persistAddressFix(f, sw.bridge, expected), RESTART(sw.bridge)],
    evidence: [evidence('ip.addr', ipLinkEvidence(f, sw.bridge) ?? `${sw.bridge}: ${inet.map((a) => `${a.local}/${a.prefixlen}`).join(', ') || 'no IPv4'}`), evidence('openqa.switch-config', settingLine(sw, 'localIp', sw.localIp), settingLine(sw, 'netmask', String(sw.netmask)))],
  };
}

/** The persisted address: the ifcfg IPADDR line or the NM profile holding the bridge's IPv4. */
function persistAddressFix(f: Facts, bridge: string, expected: string): Step[] {
  const p = persistedInterface(f, bridge);
  const nm = p.nm.find((x) => x.profile?.type === 'ovs-interface') ?? p.nm.find((x) => (x.profile?.ipv4.addresses.length ?? 0) > 0);
  if (nm?.profile) return [nmModify(nm.profile.id ?? bridge, ['ipv4.method', 'manual'], ['ipv4.addresses', expected], ['ipv4.dad-timeout', '0'])];
  if (p.ifcfg && !p.ifcfg.error) {
    const file = p.ifcfg;
    const [ip, prefix] = expected.split('/');
    const stale = ['PREFIXLEN', 'PREFIX', 'NETMASK'].filter((n) => file.vars[n] !== undefined);
    const line = ifcfgLine(file, 'IPADDR');
    const note = line ? {note: `${file.path} line ${line.line}: ${line.text} -> IPADDR='${expected}'`} : {};
    if (ifcfgStack(file.path) === 'wicked') return [setVar(file.path, 'IPADDR', expected, note), ...(stale.length ? [deleteVars(file.path, stale)] : [])];
    return [setVar(file.path, 'IPADDR', ip!, {style: 'bare'}), ...(stale.filter((n) => n !== 'PREFIX').length ? [deleteVars(file.path, stale.filter((n) => n !== 'PREFIX'))] : []), setVar(file.path, 'PREFIX', prefix!, {style: 'bare'})];
  }
  return [manual(`bridge-persist:${bridge}`, `no ifcfg-${bridge} or NetworkManager profile for ${bridge} was found`, [`# persist the address in the network configuration, or it is gone after reboot`])];
}

