// `iptables -L -v -n [-x]` listings (one per table) and `iptables -S` rule lists turned into the
// IptablesDump model iptables-save gives, so the firewall facts read them with the same code.
// Only what a listing states is carried over; what it cannot express is returned as `limits`,
// sentences the checks repeat in their reasons:
//  - a listing prints matches as free text (`tcp dpt:22`, `multiport dports 53`): only the
//    interfaces, addresses, protocol, conntrack/state and comments are read back; other matches
//    are dropped, so such a rule reads broader than it is;
//  - without -x, counters are rounded (`12K`);
//  - a bare `iptables -L`/`-S` does not name its table: the chains decide (FORWARD = filter,
//    POSTROUTING without FORWARD = nat) and the limit says so;
//  - without -v a listing has no interface columns: it is refused (a guess would be wrong).
import {ParseError} from '../errors.js';
import {isBuiltinChain} from './builtins.js';
import {parseIptablesList} from './list.js';
import {parseIptablesSave} from './save.js';
import type {IptablesDump, IptablesListing, IptChain, IptModule, IptRule, IptTable, ListedRule} from './types.js';

/**
 * How an iptables.save entry converted from listings or rule specs starts its note (`stderr`); the
 * firewall facts repeat the rest of the note (the limits) in the checks' reasons.
 */
export const CONVERTED_NOTE = 'converted by tapdoctor from';

export interface ListedTable {
  /** The table the listing was taken with (`-t nat`); undefined for a bare `iptables -L`. */
  table?: string;
  text: string;
  /** Where the text came from, for ParseErrors and limits (`sos_commands/networking/iptables_-vnxL`). */
  origin: string;
}

export interface Converted {
  dump: IptablesDump;
  /** What the input could not say, one sentence each. */
  limits: string[];
}

const ANY_ADDR = new Set(['0.0.0.0/0', '::/0']);
const ANY_PROT = new Set(['all', '0']);

/** The table a listing without `-t` shows, judged by its chains, and why. */
export function tableOfChains(chains: string[], origin: string): {table: string; limit: string} {
  const has = (c: string) => chains.includes(c);
  if (has('POSTROUTING') && !has('FORWARD')) {
    return {table: 'nat', limit: `${origin} does not name its table: read as nat (it has POSTROUTING and no FORWARD chain)`};
  }
  return {table: 'filter', limit: `${origin} does not name its table: read as filter (iptables' default table${has('FORWARD') ? ', and it has a FORWARD chain' : ''})`};
}

/** Listings (one per table) as one dump. Throws ParseError for a listing tapdoctor cannot read. */
export function dumpFromListings(parts: ListedTable[], family: 'ipv4' | 'ipv6'): Converted {
  const dump: IptablesDump = {family, tables: [], errors: []};
  const limits: string[] = [];
  let dropped = 0;
  let rounded = false;
  for (const part of parts) {
    const listing: IptablesListing = parseIptablesList(part.text, part.origin, {tolerant: true});
    dump.errors.push(...listing.errors);
    if (listing.legacyTablesPresent) dump.legacyTablesPresent = true;
    if (listing.chains.length === 0) continue;
    const withoutV = listing.chains.find((c) => c.rules.some((r) => r.packets === null));
    if (withoutV) {
      throw new ParseError(part.origin, withoutV.line, '', 'an iptables -L listing without -v shows no interfaces or counters: the rules cannot be judged (list with -L -v -n -x)');
    }
    let tableName = part.table;
    if (tableName === undefined) {
      const t = tableOfChains(listing.chains.map((c) => c.name), part.origin);
      tableName = t.table;
      limits.push(t.limit);
    }
    const table: IptTable = {name: tableName, line: listing.chains[0]!.line, chains: new Map(), rules: []};
    const userChains = new Set(listing.chains.filter((c) => c.policy === null).map((c) => c.name));
    for (const c of listing.chains) {
      const chain: IptChain = {
        name: c.name,
        builtin: isBuiltinChain(tableName, c.name),
        policy: c.policy,
        counters: c.policyPackets !== null && c.policyBytes !== null ? {packets: c.policyPackets, bytes: c.policyBytes} : null,
        line: c.line,
      };
      table.chains.set(c.name, chain);
      for (const r of c.rules) {
        const {rule, unread} = ruleOf(r, tableName, c.name, userChains);
        if (unread) dropped++;
        if (!r.countersExact) rounded = true;
        table.rules.push(rule);
      }
    }
    dump.tables.push(table);
  }
  if (dropped > 0) {
    limits.push(`iptables -L prints matches as text: ${dropped} rule${dropped === 1 ? '' : 's'} with matches beyond interfaces, addresses, protocol and conntrack state (ports, marks, ...) read without them, so they may apply more narrowly than shown`);
  }
  if (rounded) limits.push('counters were listed without -x and are rounded (12K = about 12000)');
  return {dump, limits};
}

/** Words of a listing's match text that are a target's own options, not matches. */
const TARGET_WORDS = /^(masq ports:|to:|reject-with |redir ports |LOG flags |MARK |CONNMARK |TCPMSS |CT |NFQUEUE |DSCP |TPROXY )/;

function ruleOf(r: ListedRule, table: string, chain: string, userChains: Set<string>): {rule: IptRule; unread: boolean} {
  const rule: IptRule = {
    table,
    chain,
    line: r.line,
    text: r.text.trimEnd(),
    command: 'A',
    counters: r.packets !== null && r.bytes !== null ? {packets: r.packets, bytes: r.bytes} : null,
    modules: [],
    otherOptions: [],
    target: null,
  };
  if (!ANY_PROT.has(r.protocol.name)) rule.protocol = r.protocol;
  if (!ANY_ADDR.has(r.source.addr)) rule.source = r.source;
  if (!ANY_ADDR.has(r.destination.addr)) rule.destination = r.destination;
  if (r.inInterface) rule.inInterface = r.inInterface;
  if (r.outInterface) rule.outInterface = r.outInterface;
  if (r.target !== '') {
    const kind = r.goto && userChains.has(r.target) ? 'goto' : 'jump';
    rule.target = {kind, name: r.target, options: []};
  }
  // The match text without comments and the [goto] marker; conntrack/state is read, the rest counted.
  let rest = r.extra;
  for (const c of r.comments) rest = rest.replace(`/* ${c} */`, ' ');
  rest = rest.replace(/(^|\s)\[goto\](?=\s|$)/, ' ').trim();
  const state = /^(!\s+)?(ctstate|state)\s+([A-Z,]+)(\s+|$)/.exec(rest);
  const modules: IptModule[] = [];
  if (state) {
    const name = state[2] === 'ctstate' ? 'conntrack' : 'state';
    modules.push({name, options: [{name: `--${state[2]}`, values: [state[3]!], negated: state[1] !== undefined}]});
    rest = rest.slice(state[0].length).trim();
  }
  for (const c of r.comments) modules.push({name: 'comment', options: [{name: '--comment', values: [c], negated: false}]});
  rule.modules = modules;
  const unread = rest !== '' && !TARGET_WORDS.test(rest);
  return {rule, unread};
}

/** `iptables -S` output (`-P`, `-N`, `-A` lines without a table header) as a dump. */
export function dumpFromRuleSpecs(text: string, origin: string, family: 'ipv4' | 'ipv6', table?: string): Converted {
  const limits: string[] = [];
  let name = table;
  if (name === undefined) {
    const chains = [...text.matchAll(/^-[PNA]\s+(\S+)/gm)].map((m) => m[1]!);
    const t = tableOfChains(chains, origin);
    name = t.table;
    limits.push(t.limit);
  }
  const body = text.replace(/\r?\n?$/, '\n');
  const dump = parseIptablesSave(`*${name}\n${body}COMMIT\n`, origin, {tolerant: true});
  if (dump.tables.some((t) => t.rules.length > 0 && t.rules.every((r) => r.counters === null))) limits.push('iptables -S shows no counters (-S -v would)');
  dump.family = family;
  // The wrapper adds one line before the input: line numbers point into the input itself.
  for (const t of dump.tables) {
    t.line = Math.max(1, t.line - 1);
    for (const r of t.rules) r.line -= 1;
    for (const c of t.chains.values()) c.line -= 1;
  }
  return {dump, limits};
}
