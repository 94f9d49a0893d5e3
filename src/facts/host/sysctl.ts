// Forwarding sysctls: runtime values and the persisted sysctl.d files.
import {posix} from 'node:path';
import {ParseError} from '../../parsers/errors.js';
import {interfaceOfKey, parseProcValue, parseSysctlConf, procSysPathToKey, type SysctlConf} from '../../parsers/sysctl.js';
import {type Fact} from '../facts.js';
import {compareStrings} from '../../compare.js';

/** Runtime values: dotted key → value, from the captured /proc/sys files. */
export const runtimeSysctl: Fact<Record<string, string>> = (f) => {
  const out: Record<string, string> = Object.create(null);
  for (const e of f.entries('sysctl.runtime')) {
    const key = procSysPathToKey(e.name);
    if (key) out[key] = parseProcValue(e.text, e.name);
  }
  return out;
};

export interface Forwarding {
  /** net.ipv4.ip_forward. */
  ipv4: number | undefined;
  /** net.ipv4.conf.<iface>.forwarding, including 'all' and 'default'. */
  perInterface: Record<string, number>;
  /** net.ipv6.conf.all.forwarding. */
  ipv6All?: number;
  /** net.ipv6.conf.<iface>.forwarding. */
  ipv6PerInterface: Record<string, number>;
  /** net.ipv6.conf.<iface>.accept_ra. */
  acceptRa: Record<string, number>;
}

export const forwarding: Fact<Forwarding> = (f) => {
  const runtime = f.get(runtimeSysctl);
  const out: Forwarding = {ipv4: undefined, perInterface: {}, ipv6PerInterface: {}, acceptRa: {}};
  for (const [key, value] of Object.entries(runtime)) {
    const n = Number(value);
    if (!/^-?\d+$/.test(value)) throw new ParseError(`/proc/sys/${key.replaceAll('.', '/')}`, 1, value, 'expected an integer');
    if (key === 'net.ipv4.ip_forward') out.ipv4 = n;
    const v4 = interfaceOfKey(key, 'net.ipv4.conf.', '.forwarding');
    if (v4) out.perInterface[v4] = n;
    const v6 = interfaceOfKey(key, 'net.ipv6.conf.', '.forwarding');
    if (v6) out.ipv6PerInterface[v6] = n;
    const ra = interfaceOfKey(key, 'net.ipv6.conf.', '.accept_ra');
    if (ra) out.acceptRa[ra] = n;
  }
  if (out.ipv6PerInterface.all !== undefined) out.ipv6All = out.ipv6PerInterface.all;
  return out;
};

/** sysctl.d directories, highest precedence first: a file name in an earlier one masks later ones. */
export const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'];

/**
 * Persisted sysctl files in the order systemd-sysctl applies them (sysctl.d(5)): per file name the
 * highest-precedence directory wins, and files are applied in file-name order across directories;
 * a later assignment of a key overrides an earlier one. systemd-sysctl never reads /etc/sysctl.conf
 * itself: it counts only through a `99-sysctl.conf` link in a sysctl.d directory (read here through
 * the link), in that name's place, so `ip_forward.conf` still overrides it (systemd/systemd#8360).
 */
export const sysctlFiles: Fact<Array<{path: string; conf: SysctlConf}>> = (f) => {
  const entries = f.entries('sysctl.files');
  const chosen = new Map<string, {path: string; rank: number; text: string}>();
  for (const e of entries) {
    const rank = SYSCTL_DIRS.indexOf(posix.dirname(e.name));
    if (rank < 0 || !e.name.endsWith('.conf')) continue;
    const name = posix.basename(e.name);
    const prev = chosen.get(name);
    if (!prev || rank < prev.rank) chosen.set(name, {path: e.name, rank, text: e.text});
  }
  const ordered = [...chosen.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, v]) => v);
  return ordered.map((v) => {
    const conf = parseSysctlConf(v.text, v.path);
    // systemd-sysctl ignores these lines with a warning: the report names each one.
    f.noteParseProblems('sysctl.files', conf.problems, v.path);
    return {path: v.path, conf};
  });
};

export const persistedSysctl: Fact<Record<string, {value: string; file: string; line: number}>> = (f) => {
  const out: Record<string, {value: string; file: string; line: number}> = Object.create(null);
  for (const {path, conf} of f.get(sysctlFiles)) {
    for (const a of conf.assignments) out[a.key] = {value: a.value, file: path, line: a.line};
  }
  return out;
};
