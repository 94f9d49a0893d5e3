// Reading a firewall command source: a failed command with no output is a collection failure, a
// parse failure is a parse error; both become the reason the view is incomplete.
import {modelOrParseError, ParseError} from '../../parsers/errors.js';
import {CONVERTED_NOTE, indexIptablesSave, type IptablesSaveIndex} from '../../parsers/iptables/index.js';
import type {SourceText} from '../../sources/snapshot.js';
import {FactUnavailable, type Facts} from '../facts.js';

export interface Read<T> {
  ok: boolean;
  value?: T;
  /** Why not, for problems. */
  reason?: string;
  parseError?: boolean;
  /** The parse failure itself, so the caller can show its line. */
  error?: ParseError;
}

/** Read and parse a command source; a failed command with no output is a collection failure, not a parse error. */
export function readCommand<T>(f: Facts, source: string, parse: (src: SourceText) => T, okExitCodes: number[] = []): Read<T> {
  let src: SourceText;
  try {
    src = f.command(source);
  } catch (error) {
    if (error instanceof FactUnavailable) return {ok: false, reason: error.reason};
    throw error;
  }
  const exit = exitProblem(source, src);
  if (exit && src.text.trim() === '' && !okExitCodes.includes(src.entry.exitCode ?? 0)) return {ok: false, reason: exit};
  const parsed = modelOrParseError(() => parse(src));
  if (parsed instanceof ParseError) return {ok: false, reason: `cannot parse ${parsed.message}`, parseError: true, error: parsed};
  return {ok: true, value: parsed};
}

export function exitProblem(source: string, src: SourceText): string | undefined {
  const code = src.entry.exitCode;
  if (code === undefined || code === 0) return undefined;
  const stderr = (src.entry.stderr ?? '').trim().split('\n')[0] ?? '';
  return `${source} exited with ${code === null ? 'a signal' : code}${stderr ? `: ${stderr}` : ''}`;
}

/** An iptables-save command source, indexed: the caller parses the rules it reads (select). */
export function iptablesDump(source: string) {
  return (src: SourceText): {index: IptablesSaveIndex; problems: string[]; limits: string[]} => {
    const problems: string[] = [];
    // Rules converted from listings (a sosreport, a paste): their note says what is not shown.
    const note = src.entry.stderr ?? '';
    const limits = note.startsWith(CONVERTED_NOTE) ? [`${source} ${note}`] : [];
    const exit = exitProblem(source, src);
    if (exit) problems.push(exit);
    return {index: indexIptablesSave(src.text, source), problems, limits};
  };
}
