import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {ipAddrLink} from '../../test/helpers/ip-link.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import check from './TD011-bridge-address.js';

const sample = (path: string) => readFileSync(new URL(`../../test/samples/${path}`, import.meta.url), 'utf8');

const link = (name: string, inet: string[], extra: object = {}) => ipAddrLink(name, inet, {address: '02:1f:18:35:e9:be', ...extra});
const tun = {linkinfo: {info_kind: 'tun'}};
const ovsShow = (...bridges: string[]) =>
  `0a693ca9-01c5-427e-bcee-56d5b805f15d\n${bridges.map((b) => `    Bridge ${b}\n        datapath_type: netdev\n        Port ${b}\n            Interface ${b}\n                type: internal\n`).join('')}    ovs_version: "3.1.0"\n`;

interface Host {
  links: object[];
  bridges?: string[];
  sysconfig?: string;
  ifcfg?: Record<string, string>;
  nm?: Record<string, string>;
  units?: string;
  workersIni?: string;
}

function run(h: Host) {
  const snapshot = makeSnapshot({
    commands: {
      'ip.addr': JSON.stringify(h.links),
      'ovs.show': ovsShow(...(h.bridges ?? ['br1'])),
      'systemd.units': `openqa-worker@1.service loaded active running openQA Worker #1\n${h.units ?? ''}`,
    },
    files: {
      'openqa.switch-config': h.sysconfig === undefined ? {} : {'/etc/sysconfig/os-autoinst-openvswitch': h.sysconfig},
      'network.ifcfg': h.ifcfg ?? {},
      'network.nm': h.nm ?? {},
      'openqa.workers-ini': {'/etc/openqa/workers.ini': h.workersIni ?? '[1]\nWORKER_CLASS = qemu_x86_64,tap\n'},
      'systemd.wants': {},
    },
  });
  return analyzeSnapshot(snapshot, [check], DEFAULT_CONFIG, {mode: 'snapshot'}).results[0]!;
}

const br1 = (inet = ['10.0.2.2/15']) => link('br1', inet, tun);
const SUSE = 'OS_AUTOINST_USE_BRIDGE=br1\n';

describe('TD011 bridge-address', () => {
  it('passes on br1 with 10.0.2.2/15, further addresses after it are fine', () => {
    expect(run({links: [br1(['10.0.2.2/15', '10.0.3.1/24'])], sysconfig: SUSE}).status).toBe('pass');
  });

  it('the docs placeholder bridge_name: points OS_AUTOINST_USE_BRIDGE at the OVS bridge that carries LOCAL_IP', () => {
    const r = run({links: [br1()], sysconfig: sample('os-autoinst-openvswitch/openqa-docs-2016-placeholder.txt')});
    expect(r.findings.map((f) => f.subject)).toEqual(['bridge_name']);
    expect(r.findings[0]!.message).toBe(
      'bridge bridge_name (a placeholder from the docs, not a bridge name) does not exist; Open vSwitch bridge br1 carries 10.0.2.2/15: OS_AUTOINST_USE_BRIDGE names the wrong bridge',
    );
    expect(r.findings[0]!.fix).toBe(
      [
        '# /etc/sysconfig/os-autoinst-openvswitch line 1 -> OS_AUTOINST_USE_BRIDGE=br1',
        "sed -i --follow-symlinks '1s/.*/OS_AUTOINST_USE_BRIDGE=br1/' /etc/sysconfig/os-autoinst-openvswitch",
        'systemctl restart os-autoinst-openvswitch.service',
      ].join('\n'),
    );
    expect(r.findings[0]!.evidence[0]).toEqual({source: 'openqa.switch-config', lines: ['/etc/sysconfig/os-autoinst-openvswitch:1: OS_AUTOINST_USE_BRIDGE=bridge_name']});
  });

  it("Fedora's trap: the default br0 is a Linux bridge over the uplink, the OVS bridge is br1", () => {
    const r = run({
      links: [link('eth0', [], {master: 'br0', linkinfo: {info_slave_kind: 'bridge'}}), link('br0', ['192.0.2.10/24'], {linkinfo: {info_kind: 'bridge'}}), link('br1', ['172.16.2.2/15'], tun)],
      sysconfig: 'OS_AUTOINST_BRIDGE_LOCAL_IP=172.16.2.2\nOS_AUTOINST_BRIDGE_REWRITE_TARGET=172.17.0.0\n',
    });
    expect(r.findings.map((f) => f.subject)).toEqual(['br0']);
    expect(r.findings[0]!.message).toBe('br0 is a Linux bridge over eth0, not an Open vSwitch bridge; the Open vSwitch bridge is br1: os-autoinst-openvswitch cannot tag taps on it');
    expect(r.findings[0]!.fix).toBe("if grep -q '^OS_AUTOINST_USE_BRIDGE=' /etc/sysconfig/os-autoinst-openvswitch; then sed -i --follow-symlinks 's/^OS_AUTOINST_USE_BRIDGE=.*/OS_AUTOINST_USE_BRIDGE=br1/' /etc/sysconfig/os-autoinst-openvswitch; else echo OS_AUTOINST_USE_BRIDGE=br1 >> /etc/sysconfig/os-autoinst-openvswitch; fi\nsystemctl restart os-autoinst-openvswitch.service");
  });

  it('a Linux br0 uplink beside the OVS br1 named in the config is fine', () => {
    const r = run({links: [link('br0', ['192.0.2.10/24'], {linkinfo: {info_kind: 'bridge'}}), br1()], sysconfig: SUSE});
    expect(r.status).toBe('pass');
  });

  it('wrong prefix: names the ifcfg IPADDR line', () => {
    const r = run({links: [br1(['10.0.2.2/24'])], sysconfig: SUSE, ifcfg: {'/etc/sysconfig/network/ifcfg-br1': "BOOTPROTO='static'\nOVS_BRIDGE='yes'\nIPADDR='10.0.2.2/24'\n"}});
    expect(r.findings.map((f) => f.message)).toEqual([
      'br1\'s first IPv4 address is 10.0.2.2/24, expected 10.0.2.2/15: os-autoinst-openvswitch refuses to start ("bridge local port IP is expected to be 10.0.2.2/15")',
    ]);
    expect(r.findings[0]!.fix.split('\n')).toEqual([
      "! ip -4 -o address show dev br1 | grep -qF ' 10.0.2.2/24 ' || ip address del 10.0.2.2/24 dev br1",
      "ip -4 -o address show dev br1 | grep -qF ' 10.0.2.2/15 ' || ip address add 10.0.2.2/15 dev br1",
      "# /etc/sysconfig/network/ifcfg-br1 line 3: IPADDR='10.0.2.2/24' -> IPADDR='10.0.2.2/15'",
      `if grep -q '^IPADDR=' /etc/sysconfig/network/ifcfg-br1; then sed -i --follow-symlinks "s/^IPADDR=.*/IPADDR='10.0.2.2\\\\/15'/" /etc/sysconfig/network/ifcfg-br1; else echo "IPADDR='10.0.2.2/15'" >> /etc/sysconfig/network/ifcfg-br1; fi`,
      'systemctl restart os-autoinst-openvswitch.service',
    ]);
  });

  it('the right address, but not first', () => {
    const r = run({links: [br1(['192.168.7.1/24', '10.0.2.2/15'])], sysconfig: SUSE});
    expect(r.findings[0]!.message).toContain('first IPv4 address is 192.168.7.1/24, expected 10.0.2.2/15 (10.0.2.2/15 is there, but not first)');
    expect(r.findings[0]!.fix.split('\n')[0]).toBe("! ip -4 -o address show dev br1 | grep -qF ' 192.168.7.1/24 ' || ip address del 192.168.7.1/24 dev br1");
    expect(r.findings[0]!.fix).not.toContain('ip address add');
  });

  it('no IPv4 address; NetworkManager profile named for the persistent fix', () => {
    const r = run({
      links: [link('br0', [], tun)],
      bridges: ['br0'],
      sysconfig: 'OS_AUTOINST_BRIDGE_LOCAL_IP=172.16.2.2\nOS_AUTOINST_BRIDGE_REWRITE_TARGET=172.17.0.0\n',
      nm: {'/etc/NetworkManager/system-connections/ovs-br0-if.nmconnection': '[connection]\nid=ovs-br0-if\ntype=ovs-interface\ninterface-name=br0\n\n[ipv4]\nmethod=disabled\n'},
    });
    // os-autoinst script/os-autoinst-openvswitch init_switch: the wait, then the die, for a bridge with no address.
    expect(r.findings[0]!.message).toBe(
      'br0 has no IPv4 address, expected 172.16.2.2/15: os-autoinst-openvswitch logs "Waiting for IP on bridge \'br0\'" for OS_AUTOINST_OPENVSWITCH_INIT_TIMEOUT seconds, then dies with "can\'t parse bridge local port IP"',
    );
    expect(r.findings[0]!.fix).toContain('nmcli connection modify ovs-br0-if ipv4.method manual ipv4.addresses 172.16.2.2/15 ipv4.dad-timeout 0');
  });

  it('a missing bridge on a NetworkManager host: the profiles to create', () => {
    const r = run({links: [link('eth0', ['192.0.2.10/24'])], bridges: [], sysconfig: '', units: 'NetworkManager.service loaded active running Network Manager\n'});
    expect(r.findings.map((f) => f.subject)).toEqual(['br0']);
    expect(r.findings[0]!.message).toBe('bridge br0 does not exist (OS_AUTOINST_USE_BRIDGE default); expected an Open vSwitch bridge br0 with 10.0.2.2/15');
    expect(r.findings[0]!.fix.split('\n')[0]).toBe('nmcli connection show ovs-br0 >/dev/null 2>&1 || nmcli connection add con-name ovs-br0 type ovs-bridge conn.interface br0');
  });

  it('a missing bridge that is configured: brings the existing config up, never overwrites ifcfg-br1 or duplicates NM profiles', () => {
    const ifcfg = {'/etc/sysconfig/network/ifcfg-br1': "BOOTPROTO='static'\nIPADDR='10.0.2.2/15'\nOVS_BRIDGE='yes'\nPRE_UP_SCRIPT=\"wicked:gre_tunnel_preup.sh\"\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\n"};
    const wicked = run({links: [link('eth0', ['192.0.2.10/24'])], bridges: [], sysconfig: SUSE, ifcfg, units: 'wicked.service loaded active exited wicked managed network interfaces\n'});
    expect(wicked.findings.map((f) => f.subject)).toEqual(['br1']);
    expect(wicked.findings[0]!.fix.split('\n')).toEqual([
      '# /etc/sysconfig/network/ifcfg-br1 configures br1 but it is not up: bring it up (keep the file: it lists the tap ports)',
      'wicked ifup br1',
      'systemctl restart os-autoinst-openvswitch.service',
      '# look: wicked ifstatus br1   # why it did not come up',
    ]);
    const nm = run({
      links: [link('eth0', ['192.0.2.10/24'])],
      bridges: [],
      sysconfig: '',
      nm: {'/etc/NetworkManager/system-connections/ovs-br0.nmconnection': '[connection]\nid=ovs-br0\ntype=ovs-bridge\ninterface-name=br0\n'},
      units: 'NetworkManager.service loaded active running Network Manager\n',
    });
    expect(nm.findings[0]!.fix.split('\n').slice(0, 2)).toEqual(['# br0 is configured in /etc/NetworkManager/system-connections/ovs-br0.nmconnection but not up: bring those profiles up', 'nmcli connection up ovs-br0']);
    expect(nm.findings[0]!.fix).not.toContain('nmcli connection add');
  });

  it('is n/a on a host with no OVS bridge and no tap-class instance', () => {
    const r = run({links: [link('eth0', ['192.0.2.10/24'])], bridges: [], sysconfig: '', workersIni: '[1]\nWORKER_CLASS = qemu_x86_64\n'});
    expect(r.status).toBe('n/a');
  });

  it('REWRITE_TARGET outside LOCAL_IP/NETMASK', () => {
    const r = run({links: [link('br0', ['172.16.2.2/15'], tun)], bridges: ['br0'], sysconfig: 'OS_AUTOINST_BRIDGE_LOCAL_IP=172.16.2.2\n'});
    expect(r.findings.map((f) => [f.subject, f.message])).toEqual([
      [
        '/etc/sysconfig/os-autoinst-openvswitch',
        'OS_AUTOINST_BRIDGE_REWRITE_TARGET=10.1.0.0 lies outside LOCAL_IP/NETMASK 172.16.0.0/15: replies to the rewritten SUT sources are not routed back through the bridge',
      ],
    ]);
    expect(r.findings[0]!.fix).toContain('echo OS_AUTOINST_BRIDGE_REWRITE_TARGET=172.17.0.0 >> /etc/sysconfig/os-autoinst-openvswitch');
  });

  it('a NETMASK that is no prefix length', () => {
    const r = run({links: [br1()], sysconfig: `${SUSE}OS_AUTOINST_BRIDGE_NETMASK=255.254.0.0\n`});
    expect(r.findings.map((f) => [f.subject, f.message])).toEqual([
      ['/etc/sysconfig/os-autoinst-openvswitch', `OS_AUTOINST_BRIDGE_NETMASK='255.254.0.0' is not a prefix length (expected e.g. 15): the service compares "<ip>/<netmask>" and never matches`],
    ]);
    expect(r.findings[0]!.fix.split('\n')[0]).toBe('# /etc/sysconfig/os-autoinst-openvswitch line 2 -> OS_AUTOINST_BRIDGE_NETMASK=15');
  });

  it('an OVS bridge without a kernel interface: skipped, TD010 reports the dead ovs-vswitchd (one fault, one finding)', () => {
    const r = run({links: [link('eth0', ['192.0.2.10/24'])], bridges: ['br1'], sysconfig: SUSE});
    expect(r).toMatchObject({status: 'skip', reason: 'br1 has no kernel device because ovs-vswitchd is not running (TD010 reports it): its address cannot be judged until the switch runs'});
  });

  it('reports an administratively down bridge with its address as an error of kind bridge-down', () => {
    const r = run({links: [link('eth0', ['192.0.2.10/24']), link('br1', ['10.0.2.2/15'], {...tun, flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN'})], sysconfig: SUSE});
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => [f.kind, f.severity, f.subject, f.message])).toEqual([
      ['TD011/bridge-down', 'error', 'br1', 'br1 is down (no UP flag, state DOWN): its address 10.0.2.2/15 answers no SUT, expected up'],
    ]);
    expect(r.findings[0]!.fix.split('\n')[0]).toBe('ip link set dev br1 up');
  });
});

describe('TD011 fixes never edit the packaged unit', () => {
  it('a bridge name from the unit default is overridden in the sysconfig file', () => {
    const unit = readFileSync(new URL('../../test/samples/os-autoinst-openvswitch/os-autoinst-3e0b4eb9-os-autoinst-openvswitch.service.in.txt', import.meta.url), 'utf8');
    const snapshot = makeSnapshot({
      commands: {'ip.addr': JSON.stringify([link('br1', ['10.0.2.2/15'], tun)]), 'ovs.show': ovsShow('br1'), 'systemd.units': 'openqa-worker@1.service loaded active running openQA Worker #1\n'},
      files: {
        'openqa.switch-config': {'/usr/lib/systemd/system/os-autoinst-openvswitch.service': unit},
        'openqa.workers-ini': {'/etc/openqa/workers.ini': '[1]\nWORKER_CLASS = qemu_x86_64,tap\n'},
        'systemd.wants': {},
      },
    });
    const r = analyzeSnapshot(snapshot, [check], DEFAULT_CONFIG, {mode: 'snapshot'}).results[0]!;
    expect(r.findings.map((f) => f.subject)).toEqual(['br0']);
    expect(r.findings[0]!.evidence[0]!.lines[0]).toMatch(/^\/usr\/lib\/systemd\/system\/os-autoinst-openvswitch\.service:\d+: OS_AUTOINST_USE_BRIDGE=br0$/);
    expect(r.findings[0]!.fix).toBe("if grep -q '^OS_AUTOINST_USE_BRIDGE=' /etc/sysconfig/os-autoinst-openvswitch; then sed -i --follow-symlinks 's/^OS_AUTOINST_USE_BRIDGE=.*/OS_AUTOINST_USE_BRIDGE=br1/' /etc/sysconfig/os-autoinst-openvswitch; else echo OS_AUTOINST_USE_BRIDGE=br1 >> /etc/sysconfig/os-autoinst-openvswitch; fi\nsystemctl restart os-autoinst-openvswitch.service");
  });
});
