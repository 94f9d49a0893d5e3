// Locate the external validators the renderer tests use. A missing tool skips its test loudly on
// a workstation; under CI (CI set) the test runs anyway and fails, so CI never passes unvalidated.
import {spawnSync} from 'node:child_process';
import {accessSync, constants} from 'node:fs';

export function findTool(name: string, envVar?: string): string | undefined {
  const fromEnv = envVar ? process.env[envVar] : undefined;
  if (fromEnv) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (!dir) continue;
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when the test should be skipped; prints why, once per call site. */
export function skipWithout(what: string, present: boolean, hint: string): boolean {
  if (present) return false;
  if (process.env.CI) return false;
  console.warn(`\n*** SKIPPED: ${what} not available (${hint}). Set CI=1 to make this a failure. ***\n`);
  return true;
}

export function run(cmd: string, args: string[], input?: string): {status: number | null; stdout: string; stderr: string} {
  const r = spawnSync(cmd, args, {input, encoding: 'utf8', timeout: 60_000});
  if (r.error) throw r.error;
  return {status: r.status, stdout: r.stdout, stderr: r.stderr};
}
