// Remedies for tunnel repairs, as steps of the plan of the host that must change: the runtime
// command, then where the next boot must find it (the host's tunnel boot script: wicked
// PRE_UP_SCRIPT, NetworkManager dispatcher), then the salt pillar hint for salt-managed fleets.
// The commands themselves come from src/remedies (one way per repair, one quoting), and TD105
// persists tunnels with the same persistTunnel, so a host plan never says two things of one port.
import {bootNames} from '../facts/tunnel-boot.js';
import {addTunnel, dropPort, persistTunnel, retargetPersistedTunnel, retargetTunnel} from '../remedies/network.js';
import {manual, step, type Step} from '../remedies/step.js';
import type {HostRemedy} from './define.js';
import type {FleetHostView, FleetTunnel} from './host-view.js';

/** The next free port name of that type on the host (gre1, gre2, ... / vxlan1, ...), not in `taken`. */
function nextPortName(host: FleetHostView, type: FleetTunnel['type'], taken: ReadonlySet<string> = new Set()): string {
  const used = new Set(host.tunnels.map((t) => t.port));
  for (let n = 1; ; n++) if (!used.has(`${type}${n}`) && !taken.has(`${type}${n}`)) return `${type}${n}`;
}

/**
 * A tunnel port of `host` towards `peer`, now and at the next boot. `taken`: port names this run
 * already gave out on the host (two missing peers get two ports).
 */
export function addTunnelFix(host: FleetHostView, peer: {name: string; address: string}, like?: FleetTunnel, taken?: Set<string>): HostRemedy {
  const type = like?.type ?? 'gre';
  const bridge = host.bridge?.name ?? like?.bridge ?? 'br1';
  const port = nextPortName(host, type, taken);
  taken?.add(port);
  const steps: Step[] = [addTunnel(bridge, port, type, peer.address, like?.key, `${port} towards ${peer.name}`)];
  steps.push(...persistFor(host, peer.address, () => (host.boot ? persistTunnel(host.boot, port, type, peer.address, like?.key) : [])));
  return {host: host.name, steps};
}

/** Point an existing port at the peer's uplink address, now and in the boot script. */
export function setRemoteFix(host: FleetHostView, tunnel: FleetTunnel, address: string, peerName: string): HostRemedy {
  const steps: Step[] = [retargetTunnel(tunnel.port, address, `${tunnel.port} must point at ${peerName}'s uplink address`)];
  const boot = host.boot;
  if (boot?.exists && bootNames(boot, tunnel.remoteIp)) steps.push(retargetPersistedTunnel(boot.path, tunnel.remoteIp, address), saltHint());
  else steps.push(...persistFor(host, address, () => (boot ? persistTunnel(boot, tunnel.port, tunnel.type, address, tunnel.key) : [])));
  return {host: host.name, steps};
}

/** Drop a tunnel to an address that may be a peer not analyzed here: the admin decides. */
export function deletePortFix(host: FleetHostView, tunnel: FleetTunnel): HostRemedy {
  const script = host.boot?.path ?? 'the boot script';
  return {
    host: host.name,
    steps: [
      manual(`drop-tunnel:${tunnel.port}`, `only if ${tunnel.remoteIp} is no longer a worker of this network`, [
        ...dropPort(tunnel.bridge, tunnel.port).lines,
        `# and drop the line naming ${tunnel.remoteIp} from ${script}`,
      ]),
    ],
  };
}

/** Persist steps for a tunnel to `address`, unless the boot script already names it. */
function persistFor(host: FleetHostView, address: string, build: () => Step[]): Step[] {
  const boot = host.boot;
  if (boot?.exists && bootNames(boot, address)) {
    // The script is right and was not re-run since it changed (or the port was removed by hand).
    return [step('persist', `gre-preup-has:${boot.path}:${address}`, [`# ${boot.path} already re-creates the tunnel to ${address} at boot`]), saltHint()];
  }
  const steps = build();
  if (steps.length === 0) {
    return [manual(`tunnel-persist:${address}`, 'tapdoctor could not tell which bridge carries the tunnels', [`# make the next boot re-create the tunnel to ${address} (wicked PRE_UP_SCRIPT, NetworkManager dispatcher script)`])];
  }
  return [...steps, saltHint()];
}

/** salt-states-openqa renders the script: a hand edit lasts until the next highstate. */
function saltHint(): Step {
  return step('persist', 'salt-gre-peers', [
    '# salt-states-openqa renders the GRE script from the worker classes and bridge_ip grains of all hosts:',
    '# on a salt-managed host fix the grains/pillar instead, then run state.apply on every host of the class',
  ]);
}

