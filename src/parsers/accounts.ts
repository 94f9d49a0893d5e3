// /etc/passwd and /etc/group, to resolve the worker user (`_openqa-worker`) and its groups
// (tap ownership, docs/checks/TD013.md). Like glibc's files backend, a malformed line or a NIS
// `+`/`-` line is skipped and the first entry of a name wins; a file with content but not one
// valid entry is not a passwd/group file at all and is a ParseError.
import type {Account} from '../facts/types.js';
import {ParseError, splitLines} from './errors.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  line: number;
}

export interface GroupEntry {
  name: string;
  gid: number;
  /** Supplementary members (4th field). */
  members: string[];
  line: number;
}

export interface AccountDb {
  byName: Map<string, Account>;
  byUid: Map<number, Account>;
  groupByName: Map<string, GroupEntry>;
  groupByGid: Map<number, GroupEntry>;
}

const ID = /^\d{1,10}$/;

export function parsePasswd(text: string, source: string): PasswdEntry[] {
  return parseColonFile(text, source, 'name:x:uid:gid:gecos:home:shell', (f, line) => {
    if (f.length < 4 || !f[0] || !ID.test(f[2]!) || !ID.test(f[3]!)) return undefined;
    return {name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? '', shell: f[6] ?? '', line};
  });
}

export function parseGroup(text: string, source: string): GroupEntry[] {
  return parseColonFile(text, source, 'name:x:gid:members', (f, line) => {
    if (f.length < 3 || !f[0] || !ID.test(f[2]!)) return undefined;
    const members = (f[3] ?? '')
      .split(',')
      .map((m) => m.trim())
      .filter((m) => m !== '');
    return {name: f[0], gid: Number(f[2]), members, line};
  });
}

function parseColonFile<T extends {name: string}>(text: string, source: string, shape: string, parse: (fields: string[], line: number) => T | undefined): T[] {
  const out: T[] = [];
  const seen = new Set<string>();
  let firstBad: {line: number; text: string} | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const entry = parse(line.split(':'), i + 1);
    if (!entry) {
      firstBad ??= {line: i + 1, text: raw};
      continue;
    }
    if (seen.has(entry.name)) continue;
    seen.add(entry.name);
    out.push(entry);
  }
  if (out.length === 0 && firstBad) throw new ParseError(source, firstBad.line, firstBad.text, `expected ${shape}`);
  return out;
}

/** Accounts with their full group list: the primary gid plus every group naming the user. */
export function buildAccountDb(users: readonly PasswdEntry[], groups: readonly GroupEntry[]): AccountDb {
  const groupByName = new Map<string, GroupEntry>();
  const groupByGid = new Map<number, GroupEntry>();
  const memberOf = new Map<string, number[]>();
  for (const g of groups) {
    groupByName.set(g.name, g);
    if (!groupByGid.has(g.gid)) groupByGid.set(g.gid, g);
    for (const m of g.members) {
      const list = memberOf.get(m) ?? [];
      list.push(g.gid);
      memberOf.set(m, list);
    }
  }
  const byName = new Map<string, Account>();
  const byUid = new Map<number, Account>();
  for (const u of users) {
    const gids = [u.gid, ...(memberOf.get(u.name) ?? [])];
    const account: Account = {name: u.name, uid: u.uid, gid: u.gid, groups: [...new Set(gids)]};
    byName.set(u.name, account);
    if (!byUid.has(u.uid)) byUid.set(u.uid, account);
  }
  return {byName, byUid, groupByName, groupByGid};
}

/** A group given by name or number (NM `group=65534`, ifcfg `TUNNEL_SET_GROUP='nogroup'`) → gid. */
export function resolveGid(db: AccountDb, group: string): number | undefined {
  if (ID.test(group)) return Number(group);
  return db.groupByName.get(group)?.gid;
}

/** A user given by name or number → uid. */
export function resolveUid(db: AccountDb, user: string): number | undefined {
  if (ID.test(user)) return Number(user);
  return db.byName.get(user)?.uid;
}
