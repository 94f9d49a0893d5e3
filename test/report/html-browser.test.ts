// Render the HTML report in headless Chromium and check what a person would see: every tap, the
// VLAN legend, the findings, red outlines, no overlapping cells, no text spilling out of its box,
// no network requests. Screenshots land in test-artifacts/ (gitignored) for a human look.
// Needs /usr/bin/chromium (Debian package `chromium`, or CHROMIUM_PATH) and playwright-core.
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {launchChromium, openFile, skipChromium, type Browser, type Page} from '../helpers/chromium.js';
import {idPart, renderHtml} from '../../src/report/html/index.js';
import type {HostTopology} from '../../src/facts/topology.js';
import type {Report} from '../../src/model.js';
import {largeTopology, reportForTopology, sampleReport, smallTopology} from './fixtures.js';
import {buildTopology} from '../../src/report/place-findings.js';
import {analyzeSnapshot} from '../../src/engine.js';
import {CHECKS} from '../../src/checks/registry.js';
import {DEFAULT_CONFIG} from '../../src/config.js';
import {Facts} from '../../src/facts/facts.js';
import {readSnapshot} from '../../src/sources/archive.js';
import {SnapshotView} from '../../src/sources/snapshot.js';
import {analyze} from '../../src/cli/pipeline.js';
import {decideGate, toGateVerdict} from '../../src/gate/decide.js';
import {verdictLine} from '../../src/gate/render.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe.skipIf(skipChromium)('HTML report in headless Chromium', () => {
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tapdoctor-html-'));
    mkdirSync(ARTIFACTS, {recursive: true});
    browser = await launchChromium({width: 1280, height: 900});
  });

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, {recursive: true, force: true});
  });

  async function open(name: string, report: Report, topology: HostTopology): Promise<{page: Page; requests: string[]}> {
    const file = join(work, `${name}.html`);
    writeFileSync(file, renderHtml(report, topology));
    return openFile(browser.context, file);
  }

  async function checkEverythingVisible(page: Page, report: Report, topology: HostTopology) {
    for (const tap of topology.taps) {
      expect({tap: tap.name, visible: await page.locator(`#tap-${idPart(tap.name)}`).isVisible()}).toEqual({tap: tap.name, visible: true});
    }
    const tags = [...new Set(topology.taps.flatMap((t) => (t.tag === undefined ? [] : [String(t.tag)])))];
    if (topology.taps.some((t) => t.tag === undefined)) tags.push('untagged');
    for (const tag of tags) {
      expect({tag, visible: await page.locator(`.vlan-legend .vlan-legend-entry[data-vlan="${tag}"]`).isVisible()}).toEqual({tag, visible: true});
    }
    expect(await page.locator('.vlan-legend .vlan-legend-entry').count()).toBe(tags.length);
    const findings = report.results.flatMap((r) => r.findings);
    expect(await page.locator('article.finding').count()).toBe(findings.length);
    for (let i = 1; i <= findings.length; i++) expect(await page.locator(`#finding-${i}`).isVisible()).toBe(true);

    // Every drawn element with findings is outlined in red; none without.
    const outlines = await page.evaluate(() => {
      return [...document.querySelectorAll('svg .node')].map((g) => ({
        id: g.id,
        has: g.classList.contains('has-findings'),
        stroke: getComputedStyle(g.querySelector('rect')!).stroke,
      }));
    }, undefined);
    for (const o of outlines) expect({id: o.id, red: o.stroke === 'rgb(196, 0, 0)'}).toEqual({id: o.id, red: o.has});
    const drawnWithFindings = [...topology.taps, ...topology.uplinks, ...topology.tunnels, ...topology.natNames].filter((n) => n.findings.length > 0).length;
    expect(outlines.filter((o) => o.has).length).toBe(drawnWithFindings + (topology.bridge?.findings.length ? 1 : 0));

    // Legibility: cells never overlap, text stays inside its box, everything lies inside the SVG.
    const layout = await page.evaluate(() => {
      const svg = document.querySelector('svg.topology') as SVGSVGElement;
      const vb = svg.viewBox.baseVal;
      const boxes = [...svg.querySelectorAll('.node')].map((g) => {
        const r = g.querySelector('rect')!.getBBox();
        const texts = [...g.querySelectorAll('text')].map((t) => (t as SVGTextElement).getBBox());
        return {id: g.id, r: {x: r.x, y: r.y, w: r.width, h: r.height}, texts: texts.map((t) => ({x: t.x, y: t.y, w: t.width, h: t.height}))};
      });
      return {vb: {w: vb.width, h: vb.height}, boxes};
    }, undefined);
    const {boxes, vb} = layout;
    for (const b of boxes) {
      expect({id: b.id, inside: b.r.x >= 0 && b.r.y >= 0 && b.r.x + b.r.w <= vb.w && b.r.y + b.r.h <= vb.h}).toEqual({id: b.id, inside: true});
      // Lines of one box never collide (e.g. finding ids over an address).
      for (let i = 0; i < b.texts.length; i++) {
        for (let j = i + 1; j < b.texts.length; j++) {
          const p = b.texts[i]!;
          const q = b.texts[j]!;
          const hit = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h - 1 && q.y < p.y + p.h - 1;
          expect({id: b.id, lines: `${i} ${j}`, hit}).toEqual({id: b.id, lines: `${i} ${j}`, hit: false});
        }
      }
      for (const t of b.texts) {
        expect({id: b.id, fits: t.x >= b.r.x && t.x + t.w <= b.r.x + b.r.w + 0.5 && t.y >= b.r.y - 0.5 && t.y + t.h <= b.r.y + b.r.h + 0.5}).toEqual({id: b.id, fits: true});
      }
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!.r;
        const c = boxes[j]!.r;
        const overlap = a.x < c.x + c.w && c.x < a.x + a.w && a.y < c.y + c.h && c.y < a.y + a.h;
        expect({pair: `${boxes[i]!.id} ${boxes[j]!.id}`, overlap}).toEqual({pair: `${boxes[i]!.id} ${boxes[j]!.id}`, overlap: false});
      }
    }
    return vb;
  }

  it('shows a small host: uplinks, bridge, 3 taps, legend, findings; fetches nothing', async () => {
    const report = sampleReport();
    const topology = smallTopology(report);
    const {page, requests} = await open('small', report, topology);
    const vb = await checkEverythingVisible(page, report, topology);
    for (const id of ['#uplink-eth0', '#uplink-eth1', '#nat-eth9', '#bridge-br1', '#tunnel-gre1', '#summary', '#checks']) {
      expect({id, visible: await page.locator(id).isVisible()}).toEqual({id, visible: true});
    }
    expect(requests).toEqual([]);
    await page.locator('svg.topology').screenshot({path: join(ARTIFACTS, 'topology-small.png')});
    await page.screenshot({path: join(ARTIFACTS, 'report-small.png'), fullPage: true});
    await page.close();
    expect(vb.h).toBeLessThan(560);
  });

  it('keeps 64 taps legible: the grid wraps and the drawing grows', async () => {
    const topology = largeTopology(64);
    const report = reportForTopology(topology);
    const {page, requests} = await open('large', report, topology);
    const vb = await checkEverythingVisible(page, report, topology);
    expect(vb.h).toBeGreaterThan(900);
    expect(requests).toEqual([]);
    await page.locator('svg.topology').screenshot({path: join(ARTIFACTS, 'topology-64.png')});
    await page.screenshot({path: join(ARTIFACTS, 'report-64.png'), fullPage: true});
    await page.close();
  });

  it('draws the demo snapshot: its taps, their VLANs and the findings on them', async () => {
    const snapshot = await readSnapshot(fileURLToPath(new URL('../../fixtures/demo', import.meta.url)));
    const report = analyzeSnapshot(snapshot, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot', path: 'fixtures/demo'});
    const topology = buildTopology(new Facts(new SnapshotView(snapshot), DEFAULT_CONFIG), report);
    expect(topology.taps.map((t) => t.name).sort()).toEqual(['tap0', 'tap1', 'tap2']);
    const {page, requests} = await open('demo', report, topology);
    await checkEverythingVisible(page, report, topology);
    expect(await page.locator('#tap-tap0.has-findings').count()).toBe(1);
    expect(await page.locator('#uplink-eth1.has-findings').count()).toBe(1);
    expect(requests).toEqual([]);
    await page.screenshot({path: join(ARTIFACTS, 'report-demo.png'), fullPage: true});
    await page.close();
  });

  it('puts the gate verdict in a banner on top of the page, above everything, with its blockers and a waived finding apart', async () => {
    const snapshot = await readSnapshot(fileURLToPath(new URL('../../fixtures/demo', import.meta.url)));
    const settings = {config: {...DEFAULT_CONFIG, waivers: [{check: 'TD001', subject: 'eth1', reason: 'storage network', expires: '2099-12-31'}]}, from: 'defaults'};
    const {report, facts} = await analyze(snapshot, {'fail-on': 'warning', json: false, quiet: false}, settings, {mode: 'snapshot', path: 'fixtures/demo'}, {gate: true});
    const decision = await decideGate({report, snapshot, config: settings.config, mode: 'snapshot', openqa: {ask: false, why: '--no-openqa'}});
    report.gate = toGateVerdict(decision, verdictLine(decision));
    const {page, requests} = await open('gate', report, buildTopology(facts, report));
    const banner = await page.evaluate(() => {
      const el = document.querySelector('#gate') as HTMLElement;
      const r = el.getBoundingClientRect();
      const header = document.querySelector('header')!.getBoundingClientRect();
      return {
        first: document.body.firstElementChild === el,
        top: r.top,
        belowIt: header.top >= r.bottom,
        verdict: el.querySelector('.verdict')!.textContent,
        blockers: el.querySelectorAll('.blockers li').length,
        heals: el.querySelectorAll('.heals li').length,
        background: getComputedStyle(el).backgroundColor,
      };
    }, undefined);
    expect(banner).toEqual({first: true, top: 0, belowIt: true, verdict: report.gate.line, blockers: report.gate.blockers.length, heals: report.gate.heals.length, background: 'rgb(179, 38, 30)'});
    expect(await page.locator('#gate').isVisible()).toBe(true);
    expect(await page.locator('#waived .waived-finding[data-check="TD001"]').isVisible()).toBe(true);
    expect(await page.locator('article.finding[data-check="TD001"]').count()).toBe(0);
    // ...and the drawing does not mark eth1 as a fault any more.
    expect(await page.locator('#uplink-eth1.has-findings').count()).toBe(0);
    expect(requests).toEqual([]);
    await page.screenshot({path: join(ARTIFACTS, 'report-gate.png'), fullPage: false});
    await page.close();
  });
});
