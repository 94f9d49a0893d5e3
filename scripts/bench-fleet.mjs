#!/usr/bin/env node
// Fleet benchmark (after `npm run bundle`; it runs the installed command, bundle/launch.cjs, as
// scripts/bench.mjs does): 500 snapshot tarballs generated from the captured
// three-host mesh (scripts/fleet-fixture.mjs; one mesh of three per location), then
//   - one `tapdoctor analyze` process of one of them (median of BENCH_RUNS runs),
//   - one `tapdoctor analyze DIR` of all 500 (JSON and Prometheus to a file),
// and prints the per-host cost ratio (fleet time / hosts / one analyze; target <= 0.3), the
// absolute time (guide: < 10 s for 500 hosts on 2 cores) and peak RSS, also for 100 hosts and
// the growth between the two (JSON and Prometheus are streamed: it should stay near zero).
// Prints numbers; asserts nothing.
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {availableParallelism, tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {writeSnapshot} from '../dist/sources/write.js';
import {meshBase, meshOfThree} from './fleet-fixture.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const command = join(repo, 'bundle/launch.cjs');
if (!existsSync(command)) {
  console.error('bench-fleet: bundle/launch.cjs is missing: run npm run bundle first');
  process.exit(2);
}
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const HOSTS = Number(process.env.BENCH_FLEET_HOSTS ?? 500);

const scratch = mkdtempSync(join(tmpdir(), 'td-bench-fleet-'));
try {
  const base = await meshBase();
  const all = join(scratch, 'all');
  const small = join(scratch, 'small');
  mkdirSync(all);
  mkdirSync(small);
  for (let g = 0; g * 3 < HOSTS; g++) {
    const net = `10.${Math.floor(g / 250)}.${g % 250}`;
    const hosts = meshOfThree(base, {prefix: `w${g}-`, net, loc: `l${g}`});
    for (const [i, h] of hosts.entries()) {
      if (g * 3 + i >= HOSTS) break;
      await writeSnapshot(h, join(all, `${h.manifest.hostname}.tar.gz`));
      if (g * 3 + i < 100) await writeSnapshot(h, join(small, `${h.manifest.hostname}.tar.gz`));
    }
  }
  const one = join(all, 'w0-1.tar.gz');

  const times = [];
  for (let i = 0; i < RUNS; i++) times.push((await measure(['analyze', one, '--json', '-o', join(scratch, 'one.json'), '--fail-on', 'never', '--force'])).ms);
  times.sort((a, b) => a - b);
  const single = times[Math.floor(times.length / 2)];

  console.log(`fleet (${HOSTS} hosts generated from the captured mesh, ${availableParallelism()} cores):`);
  console.log(`  one analyze process (median of ${RUNS})   ${single.toFixed(1)} ms`);
  for (const [format, ext] of [['json', 'json'], ['prometheus', 'prom']]) {
    const big = await measure(['analyze', all, '--format', format, '-o', join(scratch, `fleet.${ext}`), '--fail-on', 'never', '--force']);
    const few = await measure(['analyze', small, '--format', format, '-o', join(scratch, `small.${ext}`), '--fail-on', 'never', '--force']);
    const perHost = big.ms / HOSTS;
    console.log(`  analyze DIR --format ${format.padEnd(10)} ${(big.ms / 1000).toFixed(2)} s (guide < 10 s), ${perHost.toFixed(1)} ms/host, ratio ${(perHost / single).toFixed(3)} (target <= 0.3)`);
    // Bounded memory: host reports are written out as they arrive and threads are renewed, so
    // the growth from 100 hosts to the whole fleet should be near zero, not ~0.1 MiB per host.
    const growth = (big.rssKb - few.rssKb) / 1024;
    console.log(`    peak RSS ${HOSTS} hosts ${(big.rssKb / 1024).toFixed(0)} MiB, 100 hosts ${(few.rssKb / 1024).toFixed(0)} MiB: ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MiB for ${HOSTS - 100} more hosts (${(growth / (HOSTS - 100)).toFixed(3)} MiB/host)`);
  }
} finally {
  rmSync(scratch, {recursive: true, force: true});
}

/** Wall time of one CLI run, and its peak RSS (VmHWM, polled from /proc while it runs). */
function measure(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [command, ...args], {cwd: repo, stdio: ['ignore', 'ignore', 'inherit']});
    let rssKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) rssKb = Math.max(rssKb, Number(m[1]));
      } catch {
        // exited
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0 && code !== 1) reject(new Error(`tapdoctor ${args.join(' ')} exited ${code}`));
      else resolve({ms: Number(process.hrtime.bigint() - t0) / 1e6, rssKb});
    });
  });
}
