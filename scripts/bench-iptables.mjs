#!/usr/bin/env node
// Benchmark: tapdoctor's iptables-save parser against `iptables-restore --test` on the same file.
//
//   npx tsc -p tsconfig.build.json && node scripts/bench-iptables.mjs [--rules N] [--runs N] [--restore-runs N]
//
// Generates a realistic iptables-save -c file (100,000 rules by default, ~14 MB: counters,
// comments with escaped quotes, negations, wildcards, user chains, goto, NAT) in a temp dir,
// times our parser (median of --runs, after a warm-up) and `iptables-restore --test` on the same
// file inside a throwaway network namespace (median of --restore-runs, always deleted), the two in
// alternation, and prints the ratio ours/iptables (target <= 1.0). Without root or without
// iptables-restore it prints our time alone and says why. The temp dir is always removed.

import {execFileSync, spawnSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath} from 'node:url';
import {generate} from './iptables-rules.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : Number(args[i + 1]);
};
const RULES = option('--rules', 100_000);
const RUNS = option('--runs', 7);
const RESTORE_RUNS = option('--restore-runs', 5);

const distEntry = fileURLToPath(new URL('../dist/parsers/iptables/index.js', import.meta.url));
let parser;
try {
  parser = await import(distEntry);
} catch (error) {
  console.error(`cannot load ${distEntry} (${error.code ?? error.message}): run \`npx tsc -p tsconfig.build.json\` first`);
  process.exit(2);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ms = (n) => `${n.toFixed(1)} ms`;

// --- run ---
// Our parse and iptables-restore run in alternation, so load from other processes on the machine
// spreads over both sides instead of skewing the ratio.

const dir = mkdtempSync(join(tmpdir(), 'tdipt-bench-'));
let ns = null;
const deleteNamespace = () => {
  if (ns) spawnSync('ip', ['netns', 'del', ns]);
  ns = null;
};
process.once('SIGINT', () => {
  deleteNamespace();
  rmSync(dir, {recursive: true, force: true});
  process.exit(130);
});
try {
  const file = join(dir, 'rules.iptables-save');
  writeFileSync(file, generate(RULES));
  const text = readFileSync(file, 'utf8');
  console.log(`input: ${RULES} rules, ${(text.length / 1e6).toFixed(1)} MB (${file})`);

  let ruleCount = 0;
  const timeOurs = () => {
    const start = performance.now();
    const dump = parser.parseIptablesSave(text, file);
    const elapsed = performance.now() - start;
    ruleCount = dump.tables.reduce((n, t) => n + t.rules.length, 0);
    return elapsed;
  };
  timeOurs(); // warm-up (JIT)

  const why = restoreUnavailable();
  if (!why) {
    ns = `tdipt-bench-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
  }
  const ours = [];
  const theirs = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(timeOurs());
    if (ns && i < RESTORE_RUNS) theirs.push(timeRestore(ns, file));
  }
  const oursMedian = median(ours);
  console.log(`tapdoctor parseIptablesSave: ${ms(oursMedian)} (median of ${RUNS}; ${ruleCount} rules parsed)`);
  if (why) {
    console.log(`iptables-restore --test: not run (${why}); tapdoctor alone: ${ms(oursMedian)}`);
  } else {
    const theirsMedian = median(theirs);
    const ratio = oursMedian / theirsMedian;
    console.log(`iptables-restore --test:     ${ms(theirsMedian)} (median of ${theirs.length}, in a throwaway netns, process start included)`);
    console.log(`ratio ours/iptables: ${ratio.toFixed(3)} (target <= 1.0: ${ratio <= 1 ? 'met' : 'NOT met'})`);
  }
} finally {
  deleteNamespace();
  rmSync(dir, {recursive: true, force: true});
}

function restoreUnavailable() {
  if (process.getuid?.() !== 0) return 'needs root to create a network namespace';
  for (const tool of ['ip', 'iptables-restore']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], {encoding: 'utf8'});
    if (found.status !== 0) return `${tool} not found`;
  }
  return null;
}

function timeRestore(namespace, file) {
  const start = performance.now();
  const run = spawnSync('ip', ['netns', 'exec', namespace, 'iptables-restore', '--test', file], {encoding: 'utf8'});
  const elapsed = performance.now() - start;
  if (run.status !== 0) throw new Error(`iptables-restore --test failed (rc ${run.status}): ${(run.stderr ?? '').trim().slice(0, 500)}`);
  return elapsed;
}
