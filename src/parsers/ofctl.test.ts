import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {DEFAULT_PRIORITY, parseDumpFlows, parseFlowLine, splitActions} from './ofctl.js';
import {modelOrParseError, mutationsOf} from '../../test/helpers/mutation.js';
import {parseErrorOf} from '../../test/helpers/thrown.js';

const sample = (path: string) => readFileSync(new URL(`../../test/samples/ovs-ofctl-dump-flows/${path}`, import.meta.url), 'utf8');

/** Everything but the evidence text and packet counters, which change with every capture. */
const shape = ({text: _text, nPackets: _n, ...rest}: {text: string; nPackets?: number}) => rest;

const ARP_LEARN =
  'learn(table=1,priority=100,in_port=LOCAL,eth_type=0x806,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],output:NXM_OF_IN_PORT[])';
const IP_LEARN =
  'learn(table=1,priority=100,in_port=LOCAL,eth_type=0x800,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[],output:NXM_OF_IN_PORT[])';

describe('parseDumpFlows', () => {
  it('reads the os-autoinst-openvswitch flows as dumped by Open vSwitch 3.1 (tcp_flags match dropped)', () => {
    const flows = parseDumpFlows(sample('generated-ovs-3.1-netns-br1.txt'), 'ovs.flows br1');
    expect(flows.map(shape)).toEqual([
      {
        table: 0,
        priority: 100,
        match: {arp: '', arp_tpa: '10.0.2.2'},
        actions: `${ARP_LEARN},load:0xa010000->NXM_OF_ARP_SPA[],move:NXM_OF_ETH_SRC[0..15]->NXM_OF_ARP_SPA[0..15],LOCAL`,
      },
      {
        table: 0,
        priority: 100,
        match: {ip: '', dl_dst: '86:01:16:13:1f:41'},
        actions: `${IP_LEARN},mod_nw_src:10.1.0.0,move:NXM_OF_ETH_SRC[0..15]->NXM_OF_IP_SRC[0..15],LOCAL`,
      },
      {
        table: 0,
        priority: 99,
        match: {ip: '', dl_dst: '86:01:16:13:1f:41'},
        actions: 'mod_nw_src:10.1.0.0,move:NXM_OF_ETH_SRC[0..15]->NXM_OF_IP_SRC[0..15],LOCAL',
      },
      {table: 0, priority: 1, match: {in_port: 'LOCAL'}, actions: 'resubmit(,1)'},
      {table: 0, priority: 0, match: {}, actions: 'NORMAL'},
    ]);
    expect(flows.every((f) => Number.isInteger(f.nPackets))).toBe(true);
    expect(flows[4]!.text).toMatch(/^cookie=0x0, duration=[\d.]+s, table=0, n_packets=\d+, n_bytes=\d+, idle_age=\d+, priority=0 actions=NORMAL$/);
  });

  it('reads an untouched bridge', () => {
    expect(parseDumpFlows(sample('generated-ovs-3.1-netns-untouched.txt'), 'ovs.flows br1').map(shape)).toEqual([
      {table: 0, priority: 0, match: {}, actions: 'NORMAL'},
    ]);
  });

  it('reads flags, timeouts, nested actions and default-priority match-all flows (OpenFlow 1.0 and 1.3 replies)', () => {
    const expected = (vlanAction: string) => [
      {table: 0, priority: 5, match: {in_port: 'LOCAL'}, actions: 'NORMAL'},
      {table: 0, priority: 0, match: {}, actions: 'NORMAL'},
      {table: 1, priority: 10, match: {ip: '', nw_src: '10.0.0.0/8'}, actions: 'ct(commit,zone=5,exec(load:0x1->NXM_NX_CT_MARK[])),NORMAL'},
      {table: 2, priority: 1, match: {dl_vlan: '12'}, actions: `${vlanAction},NORMAL`},
      {table: 3, priority: DEFAULT_PRIORITY, match: {}, actions: 'drop'},
    ];
    expect(parseDumpFlows(sample('generated-ovs-3.1-netns-edge-syntax.txt'), 'f').map(shape)).toEqual(expected('strip_vlan'));
    // OF1.3 prints flags ("send_flow_rem priority=5,...") and no idle_age.
    expect(parseDumpFlows(sample('generated-ovs-3.1-netns-edge-syntax-of13.txt'), 'f').map(shape)).toEqual(expected('pop_vlan'));
  });

  it('reads the 110 flows of a neutron br-int dump (hotsos)', () => {
    const flows = parseDumpFlows(sample('hotsos-neutron-br-int-nxst.txt'), 'f');
    expect(flows).toHaveLength(110);
    expect(shape(flows[0]!)).toEqual({table: 0, priority: 65535, match: {vlan_tci: '0x0fff/0x1fff'}, actions: 'drop'});
    expect(flows.filter((f) => f.nPackets! > 0).map((f) => f.nPackets)).toContain(8);
    expect(new Set(flows.map((f) => f.table)).size).toBeGreaterThan(3);
    expect(flows.find((f) => f.nPackets === 8)!.actions).toBe('resubmit(,1)');
  });

  it('reads one flow line exactly, counters beyond 2^32 included', () => {
    const line = 'cookie=0x565d7680690eea02, duration=62956.758s, table=23, n_packets=12345678901, n_bytes=616, idle_age=49, hard_age=3, priority=2,in_port=2,dl_src=fa:16:3f:0a:04:80 actions=resubmit(,1)';
    expect(parseFlowLine(line, 'f')).toEqual({
      table: 23,
      priority: 2,
      match: {in_port: '2', dl_src: 'fa:16:3f:0a:04:80'},
      actions: 'resubmit(,1)',
      nPackets: 12345678901,
      text: line,
    });
  });

  it('reads CRLF and a header-only dump', () => {
    expect(parseDumpFlows(sample('generated-ovs-3.1-netns-untouched.txt').replace(/\n/g, '\r\n'), 'f').map((f) => f.actions)).toEqual(['NORMAL']);
    expect(parseDumpFlows('NXST_FLOW reply (xid=0x4):\n', 'f')).toEqual([]);
  });

  it('gives a ParseError for error text instead of flows', () => {
    const negotiation = parseErrorOf(() => parseDumpFlows(sample('hotsos-sunbeam-version-negotiation-error.txt'), 'ovs.flows br-ex'));
    expect([negotiation.source, negotiation.line, negotiation.detail]).toEqual(['ovs.flows br-ex', 1, 'not a flow (no " actions=")']);
    expect(parseErrorOf(() => parseDumpFlows(sample('generated-ovs-3.1-netns-error-no-bridge.txt'), 'f')).text).toBe(
      'ovs-ofctl: br-nosuch is not a bridge or a socket',
    );
    expect(parseErrorOf(() => parseDumpFlows('', 'f')).detail).toBe('empty output, expected an NXST_FLOW/OFPST_FLOW reply');
    expect(parseErrorOf(() => parseDumpFlows(' cookie=0x0, bogus=1, priority=0 actions=NORMAL', 'f')).detail).toBe('unknown flow field "bogus"');
    expect(parseErrorOf(() => parseDumpFlows(' cookie=0x0, table=x, priority=0 actions=NORMAL', 'f')).detail).toBe('table is not a number');
    expect(parseErrorOf(() => parseDumpFlows(' cookie=0x0, table=0, priority=0 actions=', 'f')).detail).toBe('flow without actions');
    expect(parseErrorOf(() => parseDumpFlows('NXST_FLOW reply (xid=0x4):\n cookie=0x0, table=0, priority=0,,ip actions=drop', 'f'))).toMatchObject({line: 2, detail: 'empty match field'});
  });

  it('stays linear on a huge line', () => {
    const started = Date.now();
    expect(parseFlowLine(`priority=1,${'ip,'.repeat(300_000)}tcp actions=${'learn(a,b),'.repeat(300_000)}LOCAL`, 'f').priority).toBe(1);
    expect(() => parseDumpFlows('x'.repeat(5_000_000), 'f')).toThrow(ParseError);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('splitActions', () => {
  it('splits at top-level commas only', () => {
    expect(splitActions(`${IP_LEARN},mod_nw_src:10.1.0.0,move:NXM_OF_ETH_SRC[0..15]->NXM_OF_IP_SRC[0..15],LOCAL`)).toEqual([
      IP_LEARN,
      'mod_nw_src:10.1.0.0',
      'move:NXM_OF_ETH_SRC[0..15]->NXM_OF_IP_SRC[0..15]',
      'LOCAL',
    ]);
    expect(splitActions('ct(commit,zone=5,exec(load:0x1->NXM_NX_CT_MARK[])),NORMAL')).toEqual(['ct(commit,zone=5,exec(load:0x1->NXM_NX_CT_MARK[]))', 'NORMAL']);
    expect(splitActions('resubmit(,1)')).toEqual(['resubmit(,1)']);
    expect(splitActions('')).toEqual([]);
  });
});

// Random edits of real outputs: the parser answers with sane flows or a ParseError, nothing else.
const SPECIALS = [',', ', ', '=', ' actions=', 'priority=', '(', ')', 'table=', 'n_packets=x'];

describe('mutated real inputs', () => {
  it('dump-flows: a model or a ParseError', () => {
    const bases = ['generated-ovs-3.1-netns-br1-ipv6.txt', 'generated-ovs-3.1-netns-edge-syntax-of13.txt', 'hotsos-sunbeam-version-negotiation-error.txt'].map(sample);
    fc.assert(
      fc.property(mutationsOf(bases, {specials: SPECIALS}), (text) => {
        const flows = modelOrParseError(() => parseDumpFlows(text, 'f'));
        return flows instanceof ParseError || flows.every((f) => Number.isInteger(f.table) && Number.isFinite(f.priority) && f.actions !== '');
      }),
      {numRuns: 300},
    );
  });
});
