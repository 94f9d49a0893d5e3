import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import check from './TD001-multiple-uplinks.js';

let index = 1;
function nic(name: string, opts: {inet?: string[]; master?: string; kind?: string; slaveKind?: string; carrier?: boolean} = {}): object {
  const carrier = opts.carrier ?? true;
  return {
    ifindex: index++,
    ifname: name,
    flags: ['BROADCAST', 'MULTICAST', 'UP', ...(carrier ? ['LOWER_UP'] : [])],
    mtu: 1500,
    ...(opts.master ? {master: opts.master} : {}),
    operstate: carrier ? 'UP' : 'DOWN',
    link_type: 'ether',
    address: '52:54:00:00:00:01',
    ...(opts.kind || opts.slaveKind ? {linkinfo: {...(opts.kind ? {info_kind: opts.kind} : {}), ...(opts.slaveKind ? {info_slave_kind: opts.slaveKind} : {})}} : {}),
    addr_info: (opts.inet ?? []).map((a) => ({family: 'inet', local: a.split('/')[0], prefixlen: Number(a.split('/')[1]), scope: 'global', label: name})),
  };
}
const route = (dev: string, gateway: string, metric: number) => ({dst: 'default', gateway, dev, metric, flags: []});

interface Host {
  links: object[];
  routes: object[];
  files?: SnapshotSpec['files'];
  units?: string;
  failed?: Record<string, string>;
  rules?: object[];
}

const tester = new CheckTester(check, (spec: Host) =>
  makeSnapshot({
    commands: {
      'ip.addr': JSON.stringify(spec.links),
      'ip.route4': JSON.stringify(spec.routes),
      ...(spec.units !== undefined ? {'systemd.units': spec.units} : {}),
      ...(spec.rules !== undefined ? {'ip.rule4': JSON.stringify(spec.rules)} : {}),
    },
    files: {'network.ifcfg': {}, 'network.nm': {}, ...spec.files},
    failed: spec.failed,
  }),
);

const eth0 = () => nic('eth0', {inet: ['192.0.2.10/24']});
const eth1 = () => nic('eth1', {inet: ['198.51.100.10/24']});

const spare = () => ({links: [eth0(), eth1()], routes: [route('eth0', '192.0.2.1', 100)]});
const WICKED_UNIT = 'wicked.service loaded active exited wicked managed network interfaces\n';
// Policy rules that divert SUT traffic (the switch config gives the SUT range).
const base = [{priority: 0, src: 'all', table: 'local'}, {priority: 32766, src: 'all', table: 'main'}, {priority: 32767, src: 'all', table: 'default'}];
const fedora = {'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': 'OS_AUTOINST_BRIDGE_LOCAL_IP=172.16.2.2\nOS_AUTOINST_BRIDGE_REWRITE_TARGET=172.17.0.0\n'}};
const withRules = (rules: object[]): Host => ({links: [eth0()], routes: [route('eth0', '192.0.2.1', 100)], rules, files: fedora});

tester.run({
  valid: [
    {name: 'passes with one uplink', host: {links: [eth0()], routes: [route('eth0', '192.0.2.1', 100)]}},
    {name: 'passes with a note when nothing is an uplink', host: {links: [nic('eth0', {carrier: false})], routes: []}, reason: expect.stringContaining('no active uplink')},
    {
      name: 'counts a bond with its slaves as one uplink',
      host: {
        links: [nic('eth0', {master: 'bond0', slaveKind: 'bond'}), nic('eth1', {master: 'bond0', slaveKind: 'bond'}), nic('bond0', {kind: 'bond', inet: ['192.0.2.10/24']})],
        routes: [route('bond0', '192.0.2.1', 100)],
      },
    },
    {
      name: 'leaves NICs listed in ignoreInterfaces alone',
      host: {links: [eth0(), nic('storage0', {inet: ['10.9.0.5/24']})], routes: [route('eth0', '192.0.2.1', 100)]},
      config: {ignoreInterfaces: ['storage*']},
    },
    // Rules that cannot see forwarded SUT traffic, and rules made for the SUT range.
    {name: 'policy rules: ignores a rule for traffic entering by lo', host: withRules([...base, {priority: 100, src: 'all', iif: 'lo', table: '100'}])},
    {name: 'policy rules: ignores a rule for marked traffic', host: withRules([...base, {priority: 100, src: 'all', fwmark: '0x1', table: '100'}])},
    {name: "policy rules: ignores a rule for the host's own address", host: withRules([...base, {priority: 100, src: '192.0.2.10', srclen: 32, table: '100'}])},
    {name: 'policy rules: a rule made for the SUT range ends the search', host: withRules([...base, {priority: 1, src: '172.17.0.0', srclen: 16, table: 'nowg'}, {priority: 100, src: 'all', table: '100'}])},
    // A rule behind the main table's default never sees the traffic.
    {name: "policy rules: ignores a rule behind the main table's default", host: withRules([...base, {priority: 32800, src: 'all', table: '100'}])},
  ],
  invalid: [
    {
      name: 'names the spare NIC with a default route, never the primary, and proves it with both routes',
      host: {
        links: [eth0(), eth1()],
        routes: [route('eth0', '192.0.2.1', 100), route('eth1', '198.51.100.1', 200)],
        files: {'network.ifcfg': {'/etc/sysconfig/network/ifcfg-eth1': "BOOTPROTO='static'\nSTARTMODE='auto'\n"}},
        units: WICKED_UNIT,
      },
      findings: [
        {
          kind: 'second-uplink',
          subject: 'eth1',
          severity: 'warning',
          message:
            'eth1 is a second active uplink (default route via 198.51.100.1 metric 200; UP, carrier, global 198.51.100.10/24) beside eth0 (the lowest-metric IPv4 default route); expected only eth0',
        },
      ],
      assert: (r) => {
        const f = r.findings[0]!;
        expect(f.evidence[0]).toEqual({
          source: 'ip.route4',
          lines: ['{"dst":"default","gateway":"192.0.2.1","dev":"eth0","metric":100,"flags":[]}', '{"dst":"default","gateway":"198.51.100.1","dev":"eth1","metric":200,"flags":[]}'],
        });
        expect(f.evidence[1]!.source).toBe('ip.addr');
        expect(f.evidence[1]!.lines[0]).toContain('"ifname":"eth1"');
        expect(f.fix).toContain("# /etc/sysconfig/network/ifcfg-eth1 line 2: STARTMODE='auto' -> STARTMODE='off'");
        expect(f.fix).toContain('wicked ifdown eth1');
      },
    },
    {
      name: 'the configured uplink wins over the default route',
      host: {links: [eth0(), eth1()], routes: [route('eth0', '192.0.2.1', 100)]},
      config: {uplink: 'eth1'},
      findings: [{kind: 'second-uplink', subject: 'eth0', message: expect.stringContaining('beside eth1 (the configured uplink)')}],
    },
    {
      name: 'without an IPv4 default route takes the first active device as the uplink',
      host: {links: [eth0(), eth1()], routes: []},
      findings: [{kind: 'second-uplink', subject: 'eth1', message: expect.stringContaining('the first active device (there is no IPv4 default route)')}],
    },
    {
      name: 'fix per network stack: NetworkManager profile: autoconnect no on the profile, not a file edit',
      host: {
        ...spare(),
        files: {'network.nm': {'/etc/NetworkManager/system-connections/Wired 2.nmconnection': '[connection]\nid=Wired connection 2\ntype=ethernet\ninterface-name=eth1\n'}},
        units: 'NetworkManager.service loaded active running Network Manager\n',
      },
      findings: [{kind: 'second-uplink', subject: 'eth1'}],
      assert: (r) =>
        expect(r.findings[0]!.fix.split('\n').slice(1)).toEqual([
          'nmcli device disconnect eth1',
          "nmcli connection modify 'Wired connection 2' connection.autoconnect no   # /etc/NetworkManager/system-connections/Wired 2.nmconnection",
        ]),
    },
    {
      name: 'fix per network stack: network-scripts ifcfg: ONBOOT=no on its line',
      host: {
        ...spare(),
        files: {'network.ifcfg': {'/etc/sysconfig/network-scripts/ifcfg-eth1': 'DEVICE=eth1\nBOOTPROTO=dhcp\nONBOOT=yes\n'}},
        units: 'network.service loaded active exited LSB: Bring up/down networking\n',
      },
      findings: [{kind: 'second-uplink', subject: 'eth1'}],
      assert: (r) => {
        expect(r.findings[0]!.fix).toContain(
          "# /etc/sysconfig/network-scripts/ifcfg-eth1 line 3: ONBOOT=yes -> ONBOOT=no\nif grep -q '^ONBOOT=' /etc/sysconfig/network-scripts/ifcfg-eth1; then sed -i --follow-symlinks 's/^ONBOOT=.*/ONBOOT=no/' /etc/sysconfig/network-scripts/ifcfg-eth1;",
        );
        expect(r.findings[0]!.fix).toContain('ip link set eth1 down');
      },
    },
    {
      name: 'fix per network stack: wicked ifcfg without STARTMODE: appends one',
      host: {...spare(), files: {'network.ifcfg': {'/etc/sysconfig/network/ifcfg-eth1': "BOOTPROTO='dhcp'\n"}}},
      findings: [{kind: 'second-uplink', subject: 'eth1', fix: expect.stringContaining(`else echo "STARTMODE='off'" >> /etc/sysconfig/network/ifcfg-eth1; fi`)}],
    },
    {
      name: 'fix per network stack: no file configures the spare: says that editing one disables nothing',
      host: {...spare(), units: WICKED_UNIT},
      findings: [{kind: 'second-uplink', subject: 'eth1'}],
      assert: (r) => {
        const fix = r.findings[0]!.fix;
        expect(fix).toContain('# no ifcfg-eth1 and no NetworkManager profile for eth1 exist: editing one disables nothing');
        expect(fix).toContain(`printf '%s\\n' "BOOTPROTO='none'" "STARTMODE='off'" > /etc/sysconfig/network/ifcfg-eth1`);
        expect(fix).toContain('ip address flush dev eth1\nip link set eth1 down');
      },
    },
    {
      name: 'fix per network stack: unknown stack: says so and names what could not be read',
      host: {...spare(), files: {}, failed: {'network.nm': 'needs root'}},
      findings: [{kind: 'second-uplink', subject: 'eth1', fix: expect.stringContaining('# MANUAL (could not tell which network stack manages eth1 (network.nm: could not collect network.nm: needs root)):')}],
    },
    {
      name: 'policy rules: reports a catch-all rule to another table before main, with the SUT range of the switch config',
      host: withRules([...base, {priority: 100, src: 'all', table: '100'}]),
      findings: [{kind: 'policy-rule-diverts', subject: 'ip rule 100'}],
      assert: (r) =>
        expect(r.findings[0]!.fix.split('\n').slice(0, 2)).toEqual([
          'ip -4 rule del from 172.17.0.0/16 lookup main priority 1 2>/dev/null || true',
          "ip -4 rule add from 172.17.0.0/16 lookup main priority 1   # SUT traffic takes the main table's default via eth0",
        ]),
    },
  ],
});
