// Keeps check codes, implementations, pages and fixtures in step: a check without its page or
// its failing and passing cases fails the build.
import {readdirSync, readFileSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {CHECKS} from '../src/checks/registry.js';
import {CHECK_META} from '../src/checks/meta.js';
import {extractSection, readCheckPage, shortExplanation} from '../src/checks/docs.js';
import {DEFAULT_CONFIG} from '../src/config.js';
import {analyzeSnapshot} from '../src/engine.js';
import {FIXTURES, loadCase, type CaseSpec} from './helpers/fixture.js';

const SECTIONS = ['What it detects', 'Why it breaks tests', 'Problematic state', 'Correct state', 'How to fix', 'Exceptions'];
const casesDir = join(FIXTURES, 'cases');
const cases: Array<[string, CaseSpec]> = existsSync(casesDir)
  ? readdirSync(casesDir).map((n) => [n, JSON.parse(readFileSync(join(casesDir, n, 'case.json'), 'utf8')) as CaseSpec])
  : [];

describe('check registry', () => {
  it('implements every check in meta.ts exactly once, in ID order', () => {
    expect(CHECKS.map((c) => c.id)).toEqual(CHECK_META.map((m) => m.id));
  });
  it('uses unique, well-formed IDs and slugs', () => {
    expect(new Set(CHECK_META.map((m) => m.id)).size).toBe(CHECK_META.length);
    expect(new Set(CHECK_META.map((m) => m.slug)).size).toBe(CHECK_META.length);
    for (const m of CHECK_META) {
      expect(m.id).toMatch(/^TD\d{3}$/);
      expect(m.slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });
});

describe.each(CHECK_META.map((m) => [m.id, m] as const))('%s', (id, meta) => {
  it('has a page with every section and a title naming the check', () => {
    const page = readCheckPage(id);
    expect(page, `docs/checks/${id}.md`).toBeDefined();
    expect(page!.split('\n')[0]).toContain(id);
    expect(page!.split('\n')[0]).toContain(meta.slug);
    for (const s of SECTIONS) expect(extractSection(page!, s), `${id}: section "${s}"`).toBeTruthy();
    expect(shortExplanation(id).length).toBeGreaterThan(40);
  });
  it('has a failing case and a passing case', () => {
    const failing = cases.filter(([, c]) => c.expect.some((e) => e.startsWith(`${id} `)));
    const passing = cases.filter(([n, c]) => n.startsWith(`${id}-`) && !c.expect.some((e) => e.startsWith(`${id} `)));
    expect(failing.map(([n]) => n), `${id} failing case`).not.toEqual([]);
    expect(passing.map(([n]) => n), `${id} passing case (a trap that must stay silent)`).not.toEqual([]);
  });
});

// Every declared kind (meta `kinds`) is a distinct fault: a `### <ID>/<kind>` section on the page and
// a case in fixtures/cases that produces it, so a kind never exists only in code.
const declaredKinds = CHECK_META.flatMap((m) => Object.keys(m.kinds ?? {}).map((k) => [m.id, `${m.id}/${k}`] as const));
describe.each(declaredKinds)('%s kind %s', (id, kind) => {
  it('has a section on the page and a case that produces it', async () => {
    const page = readCheckPage(id) ?? '';
    expect(page.split('\n'), `docs/checks/${id}.md: ### ${kind}`).toContain(`### ${kind}`);
    const produced: string[] = [];
    for (const [name] of cases.filter(([n]) => n.startsWith(`${id}-`))) {
      const {snapshot} = await loadCase(name);
      const report = analyzeSnapshot(snapshot, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
      if (report.results.some((r) => r.findings.some((f) => f.kind === kind))) produced.push(name);
    }
    expect(produced, `a fixtures/cases/${id}-* case producing ${kind}`).not.toEqual([]);
  });
});

// A check that names its faults names every one: on every case, each of its findings carries a
// declared kind (never the bare `<ID>/<slug>` default), so JSON consumers can rely on the kind.
describe('named kinds', () => {
  it('every finding of a check with declared kinds has one of them, on every case', async () => {
    const unnamed: string[] = [];
    for (const [name] of cases) {
      const {snapshot} = await loadCase(name);
      for (const r of analyzeSnapshot(snapshot, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'}).results) {
        const meta = CHECK_META.find((m) => m.id === r.id)!;
        if (!meta.kinds) continue;
        for (const f of r.findings) if (!Object.keys(meta.kinds).some((k) => f.kind === `${r.id}/${k}`)) unnamed.push(`${name}: ${f.kind} ${f.subject}`);
      }
    }
    expect(unnamed).toEqual([]);
  });
});
