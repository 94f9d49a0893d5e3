import {readFileSync} from 'node:fs';
import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {ipAddrLink} from '../../test/helpers/ip-link.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import check from './TD008-masquerade-wrong-uplink.js';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

interface Host {
  /** ip -j addr / route JSON; defaults: the SUSE fixture (uplink eth0, bridge br1). */
  addr?: string;
  route4?: string;
  nft?: string;
  iptables?: string;
  /** iptables-legacy-save output (rules in the legacy tables). */
  iptablesLegacy?: string;
  firewalld?: string;
  firewalldExit?: number;
  /** firewalld.files: zone XML and firewalld.conf. */
  firewalldFiles?: Record<string, string>;
  /** systemd.wants links (name -> target); undefined: not captured. */
  wants?: Record<string, string>;
  ifcfg?: Record<string, string>;
  ruleFiles?: Record<string, string>;
  sysconfig?: string;
}

const tester = new CheckTester(check, (h: Host) =>
  makeSnapshot({
    commands: {
      'ip.addr': h.addr ?? fixture('healthy-suse/commands/ip.addr'),
      'ip.route4': h.route4 ?? fixture('healthy-suse/commands/ip.route4'),
      ...(h.nft !== undefined ? {'nft.ruleset': h.nft} : {}),
      ...(h.iptables !== undefined ? {'iptables.save': h.iptables} : {}),
      ...(h.iptablesLegacy !== undefined ? {'iptables-legacy.save': h.iptablesLegacy} : {}),
      ...(h.firewalld !== undefined ? {'firewalld.runtime': {text: h.firewalld, exitCode: h.firewalldExit ?? 0}} : {}),
    },
    files: {
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': h.sysconfig ?? 'OS_AUTOINST_USE_BRIDGE=br1\n'},
      'network.ifcfg': h.ifcfg ?? {},
      'firewall.files': h.ruleFiles ?? {},
      ...(h.firewalldFiles ? {'firewalld.files': h.firewalldFiles} : {}),
      ...(h.wants ? {'systemd.wants': Object.fromEntries(Object.entries(h.wants).map(([p, t]) => [p, {content: '', linkTarget: t}]))} : {}),
    },
  }),
);

const link = (name: string, extra: object = {}, inet?: string) => ipAddrLink(name, inet ? [inet] : [], extra);

const zone = (name: string, opts: {interfaces?: string[]; masquerade?: boolean; active?: boolean; target?: string}) =>
  [
    `${name}${opts.active ? ' (active)' : ''}`,
    `  target: ${opts.target ?? 'default'}`,
    '  icmp-block-inversion: no',
    `  interfaces: ${(opts.interfaces ?? []).join(' ')}`,
    '  sources: ',
    '  services: ',
    '  ports: ',
    '  protocols: ',
    `  masquerade: ${opts.masquerade ? 'yes' : 'no'}`,
    '  forward-ports: ',
    '  source-ports: ',
    '  icmp-blocks: ',
    '  rich rules: ',
    '',
    '',
  ].join('\n');

const EMPTY_NFT = '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}]}\n';

const SUSE_NFT = fixture('healthy-suse/commands/nft.ruleset');
const DEMO_NFT = fixture('demo/files/etc/firewall.nft');
const FEDORA_SYSCONFIG = 'OS_AUTOINST_USE_BRIDGE=br1\nOS_AUTOINST_BRIDGE_LOCAL_IP=172.16.2.2\nOS_AUTOINST_BRIDGE_REWRITE_TARGET=172.17.0.0\n';
const FEDORA_SNAT = '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE\nCOMMIT\n';
const natOn = (saddr: string) => `table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tip saddr ${saddr} oifname "eth0" masquerade\n\t}\n}\n`;
// FORWARD rules, beside a correct masquerade.
const NAT = 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth0" masquerade\n\t}\n}\n';
const fwd = (rules: string[], policy = 'accept') =>
  `table ip filter {\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy ${policy};\n${rules.map((r) => `\t\t${r}\n`).join('')}\t}\n}\n${NAT}`;

tester.run({
  valid: [
    {name: 'is silent on the SUSE ruleset (br1 and ovs-system rules are deliberate)', host: {nft: SUSE_NFT}},
    {name: 'skips without a default route', host: {route4: '[]', nft: SUSE_NFT}, status: 'skip', reason: expect.stringContaining('no IPv4 default route')},
    {name: 'a masquerade in the filter table still counts as the rule for the uplink (TD002 reports it)', host: {iptables: '*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -o eth0 -j MASQUERADE\nCOMMIT\n'}},
    {name: 'a source restriction that covers the rewritten range is fine', host: {nft: natOn('10.0.0.0/15')}},
    {name: "a source restriction to Fedora's rewritten range (above 128.0.0.0) is fine", host: {iptables: FEDORA_SNAT, sysconfig: FEDORA_SYSCONFIG}},
    {
      name: "FORWARD: is silent on Fedora's rules for the right uplink",
      host: {nft: fwd(['iifname "br1" counter packets 0 bytes 0 accept', 'iifname "eth0" oifname "br1" ct state established,related counter packets 0 bytes 0 accept', 'counter packets 0 bytes 0 reject with icmp host-prohibited'])},
    },
    {
      name: 'FORWARD: outbound traffic rejected without any accept for the bridge is left to TD005 (no wrong name to report)',
      host: {nft: fwd(['iifname "eth0" oifname "br1" ct state established,related accept', 'reject with icmp host-prohibited'])},
    },
    {
      name: 'FORWARD: a jump to a chain it cannot follow: no judgement',
      host: {nft: `table ip filter {\n\tchain custom {\n\t\taccept\n\t}\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tjump custom\n\t}\n}\n${NAT}`},
    },
    {name: 'FORWARD: drops with conditions it cannot see are skipped (read optimistically)', host: {nft: fwd(['tcp dport 25 drop', 'iifname "br1" accept', 'ct state established,related accept'], 'drop')}},
    {
      name: 'firewalld: uplink, bridge and ovs-system in the masquerading trusted zone: silent',
      host: {nft: EMPTY_NFT, firewalld: zone('public', {}) + zone('trusted', {interfaces: ['br1', 'ovs-system', 'eth0'], masquerade: true, active: true, target: 'ACCEPT'})},
    },
  ],
  invalid: [
    {
      name: 'names the uplink when there is no NAT at all, with the nft commands to create it',
      host: {nft: EMPTY_NFT},
      findings: [
        {
          kind: 'uplink-not-masqueraded',
          subject: 'eth0',
          message: 'no IPv4 masquerade covers the uplink eth0 (the lowest-metric IPv4 default route); there is no masquerade rule at all; expected a masquerade for traffic leaving by eth0',
        },
      ],
      assert: (r) =>
        expect(r.findings[0]!.fix.split('\n').slice(0, 3)).toEqual([
          'nft add table ip nat',
          "nft add chain ip nat postrouting '{ type nat hook postrouting priority srcnat; }'",
          'nft add rule ip nat postrouting oifname "eth0" masquerade',
        ]),
    },
    {
      name: 'a bond uplink: rules naming the slave never match, and the message says so',
      host: {
        addr: JSON.stringify([link('eth0', {master: 'bond0', linkinfo: {info_kind: 'veth', info_slave_kind: 'bond'}}), link('bond0', {linkinfo: {info_kind: 'bond'}}, '192.0.2.10/24')]),
        route4: JSON.stringify([{dst: 'default', gateway: '192.0.2.1', dev: 'bond0', metric: 100, flags: []}]),
        iptables: '*nat\n:POSTROUTING ACCEPT [0:0]\n[0:0] -A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n',
      },
      findings: [
        {
          kind: 'uplink-not-masqueraded',
          subject: 'bond0',
          message: expect.stringContaining('the rules name eth0 (eth0 is a slave of bond0: rules must name the master)'),
          evidence: [{source: 'iptables.save', lines: ['line 3: [0:0] -A POSTROUTING -o eth0 -j MASQUERADE']}],
        },
      ],
      assert: (r) => expect(r.findings[0]!.fix.split('\n')[0]).toBe('iptables -t nat -A POSTROUTING -o bond0 -j MASQUERADE'),
    },
    {
      name: 'IPv6 masquerade for another interface only: a warning, IPv4 is fine',
      host: {
        nft: 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth0" masquerade\n\t}\n}\ntable ip6 nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth2" masquerade\n\t}\n}\n',
      },
      findings: [{kind: 'ipv6-uplink-not-masqueraded', subject: 'eth0', severity: 'warning', message: /^no IPv6 masquerade covers the uplink eth0/}],
      assert: (r) => expect(r.findings[0]!.fix.split('\n')[0]).toBe('nft add rule ip6 nat postrouting oifname "eth0" masquerade'),
    },
    {
      name: 'names the persisted line that names the wrong interface',
      host: {nft: DEMO_NFT, ruleFiles: {'/etc/firewall.nft': DEMO_NFT}},
      // The ip6 nat table names eth2 as well: one finding, both lines.
      findings: [{kind: 'uplink-not-masqueraded', subject: 'eth0', message: expect.stringContaining('IPv6 likewise')}],
      assert: (r) => {
        expect(r.findings[0]!.fix).toContain(`# /etc/firewall.nft line 4: oifname "eth2" masquerade -> name eth0 instead of eth2\nsed -i --follow-symlinks '4s/"eth2"/"eth0"/' /etc/firewall.nft`);
        expect(r.findings[0]!.fix).toContain(`nft add rule ip6 nat postrouting oifname "eth0" masquerade`);
        expect(r.findings[0]!.fix).toContain(`sed -i --follow-symlinks '12s/"eth2"/"eth0"/' /etc/firewall.nft`);
        // One way to apply the file: a real load in a throwaway namespace, then the unit's restart.
        expect(r.findings[0]!.fix.split('\n').slice(-2)).toEqual(['unshare --net nft -f /etc/firewall.nft   # a real load, in a throwaway network namespace (nft -c accepts NAT the kernel refuses)', 'systemctl restart nftables.service']);
      },
    },
    {
      name: 'a SNAT on the SUT range (nft) is flagged; it does not count as covering the uplink',
      host: {nft: natOn('10.0.2.0/24')},
      findings: [
        {
          kind: 'snat-sut-range',
          subject: 'ip nat postrouting: ip saddr 10.0.2.0/24 oifname "eth0" masquerade',
          message:
            'source NAT only for 10.0.2.0/24, a SUT range: after the OpenFlow rewrite SUT traffic reaches the host from 10.1.0.0/16, so the rule never matches and nothing masquerades it on eth0',
          fix: [
            "# MANUAL (the rule's handle must be looked up first):",
            '#   nft -a list chain ip nat postrouting   # find the handle of: ip saddr 10.0.2.0/24 oifname "eth0" masquerade',
            '#   nft delete rule ip nat postrouting handle HANDLE',
            '#   nft add rule ip nat postrouting ip saddr 10.1.0.0/16 oifname "eth0" masquerade',
          ].join('\n'),
        },
      ],
    },
    {
      name: "a source restriction to another range than Fedora's rewritten one",
      host: {iptables: FEDORA_SNAT.replace('172.17.0.0/16', '172.16.2.0/24'), sysconfig: FEDORA_SYSCONFIG},
      findings: [{kind: 'snat-sut-range', subject: '-A POSTROUTING -s 172.16.2.0/24 -o eth0 -j MASQUERADE'}],
      assert: (r) => expect(r.findings[0]!.fix.split('\n')).toEqual(['iptables -t nat -D POSTROUTING -s 172.16.2.0/24 -o eth0 -j MASQUERADE', 'iptables -t nat -A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE']),
    },
    {
      name: 'the same rule in the legacy tables is replaced with iptables-legacy (iptables would miss it and stop the script)',
      host: {iptables: '', iptablesLegacy: FEDORA_SNAT.replace('172.17.0.0/16', '172.16.2.0/24'), sysconfig: FEDORA_SYSCONFIG},
      findings: [{kind: 'snat-sut-range', subject: '-A POSTROUTING -s 172.16.2.0/24 -o eth0 -j MASQUERADE'}],
      assert: (r) => expect(r.findings[0]!.fix.split('\n')).toEqual(['iptables-legacy -t nat -D POSTROUTING -s 172.16.2.0/24 -o eth0 -j MASQUERADE', 'iptables-legacy -t nat -A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE']),
    },
    {
      name: 'FORWARD: a return rule naming another interface before a reject: the rule is the subject',
      host: {nft: fwd(['iifname "br1" accept', 'iifname "eth2" oifname "br1" ct state established,related accept'], 'drop')},
      findings: [
        {
          kind: 'forward-names-other-interface',
          subject: 'ip filter FORWARD: iifname "eth2" oifname "br1" ct state established,related accept',
          message: 'ip filter FORWARD: replies from eth0 back to br1 are dropped by the chain policy drop: the return rule names eth2, the uplink is eth0 (the lowest-metric IPv4 default route)',
          fix: 'nft insert rule ip filter FORWARD iifname "eth0" oifname "br1" ct state related,established counter accept',
        },
      ],
    },
    {
      name: "firewalld: uplink in a zone without masquerade: move it into the masquerading zone, and fix its ZONE= line",
      host: {
        nft: EMPTY_NFT,
        firewalld: zone('public', {interfaces: ['eth0'], active: true}) + zone('trusted', {interfaces: ['br1'], masquerade: true, active: true, target: 'ACCEPT'}),
        ifcfg: {'/etc/sysconfig/network/ifcfg-eth0': "BOOTPROTO='dhcp'\nSTARTMODE='auto'\nZONE='public'\n"},
      },
      findings: [
        {
          kind: 'uplink-not-masqueraded',
          subject: 'eth0',
          message: expect.stringContaining('firewalld puts eth0 in zone public'),
          fix: [
            'firewall-cmd --permanent --zone=trusted --change-interface=eth0',
            "# /etc/sysconfig/network/ifcfg-eth0 line 3: ZONE='public' -> ZONE='trusted' (else the old zone returns at boot)",
            `if grep -q '^ZONE=' /etc/sysconfig/network/ifcfg-eth0; then sed -i --follow-symlinks "s/^ZONE=.*/ZONE='trusted'/" /etc/sysconfig/network/ifcfg-eth0; else echo "ZONE='trusted'" >> /etc/sysconfig/network/ifcfg-eth0; fi`,
            'firewall-cmd --reload',
          ],
        },
      ],
    },
    {
      name: 'firewalld: uplink bound to two zones',
      host: {nft: EMPTY_NFT, firewalld: zone('public', {interfaces: ['eth0'], masquerade: true, active: true}) + zone('trusted', {interfaces: ['br1', 'eth0'], masquerade: true, active: true, target: 'ACCEPT'})},
      findings: [
        {kind: 'zone-mismatch', subject: 'eth0', message: /^eth0 is bound to 2 zones \(public, trusted\), expected exactly one/},
        {kind: 'zone-mismatch', subject: 'br1', message: /^br1 is in firewalld zone trusted, expected public/},
      ],
    },
    {
      name: 'firewalld: bridge outside the masquerading zone',
      host: {nft: EMPTY_NFT, firewalld: zone('public', {interfaces: ['br1'], active: true}) + zone('trusted', {interfaces: ['eth0'], masquerade: true, active: true, target: 'ACCEPT'})},
      findings: [{kind: 'zone-mismatch', subject: 'br1', fix: ['firewall-cmd --permanent --zone=trusted --change-interface=br1', 'firewall-cmd --reload']}],
    },
  ],
});

// firewalld set up but not running: firewall-cmd's answer when the daemon is not on D-Bus (exit 252, firewalld src/firewall/errors.py NOT_RUNNING).
const NOT_RUNNING = readFileSync(new URL('../../test/samples/firewall-cmd-list-all-zones/insights-not-running.txt', import.meta.url), 'utf8');
const TRUSTED = readFileSync(new URL('../../test/samples/firewalld-zone-xml/salt-openqa-trusted-2020.txt', import.meta.url), 'utf8');
const down = {firewalld: NOT_RUNNING, firewalldExit: 252, nft: EMPTY_NFT.trim()};

tester.run({
  invalid: [
    {
      name: 'firewalld set up but not running: names firewalld as the cause and starts it, instead of adding an nft rule',
      host: {...down, firewalldFiles: {'/etc/firewalld/zones/trusted.xml': TRUSTED}, wants: {'/etc/systemd/system/multi-user.target.wants/firewalld.service': '/usr/lib/systemd/system/firewalld.service'}},
      findings: [
        {
          kind: 'firewalld-down',
          subject: 'eth0',
          message: /firewalld is not running \(FirewallD is not running \(exit 252\)\) on a host set up for it \(firewalld\.service is enabled, \/etc\/firewalld\/zones\/trusted\.xml exists\): its persisted zone trusted masquerades/,
        },
      ],
      assert: (r) => {
        const f = r.findings[0]!;
        const fix = JSON.stringify(f.fix);
        expect(fix).toContain('systemctl start firewalld.service');
        expect(fix).toContain('journalctl -b -u firewalld.service');
        expect(fix).not.toContain('nft add rule');
        expect(f.evidence.map((e) => e.source)).toEqual(['firewalld.runtime', 'firewalld.files']);
      },
    },
    {
      name: 'firewalld set up but not running: enables it too when it is not enabled for boot',
      host: {...down, firewalldFiles: {'/etc/firewalld/zones/trusted.xml': TRUSTED}, wants: {}},
      findings: [{kind: 'firewalld-down', subject: 'eth0', fix: expect.stringContaining('systemctl enable --now firewalld.service')}],
    },
    {
      name: 'a host that never set firewalld up: firewall-cmd saying so is no cause, the missing rule is',
      host: {...down, wants: {}},
      findings: [{kind: 'uplink-not-masqueraded', subject: 'eth0', message: /there is no masquerade rule at all/}],
      assert: (r) => expect(r.findings[0]!.message).not.toMatch(/firewalld/),
    },
  ],
});
