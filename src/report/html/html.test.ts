import {describe, expect, it} from 'vitest';
import {finding, largeTopology, reportForTopology, reportOf, sampleReport, smallTopology} from '../../../test/report/fixtures.js';
import {esc, idPart, renderHtml, renderTopologySvg, vlanColors} from './index.js';
import type {HostTopology, TapNode} from '../../facts/topology.js';

const empty = (over: Partial<HostTopology> = {}): HostTopology => ({
  host: 'h',
  uplinks: [],
  natNames: [],
  taps: [],
  tunnels: [],
  otherBridges: [],
  unknown: [],
  notes: [],
  unplaced: [],
  ...over,
});

function svgHeight(svg: string): number {
  return Number(/viewBox="0 0 \d+ (\d+)"/.exec(svg)![1]);
}

describe('renderHtml', () => {
  const report = sampleReport();
  const html = renderHtml(report, smallTopology(report));

  it('is one self-contained document: no scripts, no external resources, a CSP forbidding them', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\bsrc=|\bhref=/i);
    // The only URL is the SVG namespace name, which is never fetched.
    expect(html.match(/https?:\/\/[^"\s]*/g)).toEqual(['http://www.w3.org/2000/svg']);
  });

  it('shows the summary counts', () => {
    expect(html).toContain(
      [
        '<ul class="summary" id="summary">',
        '<li class="badge sev-error"><b>3</b> errors</li>',
        '<li class="badge sev-warning"><b>1</b> warning</li>',
        '<li class="badge sev-info zero"><b>0</b> info</li>',
        '<li class="badge st-pass"><b>2</b> passed</li>',
        '<li class="badge st-fail"><b>3</b> failed</li>',
        '<li class="badge st-na zero"><b>0</b> n/a</li>',
        '<li class="badge st-skip"><b>1</b> skipped</li>',
        '<li class="badge st-error"><b>1</b> could not run</li>',
        '</ul>',
      ].join('\n'),
    );
  });

  it('groups findings by severity, errors first, with explanation, fix in <pre> and evidence', () => {
    const groups = [...html.matchAll(/<section class="severity-group sev-(\w+)" id="severity-\w+">\n<h3>([^<]+)<\/h3>/g)].map((m) => [m[1], m[2]]);
    expect(groups).toEqual([
      ['error', 'Errors (3)'],
      ['warning', 'Warnings (1)'],
    ]);
    expect(html).toContain(
      [
        '<article class="finding sev-error" id="finding-1" data-check="TD003" data-subject="tap5">',
        '<h4><span class="check-id">TD003</span> <span class="slug">vlan-tag-mismatch</span> <span class="subject">tap5</span></h4>',
        '<p class="message">tap5 has tag 13, job 6 expects NICVLAN 12</p>',
        '<p class="explanation">The SUT sits in another cluster&#39;s VLAN &amp; cannot reach its peers.</p>',
        '<div class="fix-label">Fix</div>',
        '<pre class="fix">ovs-vsctl set port tap5 tag=12</pre>',
        '<details class="evidence-list"><summary>Evidence (1)</summary>',
        '<div class="evidence"><div class="source">ovs.ports</div><pre>[&quot;tap5&quot;,13,&quot;dot1q-tunnel&quot;]</pre></div>',
        '</details>',
        '</article>',
      ].join('\n'),
    );
    expect(html).toContain('<article class="finding sev-warning" id="finding-4" data-check="TD001" data-subject="eth1">');
    expect(html).toContain('<pre class="fix">ip link set eth1 down\nnmcli connection modify eth1 connection.autoconnect no</pre>');
  });

  it('lists every check with status and note, the source problems and the undrawn findings', () => {
    expect(html).toContain(
      '<tr class="st-skip" id="check-TD007"><td>TD007</td><td>factory-share-unmounted</td><td>Factory share is not an NFS mount</td><td class="status">skip</td><td></td><td>mountinfo not collected</td></tr>',
    );
    expect(html).toContain('<li><code>firewalld.zones</code>: needs root</li>');
    expect(html).toContain('<li>Findings not drawn (their subject is not a device): TD008 /etc/sysconfig/iptables</li>');
  });

  it('escapes every piece of text from the report', () => {
    const evil = '<script>alert("x")</script>&\'';
    const r = reportOf(
      [
        {
          id: 'TD001',
          slug: evil,
          title: evil,
          severity: 'warning',
          status: 'fail',
          findings: [finding({checkId: 'TD001', slug: evil, subject: evil, message: evil, explanation: evil, fix: evil, evidence: [{source: evil, lines: [evil, '\u0000\u001b[1m']}]})],
        },
      ],
      {host: evil, path: evil},
    );
    r.sourceProblems = [{source: evil, problem: evil}];
    const t = empty({host: evil, taps: [{name: evil, tag: 5, findings: []}], notes: [evil]});
    const out = renderHtml(r, t);
    expect(out).not.toContain('<script');
    expect(out).not.toContain('alert("x")');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    expect(out).toContain('\\x00\\x1B[1m');
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

describe('renderTopologySvg', () => {
  it('gives elements stable ids, VLAN data and the finding ids', () => {
    const svg = renderTopologySvg(smallTopology());
    expect(svg).toContain('<g id="tap-tap5" class="node tap has-findings" data-vlan="13" data-findings="TD003" style="--fill:hsl(35 70% 85%);--stroke:hsl(35 60% 32%)">');
    expect(svg).toContain('<g id="tap-tap69" class="node tap untagged has-findings" data-vlan="untagged" data-findings="TD003">');
    expect(svg).toContain('<g id="tap-tap4" class="node tap" data-vlan="12" style="--fill:hsl(210 70% 87%);--stroke:hsl(210 60% 32%)">');
    expect(svg).toContain('<text class="sub bad finding-ids" x="');
    expect([...svg.matchAll(/<g class="vlan-legend-entry[^"]*" data-vlan="([^"]+)"/g)].map((m) => m[1])).toEqual(['12', '13', 'untagged']);
    expect(svg).toContain('<g class="vlan-legend" id="vlan-legend">');
    for (const id of ['uplink-eth0', 'uplink-eth1', 'nat-eth9', 'bridge-br1', 'tunnel-gre1']) expect(svg).toContain(`<g id="${id}" `);
    expect(svg).toContain('<g id="uplink-eth1" class="node uplink has-findings" data-findings="TD001">');
    // The tap's tooltip carries what the cell has no room for.
    expect(svg).toContain('<title>tap5: VLAN 13 (dot1q-tunnel)\nbridge br1\njob: instance 6, /var/lib/openqa/pool/6, TEST=ping_client, NICVLAN 12\nTD003 error: tap5 has tag 13, job 6 expects NICVLAN 12</title>');
  });

  it('grows with the number of taps', () => {
    const three = svgHeight(renderTopologySvg(smallTopology()));
    const big = renderTopologySvg(largeTopology(64));
    expect(svgHeight(big)).toBeGreaterThan(three + 500);
    expect(big.match(/<g id="tap-tap\d+" /g)).toHaveLength(64);
    expect(svgHeight(renderTopologySvg(largeTopology(128)))).toBeGreaterThan(svgHeight(big) + 500);
  });

  it('says unknown where data is missing and none where there is none', () => {
    const none = renderTopologySvg(empty());
    expect(none).toContain('>no active uplink</text>');
    expect(none).toContain('>bridge unknown</text>');
    expect(none).toContain('>no tap devices found</text>');
    const unknown = renderTopologySvg(empty({unknown: ['uplinks', 'ovs', 'interfaces']}));
    expect(unknown).toContain('>uplinks unknown</text>');
    expect(unknown).toContain('>tap devices unknown (no Open vSwitch or interface data)</text>');
  });

  it('clips long labels and keeps the full text in the tooltip', () => {
    const svg = renderTopologySvg(empty({tunnels: [{name: 'gre1', type: 'gre', remoteIp: '2001:db8:1234:5678:9abc:def0:1234:5678', bridge: 'br1', findings: []}]}));
    expect(svg).toContain('2001:db8:1234…</text>');
    expect(svg).toContain('gre1: gre tunnel to 2001:db8:1234:5678:9abc:def0:1234:5678');
  });
});

describe('vlanColors', () => {
  const taps = (n: number): TapNode[] => Array.from({length: n}, (_, i) => ({name: `tap${i}`, tag: 100 + i, findings: []}));

  it('uses the fixed palette up to 12 VLANs, in tag order', () => {
    const c = vlanColors([{name: 'a', tag: 20, findings: []}, {name: 'b', tag: 3, findings: []}, {name: 'c', findings: []}]);
    expect([...c.entries()]).toEqual([
      [3, {fill: 'hsl(210 70% 87%)', stroke: 'hsl(210 60% 32%)'}],
      [20, {fill: 'hsl(35 70% 85%)', stroke: 'hsl(35 60% 32%)'}],
    ]);
  });

  it('gives every VLAN its own colour beyond the palette, none of them red', () => {
    for (const n of [12, 13, 40]) {
      const fills = [...vlanColors(taps(n)).values()].map((v) => v.fill);
      expect(new Set(fills).size).toBe(n);
      for (const f of fills) {
        const hue = Number(/hsl\((\d+)/.exec(f)![1]);
        expect(hue >= 15 && hue <= 340).toBe(true);
      }
    }
  });
});

describe('helpers', () => {
  it('idPart keeps device names readable and makes odd ones safe', () => {
    expect(idPart('tap5')).toBe('tap5');
    expect(idPart('eth0.100')).toBe('eth0.100');
    expect(idPart('br-int')).toBe('br-int');
    expect(idPart('a b"<_')).toBe('a_20b_22_3c_5f');
  });

  it('esc escapes markup and makes control characters visible', () => {
    expect(esc(`<a href="x">&'</a>\u0007\t\n`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;\\x07\t\n');
  });

  it('renders the 64-tap report with one finding article per finding', () => {
    const t = largeTopology();
    const html = renderHtml(reportForTopology(t), t);
    expect(html.match(/<article class="finding /g)).toHaveLength(4);
  });
});
