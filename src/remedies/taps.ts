// How to make a tap survive a reboot, and its owner right at every boot, per network stack. Moved
// here from facts/taps.ts: the facts answer which stack, which files and which owner; this file
// turns those answers into steps, the same steps for TD012, TD013 and TD103.
import type {Facts} from '../facts/facts.js';
import {ifcfgEntry, ifcfgFiles, listsBridgePort, nmProfiles} from '../facts/network-config/index.js';
import {tapOwnerNames, workerIdentity} from '../facts/taps.js';
import {type NetworkStack} from '../facts/network-stack.js';
import {setVar, writeFile} from './files.js';
import {addBridgePort, nmTapProfiles, WICKED_DIR, wickedTapFile, type TapOwner} from './network.js';
import {q} from './shell.js';
import {manual, step, type Step} from './step.js';

/** The persisted config that creates the tap at boot and puts it on the bridge. */
export function persistTap(f: Facts, tap: string, bridge: string, stack: NetworkStack | undefined): Step[] {
  const owner = tapOwnerNames(f);
  const ifcfg = f.try(ifcfgFiles);
  const files = ifcfg.ok ? ifcfg.value : {};
  const wicked = (): Step[] => {
    const tapFile = files[tap];
    const brFile = files[bridge];
    const out: Step[] = [];
    if (!tapFile || tapFile.error) out.push(wickedTapFile(tap, owner));
    const listed = brFile !== undefined && listsBridgePort(brFile, tap);
    if (!listed) out.push(addBridgePort(brFile?.path ?? `${WICKED_DIR}ifcfg-${bridge}`, brFile ? Object.keys(brFile.vars) : [], tap));
    return out;
  };
  const nm = (): Step[] => {
    const profiles = f.try(nmProfiles);
    const mine = profiles.ok ? (profiles.value[tap] ?? []) : [];
    return nmTapProfiles(tap, bridge, owner, {port: mine.some((p) => p.profile?.type === 'ovs-port'), tun: mine.some((p) => p.profile?.type === 'tun')});
  };
  const scripts = (): Step[] => [
    writeFile(`/etc/sysconfig/network-scripts/ifcfg-${tap}`, [`DEVICE=${tap}`, 'ONBOOT=yes', 'DEVICETYPE=ovs', 'TYPE=OVSPort', `OVS_BRIDGE=${bridge}`, 'BOOTPROTO=none', 'HOTPLUG=no']),
    manual(`tap-precreate:${tap}`, 'network-scripts only attach an existing tap: where it is created before ifup is the admin\'s choice', [`# create ${tap} before ifup, e.g. in /sbin/ifup-pre-local: tunctl -u ${owner.user} -g ${owner.group} -t ${tap}`]),
  ];
  if (stack === 'wicked') return wicked();
  if (stack === 'NetworkManager') return nm();
  if (stack === 'network-scripts') return scripts();
  return [manual(`tap-stack:${tap}`, 'could not tell which network stack creates the taps at boot', [`# wicked: ${WICKED_DIR}ifcfg-${tap} with TUNNEL='tap', and OVS_BRIDGE_PORT_DEVICE_N='${tap}' in ${WICKED_DIR}ifcfg-${bridge}`, `# NetworkManager: an ovs-port profile for ${tap} on ${bridge} and a tun profile (mode tap) under it`])];
}

/** The persisted owner and group of a tap, made right (wicked TUNNEL_SET_*, NM tun.owner/group). */
export function persistTapOwner(f: Facts, tap: string, stack: NetworkStack | undefined): Step[] {
  const owner: TapOwner = tapOwnerNames(f);
  const ifcfg = f.try(ifcfgFiles);
  const file = ifcfg.ok ? ifcfg.value[tap] : undefined;
  const wicked = (): Step[] => {
    if (!file) return [wickedTapFile(tap, owner)];
    const where = file.linkTarget ? `${file.path} is a link to ${file.linkTarget}: the edit goes to the target, for every tap sharing it` : undefined;
    const who = workerIdentity(f);
    // A value is fine when the kernel would let the worker user in with it (name or number).
    const okOwner = (v: string) => v === owner.user || (who.worker !== undefined && (v === String(who.worker.uid) || who.db?.byName.get(v)?.uid === who.worker.uid));
    const okGroup = (v: string) => {
      const gid = /^\d+$/.test(v) ? Number(v) : who.db?.groupByName.get(v)?.gid;
      return gid !== undefined && who.worker !== undefined && who.worker.groups.includes(gid);
    };
    const out: Step[] = [];
    for (const [key, want, ok] of [
      ['TUNNEL_SET_OWNER', owner.user, okOwner],
      ['TUNNEL_SET_GROUP', owner.group, okGroup],
    ] as const) {
      const entry = ifcfgEntry(file, key);
      if (!entry || !ok(entry.value)) out.push(setVar(file.path, key, want, {note: `${file.path}${entry ? ` line ${entry.line}: ${key}='${entry.value}'` : `: no ${key}`}${where ? `; ${where}` : ''}`}));
    }
    if (out.length === 0) out.push(step('disruptive', `wicked-ifreload:${tap}`, [`# ${file.path} already sets ${owner.user}/${owner.group}: the running tap was made otherwise`, `wicked ifreload ${q(tap)}`]));
    return out;
  };
  const nm = (): Step[] => {
    const profiles = f.try(nmProfiles);
    const tun = (profiles.ok ? (profiles.value[tap] ?? []) : []).find((p) => p.profile?.type === 'tun');
    return [step('persist', `nm:${tun?.profile?.id ?? tap}:tun.owner`, [`nmcli connection modify ${q(tun?.profile?.id ?? tap)} tun.owner ${owner.uid ?? owner.user} tun.group ${owner.gid ?? owner.group}`])];
  };
  if (stack === 'wicked') return wicked();
  if (stack === 'NetworkManager') return nm();
  if (stack === 'network-scripts') return [manual(`tap-precreate:${tap}`, 'network-scripts only attach an existing tap: where it is created before ifup is the admin\'s choice', [`# create ${tap} before ifup, e.g. in /sbin/ifup-pre-local: tunctl -u ${owner.user} -g ${owner.group} -t ${tap}`])];
  return [manual(`tap-stack:${tap}`, 'could not tell which network stack creates the taps at boot', [`# wicked: TUNNEL_SET_OWNER='${owner.user}' and TUNNEL_SET_GROUP='${owner.group}' in ${WICKED_DIR}ifcfg-${tap}`, `# NetworkManager: nmcli connection modify ${tap} tun.owner ${owner.uid ?? owner.user} tun.group ${owner.gid ?? owner.group}`])];
}
