// The fleet text laid out like the single-host text: width, --brief, --quiet.
import {describe, expect, it} from 'vitest';
import {gre, mesh} from '../../test/helpers/fleet-views.js';
import {runFleetChecks} from '../fleet/engine.js';
import {FLEET_CHECKS} from '../fleet/registry.js';
import type {FleetReport} from '../fleet/report.js';
import {summarize} from '../model.js';
import {renderFleetText} from './fleet-text.js';

/** worker w2 lacks its port to w3 (TD201 error); w1 tunnels to an unknown address (TD202 info). */
function fleetReport(): FleetReport {
  const views = mesh(3, (h) => {
    if (h.name === 'w2') h.tunnels = h.tunnels.filter((t) => t.remoteIp !== '192.0.2.30');
    if (h.name === 'w1') h.tunnels.push(gre('gre9', '198.51.100.7'));
  });
  const fleet = runFleetChecks(views, FLEET_CHECKS, {complete: false});
  const hosts = views.map((v, index) => ({index, name: v.name, path: `${v.name}.tar.gz`, view: v, report: {target: {mode: 'snapshot' as const, host: v.name, capturedAt: v.capturedAt}, results: [], summary: summarize([]), sourceProblems: []}}));
  return {hosts, fleet, complete: false};
}

describe('fleet text', () => {
  it('fits the width: prose wrapped, evidence cut with a marker, fix commands whole', () => {
    const text = renderFleetText(fleetReport(), {color: false, hostsDetail: false, width: 60});
    const lines = text.split('\n');
    const addPort = 'ovs-vsctl --may-exist add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.30';
    expect(lines).toContain(`    ${addPort}`);
    // Every line but the fix lines (from "Fix:" to the first "Evidence") and the summary fits 60 columns.
    let inFix = false;
    const over = lines.filter((l) => {
      if (l === '  Fix:') inFix = true;
      else if (l.startsWith('  Evidence')) inFix = false;
      return l.length > 60 && !inFix && !l.startsWith('Summary:');
    });
    expect(over).toEqual([]);
    expect(lines.some((l) => l.startsWith('    no tunnel port with remote_ip 192.0.2.30') && l.endsWith('…') && l.length === 60)).toBe(true);
    // Wider, the same evidence line is whole.
    expect(renderFleetText(fleetReport(), {color: false, hostsDetail: false, width: 200})).toContain("no tunnel port with remote_ip 192.0.2.30 (w3's uplink eth0); tunnel ports: gre1->192.0.2.10");
  });

  it('--brief: one line per fleet finding with its hosts, the host lines and the summary', () => {
    const text = renderFleetText(fleetReport(), {color: false, hostsDetail: false, brief: true});
    expect(text).not.toContain('Fix:');
    expect(text).not.toContain('Why:');
    const findings = text.split('\n').filter((l) => /^[✖▲●] TD2/.test(l));
    expect(findings).toEqual([expect.stringMatching(/^✖ TD201 gre-peer-missing w2 -> w3 \[w2, w3\]: one-way tunnel/), expect.stringMatching(/^● TD202 gre-peer-unknown w1: gre9 \[w1\]: /)]);
    expect(text).toMatch(/^ {2}w1 +ok +0 errors, 0 warnings; in 1 fleet finding$/m);
    expect(text.trimEnd().split('\n').at(-1)).toMatch(/^Summary: 3 hosts/);
  });

  it('--quiet: error findings only; the summary counts and says how many are not shown', () => {
    const text = renderFleetText(fleetReport(), {color: false, hostsDetail: false, quiet: true});
    expect(text).toContain('TD201 gre-peer-missing');
    expect(text).not.toContain('TD202');
    expect(text).not.toContain('FLEET INFO');
    expect(text).toContain('fleet: 1 error, 0 warnings, 1 info (1 not shown: --quiet)');
    const brief = renderFleetText(fleetReport(), {color: false, hostsDetail: false, quiet: true, brief: true});
    expect(brief.split('\n').filter((l) => /^[✖▲●] TD2/.test(l))).toHaveLength(1);
  });
});
