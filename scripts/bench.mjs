#!/usr/bin/env node
// Benchmarks (run after `npm run build`): startup of the CLI against bare node, then the
// iptables parser against iptables-restore --test. Prints numbers; asserts nothing.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {CATALOGUE} from '../dist/sources/catalogue.js';

const CATALOGUE_SIZE = CATALOGUE.length;

const repo = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function medianMs(argv) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), {cwd: repo, stdio: 'ignore'});
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const bare = medianMs([process.execPath, '-e', '0']);
const version = medianMs([process.execPath, 'bin/run.js', '--version']);
const list = medianMs([process.execPath, 'bin/run.js', 'checks', 'list', '--json']);
console.log(`startup (median of ${RUNS}):`);
console.log(`  node -e 0                 ${bare.toFixed(1)} ms`);
console.log(`  tapdoctor --version       ${version.toFixed(1)} ms  ratio ${(version / bare).toFixed(2)}x (target <= 3x)`);
console.log(`  tapdoctor checks list     ${list.toFixed(1)} ms  ratio ${(list / bare).toFixed(2)}x`);

// Collection of this host as it is (no --root tree): every source, in parallel, with deadlines.
const scratch = mkdtempSync(join(tmpdir(), 'td-bench-'));
const collect = medianMs([process.execPath, 'bin/run.js', 'snapshot', '--quiet', '--force', '-o', join(scratch, 's.tar.gz')]);
rmSync(scratch, {recursive: true, force: true});
console.log(`  tapdoctor snapshot (this host) ${collect.toFixed(1)} ms  (${CATALOGUE_SIZE} sources collected in parallel)`);

const ipt = spawnSync(process.execPath, ['scripts/bench-iptables.mjs'], {cwd: repo, stdio: 'inherit'});
process.exit(ipt.status ?? 1);
