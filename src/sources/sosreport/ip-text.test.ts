import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, test} from 'vitest';

import {ParseError} from '../../parsers/errors.js';
import {parseIpAddr, parseIpRoutes} from '../../parsers/ip.js';
import {linkToIpJson, parseIpDAddressText, parseIpRouteText, routeToIpJson} from './ip-text.js';

const sample = (p: string) => readFileSync(new URL(`../../../test/samples/${p}`, import.meta.url), 'utf8');
const ADDR = sample('ip-addr-text/hotsos-openstack-ip-d-address-excerpt.txt');
const ROUTES = sample('ip-route-text/hotsos-openstack-route-table-all-excerpt.txt');

describe('parseIpDAddressText (sosreport networking/ip_-d_address)', () => {
  const links = parseIpDAddressText(ADDR, 'ip_-d_address');
  const byName = (n: string) => links.find((l) => l.name === n)!;

  test('every link header becomes one link, in order, without the @peer suffix', () => {
    expect(links.map((l) => `${l.index}:${l.name}`)).toEqual([
      '1:lo', '2:ens3', '3:ens4', '6:ens7', '9:br-ens3', '10:ovs-system', '15:lxdbr0', '17:veth1883dceb', '31:vxlan_sys_4789', '37:tap0e778df8-ca',
    ]);
  });

  test('flags, state, mtu, master and addresses of a Linux bridge port and the bridge', () => {
    expect(byName('ens3')).toEqual({
      name: 'ens3', index: 2, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], up: true, carrier: true, operstate: 'UP', mtu: 1500,
      master: 'br-ens3', linkType: 'ether', mac: '52:54:00:e2:28:a3', slaveKind: 'bridge', addrs: [],
    });
    expect(byName('br-ens3').kind).toBe('bridge');
    expect(byName('br-ens3').addrs).toEqual([
      {family: 'inet', local: '10.0.0.128', prefixlen: 24, scope: 'global'},
      {family: 'inet6', local: 'fe80::98a5:d0ff:fe3f:6793', prefixlen: 64, scope: 'link'},
    ]);
    expect(byName('lxdbr0')).toMatchObject({up: true, carrier: false, operstate: 'DOWN'});
  });

  test('OVS datapath, OVS ports, tun/tap, veth and vxlan kinds', () => {
    expect(byName('ovs-system')).toMatchObject({kind: 'openvswitch', up: false});
    expect(byName('ens7')).toMatchObject({master: 'ovs-system', slaveKind: 'openvswitch'});
    expect(byName('ens7').kind).toBeUndefined();
    expect(byName('tap0e778df8-ca')).toMatchObject({kind: 'tun', tunType: 'tap', slaveKind: 'openvswitch', mtu: 1450});
    expect(byName('veth1883dceb')).toMatchObject({kind: 'veth', slaveKind: 'bridge'});
    expect(byName('veth1883dceb').parent).toBeUndefined(); // @if16 is an index in another netns
    expect(byName('vxlan_sys_4789').kind).toBe('vxlan');
    expect(byName('lo')).toMatchObject({linkType: 'loopback'});
    expect(byName('lo').mac).toBeUndefined();
  });

  test('the ip -j JSON written for the snapshot reads back to the same links', () => {
    const json = JSON.stringify(links.map(linkToIpJson));
    expect(parseIpAddr(json, 'ip.addr')).toEqual(links);
  });

  test('a VLAN names its lower device; CRLF is accepted', () => {
    const text = '5: eth0.57@eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\r\n    link/ether 52:54:00:e2:28:a3 brd ff:ff:ff:ff:ff:ff\r\n    vlan protocol 802.1Q id 57 <REORDER_HDR>\r\n';
    expect(parseIpDAddressText(text, 's')).toEqual([
      {name: 'eth0.57', index: 5, flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], up: true, carrier: true, operstate: 'UP', mtu: 1500, parent: 'eth0', linkType: 'ether', mac: '52:54:00:e2:28:a3', kind: 'vlan', addrs: []},
    ]);
  });

  test('error text instead of output is a ParseError naming the line; empty output is no links', () => {
    expect(() => parseIpDAddressText('Cannot open netlink socket: Permission denied\n', 'ip_-d_address')).toThrow(ParseError);
    expect(() => parseIpDAddressText('    inet 10.0.0.1/24 scope global x\n', 'ip_-d_address')).toThrow(/indented line before the first link/);
    expect(parseIpDAddressText('', 's')).toEqual([]);
    expect(() => parseIpDAddressText('\u0000\u0001: x', 's')).toThrow(ParseError);
  });
});

describe('parseIpRouteText (sosreport networking/ip_route_show_table_all)', () => {
  const {inet, inet6} = parseIpRouteText(ROUTES, 'ip_route_show_table_all');

  test('only the main table, split by family; no metric means 0', () => {
    expect(inet).toEqual([
      {dst: 'default', gateway: '10.0.0.2', dev: 'br-ens3', protocol: 'static', metric: 0, family: 'inet'},
      {dst: '10.0.0.0/24', dev: 'br-ens3', protocol: 'kernel', prefsrc: '10.0.0.128', metric: 0, family: 'inet'},
      {dst: '10.50.99.0/24', dev: 'lxdbr0', protocol: 'kernel', prefsrc: '10.50.99.1', metric: 0, family: 'inet', flags: ['linkdown']},
    ]);
    expect(inet6.map((r) => `${r.dst} ${r.dev} ${r.metric}`)).toEqual(['::1 lo 256', 'fe80::/64 br-ens3 256', 'fe80::/64 ens9 256', 'fe80::/64 tap0e778df8-ca 256']);
  });

  test('the ip -j JSON written for the snapshot reads back to the same routes', () => {
    expect(parseIpRoutes(JSON.stringify(inet.map(routeToIpJson)), 'ip.route4', 'inet')).toEqual(inet);
    expect(parseIpRoutes(JSON.stringify(inet6.map(routeToIpJson)), 'ip.route6', 'inet6')).toEqual(inet6);
  });

  test('multipath next hops, an IPv6 default, and a typed route', () => {
    const text = 'default proto static metric 100 \n\tnexthop via 192.0.2.1 dev eth0 weight 1 \n\tnexthop via 192.0.2.2 dev eth1 weight 1 \nunreachable 10.9.0.0/16 metric 5\ndefault via fe80::1 dev eth0 proto ra metric 1024 expires 1790sec pref medium\n';
    const r = parseIpRouteText(text, 's');
    expect(r.inet).toEqual([
      {dst: 'default', protocol: 'static', metric: 100, family: 'inet', nexthops: [{gateway: '192.0.2.1', dev: 'eth0'}, {gateway: '192.0.2.2', dev: 'eth1'}]},
      {dst: '10.9.0.0/16', type: 'unreachable', metric: 5, family: 'inet'},
    ]);
    expect(r.inet6).toEqual([{dst: 'default', gateway: 'fe80::1', dev: 'eth0', protocol: 'ra', metric: 1024, family: 'inet6'}]);
  });

  test('error text is a ParseError; empty output has no routes', () => {
    expect(() => parseIpRouteText('Cannot open netlink socket: Permission denied\n', 's')).toThrow(ParseError);
    expect(() => parseIpRouteText('sh: ip: command not found\n', 's')).toThrow(ParseError);
    expect(parseIpRouteText('', 's')).toEqual({inet: [], inet6: []});
  });
});

describe('hostile input', () => {
  const lineish = fc.array(fc.oneof(fc.string(), fc.constantFrom('1: a: <UP> mtu', '    inet', '    link/ether', 'default via', '\tnexthop via', 'local', ' ', '\r', '\u0000')), {maxLength: 30}).map((parts) => parts.join(''));
  test('arbitrary text gives links/routes or a ParseError, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), lineish), (text) => {
        for (const parse of [() => parseIpDAddressText(text, 's'), () => parseIpRouteText(text, 's')]) {
          try {
            parse();
          } catch (err) {
            expect(err).toBeInstanceOf(ParseError);
          }
        }
      }),
      {numRuns: 300},
    );
  });
});
