import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {SnapshotView} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {ipLinkEvidence, ipRoute4Evidence} from './interfaces.js';
import {networkStacks} from './network-stack.js';

const factsFor = (spec: SnapshotSpec) => new Facts(new SnapshotView(makeSnapshot(spec)), DEFAULT_CONFIG);

describe('networkStacks', () => {
  it('prefers running units', () => {
    const f = factsFor({commands: {'systemd.units': 'wicked.service loaded active exited wicked\nNetworkManager.service loaded inactive dead Network Manager\n'}});
    expect(f.get(networkStacks)).toEqual({stacks: ['wicked'], basis: ['wicked.service active']});
  });

  it('falls back to enabled units, then to the configuration files present', () => {
    const enabled = factsFor({files: {'systemd.wants': {'/etc/systemd/system/multi-user.target.wants/NetworkManager.service': {content: '', linkTarget: '/usr/lib/systemd/system/NetworkManager.service'}}}});
    expect(enabled.get(networkStacks).stacks).toEqual(['NetworkManager']);
    const files = factsFor({files: {'network.ifcfg': {'/etc/sysconfig/network-scripts/ifcfg-eth0': 'DEVICE=eth0\nONBOOT=yes\n'}}});
    expect(files.get(networkStacks)).toEqual({stacks: ['network-scripts'], basis: ['ifcfg files in /etc/sysconfig/network-scripts/']});
  });

  it('says nothing when nothing tells', () => {
    expect(factsFor({}).get(networkStacks)).toEqual({stacks: [], basis: []});
  });
});

describe('ip evidence', () => {
  const addr = JSON.stringify([
    {ifindex: 2, ifname: 'eth0', flags: ['UP', 'LOWER_UP'], mtu: 1500, qdisc: 'noqueue', operstate: 'UP', num_tx_queues: 2, linkinfo: {info_kind: 'veth', info_data: {x: 1}}, address: 'e6:a8:6f:27:7f:1c', addr_info: [{family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global', label: 'eth0', valid_life_time: 4294967295}]},
  ]);
  const f = factsFor({commands: {'ip.addr': addr, 'ip.route4': '[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","metric":100,"flags":[]},{"dst":"192.0.2.0/24","dev":"eth0","flags":[]}]'}});

  it('cuts a link record to the keys that prove its state, values as captured', () => {
    expect(ipLinkEvidence(f, 'eth0')).toBe(
      '{"ifindex":2,"ifname":"eth0","flags":["UP","LOWER_UP"],"mtu":1500,"operstate":"UP","address":"e6:a8:6f:27:7f:1c","linkinfo":{"info_kind":"veth"},"addr_info":[{"family":"inet","local":"192.0.2.10","prefixlen":24,"scope":"global","label":"eth0"}]}',
    );
    expect(ipLinkEvidence(f, 'eth9')).toBeUndefined();
  });

  it('keeps route records whole', () => {
    expect(ipRoute4Evidence(f, (r) => r.dst === 'default')).toEqual(['{"dst":"default","gateway":"192.0.2.1","dev":"eth0","metric":100,"flags":[]}']);
  });

  it('gives nothing for garbage instead of throwing', () => {
    const g = factsFor({commands: {'ip.addr': 'Command "addr" is unknown', 'ip.route4': ''}});
    expect(ipLinkEvidence(g, 'eth0')).toBeUndefined();
    expect(ipRoute4Evidence(g, () => true)).toEqual([]);
  });
});
