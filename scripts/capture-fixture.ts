// Captures a real snapshot of a live scenario host into a fixture directory:
//   npm run build && npx vite-node scripts/capture-fixture.ts <preset>[+<fault>...] <fixture dir>
// e.g. healthySuse+secondUplink+wrongTag builds the SUSE host with both faults.
// Builds the throwaway host (test/live), runs `tapdoctor snapshot` inside it, unpacks the
// tarball with our own reader, and tears the host down. Fixture authors then adjust what a
// namespace cannot show (NFS, systemd) by hand and say so in the fixture's README.
import {mkdir, rm, writeFile} from 'node:fs/promises';
import {dirname, join, resolve} from 'node:path';
import {LiveHost} from '../test/live/host.js';
import {FAULTS, PRESETS, withFaults, type FaultName, type PresetName} from '../test/live/spec.js';
import {readSnapshot} from '../src/sources/archive.js';

const [wanted, outDir] = process.argv.slice(2) as [string, string];
const [preset, ...faults] = (wanted ?? '').split('+') as [PresetName, ...FaultName[]];
if (!preset || !outDir || !(preset in PRESETS) || faults.some((f) => !(f in FAULTS))) {
  console.error(`usage: capture-fixture.ts <${Object.keys(PRESETS).join('|')}>[+<${Object.keys(FAULTS).join('|')}>...] <dir>`);
  process.exit(2);
}
const repo = resolve(import.meta.dirname, '..');
const host = await LiveHost.create(withFaults(PRESETS[preset](), ...faults));
try {
  const tarball = join(host.workDir, 'snap.tar.gz');
  const r = await host.exec(['node', join(repo, 'bin/run.js'), 'snapshot', '--root', host.rootDir, '-o', tarball, '--quiet']);
  if (r.code !== 0) throw new Error(`snapshot failed: ${r.stderr}`);
  const snap = await readSnapshot(tarball);
  const dir = resolve(outDir);
  await rm(join(dir, 'commands'), {recursive: true, force: true});
  await rm(join(dir, 'files'), {recursive: true, force: true});
  for (const [path, content] of snap.contents) {
    await mkdir(dirname(join(dir, path)), {recursive: true});
    await writeFile(join(dir, path), content);
  }
  // The --root prefix is an artefact of the capture; keep the manifest's shape otherwise.
  snap.manifest.root = '/';
  await writeFile(join(dir, 'captured-manifest.json'), `${JSON.stringify(snap.manifest, null, 2).split(host.rootDir).join('')}\n`);
  console.log(`captured ${snap.contents.size} members into ${dir}`);
} finally {
  await host.destroy();
}
