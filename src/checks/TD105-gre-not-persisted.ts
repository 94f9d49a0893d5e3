// TD105: every GRE port of the bridge must be re-created at boot by the persisted pre-up script:
// wicked's PRE_UP_SCRIPT of ifcfg-<br> (/etc/wicked/scripts/gre_tunnel_preup.sh), a
// NetworkManager dispatcher script, or (network-scripts) an ifcfg-greN OVSTunnel file. The script
// must be executable, and the peer must be in an uncommented line: salt comments out offline
// peers, and a changed script is not re-applied until the next boot (openQA docs/Networking.asciidoc; docs/checks/TD006.md; README "Pre-reboot gate").
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD105-gre-not-persisted.meta.js';
import {ifcfgBoot, ifcfgFiles, ifcfgFlavour, ifcfgLine, ifupDeviceType, wickedScriptPaths, type IfcfgFile} from '../facts/network-config/index.js';
import {switchConfig} from '../facts/openqa.js';
import {ovsDb} from '../facts/ovs.js';
import {mentionsAddress, isExecutable, NM_DISPATCHER_DIRS, nmRefusesScript} from '../facts/persistence.js';
import {scriptNamesPeer, tunnelBoot} from '../facts/tunnel-boot.js';
import type {Evidence} from '../model.js';
import type {SourceFile} from '../sources/snapshot.js';
import {chmodFile, setVar} from '../remedies/files.js';
import {greScript, persistGrePort, persistTunnel} from '../remedies/network.js';
import type {Step} from '../remedies/step.js';

interface Script {
  path: string;
  via: string;
  file?: SourceFile;
  /** Why this script does not re-create the port (empty = it does). */
  problems: string[];
  /** Evidence lines when there is no script text to quote (an ifcfg file's assignments). */
  lines?: string[];
  fix: Step[];
}

export default defineCheck(meta, (f) => {
  const bridge = f.get(switchConfig).bridge;
  const db = f.get(ovsDb);
  const gre = db.ports
    .filter((p) => p.bridge === bridge)
    .flatMap((p) => p.interfaces.filter((i) => i.type === 'gre').map((i) => ({port: p.name, iface: i.name, remote: i.options.remote_ip})));
  if (gre.length === 0) return pass(`no GRE port on ${bridge}: nothing to re-create at boot`);

  const scripts = f.entries('network.preup');
  const ifcfg = f.get(ifcfgFiles);
  const bridgeFile = ifcfg[bridge] && ifcfgFlavour(ifcfg[bridge]!) === 'wicked' ? ifcfg[bridge] : undefined;
  const findings: FindingDraft[] = [];
  for (const g of gre) {
    if (!g.remote) continue; // flow-based GRE without remote_ip: nothing peer-specific to persist
    const candidates = [...wickedScripts(bridgeFile, scripts, g.remote, g.port, bridge), ...nmScripts(scripts, g.remote, g.port, bridge), ...rhTunnels(ifcfg, bridge, g.remote)];
    if (candidates.some((c) => c.problems.length === 0)) continue;
    const runtime = evidence('ovs.interfaces', `${g.iface}: type=gre options:remote_ip=${g.remote} (port of ${bridge})`);
    const ev: Evidence[] = [runtime, ...candidates.map((c) => scriptEvidence(c, g.remote!))];
    if (candidates.length === 0) {
      // Where the boot script goes (the same answer the fleet checks use). No candidate means no
      // script names this peer. A script already there (the dispatcher script of the other peers)
      // gets the line appended and is made runnable: writing it anew would drop the other peers.
      const boot = tunnelBoot(f, bridge);
      const existing = boot.exists ? scripts.find((s) => s.name === boot.path) : undefined;
      const nm = boot.setup === 'NetworkManager';
      const why = boot.setup === 'wicked' && boot.ifcfg ? `${boot.ifcfg} names no PRE_UP_SCRIPT` : existing ? `${boot.path} has no line for ${g.remote}` : 'no dispatcher script';
      findings.push({
        kind: 'no-preup',
        subject: g.port,
        message: `${g.port} (GRE to ${g.remote}) exists now, but no pre-up script re-creates it: ${why}; after a reboot the MM jobs spanning hosts lose their tunnel`,
        // The same steps as a fleet fix persisting a new tunnel on this host (one way, one set of keys).
        fix: [...(existing ? runnable(boot.path, existing, nm).fix : []), ...persistTunnel(boot, g.port, 'gre', g.remote)],
        evidence: ev,
      });
      continue;
    }
    findings.push({
      kind: 'preup-would-not-recreate',
      subject: g.port,
      message: `${g.port} (GRE to ${g.remote}) exists now, but the persisted pre-up would not re-create it: ${candidates.map((c) => `${c.path}: ${c.problems.join('; ')}`).join(' | ')}`,
      fix: candidates.flatMap((c) => c.fix),
      evidence: ev,
    });
  }
  return findings;
});

function scriptEvidence(c: Script, remote: string): Evidence {
  const mode = c.file?.entry.mode;
  const modeLine = mode === undefined ? [] : [`mode ${(mode & 0o7777).toString(8).padStart(4, '0')}`];
  if (c.lines) return evidence(c.path, ...c.lines);
  if (!c.file) return evidence(c.path, `${c.via}: not found`);
  const mentions = c.file.text.split('\n').filter((l) => mentionsAddress(l, remote) || l.includes('add-port'));
  return evidence(c.path, ...modeLine, ...mentions);
}

/** Whether the boot runs the script at all: executable, and (NetworkManager) writable by its owner only. */
function runnable(path: string, file: SourceFile, nm: boolean): {problems: string[]; fix: Step[]} {
  const out: {problems: string[]; fix: Step[]} = {problems: [], fix: []};
  if (!isExecutable(file.entry.mode)) {
    out.problems.push(`not executable (mode ${((file.entry.mode ?? 0) & 0o7777).toString(8).padStart(4, '0')})`);
    out.fix.push(chmodFile(path, '0755'));
  }
  if (nm && nmRefusesScript(file.entry.mode)) {
    out.problems.push('writable by group or others: NetworkManager refuses to run it');
    out.fix.push(chmodFile(path, 'go-w'));
  }
  return out;
}

/** Problems common to a script file: missing, not executable, no live line for the peer. */
function judge(path: string, via: string, file: SourceFile | undefined, remote: string, opts: {nm: boolean; port: string; bridge: string}): Script {
  const s: Script = {path, via, problems: [], fix: []};
  if (file) s.file = file;
  if (!file) {
    s.problems.push('the script does not exist');
    s.fix.push(...greScript(path, opts.bridge, {nmDispatcher: opts.nm}), persistGrePort(path, opts.bridge, opts.port, remote));
    return s;
  }
  const modes = runnable(path, file, opts.nm);
  s.problems.push(...modes.problems);
  s.fix.push(...modes.fix);
  if (!scriptNamesPeer(file.text, remote)) {
    const commented = file.text.split('\n').some((l) => l.trim().startsWith('#') && mentionsAddress(l, remote));
    s.problems.push(commented ? `remote_ip=${remote} is commented out` : `no line adds a GRE port to ${remote}`);
    s.fix.push(persistGrePort(path, opts.bridge, opts.port, remote, commented ? `salt comments out offline peers: if ${remote} is gone for good, drop ${opts.port} instead` : undefined));
  }
  return s;
}

function wickedScripts(bridgeFile: IfcfgFile | undefined, scripts: SourceFile[], remote: string, port: string, bridge: string): Script[] {
  if (!bridgeFile) return [];
  const value = bridgeFile.vars.PRE_UP_SCRIPT ?? '';
  if (value.trim() === '') {
    const guess = scripts.find((s) => s.name.startsWith('/etc/wicked/scripts/') && mentionsAddress(s.text, remote));
    return [
      {
        path: bridgeFile.path,
        via: 'PRE_UP_SCRIPT',
        problems: [`PRE_UP_SCRIPT is not set${guess ? `, so ${guess.name} is never run` : ''}`],
        fix: [setVar(bridgeFile.path, 'PRE_UP_SCRIPT', `wicked:${guess ? guess.name.replace('/etc/wicked/scripts/', '') : 'gre_tunnel_preup.sh'}`)],
      },
    ];
  }
  return wickedScriptPaths(value).map(({entry, path}) => {
    if (!path) return {path: entry, via: `PRE_UP_SCRIPT of ${bridgeFile.path}`, problems: [`${entry}: a script location tapdoctor does not read`], fix: []};
    return judge(path, `PRE_UP_SCRIPT of ${bridgeFile.path}`, scripts.find((s) => s.name === path), remote, {nm: false, port, bridge});
  });
}

/** Dispatcher scripts that mention the peer (a dispatcher script has no registry to name it). */
function nmScripts(scripts: SourceFile[], remote: string, port: string, bridge: string): Script[] {
  return scripts
    .filter((s) => NM_DISPATCHER_DIRS.some((d) => s.name.startsWith(d) && !s.name.slice(d.length).includes('/')) && mentionsAddress(s.text, remote))
    .map((s) => judge(s.name, 'NetworkManager dispatcher', s, remote, {nm: true, port, bridge}));
}

/** The assignments of an OVS tunnel ifcfg that decide what ifup does with it, as `line N: VAR=value`. */
const RH_TUNNEL_VARS = ['DEVICETYPE', 'TYPE', 'DEVICE', 'OVS_BRIDGE', 'OVS_TUNNEL_TYPE', 'OVS_TUNNEL_OPTIONS', 'ONBOOT'];

/**
 * network-scripts: ifcfg-greN as openvswitch's rhel/README.RHEL.rst documents it: DEVICETYPE=ovs,
 * TYPE=OVSTunnel, OVS_TUNNEL_TYPE=gre, OVS_TUNNEL_OPTIONS="options:remote_ip=<peer>". Only
 * DEVICETYPE ovs reaches ifup-ovs (ifupDeviceType); anything else falls back to ifup-eth, which
 * ignores the OVS_* variables. ifup-ovs adds the port with `type=$OVS_TUNNEL_TYPE`.
 */
function rhTunnels(ifcfg: Record<string, IfcfgFile>, bridge: string, remote: string): Script[] {
  return Object.values(ifcfg)
    .filter((x) => ifcfgFlavour(x) === 'ifcfg-rh' && x.vars.TYPE === 'OVSTunnel' && (x.vars.OVS_TUNNEL_OPTIONS ?? '').includes('remote_ip=') && mentionsAddress(x.vars.OVS_TUNNEL_OPTIONS ?? '', remote))
    .map((x) => {
      const lines = RH_TUNNEL_VARS.flatMap((v) => {
        const l = ifcfgLine(x, v);
        return l ? [{line: l.line, text: `line ${l.line}: ${l.text}`}] : [];
      });
      const s: Script = {path: x.path, via: 'ifcfg-rh OVSTunnel', problems: [], fix: [], lines: lines.sort((a, b) => a.line - b.line).map((l) => l.text)};
      const {deviceType, device, explicit} = ifupDeviceType(x);
      if (deviceType !== 'ovs') {
        s.problems.push(
          explicit
            ? `DEVICETYPE=${deviceType}, expected ovs: ifup runs ifup-${deviceType} or ifup-eth, not ifup-ovs`
            : `DEVICETYPE is not set, so ifup derives DEVICETYPE=${deviceType} from DEVICE=${device} and runs ifup-eth, which ignores OVS_TUNNEL_*: not ifup-ovs`,
        );
        s.fix.push(setVar(x.path, 'DEVICETYPE', 'ovs', {style: 'bare'}));
      }
      if (x.vars.OVS_TUNNEL_TYPE !== 'gre') {
        s.problems.push(`${x.vars.OVS_TUNNEL_TYPE ? `OVS_TUNNEL_TYPE=${x.vars.OVS_TUNNEL_TYPE}` : 'OVS_TUNNEL_TYPE is not set'}, expected gre: ifup-ovs adds the port with type=$OVS_TUNNEL_TYPE`);
        s.fix.push(setVar(x.path, 'OVS_TUNNEL_TYPE', 'gre', {style: 'bare'}));
      }
      if (x.vars.OVS_BRIDGE !== bridge) {
        s.problems.push(`OVS_BRIDGE=${x.vars.OVS_BRIDGE ?? '(unset)'}, expected ${bridge}`);
        s.fix.push(setVar(x.path, 'OVS_BRIDGE', bridge, {style: 'bare'}));
      }
      const boot = ifcfgBoot(x);
      if (!boot.startsAtBoot) {
        s.problems.push(`${boot.startReason}: not brought up at boot`);
        s.fix.push(setVar(x.path, 'ONBOOT', 'yes', {style: 'bare'}));
      }
      return s;
    });
}
