// The tapdoctor entry point: finds the command in argv and runs it, answers --version and help
// itself, and turns every unknown command into our one-line error with a suggestion. oclif parses
// each command's flags; it does not discover or dispatch commands, so this works the same from
// dist/ and from the one-file bundle (which has no package.json or command files beside it).
// Only types come from oclif here: --version and help answer without loading it.
import type {Command, Config} from '@oclif/core';
import {didYouMean} from './suggest.js';
import {TOOL_VERSION} from '../version.js';

export type CommandClass = typeof Command;
/** Command ID ("check", "checks:list") to a loader of its class. */
export type CommandTable = Record<string, () => Promise<CommandClass>>;

export const BIN = 'tapdoctor';
const HELP = new Set(['-h', '--help']);
const VERSION = new Set(['-v', '--version']);

export function versionLine(): string {
  return `${BIN}/${TOOL_VERSION} ${process.platform}-${process.arch} node-${process.version}`;
}

/** "checks:list" as the user types it. */
export const shown = (id: string): string => id.replaceAll(':', ' ');

class UsageError extends Error {}

let table: CommandTable = {};
/** The commands this run knows (for `completion`, which describes all of them). */
export const commandTable = (): CommandTable => table;

/** Runs argv; resolves to the exit code. */
export async function main(argv: string[], commands: CommandTable): Promise<number> {
  table = commands;
  try {
    return await dispatch(argv, commands);
  } catch (error) {
    // Commands print their own errors; what reaches here is a usage error or a bug: one line either way.
    process.stderr.write(`${BIN}: ${error instanceof UsageError ? error.message : `internal error: ${(error as Error).message ?? String(error)}`}\n`);
    if (process.env.TAPDOCTOR_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 2;
  }
}

async function dispatch(argv: string[], commands: CommandTable): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) return printHelp(commands, []);
  if (VERSION.has(first) || first === 'version') {
    process.stdout.write(`${versionLine()}\n`);
    return 0;
  }
  if (HELP.has(first) || first === 'help') return printHelp(commands, rest.filter((a) => !HELP.has(a)));
  if (first.startsWith('-')) throw new UsageError(`unknown flag '${first}'${didYouMean(first, ['--help', '--version'])} (see: ${BIN} help)`);

  const passThrough = argv.indexOf('--');
  if ((passThrough < 0 ? argv : argv.slice(0, passThrough)).some((a) => HELP.has(a))) {
    const words = argv.slice(0, argv.findIndex((a) => a.startsWith('-')));
    return printHelp(commands, words.flatMap((w) => w.split(':')));
  }
  const found = resolve(argv, commands);
  const Cmd = await commands[found.id]!();
  Cmd.id = found.id;
  try {
    // Command.run would load oclif's Config from package.json; the instance needs only ours.
    const cmd = new (Cmd as unknown as new (argv: string[], config: Config) => Command & {_run(): Promise<unknown>})(found.argv, commandConfig() as unknown as Config);
    await cmd._run();
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // this.exit(n) throws oclif's ExitError; it is how a command ends with a code.
    const exit = (error as {oclif?: {exit?: number}}).oclif?.exit;
    if (typeof exit === 'number') return exit;
    throw error;
  }
}

/** The command named by argv's leading words ("checks list" or "checks:list"), and what follows. */
export function resolve(argv: string[], commands: CommandTable): {id: string; argv: string[]} {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-')) break;
    words.push(...a.split(':'));
  }
  for (let n = words.length; n > 0; n--) {
    const id = words.slice(0, n).join(':');
    if (commands[id]) return {id, argv: argv.slice(argv.length - remaining(argv, n))};
  }
  const ids = Object.keys(commands);
  const topic = ids.filter((id) => id.startsWith(`${words[0]}:`));
  if (topic.length > 0) {
    const typed = shown(words.slice(0, 2).join(':'));
    const what = words.length < 2 ? `'${words[0]}' needs a command: ${topic.map((id) => `'${shown(id)}'`).join(', ')}` : `unknown command '${typed}'${didYouMean(typed, topic.map(shown))}`;
    throw new UsageError(`${what} (see: ${BIN} help ${words[0]})`);
  }
  const typed = words[0] ?? argv[0] ?? '';
  throw new UsageError(`unknown command '${typed}'${didYouMean(typed, [...ids.map(shown), 'help'])} (see: ${BIN} help)`);
}

/** How many argv entries are left after the first `n` command words (a word may be "checks:list"). */
function remaining(argv: string[], n: number): number {
  let used = 0;
  let i = 0;
  while (used < n) used += argv[i++]!.split(':').length;
  return argv.length - i;
}

async function printHelp(commands: CommandTable, words: string[]): Promise<number> {
  const {renderRootHelp, renderCommandHelp, renderTopicHelp} = await import('./help.js');
  const {outputWidth} = await import('./terminal.js');
  const width = outputWidth();
  if (words.length === 0) {
    process.stdout.write(renderRootHelp(await loadAll(commands), width));
    return 0;
  }
  const {id} = resolveForHelp(words, commands);
  if (commands[id]) {
    process.stdout.write(renderCommandHelp(id, await commands[id]!(), width));
    return 0;
  }
  const all = await loadAll(commands);
  process.stdout.write(renderTopicHelp(id, Object.fromEntries(Object.entries(all).filter(([k]) => k.startsWith(`${id}:`))), width));
  return 0;
}

function resolveForHelp(words: string[], commands: CommandTable): {id: string} {
  try {
    return resolve(words, commands);
  } catch (error) {
    // "help checks" is the topic's help, not an error.
    const topic = words.join(':');
    if (error instanceof UsageError && words.length === 1 && Object.keys(commands).some((id) => id.startsWith(`${topic}:`))) return {id: topic};
    throw error;
  }
}

export async function loadAll(commands: CommandTable): Promise<Record<string, CommandClass>> {
  const entries = await Promise.all(Object.entries(commands).map(async ([id, load]) => [id, await load()] as const));
  return Object.fromEntries(entries.filter(([, c]) => !c.hidden).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * What oclif's Command reads from its config while parsing and running. tapdoctor has no plugins,
 * hooks or user config dirs, so this stands in for oclif's Config (which would read package.json
 * and plugin manifests from disk at every start).
 */
function commandConfig() {
  return {
    bin: BIN,
    name: BIN,
    version: TOOL_VERSION,
    userAgent: versionLine(),
    topicSeparator: ':',
    runHook: async () => ({successes: [], failures: []}),
    scopedEnvVar: () => undefined,
    scopedEnvVarTrue: () => false,
    scopedEnvVarKeys: (name: string) => [`TAPDOCTOR_${name}`],
    scopedEnvVarKey: (name: string) => `TAPDOCTOR_${name}`,
    findCommand: () => undefined,
  };
}
