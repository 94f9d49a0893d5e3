import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {ipAddrLink} from '../../test/helpers/ip-link.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import check from './TD008-masquerade-wrong-uplink.js';

const fixture = (path: string) => readFileSync(new URL(`../../fixtures/${path}`, import.meta.url), 'utf8');

interface Host {
  /** ip -j addr / route JSON; defaults: the SUSE fixture (uplink eth0, bridge br1). */
  addr?: string;
  route4?: string;
  nft?: string;
  iptables?: string;
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

function run(h: Host) {
  const snapshot = makeSnapshot({
    commands: {
      'ip.addr': h.addr ?? fixture('healthy-suse/commands/ip.addr'),
      'ip.route4': h.route4 ?? fixture('healthy-suse/commands/ip.route4'),
      ...(h.nft !== undefined ? {'nft.ruleset': h.nft} : {}),
      ...(h.iptables !== undefined ? {'iptables.save': h.iptables} : {}),
      ...(h.firewalld !== undefined ? {'firewalld.runtime': {text: h.firewalld, exitCode: h.firewalldExit ?? 0}} : {}),
    },
    files: {
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': h.sysconfig ?? 'OS_AUTOINST_USE_BRIDGE=br1\n'},
      'network.ifcfg': h.ifcfg ?? {},
      'firewall.files': h.ruleFiles ?? {},
      ...(h.firewalldFiles ? {'firewalld.files': h.firewalldFiles} : {}),
      ...(h.wants ? {'systemd.wants': Object.fromEntries(Object.entries(h.wants).map(([p, t]) => [p, {content: '', linkTarget: t}]))} : {}),
    },
  });
  return analyzeSnapshot(snapshot, [check], DEFAULT_CONFIG, {mode: 'snapshot'}).results[0]!;
}

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

describe('TD008 masquerade-wrong-uplink', () => {
  it('is silent on the SUSE ruleset (br1 and ovs-system rules are deliberate)', () => {
    const r = run({nft: fixture('healthy-suse/commands/nft.ruleset')});
    expect(r.status).toBe('pass');
  });

  it('skips without a default route', () => {
    const r = run({route4: '[]', nft: fixture('healthy-suse/commands/nft.ruleset')});
    expect(r.status).toBe('skip');
    expect(r.reason).toContain('no IPv4 default route');
  });

  it('names the uplink when there is no NAT at all, with the nft commands to create it', () => {
    const r = run({nft: EMPTY_NFT});
    expect(r.findings.map((f) => [f.subject, f.message])).toEqual([
      ['eth0', 'no IPv4 masquerade covers the uplink eth0 (the lowest-metric IPv4 default route); there is no masquerade rule at all; expected a masquerade for traffic leaving by eth0'],
    ]);
    expect(r.findings[0]!.fix.split('\n').slice(0, 3)).toEqual([
      'nft add table ip nat',
      "nft add chain ip nat postrouting '{ type nat hook postrouting priority srcnat; }'",
      'nft add rule ip nat postrouting oifname "eth0" masquerade',
    ]);
  });

  it('a bond uplink: rules naming the slave never match, and the message says so', () => {
    const addr = JSON.stringify([
      link('eth0', {master: 'bond0', linkinfo: {info_kind: 'veth', info_slave_kind: 'bond'}}),
      link('bond0', {linkinfo: {info_kind: 'bond'}}, '192.0.2.10/24'),
    ]);
    const route4 = JSON.stringify([{dst: 'default', gateway: '192.0.2.1', dev: 'bond0', metric: 100, flags: []}]);
    const iptables = '*nat\n:POSTROUTING ACCEPT [0:0]\n[0:0] -A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n';
    const r = run({addr, route4, iptables});
    expect(r.findings.map((f) => f.subject)).toEqual(['bond0']);
    expect(r.findings[0]!.message).toContain('the rules name eth0 (eth0 is a slave of bond0: rules must name the master)');
    expect(r.findings[0]!.fix.split('\n')[0]).toBe('iptables -t nat -A POSTROUTING -o bond0 -j MASQUERADE');
    expect(r.findings[0]!.evidence).toEqual([{source: 'iptables.save', lines: ['line 3: [0:0] -A POSTROUTING -o eth0 -j MASQUERADE']}]);
  });

  it('a masquerade in the filter table still counts as the rule for the uplink (TD002 reports it)', () => {
    const iptables = '*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -o eth0 -j MASQUERADE\nCOMMIT\n';
    expect(run({iptables}).status).toBe('pass');
  });

  it('IPv6 masquerade for another interface only: a warning, IPv4 is fine', () => {
    const nft = 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth0" masquerade\n\t}\n}\ntable ip6 nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth2" masquerade\n\t}\n}\n';
    const r = run({nft});
    expect(r.findings.map((f) => [f.subject, f.severity])).toEqual([['eth0', 'warning']]);
    expect(r.findings[0]!.message).toMatch(/^no IPv6 masquerade covers the uplink eth0/);
    expect(r.findings[0]!.fix.split('\n')[0]).toBe('nft add rule ip6 nat postrouting oifname "eth0" masquerade');
  });

  it('names the persisted line that names the wrong interface', () => {
    const text = fixture('demo/files/etc/firewall.nft');
    const r = run({nft: text, ruleFiles: {'/etc/firewall.nft': text}});
    expect(r.findings.map((f) => f.subject)).toEqual(['eth0']);
    expect(r.findings[0]!.fix).toContain(`# /etc/firewall.nft line 4: oifname "eth2" masquerade -> name eth0 instead of eth2\nsed -i --follow-symlinks '4s/"eth2"/"eth0"/' /etc/firewall.nft`);
    // The ip6 nat table names eth2 as well: one finding, both lines.
    expect(r.findings[0]!.message).toContain('IPv6 likewise');
    expect(r.findings[0]!.fix).toContain(`nft add rule ip6 nat postrouting oifname "eth0" masquerade`);
    expect(r.findings[0]!.fix).toContain(`sed -i --follow-symlinks '12s/"eth2"/"eth0"/' /etc/firewall.nft`);
    // One way to apply the file: a real load in a throwaway namespace, then the unit's restart.
    expect(r.findings[0]!.fix.split('\n').slice(-2)).toEqual(['unshare --net nft -f /etc/firewall.nft   # a real load, in a throwaway network namespace (nft -c accepts NAT the kernel refuses)', 'systemctl restart nftables.service']);
  });

  it('a SNAT on the SUT range (nft) is flagged; it does not count as covering the uplink', () => {
    const nft = 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tip saddr 10.0.2.0/24 oifname "eth0" masquerade\n\t}\n}\n';
    const r = run({nft});
    expect(r.findings.map((f) => f.subject)).toEqual(['ip nat postrouting: ip saddr 10.0.2.0/24 oifname "eth0" masquerade']);
    expect(r.findings[0]!.message).toBe(
      'source NAT only for 10.0.2.0/24, a SUT range: after the OpenFlow rewrite SUT traffic reaches the host from 10.1.0.0/16, so the rule never matches and nothing masquerades it on eth0',
    );
  });

  it('a source restriction that covers the rewritten range is fine', () => {
    const nft = 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tip saddr 10.0.0.0/15 oifname "eth0" masquerade\n\t}\n}\n';
    expect(run({nft}).status).toBe('pass');
  });

  it("a source restriction to Fedora's rewritten range (above 128.0.0.0) is fine", () => {
    const iptables = '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 -o eth0 -j MASQUERADE\nCOMMIT\n';
    const sysconfig = 'OS_AUTOINST_USE_BRIDGE=br1\nOS_AUTOINST_BRIDGE_LOCAL_IP=172.16.2.2\nOS_AUTOINST_BRIDGE_REWRITE_TARGET=172.17.0.0\n';
    expect(run({iptables, sysconfig}).status).toBe('pass');
    const wrong = run({iptables: iptables.replace('172.17.0.0/16', '172.16.2.0/24'), sysconfig});
    expect(wrong.findings.map((f) => f.subject)).toEqual(['-A POSTROUTING -s 172.16.2.0/24 -o eth0 -j MASQUERADE']);
  });

  describe('FORWARD', () => {
    const nat = 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth0" masquerade\n\t}\n}\n';
    const fwd = (rules: string[], policy = 'accept') =>
      `table ip filter {\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy ${policy};\n${rules.map((r) => `\t\t${r}\n`).join('')}\t}\n}\n${nat}`;

    it("is silent on Fedora's rules for the right uplink", () => {
      const nft = fwd(['iifname "br1" counter packets 0 bytes 0 accept', 'iifname "eth0" oifname "br1" ct state established,related counter packets 0 bytes 0 accept', 'counter packets 0 bytes 0 reject with icmp host-prohibited']);
      expect(run({nft}).status).toBe('pass');
    });

    it('a return rule naming another interface before a reject: the rule is the subject', () => {
      const nft = fwd(['iifname "br1" accept', 'iifname "eth2" oifname "br1" ct state established,related accept'], 'drop');
      const r = run({nft});
      expect(r.findings.map((f) => f.subject)).toEqual(['ip filter FORWARD: iifname "eth2" oifname "br1" ct state established,related accept']);
      expect(r.findings[0]!.message).toBe(
        'ip filter FORWARD: replies from eth0 back to br1 are dropped by the chain policy drop: the return rule names eth2, the uplink is eth0 (the lowest-metric IPv4 default route)',
      );
      expect(r.findings[0]!.fix).toBe('nft insert rule ip filter FORWARD iifname "eth0" oifname "br1" ct state related,established counter accept');
    });

    it('outbound traffic rejected without any accept for the bridge is left to TD005 (no wrong name to report)', () => {
      const nft = fwd(['iifname "eth0" oifname "br1" ct state established,related accept', 'reject with icmp host-prohibited']);
      expect(run({nft}).status).toBe('pass');
    });

    it('a jump to a chain it cannot follow: no judgement', () => {
      const nft = `table ip filter {\n\tchain custom {\n\t\taccept\n\t}\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy drop;\n\t\tjump custom\n\t}\n}\n${nat}`;
      expect(run({nft}).status).toBe('pass');
    });

    it('drops with conditions it cannot see are skipped (read optimistically)', () => {
      const nft = fwd(['tcp dport 25 drop', 'iifname "br1" accept', 'ct state established,related accept'], 'drop');
      expect(run({nft}).status).toBe('pass');
    });
  });

  describe('firewalld', () => {
    const base = {nft: EMPTY_NFT};

    it('uplink, bridge and ovs-system in the masquerading trusted zone: silent', () => {
      const firewalld = zone('public', {}) + zone('trusted', {interfaces: ['br1', 'ovs-system', 'eth0'], masquerade: true, active: true, target: 'ACCEPT'});
      expect(run({...base, firewalld}).status).toBe('pass');
    });

    it('uplink in a zone without masquerade: move it into the masquerading zone, and fix its ZONE= line', () => {
      const firewalld = zone('public', {interfaces: ['eth0'], active: true}) + zone('trusted', {interfaces: ['br1'], masquerade: true, active: true, target: 'ACCEPT'});
      const r = run({...base, firewalld, ifcfg: {'/etc/sysconfig/network/ifcfg-eth0': "BOOTPROTO='dhcp'\nSTARTMODE='auto'\nZONE='public'\n"}});
      expect(r.findings.map((f) => f.subject)).toEqual(['eth0']);
      expect(r.findings[0]!.message).toContain('firewalld puts eth0 in zone public');
      expect(r.findings[0]!.fix).toBe(
        [
          'firewall-cmd --permanent --zone=trusted --change-interface=eth0',
          "# /etc/sysconfig/network/ifcfg-eth0 line 3: ZONE='public' -> ZONE='trusted' (else the old zone returns at boot)",
          `if grep -q '^ZONE=' /etc/sysconfig/network/ifcfg-eth0; then sed -i --follow-symlinks "s/^ZONE=.*/ZONE='trusted'/" /etc/sysconfig/network/ifcfg-eth0; else echo "ZONE='trusted'" >> /etc/sysconfig/network/ifcfg-eth0; fi`,
          'firewall-cmd --reload',
        ].join('\n'),
      );
    });

    it('uplink bound to two zones', () => {
      const firewalld = zone('public', {interfaces: ['eth0'], masquerade: true, active: true}) + zone('trusted', {interfaces: ['br1', 'eth0'], masquerade: true, active: true, target: 'ACCEPT'});
      const r = run({...base, firewalld});
      expect(r.findings.map((f) => f.subject)).toEqual(['eth0', 'br1']);
      expect(r.findings[0]!.message).toMatch(/^eth0 is bound to 2 zones \(public, trusted\), expected exactly one/);
      expect(r.findings[1]!.message).toMatch(/^br1 is in firewalld zone trusted, expected public/);
    });

    it('bridge outside the masquerading zone', () => {
      const firewalld = zone('public', {interfaces: ['br1'], active: true}) + zone('trusted', {interfaces: ['eth0'], masquerade: true, active: true, target: 'ACCEPT'});
      const r = run({...base, firewalld});
      expect(r.findings.map((f) => f.subject)).toEqual(['br1']);
      expect(r.findings[0]!.fix.split('\n')).toEqual(['firewall-cmd --permanent --zone=trusted --change-interface=br1', 'firewall-cmd --reload']);
    });
  });
});

describe('TD008 with firewalld set up but not running', () => {
  // firewall-cmd's answer when the daemon is not on D-Bus (exit 252, firewalld src/firewall/errors.py NOT_RUNNING).
  const NOT_RUNNING = readFileSync(new URL('../../test/samples/firewall-cmd-list-all-zones/insights-not-running.txt', import.meta.url), 'utf8');
  const TRUSTED = readFileSync(new URL('../../test/samples/firewalld-zone-xml/salt-openqa-trusted-2020.txt', import.meta.url), 'utf8');
  const EMPTY_NFT = '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}]}';
  const base = {firewalld: NOT_RUNNING, firewalldExit: 252, nft: EMPTY_NFT};

  it('names firewalld as the cause and starts it, instead of adding an nft rule', () => {
    const r = run({...base, firewalldFiles: {'/etc/firewalld/zones/trusted.xml': TRUSTED}, wants: {'/etc/systemd/system/multi-user.target.wants/firewalld.service': '/usr/lib/systemd/system/firewalld.service'}});
    const f = r.findings[0]!;
    expect([r.findings.length, f.subject]).toEqual([1, 'eth0']);
    expect(f.message).toMatch(/firewalld is not running \(FirewallD is not running \(exit 252\)\) on a host set up for it \(firewalld\.service is enabled, \/etc\/firewalld\/zones\/trusted\.xml exists\): its persisted zone trusted masquerades/);
    const fix = JSON.stringify(f.fix);
    expect(fix).toContain('systemctl start firewalld.service');
    expect(fix).toContain('journalctl -b -u firewalld.service');
    expect(fix).not.toContain('nft add rule');
    expect(f.evidence.map((e) => e.source)).toEqual(['firewalld.runtime', 'firewalld.files']);
  });

  it('enables it too when it is not enabled for boot', () => {
    const r = run({...base, firewalldFiles: {'/etc/firewalld/zones/trusted.xml': TRUSTED}, wants: {}});
    expect(JSON.stringify(r.findings[0]!.fix)).toContain('systemctl enable --now firewalld.service');
  });

  it('a host that never set firewalld up: firewall-cmd saying so is no cause, the missing rule is', () => {
    const r = run({...base, wants: {}});
    expect(r.findings[0]!.message).toMatch(/there is no masquerade rule at all/);
    expect(r.findings[0]!.message).not.toMatch(/firewalld/);
  });
});
