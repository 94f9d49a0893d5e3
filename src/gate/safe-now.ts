// "Safe now": is any job running on this host that a reboot would kill?
//
// The openQA web UI knows: its public `GET /api/v1/workers` (no API key, read-only; see
// src/openqa/client.ts) lists this host's workers and their jobs. HOST from workers.ini says
// where the web UI is (`--openqa-url` overrides it). Any failure to ask, and a web UI that does
// not know this host at all, leave the question open ("could not ask openQA"). Then, on a live
// host, the pool's live qemu processes stand in as the running jobs they are.
//
// On a snapshot the question is about a past moment: the web UI is asked only when the caller
// names it explicitly (it then answers for now, about the snapshot's host name); without its
// answer the pool's qemu processes alive at capture count as running jobs.
import {askRunningJobs, OpenqaHostError, resolveOpenqaUrl} from '../openqa/client.js';
import type {Facts} from '../facts/facts.js';
import {poolJobs, workerConfig} from '../facts/openqa.js';
import type {Blocker, Unknown} from './blockers.js';

export type OpenqaQuestion =
  | {ask: false; /** Why not, for the notes ("--no-openqa"). */ why: string}
  | {
      ask: true;
      /** Overrides workers.ini HOST (`--openqa-url`). */
      url?: string;
      /** The name this host registered with (os.hostname(), or the snapshot's). */
      hostname: string;
      timeoutMs: number;
      /** For tests; defaults to the global fetch (which nock intercepts). */
      fetchImpl?: typeof fetch;
    };

export interface SafeNowInput {
  facts: Facts;
  openqa: OpenqaQuestion;
  /** Count live qemu processes of the pool as running jobs when the web UI gave no answer. */
  countQemu: boolean;
  /** Set on a snapshot: the qemu processes counted are those alive at this capture time. */
  capturedAt?: string;
}

export interface SafeNow {
  blockers: Blocker[];
  unknowns: Unknown[];
  notes: string[];
  /** Who answered "is a job running?". */
  runningJobsFrom: 'openqa' | 'qemu' | 'none';
}

export async function safeNow(input: SafeNowInput): Promise<SafeNow> {
  const out: SafeNow = {blockers: [], unknowns: [], notes: [], runningJobsFrom: 'none'};
  let answered = false;
  if (input.openqa.ask) answered = await askWebUis(input.facts, input.openqa, out);
  else out.notes.push(input.openqa.why);
  if (answered) out.runningJobsFrom = 'openqa';
  else if (input.countQemu) {
    out.runningJobsFrom = 'qemu';
    countLiveQemu(input.facts, out, input.capturedAt);
  }
  return out;
}

/** Ask every web UI of HOST; true when all of them answered for this host. */
async function askWebUis(facts: Facts, q: Extract<OpenqaQuestion, {ask: true}>, out: SafeNow): Promise<boolean> {
  let hostSetting: string | undefined;
  if (q.url === undefined) {
    const wc = facts.try(workerConfig);
    if (!wc.ok) {
      out.unknowns.push({what: 'openQA', reason: `could not ask openQA: workers.ini not readable (${wc.reason}); give --openqa-url`});
      return false;
    }
    hostSetting = wc.value.global.HOST;
  }
  let bases: URL[];
  try {
    bases = resolveOpenqaUrl(hostSetting, q.url);
  } catch (error) {
    if (!(error instanceof OpenqaHostError)) throw error;
    out.unknowns.push({what: 'openQA', reason: `could not ask openQA: ${error.message}`});
    return false;
  }
  let all = true;
  for (const base of bases) {
    const res = await askRunningJobs({baseUrl: base, hostname: q.hostname, timeoutMs: q.timeoutMs, ...(q.fetchImpl ? {fetchImpl: q.fetchImpl} : {})});
    if (!res.ok) {
      out.unknowns.push({what: `openQA ${res.baseUrl}`, reason: `could not ask openQA: ${res.reason}`});
      all = false;
      continue;
    }
    if (res.workers.length === 0 && res.otherInstances.length === 0) {
      // An empty answer for an unknown host name proves nothing (DNS name vs registered name).
      const known = res.hostsSeen.length > 0 ? `; it knows: ${res.hostsSeen.slice(0, 8).join(', ')}${res.hostsSeen.length > 8 ? ', …' : ''}` : '';
      out.unknowns.push({what: `openQA ${res.baseUrl}`, reason: `could not ask openQA: it lists no worker of host ${q.hostname}${known}`});
      all = false;
      continue;
    }
    out.notes.push(`openQA ${res.baseUrl}: ${res.workers.length} worker${res.workers.length === 1 ? '' : 's'} of ${q.hostname}, ${res.running.length} with a job`);
    for (const job of res.running) {
      out.blockers.push({
        id: 'openQA',
        subject: `job ${job.jobId}`,
        message: `worker instance ${job.instance} is running job ${job.jobId} (${job.url}; worker status ${job.status}${job.currentStep ? `, module ${job.currentStep}` : ''}): a reboot kills it`,
        fix: `wait until ${job.url} is done, then run the gate again`,
      });
    }
  }
  return all;
}

/** Live qemu processes of the pool dirs: jobs the web UI could not tell us about. */
function countLiveQemu(facts: Facts, out: SafeNow, capturedAt: string | undefined): void {
  const jobs = facts.try(poolJobs);
  if (!jobs.ok) {
    out.unknowns.push({what: 'running jobs', reason: `the pool could not be read (${jobs.reason})`});
    return;
  }
  if (jobs.value.some((j) => j.pid !== undefined && j.aliveProbed === false)) {
    out.unknowns.push({what: 'running jobs', reason: 'qemu.pid files exist but whether their processes live was not probed'});
  }
  const alive = jobs.value.filter((j) => j.alive);
  const when = capturedAt ? ` at capture (${capturedAt}); the web UI did not answer, so they count as running jobs` : '';
  out.notes.push(`running jobs from the pool: ${alive.length} live qemu process${alive.length === 1 ? '' : 'es'}${when}`);
  for (const j of alive) {
    out.blockers.push({
      id: 'qemu',
      subject: j.dir,
      message: capturedAt
        ? `qemu (pid ${j.pid}) of worker instance ${j.instance} was alive at capture: a job was running there, and without the web UI's answer it counts as running`
        : `qemu (pid ${j.pid}) of worker instance ${j.instance} is alive: a job is running there and a reboot kills it`,
      fix: capturedAt
        ? `# ask the web UI whether the job has ended: add --openqa-url https://<openQA web UI>, or take a new snapshot once it is done`
        : `wait until the job of instance ${j.instance} is done (its qemu pid ${j.pid} exits), then run the gate again`,
    });
  }
}
