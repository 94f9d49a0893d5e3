// Live collection as the commands use it: validates --root, shows progress on a terminal.
import {stat} from 'node:fs/promises';
import {resolve} from 'node:path';
import {UserError} from '../errors.js';
import type {Snapshot} from '../sources/snapshot.js';

export async function checkRoot(root: string): Promise<string> {
  const abs = resolve(root);
  try {
    if (!(await stat(abs)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new UserError(`--root ${root}: no such directory`);
  }
  return abs;
}

export async function collectWithProgress(opts: {root: string; timeoutSeconds: number; quiet: boolean; version: string}): Promise<Snapshot> {
  const {collectLive} = await import('../sources/live.js');
  const showProgress = !opts.quiet && Boolean(process.stderr.isTTY);
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  const snapshot = await collectLive({
    root: opts.root,
    timeoutMs: opts.timeoutSeconds * 1000,
    toolVersion: opts.version,
    onProgress: showProgress
      ? (done, total, source) => process.stderr.write(`\r\x1b[K${frames[done % frames.length]} collecting ${done}/${total} ${source}`)
      : undefined,
  });
  if (showProgress) process.stderr.write('\r\x1b[K');
  return snapshot;
}
