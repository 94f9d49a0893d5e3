// The fleet HTML report in headless Chromium, as a person sees it: every host box and every edge
// kind (both ways, one way, missing, to an unknown address) visible, hosts grouped by location,
// hosts and edges with fleet findings outlined in red, no overlapping boxes, no network request.
// The screenshot is kept as docs/fleet-report.png (the README shows it).
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
// @ts-expect-error plain ESM helper shared with the bench
import {addClass, asHost, dropPort, meshBase, meshOfThree, setText, text} from '../../scripts/fleet-fixture.mjs';
import {writeSnapshot} from '../../src/sources/write.js';
import {launchChromium, openFile, skipChromium, type Browser} from '../helpers/chromium.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = join(repo, 'test-artifacts');

type Snap = {manifest: {hostname: string}; contents: Map<string, Buffer>};

describe.skipIf(skipChromium)('fleet HTML report in headless Chromium', () => {
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tapdoctor-fleet-html-'));
    mkdirSync(ARTIFACTS, {recursive: true});
    browser = await launchChromium({width: 1400, height: 900});
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, {recursive: true, force: true});
  });

  it('draws the mesh: locations, every edge kind, findings in red; no overlap, no request', async () => {
    // Location nue: a mesh of three with a one-way tunnel and a stale port, plus a new host no one
    // peers with; location prg: a healthy mesh of three.
    const base = await meshBase();
    const nue = meshOfThree(base, {prefix: 'nue-w', net: '192.0.2', loc: 'nue'}) as Snap[];
    dropPort(nue[1], 'gre2');
    setText(nue[0], 'commands/ovs.interfaces', text(nue[0], 'commands/ovs.interfaces').replace('"192.0.2.30"', '"192.0.2.99"'));
    const newcomer = asHost(base, {hostname: 'nue-w4', addresses: {'192.0.2.10': '192.0.2.40'}}) as Snap;
    addClass(newcomer, 'location-nue');
    dropPort(newcomer, 'gre1');
    dropPort(newcomer, 'gre2');
    const prg = meshOfThree(base, {prefix: 'prg-w', net: '198.51.100', loc: 'prg'}) as Snap[];
    const dir = join(work, 'snapshots');
    mkdirSync(dir);
    for (const h of [...nue, newcomer, ...prg]) await writeSnapshot(h as never, join(dir, `${h.manifest.hostname}.tar.gz`));
    const file = join(work, 'fleet.html');
    const r = spawnSync(process.execPath, ['bin/run.js', 'analyze', dir, '--format', 'html', '-o', file, '--fail-on', 'never'], {cwd: repo, encoding: 'utf8'});
    expect(r.status, r.stderr).toBe(0);

    const {page, requests} = await openFile(browser.context, file);
    const names = ['nue-w1', 'nue-w2', 'nue-w3', 'nue-w4', 'prg-w1', 'prg-w2', 'prg-w3'];
    for (const n of names) expect({n, visible: await page.locator(`svg.mesh g.host[data-host="${n}"]`).isVisible()}).toEqual({n, visible: true});
    expect(await page.locator('svg.mesh g.location').count()).toBe(2);
    const edges = await page.evaluate(() => [...document.querySelectorAll('svg.mesh path.edge[data-kind]')].map((e) => ({from: e.getAttribute('data-from'), to: e.getAttribute('data-to'), kind: e.getAttribute('data-kind'), red: e.classList.contains('has-finding'), color: getComputedStyle(e).stroke})), undefined);
    const kinds = (k: string) => edges.filter((e) => e.kind === k).map((e) => `${e.from}>${e.to}`).sort();
    expect(kinds('one-way')).toEqual(['nue-w3>nue-w1', 'nue-w3>nue-w2']);
    expect(kinds('missing')).toEqual(['nue-w1>nue-w4', 'nue-w2>nue-w4', 'nue-w3>nue-w4']);
    expect(kinds('unknown')).toEqual(['nue-w1>192.0.2.99']);
    expect(kinds('both')).toEqual(['nue-w1>nue-w2', 'prg-w1>prg-w2', 'prg-w1>prg-w3', 'prg-w2>prg-w3']);
    // Every edge a fleet finding is about is drawn thick; healthy prg edges are not.
    expect(edges.filter((e) => e.red).map((e) => `${e.from}>${e.to}`).sort()).toEqual(['nue-w1>192.0.2.99', 'nue-w1>nue-w4', 'nue-w2>nue-w4', 'nue-w3>nue-w1', 'nue-w3>nue-w2', 'nue-w3>nue-w4']);
    // Hosts named by a fleet finding are outlined in red, the others not.
    const outlines = await page.evaluate(() => [...document.querySelectorAll('svg.mesh g.host')].map((g) => ({host: g.getAttribute('data-host'), stroke: getComputedStyle(g.querySelector('rect')!).stroke})), undefined);
    for (const o of outlines) expect({host: o.host, red: o.stroke === 'rgb(196, 0, 0)'}).toEqual({host: o.host, red: o.host!.startsWith('nue-')});
    // Boxes never overlap and stay inside the picture.
    const boxes = await page.evaluate(() => {
      const svg = document.querySelector('svg.mesh') as SVGSVGElement;
      const vb = svg.viewBox.baseVal;
      return {vb: {w: vb.width, h: vb.height}, boxes: [...svg.querySelectorAll('g.host rect, g.unknown-peer rect')].map((r) => (r as SVGRectElement).getBBox()).map((b) => ({x: b.x, y: b.y, w: b.width, h: b.height}))};
    }, undefined);
    for (const [i, a] of boxes.boxes.entries()) {
      expect(a.x >= 0 && a.y >= 0 && a.x + a.w <= boxes.vb.w && a.y + a.h <= boxes.vb.h).toBe(true);
      for (const b of boxes.boxes.slice(i + 1)) expect(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y).toBe(true);
    }
    // Text stays inside its box.
    const spills = await page.evaluate(() => [...document.querySelectorAll('svg.mesh g.host, svg.mesh g.unknown-peer')].flatMap((g) => {
      const r = (g.querySelector('rect') as SVGRectElement).getBBox();
      return [...g.querySelectorAll('text')].map((t) => (t as SVGTextElement).getBBox()).filter((t) => t.x + t.width > r.x + r.width || t.y + t.height > r.y + r.height).map(() => g.getAttribute('data-host') ?? g.getAttribute('data-address'));
    }), undefined);
    expect(spills).toEqual([]);
    expect(await page.locator('table.hosts tbody tr').count()).toBe(7);
    expect(await page.locator('section.host-section').count()).toBe(7);
    expect(await page.locator('#fleet-findings article.finding').count()).toBeGreaterThanOrEqual(4);
    expect(requests).toEqual([]);
    const shot = join(ARTIFACTS, 'fleet-report.png');
    await page.screenshot({path: shot, fullPage: false});
    // Kept for the README; refreshed whenever the picture changes.
    copyFileSync(shot, join(repo, 'docs', 'fleet-report.png'));
    await page.close();
  }, 120_000);
});
