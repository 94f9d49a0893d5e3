// Listings and -S rule lists into the iptables-save model, checked against the iptables-save -c
// of the same ruleset (real iptables 1.8.9 output captured in one namespace, test/samples).
import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {iptablesView} from '../../facts/firewall/iptables.js';
import {modelOrParseError, mutationsOf} from '../../../test/helpers/mutation.js';
import {ParseError} from '../errors.js';
import {dumpFromListings, dumpFromRuleSpecs, tableOfChains} from './from-list.js';
import {parseIptablesSave} from './save.js';
import {serializeIptablesSave} from './serialize.js';

const read = (p: string) => readFileSync(new URL(`../../../test/samples/${p}`, import.meta.url), 'utf8');
const FILTER_X = read('iptables-list/tapdoctor-ns-1.8.9-nft-filter-Lvnx.txt');
const FILTER = read('iptables-list/tapdoctor-ns-1.8.9-nft-filter-Lvn.txt');
const NAT = read('iptables-list/tapdoctor-ns-1.8.9-nft-nat-Lvn-line-numbers.txt');
const SAVE = parseIptablesSave(read('iptables-save/tapdoctor-ns-1.8.9-nft-save-c.txt'), 'save');

/** The parts of the firewall model a listing can express: per rule chain, interfaces, action/verdict. */
function shape(v: ReturnType<typeof iptablesView>) {
  const ifs = (m?: Array<{name: string; negated: boolean}>) => (m ?? []).map((x) => `${x.negated ? '!' : ''}${x.name}`).join(',');
  return {
    nat: v.nat.map((n) => `${n.table} ${n.chain} ${n.action} in=${ifs(n.in)} out=${ifs(n.out)} legal=${n.legal} src=${n.sourceNet ?? ''}`),
    forward: v.forward.map((p) => ({policy: p.policy, rules: p.rules.map((r) => `${r.verdict} in=${ifs(r.in)} out=${ifs(r.out)} stateful=${r.stateful}`)})),
  };
}

describe('dumpFromListings', () => {
  const converted = dumpFromListings(
    [
      {table: 'filter', text: FILTER_X, origin: 'iptables_-vnxL'},
      {table: 'nat', text: NAT, origin: 'iptables_-t_nat_-nvL'},
    ],
    'ipv4',
  );

  it('gives the firewall model iptables-save gives, for what a listing shows', () => {
    const fromSave = iptablesView({...SAVE, tables: SAVE.tables.filter((t) => t.name === 'filter' || t.name === 'nat')}, 'iptables', 'save');
    const fromList = iptablesView(converted.dump, 'iptables', 'list');
    expect(shape(fromList)).toEqual(shape(fromSave));
    expect(fromList.nat.length).toBe(4);
    // Exact counters (-x) equal iptables-save -c; rounded ones (nat without -x) are close.
    const fwd = (v: ReturnType<typeof iptablesView>) => v.forward[0]!.rules.map((r) => r.counters);
    expect(fwd(fromList)).toEqual(fwd(fromSave));
    expect(fromList.nat.find((n) => n.action === 'masquerade')!.counters).toEqual({packets: 5_000_000_000, bytes: 6_400_000_000_000});
  });

  it('states what the listing cannot show', () => {
    expect(converted.limits).toEqual([
      'iptables -L prints matches as text: 5 rules with matches beyond interfaces, addresses, protocol and conntrack state (ports, marks, ...) read without them, so they may apply more narrowly than shown',
      'counters were listed without -x and are rounded (12K = about 12000)',
    ]);
  });

  it('serializes to iptables-save text that parses back to the same rules', () => {
    const back = parseIptablesSave(serializeIptablesSave(converted.dump), 'back');
    expect(back.errors).toEqual([]);
    expect(back.tables.map((t) => [t.name, t.rules.length, [...t.chains.keys()]])).toEqual(converted.dump.tables.map((t) => [t.name, t.rules.length, [...t.chains.keys()]]));
  });

  it('a bare listing says which table it was read as', () => {
    const {dump, limits} = dumpFromListings([{text: NAT, origin: 'paste'}], 'ipv4');
    expect(dump.tables[0]!.name).toBe('nat');
    expect(limits[0]).toBe('paste does not name its table: read as nat (it has POSTROUTING and no FORWARD chain)');
    expect(tableOfChains(['INPUT', 'FORWARD', 'OUTPUT'], 'x').table).toBe('filter');
  });

  it('refuses a listing without -v (no interfaces: judging it would be a guess)', () => {
    const plain = 'Chain FORWARD (policy ACCEPT)\ntarget     prot opt source               destination\nACCEPT     all  --  0.0.0.0/0            0.0.0.0/0\n';
    expect(() => dumpFromListings([{text: plain, origin: 'p'}], 'ipv4')).toThrow(/without -v shows no interfaces/);
  });

  it('property: mutated listings give a dump or a ParseError, never a crash', () => {
    fc.assert(
      fc.property(mutationsOf([FILTER_X, FILTER, NAT], {specials: ['Chain ', '(policy ', '[goto]', '/* ', ' */', 'ctstate ', '!', '*', '--']}), (text) => {
        const r = modelOrParseError(() => dumpFromListings([{text, origin: 'm'}], 'ipv4'));
        if (!(r instanceof ParseError)) expect(() => iptablesView(r.dump, 'iptables', 'm')).not.toThrow();
      }),
      {numRuns: 300},
    );
  });
});

describe('dumpFromRuleSpecs (iptables -S)', () => {
  // iptables -S prints the rules of iptables-save without counters and table header.
  const specs = read('iptables-save/tapdoctor-ns-1.8.9-nft-save.txt')
    .split('*nat')[1]!
    .split('\n')
    .filter((l) => l.startsWith('-A') || l.startsWith(':'))
    .map((l) => (l.startsWith(':') ? `${l.endsWith('- [0:0]') || / - /.test(l) ? '-N' : '-P'} ${l.slice(1).split(' ').slice(0, l.includes(' - ') ? 1 : 2).join(' ')}` : l))
    .join('\n');

  it('reads a bare -S as the table its chains say, with the same NAT rules as iptables-save', () => {
    const {dump, limits} = dumpFromRuleSpecs(specs, 'paste', 'ipv4');
    expect(dump.errors).toEqual([]);
    expect(dump.tables[0]!.name).toBe('nat');
    expect(limits).toEqual(['paste does not name its table: read as nat (it has POSTROUTING and no FORWARD chain)', 'iptables -S shows no counters (-S -v would)']);
    const fromSave = iptablesView({...SAVE, tables: SAVE.tables.filter((t) => t.name === 'nat')}, 'iptables', 'save');
    expect(shape(iptablesView(dump, 'iptables', 'paste')).nat).toEqual(shape(fromSave).nat);
    expect(dump.tables[0]!.rules[0]!.line).toBe(specs.split('\n').findIndex((l) => l.startsWith('-A')) + 1);
  });
});
