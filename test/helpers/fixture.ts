// Loads fixture snapshots for tests. A full fixture is a snapshot directory (fixtures/healthy-suse).
// A case (fixtures/cases/<name>/) is an overlay: case.json names its base fixture, files it
// removes, sources that failed, and the findings expected; its commands/ and files/ replace the base's.
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {inferManifest, type TreeItem} from '../../src/sources/infer-manifest.js';
import {readTree} from '../../src/sources/read-tree.js';
import type {Snapshot} from '../../src/sources/snapshot.js';

export const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

export interface CaseSpec {
  base: string;
  description: string;
  remove?: string[];
  failed?: Record<string, string>;
  /** Exact findings expected from the whole check set: "TD003 tap5". */
  expect: string[];
}

export async function loadCase(name: string): Promise<{spec: CaseSpec; snapshot: Snapshot}> {
  const dir = join(FIXTURES, 'cases', name);
  const spec = JSON.parse(await readFile(join(dir, 'case.json'), 'utf8')) as CaseSpec;
  const base = await readTree(join(FIXTURES, spec.base));
  const overlay = await readTree(dir);
  const tree = new Map<string, TreeItem>([...base.tree, ...overlay.tree]);
  const contents = new Map<string, Buffer>([...base.contents, ...overlay.contents]);
  for (const p of spec.remove ?? []) {
    const gone = [...tree.keys()].filter((k) => k === p || k.startsWith(`${p}/`));
    if (gone.length === 0) throw new Error(`${name}: remove ${p} matches nothing in ${spec.base}`);
    for (const k of gone) {
      tree.delete(k);
      contents.delete(k);
    }
  }
  const baseManifest = JSON.parse(await readFile(join(FIXTURES, spec.base, 'manifest.json'), 'utf8')) as {hostname?: string; capturedAt?: string; fixture?: {failed?: Record<string, string>}};
  const failed = {...baseManifest.fixture?.failed, ...spec.failed};
  const manifest = inferManifest(tree, {failed, hostname: baseManifest.hostname, capturedAt: baseManifest.capturedAt});
  return {spec, snapshot: {manifest, contents}};
}
