// The command table from a directory of compiled command modules (dist/commands): every module
// there is a command, named by its path ("checks/list.js" -> "checks:list"). The one-file bundle
// builds the same table at bundle time (scripts/bundle.mjs) with commandIdOf.
import {readdirSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
import {join, relative, sep} from 'node:path';
import type {CommandClass, CommandTable} from './main.js';

/** "checks/list.ts" or "checks/list.js" -> "checks:list"; undefined for files that are no command. */
export function commandIdOf(relPath: string): string | undefined {
  if (!/\.(ts|js|mjs)$/.test(relPath) || /\.(d|test)\.[mc]?[tj]s$/.test(relPath)) return undefined;
  return relPath.replace(/\.(ts|js|mjs)$/, '').split(/[\\/]/).join(':');
}

export function commandsIn(dir: string): CommandTable {
  const table: CommandTable = {};
  for (const entry of readdirSync(dir, {recursive: true, withFileTypes: true})) {
    if (!entry.isFile()) continue;
    // parentPath is Node >= 20.12; earlier 20.x name it path.
    const file = join(entry.parentPath ?? (entry as unknown as {path: string}).path, entry.name);
    const id = commandIdOf(relative(dir, file).split(sep).join('/'));
    if (id) table[id] = async () => ((await import(pathToFileURL(file).href)) as {default: CommandClass}).default;
  }
  return table;
}
