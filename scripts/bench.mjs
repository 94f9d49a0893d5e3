#!/usr/bin/env node
// `npm run bench`: every performance target of tapdoctor, each measured against its reference in
// the same run (the two alternating, so load from other processes falls on both), as whole
// processes of the installed command: bundle/launch.cjs, which the npm package's `tapdoctor` and the
// RPM's /usr/bin/tapdoctor are, running bundle/tapdoctor.cjs with its code cache. Prints a table;
// asserts nothing. Needs `npm run bundle` first (npm run bench does it); the 100k-rule and the
// 300-tap rows need root (network namespaces) and say why when they cannot run.
//   BENCH_RUNS=15 (startup rounds)  BENCH_HEAVY_RUNS=5 (analyze and check rounds)
import {execFileSync, spawnSync} from 'node:child_process';
import {cpSync, existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {cpus, loadavg, tmpdir} from 'node:os';
import {join} from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {generate} from './iptables-rules.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
// What users run (package.json "bin", the RPM's /usr/bin/tapdoctor), and the one file alone.
const command = join(repo, 'bundle/launch.cjs');
const oneFile = join(repo, 'bundle/tapdoctor.cjs');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const HEAVY_RUNS = Number(process.env.BENCH_HEAVY_RUNS ?? 5);
for (const f of [command, oneFile, `${oneFile}.cache`]) {
  if (existsSync(f)) continue;
  console.error(`bench: ${f} is missing: run npm run bundle first`);
  process.exit(2);
}
// The launcher falls back to the one file without a word when the cache does not fit: say so.
if (!/^tapdoctor: code cache used/m.test(spawnSync(process.execPath, [command, '--version'], {env: {...process.env, TAPDOCTOR_DEBUG: '1'}, encoding: 'utf8'}).stderr)) {
  console.error('bench: bundle/launch.cjs does not use its code cache here (run with TAPDOCTOR_DEBUG=1 to see why): the numbers would be those of tapdoctor.cjs alone');
  process.exit(2);
}
const isRoot = process.getuid?.() === 0;
const rows = [];
const scratch = mkdtempSync(join(tmpdir(), 'td-bench-'));
const cleanups = [];
const cleanup = async () => {
  // Every cleanup runs, and a failed one (a daemon slow to die under load) loses no measurement.
  for (const c of cleanups.reverse()) {
    try {
      await c();
    } catch (error) {
      console.error(`bench: cleanup: ${error.message}`);
      process.exitCode = 1;
    }
  }
  cleanups.length = 0;
  rmSync(scratch, {recursive: true, force: true});
};
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Wall-clock ms of one whole process; any exit code but the listed ones is a broken benchmark. With
 * `cpu`, also the CPU time (user + sys) of the process and its children, as sh's `times` reports it
 * (10 ms steps): on a shared machine that counts our work, not the wait for a core.
 */
function timeOnce(argv, okCodes = [0], env = process.env, cpu = false) {
  const [cmd, args] = cpu ? ['sh', ['-c', '"$@" >/dev/null; s=$?; times; exit $s', 'sh', ...argv]] : [argv[0], argv.slice(1)];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, {cwd: scratch, stdio: ['ignore', cpu ? 'pipe' : 'ignore', 'pipe'], env, maxBuffer: 1 << 26});
  const ms = performance.now() - t0;
  if (!okCodes.includes(r.status)) throw new Error(`${argv.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 400)}`);
  if (!cpu) return {ms};
  // `times`: the shell's own user and sys, then its children's (the command).
  const m = /\n\s*(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(String(r.stdout));
  if (!m) throw new Error(`sh printed no CPU times: ${String(r.stdout).slice(0, 200)}`);
  return {ms, cpuMs: (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000};
}

/**
 * Median wall ms of each command, run in alternation `runs` times after one warm-up round. Given
 * an array `cpu`, it also measures CPU time and fills the array with each command's median.
 */
function alternate(commands, runs, cpu = undefined) {
  const times = commands.map(() => []);
  const cpuTimes = commands.map(() => []);
  for (let round = -1; round < runs; round++) {
    commands.forEach((c, i) => {
      const t = timeOnce(c.argv, c.ok, c.env, cpu !== undefined);
      if (round < 0) return;
      times[i].push(t.ms);
      cpuTimes[i].push(t.cpuMs);
    });
  }
  if (cpu) cpu.push(...cpuTimes.map(median));
  return times.map(median);
}

function row(what, ours, reference, refName, target, cpu = undefined) {
  rows.push({what, ours, reference, refName, ratio: ours / reference, target, cpu});
}

try {
  // --- start-up ----------------------------------------------------------------------------------
  const node = process.execPath;
  // Each command also as `node tapdoctor.cjs` (the one file alone, no code cache), for what the cache gains.
  const commands = [['--version'], ['checks', 'list'], ['explain', 'TD001']];
  const startup = [{argv: [node, '-e', '0']}, ...commands.flatMap((args) => [{argv: [node, command, ...args]}, {argv: [node, oneFile, ...args]}])];
  const [bare, ...times] = alternate(startup, RUNS);
  // CPU time in rounds of its own: the sh that reports it would add its start to the wall times.
  const cpuStartup = [];
  alternate(startup, RUNS, cpuStartup);
  const cpuOf = (i) => ({ours: cpuStartup[i], reference: cpuStartup[0]});
  commands.forEach((args, c) => {
    const target = c === 0 ? 2 : 2.5;
    row(`tapdoctor ${args.join(' ')}`, times[2 * c], bare, 'node -e 0', target, cpuOf(1 + 2 * c));
    row(`  without the code cache (node tapdoctor.cjs)`, times[2 * c + 1], bare, 'node -e 0', undefined, cpuOf(2 + 2 * c));
  });

  // --- analyze of a 100,000-rule snapshot vs iptables-restore --test of the same rules ------------
  const rules = generate(100_000);
  const rulesFile = join(scratch, 'rules.iptables-save');
  writeFileSync(rulesFile, rules);
  const snapDir = join(scratch, 'snap', 'tapdoctor-big-fedora');
  cpSync(join(repo, 'fixtures/healthy-fedora'), snapDir, {recursive: true});
  writeFileSync(join(snapDir, 'commands/iptables.save'), rules);
  execFileSync(node, [join(repo, 'scripts/fixture-manifest.mjs'), snapDir], {cwd: repo, stdio: 'ignore'});
  // A real snapshot tarball, as `tapdoctor snapshot` writes it (the fixture directory has symlinks
  // a tarball may not carry).
  const tarball = join(scratch, 'big-fedora.tar.gz');
  const [{readSnapshot}, {writeSnapshot}] = await Promise.all([import('../dist/sources/archive.js'), import('../dist/sources/write.js')]);
  await writeSnapshot(await readSnapshot(snapDir), tarball, {force: true});
  const analyzeArgv = [node, command, 'analyze', tarball, '--json', '--fail-on', 'never'];
  if (!isRoot) {
    rows.push({what: 'analyze, 100k-rule snapshot', skipped: 'iptables-restore --test needs root (a throwaway network namespace)', ours: timeOnce(analyzeArgv).ms});
  } else {
    const ns = `td-bench-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    cleanups.push(() => spawnSync('ip', ['netns', 'del', ns]));
    const cpu = [];
    const [analyze, restore] = alternate([{argv: analyzeArgv}, {argv: ['ip', 'netns', 'exec', ns, 'iptables-restore', '--test', rulesFile]}], HEAVY_RUNS, cpu);
    row(`analyze, 100k-rule snapshot (${(rules.length / 1e6).toFixed(0)} MB rules, .tar.gz)`, analyze, restore, 'iptables-restore --test', 0.5, {ours: cpu[0], reference: cpu[1]});
  }

  // --- check on a 300-tap host vs a 3-tap host (test/live's scenario builder) ----------------------
  const live = await liveHosts();
  if (live.skipped) {
    rows.push({what: 'check, 300-tap host', skipped: live.skipped});
  } else {
    const argv = (host) => ['ip', 'netns', 'exec', host.netns, node, command, 'check', '--root', host.rootDir, '--json', '--fail-on', 'never'];
    const env = (host) => ({...process.env, ...host.ovsEnv});
    const cpu = [];
    const [many, few] = alternate([{argv: argv(live.many), env: env(live.many)}, {argv: argv(live.few), env: env(live.few)}], HEAVY_RUNS, cpu);
    row('check, 300-tap host', many, few, 'check, 3-tap host', 1.5, {ours: cpu[0], reference: cpu[1]});
  }
} finally {
  await cleanup();
}

// --- the table -----------------------------------------------------------------------------------
const ms = (n) => `${n.toFixed(0)} ms`;
console.log(`tapdoctor bench: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, median of ${RUNS} (start-up) / ${HEAVY_RUNS} (analyze, check) alternating runs`);
console.log('tapdoctor = node bundle/launch.cjs, the installed command (npm bin, /usr/bin/tapdoctor): tapdoctor.cjs with its code cache');
console.log(`${'measure'.padEnd(58)} ${'tapdoctor'.padStart(9)}  ${'reference'.padStart(9)}  ${'ratio'.padStart(6)}  target`);
for (const r of rows) {
  if (r.skipped) {
    console.log(`${r.what.padEnd(58)} ${(r.ours ? ms(r.ours) : '-').padStart(9)}  not run: ${r.skipped}`);
    continue;
  }
  const verdict = r.target === undefined ? 'for comparison' : `<= ${r.target}x of ${r.refName}: ${r.ratio <= r.target ? 'met' : 'NOT met'}`;
  console.log(`${r.what.padEnd(58)} ${ms(r.ours).padStart(9)}  ${ms(r.reference).padStart(9)}  ${`${r.ratio.toFixed(2)}x`.padStart(6)}  ${verdict}`);
  if (r.cpu) console.log(`${'  the same in CPU time (user + sys)'.padEnd(58)} ${ms(r.cpu.ours).padStart(9)}  ${ms(r.cpu.reference).padStart(9)}  ${`${(r.cpu.ours / r.cpu.reference).toFixed(2)}x`.padStart(6)}`);
}

// --- fleet: 500 snapshots in one analyze vs one analyze process per snapshot --------------------
{
  const fleet = spawnSync(process.execPath, [join(repo, 'scripts/bench-fleet.mjs')], {cwd: repo, stdio: 'inherit'});
  if (fleet.status !== 0) process.exitCode = fleet.status ?? 1;
}

/** Two live worker hosts from test/live (compiled on the fly with esbuild): 3 and 300 taps. */
async function liveHosts() {
  if (!isRoot) return {skipped: 'needs root (network namespaces, Open vSwitch)'};
  const {build} = await import('esbuild');
  const out = join(scratch, 'live.mjs');
  await build({stdin: {contents: "export * from './test/live/host.ts'; export * from './test/live/spec.ts'; export * from './test/live/prereqs.ts';", resolveDir: repo, loader: 'ts'}, bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile: out, logLevel: 'error'});
  const m = await import(pathToFileURL(out).href);
  if (!m.prereqs.ok) return {skipped: `live-host prerequisites missing (${m.prereqs.missing?.join?.(', ') ?? 'see test/live/prereqs.ts'})`};
  const spec = (taps) => {
    const s = m.healthySuse();
    s.name = `bench-${taps}-taps`;
    s.taps = Array.from({length: taps}, (_, i) => ({name: `tap${i}`, owner: 'worker', group: 'nogroup', port: 'on-bridge', tag: i === 0 ? 5 : null}));
    s.workers.instances = Array.from({length: taps}, (_, i) => ({instance: i + 1, workerClass: 'qemu_x86_64,tap'}));
    s.traffic = 'none';
    return s;
  };
  const few = await m.LiveHost.create(spec(3));
  cleanups.push(() => few.destroy());
  const many = await m.LiveHost.create(spec(300));
  cleanups.push(() => many.destroy());
  return {few, many};
}
