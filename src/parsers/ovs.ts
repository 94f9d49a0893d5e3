// Open vSwitch database views: `ovs-vsctl --format=json list <table>` (all columns, joined by
// _uuid into bridges -> ports -> interfaces) and `ovs-vsctl show` text (parsed by indentation,
// the fallback when only a sosreport's show output exists).
import type {OvsBridge, OvsDb, OvsInterface, OvsPort} from '../facts/types.js';
import {ParseError, splitLines} from './errors.js';
import {parseJsonDocument} from './ip.js';

// --- OVSDB JSON values ------------------------------------------------------------------------

export interface OvsUuid {
  uuid: string;
}
/** An OVSDB atom: string, integer, real, boolean or a uuid reference. */
export type OvsAtom = string | number | boolean | OvsUuid;
export interface OvsMap {
  map: Record<string, OvsAtom>;
}
/**
 * A decoded column value. Sets become arrays; OVSDB writes a one-element set as the bare atom
 * (a port with one interface has `interfaces: ["uuid", "..."]`), so read set-valued columns
 * through `asSet`.
 */
export type OvsValue = OvsAtom | OvsAtom[] | OvsMap;

export interface OvsTable {
  source: string;
  headings: string[];
  /** One record per row, keyed by heading. */
  rows: Record<string, OvsValue>[];
}

/** Own-property assignment that stays a plain data key even for "__proto__". */
function put<T>(obj: Record<string, T>, key: string, value: T): void {
  // Plain assignment is the same on a fresh object for every other key, and much cheaper
  // (a 300-tap host's Interface table has thousands of cells).
  if (key === '__proto__') Object.defineProperty(obj, key, {value, enumerable: true, writable: true, configurable: true});
  else obj[key] = value;
}

type Json = ReturnType<typeof parseJsonDocument>;

/**
 * `ovs-vsctl --format=json list <table>`: {"data": [[...], ...], "headings": [...]}. With `columns`,
 * only those cells are decoded (collection asks one table for two columns; ovsDb the ones it joins).
 */
export function parseOvsJsonList(text: string, source: string, columns?: readonly string[]): OvsTable {
  const doc = parseJsonDocument(text, source);
  const bad = (detail: string, what: unknown = doc): never => {
    throw new ParseError(source, 1, JSON.stringify(what) ?? '', detail);
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return bad('expected a JSON object with data and headings');
  const headings = Object.prototype.hasOwnProperty.call(doc, 'headings') ? doc.headings : undefined;
  const data = Object.prototype.hasOwnProperty.call(doc, 'data') ? doc.data : undefined;
  if (!Array.isArray(headings) || !headings.every((h) => typeof h === 'string')) return bad('"headings" is not a list of column names');
  if (!Array.isArray(data)) return bad('"data" is not a list of rows');
  const wanted = headings.flatMap((h, i) => (columns === undefined || columns.includes(h as string) ? [i] : []));
  const rows = data.map((row) => {
    if (!Array.isArray(row) || row.length !== headings.length) return bad(`row does not have ${headings.length} columns`, row);
    const rec: Record<string, OvsValue> = {};
    for (const i of wanted) put(rec, headings[i] as string, decodeValue(row[i]!, bad));
    return rec;
  });
  return {source, headings: headings as string[], rows};
}

/** `bad(detail, cell)` throws; a problem is reported with the whole cell it is in. */
type Bad = (detail: string, cell: unknown) => never;

function decodeValue(cell: Json, bad: Bad): OvsValue {
  if (Array.isArray(cell)) {
    if (cell.length !== 2 || typeof cell[0] !== 'string') return bad('unknown OVSDB value', cell);
    const [tag, body] = cell;
    if (tag === 'set') {
      if (!Array.isArray(body)) return bad('set without a list', cell);
      return body.map((atom) => decodeAtom(atom, cell, bad));
    }
    if (tag === 'map') {
      if (!Array.isArray(body)) return bad('map without a list', cell);
      const map: Record<string, OvsAtom> = {};
      for (const pair of body) {
        if (!Array.isArray(pair) || pair.length !== 2) return bad('map entry is not a [key, value] pair', cell);
        const key = decodeAtom(pair[0]!, cell, bad);
        put(map, typeof key === 'object' ? key.uuid : String(key), decodeAtom(pair[1]!, cell, bad));
      }
      return {map};
    }
    if (tag !== 'uuid' && tag !== 'named-uuid') return bad('unknown OVSDB value', cell);
  }
  return decodeAtom(cell, cell, bad);
}

function decodeAtom(v: Json, cell: Json, bad: Bad): OvsAtom {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.length === 2 && (v[0] === 'uuid' || v[0] === 'named-uuid') && typeof v[1] === 'string') return {uuid: v[1]};
  return bad('unknown OVSDB atom', cell);
}

/** A set-valued column as a list (empty set `[]`, one element as the bare atom, or a list). */
export function asSet(v: OvsValue | undefined): OvsAtom[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  if (typeof v === 'object' && 'map' in v) return [];
  return [v];
}

/** A map-valued column with its values as text. */
export function asStringMap(v: OvsValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (v !== undefined && typeof v === 'object' && !Array.isArray(v) && 'map' in v) {
    for (const [k, val] of Object.entries(v.map)) put(out, k, typeof val === 'object' ? val.uuid : String(val));
  }
  return out;
}

/** An optional scalar column (`["set",[]]` = unset): the single atom, or undefined. */
function optional(v: OvsValue | undefined): OvsAtom | undefined {
  const set = asSet(v);
  return set.length === 1 ? set[0] : undefined;
}

function optString(v: OvsValue | undefined): string | undefined {
  const a = optional(v);
  return typeof a === 'string' ? a : undefined;
}

function optNumber(v: OvsValue | undefined): number | undefined {
  const a = optional(v);
  return typeof a === 'number' ? a : undefined;
}

function optBoolean(v: OvsValue | undefined): boolean | undefined {
  const a = optional(v);
  return typeof a === 'boolean' ? a : undefined;
}

function uuids(v: OvsValue | undefined): string[] {
  return asSet(v).flatMap((a) => (typeof a === 'object' ? [a.uuid] : []));
}

function rowUuid(table: OvsTable, row: Record<string, OvsValue>): string {
  const u = row['_uuid'];
  if (u === undefined || typeof u !== 'object' || Array.isArray(u) || !('uuid' in u)) {
    throw new ParseError(table.source, 1, String(row['name'] ?? ''), 'row without _uuid (list all columns to join tables)');
  }
  return u.uuid;
}

function rowName(table: OvsTable, row: Record<string, OvsValue>): string {
  const name = row['name'];
  if (typeof name !== 'string') throw new ParseError(table.source, 1, JSON.stringify(row['_uuid'] ?? ''), 'row without a name');
  return name;
}

export function toOvsInterface(table: OvsTable, row: Record<string, OvsValue>): OvsInterface {
  const iface: OvsInterface = {name: rowName(table, row), type: optString(row['type']) ?? '', options: asStringMap(row['options'])};
  const ofport = optNumber(row['ofport']);
  if (ofport !== undefined) iface.ofport = ofport;
  const error = optString(row['error']);
  if (error !== undefined) iface.error = error;
  const mtu = optNumber(row['mtu']);
  if (mtu !== undefined) iface.mtu = mtu;
  const mtuRequest = optNumber(row['mtu_request']);
  if (mtuRequest !== undefined) iface.mtuRequest = mtuRequest;
  const mac = optString(row['mac_in_use']);
  if (mac !== undefined) iface.mac = mac;
  const linkState = optString(row['link_state']);
  if (linkState !== undefined) iface.linkState = linkState;
  if (row['status'] !== undefined) iface.status = asStringMap(row['status']);
  return iface;
}

/** Join the three tables by uuid: bridge.ports -> port uuids, port.interfaces -> interface uuids. */
export function ovsDbFromTables(tables: {bridges: OvsTable; ports: OvsTable; interfaces: OvsTable}): OvsDb {
  const ifaceByUuid = new Map<string, OvsInterface>();
  const interfaces = tables.interfaces.rows.map((row) => {
    const iface = toOvsInterface(tables.interfaces, row);
    ifaceByUuid.set(rowUuid(tables.interfaces, row), iface);
    return iface;
  });
  const portByUuid = new Map<string, OvsPort>();
  const ports = tables.ports.rows.map((row) => {
    const port: OvsPort = {
      name: rowName(tables.ports, row),
      interfaces: uuids(row['interfaces']).flatMap((u) => ifaceByUuid.get(u) ?? []),
    };
    const tag = optNumber(row['tag']);
    if (tag !== undefined) port.tag = tag;
    const vlanMode = optString(row['vlan_mode']);
    if (vlanMode !== undefined) port.vlanMode = vlanMode;
    portByUuid.set(rowUuid(tables.ports, row), port);
    return port;
  });
  const bridges = tables.bridges.rows.map((row) => {
    const bridge: OvsBridge = {name: rowName(tables.bridges, row), ports: []};
    for (const u of uuids(row['ports'])) {
      const port = portByUuid.get(u);
      if (!port) continue;
      port.bridge = bridge.name;
      bridge.ports.push(port);
    }
    const datapathType = optString(row['datapath_type']);
    if (datapathType) bridge.datapathType = datapathType;
    const rstp = optBoolean(row['rstp_enable']);
    if (rstp !== undefined) bridge.rstpEnable = rstp;
    const stp = optBoolean(row['stp_enable']);
    if (stp !== undefined) bridge.stpEnable = stp;
    return bridge;
  });
  return {bridges, ports, interfaces, from: 'json'};
}

// --- `ovs-vsctl show` -------------------------------------------------------------------------

type Open =
  | {kind: 'root'; indent: number}
  | {kind: 'bridge'; indent: number; bridge: OvsBridge}
  | {kind: 'port'; indent: number; port: OvsPort}
  | {kind: 'interface'; indent: number; iface: OvsInterface}
  /** Manager, Controller and unknown records: their attributes are not read. */
  | {kind: 'other'; indent: number};

const UUID_LINE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECORD_LINE = /^(Bridge|Port|Interface|Manager|Controller) (.+)$/;
const ATTRIBUTE_LINE = /^([a-z][a-z0-9_-]*): ?(.*)$/;

/**
 * `ovs-vsctl show`: an optional db uuid line, then records nested by indentation (Bridge > Port >
 * Interface, plus Manager/Controller) with `key: value` attributes. Names are quoted (OVS 2.x)
 * or bare (3.x). Indentation is compared only relatively, since excerpts shift it.
 */
export function parseOvsShow(text: string, source: string): OvsDb {
  const db: OvsDb = {bridges: [], ports: [], interfaces: [], from: 'show'};
  const stack: Open[] = [{kind: 'root', indent: -1}];
  let sawContent = false;
  splitLines(text).forEach((raw, i) => {
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const indent = raw.length - raw.trimStart().length;
    const fail = (detail: string): never => {
      throw new ParseError(source, lineNo, raw, detail);
    };
    if (!sawContent && UUID_LINE.test(trimmed)) {
      sawContent = true;
      stack[0] = {kind: 'root', indent};
      return;
    }
    sawContent = true;
    while (stack.length > 1 && stack[stack.length - 1]!.indent >= indent) stack.pop();
    const parent = stack[stack.length - 1]!;
    const record = RECORD_LINE.exec(trimmed);
    if (record) {
      const name = unquote(record[2]!, fail);
      const type = record[1]!;
      if (type === 'Bridge') {
        if (parent.kind !== 'root') fail('Bridge inside another record');
        const bridge: OvsBridge = {name, ports: []};
        db.bridges.push(bridge);
        stack.push({kind: 'bridge', indent, bridge});
      } else if (type === 'Port') {
        if (parent.kind !== 'bridge') return fail('Port outside a Bridge');
        const port: OvsPort = {name, bridge: parent.bridge.name, interfaces: []};
        parent.bridge.ports.push(port);
        db.ports.push(port);
        stack.push({kind: 'port', indent, port});
      } else if (type === 'Interface') {
        if (parent.kind !== 'port') return fail('Interface outside a Port');
        const iface: OvsInterface = {name, type: '', options: {}};
        parent.port.interfaces.push(iface);
        db.interfaces.push(iface);
        stack.push({kind: 'interface', indent, iface});
      } else {
        stack.push({kind: 'other', indent});
      }
      return;
    }
    const attr = ATTRIBUTE_LINE.exec(trimmed);
    if (!attr) return fail('neither a record nor a "key: value" line');
    const [, key, value] = attr as unknown as [string, string, string];
    // ovs_version closes the listing; excerpts indent it inconsistently, so accept it anywhere.
    if (key === 'ovs_version') {
      db.ovsVersion = unquote(value, fail);
      return;
    }
    applyAttribute(parent, key, value, fail);
  });
  if (!sawContent) throw new ParseError(source, 1, '', 'empty output');
  return db;
}

/**
 * The `ovs_version` of `ovs-vsctl show` (its last such line, as parseOvsShow reads it) without
 * parsing the records: where the JSON lists give the database, the version is all the show text
 * adds, and a 300-port host's show text has ~1,000 record lines. Undefined when there is none or
 * it is not readable.
 */
export function ovsShowVersion(text: string): string | undefined {
  const lines = splitLines(text);
  for (let i = lines.length - 1; i >= 0; i--) {
    const attr = ATTRIBUTE_LINE.exec(lines[i]!.trim());
    if (attr?.[1] !== 'ovs_version') continue;
    try {
      return unquote(attr[2]!, (detail) => {
        throw new Error(detail);
      });
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function applyAttribute(parent: Open, key: string, value: string, fail: (d: string) => never): void {
  switch (parent.kind) {
    case 'root':
      return fail('attribute outside any record');
    case 'bridge':
      if (key === 'datapath_type') parent.bridge.datapathType = unquote(value, fail);
      return;
    case 'port':
      if (key === 'tag') {
        const tag = Number(value);
        if (!/^\d{1,4}$/.test(value) || tag > 4095) fail('tag is not a VLAN id');
        parent.port.tag = tag;
      }
      return;
    case 'interface':
      if (key === 'type') parent.iface.type = unquote(value, fail);
      else if (key === 'options') parent.iface.options = parseShowMap(value, fail);
      else if (key === 'error') parent.iface.error = unquote(value, fail);
      return;
    default:
      return;
  }
}

/** A name or value: bare, or double-quoted with backslash escapes. */
function unquote(text: string, fail: (d: string) => never): string {
  const t = text.trim();
  if (!t.startsWith('"')) return t;
  const {value, end} = readQuoted(t, 0, fail);
  if (end !== t.length) fail('text after a quoted string');
  return value;
}

function readQuoted(text: string, start: number, fail: (d: string) => never): {value: string; end: number} {
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      if (i + 1 >= text.length) break;
      const next = text[++i]!;
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (c === '"') {
      return {value: out, end: i + 1};
    } else {
      out += c;
    }
  }
  return fail('unterminated quoted string');
}

/** `{remote_ip="192.0.2.2", in_key=flow}` as printed by `ovs-vsctl show`. */
function parseShowMap(text: string, fail: (d: string) => never): Record<string, string> {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return fail('options is not a {key=value, ...} map');
  const out: Record<string, string> = {};
  const body = t.slice(1, -1);
  let i = 0;
  const skipSpaces = () => {
    while (i < body.length && body[i] === ' ') i++;
  };
  const readToken = (stops: string): string => {
    skipSpaces();
    if (body[i] === '"') {
      const {value, end} = readQuoted(body, i, fail);
      i = end;
      return value;
    }
    const start = i;
    while (i < body.length && !stops.includes(body[i]!)) i++;
    return body.slice(start, i).trim();
  };
  skipSpaces();
  while (i < body.length) {
    const key = readToken('=,');
    if (body[i] !== '=') return fail(`option "${key}" without a value`);
    i++;
    const value = readToken(',');
    put(out, key, value);
    skipSpaces();
    if (i < body.length) {
      if (body[i] !== ',') return fail('options entries are not separated by commas');
      i++;
      skipSpaces();
    }
  }
  return out;
}
