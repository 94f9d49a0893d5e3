// Declarative fixture tests: each case under fixtures/cases/ is an overlay on a healthy fixture
// with the exact findings (check ID + subject) the whole check set must produce on it.
import {readdirSync, existsSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG} from '../src/config.js';
import {CHECKS} from '../src/checks/registry.js';
import {analyzeSnapshot} from '../src/engine.js';
import {readSnapshot} from '../src/sources/archive.js';
import {FIXTURES, loadCase} from './helpers/fixture.js';

const cases = existsSync(join(FIXTURES, 'cases')) ? readdirSync(join(FIXTURES, 'cases')).sort() : [];
const findingKeys = (r: ReturnType<typeof analyzeSnapshot>) => r.results.flatMap((c) => c.findings.map((f) => `${f.checkId} ${f.subject}`)).sort();

// Checks that are not applicable on a healthy host of that flavour, with the reason they must give.
const NOT_APPLICABLE: Record<string, Record<string, RegExp>> = {
  // SUSE's /etc/firewall.nft is NAT only: no filter FORWARD chain to count. No GRE: one MM host.
  'healthy-suse': {TD005: /FORWARD/, TD006: /no GRE port/},
  // Fedora gave up GRE (one host per tap class).
  'healthy-fedora': {TD006: /no GRE port/},
};

describe('healthy fixtures', () => {
  for (const name of ['healthy-suse', 'healthy-fedora']) {
    it(`${name} has zero findings, zero skips, zero collection problems and no check in error`, async () => {
      const report = analyzeSnapshot(await readSnapshot(join(FIXTURES, name)), CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
      expect(findingKeys(report)).toEqual([]);
      expect(report.results.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
      // A healthy worker is a complete worker: every check can look (zero skips, zero collection
      // problems); a check that does not apply there says so as n/a, not as a skip.
      expect(report.results.filter((r) => r.status === 'skip').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
      expect(report.sourceProblems).toEqual([]);
      const notApplicable = report.results.filter((r) => r.status === 'n/a');
      expect(notApplicable.map((r) => r.id).sort()).toEqual(Object.keys(NOT_APPLICABLE[name]!).sort());
      for (const r of notApplicable) expect(r.reason).toMatch(NOT_APPLICABLE[name]![r.id]!);
    });
  }
});

describe('demo fixture', () => {
  it('shows at least five different findings, each with explanation and fix', async () => {
    const report = analyzeSnapshot(await readSnapshot(join(FIXTURES, 'demo')), CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
    const findings = report.results.flatMap((r) => r.findings);
    expect(new Set(findings.map((f) => f.checkId)).size).toBeGreaterThanOrEqual(5);
    for (const f of findings) {
      expect(f.explanation.length, `${f.checkId} ${f.subject} explanation`).toBeGreaterThan(40);
      expect(f.fix.length, `${f.checkId} ${f.subject} fix`).toBeGreaterThan(10);
      expect(f.evidence.length, `${f.checkId} ${f.subject} evidence`).toBeGreaterThan(0);
    }
  });
});

describe.each(cases)('case %s', (name) => {
  it('produces exactly the expected findings', async () => {
    const {spec, snapshot} = await loadCase(name);
    const report = analyzeSnapshot(snapshot, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
    expect(findingKeys(report), spec.description).toEqual([...spec.expect].sort());
    expect(report.results.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    const problems = report.sourceProblems.map((p) => `${p.source}: ${p.problem}`);
    for (const want of spec.sourceProblems ?? []) expect(problems.some((p) => p.startsWith(want)), `${want} in ${JSON.stringify(problems)}`).toBe(true);
    const findings = report.results.flatMap((c) => c.findings);
    for (const [key, re] of Object.entries(spec.messagesMatch ?? {})) {
      expect(findings.find((f) => `${f.checkId} ${f.subject}` === key)?.message, key).toMatch(new RegExp(re));
    }
    for (const text of spec.messagesExclude ?? []) expect(findings.filter((f) => f.message.includes(text)).map((f) => `${f.checkId} ${f.subject}`), text).toEqual([]);
  });
});
