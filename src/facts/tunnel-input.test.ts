// Tunnel input verdicts of one host: the running rules of each backend and what each enabled
// firewall unit loads at boot, with the fix the host must apply (src/remedies).
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {acceptTunnelInput} from '../remedies/firewall.js';
import {SnapshotView} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {tunnelInputVerdicts, type TunnelInputVerdict} from './tunnel-input.js';

const sample = (kind: string, name: string) => readFileSync(new URL(`../../test/samples/${kind}/${name}`, import.meta.url), 'utf8');
const WANTS = '/etc/systemd/system/multi-user.target.wants/';
const NOT_RUNNING = {text: 'FirewallD is not running\n', exitCode: 252};
const PEERS = [
  {address: '192.0.2.11', type: 'gre' as const},
  {address: '192.0.2.12', type: 'gre' as const},
];

function verdicts(spec: SnapshotSpec): TunnelInputVerdict[] {
  const f = new Facts(new SnapshotView(makeSnapshot(spec)), DEFAULT_CONFIG);
  return tunnelInputVerdicts(f, PEERS, 'eth0').verdicts;
}

const wants = (...units: string[]) => ({'systemd.wants': Object.fromEntries(units.map((u) => [`${WANTS}${u}`, {content: '', linkTarget: `/usr/lib/systemd/system/${u}`}]))});
const brief = (v: TunnelInputVerdict) => `${v.peer} ${v.where} ${v.verdict}`;
const fixOf = (v: TunnelInputVerdict) => acceptTunnelInput(v, {peer: v.peer, tunnel: v.tunnel}).flatMap((s) => s.lines);

describe('tunnelInputVerdicts', () => {
  it('live nft drop of one peer: that peer only, with an nft insert in front of the drop', () => {
    const out = verdicts({commands: {'nft.ruleset': sample('nft', 'generated-input-droppeer-json.txt'), 'iptables.save': '', 'firewalld.runtime': NOT_RUNNING}, files: wants()});
    expect(out.map(brief)).toEqual(['192.0.2.11 live drop', '192.0.2.12 live accept']);
    expect(out[0]).toMatchObject({source: 'nft.ruleset', backend: 'nftables', family: 'inet', table: 'filter', chain: 'input'});
    expect(fixOf(out[0]!)).toEqual(['nft insert rule inet filter input ip saddr 192.0.2.11 ip protocol gre accept']);
  });

  it('iptables.service loads /etc/sysconfig/iptables: its REJECT line, and the accept goes before its first INPUT rule', () => {
    const file = sample('nft', 'generated-input-iptables-save.txt');
    const out = verdicts({
      commands: {'nft.ruleset': '{"nftables": []}', 'iptables.save': '', 'firewalld.runtime': NOT_RUNNING},
      files: {...wants('iptables.service'), 'firewall.files': {'/etc/sysconfig/iptables': file}},
    });
    const boot = out.filter((v) => v.where !== 'live');
    expect(boot.map(brief)).toEqual(['192.0.2.11 /etc/sysconfig/iptables drop', '192.0.2.12 /etc/sysconfig/iptables accept']);
    expect(boot[0]).toMatchObject({rule: {line: 10, verdict: 'reject'}, insertAt: {line: 5, text: '-A INPUT -p icmp -j ACCEPT', before: true}});
    expect(fixOf(boot[0]!)).toEqual([
      "grep -qxF -e '-A INPUT -s 192.0.2.11/32 -p gre -j ACCEPT' /etc/sysconfig/iptables || sed -i --follow-symlinks -e '5{/^-A INPUT -p icmp -j ACCEPT$/i -A INPUT -s 192.0.2.11/32 -p gre -j ACCEPT' -e '}' /etc/sysconfig/iptables",
      'unshare --net iptables-restore /etc/sysconfig/iptables   # a real load, in a throwaway network namespace (--test accepts NAT the kernel refuses)',
      'systemctl restart iptables.service',
    ]);
  });

  it('nftables.service loads /etc/firewall.nft with a dropping input chain: dropped at boot; the fix appends an insert and proves the load', () => {
    const file = ['table ip nat {', '\tchain postrouting {', '\t\ttype nat hook postrouting priority srcnat; policy accept;', '\t\toifname "eth0" masquerade', '\t}', '}', 'table inet filter {', '\tchain input {', '\t\ttype filter hook input priority filter; policy drop;', '\t\tct state established,related accept', '\t\ttcp dport 22 accept', '\t}', '}', ''].join('\n');
    const out = verdicts({
      commands: {'nft.ruleset': '{"nftables": []}', 'iptables.save': '', 'firewalld.runtime': NOT_RUNNING},
      files: {...wants('nftables.service'), 'firewall.files': {'/etc/firewall.nft': file}},
    });
    const boot = out.filter((v) => v.where !== 'live');
    expect(boot.map(brief)).toEqual(['192.0.2.11 /etc/firewall.nft drop', '192.0.2.12 /etc/firewall.nft drop']);
    expect(boot[0]).toMatchObject({policy: {text: 'table inet filter chain input: policy drop', line: 8}});
    expect(fixOf(boot[0]!)).toEqual([
      "grep -qxF -e 'insert rule inet filter input ip saddr 192.0.2.11 ip protocol gre accept' /etc/firewall.nft || printf '%s\\n' 'insert rule inet filter input ip saddr 192.0.2.11 ip protocol gre accept' >> /etc/firewall.nft",
      'unshare --net nft -f /etc/firewall.nft   # a real load, in a throwaway network namespace (nft -c accepts NAT the kernel refuses)',
      'systemctl restart nftables.service',
    ]);
  });

  it("a rule file no enabled unit loads is not judged; an unknown unit state judges every file", () => {
    const files = {'firewall.files': {'/etc/sysconfig/iptables': sample('nft', 'generated-input-iptables-save.txt')}};
    const commands = {'nft.ruleset': '{"nftables": []}', 'iptables.save': '', 'firewalld.runtime': NOT_RUNNING};
    expect(verdicts({commands, files: {...wants('nftables.service'), ...files}}).filter((v) => v.where !== 'live')).toEqual([]);
    expect(verdicts({commands, files, failed: {'systemd.wants': 'not captured'}}).filter((v) => v.where !== 'live').map(brief)).toEqual([
      '192.0.2.11 /etc/sysconfig/iptables drop',
      '192.0.2.12 /etc/sysconfig/iptables accept',
    ]);
  });

  it("firewalld.service: the permanent zone of the uplink rejects GRE; the fix is a rich rule in that zone", () => {
    const out = verdicts({
      commands: {'nft.ruleset': '{"nftables": []}', 'iptables.save': '', 'firewalld.runtime': NOT_RUNNING},
      files: {
        ...wants('firewalld.service'),
        'firewalld.files': {
          '/etc/firewalld/firewalld.conf': 'DefaultZone=public\n',
          '/usr/lib/firewalld/zones/public.xml': '<?xml version="1.0" encoding="utf-8"?>\n<zone>\n  <short>Public</short>\n  <service name="ssh"/>\n  <service name="dhcpv6-client"/>\n</zone>\n',
          '/etc/firewalld/zones/trusted.xml': '<?xml version="1.0" encoding="utf-8"?>\n<zone target="ACCEPT">\n  <interface name="br1"/>\n</zone>\n',
        },
      },
    });
    const boot = out.filter((v) => v.where === 'firewalld permanent');
    expect(boot.map(brief)).toEqual(['192.0.2.11 firewalld permanent drop', '192.0.2.12 firewalld permanent drop']);
    expect(boot[0]).toMatchObject({zone: 'public', source: 'firewalld.files', rule: {text: 'zone public: target: default (rejects what the zone does not allow)'}});
    expect(fixOf(boot[0]!)).toEqual([`firewall-cmd --permanent --zone=public --add-rich-rule='rule family="ipv4" source address="192.0.2.11" protocol value="gre" accept'`, 'firewall-cmd --reload']);
  });

  it('SuSEfirewall2.service without protocol 47: dropped at boot, fixed in FW_SERVICES_ACCEPT_EXT', () => {
    const sf2 = sample('susefirewall2', 'openqa-worker-sle12.txt').replace(/^FW_SERVICES_EXT_IP=.*$/m, 'FW_SERVICES_EXT_IP=""');
    const out = verdicts({
      commands: {'nft.ruleset': '{"nftables": []}', 'iptables.save': '', 'firewalld.runtime': NOT_RUNNING},
      files: {...wants('SuSEfirewall2.service'), 'susefirewall2.files': {'/etc/sysconfig/SuSEfirewall2': sf2}},
    });
    expect(out.map(brief)).toEqual(['192.0.2.11 /etc/sysconfig/SuSEfirewall2 drop', '192.0.2.12 /etc/sysconfig/SuSEfirewall2 drop']);
    expect(fixOf(out[0]!)).toEqual([
      `grep -q '^FW_SERVICES_ACCEPT_EXT=' /etc/sysconfig/SuSEfirewall2 && sed -i --follow-symlinks 's/^FW_SERVICES_ACCEPT_EXT="\\(.*\\)"/FW_SERVICES_ACCEPT_EXT="\\1 192.0.2.11,47"/' /etc/sysconfig/SuSEfirewall2 || printf '%s\\n' 'FW_SERVICES_ACCEPT_EXT="192.0.2.11,47"' >> /etc/sysconfig/SuSEfirewall2`,
      'systemctl restart SuSEfirewall2.service',
    ]);
    // with FW_SERVICES_EXT_IP="47" (the sample as written) GRE gets in
    const ok = verdicts({
      commands: {'nft.ruleset': '{"nftables": []}', 'iptables.save': '', 'firewalld.runtime': NOT_RUNNING},
      files: {...wants('SuSEfirewall2.service'), 'susefirewall2.files': {'/etc/sysconfig/SuSEfirewall2': sample('susefirewall2', 'openqa-worker-sle12.txt')}},
    });
    expect(ok.map(brief)).toEqual(['192.0.2.11 /etc/sysconfig/SuSEfirewall2 accept', '192.0.2.12 /etc/sysconfig/SuSEfirewall2 accept']);
  });
});
