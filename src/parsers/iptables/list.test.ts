import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseIptablesList} from './list.js';
import {parseIptablesSave} from './save.js';
import {chainRules} from './semantics.js';
import type {IptablesListing, ListedChain, ListedRule} from './types.js';
import {itRejectsStrictlyAndRecordsTolerantly, type BadInput} from '../../../test/helpers/iptables.js';

const SAMPLES = new URL('../../../test/samples/iptables-list/', import.meta.url);
const sample = (name: string) => readFileSync(new URL(name, SAMPLES), 'utf8');
const parseSample = (name: string) => parseIptablesList(sample(name), name);

const chain = (listing: IptablesListing, name: string): ListedChain => {
  const found = listing.chains.find((c) => c.name === name);
  if (!found) throw new Error(`no chain ${name}`);
  return found;
};
const header = ({rules: _rules, ...rest}: ListedChain) => rest;
/** One line per rule: the columns as parsed, for compact exact expectations. */
const row = (r: ListedRule) =>
  [
    r.num ?? '',
    r.packets ?? '-',
    r.bytes ?? '-',
    r.countersExact ? '' : '~',
    r.target || '(none)',
    `${r.protocol.negated ? '!' : ''}${r.protocol.name}`,
    r.opt,
    r.inInterface ? `${r.inInterface.negated ? '!' : ''}${r.inInterface.name}` : '*',
    r.outInterface ? `${r.outInterface.negated ? '!' : ''}${r.outInterface.name}` : '*',
    `${r.source.negated ? '!' : ''}${r.source.addr}`,
    `${r.destination.negated ? '!' : ''}${r.destination.addr}`,
    r.goto ? 'goto' : '',
    r.extra,
  ]
    .join('|')
    .replace(/\|+$/, '');

describe('parseIptablesList on iptables 1.8.9 output captured in a namespace', () => {
  it('-L -v -n -x: exact counts, empty target, negation, wildcard, goto, comments', () => {
    const listing = parseSample('tapdoctor-ns-1.8.9-nft-filter-Lvnx.txt');
    expect(listing.errors).toEqual([]);
    expect(listing.chains.map(header)).toEqual([
      {name: 'INPUT', line: 1, policy: 'ACCEPT', policyPackets: 123456n, policyBytes: 98765432n, references: null},
      {name: 'FORWARD', line: 10, policy: 'DROP', policyPackets: 12n, policyBytes: 3456n, references: null},
      {name: 'OUTPUT', line: 18, policy: 'ACCEPT', policyPackets: 99999n, policyBytes: 100000n, references: null},
      {name: 'TD-FWD', line: 21, policy: null, policyPackets: null, policyBytes: null, references: 1},
      {name: 'TD-LOG', line: 26, policy: null, policyPackets: null, policyBytes: null, references: 1},
    ]);
    expect(chain(listing, 'INPUT').rules.map(row)).toEqual([
      '|1500|126000||ACCEPT|0|--|lo|*|0.0.0.0/0|0.0.0.0/0',
      '|2500000|3100000000||ACCEPT|0|--|*|*|0.0.0.0/0|0.0.0.0/0||ctstate RELATED,ESTABLISHED',
      '|12|720||ACCEPT|6|--|*|*|0.0.0.0/0|0.0.0.0/0||tcp dpt:22 /* ssh "admin" access */',
      '|0|0||DROP|0|--|!br1|*|10.0.0.0/15|0.0.0.0/0',
      '|77|4620||(none)|0|--|*|*|192.168.2.0/24|0.0.0.0/0',
      '|1|84||ACCEPT|1|--|*|*|0.0.0.0/0|0.0.0.0/0||icmptype 8',
    ]);
    expect(chain(listing, 'FORWARD').rules.map(row)).toEqual([
      '|9876543210|12345678901234||ACCEPT|0|--|br1|*|0.0.0.0/0|0.0.0.0/0',
      '|100001|150000000||ACCEPT|0|--|eth+|br1|0.0.0.0/0|0.0.0.0/0||state RELATED,ESTABLISHED',
      '|0|0||TD-FWD|0|--|*|tap+|0.0.0.0/0|0.0.0.0/0|goto|[goto]',
      '|0|0||TD-LOG|0|--|*|!eth0|0.0.0.0/0|0.0.0.0/0||/* back\\slash and "quotes" */',
      '|5|300||REJECT|0|--|*|*|0.0.0.0/0|0.0.0.0/0||reject-with icmp-host-prohibited',
    ]);
    expect(chain(listing, 'TD-LOG').rules.map(row)).toEqual([
      '|0|0||LOG|0|--|*|*|0.0.0.0/0|0.0.0.0/0||LOG flags 0 level 4 prefix "td fwd: "',
      '|0|0||DROP|0|--|*|*|0.0.0.0/0|0.0.0.0/0',
    ]);
    const commented = chain(listing, 'INPUT').rules[2]!;
    expect(commented).toMatchObject({line: 5, comments: ['ssh "admin" access'], prot: '6', protocol: {name: '6', negated: false}});
    expect(commented.text).toBe('      12      720 ACCEPT     6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:22 /* ssh "admin" access */');
    expect(chain(listing, 'FORWARD').rules[3]!.comments).toEqual(['back\\slash and "quotes"']);
  });

  it('the legacy backend lists the same rules the same way', () => {
    const strip = (l: IptablesListing) => l.chains.map((c) => ({...header(c), rules: c.rules.map(row)}));
    expect(strip(parseSample('tapdoctor-ns-1.8.9-legacy-filter-Lvnx.txt'))).toEqual(strip(parseSample('tapdoctor-ns-1.8.9-nft-filter-Lvnx.txt')));
  });

  it('-L -v -n without -x: K/M/G/T abbreviations as approximate bigints', () => {
    const listing = parseSample('tapdoctor-ns-1.8.9-nft-filter-Lvn.txt');
    expect(header(chain(listing, 'INPUT'))).toEqual({
      name: 'INPUT',
      line: 1,
      policy: 'ACCEPT',
      policyPackets: 123000n,
      policyBytes: 99000000n,
      references: null,
    });
    expect(chain(listing, 'INPUT').rules.slice(0, 2).map(row)).toEqual([
      '|1500|126000|~|ACCEPT|0|--|lo|*|0.0.0.0/0|0.0.0.0/0',
      '|2500000|3100000000|~|ACCEPT|0|--|*|*|0.0.0.0/0|0.0.0.0/0||ctstate RELATED,ESTABLISHED',
    ]);
    expect(chain(listing, 'INPUT').rules[2]!.countersExact).toBe(true);
    expect(chain(listing, 'FORWARD').rules[0]).toMatchObject({packets: 9877000000n, bytes: 12000000000000n, countersExact: false});
  });

  it('--line-numbers in nat: num column, G suffix, negated destination, NAT target text', () => {
    const listing = parseSample('tapdoctor-ns-1.8.9-nft-nat-Lvn-line-numbers.txt');
    expect(header(chain(listing, 'POSTROUTING'))).toMatchObject({policyPackets: 4300000000n, policyBytes: 390000000000n});
    expect(chain(listing, 'PREROUTING').rules.map(row)).toEqual([
      '1|3|180||DNAT|6|--|eth0|*|0.0.0.0/0|192.0.2.10||tcp dpt:8080 to:10.0.2.15:80',
      '2|0|0||REDIRECT|6|--|br1|*|0.0.0.0/0|0.0.0.0/0||tcp dpt:80 redir ports 3128',
    ]);
    expect(chain(listing, 'POSTROUTING').rules.map(row)).toEqual([
      '1|5000000000|6400000000000|~|MASQUERADE|0|--|*|eth0|0.0.0.0/0|0.0.0.0/0',
      '2|42|2520||TD-SNAT|0|--|*|*|10.0.0.0/15|!10.0.0.0/15',
    ]);
    expect(chain(listing, 'TD-SNAT').rules.map(row)).toEqual(['1|42|2520||SNAT|0|--|*|eth+|0.0.0.0/0|0.0.0.0/0||to:192.0.2.1 random-fully']);
  });

  it('ip6tables: IPv6 columns, empty target, prot 58', () => {
    expect(chain(parseSample('tapdoctor-ns-1.8.9-nft-ip6-filter-Lvnx.txt'), 'FORWARD').rules.map(row)).toEqual([
      '|0|0||ACCEPT|0|--|br1|eth+|::/0|::/0||/* sut "v6" out */',
      '|0|0||ACCEPT|58|--|!br1|*|::/0|fd00:10::/64',
      '|0|0||(none)|0|--|*|*|2001:db8::/32|::/0',
    ]);
    expect(chain(parseSample('tapdoctor-ns-1.8.9-nft-ip6-nat-Lvn.txt'), 'POSTROUTING').rules.map(row)).toEqual([
      '|0|0||MASQUERADE|0|--|*|eth0|fd00:10::/64|::/0',
    ]);
  });

  it('-L -v -n -x agrees with iptables-save -c from the same namespace', () => {
    const listing = parseSample('tapdoctor-ns-1.8.9-nft-filter-Lvnx.txt');
    const dump = parseIptablesSave(readFileSync(new URL('../iptables-save/tapdoctor-ns-1.8.9-nft-save-c.txt', SAMPLES), 'utf8'));
    const filter = dump.tables.find((t) => t.name === 'filter')!;
    for (const listed of listing.chains) {
      expect(listed.rules.map((r) => [r.packets, r.bytes, r.target])).toEqual(
        chainRules(filter, listed.name).map((r) => [r.counters!.packets, r.counters!.bytes, r.target?.name ?? '']),
      );
    }
  });
});

describe('parseIptablesList on published output', () => {
  it('hotsos kubernetes -vnxL: references, comments next to other matches', () => {
    const listing = parseSample('hotsos-k8s-vnxL-comments.txt');
    expect(listing.chains.map((c) => `${c.name} ${c.policy ?? c.references} ${c.rules.length}`)).toEqual([
      'INPUT ACCEPT 2',
      'FORWARD ACCEPT 5',
      'OUTPUT ACCEPT 1',
      'KUBE-EXTERNAL-SERVICES 2 0',
      'KUBE-FORWARD 1 3',
      'KUBE-NODEPORTS 1 0',
      'KUBE-PROXY-CANARY 0 0',
      'KUBE-SERVICES 2 0',
    ]);
    expect(chain(listing, 'KUBE-FORWARD').rules.map((r) => [r.extra, r.comments])).toEqual([
      ['ctstate INVALID', []],
      ['/* kubernetes forwarding rules */ mark match 0x4000/0x4000', ['kubernetes forwarding rules']],
      ['/* kubernetes forwarding conntrack rule */ ctstate RELATED,ESTABLISHED', ['kubernetes forwarding conntrack rule']],
    ]);
    expect(chain(listing, 'INPUT').rules.map(row)[0]).toBe(
      '|97531|37969640||KUBE-NODEPORTS|all|--|*|*|0.0.0.0/0|0.0.0.0/0||/* kubernetes health check service ports */',
    );
  });

  it('jc CentOS 7 firewalld+docker -L -n -v: 1130K, !docker0, + as interface, [goto], overflowing target names', () => {
    const listing = parseSample('jc-centos7-filter-Lnv-firewalld-docker.txt');
    expect(listing.errors).toEqual([]);
    expect(listing.chains).toHaveLength(26);
    expect(chain(listing, 'INPUT').rules.slice(0, 4).map(row)).toEqual([
      '|4175|1130000|~|ACCEPT|all|--|*|*|0.0.0.0/0|0.0.0.0/0||ctstate RELATED,ESTABLISHED',
      '|0|0||ACCEPT|all|--|lo|*|0.0.0.0/0|0.0.0.0/0',
      '|2383|204000|~|INPUT_direct|all|--|*|*|0.0.0.0/0|0.0.0.0/0',
      '|2383|204000|~|INPUT_ZONES_SOURCE|all|--|*|*|0.0.0.0/0|0.0.0.0/0',
    ]);
    expect(chain(listing, 'FORWARD').rules[3]).toMatchObject({inInterface: {name: 'docker0', negated: false}, outInterface: {name: 'docker0', negated: true}});
    expect(chain(listing, 'INPUT_ZONES').rules.map(row)).toEqual([
      '|2367|202000|~|IN_public|all|--|ens33|*|0.0.0.0/0|0.0.0.0/0|goto|[goto]',
      '|1|330||IN_public|all|--|+|*|0.0.0.0/0|0.0.0.0/0|goto|[goto]',
    ]);
    expect(chain(listing, 'OUTPUT').policyPackets).toBe(5n);
  });

  it('jc rule without target, listed without -v and -n', () => {
    expect(parseSample('jc-no-jump-target.txt')).toEqual({
      chains: [
        {
          name: 'INPUT',
          line: 1,
          policy: 'ACCEPT',
          policyPackets: null,
          policyBytes: null,
          references: null,
          rules: [
            {
              line: 3,
              text: '           udp  --  anywhere             anywhere',
              packets: null,
              bytes: null,
              countersExact: true,
              target: '',
              prot: 'udp',
              protocol: {name: 'udp', negated: false},
              opt: '--',
              source: {addr: 'anywhere', negated: false},
              destination: {addr: 'anywhere', negated: false},
              extra: '',
              comments: [],
              goto: false,
            },
          ],
        },
      ],
      errors: [],
    });
  });

  it('moby --line-numbers with prot 0: numbered rules, negated in-interface', () => {
    const listing = parseSample('moby-new-daemon-filter-nvL-linenumbers-prot0.txt');
    expect(chain(listing, 'DOCKER').rules.map(row)).toEqual(['1|0|0||DROP|0|--|!docker0|docker0|0.0.0.0/0|0.0.0.0/0']);
    expect(chain(listing, 'DOCKER-FORWARD').rules.map((r) => `${r.num} ${r.target}`)).toEqual([
      '1 DOCKER-CT',
      '2 DOCKER-INTERNAL',
      '3 DOCKER-BRIDGE',
      '4 ACCEPT',
    ]);
    const nat = parseSample('moby-new-daemon-nat-nvL-linenumbers.txt');
    expect(chain(nat, 'POSTROUTING').rules.map(row)).toEqual(['1|0|0||MASQUERADE|0|--|*|!docker0|172.17.0.0/16|0.0.0.0/0']);
    expect(chain(nat, 'OUTPUT').rules.map(row)).toEqual(['1|0|0||DOCKER|0|--|*|*|0.0.0.0/0|!127.0.0.0/8||ADDRTYPE match dst-type LOCAL']);
  });
});

describe('parseIptablesList edge cases and errors', () => {
  it('reads empty input and the legacy-tables warning', () => {
    expect(parseIptablesList('')).toEqual({chains: [], errors: []});
    expect(parseIptablesList('\n# Warning: iptables-legacy tables present, use iptables-legacy to see them\n')).toEqual({
      chains: [],
      errors: [],
      legacyTablesPresent: true,
    });
  });

  it('reads negated protocol and the fragment opt column, and CRLF', () => {
    const text = 'Chain INPUT (policy DROP 1K packets, 2M bytes)\r\n pkts bytes target prot opt in out source destination\r\n    1     2 ACCEPT !tcp -f * * 1.2.3.4 !5.6.7.8\r\n';
    expect(parseIptablesList(text).chains[0]!.rules.map(row)).toEqual(['|1|2||ACCEPT|!tcp|-f|*|*|1.2.3.4|!5.6.7.8']);
  });

  const cases: BadInput[] = [
    ['command not found', 'bash: iptables: command not found\n', 1, 'not an iptables -L listing line (expected "Chain ...")'],
    ['rule before the column header', 'Chain INPUT (policy ACCEPT)\n    0     0 ACCEPT  all  --  *  *  0.0.0.0/0  0.0.0.0/0\n', 2, 'rule before the column header'],
    ['bad chain header', 'Chain INPUT policy ACCEPT\n', 1, 'bad chain header (expected "Chain NAME (policy ...)" or "(N references)")'],
    ['bad references', 'Chain X (many references)\n', 1, 'bad chain header (expected "(policy ...)" or "(N references)")'],
    ['bad policy counters', 'Chain X (policy ACCEPT 1 packets)\n', 1, 'bad policy counters in chain header'],
    ['column header without chain', 'target prot opt source destination\n', 1, 'column header outside a chain (no "Chain ..." line before it)'],
    ['unknown columns', 'Chain X (1 references)\npkts bytes target prot opt in out source\n', 2, 'unrecognized column header'],
    ['bad counts', 'Chain X (1 references)\npkts bytes target prot opt in out source destination\n 1x 2 ACCEPT all -- * * a b\n', 3, 'bad packet/byte counts'],
    ['bad opt column', 'Chain X (1 references)\npkts bytes target prot opt in out source destination\n 1 2 ACCEPT all xx * * a b\n', 3, 'bad prot/opt columns'],
    ['missing columns', 'Chain X (1 references)\npkts bytes target prot opt in out source destination\n 1 2 ACCEPT all -- * *\n', 3, 'missing source/destination columns'],
    ['bad rule number', 'Chain X (1 references)\nnum pkts bytes target prot opt in out source destination\nx 1 2 ACCEPT all -- * * a b\n', 3, 'bad rule number'],
  ];

  itRejectsStrictlyAndRecordsTolerantly(cases, parseIptablesList);

  it('reads a rule whose target is a chain called like a column', () => {
    const text = 'Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\ntarget     all  --  0.0.0.0/0            0.0.0.0/0\n';
    expect(parseIptablesList(text).chains[0]!.rules.map(row)).toEqual(['|-|-||target|all|--|*|*|0.0.0.0/0|0.0.0.0/0']);
  });

  it('tolerant mode keeps the good rules around a bad one', () => {
    const text = 'Chain X (1 references)\npkts bytes target prot opt in out source destination\n1 2 A all -- * * a b\n1x 2 B all -- * * a b\n3 4 C all -- * * a b\n';
    const listing = parseIptablesList(text, 'src', {tolerant: true});
    expect(listing.chains[0]!.rules.map((r) => r.target)).toEqual(['A', 'C']);
    expect(listing.errors.map((e) => e.line)).toEqual([4]);
  });
});
