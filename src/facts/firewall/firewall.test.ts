import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../../config.js';
import {SnapshotView} from '../../sources/snapshot.js';
import {FactUnavailable, Facts} from '../facts.js';
import {detectRuleFileFormat, liveFirewall, masqueradesFor, matchesInterface, persistedFirewall, type IfMatch, type NatRule} from './index.js';

const sample = (kind: string, name: string) => readFileSync(new URL(`../../../test/samples/${kind}/${name}`, import.meta.url), 'utf8');
const nftSample = (name: string) => sample('nft', name);

function facts(spec: SnapshotSpec): Facts {
  return new Facts(new SnapshotView(makeSnapshot(spec)), DEFAULT_CONFIG);
}

const NOT_RUNNING = {text: 'FirewallD is not running\n', exitCode: 252};
const if_ = (name: string, negated = false): IfMatch => ({name, negated, wildcard: name.endsWith('+') || name.endsWith('*')});
const brief = (r: NatRule) => [r.backend, `${r.family} ${r.table} ${r.chain}`, r.action, r.out?.map((m) => `${m.negated ? '!' : ''}${m.name}`), r.legal];

describe('matchesInterface', () => {
  it('treats undefined and empty as any interface', () => {
    expect([matchesInterface(undefined, 'eth0'), matchesInterface([], 'eth0')]).toEqual([true, true]);
  });
  it('matches iptables `+` and nft `*` wildcards by prefix, and a lone wildcard as any', () => {
    expect([matchesInterface([if_('eth+')], 'eth2'), matchesInterface([if_('en*')], 'enp1s0'), matchesInterface([if_('en*')], 'eth0'), matchesInterface([if_('+')], 'bondbr0')]).toEqual([true, true, false, true]);
  });
  it('needs one positive entry to match and no negated entry to match', () => {
    expect([
      matchesInterface([if_('eth0'), if_('br1')], 'br1'),
      matchesInterface([if_('lo', true)], 'eth0'),
      matchesInterface([if_('lo', true)], 'lo'),
      matchesInterface([if_('eth+'), if_('eth1', true)], 'eth1'),
      matchesInterface([{name: 'en\\*', negated: false, wildcard: false}], 'en*'),
    ]).toEqual([true, true, false, false, true]);
  });
});

describe('liveFirewall', () => {
  it("SUSE: /etc/firewall.nft loaded, firewalld not running: legal masquerades out eth0, br1 and ovs-system (ip and ip6)", () => {
    const view = facts({
      commands: {
        'nft.ruleset': nftSample('generated-suse-json.txt'),
        'iptables.save': nftSample('generated-suse-iptables-save-c.txt'),
        'iptables-legacy.save': '',
        'firewalld.runtime': NOT_RUNNING,
      },
      failed: {'ip6tables.save': 'ip6tables-save: command not found'},
    }).get(liveFirewall);
    expect(view.backends).toEqual(['nftables']);
    expect(view.sources).toEqual(['iptables.save', 'iptables-legacy.save', 'nft.ruleset', 'firewalld.runtime']);
    expect(view.problems).toEqual(['ip6tables.save: could not collect ip6tables.save: ip6tables-save: command not found']);
    expect(view.nat.map(brief)).toEqual([
      ['nftables', 'ip nat postrouting', 'masquerade', ['eth0'], true],
      ['nftables', 'ip nat postrouting', 'masquerade', ['br1'], true],
      ['nftables', 'ip nat postrouting', 'masquerade', ['ovs-system'], true],
      ['nftables', 'ip6 nat postrouting', 'masquerade', ['eth0'], true],
      ['nftables', 'ip6 nat postrouting', 'masquerade', ['br1'], true],
      ['nftables', 'ip6 nat postrouting', 'masquerade', ['ovs-system'], true],
    ]);
    expect(view.nat[0]).toEqual({
      backend: 'nftables',
      origin: 'nft.ruleset',
      text: 'oifname "eth0" masquerade',
      family: 'ip',
      table: 'nat',
      chain: 'postrouting',
      action: 'masquerade',
      out: [{name: 'eth0', negated: false, wildcard: false}],
      legal: true,
      counters: null,
    });
    expect(masqueradesFor(view, 'eth0').map((r) => r.family)).toEqual(['ip', 'ip6']);
    expect(masqueradesFor(view, 'eth1')).toEqual([]);
    expect(view.forward).toEqual([]);
    expect(view.zones?.running).toBe(false);
    expect(view.zones?.zoneOf('eth0')).toBeUndefined();
  });

  it('Fedora iptables-nft: rules come once, from iptables-save, with counters; FORWARD accepts for br0', () => {
    const view = facts({
      commands: {
        'iptables.save': nftSample('generated-iptnft-iptables-save-c.txt'),
        'nft.ruleset': nftSample('generated-iptnft-json.txt'),
      },
    }).get(liveFirewall);
    expect(view.backends).toEqual(['iptables']);
    expect(view.nat).toEqual([
      {
        backend: 'iptables',
        origin: 'iptables.save',
        line: 19,
        text: '[42:2520] -A POSTROUTING -o eth0 -j MASQUERADE',
        family: 'ip',
        table: 'nat',
        chain: 'POSTROUTING',
        action: 'masquerade',
        out: [{name: 'eth0', negated: false, wildcard: false}],
        legal: true,
        counters: {packets: 42, bytes: 2520},
      },
    ]);
    expect(view.forward).toHaveLength(1);
    const fwd = view.forward[0]!;
    expect([fwd.backend, fwd.family, fwd.table, fwd.chain, fwd.policy]).toEqual(['iptables', 'ip', 'filter', 'FORWARD', 'accept']);
    expect(fwd.rules.map((r) => [r.line, r.in, r.out, r.verdict, r.stateful, r.counters])).toEqual([
      [8, [if_('br0')], undefined, 'accept', false, {packets: 1234, bytes: 98765}],
      [9, [if_('eth0')], [if_('br0')], 'accept', true, {packets: 567, bytes: 43210}],
      [10, undefined, undefined, 'reject', false, {packets: 0, bytes: 0}],
    ]);
    expect(masqueradesFor(view, 'eth0')).toHaveLength(1);
  });

  it('reads iptables-nft rules from nft alone when iptables-save is missing (compat conntrack = stateful)', () => {
    const view = facts({commands: {'nft.ruleset': nftSample('generated-iptnft-json.txt')}, failed: {'iptables.save': 'needs root'}}).get(liveFirewall);
    expect(view.nat.map(brief)).toEqual([['nftables', 'ip nat POSTROUTING', 'masquerade', ['eth0'], true]]);
    expect(view.forward[0]!.rules.map((r) => [r.verdict, r.stateful, r.counters?.packets])).toEqual([
      ['accept', false, 1234],
      ['accept', true, 567],
      ['reject', false, 0],
    ]);
  });

  it("iptables-nft plus SUSE's file in the same `ip nat` table: iptables' chain from iptables-save, nft's own chains from nft", () => {
    const view = facts({
      commands: {'iptables.save': nftSample('generated-mixed-iptables-save-c.txt'), 'nft.ruleset': nftSample('generated-mixed-json.txt')},
    }).get(liveFirewall);
    expect(view.backends).toEqual(['iptables', 'nftables']);
    expect(view.nat.map(brief)).toEqual([
      ['iptables', 'ip nat POSTROUTING', 'masquerade', ['eth0'], true],
      ['nftables', 'ip nat postrouting', 'masquerade', ['eth0'], true],
      ['nftables', 'ip nat postrouting', 'masquerade', ['br1'], true],
      ['nftables', 'ip nat postrouting', 'masquerade', ['ovs-system'], true],
      ['nftables', 'ip6 nat postrouting', 'masquerade', ['eth0'], true],
      ['nftables', 'ip6 nat postrouting', 'masquerade', ['br1'], true],
      ['nftables', 'ip6 nat postrouting', 'masquerade', ['ovs-system'], true],
    ]);
    expect(view.forward.map((p) => `${p.backend} ${p.chain} ${p.rules.length}`)).toEqual(['iptables FORWARD 3']);
  });

  it('Fedora native nftables: iptables-save calls the tables incompatible, nft gives FORWARD and NAT', () => {
    const view = facts({
      commands: {'iptables.save': nftSample('generated-fedora-iptables-save-c.txt'), 'nft.ruleset': nftSample('generated-fedora-json.txt')},
    }).get(liveFirewall);
    expect(view.backends).toEqual(['nftables']);
    expect(view.nat.map(brief)).toEqual([['nftables', 'ip nat POSTROUTING', 'masquerade', ['eth0'], true]]);
    expect(view.nat[0]!.counters).toEqual({packets: 0, bytes: 0});
    expect(view.forward).toHaveLength(1);
    expect(view.forward[0]!.rules.map((r) => [r.text, r.verdict, r.stateful])).toEqual([
      ['iifname "br0" counter packets 0 bytes 0 accept', 'accept', false],
      ['iifname "eth0" oifname "br0" ct state established,related counter packets 0 bytes 0 accept', 'accept', true],
      ['counter packets 0 bytes 0 reject with icmp host-prohibited', 'reject', false],
    ]);
  });

  it('follows jumps: snat in a user chain is legal, its interfaces and source net come along', () => {
    const view = facts({commands: {'nft.ruleset': nftSample('generated-features-json.txt')}}).get(liveFirewall);
    expect(view.nat.map((r) => [r.chain, r.action, r.out?.map((m) => m.name), r.in?.map((m) => m.name), r.sourceNet, r.legal])).toEqual([
      ['pre', 'dnat', undefined, ['eth0'], undefined, true],
      ['pre', 'redirect', undefined, ['br1'], undefined, true],
      ['post', 'snat', ['eth*'], undefined, '10.1.0.0/16', true],
      ['masq_chain', 'masquerade', ['eth0'], undefined, undefined, true],
    ]);
    expect(masqueradesFor(view, 'eth7').map((r) => r.action)).toEqual(['snat']);
    expect(view.forward.map((p) => [p.family, p.table, p.chain, p.policy, p.rules.map((r) => r.verdict)])).toEqual([
      ['inet', 'tdfeat', 'forward_chain', 'drop', ['accept', 'drop', 'jump sut_in', 'accept', 'goto tail']],
    ]);
    expect(view.forward[0]!.rules[0]!.out).toEqual([if_('en*'), if_('eth0')]);
  });

  it('firewalld (nftables backend) shape: a zone chain reached per interface masquerades only those interfaces', () => {
    // Hand-written in the structure of firewalld's nftables backend (dispatch chain -> zone chain).
    const ruleset = [
      'table inet firewalld {',
      '\tchain nat_POSTROUTING {',
      '\t\ttype nat hook postrouting priority srcnat + 10; policy accept;',
      '\t\tjump nat_POSTROUTING_ZONE',
      '\t}',
      '\tchain nat_POSTROUTING_ZONE {',
      '\t\toifname "eth0" goto nat_POST_trusted',
      '\t\toifname "br1" goto nat_POST_trusted',
      '\t\tgoto nat_POST_public',
      '\t}',
      '\tchain nat_POST_trusted {',
      '\t\tjump nat_POST_trusted_allow',
      '\t}',
      '\tchain nat_POST_trusted_allow {',
      '\t\toifname != "lo" masquerade',
      '\t}',
      '\tchain nat_POST_public {',
      '\t}',
      '}',
    ].join('\n');
    const view = facts({commands: {'nft.ruleset': ruleset, 'firewalld.runtime': 'trusted (active)\n  interfaces: eth0 br1\n  masquerade: yes\n'}}).get(liveFirewall);
    expect(view.backends).toEqual(['nftables', 'firewalld']);
    // firewalld's rules are visible in nft, so the zone itself adds no second rule
    expect(view.nat.map(brief)).toEqual([['nftables', 'inet firewalld nat_POST_trusted_allow', 'masquerade', ['eth0', 'br1', '!lo'], true]]);
    expect(view.nat[0]!.line).toBe(15);
    expect(masqueradesFor(view, 'eth0')).toHaveLength(1);
    expect(masqueradesFor(view, 'eth1')).toHaveLength(0);
  });

  it('firewalld trusted zone with masquerade and interfaces, no ruleset readable: the zone is the NAT rule', () => {
    const runtime = [
      'public',
      '  target: default',
      '  interfaces: ',
      '  masquerade: no',
      '',
      'trusted (active, default)',
      '  target: ACCEPT',
      '  interfaces: br1 ovs-system eth0',
      '  forward: yes',
      '  masquerade: yes',
    ].join('\n');
    const view = facts({commands: {'firewalld.runtime': runtime}, failed: {'nft.ruleset': 'needs root', 'iptables.save': 'needs root'}}).get(liveFirewall);
    expect(view.backends).toEqual(['firewalld']);
    expect(view.zones?.defaultZone).toBe('trusted');
    expect([view.zones?.zoneOf('eth0'), view.zones?.zoneOf('eth9'), view.zones?.zonesOf('eth9')]).toEqual(['trusted', 'trusted', []]);
    expect(view.zones?.zones.map((z) => [z.name, z.target, z.interfaces, z.masquerade, z.forward])).toEqual([
      ['public', 'default', [], false, undefined],
      ['trusted', 'ACCEPT', ['br1', 'ovs-system', 'eth0'], true, true],
    ]);
    expect(view.nat).toEqual([
      {
        backend: 'firewalld',
        origin: 'firewalld.runtime',
        text: 'zone trusted: masquerade: yes, interfaces: br1 ovs-system eth0',
        line: 6,
        family: 'inet',
        table: 'firewalld',
        chain: 'zone trusted',
        zone: 'trusted',
        action: 'masquerade',
        out: [if_('br1'), if_('ovs-system'), if_('eth0')],
        legal: true,
        counters: null,
      },
    ]);
    expect(masqueradesFor(view, 'eth0')).toHaveLength(1);
  });

  it('firewalld not running is a state: zones empty, no firewalld backend', () => {
    const view = facts({
      commands: {'firewalld.runtime': {text: sample('firewall-cmd-list-all-zones', 'insights-not-running.txt'), exitCode: 252}, 'nft.ruleset': nftSample('generated-empty-json.txt')},
    }).get(liveFirewall);
    expect(view.backends).toEqual([]);
    expect(view.zones?.running).toBe(false);
    expect(view.zones?.zones).toEqual([]);
    expect(view.nat).toEqual([]);
  });

  it('a host without any rules is a valid, empty view', () => {
    const view = facts({
      commands: {'iptables.save': '', 'ip6tables.save': '', 'iptables-legacy.save': '', 'nft.ruleset': nftSample('generated-empty-json.txt'), 'firewalld.runtime': NOT_RUNNING},
    }).get(liveFirewall);
    expect(view).toMatchObject({backends: [], nat: [], forward: [], problems: []});
    expect(view.sources).toHaveLength(5);
  });

  it('is unavailable when no firewall source could be read', () => {
    const f = facts({failed: {'iptables.save': 'needs root', 'nft.ruleset': 'needs root'}});
    expect(() => f.get(liveFirewall)).toThrow(FactUnavailable);
    const r = f.try(liveFirewall);
    expect(r.ok ? '' : r.reason).toMatch(/^no firewall source could be read \(iptables\.save: could not collect iptables\.save: needs root; /);
  });

  it.each([
    [{text: 'Error: syntax error, unexpected junk', exitCode: 0}, 'error', 'nft.ruleset: cannot parse nft.ruleset:1: unknown command "Error:": Error: syntax error, unexpected junk'],
    [{text: '', exitCode: 1}, 'missing', 'nft.ruleset: nft.ruleset exited with 1'],
  ])('is unavailable when the only source fails (%j)', (nftOut, kind, reason) => {
    let err: unknown;
    try {
      facts({commands: {'nft.ruleset': nftOut}}).get(liveFirewall);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FactUnavailable);
    expect((err as FactUnavailable).kind).toBe(kind);
    expect((err as FactUnavailable).reason).toContain(reason);
  });

  it('keeps a source whose command failed but printed rules, and says so', () => {
    const view = facts({commands: {'iptables.save': {text: nftSample('generated-iptnft-iptables-save-c.txt'), exitCode: 1}}}).get(liveFirewall);
    expect(view.nat).toHaveLength(1);
    expect(view.problems).toContain('iptables.save exited with 1');
  });
});

describe('persistedFirewall', () => {
  const masqInFilter = '*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -o eth0 -j MASQUERADE\nCOMMIT\n*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n';

  it('flags a MASQUERADE under *filter in /etc/sysconfig/iptables: illegal, and the file does not load', () => {
    const p = facts({files: {'firewall.files': {'/etc/sysconfig/iptables': masqInFilter}}}).get(persistedFirewall);
    expect(p.files).toHaveLength(1);
    const file = p.files[0]!;
    expect([file.path, file.format]).toEqual(['/etc/sysconfig/iptables', 'iptables-save']);
    expect(file.view.nat.map((r) => [r.line, r.table, r.chain, r.legal, r.refusedByKernel])).toEqual([
      [3, 'filter', 'FORWARD', false, true],
      [7, 'nat', 'POSTROUTING', true, undefined],
    ]);
    expect(file.loadErrors).toEqual([
      {
        line: 3,
        text: '-A FORWARD -o eth0 -j MASQUERADE',
        reason:
          'MASQUERADE in table filter (chain FORWARD): only valid in nat POSTROUTING: iptables-restore refuses the whole file (nf_tables: "RULE_APPEND failed (Invalid argument)", legacy: "No chain/target/match by that name")',
      },
    ]);
    expect(masqueradesFor(file.view, 'eth0').map((r) => r.legal)).toEqual([false, true]);
  });

  it('flags nft masquerade in a filter-type chain (nft: Operation not supported)', () => {
    const text = 'table ip filter {\n\tchain FORWARD {\n\t\ttype filter hook forward priority filter; policy accept;\n\t\toifname "eth0" masquerade\n\t}\n}\n';
    const file = facts({files: {'firewall.files': {'/etc/nftables.conf': text}}}).get(persistedFirewall).files[0]!;
    expect(file.format).toBe('nft');
    expect(file.view.nat.map(brief)).toEqual([['nftables', 'ip filter FORWARD', 'masquerade', ['eth0'], false]]);
    expect(file.loadErrors).toEqual([
      {
        line: 4,
        text: 'oifname "eth0" masquerade',
        reason:
          'masquerade in chain ip filter FORWARD of type filter hook forward: only valid in a chain of type nat hook postrouting; nft refuses the whole ruleset (Error: Could not process rule: Operation not supported)',
      },
    ]);
  });

  it("flags Fedora's `add rule ip filter POSTROUTING ... masquerade` (undeclared chain)", () => {
    const text = [
      'add table ip filter',
      'add chain ip filter FORWARD { type filter hook forward priority filter; policy accept; }',
      'add rule ip filter FORWARD iifname "br0" counter accept',
      'add rule ip filter POSTROUTING oifname "eth0" counter masquerade',
    ].join('\n');
    const file = facts({files: {'firewall.files': {'/etc/sysconfig/nftables.conf': text}}}).get(persistedFirewall).files[0]!;
    expect(file.loadErrors).toEqual([
      {
        line: 4,
        text: 'add rule ip filter POSTROUTING oifname "eth0" counter masquerade',
        reason: 'chain ip filter POSTROUTING is not declared before this line: nft refuses the whole file (Error: Could not process rule: No such file or directory)',
      },
    ]);
    expect(file.view.nat[0]).toMatchObject({legal: false, illegalReason: 'chain ip filter POSTROUTING is no base chain and no nat chain jumps to it: the rule never applies'});
  });

  it("loads SUSE's and Fedora's correct files without errors", () => {
    const p = facts({
      files: {'firewall.files': {'/etc/firewall.nft': nftSample('generated-suse-firewall.nft.txt'), '/etc/sysconfig/nftables.conf': nftSample('generated-fedora-nftables.txt')}},
    }).get(persistedFirewall);
    expect(p.files.map((f) => [f.path, f.format, f.loadErrors, f.view.backends])).toEqual([
      ['/etc/firewall.nft', 'nft', [], ['nftables']],
      ['/etc/sysconfig/nftables.conf', 'nft', [], ['nftables']],
    ]);
    expect(masqueradesFor(p.files[0]!.view, 'eth0').map((r) => [r.family, r.line, r.legal])).toEqual([
      ['ip', 4, true],
      ['ip6', 12, true],
    ]);
    expect(p.files[1]!.view.forward[0]!.rules.map((r) => [r.line, r.verdict, r.stateful, r.counters])).toEqual([
      [9, 'accept', false, {packets: 0, bytes: 0}],
      [10, 'accept', true, {packets: 0, bytes: 0}],
      [13, 'reject', false, {packets: 0, bytes: 0}],
    ]);
  });

  it('does not report a chain declared by another persisted file, nor one an unreadable include may declare', () => {
    const main = 'include "/etc/nftables/*.nft"\n';
    const rules = 'add rule inet openqa post oifname "eth0" masquerade\n';
    const decl = 'table inet openqa {\n chain post { type nat hook postrouting priority srcnat; }\n}\n';
    const p = facts({files: {'firewall.files': {'/etc/sysconfig/nftables.conf': main, '/etc/nftables/10-decl.nft': decl, '/etc/nftables/20-rules.nft': rules}}}).get(persistedFirewall);
    expect(p.files.map((f) => f.loadErrors)).toEqual([[], [], []]);
    const alone = facts({files: {'firewall.files': {'/etc/nftables.conf': 'include "/etc/nftables/missing.nft"\n' + rules}}}).get(persistedFirewall);
    expect(alone.files[0]!.loadErrors).toEqual([]);
  });

  it('reports a syntax error as a load error', () => {
    const file = facts({files: {'firewall.files': {'/etc/firewall.nft': 'table ip nat {\n chain postrouting {\n'}}}).get(persistedFirewall).files[0]!;
    expect(file.loadErrors).toEqual([{line: 2, text: ' chain postrouting {', reason: 'syntax: chain postrouting: missing "}": nft refuses the whole file'}]);
  });

  it('persisted firewalld: zone XML (/etc over /usr/lib) and DefaultZone from firewalld.conf', () => {
    const p = facts({
      files: {
        'firewall.files': {},
        'firewalld.files': {
          '/etc/firewalld/firewalld.conf': 'DefaultZone=trusted\n',
          '/usr/lib/firewalld/zones/trusted.xml': sample('firewalld-zone-xml', 'firewalld-stock-trusted-current.txt'),
          '/etc/firewalld/zones/trusted.xml': sample('firewalld-zone-xml', 'salt-openqa-trusted-2020.txt'),
        },
      },
      commands: {'firewalld.permanent': NOT_RUNNING, 'firewalld.runtime': NOT_RUNNING},
    }).get(persistedFirewall);
    expect(p.files).toEqual([]);
    expect(p.zones?.running).toBe(false);
    expect(p.zones?.defaultZone).toBe('trusted');
    expect(p.zones?.zones.map((z) => [z.name, z.masquerade, z.forward, z.interfaces.slice(0, 2)])).toEqual([['trusted', true, false, ['br1', 'ovs-system']]]);
    expect([p.zones?.zoneOf('br1'), p.zones?.zoneOf('eth0')]).toEqual(['trusted', 'trusted']);
  });

  it('persisted firewalld from firewall-cmd --permanent when firewalld runs', () => {
    const p = facts({
      files: {'firewall.files': {}},
      commands: {'firewalld.permanent': 'public (default)\n  interfaces: eth0\n  masquerade: no\n', 'firewalld.runtime': 'public (active, default)\n  interfaces: eth0\n'},
    }).get(persistedFirewall);
    expect(p.zones?.running).toBe(true);
    expect(p.zones?.zones.map((z) => [z.name, z.interfaces, z.masquerade])).toEqual([['public', ['eth0'], false]]);
    expect(p.zones?.defaultZone).toBe('public');
  });

  it('is unavailable when neither rule files nor firewalld config could be read; no files is a valid answer', () => {
    expect(() => facts({failed: {'firewall.files': 'not collected'}}).get(persistedFirewall)).toThrow(FactUnavailable);
    expect(facts({files: {'firewall.files': {}}}).get(persistedFirewall)).toMatchObject({files: [], problems: expect.any(Array)});
  });
});

describe('detectRuleFileFormat', () => {
  it('tells iptables-save files from nft files by content', () => {
    expect([
      detectRuleFileFormat('# Generated by iptables-save\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n'),
      detectRuleFileFormat('\n\n-A FORWARD -i br0 -j ACCEPT\n'),
      detectRuleFileFormat('#!/usr/sbin/nft -f\nflush ruleset\n'),
      detectRuleFileFormat('add rule ip nat POSTROUTING oifname "eth0" masquerade\n'),
      detectRuleFileFormat(''),
    ]).toEqual(['iptables-save', 'iptables-save', 'nft', 'nft', 'nft']);
  });
});
