// A worker pool directory /var/lib/openqa/pool/N/: vars.json, written by the worker (openQA
// lib/OpenQA/Worker/Engines/isotovideo.pm) and rewritten by os-autoinst with normalised NICMAC/NICVLAN/TAPDEV, and qemu.pid.
// NICVLAN and TAPDEV are comma strings ("12,13", "tap4,tap68"); numbers and arrays are accepted
// too because hand-made or older vars.json files have them.
import {ParseError} from './errors.js';

export interface PoolVars {
  vars: Record<string, unknown>;
  nicType?: string;
  /** TAPDEV split on commas; empty when unset or `auto` (see tapDevAuto). */
  tapDevices: string[];
  /** TAPDEV unset or `auto`: os-autoinst derives tap(instance-1+64*i) itself. */
  tapDevAuto: boolean;
  /** NICVLAN split on commas, as numbers. */
  vlans: number[];
  /** MM_MTU. */
  mtu?: number;
  /** WORKER_INSTANCE. */
  workerInstance?: number;
}

export function parseVarsJson(text: string, source: string): PoolVars {
  let vars: unknown;
  try {
    vars = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const {line, lineText} = jsonErrorLine(text, message);
    // V8 quotes the whole input in some messages: keep only the reason.
    throw new ParseError(source, line, lineText, `not valid JSON (${message.split(', "')[0]!.slice(0, 100)})`);
  }
  if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) {
    throw new ParseError(source, 1, text.slice(0, 120), 'expected a JSON object of job settings');
  }
  const v = vars as Record<string, unknown>;
  const out: PoolVars = {vars: v, tapDevices: [], tapDevAuto: true, vlans: []};
  if (typeof v.NICTYPE === 'string') out.nicType = v.NICTYPE;
  const taps = splitList(v.TAPDEV);
  if (!(taps.length === 0 || (taps.length === 1 && taps[0] === 'auto'))) {
    out.tapDevices = taps;
    out.tapDevAuto = false;
  }
  out.vlans = splitList(v.NICVLAN).map((s) => {
    const n = Number(s);
    if (!/^\d+$/.test(s) || n > 4095) throw new ParseError(source, lineOfKey(text, 'NICVLAN'), `NICVLAN ${JSON.stringify(v.NICVLAN)}`, 'VLAN is not an integer 0-4095');
    return n;
  });
  const mtu = toInt(v.MM_MTU);
  if (mtu !== undefined) out.mtu = mtu;
  const instance = toInt(v.WORKER_INSTANCE);
  if (instance !== undefined) out.workerInstance = instance;
  return out;
}

/** qemu.pid: one positive integer. */
export function parseQemuPid(text: string, source: string): number {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t) || Number(t) === 0) throw new ParseError(source, 1, t, 'expected a process id');
  return Number(t);
}

/** "a, b" / ["a", 2] / 12 → ['a', 'b'] / ['a', '2'] / ['12']; anything else → []. */
export function splitList(value: unknown): string[] {
  const parts: unknown[] = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : typeof value === 'number' ? [value] : [];
  return parts
    .filter((p) => typeof p === 'string' || typeof p === 'number')
    .map((p) => String(p).trim())
    .filter((p) => p !== '');
}

function toInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*\d{1,9}\s*$/.test(value)) return Number(value);
  return undefined;
}

function lineOfKey(text: string, key: string): number {
  const at = text.indexOf(`"${key}"`);
  return at < 0 ? 1 : countLines(text, at);
}

function countLines(text: string, upTo: number): number {
  let line = 1;
  for (let i = 0; i < upTo && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** V8 names a position ("at position N", "(line L column C)") only for some errors; else line 1. */
function jsonErrorLine(text: string, message: string): {line: number; lineText: string} {
  const lc = /line (\d+) column/.exec(message);
  const pos = /position (\d+)/.exec(message);
  let line = 1;
  if (lc) line = Number(lc[1]);
  else if (pos) line = countLines(text, Number(pos[1]));
  else if (message.includes('end of JSON input')) line = countLines(text, text.length);
  const lineText = text.split('\n', line)[line - 1] ?? '';
  return {line, lineText};
}
