// `nft -j list ruleset` (JSON) into the model.
import {clip, ParseError, splitLines} from '../errors.js';
import {nftPriority} from './names.js';
import {addIfaceMatch, applyCompat, applyPacketMatch, emptyRuleset, NAT_KINDS, newRule, resolveSetsAndCounters, SIMPLE_VERDICTS, IFACE_KEYS, valueMatch} from './ruleset.js';
import type {NftChain, NftCounter, NftIfaceMatch, NftNat, NftRule, NftRuleset, NftVerdict} from './types.js';

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
    } else if (isObject(left) && isObject(left['ct']) && left['ct']['key'] === 'status') {
      rule.ctStatus = valueMatch(jsonValues(v['right']).map((s) => s.toLowerCase()), negated);
    } else if (isObject(left) && isObject(left['payload']) && typeof left['payload']['protocol'] === 'string' && typeof left['payload']['field'] === 'string') {
      const protocol = left['payload']['protocol'];
      const field = left['payload']['field'];
      const values = jsonValues(v['right']);
      if (!applyPacketMatch(rule, protocol, field, values, negated)) rule.opaque.push(`${protocol} ${field}`);
    } else if (isObject(left) && isObject(left['meta']) && typeof left['meta']['key'] === 'string') {
      if (!applyPacketMatch(rule, 'meta', left['meta']['key'], jsonValues(v['right']), negated)) rule.opaque.push(`meta ${left['meta']['key']}`);
    } else {
      // fib, marks, socket, ...: a condition the model does not judge
      rule.opaque.push(renderLeft(left));
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
    // JSON shows a compat match without its options: what it asks is unknown
    if (v['type'] === 'match') rule.opaque.push(`xt match ${v['name']}`);
  } else if (kind === 'limit' || kind === 'quota') {
    rule.opaque.push(kind);
  }
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
