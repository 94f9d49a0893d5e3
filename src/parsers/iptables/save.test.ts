import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {ParseError} from '../errors.js';
import {parseIptablesSave} from './save.js';
import {serializeRule} from './serialize.js';
import type {IptablesDump, IptRule, IptTable} from './types.js';
import {parseErrorOf} from '../../../test/helpers/thrown.js';
import {itRejectsStrictlyAndRecordsTolerantly, SAVE_BAD_INPUTS} from '../../../test/helpers/iptables.js';

const SAMPLES = new URL('../../../test/samples/iptables-save/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, SAMPLES), 'utf8');
const parseSample = (name: string) => parseIptablesSave(sample(name), name);

const table = (dump: IptablesDump, name: string): IptTable => {
  const found = dump.tables.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name}`);
  return found;
};
const chainSummary = (t: IptTable) =>
  [...t.chains.values()].map((c) => `${c.name} ${c.policy ?? '-'} ${c.counters ? `${c.counters.packets}:${c.counters.bytes}` : 'none'} ${c.builtin ? 'builtin' : 'user'}`);
const ruleAt = (dump: IptablesDump, line: number): IptRule => {
  const rule = dump.tables.flatMap((t) => t.rules).find((r) => r.line === line);
  if (!rule) throw new Error(`no rule on line ${line}`);
  return rule;
};
/** A rule without the parts that describe the source text. */
const model = ({line: _line, text: _text, ...rest}: IptRule) => rest;
const errorsOf = (dump: IptablesDump) => dump.errors.map((e) => `${e.line}: ${e.detail}`);

// Real output, every rule: our canonical layout is iptables-save's, so each rule serializes back to
// its own text. This proves every field of every rule was read (a lost option would show).
const REAL_SAVES = [
  'tapdoctor-ns-1.8.9-nft-save.txt',
  'tapdoctor-ns-1.8.9-nft-save-c.txt',
  'tapdoctor-ns-1.8.9-nft-ip6-save-c.txt',
  'tapdoctor-ns-1.8.9-legacy-save-c.txt',
  'tapdoctor-ns-1.8.9-nft-save-legacy-warning-2to1.txt',
  'hotsos-neutron-qrouter-negations-comment.txt',
  'retailnext-router-c-counters.txt',
  'insights-parser-edge-goto-notarget.txt',
];

describe('parseIptablesSave on real iptables-save output', () => {
  it.each(REAL_SAVES)('%s: every rule round-trips to its own line', (name) => {
    const dump = parseSample(name);
    expect(dump.errors).toEqual([]);
    const rules = dump.tables.flatMap((t) => t.rules);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(serializeRule(rule)).toBe(rule.text);
  });

  it('iptables 1.8.9 nf_tables with -c: header, tables, chains and counters above 2^32', () => {
    const dump = parseSample('tapdoctor-ns-1.8.9-nft-save-c.txt');
    expect(dump.version).toBe('1.8.9');
    expect(dump.backend).toBe('nf_tables');
    expect(dump.family).toBe('ipv4');
    expect(dump.legacyTablesPresent).toBeUndefined();
    expect(dump.crlf).toBeUndefined();
    expect(dump.tables.map((t) => `${t.name}@${t.line} ${t.rules.length}`)).toEqual(['mangle@2 1', 'raw@12 1', 'filter@19 15', 'nat@43 5']);
    expect(chainSummary(table(dump, 'filter'))).toEqual([
      'INPUT ACCEPT 123456:98765432 builtin',
      'FORWARD DROP 12:3456 builtin',
      'OUTPUT ACCEPT 99999:100000 builtin',
      'TD-FWD - 0:0 user',
      'TD-LOG - 0:0 user',
    ]);
    expect(table(dump, 'nat').chains.get('POSTROUTING')).toEqual({
      name: 'POSTROUTING',
      builtin: true,
      policy: 'ACCEPT',
      counters: {packets: 4300000000n, bytes: 390000000000n},
      line: 47,
    });
    expect(ruleAt(dump, 31).counters).toEqual({packets: 9876543210n, bytes: 12345678901234n});
    expect(ruleAt(dump, 51).counters).toEqual({packets: 5000000000n, bytes: 6400000000000n});
  });

  it('reads a comment with escaped quotes and the tcp module', () => {
    const dump = parseSample('tapdoctor-ns-1.8.9-nft-save-c.txt');
    const rule = ruleAt(dump, 27);
    expect(rule.text).toBe('[12:720] -A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh \\"admin\\" access" -j ACCEPT');
    expect(model(rule)).toEqual({
      table: 'filter',
      chain: 'INPUT',
      command: 'A',
      counters: {packets: 12n, bytes: 720n},
      protocol: {name: 'tcp', negated: false},
      modules: [
        {name: 'tcp', options: [{name: '--dport', values: ['22'], negated: false}]},
        {name: 'comment', options: [{name: '--comment', values: ['ssh "admin" access'], negated: false}]},
      ],
      otherOptions: [],
      target: {kind: 'jump', name: 'ACCEPT', options: []},
    });
  });

  it('reads negations, wildcards, goto, a rule without target and a backslash in a comment', () => {
    const dump = parseSample('tapdoctor-ns-1.8.9-nft-save-c.txt');
    expect(model(ruleAt(dump, 28))).toMatchObject({
      source: {addr: '10.0.0.0/15', negated: false},
      inInterface: {name: 'br1', negated: true},
      target: {kind: 'jump', name: 'DROP', options: []},
    });
    expect(model(ruleAt(dump, 29))).toEqual({
      table: 'filter',
      chain: 'INPUT',
      command: 'A',
      counters: {packets: 77n, bytes: 4620n},
      source: {addr: '192.168.2.0/24', negated: false},
      modules: [],
      otherOptions: [],
      target: null,
    });
    expect(model(ruleAt(dump, 32))).toMatchObject({
      inInterface: {name: 'eth+', negated: false},
      outInterface: {name: 'br1', negated: false},
      modules: [{name: 'state', options: [{name: '--state', values: ['RELATED,ESTABLISHED'], negated: false}]}],
    });
    expect(model(ruleAt(dump, 33))).toMatchObject({outInterface: {name: 'tap+', negated: false}, target: {kind: 'goto', name: 'TD-FWD', options: []}});
    expect(model(ruleAt(dump, 34))).toMatchObject({
      outInterface: {name: 'eth0', negated: true},
      modules: [{name: 'comment', options: [{name: '--comment', values: ['back\\slash and "quotes"'], negated: false}]}],
      target: {kind: 'jump', name: 'TD-LOG', options: []},
    });
    expect(ruleAt(dump, 37).modules).toEqual([{name: 'conntrack', options: [{name: '--ctstate', values: ['INVALID'], negated: true}]}]);
    expect(ruleAt(dump, 38).target).toEqual({kind: 'jump', name: 'LOG', options: [{name: '--log-prefix', values: ['td fwd: '], negated: false}]});
  });

  it('reads NAT targets with their options', () => {
    const dump = parseSample('tapdoctor-ns-1.8.9-nft-save-c.txt');
    expect(model(ruleAt(dump, 50))).toEqual({
      table: 'nat',
      chain: 'PREROUTING',
      command: 'A',
      counters: {packets: 0n, bytes: 0n},
      inInterface: {name: 'br1', negated: false},
      protocol: {name: 'tcp', negated: false},
      modules: [{name: 'tcp', options: [{name: '--dport', values: ['80'], negated: false}]}],
      otherOptions: [],
      target: {kind: 'jump', name: 'REDIRECT', options: [{name: '--to-ports', values: ['3128'], negated: false}]},
    });
    expect(ruleAt(dump, 49).target).toEqual({
      kind: 'jump',
      name: 'DNAT',
      options: [{name: '--to-destination', values: ['10.0.2.15:80'], negated: false}],
    });
    expect(model(ruleAt(dump, 52))).toMatchObject({
      source: {addr: '10.0.0.0/15', negated: false},
      destination: {addr: '10.0.0.0/15', negated: true},
      target: {kind: 'jump', name: 'TD-SNAT', options: []},
    });
    expect(ruleAt(dump, 53).target).toEqual({
      kind: 'jump',
      name: 'SNAT',
      options: [
        {name: '--to-source', values: ['192.0.2.1'], negated: false},
        {name: '--random-fully', values: [], negated: false},
      ],
    });
  });

  it('gives the same model for the same rules from nf_tables and legacy, with and without -c', () => {
    const strip = (dump: IptablesDump) =>
      Object.fromEntries(dump.tables.map((t) => [t.name, {chains: chainSummary(t), rules: t.rules.map((r) => ({...model(r), counters: null}))}]));
    const nft = parseSample('tapdoctor-ns-1.8.9-nft-save-c.txt');
    const legacy = parseSample('tapdoctor-ns-1.8.9-legacy-save-c.txt');
    const plain = parseSample('tapdoctor-ns-1.8.9-nft-save.txt');
    expect(legacy.version).toBe('1.8.9');
    expect(legacy.backend).toBeUndefined(); // the legacy iptables-save header names no backend
    expect(legacy.tables.map((t) => t.name)).toEqual(['filter', 'nat', 'mangle', 'raw']);
    expect(strip(legacy)).toEqual(strip(nft));
    expect(strip(plain)).toEqual(strip(nft));
    expect(plain.tables.flatMap((t) => t.rules).every((r) => r.counters === null)).toBe(true);
  });

  it('notices the legacy-tables warning (stderr merged into the capture)', () => {
    const dump = parseSample('tapdoctor-ns-1.8.9-nft-save-legacy-warning-2to1.txt');
    expect(dump.legacyTablesPresent).toBe(true);
    expect(dump.version).toBe('1.8.9');
  });

  it('ip6tables-save: family, IPv6 addresses, ipv6-icmp, MASQUERADE in ip6 nat', () => {
    const dump = parseSample('tapdoctor-ns-1.8.9-nft-ip6-save-c.txt');
    expect(dump.family).toBe('ipv6');
    expect(dump.backend).toBe('nf_tables');
    const [forward, icmp, counting] = table(dump, 'filter').rules;
    expect(forward!.modules[0]!.options[0]!.values).toEqual(['sut "v6" out']);
    expect(model(icmp!)).toMatchObject({
      destination: {addr: 'fd00:10::/64', negated: false},
      inInterface: {name: 'br1', negated: true},
      protocol: {name: 'ipv6-icmp', negated: false},
    });
    expect(counting!.target).toBeNull();
    expect(model(table(dump, 'nat').rules[0]!)).toEqual({
      table: 'nat',
      chain: 'POSTROUTING',
      command: 'A',
      counters: {packets: 0n, bytes: 0n},
      source: {addr: 'fd00:10::/64', negated: false},
      outInterface: {name: 'eth0', negated: false},
      modules: [],
      otherOptions: [],
      target: {kind: 'jump', name: 'MASQUERADE', options: []},
    });
  });

  it('v1.8.4 neutron router (no backend in the header): negated out-interface and ctstate, wildcard, SNAT --random-fully', () => {
    const dump = parseSample('hotsos-neutron-qrouter-negations-comment.txt');
    expect(dump.version).toBe('1.8.4');
    expect(dump.backend).toBeUndefined();
    expect(dump.tables.map((t) => t.name)).toEqual(['raw', 'nat', 'mangle', 'filter']);
    expect(model(ruleAt(dump, 27))).toEqual({
      table: 'nat',
      chain: 'neutron-l3-agent-POSTROUTING',
      command: 'A',
      counters: null,
      outInterface: {name: 'rfp-984c22fd-6', negated: true},
      modules: [{name: 'conntrack', options: [{name: '--ctstate', values: ['DNAT'], negated: true}]}],
      otherOptions: [],
      target: {kind: 'jump', name: 'ACCEPT', options: []},
    });
    expect(ruleAt(dump, 28).inInterface).toEqual({name: 'qr-+', negated: false});
    expect(ruleAt(dump, 30).target!.options).toEqual([
      {name: '--to-source', values: ['10.100.0.203'], negated: false},
      {name: '--random-fully', values: [], negated: false},
    ]);
    expect(ruleAt(dump, 32).modules).toEqual([
      {name: 'comment', options: [{name: '--comment', values: ['Perform source NAT on outgoing traffic.'], negated: false}]},
    ]);
    expect(ruleAt(dump, 58).target).toEqual({
      kind: 'jump',
      name: 'CONNMARK',
      options: [
        {name: '--restore-mark', values: [], negated: false},
        {name: '--nfmask', values: ['0xffff0000'], negated: false},
        {name: '--ctmask', values: ['0xffff0000'], negated: false},
      ],
    });
  });

  it('v1.4.7 hand-edited by insights-core: -g ACCEPT and a rule without target', () => {
    const dump = parseSample('insights-parser-edge-goto-notarget.txt');
    expect(dump.version).toBe('1.4.7');
    expect(ruleAt(dump, 8).target).toEqual({kind: 'goto', name: 'ACCEPT', options: []});
    expect(ruleAt(dump, 10).target).toBeNull();
    expect(chainSummary(table(dump, 'filter'))).toEqual([
      'INPUT ACCEPT 0:0 builtin',
      'FORWARD ACCEPT 0:0 builtin',
      'OUTPUT ACCEPT 769:196899 builtin',
      'REJECT-LOG - 0:0 user',
    ]);
  });

  it('v1.6.0 -c router: counters prefix on rules and large chain counters', () => {
    const dump = parseSample('retailnext-router-c-counters.txt');
    expect(table(dump, 'mangle').chains.get('PREROUTING')!.counters).toEqual({packets: 1272180553n, bytes: 130550152431n});
    expect(table(dump, 'filter').rules.map((r) => r.counters)).toEqual([
      {packets: 12n, bytes: 720n},
      {packets: 17256030n, bytes: 2279773210n},
      {packets: 60372n, bytes: 6729099n},
    ]);
    expect(table(dump, 'nat').rules).toEqual([]);
  });
});

describe('parseIptablesSave on hand-written restore files', () => {
  it('sysconfig file with MASQUERADE under *filter parses (the semantics flag it)', () => {
    const dump = parseSample('handwritten-sysconfig-masquerade-in-filter.txt');
    expect(dump.version).toBeUndefined();
    expect(dump.tables.map((t) => t.name)).toEqual(['filter']);
    expect(model(ruleAt(dump, 14))).toEqual({
      table: 'filter',
      chain: 'FORWARD',
      command: 'A',
      counters: null,
      outInterface: {name: 'eth0', negated: false},
      modules: [],
      otherOptions: [],
      target: {kind: 'jump', name: 'MASQUERADE', options: []},
    });
  });

  it('old syntax, CRLF, -N, -P, -I with and without position, -c, -f, long option names', () => {
    const dump = parseSample('handwritten-old-syntax-crlf.txt');
    expect(dump.errors).toEqual([]);
    expect(dump.crlf).toBe(true);
    const filter = table(dump, 'filter');
    expect(chainSummary(filter)).toEqual([
      'INPUT DROP 10:600 builtin',
      'FORWARD DROP 0:0 builtin', // -P FORWARD DROP on line 7 overrides the : line
      'OUTPUT ACCEPT 0:0 builtin',
      'TD-IN - none user',
    ]);
    expect(filter.chains.get('TD-IN')!.line).toBe(6);
    expect(ruleAt(dump, 9).modules).toEqual([{name: 'conntrack', options: [{name: '--ctstate', values: ['INVALID'], negated: true}]}]);
    expect(model(ruleAt(dump, 10))).toEqual({
      table: 'filter',
      chain: 'INPUT',
      command: 'A',
      counters: {packets: 5n, bytes: 300n},
      protocol: {name: 'tcp', negated: false},
      modules: [],
      otherOptions: [{name: '--dport', values: ['22'], negated: false}],
      target: {kind: 'jump', name: 'ACCEPT', options: []},
    });
    expect(model(ruleAt(dump, 11))).toMatchObject({command: 'I', position: 2, source: {addr: '192.0.2.0/24', negated: false}});
    expect(model(ruleAt(dump, 12))).toEqual({
      table: 'filter',
      chain: 'INPUT',
      command: 'I',
      counters: null,
      modules: [],
      otherOptions: [{name: '-f', values: [], negated: false}],
      target: {kind: 'jump', name: 'DROP', options: []},
    });
    expect(ruleAt(dump, 13).outInterface).toEqual({name: 'eth0', negated: true});
    expect(model(ruleAt(dump, 15))).toMatchObject({
      chain: 'TD-IN',
      protocol: {name: 'udp', negated: false},
      modules: [{name: 'udp', options: [{name: '--dport', values: ['53'], negated: false}]}],
      target: {kind: 'jump', name: 'ACCEPT', options: []},
    });
    expect(ruleAt(dump, 15).text).toBe('-A TD-IN --protocol udp --match udp --dport 53 --jump ACCEPT');
  });

  it('Fedora Jinja template: strict mode stops at the first template line', () => {
    const error = parseErrorOf(() => parseSample('fedora-openqa-tap-workers-template-2019.txt'));
    expect(error.source).toBe('fedora-openqa-tap-workers-template-2019.txt');
    expect(error.line).toBe(18);
    expect(error.text).toBe('{% if blocked_ips is defined %}');
    expect(error.detail).toBe('template syntax ({{ }} or {% %}) is not iptables-restore input');
  });

  it('Fedora Jinja template: tolerant mode reports every template line and keeps the plain rules', () => {
    const dump = parseIptablesSave(sample('fedora-openqa-tap-workers-template-2019.txt'), 'tpl', {tolerant: true});
    expect(dump.errors.map((e) => e.line)).toEqual([
      18, 19, 20, 21, 22, 36, 44, 45, 46, 47, 48, 49, 50, 51, 52, 54, 80, 81, 82, 83, 84, 85, 86, 87, 88, 90, 91, 92, 93, 94, 98,
      99, 100, 101, 102, 105, 106, 107, 108, 109, 112, 113, 114, 115, 116,
    ]);
    expect(dump.errors.every((e) => e instanceof ParseError && e.source === 'tpl')).toBe(true);
    expect(table(dump, 'filter').rules).toHaveLength(32);
    const nat = table(dump, 'nat');
    expect(nat.chains.size).toBe(0); // *nat without :lines: built-in chains need no declaration
    expect(nat.rules.map((r) => `${r.chain} ${r.outInterface!.name} ${r.target!.name}`)).toEqual([
      'POSTROUTING eth0 MASQUERADE',
      'POSTROUTING em3 MASQUERADE',
      'POSTROUTING eth2 MASQUERADE',
    ]);
  });
});

describe('parseIptablesSave syntax', () => {
  const one = (rule: string, extra = '') => {
    const dump = parseIptablesSave(`*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n${extra}${rule}\nCOMMIT\n`);
    return model(dump.tables[0]!.rules.at(-1)!);
  };

  it('reads the old negation form on core options and on module options', () => {
    expect(one('-A FORWARD -o ! eth0 -s ! 10.0.0.0/8 -p ! tcp -j ACCEPT')).toMatchObject({
      outInterface: {name: 'eth0', negated: true},
      source: {addr: '10.0.0.0/8', negated: true},
      protocol: {name: 'tcp', negated: true},
    });
    expect(one('-A INPUT -m state --state ! NEW -j ACCEPT').modules).toEqual([
      {name: 'state', options: [{name: '--state', values: ['NEW'], negated: true}]},
    ]);
  });

  it('gives a ! followed by an option to that option, also after a flag without values', () => {
    expect(one('-A INPUT -m policy --dir in --strict ! --reqid 1 -j ACCEPT').modules).toEqual([
      {
        name: 'policy',
        options: [
          {name: '--dir', values: ['in'], negated: false},
          {name: '--strict', values: [], negated: false},
          {name: '--reqid', values: ['1'], negated: true},
        ],
      },
    ]);
  });

  it('gives a ! after an option\'s values to the next option', () => {
    expect(one('-A INPUT -p tcp -m tcp --dport 22 ! --syn -j ACCEPT').modules).toEqual([
      {
        name: 'tcp',
        options: [
          {name: '--dport', values: ['22'], negated: false},
          {name: '--syn', values: [], negated: true},
        ],
      },
    ]);
  });

  it('keeps options with several values and quoted values that look like syntax', () => {
    expect(one('-A INPUT -m set --match-set blocklist src,dst -m comment --comment "!" -j LOG --log-prefix "-x "').modules).toEqual([
      {name: 'set', options: [{name: '--match-set', values: ['blocklist', 'src,dst'], negated: false}]},
      {name: 'comment', options: [{name: '--comment', values: ['!'], negated: false}]},
    ]);
  });

  it('puts long options before any -m in otherOptions and after -j in the target', () => {
    expect(one('-A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset')).toMatchObject({
      otherOptions: [{name: '--dport', values: ['22'], negated: false}],
      target: {kind: 'jump', name: 'REJECT', options: [{name: '--reject-with', values: ['tcp-reset'], negated: false}]},
    });
  });

  it('accepts a negative number as a value', () => {
    expect(one('-A INPUT -m foo --offset -1 -j ACCEPT').modules).toEqual([{name: 'foo', options: [{name: '--offset', values: ['-1'], negated: false}]}]);
  });

  it('reads -I without position before the first option and -I with one', () => {
    expect(one('-I INPUT -j ACCEPT')).toMatchObject({command: 'I', target: {name: 'ACCEPT'}});
    expect(one('-I INPUT -j ACCEPT').position).toBeUndefined();
    expect(one('-I INPUT 7 -j ACCEPT')).toMatchObject({command: 'I', position: 7});
  });

  it('declares chains with -N and sets policies with -P, also for chains never declared', () => {
    const dump = parseIptablesSave('*nat\n-N TD\n-P POSTROUTING ACCEPT\n-A TD -j MASQUERADE\nCOMMIT\n');
    expect(chainSummary(dump.tables[0]!)).toEqual(['TD - none user', 'POSTROUTING ACCEPT none builtin']);
  });

  it('reads empty input, blank lines and comments as an empty dump', () => {
    expect(parseIptablesSave('')).toEqual({tables: [], errors: []});
    expect(parseIptablesSave('\n  \n\t\n# only a comment\n')).toEqual({tables: [], errors: []});
  });

  it('keeps the version from the first header and ignores the footer', () => {
    const dump = parseIptablesSave('# Generated by iptables-save v1.8.9 (legacy) on X\n# Generated by ip6tables-save v9 (nf_tables) on Y\n# Completed on X\n');
    expect(dump).toEqual({version: '1.8.9', backend: 'legacy', family: 'ipv4', tables: [], errors: []});
  });
});

describe('parseIptablesSave errors', () => {

  itRejectsStrictlyAndRecordsTolerantly(SAVE_BAD_INPUTS, parseIptablesSave);

  it('tolerant mode keeps going after each bad line and keeps rules in undeclared chains', () => {
    const text = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -s', '-A INPUT -j ACCEPT', 'garbage', '-A POSTROUTING -j MASQUERADE', 'COMMIT', '-A X'].join('\n');
    const dump = parseIptablesSave(text, 'src', {tolerant: true});
    expect(errorsOf(dump)).toEqual([
      '3: option -s requires a value',
      '5: not an iptables-save line (expected *table, :chain, a rule, COMMIT or # comment)',
      '6: chain POSTROUTING is not declared in table filter (no :POSTROUTING line)',
      '8: rule outside a table (no *table before it)',
    ]);
    expect(dump.tables[0]!.rules.map((r) => `${r.line} ${r.chain} ${r.target!.name}`)).toEqual(['4 INPUT ACCEPT', '6 POSTROUTING MASQUERADE']);
  });

  it('clips huge offending text and details in the message', () => {
    const huge = 'x'.repeat(1_000_000);
    const error = parseErrorOf(() => parseIptablesSave(`*filter\n-A INPUT ${huge}\nCOMMIT\n`));
    expect(error.text).toHaveLength(1_000_009);
    expect(error.message.length).toBeLessThan(400);
  });
});
