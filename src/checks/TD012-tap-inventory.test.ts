import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {FIXTURES} from '../../test/helpers/fixture.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import type {CheckResult} from '../model.js';
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

function run(host: Host, config: Partial<TapdoctorConfig> = {}): CheckResult {
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
  const snapshot = makeSnapshot({
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
  return analyzeSnapshot(snapshot, [check], {...DEFAULT_CONFIG, ...config}, {mode: 'snapshot'}).results[0]!;
}

const brief = (r: CheckResult) => r.findings.map((f) => `${f.severity} ${f.subject}: ${f.message}`);

describe('TD012 tap-inventory', () => {
  it('passes on both healthy fixtures (SUSE spare tap2 is harmless)', async () => {
    for (const name of ['healthy-suse', 'healthy-fedora']) {
      const r = analyzeSnapshot(await readSnapshot(join(FIXTURES, name)), [check], DEFAULT_CONFIG, {mode: 'snapshot'}).results[0]!;
      expect(r.status, name).toBe('pass');
    }
  });

  it('a missing tap with no port: the commands to create it now and the wicked files for the boot', () => {
    const r = run({devices: [{name: 'tap0'}], show: SHOW(['tap0'])});
    expect(brief(r)).toEqual([
      'error tap1: tap1 (instance 2) does not exist and is not a port of br1: its jobs fail in qemu ("could not configure /dev/net/tun (tap1): Operation not permitted") or, when qemu may create it, in set_vlan (not on the bridge)',
    ]);
    expect(r.findings[0]!.fix.split('\n')).toEqual([
      'ip link show tap1 >/dev/null 2>&1 || ip tuntap add dev tap1 mode tap user 990 group 65534', // numbers: names would resolve on the machine running the script
      'ip link set tap1 up',
      'ovs-vsctl --may-exist add-port br1 tap1',
      ...wickedTapFileLines('tap1'),
      // ifcfg-br1 already has OVS_BRIDGE_PORT_DEVICE_1='tap1'. No `wicked ifup tap1 br1`: on a live
      // bridge it re-applies br1's config and drops the switch service's flows (TD102, TD010).
    ]);
    expect(r.findings[0]!.evidence.map((e) => e.source)).toEqual(['openqa.workers-ini', 'systemd.wants', 'ip.addr', 'ovs.show']);
  });

  it('a vanished tap OVSDB still lists ("could not open network device")', () => {
    const show = SHOW(['tap0', 'tap1']).replace('        Interface tap1\n', '        Interface tap1\n            error: "could not open network device tap1 (No such device)"\n');
    const r = run({devices: [{name: 'tap0'}], show});
    expect(brief(r)[0]).toMatch(/^error tap1: tap1 \(instance 2\) is gone from the kernel but OVSDB still lists it on br1 \(could not open network device tap1 \(No such device\)\)/);
    expect(r.findings[0]!.evidence.at(-1)).toEqual({
      source: 'ovs.show',
      lines: ['    Port tap1', '        Interface tap1', '            error: "could not open network device tap1 (No such device)"'],
    });
  });

  it('not an OVS port, on another bridge, or not a tap at all', () => {
    expect(brief(run({show: SHOW(['tap0'])}))).toEqual([`error tap1: tap1 (instance 2) exists but is not a port of br1: set_vlan fails with "'tap1' is not connected to bridge 'br1'"`]);
    const other = `${SHOW(['tap0'])}Bridge br0\n    Port tap1\n        Interface tap1\n`;
    const r = run({show: other});
    expect(brief(r)).toEqual([`error tap1: tap1 (instance 2) is a port of br0, not of br1 (OS_AUTOINST_USE_BRIDGE): set_vlan fails with "'tap1' is not connected to bridge 'br1'"`]);
    expect(r.findings[0]!.fix.split('\n').slice(0, 2)).toEqual(['ovs-vsctl --if-exists del-port br0 tap1', 'ovs-vsctl --may-exist add-port br1 tap1']);
    expect(brief(run({devices: [{name: 'tap0'}, {name: 'tap1', kind: 'tun'}]}))).toEqual([
      "error tap1: tap1 (instance 2) exists but is a tun (layer 3) device, not a tap: qemu's -netdev tap cannot attach to it",
    ]);
  });

  it('a stale OVS port of a spare tap is a warning; surplus taps that work are silent', () => {
    const show = SHOW(['tap0', 'tap1', 'tap2', 'tap5']).replace('        Interface tap5\n', '        Interface tap5\n            error: "could not open network device tap5 (No such device)"\n');
    const r = run({devices: [{name: 'tap0'}, {name: 'tap1'}, {name: 'tap2'}], show});
    expect(brief(r)).toEqual(['warning tap5: OVSDB lists tap5 on br1 but the device is gone (could not open network device tap5 (No such device)); no active tap instance needs it']);
  });

  it('instances come from worker units, not from workers.ini ranges', () => {
    expect(run({ini: '[1-20]\nWORKER_CLASS = qemu_x86_64,tap\n'}).status).toBe('pass');
  });

  it('instances above 64 collide with the second-NIC taps', () => {
    const devices = [{name: 'tap0'}, {name: 'tap1'}, {name: 'tap64'}];
    const r = run({units: [1, 2, 65], devices, show: SHOW(['tap0', 'tap1', 'tap64'])});
    expect(brief(r)).toEqual([
      'warning 65: instance 65 uses tap64, which is also the second-NIC tap of instance 1 (tap(N-1+64)): a multi-NIC job on instance 1 and any job on instance 65 fight over it',
    ]);
    // The fix names the instance's own unit, as systemd lists it.
    expect(r.findings[0]!.fix).toContain('systemctl disable --now openqa-worker-auto-restart@65.service;');
  });

  it('multiNic requires the 64/128 sets too', () => {
    expect(run({}, {multiNic: true}).findings.map((f) => f.subject)).toEqual(['tap64', 'tap128', 'tap65', 'tap129']);
  });

  it('NetworkManager hosts get nmcli commands', () => {
    const r = run({devices: [{name: 'tap0'}], show: SHOW(['tap0']), stack: 'nm'});
    expect(r.findings[0]!.fix.split('\n').slice(3)).toEqual([
      'nmcli connection show tap1-port >/dev/null 2>&1 || nmcli connection add type ovs-port conn.interface tap1 master br1 con-name tap1-port',
      'nmcli connection show tap1 >/dev/null 2>&1 || nmcli connection add type tun mode tap owner 990 group 65534 conn.interface tap1 master tap1-port slave-type ovs-port con-name tap1',
    ]);
  });

  it('n/a without tap-class instances', () => {
    expect(run({ini: '[global]\nWORKER_CLASS = qemu_x86_64\n'})).toMatchObject({status: 'n/a', reason: 'no worker instance has tap in WORKER_CLASS'});
  });
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
