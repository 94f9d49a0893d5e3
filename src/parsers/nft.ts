// nftables parsers: `nft -j list ruleset` (JSON) and `nft [-a] list ruleset` / nftables config files
// (text, block form and `add table|chain|rule ...` line form) into one NftRuleset model.
//
// The model keeps only what tapdoctor asks of a ruleset: tables, base-chain specs (type, hook,
// priority, policy), and per rule the interface matches, source net, conntrack state, NAT statement,
// verdict and counter. Everything else in a rule is skipped, never an error: nft grows new syntax
// every release and an unknown statement must not hide the masquerade beside it.
//
// Text config files get one more service: `problems` lists what would make `nft -f` refuse the whole
// file (a rule added to a chain the file never declared, an undefined `$variable`), with the line.
import {clip, ParseError, splitLines} from './errors.js';

// --- model -------------------------------------------------------------------------------------

/** `oifname "eth0"`, `oifname != { "a", "en*" }`, `iifname @uplinks`, `oif "lo"`. */
export interface NftIfaceMatch {
  key: 'iifname' | 'oifname' | 'iif' | 'oif';
  /** Names as written; a trailing unescaped `*` is a wildcard (`en*`). Set references are resolved to their elements when the set is known. */
  values: string[];
  negated: boolean;
  /** The named set the values came from (`@uplinks` -> 'uplinks'); values is empty when the set is unknown. */
  set?: string;
}

export interface NftNat {
  kind: 'masquerade' | 'snat' | 'dnat' | 'redirect';
  /** The `to` argument as written (`192.0.2.1`, `10.0.2.15:80`, `:3128`). */
  to?: string;
  /** Set when the statement is an iptables-nft compat target (`xt target "MASQUERADE"`). */
  compat?: boolean;
}

export interface NftVerdict {
  kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' | 'queue' | 'jump' | 'goto';
  /** Chain name of jump/goto. */
  target?: string;
}

export interface NftCounter {
  packets: number;
  bytes: number;
}

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  /** JSON and `nft -a` listings. */
  handle?: number;
  /** 1-based line in the text form (first line of the rule). */
  line?: number;
  /** The rule as written (text form) or rendered from its expressions (JSON). */
  text: string;
  /** Interface matches, in rule order (several matches of one kind all apply). */
  iif: NftIfaceMatch[];
  oif: NftIfaceMatch[];
  /** `ip saddr X` / `ip6 saddr X`, as written (prefixes as `10.1.0.0/16`). */
  saddr?: {addr: string; negated: boolean};
  /** `ct state established,related` (lower case). */
  ctState?: {states: string[]; negated: boolean};
  /** iptables-nft compat expressions (`xt match "conntrack"`), which JSON shows without their options. */
  compat: {type: string; name: string}[];
  nat?: NftNat;
  verdict?: NftVerdict;
  /** Null when the rule has no counter statement. A bare `counter` in a config file counts from 0. */
  counter: NftCounter | null;
  /** `counter name "x"` (named counter object); counter holds its values when the object is known. */
  counterName?: string;
  comment?: string;
}

export interface NftChain {
  family: string;
  table: string;
  name: string;
  /** Base chains only: 'filter' | 'nat' | 'route'. */
  type?: string;
  hook?: string;
  /** Numeric priority; symbolic names (`srcnat`, `filter + 10`) are resolved. */
  priority?: number;
  policy?: string;
  handle?: number;
  line?: number;
}

export interface NftTable {
  family: string;
  name: string;
  handle?: number;
  line?: number;
}

export interface NftSet {
  family: string;
  table: string;
  name: string;
  /** Plain elements (strings, numbers, addresses) as text; map/interval elements are left out. */
  elements: string[];
  line?: number;
}

export interface NftProblem {
  kind: 'undeclared-chain' | 'undeclared-table' | 'undefined-variable';
  line: number;
  text: string;
  reason: string;
  /** For undeclared-chain/table: which one. */
  family?: string;
  table?: string;
  chain?: string;
}

export interface NftRuleset {
  format: 'json' | 'text';
  /** nft version from JSON metainfo. */
  version?: string;
  tables: NftTable[];
  chains: NftChain[];
  rules: NftRule[];
  sets: NftSet[];
  /** `include "..."` lines of a config file. */
  includes: {line: number; path: string}[];
  /** Text config files: why `nft -f` would refuse the file (it loads all or nothing). */
  problems: NftProblem[];
}

export const NFT_FAMILIES: readonly string[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

/** Symbolic chain priorities (nft(8) "PRIORITY"); the bridge family has its own scale. */
const PRIORITY_NAMES: Record<string, number> = {raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100};
const BRIDGE_PRIORITY_NAMES: Record<string, number> = {dstnat: -300, filter: -200, out: 100, srcnat: 300};

export function nftPriority(family: string, name: string): number | undefined {
  const table = family === 'bridge' ? BRIDGE_PRIORITY_NAMES : PRIORITY_NAMES;
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** `en*` is a wildcard; `en\*` is a literal star. */
export function isNftWildcard(name: string): boolean {
  return name.endsWith('*') && !name.endsWith('\\*');
}

export function nftChainKey(family: string, table: string, chain: string): string {
  return `${family} ${table} ${chain}`;
}

/** Dispatch on the content: JSON starts with `{`, anything else is text. */
export function parseNft(text: string, source: string): NftRuleset {
  return text.trimStart().startsWith('{') ? parseNftJson(text, source) : parseNftText(text, source);
}

// --- JSON --------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | {[k: string]: Json};
type JsonObject = {[k: string]: Json};

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `nft -j list ruleset`. A stray line around the JSON (a warning on a merged stream) is tolerated. */
export function parseNftJson(text: string, source: string): NftRuleset {
  const {doc, line} = parseJsonDocument(text, source);
  const items = doc['nftables'];
  if (!Array.isArray(items)) throw new ParseError(source, line, clip(JSON.stringify(doc)), 'expected {"nftables": [...]}');
  const out = emptyRuleset('json');
  const namedCounters = new Map<string, NftCounter>();
  const fail = (item: Json, detail: string): never => {
    throw new ParseError(source, line, clip(JSON.stringify(item) ?? ''), detail);
  };
  const str = (o: JsonObject, k: string, item: Json): string => {
    const v = o[k];
    if (typeof v !== 'string') return fail(item, `"${k}" must be a string`);
    return v;
  };
  const optNum = (v: Json | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

  for (const item of items) {
    if (!isObject(item)) fail(item, 'expected an object in "nftables"');
    const [kind] = Object.keys(item as JsonObject);
    const body = (item as JsonObject)[kind!];
    if (kind === 'metainfo') {
      if (isObject(body) && typeof body['version'] === 'string') out.version = body['version'];
      continue;
    }
    if (!isObject(body)) continue; // `{"add": ...}` command arrays and the like: not part of a listing
    if (kind === 'table') {
      out.tables.push({family: str(body, 'family', item), name: str(body, 'name', item), handle: optNum(body['handle'])});
    } else if (kind === 'chain') {
      const chain: NftChain = {family: str(body, 'family', item), table: str(body, 'table', item), name: str(body, 'name', item), handle: optNum(body['handle'])};
      if (typeof body['type'] === 'string') chain.type = body['type'];
      if (typeof body['hook'] === 'string') chain.hook = body['hook'];
      const prio = body['prio'];
      if (typeof prio === 'number') chain.priority = prio;
      else if (typeof prio === 'string') chain.priority = nftPriority(chain.family, prio);
      if (typeof body['policy'] === 'string') chain.policy = body['policy'];
      out.chains.push(chain);
    } else if (kind === 'set' || kind === 'map') {
      out.sets.push({family: str(body, 'family', item), table: str(body, 'table', item), name: str(body, 'name', item), elements: jsonElements(body['elem'])});
    } else if (kind === 'counter') {
      const p = optNum(body['packets']);
      const b = optNum(body['bytes']);
      if (p !== undefined && b !== undefined && typeof body['name'] === 'string') {
        namedCounters.set(`${body['family']} ${body['table']} ${body['name']}`, {packets: p, bytes: b});
      }
    } else if (kind === 'rule') {
      const rule = newRule(str(body, 'family', item), str(body, 'table', item), str(body, 'chain', item));
      const expr = body['expr'];
      if (!Array.isArray(expr)) fail(item, 'rule without "expr" list');
      rule.handle = optNum(body['handle']);
      if (typeof body['comment'] === 'string') rule.comment = body['comment'];
      for (const e of expr as Json[]) applyJsonExpr(rule, e);
      rule.text = renderJsonRule(expr as Json[], rule.comment);
      out.rules.push(rule);
    }
  }
  resolveSetsAndCounters(out, namedCounters);
  return out;
}

function parseJsonDocument(text: string, source: string): {doc: JsonObject; line: number} {
  const attempt = (s: string): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      return undefined;
    }
  };
  let doc = attempt(text);
  let line = 1;
  if (doc === undefined) {
    // One JSON document per line is what nft prints; find it among other lines.
    const lines = splitLines(text);
    const i = lines.findIndex((l) => l.trimStart().startsWith('{'));
    if (i >= 0) {
      doc = attempt(lines[i]!);
      line = i + 1;
    }
    if (doc === undefined) {
      const bad = i >= 0 ? i : 0;
      throw new ParseError(source, bad + 1, lines[bad] ?? '', 'not nft JSON output');
    }
  }
  if (!isObject(doc)) throw new ParseError(source, line, clip(text), 'not nft JSON output');
  return {doc, line};
}

function jsonElements(elem: Json | undefined): string[] {
  if (!Array.isArray(elem)) return [];
  const out: string[] = [];
  for (const e of elem) {
    if (typeof e === 'string' || typeof e === 'number') out.push(String(e));
    else if (isObject(e) && isObject(e['prefix'])) out.push(prefixText(e['prefix']));
  }
  return out;
}

function prefixText(p: JsonObject): string {
  return `${String(p['addr'])}/${String(p['len'])}`;
}

/** The right-hand side of a match as a list of plain values. */
function jsonValues(right: Json | undefined): string[] {
  if (typeof right === 'string' || typeof right === 'number') return [String(right)];
  if (Array.isArray(right)) return right.flatMap((r) => jsonValues(r));
  if (isObject(right)) {
    if ('set' in right) return jsonValues(right['set']);
    if (isObject(right['prefix'])) return [prefixText(right['prefix'])];
    if (Array.isArray(right['range'])) return [right['range'].map(String).join('-')];
  }
  return [];
}

const IFACE_KEYS = new Set(['iifname', 'oifname', 'iif', 'oif']);
const SIMPLE_VERDICTS = new Set(['accept', 'drop', 'reject', 'return', 'continue', 'queue']);
const NAT_KINDS = new Set(['masquerade', 'snat', 'dnat', 'redirect']);

function applyJsonExpr(rule: NftRule, e: Json): void {
  if (!isObject(e)) return;
  const [kind] = Object.keys(e);
  if (kind === undefined) return;
  const v = e[kind];
  if (kind === 'match' && isObject(v)) {
    const left = v['left'];
    const negated = v['op'] === '!=';
    if (isObject(left) && isObject(left['meta']) && typeof left['meta']['key'] === 'string' && IFACE_KEYS.has(left['meta']['key'])) {
      addIfaceMatch(rule, left['meta']['key'] as NftIfaceMatch['key'], jsonValues(v['right']), negated);
    } else if (isObject(left) && isObject(left['ct']) && left['ct']['key'] === 'state') {
      rule.ctState = {states: jsonValues(v['right']).map((s) => s.toLowerCase()), negated};
    } else if (isObject(left) && isObject(left['payload']) && left['payload']['field'] === 'saddr' && (left['payload']['protocol'] === 'ip' || left['payload']['protocol'] === 'ip6')) {
      const values = jsonValues(v['right']);
      if (values.length === 1) rule.saddr = {addr: values[0]!, negated};
    }
  } else if (kind === 'counter') {
    if (isObject(v) && typeof v['packets'] === 'number' && typeof v['bytes'] === 'number') rule.counter = {packets: v['packets'], bytes: v['bytes']};
    else if (typeof v === 'string') rule.counterName = v;
  } else if (SIMPLE_VERDICTS.has(kind)) {
    rule.verdict = {kind: kind as NftVerdict['kind']};
  } else if ((kind === 'jump' || kind === 'goto') && isObject(v) && typeof v['target'] === 'string') {
    rule.verdict = {kind, target: v['target']};
  } else if (NAT_KINDS.has(kind)) {
    const nat: NftNat = {kind: kind as NftNat['kind']};
    if (isObject(v)) {
      const addr = typeof v['addr'] === 'string' ? v['addr'] : undefined;
      const port = typeof v['port'] === 'number' || typeof v['port'] === 'string' ? String(v['port']) : undefined;
      if (addr !== undefined || port !== undefined) nat.to = `${addr ?? ''}${port !== undefined ? `:${port}` : ''}`;
    }
    rule.nat = nat;
  } else if (kind === 'xt' && isObject(v) && typeof v['name'] === 'string') {
    applyCompat(rule, String(v['type'] ?? ''), v['name']);
  }
}

/** iptables-nft rules that nft cannot translate show as `xt` expressions; their names still tell NAT and verdicts apart. */
function applyCompat(rule: NftRule, type: string, name: string): void {
  rule.compat.push({type, name});
  if (type !== 'target') return;
  const upper = name.toUpperCase();
  if (upper === 'MASQUERADE' || upper === 'SNAT' || upper === 'DNAT' || upper === 'REDIRECT') {
    rule.nat = {kind: upper.toLowerCase() as NftNat['kind'], compat: true};
  } else if (upper === 'REJECT') {
    rule.verdict = {kind: 'reject'};
  }
}

function addIfaceMatch(rule: NftRule, key: NftIfaceMatch['key'], values: string[], negated: boolean): void {
  const m: NftIfaceMatch = {key, values, negated};
  if (values.length === 1 && values[0]!.startsWith('@')) {
    m.set = values[0]!.slice(1);
    m.values = [];
  }
  (key === 'iifname' || key === 'iif' ? rule.iif : rule.oif).push(m);
}

/** A compact nft-like rendering of a JSON rule, for evidence. */
function renderJsonRule(expr: Json[], comment?: string): string {
  const parts = expr.map(renderJsonExpr);
  if (comment !== undefined) parts.push(`comment ${JSON.stringify(comment)}`);
  return parts.join(' ');
}

function renderJsonExpr(e: Json): string {
  if (!isObject(e)) return clip(JSON.stringify(e) ?? '', 60);
  const [kind] = Object.keys(e);
  if (kind === undefined) return '{}';
  const v = e[kind];
  if (kind === 'match' && isObject(v)) {
    const op = v['op'] === '==' || v['op'] === 'in' ? '' : `${String(v['op'])} `;
    return `${renderLeft(v['left'])} ${op}${renderRight(v['right'])}`;
  }
  if (kind === 'counter') return isObject(v) ? `counter packets ${String(v['packets'])} bytes ${String(v['bytes'])}` : `counter name ${JSON.stringify(v)}`;
  if (v === null) return kind;
  if ((kind === 'jump' || kind === 'goto') && isObject(v)) return `${kind} ${String(v['target'])}`;
  if (kind === 'xt' && isObject(v)) return `xt ${String(v['type'])} ${JSON.stringify(v['name'])}`;
  if (NAT_KINDS.has(kind) && isObject(v)) {
    const to = typeof v['addr'] === 'string' || v['port'] !== undefined ? ` to ${typeof v['addr'] === 'string' ? v['addr'] : ''}${v['port'] !== undefined ? `:${String(v['port'])}` : ''}` : '';
    return `${kind}${to}`;
  }
  if (kind === 'reject' && isObject(v)) return `reject with ${String(v['type'] ?? '')} ${String(v['expr'] ?? '')}`.trimEnd();
  return clip(`${kind} ${JSON.stringify(v)}`, 60);
}

function renderLeft(left: Json | undefined): string {
  if (isObject(left)) {
    if (isObject(left['meta'])) return String(left['meta']['key']);
    if (isObject(left['ct'])) return `ct ${String(left['ct']['key'])}`;
    if (isObject(left['payload'])) return `${String(left['payload']['protocol'])} ${String(left['payload']['field'])}`;
  }
  return clip(JSON.stringify(left) ?? '', 40);
}

function renderRight(right: Json | undefined): string {
  if (typeof right === 'string') return right.startsWith('@') ? right : JSON.stringify(right);
  if (typeof right === 'number') return String(right);
  if (Array.isArray(right)) return right.map(String).join(',');
  if (isObject(right) && 'set' in right) return `{ ${jsonValues(right['set']).map((s) => JSON.stringify(s)).join(', ')} }`;
  const values = jsonValues(right);
  return values.length > 0 ? values.join(',') : clip(JSON.stringify(right) ?? '', 40);
}

// --- shared ------------------------------------------------------------------------------------

function emptyRuleset(format: 'json' | 'text'): NftRuleset {
  return {format, tables: [], chains: [], rules: [], sets: [], includes: [], problems: []};
}

function newRule(family: string, table: string, chain: string): NftRule {
  return {family, table, chain, text: '', iif: [], oif: [], compat: [], counter: null};
}

/** Replace `@set` references by the set's elements and named counters by their values. */
function resolveSetsAndCounters(rs: NftRuleset, namedCounters: Map<string, NftCounter>): void {
  const sets = new Map(rs.sets.map((s) => [`${s.family} ${s.table} ${s.name}`, s]));
  for (const rule of rs.rules) {
    for (const m of [...rule.iif, ...rule.oif]) {
      if (m.set === undefined) continue;
      const set = sets.get(`${rule.family} ${rule.table} ${m.set}`);
      if (set) m.values = [...set.elements];
    }
    if (rule.counterName !== undefined) {
      rule.counter = namedCounters.get(`${rule.family} ${rule.table} ${rule.counterName}`) ?? rule.counter;
    }
  }
}

// --- text: tokenizer ---------------------------------------------------------------------------

type TokKind = 'word' | 'string' | '{' | '}' | ';' | ',' | 'nl' | 'comment';

interface Tok {
  kind: TokKind;
  /** Word or string content (without quotes), comment text (with `#`). */
  value: string;
  line: number;
  start: number;
  end: number;
}

const PUNCT = new Set(['{', '}', ';', ',']);

/** Linear scan; strings may span lines (nft accepts `"eth0<newline>eth1"`). */
function tokenize(text: string, source: string): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      toks.push({kind: 'nl', value: '', line, start: i, end: i + 1});
      line++;
      i++;
    } else if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      // backslash-newline continues a statement on the next line
      i += text[i + 1] === '\n' ? 2 : 3;
      line++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '#') {
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      toks.push({kind: 'comment', value: text.slice(i, j), line, start: i, end: j});
      i = j;
    } else if (c === '"') {
      const j = text.indexOf('"', i + 1);
      if (j < 0) {
        const lineText = splitLines(text)[line - 1] ?? '';
        throw new ParseError(source, line, lineText, 'unterminated string');
      }
      const value = text.slice(i + 1, j);
      toks.push({kind: 'string', value, line, start: i, end: j + 1});
      for (let k = i + 1; k < j; k++) if (text.charCodeAt(k) === 10) line++;
      i = j + 1;
    } else if (PUNCT.has(c)) {
      toks.push({kind: c as TokKind, value: c, line, start: i, end: i + 1});
      i++;
    } else {
      let j = i + 1;
      while (j < n && !isWordEnd(text[j]!)) j++;
      toks.push({kind: 'word', value: text.slice(i, j), line, start: i, end: j});
      i = j;
    }
  }
  return toks;
}

function isWordEnd(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '"' || c === '#' || c === '{' || c === '}' || c === ';' || c === ',' || c === '\f' || c === '\v';
}

// --- text: parser ------------------------------------------------------------------------------

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

function toNumber(s: string): number | undefined {
  return /^\d{1,20}$/.test(s) ? Number(s) : undefined;
}

// --- text: rule statements ---------------------------------------------------------------------

/** Values of a match: one word/string, or a `{ a, b }` group. Returns the index after the value. */
function readValues(toks: Tok[], i: number): {values: string[]; next: number} {
  const t = toks[i];
  if (!t) return {values: [], next: i};
  if (t.kind === '{') {
    const values: string[] = [];
    let depth = 0;
    let j = i;
    for (; j < toks.length; j++) {
      const u = toks[j]!;
      if (u.kind === '{') depth++;
      else if (u.kind === '}') {
        depth--;
        if (depth === 0) break;
      } else if (depth === 1 && (u.kind === 'word' || u.kind === 'string')) values.push(u.value);
    }
    return {values, next: j + 1};
  }
  if (t.kind === 'word' || t.kind === 'string') {
    // `established,related`: comma-separated words
    const values = [t.value];
    let j = i + 1;
    while (toks[j]?.kind === ',' && (toks[j + 1]?.kind === 'word' || toks[j + 1]?.kind === 'string')) {
      values.push(toks[j + 1]!.value);
      j += 2;
    }
    return {values, next: j};
  }
  return {values: [], next: i};
}

const OPS = new Map([
  ['==', false],
  ['eq', false],
  ['!=', true],
  ['ne', true],
]);

function interpretRule(rule: NftRule, toks: Tok[]): void {
  let i = 0;
  const word = (k: number) => (toks[k]?.kind === 'word' ? toks[k]!.value : undefined);
  const op = (k: number): {negated: boolean; next: number} => {
    const w = word(k);
    return w !== undefined && OPS.has(w) ? {negated: OPS.get(w)!, next: k + 1} : {negated: false, next: k};
  };
  while (i < toks.length) {
    const t = toks[i]!;
    if (t.kind === '{') {
      i = readValues(toks, i).next; // an anonymous set or verdict map we do not model
      continue;
    }
    const w = t.kind === 'word' ? t.value : undefined;
    if (w === undefined) {
      i++;
      continue;
    }
    if (w === 'meta' && IFACE_KEYS.has(word(i + 1) ?? '')) {
      i++;
      continue;
    }
    if (IFACE_KEYS.has(w)) {
      const o = op(i + 1);
      const {values, next} = readValues(toks, o.next);
      addIfaceMatch(rule, w as NftIfaceMatch['key'], values, o.negated);
      i = next;
    } else if (w === 'ct' && word(i + 1) === 'state') {
      const o = op(i + 2);
      const {values, next} = readValues(toks, o.next);
      rule.ctState = {states: values.map((s) => s.toLowerCase()), negated: o.negated};
      i = next;
    } else if ((w === 'ct' && word(i + 1) === 'status') || ((w === 'icmp' || w === 'icmpv6') && (word(i + 1) === 'type' || word(i + 1) === 'code'))) {
      // Values that spell NAT words without being NAT statements: `ct status dnat accept`
      // (firewalld's filter_FORWARD), `icmp type redirect drop` (hardening rules).
      i = readValues(toks, op(i + 2).next).next;
    } else if ((w === 'ip' || w === 'ip6') && word(i + 1) === 'saddr') {
      const o = op(i + 2);
      const {values, next} = readValues(toks, o.next);
      if (values.length === 1) rule.saddr = {addr: values[0]!, negated: o.negated};
      i = next;
    } else if (w === 'counter') {
      if (word(i + 1) === 'packets' && word(i + 3) === 'bytes') {
        rule.counter = {packets: toNumber(word(i + 2) ?? '') ?? 0, bytes: toNumber(word(i + 4) ?? '') ?? 0};
        i += 5;
      } else if (word(i + 1) === 'name' && toks[i + 2]) {
        rule.counterName = toks[i + 2]!.value;
        i += 3;
      } else {
        rule.counter = {packets: 0, bytes: 0};
        i++;
      }
    } else if (NAT_KINDS.has(w)) {
      const nat: NftNat = {kind: w as NftNat['kind']};
      let j = i + 1;
      if (word(j) === 'ip' || word(j) === 'ip6') j++;
      if (word(j) === 'to' && toks[j + 1]) {
        nat.to = toks[j + 1]!.value;
        j += 2;
      }
      rule.nat = nat;
      i = j;
    } else if (w === 'jump' || w === 'goto') {
      rule.verdict = {kind: w, target: toks[i + 1]?.value ?? ''};
      i += 2;
    } else if (SIMPLE_VERDICTS.has(w)) {
      rule.verdict = {kind: w as NftVerdict['kind']};
      i++;
    } else if (w === 'comment' && toks[i + 1]) {
      rule.comment = toks[i + 1]!.value;
      i += 2;
    } else if (w === 'xt' && toks[i + 2]) {
      applyCompat(rule, toks[i + 1]!.value, toks[i + 2]!.value);
      i += 3;
    } else {
      i++;
    }
  }
}
