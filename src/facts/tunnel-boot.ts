// Where a host re-creates its tunnel ports at boot: the script a fix appends a port's line to
// (wicked: the bridge's PRE_UP_SCRIPT, else the one salt writes; NetworkManager: a dispatcher
// script), whether the snapshot holds it, and the lines that name peers now. The fleet checks'
// fixes and TD105 persist tunnels into this script (remedies/network.ts persistTunnel).
import type {Facts} from './facts.js';
import {ifcfgFiles, ifcfgFlavour, wickedScriptPaths} from './network-config/index.js';
import {stackForFixes, WICKED_DIR, type NetworkStack} from './network-stack.js';
import {activeLinesWith, mentionsAddress} from './persistence.js';

/** Where the boot-time GRE script lives when none exists yet (salt's name; NM: a dispatcher script). */
export function defaultGreScriptPath(setup: NetworkStack): string {
  return setup === 'NetworkManager' ? '/etc/NetworkManager/dispatcher.d/gre_tunnel_preup.sh' : '/etc/wicked/scripts/gre_tunnel_preup.sh';
}

/** Where a host's tunnel ports are re-created at boot, as its facts show it. */
export interface TunnelBootScript {
  path: string;
  /** The snapshot holds the script (else it is written first). */
  exists: boolean;
  setup: NetworkStack;
  bridge: string;
  /** wicked: the bridge's ifcfg file, when its PRE_UP_SCRIPT does not name the script yet. */
  ifcfg?: string;
}

export interface TunnelBoot extends TunnelBootScript {
  /** Uncommented lines of the script that set a remote_ip (the peers the next boot tunnels to). */
  remoteLines: string[];
}

/**
 * The boot script of `bridge`'s tunnels. `named`: a script already known to name tunnels (it wins
 * when the bridge's PRE_UP_SCRIPT lists it, or when nothing else is named).
 */
export function tunnelBoot(f: Facts, bridge: string, named?: string): TunnelBoot {
  const setup = stackForFixes(f);
  const scripts = f.view.entries('network.preup');
  const texts = scripts.ok ? scripts.value : [];
  let path = named ?? defaultGreScriptPath(setup);
  let ifcfg: string | undefined;
  if (setup === 'wicked') {
    const files = f.try(ifcfgFiles);
    const file = files.ok && files.value[bridge] && ifcfgFlavour(files.value[bridge]!) === 'wicked' ? files.value[bridge] : undefined;
    const listed = wickedScriptPaths(file?.vars.PRE_UP_SCRIPT ?? '').flatMap((e) => (e.path ? [e.path] : []));
    if (listed.length === 0) ifcfg = file?.path ?? `${WICKED_DIR}ifcfg-${bridge}`;
    else if (!named || !listed.includes(named)) path = listed[0]!;
  }
  const text = texts.find((s) => s.name === path)?.text;
  const remoteLines = text === undefined ? [] : activeLinesWith(text, 'remote_ip');
  return {path, exists: text !== undefined, setup, bridge, ...(ifcfg ? {ifcfg} : {}), remoteLines};
}

/** The script has an uncommented line tunnelling to `address`: remote_ip and the address before any comment. */
export function bootNames(boot: Pick<TunnelBoot, 'remoteLines'>, address: string): boolean {
  return boot.remoteLines.some((l) => mentionsAddress(l.split('#', 1)[0]!, address));
}

/** The same question of any script's text (TD105 judges every candidate script by it). */
export function scriptNamesPeer(text: string, address: string): boolean {
  return bootNames({remoteLines: activeLinesWith(text, 'remote_ip')}, address);
}
