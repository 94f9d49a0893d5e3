// TD206 from captured sources, as a fleet run reads them: two hosts tunnelling to each other, one
// whose firewall (live nft JSON and text as `tapdoctor snapshot` and a sosreport hold them, a
// firewalld permanent zone, SuSEfirewall2's file) drops the other's GRE. The host views are built
// by fleetHostView from in-memory snapshots, as the worker threads build them.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {Facts} from '../facts/facts.js';
import {SnapshotView} from '../sources/snapshot.js';
import {runFleetChecks} from './engine.js';
import {fleetHostView} from './host-view.js';
import {FLEET_CHECKS} from './registry.js';

const sample = (kind: string, name: string) => readFileSync(new URL(`../../test/samples/${kind}/${name}`, import.meta.url), 'utf8');
const NOT_RUNNING = {text: 'FirewallD is not running\n', exitCode: 252};
const WANTS = '/etc/systemd/system/multi-user.target.wants/';

/** ip -j addr / route and the OVS tables of a host whose eth0 has `address` and whose br1 has gre1 towards `peer`. */
function hostSources(address: string, peer: string): SnapshotSpec {
  const uuid = (u: string) => ['uuid', u];
  const link = (ifindex: number, ifname: string, addr?: string) => ({
    ifindex,
    ifname,
    flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
    mtu: 1500,
    operstate: 'UP',
    link_type: 'ether',
    address: `52:54:00:00:00:0${ifindex}`,
    addr_info: addr ? [{family: 'inet', local: addr, prefixlen: 24, scope: 'global', label: ifname}] : [],
  });
  return {
    commands: {
      'ip.addr': JSON.stringify([link(1, 'eth0', address)]),
      'ip.route4': JSON.stringify([{dst: 'default', gateway: '192.0.2.1', dev: 'eth0', protocol: 'static', metric: 100, flags: []}]),
      'ip.route6': '[]',
      'ovs.bridges': JSON.stringify({headings: ['_uuid', 'name', 'ports'], data: [[uuid('b1'), 'br1', ['set', [uuid('p1')]]]]}),
      'ovs.ports': JSON.stringify({headings: ['_uuid', 'name', 'interfaces'], data: [[uuid('p1'), 'gre1', ['set', [uuid('i1')]]]]}),
      'ovs.interfaces': JSON.stringify({headings: ['_uuid', 'name', 'type', 'options'], data: [[uuid('i1'), 'gre1', 'gre', ['map', [['remote_ip', peer]]]]]}),
      'iptables.save': '',
      'firewalld.runtime': NOT_RUNNING,
    },
  };
}

function td206(b: SnapshotSpec): Array<{subject: string; severity: string; message: string; fix: string}> {
  const a = hostSources('192.0.2.11', '192.0.2.12');
  a.commands!['nft.ruleset'] = '{"nftables": []}';
  const views = [
    fleetHostView(new Facts(new SnapshotView(makeSnapshot(a)), DEFAULT_CONFIG), 'hostA', '2026-12-06T10:00:00.000Z'),
    fleetHostView(new Facts(new SnapshotView(makeSnapshot(b)), DEFAULT_CONFIG), 'hostB', '2026-12-06T10:00:00.000Z'),
  ];
  const r = runFleetChecks(views, FLEET_CHECKS, {complete: true});
  expect(r.results.flatMap((x) => x.findings).filter((f) => f.checkId !== 'TD206')).toEqual([]);
  return r.results.flatMap((x) => x.findings).filter((f) => f.checkId === 'TD206');
}

/** Host B (192.0.2.12), tunnelling to A, with these firewall sources added. */
function hostB(extra: SnapshotSpec): SnapshotSpec {
  const b = hostSources('192.0.2.12', '192.0.2.11');
  return {commands: {...b.commands, ...extra.commands}, files: {...extra.files}};
}

describe('TD206 from captured firewall sources', () => {
  it.each([
    ['nft -j list ruleset', 'generated-input-droppeer-json.txt'],
    ['nft list ruleset (a sosreport)', 'generated-input-droppeer-text.txt'],
  ])("B's running nft drops GRE from A (%s): an error for B naming A, fixed on B", (_what, file) => {
    const out = td206(hostB({commands: {'nft.ruleset': sample('nft', file)}}));
    expect(out.map((f) => `${f.severity} ${f.subject}`)).toEqual(['error hostB <- hostA: running firewall']);
    expect(out[0]!.message).toMatch(/^the running firewall \(nftables\) of hostB drops GRE \(IP protocol 47\) from its tunnel peer hostA \(192\.0\.2\.11\) at `ip saddr "?192\.0\.2\.11"? ip protocol "?gre"? counter packets 0 bytes 0 drop`/);
    expect(out[0]!.fix).toContain('nft insert rule inet filter input ip saddr 192.0.2.11 ip protocol gre accept');
  });

  it("B's running nft accepts GRE from a set holding A: no finding", () => {
    const text = sample('nft', 'generated-input-policydrop-text.txt').replace('192.0.2.12, 192.0.2.13', '192.0.2.11, 192.0.2.13');
    expect(td206(hostB({commands: {'nft.ruleset': text}}))).toEqual([]);
  });

  it("a mark that may accept before the reject: a warning naming the condition", () => {
    const out = td206(hostB({commands: {'nft.ruleset': sample('nft', 'generated-input-conditional-json.txt')}}));
    expect(out.map((f) => `${f.severity} ${f.subject}`)).toEqual(['warning hostB <- hostA: running firewall']);
    expect(out[0]!.message).toMatch(/unless `mark .*accept` lets it through/);
  });

  it("firewalld.service enabled, B's permanent public zone (firewalld's stock public.xml) rejects GRE: an error for the next boot", () => {
    const publicXml = '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n  <description>For use in public areas.</description>\n  <service name="ssh"/>\n  <service name="dhcpv6-client"/>\n  <forward/>\n</zone>\n';
    const files = {
      'systemd.wants': {[`${WANTS}firewalld.service`]: {content: '', linkTarget: '/usr/lib/systemd/system/firewalld.service'}},
      'firewalld.files': {'/etc/firewalld/firewalld.conf': 'DefaultZone=public\n', '/usr/lib/firewalld/zones/public.xml': publicXml},
    };
    const out = td206(hostB({commands: {'nft.ruleset': '{"nftables": []}'}, files}));
    expect(out.map((f) => `${f.severity} ${f.subject}`)).toEqual(['error hostB <- hostA: firewalld permanent']);
    expect(out[0]!.message).toContain('after the next reboot');
    expect(out[0]!.fix).toContain(`firewall-cmd --permanent --zone=public --add-rich-rule='rule family="ipv4" source address="192.0.2.11" protocol value="gre" accept'`);
    // The zone allowing protocol gre, as `firewall-cmd --permanent --add-protocol=gre` writes it: no finding
    const withGre = {...files, 'firewalld.files': {...files['firewalld.files'], '/etc/firewalld/zones/public.xml': publicXml.replace('  <forward/>', '  <protocol value="gre"/>\n  <forward/>')}};
    expect(td206(hostB({commands: {'nft.ruleset': '{"nftables": []}'}, files: withGre}))).toEqual([]);
  });
});
