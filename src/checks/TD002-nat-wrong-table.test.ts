import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import natWrongTable from './TD002-nat-wrong-table.js';

const tester = new CheckTester(natWrongTable, makeSnapshot);

const NFT_META = {metainfo: {version: '1.0.6', json_schema_version: 1}};
const nftJson = (...items: object[]) => JSON.stringify({nftables: [NFT_META, ...items]});
const UPLINK = {
  'ip.addr': JSON.stringify([
    {ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', link_type: 'ether', address: '52:54:00:aa:bb:cc', addr_info: [{family: 'inet', local: '192.0.2.10', prefixlen: 24, scope: 'global'}]},
  ]),
  'ip.route4': JSON.stringify([{dst: 'default', gateway: '192.0.2.1', dev: 'eth0', metric: 100, flags: []}]),
};

// Fedora's template at fedora-infra/ansible a8f984464e, abridged.
const FEDORA_NFT = [
  'add table ip filter',
  'add chain ip filter FORWARD { type filter hook forward priority 0; policy accept; }',
  'add rule ip filter FORWARD iifname "br0" counter accept',
  'add rule ip filter POSTROUTING oifname "eth0" counter masquerade',
  '',
].join('\n');

const NO_NFT = {'nft.ruleset': 'nft not found'};
const regularChainMasq = (family: string, table: string, chain: string) => [
  {table: {family, name: table, handle: 1}},
  {chain: {family, table, name: chain, handle: 2}},
  {rule: {family, table, chain, handle: 3, expr: [{match: {op: '==', left: {meta: {key: 'oifname'}}, right: 'eth0'}}, {masquerade: null}]}},
];

tester.run({
  valid: [
    {
      name: "persisted files: stays silent on SUSE's ip and ip6 nat masquerade",
      host: {
        files: {
          'firewall.files': {
            '/etc/firewall.nft': ['table ip nat {', '\tchain postrouting {', '\t\ttype nat hook postrouting priority 100; policy accept;', '\t\toifname "eth0" masquerade', '\t}', '}', 'table ip6 nat {', '\tchain postrouting {', '\t\ttype nat hook postrouting priority 100; policy accept;', '\t\toifname "eth0" masquerade', '\t}', '}', ''].join('\n'),
          },
        },
        failed: NO_NFT,
      },
      reason: /^live ruleset not checked: /,
    },
    {
      name: 'persisted files: ignores a file whose load error has nothing to do with NAT',
      host: {files: {'firewall.files': {'/etc/nftables/other.nft': ['add table ip filter', 'add rule ip filter INPUT iifname "lo" accept', ''].join('\n')}}, commands: {'nft.ruleset': nftJson()}},
    },
    {name: "live ruleset: never reports firewalld's NAT chains of zones nothing jumps to", host: {commands: {'nft.ruleset': nftJson(...regularChainMasq('inet', 'firewalld', 'nat_POST_dmz_allow'))}, files: {'firewall.files': {}}}},
    {
      name: 'cannot judge anything without live and persisted data',
      host: {failed: NO_NFT},
      status: 'skip',
      reason: /^no firewall source could be read .*; no persisted firewall configuration could be read/,
    },
  ],
  invalid: [
    {
      name: "persisted files: reports Fedora's `ip filter POSTROUTING` masquerade with the corrected rule and its declarations",
      host: {files: {'firewall.files': {'/etc/sysconfig/nftables.conf': FEDORA_NFT}}, failed: NO_NFT},
      findings: [
        {
          kind: 'persisted-rule-misplaced',
          subject: '/etc/sysconfig/nftables.conf',
          severity: 'error',
          message: 'line 4 (masquerade in filter/POSTROUTING): expected in a nat chain at postrouting; nft aborts the atomic load: none of its rules load, NAT included',
          // The line moves into a declared nat chain; only a real load proves the file (nft -c accepts it as it is).
          fix: [
            '# /etc/sysconfig/nftables.conf line 4: add rule ip filter POSTROUTING oifname "eth0" counter masquerade -> ip nat postrouting',
            `sed -i --follow-symlinks '4{/^[[:space:]]*add rule ip filter POSTROUTING oifname "eth0" counter masquerade[[:space:]]*$/d}' /etc/sysconfig/nftables.conf`,
            "grep -qF '# tapdoctor: moved from line 4' /etc/sysconfig/nftables.conf || printf '%s\\n' 'table ip nat {' '\tchain postrouting {' '\t\ttype nat hook postrouting priority srcnat; policy accept;' '\t\toifname \"eth0\" counter masquerade   # tapdoctor: moved from line 4' '\t}' '}' >> /etc/sysconfig/nftables.conf",
            'unshare --net nft -f /etc/sysconfig/nftables.conf   # a real load, in a throwaway network namespace (nft -c accepts NAT the kernel refuses)',
            'systemctl restart nftables.service',
          ],
          explanation: /fails to load as a whole|whole rule file fail to load/,
        },
      ],
      assert: (r) => {
        const f = r.findings[0]!;
        expect(f.fix).not.toMatch(/^nft -c|iptables-restore --test/m);
        expect(f.evidence[0]).toEqual({
          source: 'firewall.files',
          lines: [
            '/etc/sysconfig/nftables.conf:4: add rule ip filter POSTROUTING oifname "eth0" counter masquerade',
            'line 4: chain ip filter POSTROUTING is not declared before this line: nft refuses the whole file (Error: Could not process rule: No such file or directory)',
          ],
        });
      },
    },
    {
      name: 'persisted files: puts the rule into the nat postrouting chain the file already declares',
      host: {
        files: {
          'firewall.files': {
            '/etc/firewall.nft': ['table ip nat {', '\tchain postrouting {', '\t\ttype nat hook postrouting priority 100; policy accept;', '\t}', '}', 'table ip filter {', '\tchain forward {', '\t\ttype filter hook forward priority 0; policy accept;', '\t\toifname "eth0" masquerade', '\t}', '}', ''].join('\n'),
          },
        },
        failed: NO_NFT,
      },
      findings: [{kind: 'persisted-rule-misplaced', subject: '/etc/firewall.nft', message: /^line 9 \(masquerade in filter\/forward\)/}],
      assert: (r) => {
        const f = r.findings[0]!;
        expect(f.fix).toContain("'table ip nat {' '\tchain postrouting {' '\t\toifname \"eth0\" masquerade   # tapdoctor: moved from line 9' '\t}' '}'");
        expect(f.fix).not.toContain('type nat hook postrouting priority srcnat');
        expect(f.fix).toContain('unshare --net nft -f /etc/firewall.nft');
      },
    },
    {
      name: 'persisted files: moves an iptables-save MASQUERADE from *filter to *nat POSTROUTING',
      host: {
        files: {'firewall.files': {'/etc/sysconfig/iptables': ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A FORWARD -i br0 -j ACCEPT', '-A FORWARD -o eth0 -j MASQUERADE', 'COMMIT', ''].join('\n')}},
        failed: NO_NFT,
      },
      findings: [
        {
          kind: 'persisted-rule-misplaced',
          subject: '/etc/sysconfig/iptables',
          message: 'line 6 (masquerade in filter/FORWARD): expected in a nat chain at postrouting; iptables-restore refuses the file: none of its rules load, NAT included',
          fix: [
            '# /etc/sysconfig/iptables line 6: -A FORWARD -o eth0 -j MASQUERADE -> *nat POSTROUTING',
            "sed -i --follow-symlinks '6{/^[[:space:]]*-A FORWARD -o eth0 -j MASQUERADE[[:space:]]*$/d}' /etc/sysconfig/iptables",
            "if grep -qxF -e '-A POSTROUTING -o eth0 -j MASQUERADE' /etc/sysconfig/iptables; then :; elif grep -q '^\\*nat' /etc/sysconfig/iptables; then sed -i --follow-symlinks -e '/^\\*nat/,/^COMMIT/{/^COMMIT/i -A POSTROUTING -o eth0 -j MASQUERADE' -e '}' /etc/sysconfig/iptables; else printf '%s\\n' '*nat' ':POSTROUTING ACCEPT [0:0]' '-A POSTROUTING -o eth0 -j MASQUERADE' COMMIT >> /etc/sysconfig/iptables; fi",
            'unshare --net iptables-restore /etc/sysconfig/iptables   # a real load, in a throwaway network namespace (--test accepts NAT the kernel refuses)',
            'systemctl restart iptables.service',
          ],
        },
      ],
    },
    {
      name: 'persisted files: proves IPv6 files with ip6tables-restore and restarts ip6tables',
      host: {files: {'firewall.files': {'/etc/sysconfig/ip6tables': ['*filter', ':FORWARD ACCEPT [0:0]', '-A FORWARD -o eth0 -j MASQUERADE', 'COMMIT', '*nat', ':POSTROUTING ACCEPT [0:0]', 'COMMIT', ''].join('\n')}}, failed: NO_NFT},
      findings: [{kind: 'persisted-rule-misplaced', subject: '/etc/sysconfig/ip6tables'}],
      assert: (r) => {
        const fix = r.findings[0]!.fix;
        expect(fix).not.toContain('no *nat table yet');
        expect(fix.split('\n').slice(-2)).toEqual([
          'unshare --net ip6tables-restore /etc/sysconfig/ip6tables   # a real load, in a throwaway network namespace (--test accepts NAT the kernel refuses)',
          'systemctl restart ip6tables.service',
        ]);
      },
    },
    {
      name: 'persisted files: adds the live signature of the failed load: no masquerade for the uplink, a failed unit',
      host: {
        commands: {...UPLINK, 'nft.ruleset': nftJson(), 'systemd.units': 'nftables.service loaded failed failed Netfilter Tables\nsshd.service loaded active running OpenSSH Daemon\n'},
        files: {'firewall.files': {'/etc/sysconfig/nftables.conf': FEDORA_NFT}},
      },
      findings: [{kind: 'persisted-rule-misplaced', subject: '/etc/sysconfig/nftables.conf', message: /NAT included; the running ruleset has no masquerade for eth0 either, nftables.service failed$/}],
      assert: (r) => expect(r.findings[0]!.evidence[1]).toEqual({source: 'systemd.units', lines: ['nftables.service loaded failed failed Netfilter Tables']}),
    },
    {
      name: 'live ruleset: warns about a masquerade in a chain nothing jumps to, subject <table>/<chain>',
      host: {commands: {'nft.ruleset': nftJson(...regularChainMasq('ip', 'nat', 'sutmasq'))}, files: {'firewall.files': {}}},
      findings: [
        {
          kind: 'live-rule-misplaced',
          subject: 'nat/sutmasq',
          severity: 'warning',
          message: '1 live NAT rule(s) in ip nat/sutmasq, expected in a chain of type nat hook postrouting: chain ip nat sutmasq is no base chain and no nat chain jumps to it: the rule never applies',
          evidence: [{source: 'nft.ruleset', lines: ['oifname "eth0" masquerade']}],
          fix: expect.stringContaining('nft add rule ip nat POSTROUTING oifname "eth0" masquerade'),
        },
      ],
    },
  ],
});
