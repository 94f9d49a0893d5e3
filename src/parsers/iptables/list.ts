// Parser for `iptables -L [-v] [-n] [-x] [--line-numbers]` (and ip6tables) listings:
//
//   Chain FORWARD (policy ACCEPT 0 packets, 0 bytes)
//   num   pkts bytes target     prot opt in     out     source               destination
//   1        0     0 ACCEPT     0    --  br1    *       0.0.0.0/0            0.0.0.0/0            state ...
//
// The column header of each chain says which columns exist. Columns are read as blank-separated
// words, not by position: wide counters (-x) push later columns to the right. The target column
// may be empty (a rule without -j), which shows as one word fewer before the `opt` column.

import {failer, forEachLine, wordsOf} from './lines.js';
import {isCount, parseListedCount} from './numbers.js';
import type {AddrMatch, IfaceMatch, IptablesListing, ListedChain, ListedRule, ParseOptions} from './types.js';

interface Layout {
  num: boolean;
  counters: boolean;
  interfaces: boolean;
}

/** Parses an iptables -L listing. Strict: throws ParseError at the first bad line; tolerant: records them. */
export function parseIptablesList(text: string, source = 'iptables.list', opts: ParseOptions = {}): IptablesListing {
  const listing: IptablesListing = {chains: [], errors: []};
  const tolerant = opts.tolerant === true;
  const fail = failer(source, tolerant, listing.errors);

  let chain: ListedChain | null = null;
  let layout: Layout | null = null;
  forEachLine(text, (line, lineNo) => {
    const words = wordsOf(line, 0, 1);
    if (words.length === 0) return;
    const first = words[0]!.text;
    if (first === 'Chain' && words[0]!.start === 0) {
      const parsed = parseChainHeader(line, lineNo);
      if (typeof parsed === 'string') {
        fail(lineNo, line, parsed);
        chain = null;
      } else {
        chain = parsed;
        listing.chains.push(chain);
      }
      layout = null;
    } else if (first.startsWith('#')) {
      if (line.includes('iptables-legacy tables present')) listing.legacyTablesPresent = true;
    } else if ((first === 'num' || first === 'pkts' || first === 'target') && (!layout || isColumnHeader(line))) {
      // (With a layout known, a rule whose target is a chain called "target" is a rule.)
      if (!chain) fail(lineNo, line, 'column header outside a chain (no "Chain ..." line before it)');
      layout = parseColumnHeader(line);
      if (!layout) fail(lineNo, line, 'unrecognized column header');
    } else if (!chain || !layout) {
      fail(lineNo, line, chain ? 'rule before the column header' : 'not an iptables -L listing line (expected "Chain ...")');
    } else {
      const rule = parseRuleLine(line, lineNo, layout);
      if (typeof rule === 'string') fail(lineNo, line, rule);
      else chain.rules.push(rule);
    }
  });
  return listing;
}

function parseChainHeader(line: string, lineNo: number): ListedChain | string {
  const open = line.indexOf(' (', 6);
  const trimmed = line.trimEnd();
  if (open === -1 || !trimmed.endsWith(')')) return 'bad chain header (expected "Chain NAME (policy ...)" or "(N references)")';
  const name = line.slice(6, open).trim();
  if (name.length === 0 || name.includes(' ')) return 'bad chain name';
  const inner = trimmed.slice(open + 2, -1).split(' ');
  const chain: ListedChain = {name, line: lineNo, policy: null, policyPackets: null, policyBytes: null, references: null, rules: []};
  if (inner[0] === 'policy' && inner.length >= 2) {
    chain.policy = inner[1]!;
    if (inner.length === 2) return chain;
    if (inner.length === 6 && inner[3] === 'packets,' && inner[5] === 'bytes') {
      const packets = parseListedCount(inner[2]!);
      const bytes = parseListedCount(inner[4]!);
      if (packets && bytes) {
        chain.policyPackets = packets.value;
        chain.policyBytes = bytes.value;
        return chain;
      }
    }
    return 'bad policy counters in chain header';
  }
  if (inner.length === 2 && inner[1] === 'references' && isCount(inner[0]!)) {
    chain.references = Number(inner[0]);
    return chain;
  }
  return 'bad chain header (expected "(policy ...)" or "(N references)")';
}

function isColumnHeader(line: string): boolean {
  return parseColumnHeader(line) !== null;
}

function parseColumnHeader(line: string): Layout | null {
  const columns = wordsOf(line, 0, 12).map((w) => w.text);
  let i = 0;
  const num = columns[i] === 'num';
  if (num) i++;
  const counters = columns[i] === 'pkts' && columns[i + 1] === 'bytes';
  if (counters) i += 2;
  if (columns[i] !== 'target' || columns[i + 1] !== 'prot' || columns[i + 2] !== 'opt') return null;
  i += 3;
  const interfaces = columns[i] === 'in' && columns[i + 1] === 'out';
  if (interfaces) i += 2;
  if (columns[i] !== 'source' || columns[i + 1] !== 'destination' || columns.length !== i + 2) return null;
  return {num, counters, interfaces};
}

function isOptColumn(word: string | undefined): boolean {
  return word === '--' || word === '-f' || word === '!f';
}

function parseRuleLine(line: string, lineNo: number, layout: Layout): ListedRule | string {
  // Enough words for every column, then the rest of the line is the match text.
  const columns = (layout.num ? 1 : 0) + (layout.counters ? 2 : 0) + 3 + (layout.interfaces ? 2 : 0) + 2;
  const words = wordsOf(line, 0, columns);
  let i = 0;
  let num: number | undefined;
  if (layout.num) {
    if (!isCount(words[i]?.text ?? '')) return 'bad rule number';
    num = Number(words[i++]!.text);
  }
  let packets: bigint | null = null;
  let bytes: bigint | null = null;
  let exact = true;
  if (layout.counters) {
    const p = parseListedCount(words[i]?.text ?? '');
    const b = parseListedCount(words[i + 1]?.text ?? '');
    if (!p || !b) return 'bad packet/byte counts';
    packets = p.value;
    bytes = b.value;
    exact = p.exact && b.exact;
    i += 2;
  }
  // An empty target column leaves prot where the target would be: the opt column tells.
  let target = '';
  if (!isOptColumn(words[i + 1]?.text)) target = words[i++]?.text ?? '';
  const prot = words[i++]?.text;
  const opt = words[i++]?.text;
  if (prot === undefined || !isOptColumn(opt)) return 'bad prot/opt columns';
  let inInterface: IfaceMatch | undefined;
  let outInterface: IfaceMatch | undefined;
  if (layout.interfaces) {
    const inWord = words[i++]?.text;
    const outWord = words[i++]?.text;
    if (inWord === undefined || outWord === undefined) return 'missing in/out columns';
    inInterface = ifaceColumn(inWord);
    outInterface = ifaceColumn(outWord);
  }
  const sourceWord = words[i++];
  const destinationWord = words[i++];
  if (!sourceWord || !destinationWord) return 'missing source/destination columns';
  // Everything after the destination column (with an empty target, `words` may already hold
  // the first word of it: that is fine, the cut is by position).
  const extra = line.slice(destinationWord.end).trim();
  const rule: ListedRule = {
    line: lineNo,
    text: line,
    packets,
    bytes,
    countersExact: exact,
    target,
    prot: prot!,
    protocol: negatable(prot!),
    opt: opt!,
    source: addrColumn(sourceWord.text),
    destination: addrColumn(destinationWord.text),
    extra,
    comments: commentsOf(extra),
    goto: hasGotoMarker(extra),
  };
  if (num !== undefined) rule.num = num;
  if (inInterface) rule.inInterface = inInterface;
  if (outInterface) rule.outInterface = outInterface;
  return rule;
}

function negatable(word: string): {name: string; negated: boolean} {
  return word.length > 1 && word.charCodeAt(0) === 33 /* ! */ ? {name: word.slice(1), negated: true} : {name: word, negated: false};
}

function ifaceColumn(word: string): IfaceMatch | undefined {
  if (word === '*') return undefined;
  return negatable(word);
}

function addrColumn(word: string): AddrMatch {
  const {name, negated} = negatable(word);
  return {addr: name, negated};
}

/** The text of each `/* ... *\/` (iptables prints the comment match that way). */
function commentsOf(extra: string): string[] {
  const comments: string[] = [];
  let from = 0;
  for (;;) {
    const open = extra.indexOf('/* ', from);
    if (open === -1) break;
    const close = extra.indexOf(' */', open + 3);
    if (close === -1) break;
    comments.push(extra.slice(open + 3, close));
    from = close + 3;
  }
  return comments;
}

/** `[goto]` as a word of the match text, outside comments. One forward pass. */
function hasGotoMarker(extra: string): boolean {
  const n = extra.length;
  let i = 0;
  while (i < n) {
    if (extra.startsWith('/* ', i)) {
      const close = extra.indexOf(' */', i + 3);
      if (close === -1) return false;
      i = close + 3;
      continue;
    }
    if (
      extra.charCodeAt(i) === 91 /* [ */ &&
      extra.startsWith('[goto]', i) &&
      (i === 0 || extra.charCodeAt(i - 1) === 32) &&
      (i + 6 === n || extra.charCodeAt(i + 6) === 32)
    ) {
      return true;
    }
    i++;
  }
  return false;
}
