// sysctl.d(5) files and the runtime values under /proc/sys.
//
// Files: `key = value` or `key=value`, `#` and `;` comment lines, a leading `-` on the key means
// "ignore failure". Keys use dots or slashes: if the first separator is a slash, slashes and
// dots are swapped, so `net/ipv4/conf/eth0.200/forwarding` and `net.ipv4.conf.eth0/200.forwarding`
// are the same key. Keys are returned in the dotted form (`sysctl -a` style). Lines that are not
// assignments are recorded as problems (systemd-sysctl ignores them with a warning).
import {ParseError, splitLines} from './errors.js';

export interface SysctlAssignment {
  /** Dotted, normalised key (`net.ipv4.ip_forward`). */
  key: string;
  value: string;
  line: number;
  /** Written as `-key = value`. */
  ignoreFailure: boolean;
}

export interface SysctlConf {
  assignments: SysctlAssignment[];
  problems: Array<{line: number; text: string; reason: string}>;
}

export function parseSysctlConf(text: string, _source: string): SysctlConf {
  const out: SysctlConf = {assignments: [], problems: []};
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) {
      out.problems.push({line: i + 1, text: raw, reason: 'not an assignment'});
      continue;
    }
    let key = line.slice(0, eq).trim();
    const ignoreFailure = key.startsWith('-');
    if (ignoreFailure) key = key.slice(1).trim();
    if (!key || /\s/.test(key)) {
      out.problems.push({line: i + 1, text: raw, reason: 'invalid key'});
      continue;
    }
    out.assignments.push({key: normalizeSysctlKey(key), value: line.slice(eq + 1).trim(), line: i + 1, ignoreFailure});
  }
  return out;
}

/** `net/ipv4/ip_forward` → `net.ipv4.ip_forward`; dotted keys are returned unchanged. */
export function normalizeSysctlKey(key: string): string {
  const slash = key.indexOf('/');
  const dot = key.indexOf('.');
  if (slash < 0 || (dot >= 0 && dot < slash)) return key;
  let out = '';
  for (const c of key.startsWith('/') ? key.slice(1) : key) out += c === '/' ? '.' : c === '.' ? '/' : c;
  return out;
}

/** `/proc/sys/net/ipv4/conf/eth0.200/forwarding` → `net.ipv4.conf.eth0/200.forwarding`. */
export function procSysPathToKey(path: string): string | undefined {
  const prefix = '/proc/sys/';
  if (!path.startsWith(prefix)) return undefined;
  return normalizeSysctlKey(path.slice(prefix.length));
}

/**
 * The interface part of a per-interface key: `net.ipv4.conf.eth0/200.forwarding` with prefix
 * `net.ipv4.conf.` and suffix `.forwarding` → `eth0.200` (undefined when the key is another one).
 */
export function interfaceOfKey(key: string, prefix: string, suffix: string): string | undefined {
  if (!key.startsWith(prefix) || !key.endsWith(suffix) || key.length <= prefix.length + suffix.length) return undefined;
  const iface = key.slice(prefix.length, key.length - suffix.length);
  return iface.includes('.') ? undefined : iface.replaceAll('/', '.');
}

/** A single-value kernel file (/proc/sys/..., /sys/class/net/<dev>/owner): its trimmed content. */
export function parseProcValue(text: string, source: string): string {
  const lines = splitLines(text);
  if (lines.length !== 1 || lines[0]!.trim() === '') throw new ParseError(source, 1, text.slice(0, 120), 'expected a single value');
  return lines[0]!.trim();
}

/** A single integer, decimal or 0x-hex (tun_flags `0x1802`, owner `-1`). */
export function parseProcInt(text: string, source: string): number {
  const value = parseProcValue(text, source);
  if (/^-?\d{1,15}$/.test(value)) return Number(value);
  if (/^0x[0-9a-fA-F]{1,12}$/.test(value)) return parseInt(value.slice(2), 16);
  throw new ParseError(source, 1, value, 'expected an integer');
}
