import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {parseIpAddr, parseIpRoutes, parseIpRules, parseRouteGet} from './ip.js';
import {mutationsOf, survives} from '../../test/helpers/mutation.js';
import {parseErrorOf} from '../../test/helpers/thrown.js';

const sample = (path: string) => readFileSync(new URL(`../../test/samples/${path}`, import.meta.url), 'utf8');

describe('parseIpAddr', () => {
  it('reads the links of the generated OVS worker namespace', () => {
    const links = parseIpAddr(sample('ip-json-addr/generated-ovs-3.1-netns-ovs.txt'), 'ip.addr');
    expect(links.map((l) => [l.name, l.index, l.kind, l.tunType])).toEqual([
      ['lo', 1, undefined, undefined],
      ['eth0-peer', 2, 'veth', undefined],
      ['eth0', 3, 'veth', undefined],
      ['docker0', 4, 'bridge', undefined],
      ['vethc0ffee-c', 5, 'veth', undefined],
      ['vethc0ffee', 6, 'veth', undefined],
      ['tap0', 7, 'tun', 'tap'],
      ['tap1', 8, 'tun', 'tap'],
      ['tap64', 9, 'tun', 'tap'],
      ['ovs-netdev', 10, 'tun', 'tap'],
      // The userspace datapath makes the bridge port a kernel tap device.
      ['br1', 11, 'tun', 'tap'],
    ]);
    expect(links.find((l) => l.name === 'eth0')).toEqual({
      name: 'eth0',
      index: 3,
      kind: 'veth',
      parent: 'eth0-peer',
      linkType: 'ether',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      up: true,
      carrier: true,
      operstate: 'UP',
      mtu: 1500,
      mac: '52:54:00:aa:00:10',
      addrs: [
        {family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global'},
        {family: 'inet6', local: 'fe80::5054:ff:feaa:10', prefixlen: 64, scope: 'link'},
      ],
    });
    expect(links.find((l) => l.name === 'vethc0ffee')).toMatchObject({master: 'docker0', slaveKind: 'bridge', parent: 'vethc0ffee-c'});
    expect(links.find((l) => l.name === 'br1')).toEqual({
      name: 'br1',
      index: 11,
      kind: 'tun',
      tunType: 'tap',
      linkType: 'ether',
      flags: ['BROADCAST', 'MULTICAST', 'PROMISC', 'UP', 'LOWER_UP'],
      up: true,
      carrier: true,
      operstate: 'UNKNOWN',
      mtu: 1460,
      mac: '86:01:16:13:1f:41',
      addrs: [
        {family: 'inet', local: '10.0.2.2', prefixlen: 15, scope: 'global'},
        {family: 'inet6', local: 'fec0::2', prefixlen: 63, scope: 'site'},
        {family: 'inet6', local: 'fe80::8401:16ff:fe13:1f41', prefixlen: 64, scope: 'link'},
      ],
    });
    const tap0 = links.find((l) => l.name === 'tap0')!;
    expect([tap0.up, tap0.carrier, tap0.operstate, tap0.flags[0], tap0.addrs]).toEqual([true, false, 'DOWN', 'NO-CARRIER', []]);
    expect(links[0]!.mac).toBeUndefined();
  });

  it('reads bridge slaves and a macvtap of the Fedora-style namespace', () => {
    const links = parseIpAddr(sample('ip-json-addr/generated-ovs-3.1-netns-linux-bridge.txt'), 'ip.addr');
    expect(links.find((l) => l.name === 'eth1')).toEqual({
      name: 'eth1',
      index: 6,
      kind: 'veth',
      slaveKind: 'bridge',
      master: 'bondbr0',
      parent: 'eth1-peer',
      linkType: 'ether',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      up: true,
      carrier: true,
      operstate: 'UP',
      mtu: 1500,
      mac: '52:54:00:bb:01:10',
      addrs: [{family: 'inet6', local: 'fe80::5054:ff:febb:110', prefixlen: 64, scope: 'link'}],
    });
    const macvtap = links.find((l) => l.name === 'macvtap0')!;
    expect([macvtap.kind, macvtap.parent, macvtap.mac]).toEqual(['macvtap', 'eth2', '52:54:00:dd:00:01']);
    expect(links.find((l) => l.name === 'bondbr0')!.addrs[0]).toEqual({family: 'inet', local: '192.0.2.20', prefixlen: 24, scope: 'global'});
  });

  it('tolerates "link": null, a missing addr_info and tunnels without a MAC (netplan sample)', () => {
    const links = parseIpAddr(sample('ip-json-addr/netplan-ip-d-j-addr-wg-sit-tun.txt'), 'ip.addr');
    expect(links.map((l) => l.name)).toEqual(['lo', 'enp0s31f6', 'wlan0', 'wg0', 'wwan0', 'tun0', 'tun1']);
    expect(links.find((l) => l.name === 'wg0')).toEqual({
      name: 'wg0',
      index: 41,
      kind: 'wireguard',
      linkType: 'none',
      flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'],
      up: true,
      carrier: true,
      operstate: 'UNKNOWN',
      mtu: 1420,
      addrs: [{family: 'inet', local: '10.10.0.2', prefixlen: 24, scope: 'global'}],
    });
    expect(links.find((l) => l.name === 'tun0')).toEqual({
      name: 'tun0',
      index: 48,
      kind: 'sit',
      linkType: 'sit',
      flags: ['POINTOPOINT', 'NOARP', 'UP', 'LOWER_UP'],
      up: true,
      carrier: true,
      operstate: 'UNKNOWN',
      mtu: 1480,
      addrs: [{family: 'inet6', local: '2001:dead:beef::2', prefixlen: 64, scope: 'global'}],
    });
    expect(links.find((l) => l.name === 'tun1')).toEqual({
      name: 'tun1',
      index: 49,
      kind: 'tun',
      tunType: 'tun',
      linkType: 'none',
      flags: ['POINTOPOINT', 'MULTICAST', 'NOARP', 'UP', 'LOWER_UP'],
      up: true,
      carrier: true,
      operstate: 'UNKNOWN',
      mtu: 1500,
      addrs: [],
    });
  });

  it('keeps both links of a duplicated ifindex and reads vlan parents and masters (nethsec sample)', () => {
    const links = parseIpAddr(sample('ip-json-link/nethsec-ip-json-master-vlan-ppp.txt'), 'ip.addr');
    expect(links.filter((l) => l.index === 9).map((l) => l.name)).toEqual(['vnet3', 'bond-bond1']);
    // Without -d there is no linkinfo, so no kind.
    const vlan = links.find((l) => l.name === 'eth1.4')!;
    expect([vlan.parent, vlan.master, 'kind' in vlan]).toEqual(['eth1', 'br-lan', false]);
    expect(links.find((l) => l.name === 'vnet3')!.master).toBe('virbr2');
    const ppp = links.find((l) => l.name === 'pppoe-w1')!;
    expect([ppp.linkType, 'mac' in ppp, ppp.addrs]).toEqual(['ppp', false, []]);
  });

  it('reads CRLF output', () => {
    const text = sample('ip-json-addr/generated-ovs-3.1-netns-ovs-br1-new-mac.txt').replace(/\n/g, '\r\n');
    expect(parseIpAddr(text, 'ip.addr').map((l) => [l.name, l.mac])).toEqual([['br1', '86:01:16:13:1f:42']]);
  });

  it('gives a ParseError for error text, text output and wrong shapes', () => {
    expect(parseErrorOf(() => parseIpAddr('Cannot open netlink socket: Permission denied\n', 'ip.addr'))).toMatchObject({
      source: 'ip.addr',
      line: 1,
      text: 'Cannot open netlink socket: Permission denied',
    });
    const text = parseErrorOf(() => parseIpAddr(sample('ip-addr-text/insights-truncated-tunnels.txt'), 'ip.addr'));
    expect([text.line, text.text]).toEqual([1, 'Message truncated']);
    expect(parseErrorOf(() => parseIpAddr('', 'ip.addr')).detail).toBe('empty output, expected JSON');
    expect(parseErrorOf(() => parseIpAddr('{"ifname":"eth0"}', 'ip.addr')).detail).toBe('expected a JSON array');
    expect(parseErrorOf(() => parseIpAddr('[1]', 'ip.addr')).detail).toBe('expected an object in the array');
    expect(parseErrorOf(() => parseIpAddr('[{"ifindex":1}]', 'ip.addr')).detail).toBe("'ifname' is not present");
    expect(parseErrorOf(() => parseIpAddr('[{"ifindex":1,"ifname":"x","flags":"UP"}]', 'ip.addr')).detail).toBe("'flags' is not a list of strings");
    expect(parseErrorOf(() => parseIpAddr('[{"ifindex":1,"ifname":"x","addr_info":[{"family":"inet"}]}]', 'ip.addr')).detail).toBe("'local' is not present");
    // A truncated capture: the error names the line the JSON broke on.
    expect(parseErrorOf(() => parseIpAddr('[{"ifindex":1,\n"ifname":"lo"\n"mtu":1}]', 'ip.addr'))).toMatchObject({line: 3, text: '"mtu":1}]'});
  });

  it('stays linear on a huge garbage line', () => {
    const started = Date.now();
    expect(() => parseIpAddr(`[${'{"ifindex":1,'.repeat(400_000)}`, 'ip.addr')).toThrow(ParseError);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('parseIpRoutes', () => {
  it('reads the IPv4 main table; a route without metric has metric 0', () => {
    expect(parseIpRoutes(sample('ip-json-route/generated-ovs-3.1-netns-ovs-route4.txt'), 'ip.route4', 'inet')).toEqual([
      {dst: 'default', gateway: '192.0.2.1', dev: 'eth0', protocol: 'static', metric: 100, family: 'inet'},
      {dst: '10.0.0.0/15', dev: 'br1', protocol: 'kernel', prefsrc: '10.0.2.2', metric: 0, family: 'inet'},
      {dst: '172.17.0.0/16', dev: 'docker0', protocol: 'kernel', prefsrc: '172.17.0.1', metric: 0, family: 'inet'},
      {dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel', prefsrc: '192.0.2.10', metric: 0, family: 'inet'},
    ]);
  });

  it('reads IPv6 routes with type, table and RA protocol (netplan sample)', () => {
    const routes = parseIpRoutes(sample('ip-json-route/netplan-ip-d-j-6-route-table-all.txt'), 'ip.route6', 'inet6');
    expect(routes).toHaveLength(10);
    expect(routes.filter((r) => r.dst === 'default')).toEqual([
      {dst: 'default', gateway: 'fe80::cece:1eff:fe3d:c737', dev: 'enp0s31f6', protocol: 'ra', type: 'unicast', table: '1234', metric: 100, family: 'inet6'},
      {dst: 'default', gateway: 'fe80::cece:1eff:fe3d:c737', dev: 'wlan0', protocol: 'ra', type: 'unicast', table: 'main', metric: 20600, family: 'inet6'},
    ]);
    expect(parseIpRoutes(sample('ip-json-route/linux_admin-ip-json-6-route-default-fake-gw.txt'), 'ip.route6', 'inet6')).toEqual([
      {dst: 'default', gateway: 'd:e:a:d:b:e:e:f', dev: 'eth0', protocol: 'static', metric: 100, family: 'inet6'},
    ]);
  });

  it('reads multipath next hops and route flags', () => {
    const text =
      '[{"dst":"default","protocol":"static","metric":100,"flags":[],"nexthops":[{"gateway":"192.0.2.1","dev":"eth0","weight":1,"flags":[]},' +
      '{"gateway":"198.51.100.1","dev":"eth1","weight":1,"flags":["linkdown"]}]},{"dst":"203.0.113.0/24","dev":"eth2","flags":["linkdown"]}]';
    expect(parseIpRoutes(text, 'ip.route4', 'inet')).toEqual([
      {dst: 'default', protocol: 'static', metric: 100, family: 'inet', nexthops: [{gateway: '192.0.2.1', dev: 'eth0'}, {gateway: '198.51.100.1', dev: 'eth1'}]},
      {dst: '203.0.113.0/24', dev: 'eth2', metric: 0, family: 'inet', flags: ['linkdown']},
    ]);
  });

  it('reads an empty table and rejects error text', () => {
    expect(parseIpRoutes('[]\n', 'ip.route4', 'inet')).toEqual([]);
    expect(parseErrorOf(() => parseIpRoutes('[{"gateway":"192.0.2.1"}]', 'ip.route4', 'inet')).detail).toBe("'dst' is not present");
    expect(parseErrorOf(() => parseIpRoutes('Error: ipv4: FIB table does not exist.\n', 'ip.route4', 'inet')).source).toBe('ip.route4');
  });
});

describe('parseIpRules', () => {
  it('reads policy rules with not, fwmark, suppress_prefixlength and rule types', () => {
    expect(parseIpRules(sample('ip-json-route/generated-ovs-3.1-netns-ovs-rule4.txt'), 'ip.rule4')).toEqual([
      {priority: 0, src: 'all', table: 'local', not: false},
      {priority: 1, src: '10.1.0.0', srclen: 16, table: '100', not: false},
      {priority: 5, src: 'all', dst: '203.0.113.0', dstlen: 24, iif: 'lo', action: 'prohibit', not: false},
      {priority: 32763, src: 'all', table: 'main', suppressPrefixlen: 0, not: false},
      {priority: 32764, src: 'all', fwmark: '0xca6c', table: '51820', not: true},
      {priority: 32766, src: 'all', table: 'main', not: false},
      {priority: 32767, src: 'all', table: 'default', not: false},
    ]);
  });
});

describe('parseRouteGet', () => {
  it('reads the route to a GRE peer, with the route MTU when set', () => {
    expect(parseRouteGet(sample('ip-json-route/generated-ovs-3.1-netns-ovs-route-get-192.0.2.2.txt'), 'ip.route-get')).toEqual({
      dst: '192.0.2.2',
      dev: 'eth0',
      prefsrc: '192.0.2.10',
    });
    expect(parseRouteGet(sample('ip-json-route/generated-ovs-3.1-netns-ovs-route-get-198.51.100.7-mtu.txt'), 'ip.route-get')).toEqual({
      dst: '198.51.100.7',
      gateway: '192.0.2.1',
      dev: 'eth0',
      prefsrc: '192.0.2.10',
      mtu: 1400,
    });
  });

  it('gives a ParseError for "Network is unreachable" and an empty reply', () => {
    const e = parseErrorOf(() => parseRouteGet(sample('ip-json-route/generated-ovs-3.1-netns-linux-bridge-route-get-unreachable.txt'), 'ip.route-get'));
    expect(e.text).toBe('RTNETLINK answers: Network is unreachable');
    expect(parseErrorOf(() => parseRouteGet('[]', 'ip.route-get')).detail).toBe('no route in the reply');
  });
});

// Random edits of real outputs: the parsers answer with a model or a ParseError, nothing else.
const SPECIALS = ['"', '[', ']', '{', '}', ',', ':', 'null', '-1', '""', '[]', '{}'];

describe('mutated real inputs', () => {
  const inputs: [string, (t: string) => unknown][] = [
    ['ip-json-addr/generated-ovs-3.1-netns-ovs.txt', (t) => parseIpAddr(t, 'ip.addr')],
    ['ip-json-addr/netplan-ip-d-j-addr-wg-sit-tun.txt', (t) => parseIpAddr(t, 'ip.addr')],
    ['ip-json-route/netplan-ip-d-j-6-route-table-all.txt', (t) => parseIpRoutes(t, 'ip.route6', 'inet6')],
    ['ip-json-route/generated-ovs-3.1-netns-ovs-rule4.txt', (t) => parseIpRules(t, 'ip.rule4')],
    ['ip-json-route/generated-ovs-3.1-netns-ovs-route-get-198.51.100.7-mtu.txt', (t) => parseRouteGet(t, 'ip.route-get')],
  ];
  for (const [path, parse] of inputs) {
    it(`${path}: a model or a ParseError`, () => {
      const base = sample(path);
      fc.assert(fc.property(mutationsOf([base], {specials: SPECIALS}), (text) => survives(() => parse(text))), {numRuns: 150});
    });
  }
});
