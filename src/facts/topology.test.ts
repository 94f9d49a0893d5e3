import {describe, expect, it, vi} from 'vitest';
import {finding, reportOf, sampleReport} from '../../test/report/fixtures.js';
import {FactUnavailable, type Facts} from './facts.js';
import type {FirewallView, IfMatch, NatRule} from './firewall/index.js';
import type {IpAddress, Link, OvsDb, OvsPort, PoolJob, SwitchConfig, UplinkView} from './types.js';
import type {CheckResult, Report} from '../model.js';
import {buildTopology, placeFindings} from '../report/place-findings.js';
import {assembleTopology as wiring, naturalCompare, type NatSummary, type TopologyInputs} from './topology.js';

// The wiring plus the run's findings, as the HTML report gets it.
const assembleTopology = (inputs: TopologyInputs, report: Report) => placeFindings(wiring(inputs, report.target.host), report);

// buildTopology reads these fact modules; the tests give it fixed answers.
const factValues = vi.hoisted(() => ({values: new Map<string, unknown>()}));
vi.mock('./network.js', () => ({links: named('links'), uplinks: named('uplinks')}));
vi.mock('./ovs.js', () => ({ovsDb: named('ovsDb')}));
vi.mock('./openqa.js', () => ({poolJobs: named('poolJobs'), switchConfig: named('switchConfig'), workerConfig: named('workerConfig')}));
// The firewall module's own masqueradesFor/matchesInterface stay real: the topology must agree with TD008.
vi.mock('./firewall/index.js', async (importOriginal) => ({...(await importOriginal<object>()), liveFirewall: named('liveFirewall')}));

function named(name: string) {
  const fn = () => {
    if (!factValues.values.has(name)) throw new FactUnavailable(`${name} not collected`);
    const v = factValues.values.get(name);
    if (v instanceof Error) throw v;
    return v;
  };
  Object.defineProperty(fn, 'name', {value: name});
  return fn;
}

/** A Facts stand-in: `try` like the real one (the memo is irrelevant here). */
function fakeFacts(): Facts {
  return {
    view: {manifest: {hostname: 'worker1'}},
    get(fact: (f: Facts) => unknown) {
      return fact(this as unknown as Facts);
    },
    try(fact: () => unknown) {
      try {
        return {ok: true, value: fact()};
      } catch (error) {
        if (error instanceof FactUnavailable) return {ok: false, reason: error.reason};
        throw error;
      }
    },
  } as unknown as Facts;
}

const addr = (local: string, prefixlen: number, family: 'inet' | 'inet6' = 'inet', scope = 'global'): IpAddress => ({family, local, prefixlen, scope});
const link = (name: string, over: Partial<Link> = {}): Link => ({name, index: 1, flags: ['UP', 'LOWER_UP'], up: true, carrier: true, operstate: 'UP', mtu: 1500, addrs: [], ...over});
const port = (name: string, bridge: string, over: Partial<OvsPort> = {}): OvsPort => ({name, bridge, interfaces: [{name, type: '', options: {}}], ...over});

function ovs(ports: OvsPort[], bridges = ['br1']): OvsDb {
  return {
    bridges: bridges.map((b) => ({name: b, ports: ports.filter((p) => p.bridge === b)})),
    ports,
    interfaces: ports.flatMap((p) => p.interfaces),
    from: 'json',
  };
}

const job = (instance: number, taps: string[], vlans: number[], alive = true, test = 'ping'): PoolJob => ({
  instance,
  dir: `/var/lib/openqa/pool/${instance}`,
  vars: {TEST: test},
  nicType: 'tap',
  tapDevices: taps,
  vlans,
  alive,
});

const switchConfig: SwitchConfig = {bridge: 'br1', localIp: '10.0.2.2', netmask: 15, rewriteTarget: '10.1.0.0', origin: {}};
const uplinkView: UplinkView = {primary: 'eth0', active: ['eth1', 'eth0'], reasons: {eth0: ['default route metric 100'], eth1: ['global IPv4 192.168.5.7/24']}, defaultRoutes: []};

function nat(outNames: string[], covered: string[]): NatSummary {
  return {outNames, covers: (d) => covered.includes(d), names: (p, d) => (p.endsWith('+') ? d.startsWith(p.slice(0, -1)) : p === d)};
}

const natRule = (out: IfMatch[] | undefined, over: Partial<NatRule> = {}): NatRule => ({
  backend: 'nftables',
  origin: 'nft.ruleset',
  text: 'masquerade',
  family: 'ip',
  table: 'nat',
  chain: 'postrouting',
  action: 'masquerade',
  legal: true,
  counters: null,
  ...(out ? {out} : {}),
  ...over,
});
const ifm = (name: string, negated = false): IfMatch => ({name, negated, wildcard: name.endsWith('+') || name.endsWith('*')});

function fullInputs(): TopologyInputs {
  return {
    links: {
      ok: true,
      value: [
        link('eth0', {addrs: [addr('10.160.0.5', 20), addr('fe80::1', 64, 'inet6', 'link')]}),
        link('eth1', {addrs: [addr('192.168.5.7', 24)]}),
        link('br1', {kind: 'openvswitch', addrs: [addr('fec0::2', 63, 'inet6'), addr('10.0.2.2', 15)]}),
        link('tap4', {kind: 'tun', tunType: 'tap', master: 'ovs-system'}),
        link('tap5', {kind: 'tun', tunType: 'tap', master: 'ovs-system'}),
        link('vnet0', {kind: 'tun', tunType: 'tap'}),
        link('virbr0', {kind: 'bridge', addrs: [addr('192.168.122.1', 24)]}),
        link('vnet1', {kind: 'tun', tunType: 'tap', master: 'virbr0'}),
      ],
    },
    uplinks: {ok: true, value: uplinkView},
    ovs: {
      ok: true,
      value: ovs(
        [
          port('br1', 'br1', {interfaces: [{name: 'br1', type: 'internal', options: {}}]}),
          port('tap4', 'br1', {tag: 12, vlanMode: 'dot1q-tunnel'}),
          port('tap5', 'br1', {tag: 13, vlanMode: 'dot1q-tunnel'}),
          port('tap12', 'br1', {interfaces: [{name: 'tap12', type: '', options: {}, error: 'could not open network device tap12 (No such device)'}]}),
          port('tap10', 'br0'),
          port('gre1', 'br1', {interfaces: [{name: 'gre1', type: 'gre', options: {remote_ip: '192.0.2.2'}}]}),
          port('eth3', 'br1'),
        ],
        ['br1', 'br0'],
      ),
    },
    jobs: {ok: true, value: [job(5, ['tap4', 'tap68'], [12]), job(6, ['tap5'], [12], true, 'ping_client'), job(7, ['tap5'], [14], false)]},
    switchConfig: {ok: true, value: switchConfig},
    nat: {ok: true, value: nat(['br1', 'ovs-system', 'eth9', 'eth+'], ['eth0', 'eth1'])},
  };
}

const results = (...subjects: Array<[string, string]>): CheckResult[] => [
  {
    id: 'TD003',
    slug: 'vlan-tag-mismatch',
    title: 't',
    severity: 'error',
    status: 'fail',
    findings: subjects.map(([checkId, subject]) => finding({checkId, slug: 'vlan-tag-mismatch', subject})),
  },
];

describe('assembleTopology', () => {
  it('draws uplinks, bridge, taps with tags and jobs, tunnels, other bridges and NAT suspects', () => {
    const report = reportOf(results(['TD003', 'tap5'], ['TD012', 'tap10'], ['TD008', 'eth9'], ['TD006', 'gre1'], ['TD011', 'br1'], ['TD002', '/etc/firewall.nft']));
    const t = assembleTopology(fullInputs(), report);
    expect(t.host).toBe('worker5');
    expect(t.uplinks.map((u) => [u.name, u.primary, u.masqueraded, u.addrs, u.reasons])).toEqual([
      ['eth0', true, true, ['10.160.0.5/20'], ['default route metric 100']],
      ['eth1', false, true, ['192.168.5.7/24'], ['global IPv4 192.168.5.7/24']],
    ]);
    // br1/ovs-system are deliberate; `eth+` covers the uplinks; eth9 is the suspect.
    expect(t.natNames.map((n) => [n.name, n.findings.map((f) => f.checkId)])).toEqual([['eth9', ['TD008']]]);
    expect(t.bridge).toEqual({
      name: 'br1',
      kind: 'ovs',
      exists: true,
      addrs: ['10.0.2.2/15', 'fec0::2/63'],
      otherPorts: ['eth3'],
      findings: [{checkId: 'TD011', slug: 'vlan-tag-mismatch', severity: 'error', subject: 'br1', message: 'br1 is wrong'}],
      source: 'switch-config',
    });
    expect(t.taps.map((x) => ({...x, findings: x.findings.map((f) => f.checkId)}))).toEqual([
      {name: 'tap4', bridge: 'br1', tag: 12, vlanMode: 'dot1q-tunnel', inKernel: true, job: {instance: 5, dir: '/var/lib/openqa/pool/5', vlan: 12, alive: true, test: 'ping'}, findings: []},
      // The live job wins over the stale vars.json of instance 7.
      {name: 'tap5', bridge: 'br1', tag: 13, vlanMode: 'dot1q-tunnel', inKernel: true, job: {instance: 6, dir: '/var/lib/openqa/pool/6', vlan: 12, alive: true, test: 'ping_client'}, findings: ['TD003']},
      {name: 'tap10', bridge: 'br0', inKernel: false, findings: ['TD012']},
      {name: 'tap12', bridge: 'br1', inKernel: false, error: 'could not open network device tap12 (No such device)', findings: []},
      // Second NIC of job 5: no device anywhere, NICVLAN reused.
      {name: 'tap68', inKernel: false, job: {instance: 5, dir: '/var/lib/openqa/pool/5', vlan: 12, alive: true, test: 'ping'}, findings: []},
    ]);
    expect(t.tunnels).toEqual([{name: 'gre1', type: 'gre', remoteIp: '192.0.2.2', bridge: 'br1', findings: [expect.objectContaining({checkId: 'TD006'})]}]);
    expect(t.otherBridges.map((b) => [b.name, b.kind, b.addrs, b.otherPorts])).toEqual([
      ['br0', 'ovs', [], ['tap10']],
      ['virbr0', 'linux', ['192.168.122.1/24'], ['vnet1']],
    ]);
    expect(t.notes).toEqual([]);
    expect(t.unknown).toEqual([]);
    expect(t.unplaced.map((f) => f.subject)).toEqual(['/etc/firewall.nft']);
  });

  it('leaves a part empty with a note for each missing fact, never throwing', () => {
    const missing = (reason: string) => ({ok: false as const, reason});
    const t = assembleTopology(
      {links: missing('ip.addr not collected'), uplinks: missing('no routes'), ovs: missing('ovs-vsctl not found'), jobs: missing('pool not collected'), switchConfig: missing('no unit'), nat: missing('nft needs root')},
      reportOf(results(['TD003', 'tap5'])),
    );
    expect(t).toEqual({
      host: 'worker5',
      uplinks: [],
      natNames: [],
      taps: [],
      tunnels: [],
      otherBridges: [],
      unknown: ['interfaces', 'uplinks', 'ovs', 'jobs', 'switch-config', 'nat'],
      notes: [
        'interfaces unknown: ip.addr not collected',
        'uplinks unknown: no routes',
        'Open vSwitch unknown: ovs-vsctl not found',
        'running jobs unknown: pool not collected',
        'switch config unknown: no unit',
        'NAT unknown: nft needs root',
      ],
      unplaced: [expect.objectContaining({subject: 'tap5'})],
    });
  });

  it('guesses the bridge from OVS when the switch config is unknown, and notes a configured bridge OVS lacks', () => {
    const inputs = fullInputs();
    inputs.switchConfig = {ok: false, reason: 'no unit'};
    const guessed = assembleTopology(inputs, reportOf([]));
    expect(guessed.bridge?.name).toBe('br1');
    expect(guessed.bridge?.source).toBe('guessed');
    expect(guessed.notes).toContain('bridge br1 guessed: the OVS bridge with the most tap ports');

    const fedora = fullInputs();
    fedora.switchConfig = {ok: true, value: {...switchConfig, bridge: 'br9'}};
    const t = assembleTopology(fedora, reportOf([]));
    expect(t.bridge).toMatchObject({name: 'br9', exists: false, addrs: []});
    expect(t.notes).toContain('br9 is not an Open vSwitch bridge on this host');
    // Taps of br1 are now "elsewhere"; br1 is listed among the other bridges.
    expect(t.otherBridges.map((b) => b.name)).toEqual(['br1', 'br0', 'virbr0']);
  });

  it('leaves masquerade unknown (not false) without the firewall', () => {
    const inputs = fullInputs();
    inputs.nat = {ok: false, reason: 'needs root'};
    const t = assembleTopology(inputs, reportOf([]));
    expect(t.uplinks.map((u) => u.masqueraded)).toEqual([undefined, undefined]);
    expect(t.natNames).toEqual([]);
  });

  it('sorts taps naturally', () => {
    expect(['tap10', 'tap2', 'tap128', 'tap64', 'tap1'].sort(naturalCompare)).toEqual(['tap1', 'tap2', 'tap10', 'tap64', 'tap128']);
  });
});

describe('buildTopology', () => {
  it('reads the facts and the firewall through masqueradesFor', () => {
    const inputs = fullInputs();
    factValues.values = new Map<string, unknown>([
      ['links', (inputs.links as {value: unknown}).value],
      ['uplinks', uplinkView],
      ['ovsDb', (inputs.ovs as {value: unknown}).value],
      ['poolJobs', (inputs.jobs as {value: unknown}).value],
      ['switchConfig', switchConfig],
      [
        'liveFirewall',
        {
          backends: ['nftables'],
          sources: ['nft.ruleset'],
          nat: [
            natRule([ifm('eth0')]),
            natRule([ifm('eth9'), ifm('eth1', true)]),
            natRule([ifm('br1')]),
            // Never loaded (wrong table) and not source NAT: neither counts nor names a suspect.
            natRule([ifm('eth1')], {legal: false, table: 'filter', chain: 'forward'}),
            natRule([ifm('eth7')], {action: 'dnat'}),
            natRule([ifm('en*')]),
          ],
          forward: [],
          input: () => [],
          problems: [],
        } satisfies FirewallView,
      ],
    ]);
    const t = buildTopology(fakeFacts(), sampleReport());
    expect(t.uplinks.map((u) => [u.name, u.masqueraded])).toEqual([
      ['eth0', true],
      ['eth1', false],
    ]);
    // en* names no uplink here (eth0/eth1), so it is drawn as a suspect too.
    expect(t.natNames.map((n) => n.name)).toEqual(['eth9', 'en*']);
    expect(t.uplinks[1]!.findings.map((f) => f.checkId)).toEqual(['TD001']);
    expect(t.taps.find((x) => x.name === 'tap5')?.findings.map((f) => f.checkId)).toEqual(['TD003']);
    expect(t.notes).toEqual([]);
  });

  it('turns a crashing fact into a note instead of an exception', () => {
    factValues.values = new Map<string, unknown>([['ovsDb', new TypeError('boom')]]);
    const t = buildTopology(fakeFacts(), reportOf([]));
    expect(t.notes).toContain('Open vSwitch unknown: internal error: boom');
    expect(t.notes).toContain('interfaces unknown: links not collected');
  });
});
