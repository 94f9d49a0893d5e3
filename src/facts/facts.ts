// Facts: the questions checks ask ("which device is the uplink?", "which taps belong to running
// jobs?"), computed lazily from the snapshot and memoized. A fact is a plain function of Facts;
// when its data is missing it throws FactUnavailable, which the engine turns into a `skip` (or an
// `error` when a parser failed) naming the reason, so missing data is never a pass.
import type {TapdoctorConfig} from '../config.js';
import {ParseError} from '../parsers/errors.js';
import type {Available, SourceFile, SourceText, SnapshotView} from '../sources/snapshot.js';

export class FactUnavailable extends Error {
  constructor(
    readonly reason: string,
    /** `missing`: the data is not there in this mode; `error`: it is there but could not be parsed. */
    readonly kind: 'missing' | 'error' = 'missing',
  ) {
    super(reason);
    this.name = 'FactUnavailable';
  }
}

export type Fact<T> = (facts: Facts) => T;

/** A line a tolerant parser skipped (or read with a warning): the report shows each one. */
export interface SkippedLine {
  line: number;
  text: string;
  reason: string;
}

/** A skipped line as the report shows it: `<source> [<file>]`, `line N skipped: <the line, cut>`. */
export interface NotedParseProblem {
  source: string;
  problem: string;
}

const SHOWN_TEXT = 120;

type Memo = {ok: true; value: unknown} | {ok: false; error: FactUnavailable};

export class Facts {
  private readonly memo = new Map<Fact<unknown>, Memo>();
  private readonly noted = new Map<string, NotedParseProblem>();

  constructor(
    readonly view: SnapshotView,
    readonly config: TapdoctorConfig,
  ) {}

  /** The fact's value; throws FactUnavailable when it cannot be determined. */
  get<T>(fact: Fact<T>): T {
    let m = this.memo.get(fact as Fact<unknown>);
    if (!m) {
      m = this.compute(fact as Fact<unknown>);
      this.memo.set(fact as Fact<unknown>, m);
    }
    if (m.ok) return m.value as T;
    throw m.error;
  }

  /** The fact or the reason it is unavailable, for checks that can work without it. */
  try<T>(fact: Fact<T>): Available<T> {
    try {
      return {ok: true, value: this.get(fact)};
    } catch (error) {
      if (error instanceof FactUnavailable) return {ok: false, reason: error.reason};
      throw error;
    }
  }

  /** The text of a command source; throws FactUnavailable when it was not collected. */
  command(source: string, key?: string): SourceText {
    return unwrap(this.view.command(source, key));
  }

  /** All usable entries of a file or per-key source. */
  entries(source: string): SourceFile[] {
    return unwrap(this.view.entries(source));
  }

  /** One file of a file source; undefined when the host has no such file. */
  file(source: string, hostPath: string): SourceFile | undefined {
    return unwrap(this.view.file(source, hostPath));
  }

  /**
   * The one place a fact reports the lines its tolerant parse skipped: they become source problems
   * in the report, so a skipped line is never silent. `file` names the file of a file source.
   */
  noteParseProblems(source: string, problems: readonly SkippedLine[], file?: string): void {
    const where = file && file !== source ? `${source} [${file}]` : source;
    for (const p of problems) {
      const text = p.text.trim();
      const shown = text.length > SHOWN_TEXT ? `${text.slice(0, SHOWN_TEXT - 1)}…` : text;
      const problem = `line ${p.line} skipped: ${shown}${p.reason ? ` (${p.reason})` : ''}`;
      this.noted.set(`${where}\n${problem}`, {source: where, problem});
    }
  }

  /** Every parse problem noted so far, in the order first seen. */
  parseProblems(): NotedParseProblem[] {
    return [...this.noted.values()];
  }

  private compute(fact: Fact<unknown>): Memo {
    try {
      return {ok: true, value: fact(this)};
    } catch (error) {
      if (error instanceof FactUnavailable) return {ok: false, error};
      if (error instanceof ParseError) return {ok: false, error: new FactUnavailable(`cannot parse ${error.message}`, 'error')};
      throw error;
    }
  }
}

function unwrap<T>(a: Available<T>): T {
  if (a.ok) return a.value;
  throw new FactUnavailable(a.reason);
}
