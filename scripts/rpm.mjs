#!/usr/bin/env node
// `npm run rpm` (after `npm run bundle`): the noarch RPM of contrib/rpm/tapdoctor.spec, built with
// rpmbuild in a throwaway top directory. Prints the path of the .rpm.
//   node scripts/rpm.mjs [--bundle DIR] [--out DIR]     (defaults: bundle/ for both)
import {spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? resolve(process.argv[i + 1]) : fallback;
};
const bundle = arg('--bundle', join(repo, 'bundle'));
const out = arg('--out', bundle);
const {version} = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const spec = join(repo, 'contrib/rpm/tapdoctor.spec');
const specVersion = /^Version:\s*(\S+)/m.exec(readFileSync(spec, 'utf8'))?.[1];
if (specVersion !== version) fail(`contrib/rpm/tapdoctor.spec says Version ${specVersion}, package.json ${version}: make them agree`);
if (!existsSync(join(bundle, 'tapdoctor.cjs'))) fail(`${bundle}/tapdoctor.cjs is missing: run npm run bundle first`);

const top = mkdtempSync(join(tmpdir(), 'td-rpm-'));
try {
  // Source0: tapdoctor-<version>/ with the bundle, the pages, the README and contrib/.
  const src = join(top, 'src', `tapdoctor-${version}`);
  for (const [from, to] of [[bundle, 'bundle'], [join(repo, 'docs'), 'docs'], [join(repo, 'contrib'), 'contrib'], [join(repo, 'README.md'), 'README.md']]) cpSync(from, join(src, to), {recursive: true});
  mkdirSync(join(top, 'SOURCES'));
  run('tar', ['-czf', join(top, 'SOURCES', `tapdoctor-${version}.tar.gz`), '-C', join(top, 'src'), `tapdoctor-${version}`]);
  // --nodeps: the build host need not have nodejs >= 20 as an RPM (CI runs Debian).
  run('rpmbuild', ['-bb', '--nodeps', '--define', `_topdir ${top}`, spec]);
  const rpms = readdirSync(join(top, 'RPMS/noarch')).filter((f) => f.endsWith('.rpm'));
  mkdirSync(out, {recursive: true});
  for (const f of rpms) cpSync(join(top, 'RPMS/noarch', f), join(out, f));
  console.log(rpms.map((f) => join(out, f)).join('\n'));
} finally {
  rmSync(top, {recursive: true, force: true});
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, {encoding: 'utf8'});
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
}

function fail(message) {
  console.error(`rpm: ${message}`);
  process.exit(2);
}
