// The cleanup ledger of one throwaway host: every namespace, process and directory the builder
// creates is written down (in memory and in <workdir>/ledger.json) *before* the next step runs,
// so teardown can undo exactly what exists after a failure at any point.
//
// Teardown is synchronous on purpose: the same code runs from destroy(), from process 'exit'
// (where async work is impossible) and from the stale sweep that cleans after a harness that
// was killed. It is idempotent: anything already gone is skipped.
//
// Processes are ended only by their recorded pid, and only if /proc/<pid>/environ still carries
// this host's marker (TD_LIVE_ID=<id>), so a recycled pid of someone else's process is never hit.
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';

/**
 * Where work dirs go: /tmp itself rather than $TMPDIR, because OVS's unix sockets live below the
 * work dir and a socket path must stay under 108 bytes.
 */
export const WORK_BASE = '/tmp';
export const WORKDIR_PREFIX = 'td-live-';
export const MARKER_VAR = 'TD_LIVE_ID';

export type LedgerEntry =
  | {kind: 'dir'; path: string}
  | {kind: 'netns'; name: string}
  /**
   * cmdline: for daemons that wipe their environment (sshd rewrites its process title over it),
   * a text their /proc/<pid>/cmdline carries instead of the marker (a path in this work dir).
   */
  | {kind: 'pid'; pid: number; what: string; cmdline?: string};

interface LedgerFile {
  id: string;
  ownerPid: number;
  entries: LedgerEntry[];
}

const active = new Set<Ledger>();
let exitHookInstalled = false;

export class Ledger {
  private readonly entries: LedgerEntry[] = [];
  private tornDown = false;

  constructor(
    readonly id: string,
    /** Where the ledger is persisted; its directory must be the first 'dir' entry. */
    private readonly file: string,
  ) {
    active.add(this);
    installExitHook();
  }

  /** The environment entry that marks processes as belonging to this host. */
  get marker(): string {
    return `${MARKER_VAR}=${this.id}`;
  }

  add(entry: LedgerEntry): void {
    this.entries.push(entry);
    this.persist();
  }

  list(): readonly LedgerEntry[] {
    return this.entries;
  }

  /** Undo every entry, newest first. Returns what could not be undone (empty = clean). */
  teardown(): string[] {
    const problems = teardownEntries(this.id, this.entries);
    this.tornDown = true;
    active.delete(this);
    return problems;
  }

  get isTornDown(): boolean {
    return this.tornDown;
  }

  private persist(): void {
    const dir = this.entries.find((e) => e.kind === 'dir');
    if (!dir || !existsSync(dir.path)) return;
    const data: LedgerFile = {id: this.id, ownerPid: process.pid, entries: this.entries};
    writeFileSync(this.file, JSON.stringify(data, null, 1));
  }
}

/**
 * Tear down hosts left behind by a harness process that no longer exists (killed by a timeout
 * or a signal before its exit hook ran). Returns the ids it cleaned.
 */
export function sweepStale(): string[] {
  const cleaned: string[] = [];
  for (const name of readdirSync(WORK_BASE)) {
    if (!name.startsWith(WORKDIR_PREFIX)) continue;
    const file = join(WORK_BASE, name, 'ledger.json');
    let data: LedgerFile;
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as LedgerFile;
    } catch {
      continue;
    }
    if (isAlive(data.ownerPid)) continue;
    teardownEntries(data.id, data.entries);
    cleaned.push(data.id);
  }
  return cleaned;
}

/** True if the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // Field 3, after the parenthesised command name (which may itself contain ") ").
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** True if the live process pid carries the marker of host `id` in its environment. */
export function carriesMarker(pid: number, id: string): boolean {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
    return environ.split('\0').includes(`${MARKER_VAR}=${id}`);
  } catch {
    return false;
  }
}

function cmdlineHas(pid: number, text: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text);
  } catch {
    return false;
  }
}

function teardownEntries(id: string, entries: readonly LedgerEntry[]): string[] {
  const problems: string[] = [];
  for (const entry of [...entries].reverse()) {
    try {
      if (entry.kind === 'pid') endProcess(entry.pid, id, entry.cmdline);
      else if (entry.kind === 'netns') deleteNetns(entry.name, id);
      else rmSync(entry.path, {recursive: true, force: true});
    } catch (error) {
      problems.push(`${JSON.stringify(entry)}: ${String(error)}`);
    }
  }
  return problems;
}

function endProcess(pid: number, id: string, cmdline?: string): void {
  if (!isAlive(pid) || !(carriesMarker(pid, id) || (cmdline !== undefined && cmdlineHas(pid, cmdline)))) return;
  signal(pid, 'SIGTERM');
  if (waitUntil(() => !isAlive(pid), 2000)) return;
  signal(pid, 'SIGKILL');
  if (!waitUntil(() => !isAlive(pid), 2000)) throw new Error(`pid ${pid} survived SIGKILL`);
}

function deleteNetns(name: string, id: string): void {
  if (!existsSync(`/run/netns/${name}`)) return;
  // A namespace lives on while a process is inside: end our own stragglers (a hung exec) first.
  const pids = spawnSync('ip', ['netns', 'pids', name], {encoding: 'utf8'}).stdout ?? '';
  for (const pid of pids.split('\n').filter(Boolean).map(Number)) endProcess(pid, id);
  const result = spawnSync('ip', ['netns', 'del', name], {encoding: 'utf8'});
  if (result.status !== 0 && existsSync(`/run/netns/${name}`)) throw new Error(`ip netns del ${name}: ${result.stderr}`);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // exited meanwhile
  }
}

/** Poll `done` every 20 ms, blocking, for at most `ms`. */
function waitUntil(done: () => boolean, ms: number): boolean {
  const deadline = Date.now() + ms;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    if (done()) return true;
    Atomics.wait(cell, 0, 0, 20);
  }
  return done();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const teardownAll = () => {
    for (const ledger of [...active]) ledger.teardown();
  };
  // Last line of defence when a test forgot destroy() or threw past it.
  process.on('exit', teardownAll);
  // Vitest ends its fork workers with SIGTERM, which skips 'exit': tear down, then die of the
  // signal as if no handler had been there (`once` has already removed this listener).
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.once(signal, () => {
      teardownAll();
      process.kill(process.pid, signal);
    });
  }
}
