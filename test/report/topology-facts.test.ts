// buildTopology over the real fact functions and captured samples (iproute2 6.1, OVS 3.1.0,
// nftables 1.0.6 in throwaway namespaces): proves the names and shapes line up end to end.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG} from '../../src/config.js';
import {Facts} from '../../src/facts/facts.js';
import {renderHtml} from '../../src/report/html/index.js';
import {buildTopology} from '../../src/report/place-findings.js';
import {SnapshotView} from '../../src/sources/snapshot.js';
import {makeSnapshot} from '../helpers/snapshot.js';
import {finding, reportOf} from './fixtures.js';

const sample = (path: string) => readFileSync(new URL(`../samples/${path}`, import.meta.url), 'utf8');

function facts(nft: string): Facts {
  const snapshot = makeSnapshot({
    commands: {
      'ip.addr': sample('ip-json-addr/generated-ovs-3.1-netns-ovs.txt'),
      'ip.route4': sample('ip-json-route/generated-ovs-3.1-netns-ovs-route4.txt'),
      'ovs.show': sample('ovs-vsctl-show/generated-ovs-3.1-netns-br1.txt'),
      'nft.ruleset': sample(nft),
    },
  });
  return new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG);
}

const report = reportOf([
  {id: 'TD012', slug: 'tap-inventory', title: 't', severity: 'error', status: 'fail', findings: [finding({checkId: 'TD012', slug: 'tap-inventory', subject: 'tap12'})]},
]);

describe('buildTopology on captured samples', () => {
  it('draws the SUSE-style host: eth0 masqueraded, br1 with its address, taps, GRE, docker0', () => {
    const t = buildTopology(facts('nft/generated-suse-json.txt'), report);
    expect(t.uplinks.map((u) => [u.name, u.primary, u.masqueraded, u.addrs])).toEqual([['eth0', true, true, ['192.0.2.10/24']]]);
    expect(t.natNames).toEqual([]);
    expect(t.bridge).toMatchObject({name: 'br1', source: 'guessed', exists: true, addrs: ['10.0.2.2/15', 'fec0::2/63']});
    expect(t.taps.map((x) => [x.name, x.tag, x.inKernel, x.error, x.findings.map((f) => f.checkId)])).toEqual([
      ['tap0', undefined, true, undefined, []],
      ['tap1', 12, true, undefined, []],
      ['tap12', 13, false, 'could not open network device tap12 (No such device)', ['TD012']],
      ['tap64', 12, true, undefined, []],
    ]);
    expect(t.tunnels).toEqual([{name: 'gre1', type: 'gre', remoteIp: '192.0.2.2', bridge: 'br1', findings: []}]);
    expect(t.otherBridges.map((b) => [b.name, b.kind])).toEqual([['docker0', 'linux']]);
    expect(t.unknown).toEqual(['jobs', 'switch-config']);
  });

  it('shows the two-names-in-one-string masquerade (os-autoinst@303d8519) as a suspect', () => {
    const t = buildTopology(facts('nft/generated-twouplinks-json.txt'), report);
    expect(t.uplinks.map((u) => [u.name, u.masqueraded])).toEqual([['eth0', false]]);
    expect(t.natNames.map((n) => n.name)).toEqual(['eth0\neth1']);
    const html = renderHtml(report, t);
    expect(html).toContain('<g id="nat-eth0_aeth1" class="node nat-name dashed">');
  });
});
