import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from '../errors.js';
import {isNftWildcard, nftPriority, parseNft, parseNftJson, parseNftText, type NftRuleset} from './index.js';
import {modelOrParseError, mutationsOf} from '../../../test/helpers/mutation.js';
import {catchError} from '../../../test/helpers/thrown.js';

const sample = (name: string) => readFileSync(new URL(`../../../test/samples/nft/${name}`, import.meta.url), 'utf8');

/** What the two output formats must agree on (text has lines, JSON renders text; compat differs by design). */
function semantic(rs: NftRuleset) {
  return {
    tables: rs.tables.map((t) => `${t.family} ${t.name}`),
    chains: rs.chains.map(({family, table, name, type, hook, priority, policy}) => ({family, table, name, type, hook, priority, policy})),
    rules: rs.rules.map(({family, table, chain, iif, oif, saddr, ctState, nat, verdict, counter, comment}) => ({
      family,
      table,
      chain,
      iif,
      oif,
      saddr,
      ctState: ctState && {...ctState, states: [...ctState.states].sort()},
      nat: nat && {kind: nat.kind},
      verdict,
      counter,
      comment,
    })),
  };
}

describe('parseNftJson (nft -j list ruleset, nftables 1.0.6)', () => {
  it("reads SUSE's /etc/firewall.nft as loaded: ip and ip6 nat postrouting, three masquerades each", () => {
    const rs = parseNftJson(sample('generated-suse-json.txt'), 'nft.ruleset');
    expect(rs.version).toBe('1.0.6');
    expect(rs.tables).toEqual([
      {family: 'ip', name: 'nat', handle: 1},
      {family: 'ip6', name: 'nat', handle: 2},
    ]);
    expect(rs.chains).toEqual([
      {family: 'ip', table: 'nat', name: 'postrouting', handle: 1, type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept'},
      {family: 'ip6', table: 'nat', name: 'postrouting', handle: 1, type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept'},
    ]);
    expect(rs.rules.map((r) => [r.family, r.handle, r.oif[0]?.values, r.nat?.kind, r.counter, r.text])).toEqual([
      ['ip', 2, ['eth0'], 'masquerade', null, 'oifname "eth0" masquerade'],
      ['ip', 3, ['br1'], 'masquerade', null, 'oifname "br1" masquerade'],
      ['ip', 4, ['ovs-system'], 'masquerade', null, 'oifname "ovs-system" masquerade'],
      ['ip6', 2, ['eth0'], 'masquerade', null, 'oifname "eth0" masquerade'],
      ['ip6', 3, ['br1'], 'masquerade', null, 'oifname "br1" masquerade'],
      ['ip6', 4, ['ovs-system'], 'masquerade', null, 'oifname "ovs-system" masquerade'],
    ]);
    expect(rs.rules[0]!.oif).toEqual([{key: 'oifname', values: ['eth0'], negated: false}]);
  });

  it('reads iptables-nft rules with their compat expressions (conntrack match, MASQUERADE/REJECT targets) and counters', () => {
    const rs = parseNftJson(sample('generated-iptnft-json.txt'), 'nft.ruleset');
    const fwd = rs.rules.filter((r) => r.chain === 'FORWARD');
    expect(fwd.map((r) => [r.handle, r.iif.flatMap((m) => m.values), r.oif.flatMap((m) => m.values), r.compat, r.verdict, r.counter])).toEqual([
      [6, ['br0'], [], [], {kind: 'accept'}, {packets: 1234, bytes: 98765}],
      [7, ['eth0'], ['br0'], [{type: 'match', name: 'conntrack'}], {kind: 'accept'}, {packets: 567, bytes: 43210}],
      [8, [], [], [{type: 'target', name: 'REJECT'}], {kind: 'reject'}, {packets: 0, bytes: 0}],
    ]);
    const masq = rs.rules.find((r) => r.chain === 'POSTROUTING')!;
    expect(masq.nat).toEqual({kind: 'masquerade', compat: true});
    expect(masq.counter).toEqual({packets: 42, bytes: 2520});
    expect(masq.text).toBe('oifname "eth0" counter packets 42 bytes 2520 xt target "MASQUERADE"');
    expect(rs.chains.find((c) => c.name === 'OUTPUT' && c.table === 'nat')).toMatchObject({type: 'nat', hook: 'output', priority: -100});
  });

  it('reads sets, named counters, negation, wildcards, jumps and every NAT statement', () => {
    const rs = parseNftJson(sample('generated-features-json.txt'), 'nft.ruleset');
    const byHandle = (table: string, h: number) => rs.rules.find((r) => r.table === table && r.handle === h)!;
    expect(byHandle('tdfeat', 8).oif).toEqual([{key: 'oifname', values: ['en*', 'eth0'], negated: false}]);
    expect(byHandle('tdfeat', 9).iif).toEqual([{key: 'iifname', values: ['eth0'], negated: true}]);
    expect(byHandle('tdfeat', 9).oif).toEqual([{key: 'oif', values: ['lo'], negated: false}]);
    expect(byHandle('tdfeat', 10)).toMatchObject({
      iif: [{key: 'iifname', values: ['eth0', 'eth1'], negated: false, set: 'uplinks'}],
      ctState: {states: ['established', 'related'], negated: false},
      verdict: {kind: 'jump', target: 'sut_in'},
    });
    expect(byHandle('tdfeat', 11)).toMatchObject({counterName: 'named1', counter: {packets: 0, bytes: 0}, comment: 'ssh to SUTs', text: 'tcp dport 22 counter name "named1" accept comment "ssh to SUTs"'});
    expect(byHandle('tdfeat', 12).verdict).toEqual({kind: 'goto', target: 'tail'});
    expect(byHandle('tdnat', 4).nat).toEqual({kind: 'dnat', to: '10.0.2.15:80'});
    expect(byHandle('tdnat', 5).nat).toEqual({kind: 'redirect', to: ':3128'});
    expect(byHandle('tdnat', 6)).toMatchObject({nat: {kind: 'snat', to: '192.0.2.1'}, saddr: {addr: '10.1.0.0/16', negated: false}, oif: [{values: ['eth*']}]});
    expect(byHandle('tdnat', 8).nat).toEqual({kind: 'masquerade'});
    expect(rs.chains.find((c) => c.name === 'post')!.priority).toBe(110);
    expect(rs.chains.find((c) => c.name === 'sut_in')).toEqual({family: 'inet', table: 'tdfeat', name: 'sut_in', handle: 2});
    expect(rs.sets).toEqual([
      {family: 'inet', table: 'tdfeat', name: 'uplinks', elements: ['eth0', 'eth1']},
      {family: 'inet', table: 'tdfeat', name: 'portmap', elements: []},
    ]);
  });

  it('keeps a newline inside an interface name (two uplinks rendered into one string) as data', () => {
    const rs = parseNftJson(sample('generated-twouplinks-json.txt'), 'nft.ruleset');
    expect(rs.rules[0]!.oif[0]!.values).toEqual(['eth0\neth1']);
  });

  it('reads an empty ruleset as an empty model', () => {
    const rs = parseNftJson(sample('generated-empty-json.txt'), 'nft.ruleset');
    expect(rs).toEqual({format: 'json', version: '1.0.6', tables: [], chains: [], rules: [], sets: [], includes: [], problems: []});
  });

  it('tolerates a warning line around the JSON document', () => {
    const text = `${sample('generated-suse-json.txt').trimEnd()}\n# Warning: table ip nat is managed by iptables-nft, do not touch!\n`;
    expect(parseNftJson(text, 'nft.ruleset').rules).toHaveLength(6);
  });

  it.each([
    ['bash: nft: command not found', 1, 'not nft JSON output'],
    ['{"nftables": 5}', 1, 'expected {"nftables": [...]}'],
    ['{"nftables": [{"rule": {"family": "ip", "table": "nat"}}]}', 1, '"chain" must be a string'],
    ['{"nftables": [{"rule": {"family": "ip", "table": "nat", "chain": "x", "expr": 3}}]}', 1, 'rule without "expr" list'],
    ['\n\n{"nftables": [', 3, 'not nft JSON output'],
  ])('rejects %j with a ParseError', (text, line, detail) => {
    const err = catchError(() => parseNftJson(text, 'nft.ruleset'));
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).line).toBe(line);
    expect((err as ParseError).detail).toBe(detail);
  });
});

describe('parseNftText (nft list ruleset and config files)', () => {
  it.each(['suse', 'fedora', 'features', 'iptnft', 'mixed'])('agrees with the JSON listing of the same %s ruleset, handles included', (scenario) => {
    const json = parseNftJson(sample(`generated-${scenario}-json.txt`), 'json');
    const text = parseNftText(sample(`generated-${scenario}-text.txt`), 'text');
    const withHandles = parseNftText(sample(`generated-${scenario}-a-text.txt`), 'text');
    // JSON shows iptables-nft rules as xt compat expressions; nft's text translates them back.
    const comparable = (rs: NftRuleset) => {
      const s = semantic(rs);
      if (scenario === 'iptnft' || scenario === 'mixed') {
        s.rules = s.rules.map((r) => ({...r, ctState: undefined, nat: r.nat && {kind: r.nat.kind}}));
      }
      return s;
    };
    expect(comparable(text)).toEqual(comparable(json));
    expect(comparable(withHandles)).toEqual(comparable(json));
    expect(withHandles.rules.map((r) => r.handle)).toEqual(json.rules.map((r) => r.handle));
    expect(withHandles.chains.map((c) => c.handle)).toEqual(json.chains.map((c) => c.handle));
    expect(withHandles.tables.map((t) => t.handle)).toEqual(json.tables.map((t) => t.handle));
    expect(text.problems).toEqual([]);
  });

  it('gives each rule its line and verbatim text (nft -a listing)', () => {
    const rs = parseNftText(sample('generated-fedora-a-text.txt'), 'nft.ruleset');
    expect(rs.rules.map((r) => [r.line, r.chain, r.handle, r.text])).toEqual([
      [4, 'INPUT', 4, 'iifname "lo" counter packets 2 bytes 168 accept'],
      [5, 'INPUT', 5, 'ct state established,related counter packets 0 bytes 0 accept'],
      [6, 'INPUT', 8, 'iifname "br0" counter packets 0 bytes 0 accept'],
      [7, 'INPUT', 9, 'counter packets 0 bytes 0 reject with icmp host-prohibited'],
      [12, 'FORWARD', 6, 'iifname "br0" counter packets 0 bytes 0 accept'],
      [13, 'FORWARD', 7, 'iifname "eth0" oifname "br0" ct state established,related counter packets 0 bytes 0 accept'],
      [14, 'FORWARD', 10, 'counter packets 0 bytes 0 reject with icmp host-prohibited'],
      [24, 'POSTROUTING', 2, 'oifname "eth0" counter packets 0 bytes 0 masquerade'],
    ]);
    expect(rs.rules[0]!.counter).toEqual({packets: 2, bytes: 168});
  });

  it("reads Fedora's add-rule config file (define, add table/chain/rule) as nft loaded it", () => {
    const file = parseNftText(sample('generated-fedora-nftables.txt'), '/etc/sysconfig/nftables.conf');
    const loaded = parseNftJson(sample('generated-fedora-json.txt'), 'json');
    expect(file.problems).toEqual([]);
    // Same chains; same rules per chain (the file appends INPUT rules after FORWARD ones: compare per chain).
    expect(semantic(file).chains).toEqual(semantic(loaded).chains);
    const perChain = (rs: NftRuleset) => {
      const s = semantic(rs).rules.map((r) => ({...r, counter: r.counter && {packets: 0, bytes: 0}}));
      return ['INPUT', 'FORWARD', 'POSTROUTING'].map((c) => s.filter((r) => r.chain === c));
    };
    expect(perChain(file)).toEqual(perChain(loaded));
    expect(file.rules.find((r) => r.line === 10)).toMatchObject({
      text: 'add rule ip filter FORWARD iifname $uplink oifname "br0" ct state related,established counter accept',
      iif: [{key: 'iifname', values: ['eth0'], negated: false}],
      counter: {packets: 0, bytes: 0},
    });
  });

  it('reads the features config file (define, sets, counters objects, keyword-free chain names)', () => {
    const file = parseNftText(sample('generated-features.nft.txt'), '/etc/nftables.conf');
    const loaded = parseNftJson(sample('generated-features-json.txt'), 'json');
    expect(file.problems).toEqual([]);
    expect(semantic(file)).toEqual({
      ...semantic(loaded),
      // the file lists the set elements in its own order; the kernel sorts anonymous sets
      rules: semantic(loaded).rules.map((r, i) => (i === 0 ? {...r, oif: [{key: 'oifname', values: ['eth0', 'en*'], negated: false}]} : r)),
    });
  });

  it('reports a rule added to a chain the file never declared (nft refuses the whole file)', () => {
    const text = [
      'add table ip filter',
      'add chain ip filter FORWARD { type filter hook forward priority filter; policy accept; }',
      'add rule ip filter FORWARD iifname "br0" counter accept',
      'add rule ip filter POSTROUTING oifname "eth0" counter masquerade',
    ].join('\n');
    const rs = parseNftText(text, '/etc/sysconfig/nftables.conf');
    expect(rs.problems).toEqual([
      {
        kind: 'undeclared-chain',
        line: 4,
        text: 'add rule ip filter POSTROUTING oifname "eth0" counter masquerade',
        reason: 'chain ip filter POSTROUTING is not declared before this line: nft refuses the whole file (Error: Could not process rule: No such file or directory)',
        family: 'ip',
        table: 'filter',
        chain: 'POSTROUTING',
      },
    ]);
    expect(rs.rules[1]).toMatchObject({family: 'ip', table: 'filter', chain: 'POSTROUTING', nat: {kind: 'masquerade'}, line: 4});
  });

  it("reads firewalld's `ct status dnat accept` and `icmp type redirect drop` as matches, not NAT statements", () => {
    const text =
      'table inet firewalld {\n\tchain filter_FORWARD {\n\t\ttype filter hook forward priority filter + 10; policy accept;\n\t\tct status dnat accept\n\t\tct status { dnat, snat } accept\n\t\ticmp type redirect drop\n\t\tmeta l4proto icmp icmp type != redirect accept\n\t\ttcp dport 80 redirect to :8080\n\t}\n}\n';
    const rs = parseNftText(text, 'text');
    expect(rs.rules.map((r) => [r.nat?.kind, r.verdict?.kind])).toEqual([
      [undefined, 'accept'],
      [undefined, 'accept'],
      [undefined, 'drop'],
      [undefined, 'accept'],
      ['redirect', undefined],
    ]);
  });

  it('tolerates include, flush ruleset, flowtables, ct helpers, comments, CRLF and continuation lines', () => {
    const text = [
      '#!/usr/sbin/nft -f',
      'flush ruleset',
      'include "/etc/nftables/openqa.nft"',
      'define UPLINKS = { "eth0", "bond*" }',
      'table inet filter {',
      '  flowtable ft { hook ingress priority 0; devices = { eth0, eth1 }; }',
      '  ct helper ftp-standard { type "ftp" protocol tcp; }',
      '  chain forward { # handle 7',
      '    type filter hook forward priority 0; policy drop;',
      '    iifname "br1" oifname $UPLINKS \\',
      '      counter packets 5 bytes 300 accept # handle 9',
      '    ct state vmap { established : accept, related : accept, invalid : drop }',
      '  }',
      '}',
      'add rule inet filter forward ip saddr != 10.1.0.0/16 drop',
    ].join('\r\n');
    const rs = parseNftText(text, '/etc/nftables.conf');
    expect(rs.includes).toEqual([{line: 3, path: '/etc/nftables/openqa.nft'}]);
    expect(rs.chains).toEqual([{family: 'inet', table: 'filter', name: 'forward', line: 8, handle: 7, type: 'filter', hook: 'forward', priority: 0, policy: 'drop'}]);
    expect(rs.rules.map((r) => [r.line, r.handle, r.oif, r.counter, r.verdict, r.saddr])).toEqual([
      [10, 9, [{key: 'oifname', values: ['eth0', 'bond*'], negated: false}], {packets: 5, bytes: 300}, {kind: 'accept'}, undefined],
      [12, undefined, [], null, undefined, undefined],
      [15, undefined, [], null, {kind: 'drop'}, {addr: '10.1.0.0/16', negated: true}],
    ]);
    expect(rs.problems).toEqual([]);
  });

  it('forgets what a later `flush ruleset` removes', () => {
    const rs = parseNftText('table ip nat {\n chain post { type nat hook postrouting priority srcnat; }\n}\nflush ruleset\ntable ip filter { }\n', 'f');
    expect(rs.tables.map((t) => t.name)).toEqual(['filter']);
    expect(rs.chains).toEqual([]);
  });

  it('reports undeclared tables and undefined variables', () => {
    const rs = parseNftText('add chain ip nat POSTROUTING { type nat hook postrouting priority 100; }\nadd rule ip nat POSTROUTING oifname $uplink masquerade\n', 'f');
    expect(rs.problems.map((p) => [p.kind, p.line])).toEqual([
      ['undeclared-table', 1],
      ['undefined-variable', 2],
    ]);
  });

  it('resolves symbolic and offset priorities per family', () => {
    const rs = parseNftText(
      [
        'table bridge b { chain c { type filter hook forward priority filter; } }',
        'table ip t { chain a { type filter hook input priority mangle - 5; } chain d { type nat hook prerouting priority dstnat+1; } chain e { type filter hook output priority -300; } }',
      ].join('\n'),
      'f',
    );
    expect(rs.chains.map((c) => [c.name, c.priority])).toEqual([
      ['c', -200],
      ['a', -155],
      ['d', -99],
      ['e', -300],
    ]);
    expect(nftPriority('ip', 'srcnat')).toBe(100);
    expect(nftPriority('ip', 'nosuch')).toBeUndefined();
  });

  it('reads a multi-line quoted string as one interface name', () => {
    const rs = parseNftText(sample('generated-twouplinks-text.txt'), 'nft.ruleset');
    expect(rs.rules.map((r) => [r.line, r.oif[0]!.values])).toEqual([[4, ['eth0\neth1']]]);
  });

  it.each([
    ['bash: nft: command not found', 1, 'unknown command "bash:"'],
    ['Error: Could not process rule: Operation not permitted', 1, 'unknown command "Error:"'],
    ['table ip nat {\n chain post {\n', 2, 'chain post: missing "}"'],
    ['table ip nat {\n', 1, 'table ip nat: missing "}"'],
    ['table ip nat {\n chain post { oifname "eth0 masquerade\n }\n}\n', 2, 'unterminated string'],
    ['}\n', 1, 'unexpected "}" at top level'],
    ['define x\n', 1, 'expected "define name = value"'],
  ])('rejects %j with a ParseError', (text, line, detail) => {
    const err = catchError(() => parseNftText(text, 'f'));
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).line).toBe(line);
    expect((err as ParseError).detail).toBe(detail);
  });

  it('reads empty input as an empty ruleset', () => {
    expect(parseNftText('', 'f').rules).toEqual([]);
    expect(parseNft('\n', 'f').format).toBe('text');
    expect(parseNft(sample('generated-empty-json.txt'), 'f').format).toBe('json');
  });
});

describe('isNftWildcard', () => {
  it('treats a trailing unescaped star as a wildcard', () => {
    expect([isNftWildcard('en*'), isNftWildcard('en\\*'), isNftWildcard('eth0'), isNftWildcard('*')]).toEqual([true, false, false, true]);
  });
});

describe('robustness (mutations of real output)', () => {
  const inputs = ['generated-suse-text.txt', 'generated-fedora-a-text.txt', 'generated-features.nft.txt', 'generated-mixed-json.txt', 'generated-features-json.txt', 'generated-fedora-nftables.txt'].map(sample);
  const outcome = (text: string) => (modelOrParseError(() => parseNft(text, 'fuzz')) instanceof ParseError ? 'error' : 'model');

  it('gives a model or a ParseError for mutated inputs', () => {
    const mutations = mutationsOf(inputs, {specials: ['{', '}', '"', ';', '#', '$x', '@s', '!=', 'masquerade', 'jump'], text: fc.string({maxLength: 6})});
    fc.assert(
      fc.property(mutations, (text) => {
        expect(['model', 'error']).toContain(outcome(text));
      }),
      {numRuns: 300},
    );
  });

  it('gives a model or a ParseError for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({maxLength: 200}), (text) => {
        expect(['model', 'error']).toContain(outcome(text));
      }),
      {numRuns: 300},
    );
  });

  it('stays linear on a huge line', () => {
    const started = Date.now();
    const text = `table ip nat {\n chain p {\n oifname ${'"a" '.repeat(200_000)} masquerade\n }\n}\n`;
    expect(parseNftText(text, 'big').rules).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('define expansion', () => {
  it('expands nested definitions and stops on self-reference without blowing up', () => {
    const rs = parseNftText('define a = "eth0"\ndefine b = $a\ndefine loop = $loop $loop $loop $loop $loop $loop $loop $loop $loop $loop\ntable ip t {\n chain c {\n  oifname $b masquerade\n  oifname $loop masquerade\n }\n}\n', 'f');
    expect(rs.rules[0]!.oif[0]!.values).toEqual(['eth0']);
    expect(rs.rules[1]!.oif[0]!.values[0]).toBe('$loop');
    expect(rs.problems).toEqual([]);
  });
});
