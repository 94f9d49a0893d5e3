// Fixture hosts that cannot be built live: the plan's file edits are applied to a copy of the
// fixture's files (its overlay root, as `--root` would name it) with sh and GNU sed, and the
// persistence checks run again on the edited tree. Steps that change kernel state or call a
// service manager are not run here (the live suite runs those, test/live/heal.test.ts).
import {execFileSync} from 'node:child_process';
import {cpSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {CHECKS} from '../src/checks/registry.js';
import {DEFAULT_CONFIG} from '../src/config.js';
import {analyzeSnapshot, planReport} from '../src/engine.js';
import {stepLines} from '../src/remedies/plan.js';
import {inferManifest} from '../src/sources/infer-manifest.js';
import {readTree} from '../src/sources/read-tree.js';
import type {Snapshot} from '../src/sources/snapshot.js';
import {FIXTURES, type CaseSpec} from './helpers/fixture.js';

const work = mkdtempSync(join(tmpdir(), 'td-overlay-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

/** Steps that only edit files (no kernel state, no service manager). */
const FILE_EDIT = /^(var|file|bridge-port|edit|line|fstab|sysctl-file|delete-vars|nat-move|nat-persist):/;

/** A fixture (or case, over its bases) copied into a directory of its own. */
function materialize(name: string, into: string): {failed: Record<string, string>; hostname?: string; capturedAt?: string} {
  if (!name.startsWith('cases/')) {
    cpSync(join(FIXTURES, name, 'commands'), join(into, 'commands'), {recursive: true, verbatimSymlinks: true});
    cpSync(join(FIXTURES, name, 'files'), join(into, 'files'), {recursive: true, verbatimSymlinks: true});
    const m = JSON.parse(readFileSync(join(FIXTURES, name, 'manifest.json'), 'utf8')) as {hostname?: string; capturedAt?: string; fixture?: {failed?: Record<string, string>}};
    return {failed: {...m.fixture?.failed}, hostname: m.hostname, capturedAt: m.capturedAt};
  }
  const spec = JSON.parse(readFileSync(join(FIXTURES, name, 'case.json'), 'utf8')) as CaseSpec;
  const base = materialize(spec.base, into);
  for (const top of ['commands', 'files']) {
    try {
      cpSync(join(FIXTURES, name, top), join(into, top), {recursive: true, force: true, verbatimSymlinks: true});
    } catch {
      // the case has no such folder
    }
  }
  for (const p of spec.remove ?? []) rmSync(join(into, p), {recursive: true, force: true});
  return {...base, failed: {...base.failed, ...spec.failed}};
}

async function load(dir: string, meta: {failed: Record<string, string>; hostname?: string; capturedAt?: string}): Promise<Snapshot> {
  const {tree, contents} = await readTree(dir);
  return {manifest: inferManifest(tree, meta), contents};
}

const gateFindings = (snapshot: Snapshot) =>
  analyzeSnapshot(snapshot, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'})
    .results.flatMap((r) => r.findings)
    .filter((f) => /^TD1/.test(f.checkId) && f.severity !== 'info')
    .map((f) => `${f.checkId} ${f.subject}`);

/** Apply the plan's file edits below <dir>/files; returns the persistence findings before and after. */
async function applyFileEdits(name: string): Promise<{before: string[]; after: string[]; ran: number}> {
  const dir = mkdtempSync(join(work, `${name.replace(/\//g, '_')}-`));
  const meta = materialize(name, dir);
  const snapshot = await load(dir, meta);
  const report = analyzeSnapshot(snapshot, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
  const before = gateFindings(snapshot);
  const plan = planReport(report.results, join(dir, 'files'));
  const edits = plan.steps.filter((s) => FILE_EDIT.test(s.key) && !s.manual);
  execFileSync('sh', ['-c', ['set -eu', ...edits.flatMap((s) => stepLines(s, plan.root))].join('\n')], {stdio: 'pipe'});
  return {before, after: gateFindings(await load(dir, meta)), ran: edits.length};
}

describe('file edits of a plan, applied to a fixture\'s overlay root', () => {
  it.each([
    ['demo', ['TD103 tap1', 'TD104 eth0']],
    ['cases/TD101-runtime-only-forwarding', ['TD101 net.ipv4.ip_forward']],
    ['cases/TD102-address-only-runtime', ['TD102 br1']],
    ['cases/TD106-hand-mounted-share', ['TD106 /var/lib/openqa/share']],
    // TD002's move of the misplaced line is what makes the file load (TD104's own step is MANUAL).
    ['cases/TD104-file-does-not-load', ['TD104 /etc/firewall.nft']],
  ])('%s: the persistence findings are gone', async (name, expected) => {
    const {before, after, ran} = await applyFileEdits(name);
    for (const e of expected) expect(before).toContain(e);
    expect(ran).toBeGreaterThan(0);
    expect(after).toEqual([]);
  });
});
