import {describe, expect, it} from 'vitest';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import {CHECKS} from '../checks/registry.js';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import {SnapshotView} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {tapWorkerSigns} from './tap-worker.js';

// A plain server: forwarding off, no bridge, no openQA: exactly what the tap checks must not flag.
const plainHost = {
  commands: {
    'ip.addr': '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"operstate":"UNKNOWN","addr_info":[]},{"ifindex":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","address":"52:54:00:aa:bb:cc","addr_info":[{"family":"inet","local":"192.0.2.10","prefixlen":24,"scope":"global"}]}]',
    'ip.route4': '[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","metric":100,"flags":[]}]',
    'ovs.bridges': '{"data":[],"headings":["_uuid","name","ports"]}',
    'ovs.ports': '{"data":[],"headings":["_uuid","name","interfaces","tag","vlan_mode"]}',
    'ovs.interfaces': '{"data":[],"headings":["_uuid","name","type","options","ofport","error"]}',
    'nft.ruleset': '{"nftables":[{"metainfo":{"version":"1.0.6","release_name":"Lester Gooch #5","json_schema_version":1}}]}',
  },
  files: {
    'openqa.workers-ini': {},
    'openqa.switch-config': {},
    'tap.sysfs': {},
    'sysctl.runtime': {'/proc/sys/net/ipv4/ip_forward': '0\n'},
  },
};

describe('tap worker guard', () => {
  it('finds no sign on a plain server, and the tap checks are n/a there instead of raising alarms', () => {
    const snapshot = makeSnapshot(plainHost);
    expect(tapWorkerSigns(new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG))).toEqual({signs: [], looked: true});
    const report = analyzeSnapshot(snapshot, CHECKS.filter((c) => ['TD008', 'TD009', 'TD011'].includes(c.id)), DEFAULT_CONFIG, {mode: 'snapshot'});
    expect(report.results.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['TD008', 'n/a', expect.stringMatching(/^not an openQA tap worker: /)],
      ['TD009', 'n/a', expect.stringMatching(/^not an openQA tap worker: /)],
      ['TD011', 'n/a', expect.stringMatching(/^not an openQA tap worker: /)],
    ]);
  });
  it('names what makes a host a tap worker', () => {
    const snapshot = makeSnapshot({...plainHost, files: {...plainHost.files, 'openqa.workers-ini': {'/etc/openqa/workers.ini': '[1]\nWORKER_CLASS = qemu_x86_64,tap\n'}}});
    expect(tapWorkerSigns(new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG)).signs).toEqual(['worker instance 1 advertises tap']);
  });
  it('a devstack-style overlay node (br-ex with VXLAN ports, forwarding on, no openQA) is no tap worker: no openQA finding', () => {
    const ovs = (table: string, headings: string[], rows: unknown[][]) => JSON.stringify({data: rows, headings: ['_uuid', ...headings]});
    const uuid = (n: number) => ['uuid', `00000000-0000-0000-0000-00000000000${n}`];
    const snapshot = makeSnapshot({
      ...plainHost,
      commands: {
        ...plainHost.commands,
        'ip.addr': plainHost.commands['ip.addr'].replace(/\]$/, ',{"ifindex":3,"ifname":"br-ex","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,"operstate":"UNKNOWN","address":"02:00:00:00:00:01","addr_info":[{"family":"inet","local":"172.24.4.1","prefixlen":23,"scope":"global"}]}]'),
        'ovs.bridges': ovs('bridges', ['name', 'ports'], [[uuid(1), 'br-ex', ['set', [uuid(2), uuid(3)]]]]),
        'ovs.ports': ovs('ports', ['name', 'interfaces', 'tag', 'vlan_mode'], [
          [uuid(2), 'br-ex', uuid(4), ['set', []], ['set', []]],
          [uuid(3), 'br-ex_192.0.2.12', uuid(5), ['set', []], ['set', []]],
        ]),
        'ovs.interfaces': ovs('interfaces', ['name', 'type', 'options', 'ofport', 'error'], [
          [uuid(4), 'br-ex', 'internal', ['map', []], 65534, ['set', []]],
          [uuid(5), 'br-ex_192.0.2.12', 'vxlan', ['map', [['key', '1000001'], ['local_ip', '192.0.2.10'], ['remote_ip', '192.0.2.12']]], 1, ['set', []]],
        ]),
      },
      files: {...plainHost.files, 'sysctl.runtime': {'/proc/sys/net/ipv4/ip_forward': '1\n'}},
    });
    expect(tapWorkerSigns(new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG)).signs).toEqual([]);
    const report = analyzeSnapshot(snapshot, CHECKS.filter((c) => !c.gate), DEFAULT_CONFIG, {mode: 'snapshot'});
    expect(report.results.flatMap((r) => r.findings.map((f) => `${f.checkId} ${f.subject}`))).toEqual([]);
    expect(report.results.filter((r) => ['TD008', 'TD009', 'TD011'].includes(r.id)).map((r) => [r.id, r.status])).toEqual([
      ['TD008', 'n/a'],
      ['TD009', 'n/a'],
      ['TD011', 'n/a'],
    ]);
  });
  it('a bridge with tap ports is a sign even under another name', () => {
    const ovs = (headings: string[], rows: unknown[][]) => JSON.stringify({data: rows, headings: ['_uuid', ...headings]});
    const u = (n: number) => ['uuid', `00000000-0000-0000-0000-00000000001${n}`];
    const snapshot = makeSnapshot({
      ...plainHost,
      commands: {
        ...plainHost.commands,
        'ovs.bridges': ovs(['name', 'ports'], [[u(1), 'brx', ['set', [u(2)]]]]),
        'ovs.ports': ovs(['name', 'interfaces', 'tag', 'vlan_mode'], [[u(2), 'tap0', u(3), ['set', []], ['set', []]]]),
        'ovs.interfaces': ovs(['name', 'type', 'options', 'ofport', 'error'], [[u(3), 'tap0', '', ['map', []], 1, ['set', []]]]),
      },
    });
    expect(tapWorkerSigns(new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG)).signs).toEqual(['OVS bridge brx']);
  });
});
