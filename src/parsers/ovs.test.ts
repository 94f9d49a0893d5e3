import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import type {OvsDb} from '../facts/types.js';
import {ParseError} from './errors.js';
import {asSet, asStringMap, ovsDbFromTables, ovsShowVersion, parseOvsJsonList, parseOvsShow, toOvsInterface} from './ovs.js';
import {applyEdits, edits, mutationsOf, survives} from '../../test/helpers/mutation.js';
import {parseErrorOf} from '../../test/helpers/thrown.js';

const sample = (path: string) => readFileSync(new URL(`../../test/samples/${path}`, import.meta.url), 'utf8');

const generatedTables = () => ({
  bridges: parseOvsJsonList(sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-bridge.txt'), 'ovs.bridges'),
  ports: parseOvsJsonList(sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-port.txt'), 'ovs.ports'),
  interfaces: parseOvsJsonList(sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-interface.txt'), 'ovs.interfaces'),
});

/** Ports sorted by name with interfaces by name: ovs-vsctl orders rows by hash, which changes per capture. */
const portSummary = (db: OvsDb) =>
  db.ports
    .map((p) => ({...p, interfaces: p.interfaces.map((i) => i.name)}))
    .sort((a, b) => a.name.localeCompare(b.name));

describe('parseOvsJsonList', () => {
  it('decodes empty sets, scalars, maps and uuids (the shapes of ovs-vsctl --format=json list, Open vSwitch 3.1.0)', () => {
    const table = parseOvsJsonList(
      '{"data":[["tap0",["set",[]],["set",[]],["uuid","0f3c2b6e-8a37-4c5b-9d3b-1b2a3c4d5e6f"]],["tap1",12,"dot1q-tunnel",["set",[["uuid","a"],["uuid","b"]]]]],"headings":["name","tag","vlan_mode","interfaces"]}\n',
      'ovs.ports',
    );
    expect(table).toEqual({
      source: 'ovs.ports',
      headings: ['name', 'tag', 'vlan_mode', 'interfaces'],
      rows: [
        {name: 'tap0', tag: [], vlan_mode: [], interfaces: {uuid: '0f3c2b6e-8a37-4c5b-9d3b-1b2a3c4d5e6f'}},
        {name: 'tap1', tag: 12, vlan_mode: 'dot1q-tunnel', interfaces: [{uuid: 'a'}, {uuid: 'b'}]},
      ],
    });
    expect(asSet(table.rows[0]!['interfaces'])).toEqual([{uuid: '0f3c2b6e-8a37-4c5b-9d3b-1b2a3c4d5e6f'}]);
    const gre = parseOvsJsonList('{"data":[["gre1","gre",["map",[["remote_ip","192.0.2.2"],["key",5]]]]],"headings":["name","type","options"]}', 'x');
    expect(gre.rows[0]!['options']).toEqual({map: {remote_ip: '192.0.2.2', key: 5}});
    // Collection asks for two columns only: the others are left undecoded (and out of the rows).
    const some = parseOvsJsonList('{"data":[["gre1","gre",["map",[["remote_ip","192.0.2.2"]]]]],"headings":["name","type","options"]}', 'x', ['type', 'options']);
    expect(some.rows).toEqual([{type: 'gre', options: {map: {remote_ip: '192.0.2.2'}}}]);
    expect(asStringMap(gre.rows[0]!['options'])).toEqual({remote_ip: '192.0.2.2', key: '5'});
  });

  it('reads every column of the generated port list', () => {
    const ports = parseOvsJsonList(sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-port.txt'), 'ovs.ports');
    expect(ports.headings).toEqual([
      '_uuid', 'bond_active_slave', 'bond_downdelay', 'bond_fake_iface', 'bond_mode', 'bond_updelay', 'cvlans', 'external_ids',
      'fake_bridge', 'interfaces', 'lacp', 'mac', 'name', 'other_config', 'protected', 'qos', 'rstp_statistics', 'rstp_status',
      'statistics', 'status', 'tag', 'trunks', 'vlan_mode',
    ]);
    const tap12 = ports.rows.find((r) => r['name'] === 'tap12')!;
    expect([tap12['tag'], tap12['vlan_mode'], tap12['trunks'], tap12['fake_bridge']]).toEqual([13, 'dot1q-tunnel', [], false]);
    expect(ports.rows.map((r) => r['name']).sort()).toEqual(['br1', 'gre1', 'tap0', 'tap1', 'tap12', 'tap64']);
  });

  it('reads the xcp-ng interface list (gre and vxlan options, 64-bit counters)', () => {
    const table = parseOvsJsonList(sample('ovs-vsctl-json/xcpng-format-json-list-interface-gre-vxlan.txt'), 'ovs.interfaces');
    const ifaces = table.rows.map((row) => toOvsInterface(table, row));
    expect(ifaces.filter((i) => i.type === 'gre' || i.type === 'vxlan').map((i) => [i.name, i.type, i.options, i.ofport, i.mtu])).toEqual([
      ['xapi16_iface13', 'gre', {key: '12', remote_ip: '192.168.1.221'}, 1, undefined],
      ['xapi9_iface14', 'vxlan', {key: '5', remote_ip: '192.168.1.221'}, 1, undefined],
      ['xapi31_iface15', 'gre', {key: '14', remote_ip: '192.168.1.221'}, 1, undefined],
    ]);
    expect(ifaces.find((i) => i.name === 'vif1.0')).toEqual({
      name: 'vif1.0',
      type: '',
      options: {},
      ofport: 2,
      mtu: 1500,
      mac: 'fe:ff:ff:ff:ff:ff',
      linkState: 'up',
      status: {driver_name: 'vif', driver_version: '', firmware_version: ''},
    });
  });

  it('keeps "__proto__" a plain key', () => {
    const t = parseOvsJsonList('{"data":[[["map",[["__proto__",["uuid","x"]]]]]],"headings":["__proto__"]}', 'x');
    const row = t.rows[0]!;
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.keys(row)).toEqual(['__proto__']);
    expect(Object.keys((row['__proto__'] as {map: object}).map)).toEqual(['__proto__']);
  });

  it('gives a ParseError for text output, error text and wrong shapes', () => {
    expect(parseErrorOf(() => parseOvsJsonList(sample('ovs-vsctl-list/fuel-list-port-screen-artifacts.txt'), 'ovs.ports')).line).toBe(1);
    expect(parseErrorOf(() => parseOvsJsonList(sample('ovs-vsctl-json/generated-ovs-3.1-netns-error-no-db.txt'), 'ovs.bridges')).text).toBe(
      'ovs-vsctl: unix:/run/tdovs/run/db.sock: database connection failed (No such file or directory)',
    );
    expect(parseErrorOf(() => parseOvsJsonList('[]', 'x')).detail).toBe('expected a JSON object with data and headings');
    expect(parseErrorOf(() => parseOvsJsonList('{"data":[]}', 'x')).detail).toBe('"headings" is not a list of column names');
    expect(parseErrorOf(() => parseOvsJsonList('{"data":[["a"]],"headings":["name","tag"]}', 'x')).detail).toBe('row does not have 2 columns');
    expect(parseErrorOf(() => parseOvsJsonList('{"data":[[["bag",[]]]],"headings":["x"]}', 'x')).detail).toBe('unknown OVSDB value');
    expect(parseErrorOf(() => parseOvsJsonList('{"data":[[["set",[null]]]],"headings":["x"]}', 'x')).detail).toBe('unknown OVSDB atom');
    expect(parseErrorOf(() => parseOvsJsonList('{"data":[[["map",[["k"]]]]],"headings":["x"]}', 'x')).detail).toBe('map entry is not a [key, value] pair');
  });
});

describe('ovsDbFromTables', () => {
  it('joins bridges, ports and interfaces of the generated database by uuid', () => {
    const db = ovsDbFromTables(generatedTables());
    expect(db.from).toBe('json');
    expect(db.bridges.map((b) => ({...b, ports: b.ports.map((p) => p.name).sort()}))).toEqual([
      {name: 'br1', datapathType: 'netdev', rstpEnable: true, stpEnable: false, ports: ['br1', 'gre1', 'tap0', 'tap1', 'tap12', 'tap64']},
    ]);
    expect(portSummary(db)).toEqual([
      {name: 'br1', bridge: 'br1', interfaces: ['br1']},
      {name: 'gre1', bridge: 'br1', interfaces: ['gre1']},
      {name: 'tap0', bridge: 'br1', interfaces: ['tap0']},
      {name: 'tap1', bridge: 'br1', tag: 12, vlanMode: 'dot1q-tunnel', interfaces: ['tap1']},
      {name: 'tap12', bridge: 'br1', tag: 13, vlanMode: 'dot1q-tunnel', interfaces: ['tap12']},
      {name: 'tap64', bridge: 'br1', tag: 12, vlanMode: 'dot1q-tunnel', interfaces: ['tap64']},
    ]);
    const iface = (name: string) => db.interfaces.find((i) => i.name === name);
    expect(iface('tap12')).toEqual({name: 'tap12', type: '', options: {}, ofport: -1, error: 'could not open network device tap12 (No such device)', status: {}});
    expect(iface('gre1')).toMatchObject({name: 'gre1', type: 'gre', options: {remote_ip: '192.0.2.2'}, ofport: 4, linkState: 'up', status: {tunnel_egress_iface: 'eth0', tunnel_egress_iface_carrier: 'up'}});
    expect('mtu' in iface('gre1')!).toBe(false);
    expect(iface('br1')).toEqual({
      name: 'br1',
      type: 'internal',
      options: {},
      ofport: 65534,
      mtu: 1460,
      mtuRequest: 1460,
      mac: '86:01:16:13:1f:41',
      linkState: 'up',
      status: {driver_name: 'tun', driver_version: '1.6', firmware_version: ''},
    });
    expect(iface('tap1')).toMatchObject({ofport: 2, mtu: 1500, mac: '5a:00:00:00:00:01', linkState: 'down'});
    // The port objects inside bridges are the same as in db.ports.
    expect(db.bridges[0]!.ports.find((p) => p.name === 'tap1')).toBe(db.ports.find((p) => p.name === 'tap1'));
  });

  it('leaves a port without bridge when no bridge lists it', () => {
    const tables = generatedTables();
    tables.bridges = parseOvsJsonList('{"data":[],"headings":["_uuid","name","ports"]}', 'ovs.bridges');
    const db = ovsDbFromTables(tables);
    expect(db.bridges).toEqual([]);
    expect(db.ports.every((p) => p.bridge === undefined)).toBe(true);
  });

  it('needs the _uuid column to join', () => {
    const tables = generatedTables();
    tables.interfaces = parseOvsJsonList('{"data":[["tap0",1]],"headings":["name","ofport"]}', 'ovs.interfaces');
    expect(parseErrorOf(() => ovsDbFromTables(tables))).toMatchObject({source: 'ovs.interfaces', text: 'tap0'});
  });
});

describe('ovsShowVersion', () => {
  it('reads the version parseOvsShow reads, from every real show sample', () => {
    const files = ['generated-ovs-3.1-netns-br1.txt', 'hotsos-openstack-manager-controller.txt', 'insights-openstack-patch-vxlan.txt', 'openqa-docs-br0-tap-tags.txt', 'openqa-docs-gre-type-system.txt'];
    const versions = files.map((f) => sample(`ovs-vsctl-show/${f}`));
    expect(versions.map((t) => ovsShowVersion(t))).toEqual(versions.map((t) => parseOvsShow(t, 'ovs.show').ovsVersion));
    expect(versions.map((t) => ovsShowVersion(t))).toEqual(['3.1.0', '2.13.3', '2.3.2', '2.11.1', '3.1.0']);
  });

  it('takes a bare version, and none from text without one or with an unterminated quote', () => {
    expect(ovsShowVersion('Bridge br0\n    Port tap0\n        Interface tap0\novs_version: 2.17.9\n')).toBe('2.17.9');
    expect(ovsShowVersion('Bridge br0\n    Port tap0\n')).toBeUndefined();
    expect(ovsShowVersion('    ovs_version: "3.1.0\n')).toBeUndefined();
    expect(ovsShowVersion('')).toBeUndefined();
  });
});

describe('parseOvsShow', () => {
  it('reads the generated Open vSwitch 3.1 show output (bare names, error, gre options)', () => {
    const db = parseOvsShow(sample('ovs-vsctl-show/generated-ovs-3.1-netns-br1.txt'), 'ovs.show');
    expect([db.from, db.ovsVersion, db.bridges.map((b) => [b.name, b.datapathType, b.ports.length])]).toEqual(['show', '3.1.0', [['br1', 'netdev', 6]]]);
    expect(portSummary(db)).toEqual([
      {name: 'br1', bridge: 'br1', interfaces: ['br1']},
      {name: 'gre1', bridge: 'br1', interfaces: ['gre1']},
      {name: 'tap0', bridge: 'br1', interfaces: ['tap0']},
      {name: 'tap1', bridge: 'br1', tag: 12, interfaces: ['tap1']},
      {name: 'tap12', bridge: 'br1', tag: 13, interfaces: ['tap12']},
      {name: 'tap64', bridge: 'br1', tag: 12, interfaces: ['tap64']},
    ]);
    const iface = (name: string) => db.interfaces.find((i) => i.name === name);
    expect(iface('tap12')).toEqual({name: 'tap12', type: '', options: {}, error: 'could not open network device tap12 (No such device)'});
    expect(iface('gre1')).toEqual({name: 'gre1', type: 'gre', options: {remote_ip: '192.0.2.2'}});
    expect(iface('br1')).toEqual({name: 'br1', type: 'internal', options: {}});
  });

  it('reads the openQA docs excerpt: quoted names, no uuid line, ovs_version indented oddly', () => {
    const db = parseOvsShow(sample('ovs-vsctl-show/openqa-docs-br0-tap-tags.txt'), 'ovs.show');
    expect(db).toEqual({
      from: 'show',
      ovsVersion: '2.11.1',
      bridges: [{name: 'br0', ports: db.ports}],
      ports: [
        {name: 'br0', bridge: 'br0', interfaces: [{name: 'br0', type: 'internal', options: {}}]},
        {name: 'tap0', bridge: 'br0', interfaces: [{name: 'tap0', type: '', options: {}}]},
        {name: 'tap1', bridge: 'br0', tag: 1, interfaces: [{name: 'tap1', type: '', options: {}}]},
        {name: 'tap2', bridge: 'br0', tag: 1, interfaces: [{name: 'tap2', type: '', options: {}}]},
      ],
      interfaces: db.ports.flatMap((p) => p.interfaces),
    });
  });

  it('reads an NM gretap port as type system', () => {
    const db = parseOvsShow(sample('ovs-vsctl-show/openqa-docs-gre-type-system.txt'), 'ovs.show');
    expect(db.interfaces).toEqual([
      {name: 'br0', type: 'internal', options: {}},
      {name: 'gre1', type: 'system', options: {}},
    ]);
    expect(db.ovsVersion).toBe('3.1.0');
  });

  it('reads quoted option values and patch peers (insights, OVS 2.3)', () => {
    const db = parseOvsShow(sample('ovs-vsctl-show/insights-openstack-patch-vxlan.txt'), 'ovs.show');
    expect(db.bridges.map((b) => [b.name, b.ports.length])).toEqual([
      ['br-ex', 4],
      ['br-int', 7],
      ['br-tun', 6],
    ]);
    expect(db.interfaces.find((i) => i.name === 'vxlan-aca80118')).toEqual({
      name: 'vxlan-aca80118',
      type: 'vxlan',
      options: {df_default: 'true', in_key: 'flow', local_ip: '172.168.1.26', out_key: 'flow', remote_ip: '172.168.1.24'},
    });
    expect(db.interfaces.find((i) => i.name === 'int-br-ex')!.options).toEqual({peer: 'phy-br-ex'});
    expect(db.ports.filter((p) => p.tag !== undefined).map((p) => [p.name, p.tag])).toEqual([
      ['tapfcce898c-ca', 1],
      ['tapdf2d6113-b2', 2],
      ['ha-1f423581-cd', 3],
      ['qr-417e232b-dd', 1],
    ]);
  });

  it('skips Manager and Controller records (hotsos, OVS 2.13)', () => {
    const db = parseOvsShow(sample('ovs-vsctl-show/hotsos-openstack-manager-controller.txt'), 'ovs.show');
    expect(db.bridges.map((b) => [b.name, b.datapathType, b.ports.length])).toEqual([
      ['br-data', 'system', 3],
      ['br-tun', 'system', 4],
      ['br-ex', 'system', 1],
      ['br-int', 'system', 9],
    ]);
    expect(db.ovsVersion).toBe('2.13.3');
    expect(db.interfaces.find((i) => i.name === 'tap0e778df8-ca')).toEqual({name: 'tap0e778df8-ca', type: '', options: {}});
  });

  it('unescapes quoted names and values', () => {
    const text = 'Bridge "br 0"\n    Port "a\\"b"\n        Interface "a\\"b"\n            options: {k="x, y", q="\\"}"}\n';
    const db = parseOvsShow(text, 'ovs.show');
    expect(db.ports[0]!.name).toBe('a"b');
    expect(db.bridges[0]!.name).toBe('br 0');
    expect(db.interfaces[0]!.options).toEqual({k: 'x, y', q: '"}'});
  });

  it('gives a ParseError for error text and broken structure', () => {
    expect(parseErrorOf(() => parseOvsShow(sample('ovs-vsctl-json/generated-ovs-3.1-netns-error-no-db.txt'), 'ovs.show'))).toMatchObject({
      line: 1,
      detail: 'attribute outside any record',
    });
    expect(parseErrorOf(() => parseOvsShow('', 'ovs.show')).detail).toBe('empty output');
    expect(parseErrorOf(() => parseOvsShow('Port tap0\n', 'ovs.show')).detail).toBe('Port outside a Bridge');
    expect(parseErrorOf(() => parseOvsShow('Bridge br1\n    Interface tap0\n', 'ovs.show'))).toMatchObject({line: 2, detail: 'Interface outside a Port'});
    expect(parseErrorOf(() => parseOvsShow('Bridge br1\n    Port tap0\n        tag: 4096\n', 'ovs.show')).detail).toBe('tag is not a VLAN id');
    expect(parseErrorOf(() => parseOvsShow('Bridge "br1\n', 'ovs.show')).detail).toBe('unterminated quoted string');
    expect(parseErrorOf(() => parseOvsShow('Bridge br1\n Port p\n  Interface p\n   options: {a}\n', 'ovs.show')).detail).toBe('option "a" without a value');
    expect(parseErrorOf(() => parseOvsShow('Bridge br1\nsomething odd\n', 'ovs.show'))).toMatchObject({line: 2, detail: 'neither a record nor a "key: value" line'});
  });
});

// Random edits of real outputs: the parsers answer with a model or a ParseError, nothing else.
const SPECIALS = ['"', '[', ']', '{', '}', ',', ':', '=', '\\', 'null', '["set",[]]', '["map",[1]]', '["uuid",1]', '    ', 'Port x\n', 'tag: 9\n'];

describe('mutated real inputs', () => {
  it('ovs-vsctl show: a model or a ParseError', () => {
    const bases = ['generated-ovs-3.1-netns-br1.txt', 'insights-openstack-patch-vxlan.txt', 'openqa-docs-br0-tap-tags.txt'].map((f) => sample(`ovs-vsctl-show/${f}`));
    fc.assert(
      fc.property(mutationsOf(bases, {specials: SPECIALS}), (text) => survives(() => parseOvsShow(text, 'ovs.show'))),
      {numRuns: 300},
    );
  });

  it('JSON lists, joined: a model or a ParseError', () => {
    const texts = {
      bridges: sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-bridge.txt'),
      ports: sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-port.txt'),
      interfaces: sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-interface.txt'),
    };
    fc.assert(
      fc.property(fc.constantFrom('bridges', 'ports', 'interfaces') as fc.Arbitrary<keyof typeof texts>, edits({specials: SPECIALS}), (which, ops) =>
        survives(() => {
          const mutated = {...texts, [which]: applyEdits(texts[which], ops)};
          return ovsDbFromTables({
            bridges: parseOvsJsonList(mutated.bridges, 'ovs.bridges'),
            ports: parseOvsJsonList(mutated.ports, 'ovs.ports'),
            interfaces: parseOvsJsonList(mutated.interfaces, 'ovs.interfaces'),
          });
        }),
      ),
      {numRuns: 300},
    );
  });
});
