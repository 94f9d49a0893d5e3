import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {parseDumpFlows} from '../parsers/ofctl.js';
import {SnapshotView} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {ovsBridgeNames, ovsDb, ovsFlowErrors, ovsFlows, switchFlowsPresent, switchScript} from './ovs.js';

const sample = (path: string) => readFileSync(new URL(`../../test/samples/${path}`, import.meta.url), 'utf8');
const factsFor = (spec: SnapshotSpec) => new Facts(new SnapshotView(makeSnapshot(spec)), DEFAULT_CONFIG);

const JSON_LISTS = {
  'ovs.bridges': sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-bridge.txt'),
  'ovs.ports': sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-port.txt'),
  'ovs.interfaces': sample('ovs-vsctl-json/generated-ovs-3.1-netns-list-interface.txt'),
};
const SHOW = sample('ovs-vsctl-show/generated-ovs-3.1-netns-br1.txt');
const flowsOf = (file: string) => parseDumpFlows(sample(`ovs-ofctl-dump-flows/${file}`), 'ovs.flows br1');

describe('ovsDb', () => {
  it('joins the JSON lists and takes the version from the show output', () => {
    const db = factsFor({commands: {...JSON_LISTS, 'ovs.show': SHOW}}).get(ovsDb);
    expect([db.from, db.ovsVersion, db.bridges.map((b) => b.name), db.ports.length, db.interfaces.length]).toEqual(['json', '3.1.0', ['br1'], 6, 6]);
    expect(db.ports.find((p) => p.name === 'tap12')).toMatchObject({bridge: 'br1', tag: 13, vlanMode: 'dot1q-tunnel', interfaces: [{name: 'tap12', ofport: -1}]});
  });

  it('falls back to the show text (a sosreport has no JSON lists)', () => {
    const db = factsFor({commands: {'ovs.show': SHOW}, failed: {'ovs.ports': 'ovs-vsctl: database connection failed'}}).get(ovsDb);
    expect([db.from, db.ovsVersion, db.ports.find((p) => p.name === 'tap1')]).toEqual(['show', '3.1.0', {name: 'tap1', bridge: 'br1', tag: 12, interfaces: [{name: 'tap1', type: '', options: {}}]}]);
  });

  it('is unavailable without either, and an error when the lists are error text', () => {
    expect(factsFor({commands: {}}).try(ovsDb)).toEqual({
      ok: false,
      reason: 'source ovs.bridges is not in this snapshot; source ovs.show is not in this snapshot',
    });
    const f = factsFor({commands: {...JSON_LISTS, 'ovs.bridges': sample('ovs-vsctl-json/generated-ovs-3.1-netns-error-no-db.txt')}});
    expect(f.try(ovsDb)).toEqual({
      ok: false,
      reason: 'cannot parse ovs.bridges:1: not JSON (Unexpected token \'o\', "ovs-vsctl:"... is not valid JSON): ovs-vsctl: unix:/run/tdovs/run/db.sock: database connection failed (No such file or directory)',
    });
  });

  it('ignores a broken show text when the lists are fine (the version is a nicety)', () => {
    const db = factsFor({commands: {...JSON_LISTS, 'ovs.show': 'ovs-vsctl: unix:/run/openvswitch/db.sock: database connection failed'}}).get(ovsDb);
    expect([db.from, 'ovsVersion' in db]).toEqual(['json', false]);
  });

  it('gives the bridge names', () => {
    expect(factsFor({commands: {'ovs.show': sample('ovs-vsctl-show/insights-openstack-patch-vxlan.txt')}}).get(ovsBridgeNames)).toEqual(['br-ex', 'br-int', 'br-tun']);
  });
});

describe('ovsFlows', () => {
  it('parses each bridge dump; a dump that is error text is set aside with its reason', () => {
    const f = factsFor({
      commands: {
        'ovs.flows': {
          br1: sample('ovs-ofctl-dump-flows/generated-ovs-3.1-netns-br1.txt'),
          'br-ex': sample('ovs-ofctl-dump-flows/hotsos-sunbeam-version-negotiation-error.txt'),
        },
      },
    });
    const flows = f.get(ovsFlows);
    expect(Object.keys(flows)).toEqual(['br1']);
    expect(flows['br1']!.map((fl) => fl.priority)).toEqual([100, 100, 99, 1, 0]);
    expect(f.get(ovsFlowErrors)).toEqual({
      'br-ex': expect.stringMatching(/^cannot parse ovs\.flows br-ex:1: not a flow \(no " actions="\): 2025-05-14T14:23:32Z\|00001\|vconn\|WARN/),
    });
  });

  it('is unavailable when no dump was collected', () => {
    expect(factsFor({failed: {'ovs.flows': 'needs root'}}).try(ovsFlows)).toEqual({ok: false, reason: 'could not collect ovs.flows: needs root'});
  });
});

describe('switchFlowsPresent', () => {
  const expect5 = {localIp: '10.0.2.2', bridgeMac: '86:01:16:13:1f:41', rewriteTarget: '10.1.0.0'};

  it('finds the five rules in the captured dump (the SYN rule without its tcp_flags match)', () => {
    expect(switchFlowsPresent(flowsOf('generated-ovs-3.1-netns-br1.txt'), expect5)).toEqual({
      present: ['default', 'host-replies', 'arp-gateway', 'ipv4-first', 'ipv4-other'],
      missing: [],
      onlyNormal: false,
      staleMac: [],
    });
  });

  it('finds the eight rules once the IPv6 ones are installed', () => {
    expect(switchFlowsPresent(flowsOf('generated-ovs-3.1-netns-br1-ipv6.txt'), expect5)).toEqual({
      present: ['default', 'host-replies', 'arp-gateway', 'ipv4-first', 'ipv4-other', 'ipv6-nd', 'ipv6-first', 'ipv6-other'],
      missing: [],
      onlyNormal: false,
      staleMac: [],
    });
  });

  it('an untouched bridge has only NORMAL', () => {
    expect(switchFlowsPresent(flowsOf('generated-ovs-3.1-netns-untouched.txt'), expect5)).toEqual({
      present: ['default'],
      missing: ['host-replies', 'arp-gateway', 'ipv4-first', 'ipv4-other'],
      onlyNormal: true,
      staleMac: [],
    });
    const normalOnly = parseDumpFlows('NXST_FLOW reply (xid=0x4):\n cookie=0x0, duration=5.1s, table=0, n_packets=9, n_bytes=900, idle_age=1, priority=0 actions=NORMAL\n', 'f');
    expect(switchFlowsPresent(normalOnly, {localIp: '10.0.2.2'}).onlyNormal).toBe(true);
  });

  it('names flows that still point at the MAC of a re-created bridge', () => {
    // After the re-creation the bridge has 86:01:16:13:1f:42 (generated-ovs-3.1-netns-ovs-br1-new-mac.txt).
    const newMac = JSON.parse(sample('ip-json-addr/generated-ovs-3.1-netns-ovs-br1-new-mac.txt'))[0].address as string;
    const result = switchFlowsPresent(flowsOf('generated-ovs-3.1-netns-br1-old-mac.txt'), {...expect5, bridgeMac: newMac});
    expect([result.present, result.missing, result.onlyNormal]).toEqual([
      ['default', 'host-replies', 'arp-gateway', 'ipv6-nd'],
      ['ipv4-first', 'ipv4-other', 'ipv6-first', 'ipv6-other'],
      false,
    ]);
    expect(result.staleMac.map((s) => [s.rule, s.mac])).toEqual([
      ['ipv4-first', '86:01:16:13:1f:41'],
      ['ipv4-other', '86:01:16:13:1f:41'],
      ['ipv6-first', '86:01:16:13:1f:41'],
      ['ipv6-other', '86:01:16:13:1f:41'],
    ]);
    expect(result.staleMac[0]!.text).toContain('priority=100,ip,dl_dst=86:01:16:13:1f:41 actions=learn(');
  });

  it('judges by structure: field order, dl_type spellings, tcp_flags and MAC case do not matter', () => {
    const flows = parseDumpFlows(
      [
        ' priority=0 actions=normal',
        ' priority=1,in_port=LOCAL actions=resubmit(,1)',
        ' priority=100,arp_tpa=10.0.2.2,dl_type=0x0806 actions=learn(table=1,in_port=LOCAL),load:0xa010000->NXM_OF_ARP_SPA[],local',
        ' priority=100,tcp,dl_dst=86:01:16:13:1F:41,tcp_flags=+syn-ack actions=learn(table=1),mod_nw_src:10.1.0.0,LOCAL',
        ' priority=99,dl_dst=86:01:16:13:1f:41,eth_type=0x800 actions=mod_nw_src:10.1.0.0,output:LOCAL',
      ].join('\n'),
      'f',
    );
    expect(switchFlowsPresent(flows, expect5).missing).toEqual([]);
  });

  it('misses rules for another LOCAL_IP or REWRITE_TARGET (Fedora expects 172.16.2.2 / 172.17.0.0)', () => {
    const result = switchFlowsPresent(flowsOf('generated-ovs-3.1-netns-br1.txt'), {localIp: '172.16.2.2', rewriteTarget: '172.17.0.0'});
    expect([result.present, result.missing]).toEqual([
      ['default', 'host-replies'],
      ['arp-gateway', 'ipv4-first', 'ipv4-other'],
    ]);
  });

  it('ignores other tables, asks for all IPv6 rules once one is there, and handles no flows', () => {
    const table1 = parseDumpFlows(' table=1, priority=0 actions=NORMAL\n table=0, priority=100,icmp6,icmp_type=135,nd_target=fec0::2 actions=learn(table=1),LOCAL', 'f');
    expect(switchFlowsPresent(table1, expect5)).toEqual({
      present: ['ipv6-nd'],
      missing: ['default', 'host-replies', 'arp-gateway', 'ipv4-first', 'ipv4-other', 'ipv6-first', 'ipv6-other'],
      onlyNormal: false,
      staleMac: [],
    });
    expect(switchFlowsPresent([], expect5)).toEqual({
      present: [],
      missing: ['default', 'host-replies', 'arp-gateway', 'ipv4-first', 'ipv4-other'],
      onlyNormal: false,
      staleMac: [],
    });
  });

  it('does not mistake other switches for os-autoinst (neutron br-int)', () => {
    const result = switchFlowsPresent(parseDumpFlows(sample('ovs-ofctl-dump-flows/hotsos-neutron-br-int-nxst.txt'), 'f'), {localIp: '10.0.2.2'});
    expect([result.present, result.onlyNormal]).toEqual([[], false]);
  });
});

describe('the rule set the host\'s os-autoinst-openvswitch installs', () => {
  const NEW = sample('os-autoinst-openvswitch/os-autoinst-26013d06-init_switch-rules.txt');
  const OLD = sample('os-autoinst-openvswitch/os-autoinst-2be705f6-init_switch-rules.txt');
  const SCRIPT = '/usr/lib/os-autoinst/script/os-autoinst-openvswitch';
  const expect5 = {localIp: '10.0.2.2', bridgeMac: '02:1f:18:35:e9:be', rewriteTarget: '10.1.0.0'};
  const upstream8 = flowsOf('generated-ovs-3.1-netns-br1-ipv6-upstream-rules.txt');
  const five = upstream8.filter((fl) => !fl.text.includes('ipv6') && !fl.text.includes('icmp6'));

  it('reads from the script whether it installs the IPv6 rules (os-autoinst 26013d06, 2025-11)', () => {
    const newer = factsFor({files: {'openqa.switch-script': {[SCRIPT]: NEW}}}).get(switchScript);
    expect(newer).toMatchObject({path: SCRIPT, ipv6: true});
    expect(newer?.evidence).toMatch(/^\/usr\/lib\/os-autoinst\/script\/os-autoinst-openvswitch:\d+: .*eth_type=0x86dd,ip_proto=58,icmpv6_type=135/);
    const older = factsFor({files: {'openqa.switch-script': {'/usr/lib/os-autoinst/os-autoinst-openvswitch': OLD}}}).get(switchScript);
    expect(older).toMatchObject({path: '/usr/lib/os-autoinst/os-autoinst-openvswitch', ipv6: false});
    expect(factsFor({files: {'openqa.switch-script': {}}}).get(switchScript)).toBeUndefined();
    expect(factsFor({files: {}}).try(switchScript)).toEqual({ok: false, reason: 'source openqa.switch-script is not in this snapshot'});
  });

  it('finds all eight rules as upstream\'s add-flow strings dump (real OVS 3.1)', () => {
    expect(switchFlowsPresent(upstream8, {...expect5, ipv6: true})).toEqual({
      present: ['default', 'host-replies', 'arp-gateway', 'ipv4-first', 'ipv4-other', 'ipv6-nd', 'ipv6-first', 'ipv6-other'],
      missing: [],
      onlyNormal: false,
      staleMac: [],
    });
  });

  it('expects the IPv6 rules from a script that installs them, not from the rules that happen to be there', () => {
    expect(five).toHaveLength(5);
    expect(switchFlowsPresent(five, {...expect5, ipv6: true}).missing).toEqual(['ipv6-nd', 'ipv6-first', 'ipv6-other']);
    expect(switchFlowsPresent(five, {...expect5, ipv6: false}).missing).toEqual([]);
    // Script unknown: judged by the shape present (five rules are a whole pre-2025-11 set).
    expect(switchFlowsPresent(five, expect5).missing).toEqual([]);
  });
});
