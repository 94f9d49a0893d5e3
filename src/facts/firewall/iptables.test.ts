// The live firewall reads only the iptables rules its view needs (iptablesViewNeeds): the view must
// be the one a whole parse gives, and the problems it reports must be those of what it read plus
// every line-level problem.
import {readdirSync, readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot} from '../../../test/helpers/snapshot.js';
import {generate} from '../../../scripts/iptables-rules.mjs';
import {DEFAULT_CONFIG} from '../../config.js';
import {indexIptablesSave, parseIptablesSave} from '../../parsers/iptables/index.js';
import {SnapshotView} from '../../sources/snapshot.js';
import {Facts} from '../facts.js';
import {iptablesChainKeys, iptablesInEffect, iptablesView, iptablesViewNeeds} from './iptables.js';
import {liveFirewall} from './index.js';

const ROOT = new URL('../../../test/samples/iptables-save/', import.meta.url);
const SAVES = readdirSync(ROOT)
  .filter((name) => name.endsWith('.txt'))
  .map((name) => [name, readFileSync(new URL(name, ROOT), 'utf8')] as const);

// NAT where the kernel refuses it and NAT behind user chains with interface conditions, on top of
// the benchmark's rule set: every path of the view (misplaced, reached, unreached, FORWARD verdicts).
const TRICKY = `${generate(2000)}*mangle
:PREROUTING ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:TD-M - [0:0]
:TD-ORPHAN - [0:0]
-A PREROUTING -i br1 -j TD-M
-A FORWARD -o eth0 -g TD-M
-A TD-M -o eth0 -j MASQUERADE
-A TD-ORPHAN -j DNAT --to-destination 10.0.0.1
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:TD-NAT - [0:0]
-A INPUT -i eth1 -j TD-NAT
-A TD-NAT -j SNAT --to-source 192.0.2.1
-I FORWARD 1 -i br1 -o eth0 -j ACCEPT
COMMIT
`;

describe('iptablesView of the rules iptablesViewNeeds selects', () => {
  it.each([...SAVES, ['benchmark rules with misplaced and chained NAT', TRICKY] as const])('is the view of the whole parse: %s', (_name, text) => {
    const whole = parseIptablesSave(text, 'iptables.save', {tolerant: true});
    const index = indexIptablesSave(text, 'iptables.save');
    const selected = index.select(iptablesViewNeeds(index.tables));
    expect(iptablesView(selected, 'iptables', 'iptables.save')).toEqual(iptablesView(whole, 'iptables', 'iptables.save'));
  });

  it('reads a small part of a large rule set', () => {
    const index = indexIptablesSave(generate(20_000), 'iptables.save');
    const read = index.select(iptablesViewNeeds(index.tables)).tables.reduce((n, t) => n + t.rules.length, 0);
    const all = index.tables.reduce((n, t) => n + t.ruleCount, 0);
    expect(all).toBe(20_001); // the generator adds the jump to TD-SNAT
    expect(read).toBeLessThan(all / 10);
  });

  it('judges "in effect" and the chains shown by every rule, read or not', () => {
    // Only a rule in INPUT (never read by the view): the table still acts and still shows INPUT.
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1 -j DROP\nCOMMIT\n';
    const index = indexIptablesSave(text, 'iptables.save');
    expect(index.select(iptablesViewNeeds(index.tables)).tables[0]!.rules).toEqual([]);
    expect(iptablesInEffect(index.tables)).toBe(true);
    expect([...iptablesChainKeys(index.tables, 'ip')]).toEqual(['ip filter INPUT']);
    expect(iptablesInEffect(indexIptablesSave('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n').tables)).toBe(false);
  });
});

describe('iptablesView reach of NAT rules that share a chain', () => {
  // The reach is worked out once per chain, -i and -o: rules that differ only in a negation, a
  // wildcard or the direction of their match must each get their own.
  const text = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':TD-S - [0:0]',
    ':TD-D - [0:0]',
    '-A POSTROUTING -o br1 -j TD-S',
    '-A TD-S -o eth0 -j MASQUERADE',
    '-A TD-S ! -o eth0 -j MASQUERADE',
    '-A TD-S -o br+ -j MASQUERADE',
    '-A TD-S -o eth+ -j MASQUERADE',
    '-A TD-S -o eth0 -j MASQUERADE',
    '-A TD-S ! -o eth0 -j MASQUERADE',
    '-A PREROUTING -j TD-D',
    '-A TD-D -i eth0 -j DNAT --to-destination 10.0.0.1',
    '-A TD-D -o eth0 -j DNAT --to-destination 10.0.0.2',
    '-A TD-D -i eth0 -j DNAT --to-destination 10.0.0.3',
    'COMMIT',
  ].join('\n');
  const names = (m: {name: string; negated: boolean}[] | undefined) => m?.map((x) => `${x.negated ? '!' : ''}${x.name}`);

  it('gives each its own effective interfaces and legality', () => {
    const {nat} = iptablesView(parseIptablesSave(text), 'iptables', 'iptables.save');
    expect(nat.map((r) => [r.line, names(r.out), names(r.in), r.legal])).toEqual([
      [7, undefined, undefined, false], // br1 from the jump and eth0 exclude each other
      [8, ['br1', '!eth0'], undefined, true],
      [9, ['br1'], undefined, true],
      [10, undefined, undefined, false],
      [11, undefined, undefined, false],
      [12, ['br1', '!eth0'], undefined, true],
      [14, undefined, ['eth0'], true],
      [15, ['eth0'], undefined, true],
      [16, undefined, ['eth0'], true],
    ]);
  });
});

describe('liveFirewall problems with a lazily read iptables-save', () => {
  const text = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    '-A INPUT -m comment --comment "unterminated -j ACCEPT', // shape: reported although INPUT is not read
    '-A INPUT -s 10.0.0.1 -s 10.0.0.2 -j ACCEPT', // options: INPUT is not read, so not judged
    '-A FORWARD -i br1 -i br2 -j ACCEPT', // options, in FORWARD, which is read: reported
    '-A FORWARD -i br1 -j ACCEPT',
    'COMMIT',
  ].join('\n');

  it('reports every line-level problem and the problems of the rules it read, and says the view skipped them', () => {
    const f = new Facts(new SnapshotView(makeSnapshot({commands: {'iptables.save': text}})), DEFAULT_CONFIG);
    const view = f.get(liveFirewall);
    expect(f.parseProblems().map((p) => p.problem)).toEqual([
      'line 4 skipped: -A INPUT -m comment --comment "unterminated -j ACCEPT (unterminated quote)',
      'line 6 skipped: -A FORWARD -i br1 -i br2 -j ACCEPT (multiple -i flags)',
    ]);
    expect(view.skipped).toEqual(['iptables.save line 4: -A INPUT -m comment --comment "unterminated -j ACCEPT', 'iptables.save line 6: -A FORWARD -i br1 -i br2 -j ACCEPT']);
    expect(view.forward[0]!.rules.map((r) => r.line)).toEqual([7]);
  });
});

describe('iptablesView, interface names that look like syntax', () => {
  // iptables-restore takes `-o !eth0` as the name "!eth0" (no interface has it) and iptables-save
  // writes it back so; `! -o eth0` is the negation. Rules with either, in either order, keep their own.
  const dump = (first: string, second: string) =>
    parseIptablesSave(['*nat', ':POSTROUTING ACCEPT [0:0]', ':TD-S - [0:0]', '-A POSTROUTING -j TD-S', first, second, 'COMMIT', ''].join('\n'));
  const negated = '-A TD-S ! -o eth0 -j MASQUERADE';
  const literal = '-A TD-S -o !eth0 -j MASQUERADE';
  it.each([
    ['negation first', negated, literal],
    ['literal name first', literal, negated],
  ])('a literal !eth0 is not a negated eth0 (%s)', (_name, first, second) => {
    const nat = iptablesView(dump(first, second), 'iptables', 'iptables.save').nat;
    const byText = new Map(nat.map((r) => [r.text, r.out]));
    expect(byText.get(negated)).toEqual([{name: 'eth0', negated: true, wildcard: false}]);
    expect(byText.get(literal)).toEqual([{name: '!eth0', negated: false, wildcard: false}]);
  });
});
