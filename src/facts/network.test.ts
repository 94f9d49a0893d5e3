import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../config.js';
import {SnapshotView} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {greRoutes, ipRules, links, matchesIgnoreList, routes, uplinks} from './network.js';

const sample = (path: string) => readFileSync(new URL(`../../test/samples/${path}`, import.meta.url), 'utf8');

function factsFor(spec: SnapshotSpec, config: Partial<TapdoctorConfig> = {}): Facts {
  return new Facts(new SnapshotView(makeSnapshot(spec)), {...DEFAULT_CONFIG, ...config});
}

// --- iproute2-shaped JSON, as `ip -j -d addr show` / `ip -j -4 route` print it ---------------

interface LinkSpec {
  kind?: string;
  slaveKind?: string;
  master?: string;
  link?: string;
  up?: boolean;
  carrier?: boolean;
  inet?: string[];
  inet6?: string[];
  tunType?: string;
  loopback?: boolean;
}

let nextIndex = 1;
function link(name: string, spec: LinkSpec = {}): object {
  const up = spec.up ?? true;
  const carrier = spec.carrier ?? up;
  const flags = spec.loopback ? ['LOOPBACK'] : ['BROADCAST', 'MULTICAST'];
  if (!carrier && up) flags.unshift('NO-CARRIER');
  if (up) flags.push('UP');
  if (carrier) flags.push('LOWER_UP');
  const addr = (family: string) => (a: string) => {
    const [local, len] = a.split('/');
    return {family, local, prefixlen: Number(len), scope: a.startsWith('fe80') ? 'link' : local === '127.0.0.1' || local === '::1' ? 'host' : 'global', label: name};
  };
  const linkinfo =
    spec.kind || spec.slaveKind
      ? {linkinfo: {...(spec.kind ? {info_kind: spec.kind} : {}), ...(spec.tunType ? {info_data: {type: spec.tunType}} : {}), ...(spec.slaveKind ? {info_slave_kind: spec.slaveKind} : {})}}
      : {};
  return {
    ifindex: nextIndex++,
    ...(spec.link ? {link: spec.link} : {}),
    ifname: name,
    flags,
    mtu: 1500,
    ...(spec.master ? {master: spec.master} : {}),
    operstate: carrier ? 'UP' : 'DOWN',
    link_type: spec.loopback ? 'loopback' : spec.kind === 'wireguard' ? 'none' : 'ether',
    address: '52:54:00:00:00:01',
    ...linkinfo,
    addr_info: [...(spec.inet ?? []).map(addr('inet')), ...(spec.inet6 ?? []).map(addr('inet6'))],
  };
}

const lo = () => link('lo', {loopback: true, kind: undefined, inet: ['127.0.0.1/8'], inet6: ['::1/128']});

function defaultRoute(dev: string, metric?: number, gateway = '192.0.2.1', extra: object = {}): object {
  return {dst: 'default', gateway, dev, protocol: 'static', ...(metric === undefined ? {} : {metric}), flags: [], ...extra};
}

function host(linkList: object[], route4: object[], extra: SnapshotSpec['commands'] = {}): SnapshotSpec {
  return {commands: {'ip.addr': JSON.stringify(linkList), 'ip.route4': JSON.stringify(route4), 'ip.route6': '[]', ...extra}};
}

describe('links, routes and rules', () => {
  it('parses the collected sources', () => {
    const f = factsFor({
      commands: {
        'ip.addr': sample('ip-json-addr/generated-ovs-3.1-netns-ovs.txt'),
        'ip.route4': sample('ip-json-route/generated-ovs-3.1-netns-ovs-route4.txt'),
        'ip.route6': sample('ip-json-route/generated-ovs-3.1-netns-ovs-route6.txt'),
        'ip.rule4': sample('ip-json-route/generated-ovs-3.1-netns-ovs-rule4.txt'),
      },
    });
    expect(f.get(links).map((l) => l.name)).toEqual(['lo', 'eth0-peer', 'eth0', 'docker0', 'vethc0ffee-c', 'vethc0ffee', 'tap0', 'tap1', 'tap64', 'ovs-netdev', 'br1']);
    const described = f.get(routes).map((r) => `${r.family} ${r.dst} ${r.dev}`);
    expect(described.slice(0, 4)).toEqual(['inet default eth0', 'inet 10.0.0.0/15 br1', 'inet 172.17.0.0/16 docker0', 'inet 192.0.2.0/24 eth0']);
    // IPv6 link-local routes appear in the order the links came up: compare them sorted.
    expect(described.slice(4).sort()).toEqual([
      'inet6 fe80::/64 br1',
      'inet6 fe80::/64 docker0',
      'inet6 fe80::/64 eth0',
      'inet6 fe80::/64 eth0-peer',
      'inet6 fe80::/64 vethc0ffee',
      'inet6 fe80::/64 vethc0ffee-c',
      'inet6 fec0::/63 br1',
    ]);
    expect(f.get(ipRules).find((r) => r.priority === 1)).toEqual({priority: 1, src: '10.1.0.0', srclen: 16, table: '100', not: false});
  });

  it('routes work without the IPv6 table; a missing IPv4 table makes them unavailable', () => {
    expect(factsFor({commands: {'ip.route4': '[]'}}).get(routes)).toEqual([]);
    expect(factsFor({commands: {'ip.route6': '[]'}}).try(routes)).toEqual({ok: false, reason: 'source ip.route4 is not in this snapshot'});
  });
});

describe('uplinks', () => {
  it('the generated OVS worker: eth0, not docker0 (container bridge) nor br1 (OVS, a tap on netdev)', () => {
    const f = factsFor({
      commands: {
        'ip.addr': sample('ip-json-addr/generated-ovs-3.1-netns-ovs.txt'),
        'ip.route4': sample('ip-json-route/generated-ovs-3.1-netns-ovs-route4.txt'),
        'ip.route6': sample('ip-json-route/generated-ovs-3.1-netns-ovs-route6.txt'),
        'ovs.show': sample('ovs-vsctl-show/generated-ovs-3.1-netns-br1.txt'),
      },
    });
    expect(f.get(uplinks)).toEqual({
      primary: 'eth0',
      active: ['eth0'],
      reasons: {eth0: ['default route via 192.0.2.1 metric 100', 'UP, carrier, global 192.0.2.10/24']},
      defaultRoutes: [{dst: 'default', gateway: '192.0.2.1', dev: 'eth0', protocol: 'static', metric: 100, family: 'inet'}],
    });
  });

  it('the generated Fedora-style host: the Linux bridge bondbr0 over eth0/eth1, not virbr0 or the macvtap', () => {
    const f = factsFor({
      commands: {
        'ip.addr': sample('ip-json-addr/generated-ovs-3.1-netns-linux-bridge.txt'),
        'ip.route4': sample('ip-json-route/generated-ovs-3.1-netns-linux-bridge-route4.txt'),
      },
    });
    expect(f.get(uplinks)).toEqual({
      primary: 'bondbr0',
      active: ['bondbr0'],
      reasons: {bondbr0: ['default route via 192.0.2.1 metric 425', 'UP, carrier, global 192.0.2.20/24']},
      defaultRoutes: [{dst: 'default', gateway: '192.0.2.1', dev: 'bondbr0', protocol: 'static', metric: 425, family: 'inet'}],
    });
  });

  it('two NICs with default routes are both active; the lower metric is primary', () => {
    const f = factsFor(
      host(
        [lo(), link('eth0', {kind: 'veth', inet: ['192.0.2.10/24']}), link('eth1', {kind: 'veth', inet: ['198.51.100.10/24']})],
        [defaultRoute('eth1', 200, '198.51.100.1'), defaultRoute('eth0', 100)],
      ),
    );
    const view = f.get(uplinks);
    expect([view.primary, view.active]).toEqual(['eth0', ['eth0', 'eth1']]);
    expect(view.reasons).toEqual({
      eth0: ['default route via 192.0.2.1 metric 100', 'UP, carrier, global 192.0.2.10/24'],
      eth1: ['default route via 198.51.100.1 metric 200', 'UP, carrier, global 198.51.100.10/24'],
    });
    expect(view.defaultRoutes.map((r) => r.dev)).toEqual(['eth0', 'eth1']);
  });

  it('a second NIC that is up with carrier and a global address counts without a default route', () => {
    const f = factsFor(host([lo(), link('eth0', {inet: ['192.0.2.10/24']}), link('eth1', {inet: ['198.51.100.10/24']}), link('eth2', {up: true, carrier: false, inet: ['203.0.113.10/24']})], [defaultRoute('eth0')]));
    const view = f.get(uplinks);
    expect([view.primary, view.active, view.reasons['eth1']]).toEqual(['eth0', ['eth0', 'eth1'], ['UP, carrier, global 198.51.100.10/24']]);
    // A missing metric is 0.
    expect(view.reasons['eth0']![0]).toBe('default route via 192.0.2.1 metric 0');
  });

  it('a bond counts, not its slaves', () => {
    const f = factsFor(
      host(
        [lo(), link('eth0', {master: 'bond0', slaveKind: 'bond'}), link('eth1', {master: 'bond0', slaveKind: 'bond'}), link('bond0', {kind: 'bond', inet: ['192.0.2.10/24']})],
        [defaultRoute('bond0', 100)],
      ),
    );
    expect(f.get(uplinks)).toMatchObject({primary: 'bond0', active: ['bond0']});
  });

  it('Fedora: a Linux bridge over a bond over two NICs counts as the bridge', () => {
    const f = factsFor(
      host(
        [
          lo(),
          link('eth0', {master: 'bond0', slaveKind: 'bond'}),
          link('eth1', {master: 'bond0', slaveKind: 'bond'}),
          link('bond0', {kind: 'bond', master: 'bondbr0', slaveKind: 'bridge'}),
          link('bondbr0', {kind: 'bridge', inet: ['192.0.2.10/24']}),
          link('br0', {kind: 'openvswitch', inet: ['172.16.2.2/15']}),
          link('ovs-system', {kind: 'openvswitch', up: false}),
        ],
        [defaultRoute('bondbr0', 425)],
      ),
    );
    expect(f.get(uplinks)).toMatchObject({primary: 'bondbr0', active: ['bondbr0'], reasons: {bondbr0: ['default route via 192.0.2.1 metric 425', 'UP, carrier, global 192.0.2.10/24']}});
  });

  it('a Linux bridge over a real NIC counts even without a default route; one without uplink ports does not', () => {
    const f = factsFor(
      host(
        [
          lo(),
          link('eth0', {inet: ['192.0.2.10/24']}),
          link('eth1', {master: 'lan0', slaveKind: 'bridge'}),
          link('lan0', {kind: 'bridge', inet: ['198.51.100.10/24']}),
          link('vnet0', {kind: 'tun', tunType: 'tap', master: 'isolated0', slaveKind: 'bridge'}),
          link('isolated0', {kind: 'bridge', inet: ['203.0.113.1/24']}),
        ],
        [defaultRoute('eth0', 100)],
      ),
    );
    expect(f.get(uplinks).active).toEqual(['eth0', 'lan0']);
  });

  it('an OVS bridge holding the NIC and the default route (userspace tunnelling: br-phy) is the uplink; the tap bridge never is', () => {
    const uuid = (u: string) => ['uuid', u];
    const set = (...u: string[]) => ['set', u.map(uuid)];
    const ovs = {
      'ovs.bridges': JSON.stringify({headings: ['_uuid', 'name', 'ports'], data: [[uuid('b1'), 'br-phy', set('p1', 'p2')], [uuid('b2'), 'br1', set('p3', 'p4', 'p5')]]}),
      'ovs.ports': JSON.stringify({headings: ['_uuid', 'name', 'interfaces'], data: [[uuid('p1'), 'br-phy', set('i1')], [uuid('p2'), 'eth0', set('i2')], [uuid('p3'), 'br1', set('i3')], [uuid('p4'), 'tap0', set('i4')], [uuid('p5'), 'gre1', set('i5')]]}),
      'ovs.interfaces': JSON.stringify({
        headings: ['_uuid', 'name', 'type'],
        data: [[uuid('i1'), 'br-phy', 'internal'], [uuid('i2'), 'eth0', ''], [uuid('i3'), 'br1', 'internal'], [uuid('i4'), 'tap0', ''], [uuid('i5'), 'gre1', 'gre']],
      }),
    };
    const links_ = [
      lo(),
      link('eth0', {kind: 'veth', master: 'ovs-system', slaveKind: 'openvswitch'}),
      link('br-phy', {kind: 'tun', tunType: 'tap', inet: ['192.0.2.11/24']}),
      link('br1', {kind: 'tun', tunType: 'tap', inet: ['10.0.2.2/15']}),
      link('tap0', {kind: 'tun', tunType: 'tap', master: 'ovs-system', slaveKind: 'openvswitch'}),
    ];
    const f = factsFor(host(links_, [defaultRoute('br-phy', 100)], ovs));
    expect([f.get(uplinks).primary, f.get(uplinks).active]).toEqual(['br-phy', ['br-phy']]);
    // br1 holds only taps and tunnels: a default route on it does not make it an uplink
    const wrong = factsFor(host(links_, [defaultRoute('br1', 100, '10.0.2.1')], ovs));
    expect(wrong.get(uplinks).primary).toBeUndefined();
  });

  it('ignores loopback, container/VM bridges, VPNs, taps, macvtap, OVS bridges and ovs-system', () => {
    const ovs = {
      'ovs.bridges': '{"data":[[["uuid","b1"],"br1",["set",[]]]],"headings":["_uuid","name","ports"]}',
      'ovs.ports': '{"data":[],"headings":["_uuid","name","interfaces"]}',
      'ovs.interfaces': '{"data":[],"headings":["_uuid","name"]}',
    };
    const f = factsFor(
      host(
        [
          lo(),
          link('eth0', {inet: ['192.0.2.10/24']}),
          link('docker0', {kind: 'bridge', inet: ['172.17.0.1/16']}),
          link('veth1a2b3c', {kind: 'veth', master: 'docker0', slaveKind: 'bridge', link: 'if2'}),
          link('virbr0', {kind: 'bridge', inet: ['192.168.122.1/24']}),
          link('podman0', {kind: 'bridge', inet: ['10.88.0.1/16']}),
          link('br-0123456789ab', {kind: 'bridge', inet: ['172.18.0.1/16']}),
          link('cni0', {kind: 'bridge', inet: ['10.244.0.1/24']}),
          link('lxcbr0', {kind: 'bridge', inet: ['10.0.3.1/24']}),
          link('wg0', {kind: 'wireguard', inet: ['10.10.0.2/24']}),
          link('tun0', {kind: 'tun', tunType: 'tun', inet: ['10.8.0.2/24']}),
          link('tap0', {kind: 'tun', tunType: 'tap', master: 'ovs-system', slaveKind: 'openvswitch'}),
          link('macvtap0', {kind: 'macvtap', link: 'eth0', inet: ['192.0.2.77/24']}),
          link('gre1', {kind: 'gretap', inet: ['192.0.2.99/24']}),
          // A kernel-datapath OVS bridge named in the OVS database, with the MM gateway address.
          link('br1', {kind: 'openvswitch', inet: ['10.0.2.2/15']}),
          link('ovs-system', {kind: 'openvswitch', up: false}),
        ],
        // Even a default route does not make a VPN or container bridge an uplink.
        [defaultRoute('eth0', 100), defaultRoute('wg0', 50, '10.10.0.1'), defaultRoute('docker0', 300, '172.17.0.254')],
        ovs,
      ),
    );
    const view = f.get(uplinks);
    expect([view.primary, view.active, Object.keys(view.reasons)]).toEqual(['eth0', ['eth0'], ['eth0']]);
    // The default routes stay visible as evidence, ordered by metric.
    expect(view.defaultRoutes.map((r) => `${r.dev} ${r.metric}`)).toEqual(['wg0 50', 'eth0 100', 'docker0 300']);
  });

  it('honours ignoreInterfaces names and prefix globs', () => {
    const spec = host([lo(), link('eth0', {inet: ['192.0.2.10/24']}), link('eth1', {inet: ['198.51.100.10/24']}), link('mgmt0', {inet: ['203.0.113.5/24']})], [defaultRoute('eth0', 100)]);
    expect(factsFor(spec).get(uplinks).active).toEqual(['eth0', 'eth1', 'mgmt0']);
    expect(factsFor(spec, {ignoreInterfaces: ['eth1', 'mgmt*']}).get(uplinks).active).toEqual(['eth0']);
    const none = factsFor(spec, {ignoreInterfaces: ['eth*', 'mgmt0']}).get(uplinks);
    expect([none.primary, none.active, none.reasons]).toEqual([undefined, [], {}]);
    expect(matchesIgnoreList('eth10', ['eth*'])).toBe(true);
    expect(matchesIgnoreList('xeth1', ['eth*'])).toBe(false);
    expect(matchesIgnoreList('eth1', ['eth'])).toBe(false);
  });

  it('a vlan on the uplink counts as its parent', () => {
    const f = factsFor(host([lo(), link('eth0'), link('eth0.100', {kind: 'vlan', link: 'eth0', inet: ['192.0.2.10/24']})], [defaultRoute('eth0.100', 100)]));
    expect(f.get(uplinks)).toMatchObject({
      primary: 'eth0',
      active: ['eth0'],
      reasons: {eth0: ['default route via 192.0.2.1 metric 100 on eth0.100', 'UP, carrier, global 192.0.2.10/24 on eth0.100']},
    });
  });

  it('an RA-learned IPv6 default route alone does not make an uplink; a static one does', () => {
    const links6 = [lo(), link('eth0', {inet: ['192.0.2.10/24']}), link('eth1', {inet6: ['2001:db8::10/64', 'fe80::1/64']})];
    const v6 = (protocol: string) => JSON.stringify([{dst: 'default', gateway: 'fe80::1', dev: 'eth1', protocol, metric: 1024, flags: [], pref: 'medium'}]);
    const ra = factsFor(host(links6, [defaultRoute('eth0', 100)], {'ip.route6': v6('ra')})).get(uplinks);
    expect([ra.active, ra.defaultRoutes.map((r) => `${r.family} ${r.dev}`)]).toEqual([['eth0'], ['inet eth0', 'inet6 eth1']]);
    const stat = factsFor(host(links6, [defaultRoute('eth0', 100)], {'ip.route6': v6('static')})).get(uplinks);
    expect([stat.primary, stat.active, stat.reasons['eth1']]).toEqual(['eth0', ['eth0', 'eth1'], ['IPv6 default route via fe80::1 metric 1024']]);
  });

  it('multipath defaults count every next hop; a linkdown default counts for nothing', () => {
    const multipath = {dst: 'default', protocol: 'static', metric: 100, flags: [], nexthops: [{gateway: '192.0.2.1', dev: 'eth0'}, {gateway: '198.51.100.1', dev: 'eth1'}]};
    const mp = factsFor(host([lo(), link('eth0'), link('eth1')], [multipath])).get(uplinks);
    expect([mp.primary, mp.active]).toEqual(['eth0', ['eth0', 'eth1']]);
    const dead = factsFor(host([lo(), link('eth0', {inet: ['192.0.2.10/24']}), link('eth1', {carrier: false})], [defaultRoute('eth1', 10, '198.51.100.1', {flags: ['linkdown']}), defaultRoute('eth0', 100)])).get(uplinks);
    expect([dead.primary, dead.active]).toEqual(['eth0', ['eth0']]);
  });

  it('is unavailable without ip.addr or the IPv4 routes', () => {
    expect(factsFor({commands: {'ip.route4': '[]'}}).try(uplinks)).toEqual({ok: false, reason: 'source ip.addr is not in this snapshot'});
    expect(factsFor({commands: {'ip.addr': '[]'}, failed: {'ip.route4': 'ip: command not found'}}).try(uplinks)).toEqual({
      ok: false,
      reason: 'could not collect ip.route4: ip: command not found',
    });
    expect(factsFor({commands: {'ip.addr': 'Cannot open netlink socket: Permission denied', 'ip.route4': '[]'}}).try(uplinks)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^cannot parse ip\.addr:1: not JSON/),
    });
  });
});

describe('greRoutes', () => {
  it('names the device and MTU towards each GRE peer, or why not', () => {
    const snapshot = makeSnapshot({
      commands: {
        'ip.addr': sample('ip-json-addr/generated-ovs-3.1-netns-ovs.txt'),
        'ip.route-get': {
          '192.0.2.2': sample('ip-json-route/generated-ovs-3.1-netns-ovs-route-get-192.0.2.2.txt'),
          '198.51.100.7': sample('ip-json-route/generated-ovs-3.1-netns-ovs-route-get-198.51.100.7-mtu.txt'),
          '203.0.113.9': sample('ip-json-route/generated-ovs-3.1-netns-linux-bridge-route-get-unreachable.txt'),
          '203.0.113.10': 'garbage',
        },
      },
    });
    // A peer whose command failed in the collector (stdout empty, stderr kept).
    snapshot.manifest.sources['ip.route-get']!.entries.push({
      path: 'commands/ip.route-get/203.0.113.11',
      binding: 'ip -j -4 route get 203.0.113.11',
      key: '203.0.113.11',
      exitCode: 2,
      durationMs: 1,
      bytes: 0,
      truncated: false,
      stderr: 'RTNETLINK answers: Network is unreachable',
      error: 'exit code 2',
    });
    const f = new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG);
    expect(f.get(greRoutes)).toEqual({
      '192.0.2.2': {dev: 'eth0', mtu: 1500},
      '198.51.100.7': {dev: 'eth0', mtu: 1400},
      '203.0.113.9': {error: 'Network is unreachable'},
      '203.0.113.10': {error: expect.stringMatching(/^cannot parse ip\.route-get 203\.0\.113\.10:1: not JSON/)},
      '203.0.113.11': {error: 'exit code 2'},
    });
  });

  it('is unavailable when the source was not collected; MTU is left out without links', () => {
    expect(factsFor({commands: {}}).try(greRoutes)).toEqual({ok: false, reason: 'source ip.route-get is not in this snapshot'});
    const f = factsFor({commands: {'ip.route-get': {'192.0.2.2': sample('ip-json-route/generated-ovs-3.1-netns-ovs-route-get-192.0.2.2.txt')}}});
    expect(f.get(greRoutes)).toEqual({'192.0.2.2': {dev: 'eth0'}});
  });
});
