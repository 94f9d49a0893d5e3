// TD102: the next boot must give the switch service's bridge exactly LOCAL_IP/NETMASK. OVSDB
// keeps the bridge itself across a reboot, but not its address: that comes from the network
// configuration (wicked ifcfg-<br>, NetworkManager ovs-interface profile, ifcfg-rh OVSBridge). An
// address set with `ip addr add` is gone after the boot, and os-autoinst-openvswitch then dies
// with "can't parse bridge local port IP" after INIT_TIMEOUT (os-autoinst script/os-autoinst-openvswitch init_switch).
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD102-bridge-not-persisted.meta.js';
import {FactUnavailable, type Facts} from '../facts/facts.js';
import {ifcfgFiles, ifupDeviceType, type IfcfgFile} from '../facts/network-config/index.js';
import {links} from '../facts/network.js';
import {switchConfig, tapInstances} from '../facts/openqa.js';
import {fileEvidence} from '../facts/file-evidence.js';
import {ifcfgBoot, ifcfgFlavour, isOvsBridgeIfcfg, nmConnections, nmControllerOf, nmIpv4, type NmConnection} from '../facts/network-config/index.js';
import {stackForFixes, WICKED_DIR} from '../facts/network-stack.js';
import type {Evidence} from '../model.js';
import {deleteVars, writeFile} from '../remedies/files.js';
import {nmAdd, nmModify} from '../remedies/nm.js';
import type {Step} from '../remedies/step.js';
import {describeCandidates, setIfcfgVar, someCandidateWorks, unreadableFile, type Candidate} from './gate-helpers.js';

export default defineCheck(meta, (f) => {
  const sw = f.get(switchConfig);
  if (Number.isNaN(sw.netmask)) throw new FactUnavailable(`OS_AUTOINST_BRIDGE_NETMASK of the switch service is not a prefix length (${sw.origin.netmask})`);
  const taps = f.get(tapInstances);
  if (taps.length === 0) return pass('no tap-class worker instance: nothing needs the bridge after a reboot');
  const bridge = sw.bridge;
  const expected = `${sw.localIp}/${sw.netmask}`;

  // NetworkManager profiles need root to read: a complete wicked config does without them.
  const nm = f.try(nmConnections);
  const candidates = [...wickedOrRh(f, bridge, expected), ...(nm.ok ? networkManager(f, nm.value, bridge, expected) : [])];
  if (someCandidateWorks(candidates)) return [];
  if (!nm.ok) throw new FactUnavailable(nm.reason);

  const runtime = runtimeEvidence(f, bridge);
  const switchOrigin = evidence('openqa.switch-config', `OS_AUTOINST_BRIDGE_LOCAL_IP=${sw.localIp} (${sw.origin.localIp}), OS_AUTOINST_BRIDGE_NETMASK=${sw.netmask} (${sw.origin.netmask})`);
  const now = runtime.has ? `${bridge} has ${expected} now, but ` : '';
  const finding: FindingDraft =
    candidates.length === 0
      ? {
          kind: 'no-bridge-config',
          subject: bridge,
          message: `${now}no persisted network config gives ${bridge} ${expected}: after a reboot the bridge has no address and os-autoinst-openvswitch fails`,
          fix: freshFix(f, bridge, expected, taps.flatMap((t) => t.taps)),
          evidence: [runtime.evidence, switchOrigin, evidence('network config', `no ifcfg-${bridge} in ${WICKED_DIR} or /etc/sysconfig/network-scripts/, no NetworkManager ovs profile with interface-name=${bridge}`)],
        }
      : {
          kind: 'bridge-config-wrong',
          subject: bridge,
          message: `${now}the persisted config would not give it ${expected}: ${describeCandidates(candidates)}`,
          fix: candidates[0]!.fix,
          evidence: [runtime.evidence, switchOrigin, ...candidates.flatMap((c) => c.evidence)],
        };
  return [finding];
});

function runtimeEvidence(f: Facts, bridge: string): {has: boolean; evidence: Evidence} {
  const all = f.try(links);
  if (!all.ok) return {has: false, evidence: evidence('ip.addr', `not available: ${all.reason}`)};
  const link = all.value.find((l) => l.name === bridge);
  if (!link) return {has: false, evidence: evidence('ip.addr', `no link ${bridge}`)};
  const inet = link.addrs.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`);
  const sw = f.get(switchConfig);
  return {has: inet.includes(`${sw.localIp}/${sw.netmask}`), evidence: evidence('ip.addr', `${bridge}: inet ${inet.join(', ') || '(none)'}`)};
}

/** wicked ifcfg-<br> (OVS_BRIDGE=yes) or ifcfg-rh (TYPE=OVSBridge). */
function wickedOrRh(f: Facts, bridge: string, expected: string): Candidate[] {
  const file: IfcfgFile | undefined = f.get(ifcfgFiles)[bridge];
  if (!file) return [];
  if (file.error) return [unreadableFile(file.path, file.error)];
  const boot = ifcfgBoot(file);
  const problems: string[] = [];
  const fix: Step[] = [];
  const lines = [...boot.lines];
  if (ifcfgFlavour(file) === 'wicked') {
    if (!isOvsBridgeIfcfg(file)) {
      problems.push(`OVS_BRIDGE=${file.vars.OVS_BRIDGE ?? '(unset)'}, expected 'yes'`);
      fix.push(setIfcfgVar(file, 'OVS_BRIDGE', 'yes'));
    }
    if (!boot.startsAtBoot) {
      problems.push(`${boot.startReason}: not brought up at boot`);
      fix.push(setIfcfgVar(file, 'STARTMODE', 'auto'));
    }
  } else {
    // What ifup acts on (TD105 asks the same): an unset DEVICETYPE is derived from DEVICE.
    const {deviceType, device, explicit} = ifupDeviceType(file);
    if (file.vars.TYPE !== 'OVSBridge') {
      problems.push(`TYPE=${file.vars.TYPE ?? '(unset)'}, expected OVSBridge: ifup-ovs creates the bridge only for that type`);
      fix.push(setIfcfgVar(file, 'TYPE', 'OVSBridge'));
    }
    if (deviceType !== 'ovs') {
      problems.push(explicit ? `DEVICETYPE=${deviceType}, expected ovs: ifup never runs ifup-ovs` : `DEVICETYPE is not set, so ifup derives DEVICETYPE=${deviceType} from DEVICE=${device}, expected ovs: ifup never runs ifup-ovs`);
      fix.push(setIfcfgVar(file, 'DEVICETYPE', 'ovs'));
    }
    if (!boot.startsAtBoot) {
      problems.push(`${boot.startReason}: not brought up at boot`);
      fix.push(setIfcfgVar(file, 'ONBOOT', 'yes'));
    }
  }
  if (!boot.ipv4.includes(expected)) {
    problems.push(`IPv4 ${boot.ipv4.join(', ') || '(none)'}, expected ${expected}`);
    fix.push(setIfcfgVar(file, 'IPADDR', expected));
    // A separate prefix or netmask would override the /NN of IPADDR.
    const stale = ['PREFIXLEN', 'PREFIX', 'NETMASK'].filter((n) => file.vars[n] !== undefined);
    if (stale.length > 0) fix.push(deleteVars(file.path, stale));
    for (const e of file.entries) if (/^(IPADDR|PREFIXLEN|PREFIX|NETMASK)$/.test(e.name)) lines.push(e.line);
  }
  for (const e of file.entries) if (e.name === 'OVS_BRIDGE' || e.name === 'TYPE' || e.name === 'DEVICETYPE') lines.push(e.line);
  return [{what: file.path, problems, fix, evidence: [fileEvidence(f, 'network.ifcfg', file.path, lines)]}];
}

/** NetworkManager: ovs-interface (address) → ovs-port → ovs-bridge, all for interface-name <br>. */
function networkManager(f: Facts, all: readonly NmConnection[], bridge: string, expected: string): Candidate[] {
  const mine = all.filter((c) => c.profile.interfaceName === bridge && (c.profile.type ?? '').startsWith('ovs-'));
  if (mine.length === 0) return [];
  const ifaces = mine.filter((c) => c.profile.type === 'ovs-interface');
  const ev = mine.map((c) => fileEvidence(f, 'network.nm', c.path));
  if (ifaces.length === 0) {
    return [
      {
        what: `NetworkManager profiles for ${bridge} (${mine.map((c) => c.profile.id ?? c.path).join(', ')})`,
        problems: ['no ovs-interface profile carries the address'],
        fix: [nmAdd(`ovs-${bridge}-if`, `type ovs-interface slave-type ovs-port conn.interface ${bridge} master ${portRef(all, bridge)} ipv4.method manual ipv4.addresses ${expected} ipv4.dad-timeout 0`)],
        evidence: ev,
      },
    ];
  }
  return ifaces.map((c) => nmCandidate(all, c, bridge, expected, ev));
}

function portRef(all: readonly NmConnection[], bridge: string): string {
  const port = all.find((c) => c.profile.type === 'ovs-port' && c.profile.interfaceName === bridge);
  return port?.profile.id ?? bridge;
}

function nmCandidate(all: readonly NmConnection[], c: NmConnection, bridge: string, expected: string, ev: Evidence[]): Candidate {
  const id = c.profile.id ?? c.path;
  const problems: string[] = [];
  const fix: Step[] = [];
  const ip = nmIpv4(c.profile);
  if (!ip.ipv4.includes(expected)) {
    problems.push(`ipv4.method ${c.profile.ipv4.method ?? 'auto (default)'}, addresses ${ip.ipv4.join(', ') || '(none)'}, expected manual ${expected}`);
    fix.push(nmModify(id, ['ipv4.method', 'manual'], ['ipv4.addresses', expected]));
  }
  if (!c.profile.autoconnect) {
    problems.push('autoconnect=false: not activated at boot');
    fix.push(nmModify(id, ['connection.autoconnect', 'yes']));
  }
  const port = nmControllerOf(all, c.profile.master, 'ovs-port');
  if (!port) {
    problems.push(`its master ${c.profile.master ?? '(unset)'} names no ovs-port profile`);
    fix.push(nmAdd(`ovs-${bridge}-port`, `type ovs-port conn.interface ${bridge} master ${bridge}`), nmModify(id, ['connection.master', `ovs-${bridge}-port`], ['connection.slave-type', 'ovs-port']));
  } else if (!nmControllerOf(all, port.profile.master, 'ovs-bridge')) {
    problems.push(`its port ${port.profile.id ?? port.path} has master ${port.profile.master ?? '(unset)'}, which names no ovs-bridge profile`);
    fix.push(nmAdd(`ovs-${bridge}`, `type ovs-bridge conn.interface ${bridge}`));
  }
  return {what: `NetworkManager profile ${id} (${c.path})`, problems, fix, evidence: ev};
}

/** Steps that create the whole bridge config in the setup the host uses. */
function freshFix(f: Facts, bridge: string, expected: string, taps: string[]): Step[] {
  const setup = stackForFixes(f);
  if (setup === 'network-scripts') {
    const [addr, prefix] = expected.split('/');
    return [writeFile(`/etc/sysconfig/network-scripts/ifcfg-${bridge}`, [`DEVICE=${bridge}`, 'DEVICETYPE=ovs', 'TYPE=OVSBridge', 'BOOTPROTO=static', `IPADDR=${addr}`, `PREFIX=${prefix}`, 'ONBOOT=yes', 'HOTPLUG=no'])];
  }
  if (setup === 'NetworkManager') {
    return [
      nmAdd(`ovs-${bridge}`, `type ovs-bridge conn.interface ${bridge}`),
      nmAdd(`ovs-${bridge}-port`, `type ovs-port conn.interface ${bridge} master ovs-${bridge}`),
      nmAdd(`ovs-${bridge}-if`, `type ovs-interface conn.interface ${bridge} master ovs-${bridge}-port ipv4.method manual ipv4.addresses ${expected}`),
    ];
  }
  const ports = taps.map((t, i) => `OVS_BRIDGE_PORT_DEVICE_${i}='${t}'`);
  return [writeFile(`${WICKED_DIR}ifcfg-${bridge}`, ["BOOTPROTO='static'", `IPADDR='${expected}'`, "STARTMODE='auto'", "OVS_BRIDGE='yes'", ...ports])];
}
