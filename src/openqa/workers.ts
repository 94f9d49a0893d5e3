// The answer of openQA's `GET /api/v1/workers` and which of its workers are "this host".
//
// Shape (openQA lib/OpenQA/WebAPI/Controller/API/V1/Worker.pm `list`, entries built by
// lib/OpenQA/Schema/Result/Workers.pm `info`):
//
//   {"workers": [{"id": 12, "host": "worker35", "instance": 3, "status": "running",
//                 "error": null, "alive": 1, "connected": 1, "websocket": 1,
//                 "jobid": 15234567, "currentstep": "yast2_lan",
//                 "properties": {"JOBTOKEN": "…", "WORKER_CLASS": "qemu_x86_64,tap", …}}, …]}
//
// - `status` is computed by the web UI: 'dead' if not seen within worker_timeout, else 'broken' if
//   `error` is set, else 'running' if a job is assigned, else 'idle' (recent versions add
//   'reserved'). So a worker can be 'dead' or 'broken' *and* still carry a `jobid`.
// - `jobid` (and `currentstep`) are present only while a job is assigned to the worker (states
//   assigned/setup/running/uploading); idle workers have no `jobid` key at all.
// - `error` appeared in 2020, `alive` replaced `connected`/`websocket` (kept for compatibility);
//   neither is required here.
// - `host` is what the worker registered with: the kernel node name of the worker host
//   (POSIX::uname in lib/OpenQA/Worker.pm), short or fully qualified depending on the host.
//
// Only the fields this module relies on are validated; everything else is passed over.

/** One worker entry, as far as the gate needs it. */
export interface WebUiWorker {
  id: number;
  host: string;
  instance: number;
  /** 'idle' | 'running' | 'broken' | 'dead' (| 'reserved'), passed on verbatim. */
  status: string;
  /** The assigned job, null when none. */
  jobId: number | null;
  /** The test module being run, when the web UI knows it. */
  currentStep: string | null;
  /** The web UI's `error` for broken workers (e.g. "Unable to lock pool directory: …"). */
  error: string | null;
  /** `alive` (or, on old web UIs, `connected`) as a boolean; null when the answer has neither. */
  alive: boolean | null;
}

export type WorkersPage = {ok: true; workers: WebUiWorker[]} | {ok: false; problem: string};

/**
 * Validate one decoded page of `GET /api/v1/workers`. On a wrong shape, `problem` names the first
 * offending path, e.g. `workers[2].instance is "one", expected an integer`.
 */
export function parseWorkersPage(json: unknown): WorkersPage {
  if (!isRecord(json)) return {ok: false, problem: `top level is ${describe(json)}, expected an object with a "workers" list`};
  const list = json['workers'];
  if (!Array.isArray(list)) {
    const keys = Object.keys(json).slice(0, 5).map((k) => JSON.stringify(k)).join(', ');
    return {ok: false, problem: `"workers" is ${describe(list)}, expected a list (top-level keys: ${keys || 'none'})`};
  }
  const workers: WebUiWorker[] = [];
  for (let i = 0; i < list.length; i++) {
    const parsed = parseWorker(list[i], `workers[${i}]`);
    if (typeof parsed === 'string') return {ok: false, problem: parsed};
    workers.push(parsed);
  }
  return {ok: true, workers};
}

function parseWorker(entry: unknown, path: string): WebUiWorker | string {
  if (!isRecord(entry)) return `${path} is ${describe(entry)}, expected an object`;
  const id = integerField(entry, 'id', path);
  if (typeof id === 'string') return id;
  const instance = integerField(entry, 'instance', path);
  if (typeof instance === 'string') return instance;
  const host = entry['host'];
  if (typeof host !== 'string' || host.trim() === '') return `${path}.host is ${describe(host)}, expected a host name`;
  const status = entry['status'];
  if (typeof status !== 'string' || status === '') return `${path}.status is ${describe(status)}, expected a string`;

  let jobId: number | null = null;
  if (entry['jobid'] !== undefined && entry['jobid'] !== null) {
    const j = integerField(entry, 'jobid', path);
    if (typeof j === 'string') return j;
    jobId = j;
  }
  const currentStep = typeof entry['currentstep'] === 'string' ? entry['currentstep'] : null;
  const error = typeof entry['error'] === 'string' ? entry['error'] : null;
  return {id, host, instance, status, jobId, currentStep, error, alive: flag(entry['alive'] ?? entry['connected'])};
}

/**
 * Integers may come as JSON numbers or, from some database drivers, as digit strings; both are
 * accepted. Anything else is a wrong shape.
 */
function integerField(entry: Record<string, unknown>, key: string, path: string): number | string {
  const v = entry[key];
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^[0-9]{1,15}$/.test(v)) return Number(v);
  return `${path}.${key} is ${describe(v)}, expected an integer`;
}

function flag(v: unknown): boolean | null {
  if (v === 1 || v === true || v === '1') return true;
  if (v === 0 || v === false || v === '0') return false;
  return null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, one-line rendering of a JSON value for messages. */
function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

// --- host identity ----------------------------------------------------------------------------

/**
 * Whether a worker's registered `host` names this machine. Case-insensitive, a trailing dot
 * ignored, and a short name matches a fully qualified one with that first label
 * (`worker35` ~ `worker35.oqa.prg2.suse.org`). Two different FQDNs never match, nor do IP
 * addresses by their first octet.
 */
export function sameHost(a: string, b: string): boolean {
  const x = normaliseHost(a);
  const y = normaliseHost(b);
  if (x === '' || y === '') return false;
  if (x === y) return true;
  if (isIpLiteral(x) || isIpLiteral(y)) return false;
  const xDotted = x.includes('.');
  const yDotted = y.includes('.');
  if (xDotted === yDotted) return false;
  return xDotted ? x.slice(0, x.indexOf('.')) === y : y.slice(0, y.indexOf('.')) === x;
}

function normaliseHost(h: string): string {
  const t = h.trim().toLowerCase();
  return t.endsWith('.') ? t.slice(0, -1) : t;
}

function isIpLiteral(h: string): boolean {
  return h.includes(':') || /^[0-9.]+$/.test(h);
}
