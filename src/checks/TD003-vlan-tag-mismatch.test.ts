import {describe, expect, it} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import check, {ovsOlderThan} from './TD003-vlan-tag-mismatch.js';

const POOL = '/var/lib/openqa/pool';
const QEMU_ARGV = '/usr/bin/qemu-system-x86_64\0-netdev\0tap,id=qanet0,ifname=tap0\0';

interface PortSpec {
  name: string;
  tag?: number;
  vlanMode?: string;
}

/** `ovs-vsctl --format=json list bridge|port|interface` for bridges of ports (only the columns the parser joins on). */
function ovsJson(bridges: Record<string, PortSpec[]>): Record<string, string> {
  let n = 0;
  const uuid = () => ['uuid', `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`];
  const set = (v: unknown) => (v === undefined ? ['set', []] : v);
  const bridgeRows: unknown[] = [];
  const portRows: unknown[] = [];
  const ifaceRows: unknown[] = [];
  for (const [bridge, ports] of Object.entries(bridges)) {
    const portUuids: unknown[] = [];
    for (const p of [{name: bridge}, ...ports] as PortSpec[]) {
      const iu = uuid();
      const pu = uuid();
      ifaceRows.push([iu, p.name, p.name === bridge ? 'internal' : '', p.name === bridge ? 65534 : ifaceRows.length, ['set', []]]);
      portRows.push([pu, p.name, iu, set(p.tag), set(p.vlanMode)]);
      portUuids.push(pu);
    }
    bridgeRows.push([uuid(), bridge, ['set', portUuids], 'netdev']);
  }
  return {
    'ovs.bridges': JSON.stringify({data: bridgeRows, headings: ['_uuid', 'name', 'ports', 'datapath_type']}),
    'ovs.ports': JSON.stringify({data: portRows, headings: ['_uuid', 'name', 'interfaces', 'tag', 'vlan_mode']}),
    'ovs.interfaces': JSON.stringify({data: ifaceRows, headings: ['_uuid', 'name', 'type', 'ofport', 'error']}),
  };
}

/** vars.json as os-autoinst writes it (pretty, one key per line). */
function vars(v: Record<string, unknown>): string {
  return `${JSON.stringify({NICTYPE: 'tap', NETWORKS: 'fixed', ...v}, null, 3)}\n`;
}

interface Host {
  jobs?: Array<{dir: number; vars: Record<string, unknown>; alive?: boolean}>;
  bridges?: Record<string, PortSpec[]>;
  show?: string;
  bridge?: string;
  probeFailed?: boolean;
}

const tester = new CheckTester(check, (host: Host) => {
  const pool: Record<string, string> = {};
  const alive: Record<string, string> = {};
  for (const j of host.jobs ?? []) {
    pool[`${POOL}/${j.dir}/vars.json`] = vars(j.vars);
    pool[`${POOL}/${j.dir}/qemu.pid`] = `${4000 + j.dir}\n`;
    if (j.alive !== false) alive[`${POOL}/${j.dir}`] = QEMU_ARGV;
  }
  return makeSnapshot({
    commands: {
      ...(host.show !== undefined ? {'ovs.show': host.show} : ovsJson(host.bridges ?? {br1: []})),
      ...(host.probeFailed ? {} : {'openqa.qemu-alive': alive}),
    },
    files: {
      'openqa.pool': pool,
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': `OS_AUTOINST_USE_BRIDGE=${host.bridge ?? 'br1'}\n`},
    },
    failed: host.probeFailed ? {'openqa.qemu-alive': 'needs root'} : {},
  });
});

const job1 = {dir: 1, vars: {NICVLAN: '5', TAPDEV: 'tap0', WORKER_INSTANCE: 1}};
const SHOW = 'Bridge br1\n    Port tap0\n        tag: 5\n        Interface tap0\n    Port br1\n        Interface br1\n            type: internal\n';

tester.run({
  valid: [
    {name: "passes when the running job's tap carries its NICVLAN in dot1q-tunnel mode", host: {jobs: [job1], bridges: {br1: [{name: 'tap0', tag: 5, vlanMode: 'dot1q-tunnel'}, {name: 'tap1'}]}}},
    {
      name: 'from `ovs-vsctl show` (a sosreport) it checks tags but never claims a vlan_mode fault',
      host: {jobs: [job1], show: SHOW},
      reason: 'vlan_mode not checked: only `ovs-vsctl show` was available, and it never prints vlan_mode',
    },
    {name: 'idle host: n/a', host: {}, status: 'n/a', reason: 'no running tap job on this host'},
    {
      name: 'idle host: n/a, naming stale pool dirs (--no-cleanup) that have no live qemu',
      host: {jobs: [{...job1, alive: false}], bridges: {br1: [{name: 'tap0'}]}},
      status: 'n/a',
      reason: 'no running tap job on this host (/var/lib/openqa/pool/1: vars.json without a live qemu, left by --no-cleanup or an ended job)',
    },
    {
      name: 'without the qemu-alive probe it cannot tell running from stale jobs: skip, not pass',
      host: {jobs: [job1], bridges: {br1: [{name: 'tap0'}]}, probeFailed: true},
      status: 'skip',
      reason: 'cannot tell whether the qemu of /var/lib/openqa/pool/1 is running: could not collect openqa.qemu-alive: needs root',
    },
  ],
  invalid: [
    {
      name: 'reports another tag with the fix, the vars.json lines and the job that owns that VLAN',
      host: {
        jobs: [job1, {dir: 2, vars: {NICVLAN: '6', TAPDEV: 'tap1', WORKER_INSTANCE: 2}}],
        bridges: {br1: [{name: 'tap0', tag: 6, vlanMode: 'dot1q-tunnel'}, {name: 'tap1', tag: 6, vlanMode: 'dot1q-tunnel'}]},
      },
      findings: [
        {
          kind: 'tag-differs',
          subject: 'tap0',
          severity: 'error',
          message: "tap0 has tag 6, expected 5 (NICVLAN of running job /var/lib/openqa/pool/1): VLAN 6 belongs to job /var/lib/openqa/pool/2, so this SUT sits in another cluster's network",
        },
      ],
      assert: (r) => {
        // What set_vlan does: tag, vlan_mode and the tap up (os-autoinst-openvswitch set_vlan).
        expect(r.findings[0]!.fix.split('\n').slice(0, 2)).toEqual(['ovs-vsctl set port tap0 tag=5 vlan_mode=dot1q-tunnel', 'ip link set tap0 up']);
        expect(r.findings[0]!.evidence[0]).toEqual({source: `openqa.pool ${POOL}/1/vars.json`, lines: ['"NICVLAN": "5",', '"TAPDEV": "tap0",']});
        expect(r.findings[0]!.evidence[1]).toEqual({source: 'ovs.ports', lines: ['port tap0: bridge=br1 tag=6 vlan_mode=dot1q-tunnel ofport=1']});
      },
    },
    {
      name: 'names the cluster mates on this host that share the VLAN',
      host: {
        jobs: [job1, {dir: 2, vars: {NICVLAN: '5', TAPDEV: 'tap1', WORKER_INSTANCE: 2, PARALLEL_WITH: 'server'}}],
        bridges: {br1: [{name: 'tap0', tag: 5, vlanMode: 'dot1q-tunnel'}, {name: 'tap1'}]},
      },
      findings: [
        {
          kind: 'untagged',
          subject: 'tap1',
          severity: 'error',
          message:
            'tap1 of running job /var/lib/openqa/pool/2 is untagged; expected tag 5 (NICVLAN); its cluster on this host also runs /var/lib/openqa/pool/1 in VLAN 5 (a job started seconds ago may not be tagged yet: re-run then)',
        },
      ],
    },
    {
      name: 'zips TAPDEV with NICVLAN and reuses the last VLAN for further NICs',
      host: {
        jobs: [{dir: 1, vars: {NICVLAN: '12', TAPDEV: 'tap0,tap64', WORKER_INSTANCE: 1}}],
        bridges: {br1: [{name: 'tap0', tag: 12, vlanMode: 'dot1q-tunnel'}, {name: 'tap64', tag: 13, vlanMode: 'dot1q-tunnel'}]},
      },
      findings: [{kind: 'tag-differs', subject: 'tap64', severity: 'error', message: 'tap64 has tag 13, expected 12 (NICVLAN of running job /var/lib/openqa/pool/1)'}],
    },
    {
      name: 'derives tap(instance-1+64i) when TAPDEV is auto',
      host: {jobs: [{dir: 3, vars: {NICVLAN: '7,8', TAPDEV: 'auto', WORKER_INSTANCE: 3}}], bridges: {br1: [{name: 'tap2', tag: 7, vlanMode: 'dot1q-tunnel'}, {name: 'tap66', tag: 7, vlanMode: 'dot1q-tunnel'}]}},
      findings: [{kind: 'tag-differs', subject: 'tap66', severity: 'error', message: 'tap66 has tag 7, expected 8 (NICVLAN of running job /var/lib/openqa/pool/3)'}],
    },
    {name: 'untagged: error', host: {jobs: [job1], bridges: {br1: [{name: 'tap0'}]}}, findings: [{kind: 'untagged', subject: 'tap0', severity: 'error'}]},
    {
      name: 'untagged: only a warning when QEMU_NON_FATAL_DBUS_CALL=1 let the job run on',
      host: {jobs: [{...job1, vars: {...job1.vars, QEMU_NON_FATAL_DBUS_CALL: '1'}}], bridges: {br1: [{name: 'tap0'}]}},
      findings: [{kind: 'untagged', subject: 'tap0', severity: 'warning', message: expect.stringContaining('QEMU_NON_FATAL_DBUS_CALL=1')}],
      assert: (r) => expect(r.findings[0]!.evidence[0]!.lines).toContain('"QEMU_NON_FATAL_DBUS_CALL": "1"'),
    },
    {
      name: 'a tap on another bridge than OS_AUTOINST_USE_BRIDGE is what set_vlan refuses',
      host: {jobs: [job1], bridges: {br0: [{name: 'tap0', tag: 5, vlanMode: 'dot1q-tunnel'}], br1: []}},
      findings: [
        {
          kind: 'not-on-bridge',
          subject: 'tap0',
          severity: 'error',
          message: "tap0 of running job /var/lib/openqa/pool/1 is a port of br0, not of br1 (OS_AUTOINST_USE_BRIDGE): set_vlan refuses it (\"'tap0' is not connected to bridge 'br1'\")",
          fix: expect.stringContaining('ovs-vsctl --if-exists del-port br0 tap0\novs-vsctl add-port br1 tap0\novs-vsctl set port tap0 tag=5 vlan_mode=dot1q-tunnel\nip link set tap0 up'),
        },
      ],
    },
    {
      name: 'a tap that is no OVS port at all',
      host: {jobs: [job1], bridges: {br1: []}},
      findings: [{kind: 'not-on-bridge', subject: 'tap0', severity: 'error', message: 'tap0 of running job /var/lib/openqa/pool/1 is not an OVS port; expected a port of br1 with tag 5'}],
    },
    {
      name: 'vlan_mode other than dot1q-tunnel is a warning',
      host: {jobs: [job1], bridges: {br1: [{name: 'tap0', tag: 5}]}},
      findings: [{kind: 'vlan-mode', subject: 'tap0', severity: 'warning', message: 'tap0 has vlan_mode unset (access), expected dot1q-tunnel: frames the SUT tags itself leave VLAN 5 or are dropped'}],
    },
    {
      name: 'from `ovs-vsctl show` a wrong tag is still reported, with the show lines',
      host: {jobs: [job1], show: SHOW.replace('tag: 5', 'tag: 9')},
      findings: [{kind: 'tag-differs', subject: 'tap0'}],
      assert: (r) => expect(r.findings[0]!.evidence[1]).toEqual({source: 'ovs.show', lines: ['    Port tap0', '        tag: 9', '        Interface tap0']}),
    },
    {
      name: 'a tag left on a tap no running job uses is info, idle host or not',
      host: {jobs: [{...job1, alive: false}], bridges: {br1: [{name: 'tap0', tag: 5, vlanMode: 'dot1q-tunnel'}]}},
      findings: [{kind: 'leftover-tag', subject: 'tap0', severity: 'info', message: 'tap0 keeps tag 5 but no running job uses it; the next job on it gets its own tag', fix: 'ovs-vsctl remove port tap0 tag 5   # what unset_vlan does at the end of a job'}],
    },
  ],
});

describe('ovsOlderThan', () => {
  it('vlan_mode is not checked below OVS 2.8.1', () => {
    expect(ovsOlderThan('2.7.0', [2, 8, 1])).toBe(true);
    expect(ovsOlderThan('2.8.1', [2, 8, 1])).toBe(false);
    expect(ovsOlderThan('3.1.0', [2, 8, 1])).toBe(false);
    expect(ovsOlderThan(undefined, [2, 8, 1])).toBe(false);
  });
});
