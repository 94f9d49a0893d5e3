// Reads a snapshot-layout directory tree (commands/, files/) into memory without following
// symlinks: a symlink is recorded with its target, never read through.
import {lstat, readdir, readFile, readlink} from 'node:fs/promises';
import {join} from 'node:path';
import type {TreeItem} from './infer-manifest.js';

export async function readTree(dir: string, tops: string[] = ['commands', 'files']): Promise<{tree: Map<string, TreeItem>; contents: Map<string, Buffer>}> {
  const tree = new Map<string, TreeItem>();
  const contents = new Map<string, Buffer>();
  const walk = async (rel: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(join(dir, rel));
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const r = `${rel}/${name}`;
      const st = await lstat(join(dir, r));
      if (st.isDirectory()) await walk(r);
      else if (st.isSymbolicLink()) tree.set(r, {bytes: 0, mode: 0o777, linkTarget: await readlink(join(dir, r))});
      else if (st.isFile()) {
        const buf = await readFile(join(dir, r));
        tree.set(r, {bytes: buf.length, mode: st.mode & 0o7777});
        contents.set(r, buf);
      }
    }
  };
  for (const top of tops) await walk(top);
  return {tree, contents};
}
