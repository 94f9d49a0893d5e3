// The published package works without a registry: `npm pack`, then `npm install -g --offline` of
// the tarball into an empty prefix with an empty cache and the registry pointed at a closed
// loopback port, and the installed `tapdoctor` runs check, analyze, gate and explain. The one-file
// build, copied alone into an empty directory under a name without extension, runs the demo the
// same way. Nothing here reaches beyond loopback.
import {spawnSync} from 'node:child_process';
import {copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

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
