// The fleet checks on hand-made host views: each fault alone, and the traps that must stay silent.
import {describe, expect, it} from 'vitest';
import {extractSection, readCheckPage, shortExplanation} from '../checks/docs.js';
import {runFleetChecks} from './engine.js';
import type {FleetOptions} from './fleet.js';
import type {FleetHostView, FleetTunnel} from './host-view.js';
import {FLEET_CHECK_META} from './meta.js';
import {FLEET_CHECKS} from './registry.js';
import {gre, host, mesh} from '../../test/helpers/fleet-views.js';

function findings(views: FleetHostView[], opts: Partial<FleetOptions> = {}): string[] {
  const r = runFleetChecks(views, FLEET_CHECKS, {complete: false, ...opts});
  return r.results.flatMap((res) => res.findings.map((f) => `${f.checkId} ${f.severity} ${f.subject} [${f.hosts.join(',')}]`));
}

describe('fleet checks', () => {
  it('stay silent on a healthy three-host mesh', () => {
    expect(findings(mesh(3))).toEqual([]);
  });

  it('TD201: a one-way tunnel names the host without the tunnel, with a fix adding it', () => {
    const views = mesh(3, (h) => {
      if (h.name === 'w2') h.tunnels = h.tunnels.filter((t) => t.remoteIp !== '192.0.2.30');
    });
    expect(findings(views)).toEqual(['TD201 error w2 -> w3 [w2,w3]']);
    const f = runFleetChecks(views, FLEET_CHECKS, {complete: false}).results[0]!.findings[0]!;
    expect(f.message).toContain('one-way tunnel');
    expect(f.fix).toContain('ovs-vsctl --may-exist add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.30');
    expect(f.fix).toContain('PRE_UP_SCRIPT');
    expect(f.evidence.map((e) => e.source)).toEqual(['w3: ovs.interfaces', 'w2: ovs.interfaces']);
  });

  it('TD201: a new tap host no one peers with is missing both ways; NetworkManager hosts get a dispatcher fix', () => {
    const views = [...mesh(2), host('w3', '192.0.2.30', {setup: 'NetworkManager'})];
    expect(findings(views)).toEqual(['TD201 error w1 <-> w3 [w1,w3]', 'TD201 error w2 <-> w3 [w2,w3]']);
    const f = runFleetChecks(views, FLEET_CHECKS, {complete: false}).results[0]!.findings[0]!;
    expect(f.fix).toContain('/etc/NetworkManager/dispatcher.d/gre_tunnel_preup.sh');
  });

  it('TD201: hosts of different locations do not peer; PARALLEL_ONE_HOST_ONLY hosts without tunnels opt out', () => {
    const views = [...mesh(2, (h) => h.classes.push('location-nue')), host('w3', '192.0.2.30', {classes: ['tap', 'location-prg']}), host('w4', '192.0.2.40', {parallelOneHostOnly: true})];
    expect(findings(views)).toEqual([]);
  });

  it('TD202: a stale remote_ip is one error (not also TD201), with a fix rewriting it', () => {
    const views = mesh(3, (h) => {
      if (h.name === 'w1') h.tunnels[1]!.remoteIp = '192.0.2.99';
    });
    expect(findings(views)).toEqual(['TD202 error w1: gre2 [w1,w3]']);
    const f = runFleetChecks(views, FLEET_CHECKS, {complete: false}).results[1]!.findings[0]!;
    expect(f.fix).toContain('ovs-vsctl set interface gre2 options:remote_ip=192.0.2.30');
  });

  it('TD202: an unknown extra peer is info, a warning with --complete; the bridge address is named', () => {
    const views = mesh(2, (h) => {
      if (h.name === 'w1') h.tunnels.push(gre('gre9', '10.0.2.2'));
    });
    expect(findings(views)).toEqual(['TD202 info w1: gre9 [w1]']);
    expect(findings(views, {complete: true})).toEqual(['TD202 warning w1: gre9 [w1]']);
    const f = runFleetChecks(views, FLEET_CHECKS, {complete: false}).results[1]!.findings[0]!;
    expect(f.message).toContain('not an uplink address but sits on w2');
  });

  it("TD203: a SUT MTU that fits the host's own uplink but not the peer's", () => {
    const views = mesh(2, (h) => {
      if (h.name === 'w1') h.uplink!.mtu = 1400;
      h.mmMtu = h.name === 'w1' ? 1340 : 1458;
    });
    expect(findings(views)).toEqual(['TD203 error w2 <-> w1 [w2,w1]']);
  });

  it('TD203: equal MTUs that fit are silent; different ones are a warning', () => {
    expect(findings(mesh(2, (h) => (h.mmMtu = 1458)))).toEqual([]);
    expect(findings(mesh(2, (h) => (h.mmMtu = h.name === 'w1' ? 1458 : 1380)))).toEqual(['TD203 warning w1 <-> w2 [w1,w2]']);
  });

  it('TD204: a tap class on unmeshed hosts; not with PARALLEL_ONE_HOST_ONLY, not on one host', () => {
    const split = [host('f1', '192.0.2.10', {classes: ['tap2']}), host('f2', '192.0.2.20', {classes: ['tap2']}), host('f3', '192.0.2.30', {classes: ['tap3']})];
    expect(findings(split)).toEqual(['TD204 error class tap2 [f1,f2]']);
    for (const h of split) h.parallelOneHostOnly = true;
    expect(findings(split)).toEqual([]);
  });

  it('TD205: a cloned address and a reused host name', () => {
    const views = [...mesh(2), host('w1', '192.0.2.10', {tunnels: [gre('gre1', '192.0.2.20')]})];
    views[2]!.uplink!.mac = '52:54:00:ff:ff:ff';
    const out = findings(views);
    expect(out).toContain('TD205 error 192.0.2.10 [w1,w1]');
    expect(out).toContain('TD205 error w1 [w1]');
  });

  it('TD206: a peer whose firewall rejects GRE from the host', () => {
    const views = mesh(2, (h) => {
      if (h.name === 'w2') {
        h.tunnelInput = [
          {peer: '192.0.2.10', tunnel: 'gre', where: 'live', source: 'iptables.save', backend: 'iptables', verdict: 'drop', family: 'ip', table: 'filter', chain: 'INPUT', rule: {text: '-A INPUT -j REJECT', line: 9, verdict: 'reject', chain: 'INPUT'}},
        ];
      }
    });
    expect(findings(views)).toEqual(['TD206 error w2 <- w1: running firewall [w2,w1]']);
    const f = runFleetChecks(views, FLEET_CHECKS, {complete: false}).results.flatMap((r) => r.findings).find((x) => x.checkId === 'TD206')!;
    expect(f.message).toContain('rejects GRE (IP protocol 47) from its tunnel peer w1 (192.0.2.10) at `-A INPUT -j REJECT` (line 9)');
    expect(f.fix).toBe('# on w2:\niptables -C INPUT -s 192.0.2.10/32 -p gre -j ACCEPT 2>/dev/null || iptables -I INPUT -s 192.0.2.10/32 -p gre -j ACCEPT');
  });

  it('star: detected hub, spokes do not peer, a missing tunnel back and a key mismatch are reported', () => {
    const vx = (port: string, ip: string, key = '1000001'): FleetTunnel => ({bridge: 'br-ex', port, type: 'vxlan', remoteIp: ip, key});
    const node = (name: string, ip: string, tunnels: FleetTunnel[]) => host(name, ip, {classes: [], bridge: {name: 'br-ex', mtu: 1450}, tunnels});
    const healthy = () => [
      node('primary', '172.24.4.1', [vx('br-ex_172.24.4.2', '172.24.4.2'), vx('br-ex_172.24.4.3', '172.24.4.3')]),
      node('sub1', '172.24.4.2', [vx('br-ex_172.24.4.1', '172.24.4.1')]),
      node('sub2', '172.24.4.3', [vx('br-ex_172.24.4.1', '172.24.4.1')]),
    ];
    const ok = runFleetChecks(healthy(), FLEET_CHECKS, {complete: true});
    expect(ok.topology).toMatchObject({kind: 'star', hub: 'primary'});
    expect(findings(healthy(), {complete: true})).toEqual([]);

    const oneWay = healthy();
    oneWay[2]!.tunnels = [];
    expect(findings(oneWay, {complete: true, topology: {kind: 'star', hub: 'primary'}})).toEqual(['TD201 error sub2 -> primary [sub2,primary]']);
    // The star is still recognised with one spoke's tunnel back gone.
    expect(findings(oneWay, {complete: true})).toEqual(['TD201 error sub2 -> primary [sub2,primary]']);

    const key = healthy();
    key[1]!.tunnels[0]!.key = '1000002';
    expect(findings(key, {complete: true})).toEqual(['TD207 error sub1: br-ex_172.24.4.1 [sub1,primary]']);

    const mtu = healthy();
    mtu[1]!.uplink!.mtu = 1450;
    expect(findings(mtu, {complete: true})).toEqual(['TD203 error primary <-> sub1 [primary,sub1]']);
  });
});

describe.each(FLEET_CHECK_META.map((m) => [m.id, m] as const))('fleet check %s', (id, meta) => {
  it('has a page with every section, naming the check', () => {
    const page = readCheckPage(id);
    expect(page, `docs/checks/${id}.md`).toBeDefined();
    expect(page!.split('\n')[0]).toContain(`${id} ${meta.slug}`);
    for (const s of ['What it detects', 'Why it breaks tests', 'Problematic state', 'Correct state', 'How to fix', 'Exceptions']) expect(extractSection(page!, s), s).toBeTruthy();
    expect(shortExplanation(id).length).toBeGreaterThan(40);
  });
  it('is registered once, in ID order', () => {
    expect(FLEET_CHECKS.filter((c) => c.id === id)).toHaveLength(1);
    expect(FLEET_CHECKS.map((c) => c.id)).toEqual(FLEET_CHECK_META.map((m) => m.id));
  });
});

describe('stale remote_ip among several missing peers', () => {
  it('is matched to the one peer that still tunnels back', () => {
    const views = mesh(3, (h) => {
      if (h.name === 'w1') h.tunnels = [gre('gre2', '192.0.2.99')];
      if (h.name === 'w2') h.tunnels = h.tunnels.filter((t) => t.remoteIp !== '192.0.2.10');
    });
    expect(findings(views)).toEqual(['TD201 error w1 <-> w2 [w1,w2]', 'TD202 error w1: gre2 [w1,w3]']);
  });
});
