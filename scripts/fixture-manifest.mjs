#!/usr/bin/env node
// Writes manifest.json for hand-made fixture snapshot directories (run after `npm run build`):
//   node scripts/fixture-manifest.mjs fixtures/demo [fixtures/other ...]
// Authors drop captured outputs under commands/<source>[/<key>] and host files under
// files/<absolute path>. Kept from an existing manifest.json: hostname, capturedAt, root and
// `fixture.failed` ({source: reason}) for sources that host could not provide. A source the
// capture never had (added to the catalogue later) stays absent unless the fixture now holds data
// for it: "collected, empty" would be a claim about the host (e.g. no /etc/tapdoctor.yaml there).
import {readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {inferManifest} from '../dist/sources/infer-manifest.js';
import {readTree} from '../dist/sources/read-tree.js';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node scripts/fixture-manifest.mjs FIXTURE_DIR...');
  process.exit(2);
}
for (const dir of dirs) {
  let previous = {};
  try {
    previous = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
  } catch {}
  const {tree} = await readTree(dir);
  const failed = previous.fixture?.failed;
  const manifest = inferManifest(tree, {failed, hostname: previous.hostname, capturedAt: previous.capturedAt, root: previous.root});
  const known = previous.sources ? new Set(Object.keys(previous.sources)) : undefined;
  const sources = Object.fromEntries(Object.entries(manifest.sources).filter(([name, s]) => !known || known.has(name) || s.entries.length > 0));
  const out = {...manifest, sources, ...(failed ? {fixture: {failed}} : {})};
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`${dir}/manifest.json: ${Object.values(manifest.sources).filter((s) => s.entries.length).length} sources with data`);
}
