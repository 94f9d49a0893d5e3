// Runs one read-only command with a hard deadline. The deadline does not wait for the child to
// exit: a process stuck on a stale NFS handle may ignore even SIGKILL for a while, and tapdoctor
// must still finish in time. Such a child is killed, unreferenced and reported as timed out.
import type {ResultPromise} from 'execa';
import {formatSeconds} from '../format.js';

export interface CommandOutcome {
  stdout: Buffer;
  stderr: string;
  exitCode: number | null;
  durationMs: number;
  truncated: boolean;
  /** Why there is no usable output: not found, timed out, permission denied. */
  error?: string;
}

export interface RunOptions {
  timeoutMs: number;
  maxBytes: number;
  env?: NodeJS.ProcessEnv;
}

const STDERR_KEEP = 2000;

export async function runCommand(argv: string[], opts: RunOptions): Promise<CommandOutcome> {
  const {execa} = await import('execa');
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let child: ResultPromise;
  try {
    child = execa(argv[0]!, argv.slice(1), {
      reject: false,
      stdin: 'ignore',
      encoding: 'buffer',
      stripFinalNewline: false,
      maxBuffer: opts.maxBytes,
      env: {...opts.env, LC_ALL: 'C', LANG: 'C'},
      killSignal: 'SIGKILL',
    });
  } catch (error) {
    return {stdout: Buffer.alloc(0), stderr: '', exitCode: null, durationMs: elapsed(), truncated: false, error: (error as Error).message};
  }
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), opts.timeoutMs);
  });
  const result = await Promise.race([child, deadline]);
  clearTimeout(timer);
  if (result === 'timeout') {
    child.kill('SIGKILL');
    child.catch(() => undefined);
    unrefChild(child);
    return {stdout: Buffer.alloc(0), stderr: '', exitCode: null, durationMs: elapsed(), truncated: false, error: `timed out after ${formatSeconds(opts.timeoutMs)} s`};
  }
  const r = result as unknown as {stdout?: Uint8Array; stderr?: Uint8Array; exitCode?: number; code?: string; isMaxBuffer?: boolean; failed?: boolean; message?: string; signal?: string};
  const stdout = Buffer.from(r.stdout ?? new Uint8Array());
  const stderr = Buffer.from(r.stderr ?? new Uint8Array()).toString('utf8').slice(0, STDERR_KEEP);
  if (r.code === 'ENOENT') return {stdout, stderr, exitCode: null, durationMs: elapsed(), truncated: false, error: `${argv[0]} not found`};
  if (r.code === 'EACCES') return {stdout, stderr, exitCode: null, durationMs: elapsed(), truncated: false, error: `${argv[0]} is not executable (permission denied)`};
  if (r.isMaxBuffer) return {stdout: stdout.subarray(0, opts.maxBytes), stderr, exitCode: r.exitCode ?? null, durationMs: elapsed(), truncated: true};
  if (r.exitCode === undefined && r.failed) {
    return {stdout, stderr, exitCode: null, durationMs: elapsed(), truncated: false, error: r.signal ? `killed by ${r.signal}` : (r.message ?? 'failed').split('\n')[0]};
  }
  return {stdout, stderr, exitCode: r.exitCode ?? null, durationMs: elapsed(), truncated: false};
}

function unrefChild(child: ResultPromise): void {
  const c = child as unknown as {unref?: () => void; stdout?: {destroy?: () => void}; stderr?: {destroy?: () => void}};
  c.stdout?.destroy?.();
  c.stderr?.destroy?.();
  c.unref?.();
}
