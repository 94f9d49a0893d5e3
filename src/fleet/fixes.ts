// Fix text for tunnel repairs, in the syntax of the host's network setup: the runtime command,
// then where the next boot must find it (wicked PRE_UP_SCRIPT, NetworkManager dispatcher), then
// the salt pillar hint for salt-managed fleets.
// The commands themselves come from src/remedies (one way per repair, one quoting).
import {defaultGreScriptPath, dropPort, setTunnelRemote, tunnelAddPort} from '../remedies/network.js';
import type {FleetHostView, FleetTunnel} from './host-view.js';

/** The next free port name of that type on the host (gre1, gre2, ... / vxlan1, ...). */
export function nextPortName(host: FleetHostView, type: FleetTunnel['type']): string {
  const used = new Set(host.tunnels.map((t) => t.port));
  for (let n = 1; ; n++) if (!used.has(`${type}${n}`)) return `${type}${n}`;
}

export function addTunnelFix(host: FleetHostView, peer: {name: string; address: string}, like?: FleetTunnel): string[] {
  const type = like?.type ?? 'gre';
  const bridge = host.bridge?.name ?? like?.bridge ?? 'br1';
  const port = nextPortName(host, type);
  const cmd = tunnelAddPort(bridge, port, type, peer.address, like?.key);
  return [`# on ${host.name} (towards ${peer.name}):`, cmd, ...persistHint(host, 'add the same line')];
}

export function setRemoteFix(host: FleetHostView, tunnel: FleetTunnel, address: string, peerName: string): string[] {
  return [
    `# on ${host.name} (${tunnel.port} must point at ${peerName}'s uplink address):`,
    setTunnelRemote(tunnel.port, address),
    ...persistHint(host, `replace ${tunnel.remoteIp} by ${address}`),
  ];
}

export function deletePortFix(host: FleetHostView, tunnel: FleetTunnel): string[] {
  return [`# on ${host.name}:`, ...dropPort(tunnel.bridge, tunnel.port).lines, ...persistHint(host, `drop the line naming ${tunnel.remoteIp}`)];
}

function persistHint(host: FleetHostView, edit: string): string[] {
  const script = host.preupScript ?? defaultGreScriptPath(host.setup);
  const how =
    host.setup === 'NetworkManager'
      ? `# persist: ${edit} in the NetworkManager dispatcher script ${script} (executable, not group/world-writable)`
      : `# persist: ${edit} in ${script} (wicked: PRE_UP_SCRIPT="wicked:${script.split('/').pop()}" in ifcfg-${host.bridge?.name ?? 'br1'})`;
  return [how, '# salt-states-openqa: the script is rendered from the worker classes and bridge_ip grains of all hosts: fix the grains/pillar, then run state.apply on every host of the class'];
}
