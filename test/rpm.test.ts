// The RPM (contrib/rpm/tapdoctor.spec) as CI builds it with Debian's rpmbuild: its file list, its
// requirements, the man page (groff warnings), the example settings file, and the systemd units
// (systemd-analyze verify, with the packaged tapdoctor and man page visible through overlays on
// /usr/bin and /usr/lib in a private mount namespace, so nothing is installed on this host).
import {spawnSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseConfig} from '../src/config.js';
import {findTool, skipWithout} from './report/tools.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const tools = ['rpmbuild', 'rpm', 'rpm2archive', 'systemd-analyze', 'groff', 'unshare'];
const missing = tools.filter((t) => !findTool(t));
const isRoot = process.getuid?.() === 0;
const skip = skipWithout(`RPM build tools (${missing.join(', ') || 'root for the mount namespace'})`, missing.length === 0 && isRoot, "Debian packages rpm, systemd, groff-base, util-linux; run as root (.ci/run installs them)");

const work = mkdtempSync(join(tmpdir(), 'td-rpm-test-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));
const sh = (cmd: string, args: string[], opts: {input?: string; env?: NodeJS.ProcessEnv} = {}) => spawnSync(cmd, args, {encoding: 'utf8', timeout: 180_000, ...opts});

describe.skipIf(skip)('the RPM', () => {
  let rpm = '';
  const root = join(work, 'root');
  beforeAll(() => {
    // Its own bundle and RPM in the temp dir: bundle/ belongs to the package test.
    const bundle = sh(process.execPath, ['scripts/bundle.mjs', '--out', join(work, 'bundle')], {env: process.env});
    expect(bundle.status, bundle.stderr).toBe(0);
    const built = spawnSync(process.execPath, ['scripts/rpm.mjs', '--bundle', join(work, 'bundle'), '--out', join(work, 'rpms')], {cwd: repo, encoding: 'utf8'});
    expect(built.status, built.stderr).toBe(0);
    rpm = built.stdout.trim();
    mkdirSync(root);
    const unpack = spawnSync('sh', ['-c', 'rpm2archive - < "$1" | tar -xzf - -C "$2"', 'sh', rpm, root], {encoding: 'utf8'});
    expect(unpack.status, unpack.stderr).toBe(0);
  }, 300_000);

  it('is noarch and lists the program, man page, completions, pages, settings and units', () => {
    expect(rpm).toMatch(/tapdoctor-\d+\.\d+\.\d+-\d+\.noarch\.rpm$/);
    const files = sh('rpm', ['-qlp', rpm]).stdout.trim().split('\n');
    for (const f of [
      '/usr/bin/tapdoctor',
      '/usr/lib/tapdoctor/launch.cjs',
      '/usr/lib/tapdoctor/tapdoctor.cjs',
      '/usr/lib/tapdoctor/tapdoctor.cjs.cache',
      '/etc/tapdoctor.yaml',
      '/usr/lib/systemd/system/tapdoctor-textfile.service',
      '/usr/lib/systemd/system/tapdoctor-textfile.timer',
      '/usr/share/bash-completion/completions/tapdoctor',
      '/usr/share/zsh/site-functions/_tapdoctor',
      '/usr/share/fish/vendor_completions.d/tapdoctor.fish',
      '/usr/share/doc/tapdoctor/README.md',
    ]) expect(files).toContain(f);
    expect(files.some((f) => /^\/usr\/share\/man\/man1\/tapdoctor\.1(\.gz)?$/.test(f))).toBe(true);
    const pages = readdirSync(join(repo, 'docs/checks')).filter((f) => f.endsWith('.md'));
    for (const p of pages) expect(files).toContain(`/usr/share/doc/tapdoctor/checks/${p}`);
    // Nothing from node_modules: the program is one file.
    expect(files.filter((f) => f.includes('node_modules'))).toEqual([]);
    expect(sh('rpm', ['-qp', '--configfiles', rpm]).stdout.trim()).toBe('/etc/tapdoctor.yaml');
  });

  it('requires nodejs >= 20 and nothing else of the system', () => {
    const requires = sh('rpm', ['-qp', '--requires', rpm]).stdout.trim().split('\n').filter((r) => !r.startsWith('rpmlib(') && !r.startsWith('config('));
    expect(requires).toEqual(['nodejs >= 20']);
  });

  it('installs a tapdoctor that runs the demo with the system node, from the code cache', () => {
    // /usr/bin/tapdoctor is the launcher (a link into /usr/lib/tapdoctor, beside the build it loads).
    const bin = join(root, 'usr/bin/tapdoctor');
    expect(readlinkSync(bin)).toBe('../lib/tapdoctor/launch.cjs');
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/node');
    const r = sh(process.execPath, [bin, 'analyze', join(repo, 'fixtures/demo'), '--brief'], {env: {...process.env, TAPDOCTOR_DEBUG: '1'}});
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^✖ TD003 vlan-tag-mismatch tap0: /m);
    // The package's build and cache are the ones the bundle step made: the cache still fits.
    expect(r.stderr).toMatch(/^tapdoctor: code cache used: .*\/usr\/lib\/tapdoctor\/tapdoctor\.cjs\.cache$/m);
    expect(readFileSync(join(root, 'usr/lib/tapdoctor/tapdoctor.cjs'))).toEqual(readFileSync(join(work, 'bundle/tapdoctor.cjs')));
  });

  it('has a man page groff reads without a warning, with every command', () => {
    const man = readdirSync(join(root, 'usr/share/man/man1'))[0]!;
    const file = join(root, 'usr/share/man/man1', man);
    const text = man.endsWith('.gz') ? sh('zcat', [file]).stdout : readFileSync(file, 'utf8');
    const r = sh('groff', ['-man', '-Tutf8', '-ww', '-z'], {input: text});
    expect(r.stderr).toBe('');
    for (const cmd of ['analyze', 'check', 'checks list', 'explain', 'gate', 'snapshot', 'completion']) expect(text).toContain(`.SS ${cmd}`);
  });

  it('ships an example settings file that is valid once its settings are uncommented', async () => {
    const text = readFileSync(join(root, 'etc/tapdoctor.yaml'), 'utf8');
    expect(await parseConfig(text, 'example')).toEqual({});
    // "# key: value" and the "#   - item" lines of a list setting
    const enabled = text.replace(/^# (?=\w+:|\s+- )/gm, '');
    const settings = await parseConfig(enabled, 'example uncommented');
    expect(Object.keys(settings).length).toBeGreaterThan(3);
  });

  it('has systemd units that systemd-analyze verify accepts, and it would catch a broken one', () => {
    const units = join(root, 'usr/lib/systemd/system');
    const verify = (files: string[]) =>
      sh('unshare', ['-m', 'sh', '-c', 'mount --make-rprivate / && mount -t overlay overlay -o "lowerdir=$1/usr/bin:/usr/bin" /usr/bin && mount -t overlay overlay -o "lowerdir=$1/usr/lib:/usr/lib" /usr/lib && shift && MANPATH="$R/usr/share/man" systemd-analyze verify "$@"', 'sh', root, ...files], {env: {...process.env, R: root}});
    const ok = verify([join(units, 'tapdoctor-textfile.service'), join(units, 'tapdoctor-textfile.timer')]);
    expect(`${ok.stdout}${ok.stderr}`).toBe('');
    expect(ok.status).toBe(0);
    // The unit writes the metrics with --force into the textfile directory, in Prometheus format.
    const service = readFileSync(join(units, 'tapdoctor-textfile.service'), 'utf8');
    expect(service).toMatch(/^ExecStart=\/usr\/bin\/tapdoctor check .*--format prometheus --output \$\{TEXTFILE_DIR\}\/tapdoctor\.prom --force$/m);
    // A negative control: the same check fails a unit whose program does not exist.
    const broken = join(work, 'broken.service');
    writeFileSync(broken, service.replace('/usr/bin/tapdoctor check', '/usr/bin/tapdoctor-missing check'));
    const bad = verify([broken]);
    expect(`${bad.stdout}${bad.stderr}`).toMatch(/tapdoctor-missing is not executable/);
  });
});
