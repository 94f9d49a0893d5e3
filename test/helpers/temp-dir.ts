// A scratch directory for tests that write files, removed afterwards even when the test fails.
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, beforeEach} from 'vitest';

/**
 * Registers hooks (call it at file or describe level) that create a fresh `<tmp>/<prefix>XXXXXX`
 * before each test ('each') or once before all of them ('all'), and remove it afterwards.
 * Returns the directory's path, valid inside tests and later hooks.
 */
export function useTempDir(prefix: string, scope: 'each' | 'all' = 'each'): () => string {
  let dir: string | undefined;
  (scope === 'each' ? beforeEach : beforeAll)(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  (scope === 'each' ? afterEach : afterAll)(() => {
    if (dir) rmSync(dir, {recursive: true, force: true});
    dir = undefined;
  });
  return () => {
    if (!dir) throw new Error(`no temp dir ${prefix}: use it inside a test or a later hook`);
    return dir;
  };
}
