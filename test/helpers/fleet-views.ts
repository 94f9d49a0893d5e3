// Hand-made fleet host views for the fleet checks' and plans' unit tests.
import type {FleetHostView, FleetTunnel} from '../../src/fleet/host-view.js';
import {defaultGreScriptPath} from '../../src/facts/tunnel-boot.js';

export function host(name: string, address: string, opts: Partial<FleetHostView> = {}): FleetHostView {
  const view: FleetHostView = {
    name,
    capturedAt: '2026-12-06T10:00:00.000Z',
    uplink: {name: 'eth0', addresses: [address], mtu: 1500, mac: `52:54:00:00:00:${address.split('.').pop()!.padStart(2, '0').slice(-2)}`},
    addresses: [address, '10.0.2.2'],
    classes: ['qemu_x86_64', 'tap'],
    parallelOneHostOnly: false,
    bridge: {name: 'br1', mtu: 1460, mtuRequest: 1460},
    tunnels: [],
    setup: 'wicked',
    tunnelInput: [],
    unknown: [],
    ...opts,
  };
  // No boot script yet (a host whose snapshot holds none): a fix writes salt's default one.
  const setup = view.setup;
  view.boot ??= {path: defaultGreScriptPath(setup), exists: false, setup, bridge: 'br1', ...(setup === 'wicked' ? {ifcfg: '/etc/sysconfig/network/ifcfg-br1'} : {}), remoteLines: []};
  return view;
}

export const gre = (port: string, remoteIp: string, extra: Partial<FleetTunnel> = {}): FleetTunnel => ({bridge: 'br1', port, type: 'gre', remoteIp, ...extra});

/** A full mesh of n hosts 192.0.2.(10*i). */
export function mesh(n: number, tweak: (h: FleetHostView, i: number) => void = () => {}): FleetHostView[] {
  const addr = (i: number) => `192.0.2.${(i + 1) * 10}`;
  return Array.from({length: n}, (_, i) => {
    const h = host(`w${i + 1}`, addr(i));
    h.tunnels = Array.from({length: n}, (_, j) => j)
      .filter((j) => j !== i)
      .map((j, k) => gre(`gre${k + 1}`, addr(j)));
    tweak(h, i);
    return h;
  });
}

