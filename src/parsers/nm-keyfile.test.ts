import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {parseKeyfileGroups, parseNmKeyfile} from './nm-keyfile.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';
import {catchError} from '../../test/helpers/thrown.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = ['[', ']', '=', '\\', '#', ',', ';', '__proto__=1\n'];

const sample = (name: string) => readFileSync(new URL(`../../test/samples/nm-keyfile/generated-nmcli-1.42.4-offline-${name}.txt`, import.meta.url), 'utf8');
const withoutSections = (p: ReturnType<typeof parseNmKeyfile>) => {
  const {sections: _sections, ...rest} = p;
  return rest;
};

describe('parseNmKeyfile on nmcli 1.42.4 --offline output', () => {
  it('Fedora ovs-bridge, ovs-port and ovs-interface profiles of br0', () => {
    expect(withoutSections(parseNmKeyfile(sample('ovs-bridge-br0'), 'ovs-br'))).toEqual({
      id: 'ovs-br',
      uuid: '3116ec29-676c-4f43-8cb5-22e0fbff8cba',
      type: 'ovs-bridge',
      interfaceName: 'br0',
      autoconnect: true,
      ipv4: {method: 'auto', addresses: []},
      ipv6: {method: 'auto', addresses: []},
    });
    expect(parseNmKeyfile(sample('ovs-port-br0'), 'p')).toMatchObject({type: 'ovs-port', interfaceName: 'br0', master: 'br0', slaveType: 'ovs-bridge'});
    expect(withoutSections(parseNmKeyfile(sample('ovs-interface-br0-fedora'), 'i'))).toEqual({
      id: 'ovs-br-if',
      uuid: 'b877baaf-c25c-4746-9e87-b141f0cb0a0b',
      type: 'ovs-interface',
      interfaceName: 'br0',
      autoconnect: true,
      master: 'br0',
      slaveType: 'ovs-port',
      ovsInterfaceType: 'internal',
      ipv4: {method: 'manual', addresses: ['172.16.2.2/15']},
      ipv6: {method: 'auto', addresses: []},
    });
  });

  it('SUSE-style br1 interface: zone, MTU, IPv6 gateway address, dad-timeout kept in sections', () => {
    const p = parseNmKeyfile(sample('ovs-interface-br1-suse'), 'br1');
    expect(p).toMatchObject({
      interfaceName: 'br1',
      zone: 'trusted',
      mtu: 1460,
      ipv4: {method: 'manual', addresses: ['10.0.2.2/15']},
      ipv6: {method: 'manual', addresses: ['fec0::2/63']},
    });
    expect(p.sections.ipv4!['dad-timeout']).toBe('0');
  });

  it('a tap profile (Fedora nmcli con add type tun mode tap owner ... group ...)', () => {
    expect(withoutSections(parseNmKeyfile(sample('tun-tap0'), 't'))).toEqual({
      id: 'ovs-slave-tap0',
      uuid: '97785616-ab3d-41fb-bb7d-0f4d00ea78a8',
      type: 'tun',
      interfaceName: 'tap0',
      autoconnect: true,
      master: 'tap0',
      slaveType: 'ovs-port',
      ovsInterfaceType: 'system',
      tun: {mode: 'tap', owner: '487', group: '65534'},
      ipv4: {addresses: []},
      ipv6: {addresses: []},
    });
  });
});

describe('keyfile details', () => {
  it('controller/port-type, autoconnect=false, numbered addresses with gateways, escapes', () => {
    const p = parseNmKeyfile(
      '# c\n[connection]\nid=my\\sbr\ntype=ovs-interface\ncontroller=br1\nport-type=ovs-port\nautoconnect=false\n[ipv4]\naddress2=10.0.0.3/8\naddress1=10.0.2.2/15,10.0.2.1\nmethod=manual\n[tun]\nmode=1\nmulti-queue=true\n',
      's',
    );
    expect(p).toMatchObject({id: 'my br', master: 'br1', slaveType: 'ovs-port', autoconnect: false, tun: {mode: 'tun', multiQueue: true}});
    expect(p.ipv4.addresses).toEqual(['10.0.2.2/15', '10.0.0.3/8']);
  });

  it('merges a repeated group', () => {
    expect(parseKeyfileGroups('[a]\nx=1\n[b]\n[a]\ny=2\n', 's')).toEqual({a: {x: '1', y: '2'}, b: {}});
  });

  it('errors: key before a group, line without =', () => {
    expect(catchError(() => parseNmKeyfile('id=x\n', 'f'))).toMatchObject({line: 1, detail: 'key file does not start with a group'});
    expect(catchError(() => parseNmKeyfile('[connection]\nnonsense\n', 'f'))).toMatchObject({line: 2});
    expect(catchError(() => parseNmKeyfile('[]\n', 'f'))).toBeInstanceOf(ParseError);
  });
});

describe('robustness', () => {
  it('random mutations of real profiles give a model or a ParseError', () => {
    const inputs = ['ovs-interface-br1-suse', 'tun-tap0', 'ovs-bridge-br0'].map(sample);
    fc.assert(fc.property(fc.constantFrom(...inputs), edits({specials: SPECIALS}), (text, ops) => survives(() => parseNmKeyfile(applyEdits(text, ops), 's'))));
  });
});
