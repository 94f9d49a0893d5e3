// `tapdoctor gate` as a user runs it: the built CLI, exit codes and the verdict as the last line.
// The decision logic is tested in-process (decide.test.ts, with a mocked web UI); this only proves
// the wiring. Nothing here reaches the network: --no-openqa, or a URL fetch refuses locally.
import {spawn, spawnSync} from 'node:child_process';
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {existsSync, readdirSync, statSync} from 'node:fs';
import {schemaErrors} from '../helpers/report-schema.js';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/run.js', 'gate', ...args], {cwd: repo, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stdout.trimEnd().split('\n').at(-1)};
};

/** The CLI without blocking this process, so the test's own web UI on loopback can answer it. */
function runAsync(...args: string[]): Promise<{code: number | null; stdout: string; stderr: string; last: string | undefined}> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['bin/run.js', 'gate', ...args], {cwd: repo, env: {...process.env, NO_COLOR: '1'}});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => done({code, stdout, stderr, last: stdout.trimEnd().split('\n').at(-1)}));
  });
}

// A stand-in openQA web UI on 127.0.0.1: GET /api/v1/workers lists both fixture hosts idle.
let webUi: Server;
let webUiUrl: string;
beforeAll(async () => {
  webUi = createServer((req, res) => {
    if (req.url !== '/api/v1/workers') return res.writeHead(404).end();
    const idle = (host: string) => [1, 2].map((instance) => ({id: instance, host, instance, status: 'idle', alive: 1, error: null}));
    res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({workers: [...idle('openqaworker-suse1'), ...idle('openqa-x86-worker05'), ...idle('openqaworker-demo7')]}));
  });
  await new Promise<void>((ok) => webUi.listen(0, '127.0.0.1', ok));
  webUiUrl = `http://127.0.0.1:${(webUi.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((ok) => webUi.close(() => ok())));

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
  it('says SAFE TO REBOOT as the last line and exits 0 on the healthy SUSE snapshot when the web UI says its workers are idle', async () => {
    const r = await runAsync('--snapshot', 'fixtures/healthy-suse', '--openqa-url', webUiUrl);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.last).toBe('SAFE TO REBOOT');
    expect(r.stdout).toContain('  settings: defaults (/etc/tapdoctor.yaml not in this capture)\n');
    expect(r.stdout).toContain(`openQA ${webUiUrl}/: 2 workers of openqaworker-suse1, 0 with a job`);
  });

  it('is not SAFE on a snapshot with a live qemu at capture when no web UI answered, and says where the answer came from', () => {
    const r = run('--snapshot', 'fixtures/healthy-suse', '--no-openqa');
    expect(r.code).toBe(1);
    expect(r.last).toBe('NOT SAFE TO REBOOT: 1 blocker');
    expect(r.stdout).toMatch(/\n {2}✖ qemu \/var\/lib\/openqa\/pool\/1: qemu \(pid \d+\) of worker instance 1 was alive at capture/);
    expect(r.stdout).toContain('running jobs from the pool: 1 live qemu process at capture (2026-11-21T10:15:00.000Z); the web UI did not answer');
  });

  it('never says SAFE with --only or --skip: at most CANNOT TELL, naming the checks left out', async () => {
    for (const sel of [['--only', 'TD101,TD102'], ['--skip', 'TD108'], ['--skip', 'ip-forward-disabled']]) {
      const r = await runAsync('--snapshot', 'fixtures/healthy-suse', '--openqa-url', webUiUrl, ...sel);
      expect(r.code, sel.join(' ')).toBe(2);
      expect(r.last).toBe('CANNOT TELL IF SAFE TO REBOOT: 1 open question');
      expect(r.stdout).toMatch(/\n {2}\? deselected checks: --only\/--skip left out TD\d{3}/);
      expect(r.stdout).toMatch(/\n {2}checks: --(only|skip) \S+ left out TD\d{3}/);
    }
    // The demo's blockers still say no when they were among the selected checks.
    const demo = run('--snapshot', 'fixtures/demo', '--no-openqa', '--only', 'TD103,TD104');
    expect(demo.code).toBe(1);
    expect(demo.stdout).toMatch(/✖ TD103 tap1/);
    expect(demo.stdout).toContain('? deselected checks');
  });

  it('reports the verdict by the Nagios plugin codes with --format nagios: SAFE 0, NOT SAFE 2, CANNOT TELL 3', async () => {
    const safe = await runAsync('--snapshot', 'fixtures/healthy-suse', '--openqa-url', webUiUrl, '--format', 'nagios');
    expect(safe.code).toBe(0);
    expect(safe.stdout.split('\n')[0]).toBe('TAPDOCTOR GATE OK - SAFE TO REBOOT | blockers=0;;;0 heals_at_boot=0;;;0 open_questions=0;;;0 waived=0;;;0');
    const notSafe = run('--snapshot', 'fixtures/demo', '--no-openqa', '--format', 'nagios');
    expect(notSafe.code).toBe(2);
    expect(notSafe.stdout.split('\n')[0]).toMatch(/^TAPDOCTOR GATE CRITICAL - NOT SAFE TO REBOOT: 8 blockers \| blockers=8;;;0 heals_at_boot=2;;;0 /);
    expect(notSafe.stdout).toContain('\n[blocks] TD103 tap1: ');
    expect(notSafe.stdout).toContain('\n[heals at boot] TD010 br1: ');
    const cannot = await runAsync('--snapshot', 'fixtures/healthy-suse', '--openqa-url', webUiUrl, '--skip', 'TD108', '--format', 'nagios');
    expect(cannot.code).toBe(3);
    expect(cannot.stdout.split('\n')[0]).toMatch(/^TAPDOCTOR GATE UNKNOWN - CANNOT TELL IF SAFE TO REBOOT: 1 open question \| /);
    expect(cannot.stdout).toContain('\n[deselected] --only/--skip left out TD108');
  });

  it('names the blockers and exits 1 on the demo', () => {
    const r = run('--snapshot', 'fixtures/demo', '--no-openqa');
    expect(r.code).toBe(1);
    expect(r.last).toMatch(/^NOT SAFE TO REBOOT: \d+ blockers$/);
    expect(r.stdout).toMatch(/\nBLOCKS REBOOT \(\d+\)\n {2}✖ /);
    // then the plan's persist and reload steps for the blockers, each under the findings it serves
    expect(r.stdout).toMatch(/\nPERSIST BEFORE REBOOTING\n {2}# TD\d{3} /);
    expect(r.stdout).toMatch(/\n {2}# TD012 tap1, TD103 tap1\n/);
  });

  it('prints the JSON report with the verdict in it (schema-valid) and keeps the gate\'s exit code', () => {
    const r = run('--snapshot', 'fixtures/demo', '--no-openqa', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as {target: {mode: string}; findings: Array<{checkId: string}>; gate: {verdict: string; line: string; exitCode: number; blockers: Array<{id: string}>; heals: Array<{id: string}>; runningJobsFrom: string}};
    expect(doc.target.mode).toBe('snapshot');
    expect(doc.findings.some((f) => f.checkId === 'TD103')).toBe(true);
    expect(doc.gate.verdict).toBe('not-safe');
    expect(doc.gate.exitCode).toBe(1);
    expect(doc.gate.line).toBe(`NOT SAFE TO REBOOT: ${doc.gate.blockers.length} blockers`);
    expect(doc.gate.blockers.map((b) => b.id)).toContain('TD103');
    expect(doc.gate.heals.map((h) => h.id)).toEqual(['TD003', 'TD010']);
    expect(doc.gate.runningJobsFrom).toBe('qemu');
    expect(schemaErrors(doc)).toEqual([]);
  });

  it('keeps the web UI question open when it cannot be asked, and counts the qemu alive at capture (exit 1)', () => {
    // fetch refuses port 9 ("bad port") without any network traffic
    // On the snapshot the qemu alive at capture then counts as the running job it may still be.
    const r = run('--snapshot', 'fixtures/healthy-suse', '--openqa-url', 'http://127.0.0.1:9', '--openqa-timeout', '2');
    expect(r.code).toBe(1);
    expect(r.last).toBe('NOT SAFE TO REBOOT: 1 blocker');
    expect(r.stdout).toContain('  ? openQA http://127.0.0.1:9/: could not ask openQA: ');
  });

  it('refuses contradicting flags with one line and exit 2', () => {
    const r = run('--snapshot', 'fixtures/healthy-suse', '--no-openqa', '--openqa-url', 'http://openqa.example');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('tapdoctor: --no-openqa and --openqa-url contradict each other; give one\n');
  });
});
