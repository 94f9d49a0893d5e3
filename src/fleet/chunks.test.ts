// Streamed fleet reports: the hosts' pieces kept in a spool file, written in host order, give the
// same text as rendering the whole report at once; the spool leaves nothing on disk.
import {readdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {describe, expect, it} from 'vitest';
import {mesh} from '../../test/helpers/fleet-views.js';
import {summarize, type Report} from '../model.js';
import {renderFleetJson, spoolHostJson, writeFleetJson} from '../report/fleet-json.js';
import {renderFleetPrometheus, spoolHostPrometheus, writeFleetPrometheus} from '../report/fleet-prometheus.js';
import {SpoolChunks} from './chunks.js';
import {runFleetChecks} from './engine.js';
import {FLEET_CHECKS} from './registry.js';
import type {FleetReport} from './report.js';

function fleet(): FleetReport {
  const views = mesh(3, (h) => {
    if (h.name === 'w2') h.tunnels = h.tunnels.filter((t) => t.remoteIp !== '192.0.2.30');
  });
  const results = [{id: 'TD009', slug: 'ip-forward-disabled', title: 't', severity: 'error' as const, status: 'pass' as const, findings: []}];
  const report = (host: string): Report => ({target: {mode: 'snapshot', host, path: `${host}.tar.gz`, capturedAt: '2026-12-06T10:00:00.000Z'}, results, summary: summarize(results), sourceProblems: []});
  const hosts = [
    ...views.map((v, index) => ({index, name: v.name, path: `${v.name}.tar.gz`, view: v, report: report(v.name)})),
    {index: 3, name: 'bad.tar.gz', path: 'bad.tar.gz', unreadable: 'not a tarball'},
  ];
  return {hosts, fleet: runFleetChecks(views, FLEET_CHECKS, {complete: false}), complete: false};
}

const spoolDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('tapdoctor-fleet-'));

describe('streamed fleet reports', () => {
  it('JSON from the spool, host by host, is the text of one JSON.stringify of the whole report', () => {
    const r = fleet();
    const before = spoolDirs();
    const chunks = new SpoolChunks();
    expect(spoolDirs()).toEqual(before);
    // Hosts arrive in any order; the report is written in host order.
    for (const h of [...r.hosts].reverse()) if (h.report) spoolHostJson(chunks, h.index, h.report);
    const pieces: string[] = [];
    writeFleetJson(r, chunks, (t) => pieces.push(t));
    chunks.close();
    const text = pieces.join('');
    expect(pieces.length).toBeGreaterThan(3);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(text).toBe(renderFleetJson(r));
    expect((JSON.parse(text) as {hosts: Array<{target: {host: string}}>}).hosts.map((h) => h.target.host)).toEqual(['w1', 'w2', 'w3']);
  });

  it('no readable host: "hosts": [] as JSON.stringify writes it', () => {
    const r = fleet();
    r.hosts = r.hosts.filter((h) => h.unreadable);
    const text = renderFleetJson(r);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    expect(text).toContain('"hosts": []');
  });

  it('Prometheus from the spool: one HELP per family, samples host after host, the same text as in memory', () => {
    const r = fleet();
    const chunks = new SpoolChunks();
    const help = new Map<string, string>();
    for (const h of [...r.hosts].reverse()) if (h.report) spoolHostPrometheus(chunks, help, h.index, h.name, h.report, 1_800_000_000);
    const pieces: string[] = [];
    writeFleetPrometheus(r, chunks, help, (t) => pieces.push(t));
    chunks.close();
    const text = pieces.join('');
    expect(text).toBe(renderFleetPrometheus(r, 1_800_000_000));
    expect(text.match(/^# HELP tapdoctor_check_status /gm)).toHaveLength(1);
    const status = text.split('\n').filter((l) => l.startsWith('tapdoctor_check_status{') && l.includes('id="TD009"') && l.includes('status="pass"'));
    expect(status).toEqual(['w1', 'w2', 'w3'].map((h) => expect.stringContaining(`host="${h}"`)));
    expect(text).toContain('tapdoctor_host_readable{host="bad.tar.gz"} 0');
  });
});
