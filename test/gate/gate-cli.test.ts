// `tapdoctor gate` as a user runs it: the built CLI, exit codes and the verdict as the last line.
// The decision logic is tested in-process (decide.test.ts, with a mocked web UI); this only proves
// the wiring. Nothing here reaches the network: --no-openqa, or a URL fetch refuses locally.
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, statSync} from 'node:fs';
import {schemaErrors} from '../helpers/report-schema.js';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {beforeAll, describe, expect, it} from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/run.js', 'gate', ...args], {cwd: repo, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stdout.trimEnd().split('\n').at(-1)};
};

/** Newest modification time below `dir` (recursively) of files ending in `ext`. */
function newest(dir: string, ext: string): number {
  let t = 0;
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, ext));
    else if (e.name.endsWith(ext) && !e.name.endsWith('.test.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

beforeAll(() => {
  // `npm test` builds first; build here only when dist/ is missing or older than src/ (running this
  // file alone after an edit). Rebuilding a fresh dist/ would race the other CLI tests using it.
  const built = existsSync(`${repo}dist/commands/gate.js`) ? newest(`${repo}dist`, '.js') : 0;
  if (built >= newest(`${repo}src`, '.ts')) return;
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {cwd: repo, encoding: 'utf8'});
  if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
});

describe('tapdoctor gate (CLI)', () => {
  it('says SAFE TO REBOOT as the last line and exits 0 on the healthy SUSE snapshot', () => {
    const r = run('--snapshot', 'fixtures/healthy-suse', '--no-openqa');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.last).toBe('SAFE TO REBOOT');
    expect(r.stdout).toContain('Summary: 0 errors, 0 warnings, 0 info');
  });

  it('names the blockers and exits 1 on the demo', () => {
    const r = run('--snapshot', 'fixtures/demo', '--no-openqa');
    expect(r.code).toBe(1);
    expect(r.last).toMatch(/^NOT SAFE TO REBOOT: \d+ blockers$/);
    // the first blocker, its message wrapped under the number, then its fix
    expect(r.stdout).toMatch(/\n {2}1\. TD\d{3} .+\n( {7}(?!fix: ).+\n)* {7}fix: /);
  });

  it('prints the JSON report with the verdict in it (schema-valid) and keeps the gate\'s exit code', () => {
    const r = run('--snapshot', 'fixtures/demo', '--no-openqa', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as {target: {mode: string}; findings: Array<{checkId: string}>; gate: {verdict: string; line: string; exitCode: number; blockers: Array<{id: string}>}};
    expect(doc.target.mode).toBe('snapshot');
    expect(doc.findings.some((f) => f.checkId === 'TD103')).toBe(true);
    expect(doc.gate.verdict).toBe('not-safe');
    expect(doc.gate.exitCode).toBe(1);
    expect(doc.gate.line).toBe(`NOT SAFE TO REBOOT: ${doc.gate.blockers.length} blockers`);
    expect(doc.gate.blockers.map((b) => b.id)).toContain('TD103');
    expect(schemaErrors(doc)).toEqual([]);
  });

  it('cannot tell (exit 2) when the web UI cannot be asked', () => {
    // fetch refuses port 9 ("bad port") without any network traffic
    const r = run('--snapshot', 'fixtures/healthy-suse', '--openqa-url', 'http://127.0.0.1:9', '--openqa-timeout', '2');
    expect(r.code).toBe(2);
    expect(r.last).toBe('CANNOT TELL IF SAFE TO REBOOT: 1 open question');
    expect(r.stdout).toContain('  ? openQA http://127.0.0.1:9/: could not ask openQA: ');
  });

  it('refuses contradicting flags with one line and exit 2', () => {
    const r = run('--snapshot', 'fixtures/healthy-suse', '--no-openqa', '--openqa-url', 'http://openqa.example');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tapdoctor: --no-openqa and --openqa-url contradict each other; give one\n');
  });
});
