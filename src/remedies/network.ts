// Interfaces: turning a NIC off, taps (runtime and persisted), bridge ports and VLAN tags. One
// builder per job, so two checks asking for the same job get the same step.
import {appendLine, deleteVars, setVar, writeFile} from './files.js';
import {bre, q, sedReplacement} from './shell.js';
import {manual, step, type Step} from './step.js';

import {NETWORK_SCRIPTS_DIR, WICKED_DIR, type NetworkStack} from '../facts/network-stack.js';
import type {TunnelBootScript} from '../facts/tunnel-boot.js';

// The stacks' vocabulary and directories are the facts' (facts/network-stack.ts).
export {NETWORK_SCRIPTS_DIR, WICKED_DIR} from '../facts/network-stack.js';
export type Stack = NetworkStack;

/** What configures a NIC persistently today (the NIC off at boot is written there). */
export type NicConfig =
  | {kind: 'ifcfg'; path: string; flavour: 'wicked' | 'ifcfg-rh'; /** The line that decides it now ("line 2: STARTMODE='auto'"). */ current?: string}
  | {kind: 'nm'; id: string; path: string}
  | {kind: 'nm-auto'}
  | {kind: 'none'; stack?: Stack; why?: string};

/** Take a spare NIC down now and keep it off at boot, with whatever configures it. */
export function disableNic(nic: string, configs: readonly NicConfig[], opts: {runningStacks?: readonly Stack[]; /** false: only the boot config (the NIC is no uplink now). */ now?: boolean} = {}): Step[] {
  const out: Step[] = [];
  let down: string[] | undefined;
  for (const c of configs) {
    if (c.kind === 'ifcfg' && c.flavour === 'wicked') {
      out.push(setVar(c.path, 'STARTMODE', 'off', c.current ? {note: `${c.path} ${c.current} -> STARTMODE='off'`} : {}));
      down ??= [`wicked ifdown ${q(nic)}`];
    } else if (c.kind === 'ifcfg') {
      out.push(setVar(c.path, 'ONBOOT', 'no', {style: 'bare', ...(c.current ? {note: `${c.path} ${c.current} -> ONBOOT=no`} : {})}));
      down ??= opts.runningStacks?.includes('NetworkManager') ? ['nmcli connection reload', `nmcli device disconnect ${q(nic)}`] : [`ip address flush dev ${q(nic)}`, `ip link set ${q(nic)} down`];
    } else if (c.kind === 'nm') {
      out.push(step('persist', `nm:${c.id}:connection.autoconnect`, [`nmcli connection modify ${q(c.id)} connection.autoconnect no   # ${c.path}`]));
      down ??= [`nmcli device disconnect ${q(nic)}`];
    } else if (c.kind === 'nm-auto') {
      // NetworkManager would make an automatic DHCP profile: a profile of its own that stays off.
      out.push(step('persist', `nm-new:${nic}-unused`, [`nmcli connection show ${q(`${nic}-unused`)} >/dev/null 2>&1 || nmcli connection add type ethernet con-name ${q(`${nic}-unused`)} ifname ${q(nic)} connection.autoconnect no ipv4.method disabled ipv6.method disabled`]));
      down ??= [`nmcli device disconnect ${q(nic)}`];
    } else {
      const stack = c.stack;
      out.push(step('persist', `nic-off-note:${nic}`, [`# no ifcfg-${nic} and no NetworkManager profile for ${nic} exist: editing one disables nothing`]));
      if (stack === 'wicked') out.push(writeFile(`${WICKED_DIR}ifcfg-${nic}`, ["BOOTPROTO='none'", "STARTMODE='off'"]));
      else if (stack === 'network-scripts') out.push(writeFile(`${NETWORK_SCRIPTS_DIR}ifcfg-${nic}`, [`DEVICE=${nic}`, 'ONBOOT=no']));
      else if (stack === 'NetworkManager') {
        out.push(writeFile(`/etc/NetworkManager/conf.d/90-unmanaged-${nic}.conf`, ['[keyfile]', `unmanaged-devices=interface-name:${nic}`]));
        out.push(step('reload', 'reload:NetworkManager.service', ['systemctl reload NetworkManager.service']));
      } else out.push(manual(`nic-off-config:${nic}`, `could not tell which network stack manages ${nic}${c.why ? ` (${c.why})` : ''}`, [`# set ${nic} not to start at boot there`]));
      if (stack === 'wicked' || stack === 'network-scripts') out.push(manual(`nic-off-origin:${nic}`, `no config file brings ${nic} up, so something else did (a DHCP client, cloud-init, a script)`, [`# find what brought ${nic} up and stop it`]));
      down ??= [`ip address flush dev ${q(nic)}`, `ip link set ${q(nic)} down`];
    }
  }
  if (down && opts.now !== false) out.unshift(step('runtime', `nic-down:${nic}`, [`# keep the uplink; make sure you are not logged in through ${nic}`, ...down]));
  return out;
}

/** A wicked bridge's OVS_BRIDGE_PORT_DEVICE list gets the tap, under a suffix not used yet. */
export function addBridgePort(bridgeFile: string, usedSuffixes: readonly string[], tap: string): Step {
  let n = Number(/(\d+)$/.exec(tap)?.[1] ?? 0);
  while (usedSuffixes.includes(`OVS_BRIDGE_PORT_DEVICE_${n}`)) n += 1;
  const line = `OVS_BRIDGE_PORT_DEVICE_${n}='${tap}'`;
  return step('persist', `bridge-port:${bridgeFile}:${tap}`, [`grep -Eq ${q(`^OVS_BRIDGE_PORT_DEVICE(_[0-9]+)?='?${tap}'?$`)} ${q(bridgeFile)} || echo ${q(line)} >> ${q(bridgeFile)}`], {files: [bridgeFile]});
}

export interface TapOwner {
  user: string;
  group: string;
  uid?: number;
  gid?: number;
}

/** `user U group G` for ip tuntap: numbers when known (names resolve against this machine's
 *  accounts, which under --root are not the inspected host's). */
function tuntapOwner(owner: TapOwner): string {
  return `user ${owner.uid ?? q(owner.user)} group ${owner.gid ?? q(owner.group)}`;
}

/** A tap for qemu: owned by the worker user, up, a port of the bridge (what the setup script makes). */
export function createTap(tap: string, bridge: string, owner: TapOwner, opts: {from?: string; stalePort?: boolean} = {}): Step {
  return step('runtime', `tap:${tap}`, [
    ...(opts.from && opts.from !== bridge ? [`ovs-vsctl --if-exists del-port ${q(opts.from)} ${q(tap)}`] : []),
    `ip link show ${q(tap)} >/dev/null 2>&1 || ip tuntap add dev ${q(tap)} mode tap ${tuntapOwner(owner)}`,
    `ip link set ${q(tap)} up`,
    // A port OVSDB kept for the vanished device is re-added, so the switch opens the new device.
    ...(opts.stalePort ? [`ovs-vsctl --if-exists del-port ${q(tap)}`, `ovs-vsctl add-port ${q(bridge)} ${q(tap)}`] : [`ovs-vsctl --may-exist add-port ${q(bridge)} ${q(tap)}`]),
  ]);
}

/** Re-create a tap with the right owner: deletes it, so it waits for the job using it (guarded). */
export function recreateTap(tap: string, bridge: string, owner: TapOwner, job?: string): Step {
  return step(
    job ? 'disruptive' : 'runtime',
    `tap:${tap}`,
    [`ip link delete ${q(tap)} 2>/dev/null || true`, `ip tuntap add dev ${q(tap)} mode tap ${tuntapOwner(owner)}`, `ip link set ${q(tap)} up`, `ovs-vsctl --may-exist add-port ${q(bridge)} ${q(tap)}`],
    job ? {job} : {},
  );
}

/** The wicked ifcfg-tapN the setup script writes: a tap owned by the worker user, started at boot. */
export function wickedTapFile(tap: string, owner: TapOwner): Step {
  return writeFile(`${WICKED_DIR}ifcfg-${tap}`, ["BOOTPROTO='none'", "STARTMODE='auto'", "TUNNEL='tap'", `TUNNEL_SET_OWNER='${owner.user}'`, `TUNNEL_SET_GROUP='${owner.group}'`], {settles: [`tap-config:${tap}`]});
}

/** The NetworkManager profiles of a tap on an OVS bridge (ovs-port + tun), added when missing. */
export function nmTapProfiles(tap: string, bridge: string, owner: TapOwner, have: {port: boolean; tun: boolean}): Step[] {
  const out: Step[] = [];
  const port = `${tap}-port`;
  if (!have.port) out.push(step('persist', `nm-new:${port}`, [`nmcli connection show ${q(port)} >/dev/null 2>&1 || nmcli connection add type ovs-port conn.interface ${q(tap)} master ${q(bridge)} con-name ${q(port)}`]));
  if (!have.tun) out.push(step('persist', `nm-new:${tap}`, [`nmcli connection show ${q(tap)} >/dev/null 2>&1 || nmcli connection add type tun mode tap owner ${owner.uid ?? owner.user} group ${owner.gid ?? owner.group} conn.interface ${q(tap)} master ${q(port)} slave-type ovs-port con-name ${q(tap)}`]));
  return out;
}

/** A persisted owner/group of a tap (wicked TUNNEL_SET_*, NM tun.owner/group). */
export function setTapOwnerWicked(path: string, owner: TapOwner, note?: string): Step[] {
  return [setVar(path, 'TUNNEL_SET_OWNER', owner.user, note ? {note} : {}), setVar(path, 'TUNNEL_SET_GROUP', owner.group)];
}

export function setTapOwnerNm(id: string, owner: TapOwner): Step {
  return step('persist', `nm:${id}:tun.owner`, [`nmcli connection modify ${q(id)} tun.owner ${owner.uid ?? owner.user} tun.group ${owner.gid ?? owner.group}`]);
}

/** Set a port's VLAN tag as set_vlan does: tag, dot1q-tunnel, and the tap up. */
export function setVlan(tap: string, vlan: number, opts: {mode?: boolean} = {}): Step {
  return step('runtime', `vlan:${tap}`, [`ovs-vsctl set port ${q(tap)} tag=${vlan}${opts.mode === false ? '' : ' vlan_mode=dot1q-tunnel'}`, `ip link set ${q(tap)} up`]);
}

/** Put a tap on the bridge (idempotent), leaving any other bridge first. */
export function addPort(bridge: string, tap: string, from?: string): Step {
  return step('runtime', `port:${tap}`, [...(from && from !== bridge ? [`ovs-vsctl --if-exists del-port ${q(from)} ${q(tap)}`] : []), `ovs-vsctl --may-exist add-port ${q(bridge)} ${q(tap)}`]);
}

/** Drop and re-add a port whose device came back (OVS keeps ofport -1 until then). */
export function readdPort(bridge: string, tap: string): Step {
  return step('runtime', `port:${tap}`, [`ovs-vsctl --if-exists del-port ${q(bridge)} ${q(tap)}`, `ovs-vsctl add-port ${q(bridge)} ${q(tap)}`, `ovs-vsctl --columns=name,ofport,error list interface ${q(tap)}   # must show an ofport and no error`]);
}

/** The OVS command that adds a GRE port to a peer (idempotent: --may-exist). */
export function greAddPort(bridge: string, port: string, remote: string): string {
  return tunnelAddPort(bridge, port, 'gre', remote);
}

/** A tunnel port (GRE or VXLAN) towards a peer's uplink address; both ends of a keyed tunnel need the same key. */
export function tunnelAddPort(bridge: string, port: string, type: string, remote: string, key?: string): string {
  const opts = [`type=${q(type)}`, `options:remote_ip=${q(remote)}`, ...(key !== undefined ? [`options:key=${q(key)}`] : [])];
  return `ovs-vsctl --may-exist add-port ${q(bridge)} ${q(port)} -- set interface ${q(port)} ${opts.join(' ')}`;
}

/** Point an existing tunnel port at another address (a renumbered or replaced peer). */
export function setTunnelRemote(port: string, remote: string): string {
  return `ovs-vsctl set interface ${q(port)} options:remote_ip=${q(remote)}`;
}

/** The boot-time script (wicked PRE_UP_SCRIPT, NM dispatcher) gets the line that re-creates the GRE
 *  port; the bridge is named literally, so the line works whatever variables the script sets. */
export function persistGrePort(script: string, bridge: string, port: string, remote: string, note?: string): Step {
  return persistTunnelPort(script, bridge, port, 'gre', remote, undefined, note);
}

/** The same for any tunnel port (GRE or VXLAN, with its key): one step per script and port. */
function persistTunnelPort(script: string, bridge: string, port: string, type: string, remote: string, key?: string, note?: string): Step {
  return appendLine(script, tunnelAddPort(bridge, port, type, remote, key), {key: `gre-preup:${script}:${port}`, ...(note ? {note} : {})});
}

/**
 * A tunnel port the next boot re-creates: the script written when missing (executable, RSTP on),
 * the port's line appended, and (wicked) PRE_UP_SCRIPT naming the script. TD105 and the fleet
 * checks persist tunnels with this one function, so their steps share keys in a plan.
 */
export function persistTunnel(boot: TunnelBootScript, port: string, type: string, remote: string, key?: string, note?: string): Step[] {
  return [
    ...(boot.exists ? [] : greScript(boot.path, boot.bridge, {nmDispatcher: boot.setup === 'NetworkManager'})),
    persistTunnelPort(boot.path, boot.bridge, port, type, remote, key, note),
    ...(boot.ifcfg ? [setVar(boot.ifcfg, 'PRE_UP_SCRIPT', `wicked:${boot.path.split('/').pop()}`)] : []),
  ];
}

/**
 * SUT traffic (source `sutRange`) looks up the main table at priority 1, ahead of a VPN's rule. The
 * same rule is deleted first: `ip rule add` refuses a duplicate (File exists), and under the
 * script's `set -e` a second run of the plan would stop there.
 */
export function sutTrafficToMainTable(sutRange: string, via: string): Step {
  const rule = `from ${q(sutRange)} lookup main priority 1`;
  return step('runtime', `ip-rule:${sutRange}:main`, [`ip -4 rule del ${rule} 2>/dev/null || true`, `ip -4 rule add ${rule}   # SUT traffic takes the main table's default via ${via}`]);
}

/** Add a tunnel port towards a peer now (OVSDB keeps it; persistTunnel makes the next boot re-create it). */
export function addTunnel(bridge: string, port: string, type: string, remote: string, key?: string, note?: string): Step {
  return step('runtime', `tunnel-to:${bridge}:${remote}`, [...(note ? [`# ${note}`] : []), tunnelAddPort(bridge, port, type, remote, key)]);
}

/** Point a tunnel port at another address now (OVSDB keeps it). */
export function retargetTunnel(port: string, remote: string, note?: string): Step {
  return step('runtime', `tunnel-remote:${port}`, [...(note ? [`# ${note}`] : []), setTunnelRemote(port, remote)]);
}

/** The boot script's lines naming the old address name the new one (a renumbered peer). */
export function retargetPersistedTunnel(script: string, from: string, to: string): Step {
  // remote_ip=OLD followed by no further address character: 192.0.2.1 never rewrites 192.0.2.10.
  const sed = `s/remote_ip=\\("\\?\\)${bre(from)}\\([^0-9.]\\|$\\)/remote_ip=\\1${sedReplacement(to)}\\2/g`;
  return step('persist', `gre-retarget:${script}:${from}`, [`sed -i --follow-symlinks ${q(sed)} ${q(script)}`], {files: [script]});
}

/** A pre-up script of its own for the GRE ports, when none exists (the ports are appended by persistGrePort). */
export function greScript(path: string, bridge: string, opts: {nmDispatcher: boolean}): Step[] {
  return [
    writeFile(path, ['#!/bin/sh', ...(opts.nmDispatcher ? [`[ "$1" = ${q(bridge)} ] || exit 0`] : []), `ovs-vsctl set bridge ${q(bridge)} rstp_enable=true`], {mode: '0755'}),
  ];
}

/** Drop a port from the bridge now (idempotent: --if-exists). */
export function dropPort(bridge: string, port: string): Step {
  return step('runtime', `port:${port}`, [`ovs-vsctl --if-exists del-port ${q(bridge)} ${q(port)}`]);
}

/** RSTP on a bridge (a mesh of GRE tunnels loops broadcasts without it); OVSDB keeps it. */
export function bridgeRstp(bridge: string, note?: string): Step {
  return step('runtime', `rstp:${bridge}`, [`ovs-vsctl set bridge ${q(bridge)} rstp_enable=true`, ...(note ? [`# ${note}`] : [])]);
}

/** A bridge's kernel MTU now; `note` (another way) is said first, as a comment. */
export function bridgeMtu(bridge: string, mtu: number, note?: string): Step {
  return step('runtime', `bridge-mtu:${bridge}`, [...(note ? [`# ${note}`] : []), `ip link set dev ${q(bridge)} mtu ${mtu}`]);
}

/** A tunnel port's key (GRE key, VXLAN VNI) now; OVSDB keeps it. */
export function setTunnelKey(port: string, key: string): Step {
  return step('runtime', `tunnel-key:${port}`, [`ovs-vsctl set interface ${q(port)} options:key=${q(key)}`]);
}

/** An interface's MTU as OVS sets it (mtu_request, kept in OVSDB across reboots). */
export function mtuRequest(iface: string, mtu: number, note?: string): Step {
  return step('runtime', `mtu:${iface}`, [`ovs-vsctl set int ${q(iface)} mtu_request=${mtu}`, ...(note ? [`# ${note}`] : [])]);
}

export {deleteVars, setVar, appendLine};
