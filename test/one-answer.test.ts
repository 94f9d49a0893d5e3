// Hosts on which the checks used to answer the same domain question differently, each check with
// its own code: now one fact answers it and every check that asks agrees with it.
import {describe, expect, it} from 'vitest';
import {CHECKS} from '../src/checks/registry.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../src/config.js';
import {analyzeWithFacts} from '../src/engine.js';
import {bridgeForwarding} from '../src/facts/bridge-forwarding.js';
import {uplink} from '../src/facts/uplink.js';
import {bridgeHomes} from '../src/facts/network-config/index.js';
import {networkStack} from '../src/facts/network-stack.js';
import {ipAddrLink} from './helpers/ip-link.js';
import {makeSnapshot, type SnapshotSpec} from './helpers/snapshot.js';

const link = (index: number, name: string, addr?: string) => ipAddrLink(name, addr ? [`${addr}/24`] : [], {ifindex: index, address: `52:54:00:aa:bb:0${index}`});
const dump = (...rules: string[]) => ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ...rules, 'COMMIT', ''].join('\n');
const LEARNED = [
  'NXST_FLOW reply (xid=0x4):',
  ' cookie=0x0, duration=1.652s, table=0, n_packets=9, n_bytes=810, idle_age=0, priority=1,in_port=LOCAL actions=resubmit(,1)',
  ' cookie=0x0, duration=1.534s, table=1, n_packets=6, n_bytes=588, idle_age=0, priority=100,ip,in_port=LOCAL,dl_dst=52:54:00:12:00:07 actions=load:0xac10020f->NXM_OF_IP_DST[],output:3',
].join('\n');

/** A tap host with bridge br0: eth2 carries the default route, eth3 is up beside it. */
function host(iptables: string, commands: SnapshotSpec['commands'] = {}): SnapshotSpec {
  return {
    commands: {
      'iptables.save': iptables,
      'ip.addr': JSON.stringify([link(2, 'eth2', '192.0.2.10'), link(3, 'eth3', '198.51.100.10')]),
      'ip.route4': JSON.stringify([{dst: 'default', gateway: '192.0.2.1', dev: 'eth2', metric: 100, flags: []}]),
      'ovs.flows': {br0: LEARNED},
      ...commands,
    },
    files: {'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': 'OS_AUTOINST_USE_BRIDGE=br0\n'}, 'proc.uptime': {'/proc/uptime': '86400.12 100000.00\n'}},
  };
}

function analyze(spec: SnapshotSpec, config: Partial<TapdoctorConfig> = {}, ids = ['TD001', 'TD005', 'TD008', 'TD009']) {
  return analyzeWithFacts(makeSnapshot(spec), CHECKS.filter((c) => ids.includes(c.id)), {...DEFAULT_CONFIG, ...config}, {mode: 'snapshot'});
}
const result = (r: ReturnType<typeof analyze>, id: string) => r.report.results.find((x) => x.id === id)!;

describe('one uplink', () => {
  it('a configured uplink is the uplink of every check, even where the default route says otherwise', () => {
    const forward = dump('[5:300] -A FORWARD -i br0 -o eth2 -j ACCEPT', '[5:300] -A FORWARD -i eth2 -o br0 -m state --state RELATED,ESTABLISHED -j ACCEPT', '[0:0] -A FORWARD -j REJECT');
    const r = analyze(host(forward), {uplink: 'eth3'});
    expect(r.facts.get(uplink)).toEqual({name: 'eth3', why: 'the configured uplink', configured: true});
    // TD001 keeps the configured eth3 and reports eth2.
    expect(result(r, 'TD001').findings.map((f) => f.subject)).toEqual(['eth2']);
    expect(result(r, 'TD001').findings[0]!.message).toContain('beside eth3 (the configured uplink)');
    // TD005 and TD008 judge FORWARD for eth3: the rules name eth2, so SUT traffic to eth3 is rejected.
    for (const j of r.facts.get(bridgeForwarding)) expect([j.uplink, j.outbound.verdict, j.replies.verdict]).toEqual(['eth3', 'drop', 'drop']);
    expect(result(r, 'TD005').findings[0]!.message).toContain('drops traffic from br0 to eth3 and replies from eth3 to br0');
    expect(result(r, 'TD008').findings.map((f) => f.message).join('\n')).toContain('the uplink is eth3 (the configured uplink)');
  });

  it('a configured uplink counts when the routes are unreadable (TD006 used to drop it then)', () => {
    const spec = host(dump());
    spec.commands!['ip.route4'] = 'not json at all';
    const r = analyze(spec, {uplink: 'eth3'});
    expect(r.facts.get(uplink).name).toBe('eth3');
    const noConfig = analyze(spec);
    expect(noConfig.facts.try(uplink)).toEqual({ok: false, reason: expect.stringMatching(/^the uplink is unknown \(/)});
  });
});

describe('one forward verdict', () => {
  // Each chain below was judged differently by TD005's and TD008's own decide().
  const cases: Array<{name: string; rules: string[]; outbound: string; replies: string}> = [
    // TD005 passed over a drop that names an interface (only catch-alls counted); TD008 took it.
    {name: 'a drop naming the bridge', rules: ['[0:0] -A FORWARD -o br0 -j DROP', '[5:300] -A FORWARD -i br0 -o eth2 -j ACCEPT', '[5:300] -A FORWARD -i eth2 -o br0 -m state --state RELATED,ESTABLISHED -j ACCEPT'], outbound: 'accept', replies: 'drop'},
    // A conditional drop (ssh only) never means "the chain drops bridge traffic".
    {name: 'a conditional drop', rules: ['[0:0] -A FORWARD -p tcp --dport 22 -j DROP', '[0:0] -A FORWARD -j ACCEPT'], outbound: 'accept', replies: 'accept'},
    // RETURN in a base chain hands the packet to the policy (TD005 read past it).
    {name: 'RETURN before the accepts', rules: ['[0:0] -A FORWARD -j RETURN', '[5:300] -A FORWARD -i br0 -j ACCEPT'], outbound: 'drop', replies: 'drop'},
  ];
  for (const c of cases) {
    it(`${c.name}: the fact decides, TD005 and TD008 report from the same decision`, () => {
      const policy = c.name.startsWith('RETURN') ? 'DROP' : 'ACCEPT';
      const r = analyze(host(dump(...c.rules).replace(':FORWARD ACCEPT', `:FORWARD ${policy}`)));
      const [j] = r.facts.get(bridgeForwarding);
      expect([j!.outbound.verdict, j!.replies.verdict]).toEqual([c.outbound, c.replies]);
      const td005drop = result(r, 'TD005').findings.some((f) => / drops /.test(f.message));
      expect(td005drop).toBe(c.outbound === 'drop' || c.replies === 'drop');
    });
  }
});

describe('one network stack', () => {
  it('wicked and NetworkManager both enabled, nothing configures the bridge or the taps: one answer for every fix', async () => {
    const {networkStack, stackForFixes} = await import('../src/facts/network-stack.js');
    const spec = host(dump());
    spec.files!['systemd.wants'] = {
      '/etc/systemd/system/multi-user.target.wants/wicked.service': {content: '', linkTarget: '/usr/lib/systemd/system/wicked.service'},
      '/etc/systemd/system/multi-user.target.wants/NetworkManager.service': {content: '', linkTarget: '/usr/lib/systemd/system/NetworkManager.service'},
    };
    spec.files!['network.ifcfg'] = {};
    spec.files!['network.nm'] = {};
    const {facts} = analyze(spec, {}, []);
    // Before: the tap checks (TD012/TD013) took wicked (first enabled), the gate (TD102/TD103/TD105) NetworkManager.
    expect(facts.get(networkStack)).toEqual({stack: 'NetworkManager', why: 'NetworkManager.service enabled'});
    expect(stackForFixes(facts)).toBe('NetworkManager');
  });
});

describe('one place for the persisted network config', () => {
  it('the stack of fixes is where the known bridge is configured, not a stray ifcfg file of another bridge', () => {
    // Fedora: br1 lives in NetworkManager profiles; a network-scripts ifcfg-br0 (a Linux bridge) is left over.
    // networkStack used to take any ifcfg-brN for "the bridge" and answer network-scripts, while
    // bridgeHomes (TD107) answered NetworkManager.
    const spec: SnapshotSpec = {
      files: {
        'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': 'OS_AUTOINST_USE_BRIDGE=br1\n'},
        'network.ifcfg': {'/etc/sysconfig/network-scripts/ifcfg-br0': 'DEVICE=br0\nTYPE=Bridge\nONBOOT=yes\n'},
        'network.nm': {'/etc/NetworkManager/system-connections/br1.nmconnection': '[connection]\nid=br1\ntype=ovs-bridge\ninterface-name=br1\n'},
      },
    };
    const r = analyze(spec, {}, []);
    expect(bridgeHomes(r.facts, 'br1')).toEqual([{setup: 'NetworkManager', paths: ['/etc/NetworkManager/system-connections/br1.nmconnection']}]);
    expect(r.facts.get(networkStack)).toEqual({stack: 'NetworkManager', why: '/etc/NetworkManager/system-connections/br1.nmconnection configures the bridge'});
  });
});
