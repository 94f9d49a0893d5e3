// The published package works: `npm pack`, install the tarball globally (into a throwaway
// prefix), and the installed `tapdoctor` runs its commands with its bundled pages and demo.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'td-pack-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

describe('npm pack + npm install -g', () => {
  let bin = '';
  beforeAll(() => {
    const pack = spawnSync('npm', ['pack', '--pack-destination', work, '--silent'], {cwd: repo, encoding: 'utf8'});
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = readdirSync(work).find((f) => /^tapdoctor-.*\.tgz$/.test(f));
    expect(tgz).toBeDefined();
    const prefix = join(work, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(work, tgz!)], {cwd: work, encoding: 'utf8'});
    expect(install.status, install.stderr).toBe(0);
    bin = join(prefix, 'bin', 'tapdoctor');
  }, 180_000);

  const run = (...args: string[]) => spawnSync(bin, args, {cwd: work, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});

  it('gives a working tapdoctor binary', () => {
    expect(run('--version').stdout).toMatch(/^tapdoctor\/\d+\.\d+\.\d+/);
  });
  it('explains a check and lists them from the installed package', () => {
    const explain = run('explain', 'TD001');
    expect(explain.status).toBe(0);
    expect(explain.stdout).toMatch(/^# TD001 multiple-uplinks/);
    expect(run('checks', 'list').stdout).toContain('vlan-tag-mismatch');
  });
  it('analyzes the bundled demo snapshot', () => {
    const demo = join(work, 'prefix/lib/node_modules/tapdoctor/fixtures/demo');
    const r = run('analyze', demo, '--json');
    expect(r.status).toBe(1);
    expect((JSON.parse(r.stdout) as {findings: unknown[]}).findings.length).toBeGreaterThan(4);
  });
});
