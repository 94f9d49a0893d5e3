// Where the persisted configuration of an OVS bridge lives, in which stack's files.
import type {Facts} from '../facts.js';
import {ifcfgFlavour} from './ifcfg.js';
import {nmConnections} from './nm.js';
import {ifcfgFiles, type NetworkStack} from './read.js';

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
