// Hand-built reports and topologies for the renderer tests. Realistic shapes (SUSE worker: br1,
// taps by instance, GRE to a peer), small enough to write expected output by hand.
import {summarize, type CheckResult, type Finding, type Report} from '../../src/model.js';
import type {FindingRef, HostTopology, TapNode} from '../../src/facts/topology.js';

export function finding(over: Partial<Finding> & Pick<Finding, 'checkId' | 'slug' | 'subject'>): Finding {
  return {
    severity: 'error',
    message: `${over.subject} is wrong`,
    explanation: 'Why it matters.',
    fix: `fix ${over.subject}`,
    evidence: [],
    ...over,
  };
}

export function reportOf(results: CheckResult[], over: Partial<Report['target']> = {}): Report {
  return {
    target: {mode: 'snapshot', host: 'worker5', path: '/tmp/worker5.tar.gz', capturedAt: '2026-11-21T23:33:33.000Z', ...over},
    results,
    summary: summarize(results),
    sourceProblems: [],
  };
}

/** Three failing checks (4 findings), one pass with a note, one plain pass, one skip, one error. */
export function sampleReport(): Report {
  const results: CheckResult[] = [
    {
      id: 'TD001',
      slug: 'multiple-uplinks',
      title: 'More than one active uplink',
      severity: 'warning',
      status: 'fail',
      findings: [
        finding({
          checkId: 'TD001',
          slug: 'multiple-uplinks',
          severity: 'warning',
          subject: 'eth1',
          message: 'eth1 is up with carrier and 192.168.5.7/24 besides the uplink eth0',
          explanation: 'SUT traffic may leave by a device NAT does not cover.',
          fix: 'ip link set eth1 down\nnmcli connection modify eth1 connection.autoconnect no',
          evidence: [{source: 'ip.addr', lines: ['3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500', '    inet 192.168.5.7/24 scope global eth1']}],
        }),
      ],
    },
    {
      id: 'TD003',
      slug: 'vlan-tag-mismatch',
      title: "Tap port VLAN tag differs from the job's NICVLAN",
      severity: 'error',
      status: 'fail',
      findings: [
        finding({
          checkId: 'TD003',
          slug: 'vlan-tag-mismatch',
          subject: 'tap5',
          message: 'tap5 has tag 13, job 6 expects NICVLAN 12',
          explanation: 'The SUT sits in another cluster\'s VLAN & cannot reach its peers.',
          fix: 'ovs-vsctl set port tap5 tag=12',
          evidence: [{source: 'ovs.ports', lines: ['["tap5",13,"dot1q-tunnel"]']}],
        }),
        finding({
          checkId: 'TD003',
          slug: 'vlan-tag-mismatch',
          subject: 'tap69',
          message: 'tap69 is untagged, job 6 expects NICVLAN 12',
          fix: 'ovs-vsctl set port tap69 tag=12',
        }),
      ],
    },
    {
      id: 'TD008',
      slug: 'masquerade-wrong-uplink',
      title: 'Masquerade/forward rules name an interface that is not the uplink',
      severity: 'error',
      status: 'fail',
      findings: [
        finding({
          checkId: 'TD008',
          slug: 'masquerade-wrong-uplink',
          subject: '/etc/sysconfig/iptables',
          message: 'masquerade names "eth9" <not the uplink eth0> & nothing else',
          fix: "sed -i 's/-o eth9/-o eth0/' /etc/sysconfig/iptables",
          evidence: [{source: 'iptables.save', lines: ['-A POSTROUTING -o eth9 -j MASQUERADE']}],
        }),
      ],
    },
    {id: 'TD006', slug: 'gre-mtu', title: 'GRE tunnels with the wrong MTU or unreachable peers', severity: 'error', status: 'pass', reason: 'no path budget configured', findings: []},
    {id: 'TD009', slug: 'ip-forward-disabled', title: 'IPv4 forwarding is off', severity: 'error', status: 'pass', findings: []},
    {id: 'TD007', slug: 'factory-share-unmounted', title: 'Factory share is not an NFS mount', severity: 'error', status: 'skip', reason: 'mountinfo not collected', findings: []},
    {id: 'TD010', slug: 'ovs-flows-missing', title: 'os-autoinst-openvswitch OpenFlow rules missing', severity: 'error', status: 'error', reason: 'cannot parse ovs.flows line 3: "garbage"', findings: []},
  ];
  const report = reportOf(results);
  report.sourceProblems = [{source: 'firewalld.zones', problem: 'needs root'}];
  return report;
}

function refs(report: Report, subject: string): FindingRef[] {
  return report.results.flatMap((r) =>
    r.findings.filter((f) => f.subject === subject).map((f) => ({checkId: f.checkId, slug: f.slug, severity: f.severity, subject: f.subject, message: f.message})),
  );
}

/** A small SUSE-like host: two uplinks, br1, three taps (two VLANs, one untagged), one GRE peer. */
export function smallTopology(report: Report = sampleReport()): HostTopology {
  const taps: TapNode[] = [
    {name: 'tap4', bridge: 'br1', tag: 12, vlanMode: 'dot1q-tunnel', inKernel: true, job: {instance: 5, dir: '/var/lib/openqa/pool/5', vlan: 12, alive: true, test: 'ping_server'}, findings: []},
    {name: 'tap5', bridge: 'br1', tag: 13, vlanMode: 'dot1q-tunnel', inKernel: true, job: {instance: 6, dir: '/var/lib/openqa/pool/6', vlan: 12, alive: true, test: 'ping_client'}, findings: refs(report, 'tap5')},
    {name: 'tap69', bridge: 'br1', inKernel: true, job: {instance: 6, dir: '/var/lib/openqa/pool/6', vlan: 12, alive: true, test: 'ping_client'}, findings: refs(report, 'tap69')},
  ];
  return {
    host: report.target.host,
    uplinks: [
      {name: 'eth0', primary: true, masqueraded: false, addrs: ['10.160.0.5/20'], reasons: ['default route metric 100'], findings: refs(report, 'eth0')},
      {name: 'eth1', primary: false, masqueraded: false, addrs: ['192.168.5.7/24'], reasons: ['up, carrier, global IPv4'], findings: refs(report, 'eth1')},
    ],
    natNames: [{name: 'eth9', findings: []}],
    bridge: {name: 'br1', kind: 'ovs', exists: true, addrs: ['10.0.2.2/15', 'fec0::2/63'], otherPorts: [], findings: [], source: 'switch-config'},
    taps,
    tunnels: [{name: 'gre1', type: 'gre', remoteIp: '192.0.2.2', bridge: 'br1', findings: []}],
    otherBridges: [],
    unknown: [],
    notes: [],
    unplaced: refs(report, '/etc/sysconfig/iptables'),
  };
}

/**
 * A full SUSE worker: `count` taps in three sets like os-autoinst-setup-multi-machine builds them
 * (tap0.., tap64.., tap128..), `vlans` VLANs round-robin (more than the 12-colour palette), every
 * 7th tap untagged (idle instance),
 * findings on a few taps, three GRE peers and a Linux bridge for libvirt.
 */
export function largeTopology(count = 64, vlans = 16): HostTopology {
  const perSet = Math.ceil(count / 3);
  const taps: TapNode[] = [];
  for (let i = 0; i < count; i++) {
    const set = Math.floor(i / perSet);
    const instance = (i % perSet) + 1;
    const name = `tap${set * 64 + (instance - 1)}`;
    const untagged = i % 7 === 3;
    const tag = untagged ? undefined : 10 + (instance % vlans);
    const node: TapNode = {name, bridge: 'br1', inKernel: true, findings: []};
    if (tag !== undefined) {
      node.tag = tag;
      node.vlanMode = 'dot1q-tunnel';
      node.job = {instance, dir: `/var/lib/openqa/pool/${instance}`, vlan: tag, alive: true, test: `mm_test_${instance}`};
    }
    taps.push(node);
  }
  const mark = (name: string, checkId: string, slug: string, message: string) => {
    const t = taps.find((x) => x.name === name);
    if (t) t.findings.push({checkId, slug, severity: 'error', subject: name, message});
  };
  mark('tap5', 'TD003', 'vlan-tag-mismatch', 'tap5 has tag 16, job expects 17');
  mark('tap70', 'TD012', 'tap-inventory', 'tap70 is not on br1');
  mark('tap70', 'TD003', 'vlan-tag-mismatch', 'tap70 tag differs');
  const t130 = taps.find((x) => x.name === 'tap130');
  if (t130) {
    delete t130.bridge;
    t130.inKernel = false;
  }
  return {
    host: 'openqaworker-arm-64',
    uplinks: [{name: 'bond0', primary: true, masqueraded: true, addrs: ['10.145.10.4/24'], reasons: ['default route metric 100'], findings: []}],
    natNames: [],
    bridge: {name: 'br1', kind: 'ovs', exists: true, addrs: ['10.0.2.2/15', 'fec0::2/63'], otherPorts: [], findings: [], source: 'switch-config'},
    taps,
    tunnels: [
      {name: 'gre1', type: 'gre', remoteIp: '10.145.10.5', bridge: 'br1', findings: []},
      {name: 'gre2', type: 'gre', remoteIp: '10.145.10.6', bridge: 'br1', findings: [{checkId: 'TD006', slug: 'gre-mtu', severity: 'error', subject: 'gre2', message: 'peer unreachable'}]},
      {name: 'gre3', type: 'gre', remoteIp: '2001:db8:1234:5678::abcd', bridge: 'br1', findings: []},
    ],
    otherBridges: [{name: 'virbr0', kind: 'linux', exists: true, addrs: ['192.168.122.1/24'], otherPorts: [], findings: []}],
    unknown: [],
    notes: [],
    unplaced: [],
  };
}

/** A report whose findings are exactly the ones drawn on `topology` (for the HTML tests). */
export function reportForTopology(topology: HostTopology): Report {
  const refs = [
    ...topology.uplinks,
    ...topology.natNames,
    ...(topology.bridge ? [topology.bridge] : []),
    ...topology.taps,
    ...topology.tunnels,
    ...topology.otherBridges,
  ].flatMap((n) => n.findings);
  const byCheck = new Map<string, Finding[]>();
  for (const f of refs) {
    const list = byCheck.get(f.checkId) ?? [];
    list.push(finding({checkId: f.checkId, slug: f.slug, severity: f.severity, subject: f.subject, message: f.message}));
    byCheck.set(f.checkId, list);
  }
  const results: CheckResult[] = [...byCheck.entries()].map(([id, findings]) => ({
    id,
    slug: findings[0]!.slug,
    title: `${id} title`,
    severity: 'error',
    status: 'fail',
    findings,
  }));
  results.push({id: 'TD009', slug: 'ip-forward-disabled', title: 'IPv4 forwarding is off', severity: 'error', status: 'pass', findings: []});
  return reportOf(results, {host: topology.host, mode: 'live', path: undefined});
}
