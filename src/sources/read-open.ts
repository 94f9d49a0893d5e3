// Reading an already opened (and already judged) regular file into memory: shared by the readers
// of snapshots, sosreports and pasted files, which each stat the handle and apply their own limits
// first. A file that shrinks while it is read gives the bytes that were there.
import type {FileHandle} from 'node:fs/promises';

export async function readToEnd(fh: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(size);
  let filled = 0;
  while (filled < buf.length) {
    const {bytesRead} = await fh.read(buf, filled, buf.length - filled, filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buf.subarray(0, filled);
}
