import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {FIXTURES} from '../../test/helpers/fixture.js';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import {readSnapshot} from '../sources/archive.js';
import check from './TD012-tap-inventory.js';
import {wickedTapFileLines} from '../../test/helpers/remedies.js';

interface Dev {
  name: string;
  kind?: 'tap' | 'tun' | 'veth';
  master?: string;
}

interface Host {
  /** workers.ini text. */
  ini?: string;
  /** Enabled worker instance numbers. */
  units?: number[];
  /** Kernel devices besides the bridge. */
  devices?: Dev[];
  /** ovs-vsctl show body (bridges and ports). */
  show?: string;
  stack?: 'wicked' | 'nm';
}

const SHOW = (ports: string[], bridge = 'br1') =>
  `Bridge ${bridge}\n    datapath_type: netdev\n${ports.map((p) => `    Port ${p}\n        Interface ${p}\n`).join('')}    Port ${bridge}\n        Interface ${bridge}\n            type: internal\n`;

const tester = new CheckTester(check, (host: Host) => {
  const devices = host.devices ?? [{name: 'tap0'}, {name: 'tap1'}];
  const links = [{name: 'br1', kind: 'tap'} as Dev, ...devices].map((d, i) => ({
    ifindex: i + 3,
    ifname: d.name,
    flags: ['BROADCAST', 'UP'],
    mtu: 1500,
    ...(d.master ? {master: d.master} : {}),
    linkinfo: d.kind === 'veth' ? {info_kind: 'veth'} : {info_kind: 'tun', info_data: {type: d.kind ?? 'tap', persist: true}},
  }));
  const units = Object.fromEntries((host.units ?? [1, 2]).map((n) => [`/etc/systemd/system/multi-user.target.wants/openqa-worker-auto-restart@${n}.service`, '']));
  const wicked = {
    '/etc/sysconfig/network/ifcfg-br1': "OVS_BRIDGE='yes'\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\nOVS_BRIDGE_PORT_DEVICE_1='tap1'\n",
    '/etc/sysconfig/network/ifcfg-tap0': "TUNNEL='tap'\nTUNNEL_SET_OWNER='_openqa-worker'\nTUNNEL_SET_GROUP='nogroup'\n",
  };
  return makeSnapshot({
    commands: {'ip.addr': JSON.stringify(links), 'ovs.show': host.show ?? SHOW(['tap0', 'tap1'])},
    files: {
      'openqa.workers-ini': {'/etc/openqa/workers.ini': host.ini ?? '[global]\nWORKER_CLASS = qemu_x86_64,tap\n'},
      'systemd.wants': units,
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': 'OS_AUTOINST_USE_BRIDGE=br1\n'},
      accounts: {'/etc/passwd': '_openqa-worker:x:990:65534::/var/lib/openqa:/bin/bash\n', '/etc/group': 'nogroup:x:65534:\n'},
      'network.ifcfg': host.stack === 'nm' ? {} : wicked,
      'network.nm':
        host.stack === 'nm' ? {'/etc/NetworkManager/system-connections/ovs-br0.nmconnection': '[connection]\nid=ovs-br\ntype=ovs-bridge\ninterface-name=br1\n'} : {},
    },
  });
});
const NOT_CONNECTED = `set_vlan fails with "'tap1' is not connected to bridge 'br1'"`;

describe('TD012 tap-inventory on the fixtures', () => {
  it('passes on both healthy fixtures (SUSE spare tap2 is harmless)', async () => {
    for (const name of ['healthy-suse', 'healthy-fedora']) {
      const r = analyzeSnapshot(await readSnapshot(join(FIXTURES, name)), [check], DEFAULT_CONFIG, {mode: 'snapshot'}).results[0]!;
      expect(r.status, name).toBe('pass');
    }
  });
});

tester.run({
  valid: [
    {name: 'instances come from worker units, not from workers.ini ranges', host: {ini: '[1-20]\nWORKER_CLASS = qemu_x86_64,tap\n'}},
    {name: 'n/a without tap-class instances', host: {ini: '[global]\nWORKER_CLASS = qemu_x86_64\n'}, status: 'n/a', reason: 'no worker instance has tap in WORKER_CLASS'},
  ],
  invalid: [
    {
      name: 'a missing tap with no port: the commands to create it now and the wicked files for the boot',
      host: {devices: [{name: 'tap0'}], show: SHOW(['tap0'])},
      findings: [
        {
          kind: 'tap-missing',
          subject: 'tap1',
          severity: 'error',
          message:
            'tap1 (instance 2) does not exist and is not a port of br1: its jobs fail in qemu ("could not configure /dev/net/tun (tap1): Operation not permitted") or, when qemu may create it, in set_vlan (not on the bridge)',
          fix: [
            'ip link show tap1 >/dev/null 2>&1 || ip tuntap add dev tap1 mode tap user 990 group 65534', // numbers: names would resolve on the machine running the script
            'ip link set tap1 up',
            'ovs-vsctl --may-exist add-port br1 tap1',
            ...wickedTapFileLines('tap1'),
            // ifcfg-br1 already has OVS_BRIDGE_PORT_DEVICE_1='tap1'. No `wicked ifup tap1 br1`: on a live
            // bridge it re-applies br1's config and drops the switch service's flows (TD102, TD010).
          ],
        },
      ],
      assert: (r) => expect(r.findings[0]!.evidence.map((e) => e.source)).toEqual(['openqa.workers-ini', 'systemd.wants', 'ip.addr', 'ovs.show']),
    },
    {
      name: 'a vanished tap OVSDB still lists ("could not open network device")',
      host: {
        devices: [{name: 'tap0'}],
        show: SHOW(['tap0', 'tap1']).replace('        Interface tap1\n', '        Interface tap1\n            error: "could not open network device tap1 (No such device)"\n'),
      },
      findings: [{kind: 'tap-missing', subject: 'tap1', severity: 'error', message: /^tap1 \(instance 2\) is gone from the kernel but OVSDB still lists it on br1 \(could not open network device tap1 \(No such device\)\)/}],
      assert: (r) =>
        expect(r.findings[0]!.evidence.at(-1)).toEqual({
          source: 'ovs.show',
          lines: ['    Port tap1', '        Interface tap1', '            error: "could not open network device tap1 (No such device)"'],
        }),
    },
    {name: 'not an OVS port', host: {show: SHOW(['tap0'])}, findings: [{kind: 'not-on-bridge', subject: 'tap1', severity: 'error', message: `tap1 (instance 2) exists but is not a port of br1: ${NOT_CONNECTED}`}]},
    {
      name: 'on another bridge',
      host: {show: `${SHOW(['tap0'])}Bridge br0\n    Port tap1\n        Interface tap1\n`},
      findings: [{kind: 'not-on-bridge', subject: 'tap1', severity: 'error', message: `tap1 (instance 2) is a port of br0, not of br1 (OS_AUTOINST_USE_BRIDGE): ${NOT_CONNECTED}`}],
      assert: (r) => expect(r.findings[0]!.fix.split('\n').slice(0, 2)).toEqual(['ovs-vsctl --if-exists del-port br0 tap1', 'ovs-vsctl --may-exist add-port br1 tap1']),
    },
    {
      name: 'not a tap at all',
      host: {devices: [{name: 'tap0'}, {name: 'tap1', kind: 'tun'}]},
      findings: [{kind: 'not-a-tap', subject: 'tap1', severity: 'error', message: "tap1 (instance 2) exists but is a tun (layer 3) device, not a tap: qemu's -netdev tap cannot attach to it"}],
    },
    {
      name: 'a stale OVS port of a spare tap is a warning; surplus taps that work are silent',
      host: {
        devices: [{name: 'tap0'}, {name: 'tap1'}, {name: 'tap2'}],
        show: SHOW(['tap0', 'tap1', 'tap2', 'tap5']).replace('        Interface tap5\n', '        Interface tap5\n            error: "could not open network device tap5 (No such device)"\n'),
      },
      findings: [{kind: 'stale-port', subject: 'tap5', severity: 'warning', message: 'OVSDB lists tap5 on br1 but the device is gone (could not open network device tap5 (No such device)); no active tap instance needs it'}],
    },
    {
      name: 'instances above 64 collide with the second-NIC taps',
      host: {units: [1, 2, 65], devices: [{name: 'tap0'}, {name: 'tap1'}, {name: 'tap64'}], show: SHOW(['tap0', 'tap1', 'tap64'])},
      findings: [
        {
          kind: 'instance-collision',
          subject: '65',
          severity: 'warning',
          message: 'instance 65 uses tap64, which is also the second-NIC tap of instance 1 (tap(N-1+64)): a multi-NIC job on instance 1 and any job on instance 65 fight over it',
          // The fix names the instance's own unit, as systemd lists it.
          fix: expect.stringContaining('systemctl disable --now openqa-worker-auto-restart@65.service;'),
        },
      ],
    },
    {name: 'multiNic requires the 64/128 sets too', host: {}, config: {multiNic: true}, findings: [{kind: 'tap-missing', subject: 'tap64'}, {kind: 'tap-missing', subject: 'tap128'}, {kind: 'tap-missing', subject: 'tap65'}, {kind: 'tap-missing', subject: 'tap129'}]},
    {
      name: 'NetworkManager hosts get nmcli commands',
      host: {devices: [{name: 'tap0'}], show: SHOW(['tap0']), stack: 'nm'},
      findings: [{kind: 'tap-missing', subject: 'tap1'}],
      assert: (r) =>
        expect(r.findings[0]!.fix.split('\n').slice(3)).toEqual([
          'nmcli connection show tap1-port >/dev/null 2>&1 || nmcli connection add type ovs-port conn.interface tap1 master br1 con-name tap1-port',
          'nmcli connection show tap1 >/dev/null 2>&1 || nmcli connection add type tun mode tap owner 990 group 65534 conn.interface tap1 master tap1-port slave-type ovs-port con-name tap1',
        ]),
    },
  ],
});

describe('the tap checks (TD003, TD004, TD012, TD013, TD014) on garbage input', () => {
  it('answer pass, fail, skip or a parse error for every mangled source, never an internal error', async () => {
    const {default: td003} = await import('./TD003-vlan-tag-mismatch.js');
    const {default: td004} = await import('./TD004-qemu-cap-net-admin.js');
    const {default: td013} = await import('./TD013-tap-ownership.js');
    const {default: td014} = await import('./TD014-worker-class-tap.js');
    const checks = [td003, td004, check, td013, td014];
    const base = await readSnapshot(join(FIXTURES, 'healthy-suse'));
    const sources = ['ip.addr', 'ovs.show', 'ovs.ports', 'ovs.interfaces', 'ovs.bridges', 'tap.sysfs', 'accounts', 'openqa.pool', 'qemu.getcap', 'openqa.qemu-alive', 'openqa.workers-ini', 'openqa.switch-config', 'systemd.units', 'network.ifcfg', 'mountinfo'];
    const garbage = ['', 'bash: ovs-vsctl: command not found\n', '\0\u00ff{["\r\n', '{"data":[[1]],"headings":["name"]}', `${'tap0 '.repeat(20000)}\n`, '[{"ifname": "tap0", "ifindex": "x"}]'];
    const crashes: string[] = [];
    for (const source of sources) {
      for (const text of garbage) {
        const contents = new Map(base.contents);
        for (const e of base.manifest.sources[source]!.entries) contents.set(e.path, Buffer.from(text));
        const report = analyzeSnapshot({manifest: base.manifest, contents}, checks, DEFAULT_CONFIG, {mode: 'snapshot'});
        for (const r of report.results) if (r.status === 'error' && r.reason?.startsWith('internal error')) crashes.push(`${source} ${JSON.stringify(text.slice(0, 20))}: ${r.reason}`);
      }
    }
    expect(crashes).toEqual([]);
  });
});
