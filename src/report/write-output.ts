// Reports written with --output appear whole or not at all: temp file in the same directory, then rename.
import {randomBytes} from 'node:crypto';
import {open, rename, rm, stat} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {UserError} from '../errors.js';

export async function writeFileAtomic(target: string, text: string, mode = 0o644): Promise<void> {
  const dir = dirname(target);
  try {
    if (!(await stat(dir)).isDirectory()) throw new UserError(`cannot write ${target}: ${dir} is not a directory`);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write ${target}: directory ${dir} does not exist`);
  }
  const tmp = join(dir, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, {force: true});
    if (error instanceof UserError) throw error;
    throw new UserError(`cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
