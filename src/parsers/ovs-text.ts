// `ovs-vsctl list <table>` TEXT output (what a sosreport and a paste hold) read into the same
// OvsTable as `ovs-vsctl --format=json list <table>`, and written back as that JSON, so the OVS
// facts read it unchanged:
//
//   _uuid               : 3b1f...
//   interfaces          : [94ec8b49-..., b8cff9cb-...]
//   other_config        : {stp-enable="false", mtu_request=1460}
//   tag                 : 5
//
// Records are separated by blank lines. Values: `[]` / `[a, b]` sets, `{k=v, ...}` maps, quoted
// strings with C escapes, uuids, integers, reals, booleans, bare strings. A one-element set is
// written as the bare atom, as OVSDB's JSON does. Terminal copies end lines with a scroll marker
// (`[63/1861]`, the fuel sample): it is cut and counted.
import {ParseError, splitLines} from './errors.js';
import type {OvsAtom, OvsTable, OvsValue} from './ovs.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCROLL_MARKER = /\s+\[\d+\/\d+\]\s*$/;

export interface TextList {
  table: OvsTable;
  /** Lines whose terminal scroll marker was cut. */
  markersCut: number;
}

export function parseOvsTextList(text: string, source: string): TextList {
  const rows: Record<string, OvsValue>[] = [];
  const headings: string[] = [];
  let row: Record<string, OvsValue> | undefined;
  let markersCut = 0;
  splitLines(text).forEach((raw, i) => {
    let line = raw;
    if (SCROLL_MARKER.test(line)) {
      line = line.replace(SCROLL_MARKER, '');
      markersCut++;
    }
    if (line.trim() === '') {
      row = undefined;
      return;
    }
    // `column<padding> : value`; a column name as wide as the padding leaves no blank before `:`
    // (`ingress_policing_burst: 0`, real ovs-vsctl 3.1 output).
    const m = /^([A-Za-z_][A-Za-z0-9_:-]*?)\s*:(?: (.*))?$/.exec(line.trimEnd());
    if (!m) throw new ParseError(source, i + 1, raw, 'expected "column : value" (ovs-vsctl list)');
    // A terminal copy may lose the leading underscore of the first column (fuel sample).
    const key = m[1] === 'uuid' ? '_uuid' : m[1]!;
    const value = parseValue((m[2] ?? '').trim(), (d) => {
      throw new ParseError(source, i + 1, raw, d);
    });
    if (!row) {
      row = Object.create(null) as Record<string, OvsValue>;
      rows.push(row);
    }
    Object.defineProperty(row, key, {value, enumerable: true, writable: true, configurable: true});
    if (!headings.includes(key)) headings.push(key);
  });
  return {table: {source, headings, rows}, markersCut};
}

function parseValue(text: string, bad: (d: string) => never): OvsValue {
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) return bad('unclosed [');
    const atoms = splitTop(text.slice(1, -1), bad).map((a) => parseAtom(a, bad));
    return atoms.length === 1 ? atoms[0]! : atoms;
  }
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) return bad('unclosed {');
    const map: Record<string, OvsAtom> = Object.create(null) as Record<string, OvsAtom>;
    for (const pair of splitTop(text.slice(1, -1), bad)) {
      const eq = indexOutsideQuotes(pair, '=');
      if (eq <= 0) return bad('map entry without key=value');
      const k = parseAtom(pair.slice(0, eq), bad);
      Object.defineProperty(map, typeof k === 'object' ? k.uuid : String(k), {value: parseAtom(pair.slice(eq + 1), bad), enumerable: true, writable: true, configurable: true});
    }
    return {map};
  }
  return parseAtom(text, bad);
}

function parseAtom(raw: string, bad: (d: string) => never): OvsAtom {
  const t = raw.trim();
  if (t.startsWith('"')) {
    if (t.length < 2 || !t.endsWith('"')) return bad('unclosed quoted string');
    try {
      return JSON.parse(t) as string;
    } catch {
      return t.slice(1, -1);
    }
  }
  if (UUID.test(t)) return {uuid: t.toLowerCase()};
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^-?\d+\.\d+(e[-+]?\d+)?$/i.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return t;
}

/** Split at top-level `, ` outside quotes. */
function splitTop(body: string, bad: (d: string) => never): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      cur += c;
      if (c === '\\' && i + 1 < body.length) cur += body[++i];
      else if (c === '"') quoted = false;
    } else if (c === '"') {
      quoted = true;
      cur += c;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (quoted) return bad('unclosed quoted string');
  if (cur.trim() !== '' || out.length > 0) out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

function indexOutsideQuotes(s: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && quoted) i++;
    else if (s[i] === '"') quoted = !quoted;
    else if (!quoted && s[i] === ch) return i;
  }
  return -1;
}

/** The table as `ovs-vsctl --format=json list` prints it: {"data": [...], "headings": [...]}. */
export function ovsTableToJson(table: OvsTable): string {
  const atom = (a: OvsAtom): unknown => (typeof a === 'object' ? ['uuid', a.uuid] : a);
  const value = (v: OvsValue | undefined): unknown => {
    if (v === undefined) return ['set', []];
    if (Array.isArray(v)) return ['set', v.map(atom)];
    if (typeof v === 'object' && 'map' in v) return ['map', Object.entries(v.map).map(([k, x]) => [k, atom(x)])];
    return atom(v);
  };
  return JSON.stringify({data: table.rows.map((r) => table.headings.map((h) => value(r[h]))), headings: table.headings});
}
