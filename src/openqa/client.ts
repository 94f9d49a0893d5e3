// "Is it safe to reboot now?" — ask the openQA web UI which workers of this host have a job.
//
// `GET <base>/api/v1/workers` is a public route (`$api_public_r` in lib/OpenQA/WebAPI.pm): no API
// key is sent, nothing is changed. Since openQA PR #5006 (2023) the list is paginated: `limit`
// (default misc_limits/generic_default_limit = 10000, max generic_max_limit = 100000) and `offset`,
// with an RFC 8288 `Link` header (rel first/next/prev); older web UIs return everything and send no
// `Link`. Both are handled by following rel="next" on the same origin. The `live=1` parameter of
// old versions has no effect any more and is not sent.
//
// A worker is busy when it has a `jobid`, whatever its `status`: the web UI reports 'dead' or
// 'broken' ahead of 'running' (Workers.pm `status`), and a worker that lost its web UI connection
// may still be running qemu. Rebooting would kill that job, so it is listed with its status.
//
// Every failure (timeout, DNS, refused, TLS, HTTP status, invalid JSON, wrong shape) becomes
// `{ok: false, reason}` with a one-line reason; nothing here throws for network trouble.
import {STATUS_CODES} from 'node:http';
import {TOOL_VERSION} from '../version.js';
import {describeFetchFailure, oneLine} from './fetch-errors.js';
import {parseWorkersPage, sameHost, type WebUiWorker} from './workers.js';

export {resolveOpenqaUrl, OpenqaHostError} from './url.js';
export {sameHost, type WebUiWorker} from './workers.js';

/** Pages followed at most; at the default page size that is 500 000 workers. */
export const MAX_PAGES = 50;

export interface AskRunningJobsOptions {
  /** A web UI base URL (from resolveOpenqaUrl); only its origin is used, as the worker does. */
  baseUrl: URL;
  /** This machine's host name (os.hostname()); matched case-insensitively, short vs FQDN. */
  hostname: string;
  /** Worker instances to consider; omitted = every instance registered for this host. */
  instances?: readonly number[];
  /** Budget for the whole exchange (all pages, headers and bodies). */
  timeoutMs: number;
  /** For tests; defaults to the global fetch at call time (so interceptors such as nock apply). */
  fetchImpl?: typeof fetch;
}

export interface RunningJob {
  instance: number;
  jobId: number;
  /** `<base>/tests/<jobId>` */
  url: string;
  /** The worker's status as the web UI reports it: normally 'running', possibly 'dead'/'broken'. */
  status: string;
  workerId: number;
  currentStep: string | null;
}

export interface AskRunningJobsOk {
  ok: true;
  /** The origin asked, with a trailing slash. */
  baseUrl: string;
  /** Jobs assigned to this host's considered workers, by instance. Empty = nothing to interrupt. */
  running: RunningJob[];
  /** This host's workers within `instances` (all of this host's when no filter), by instance. */
  workers: WebUiWorker[];
  /** This host's workers outside `instances` (always empty without a filter). */
  otherInstances: WebUiWorker[];
  /**
   * Distinct host names the web UI lists, sorted. When `workers` and `otherInstances` are both
   * empty the web UI does not know this host under `hostname`: an empty `running` then proves
   * nothing, and this list shows what names it does know.
   */
  hostsSeen: string[];
}

export interface AskRunningJobsFailed {
  ok: false;
  baseUrl: string;
  reason: string;
}

export type AskRunningJobsResult = AskRunningJobsOk | AskRunningJobsFailed;

export async function askRunningJobs(opts: AskRunningJobsOptions): Promise<AskRunningJobsResult> {
  if (!Number.isFinite(opts.timeoutMs) || opts.timeoutMs <= 0) throw new RangeError(`timeoutMs must be positive, got ${opts.timeoutMs}`);
  if (opts.hostname.trim() === '') throw new TypeError('hostname must not be empty');
  const base = new URL(`${opts.baseUrl.origin}/`);
  const fetchImpl = opts.fetchImpl ?? globalThis.fetch;

  const listed = await fetchAllWorkers(fetchImpl, new URL('api/v1/workers', base), opts.timeoutMs);
  if (!listed.ok) return {ok: false, baseUrl: base.href, reason: listed.reason};

  const mine = listed.workers.filter((w) => sameHost(w.host, opts.hostname)).sort(byInstance);
  const wanted = opts.instances;
  const workers = wanted ? mine.filter((w) => wanted.includes(w.instance)) : mine;
  const otherInstances = wanted ? mine.filter((w) => !wanted.includes(w.instance)) : [];
  const running = workers
    .filter((w): w is WebUiWorker & {jobId: number} => w.jobId !== null)
    .map((w) => ({
      instance: w.instance,
      jobId: w.jobId,
      url: new URL(`tests/${w.jobId}`, base).href,
      status: w.status,
      workerId: w.id,
      currentStep: w.currentStep,
    }));
  return {ok: true, baseUrl: base.href, running, workers, otherInstances, hostsSeen: distinctHosts(listed.workers)};
}

type Listed = {ok: true; workers: WebUiWorker[]} | {ok: false; reason: string};

/** All pages of the worker list, within one overall timeout. */
async function fetchAllWorkers(fetchImpl: typeof fetch, first: URL, timeoutMs: number): Promise<Listed> {
  const signal = AbortSignal.timeout(timeoutMs);
  const workers: WebUiWorker[] = [];
  const visited = new Set<string>();
  let next: URL | null = first;
  while (next) {
    if (visited.size >= MAX_PAGES) return {ok: false, reason: `${first.href} has more than ${MAX_PAGES} pages of workers`};
    if (visited.has(next.href)) return {ok: false, reason: `${first.href}: pagination links loop back to ${next.href}`};
    visited.add(next.href);
    const page = await fetchPage(fetchImpl, next, signal, timeoutMs);
    if (!page.ok) return page;
    workers.push(...page.workers);
    next = page.next;
  }
  return {ok: true, workers};
}

type Page = {ok: true; workers: WebUiWorker[]; next: URL | null} | {ok: false; reason: string};

async function fetchPage(fetchImpl: typeof fetch, url: URL, signal: AbortSignal, timeoutMs: number): Promise<Page> {
  let res: Response;
  let body: string;
  try {
    res = await fetchImpl(url, {
      // JSON makes openQA answer errors as {"error": …, "error_status": …} (before_render hook).
      headers: {accept: 'application/json', 'user-agent': `tapdoctor/${TOOL_VERSION}`},
      redirect: 'follow',
      signal,
    });
    body = await res.text();
  } catch (err) {
    return {ok: false, reason: describeFetchFailure(err, url, timeoutMs)};
  }

  if (res.status < 200 || res.status > 299) return {ok: false, reason: httpFailure(url, res.status, body)};
  if (body.trim() === '') return {ok: false, reason: `${url.href} answered HTTP ${res.status} with an empty body`};

  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    const type = res.headers.get('content-type') ?? 'no content type';
    const detail = err instanceof Error ? err.message : String(err);
    return {ok: false, reason: `${url.href} answered invalid JSON (${oneLine(type, 60)}): ${oneLine(detail, 120)}`};
  }
  const parsed = parseWorkersPage(json);
  if (!parsed.ok) return {ok: false, reason: `${url.href} answered JSON of an unexpected shape: ${parsed.problem}`};

  // After a redirect (http → https is common) links are relative to where the page really came from.
  const link = nextLink(res.headers.get('link'), res.url ? new URL(res.url) : url);
  if (link.error) return {ok: false, reason: `${url.href}: ${link.error}`};
  return {ok: true, workers: parsed.workers, next: link.next};
}

/** `<url> answered HTTP 404 Not Found`, plus openQA's own `error` text when the body has one. */
function httpFailure(url: URL, status: number, body: string): string {
  const phrase = STATUS_CODES[status];
  let text = `${url.href} answered HTTP ${status}${phrase ? ` ${phrase}` : ''}`;
  const openqaError = errorFieldOf(body);
  if (openqaError) text += `: ${oneLine(openqaError, 160)}`;
  return text;
}

function errorFieldOf(body: string): string | null {
  try {
    const j: unknown = JSON.parse(body);
    if (typeof j === 'object' && j !== null && typeof (j as {error?: unknown}).error === 'string') return (j as {error: string}).error;
  } catch {
    // not JSON (an HTML error page from the proxy): the status line says enough
  }
  return null;
}

/**
 * The rel="next" target of an RFC 8288 Link header (`<url>; rel="next", <url>; rel="first"`),
 * resolved against the page URL. It must stay on the same origin: the gate never follows the
 * web UI elsewhere.
 */
export function nextLink(header: string | null, current: URL): {next: URL | null; error?: string} {
  if (header === null) return {next: null};
  let pos = 0;
  while (pos < header.length) {
    const open = header.indexOf('<', pos);
    if (open < 0) break;
    const close = header.indexOf('>', open + 1);
    if (close < 0) return {next: null, error: `unreadable Link header: ${oneLine(header, 120)}`};
    const target = header.slice(open + 1, close);
    const paramsEnd = header.indexOf('<', close + 1);
    const params = header.slice(close + 1, paramsEnd < 0 ? header.length : paramsEnd);
    pos = paramsEnd < 0 ? header.length : paramsEnd;
    if (!relValues(params).includes('next')) continue;
    let next: URL;
    try {
      next = new URL(target, current);
    } catch {
      return {next: null, error: `unreadable next-page link <${oneLine(target, 120)}>`};
    }
    if (next.origin !== current.origin) return {next: null, error: `next-page link leaves ${current.origin} (${oneLine(next.href, 120)})`};
    return {next};
  }
  return {next: null};
}

/** The space-separated values of `rel` in one link's parameters (`; rel="next last"`). */
function relValues(params: string): string[] {
  for (const part of params.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== 'rel') continue;
    let value = part.slice(eq + 1).trim();
    if (value.endsWith(',')) value = value.slice(0, -1).trim();
    if (value.startsWith('"')) value = value.slice(1);
    if (value.endsWith('"')) value = value.slice(0, -1);
    return value.toLowerCase().split(/\s+/);
  }
  return [];
}

function byInstance(a: WebUiWorker, b: WebUiWorker): number {
  return a.instance - b.instance || a.id - b.id;
}

function distinctHosts(workers: readonly WebUiWorker[]): string[] {
  const byKey = new Map<string, string>();
  for (const w of workers) if (!byKey.has(w.host.toLowerCase())) byKey.set(w.host.toLowerCase(), w.host);
  return [...byKey.values()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
