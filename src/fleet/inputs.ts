// Which snapshots a fleet run reads: the paths given, a directory of snapshot tarballs expanded
// to its tarballs (not recursive), an unpacked snapshot or sosreport directory taken as one host.
import {readdir, stat} from 'node:fs/promises';
import {join} from 'node:path';
import {UserError} from '../errors.js';

const TARBALL = /\.(tar\.gz|tgz|tar|tar\.xz)$/;

export async function expandInputs(paths: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch {
      out.push(p); // reported as an unreadable host, with the reader's own reason
      continue;
    }
    if (!st.isDirectory()) {
      out.push(p);
      continue;
    }
    const names = await readdir(p);
    if (names.includes('manifest.json') || names.includes('sos_commands')) {
      out.push(p);
      continue;
    }
    const tarballs = names.filter((n) => TARBALL.test(n)).sort();
    if (tarballs.length === 0) throw new UserError(`${p}: no snapshot tarballs (*.tar.gz, *.tar) and no manifest.json in this directory`);
    out.push(...tarballs.map((n) => join(p, n)));
  }
  return out;
}

/** More than one snapshot, or a directory of tarballs: the run is a fleet run. */
export async function isFleetRun(paths: readonly string[]): Promise<boolean> {
  if (paths.length > 1) return true;
  const expanded = await expandInputs(paths);
  return expanded.length > 1 || expanded[0] !== paths[0];
}
