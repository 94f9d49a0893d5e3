// Runs one command for the live-host harness: argv only (no shell), captured output, a hard
// timeout that kills the whole process group, and an exit code instead of an exception.
import {spawn} from 'node:child_process';

export interface RunOptions {
  /** Extra environment, merged over process.env. */
  env?: Record<string, string | undefined>;
  /** Kill the command (and its children) after this many ms. Default 15 s. */
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed. */
  input?: string;
}

export interface RunResult {
  argv: string[];
  /** Exit code, or null when the command died from a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export function run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: {...process.env, ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
      // Own process group, so a timeout also ends what the command started.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({argv, code: 127, signal: null, stdout, stderr: stderr + String(error), timedOut});
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({argv, code, signal, stdout, stderr, timedOut});
    });
    child.stdin.on('error', () => {}); // the command may exit without reading its input
    child.stdin.end(options.input ?? '');
  });
}

/** Like run(), but a non-zero exit, a signal or a timeout is an error naming the command. */
export async function must(argv: string[], options: RunOptions = {}): Promise<string> {
  const result = await run(argv, options);
  if (result.code !== 0 || result.timedOut) throw new CommandError(result);
  return result.stdout;
}

export class CommandError extends Error {
  constructor(readonly result: RunResult) {
    const how = result.timedOut ? 'timed out' : result.signal ? `died of ${result.signal}` : `exited ${result.code}`;
    super(`command ${how}: ${result.argv.join(' ')}\n${result.stderr.trim()}`);
    this.name = 'CommandError';
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
