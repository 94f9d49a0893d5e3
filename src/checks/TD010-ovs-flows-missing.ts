// TD010: the effective bridge lacks the OpenFlow rules os-autoinst-openvswitch installs at start
// (os-autoinst script/os-autoinst-openvswitch, its add-flow rules), or the service does not run. The rules are recognised by structure
// (facts/ovs.ts switchFlowsPresent) against the bridge's current MAC and LOCAL_IP: rules that
// point at another MAC mean the bridge was re-created after the service had started. The set
// expected is the installed script's (facts/ovs.ts switchScript): five rules, eight since 2025-11.
import {FactUnavailable, type Facts} from '../facts/facts.js';
import {activeUnits} from '../facts/host/units.js';
import {ipLinkEvidence} from '../facts/interfaces.js';
import {links} from '../facts/network.js';
import {bridgesWithoutDevice, ovsDaemonsDown, ovsUnitsDown, type OvsDaemon} from '../facts/ovs-daemons.js';
import {SWITCH_UNIT, switchConfig, tapInstances} from '../facts/openqa.js';
import {IPV6_SWITCH_RULES, ovsBridgeNames, ovsFlowErrors, ovsFlows, switchFlowsPresent, switchScript, type SwitchFlowsResult, type SwitchRule, type SwitchScript} from '../facts/ovs.js';
import type {OpenFlow, SwitchConfig} from '../facts/types.js';
import {manual, type Step} from '../remedies/step.js';
import {enableUnit, look, restartSwitch, restartUnit} from '../remedies/system.js';
import {defineCheck, evidence, notApplicable, pass, type FindingDraft} from './define.js';
import meta from './TD010-ovs-flows-missing.meta.js';


export default defineCheck(meta, (f) => {
  const sw = f.get(switchConfig);
  const findings: FindingDraft[] = [];
  const notes: string[] = [];

  const service = serviceState(f);
  if (service.state !== undefined && service.state !== 'active' && !hasTapInstances(f)) {
    return notApplicable(`not a tap worker: no tap-class worker instance and ${SWITCH_UNIT} is not running`);
  }
  if (service.finding) findings.push(service.finding);
  if (service.note) notes.push(service.note);

  // A dead switch first: its rules cannot be read, and that failure is the finding, not a skip.
  const dead = switchDown(f, sw.bridge);
  if (dead.length > 0) return [...dead, ...findings];

  const flows = bridgeFlows(f, sw.bridge);
  if (flows.kind === 'no-bridge') {
    if (findings.length > 0) return findings;
    return notApplicable(`bridge ${sw.bridge} (OS_AUTOINST_USE_BRIDGE) does not exist, so it has no rules to check (TD011 reports the bridge)`);
  }
  {
    const mac = bridgeMac(f, sw.bridge, notes);
    // The installed script decides whether eight rules (IPv6 since 2025-11) or five are expected.
    const known = f.try(switchScript);
    const script = known.ok ? known.value : undefined;
    const result = switchFlowsPresent(flows.flows, {localIp: sw.localIp, rewriteTarget: sw.rewriteTarget, ...(mac ? {bridgeMac: mac} : {}), ...(script ? {ipv6: script.ipv6} : {})});
    const problem = flowProblem(result, sw, mac, script);
    if (problem) {
      const finding = flowFinding(sw, flows.flows, result, problem, service.state === 'active' ? waitingLine(f) : undefined);
      if (script) finding.evidence.push(evidence('openqa.switch-script', script.evidence));
      // Stale rules are proven by the bridge's current MAC beside them.
      const link = result.staleMac.length > 0 ? ipLinkEvidence(f, sw.bridge) : undefined;
      if (link) finding.evidence.push(evidence('ip.addr', link));
      findings.push(finding);
    }
  }
  if (findings.length > 0) return findings;
  return notes.length > 0 ? pass(notes.join('; ')) : [];
});

// --- Open vSwitch itself ---------------------------------------------------------------------

const DAEMON_WHY =
  'Open vSwitch is the switch every SUT of this host is plugged into: without it no frame crosses the bridge, so SUTs reach neither each other nor the bridge address (their gateway), set_vlan of os-autoinst-openvswitch fails when a job starts, and every multi-machine job on this host fails at its first network step.';

/** Findings for OVS daemons or units proven down; empty when the switch answers. */
function switchDown(f: Facts, bridge: string): FindingDraft[] {
  const out: FindingDraft[] = [];
  const units = f.get(ovsUnitsDown);
  const unitLines = units.map((u) => u.line);
  for (const d of f.get(ovsDaemonsDown)) out.push(daemonFinding(d.daemon, bridge, d.proof, [...d.evidence, ...(unitLines.length ? [evidence('systemd.units', ...unitLines)] : [])]));
  if (out.length === 0) {
    // The database lists the bridge, the kernel has no device for it: only ovs-vswitchd creates it.
    const names = f.try(ovsBridgeNames);
    if (names.ok && names.value.includes(bridge) && bridgesWithoutDevice(f, [bridge]).length > 0) {
      out.push(daemonFinding('ovs-vswitchd', bridge, `the OVS database lists bridge ${bridge} but the kernel has no device ${bridge}`, [evidence('ovs.bridges', `bridge ${bridge}`), evidence('ip.addr', `(no link named ${bridge})`)]));
    }
  }
  if (out.length === 0 && units.length > 0) {
    out.push({
      kind: 'openvswitch-unit-down',
      subject: units[0]!.unit,
      message: `${units.map((u) => `${u.unit} is ${u.active} (${u.sub})`).join(', ')}, expected active: the switch of every SUT on this host is not running`,
      explanation: DAEMON_WHY,
      fix: [look(`journal:${units[0]!.unit}`, `journalctl -b ${units.map((u) => `-u ${u.unit}`).join(' ')}   # why it stopped`), ...restartOrder(bridge)],
      evidence: [evidence('systemd.units', ...unitLines)],
    });
  }
  return out;
}

/** ovsdb-server before ovs-vswitchd (openvswitch.service starts both in that order), then the rules. */
function restartOrder(bridge: string): Step[] {
  return [
    restartUnit('openvswitch.service', {note: 'starts ovsdb-server, then ovs-vswitchd'}),
    // A restarted ovs-vswitchd starts without the OpenFlow rules: the switch service re-installs them.
    restartSwitch(bridge),
    look('ovs-show', `ovs-vsctl show   # expect ${bridge} with its tap ports and no error`),
  ];
}

function daemonFinding(daemon: OvsDaemon, bridge: string, proof: string, ev: FindingDraft['evidence']): FindingDraft {
  const journal = daemon === 'ovsdb-server' ? 'journalctl -b -u ovsdb-server -u openvswitch   # why the database server stopped' : 'journalctl -b -u ovs-vswitchd -u openvswitch   # why the switch daemon stopped (crash, OOM kill)';
  return {
    kind: daemon === 'ovsdb-server' ? 'ovsdb-server-down' : 'ovs-vswitchd-down',
    subject: daemon,
    message: `${daemon} is not running: ${proof}`,
    explanation: DAEMON_WHY,
    fix: [look(`journal:${daemon}`, journal), ...restartOrder(bridge)],
    evidence: ev,
  };
}

// --- the service ------------------------------------------------------------------------------

interface ServiceState {
  state?: string;
  finding?: FindingDraft;
  note?: string;
}

function serviceState(f: Facts): ServiceState {
  const units = f.try(activeUnits);
  if (!units.ok) return {note: `the state of ${SWITCH_UNIT} could not be read (${units.reason}); only the rules were checked`};
  const unit = units.value[SWITCH_UNIT];
  if (unit && unit.active === 'active') return {state: 'active'};
  const line = unit ? `${SWITCH_UNIT} ${unit.load} ${unit.active} ${unit.sub} ${unit.description}` : `(no ${SWITCH_UNIT} in the list of loaded units)`;
  const ev = [evidence('systemd.units', line)];
  if (unit?.active === 'activating') {
    return {
      state: 'activating',
      finding: {
        kind: 'switch-service-activating',
        subject: SWITCH_UNIT,
        // Type=dbus: the script takes its bus name before it waits for the bridge, so a unit that
        // waits for the bridge is already active; activating means it has not even taken the name.
        message: `${SWITCH_UNIT} is activating (${unit.sub}), expected active: it has not taken its D-Bus name yet, so set_vlan calls fail`,
        fix: [look(`journal:${SWITCH_UNIT}`, `journalctl -b -u ${SWITCH_UNIT}   # "Waiting for IP on bridge ..." names what it waits for`)],
        evidence: ev,
      },
    };
  }
  const state = unit ? `${unit.active} (sub-state ${unit.sub})` : 'not loaded (not installed?)';
  return {
    state: unit?.active ?? 'missing',
    finding: {
      kind: 'switch-service-down',
      subject: SWITCH_UNIT,
      message: `${SWITCH_UNIT} is ${state}, expected active: workers cannot tag taps (set_vlan) and refuse tap jobs`,
      fix: unit
        ? [look(`journal:${SWITCH_UNIT}`, `journalctl -b -u ${SWITCH_UNIT}   # why it stopped`), enableUnit(SWITCH_UNIT, true)]
        : [manual(`install:${SWITCH_UNIT}`, 'the package manager is the distribution\'s', ['zypper install os-autoinst-openvswitch   # Fedora: dnf install os-autoinst-openvswitch'], 'runtime'), enableUnit(SWITCH_UNIT, true)],
      evidence: ev,
    },
  };
}

/** Unknown counts as yes: only a host proven to have no tap-class instance is no tap worker. */
function hasTapInstances(f: Facts): boolean {
  const taps = f.try(tapInstances);
  return !taps.ok || taps.value.length > 0;
}

// --- the rules --------------------------------------------------------------------------------

type BridgeFlows = {kind: 'flows'; flows: OpenFlow[]} | {kind: 'no-bridge'};

function bridgeFlows(f: Facts, bridge: string): BridgeFlows {
  const all = f.get(ovsFlows);
  const flows = all[bridge];
  if (flows) return {kind: 'flows', flows};
  const error = f.get(ovsFlowErrors)[bridge];
  if (error) throw new FactUnavailable(`the rules of ${bridge} could not be read: ${error}`);
  const names = f.try(ovsBridgeNames);
  if (names.ok && !names.value.includes(bridge)) return {kind: 'no-bridge'};
  throw new FactUnavailable(`no ovs-ofctl dump-flows output for ${bridge}`);
}

function bridgeMac(f: Facts, bridge: string, notes: string[]): string | undefined {
  const all = f.try(links);
  if (!all.ok) {
    notes.push(`the MAC of ${bridge} is unknown (${all.reason}): rules to an old MAC would go unnoticed`);
    return undefined;
  }
  const mac = all.value.find((l) => l.name === bridge)?.mac;
  if (!mac) notes.push(`ip addr shows no MAC for ${bridge}: rules to an old MAC would go unnoticed`);
  return mac;
}

/** The one-line fault, or undefined when every rule is there. */
function flowProblem(r: SwitchFlowsResult, sw: SwitchConfig, mac: string | undefined, script: SwitchScript | undefined): string | undefined {
  if (r.missing.length === 0) return undefined;
  if (r.onlyNormal) return 'only the default rule (priority=0 actions=NORMAL): the service never installed its rules on this bridge, or the bridge was re-created after it started';
  const stale = [...new Set(r.staleMac.map((s) => s.mac))];
  if (stale.length > 0) {
    return `the rules send to ${stale.join(', ')}, but the bridge's MAC is ${mac ?? '?'}: the bridge was re-created after ${SWITCH_UNIT} started (missing for the current MAC: ${r.missing.map((m) => describeRule(m, sw)).join(', ')})`;
  }
  const missing = `missing ${r.missing.map((m) => describeRule(m, sw)).join(', ')} (present: ${r.present.join(', ') || 'none'})`;
  // All IPv4 rules there, only the IPv6 ones missing: the running service is older than the script.
  if (script?.ipv6 && r.missing.every((m) => IPV6_SWITCH_RULES.includes(m))) {
    return `${missing}: ${script.path} installs eight rules, the three IPv6 ones since os-autoinst 26013d06 (2025-11); the running service started from an older version (the package was updated without a restart), so SUT IPv6 traffic to the host is not rewritten`;
  }
  return missing;
}

function describeRule(rule: SwitchRule, sw: SwitchConfig): string {
  switch (rule) {
    case 'default':
      return 'default (priority=0 NORMAL)';
    case 'host-replies':
      return 'host-replies (priority=1,in_port=LOCAL resubmit(,1))';
    case 'arp-gateway':
      return `arp-gateway (priority=100,arp,arp_tpa=${sw.localIp})`;
    case 'ipv4-first':
      return `ipv4-first (priority=100,ip,dl_dst=<bridge MAC> learn, mod_nw_src:${sw.rewriteTarget})`;
    case 'ipv4-other':
      return `ipv4-other (priority=99,ip,dl_dst=<bridge MAC> mod_nw_src:${sw.rewriteTarget})`;
    case 'ipv6-nd':
      return 'ipv6-nd (priority=100,icmp6,icmp_type=135,nd_target=<LOCAL_IPV6> learn, LOCAL)';
    case 'ipv6-first':
      return 'ipv6-first (priority=100,ipv6,dl_dst=<bridge MAC> learn, LOCAL)';
    case 'ipv6-other':
      return 'ipv6-other (priority=99,ipv6,dl_dst=<bridge MAC> LOCAL)';
    default:
      return rule;
  }
}

/**
 * The switch service's last journal line when it says the service is still waiting for the bridge
 * or its address (os-autoinst script/os-autoinst-openvswitch init_switch). The unit is Type=dbus
 * and the script exports its D-Bus name before init_switch: it is `active` with no rules meanwhile.
 */
function waitingLine(f: Facts): string | undefined {
  const journal = f.view.command('journal.switch');
  if (!journal.ok) return undefined;
  const own = journal.value.text.split('\n').filter((l) => /os-autoinst-openvswitch\[\d+\]: /.test(l));
  const last = own.at(-1);
  return last && /Waiting for (IP on )?bridge '/.test(last) ? last : undefined;
}

function flowFinding(sw: SwitchConfig, flows: OpenFlow[], r: SwitchFlowsResult, problem: string, waiting?: string): FindingDraft {
  const table0 = flows.filter((fl) => fl.table === 0).map((fl) => fl.text);
  const ev = [
    evidence('ovs.flows', ...(table0.length > 0 ? table0 : [`(no flows in table 0 of ${sw.bridge})`])),
    evidence('openqa.switch-config', settingLine(sw, 'bridge', 'OS_AUTOINST_USE_BRIDGE', sw.bridge), settingLine(sw, 'localIp', 'OS_AUTOINST_BRIDGE_LOCAL_IP', sw.localIp), settingLine(sw, 'rewriteTarget', 'OS_AUTOINST_BRIDGE_REWRITE_TARGET', sw.rewriteTarget)),
  ];
  if (waiting) {
    ev.push(evidence('journal.switch', waiting));
    return {
      kind: 'waiting-for-bridge',
      subject: sw.bridge,
      message: `${sw.bridge}: ${problem}; ${SWITCH_UNIT} is active but still waiting for the bridge ("${waiting.replace(/^.*?os-autoinst-openvswitch\[\d+\]: /, '')}"): it installs the rules only once ${sw.bridge} exists with an address, and set_vlan calls hang until then`,
      // A restart only waits again: the bridge and its address are what it waits for.
      fix: [look(`address:${sw.bridge}`, `ip -br address show dev ${sw.bridge}   # give it ${sw.localIp}/${sw.netmask} first (TD011); the service then installs the rules by itself, a restart only waits again`)],
      evidence: ev,
    };
  }
  // The service installs its rules when it starts (after waiting for the bridge's address).
  const fix = [restartSwitch(sw.bridge)];
  if (r.missing.includes('arp-gateway') && r.present.includes('ipv4-first')) {
    fix.push(look(`arp-rule:${sw.bridge}`, `the ARP rule is keyed on LOCAL_IP ${sw.localIp}: if ${sw.bridge} carries another address, fix the address first (TD011)`));
  }
  return {kind: 'rules-missing', subject: sw.bridge, message: `${sw.bridge}: ${problem}`, fix, evidence: ev};
}

/** `file:line: VAR=value`, or `VAR=value (default)` when nothing sets it. */
function settingLine(sw: SwitchConfig, key: string, variable: string, value: string): string {
  const origin = sw.origin[key];
  return origin && origin !== 'default' ? `${origin}: ${variable}=${value}` : `${variable}=${value} (default)`;
}
