// `getcap <file>...` output (libcap getcap(8)), one line per file that has capabilities:
//
//   /usr/bin/qemu-system-x86_64 cap_net_admin=ep                   libcap 2.66 (captured)
//   /usr/bin/qemu-system-x86_64 cap_net_admin,cap_sys_nice=ep      libcap 2.66, comma list
//   /usr/bin/qemu-system-x86_64 cap_net_admin=eip cap_sys_nice+ep  libcap 2.66, several clauses
//   /usr/bin/qemu-system-x86_64 = cap_net_admin+ep                 older libcap (leading `=`)
//
// A file without capabilities prints nothing, so empty output means "no caps". libcap 2.66
// reports a missing file as `<path> (No such file or directory)` on stderr; older versions as
// "Failed to get capabilities of file `<path>' (...)": both are accepted as an error line in
// case a collector merged stderr. Clauses follow cap_text_formats(7): `caps=flags` sets exactly,
// `+flags` adds, `-flags` removes; an empty cap list means all capabilities (`=ep`, key 'all').
import {ParseError, splitLines} from './errors.js';

export interface GetcapLine {
  path: string;
  /** capability name → flags in 'eip' order, e.g. cap_net_admin → 'ep'. */
  caps: Record<string, string>;
  /** getcap could not read the file ("No such file or directory"). */
  error?: string;
  line: number;
}

export function parseGetcap(text: string, source: string): GetcapLine[] {
  const out: GetcapLine[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '') continue;
    const failed = errorLine(line);
    if (failed) {
      out.push({...failed, caps: Object.create(null), line: i + 1});
      continue;
    }
    const tokens = line.split(/[ \t]+/);
    // The path may contain spaces: clauses are the longest run of clause tokens at the end.
    let first = tokens.length;
    while (first > 1 && isClauseToken(tokens[first - 1]!)) first--;
    const path = tokens.slice(0, first).join(' ');
    // getcap echoes the absolute path it was given; anything else is an error message.
    if (!path.startsWith('/')) throw new ParseError(source, i + 1, raw, 'expected "<absolute path> <capabilities>"');
    out.push({path, caps: applyClauses(tokens.slice(first)), line: i + 1});
  }
  return out;
}

/**
 * The line for one binary. Exact path first; under --root getcap prints the prefixed path
 * (`/mnt/root/usr/bin/qemu-system-x86_64`), so then a path ending in `binary`, then a unique
 * line with the same basename. Undefined when getcap printed nothing for it (no capabilities).
 */
export function capsOf(lines: readonly GetcapLine[], binary: string): GetcapLine | undefined {
  const exact = lines.find((l) => l.path === binary);
  if (exact) return exact;
  const suffix = binary.startsWith('/') ? binary : `/${binary}`;
  const bySuffix = lines.find((l) => l.path.endsWith(suffix));
  if (bySuffix) return bySuffix;
  const base = basename(binary);
  const byBase = lines.filter((l) => basename(l.path) === base);
  return byBase.length === 1 ? byBase[0] : undefined;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

function errorLine(line: string): {path: string; error: string} | undefined {
  if (!line.endsWith(')')) return undefined;
  const old = 'Failed to get capabilities of file ';
  if (line.startsWith(old)) {
    // Failed to get capabilities of file `/usr/bin/x' (No such file or directory)
    const close = line.lastIndexOf("' (");
    if (close < old.length + 1) return undefined;
    return {path: line.slice(old.length + 1, close), error: line.slice(close + 3, -1)};
  }
  const open = line.lastIndexOf(' (');
  if (open <= 0) return undefined;
  const path = line.slice(0, open);
  if (!path.startsWith('/') || path.includes(' ')) return undefined;
  return {path, error: line.slice(open + 2, -1)};
}

interface Clause {
  caps: string[];
  ops: Array<{op: '=' | '+' | '-'; flags: string}>;
}

function isClauseToken(token: string): boolean {
  return token === '=' || parseClause(token) !== undefined;
}

/** `cap_a,cap_b+ep-i` → {caps, ops}; undefined when the token is not a clause. No regex: linear. */
function parseClause(token: string): Clause | undefined {
  let i = 0;
  while (i < token.length && /[A-Za-z0-9_,]/.test(token[i]!)) i++;
  const caps = token
    .slice(0, i)
    .toLowerCase()
    .split(',')
    .filter((c) => c !== '');
  const ops: Clause['ops'] = [];
  while (i < token.length) {
    const op = token[i]!;
    if (op !== '=' && op !== '+' && op !== '-') return undefined;
    i++;
    const start = i;
    while (i < token.length && 'eipEIP'.includes(token[i]!)) i++;
    ops.push({op, flags: token.slice(start, i).toLowerCase()});
  }
  if (ops.length === 0) return undefined;
  // `+ep` with no caps is meaningless; only `=` may stand for "all".
  if (caps.length === 0 && ops[0]!.op !== '=') return undefined;
  return {caps, ops};
}

function applyClauses(tokens: string[]): Record<string, string> {
  const state = new Map<string, Set<string>>();
  for (const token of tokens) {
    if (token === '=') {
      state.clear(); // old format's leading "=": start from no capabilities
      continue;
    }
    const clause = parseClause(token)!;
    const names = clause.caps.length ? clause.caps : ['all'];
    for (const {op, flags} of clause.ops) {
      for (const name of names) {
        const set = op === '=' ? new Set<string>() : (state.get(name) ?? new Set<string>());
        for (const f of flags) (op === '-' ? set.delete(f) : set.add(f));
        state.set(name, set);
      }
    }
  }
  const caps: Record<string, string> = Object.create(null);
  for (const [name, set] of state) {
    const flags = ['e', 'i', 'p'].filter((f) => set.has(f)).join('');
    if (flags) caps[name] = flags;
  }
  return caps;
}
