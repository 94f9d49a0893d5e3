// "What does the persisted network config say about interface X?": where it is configured
// (ifcfg file, NetworkManager profiles), what the next boot does with it, where a bridge lives.
import {posix} from 'node:path';
import type {NmProfile} from '../../parsers/nm-keyfile.js';
import type {Evidence} from '../../model.js';
import type {Facts} from '../facts.js';
import {fileEvidence} from '../file-evidence.js';
import {networkSetup, type NetworkStack} from '../network-stack.js';
import {ifcfgBoot, ifcfgFlavour} from './ifcfg.js';
import {nmConf, nmConnections, nmIpv4, nmSpecMatches} from './nm.js';
import {ifcfgFiles, nmProfiles, type IfcfgFile, type NmProfileFile} from './read.js';

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

export interface PersistedInterface {
  name: string;
  /** The ifcfg file configuring the interface (DEVICE= or file name). */
  ifcfg?: IfcfgFile;
  /** NetworkManager profiles bound to the interface by interface-name (parsed ones only). */
  nm: NmProfileFile[];
  /** Sources that could not be read: the answer may be incomplete ("network.nm: needs root"). */
  unknown: string[];
}

/** Where `name` is configured persistently. */
export function persistedInterface(f: Facts, name: string): PersistedInterface {
  const out: PersistedInterface = {name, nm: [], unknown: []};
  const ifcfg = f.try(ifcfgFiles);
  if (ifcfg.ok) {
    const file = ifcfg.value[name];
    if (file) out.ifcfg = file;
  } else out.unknown.push(`network.ifcfg: ${ifcfg.reason}`);
  const nm = f.try(nmProfiles);
  if (nm.ok) out.nm = (nm.value[name] ?? []).filter((p) => p.profile !== undefined);
  else out.unknown.push(`network.nm: ${nm.reason}`);
  return out;
}
