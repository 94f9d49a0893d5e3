// Keeps each check's declared `needs` (its .meta.ts) true: run alone on every fixture and case, a
// check reads only sources its meta names, and each name it declares is a catalogue source that
// some fixture makes it read (so no stale or guessed entry stays).
import {readdirSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {CHECKS} from '../src/checks/registry.js';
import {DEFAULT_CONFIG} from '../src/config.js';
import {runCheck} from '../src/engine.js';
import {Facts} from '../src/facts/facts.js';
import {CATALOGUE} from '../src/sources/catalogue.js';
import {SnapshotView, type Snapshot} from '../src/sources/snapshot.js';
import {readSnapshot} from '../src/sources/archive.js';
import {FIXTURES, loadCase} from './helpers/fixture.js';

/** A view that remembers every source a fact asked for (every access goes through record()). */
class RecordingView extends SnapshotView {
  readonly read = new Set<string>();
  override record(source: string) {
    this.read.add(source);
    return super.record(source);
  }
}

const read = new Map<string, Set<string>>(CHECKS.map((c) => [c.id, new Set<string>()]));

beforeAll(async () => {
  const snapshots: Snapshot[] = [];
  for (const name of ['demo', 'healthy-suse', 'healthy-fedora']) snapshots.push(await readSnapshot(join(FIXTURES, name)));
  for (const name of readdirSync(join(FIXTURES, 'cases')).sort()) snapshots.push((await loadCase(name)).snapshot);
  for (const snapshot of snapshots) {
    for (const check of CHECKS) {
      const view = new RecordingView(snapshot);
      runCheck(check, new Facts(view, DEFAULT_CONFIG));
      for (const s of view.read) read.get(check.id)!.add(s);
    }
  }
}, 120_000);

const SOURCES = new Set(CATALOGUE.map((s) => s.name));

describe.each(CHECKS.map((c) => [c.id, c] as const))('%s needs', (id, check) => {
  it('names catalogue sources only', () => {
    expect(check.needs, `${id} declares needs`).toBeDefined();
    expect(check.needs!.filter((n) => !SOURCES.has(n))).toEqual([]);
  });
  it('covers every source the check reads, and each one it names is read on some fixture', () => {
    // On a difference: the check's facts read another source now; set `needs` in its .meta.ts to what they read.
    const seen = read.get(id)!;
    const declared = new Set(check.needs);
    const gap = {undeclared: [...seen].filter((s) => !declared.has(s)).sort(), neverRead: [...declared].filter((s) => !seen.has(s)).sort()};
    expect(gap, `sources ${id} reads on the fixtures vs its meta's needs`).toEqual({undeclared: [], neverRead: []});
  });
});
