// `nft [-a] list ruleset` and nftables config files (block form and `add table|chain|rule ...` line
// form) into the model. `problems` lists what would make `nft -f` refuse the whole file (a rule added
// to a chain the file never declared, an undefined `$variable`), with the line.
import {clip, ParseError, splitLines} from '../errors.js';
import {NFT_FAMILIES, nftChainKey, nftPriority} from './names.js';
import {emptyRuleset, newRule, resolveSetsAndCounters, toNumber} from './ruleset.js';
import {interpretRule} from './statements.js';
import {tokenize, type Tok, type TokKind} from './tokenize.js';
import type {NftChain, NftCounter, NftProblem, NftRuleset, NftSet, NftTable} from './types.js';

interface ChainCtx {
  family: string;
  table: string;
  chain: string;
}

/** `nft list ruleset` (with or without -a) and nftables config files. */
export function parseNftText(text: string, source: string): NftRuleset {
  return new TextParser(text, source).parse();
}

class TextParser {
  private readonly toks: Tok[];
  private readonly lines: string[];
  private pos = 0;
  /** The comment that ended the last statement() (`# handle 4`). */
  private lastComment: Tok | undefined;
  private readonly out = emptyRuleset('text');
  private readonly defines = new Map<string, Tok[]>();
  private readonly declaredTables = new Set<string>();
  private readonly declaredChains = new Map<string, NftChain>();
  private readonly namedCounters = new Map<string, NftCounter>();

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {
    this.toks = tokenize(text, source);
    this.lines = splitLines(text);
  }

  parse(): NftRuleset {
    for (;;) {
      const t = this.skipBlank();
      if (!t) break;
      if (t.kind !== 'word') this.fail(t, `unexpected ${t.kind === 'string' ? 'string' : `"${t.value}"`} at top level`);
      this.pos++;
      switch (t.value) {
        case 'table':
          this.tableCommand(t);
          break;
        case 'add':
        case 'create':
        case 'insert':
          this.addCommand(t);
          break;
        case 'flush':
          this.flushCommand();
          break;
        case 'define':
        case 'redefine':
          this.defineCommand(t);
          break;
        case 'undefine': {
          const name = this.statement()[0];
          if (name) this.defines.delete(name.value);
          break;
        }
        case 'include': {
          const path = this.statement()[0];
          if (!path) this.fail(t, 'include without a file name');
          this.out.includes.push({line: t.line, path: path.value});
          break;
        }
        case 'delete':
        case 'destroy':
        case 'reset':
        case 'list':
        case 'replace':
        case 'rename':
        case 'monitor':
        case 'describe':
          // Valid commands that do not declare anything tapdoctor models.
          this.statement();
          break;
        default:
          this.fail(t, `unknown command "${clip(t.value, 40)}"`);
      }
    }
    resolveSetsAndCounters(this.out, this.namedCounters);
    return this.out;
  }

  // -- token helpers --

  private peek(): Tok | undefined {
    return this.toks[this.pos];
  }

  /** Skip newlines, `;` and comments; return the next token without consuming it. */
  private skipBlank(): Tok | undefined {
    for (;;) {
      const t = this.toks[this.pos];
      if (!t) return undefined;
      if (t.kind === 'nl' || t.kind === ';' || t.kind === 'comment') this.pos++;
      else return t;
    }
  }

  /** Tokens of one statement: up to a newline or `;` outside braces, or the `}` closing the enclosing block (not consumed). Comments are dropped. */
  private statement(): Tok[] {
    const out: Tok[] = [];
    let depth = 0;
    this.lastComment = undefined;
    for (;;) {
      const t = this.toks[this.pos];
      if (!t) {
        if (depth > 0) this.fail(out[out.length - 1] ?? this.toks[this.toks.length - 1]!, 'unclosed "{"');
        return out;
      }
      if (depth === 0 && (t.kind === 'nl' || t.kind === ';')) {
        this.pos++;
        return out;
      }
      if (depth === 0 && t.kind === '}') return out;
      this.pos++;
      if (t.kind === 'comment') {
        if (depth === 0) this.lastComment = t;
        continue;
      }
      if (t.kind === 'nl') continue;
      if (t.kind === '{') depth++;
      if (t.kind === '}') depth--;
      out.push(t);
    }
  }

  /** A `# handle N` comment right after `{` of a table or chain header (consumed). */
  private trailingHandle(): number | undefined {
    const t = this.toks[this.pos];
    const handle = handleOf(t);
    if (handle !== undefined) this.pos++;
    return handle;
  }

  private fail(t: Tok, detail: string): never {
    throw new ParseError(this.source, t.line, this.lines[t.line - 1] ?? '', detail);
  }

  private expect(kind: TokKind, after: Tok): Tok {
    const t = this.toks[this.pos];
    if (!t || t.kind !== kind) this.fail(t ?? after, `expected "${kind}"`);
    this.pos++;
    return t;
  }

  private name(after: Tok, what: string): Tok {
    const t = this.toks[this.pos];
    if (!t || (t.kind !== 'word' && t.kind !== 'string')) this.fail(t ?? after, `expected ${what}`);
    this.pos++;
    return t;
  }

  /** `[family] name`: the family is optional and defaults to ip. */
  private familyAndName(after: Tok, what: string): {family: string; name: string} {
    const first = this.name(after, what);
    const next = this.peek();
    if (first.kind === 'word' && NFT_FAMILIES.includes(first.value) && next && (next.kind === 'word' || next.kind === 'string')) {
      this.pos++;
      return {family: first.value, name: next.value};
    }
    return {family: 'ip', name: first.value};
  }

  // -- commands --

  private tableCommand(kw: Tok): void {
    const {family, name} = this.familyAndName(kw, 'a table name');
    const table = this.declareTable(family, name, kw.line);
    if (this.peek()?.kind === '{') this.tableBody(kw, table);
    else this.statement();
  }

  private declareTable(family: string, name: string, line: number): NftTable {
    const key = `${family} ${name}`;
    let table = this.out.tables.find((t) => t.family === family && t.name === name);
    if (!table) {
      table = {family, name, line};
      this.out.tables.push(table);
    }
    this.declaredTables.add(key);
    return table;
  }

  private tableBody(kw: Tok, table: NftTable): void {
    const {family, name} = table;
    const open = this.expect('{', kw);
    const handle = this.trailingHandle();
    if (handle !== undefined) table.handle = handle;
    for (;;) {
      const t = this.skipBlank();
      if (!t) this.fail(open, `table ${family} ${name}: missing "}"`);
      if (t.kind === '}') {
        this.pos++;
        return;
      }
      if (t.kind !== 'word') {
        this.statement();
        continue;
      }
      this.pos++;
      if (t.value === 'chain') {
        const chainName = this.name(t, 'a chain name');
        const chain = this.declareChain(family, name, chainName.value, t.line);
        if (this.peek()?.kind === '{') this.chainBody(t, chain);
        else this.statement();
      } else if (t.value === 'set' || t.value === 'map') {
        const setName = this.name(t, 'a set name');
        this.setBody({family, table: name, name: setName.value, elements: [], line: t.line});
      } else if (t.value === 'counter') {
        const counterName = this.name(t, 'a counter name');
        const body = this.statement();
        // A listing shows the values; a config file declares the object, which counts from 0.
        this.namedCounters.set(`${family} ${name} ${counterName.value}`, countersIn(body) ?? {packets: 0, bytes: 0});
      } else {
        // flowtable, quota, limit, ct helper/timeout/expectation, secmark, synproxy, flags, comment...
        this.statement();
      }
    }
  }

  private declareChain(family: string, table: string, name: string, line: number): NftChain {
    const key = nftChainKey(family, table, name);
    let chain = this.declaredChains.get(key);
    if (!chain) {
      chain = {family, table, name, line};
      this.declaredChains.set(key, chain);
      this.out.chains.push(chain);
    }
    return chain;
  }

  private chainBody(kw: Tok, chain: NftChain): void {
    const open = this.expect('{', kw);
    const handle = this.trailingHandle();
    if (handle !== undefined) chain.handle = handle;
    for (;;) {
      const t = this.skipBlank();
      if (!t) this.fail(open, `chain ${chain.name}: missing "}"`);
      if (t.kind === '}') {
        this.pos++;
        return;
      }
      const toks = this.statement();
      if (toks.length === 0) continue;
      const first = toks[0]!;
      if (first.kind === 'word' && first.value === 'type') this.chainSpec(chain, toks);
      else if (first.kind === 'word' && first.value === 'policy') chain.policy = toks[1]?.value;
      else if (first.kind === 'word' && (first.value === 'comment' || first.value === 'devices' || first.value === 'device' || first.value === 'flags')) continue;
      else this.addRule(chain, toks, handleOf(this.lastComment));
    }
  }

  /** `type nat hook postrouting [device X] priority srcnat [+ 10]` */
  private chainSpec(chain: NftChain, toks: Tok[]): void {
    for (let i = 0; i < toks.length; i++) {
      const w = toks[i]!.value;
      if (w === 'type') chain.type = toks[i + 1]?.value;
      else if (w === 'hook') chain.hook = toks[i + 1]?.value;
      else if (w === 'priority') chain.priority = this.priorityValue(chain.family, toks.slice(i + 1));
      else if (w === 'policy') chain.policy = toks[i + 1]?.value;
    }
  }

  private priorityValue(family: string, toks: Tok[]): number | undefined {
    const first = toks[0]?.value;
    if (first === undefined) return undefined;
    // `srcnat+10` written without blanks is one word
    const glued = /^([a-z]{1,20})([+-])(\d{1,10})$/.exec(first);
    if (glued) {
      const b = nftPriority(family, glued[1]!);
      return b === undefined ? undefined : glued[2] === '+' ? b + Number(glued[3]) : b - Number(glued[3]);
    }
    const base = /^-?\d{1,10}$/.test(first) ? Number(first) : nftPriority(family, first);
    if (base === undefined) return undefined;
    const op = toks[1]?.value;
    const arg = toks[2]?.value;
    if ((op === '+' || op === '-') && arg !== undefined && /^\d{1,10}$/.test(arg)) return op === '+' ? base + Number(arg) : base - Number(arg);
    return base;
  }

  private setBody(set: NftSet): void {
    const body = this.statement();
    for (let i = 0; i < body.length; i++) {
      if (body[i]!.value !== 'elements' || body[i]!.kind !== 'word') continue;
      // elements = { a, b, c }
      let j = i + 1;
      while (j < body.length && body[j]!.kind !== '{') j++;
      let depth = 0;
      for (j++; j < body.length; j++) {
        const t = body[j]!;
        if (t.kind === '{') depth++;
        else if (t.kind === '}') {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && (t.kind === 'word' || t.kind === 'string') && t.value !== ':' && !isMapArrow(body, j)) set.elements.push(t.value);
      }
    }
    this.out.sets.push(set);
  }

  /** `add|create|insert table|chain|rule|set|element ...` */
  private addCommand(kw: Tok): void {
    const what = this.name(kw, 'table, chain, rule, set or element');
    if (what.value === 'table') {
      this.tableCommand(what);
      return;
    }
    if (what.value === 'chain') {
      const {family, name: table} = this.familyAndName(what, 'a table name');
      const chainName = this.name(what, 'a chain name');
      if (!this.declaredTables.has(`${family} ${table}`)) this.problem('undeclared-table', kw, `table ${family} ${table} is not declared before this line: nft refuses the whole file (Error: Could not process rule: No such file or directory)`, family, table);
      const chain = this.declareChain(family, table, chainName.value, kw.line);
      if (this.peek()?.kind === '{') this.chainBody(what, chain);
      this.statement();
      return;
    }
    if (what.value === 'rule') {
      const {family, name: table} = this.familyAndName(what, 'a table name');
      const chainName = this.name(what, 'a chain name');
      const toks = this.statement();
      const key = nftChainKey(family, table, chainName.value);
      let chain = this.declaredChains.get(key);
      if (!chain) {
        this.problem('undeclared-chain', kw, `chain ${key} is not declared before this line: nft refuses the whole file (Error: Could not process rule: No such file or directory)`, family, table, chainName.value);
        chain = {family, table, name: chainName.value};
      }
      // `add rule ip filter X position 5 ...` / `handle N` / `index N`
      let from = 0;
      while (from + 1 < toks.length && (toks[from]!.value === 'position' || toks[from]!.value === 'handle' || toks[from]!.value === 'index')) from += 2;
      this.addRule(chain, toks.slice(from), undefined, kw);
      return;
    }
    if (what.value === 'set' || what.value === 'map') {
      const {family, name: table} = this.familyAndName(what, 'a table name');
      const setName = this.name(what, 'a set name');
      this.setBody({family, table, name: setName.value, elements: [], line: kw.line});
      return;
    }
    this.statement(); // element, flowtable, counter, quota, ...
  }

  private flushCommand(): void {
    const toks = this.statement();
    if (toks[0]?.value === 'ruleset') {
      // Everything declared so far is gone; a config file usually starts with this.
      this.out.tables.length = 0;
      this.out.chains.length = 0;
      this.out.rules.length = 0;
      this.out.sets.length = 0;
      this.declaredTables.clear();
      this.declaredChains.clear();
    }
  }

  private defineCommand(kw: Tok): void {
    const toks = this.statement();
    const name = toks[0];
    if (!name || toks[1]?.value !== '=') this.fail(kw, 'expected "define name = value"');
    this.defines.set(name.value, toks.slice(2));
  }

  private problem(kind: NftProblem['kind'], at: Tok, reason: string, family?: string, table?: string, chain?: string): void {
    const p: NftProblem = {kind, line: at.line, text: (this.lines[at.line - 1] ?? '').trim(), reason};
    if (family !== undefined) p.family = family;
    if (table !== undefined) p.table = table;
    if (chain !== undefined) p.chain = chain;
    this.out.problems.push(p);
  }

  /** Replace `$name` by its definition (nested definitions too; depth and size bounded against self-reference). */
  private expand(toks: Tok[], depth = 0, budget = {left: 10_000}): Tok[] {
    if (!toks.some((t) => t.kind === 'word' && t.value.startsWith('$'))) return toks;
    const out: Tok[] = [];
    for (const t of toks) {
      if (t.kind !== 'word' || !t.value.startsWith('$') || budget.left <= 0) {
        out.push(t);
        continue;
      }
      const def = this.defines.get(t.value.slice(1));
      if (def === undefined) {
        this.problem('undefined-variable', t, `${t.value} is not defined: nft refuses the whole file`);
        out.push(t);
      } else if (depth >= 8) {
        out.push(t); // a definition that refers to itself: leave it unexpanded
      } else {
        budget.left -= def.length;
        out.push(...this.expand(def, depth + 1, budget));
      }
    }
    return out;
  }

  private addRule(chain: ChainCtx | NftChain, rawToks: Tok[], handle: number | undefined, textFrom?: Tok): void {
    if (rawToks.length === 0) return;
    const first = textFrom ?? rawToks[0]!;
    const last = rawToks[rawToks.length - 1]!;
    const rule = newRule(chain.family, chain.table, 'name' in chain ? chain.name : chain.chain);
    rule.line = first.line;
    rule.text = this.text.slice(first.start, last.end).trim();
    if (handle !== undefined) rule.handle = handle;
    interpretRule(rule, this.expand(rawToks));
    this.out.rules.push(rule);
  }
}

function handleOf(t: Tok | undefined): number | undefined {
  if (t?.kind !== 'comment') return undefined;
  const m = /^#\s*handle\s+(\d{1,15})\s*$/.exec(t.value);
  return m ? Number(m[1]) : undefined;
}

function isMapArrow(body: Tok[], j: number): boolean {
  return body[j - 1]?.value === ':' || body[j + 1]?.value === ':';
}

function countersIn(toks: Tok[]): NftCounter | undefined {
  let packets: number | undefined;
  let bytes: number | undefined;
  for (let i = 0; i + 1 < toks.length; i++) {
    if (toks[i]!.value === 'packets') packets = toNumber(toks[i + 1]!.value);
    if (toks[i]!.value === 'bytes') bytes = toNumber(toks[i + 1]!.value);
  }
  return packets !== undefined && bytes !== undefined ? {packets, bytes} : undefined;
}
