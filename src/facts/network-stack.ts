// The one answer to "which network stack manages this host?" in one vocabulary (wicked,
// NetworkManager, network-scripts), and where each stack keeps its ifcfg files. Three questions,
// three facts, one vocabulary:
//  - networkStack: the stack fixes are written for (where the bridge and taps are configured,
//    else the stack in use); every check that writes a network fix asks this one, so one host
//    never gets a wicked fix from one check and a NetworkManager fix from another;
//  - networkStacks: every stack in use now (running units, else enabled units, else config files);
//  - networkSetup: the stacks the next boot runs (enabled units).
import type {Fact, Facts} from './facts.js';
import {bridgeHomes} from './network-config/bridge.js';
import {ifcfgFiles, ifcfgStack, nmProfiles, NETWORK_SCRIPTS_DIR, WICKED_DIR, type NetworkStack} from './network-config/read.js';

// Where each stack keeps its ifcfg files is the reader's knowledge; exported here with the vocabulary.
export {ifcfgStack, NETWORK_SCRIPTS_DIR, WICKED_DIR};
import {activeUnits, enabledUnits} from './host/units.js';
import {switchConfig} from './openqa.js';

export type {NetworkStack};

/** The systemd unit of each stack. */
export const STACK_UNITS: Record<NetworkStack, string> = {
  wicked: 'wicked.service',
  NetworkManager: 'NetworkManager.service',
  'network-scripts': 'network.service',
};


export interface StacksInUse {
  /** Stacks that manage interfaces on this host, most certain first. Empty when nothing tells. */
  stacks: NetworkStack[];
  /** What the answer rests on ("wicked.service active", "ifcfg files in /etc/sysconfig/network/"). */
  basis: string[];
}

const RUNNING = new Set(['active', 'activating', 'reloading']);

/**
 * The network stacks in use: running units first (systemctl list-units), else enabled units,
 * else the kind of configuration files present. A host may show more than one (NetworkManager
 * reading network-scripts ifcfg files through its ifcfg-rh plugin).
 */
export const networkStacks: Fact<StacksInUse> = (f) => {
  const stacks: NetworkStack[] = [];
  const basis: string[] = [];
  const add = (s: NetworkStack, why: string) => {
    if (!stacks.includes(s)) stacks.push(s);
    basis.push(why);
  };
  const active = f.try(activeUnits);
  if (active.ok) {
    for (const [stack, unit] of Object.entries(STACK_UNITS) as [NetworkStack, string][]) {
      const state = active.value[unit]?.active;
      if (state && RUNNING.has(state)) add(stack, `${unit} ${state}`);
    }
  }
  if (stacks.length === 0) {
    const enabled = f.try(enabledUnits);
    if (enabled.ok) {
      for (const [stack, unit] of Object.entries(STACK_UNITS) as [NetworkStack, string][]) {
        if (enabled.value.has(unit)) add(stack, `${unit} enabled`);
      }
    }
  }
  if (stacks.length === 0) {
    const ifcfg = f.try(ifcfgFiles);
    if (ifcfg.ok) {
      const paths = Object.values(ifcfg.value).map((x) => x.path);
      if (paths.some((p) => p.startsWith(WICKED_DIR))) add('wicked', `ifcfg files in ${WICKED_DIR}`);
      if (paths.some((p) => p.startsWith(NETWORK_SCRIPTS_DIR))) add('network-scripts', `ifcfg files in ${NETWORK_SCRIPTS_DIR}`);
    }
    const nm = f.try(nmProfiles);
    if (nm.ok && Object.keys(nm.value).length > 0) add('NetworkManager', 'NetworkManager profiles in /etc/NetworkManager/system-connections/');
  }
  return {stacks, basis};
};


export interface NetworkSetup {
  /** Setups that will run at boot (wicked.service / NetworkManager.service enabled). */
  enabled: NetworkStack[];
  /**
   * The legacy network service may run ifcfg-rh files at boot: it is a SysV script whose
   * enablement tapdoctor cannot see, so it is assumed when ifcfg-rh files exist and no other
   * setup is enabled.
   */
  networkScriptsAssumed: boolean;
}

/** Which network setups the next boot runs. Needs the enabled-unit links. */
export const networkSetup: Fact<NetworkSetup> = (f) => {
  const enabled = f.get(enabledUnits);
  const out: NetworkStack[] = [];
  if (enabled.has('wicked.service')) out.push('wicked');
  if (enabled.has('NetworkManager.service')) out.push('NetworkManager');
  const ifcfg = f.try(ifcfgFiles);
  const rhFiles = ifcfg.ok && Object.values(ifcfg.value).some((i) => i.path.startsWith(NETWORK_SCRIPTS_DIR));
  const assumed = out.length === 0 && rhFiles;
  if (assumed || enabled.has('network.service')) out.push('network-scripts');
  return {enabled: out, networkScriptsAssumed: assumed};
};

export interface StackForFixes {
  /** Undefined when nothing tells (no network files, no stack unit seen). */
  stack?: NetworkStack;
  /** What the answer rests on, for messages and evidence. */
  why: string;
}

/** ifcfg files and NM profiles of the bridge, or of the taps, each with the stack that reads them. */
function configuredBy(f: Facts, bridge: string | undefined): {bridge?: StackForFixes; taps?: StackForFixes} {
  const out: {bridge?: StackForFixes; taps?: StackForFixes} = {};
  const isBridge = (name: string, vars: Record<string, string>) => name === bridge || /^br\d+$/.test(name) || vars['OVS_BRIDGE'] === 'yes';
  const isTap = (name: string, vars: Record<string, string>) => /^tap\d+$/.test(name) || vars['TUNNEL'] === 'tap';
  const ifcfg = f.try(ifcfgFiles);
  const files = ifcfg.ok ? Object.values(ifcfg.value).sort((a, b) => Number(ifcfgStack(b.path) === 'wicked') - Number(ifcfgStack(a.path) === 'wicked')) : [];
  const nm = f.try(nmProfiles);
  const profiles = nm.ok ? Object.values(nm.value).flat() : [];
  const bridgeFile = files.find((x) => isBridge(x.name, x.vars));
  const bridgeProfile = profiles.find((p) => (p.profile?.type === 'ovs-bridge' || p.profile?.type === 'ovs-interface') && (bridge === undefined || p.profile?.interfaceName === bridge || p.profile?.type === 'ovs-bridge'));
  // A known bridge is where its own files are (network-config's answer), never a stray file of another bridge.
  const home = bridge !== undefined ? bridgeHomes(f, bridge)[0] : undefined;
  if (home) out.bridge = {stack: home.setup, why: `${home.paths[0]} configures the bridge`};
  else if (bridge !== undefined) {
    // Nothing configures the known bridge: the next boot's stack decides (networkStack).
  } else if (bridgeFile) out.bridge = {stack: ifcfgStack(bridgeFile.path), why: `${bridgeFile.path} configures the bridge`};
  else if (bridgeProfile) out.bridge = {stack: 'NetworkManager', why: `${bridgeProfile.path} configures the bridge`};
  const tapFile = files.find((x) => isTap(x.name, x.vars));
  const tapProfile = profiles.find((p) => p.profile?.type === 'tun' || p.profile?.type === 'ovs-port');
  if (tapFile) out.taps = {stack: ifcfgStack(tapFile.path), why: `${tapFile.path} configures a tap`};
  else if (tapProfile) out.taps = {stack: 'NetworkManager', why: `${tapProfile.path} configures a tap`};
  return out;
}

/**
 * The stack whose syntax network fixes use: the one whose files configure the bridge, else the
 * one the next boot runs (networkSetup), else the one whose files configure the taps, else the
 * first stack in use now (networkStacks).
 */
export const networkStack: Fact<StackForFixes> = (f) => {
  const sw = f.try(switchConfig);
  const files = configuredBy(f, sw.ok ? sw.value.bridge : undefined);
  if (files.bridge) return files.bridge;
  // A fix must survive the reboot: the stack the next boot runs.
  const boot = f.try(networkSetup);
  if (boot.ok) {
    const stack = (['NetworkManager', 'wicked', 'network-scripts'] as const).find((s) => boot.value.enabled.includes(s));
    if (stack) return {stack, why: stack === 'network-scripts' && boot.value.networkScriptsAssumed ? `ifcfg files in ${NETWORK_SCRIPTS_DIR} and no other stack enabled` : `${STACK_UNITS[stack]} enabled`};
  }
  if (files.taps) return files.taps;
  const inUse = f.try(networkStacks);
  if (inUse.ok && inUse.value.stacks[0]) return {stack: inUse.value.stacks[0], why: inUse.value.basis[0] ?? 'in use'};
  return {why: 'nothing tells which network stack configures this host'};
};

/** The stack network fixes are written for; wicked when nothing tells (SUSE workers, the usual case). */
export function stackForFixes(f: Facts): NetworkStack {
  return f.get(networkStack).stack ?? 'wicked';
}
