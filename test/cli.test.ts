// The built CLI as a user runs it: exit codes, one-line errors, the JSON schema, explain and list.
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';
import {schemaErrors} from './helpers/report-schema.js';
import {describe, expect, it} from 'vitest';
import {CHECK_META} from '../src/checks/meta.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/run.js', ...args], {cwd: repo, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr};
};

describe('tapdoctor CLI', () => {
  it('prints its version', () => {
    const r = run('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tapdoctor\/\d+\.\d+\.\d+ /);
  });

  it('lists every check as a table and as JSON', () => {
    const table = run('checks', 'list');
    expect(table.code).toBe(0);
    for (const m of CHECK_META) expect(table.stdout).toContain(m.slug);
    const json = JSON.parse(run('checks', 'list', '--json').stdout) as Array<{id: string}>;
    expect(json.map((c) => c.id)).toEqual(CHECK_META.map((m) => m.id));
  });

  it('explains a check by ID and by slug', () => {
    const byId = run('explain', 'TD001');
    expect(byId.code).toBe(0);
    expect(byId.stdout).toContain('## Why it breaks tests');
    expect(run('explain', 'multiple-uplinks').stdout).toBe(byId.stdout);
  });

  it('analyzes the demo: findings with explanation and fix, exit 1', () => {
    const r = run('analyze', 'fixtures/demo');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Why:');
    expect(r.stdout).toContain('Fix:');
    expect(r.stdout).toMatch(/Summary: \d+ errors?, \d+ warnings?, \d+ info/);
    expect(r.stdout).not.toContain('\u001b['); // NO_COLOR and not a TTY
  });

  it('emits JSON that validates against the schema', () => {
    const r = run('analyze', 'fixtures/demo', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(schemaErrors(doc)).toEqual([]);
    expect(doc.findings.length).toBeGreaterThan(0);
    expect(doc.target.mode).toBe('snapshot');
  });

  it('exits 0 with --fail-on never, and 1 only for findings at or above --fail-on', () => {
    expect(run('analyze', 'fixtures/demo', '--fail-on', 'never').code).toBe(0);
    expect(run('analyze', 'fixtures/healthy-suse').code).toBe(0);
  });

  it('turns bad input into one line on stderr and exit 2, never a stack trace', () => {
    for (const args of [
      ['analyze', 'no/such/snapshot.tar.gz'],
      ['analyze', 'fixtures/demo', '--only', 'TD999'],
      ['analyze', 'fixtures/demo', '--fail-on', 'sometimes'],
      ['analyze', 'fixtures/demo', '--bogus-flag'],
      ['explain', 'TD999'],
      ['check', '--root', '/no/such/root'],
    ]) {
      const r = run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^tapdoctor: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
