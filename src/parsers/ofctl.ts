// `ovs-ofctl dump-flows <bridge>`: one flow per line after an `NXST_FLOW reply` / `OFPST_FLOW
// reply` header. Each line is metadata (`cookie=0x0, duration=1.2s, table=0, n_packets=0, ...`),
// then the match (`priority=100,ip,dl_dst=...`, up to ` actions=`), then the actions, whose commas
// nest inside learn(...)/resubmit(...), so the actions stay one string with a splitter beside it.
import type {OpenFlow} from '../facts/types.js';
import {ParseError, splitLines} from './errors.js';

/** OpenFlow's default priority: ovs-ofctl omits `priority=` when a flow has it. */
export const DEFAULT_PRIORITY = 32768;

const HEADER = /^(NXST|OFPST)_FLOW reply\b/;
/** Flags ovs-ofctl prints in the metadata without a value. */
const METADATA_FLAGS = new Set(['send_flow_rem', 'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts']);

export function parseDumpFlows(text: string, source: string): OpenFlow[] {
  const lines = splitLines(text);
  const flows: OpenFlow[] = [];
  let sawHeader = false;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (HEADER.test(line)) {
      sawHeader = true;
      return;
    }
    flows.push(parseFlowLine(line, source, i + 1));
  });
  if (!sawHeader && flows.length === 0) throw new ParseError(source, 1, '', 'empty output, expected an NXST_FLOW/OFPST_FLOW reply');
  return flows;
}

/** One dumped flow (without the leading space), e.g. `cookie=0x0, ..., priority=0 actions=NORMAL`. */
export function parseFlowLine(line: string, source: string, lineNo = 1): OpenFlow {
  const fail = (detail: string): never => {
    throw new ParseError(source, lineNo, line, detail);
  };
  let cut = line.indexOf(' actions=');
  let actionsStart = cut + ' actions='.length;
  if (cut === -1 && line.startsWith('actions=')) {
    cut = 0;
    actionsStart = 'actions='.length;
  }
  if (cut === -1) return fail('not a flow (no " actions=")');
  const actions = line.slice(actionsStart).trim();
  if (actions === '') fail('flow without actions');
  const head = line.slice(0, cut);

  // Metadata fields end in ", "; what follows the last one is the match (possibly after flags).
  const segments = head.split(', ');
  let matchText = segments.pop() ?? '';
  const metadata: Record<string, string> = {};
  for (const seg of segments) addMetadata(seg, metadata, fail);
  // A match-all flow at default priority prints nothing after the last ", " but a trailing ",".
  if (matchText.endsWith(',') && segments.length > 0) {
    addMetadata(matchText.slice(0, -1), metadata, fail);
    matchText = '';
  }
  // Flags sit before the match, separated by spaces: "send_flow_rem priority=1,ip".
  const words = matchText.split(' ').filter((w) => w !== '');
  matchText = words.pop() ?? '';
  for (const w of words) {
    if (!METADATA_FLAGS.has(w) && !w.includes('=')) fail(`unknown flow flag "${w}"`);
  }
  if (matchText.includes('=') && isMetadataKey(matchText.slice(0, matchText.indexOf('=')))) {
    // No match at all: the last segment was metadata (e.g. "idle_age=3" before " actions=").
    addMetadata(matchText, metadata, fail);
    matchText = '';
  }

  const match: Record<string, string> = {};
  let priority = DEFAULT_PRIORITY;
  for (const field of matchText === '' ? [] : matchText.split(',')) {
    if (field === '') fail('empty match field');
    const eq = field.indexOf('=');
    const key = eq === -1 ? field : field.slice(0, eq);
    const value = eq === -1 ? '' : field.slice(eq + 1);
    if (key === 'priority') {
      priority = toInt(value, fail, 'priority');
      continue;
    }
    Object.defineProperty(match, key, {value, enumerable: true, writable: true, configurable: true});
  }

  const flow: OpenFlow = {
    table: metadata['table'] === undefined ? 0 : toInt(metadata['table'], fail, 'table'),
    priority,
    match,
    actions,
    text: line,
  };
  if (metadata['n_packets'] !== undefined) flow.nPackets = toInt(metadata['n_packets'], fail, 'n_packets');
  return flow;
}

const METADATA_KEYS = new Set([
  'cookie',
  'duration',
  'table',
  'n_packets',
  'n_bytes',
  'idle_timeout',
  'hard_timeout',
  'importance',
  'idle_age',
  'hard_age',
]);

function isMetadataKey(key: string): boolean {
  return METADATA_KEYS.has(key);
}

function addMetadata(seg: string, metadata: Record<string, string>, fail: (d: string) => never): void {
  const eq = seg.indexOf('=');
  if (eq === -1) {
    if (!METADATA_FLAGS.has(seg)) fail(`unknown flow field "${seg}"`);
    return;
  }
  const key = seg.slice(0, eq);
  if (!isMetadataKey(key)) fail(`unknown flow field "${key}"`);
  metadata[key] = seg.slice(eq + 1);
}

function toInt(text: string, fail: (d: string) => never, what: string): number {
  if (!/^\d{1,20}$/.test(text)) fail(`${what} is not a number`);
  return Number(text);
}

/**
 * Split an actions string at its top-level commas: `learn(a,b),mod_nw_src:10.1.0.0,LOCAL` ->
 * [`learn(a,b)`, `mod_nw_src:10.1.0.0`, `LOCAL`]. Brackets and parentheses nest.
 */
export function splitActions(actions: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < actions.length; i++) {
    const c = actions[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if (c === ',' && depth === 0) {
      out.push(actions.slice(start, i));
      start = i + 1;
    }
  }
  out.push(actions.slice(start));
  return out.filter((a) => a !== '');
}
