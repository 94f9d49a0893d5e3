import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseIptablesList} from './list.js';
import {parseIptablesSave} from './save.js';
import {
  BUILTIN_CHAINS,
  chainRuleCounters,
  chainRules,
  countersByChain,
  ifaceMatches,
  isBuiltinChain,
  listedChainCounters,
  natTargetsOutsideNat,
  reachableChains,
  rulesByChain,
  rulesMatchingIn,
  rulesMatchingOut,
  sumCounters,
  targetAllowedIn,
} from './semantics.js';
import type {IptablesDump, IptTable} from './types.js';

const ROOT = new URL('../../../test/samples/', import.meta.url);
const save = (name: string) => parseIptablesSave(readFileSync(new URL(`iptables-save/${name}`, ROOT), 'utf8'), name);
const table = (dump: IptablesDump, name: string): IptTable => dump.tables.find((t) => t.name === name)!;
const dumpOf = (text: string) => parseIptablesSave(text, 'inline', {tolerant: true});
const setsAsArrays = (m: Map<string, Set<string>>) => Object.fromEntries([...m].map(([k, v]) => [k, [...v].sort()]));

describe('BUILTIN_CHAINS', () => {
  it('lists the built-in chains of each table', () => {
    expect(BUILTIN_CHAINS).toEqual({
      filter: ['INPUT', 'FORWARD', 'OUTPUT'],
      nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
      mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
      raw: ['PREROUTING', 'OUTPUT'],
      security: ['INPUT', 'FORWARD', 'OUTPUT'],
    });
    expect([isBuiltinChain('nat', 'POSTROUTING'), isBuiltinChain('filter', 'POSTROUTING'), isBuiltinChain('nope', 'INPUT')]).toEqual([true, false, false]);
  });
});

describe('targetAllowedIn', () => {
  it('MASQUERADE only in nat POSTROUTING', () => {
    expect(targetAllowedIn('MASQUERADE', 'nat', 'POSTROUTING')).toBe(true);
    expect(targetAllowedIn('MASQUERADE', 'nat', 'PREROUTING')).toBe(false);
    expect(targetAllowedIn('MASQUERADE', 'filter', 'FORWARD')).toBe(false);
    expect(targetAllowedIn('MASQUERADE', 'filter', 'POSTROUTING')).toBe(false);
  });

  it('SNAT in nat POSTROUTING or INPUT; DNAT and REDIRECT in nat PREROUTING or OUTPUT', () => {
    const where = (target: string) => BUILTIN_CHAINS.nat!.filter((chain) => targetAllowedIn(target, 'nat', chain));
    expect(where('SNAT')).toEqual(['INPUT', 'POSTROUTING']);
    expect(where('DNAT')).toEqual(['PREROUTING', 'OUTPUT']);
    expect(where('REDIRECT')).toEqual(['PREROUTING', 'OUTPUT']);
    expect(targetAllowedIn('DNAT', 'mangle', 'PREROUTING')).toBe(false);
  });

  it('does not restrict other targets', () => {
    expect(targetAllowedIn('ACCEPT', 'nat', 'POSTROUTING')).toBe(true);
    expect(targetAllowedIn('TCPMSS', 'mangle', 'FORWARD')).toBe(true);
  });

  it('follows user chains to the built-in chains that reach them', () => {
    const nat = table(save('tapdoctor-ns-1.8.9-nft-save-c.txt'), 'nat');
    expect(targetAllowedIn('SNAT', nat, 'TD-SNAT')).toBe(true);
    expect(targetAllowedIn('DNAT', nat, 'TD-SNAT')).toBe(false); // TD-SNAT is reached from POSTROUTING
    const orphan = table(dumpOf('*nat\n:X - [0:0]\n-A X -j MASQUERADE\nCOMMIT\n'), 'nat');
    expect(targetAllowedIn('MASQUERADE', orphan, 'X')).toBe(true); // reached from nowhere: the kernel checks no hook
    expect(targetAllowedIn('MASQUERADE', 'nat', 'X')).toBe(true); // by name only: cannot tell
  });
});

describe('natTargetsOutsideNat', () => {
  it('finds nothing in real, loadable dumps', () => {
    for (const name of ['tapdoctor-ns-1.8.9-nft-save-c.txt', 'tapdoctor-ns-1.8.9-legacy-save-c.txt', 'tapdoctor-ns-1.8.9-nft-ip6-save-c.txt', 'hotsos-neutron-qrouter-negations-comment.txt']) {
      expect(natTargetsOutsideNat(save(name))).toEqual([]);
    }
  });

  it('flags the MASQUERADE under *filter of a hand-written sysconfig file', () => {
    const dump = save('handwritten-sysconfig-masquerade-in-filter.txt');
    const found = natTargetsOutsideNat(dump);
    expect(found.map(({rule, ...rest}) => ({line: rule.line, ...rest}))).toEqual([
      {
        line: 14,
        target: 'MASQUERADE',
        reason: 'table',
        allowedChains: ['POSTROUTING'],
        offendingChains: [],
        message: 'MASQUERADE in table filter (chain FORWARD): only valid in nat POSTROUTING',
      },
    ]);
  });

  it('flags NAT targets in the wrong nat chain, directly or through a user chain', () => {
    const dump = dumpOf(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        ':TD - [0:0]',
        '-A PREROUTING -j MASQUERADE',
        '-A POSTROUTING -j DNAT --to-destination 10.0.0.1',
        '-A PREROUTING -j TD',
        '-A POSTROUTING -j TD',
        '-A TD -j SNAT --to-source 10.0.0.2',
        '-A POSTROUTING -o eth0 -j MASQUERADE',
        'COMMIT',
        '*mangle',
        '-A PREROUTING -j REDIRECT',
        'COMMIT',
      ].join('\n'),
    );
    expect(natTargetsOutsideNat(dump).map((m) => [m.rule.line, m.reason, m.offendingChains, m.message])).toEqual([
      [5, 'chain', ['PREROUTING'], 'MASQUERADE in nat chain PREROUTING: only valid in nat POSTROUTING'],
      [6, 'chain', ['POSTROUTING'], 'DNAT in nat chain POSTROUTING: only valid in nat PREROUTING or OUTPUT'],
      [9, 'chain', ['PREROUTING'], 'SNAT in nat chain TD (reached from PREROUTING): only valid in nat POSTROUTING or INPUT'],
      [13, 'table', [], 'REDIRECT in table mangle (chain PREROUTING): only valid in nat PREROUTING or OUTPUT'],
    ]);
  });

  it('counts -g like -j', () => {
    const dump = dumpOf('*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -g MASQUERADE\nCOMMIT\n');
    expect(natTargetsOutsideNat(dump).map((m) => m.rule.line)).toEqual([3]);
  });
});

describe('ifaceMatches', () => {
  it('matches exact names, + wildcards, negations, and anything when undefined', () => {
    const m = (name: string, negated = false) => ({name, negated});
    expect(ifaceMatches(undefined, 'eth0')).toBe(true);
    expect(ifaceMatches(m('eth0'), 'eth0')).toBe(true);
    expect(ifaceMatches(m('eth0'), 'eth01')).toBe(false);
    expect(ifaceMatches(m('eth+'), 'eth0')).toBe(true);
    expect(ifaceMatches(m('eth+'), 'eth')).toBe(true);
    expect(ifaceMatches(m('eth+'), 'em3')).toBe(false);
    expect(ifaceMatches(m('+'), 'bondbr0')).toBe(true);
    expect(ifaceMatches(m('eth0', true), 'eth0')).toBe(false);
    expect(ifaceMatches(m('eth0', true), 'br1')).toBe(true);
    expect(ifaceMatches(m('tap+', true), 'tap7')).toBe(false);
  });
});

describe('reachableChains', () => {
  it('maps each chain to the built-in chains that reach it through -j and -g', () => {
    const dump = save('tapdoctor-ns-1.8.9-nft-save-c.txt');
    expect(setsAsArrays(reachableChains(table(dump, 'filter')))).toEqual({
      INPUT: ['INPUT'],
      FORWARD: ['FORWARD'],
      OUTPUT: ['OUTPUT'],
      'TD-FWD': ['FORWARD'], // via -g
      'TD-LOG': ['FORWARD'],
    });
    expect(setsAsArrays(reachableChains(table(dump, 'nat')))).toEqual({
      PREROUTING: ['PREROUTING'],
      INPUT: ['INPUT'],
      OUTPUT: ['OUTPUT'],
      POSTROUTING: ['POSTROUTING'],
      'TD-SNAT': ['POSTROUTING'],
    });
  });

  it('follows chains of chains, survives loops and leaves orphans empty', () => {
    const dump = dumpOf(
      '*filter\n:A - [0:0]\n:B - [0:0]\n:C - [0:0]\n:ORPHAN - [0:0]\n-A INPUT -j A\n-A OUTPUT -g A\n-A A -j B\n-A B -j A\n-A B -j C\n-A ORPHAN -j C\nCOMMIT\n',
    );
    expect(setsAsArrays(reachableChains(table(dump, 'filter')))).toEqual({
      A: ['INPUT', 'OUTPUT'],
      B: ['INPUT', 'OUTPUT'],
      C: ['INPUT', 'OUTPUT'],
      ORPHAN: [],
      INPUT: ['INPUT'],
      OUTPUT: ['OUTPUT'],
    });
  });

  it('works through the neutron router chains', () => {
    const reach = reachableChains(table(save('hotsos-neutron-qrouter-negations-comment.txt'), 'nat'));
    expect([...reach.get('neutron-l3-agent-float-snat')!]).toEqual(['POSTROUTING']);
    expect([...reach.get('neutron-l3-agent-PREROUTING')!]).toEqual(['PREROUTING']);
  });
});

describe('chainRules and interface helpers', () => {
  const dump = dumpOf(
    [
      '*filter',
      '-A FORWARD -i br1 -j ACCEPT',
      '-A FORWARD -i eth0 -o br1 -j ACCEPT',
      '-I FORWARD -o eth+ -j ACCEPT',
      '-I FORWARD 3 ! -o eth0 -j DROP',
      '-A FORWARD -j REJECT',
      '-I FORWARD 99 -o br1 -j LOG',
      'COMMIT',
    ].join('\n'),
  );
  const filter = table(dump, 'filter');
  const lines = (rules: {line: number}[]) => rules.map((r) => r.line);

  it('applies -I positions to give the kernel order', () => {
    expect(lines(chainRules(filter, 'FORWARD'))).toEqual([4, 2, 5, 3, 6, 7]);
    expect(chainRules(filter, 'INPUT')).toEqual([]);
  });

  it('rulesByChain: every chain in the order chainRules gives, chains without rules absent', () => {
    const mixed = dumpOf(['*filter', ':X - [0:0]', '-A FORWARD -j X', '-A X -j ACCEPT', '-I FORWARD -o eth+ -j ACCEPT', '-I X 2 -j DROP', '-A FORWARD -j REJECT', 'COMMIT'].join('\n'));
    const table = mixed.tables.find((t) => t.name === 'filter')!;
    const byChain = rulesByChain(table);
    expect([...byChain.keys()]).toEqual(['FORWARD', 'X']);
    expect(lines(byChain.get('FORWARD')!)).toEqual([5, 3, 7]);
    expect(lines(byChain.get('X')!)).toEqual([4, 6]);
    for (const chain of ['FORWARD', 'X']) expect(byChain.get(chain)).toEqual(chainRules(table, chain));
  });

  it('rulesMatchingOut: matching -o, rules without -o, or only named ones', () => {
    expect(lines(rulesMatchingOut(filter, 'FORWARD', 'eth0'))).toEqual([4, 2, 6]);
    expect(lines(rulesMatchingOut(filter, 'FORWARD', 'eth0', {explicit: true}))).toEqual([4]);
    expect(lines(rulesMatchingOut(filter, 'FORWARD', 'br1', {explicit: true}))).toEqual([5, 3, 7]);
  });

  it('rulesMatchingIn: the return path of a tap worker', () => {
    expect(lines(rulesMatchingIn(filter, 'FORWARD', 'eth0', {explicit: true}))).toEqual([3]);
    expect(lines(rulesMatchingIn(filter, 'FORWARD', 'br1'))).toEqual([4, 2, 5, 6, 7]);
  });
});

describe('counters', () => {
  const dump = save('tapdoctor-ns-1.8.9-nft-save-c.txt');
  const filter = table(dump, 'filter');

  it('sums rule counters per chain, exactly beyond 2^53', () => {
    expect(chainRuleCounters(filter, 'FORWARD')).toEqual({packets: 9876543210n + 100001n + 5n, bytes: 12345678901234n + 150000000n + 300n});
    expect(chainRuleCounters(filter, 'TD-FWD')).toEqual({packets: 0n, bytes: 0n});
    expect(chainRuleCounters(filter, 'OUTPUT')).toBeNull(); // no rules
    const big = dumpOf('*filter\n[9007199254740993:18446744073709551615] -A INPUT\n[1:1] -A INPUT\nCOMMIT\n');
    expect(chainRuleCounters(table(big, 'filter'), 'INPUT')).toEqual({packets: 9007199254740994n, bytes: 18446744073709551616n});
  });

  it('is null for dumps without -c', () => {
    const plain = save('tapdoctor-ns-1.8.9-nft-save.txt');
    expect(chainRuleCounters(table(plain, 'filter'), 'FORWARD')).toBeNull();
    expect(sumCounters([])).toBeNull();
  });

  it('countersByChain covers declared chains and chains with rules', () => {
    expect(Object.fromEntries(countersByChain(filter))).toEqual({
      INPUT: {packets: 2501590n, bytes: 3100131424n},
      FORWARD: {packets: 9876643216n, bytes: 12345828901534n},
      OUTPUT: null,
      'TD-FWD': {packets: 0n, bytes: 0n},
      'TD-LOG': {packets: 0n, bytes: 0n},
    });
  });

  it('listedChainCounters says whether the sum is exact', () => {
    const exact = parseIptablesList(readFileSync(new URL('iptables-list/tapdoctor-ns-1.8.9-nft-filter-Lvnx.txt', ROOT), 'utf8'));
    const rough = parseIptablesList(readFileSync(new URL('iptables-list/tapdoctor-ns-1.8.9-nft-filter-Lvn.txt', ROOT), 'utf8'));
    expect(listedChainCounters(exact.chains[1]!)).toEqual({packets: 9876643216n, bytes: 12345828901534n, exact: true});
    expect(listedChainCounters(rough.chains[1]!)).toEqual({packets: 9877100005n, bytes: 12000150000300n, exact: false});
    expect(listedChainCounters(exact.chains[2]!)).toBeNull();
  });
});
