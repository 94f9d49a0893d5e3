// Analyze many snapshots: a pool of worker threads (one per core, at most one per job), each
// reading and analyzing one snapshot at a time, so a 500-host fleet holds only as many
// snapshots in memory as there are workers. Outcomes are delivered as they finish; the
// caller keeps the small results (report + view). Without a built worker (tests run the
// TypeScript sources) the jobs run in this thread, one after another.
import {existsSync} from 'node:fs';
import {availableParallelism} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {runHostJob, type HostJob, type HostOutcome} from './host-job.js';

export interface PoolOptions {
  /** Worker threads; default: the number of cores (0: run in this thread). */
  threads?: number;
  /** Called as each host finishes; what it returns is kept instead of the outcome (a smaller one). */
  onOutcome?: (outcome: HostOutcome, index: number) => HostOutcome | void;
}

/** Snapshots one thread analyzes before it is replaced (its whole heap freed at once). */
const RECYCLE_AFTER = 100;

/** Defined in the one-file bundle (scripts/bundle.mjs), whose workers run the bundle (they are told by workerData). */
declare const __TAPDOCTOR_BUNDLE__: boolean | undefined;
const inBundle = typeof __TAPDOCTOR_BUNDLE__ !== 'undefined';

/**
 * The file each worker thread of the bundle starts: the launcher beside it (the installed command,
 * which loads the bundle with its code cache: every thread starts faster too) when node started
 * that, else the bundle itself.
 */
function bundleWorkerFile(): string {
  const launcher = join(__dirname, 'launch.cjs');
  return require.main?.filename === launcher ? launcher : __filename;
}

export async function analyzeAll(jobs: readonly HostJob[], opts: PoolOptions = {}): Promise<HostOutcome[]> {
  const workerFile = inBundle ? bundleWorkerFile() : fileURLToPath(new URL('./worker.js', import.meta.url));
  const workerOptions = inBundle ? {workerData: {tapdoctorWorker: true}} : {};
  const threads = Math.min(opts.threads ?? availableParallelism(), jobs.length);
  const results: HostOutcome[] = new Array(jobs.length);
  if (threads <= 1 || !existsSync(workerFile)) {
    for (const [i, job] of jobs.entries()) {
      const outcome = await runHostJob(job);
      results[i] = opts.onOutcome?.(outcome, i) ?? outcome;
    }
    return results;
  }
  const {Worker} = await import('node:worker_threads');
  let next = 0;
  await Promise.all(
    Array.from({length: threads}, async () => {
      let worker = new Worker(workerFile, workerOptions);
      let done = 0;
      try {
        while (next < jobs.length) {
          // A fresh thread now and then: V8 lets a busy thread's heap grow long before it collects,
          // so without this a thread's memory grows with the number of snapshots it read.
          if (done > 0 && done % RECYCLE_AFTER === 0) {
            await worker.terminate();
            worker = new Worker(workerFile, workerOptions);
          }
          done += 1;
          const id = next++;
          const outcome = await new Promise<HostOutcome>((resolve) => {
            const onMessage = (m: {id: number; outcome: HostOutcome}) => {
              if (m.id !== id) return;
              worker.off('error', onError);
              worker.off('message', onMessage);
              resolve(m.outcome);
            };
            const onError = (e: Error) => {
              worker.off('message', onMessage);
              // The thread is gone: the next job gets a fresh one.
              void worker.terminate();
              worker = new Worker(workerFile, workerOptions);
              resolve({ok: false, path: jobs[id]!.path, reason: `analysis crashed: ${e.message}`});
            };
            worker.on('message', onMessage);
            worker.once('error', onError);
            worker.postMessage({id, job: jobs[id]});
          });
          results[id] = opts.onOutcome?.(outcome, id) ?? outcome;
        }
      } finally {
        await worker.terminate();
      }
    }),
  );
  return results;
}
