// TD103: every tap a tap-class worker instance uses must be re-created at boot and put on the
// bridge by the persisted config: wicked ifcfg-tapN (TUNNEL='tap') plus OVS_BRIDGE_PORT_DEVICE_*
// of ifcfg-<br>; NetworkManager tun profile whose master is an ovs-port profile of the bridge; or an
// ifcfg-rh file with OVS_BRIDGE=<br>. Taps made by hand (`ip tuntap`, `tunctl`, `ovs-vsctl
// add-port`) work now and vanish at reboot, while OVSDB keeps the port (docs/checks/TD012.md; README "Pre-reboot gate").
import {posix} from 'node:path';
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD103-taps-not-persisted.meta.js';
import {FactUnavailable, type Facts} from '../facts/facts.js';
import {ifcfgFiles, type IfcfgFile} from '../facts/network-config/index.js';
import {tapSysfs} from '../facts/host/tap-sysfs.js';
import {switchConfig, tapInstances} from '../facts/openqa.js';
import {ovsDb} from '../facts/ovs.js';
import {fileEvidence} from '../facts/file-evidence.js';
import {ifcfgBoot, ifcfgFlavour, isTapIfcfg, nmConnections, nmControllerOf, ovsBridgePortDevices, type NmConnection} from '../facts/network-config/index.js';
import {stackForFixes, WICKED_DIR} from '../facts/network-stack.js';
import type {Evidence} from '../model.js';
import {addBridgePort, nmTapProfiles, wickedTapFile} from '../remedies/network.js';
import {q} from '../remedies/shell.js';
import {nmModify} from '../remedies/nm.js';
import {step, type Step} from '../remedies/step.js';
import {persistTap} from '../remedies/taps.js';
import {tapOwnerNames} from '../facts/taps.js';
import {describeCandidates, setIfcfgVar, someCandidateWorks, unreadableFile, type Candidate} from './gate-helpers.js';

/** Sets of taps per instance os-autoinst uses: tap(N-1), tap(N-1+64), tap(N-1+128). */
const NIC_SETS = 3;

export default defineCheck(meta, (f) => {
  const instances = f.get(tapInstances);
  if (instances.length === 0) return pass('no tap-class worker instance: no tap is needed after a reboot');
  const bridge = f.get(switchConfig).bridge;

  // The taps the instances need, plus taps of their NIC sets that are bridge ports now (multi-NIC jobs use them).
  const needed = new Map<string, string>();
  for (const i of instances) for (const t of i.taps) needed.set(t, `tap of worker instance ${i.instance}`);
  const db = f.try(ovsDb);
  const portsNow = new Set<string>(db.ok ? db.value.ports.filter((p) => p.bridge === bridge).map((p) => p.name) : []);
  for (const name of portsNow) {
    const m = /^tap(\d{1,3})$/.exec(name);
    if (!m || needed.has(name)) continue;
    const n = Number(m[1]);
    const instance = (n % 64) + 1;
    if (Math.floor(n / 64) < NIC_SETS && instances.some((i) => i.instance === instance)) needed.set(name, `port of ${bridge} now, NIC ${Math.floor(n / 64) + 1} of worker instance ${instance}`);
  }
  const sysfs = f.try(tapSysfs);
  const devicesNow = new Set(sysfs.ok ? sysfs.value.map((t) => t.name) : []);

  const ifcfg = f.get(ifcfgFiles);
  // NetworkManager profiles need root to read: complete wicked configs do without them.
  const nmRead = f.try(nmConnections);
  const nm = nmRead.ok ? nmRead.value : [];
  const bridgeFile = ifcfg[bridge] && ifcfgFlavour(ifcfg[bridge]!) === 'wicked' && !ifcfg[bridge]!.error ? ifcfg[bridge] : undefined;
  const findings: FindingDraft[] = [];
  for (const [tap, why] of [...needed].sort(([a], [b]) => tapNumber(a) - tapNumber(b))) {
    const candidates = [wicked(f, tap, bridge, ifcfg, bridgeFile), ...networkManager(f, tap, bridge, nm), ifcfgRh(f, tap, bridge, ifcfg)].filter((c): c is Candidate => c !== undefined);
    if (someCandidateWorks(candidates)) continue;
    if (!nmRead.ok) throw new FactUnavailable(nmRead.reason);
    const state = devicesNow.has(tap)
      ? `exists now${portsNow.has(tap) ? ` as a port of ${bridge}` : ''}`
      : `is missing now${portsNow.has(tap) ? ` (OVSDB still lists it as a port of ${bridge})` : ''}`;
    const runtime = evidence('runtime', `${tap}: ${devicesNow.has(tap) ? 'tun device in /sys/class/net' : 'no device in /sys/class/net'}; ${portsNow.has(tap) ? `OVS port of ${bridge}` : `not an OVS port of ${bridge}`}`);
    if (candidates.length === 0) {
      findings.push({
        kind: 'no-tap-config',
        subject: tap,
        message: `${tap} (${why}) ${state}, but no persisted config creates it${devicesNow.has(tap) ? ': a hand-made tap, gone after a reboot' : ''}`,
        fix: freshFix(f, tap, bridge, bridgeFile),
        evidence: [runtime, evidence('network config', `no ${WICKED_DIR}ifcfg-${tap}, no NetworkManager tun profile with interface-name=${tap}, no ifcfg-rh file for ${tap}`)],
      });
      continue;
    }
    findings.push({
      kind: 'tap-config-wrong',
      subject: tap,
      message: `${tap} (${why}) ${state}, but the persisted config would not put it on ${bridge} at boot: ${describeCandidates(candidates)}`,
      fix: candidates[0]!.fix,
      evidence: [runtime, ...candidates.flatMap((c) => c.evidence)],
    });
  }
  return findings;
});

function tapNumber(tap: string): number {
  return Number(tap.slice(3)) || 0;
}

/** The bridge's OVS_BRIDGE_PORT_DEVICE list gets the tap (one builder for TD012 and TD103). */
function addPortLine(tap: string, bridge: string, bridgeFile: IfcfgFile | undefined): Step {
  return addBridgePort(bridgeFile?.path ?? `${WICKED_DIR}ifcfg-${bridge}`, bridgeFile?.entries.map((e) => e.name) ?? [], tap);
}

function wicked(f: Facts, tap: string, bridge: string, ifcfg: Record<string, IfcfgFile>, bridgeFile: IfcfgFile | undefined): Candidate | undefined {
  const own = ifcfg[tap];
  const file = own && ifcfgFlavour(own) === 'wicked' ? own : undefined;
  const listed = bridgeFile ? ovsBridgePortDevices(bridgeFile).find((d) => d.device === tap) : undefined;
  if (!file && !bridgeFile) return undefined;
  const problems: string[] = [];
  const fix: Step[] = [];
  const ev: Evidence[] = [];
  if (!file) {
    problems.push(`no ${WICKED_DIR}ifcfg-${tap}`);
    fix.push(wickedTapFile(tap, tapOwnerNames(f)));
  } else if (file.error) {
    problems.push(`${file.path} unreadable: ${file.error}`);
    fix.push(wickedTapFile(tap, tapOwnerNames(f)));
  } else {
    const boot = ifcfgBoot(file);
    const lines = [...boot.lines];
    if (!isTapIfcfg(file)) {
      problems.push(`${file.path}: TUNNEL=${file.vars.TUNNEL ?? '(unset)'}, expected 'tap'`);
      fix.push(setIfcfgVar(file, 'TUNNEL', 'tap'));
    }
    if (!boot.startsAtBoot) {
      problems.push(`${file.path}: ${boot.startReason}, not created at boot`);
      fix.push(setIfcfgVar(file, 'STARTMODE', 'auto'));
    }
    for (const e of file.entries) if (e.name === 'TUNNEL') lines.push(e.line);
    // A link (the setup script's ifcfg-tapN -> ifcfg-tap0) is read through its target.
    if (file.linkTarget) ev.push(evidence(file.path, `symlink -> ${file.linkTarget}`));
    ev.push(fileEvidence(f, 'network.ifcfg', file.linkTarget ? posix.resolve(posix.dirname(file.path), file.linkTarget) : file.path, lines));
  }
  if (!listed) {
    problems.push(bridgeFile ? `not in the OVS_BRIDGE_PORT_DEVICE_* list of ${bridgeFile.path}` : `no wicked ${WICKED_DIR}ifcfg-${bridge} puts it on ${bridge}`);
    fix.push(addPortLine(tap, bridge, bridgeFile));
    if (bridgeFile) ev.push(evidence(bridgeFile.path, ...ovsBridgePortDevices(bridgeFile).map((d) => `${d.name}='${d.device}'`)));
  }
  return {what: 'wicked', problems, fix, evidence: ev};
}

function networkManager(f: Facts, tap: string, bridge: string, all: readonly NmConnection[]): Candidate[] {
  const tuns = all.filter((c) => c.profile.type === 'tun' && c.profile.interfaceName === tap);
  const ports = all.filter((c) => c.profile.type === 'ovs-port' && c.profile.interfaceName === tap);
  if (tuns.length === 0 && ports.length === 0) return [];
  const ev = [...tuns, ...ports].map((c) => fileEvidence(f, 'network.nm', c.path));
  if (tuns.length === 0) {
    return [{what: 'NetworkManager', problems: [`ovs-port profile ${ports[0]!.profile.id ?? ports[0]!.path} exists, but no tun profile creates ${tap}`], fix: [nmTunAdd(f, tap, all)], evidence: ev}];
  }
  return tuns.map((c) => {
    const id = c.profile.id ?? c.path;
    const problems: string[] = [];
    const fix: Step[] = [];
    if (c.profile.tun?.mode !== 'tap') {
      problems.push(`${id}: tun mode ${c.profile.tun?.mode ?? '(unset: tun)'}, expected tap (2)`);
      fix.push(nmModify(id, ['tun.mode', 'tap']));
    }
    if (!c.profile.autoconnect) {
      problems.push(`${id}: autoconnect=false, not created at boot`);
      fix.push(nmModify(id, ['connection.autoconnect', 'yes']));
    }
    const port = nmControllerOf(all, c.profile.master, 'ovs-port');
    const br = port ? nmControllerOf(all, port.profile.master, 'ovs-bridge') : undefined;
    if (!port) {
      problems.push(`${id}: master ${c.profile.master ?? '(unset)'} names no ovs-port profile`);
      fix.push(...nmTapProfiles(tap, bridge, tapOwnerNames(f), {port: false, tun: true}), step('persist', `nm:${id}:connection.master`, [`nmcli connection modify ${q(id)} connection.master ${q(`${tap}-port`)} connection.slave-type ovs-port`]));
    } else if (!br || br.profile.interfaceName !== bridge) {
      problems.push(`${id}: its port ${port.profile.id ?? port.path} belongs to ${br ? `bridge ${br.profile.interfaceName ?? br.profile.id}` : `no ovs-bridge profile (master ${port.profile.master ?? 'unset'})`}, not ${bridge}`);
      fix.push(nmModify(port.profile.id ?? port.path, ['connection.master', bridge]));
    }
    return {what: `NetworkManager profile ${id}`, problems, fix, evidence: ev};
  });
}

/** The tun profile as the setup script adds it, owner and group taken from a sibling profile when there is one. */
function nmTunAdd(f: Facts, tap: string, all: readonly NmConnection[]): Step {
  const sibling = all.find((c) => c.profile.type === 'tun' && c.profile.tun?.mode === 'tap' && c.profile.tun.owner !== undefined);
  const owner = tapOwnerNames(f);
  const tun = sibling?.profile.tun;
  return nmTapProfiles(tap, '', {...owner, ...(tun?.owner !== undefined ? {uid: Number(tun.owner)} : {}), ...(tun?.group !== undefined ? {gid: Number(tun.group)} : {})}, {port: true, tun: false})[0]!;
}

function ifcfgRh(f: Facts, tap: string, bridge: string, ifcfg: Record<string, IfcfgFile>): Candidate | undefined {
  const file = ifcfg[tap];
  if (!file || ifcfgFlavour(file) !== 'ifcfg-rh') return undefined;
  if (file.error) return unreadableFile(file.path, file.error);
  const boot = ifcfgBoot(file);
  const problems: string[] = [];
  const fix: Step[] = [];
  if (file.vars.OVS_BRIDGE !== bridge) {
    problems.push(`OVS_BRIDGE=${file.vars.OVS_BRIDGE ?? '(unset)'}, expected ${bridge}`);
    fix.push(setIfcfgVar(file, 'OVS_BRIDGE', bridge));
  }
  if (!boot.startsAtBoot) {
    problems.push(`${boot.startReason}, not created at boot`);
    fix.push(setIfcfgVar(file, 'ONBOOT', 'yes'));
  }
  // ifup-ovs makes an OVSIntPort an OVS internal device, not a tun/tap qemu can attach to; only
  // OVSPort attaches an existing tap (which something else, e.g. tunctl in ifup-pre-local, creates).
  if (file.vars.TYPE === 'OVSIntPort') {
    problems.push(`TYPE=OVSIntPort makes ${tap} an OVS internal port, not a tap device qemu can open`);
    fix.push(setIfcfgVar(file, 'TYPE', 'OVSPort'));
  }
  const lines = [...boot.lines, ...file.entries.filter((e) => e.name === 'OVS_BRIDGE' || e.name === 'TYPE').map((e) => e.line)];
  return {what: file.path, problems, fix, evidence: [fileEvidence(f, 'network.ifcfg', file.path, lines)]};
}

function freshFix(f: Facts, tap: string, bridge: string, bridgeFile: IfcfgFile | undefined): Step[] {
  const setup = stackForFixes(f);
  if (setup === 'NetworkManager') return persistTap(f, tap, bridge, 'NetworkManager');
  if (setup === 'network-scripts') return persistTap(f, tap, bridge, 'network-scripts');
  return [wickedTapFile(tap, tapOwnerNames(f)), addPortLine(tap, bridge, bridgeFile)];
}
