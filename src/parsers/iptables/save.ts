// Parser for iptables-save / ip6tables-save output and iptables-restore input files
// (/etc/sysconfig/iptables, /etc/iptables/rules.v4): `*table` blocks closed by COMMIT, `:CHAIN
// POLICY [p:b]` lines, `[p:b] -A ...` rules, `-I`, `-N`, `-P`, comments.
//
// One pass over the text, one line at a time (indexOf, no split), rules tokenized by hand: linear
// in the input, whatever it holds. indexIptablesSave() is the same parser for readers that need
// some chains only: it parses a rule line when it is asked for (see IptablesSaveIndex).

import {isBuiltinChain, isKnownTable} from './builtins.js';
import {failer, forEachLine, forEachLineAt, wordsOf} from './lines.js';
import {isBracketCounters, isDigits, parseBracketCounters} from './numbers.js';
import {NO_MODULES, NO_OPTIONS, RuleArgsParser, RuleSyntaxError} from './rule.js';
import {isBlank, NameIds, Tokens, tokenize, wordHash, type TargetSpan} from './tokenize.js';
import {RuleWordScanner} from './word-scanner.js';
import type {Counters, IndexedTable, IptablesDump, IptChain, IptRule, IptTable, ParseOptions} from './types.js';

/**
 * Parses iptables-save output. Strict (default): throws ParseError at the first bad line.
 * Tolerant: records each ParseError in `dump.errors`, skips what it cannot read and keeps going.
 */
export function parseIptablesSave(text: string, source = 'iptables.save', opts: ParseOptions = {}): IptablesDump {
  return new SaveParser(source, opts.tolerant === true).parse(text);
}

/**
 * Reads iptables-save text (tolerant) for readers that need some chains only. Header, table, chain
 * and comment lines are read at once. A rule line is only checked for its shape (counters,
 * `-A CHAIN` of a declared chain, quotes, template syntax, one -j/-g target): a line that is not
 * plain is parsed at once, so every line-level problem is reported as parseIptablesSave reports it.
 * A plain line is parsed when select() asks for its chain or target; what the rule's options mean
 * (`-p tcp -p udp`, `-j` negated) is only checked then.
 */
export function indexIptablesSave(text: string, source = 'iptables.save'): IptablesSaveIndex {
  const parser = new SaveParser(source, true);
  parser.index(text);
  return new IptablesSaveIndex(parser, text);
}

/** Per deferred line, these ints: its line number, start and end in the text, chain and target ids. */
const FIELDS = 5;
/** Lines per storage chunk: 2^CHUNK_SHIFT. */
const CHUNK_SHIFT = 12;
const CHUNK_LINES = 1 << CHUNK_SHIFT;

/**
 * Every deferred rule line of a dump, in file order: where it is and what its shape check read, in
 * Int32Array chunks shared by all table blocks (100,000 lines in five JS arrays and two Sets cost
 * more than the check; a chunk per block would cost 80 KiB for each of a crafted dump's thousands
 * of one-rule blocks).
 *
 * No array field is ever replaced: the optimizing compiler treats a field written once as a
 * constant, and replacing one mid-dump (to grow an array) throws away the compiled reading loop.
 */
class DeferredStore {
  private readonly chunks: Int32Array[] = [];
  count = 0;

  /** Appends a line; returns its place in the store. */
  add(lineNo: number, start: number, end: number, chain: number, target: number): number {
    const k = this.count++;
    if ((k & (CHUNK_LINES - 1)) === 0) this.chunks.push(new Int32Array(CHUNK_LINES * FIELDS));
    const data = this.chunks[k >> CHUNK_SHIFT]!;
    let o = (k & (CHUNK_LINES - 1)) * FIELDS;
    data[o++] = lineNo;
    data[o++] = start;
    data[o++] = end;
    data[o++] = chain;
    data[o] = target;
    return k;
  }

  field(k: number, field: number): number {
    return this.chunks[k >> CHUNK_SHIFT]![(k & (CHUNK_LINES - 1)) * FIELDS + field]!;
  }
}

/**
 * The deferred rule lines of one table block: a run of the parser's DeferredStore (a block's lines
 * are consecutive there, as blocks do not nest), with the chains and targets they name.
 */
class DeferredLines {
  /** Place in the store of this block's first line. */
  private readonly first: number;
  count = 0;
  /** The parsed rule by its place in these lines, once asked for (null: it did not parse). */
  readonly parsed = new Map<number, IptRule | null>();
  /** The chain ids, and the target ids, of these lines, each once, in the order lines name them. */
  readonly chainIds: number[] = [];
  readonly targetIds: number[] = [];

  constructor(
    private readonly store: DeferredStore,
    /** This block's number in the dump (from 1): how the store's listed-in marks tell blocks apart. */
    private readonly ordinal: number,
    /** The table block's name and chains, read for every line (see SaveParser.deferRule). */
    readonly tableName: string,
    readonly chains: ReadonlyMap<string, IptChain>,
  ) {
    this.first = store.count;
  }

  /**
   * Appends a line. `chainListedIn` / `targetListedIn`: by name id, the ordinal of the last block
   * that listed the name (one array per parser, so each block's lists cost what it names).
   */
  add(lineNo: number, start: number, end: number, chain: number, target: number, chainListedIn: number[], targetListedIn: number[]): void {
    // Grown by push, never with holes: the arrays keep one element kind.
    while (chainListedIn.length <= chain || chainListedIn.length <= target) {
      chainListedIn.push(0);
      targetListedIn.push(0);
    }
    if (chainListedIn[chain] !== this.ordinal) {
      chainListedIn[chain] = this.ordinal;
      this.chainIds.push(chain);
    }
    if (target !== -1 && targetListedIn[target] !== this.ordinal) {
      targetListedIn[target] = this.ordinal;
      this.targetIds.push(target);
    }
    this.store.add(lineNo, start, end, chain, target);
    this.count++;
  }

  lineNo(k: number): number {
    return this.store.field(this.first + k, 0);
  }
  start(k: number): number {
    return this.store.field(this.first + k, 1);
  }
  end(k: number): number {
    return this.store.field(this.first + k, 2);
  }
  /** Id in the parser's NameIds. */
  chain(k: number): number {
    return this.store.field(this.first + k, 3);
  }
  /** Id in the parser's NameIds; -1 for a rule without -j/-g. */
  target(k: number): number {
    return this.store.field(this.first + k, 4);
  }
}

/**
 * The result of indexIptablesSave. `tables` knows every table, chain, rule count and rule target;
 * select() returns the rules asked for, parsed. Nothing here answers "which rules does chain X
 * hold" without parsing them: a chain that was not asked for is unread, not empty.
 */
export class IptablesSaveIndex {
  readonly tables: IndexedTable[];

  constructor(
    private readonly parser: SaveParser,
    private readonly text: string,
  ) {
    const names = parser.names.names;
    this.tables = parser.dumpSoFar().tables.map((t, k) => {
      const d = parser.deferredOf(k);
      const ruleChains = new Set(d.chainIds.map((id) => names[id]!));
      const targets = new Set(d.targetIds.map((id) => names[id]!));
      for (const r of t.rules) {
        ruleChains.add(r.chain);
        if (r.target) targets.add(r.target.name);
      }
      return {name: t.name, line: t.line, chains: t.chains, ruleCount: t.rules.length + d.count, ruleChains, targets};
    });
  }

  /** The header facts of the dump (version, backend, family, legacyTablesPresent, crlf). */
  get header(): Omit<IptablesDump, 'tables' | 'errors'> {
    const {tables: _t, errors: _e, ...header} = this.parser.dumpSoFar();
    return header;
  }

  /**
   * A dump with every table and chain and, of the rules, those `want` accepts (by table, chain and
   * -j/-g target), parsed, in file order. `errors`: every problem found so far, in line order: each
   * line's shape, and the options of every rule parsed (by this or an earlier select).
   */
  select(want: (table: IndexedTable, chain: string, target: string | undefined) => boolean): IptablesDump {
    const dump = this.parser.dumpSoFar();
    const tables = dump.tables.map((t, k) => {
      const indexed = this.tables[k]!;
      const d = this.parser.deferredOf(k);
      const rules: IptRule[] = [];
      let e = 0;
      const takeEagerBefore = (line: number) => {
        for (; e < t.rules.length && t.rules[e]!.line < line; e++) {
          const r = t.rules[e]!;
          if (want(indexed, r.chain, r.target?.name)) rules.push(r);
        }
      };
      const names = this.parser.names.names;
      for (let j = 0; j < d.count; j++) {
        const target = d.target(j);
        if (!want(indexed, names[d.chain(j)]!, target === -1 ? undefined : names[target])) continue;
        const lineNo = d.lineNo(j);
        takeEagerBefore(lineNo);
        let rule = d.parsed.get(j);
        if (rule === undefined) d.parsed.set(j, (rule = this.parser.parseDeferred(t, this.text.slice(d.start(j), d.end(j)), lineNo)));
        if (rule) rules.push(rule);
      }
      takeEagerBefore(Infinity);
      return {name: t.name, line: t.line, chains: t.chains, rules};
    });
    return {...this.header, tables, errors: [...dump.errors].sort((a, b) => a.line - b.line)};
  }
}

/** `[packets:bytes] -A ` as iptables-save prints it, before a chain name that starts plainly. */
const PLAIN_RULE_START = /(?:\[\d{1,20}:\d{1,20}\] )?-A (?=[^ \t\r"{-])/y;

/**
 * Where the chain name of a `[p:b] -A CHAIN` line in any spelling starts (blanks anywhere, counters
 * or not), or -1 when text[start, end) is not such a line.
 */
function ruleStart(text: string, start: number, end: number): number {
  let i = start;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 91 /* [ */) {
    const close = text.indexOf(']', i);
    if (close === -1 || close >= end || !isBracketCounters(text, i, close + 1)) return -1;
    i = close + 1;
    while (i < end && isBlank(text.charCodeAt(i))) i++;
  }
  if (i + 2 >= end || text.charCodeAt(i) !== 45 /* - */ || text.charCodeAt(i + 1) !== 65 /* A */ || !isBlank(text.charCodeAt(i + 2))) return -1;
  i += 3;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  return i;
}

const HEADER = /^# Generated by (\S+) v(\S+)(?: \(([^)]*)\))?/;
const LEGACY_WARNING = '# Warning: iptables-legacy tables present';

class SaveParser {
  private readonly dump: IptablesDump = {tables: [], errors: []};
  private table: IptTable | null = null;
  private readonly tokens = new Tokens();
  private readonly ruleArgs = new RuleArgsParser();
  /** Throws in strict mode; records and returns in tolerant mode. */
  private readonly fail: (line: number, text: string, detail: string) => void;

  constructor(source: string, tolerant: boolean) {
    this.fail = failer(source, tolerant, this.dump.errors);
  }

  parse(text: string): IptablesDump {
    forEachLine(text, (line, lineNo, crlf) => {
      if (crlf) this.dump.crlf = true;
      this.line(line, lineNo);
    });
    this.end();
    return this.dump;
  }

  /** parse(), leaving plain rule lines for parseDeferred (indexIptablesSave). */
  index(text: string): void {
    this.words = new RuleWordScanner(text);
    forEachLineAt(text, (start, end, lineNo, crlf) => {
      if (crlf) this.dump.crlf = true;
      if (!this.defer(text, start, end, lineNo)) this.line(text.slice(start, end), lineNo);
    });
    this.end();
  }

  dumpSoFar(): IptablesDump {
    return this.dump;
  }

  deferredOf(tableIndex: number): DeferredLines {
    return this.deferred[tableIndex]!;
  }

  /** Parses one deferred rule line of `table` (its problems go to the dump's errors). */
  parseDeferred(table: IptTable, line: string, lineNo: number): IptRule | null {
    const scratch: IptTable = {name: table.name, line: table.line, chains: table.chains, rules: []};
    this.table = scratch;
    try {
      this.line(line, lineNo);
    } finally {
      this.table = null;
    }
    return scratch.rules[0] ?? null;
  }

  private end(): void {
    if (this.table) {
      this.fail(this.table.line, `*${this.table.name}`, `table ${this.table.name} is never closed by COMMIT`);
    }
  }

  // --- the shape check of indexIptablesSave ------------------------------------------------------

  private readonly deferred: DeferredLines[] = [];
  private readonly store = new DeferredStore();
  /** By name id, the ordinal of the last table block that listed it as a chain / as a target. */
  private readonly chainListedIn: number[] = [];
  private readonly targetListedIn: number[] = [];
  private readonly target: TargetSpan = {start: -1, end: -1};
  /** scanRuleWords over the text being indexed (lines come in order). */
  private words: RuleWordScanner | undefined;
  /** Chain and target names of deferred lines (IptablesSaveIndex reads them). */
  readonly names = new NameIds();

  /**
   * Records a plain `[p:b] -A CHAIN ...` line of the open table for later and returns true; false
   * for anything else (parse it now). Reads char codes of text[start, end): no copies.
   */
  private defer(text: string, start: number, end: number, lineNo: number): boolean {
    if (!this.table) return false;
    const words = this.words!;
    let chainStart: number;
    let chainEnd: number;
    // iptables-save's own shapes, `[p:b] -A CHAIN ` and `-A CHAIN ` with single spaces, are matched
    // natively; any other spelling (more blanks, tabs, counters of 21 digits) is read char by char.
    PLAIN_RULE_START.lastIndex = start;
    if (PLAIN_RULE_START.test(text)) {
      chainStart = PLAIN_RULE_START.lastIndex;
      chainEnd = text.indexOf(' ', chainStart);
      if (chainEnd === -1 || chainEnd > end) chainEnd = end;
      if (!words.isPlain(chainStart, chainEnd)) return false;
    } else {
      chainStart = ruleStart(text, start, end);
      if (chainStart === -1) return false;
      chainEnd = chainStart;
      while (chainEnd < end && !isBlank(text.charCodeAt(chainEnd))) chainEnd++;
      if (chainEnd === chainStart || !words.isPlain(chainStart, chainEnd)) return false;
    }
    return this.deferRule(text, start, end, lineNo, chainStart, chainEnd);
  }

  /** The rest of defer(): the chain is text[chainStart, chainEnd), a word without quotes or braces. */
  private deferRule(text: string, start: number, end: number, lineNo: number, chainStart: number, chainEnd: number): boolean {
    const lines = this.deferred[this.deferred.length - 1]!;
    if (text.charCodeAt(chainStart) === 45 /* - */) return false;
    const chain = this.names.id(text, chainStart, chainEnd, wordHash(text, chainStart, chainEnd));
    // An undeclared chain is a problem the parser reports.
    const chainName = this.names.names[chain]!;
    if (!lines.chains.has(chainName) && !isBuiltinChain(lines.tableName, chainName)) return false;
    const target = this.target;
    if (!this.words!.scan(chainEnd, end, target)) return false;
    const targetId = target.start === -1 ? -1 : this.names.id(text, target.start, target.end, wordHash(text, target.start, target.end));
    lines.add(lineNo, start, end, chain, targetId, this.chainListedIn, this.targetListedIn);
    return true;
  }

  private line(line: string, lineNo: number): void {
    let s = 0;
    while (s < line.length && isBlank(line.charCodeAt(s))) s++;
    if (s === line.length) return;
    switch (line.charCodeAt(s)) {
      case 35 /* # */:
        this.comment(line, s);
        return;
      case 42 /* * */:
        this.tableLine(line, s, lineNo);
        return;
      case 58 /* : */:
        this.chainLine(line, s, lineNo);
        return;
      case 91 /* [ */:
      case 45 /* - */:
        this.ruleLine(line, s, lineNo);
        return;
      case 67 /* C */:
        if (isCommit(line, s)) {
          this.commit(line, lineNo);
          return;
        }
        break;
      case 123 /* { */:
        this.fail(lineNo, line, 'template syntax ({{ }} or {% %}) is not iptables-restore input');
        return;
    }
    this.fail(lineNo, line, 'not an iptables-save line (expected *table, :chain, a rule, COMMIT or # comment)');
  }

  private comment(line: string, s: number): void {
    if (s !== 0) return;
    if (this.dump.version === undefined && line.startsWith('# Generated by ')) {
      const m = HEADER.exec(line);
      if (m) {
        const [, program, version, backend] = m;
        this.dump.version = version!;
        if (backend === 'nf_tables' || backend === 'legacy') this.dump.backend = backend;
        if (program!.startsWith('ip6')) this.dump.family = 'ipv6';
        else if (program!.startsWith('ip')) this.dump.family = 'ipv4';
      }
    } else if (line.startsWith(LEGACY_WARNING)) {
      this.dump.legacyTablesPresent = true;
    }
  }

  private tableLine(line: string, s: number, lineNo: number): void {
    const words = splitWords(line, s + 1);
    if (words.length !== 1) {
      this.fail(lineNo, line, words.length === 0 ? 'table name missing after *' : 'extra words after the table name');
      if (words.length === 0) return;
    }
    const name = words[0]!;
    if (!isKnownTable(name)) this.fail(lineNo, line, `unknown table "${name}" (known: filter, nat, mangle, raw, security)`);
    if (this.table) this.fail(lineNo, line, `COMMIT expected before a new table (table ${this.table.name} is still open)`);
    this.table = {name, line: lineNo, chains: new Map(), rules: []};
    this.dump.tables.push(this.table);
    this.deferred.push(new DeferredLines(this.store, this.deferred.length + 1, name, this.table.chains));
  }

  private commit(line: string, lineNo: number): void {
    if (!this.table) this.fail(lineNo, line, 'COMMIT outside a table');
    this.table = null;
  }

  private chainLine(line: string, s: number, lineNo: number): void {
    const table = this.table;
    if (!table) return this.fail(lineNo, line, 'chain line outside a table (no *table before it)');
    const words = splitWords(line, s + 1);
    if (words.length === 0) return this.fail(lineNo, line, 'chain name missing after :');
    if (words.length === 1) return this.fail(lineNo, line, 'chain policy missing (use - for a user chain)');
    let counters: Counters | null = null;
    if (words.length >= 3) {
      const c = words[2]!;
      counters = parseBracketCounters(c, 0, c.length);
      if (!counters) return this.fail(lineNo, line, `bad chain counters "${c}" (expected [packets:bytes])`);
      if (words.length > 3) return this.fail(lineNo, line, 'extra words after the chain counters');
    }
    const name = words[0]!;
    const policy = words[1] === '-' ? null : words[1]!;
    this.declareChain(table, {name, builtin: isBuiltinChain(table.name, name), policy, counters, line: lineNo}, line);
  }

  private declareChain(table: IptTable, chain: IptChain, line: string): void {
    if (table.chains.has(chain.name)) {
      return this.fail(chain.line, line, `chain ${chain.name} declared twice in table ${table.name}`);
    }
    if (chain.policy !== null && !chain.builtin && isKnownTable(table.name)) {
      this.fail(chain.line, line, `policy ${chain.policy} on ${chain.name}, which is not a built-in chain of ${table.name}`);
    }
    table.chains.set(chain.name, chain);
  }

  private ruleLine(line: string, s: number, lineNo: number): void {
    const table = this.table;
    if (!table) return this.fail(lineNo, line, 'rule outside a table (no *table before it)');
    let prefix: Counters | null = null;
    let argsFrom = s;
    if (line.charCodeAt(s) === 91 /* [ */) {
      const close = line.indexOf(']', s);
      prefix = close === -1 ? null : parseBracketCounters(line, s, close + 1);
      if (!prefix) return this.fail(lineNo, line, 'bad rule counters (expected [packets:bytes] before the rule)');
      argsFrom = close + 1;
    }
    const tokens = this.tokens;
    const problem = tokenize(line, argsFrom, tokens);
    if (problem) return this.fail(lineNo, line, problem);
    if (tokens.count === 0) return this.fail(lineNo, line, 'counters without a rule');
    const command = tokens.quoted[0] ? '' : tokens.values[0]!;
    if (tokens.count < 2 || isDashed(tokens.values[1]!, tokens.quoted[1]!)) {
      return this.fail(lineNo, line, `chain name missing after ${command || 'the command'}`);
    }
    const chain = tokens.values[1]!;
    switch (command) {
      case '-A':
      case '--append':
        return this.rule(table, line, lineNo, 'A', chain, 2, prefix);
      case '-I':
      case '--insert':
        return this.rule(table, line, lineNo, 'I', chain, 2, prefix);
      case '-N':
      case '--new-chain':
        if (tokens.count !== 2) return this.fail(lineNo, line, 'extra words after -N CHAIN');
        return this.declareChain(table, {name: chain, builtin: isBuiltinChain(table.name, chain), policy: null, counters: prefix, line: lineNo}, line);
      case '-P':
      case '--policy':
        return this.policy(table, line, lineNo, chain, prefix);
      default:
        return this.fail(lineNo, line, `unsupported command "${command}" (this parser models -A, -I, -N and -P)`);
    }
  }

  private rule(table: IptTable, line: string, lineNo: number, command: 'A' | 'I', chain: string, argsFrom: number, prefix: Counters | null): void {
    const tokens = this.tokens;
    const rule: IptRule = {
      table: table.name,
      chain,
      line: lineNo,
      text: line,
      command,
      counters: prefix,
      modules: NO_MODULES,
      otherOptions: NO_OPTIONS,
      target: null,
    };
    if (command === 'I' && argsFrom < tokens.count && !tokens.quoted[argsFrom] && isDigits(tokens.values[argsFrom]!)) {
      const position = Number(tokens.values[argsFrom]);
      if (position < 1 || !Number.isSafeInteger(position)) return this.fail(lineNo, line, `bad insert position ${tokens.values[argsFrom]}`);
      rule.position = position;
      argsFrom++;
    }
    try {
      const inline = this.ruleArgs.parse(tokens, argsFrom, rule);
      if (inline) {
        if (prefix) return this.fail(lineNo, line, 'counters given twice ([p:b] prefix and -c)');
        rule.counters = inline;
      }
    } catch (e) {
      if (e instanceof RuleSyntaxError) return this.fail(lineNo, line, e.message);
      throw e;
    }
    // Kept even when the chain is undeclared: a rule in the wrong place is exactly what the
    // checks look for (e.g. -A POSTROUTING under *filter).
    table.rules.push(rule);
    if (!table.chains.has(chain) && !isBuiltinChain(table.name, chain) && isKnownTable(table.name)) {
      this.fail(lineNo, line, `chain ${chain} is not declared in table ${table.name} (no :${chain} line)`);
    }
  }

  private policy(table: IptTable, line: string, lineNo: number, chain: string, prefix: Counters | null): void {
    const tokens = this.tokens;
    if (tokens.count < 3) return this.fail(lineNo, line, 'policy missing after -P CHAIN');
    if (tokens.count > 3) return this.fail(lineNo, line, 'extra words after -P CHAIN POLICY');
    const policy = tokens.values[2] === '-' ? null : tokens.values[2]!;
    const known = table.chains.get(chain);
    if (known) {
      if (policy !== null && !known.builtin && isKnownTable(table.name)) {
        return this.fail(lineNo, line, `policy ${policy} on ${chain}, which is not a built-in chain of ${table.name}`);
      }
      known.policy = policy;
      if (prefix) known.counters = prefix;
      return;
    }
    this.declareChain(table, {name: chain, builtin: isBuiltinChain(table.name, chain), policy, counters: prefix, line: lineNo}, line);
  }
}

function isCommit(line: string, s: number): boolean {
  if (!line.startsWith('COMMIT', s)) return false;
  for (let i = s + 6; i < line.length; i++) {
    if (!isBlank(line.charCodeAt(i))) return false;
  }
  return true;
}

function isDashed(value: string, quoted: boolean): boolean {
  return !quoted && value.length > 1 && value.charCodeAt(0) === 45;
}

/** Whitespace-separated words of line[from..] (no quoting: `*table` and `:chain` lines have none). */
function splitWords(line: string, from: number): string[] {
  return wordsOf(line, from).map((w) => w.text);
}
