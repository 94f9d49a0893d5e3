// The published package works without a registry: `npm pack`, then `npm install -g --offline` of
// the tarball into an empty prefix with an empty cache and the registry pointed at a closed
// loopback port, and the installed `tapdoctor` runs check, analyze, gate and explain. The one-file
// build, copied alone into an empty directory under a name without extension, runs the demo the
// same way. Nothing here reaches beyond loopback.
import {spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readSnapshot} from '../src/sources/archive.js';
import {writeSnapshot} from '../src/sources/write.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'td-pack-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as {port: number};
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const demoFindings = (stdout: string) => (JSON.parse(stdout) as {findings: {checkId: string; subject: string}[]}).findings.map((f) => `${f.checkId} ${f.subject}`).sort();
const env = {...process.env, NO_COLOR: '1'};
const {version} = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {version: string};
/** A version of the same length as ours, for "another build". */
const otherVersion = version.replace(/\d/g, (d) => String((Number(d) + 1) % 10));

describe('npm pack + npm install -g --offline, no registry', () => {
  let bin = '';
  let installedRoot = '';
  let npmLog = '';
  beforeAll(async () => {
    const pack = spawnSync('npm', ['pack', '--pack-destination', work, '--silent'], {cwd: repo, encoding: 'utf8'});
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(work).find((f) => /^tapdoctor-.*\.tgz$/.test(f));
    expect(tgz).toBeDefined();
    const prefix = join(work, 'prefix');
    const cache = join(work, 'empty-cache');
    mkdirSync(cache);
    const registry = `http://127.0.0.1:${await closedPort()}/`;
    const install = spawnSync('npm', ['install', '-g', '--offline', '--prefix', prefix, '--cache', cache, '--registry', registry, '--no-audit', '--no-fund', join(work, tgz!)], {
      cwd: work,
      encoding: 'utf8',
      env: {...env, npm_config_registry: registry, npm_config_cache: cache, npm_config_offline: 'true'},
    });
    npmLog = `${install.stdout}${install.stderr}`;
    expect(install.status, npmLog).toBe(0);
    bin = join(prefix, 'bin', 'tapdoctor');
    installedRoot = join(prefix, 'lib/node_modules/tapdoctor');
  }, 300_000);

  const run = (...args: string[]) => spawnSync(bin, args, {cwd: work, encoding: 'utf8', env});

  it('installs the launcher as the command, beside the one-file build and its code cache', () => {
    expect(realpathSync(bin)).toBe(realpathSync(join(installedRoot, 'bundle/launch.cjs')));
    for (const f of ['tapdoctor.cjs', 'tapdoctor.cjs.cache']) expect(readdirSync(join(installedRoot, 'bundle'))).toContain(f);
    const r = spawnSync(bin, ['--version'], {cwd: work, encoding: 'utf8', env: {...env, TAPDOCTOR_DEBUG: '1'}});
    expect(r.stderr).toMatch(/^tapdoctor: code cache used: /m);
  });

  it('declares no runtime dependency and installs nothing but itself', () => {
    // Runtime libraries are devDependencies: the bundle carries them. A "dependencies" entry would
    // make the offline install fetch it.
    expect((JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {dependencies?: object}).dependencies).toBeUndefined();
    expect(readdirSync(installedRoot).sort()).not.toContain('node_modules');
    expect(npmLog).toMatch(/added 1 package/);
  });

  it('runs explain, checks list and --version from the installed package', () => {
    expect(run('--version').stdout).toMatch(/^tapdoctor\/\d+\.\d+\.\d+ /);
    const explain = run('explain', 'TD001');
    expect(explain.status).toBe(0);
    expect(explain.stdout).toMatch(/^# TD001 multiple-uplinks/);
    expect(run('checks', 'list').stdout).toContain('vlan-tag-mismatch');
  });

  it('analyzes and gates the demo snapshot shipped in the package', () => {
    const demo = join(installedRoot, 'fixtures/demo');
    const analyze = run('analyze', demo, '--json');
    expect(analyze.status, analyze.stderr).toBe(1);
    const dev = spawnSync(process.execPath, ['bin/run.js', 'analyze', 'fixtures/demo', '--json'], {cwd: repo, encoding: 'utf8', env});
    expect(demoFindings(analyze.stdout)).toEqual(demoFindings(dev.stdout));
    const gate = run('gate', '--snapshot', demo, '--no-openqa');
    expect(gate.status).toBe(1);
    expect(gate.stdout.trimEnd().split('\n').at(-1)).toMatch(/^NOT SAFE TO REBOOT: \d+ blockers$/);
  });

  it('checks this host live and reports in JSON, without a stack trace', () => {
    const check = run('check', '--json', '--timeout', '20');
    expect([0, 1, 2], check.stderr).toContain(check.status);
    expect(check.stderr).not.toMatch(/\n\s+at /);
    expect((JSON.parse(check.stdout) as {target: {mode: string}}).target.mode).toBe('live');
  }, 60_000);
});

// The code cache is only a head start. Whether it is missing, damaged, made for another build of
// tapdoctor.cjs (the same length: V8 alone would take it) or by another V8, or refused by V8 (other V8
// flags), the launcher prints the same bytes with the same exit code as the one file run alone, and
// TAPDOCTOR_DEBUG=1 says which way it went. Each case is a copy of the installed bundle/ directory.
describe('the launcher and its code cache', () => {
  let installed = '';
  beforeAll(() => {
    installed = join(work, 'prefix/lib/node_modules/tapdoctor/bundle');
    expect(existsSync(join(installed, 'launch.cjs')), 'the npm install above').toBe(true);
  });
  const demo = join(repo, 'fixtures/demo');
  const runs: string[][] = [
    ['analyze', demo, '--json'],
    // gate loads a node builtin lazily (import() in the sources)
    ['gate', '--snapshot', demo, '--no-openqa'],
    ['explain', 'TD001'],
    ['checks', 'list', '--format', 'json'],
    ['chek'],
    ['--version'],
  ];
  const copy = (name: string, change?: (dir: string) => void): string => {
    const dir = join(work, `launch-${name}`);
    mkdirSync(dir);
    for (const f of ['launch.cjs', 'tapdoctor.cjs', 'tapdoctor.cjs.cache']) copyFileSync(join(installed, f), join(dir, f));
    change?.(dir);
    return dir;
  };
  const node = (file: string, args: string[], extra: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [file, ...args], {cwd: work, encoding: 'utf8', env: {...env, ...extra}});
  /**
   * Each of `runs` through the launcher (its first stderr line, TAPDOCTOR_DEBUG's, matching `why`) and
   * through tapdoctor.cjs alone: the same exit code, stdout and stderr (with TAPDOCTOR_DEBUG=1 for
   * both, so usage errors carry stack traces: their frames in tapdoctor.cjs must read the same; below
   * them are node's loader and the launcher, which differ by how the file was started).
   */
  const ownFrames = (stderr: string) => stderr.split('\n').filter((line) => !/^\s+at /.test(line) || /[(\s]\/\S*\/tapdoctor\.cjs:\d+:\d+\)?$/.test(line));
  const sameAsAlone = (dir: string, extra: NodeJS.ProcessEnv, why: RegExp) => {
    for (const args of runs) {
      const plain = node(join(dir, 'tapdoctor.cjs'), args, {...extra, TAPDOCTOR_DEBUG: '1'});
      const launched = node(join(dir, 'launch.cjs'), args, {...extra, TAPDOCTOR_DEBUG: '1'});
      const [first, ...rest] = ownFrames(launched.stderr);
      expect(first, args.join(' ')).toMatch(why);
      expect({status: launched.status, stdout: launched.stdout, stderr: rest}, args.join(' ')).toEqual({status: plain.status, stdout: plain.stdout, stderr: ownFrames(plain.stderr)});
    }
  };
  /** The cache file with its header line replaced (the launcher's own header, or one field of it changed). */
  const restamp = (dir: string, edit: (header: string) => string) => {
    const launcher = createRequire(import.meta.url)(join(dir, 'launch.cjs')) as {cacheHeader(b: Buffer, d: Buffer): string};
    const cache = readFileSync(join(dir, 'tapdoctor.cjs.cache'));
    const data = cache.subarray(cache.indexOf(10) + 1);
    writeFileSync(join(dir, 'tapdoctor.cjs.cache'), Buffer.concat([Buffer.from(edit(launcher.cacheHeader(readFileSync(join(dir, 'tapdoctor.cjs')), data)), 'latin1'), data]));
  };
  /** Another build of the same length: the version string changed in place. */
  const otherBuild = (dir: string) => {
    const file = join(dir, 'tapdoctor.cjs');
    const text = readFileSync(file, 'utf8');
    expect(text.split(`"${version}"`)).toHaveLength(2);
    writeFileSync(file, text.replace(`"${version}"`, `"${otherVersion}"`));
  };

  const cases: [string, ((dir: string) => void) | undefined, NodeJS.ProcessEnv, RegExp][] = [
    ['absent', (dir) => rmSync(join(dir, 'tapdoctor.cjs.cache')), {}, /code cache not used: cannot read .*tapdoctor\.cjs\.cache: ENOENT/],
    ['damaged', (dir) => {
      const file = join(dir, 'tapdoctor.cjs.cache');
      const bytes = readFileSync(file);
      for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 64; i++) bytes[i] ^= 0xff;
      writeFileSync(file, bytes);
    }, {}, /code cache not used: .* is damaged/],
    ['not a cache', (dir) => writeFileSync(join(dir, 'tapdoctor.cjs.cache'), 'garbage\n'), {}, /code cache not used: .* is not a tapdoctor code cache/],
    ['from another build', otherBuild, {}, /code cache not used: .* was made for another tapdoctor\.cjs/],
    ['from another V8', (dir) => restamp(dir, (h) => h.replace(/ v8=\S+/, ' v8=10.2.154.26-node.1')), {}, /code cache not used: .* was made by V8 10\.2\.154\.26-node\.1, this is /],
    ['refused by V8 (other V8 flags)', undefined, {NODE_OPTIONS: '--max-old-space-size=3000'}, /code cache not used: V8 rejected /],
  ];

  it('is used when it fits: the same output and exit codes as the one file alone', () => {
    const dir = copy('fits');
    sameAsAlone(dir, {}, /^tapdoctor: code cache used: /);
    expect(node(join(dir, 'launch.cjs'), ['analyze', demo, '--json']).status).toBe(1);
    expect(node(join(dir, 'launch.cjs'), ['chek']).stderr).toMatch(/^tapdoctor: unknown command 'chek'; did you mean 'check'\?/);
  });

  it.each(cases)('is not used when %s: the same output and exit codes as the one file alone', (name, change, extra, why) => {
    const dir = copy(name.replace(/\W+/g, '-'), change);
    sameAsAlone(dir, extra, why);
    if (change === otherBuild) expect(node(join(dir, 'launch.cjs'), ['--version']).stdout).toMatch(new RegExp(`^tapdoctor/${otherVersion} `));
  });

  it('needs its hash check: V8 alone runs a cache made for another build of the same length', () => {
    // The negative control of "from another build": the same files with the header made to match.
    const dir = copy('restamped', (d) => {
      otherBuild(d);
      restamp(d, (h) => h);
    });
    const r = node(join(dir, 'launch.cjs'), ['--version'], {TAPDOCTOR_DEBUG: '1'});
    expect(r.stderr).toMatch(/^tapdoctor: code cache used: /);
    expect(r.stdout).toMatch(new RegExp(`^tapdoctor/${version.replaceAll('.', '\\.')} `));
  });

  it('keeps TAPDOCTOR_DEBUG stack traces pointing into tapdoctor.cjs, and runs the fleet worker threads from the cache too', async () => {
    const dir = copy('debug');
    const r = node(join(dir, 'launch.cjs'), ['analyze', join(work, 'no-such-snapshot')], {TAPDOCTOR_DEBUG: '1'});
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^tapdoctor: code cache used: /);
    expect(r.stderr).toContain(`at async main (${join(dir, 'tapdoctor.cjs')}:`);
    expect(r.stderr).not.toContain('[code cache]');
    const fleet = join(work, 'fleet');
    mkdirSync(fleet);
    for (const f of ['demo', 'healthy-suse', 'healthy-fedora']) await writeSnapshot(await readSnapshot(join(repo, 'fixtures', f)), join(fleet, `${f}.tar.gz`));
    const launched = node(join(dir, 'launch.cjs'), ['analyze', fleet, '--jobs', '2', '--format', 'json'], {TAPDOCTOR_DEBUG: '1'});
    const plain = node(join(dir, 'tapdoctor.cjs'), ['analyze', fleet, '--jobs', '2', '--format', 'json']);
    expect(launched.status, launched.stderr).toBe(1);
    expect((JSON.parse(launched.stdout) as {summary: {hosts: number; unreadable: number}}).summary).toMatchObject({hosts: 3, unreadable: 0});
    expect(launched.stdout).toBe(plain.stdout);
    // Both threads start the launcher too, and load the bundle from the cache.
    expect(launched.stderr.match(/^tapdoctor \(worker thread\): code cache used: /gm)).toHaveLength(2);
  });
});

describe('the one-file build', () => {
  it('runs the demo alone, from a directory with no node_modules, under a name without extension', () => {
    const alone = join(work, 'alone');
    mkdirSync(alone);
    const file = join(alone, 'tapdoctor');
    copyFileSync(join(repo, 'bundle/tapdoctor.cjs'), file);
    const r = spawnSync(process.execPath, [file, 'analyze', join(repo, 'fixtures/demo'), '--json'], {cwd: alone, encoding: 'utf8', env: {...env, NODE_PATH: ''}});
    expect(r.status, r.stderr).toBe(1);
    const dev = spawnSync(process.execPath, ['bin/run.js', 'analyze', 'fixtures/demo', '--json'], {cwd: repo, encoding: 'utf8', env});
    expect(demoFindings(r.stdout)).toEqual(demoFindings(dev.stdout));
    const explain = spawnSync(process.execPath, [file, 'explain', 'TD012'], {cwd: alone, encoding: 'utf8', env});
    expect(explain.stdout).toBe(readFileSync(join(repo, 'docs/checks/TD012.md'), 'utf8'));
  });
});
