// `ovs-vsctl list` text: published terminal copy (fuel-library) and the JSON it must equal.
import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {mutationsOf, survives} from '../../test/helpers/mutation.js';
import {parseOvsJsonList} from './ovs.js';
import {ovsTableToJson, parseOvsTextList} from './ovs-text.js';

const FUEL = readFileSync(new URL('../../test/samples/ovs-vsctl-list/fuel-list-port-screen-artifacts.txt', import.meta.url), 'utf8');

describe('ovs-vsctl list text', () => {
  it('reads the fuel terminal copy: lost underscore restored, scroll marker cut and counted', () => {
    const {table, markersCut} = parseOvsTextList(FUEL, 'fuel');
    expect(markersCut).toBe(1);
    expect(table.rows.length).toBe(2);
    expect(table.rows[0]!['_uuid']).toEqual({uuid: 'e265fe10-49e0-4945-b6cf-7d8063d79d25'});
    expect(table.rows[0]!['name']).toBe('br-prv');
    expect(table.rows[0]!['interfaces']).toEqual({uuid: 'b8cff9cb-db9e-4505-a960-58d0cae7afdb'});
    expect(table.rows[0]!['tag']).toEqual([]);
    expect(table.rows[0]!['external_ids']).toEqual({map: {}});
  });

  it('writes JSON the --format=json reader reads back to the same table', () => {
    const text = [
      '_uuid               : 0f1c2d3e-4a5b-6c7d-8e9f-a0b1c2d3e4f5',
      'admin_state         : up',
      'mtu                 : 1460',
      'name                : tap0',
      'ofport              : 3',
      'options             : {key=flow, remote_ip="192.0.2.20"}',
      'other_config        : {}',
      'status              : {driver_name=tun, "odd key"="a, b"}',
      'type                : ""',
      '',
      '_uuid               : 1f1c2d3e-4a5b-6c7d-8e9f-a0b1c2d3e4f5',
      'name                : "gre1"',
      'ofport              : 4',
      'type                : gre',
      'bond_updelay        : 0.5',
      'ingress_policing_burst: 0',
      'trunks              : [1, 2, 3]',
    ].join('\n');
    const {table} = parseOvsTextList(text, 't');
    const back = parseOvsJsonList(ovsTableToJson(table), 't');
    expect(back.rows).toEqual(table.rows.map((r) => Object.fromEntries(table.headings.map((h) => [h, r[h] ?? []]))));
    expect(table.rows[0]!['status']).toEqual({map: {driver_name: 'tun', 'odd key': 'a, b'}});
    expect(table.rows[1]!['trunks']).toEqual([1, 2, 3]);
    // A column name as wide as the padding: real ovs-vsctl 3.1 prints no blank before the colon.
    expect(table.rows[1]!['ingress_policing_burst']).toBe(0);
    expect(table.rows[0]!['type']).toBe('');
  });

  it('property: mutated captures give a table or a ParseError, never a crash, through the JSON reader too', () => {
    fc.assert(
      fc.property(mutationsOf([FUEL], {specials: [' : ', '[', ']', '{', '}', '"', '=', ', ', '[63/1861]']}), (text) =>
        survives(() => parseOvsJsonList(ovsTableToJson(parseOvsTextList(text, 'm').table), 'm')),
      ),
      {numRuns: 300},
    );
  });
});
