// Loads fixture snapshots for tests. A full fixture is a snapshot directory (fixtures/healthy-suse).
// A case (fixtures/cases/<name>/) is an overlay: case.json names its base (a full fixture, or
// another case as `cases/<name>` to share its files), files it removes, sources that failed, and
// the findings expected; its commands/ and files/ replace the base's.
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
  /** Source problems the report must list ("source: problem"); the start of each is enough. */
  sourceProblems?: string[];
  /** Per finding ("TD008 eth0"), a regular expression its message must match. */
  messagesMatch?: Record<string, string>;
  /** Text no finding's message may contain (a claim the data does not support). */
  messagesExclude?: string[];
}

interface Layer {
  tree: Map<string, TreeItem>;
  contents: Map<string, Buffer>;
  failed: Record<string, string>;
  hostname?: string;
  capturedAt?: string;
}

async function loadLayer(name: string, seen: string[] = []): Promise<Layer> {
  if (seen.includes(name)) throw new Error(`fixture base loop: ${[...seen, name].join(' -> ')}`);
  if (!name.startsWith('cases/')) {
    const {tree, contents} = await readTree(join(FIXTURES, name));
    const manifest = JSON.parse(await readFile(join(FIXTURES, name, 'manifest.json'), 'utf8')) as {hostname?: string; capturedAt?: string; fixture?: {failed?: Record<string, string>}};
    return {tree, contents, failed: {...manifest.fixture?.failed}, hostname: manifest.hostname, capturedAt: manifest.capturedAt};
  }
  const dir = join(FIXTURES, name);
  const spec = JSON.parse(await readFile(join(dir, 'case.json'), 'utf8')) as CaseSpec;
  const base = await loadLayer(spec.base, [...seen, name]);
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
  return {...base, tree, contents, failed: {...base.failed, ...spec.failed}};
}

export async function loadCase(name: string): Promise<{spec: CaseSpec; snapshot: Snapshot}> {
  const spec = JSON.parse(await readFile(join(FIXTURES, 'cases', name, 'case.json'), 'utf8')) as CaseSpec;
  const layer = await loadLayer(`cases/${name}`);
  const manifest = inferManifest(layer.tree, {failed: layer.failed, hostname: layer.hostname, capturedAt: layer.capturedAt});
  return {spec, snapshot: {manifest, contents: layer.contents}};
}
