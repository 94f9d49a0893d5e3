import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
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

const tester = new CheckTester(check, (h: Host) =>
  makeSnapshot({
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
  }),
);

const br1 = (inet = ['10.0.2.2/15']) => link('br1', inet, tun);
const SUSE = 'OS_AUTOINST_USE_BRIDGE=br1\n';

const FEDORA = 'OS_AUTOINST_BRIDGE_LOCAL_IP=172.16.2.2\nOS_AUTOINST_BRIDGE_REWRITE_TARGET=172.17.0.0\n';
const NM_UNIT = 'NetworkManager.service loaded active running Network Manager\n';
const eth0 = () => link('eth0', ['192.0.2.10/24']);

tester.run({
  valid: [
    {name: 'passes on br1 with 10.0.2.2/15, further addresses after it are fine', host: {links: [br1(['10.0.2.2/15', '10.0.3.1/24'])], sysconfig: SUSE}},
    {name: 'a Linux br0 uplink beside the OVS br1 named in the config is fine', host: {links: [link('br0', ['192.0.2.10/24'], {linkinfo: {info_kind: 'bridge'}}), br1()], sysconfig: SUSE}},
    {name: 'is n/a on a host with no OVS bridge and no tap-class instance', host: {links: [eth0()], bridges: [], sysconfig: '', workersIni: '[1]\nWORKER_CLASS = qemu_x86_64\n'}, status: 'n/a'},
    {
      name: 'an OVS bridge without a kernel interface: skipped, TD010 reports the dead ovs-vswitchd (one fault, one finding)',
      host: {links: [eth0()], bridges: ['br1'], sysconfig: SUSE},
      status: 'skip',
      reason: 'br1 has no kernel device because ovs-vswitchd is not running (TD010 reports it): its address cannot be judged until the switch runs',
    },
  ],
  invalid: [
    {
      name: 'the docs placeholder bridge_name: points OS_AUTOINST_USE_BRIDGE at the OVS bridge that carries LOCAL_IP',
      host: {links: [br1()], sysconfig: sample('os-autoinst-openvswitch/openqa-docs-2016-placeholder.txt')},
      findings: [
        {
          kind: 'bridge-missing',
          subject: 'bridge_name',
          message: 'bridge bridge_name (a placeholder from the docs, not a bridge name) does not exist; Open vSwitch bridge br1 carries 10.0.2.2/15: OS_AUTOINST_USE_BRIDGE names the wrong bridge',
          fix: [
            '# /etc/sysconfig/os-autoinst-openvswitch line 1 -> OS_AUTOINST_USE_BRIDGE=br1',
            "sed -i --follow-symlinks '1s/.*/OS_AUTOINST_USE_BRIDGE=br1/' /etc/sysconfig/os-autoinst-openvswitch",
            'systemctl restart os-autoinst-openvswitch.service',
          ],
        },
      ],
      assert: (r) => expect(r.findings[0]!.evidence[0]).toEqual({source: 'openqa.switch-config', lines: ['/etc/sysconfig/os-autoinst-openvswitch:1: OS_AUTOINST_USE_BRIDGE=bridge_name']}),
    },
    {
      name: "Fedora's trap: the default br0 is a Linux bridge over the uplink, the OVS bridge is br1",
      host: {
        links: [link('eth0', [], {master: 'br0', linkinfo: {info_slave_kind: 'bridge'}}), link('br0', ['192.0.2.10/24'], {linkinfo: {info_kind: 'bridge'}}), link('br1', ['172.16.2.2/15'], tun)],
        sysconfig: FEDORA,
      },
      findings: [
        {
          kind: 'not-ovs-bridge',
          subject: 'br0',
          message: 'br0 is a Linux bridge over eth0, not an Open vSwitch bridge; the Open vSwitch bridge is br1: os-autoinst-openvswitch cannot tag taps on it',
          fix: "if grep -q '^OS_AUTOINST_USE_BRIDGE=' /etc/sysconfig/os-autoinst-openvswitch; then sed -i --follow-symlinks 's/^OS_AUTOINST_USE_BRIDGE=.*/OS_AUTOINST_USE_BRIDGE=br1/' /etc/sysconfig/os-autoinst-openvswitch; else echo OS_AUTOINST_USE_BRIDGE=br1 >> /etc/sysconfig/os-autoinst-openvswitch; fi\nsystemctl restart os-autoinst-openvswitch.service",
        },
      ],
    },
    {
      name: 'wrong prefix: names the ifcfg IPADDR line',
      host: {links: [br1(['10.0.2.2/24'])], sysconfig: SUSE, ifcfg: {'/etc/sysconfig/network/ifcfg-br1': "BOOTPROTO='static'\nOVS_BRIDGE='yes'\nIPADDR='10.0.2.2/24'\n"}},
      findings: [
        {
          kind: 'address-wrong',
          subject: 'br1',
          message: 'br1\'s first IPv4 address is 10.0.2.2/24, expected 10.0.2.2/15: os-autoinst-openvswitch refuses to start ("bridge local port IP is expected to be 10.0.2.2/15")',
          fix: [
            "! ip -4 -o address show dev br1 | grep -qF ' 10.0.2.2/24 ' || ip address del 10.0.2.2/24 dev br1",
            "ip -4 -o address show dev br1 | grep -qF ' 10.0.2.2/15 ' || ip address add 10.0.2.2/15 dev br1",
            "# /etc/sysconfig/network/ifcfg-br1 line 3: IPADDR='10.0.2.2/24' -> IPADDR='10.0.2.2/15'",
            `if grep -q '^IPADDR=' /etc/sysconfig/network/ifcfg-br1; then sed -i --follow-symlinks "s/^IPADDR=.*/IPADDR='10.0.2.2\\\\/15'/" /etc/sysconfig/network/ifcfg-br1; else echo "IPADDR='10.0.2.2/15'" >> /etc/sysconfig/network/ifcfg-br1; fi`,
            'systemctl restart os-autoinst-openvswitch.service',
          ],
        },
      ],
    },
    {
      name: 'the right address, but not first',
      host: {links: [br1(['192.168.7.1/24', '10.0.2.2/15'])], sysconfig: SUSE},
      findings: [{kind: 'address-wrong', subject: 'br1', message: expect.stringContaining('first IPv4 address is 192.168.7.1/24, expected 10.0.2.2/15 (10.0.2.2/15 is there, but not first)')}],
      assert: (r) => {
        expect(r.findings[0]!.fix.split('\n')[0]).toBe("! ip -4 -o address show dev br1 | grep -qF ' 192.168.7.1/24 ' || ip address del 192.168.7.1/24 dev br1");
        expect(r.findings[0]!.fix).not.toContain('ip address add');
      },
    },
    {
      name: 'no IPv4 address; NetworkManager profile named for the persistent fix',
      host: {
        links: [link('br0', [], tun)],
        bridges: ['br0'],
        sysconfig: FEDORA,
        nm: {'/etc/NetworkManager/system-connections/ovs-br0-if.nmconnection': '[connection]\nid=ovs-br0-if\ntype=ovs-interface\ninterface-name=br0\n\n[ipv4]\nmethod=disabled\n'},
      },
      findings: [
        {
          kind: 'no-address',
          subject: 'br0',
          // os-autoinst script/os-autoinst-openvswitch init_switch: the wait, then the die, for a bridge with no address.
          message:
            'br0 has no IPv4 address, expected 172.16.2.2/15: os-autoinst-openvswitch logs "Waiting for IP on bridge \'br0\'" for OS_AUTOINST_OPENVSWITCH_INIT_TIMEOUT seconds, then dies with "can\'t parse bridge local port IP"',
          fix: expect.stringContaining('nmcli connection modify ovs-br0-if ipv4.method manual ipv4.addresses 172.16.2.2/15 ipv4.dad-timeout 0'),
        },
      ],
    },
    {
      name: 'a missing bridge on a NetworkManager host: the profiles to create',
      host: {links: [eth0()], bridges: [], sysconfig: '', units: NM_UNIT},
      findings: [{kind: 'bridge-missing', subject: 'br0', message: 'bridge br0 does not exist (OS_AUTOINST_USE_BRIDGE default); expected an Open vSwitch bridge br0 with 10.0.2.2/15'}],
      assert: (r) => expect(r.findings[0]!.fix.split('\n')[0]).toBe('nmcli connection show ovs-br0 >/dev/null 2>&1 || nmcli connection add con-name ovs-br0 type ovs-bridge conn.interface br0'),
    },
    {
      name: 'a missing bridge that is configured (wicked): brings the existing config up, never overwrites ifcfg-br1',
      host: {
        links: [eth0()],
        bridges: [],
        sysconfig: SUSE,
        ifcfg: {'/etc/sysconfig/network/ifcfg-br1': "BOOTPROTO='static'\nIPADDR='10.0.2.2/15'\nOVS_BRIDGE='yes'\nPRE_UP_SCRIPT=\"wicked:gre_tunnel_preup.sh\"\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\n"},
        units: 'wicked.service loaded active exited wicked managed network interfaces\n',
      },
      findings: [
        {
          kind: 'bridge-missing',
          subject: 'br1',
          fix: [
            '# /etc/sysconfig/network/ifcfg-br1 configures br1 but it is not up: bring it up (keep the file: it lists the tap ports)',
            'wicked ifup br1',
            'systemctl restart os-autoinst-openvswitch.service',
            '# look: wicked ifstatus br1   # why it did not come up',
          ],
        },
      ],
    },
    {
      name: 'a missing bridge that is configured (NetworkManager): brings the profiles up, never duplicates them',
      host: {
        links: [eth0()],
        bridges: [],
        sysconfig: '',
        nm: {'/etc/NetworkManager/system-connections/ovs-br0.nmconnection': '[connection]\nid=ovs-br0\ntype=ovs-bridge\ninterface-name=br0\n'},
        units: NM_UNIT,
      },
      findings: [{kind: 'bridge-missing', subject: 'br0'}],
      assert: (r) => {
        expect(r.findings[0]!.fix.split('\n').slice(0, 2)).toEqual(['# br0 is configured in /etc/NetworkManager/system-connections/ovs-br0.nmconnection but not up: bring those profiles up', 'nmcli connection up ovs-br0']);
        expect(r.findings[0]!.fix).not.toContain('nmcli connection add');
      },
    },
    {
      name: 'REWRITE_TARGET outside LOCAL_IP/NETMASK',
      host: {links: [link('br0', ['172.16.2.2/15'], tun)], bridges: ['br0'], sysconfig: 'OS_AUTOINST_BRIDGE_LOCAL_IP=172.16.2.2\n'},
      findings: [
        {
          kind: 'switch-config-invalid',
          subject: '/etc/sysconfig/os-autoinst-openvswitch',
          message: 'OS_AUTOINST_BRIDGE_REWRITE_TARGET=10.1.0.0 lies outside LOCAL_IP/NETMASK 172.16.0.0/15: replies to the rewritten SUT sources are not routed back through the bridge',
          fix: expect.stringContaining('echo OS_AUTOINST_BRIDGE_REWRITE_TARGET=172.17.0.0 >> /etc/sysconfig/os-autoinst-openvswitch'),
        },
      ],
    },
    {
      name: 'a NETMASK that is no prefix length',
      host: {links: [br1()], sysconfig: `${SUSE}OS_AUTOINST_BRIDGE_NETMASK=255.254.0.0\n`},
      findings: [
        {
          kind: 'switch-config-invalid',
          subject: '/etc/sysconfig/os-autoinst-openvswitch',
          message: `OS_AUTOINST_BRIDGE_NETMASK='255.254.0.0' is not a prefix length (expected e.g. 15): the service compares "<ip>/<netmask>" and never matches`,
        },
      ],
      assert: (r) => expect(r.findings[0]!.fix.split('\n')[0]).toBe('# /etc/sysconfig/os-autoinst-openvswitch line 2 -> OS_AUTOINST_BRIDGE_NETMASK=15'),
    },
    {
      name: 'reports an administratively down bridge with its address as an error of kind bridge-down',
      host: {links: [eth0(), link('br1', ['10.0.2.2/15'], {...tun, flags: ['BROADCAST', 'MULTICAST'], operstate: 'DOWN'})], sysconfig: SUSE},
      findings: [{kind: 'bridge-down', severity: 'error', subject: 'br1', message: 'br1 is down (no UP flag, state DOWN): its address 10.0.2.2/15 answers no SUT, expected up'}],
      assert: (r) => expect(r.findings[0]!.fix.split('\n')[0]).toBe('ip link set dev br1 up'),
    },
  ],
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
