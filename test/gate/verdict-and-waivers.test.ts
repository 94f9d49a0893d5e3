// The gate's verdict and the site waivers in every report format, in-process on the real fixtures:
// JSON (schema), text, JUnit (xmllint against the XSD), Prometheus (our strict grammar, and
// promtool where installed), Nagios and HTML (the banner first in the page; the Chromium test
// renders it). The CLI wiring is in gate-cli.test.ts.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {analyze, countedSeverities, exitCodeFor, render, type ReportFlags} from '../../src/cli/pipeline.js';
import {DEFAULT_CONFIG, type Settings, type Waiver} from '../../src/config.js';
import {decideGate, toGateVerdict} from '../../src/gate/decide.js';
import {verdictLine} from '../../src/gate/render.js';
import type {Report} from '../../src/model.js';
import type {Snapshot} from '../../src/sources/snapshot.js';
import {parseExposition} from '../report/prom-grammar.js';
import {findTool, run, skipWithout} from '../report/tools.js';
import {schemaErrors} from '../helpers/report-schema.js';
import {fixture} from './run-check.js';

const FLAGS: ReportFlags = {'fail-on': 'warning', json: false, quiet: false};
const settings = (waivers: Waiver[] = []): Settings => ({config: {...DEFAULT_CONFIG, waivers}, from: '/etc/tapdoctor.yaml'});

async function gateReport(snapshot: Snapshot, s: Settings, flags: ReportFlags = FLAGS) {
  const analysis = await analyze(snapshot, flags, s, {mode: 'snapshot', path: 'fixtures/x'}, {gate: true});
  const decision = await decideGate({report: analysis.report, snapshot, config: s.config, mode: 'snapshot', openqa: {ask: false, why: '--no-openqa'}});
  analysis.report.gate = toGateVerdict(decision, verdictLine(decision));
  return analysis;
}

const XSD = fileURLToPath(new URL('../report/xsd/junit.xsd', import.meta.url));
const xmllint = findTool('xmllint', 'XMLLINT');
const promtool = findTool('promtool', 'PROMTOOL');
let dir = '';
let demo: Snapshot;
let suse: Snapshot;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tapdoctor-verdict-'));
  [demo, suse] = await Promise.all([fixture('demo'), fixture('healthy-suse')]);
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

function xmlValid(xml: string): {status: number | null; stderr: string} {
  const file = join(dir, `r${Math.random().toString(36).slice(2)}.xml`);
  writeFileSync(file, xml);
  return run(xmllint ?? 'xmllint', ['--noout', '--schema', XSD, file]);
}

describe('the gate verdict in all six formats', () => {
  it('not safe (demo) and cannot tell (--skip) each appear and validate everywhere', async () => {
    const cases: Array<{analysis: Awaited<ReturnType<typeof gateReport>>; verdict: string; prom: string; nagios: number}> = [
      {analysis: await gateReport(demo, settings()), verdict: 'not-safe', prom: 'not_safe', nagios: 2},
      {analysis: await gateReport(suse, settings(), {...FLAGS, skip: ['TD108']}), verdict: 'unknown', prom: 'cannot_tell', nagios: 3},
    ];
    for (const {analysis, verdict, prom, nagios} of cases) {
      const {report, facts} = analysis;
      // The suse snapshot with --skip still has the qemu of capture as a blocker; drop it to see CANNOT TELL.
      if (verdict === 'unknown') {
        report.gate = {...report.gate!, verdict: 'unknown', blockers: [], line: verdictLine({verdict: 'unknown', blockers: [], unknowns: report.gate!.unknowns})};
      }
      const out = async (format: 'json' | 'text' | 'junit' | 'prometheus' | 'nagios' | 'html') => render(report, format, {color: false, facts});

      const json = JSON.parse((await out('json')).text) as {gate: {verdict: string}; run: {deselected: string[]}};
      expect(json.gate.verdict).toBe(verdict);
      expect(schemaErrors(json)).toEqual([]);

      const junit = (await out('junit')).text;
      expect(junit).toMatch(/<testcase classname="tapdoctor\.[^"]+" name="gate">\n {6}<failure message="[^"]+" type="(blocker|cannot-tell)">/);
      if (!skipWithout('xmllint', xmllint !== undefined, 'apt-get install libxml2-utils')) expect(xmlValid(junit).status).toBe(0);

      const promText = (await out('prometheus')).text;
      const parsed = parseExposition(promText);
      expect(parsed.problems).toEqual([]);
      const verdicts = parsed.samples.filter((s) => s.name === 'tapdoctor_gate_verdict');
      expect(verdicts.map((s) => [s.labels.verdict, s.value])).toEqual([['safe', 0], ['not_safe', prom === 'not_safe' ? 1 : 0], ['cannot_tell', prom === 'cannot_tell' ? 1 : 0]]);
      expect(parsed.samples.find((s) => s.name === 'tapdoctor_gate_blockers')?.value).toBe(report.gate!.blockers.length);
      if (!skipWithout('promtool', promtool !== undefined, 'apt-get install prometheus')) {
        const r = run(promtool ?? 'promtool', ['check', 'metrics'], promText);
        expect({status: r.status, out: r.stdout + r.stderr}).toEqual({status: 0, out: ''});
      }

      const n = await out('nagios');
      expect(n.exitCode).toBe(nagios);
      expect(n.text.split('\n')[0]).toContain(`TAPDOCTOR GATE ${nagios === 2 ? 'CRITICAL' : 'UNKNOWN'} - ${report.gate!.line} | blockers=`);

      const html = (await out('html')).text;
      // The banner is the page's first element, before the header.
      expect(html.slice(html.indexOf('<body>'))).toMatch(new RegExp(`^<body>\\n<div class="gate-banner gate-${verdict === 'unknown' ? 'cannot-tell' : 'not-safe'}" id="gate" role="status">\\n<p class="verdict">${report.gate!.line}</p>`));

      const text = (await out('text')).text;
      expect(text).toContain('  settings: /etc/tapdoctor.yaml\n');
    }
  });
});

describe('waivers', () => {
  const waivers: Waiver[] = [
    {check: 'TD001', subject: 'eth1', reason: 'eth1 is the storage network, on purpose', expires: '2099-12-31'},
    {check: 'TD013', subject: 'tap?', reason: 'tap owner migrates next sprint', expires: '2099-12-31'},
    {check: 'TD004', reason: 'was waived until the qemu update', expires: '2020-01-01'},
    {check: 'TD105', reason: 'no GRE on this worker', expires: '2099-12-31'},
  ];
  let report: Report;
  let facts: Awaited<ReturnType<typeof gateReport>>['facts'];
  beforeAll(async () => {
    ({report, facts} = await gateReport(demo, settings(waivers)));
  });

  it('marks matching findings (subject exact and glob), leaves the expired one counting, records every waiver\'s use', () => {
    const waived = report.results.flatMap((r) => r.findings).filter((f) => f.waiver);
    expect(waived.map((f) => `${f.checkId} ${f.subject}`)).toEqual(['TD001 eth1', 'TD013 tap0']);
    expect(waived[1]!.waiver).toEqual({check: 'TD013', subject: 'tap?', reason: 'tap owner migrates next sprint', expires: '2099-12-31'});
    expect(report.results.flatMap((r) => r.findings).find((f) => f.checkId === 'TD004')?.waiver).toBeUndefined();
    expect(report.run!.waivers.map((w) => [w.check, w.status, w.matched, w.severity])).toEqual([
      ['TD001', 'applied', 1, undefined],
      ['TD013', 'applied', 1, undefined],
      ['TD004', 'expired', 1, 'warning'],
      ['TD105', 'unused', 0, 'info'],
    ]);
    expect(report.summary.waived).toBe(2);
  });

  it('waived findings count for neither the gate nor the exit code; an expired waiver is a warning, an unused one info', () => {
    expect(report.gate!.blockers.map((b) => b.id)).not.toContain('TD013');
    expect(report.gate!.blockers.map((b) => b.id)).toContain('TD004');
    expect(countedSeverities(report).filter((s) => s === 'warning').length).toBeGreaterThanOrEqual(1);
    // Only the two waiver notices and the waived findings: a report whose findings are all waived.
    const onlyWaived: Report = {...report, results: report.results.map((r) => ({...r, findings: r.findings.filter((f) => f.waiver)}))};
    onlyWaived.run = {...report.run!, waivers: report.run!.waivers.filter((w) => w.status === 'applied')};
    expect(exitCodeFor(onlyWaived, 'info')).toBe(0);
    onlyWaived.run.waivers = report.run!.waivers;
    expect(exitCodeFor(onlyWaived, 'warning')).toBe(1); // the expired waiver
    onlyWaived.run.waivers = report.run!.waivers.filter((w) => w.status !== 'expired');
    expect(exitCodeFor(onlyWaived, 'warning')).toBe(0);
    expect(exitCodeFor(onlyWaived, 'info')).toBe(1); // the unused waiver
  });

  it('shows waived findings with reason and expiry, and the waiver problems, in text, JSON, JUnit and Prometheus', async () => {
    const out = async (format: 'json' | 'text' | 'junit' | 'prometheus') => (await render(report, format, {color: false, facts})).text;

    // Wrapped prose continues on lines indented by 4: join them to read each entry as one line.
    const text = (await render(report, 'text', {color: false, facts, width: 200})).text.replace(/\n {4}(?=\S)/g, ' ');
    expect(text).toContain('  waivers: 4 (2 applied, 1 expired, 1 unused)\n');
    expect(text).toMatch(/\nWAIVED \(2\)\n {2}TD001 eth1: .* \(waived: eth1 is the storage network, on purpose; until 2099-12-31\)\n {2}TD013 tap0: .* \(waived: tap owner migrates next sprint; until 2099-12-31\)\n/);
    expect(text).toContain('\nWAIVER PROBLEMS (2)\n  ▲ TD004 "was waived until the qemu update" until 2020-01-01: EXPIRED on 2020-01-01: waives nothing, 1 finding count again\n  ● TD105 "no GRE on this worker" until 2099-12-31: matches no finding');
    expect(text).toMatch(/Summary: .*, 2 waived —/);

    const json = JSON.parse(await out('json')) as {findings: Array<{checkId: string; waiver?: unknown}>; run: {waivers: Array<{status: string}>}; summary: {waived: number}};
    expect(schemaErrors(json)).toEqual([]);
    expect(json.findings.filter((f) => f.waiver).map((f) => f.checkId)).toEqual(['TD001', 'TD013']);
    expect(json.run.waivers.map((w) => w.status)).toEqual(['applied', 'applied', 'expired', 'unused']);
    expect(json.summary.waived).toBe(2);

    const junit = await out('junit');
    expect(junit).toContain('<property name="settings" value="/etc/tapdoctor.yaml"/>');
    expect(junit).toContain('<property name="waiver" value="TD001 eth1 &quot;eth1 is the storage network, on purpose&quot; until 2099-12-31: waives 1 finding"/>');
    // TD001's only finding is waived: the testcase passes and says why.
    expect(junit).toMatch(/<testcase classname="[^"]+" name="TD001 multiple-uplinks">\n {6}<system-out>waived: eth1: .*\(eth1 is the storage network, on purpose; until 2099-12-31\)<\/system-out>\n {4}<\/testcase>/);
    expect(junit).toMatch(/<testcase classname="[^"]+" name="waivers">\n {6}<failure message="TD004 [^"]*EXPIRED[^"]*" type="warning"\/>\n {6}<failure message="TD105 [^"]*matches no finding[^"]*" type="info"\/>/);
    if (!skipWithout('xmllint', xmllint !== undefined, 'apt-get install libxml2-utils')) expect(xmlValid(junit).status).toBe(0);

    const prom = await out('prometheus');
    const parsed = parseExposition(prom);
    expect(parsed.problems).toEqual([]);
    expect(parsed.samples.find((s) => s.name === 'tapdoctor_findings_waived')?.value).toBe(2);
    expect(parsed.samples.filter((s) => s.name === 'tapdoctor_waiver').map((s) => `${s.labels.check} ${s.labels.subject} ${s.labels.status} ${s.value}`)).toEqual([
      'TD001 eth1 applied 1',
      'TD013 tap? applied 1',
      'TD004 * expired 1',
      'TD105 * unused 0',
    ]);
    expect(parsed.samples.find((s) => s.name === 'tapdoctor_info')?.labels).toMatchObject({settings: '/etc/tapdoctor.yaml', only: '', skip: '', deselected: ''});
    if (!skipWithout('promtool', promtool !== undefined, 'apt-get install prometheus')) {
      const r = run(promtool ?? 'promtool', ['check', 'metrics'], prom);
      expect({status: r.status, out: r.stdout + r.stderr}).toEqual({status: 0, out: ''});
    }
  });
});
